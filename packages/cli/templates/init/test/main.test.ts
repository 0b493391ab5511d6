import * as path from 'path';
import { TerraformStack, Testing } from 'cdktf';
import { loadReleaseFile } from 'cdktf-immutable';
import { build, BuildOptions } from '../main';
import { ENVIRONMENTS } from '../src/config';

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

  test('every environment of src/config.ts has a fixture with an image, so each stack is in the snapshots', () => {
    expect(Object.keys(stacks).sort()).toEqual(['images', ...ENVIRONMENTS.map((env) => `web-${env.name}`)].sort());
  });

  test.each(Object.keys(stacks))('%s synthesizes to its snapshot', (name) => {
    expect(stacks[name]).toMatchSnapshot();
  });
});

describe('the real release files', () => {
  // releases/<env>.json change with every release: they are not snapshotted, but each one
  // must load, and each environment with an image must synthesize its fleet.
  const releasesDir = path.join(__dirname, '..', 'releases');
  const { stacks, warnings } = synthesize({ releasesDir });

  test.each(ENVIRONMENTS.map((env) => env.name))('releases/%s.json loads and its environment synthesizes', (env) => {
    const release = loadReleaseFile(path.join(releasesDir, `${env}.json`));
    if (release.slots.blue.image === null && release.slots.green.image === null) {
      expect(warnings).toContain(
        `warning: stack web-${env} is skipped: releases/${env}.json has no image yet. Stage one with "npx cdktf-immutable release stage ${env} --image <ami-id>".`,
      );
      return;
    }
    const stack = JSON.parse(stacks[`web-${env}`]) as {
      resource: Record<string, Record<string, { image_id?: string }>>;
    };
    const images = Object.values(stack.resource.aws_launch_template).map((template) => template.image_id);
    expect(images.sort()).toEqual(
      [release.slots.blue.image, release.slots.green.image].filter((image) => image !== null).sort(),
    );
    expect(Object.keys(stack.resource.aws_lb_listener).length).toBeGreaterThan(0);
  });
});
