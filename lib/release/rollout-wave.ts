// Waves: one rollout over several regions of a fleet (one release file per region), moved
// in lock step. Pure functions of the files and the readings; the command line reads AWS
// and writes the files (ReleaseStore.updateMany, in region order).
import { ReleaseFile } from './release-file';
import { releaseLabel } from './release-layout';
import { Rollout, RolloutInputError } from './rollout';
import { abortedRelease, AdvanceOutcome, nextStep, startRollout, StartRolloutOptions } from './rollout-advance';
import { ReleaseRefusedError } from './transitions';

/** One region's release file of a wave. */
export interface WaveMember {
  /** The region. */
  readonly region: string;
  /** Its release file. */
  readonly release: ReleaseFile;
}

/** What a move of a wave did; `releases` are the files to write, in the members' order. */
export interface WaveOutcome {
  /**
   * `aborted` (an alarm somewhere, or a region aborted by hand: every region aborted),
   * `stepped` / `completed` (every region moved to the next step), `caught-up` (a wave
   * left half-written by an interrupted command was finished), `served` (some region saw
   * its step served for the first time: recorded), `waiting` or `baking` (nothing
   * written).
   */
  readonly kind: 'aborted' | 'stepped' | 'completed' | 'caught-up' | 'served' | 'waiting' | 'baking';
  /** Each member's file after the move (the same object when it did not change). */
  readonly releases: readonly ReleaseFile[];
  /** One line per region, then what happened to the wave. */
  readonly message: string;
  /** The alarm that aborted the wave, and its region. */
  readonly alarm?: { readonly name: string; readonly region: string; readonly reason: string };
  /** True when some region waits for a deploy (the load balancer does not serve its file yet). */
  readonly deployPending?: boolean;
}

/**
 * Starts the same rollout in every region (`options` as for {@link startRollout}, the
 * regions recorded in each). A region whose file already runs this wave (a promote
 * interrupted after writing some regions, run again) keeps it, and the others start with
 * its start time, so that the wave is whole again. Refused, for every region, when any
 * region refuses (nothing is written).
 */
export function startWave(members: readonly WaveMember[], options: StartRolloutOptions): ReleaseFile[] {
  const regions = members.map((member) => member.region).sort();
  checkWaveMembers(members);
  const started = members.filter((member) => isWaveRollout(member.release.rollout, regions, 'running'));
  const startedAt = started[0]?.release.rollout?.startedAt;
  if (started.some((member) => member.release.rollout!.startedAt !== startedAt || member.release.rollout!.step !== 0)) {
    throw new ReleaseRefusedError(
      `a wave over ${regions.join(', ')} is already running (${started.map((m) => m.region).join(', ')}); move it ` +
        'with "release advance ... --regions", or end it with "release rollback ... --regions".',
    );
  }
  const now = startedAt === undefined ? options.now : new Date(startedAt);
  return members.map((member) =>
    started.includes(member)
      ? member.release
      : startRollout(member.release, { ...options, now, regions: regions.length > 1 ? regions : undefined }),
  );
}

/**
 * Finishes a wave that an interrupted command left half-written, before anything is
 * read from AWS: an abort in one region aborts the others; a region behind the others
 * (its step was not written) is moved to their step. Returns undefined when the wave is
 * whole (every region running at the same step). Refuses a region that is not part of
 * the wave (its start was not written: run the promote again).
 */
