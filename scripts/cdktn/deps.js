#!/usr/bin/env node
// Installs cdktn, @cdktn/provider-aws and constructs (scripts/cdktn/config.js VERSIONS)
// into a cache folder outside the repository and prints its path. A complete folder is
// reused (a marker file is written last); a missing or half-written one is rebuilt in a
// temporary folder and renamed into place, so an interrupted install is never reused.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { VERSIONS, DEPS_DIR } = require('./config');

const MARKER = '.cdktf-immutable-complete';

function ensureDeps() {
  const marker = path.join(DEPS_DIR, MARKER);
  const wanted = JSON.stringify(VERSIONS);
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === wanted) {
    return { dir: DEPS_DIR, installed: false };
  }
  fs.mkdirSync(path.dirname(DEPS_DIR), { recursive: true });
  const temp = fs.mkdtempSync(`${DEPS_DIR}.partial-`);
  try {
    fs.writeFileSync(
      path.join(temp, 'package.json'),
      `${JSON.stringify({ name: 'cdktn-deps', version: '0.0.0', private: true }, null, 2)}\n`,
    );
    const specs = Object.entries(VERSIONS).map(([name, version]) => `${name}@${version}`);
    // @cdktn/provider-aws declares node >= 22.11; it installs and runs on node 20 with an
    // EBADENGINE warning, which is not an error unless engine-strict is set.
    // npm's own output goes to stderr: stdout carries only the folder's path, which
    // test.sh reads with $(...) (on a cold cache npm prints "added N packages" there).
    execFileSync(
      'npm',
      ['install', '--prefix', temp, '--no-audit', '--no-fund', '--save-exact', '--engine-strict=false', ...specs],
      {
        stdio: ['ignore', process.stderr, 'inherit'],
      },
    );
    for (const [name, version] of Object.entries(VERSIONS)) {
      const installed = JSON.parse(
        fs.readFileSync(path.join(temp, 'node_modules', name, 'package.json'), 'utf8'),
      ).version;
      if (installed !== version) {
        throw new Error(`${name} installed as ${installed}, expected ${version} (scripts/cdktn/config.js VERSIONS)`);
      }
    }
    fs.writeFileSync(path.join(temp, MARKER), wanted);
    fs.rmSync(DEPS_DIR, { recursive: true, force: true });
    fs.renameSync(temp, DEPS_DIR);
  } catch (error) {
    fs.rmSync(temp, { recursive: true, force: true });
    throw error;
  }
  return { dir: DEPS_DIR, installed: true };
}

module.exports = { ensureDeps };

if (require.main === module) {
  const started = Date.now();
  const { dir, installed } = ensureDeps();
  console.error(
    `[cdktn] dependencies ${installed ? 'installed' : 'reused'} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${dir}`,
  );
  console.log(dir);
}
