import {
  emptyRelease,
  formatReleaseFile,
  parseReleaseFile,
  promoteRelease,
  ReleaseFile,
  ReleaseFileError,
  ReleaseInputError,
  ReleaseRefusedError,
  rollbackRelease,
  stageRelease,
} from '../../lib/release';

const AMI_1 = 'ami-0123456789abcdef0';
const AMI_2 = 'ami-0fedcba9876543210';
const AMI_3 = 'ami-0aaaaaaaaaaaaaaaa';

/** The injected clock: each transition gets a fixed, distinct time. */
const T1 = new Date('2026-03-01T10:00:00.000Z');
const T2 = new Date('2026-03-01T11:00:00.000Z');
const T3 = new Date('2026-03-01T12:00:00.000Z');

const stage = (release: ReleaseFile, image: string, now = T1) =>
  stageRelease(release, { image, source: '--image', now });

/** GIVEN dev with AMI_1 in blue (active) and AMI_2 promoted into green. */
function promoted(): ReleaseFile {
  return promoteRelease(stage(stage(emptyRelease('dev'), AMI_1), AMI_2, T2), undefined, { now: T2 });
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ReleaseRefusedError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('rollback is safe to retry', () => {
  test('a rollback moves traffic back, clears the rollback target and marks the slot rolled back from', () => {
    const after = rollbackRelease(promoted(), { now: T3 });
    expect(after).toEqual({
      version: 1,
      environment: 'dev',
      active: 'blue',
      canary: 0,
      previous: null,
      slots: {
        // the first image served from its first stage; the rollback makes it serve again
        blue: { image: AMI_1, stagedAt: T1.toISOString(), source: '--image', promotedAt: T3.toISOString() },
        green: {
          image: AMI_2,
          stagedAt: T2.toISOString(),
          source: '--image',
          promotedAt: T2.toISOString(),
          rolledBackAt: T3.toISOString(),
        },
      },
    });
  });

  test('a second rollback is refused and says the state: which slot is active, what was rolled back, when, and the flag', () => {
    const once = rollbackRelease(promoted(), { now: T3 });
    const message = refusal(() => rollbackRelease(once, { now: new Date('2026-03-02T00:00:00Z') }));
    expect(message).toBe(
      `dev: already rolled back: slot "blue" (${AMI_1}) is active and slot "green" (${AMI_2}) was rolled back at 2026-03-01T12:00:00.000Z. A second rollback would send the traffic back to the release that was rolled back, so nothing was written. To ship it again on purpose, run "cdktf-immutable release promote dev --force-rolled-back".`,
    );
  });

  test('a rollback with nothing promoted says which slot is active and what the idle slot holds', () => {
    expect(refusal(() => rollbackRelease(stage(stage(emptyRelease('dev'), AMI_1), AMI_2)))).toBe(
      `dev: there is no previous slot to roll back to: slot "blue" (${AMI_1}) is active and the idle slot "green" (${AMI_2}) was staged and never promoted.`,
    );
    expect(refusal(() => rollbackRelease(stage(emptyRelease('dev'), AMI_1)))).toMatch(/the idle slot "green" is empty/);
  });

  test('rolling back a canary ends it and marks the canary slot rolled back', () => {
    const canary = promoteRelease(stage(stage(emptyRelease('dev'), AMI_1), AMI_2), 10);
    const after = rollbackRelease(canary, { now: T3 });
    expect(after).toMatchObject({
      active: 'blue',
      canary: 0,
      slots: { green: { image: AMI_2, rolledBackAt: T3.toISOString() } },
    });
    expect(refusal(() => rollbackRelease(after))).toMatch(/already rolled back: slot "blue" .* is active/);
  });

  test('the default clock is the current time', () => {
    const before = Date.now();
    const stamped = Date.parse(rollbackRelease(promoted()).slots.green.rolledBackAt!);
    expect(stamped).toBeGreaterThanOrEqual(before);
    expect(stamped).toBeLessThanOrEqual(Date.now());
  });
});

describe('a rolled-back release is not promoted by accident', () => {
  test('promote after a rollback is refused and names --force-rolled-back', () => {
    const rolledBack = rollbackRelease(promoted(), { now: T3 });
    for (const canary of [undefined, 10, 100]) {
      expect(refusal(() => promoteRelease(rolledBack, canary))).toBe(
        `dev: slot "green" runs ${AMI_2}, the release that was rolled back at 2026-03-01T12:00:00.000Z; promoting it would ship it again, so nothing was written. Stage a fixed image ("cdktf-immutable release stage dev --image <ami-id>"), or ship this one again on purpose with "cdktf-immutable release promote dev --force-rolled-back".`,
      );
    }
  });

  test('forced, it promotes and clears the mark', () => {
    const rolledBack = rollbackRelease(promoted(), { now: T3 });
    const forced = promoteRelease(rolledBack, undefined, { forceRolledBack: true, now: T3 });
    expect(forced).toMatchObject({ active: 'green', previous: 'blue', canary: 0 });
    expect(forced.slots.green).toEqual({
      image: AMI_2,
      stagedAt: T2.toISOString(),
      source: '--image',
      promotedAt: T3.toISOString(),
    });
    const canary = promoteRelease(rolledBack, 25, { forceRolledBack: true });
    expect(canary).toMatchObject({ active: 'blue', canary: 25 });
    expect(canary.slots.green.rolledBackAt).toBeUndefined();
  });

  test('staging a new image into the rolled-back slot clears the mark, and it can be promoted', () => {
    const restaged = stage(rollbackRelease(promoted(), { now: T3 }), AMI_3, T3);
    expect(restaged.slots.green).toEqual({ image: AMI_3, stagedAt: T3.toISOString(), source: '--image' });
    expect(promoteRelease(restaged)).toMatchObject({ active: 'green', previous: 'blue' });
  });

  test('staging the rolled-back image again is refused, saying it was rolled back', () => {
    const rolledBack = rollbackRelease(promoted(), { now: T3 });
    expect(refusal(() => stage(rolledBack, AMI_2))).toMatch(
      /slot "green" already runs ami-0fedcba9876543210; nothing to stage\. It is the release that was rolled back at 2026-03-01T12:00:00\.000Z; .*--force-rolled-back/,
    );
  });
});

describe('promote is safe to retry', () => {
  test('a second promote is refused: it would move traffic back without marking anything', () => {
    expect(refusal(() => promoteRelease(promoted()))).toBe(
      `dev: already promoted: slot "green" (${AMI_2}) is active and the idle slot "blue" runs the release it replaced (${AMI_1}); nothing new was staged, nothing was written. To move traffic back, run "cdktf-immutable release rollback dev"; to ship a new image, stage it first ("cdktf-immutable release stage dev --image <ami-id>").`,
    );
    expect(refusal(() => promoteRelease(promoted(), 10))).toMatch(/already promoted/);
  });

  test('a canary can be raised and then completed', () => {
    const canary = promoteRelease(stage(stage(emptyRelease('dev'), AMI_1), AMI_2), 10);
    expect(promoteRelease(canary, 50)).toMatchObject({ active: 'blue', canary: 50 });
    expect(promoteRelease(canary)).toMatchObject({ active: 'green', canary: 0, previous: 'blue' });
  });

  test('transitions never change their input', () => {
    const before = promoted();
    const text = JSON.stringify(before);
    rollbackRelease(before, { now: T3 });
    stage(before, AMI_3);
    expect(JSON.stringify(before)).toBe(text);
  });
});

describe('arguments out of range are ReleaseInputErrors (RangeErrors), not refusals', () => {
  test.each([
    [
      'an image that is not an AMI id',
      () => stage(emptyRelease('dev'), 'ami-XYZ'),
      'image ("ami-XYZ") is not an AMI id; expected "ami-" and 8 or 17 lowercase hex digits.',
    ],
    [
      'a canary over 100',
      () => promoteRelease(stage(stage(emptyRelease('dev'), AMI_1), AMI_2), 101),
      '--canary (101) must be a whole percentage from 0 to 100.',
    ],
    [
      'a canary that is not whole',
      () => promoteRelease(stage(stage(emptyRelease('dev'), AMI_1), AMI_2), 2.5),
      '--canary (2.5) must be a whole percentage from 0 to 100.',
    ],
  ])('%s', (_what, fn, message) => {
    expect(fn).toThrow(ReleaseInputError);
    expect(fn).toThrow(RangeError);
    expect(fn).toThrow(message);
    expect(fn).not.toThrow(ReleaseRefusedError);
  });
});

describe('the release file records rolledBackAt', () => {
  const file = 'releases/dev.json';
  const rolledBack = () => rollbackRelease(promoted(), { now: T3 });

  test('it is written only on the marked slot and read back', () => {
    const text = formatReleaseFile(rolledBack());
    expect(text).toContain('"rolledBackAt": "2026-03-01T12:00:00.000Z"');
    expect(text.match(/rolledBackAt/g)).toHaveLength(1);
    expect(parseReleaseFile(text, file)).toEqual(rolledBack());
    expect(formatReleaseFile(promoted())).not.toContain('rolledBackAt');
  });

  test('a file without the field (every older file) is valid', () => {
    const old =
      '{"version":1,"environment":"dev","active":"green","canary":0,"previous":"blue","slots":{"blue":{"image":"ami-0123456789abcdef0","stagedAt":null,"source":null},"green":{"image":"ami-0fedcba9876543210"}}}';
    const parsed = parseReleaseFile(old, file);
    expect(parsed.slots.green).toEqual({ image: AMI_2, stagedAt: null, source: null });
    expect(parsed.slots.green.rolledBackAt).toBeUndefined();
  });

  const json = (change: (data: any) => void) => {
    const data = JSON.parse(formatReleaseFile(rolledBack()));
    change(data);
    return JSON.stringify(data);
  };
  test.each([
    [
      'a number',
      (d: any) => {
        d.slots.green.rolledBackAt = 5;
      },
      /"slots\.green\.rolledBackAt" is 5; use a string or null/,
    ],
    [
      'not a time',
      (d: any) => {
        d.slots.green.rolledBackAt = 'last week';
      },
      /"slots\.green\.rolledBackAt" is "last week"; use an ISO 8601 time/,
    ],
    [
      'on an empty slot',
      (d: any) => {
        d.slots.green = { image: null, rolledBackAt: '2026-03-01T12:00:00Z' };
      },
      /"slots\.green\.rolledBackAt" is set but the slot has no image; remove it/,
    ],
    [
      'on the active slot',
      (d: any) => {
        d.slots.blue.rolledBackAt = '2026-03-01T12:00:00Z';
      },
      /"slots\.blue\.rolledBackAt" is set but "blue" is the active slot; remove it/,
    ],
    [
      'previous equal to active',
      (d: any) => {
        d.previous = 'blue';
      },
      /"previous" is "blue", the active slot itself; set it to "green" .* or null/,
    ],
  ])('a bad value is a clear error: %s', (_name, change, message) => {
    expect(() => parseReleaseFile(json(change), file)).toThrow(ReleaseFileError);
    expect(() => parseReleaseFile(json(change), file)).toThrow(message);
  });
  test('null is the same as absent', () => {
    expect(
      parseReleaseFile(
        json((d) => {
          d.slots.green.rolledBackAt = null;
        }),
        file,
      ).slots.green.rolledBackAt,
    ).toBeUndefined();
  });
});
