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
 */
export function build(app: App, releasesDir = process.env.CDKTF_IMMUTABLE_RELEASES ?? path.join(__dirname, '..', 'releases')): void {
  new ImagesStack(app, 'images', IMAGES);
  for (const config of ENVIRONMENTS) {
    const release = loadReleaseFile(path.join(releasesDir, `${config.name}.json`));
    new ServiceStack(app, `service-${config.name}`, { config, release });
  }
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
