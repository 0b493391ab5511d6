import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Testing, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { DockerImagePipeline, DockerImageSource } from '../../lib/docker';
import { newStack } from '../support/synth';

/** DockerImageSource, from `cdktf-immutable/docker` (ImageSource: test/image/image-source.test.ts). */
describe('DockerImageSource', () => {
  const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;

  test('fromReference passes a digest-pinned reference through', () => {
    const stack = newStack('s');
    expect(DockerImageSource.fromReference(`registry.example.com/web@${digest}`).bind(stack)).toEqual({
      imageReference: `registry.example.com/web@${digest}`,
      replaceTriggeredBy: [],
      description: `registry.example.com/web@${digest}`,
    });
    expect(DockerImageSource.fromReference(`web:1.2@${digest}`).bind(stack).imageReference).toBe(`web:1.2@${digest}`);
  });

  test.each(['web:latest', 'web@sha256:abc', `web@${digest.toUpperCase()}`, ''])(
    'fromReference rejects "%s", which is not pinned by digest',
    (bad) => {
      expect(() => DockerImageSource.fromReference(bad)).toThrow(
        `DockerImageSource.fromReference: reference ("${bad}") must be pinned by digest: repo@sha256: followed by 64 lowercase hex digits`,
      );
    },
  );

  test('is a choice class: the factories return DockerImageSource, bound once per consumer', () => {
    expect(DockerImageSource.fromReference(`web@${digest}`)).toBeInstanceOf(DockerImageSource);
  });

  test('fromReference accepts a token', () => {
    const stack = newStack('s');
    const ref = new TerraformVariable(stack, 'ref', { type: 'string' }).stringValue;
    expect(DockerImageSource.fromReference(ref).bind(stack).description).toBe('docker image (token)');
  });

  test.each([
    [true, 'docker_registry_image.Web_Registry_5CC3C25F.id', /@\$\{TfToken/],
    [false, 'docker_image.Web_3C8945DB.id', /^\$\{TfToken/],
  ])('fromPipeline (push %s) triggers replacement on the pushed or built image', (push, trigger, reference) => {
    const dir = mkdtempSync(join(tmpdir(), 'cdktf-immutable-source-'));
    try {
      writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
      const stack = newStack('s');
      const pipeline = new DockerImagePipeline(stack, 'Web', {
        repository: 'localhost:5000/web',
        contextPath: dir,
        push,
      });
      const config = DockerImageSource.fromPipeline(pipeline).bind(stack);
      expect(config.imageReference).toMatch(reference);
      expect(config.description).toBe('docker-pipeline:localhost:5000/web');
      new SsmParameter(stack, 'consumer', {
        name: '/web/image',
        type: 'String',
        value: config.imageReference,
        lifecycle: { replaceTriggeredBy: [...config.replaceTriggeredBy] },
      });
      expect(Testing.synth(stack)).toHaveResourceWithProperties(SsmParameter, {
        lifecycle: { replace_triggered_by: [trigger] },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('fromPipeline takes a Docker image pipeline only, and gives no trigger to a consumer in another stack', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdktf-immutable-source-'));
    try {
      writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
      const stack = newStack('s');
      const pipeline = new DockerImagePipeline(stack, 'Web', { repository: 'localhost:5000/web', contextPath: dir });
      const other = new TerraformStack(stack.node.scope as Construct, 'other');
      expect(DockerImageSource.fromPipeline(pipeline).bind(other).replaceTriggeredBy).toEqual([]);
      // @ts-expect-error a construct that is not an IDockerImagePipeline
      expect(() => DockerImageSource.fromPipeline(new Construct(stack, 'NotAPipeline'))).toThrow(
        'DockerImageSource.fromPipeline: pipeline (s/NotAPipeline) must be a Docker image pipeline: a DockerImagePipeline.',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
