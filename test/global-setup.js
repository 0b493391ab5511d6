// Builds dist/ and packages/cli/dist/ (the library's entry points and the built command
// that some tests run in a fresh node process, as a user's `npx cdktf-immutable` would) in
// the background while the tests run, and only when lib/ or bin/ changed since the last
// build (scripts/build-dist.js). Tests that need the build wait for it through
// test/support/built-dist.ts; the global teardown waits for the build and fails the run
// if it failed (a type error in lib/ or bin/ fails npm test).
const { spawn } = require('child_process');
const path = require('path');
const { isFresh } = require('../scripts/build-dist');

module.exports = async () => {
  if (isFresh()) {
    return;
  }
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'scripts', 'build-dist.js')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  globalThis.__distBuild = new Promise((resolve) => {
    child.on('error', (error) => resolve({ code: null, output: `${output}${error.message}` }));
    child.on('close', (code) => resolve({ code, output }));
  });
};
