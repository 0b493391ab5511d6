/**
 * A fault injector for the built command line, preloaded with `node --require` by tests
 * that need a command to stop, fail or run out of space at an exact filesystem call
 * (test/cli/release-retry.test.ts, the fault suite under test/faults). It wraps the
 * synchronous calls of node's `fs` module that the release store uses, and acts on the
 * calls that touch a path containing `CDKTF_IMMUTABLE_FS_FAULT.path`:
 *
 *   CDKTF_IMMUTABLE_FS_FAULT='{"action":"pause","ops":["openSync"],"path":"dev.json","nth":1,"signal":"/tmp/x"}'
 *
 * - `pause`: at the nth matching call, creates the file `signal` (with the call's
 *   description) and waits until `<signal>.go` exists (a test kills the process there,
 *   or creates the file to let it go on);
 * - `fail`: the nth matching call (and only it) throws an error with `code` (ENOSPC...);
 * - `log`: nothing but the log (below), to list the points of a command;
 * - `budget`: the process may write `bytes` bytes in all to matching files: a write that
 *   does not fit writes what fits and returns that count (a short write, as a nearly
 *   full disk does), and any later write throws `code` (ENOSPC by default), as on a full
 *   filesystem. This is the shim for machines where a small tmpfs cannot be mounted.
 *
 * `ops` lists the wrapped calls that count (default: every mutating one). Every call
 * that counts is appended to `log`, when given, one line each (`<op> <path>`), so a test
 * can first list the points of a command and then stop it at each one.
 * Test support only: never loaded by the library or the command line themselves.
 */
'use strict';
const fs = require('fs');

const spec = JSON.parse(process.env.CDKTF_IMMUTABLE_FS_FAULT || '{}');
const MUTATING = [
  'openSync',
  'writeSync',
  'fsyncSync',
  'closeSync',
  'renameSync',
  'linkSync',
  'unlinkSync',
  'fchmodSync',
  'mkdirSync',
];
const ops = new Set(spec.ops || MUTATING);
const needle = spec.path || '';
const nth = spec.nth || 1;
let seen = 0;
let budget = spec.action === 'budget' ? spec.bytes : Infinity;
/** The path each open descriptor was opened with. */
const paths = new Map();
const original = {};
for (const name of [...MUTATING, 'readSync']) {
  original[name] = fs[name];
}

function errnoError(code, op, path) {
  const error = new Error(`${code}: injected failure, ${op} '${path}'`);
  error.code = code;
  error.syscall = op;
  error.path = path;
  return error;
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function isWriteFlag(flags) {
  if (typeof flags === 'number') {
    return (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR)) !== 0;
  }
  return typeof flags === 'string' && /[wa+]/.test(flags);
}

/** True while this module itself writes (the log, the signal): those calls never count. */
let inside = false;

/** Counts a call, logs it, and pauses or fails at the nth one. */
function point(op, path) {
  if (inside || !ops.has(op) || !String(path).includes(needle)) {
    return;
  }
  inside = true;
  try {
    act(op, path);
  } finally {
    inside = false;
  }
}

function act(op, path) {
  seen++;
  if (spec.log) {
    fs.appendFileSync(spec.log, `${op} ${path}\n`);
  }
  if (seen !== nth) {
    return;
  }
  if (spec.action === 'pause') {
    fs.writeFileSync(spec.signal, `${op} ${path}\n`);
    while (!fs.existsSync(`${spec.signal}.go`)) {
      sleep(20);
    }
  } else if (spec.action === 'fail') {
    throw errnoError(spec.code || 'EIO', op, path);
  }
}

fs.openSync = function openSync(path, flags) {
  // reads count only when the test lists openSync explicitly (to pause a reader)
  if (isWriteFlag(flags) || spec.ops) {
    point('openSync', path);
  }
  const fd = original.openSync.apply(fs, arguments);
  paths.set(fd, String(path));
  return fd;
};
fs.closeSync = function closeSync(fd) {
  const path = paths.get(fd) || '';
  paths.delete(fd);
  point('closeSync', path);
  return original.closeSync.apply(fs, arguments);
};
fs.writeSync = function writeSync(fd, buffer, offset, length, position) {
  const path = paths.get(fd) || '';
  point('writeSync', path);
  if (spec.action === 'budget' && path.includes(needle)) {
    const bytes = typeof buffer === 'string' ? Buffer.from(buffer) : buffer;
    const start = typeof offset === 'number' ? offset : 0;
    const size = typeof length === 'number' ? length : bytes.length - start;
    if (budget <= 0) {
      throw errnoError(spec.code || 'ENOSPC', 'write', path);
    }
    const fits = Math.min(size, budget);
    budget -= fits;
    return original.writeSync.call(fs, fd, bytes, start, fits, position);
  }
  return original.writeSync.apply(fs, arguments);
};
for (const op of ['fsyncSync', 'fchmodSync']) {
  fs[op] = function (fd) {
    point(op, paths.get(fd) || '');
    return original[op].apply(fs, arguments);
  };
}
for (const op of ['renameSync', 'linkSync']) {
  fs[op] = function (from, to) {
    point(op, `${from} -> ${to}`);
    return original[op].apply(fs, arguments);
  };
}
for (const op of ['unlinkSync', 'mkdirSync']) {
  fs[op] = function (path) {
    point(op, path);
    return original[op].apply(fs, arguments);
  };
}