export function reconcileWave(members: readonly WaveMember[], now: Date): WaveOutcome | undefined {
  const regions = members.map((member) => member.region).sort();
  checkWaveMembers(members);
  const wave = waveOf(members, regions);
  const states = members.map((member) => member.release.rollout!);
  const aborted = members.find((member) => member.release.rollout!.status === 'aborted');
  if (aborted) {
    const abort = aborted.release.rollout!.abort!;
    const reason =
      abort.by === 'alarm'
        ? `wave aborted by alarm "${abort.alarm}" in ${abort.region ?? aborted.region}: ${abort.reason}`
        : `wave aborted: ${aborted.region} was rolled back by hand (${abort.reason})`;
    const releases = members.map((member) =>
      member.release.rollout!.status === 'running'
        ? abortedRelease(
            member.release,
            {
              by: abort.by,
              ...(abort.alarm !== undefined ? { alarm: abort.alarm } : {}),
              reason,
              region: abort.region ?? aborted.region,
            },
            now,
          )
        : member.release,
    );
    if (releases.every((release, i) => release === members[i].release)) {
      return undefined;
    }
    return {
      kind: 'aborted',
      releases,
      alarm: abort.alarm
        ? { name: abort.alarm, region: abort.region ?? aborted.region, reason: abort.reason }
        : undefined,
      message: lines(
        members.map((member, i) =>
          releases[i] === member.release
            ? `${member.region}: ${describeEnd(member.release.rollout!)}`
            : `${member.region}: rollout aborted with the wave; all traffic back to slot ${member.release.active}`,
        ),
        `${releaseLabel(members[0].release)}: ${reason}. Every region of the wave is aborted; deploy each region's ` +
          'stack now so that its load balancer follows.',
      ),
    };
  }
  const leader = Math.max(
    ...states.map((rollout) => (rollout.status === 'complete' ? rollout.steps.length - 1 : rollout.step)),
  );
  const lagging = members.filter(
    (member) => member.release.rollout!.status === 'running' && member.release.rollout!.step < leader,
  );
  if (lagging.length === 0) {
    if (states.every((rollout) => rollout.status === 'complete')) {
      throw new ReleaseRefusedError(
        `${releaseLabel(members[0].release)}: the wave over ${regions.join(', ')} is complete (${wave.endedAt}); ` +
          'nothing to advance.',
      );
    }
    return undefined;
  }
  const releases = members.map((member) =>
    lagging.includes(member) ? catchUp(member.release, leader, now) : member.release,
  );
  const complete = releases.every((release) => release.rollout!.status === 'complete');
  return {
    kind: 'caught-up',
    releases,
    message: lines(
      members.map((member, i) =>
        lagging.includes(member)
          ? `${member.region}: moved to step ${leader + 1} of ${releases[i].rollout!.steps.length} with the rest of ` +
            'the wave ' +
            `(an interrupted command had not written it)`
          : `${member.region}: at step ${leader + 1} already`,
      ),
      `${releaseLabel(members[0].release)}: the wave is whole again${complete ? ' and complete' : ''}; deploy each ` +
        "region's stack.",
    ),
  };
}

/**
 * One move of a whole wave from each region's {@link AdvanceOutcome} (as
 * `advanceRollout` decided it alone): an abort anywhere aborts every region (the others
 * name the alarm and its region); the next step is written only when every region would
 * move on (every region served the step with healthy targets and baked it); otherwise
 * the regions that saw their step served for the first time record it, and the wave
 * waits.
 */
export function decideWave(
  members: readonly WaveMember[],
  outcomes: readonly AdvanceOutcome[],
  now: Date,
): WaveOutcome {
  const label = releaseLabel(members[0].release);
  const perRegion = members.map((member, i) => `${member.region}: ${outcomes[i].message}`);
  const firing = outcomes.findIndex((outcome) => outcome.kind === 'aborted');
  if (firing !== -1) {
    const first = outcomes[firing] as Extract<AdvanceOutcome, { kind: 'aborted' }>;
    const region = members[firing].region;
    const cause = first.alarm !== undefined ? `alarm "${first.alarm}"` : `its ${first.by}`;
    const reason = `wave aborted by ${cause} in ${region}: ${first.reason}`;
    const releases = members.map((member, i) => {
      const outcome = outcomes[i];
      if (outcome.kind === 'aborted') {
        return outcome.release;
      }
      const abort = { by: first.by, ...(first.alarm !== undefined ? { alarm: first.alarm } : {}), reason, region };
      return abortedRelease(member.release, abort, now);
    });
    return {
      kind: 'aborted',
      releases,
      ...(first.alarm !== undefined ? { alarm: { name: first.alarm, region, reason: first.reason } } : {}),
      message: lines(
        perRegion,
        `${label}: ${reason}. Every region of the wave is aborted and sends all traffic back to its active slot; ` +
          "deploy each region's stack now.",
      ),
    };
  }
  if (outcomes.every((outcome) => outcome.kind === 'stepped' || outcome.kind === 'completed')) {
    const completed = outcomes.every((outcome) => outcome.kind === 'completed');
    return {
      kind: completed ? 'completed' : 'stepped',
      releases: outcomes.map((outcome) => outcome.release),
      message: lines(
        perRegion,
        completed
          ? `${label}: the wave is complete in every region. Deploy each region's stack (only the listener changes).`
          : `${label}: every region served and baked the step: the wave moves to the next step everywhere. Deploy ` +
              "each region's stack (only the listener changes).",
      ),
    };
  }
  // Some region is not ready: nobody steps. Regions served for the first time record it.
  const releases = members.map((member, i) => (outcomes[i].kind === 'served' ? outcomes[i].release : member.release));
  const served = outcomes.some((outcome) => outcome.kind === 'served');
  const waiting = members.filter(
    (_, i) => outcomes[i].kind === 'waiting' || outcomes[i].kind === 'served' || outcomes[i].kind === 'baking',
  );
  return {
    kind: served ? 'served' : outcomes.some((outcome) => outcome.kind === 'waiting') ? 'waiting' : 'baking',
    releases,
    deployPending: outcomes.some((outcome) => outcome.kind === 'waiting' && outcome.deployPending),
    message: lines(
      perRegion,
      `${label}: the wave stays at step ${members[0].release.rollout!.step + 1}: the next step starts in every ` +
        'region ' +
        `only once each region served and baked this one (not yet: ${waiting.map((m) => m.region).join(', ')}).` +
        `${served ? ' Recorded when the step was first served.' : ' Nothing was written.'}`,
    ),
  };
}

