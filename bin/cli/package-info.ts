import { existsSync, readFileSync } from 'fs';
import { dirname, join } from 'path';

/** The name of the command line's package; the library it drives is the same name without `-cli`. */
const CLI_PACKAGES = ['cdktf-immutable-cli', 'cdktn-immutable-cli'];

/** The command line's package: its name, version and folder (`root`, which holds templates/ and register/). */
export interface PackageInfo {
  readonly name: string;
  readonly version: string;
  readonly root: string;
  /** The construct package it drives, `cdktf-immutable` (or `cdktn-immutable`), at the same version. */
  readonly library: string;
}

/**
 * Reads the command line's package.json, from the build (dist/) or from source
 * (`bin/` of the repository, whose package lives in packages/cli). cdktn-immutable-cli is
 * the CDK Terrain build of the same source (scripts/cdktn/build.js).
 */
export function packageInfo(): PackageInfo {
  let dir = __dirname;
  for (;;) {
    for (const root of [dir, join(dir, 'packages', 'cli')]) {
      const candidate = join(root, 'package.json');
      if (existsSync(candidate)) {
        const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
        if (pkg.name && CLI_PACKAGES.includes(pkg.name) && pkg.version) {
          return { name: pkg.name, version: pkg.version, root, library: pkg.name.replace(/-cli$/, '') };
        }
      }
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error('cdktf-immutable: cannot find its own package.json; reinstall cdktf-immutable-cli.');
    }
    dir = parent;
  }
}
