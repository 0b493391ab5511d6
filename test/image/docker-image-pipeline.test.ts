import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { Image } from '@cdktf/provider-docker/lib/image';
import { RegistryImage } from '@cdktf/provider-docker/lib/registry-image';
import { DockerImagePipeline, DockerImagePipelineProps, hashDockerContext } from '../../lib/docker';
import { ValidationError } from '../../lib/private/validation';
import { Json, newStack, resources, synthJson, synthStack } from '../support/synth';

const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function context(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'cdktf-immutable-docker-'));
  made.push(dir);
  const all: Record<string, string> = {
    Dockerfile:
      'FROM node:22-alpine AS build\nCOPY . /app\nFROM node:22-alpine AS runtime\nCOPY --from=build /app /app\n',
    '.dockerignore': 'node_modules\n*.log\n',
    'server.js': 'require("http").createServer((q, s) => s.end("ok")).listen(8080);\n',
    ...files,
  };
  for (const [name, content] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web';

function build(props: Partial<DockerImagePipelineProps> & { contextPath: string }): {
  stack: TerraformStack;
  pipeline: DockerImagePipeline;
} {
  const stack = newStack('docker');
  return { stack, pipeline: new DockerImagePipeline(stack, 'Web', { repository: REPO, ...props }) };
}

/** The JSON of stack `docker` with the pipeline `Web` of {@link REPO} and `props`. */
function synthPipeline(props: Partial<DockerImagePipelineProps> & { contextPath: string }): Json {
  return synthStack((stack) => new DockerImagePipeline(stack, 'Web', { repository: REPO, ...props }), 'docker').json;
}

function image(json: Json): Json {
  return Object.values(resources(json, 'docker_image'))[0];
}

describe('DockerImagePipeline', () => {
  test('defaults: tagged by content, built from a synth asset, triggers on the full hash, not pushed', () => {
    const dir = context();
    const { stack, pipeline } = build({ contextPath: dir });
    const synthText = Testing.synth(stack);
    const json = JSON.parse(synthText) as Json;
    const contextHash = hashDockerContext(dir).hash;
    expect(pipeline.contextHash).toBe(contextHash);
    expect(pipeline.tag).toMatch(/^[0-9a-f]{10}$/);
    expect(pipeline.imageName).toBe(`${REPO}:${pipeline.tag}`);
    expect(synthText).toHaveResourceWithProperties(Image, {
      name: `${REPO}:${pipeline.tag}`,
      build: { context: `assets/Web_Context_42310184/${pipeline.tag}`, dockerfile: 'Dockerfile' },
      triggers: { context_hash: contextHash },
      keep_locally: true,
      lifecycle: { create_before_destroy: true },
    });
    expect(Object.keys(json.resource.docker_image)).toEqual(['Web_3C8945DB']); // id "Resource"
    expect(json.resource).not.toHaveProperty('docker_registry_image');
    expect(
      Object.values(json.output as Record<string, Json>)
        .map((o) => o.value)
        .sort(),
    ).toEqual([pipeline.tag, '${docker_image.Web_3C8945DB.repo_digest}'].sort());
    // no machine-specific path in the synthesized JSON
    expect(synthText).not.toContain(dir);
  });

  test('all properties: push, build args, target, platform, labels, Dockerfile in a sub-folder', () => {
    const dir = context({ 'docker/app.Dockerfile': 'FROM scratch\n' });
    const { stack, pipeline } = build({
      contextPath: dir,
      dockerfile: 'docker/app.Dockerfile',
      buildArgs: { NODE_ENV: 'production' },
      target: 'runtime',
      platform: 'linux/arm64',
      labels: { 'org.opencontainers.image.source': 'https://example.com/web' },
      push: true,
    });
    const synthText = Testing.synth(stack);
    expect(synthText).toHaveResourceWithProperties(Image, {
      name: pipeline.imageName,
      platform: 'linux/arm64',
      build: {
        context: `assets/Web_Context_42310184/${pipeline.tag}`,
        dockerfile: 'docker/app.Dockerfile',
        build_args: { NODE_ENV: 'production' },
        target: 'runtime',
        platform: 'linux/arm64',
        label: { 'org.opencontainers.image.source': 'https://example.com/web' },
      },
    });
    expect(synthText).toHaveResourceWithProperties(RegistryImage, {
      name: pipeline.imageName,
      keep_remotely: true,
      depends_on: ['docker_image.Web_3C8945DB'],
      lifecycle: { create_before_destroy: true },
    });
    const json = JSON.parse(synthText) as Json;
    expect(Object.values(json.output as Record<string, Json>).map((o) => o.value)).toContain(
      `${REPO}@\${docker_registry_image.Web_Registry_5CC3C25F.sha256_digest}`,
    );
  });

  test('unchanged inputs synthesize byte-identical output, even from a copy of the context made in another order', () => {
    const a = Testing.synth(build({ contextPath: context({ 'a.txt': 'a', 'b.txt': 'b' }) }).stack);
    const b = Testing.synth(build({ contextPath: context({ 'b.txt': 'b', 'a.txt': 'a' }) }).stack);
    expect(b).toBe(a);
  });

  test.each<[string, Partial<DockerImagePipelineProps>, Record<string, string>]>([
    ['a context file', {}, { 'server.js': 'changed' }],
    ['the Dockerfile', {}, { Dockerfile: 'FROM node:23-alpine\n' }],
    ['the .dockerignore', {}, { '.dockerignore': 'node_modules\n' }],
    ['a build arg', { buildArgs: { NODE_ENV: 'development' } }, {}],
    ['the target', { target: 'build' }, {}],
    ['the platform', { platform: 'linux/amd64' }, {}],
    ['the labels', { labels: { 'org.opencontainers.image.version': '2' } }, {}],
  ])('a change of %s is a new tag, a new name and new triggers', (_what, props, files) => {
    const before = synthPipeline({ contextPath: context(), buildArgs: { NODE_ENV: 'production' } });
    const after = synthPipeline({ contextPath: context(files), buildArgs: { NODE_ENV: 'production' }, ...props });
    expect(image(after).name).not.toBe(image(before).name);
    expect(Object.keys(after.resource.docker_image)).toEqual(Object.keys(before.resource.docker_image));
  });

  test('labels are part of the tag: a label value change, an added label and no labels are three tags; key order is not', () => {
    const dir = context();
    const tag = (labels?: Record<string, string>) => build({ contextPath: dir, labels }).pipeline.tag;
    const tags = [tag(), tag({ team: 'web' }), tag({ team: 'api' }), tag({ team: 'web', tier: 'front' })];
    expect(new Set(tags).size).toBe(4);
    expect(tag({ tier: 'front', team: 'web' })).toBe(tags[3]);
    // an empty label map is no labels
    expect(tag({})).toBe(tags[0]);
  });

  test('a file excluded by .dockerignore changes nothing', () => {
    const before = Testing.synth(build({ contextPath: context() }).stack);
    const after = Testing.synth(
      build({ contextPath: context({ 'debug.log': 'noise', 'node_modules/x/index.js': 'x' }) }).stack,
    );
    expect(after).toBe(before);
  });

  test('the executable bit is part of the tag', () => {
    const dir = context();
    const before = build({ contextPath: dir }).pipeline.tag;
    chmodSync(join(dir, 'server.js'), 0o755);
    expect(build({ contextPath: dir }).pipeline.tag).not.toBe(before);
  });

  test('tokens are not validated; a token build arg makes the tag a Terraform expression', () => {
    const stack = newStack('docker');
    const repository = new TerraformVariable(stack, 'repo', { type: 'string' }).stringValue;
    const version = new TerraformVariable(stack, 'version', { type: 'string' }).stringValue;
    const platform = new TerraformVariable(stack, 'platform', { type: 'string' }).stringValue;
    const target = new TerraformVariable(stack, 'target', { type: 'string' }).stringValue;
    new DockerImagePipeline(stack, 'Web', {
      repository,
      contextPath: context(),
      buildArgs: { VERSION: version },
      platform,
      target,
      push: true,
    });
    const json = synthJson(stack);
    expect(image(json).name).toMatch(
      /^\$\{var\.repo\}:\$\{nonsensitive\(substr\(sha256\(join\("\|", \["[0-9a-f]{10}", jsonencode\(var\.version\), jsonencode\(var\.platform\), jsonencode\(var\.target\)\]\)\), 0, 10\)\)\}$/,
    );
    expect(Object.values(resources(json, 'docker_registry_image'))[0].name).toBe(image(json).name);
  });

  describe('validation', () => {
    test('missing context folder', () => {
      expect(() => build({ contextPath: '/nonexistent/app' })).toThrow(
        'DockerImagePipeline docker/Web: contextPath ("/nonexistent/app") does not exist; pass the folder that holds the Dockerfile',
      );
    });

    test('context is a file', () => {
      const dir = context();
      expect(() => build({ contextPath: join(dir, 'Dockerfile') })).toThrow(
        /DockerImagePipeline docker\/Web: contextPath \(".*Dockerfile"\) is a file/,
      );
    });

    test('missing Dockerfile', () => {
      expect(() => build({ contextPath: context(), dockerfile: 'app.Dockerfile' })).toThrow(
        /DockerImagePipeline docker\/Web: dockerfile \("app.Dockerfile"\) does not exist in the context folder/,
      );
    });

    test('Dockerfile outside the context', () => {
      expect(() => build({ contextPath: context(), dockerfile: '../Dockerfile' })).toThrow(
        'DockerImagePipeline docker/Web: dockerfile ("../Dockerfile") is outside the context folder',
      );
    });

    test.each([
      [`${REPO}:latest`, 'includes a tag or digest; give the repository only'],
      [`${REPO}@sha256:${'a'.repeat(64)}`, 'includes a tag or digest'],
      ['Web/App', 'is not a repository name; use lowercase'],
      ['web//app', 'is not a repository name'],
    ])('bad repository %s', (repository, message) => {
      expect(() => build({ contextPath: context(), repository })).toThrow(
        `DockerImagePipeline docker/Web: repository ("${repository}") ${message}`,
      );
    });

    test.each(['linux', 'linux/x86_64', 'macos/arm64', 'linux/arm/7', 'linux/arm64/v8/extra', 'Linux/amd64'])(
      'bad platform %s',
      (platform) => {
        expect(() => build({ contextPath: context(), platform })).toThrow(
          `DockerImagePipeline docker/Web: platform ("${platform}") must be os/arch[/variant]`,
        );
      },
    );

    test('bad target', () => {
      expect(() => build({ contextPath: context(), target: 'run time' })).toThrow(
        'DockerImagePipeline docker/Web: target ("run time") must be a build stage name',
      );
    });

    test('bad build arg name', () => {
      expect(() => build({ contextPath: context(), buildArgs: { 'NODE-ENV': 'x' } })).toThrow(
        'DockerImagePipeline docker/Web: buildArgs key ("NODE-ENV") must be an ARG name',
      );
    });

    test('a token context path', () => {
      const stack = newStack('docker');
      const contextPath = new TerraformVariable(stack, 'context', { type: 'string' }).stringValue;
      expect(() => new DockerImagePipeline(stack, 'Web', { repository: REPO, contextPath })).toThrow(
        'DockerImagePipeline docker/Web: contextPath is a token; it must be a folder on this machine, read at synth',
      );
    });

    test('a bad .dockerignore names the pipeline, the context and the line', () => {
      const dir = context({ '.dockerignore': '*.log\n!\n' });
      expect(() => build({ contextPath: dir })).toThrow(
        /DockerImagePipeline docker\/Web: contextPath \(".*"\) cannot be hashed: .*\.dockerignore: line 2 is "!" alone/,
      );
    });

    test('errors are ValidationErrors', () => {
      expect(() => build({ contextPath: '/nonexistent/app' })).toThrow(ValidationError);
    });
  });
});