/** Every member is one environment of one fleet, each region once, and the wave's regions are its members'. */
function checkWaveMembers(members: readonly WaveMember[]): void {
  if (members.length === 0) {
    throw new RolloutInputError('a wave needs at least one region.');
  }
  const first = members[0].release;
  for (const member of members) {
    if (member.release.environment !== first.environment || member.release.fleet !== first.fleet) {
      throw new RolloutInputError(
        `a wave is one environment of one fleet; ${releaseLabel(member.release)} is not ${releaseLabel(first)}.`,
      );
    }
    if (member.release.region !== undefined && member.release.region !== member.region) {
      throw new RolloutInputError(
        `${releaseLabel(member.release)}: the file of region ${member.release.region} was given as ${member.region}.`,
      );
    }
  }
  if (new Set(members.map((member) => member.region)).size !== members.length) {
    throw new RolloutInputError('a wave names each region once.');
  }
}

/** The wave the members run (the rollout they share), or a refusal naming the region that is not part of it. */
function waveOf(members: readonly WaveMember[], regions: readonly string[]): Rollout {
  const label = releaseLabel(members[0].release);
  const running = members.find((member) => member.release.rollout?.status === 'running');
  const reference = running?.release.rollout ?? members[0].release.rollout;
  if (reference === undefined) {
    throw new ReleaseRefusedError(
      `${label}: no rollout is running in ${regions.join(', ')}; nothing to advance. Start a wave with ` +
        '"cdktf-immutable ' +
        `release promote ${members[0].release.environment} --fleet ${members[0].release.fleet} --steps 10,50,100 ` +
        `--regions ${regions.join(',')}".`,
    );
  }
  for (const member of members) {
    const rollout = member.release.rollout;
    const same =
      rollout !== undefined &&
      rollout.startedAt === reference.startedAt &&
      JSON.stringify(rollout.regions ?? [member.region]) === JSON.stringify(regions);
    if (!same) {
      const what =
        rollout === undefined
          ? 'has no rollout'
          : rollout.regions === undefined || JSON.stringify(rollout.regions) !== JSON.stringify(regions)
            ? `runs no wave over ${regions.join(', ')} (its rollout ${
                rollout.regions ? `covers ${rollout.regions.join(', ')}` : 'is its own'
              })`
            : `holds an earlier wave (started ${rollout.startedAt})`;
      throw new ReleaseRefusedError(
        `${label}: region ${member.region} ${what}, so the wave started ${reference.startedAt} is not whole; nothing ` +
          'was written. If its start was interrupted, run the same ' +
          `"release promote ... --regions ${regions.join(',')}" ` +
          'again: it starts the missing regions.',
      );
    }
  }
  if (members.every((member) => member.release.rollout!.status !== 'running')) {
    const aborted = members.find((member) => member.release.rollout!.status === 'aborted');
    if (aborted === undefined) {
      return reference;
    }
    if (members.every((member) => member.release.rollout!.status === 'aborted')) {
      throw new ReleaseRefusedError(
        `${label}: the wave over ${regions.join(', ')} was aborted (${aborted.release.rollout!.abort?.reason}); ` +
          'nothing to advance. Stage a fixed image and start another wave.',
      );
    }
  }
  return reference;
}

/** A region whose step was not written: moved to the wave's step `step` (or completed at its last). */
function catchUp(release: ReleaseFile, step: number, now: Date): ReleaseFile {
  const rollout = release.rollout!;
  const before: ReleaseFile = {
    ...release,
    canary: rollout.steps[step - 1],
    rollout: { ...rollout, step: step - 1 },
  };
  const outcome = nextStep(before, before.rollout!, now);
  return outcome.release;
}

function describeEnd(rollout: Rollout): string {
  return rollout.status === 'aborted' ? `rollout aborted (${rollout.abort?.reason ?? 'unknown'})` : rollout.status;
}

function lines(perRegion: readonly string[], summary: string): string {
  return [...perRegion, summary].join('\n');
}

/** A rollout of this wave's regions in `status`. */
function isWaveRollout(rollout: Rollout | undefined, regions: readonly string[], status: Rollout['status']): boolean {
  return (
    rollout !== undefined &&
    rollout.status === status &&
    JSON.stringify(rollout.regions ?? []) === JSON.stringify(regions.length > 1 ? regions : [])
  );
}
