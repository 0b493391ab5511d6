import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { runBuiltCli, runCli } from './run-cli';
import { formatReleaseFile, parseReleaseFile, ReleaseFile } from '../../lib/release';

const AMI_1 = 'ami-0123456789abcdef0';
const AMI_2 = 'ami-0fedcba9876543210';
const AMI_3 = 'ami-0aaaaaaaaaaaaaaaa';

let dir: string;
const release = (...args: string[]) => runCli(['release', ...args, '--dir', dir]);
const read = (env: string): ReleaseFile =>
  parseReleaseFile(readFileSync(join(dir, `${env}.json`), 'utf8'), `${env}.json`);
const raw = (env: string) => readFileSync(join(dir, `${env}.json`), 'utf8');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'releases-'));
});

describe('release: the happy path', () => {
  test('init, first stage, stage, promote, rollback, status', () => {
    expect(release('init', 'dev')).toMatchObject({ code: 0 });
    expect(read('dev')).toMatchObject({
      active: 'blue',
      canary: 0,
      previous: null,
      slots: { blue: { image: null }, green: { image: null } },
    });

    // the first image of an empty environment goes to the active slot
    const first = release('stage', 'dev', '--image', AMI_1);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/staged ami-0123456789abcdef0 in slot blue \(the environment was empty/);
    expect(read('dev').slots.blue.image).toBe(AMI_1);

    // the next one goes to the idle slot, no traffic moves
    const second = release('stage', 'dev', '--image', AMI_2);
    expect(second.stdout).toMatch(/in slot green; no traffic moves/);
    expect(read('dev')).toMatchObject({
      active: 'blue',
      slots: { blue: { image: AMI_1 }, green: { image: AMI_2, source: '--image' } },
    });

    const promote = release('promote', 'dev');
    expect(promote).toMatchObject({ code: 0 });
    expect(promote.stdout).toMatch(/active green \(100%\)/);
    expect(read('dev')).toMatchObject({ active: 'green', previous: 'blue', canary: 0 });

    const rollback = release('rollback', 'dev');
    expect(rollback.code).toBe(0);
    // the slot rolled back from is marked; there is no rollback target any more
    expect(read('dev')).toMatchObject({
      active: 'blue',
      previous: null,
      slots: { green: { image: AMI_2, rolledBackAt: expect.any(String) } },
    });

    const status = release('status', 'dev');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/dev: active blue \(100%\)/);
    expect(status.stdout).toMatch(/\* blue +ami-0123456789abcdef0 +staged 20\d\d-/);
    expect(status.stdout).toMatch(/ {3}green +ami-0fedcba9876543210 +staged .* rolled back 20\d\d-/);
    expect(status.stdout).not.toMatch(/rollback target/);
  });

  test('canary: a share to the idle slot, then full promote', () => {
    release('init', 'dev');
    release('stage', 'dev', '--image', AMI_1);
    release('stage', 'dev', '--image', AMI_2);
    const canary = release('promote', 'dev', '--canary', '10');
    expect(canary.code).toBe(0);
    expect(canary.stdout).toMatch(/active blue \(90%\), canary green \(10%\)/);
    expect(read('dev')).toMatchObject({ active: 'blue', canary: 10 });
    const json = JSON.parse(release('status', 'dev', '--json').stdout) as Array<{
      weights: Record<string, number>;
      slots: Record<string, { role: string }>;
    }>;
    expect(json[0].weights).toEqual({ blue: 90, green: 10 });
    expect(json[0].slots.green.role).toBe('canary');
    // rollback during a canary ends the canary and marks the canary's release rolled back
    expect(release('rollback', 'dev').code).toBe(0);
    expect(read('dev')).toMatchObject({
      active: 'blue',
      canary: 0,
      slots: { green: { rolledBackAt: expect.any(String) } },
    });
    expect(release('promote', 'dev', '--canary', '25').code).toBe(1);
    expect(release('promote', 'dev', '--canary', '25', '--force-rolled-back').code).toBe(0);
    expect(release('promote', 'dev').code).toBe(0);
    expect(read('dev')).toMatchObject({ active: 'green', canary: 0, previous: 'blue' });
  });

  test('stage --from promotes the same artifact from another environment', () => {
    release('init', 'staging');
    release('init', 'prod');
    release('stage', 'staging', '--image', AMI_1);
    release('stage', 'prod', '--image', AMI_3);
    const result = release('stage', 'prod', '--from', 'staging');
    expect(result.code).toBe(0);
    expect(read('prod').slots.green).toMatchObject({ image: AMI_1, source: 'env:staging' });
  });

  test('status of every environment, as text and JSON', () => {
    release('init', 'dev');
    release('init', 'prod');
    release('stage', 'dev', '--image', AMI_1);
    const text = release('status');
    // one line per file
    expect(text.stdout).toMatch(/^dev +active blue \(100%\) +blue ami-0123456789abcdef0 +green empty$/m);
    expect(text.stdout).toMatch(/^prod +no image yet, no traffic +blue - +green empty$/m);
    expect(text.stdout.trim().split('\n')).toHaveLength(2);
    const json = JSON.parse(release('status', '--json').stdout) as Array<{ environment: string }>;
    expect(json.map((r) => r.environment)).toEqual(['dev', 'prod']);
  });

  test('the releases folder can come from the environment', () => {
    // the built command, so that the variable is read from a real process environment
    expect(runBuiltCli(['release', 'init', 'dev'], { env: { CDKTF_IMMUTABLE_RELEASES: dir } }).code).toBe(0);
    expect(existsSync(join(dir, 'dev.json'))).toBe(true);
  });
});

