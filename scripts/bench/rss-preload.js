// Preloaded into a measured process (node --require): at exit, writes the process's
// peak resident set size (KiB), its own uptime and its CPU time (user + system, ms) to the
// file named by BENCH_RSS_FILE.
'use strict';
const fs = require('fs');
const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    fs.writeFileSync(
      file,
      JSON.stringify({
        maxRssKiB: usage.maxRSS,
        uptimeMs: process.uptime() * 1000,
        cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
      }),
    );
  });
}
