#!/usr/bin/env node
// `npm run test:faults`: the fault-injection suite (test/faults, jest.faults.config.js), then
// the table of its cases: case, exit code, whether every file is intact. Each test file
// appends its rows to $FAULTS_TABLE (JSON lines); this prints them, in the order the
// files ran, after jest, and exits with jest's code. Jest arguments pass through
// (`npm run test:faults -- -t SIGKILL`).
'use strict';
const { spawnSync } = require('child_process');
const { mkdtempSync, readFileSync, rmSync, existsSync } = require('fs');
const { tmpdir } = require('os');
const { join } = require('path');

const root = join(__dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'faults-table-'));
const table = join(work, 'rows.jsonl');
// the built command line: the kill, race and special-file cases run it
const build = spawnSync(process.execPath, [join(root, 'scripts', 'build-dist.js')], { stdio: 'inherit', cwd: root });
if (build.status !== 0) {
  process.exit(build.status ?? 1);
}
const started = Date.now();
const jest = spawnSync(
  process.execPath,
  [
    require.resolve('jest/bin/jest', { paths: [root] }),
    '-c',
    'jest.faults.config.js',
    '--runInBand',
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit', cwd: root, env: { ...process.env, FAULTS_TABLE: table } },
);
const rows = existsSync(table)
  ? readFileSync(table, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
  : [];
rmSync(work, { recursive: true, force: true });
const header = { case: 'case', exit: 'exit', intact: 'file intact' };
const width = (key) => Math.max(...[header, ...rows].map((row) => row[key].length));
const line = (row) => `${row.case.padEnd(width('case'))}  ${row.exit.padEnd(width('exit'))}  ${row.intact}`;
console.log(`\nFault-injection suite: ${rows.length} cases in ${Math.round((Date.now() - started) / 1000)} s\n`);
console.log(line(header));
console.log('-'.repeat(width('case') + width('exit') + width('intact') + 4));
rows.forEach((row) => console.log(line(row)));
process.exit(jest.status ?? 1);
