import * as path from 'path';
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { DockerImagePipeline, DockerImageSource } from 'cdktf-immutable/docker';

/** Builds app/ into an image tagged by its content and pushes it to a local registry. */
export function build(app: App): void {
  const stack = new TerraformStack(app, 'docker-image-pipeline');
  new DockerProvider(stack, 'docker', {});

  const pipeline = new DockerImagePipeline(stack, 'Web', {
    repository: 'localhost:5000/hello',
    contextPath: path.join(__dirname, 'app'),
    buildArgs: { APP_VERSION: '1.0.0' },
    target: 'runtime',
    platform: 'linux/amd64',
    push: true,
  });

  // Consumers receive the image by digest, never by tag.
  const image = DockerImageSource.fromPipeline(pipeline).bind(stack);
  new TerraformOutput(stack, 'image', { value: image.imageReference });
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
