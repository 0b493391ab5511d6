import {
  advanceRollout,
  decideAdvance,
  decideWave,
  emptyRelease,
  reconcileWave,
  ReleaseFile,
  ReleaseRefusedError,
  RolloutReader,
  stageRelease,
  startWave,
  TrafficReading,
  WaveMember,
} from '../../lib/release';

const T0 = new Date('2026-06-01T00:00:00Z');
const later = (s: number) => new Date(T0.getTime() + s * 1000);
const AMIS: Record<string, [string, string]> = {
  'eu-west-1': ['ami-0aaaaaaaaaaaaaaa1', 'ami-0aaaaaaaaaaaaaaa2'],
  'us-east-1': ['ami-0bbbbbbbbbbbbbbb1', 'ami-0bbbbbbbbbbbbbbb2'],
};

/** Each region's prod file with its own AMIs (they differ per region), the second one staged. */
function members(): WaveMember[] {
  return Object.entries(AMIS).map(([region, [first, second]]) => {
    const empty = emptyRelease('prod', { fleet: 'web', region });
    const one = stageRelease(empty, { image: first, source: '--image', now: T0 });
    return { region, release: stageRelease(one, { image: second, source: '--from-pipeline', now: T0 }) };
  });
}

const OPTIONS = { steps: [10, 50, 100], bakeSeconds: 60, alarms: ['web-prod-green-5xx'], fleet: 'web-prod', now: T0 };
const health = { healthy: 2, registered: 2, desired: 2 };
const serving = (release: ReleaseFile): TrafficReading => ({
  weights:
    release.active === 'blue'
      ? { blue: 100 - release.canary, green: release.canary }
      : { blue: release.canary, green: 100 - release.canary },
  health: { blue: health, green: health },
});
const ok = [{ name: 'web-prod-green-5xx', state: 'OK', reason: 'fine' }];
const firing = [{ name: 'web-prod-green-5xx', state: 'ALARM', reason: 'Threshold Crossed: 5xx 12%' }];
const withReleases = (wave: WaveMember[], releases: readonly ReleaseFile[]) =>
  wave.map((member, i) => ({ ...member, release: releases[i] }));