describe('release: refusals (exit 1) leave the file byte-identical', () => {
  const refusals: Array<[string, string[][], string[], RegExp]> = [
    [
      'promoting an empty idle slot',
      [['stage', 'dev', '--image', AMI_1]],
      ['promote', 'dev'],
      /idle slot "green" is empty; stage an image first/,
    ],
    [
      'staging onto the active slot',
      [['stage', 'dev', '--image', AMI_1]],
      ['stage', 'dev', '--image', AMI_2, '--slot', 'blue'],
      /slot "blue" is active and serving traffic/,
    ],
    [
      'staging over a running canary',
      [
        ['stage', 'dev', '--image', AMI_1],
        ['stage', 'dev', '--image', AMI_2],
        ['promote', 'dev', '--canary', '5'],
      ],
      ['stage', 'dev', '--image', AMI_3],
      /receiving 5% canary traffic/,
    ],
    [
      'staging the image a slot already runs',
      [
        ['stage', 'dev', '--image', AMI_1],
        ['stage', 'dev', '--image', AMI_2],
      ],
      ['stage', 'dev', '--image', AMI_2],
      /already runs ami-0fedcba9876543210/,
    ],
    [
      'rolling back with nothing promoted',
      [['stage', 'dev', '--image', AMI_1]],
      ['rollback', 'dev'],
      /no previous slot to roll back to/,
    ],
    [
      'ending a canary that is not running',
      [
        ['stage', 'dev', '--image', AMI_1],
        ['stage', 'dev', '--image', AMI_2],
      ],
      ['promote', 'dev', '--canary', '0'],
      /no canary is running/,
    ],
    [
      'staging from an environment with no image',
      [['stage', 'dev', '--image', AMI_1]],
      ['stage', 'dev', '--from', 'empty'],
      /empty has no active image/,
    ],
  ];
  test.each(refusals)('%s', (_name, setup, command, message) => {
    release('init', 'dev');
    release('init', 'empty');
    for (const step of setup) {
      expect(release(...step).code).toBe(0);
    }
    const before = raw('dev');
    const result = release(...command);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/refused/);
    expect(result.stderr).toMatch(message);
    expect(raw('dev')).toBe(before);
  });

  test('a lock written by an older version (a pid, no host) keeps refusing and says how to remove it', () => {
    release('init', 'dev');
    writeFileSync(join(dir, '.dev.json.lock'), '12345\n');
    const before = raw('dev');
    const result = release('stage', 'dev', '--image', AMI_1);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /another release command is changing .*dev\.json \(lock .*held by process 12345; the lock does not name its host\).*rm .*\.dev\.json\.lock/,
    );
    expect(raw('dev')).toBe(before);
  });
});

