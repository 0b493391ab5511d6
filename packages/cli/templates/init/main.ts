import * as path from 'path';
import { App } from 'cdktf';
import { loadReleaseFile } from 'cdktf-immutable';
import { ENVIRONMENTS, IMAGES } from './src/config';
import { EnvironmentStack } from './src/environment-stack';
import { ImagesStack } from './src/images-stack';

/**
 * The app that cdktf.json runs: the images stack and one stack per environment
 * (`cdktf deploy images`, `cdktf deploy web-dev`, ...). Each environment's release
 * file, releases/<env>.json, says which image its slots run; the cdktf-immutable
 * release commands edit it.
 *
 * An environment whose release file has no image yet has nothing to deploy: its stack
 * is skipped with a warning, and the other stacks synthesize.
 */
export function build(
  app: App,
  releasesDir = path.join(__dirname, 'releases'),
  warn: (message: string) => void = (message) => process.stderr.write(`${message}\n`),
): void {
  new ImagesStack(app, 'images', IMAGES);
  for (const config of ENVIRONMENTS) {
    const release = loadReleaseFile(path.join(releasesDir, `${config.name}.json`));
    const id = `web-${config.name}`;
    if (release.slots.blue.image === null && release.slots.green.image === null) {
      warn(
        `warning: stack ${id} is skipped: releases/${config.name}.json has no image yet. Stage one with "npx cdktf-immutable release stage ${config.name} --image <ami-id>".`,
      );
      continue;
    }
    new EnvironmentStack(app, id, { config, release });
  }
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
