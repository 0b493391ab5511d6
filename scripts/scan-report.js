#!/usr/bin/env node
// Reads checkov's JSON report and the scanned stacks; a failed check counts as
// suppressed only when the failing resource carries "checkov:skip=<ID>" with a reason
// in its "//" block (written by suppressCheckov next to the resource in code).
'use strict';
const fs = require('fs');
const path = require('path');

const [reportPath, scannedRoot, version] = process.argv.slice(2);
const reports = [].concat(JSON.parse(fs.readFileSync(reportPath, 'utf8')));
const cache = new Map();
function suppressionsOf(file, address) {
  const full = path.join(scannedRoot, file);
  if (!cache.has(full)) cache.set(full, JSON.parse(fs.readFileSync(full, 'utf8')));
  // Python checks name the resource "<type>.<name>"; some report "resource.<name>".
  const [type, name] = address.split('.');
  const resources = cache.get(full).resource || {};
  const body =
    type === 'resource'
      ? Object.values(resources)
          .map((byName) => byName[name])
          .find(Boolean)
      : (resources[type] || {})[name];
  const meta = (body || {})['//'] || {};
  return Object.fromEntries(
    Object.entries(meta)
      .filter(([k]) => k.startsWith('checkov:skip='))
      .map(([k, v]) => [k.slice(13), v]),
  );
}
let passed = 0,
  failed = 0,
  suppressed = 0,
  errors = 0;
const failures = [];
const used = [];
for (const report of reports) {
  if (!report.results) continue;
  passed += (report.results.passed_checks || []).length;
  errors += (report.summary && report.summary.parsing_errors) || 0;
  for (const check of report.results.failed_checks || []) {
    const reason = suppressionsOf(check.file_path, check.resource)[check.check_id];
    if (typeof reason === 'string' && reason.trim().length >= 10) {
      suppressed++;
      used.push(`${check.check_id} ${check.resource} (${check.file_path}): ${reason}`);
    } else {
      failed++;
      failures.push(`${check.check_id} ${check.check_name}\n    ${check.resource} in ${check.file_path}`);
    }
  }
}
if (process.env.SCAN_VERBOSE) used.forEach((line) => console.log(`suppressed: ${line}`));
failures.forEach((line) => console.log(`FAILED ${line}`));
console.log(
  `checkov ${version}: ${passed} passed, ${failed} failed, ${suppressed} suppressed in code with a reason, ${errors} parsing errors`,
);
process.exit(failed > 0 || errors > 0 || passed === 0 ? 1 : 0);