describe('release: bad input (exit 2)', () => {
  const bad: Array<[string, string[], RegExp]> = [
    ['a malformed AMI id', ['stage', 'dev', '--image', 'ami-XYZ'], /--image "ami-XYZ" is not an AMI id/],
    [
      'both --image and --from',
      ['stage', 'dev', '--image', AMI_1, '--from', 'prod'],
      /exactly one of --image <ami-id>, --from <other-env>/,
    ],
    ['neither --image nor --from', ['stage', 'dev'], /exactly one of --image/],
    ['an unknown environment', ['promote', 'qa'], /unknown environment "qa": .*qa\.json does not exist \(known: dev\)/],
    ['an invalid environment name', ['promote', 'Prod!'], /environment "Prod!" is not a valid name/],
    [
      'a canary over 100',
      ['promote', 'dev', '--canary', '101'],
      /--canary "101" must be a whole percentage from 0 to 100/,
    ],
    ['a fractional canary', ['promote', 'dev', '--canary', '2.5'], /--canary "2.5" must be a whole percentage/],
    ['a bad slot', ['stage', 'dev', '--image', AMI_1, '--slot', 'red'], /--slot "red" must be "blue" or "green"/],
    ['an unknown option', ['status', '--verbose'], /unknown option "--verbose"/],
    ['a repeated option', ['stage', 'dev', '--image', AMI_1, '--image', AMI_2], /--image is given twice/],
    ['an option without its value', ['stage', 'dev', '--image'], /--image needs a value/],
    ['an unknown subcommand', ['deploy', 'dev'], /unknown subcommand "deploy"/],
    ['a missing environment', ['promote'], /name the environment/],
    ['two environments', ['rollback', 'dev', 'prod'], /expected one environment, got "dev prod"/],
    ['--from itself', ['stage', 'dev', '--from', 'dev'], /--from "dev" is the environment being staged/],
    ['init over an existing file', ['init', 'dev'], /dev\.json already exists; it was not changed/],
  ];
  test.each(bad)('%s', (_name, command, message) => {
    release('init', 'dev');
    const before = raw('dev');
    const result = release(...command);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(raw('dev')).toBe(before);
  });

  test('no subcommand prints the usage with exit 2', () => {
    const result = runBuiltCli(['release']);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/release stage <env> --image <ami-id>/);
  });
});

describe('release: broken files are reported, never overwritten', () => {
  const valid = (): ReleaseFile => ({
    version: 1,
    environment: 'dev',
    active: 'blue',
    canary: 0,
    previous: null,
    slots: {
      blue: { image: AMI_1, stagedAt: '2026-01-01T00:00:00.000Z', source: '--image' },
      green: { image: null, stagedAt: null, source: null },
    },
  });
  const broken: Array<[string, () => string, RegExp]> = [
    ['truncated JSON', () => formatReleaseFile(valid()).slice(0, 40), /dev\.json: is not valid JSON/],
    ['an empty file', () => '', /dev\.json: is empty; restore it from git/],
    ['an array', () => '[]', /the top level is \[\], not an object/],
    [
      'a wrong type for canary',
      () => JSON.stringify({ ...valid(), canary: '10' }),
      /"canary" is "10"; set it to a whole percentage/,
    ],
    [
      'an unknown slot',
      () => JSON.stringify({ ...valid(), slots: { ...valid().slots, red: { image: null } } }),
      /"slots.red" is not a slot/,
    ],
    [
      'an unknown field',
      () => JSON.stringify({ ...valid(), owner: 'me' }),
      /field "owner" is not a release file field; remove it/,
    ],
    [
      'an unknown slot field',
      () => JSON.stringify({ ...valid(), slots: { ...valid().slots, green: { image: null, ami: 'x' } } }),
      /"slots.green.ami" is not a slot field/,
    ],
    [
      'a malformed image',
      () => JSON.stringify({ ...valid(), slots: { ...valid().slots, green: { image: 'ubuntu' } } }),
      /"slots.green.image" is "ubuntu"; use an AMI id/,
    ],
    [
      'an active slot with no image',
      () => JSON.stringify({ ...valid(), active: 'green' }),
      /"active" is "green" but that slot has no image/,
    ],
    [
      'a bad active value',
      () => JSON.stringify({ ...valid(), active: 'purple' }),
      /"active" is "purple"; set it to "blue" or "green"/,
    ],
    [
      'a mismatched environment',
      () => JSON.stringify({ ...valid(), environment: 'prod' }),
      /"environment" is "prod" but the file is dev\.json/,
    ],
    [
      'a missing version',
      () => JSON.stringify({ ...valid(), version: undefined }),
      /"version" is missing; set it to 1/,
    ],
    [
      'a canary with an empty idle slot',
      () => JSON.stringify({ ...valid(), canary: 10 }),
      /"canary" is 10 but the idle slot "green" has no image/,
    ],
    [
      'a bad stagedAt',
      () => JSON.stringify({ ...valid(), slots: { ...valid().slots, blue: { image: AMI_1, stagedAt: 'yesterday' } } }),
      /"slots.blue.stagedAt" is "yesterday"/,
    ],
  ];
  test.each(broken)('%s', (_name, content, message) => {
    const text = content();
    writeFileSync(join(dir, 'dev.json'), text);
    for (const command of [
      ['status', 'dev'],
      ['stage', 'dev', '--image', AMI_2],
      ['promote', 'dev'],
      ['rollback', 'dev'],
    ]) {
      const result = release(...command);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(readFileSync(join(dir, 'dev.json'), 'utf8')).toBe(text);
    }
  });

  test('a write into a read-only folder fails cleanly and leaves the file intact', () => {
    if (process.getuid?.() === 0) {
      // root ignores directory permissions; simulate with a folder replaced by a file path
      release('init', 'dev');
      const result = runCli(['release', 'init', 'dev', '--dir', join(dir, 'dev.json')]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/cannot create the lock file|cannot be written|ENOTDIR|EEXIST/);
      return;
    }
    release('init', 'dev');
    const before = raw('dev');
    chmodSync(dir, 0o555);
    try {
      const result = release('stage', 'dev', '--image', AMI_1);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/cannot create the lock file \(EACCES\)/);
    } finally {
      chmodSync(dir, 0o755);
    }
    expect(raw('dev')).toBe(before);
  });

  test('no temporary or lock files are left behind', () => {
    release('init', 'dev');
    release('stage', 'dev', '--image', AMI_1);
    release('promote', 'dev');
    expect(readdirSync(dir)).toEqual(['dev.json']);
  });
});

