#!/usr/bin/env node
/**
 * Builds the two packages' outputs unless they were already built from exactly the current
 * sources, so that npm test, npm pack and npm run test:e2e share one build:
 *   dist/               the construct package (cdktf-immutable): lib/, tsc -p tsconfig.build.json
 *   packages/cli/dist/  the command line (cdktf-immutable-cli): bin/, tsc -p packages/cli/tsconfig.json,
 *                       compiled against dist/'s declarations through the workspace link
 *
 *   node scripts/build-dist.js           build if stale (what tests, prepack and e2e run)
 *   node scripts/build-dist.js --clean   always a clean build (npm run build)
 *   node scripts/build-dist.js --check   exit 0 if both are fresh, 1 if not; builds nothing
 *
 * "Fresh" means both outputs' .build-key equal the key of the inputs: every file under lib/
 * and bin/ (path and content), the tsconfig files and the TypeScript version. A stale
 * output is rebuilt from scratch in a temporary folder next to it and swapped in whole, so
 * a failed build leaves the previous one and no half-written one. Builds are serialized by
 * a lock (a folder in the system temp folder, per repository): a second caller waits for
 * the first and then finds the outputs fresh.
 */
'use strict';
const { spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const CLI_DIR = path.join('packages', 'cli');
/** Each output: its folder (relative to the root), the tsconfig that builds it, in build order. */
const OUTPUTS = [
  { dir: 'dist', project: 'tsconfig.build.json' },
  { dir: path.join(CLI_DIR, 'dist'), project: path.join(CLI_DIR, 'tsconfig.json'), bin: 'cdktf-immutable.js' },
];
const INPUT_DIRS = ['lib', 'bin'];
const INPUT_FILES = ['tsconfig.json', 'tsconfig.build.json', path.join(CLI_DIR, 'tsconfig.json')];

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

/** The key an output was built from, or undefined. */
function builtKey(root, output) {
  const keyFile = path.join(root, output.dir, '.build-key');
  return fs.existsSync(keyFile) ? fs.readFileSync(keyFile, 'utf8').trim() : undefined;
}

/** True if dist/ and packages/cli/dist/ were built from the current inputs. */
function isFresh(root = ROOT) {
  const key = distKey(root);
  return OUTPUTS.every((output) => builtKey(root, output) === key);
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

/** Removes the temporary folders of builds that were killed (`.dist-next-<pid>` beside each output). */
function removeAbandoned() {
  for (const parent of new Set(OUTPUTS.map((output) => path.dirname(path.join(ROOT, output.dir))))) {
    for (const entry of fs.readdirSync(parent)) {
      const pid = /^\.dist-next-(\d+)$/.exec(entry);
      if (pid && (Number(pid[1]) === process.pid || !alive(Number(pid[1])))) {
        fs.rmSync(path.join(parent, entry), { recursive: true, force: true });
      }
    }
  }
}

/** Compiles one output into a temporary folder and swaps it in; throws with tsc's output on failure. */
function buildOutput(output, key) {
  const target = path.join(ROOT, output.dir);
  const next = path.join(path.dirname(target), `.dist-next-${process.pid}`);
  const tsc = spawnSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc', { paths: [ROOT] }), '-p', output.project, '--outDir', next],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (tsc.status !== 0) {
    fs.rmSync(next, { recursive: true, force: true });
    throw new Error(
      `build-dist: tsc -p ${output.project} failed (exit ${tsc.status}${tsc.signal ? `, ${tsc.signal}` : ''}):\n` +
        `${tsc.stdout}${tsc.stderr}`,
    );
  }
  if (output.bin) {
    fs.chmodSync(path.join(next, output.bin), 0o755);
  }
  fs.writeFileSync(path.join(next, '.build-key'), `${key}\n`);
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(next, target);
}

/** Builds the stale outputs (or all, with clean); returns true if it built. Throws with tsc's output on failure. */
function buildDist({ clean = false, quiet = false } = {}) {
  lock();
  try {
    const key = distKey();
    // The command line compiles against dist/'s declarations: when dist/ is rebuilt, so is it.
    const stale = OUTPUTS.findIndex((output) => clean || builtKey(ROOT, output) !== key);
    if (stale === -1) {
      return false;
    }
    removeAbandoned();
    const started = Date.now();
    for (const output of OUTPUTS.slice(stale)) {
      buildOutput(output, key);
    }
    if (!quiet) {
      const built = OUTPUTS.slice(stale).map((output) => `${output.dir}/`);
      console.error(`build-dist: built ${built.join(' and ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    return true;
  } finally {
    unlock();
  }
}

module.exports = { distKey, isFresh, buildDist, OUTPUTS };

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
      console.error('build-dist: dist/ and packages/cli/dist/ are up to date with lib/ and bin/');
    }
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
