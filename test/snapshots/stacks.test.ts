import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { synthesizeApp } from '../support/synth';
import { build } from '../../stacks/main';
import { emptyRelease, formatReleaseFile, stageRelease } from '../../lib';

describe('stacks/main.ts', () => {
  const stacks = synthesizeApp((app) => build(app));

  test('builds the images stack and one stack per environment', () => {
    expect(Object.keys(stacks).sort()).toEqual(['images', 'service-dev', 'service-prod', 'service-staging']);
  });

  test.each(['images', 'service-dev', 'service-staging', 'service-prod'])('%s synthesizes to its snapshot', (name) => {
    expect(stacks[name]).toMatchSnapshot();
  });

  test('the default backend is local, relative to the stack, with no machine path', () => {
    for (const json of Object.values(stacks)) {
      const backend = (JSON.parse(json) as { terraform: { backend: Record<string, { path?: string }> } }).terraform
        .backend;
      expect(Object.keys(backend)).toEqual(['local']);
      expect(backend.local.path).toMatch(/^terraform\.[a-z-]+\.tfstate$/);
    }
  });

  test('each environment runs the images of its release file', () => {
    const prod = JSON.parse(stacks['service-prod']) as {
      resource: { aws_launch_template: Record<string, { image_id: string }> };
    };
    expect(
      Object.values(prod.resource.aws_launch_template)
        .map((lt) => lt.image_id)
        .sort(),
    ).toEqual(['ami-0b1c2d3e4f5a60718', 'ami-0c2d3e4f5a6b70819']);
  });

  test('a broken release file fails synth naming the file, the field and the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'releases-'));
    for (const env of ['dev', 'staging']) {
      writeFileSync(
        join(dir, `${env}.json`),
        formatReleaseFile(
          stageRelease(emptyRelease(env), { image: 'ami-0123456789abcdef0', source: '--image', now: new Date(0) }),
        ),
      );
    }
    writeFileSync(join(dir, 'prod.json'), JSON.stringify({ ...emptyRelease('prod'), active: 'purple' }));
    expect(() => synthesizeApp((app) => build(app, dir))).toThrow(
      /prod\.json: "active" is "purple"; set it to "blue" or "green"/,
    );
  });

  test('an environment with no image yet is skipped with a warning naming the file and the command; the others synthesize', () => {
    const dir = mkdtempSync(join(tmpdir(), 'releases-'));
    writeFileSync(join(dir, 'dev.json'), formatReleaseFile(emptyRelease('dev')));
    for (const env of ['staging', 'prod']) {
      writeFileSync(
        join(dir, `${env}.json`),
        formatReleaseFile(
          stageRelease(emptyRelease(env), { image: 'ami-0123456789abcdef0', source: '--image', now: new Date(0) }),
        ),
      );
    }
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let skipped: Record<string, string>;
    let warnings: string[];
    try {
      skipped = synthesizeApp((app) => build(app, dir));
      warnings = stderr.mock.calls.map(([text]) => String(text));
    } finally {
      stderr.mockRestore();
    }
    expect(Object.keys(skipped).sort()).toEqual(['images', 'service-prod', 'service-staging']);
    expect(warnings).toEqual([
      `warning: stack service-dev is skipped: ${join(dir, 'dev.json')} has no image yet, so there is nothing to deploy. Stage the first one with "cdktf-immutable release stage dev --image <ami-id>", then synthesize again.\n`,
    ]);
  });

  test('a missing release file names the command that creates it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'releases-'));
    expect(() => synthesizeApp((app) => build(app, dir))).toThrow(
      /dev\.json: cannot be read \(ENOENT\); create it with "cdktf-immutable release init <env>"/,
    );
  });
});
