import { execFileSync } from 'child_process';
import * as path from 'path';
import { App } from 'cdktf';
import { loadReleaseFile } from 'cdktf-immutable';
import { ENVIRONMENTS, IMAGES, SERVICES } from './src/config';
import { EnvironmentStack } from './src/environment-stack';
import { ImagesStack } from './src/images-stack';

/** What the app is built from besides the code: the release files and the images' commit. */
export interface BuildOptions {
  /**
   * The folder of the release files (`releases/<env>.json`, or `releases/<service>/<env>.json`
   * with several services). Tests pass fixture files.
   */
  readonly releasesDir?: string;
  /**
   * The commit the AMI is built from, tagged on it (`sourceCommit`). main() passes the
   * commit that last changed images/, so the images stack changes only when the image
   * does; tests pass a fixed one, so snapshots do not change with every commit.
   */
  readonly sourceCommit?: string;
  /** Where warnings go. */
  readonly warn?: (message: string) => void;
}

/**
 * The app that cdktf.json runs: the images stack and one stack per service and environment
 * (`npx cdktf-immutable deploy images`, `npx cdktf-immutable deploy web-dev`, ...). Each
 * release file (releases/<env>.json with one service, releases/<service>/<env>.json with
 * several) says which image the service's slots run in that environment; the
 * cdktf-immutable release commands edit it.
 *
 * A service whose release file has no image yet has nothing to deploy: its stack is
 * skipped with a warning, and the other stacks synthesize.
 */
export function build(app: App, options: BuildOptions = {}): void {
  const releasesDir = options.releasesDir ?? path.join(__dirname, 'releases');
  const warn = options.warn ?? ((message: string) => process.stderr.write(`${message}\n`));
  new ImagesStack(app, 'images', { ...IMAGES, sourceCommit: options.sourceCommit });
  for (const service of SERVICES) {
    for (const config of ENVIRONMENTS) {
      const file = releaseFile(service, config.name);
      const release = loadReleaseFile(path.join(releasesDir, file));
      const id = `${service}-${config.name}`;
      if (release.slots.blue.image === null && release.slots.green.image === null) {
        const fleet = SERVICES.length > 1 ? ` --fleet ${service}` : '';
        warn(
          `warning: stack ${id} is skipped: releases/${file} has no image yet. Stage one with "npx cdktf-immutable release stage ${config.name}${fleet} --image <ami-id>".`,
        );
        continue;
      }
      new EnvironmentStack(app, id, { service, config, release });
    }
  }
}

/** A service's release file in an environment, relative to the releases folder. */
export function releaseFile(service: string, environment: string): string {
  return SERVICES.length > 1 ? `${service}/${environment}.json` : `${environment}.json`;
}

/** The commit that last changed images/ (undefined outside git): it changes only when the image does. */
function imagesCommit(): string | undefined {
  try {
    const commit = execFileSync('git', ['log', '-1', '--format=%H', '--', 'images'], {
      cwd: __dirname,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return commit || undefined;
  } catch {
    return undefined;
  }
}

if (require.main === module) {
  const app = new App();
  build(app, { sourceCommit: imagesCommit() });
  app.synth();
}
