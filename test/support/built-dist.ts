import { join } from 'path';

/** The repository root. */
export const ROOT = join(__dirname, '..', '..');

/** The command line's package (cdktf-immutable-cli): its register/ and templates/, and dist/ once built. */
export const CLI_PACKAGE = join(ROOT, 'packages', 'cli');

/** The built command line, packages/cli/dist/cdktf-immutable.js. */
export const BUILT_CLI = join(CLI_PACKAGE, 'dist', 'cdktf-immutable.js');

/**
 * The fault injector that tests preload into the built command (`node --require`): it
 * pauses or fails a chosen filesystem call (test/support/fs-faults.js).
 */
export const FS_FAULTS = join(ROOT, 'test', 'support', 'fs-faults.js');

/** The fast synth runner that cdktf.json preloads (`cdktf-immutable-cli/register`). */
export const RUNNER = join(CLI_PACKAGE, 'register', 'index.js');

let built = false;

/**
 * Makes sure dist/ (the library) and packages/cli/dist/ (the command line) are built from
 * the current lib/ and bin/, waiting for the background build that the jest global setup
 * starts (or building them here when there is none, e.g. under another jest config). Call
 * it before running anything built (the built command, the package's entry points); most
 * tests never need the build and should not call it.
 */
export function requireBuiltDist(): void {
  if (built) {
    return;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildDist } = require('../../scripts/build-dist') as {
    buildDist: (options?: { quiet?: boolean }) => boolean;
  };
  buildDist({ quiet: true });
  built = true;
}
