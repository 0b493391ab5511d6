#!/usr/bin/env node
/**
 * Builds dist/ (tsc -p tsconfig.build.json) unless it was already built from exactly the
 * current sources, so that npm test, npm pack and npm run test:e2e share one build.
 *
 *   node scripts/build-dist.js           build if dist/ is stale (what tests, prepack and e2e run)
 *   node scripts/build-dist.js --clean   always a clean build (npm run build)
 *   node scripts/build-dist.js --check   exit 0 if dist/ is fresh, 1 if not; builds nothing
 *
 * "Fresh" means dist/.build-key equals the key of the inputs: every file under lib/ and
 * bin/ (path and content), tsconfig.json, tsconfig.build.json and the TypeScript version.
 * A stale dist/ is rebuilt from scratch in a temporary folder next to it and swapped in
 * whole, so a failed build leaves the previous dist/ and no half-written one. Builds are
 * serialized by a lock (a folder in the system temp folder, per repository): a second
 * caller waits for the first and then finds dist/ fresh.
 */
'use strict';
const { spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const KEY_FILE = path.join(DIST, '.build-key');
const INPUT_DIRS = ['lib', 'bin'];
const INPUT_FILES = ['tsconfig.json', 'tsconfig.build.json'];

/** The key of the inputs of dist/ (a hex sha256). */
function distKey(root = ROOT) {
  const hash = crypto.createHash('sha256');
  hash.update(`typescript ${require(require.resolve('typescript/package.json', { paths: [root] })).version}\0`);
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else files.push(file);
    }
  };
  for (const dir of INPUT_DIRS) walk(path.join(root, dir));
  files.push(...INPUT_FILES.map((f) => path.join(root, f)));
  for (const file of files.sort()) {
    hash.update(`${path.relative(root, file)}\0`);
    hash.update(fs.readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** True if dist/ was built from the current inputs. */
function isFresh(root = ROOT) {
  const keyFile = path.join(root, 'dist', '.build-key');
  return fs.existsSync(keyFile) && fs.readFileSync(keyFile, 'utf8').trim() === distKey(root);
}

const LOCK = path.join(
  os.tmpdir(),
  `cdktf-immutable-dist-${crypto.createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.lock`,
);

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Takes the build lock, waiting up to 5 minutes for another build; a dead holder's lock is taken over. */
function lock() {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (const started = Date.now(); ;) {
    try {
      fs.mkdirSync(LOCK);
      fs.writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    let holder = NaN;
    try {
      holder = Number(fs.readFileSync(path.join(LOCK, 'pid'), 'utf8'));
    } catch {
      // being created or removed right now
    }
    if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
      fs.rmSync(LOCK, { recursive: true, force: true });
      continue;
    }
    if (Date.now() - started > 5 * 60 * 1000) {
      throw new Error(
        `build-dist: another build has held ${LOCK} for 5 minutes (process ${holder}); if none is running, delete it.`,
      );
    }
    Atomics.wait(sleeper, 0, 0, 100);
  }
}

function unlock() {
  fs.rmSync(LOCK, { recursive: true, force: true });
}

/** Builds dist/ if stale (or always, with clean); returns true if it built. Throws with tsc's output on failure. */
function buildDist({ clean = false, quiet = false } = {}) {
  lock();
  try {
    const key = distKey();
    if (!clean && fs.existsSync(KEY_FILE) && fs.readFileSync(KEY_FILE, 'utf8').trim() === key) {
      return false;
    }
    // temporary folders of builds that were killed
    for (const entry of fs.readdirSync(ROOT)) {
      const pid = /^\.dist-next-(\d+)$/.exec(entry);
      if (pid && (Number(pid[1]) === process.pid || !alive(Number(pid[1])))) {
        fs.rmSync(path.join(ROOT, entry), { recursive: true, force: true });
      }
    }
    const next = path.join(ROOT, `.dist-next-${process.pid}`);
    const started = Date.now();
    const tsc = spawnSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc', { paths: [ROOT] }), '-p', 'tsconfig.build.json', '--outDir', next],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    if (tsc.status !== 0) {
      fs.rmSync(next, { recursive: true, force: true });
      throw new Error(
        `build-dist: tsc -p tsconfig.build.json failed (exit ${tsc.status}${tsc.signal ? `, ${tsc.signal}` : ''}):\n${tsc.stdout}${tsc.stderr}`,
      );
    }
    fs.writeFileSync(path.join(next, '.build-key'), `${key}\n`);
    fs.rmSync(DIST, { recursive: true, force: true });
    fs.renameSync(next, DIST);
    if (!quiet) {
      console.error(`build-dist: built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    return true;
  } finally {
    unlock();
  }
}

module.exports = { distKey, isFresh, buildDist };

if (require.main === module) {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--clean' && a !== '--check');
  if (unknown.length > 0) {
    console.error(`build-dist: unknown argument(s) ${unknown.join(' ')}; use --clean, --check or nothing.`);
    process.exit(2);
  }
  if (args.includes('--check')) {
    process.exit(isFresh() ? 0 : 1);
  }
  try {
    if (!buildDist({ clean: args.includes('--clean') })) {
      console.error('build-dist: dist/ is up to date with lib/ and bin/');
    }
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