describe('a wave: one rollout over several regions, in lock step', () => {
  test('startWave records the regions and the same start in every region', () => {
    const started = startWave(members(), OPTIONS);
    expect(started.map((release) => release.canary)).toEqual([10, 10]);
    expect(started.map((release) => release.rollout)).toEqual([
      expect.objectContaining({ regions: ['eu-west-1', 'us-east-1'], startedAt: T0.toISOString(), status: 'running' }),
      expect.objectContaining({ regions: ['eu-west-1', 'us-east-1'], startedAt: T0.toISOString(), status: 'running' }),
    ]);
  });

  test('a start interrupted after one region is finished by running it again (same start time)', () => {
    const wave = members();
    const first = startWave(wave, OPTIONS)[0];
    const half = withReleases(wave, [first, wave[1].release]);
    const again = startWave(half, { ...OPTIONS, now: later(300) });
    expect(again[0]).toBe(first);
    expect(again[1].rollout?.startedAt).toBe(T0.toISOString());
    expect(reconcileWave(withReleases(wave, again), later(301))).toBeUndefined();
  });

  test('the next step starts only once every region served and baked this one', () => {
    let wave = withReleases(members(), startWave(members(), OPTIONS));
    // eu-west-1 serves the step, us-east-1 not yet deployed: eu records served, nobody steps
    const first = decideWave(
      wave,
      [
        decideAdvance(wave[0].release, ok, serving(wave[0].release), later(10)),
        decideAdvance(
          wave[1].release,
          ok,
          { ...serving(wave[1].release), weights: { blue: 100, green: 0 } },
          later(10),
        ),
      ],
      later(10),
    );
    expect(first.kind).toBe('served');
    expect(first.deployPending).toBe(true);
    expect(first.releases[0].rollout?.stepServedAt).toBe(later(10).toISOString());
    expect(first.releases[1]).toBe(wave[1].release);
    expect(first.message).toMatch(/the wave stays at step 1: .*\(not yet: eu-west-1, us-east-1\)/);
    wave = withReleases(wave, first.releases);
    // later both are served; eu's bake is over but us's just started: nobody steps
    const second = decideWave(
      wave,
      wave.map((member) => decideAdvance(member.release, ok, serving(member.release), later(80))),
      later(80),
    );
    expect(second.kind).toBe('served');
    expect(second.releases.map((release) => release.canary)).toEqual([10, 10]);
    wave = withReleases(wave, second.releases);
    // once both baked, both step together
    const third = decideWave(
      wave,
      wave.map((member) => decideAdvance(member.release, ok, serving(member.release), later(200))),
      later(200),
    );
    expect(third.kind).toBe('stepped');
    expect(third.releases.map((release) => release.canary)).toEqual([50, 50]);
  });

  test('an alarm in one region aborts every region, naming the alarm and its region', () => {
    const wave = withReleases(members(), startWave(members(), OPTIONS));
    const outcome = decideWave(
      wave,
      [
        decideAdvance(wave[0].release, ok, serving(wave[0].release), later(10)),
        decideAdvance(wave[1].release, firing, undefined, later(10)),
      ],
      later(10),
    );
    expect(outcome.kind).toBe('aborted');
    expect(outcome.alarm).toEqual({
      name: 'web-prod-green-5xx',
      region: 'us-east-1',
      reason: 'Threshold Crossed: 5xx 12%',
    });
    expect(outcome.releases.map((release) => [release.canary, release.rollout?.status])).toEqual([
      [0, 'aborted'],
      [0, 'aborted'],
    ]);
    expect(outcome.releases[0].rollout?.abort).toEqual({
      by: 'alarm',
      alarm: 'web-prod-green-5xx',
      reason: 'wave aborted by alarm "web-prod-green-5xx" in us-east-1: Threshold Crossed: 5xx 12%',
      region: 'us-east-1',
    });
    expect(outcome.releases[0].slots.green.rolledBackAt).toBe(later(10).toISOString());
  });

  test('a wave left half-written is finished before AWS is read: an abort spreads, a step catches up', () => {
    const wave = withReleases(members(), startWave(members(), OPTIONS));
    const abortedEu = decideAdvance(wave[0].release, firing, undefined, later(5)).release;
    const spread = reconcileWave(withReleases(wave, [abortedEu, wave[1].release]), later(6))!;
    expect(spread.kind).toBe('aborted');
    expect(spread.releases[0]).toBe(abortedEu);
    expect(spread.releases[1].rollout).toMatchObject({
      status: 'aborted',
      abort: { by: 'alarm', region: 'eu-west-1', alarm: 'web-prod-green-5xx' },
    });
    // eu-west-1 was written at step 2, us-east-1 not: it catches up without reading AWS
    const stepped = { ...wave[0].release, canary: 50, rollout: { ...wave[0].release.rollout!, step: 1 } };
    const caught = reconcileWave(withReleases(wave, [stepped, wave[1].release]), later(7))!;
    expect(caught.kind).toBe('caught-up');
    expect(caught.releases[1]).toMatchObject({ canary: 50, rollout: { step: 1, status: 'running' } });
  });

  test('a region outside the wave (its start was not written) is refused, naming the fix', async () => {
    const wave = members();
    const half = withReleases(wave, [startWave(wave, OPTIONS)[0], wave[1].release]);
    expect(() => reconcileWave(half, later(1))).toThrow(ReleaseRefusedError);
    expect(() => reconcileWave(half, later(1))).toThrow(
      /region us-east-1 has no rollout, so the wave started 2026-06-01T00:00:00\.000Z is not whole; .*run the same "release promote \.\.\. --regions eu-west-1,us-east-1" again/,
    );
    // and advanceRollout on a member still works region by region (the readers are per region)
    const reader: RolloutReader = { readAlarms: async () => ok, readTraffic: async () => serving(half[0].release) };
    expect((await advanceRollout(half[0].release, reader, () => later(2))).kind).toBe('served');
  });
});
