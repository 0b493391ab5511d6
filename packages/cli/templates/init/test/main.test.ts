import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { TerraformStack, Testing } from 'cdktf';
import { emptyRelease, formatReleaseFile, stageRelease } from 'cdktf-immutable';
import { build } from '../main';

/** Every stack of the app, synthesized to Terraform JSON, by stack name. */
function synthesize(releasesDir?: string): Record<string, string> {
  const app = Testing.app();
  build(app, releasesDir, () => undefined);
  return Object.fromEntries(
    app.node.children
      .filter((child): child is TerraformStack => child instanceof TerraformStack)
      .map((stack) => [stack.node.id, Testing.synth(stack)]),
  );
}

describe('the app', () => {
  // The snapshots are what reviewers read in a pull request: the exact Terraform JSON
  // change of every stack, with the release files as they are in the branch.
  const stacks = synthesize();

  test.each(Object.keys(stacks))('%s synthesizes to its snapshot', (name) => {
    expect(stacks[name]).toMatchSnapshot();
  });

  test('an environment with an image in its release file gets a blue/green fleet', () => {
    const dir = mkdtempSync(join(tmpdir(), 'releases-'));
    const staged = stageRelease(emptyRelease('dev'), {
      image: 'ami-0123456789abcdef0',
      source: '--image',
      now: new Date(0),
    });
    writeFileSync(join(dir, 'dev.json'), formatReleaseFile(staged));
    writeFileSync(join(dir, 'prod.json'), formatReleaseFile(emptyRelease('prod')));
    const withImage = synthesize(dir);
    expect(Object.keys(withImage).sort()).toEqual(['images', 'web-dev']);
    const dev = JSON.parse(withImage['web-dev']) as { resource: Record<string, Record<string, { image_id?: string }>> };
    expect(Object.values(dev.resource.aws_launch_template).map((lt) => lt.image_id)).toEqual(['ami-0123456789abcdef0']);
    expect(Object.keys(dev.resource.aws_lb_listener)).toHaveLength(1);
  });
});
