import { join } from 'path';

/** The repository root. */
export const ROOT = join(__dirname, '..', '..');

/** The built command line, dist/bin/cdktf-immutable.js. */
export const BUILT_CLI = join(ROOT, 'dist', 'bin', 'cdktf-immutable.js');

let built = false;

/**
 * Makes sure dist/ is built from the current lib/ and bin/, waiting for the background
 * build that the jest global setup starts (or building it here when there is none, e.g.
 * under another jest config). Call it before running anything from dist/ (the built
 * command, the package's entry points); most tests never need dist/ and should not call it.
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
