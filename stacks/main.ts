import * as path from 'path';
import { App } from 'cdktf';
import { loadReleaseFile } from '../lib';
import { ENVIRONMENTS, IMAGES } from './config';
import { ImagesStack } from './images-stack';
import { ServiceStack } from './service-stack';

/**
 * The app that cdktf.json runs: the images stack and one service stack per
 * environment. `cdktf deploy images`, `cdktf deploy service-dev`, ...
 * Release files are read from releases/ (or $CDKTF_IMMUTABLE_RELEASES).
 *
 * An environment whose release file has no image yet (just after `release init`) has
 * nothing to deploy: its stack is skipped with a warning on stderr, and the other
 * stacks synthesize. A release file that is broken still fails the synth, naming the
 * file, the field and the fix.
 */
export function build(
  app: App,
  releasesDir = process.env.CDKTF_IMMUTABLE_RELEASES ?? path.join(__dirname, '..', 'releases'),
  warn: (message: string) => void = (message) => process.stderr.write(`${message}\n`),
): void {
  new ImagesStack(app, 'images', IMAGES);
  for (const config of ENVIRONMENTS) {
    const file = path.join(releasesDir, `${config.name}.json`);
    const release = loadReleaseFile(file);
    const id = `service-${config.name}`;
    if (release.slots.blue.image === null && release.slots.green.image === null) {
      warn(
        `warning: stack ${id} is skipped: ${file} has no image yet, so there is nothing to deploy. Stage the first one with "cdktf-immutable release stage ${config.name} --image <ami-id>", then synthesize again.`,
      );
      continue;
    }
    new ServiceStack(app, id, { config, release });
  }
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
