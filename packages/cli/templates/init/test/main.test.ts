import * as path from 'path';
import { TerraformStack, Testing } from 'cdktf';
import { loadReleaseFile } from 'cdktf-immutable';
import { build, BuildOptions, releaseFile } from '../main';
import { ENVIRONMENTS, SERVICES } from '../src/config';

/** Every stack of the app, synthesized to Terraform JSON, by stack name, and the warnings. */
function synthesize(options: BuildOptions): { stacks: Record<string, string>; warnings: string[] } {
  const app = Testing.app();
  const warnings: string[] = [];
  build(app, { ...options, warn: (message) => warnings.push(message) });
  const stacks = Object.fromEntries(
    app.node.children
      .filter((child): child is TerraformStack => child instanceof TerraformStack)
      .map((stack) => [stack.node.id, Testing.synth(stack)]),
  );
  return { stacks, warnings };
}

describe('the app, from fixed release files and a fixed commit', () => {
  // The snapshots are what reviewers read in a pull request: the Terraform JSON of every
  // stack. They are built from the fixture release files (test/fixtures/releases) and a
  // fixed commit, so a release command (which edits releases/) or a new commit changes no
  // snapshot: a snapshot changes only when the code does. Update them with
  // `npm test -- -u` after a change of code, and review the diff.
  const { stacks } = synthesize({
    releasesDir: path.join(__dirname, 'fixtures', 'releases'),
    sourceCommit: '0123456789abcdef0123456789abcdef01234567',
  });

  test('every service and environment of src/config.ts has a fixture with an image, so each stack is in the snapshots', () => {
    expect(Object.keys(stacks).sort()).toEqual(
      ['images', ...SERVICES.flatMap((service) => ENVIRONMENTS.map((env) => `${service}-${env.name}`))].sort(),
    );
  });

  test.each(Object.keys(stacks))('%s synthesizes to its snapshot', (name) => {
    expect(stacks[name]).toMatchSnapshot();
  });
});

describe('the real release files', () => {
  // The release files change with every release: they are not snapshotted, but each one
  // must load, and each service with an image must synthesize its fleet.
  const releasesDir = path.join(__dirname, '..', 'releases');
  const { stacks, warnings } = synthesize({ releasesDir });
  const files = SERVICES.flatMap((service) => ENVIRONMENTS.map((env) => releaseFile(service, env.name)));

  test.each(files)('releases/%s loads and its stack synthesizes', (file) => {
    const release = loadReleaseFile(path.join(releasesDir, file));
    const service = file.includes('/') ? file.split('/')[0] : SERVICES[0];
    const id = `${service}-${release.environment}`;
    if (release.slots.blue.image === null && release.slots.green.image === null) {
      expect(
        warnings.find((warning) => warning.startsWith(`warning: stack ${id} is skipped: releases/${file}`)),
      ).toBeDefined();
      return;
    }
    const stack = JSON.parse(stacks[id]) as {
      resource: Record<string, Record<string, { image_id?: string }>>;
    };
    const images = Object.values(stack.resource.aws_launch_template).map((template) => template.image_id);
    expect(images.sort()).toEqual(
      [release.slots.blue.image, release.slots.green.image].filter((image) => image !== null).sort(),
    );
    expect(Object.keys(stack.resource.aws_lb_listener).length).toBeGreaterThan(0);
  });
});
