import { existsSync, readFileSync } from 'fs';
import { dirname, join } from 'path';

/** Reads this package's package.json, from source (ts-node) or from dist/; `root` is its folder. */
export function packageInfo(): { name: string; version: string; root: string } {
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      // cdktn-immutable is the CDK Terrain build of the same source (scripts/cdktn/build.js).
      if ((pkg.name === 'cdktf-immutable' || pkg.name === 'cdktn-immutable') && pkg.version) {
        return { name: pkg.name, version: pkg.version, root: dir };
      }
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error('cdktf-immutable: cannot find its own package.json; reinstall the package.');
    }
    dir = parent;
  }
}
