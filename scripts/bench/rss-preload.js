// Preloaded into a measured process (node --require): at exit, writes the process's
// peak resident set size (KiB) and its own uptime to the file named by BENCH_RSS_FILE.
'use strict';
const fs = require('fs');
const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    fs.writeFileSync(
      file,
      JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, uptimeMs: process.uptime() * 1000 }),
    );
  });
}