describe('a settings-only release: stage --same-image', () => {
  test('stages the active image into the idle slot, which then follows the code; status says which slot is pinned', () => {
    release('init', 'dev');
    release('stage', 'dev', '--image', AMI_1);
    release('stage', 'dev', '--image', AMI_2);
    release('promote', 'dev');
    const before = release('status', 'dev').stdout;
    expect(before).toMatch(/\* green +ami-0fedcba9876543210 .*\[pinned: keeps what it was deployed with\]/);
    expect(before).toMatch(/ {3}blue +ami-0123456789abcdef0 .*\[pinned: keeps what it was deployed with\]/);
    const staged = release('stage', 'dev', '--same-image');
    expect(staged.code).toBe(0);
    expect(staged.stdout).toMatch(
      /dev: staged the active image ami-0fedcba9876543210 \(slot green\) in slot blue, which now follows the code's server settings; slot green stays pinned; no traffic moves\./,
    );
    expect(staged.stdout).toMatch(
      /Next: cdktf-immutable deploy <dev stack> \(replaces only slot blue's launch template/,
    );
    expect(read('dev')).toMatchObject({
      active: 'green',
      previous: null,
      staged: 'blue',
      slots: { blue: { image: AMI_2, source: 'same-image:green' } },
    });
    expect(raw('dev')).toMatch(/"staged": "blue"/);
    const after = release('status', 'dev');
    expect(after.stdout).toMatch(
      / {3}blue +ami-0fedcba9876543210 .*from same-image:green +\[staged: follows the code\]/,
    );
    const json = JSON.parse(release('status', 'dev', '--json').stdout);
    expect(json[0].staged).toBe('blue');
    expect(json[0].slots.blue.pinned).toBe(false);
    expect(json[0].slots.green.pinned).toBe(true);
    // a retry is refused (exit 1) and writes nothing; promote ships it
    const retry = release('stage', 'dev', '--same-image');
    expect(retry.code).toBe(1);
    expect(retry.stderr).toMatch(/already and follows the code; nothing to stage/);
    expect(release('promote', 'dev').code).toBe(0);
    expect(read('dev')).toMatchObject({ active: 'blue', previous: 'green' });
    expect(read('dev').staged).toBeUndefined();
  });

  test('refused when nothing is active; --same-image takes no --slot and no other source', () => {
    release('init', 'dev');
    const empty = release('stage', 'dev', '--same-image');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/no slot serves an image yet, so there is no active image to stage/);
    expect(release('stage', 'dev', '--same-image', '--slot', 'green')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--same-image stages into the idle slot; leave out --slot/),
    });
    expect(release('stage', 'dev', '--same-image', '--image', AMI_1)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/give exactly one of/),
    });
  });

  test('status --synth needs --live, and the folder it names', () => {
    release('init', 'dev');
    expect(release('status', 'dev', '--synth', dir)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--synth is only for --live/),
    });
    // (the built command: --live reads AWS, asynchronously)
    expect(release('status', 'dev', '--live', '--synth', join(dir, 'no-cdktf.out'))).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/does not exist; .*run "cdktf synth" first, or pass --synth <cdktf\.out folder>/),
    });
  });
});

describe('release status prints no generation', () => {
  // The fleet's generation hashes the image with the server settings in code; the
  // release file alone cannot give it, and a hash of the image alone matched nothing.
  test('neither as text nor in JSON', () => {
    release('init', 'dev');
    release('stage', 'dev', '--image', AMI_1);
    expect(release('status', 'dev').stdout).not.toMatch(/generation/);
    const json = JSON.parse(release('status', 'dev', '--json').stdout) as Array<{
      slots: { blue: Record<string, unknown> };
    }>;
    expect(Object.keys(json[0].slots.blue).sort()).toEqual([
      'image',
      'pinned',
      'role',
      'rolledBackAt',
      'source',
      'stagedAt',
    ]);
  });
});
