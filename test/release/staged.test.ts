import {
  decideAdvance,
  emptyRelease,
  formatReleaseFile,
  parseReleaseFile,
  promoteRelease,
  ReleaseFile,
  ReleaseFileError,
  ReleaseRefusedError,
  rollbackRelease,
  stagedSlotOf,
  stageRelease,
  stageSameImage,
  startRollout,
} from '../../lib/release';

// The staged slot: the one slot that follows the code, from `release stage` until it is
// promoted, its stage replaced or it is rolled back. Recorded as `staged`, written only
// when set; derived for files that do not have it.

const AMI_1 = 'ami-0123456789abcdef0';
const AMI_2 = 'ami-0fedcba9876543210';
const T = (n: number) => new Date(Date.UTC(2026, 2, 1, n));
const stage = (release: ReleaseFile, image: string, n = 1) =>
  stageRelease(release, { image, source: '--image', now: T(n) });

/** dev: AMI_1 serves in blue, AMI_2 staged in green. */
const stagedDev = () => stage(stage(emptyRelease('dev'), AMI_1, 1), AMI_2, 2);

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ReleaseRefusedError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('staged: set by stage, cleared by promote and rollback', () => {
  test('the first image goes to the active slot and stages nothing; the next stage stages the idle slot', () => {
    const first = stage(emptyRelease('dev'), AMI_1);
    expect(first.staged).toBeUndefined();
    expect(stagedSlotOf(first)).toBeNull();
    const second = stage(first, AMI_2, 2);
    expect(second.staged).toBe('green');
    expect(formatReleaseFile(second)).toContain('"staged": "green"');
  });

  test('a canary keeps it; a full promote clears it; so does a rollback', () => {
    const canary = promoteRelease(stagedDev(), 10);
    expect(canary.staged).toBe('green');
    const promoted = promoteRelease(canary);
    expect(promoted.staged).toBeUndefined();
    expect(stagedSlotOf(promoted)).toBeNull();
    expect(formatReleaseFile(promoted)).not.toContain('staged"');
    expect(rollbackRelease(canary, { now: T(3) }).staged).toBeUndefined();
    expect(rollbackRelease(promoted, { now: T(3) }).staged).toBeUndefined();
  });

  test('a rollout aborted by an alarm clears it; a rollout completed at once too', () => {
    const completed = startRollout(stagedDev(), { steps: [100], bakeSeconds: 0, alarms: [], fleet: 'web', now: T(3) });
    expect(completed).toMatchObject({ active: 'green', rollout: { status: 'complete' } });
    expect(completed.staged).toBeUndefined();
    const running = startRollout(stagedDev(), {
      steps: [10, 100],
      bakeSeconds: 0,
      alarms: ['web-green-5xx-rate'],
      fleet: 'web',
      now: T(3),
    });
    expect(running.staged).toBe('green');
    const aborted = decideAdvance(
      running,
      [{ name: 'web-green-5xx-rate', state: 'ALARM', reason: 'errors' }] as never,
      undefined,
      T(4),
    );
    expect(aborted.kind).toBe('aborted');
    expect(aborted.release.staged).toBeUndefined();
    expect(() => parseReleaseFile(formatReleaseFile(aborted.release), 'dev.json')).not.toThrow();
  });

  test('files without the field: the idle slot is staged when it has an image, is not the rollback target and was not rolled back', () => {
    const { staged: _staged, ...older } = stagedDev();
    expect(stagedSlotOf(older)).toBe('green');
    expect(stagedSlotOf({ ...older, previous: 'green' as const, active: 'blue' })).toBeNull();
    expect(stagedSlotOf(rollbackRelease(promoteRelease(older), { now: T(3) }))).toBeNull();
    expect(stagedSlotOf(emptyRelease('dev'))).toBeNull();
  });

  test('it round-trips through the file, and an older file keeps its shape', () => {
    const release = stagedDev();
    expect(parseReleaseFile(formatReleaseFile(release), 'dev.json')).toEqual(release);
    const { staged: _staged, ...older } = release;
    expect(formatReleaseFile(parseReleaseFile(formatReleaseFile(older), 'dev.json'))).toBe(formatReleaseFile(older));
  });
});

describe('a staged field that cannot be is refused, naming the field and the fix', () => {
  const file = (staged: unknown, over: Partial<ReleaseFile> = {}) =>
    JSON.stringify({ ...JSON.parse(formatReleaseFile({ ...stagedDev(), ...over })), staged });
  test.each([
    ['purple', {}, '"staged" is "purple"; set it to "green" (the idle slot) or remove it.'],
    [
      'blue',
      {},
      '"staged" is "blue", the active slot, which serves the traffic and is pinned; remove "staged" (then no slot follows the code), or stage the release into the idle slot "green".',
    ],
    [
      'green',
      { previous: 'green' as const },
      '"staged" is "green" but that slot is the rollback target ("previous"); remove "staged" (then no slot follows the code).',
    ],
  ])('staged: %j', (staged, over, message) => {
    expect(() => parseReleaseFile(file(staged, over), 'dev.json')).toThrow(
      new ReleaseFileError(`dev.json: ${message}`),
    );
  });

  test('a staged slot without an image', () => {
    const first = stage(emptyRelease('dev'), AMI_1);
    const text = JSON.stringify({ ...JSON.parse(formatReleaseFile(first)), staged: 'green' });
    expect(() => parseReleaseFile(text, 'dev.json')).toThrow('"staged" is "green" but that slot has no image');
  });

  test('null reads as absent (derived)', () => {
    expect(parseReleaseFile(file(null), 'dev.json').staged).toBeUndefined();
  });
});

describe('stageSameImage: a settings-only release', () => {
  test('stages the active image into the idle slot, which becomes the staged slot', () => {
    const promoted = promoteRelease(stagedDev());
    const released = stageSameImage(promoted, { now: T(5) });
    expect(released).toMatchObject({
      active: 'green',
      previous: null,
      staged: 'blue',
      slots: {
        green: { image: AMI_2 },
        blue: { image: AMI_2, stagedAt: T(5).toISOString(), source: 'same-image:green' },
      },
    });
    // promote, rollback then work as for a new image
    const shipped = promoteRelease(released);
    expect(shipped).toMatchObject({ active: 'blue', previous: 'green' });
    expect(rollbackRelease(shipped, { now: T(6) })).toMatchObject({ active: 'green' });
  });

  test('works over a rolled-back slot and clears its mark', () => {
    const rolledBack = rollbackRelease(promoteRelease(stagedDev()), { now: T(3) });
    const released = stageSameImage(rolledBack, { now: T(4) });
    expect(released.slots.green).toEqual({ image: AMI_1, stagedAt: T(4).toISOString(), source: 'same-image:blue' });
  });

  test('refused without an active image, during a canary or a rollout, and when already staged with it', () => {
    expect(refusal(() => stageSameImage(emptyRelease('dev'), { now: T(1) }))).toBe(
      'dev: no slot serves an image yet, so there is no active image to stage; stage the first one with ' +
        '"cdktf-immutable release stage dev --image <ami-id>".',
    );
    expect(refusal(() => stageSameImage(promoteRelease(stagedDev(), 10), { now: T(3) }))).toMatch(
      /receiving 10% canary traffic; promote it or end the canary/,
    );
    const once = stageSameImage(promoteRelease(stagedDev()), { now: T(3) });
    expect(refusal(() => stageSameImage(once, { now: T(4) }))).toBe(
      'dev: slot "blue" is staged with the active image ami-0fedcba9876543210 already and follows the code; ' +
        'nothing to stage, nothing was written. Deploy, then promote ("cdktf-immutable release promote dev").',
    );
    const running = startRollout(stagedDev(), {
      steps: [10, 100],
      bakeSeconds: 0,
      alarms: [],
      fleet: 'web',
      now: T(3),
    });
    expect(refusal(() => stageSameImage(running, { now: T(4) }))).toMatch(/a rollout is running/);
  });
});
