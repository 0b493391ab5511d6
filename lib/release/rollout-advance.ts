import { otherSlot, ReleaseFile, releaseWeights, SLOT_NAMES, SlotName } from './release-file';
import {
  checkAlarmNames,
  checkFleetName,
  DEFAULT_BAKE_SECONDS,
  formatDuration,
  Rollout,
  RolloutAbort,
  RolloutInputError,
} from './rollout';
import { promoteRelease, ReleaseRefusedError } from './transitions';

/** Options of {@link startRollout}; what is not given comes from the file's `policy`. */
export interface StartRolloutOptions {
  /**
   * Percentages sent to the idle slot, strictly increasing, ending at 100.
   * @default - the policy's steps
   */
  readonly steps?: readonly number[];
  /**
   * Seconds each step runs before the next (0 to 86400).
   * @default - the policy's, else 600
   */
  readonly bakeSeconds?: number;
  /**
   * CloudWatch alarm names, added to the policy's.
   * @default - the policy's
   */
  readonly alarms?: readonly string[];
  /**
   * The fleet's name, as its target groups are tagged.
   * @default - the policy's
   */
  readonly fleet?: string;
  /** The time recorded as the start of the rollout and of its first step. */
  readonly now: Date;
  /**
   * Promote a slot whose release was rolled back (see {@link PromoteOptions}).
   * @default false
   */
  readonly forceRolledBack?: boolean;
  /**
   * The regions of a wave, recorded in the rollout (see `Rollout.regions`).
   * @default - not a wave
   */
  readonly regions?: readonly string[];
}

/**
 * Starts a rollout: records it and writes the first step's weight as `canary` at once
 * (a first step of 100 is a full promote and completes the rollout). Refused like a
 * promote (an empty idle slot, a release already promoted or rolled back, a rollout
 * already running); a policy with `requireRollout` also needs at least one alarm.
 */
export function startRollout(release: ReleaseFile, options: StartRolloutOptions): ReleaseFile {
  const { steps, bakeSeconds, alarms, fleet } = rolloutSettings(release, options);
  const first = steps[0];
  const { policy: _policy, ...withoutPolicy } = release;
  const promoted = promoteRelease(withoutPolicy, first === 100 ? undefined : first, {
    forceRolledBack: options.forceRolledBack,
    now: options.now,
  });
  const now = options.now.toISOString();
  const idle = otherSlot(release.active);
  // a first step of 100 completes the rollout at once
  const slots =
    first === 100
      ? { ...promoted.slots, [idle]: { ...promoted.slots[idle], rolloutCompletedAt: now } }
      : promoted.slots;
  const rollout: Rollout = {
    steps: [...steps],
    bakeSeconds,
    alarms,
    fleet,
    step: 0,
    startedAt: now,
    stepStartedAt: now,
    status: first === 100 ? 'complete' : 'running',
    endedAt: first === 100 ? now : null,
    ...(options.regions && options.regions.length > 1 ? { regions: [...options.regions].sort() } : {}),
  };
  return { ...promoted, slots, ...(release.policy ? { policy: release.policy } : {}), rollout };
}

/** The steps, bake time, alarms and fleet of a new rollout: the options', else the policy's, checked. */
function rolloutSettings(
  release: ReleaseFile,
  options: StartRolloutOptions,
): Pick<Rollout, 'steps' | 'bakeSeconds' | 'alarms' | 'fleet'> {
  const env = release.environment;
  const policy = release.policy ?? {};
  const steps = options.steps ?? policy.steps;
  if (steps === undefined) {
    throw new RolloutInputError(
      `${env}: no steps: give --steps (such as --steps 10,50,100) or set "policy.steps" in the release file.`,
    );
  }
  const fleet = options.fleet ?? policy.fleet;
  if (fleet === undefined) {
    throw new RolloutInputError(
      `${env}: no fleet: give --fleet-tag <name> (the BlueGreenFleet's name, whose target groups "release advance" ` +
        'checks) or set "policy.fleet" in the release file.',
    );
  }
  checkFleetName(fleet);
  checkAlarmNames(options.alarms ?? []);
  const alarms = [...new Set([...(policy.alarms ?? []), ...(options.alarms ?? [])])];
  if (policy.requireRollout && alarms.length === 0) {
    throw new ReleaseRefusedError(
      `${env}: the policy of this environment requires alarms ("policy.requireRollout" is true) and none is named, ` +
        "so nothing was written; add --alarm <name> (for example the fleet's own alarm <fleet>-<slot>-5xx-rate) " +
        'or set "policy.alarms".',
    );
  }
  const bakeSeconds = options.bakeSeconds ?? policy.bakeSeconds ?? DEFAULT_BAKE_SECONDS;
  return { steps, bakeSeconds, alarms, fleet };
}

/** A CloudWatch alarm's state as `release advance` reads it. */
export interface AlarmReading {
  /** The alarm name. */
  readonly name: string;
  /** `OK`, `ALARM` or `INSUFFICIENT_DATA`. */
  readonly state: string;
  /** CloudWatch's StateReason. */
  readonly reason: string;
}

/** How many targets of a slot's target group are healthy, and how many its groups want. */
export interface TargetHealthReading {
  /** Targets in state `healthy`. */
  readonly healthy: number;
  /** Targets registered and not draining (the instances the slot's group runs). */
  readonly registered: number;
  /**
   * Targets in state `unhealthy` (failing the health check).
   * @default 0
   */
  readonly unhealthy?: number;
  /**
   * The desired capacity of the slot's auto scaling group(s) (tagged
   * `cdktf-immutable:fleet` and `cdktf-immutable:slot`), summed; undefined when no group
   * of the slot is found. A slot with traffic needs at least this many healthy targets.
   * @default - no group found
   */
  readonly desired?: number;
}

/** What the load balancer serves for a fleet. */
export interface TrafficReading {
  /** The listener or listener rule that forwards to the fleet's target groups (its ARN). */
  readonly forwarder?: string;
  /** Percent of the requests each slot gets, or undefined when no listener or rule forwards to them. */
  readonly weights?: Readonly<Record<SlotName, number>>;
  /** Target health per slot. */
  readonly health: Readonly<Record<SlotName, TargetHealthReading>>;
}

/**
 * What `release advance` reads from AWS. {@link awsRolloutReader} reads it with the
 * AWS SDK; tests pass clients whose `send` answers from memory.
 */
export interface RolloutReader {
  /** The states of the named alarms; a name that does not exist is left out. */
  readAlarms(names: readonly string[]): Promise<AlarmReading[]>;
  /**
   * The weights served, the target health of the fleet's slots and the desired capacity
   * of their auto scaling groups.
   */
  readTraffic(fleet: string): Promise<TrafficReading>;
}

/** What {@link advanceRollout} did. */
export type AdvanceOutcome =
  /** An alarm is in ALARM: the traffic went back to the active slot (`release` is the new file). */
  | {
      readonly kind: 'aborted';
      readonly release: ReleaseFile;
      readonly alarm: string;
      readonly reason: string;
      readonly message: string;
    }
  /** The load balancer or the targets are not ready; nothing changed. */
  | {
      readonly kind: 'waiting';
      readonly release: ReleaseFile;
      readonly message: string;
      readonly deployPending: boolean;
    }
  /**
   * The load balancer serves the step with healthy targets for the first time: the bake
   * starts now; `release` records `rollout.stepServedAt` (one write).
   */
  | {
      readonly kind: 'served';
      readonly release: ReleaseFile;
      readonly servedAt: string;
      readonly secondsLeft: number;
      readonly message: string;
    }
  /** The step is baking; nothing changed. */
  | { readonly kind: 'baking'; readonly release: ReleaseFile; readonly secondsLeft: number; readonly message: string }
  /** The next step was written. */
  | { readonly kind: 'stepped'; readonly release: ReleaseFile; readonly message: string }
  /** The last step (100) was written: `active` flipped, the rollout is complete. */
  | { readonly kind: 'completed'; readonly release: ReleaseFile; readonly message: string };

/**
 * One move of a running rollout, from what was read (pure: the clock and the readings
 * are given). In order: an alarm in ALARM aborts (traffic back to the active slot, the
 * idle slot marked rolled back, the rollout marked aborted with the alarm and its
 * reason); the load balancer must serve the recorded weights and every slot with weight
 * must have at least its auto scaling groups' desired count of healthy targets (at least
 * one) and none unhealthy, else it waits; the first time all that holds for a step, the
 * time is recorded as `rollout.stepServedAt` (one write) and the bake starts; the bake
 * time must have passed since then, else it waits; then the next step is written, and
 * the last one (100) completes the rollout like a full promote. A rollout without
 * `stepServedAt` has not been served yet.
 */
export function decideAdvance(
  release: ReleaseFile,
  alarms: readonly AlarmReading[],
  traffic: TrafficReading | undefined,
  now: Date,
): AdvanceOutcome {
  const rollout = runningRollout(release);
  refuseMissingAlarms(release, rollout, alarms);
  const firing = alarms.find((alarm) => rollout.alarms.includes(alarm.name) && alarm.state === 'ALARM');
  if (firing) {
    return abortOnAlarm(release, rollout, firing, now);
  }
  if (traffic === undefined || traffic.weights === undefined) {
    return {
      kind: 'waiting',
      release,
      deployPending: true,
      message:
        `${release.environment}: waiting at ${stepText(release, rollout)}: no listener or listener rule forwards ` +
        `to both target groups of fleet "${rollout.fleet}" yet; deploy the stack.`,
    };
  }
  const notReady =
    weightsNotServed(release, rollout, traffic.weights) ?? unhealthySlot(release, rollout, traffic.health);
  if (notReady) {
    return notReady;
  }
  if (!rollout.stepServedAt) {
    return firstServed(release, rollout, traffic.weights, traffic.health, now);
  }
  const elapsed = (now.getTime() - Date.parse(rollout.stepServedAt)) / 1000;
  const left = rollout.bakeSeconds - elapsed;
  if (left > 0) {
    return {
      kind: 'baking',
      release,
      secondsLeft: Math.ceil(left),
      message:
        `${release.environment}: baking ${stepText(release, rollout)}: ${formatDuration(left)} left of ` +
        `${formatDuration(rollout.bakeSeconds)} (served since ${rollout.stepServedAt}); ` +
        'alarms OK, load balancer serves the recorded weights. Nothing was written.',
    };
  }
  return nextStep(release, rollout, now);
}

/** `step 2 of 3 (50% to slot green)`. */
function stepText(release: ReleaseFile, rollout: Rollout): string {
  const idle = otherSlot(release.active);
  return `step ${rollout.step + 1} of ${rollout.steps.length} (${release.canary}% to slot ${idle})`;
}

/** Every alarm of the rollout must exist: a name CloudWatch does not know is bad input. */
function refuseMissingAlarms(release: ReleaseFile, rollout: Rollout, alarms: readonly AlarmReading[]): void {
  const missing = rollout.alarms.filter((name) => !alarms.some((alarm) => alarm.name === name));
  if (missing.length > 0) {
    throw new RolloutInputError(
      `${release.environment}: CloudWatch has no alarm named ${missing.map((name) => `"${name}"`).join(', ')} ` +
        '(rollout.alarms); nothing was written. Create the alarm (BlueGreenFleet "alarms"), ' +
        'or fix the name in "rollout.alarms" of the release file and check the region.',
    );
  }
}

/** An alarm fired: the traffic goes back to the active slot, the idle slot is marked and the rollout aborted. */
function abortOnAlarm(release: ReleaseFile, rollout: Rollout, firing: AlarmReading, now: Date): AdvanceOutcome {
  const active = release.active;
  const idle = otherSlot(active);
  const aborted = abortedRelease(release, { by: 'alarm', alarm: firing.name, reason: firing.reason }, now);
  return {
    kind: 'aborted',
    release: aborted,
    alarm: firing.name,
    reason: firing.reason,
    message:
      `${release.environment}: rollout aborted at ${stepText(release, rollout)}: ` +
      `alarm "${firing.name}" is in ALARM (${firing.reason}). All traffic goes back to slot ${active}; ` +
      `slot ${idle} is marked rolled back. Deploy now so that the load balancer follows.`,
  };
}

/**
 * A running rollout aborted: all traffic back to the active slot, the idle slot marked
 * rolled back, nothing staged, the rollout marked aborted with `abort`.
 * @internal
 */
export function abortedRelease(release: ReleaseFile, abort: RolloutAbort, now: Date): ReleaseFile {
  const rollout = runningRollout(release);
  const idle = otherSlot(release.active);
  const at = now.toISOString();
  const { staged: _staged, ...unstaged } = release;
  return {
    ...unstaged,
    canary: 0,
    slots: { ...release.slots, [idle]: { ...release.slots[idle], rolledBackAt: at } },
    rollout: { ...rollout, status: 'aborted', endedAt: at, abort },
  };
}

/** Waiting for a deploy when the load balancer serves other weights than the release file's. */
function weightsNotServed(
  release: ReleaseFile,
  rollout: Rollout,
  served: Readonly<Record<SlotName, number>>,
): AdvanceOutcome | undefined {
  const expected = releaseWeights(release);
  if (SLOT_NAMES.every((slot) => served[slot] === expected[slot])) {
    return undefined;
  }
  return {
    kind: 'waiting',
    release,
    deployPending: true,
    message:
      `${release.environment}: waiting at ${stepText(release, rollout)}: the load balancer serves ` +
      `blue ${served.blue}% / green ${served.green}% but the release file says ` +
      `blue ${expected.blue}% / green ${expected.green}%; deploy the stack, then run advance again.`,
  };
}

/**
 * Waiting while a slot with weight has fewer healthy targets than its auto scaling
 * groups' desired count (at least one) or any unhealthy one, or has no tagged group.
 */
function unhealthySlot(
  release: ReleaseFile,
  rollout: Rollout,
  health: Readonly<Record<SlotName, TargetHealthReading>>,
): AdvanceOutcome | undefined {
  const expected = releaseWeights(release);
  const at = `${release.environment}: waiting at ${stepText(release, rollout)}`;
  for (const slot of SLOT_NAMES.filter((name) => expected[name] > 0)) {
    const { healthy, registered, desired } = health[slot];
    const unhealthy = health[slot].unhealthy ?? 0;
    if (desired === undefined) {
      return {
        kind: 'waiting',
        release,
        deployPending: true,
        message:
          `${at}: no auto scaling group is tagged cdktf-immutable:fleet=${rollout.fleet} and ` +
          `cdktf-immutable:slot=${slot}, so its desired capacity is unknown; deploy the fleet with this version ` +
          'of cdktf-immutable (it tags its groups), then run advance again.',
      };
    }
    const needed = Math.max(desired, 1);
    if (healthy < needed || unhealthy > 0) {
      return {
        kind: 'waiting',
        release,
        deployPending: false,
        message:
          `${at} for ${slot}: ${healthy} of ${registered} targets healthy (desired ${desired})` +
          `${unhealthy > 0 ? `, ${unhealthy} unhealthy` : ''}; slot ${slot} has ${healthy} healthy of ` +
          `${registered} registered target(s), and advance moves on when at least ${needed} ` +
          "(its auto scaling groups' desired count, at least one) are healthy and none is unhealthy.",
      };
    }
  }
  return undefined;
}

/** The step is served for the first time: the bake starts now, recorded as `rollout.stepServedAt`. */
function firstServed(
  release: ReleaseFile,
  rollout: Rollout,
  served: Readonly<Record<SlotName, number>>,
  health: Readonly<Record<SlotName, TargetHealthReading>>,
  now: Date,
): AdvanceOutcome {
  const expected = releaseWeights(release);
  const healthText = SLOT_NAMES.filter((slot) => expected[slot] > 0)
    .map((slot) => `${slot} ${health[slot].healthy} healthy (desired ${health[slot].desired})`)
    .join(', ');
  const servedAt = now.toISOString();
  const bakeEnds = new Date(now.getTime() + rollout.bakeSeconds * 1000).toISOString();
  return {
    kind: 'served',
    servedAt,
    secondsLeft: rollout.bakeSeconds,
    release: { ...release, rollout: { ...rollout, stepServedAt: servedAt } },
    message:
      `${release.environment}: step ${rollout.step + 1} served since ${servedAt}; ` +
      `bake ends at ${bakeEnds} (${formatDuration(rollout.bakeSeconds)}). ` +
      `The load balancer serves blue ${served.blue}% / green ${served.green}% ` +
      `(${release.canary}% to slot ${otherSlot(release.active)}), targets ${healthText}, alarms OK; ` +
      'recorded as rollout.stepServedAt.',
  };
}

/**
 * The bake is over: the next step's weight, or at 100 the promote that completes the rollout.
 * @internal
 */
export function nextStep(release: ReleaseFile, rollout: Rollout, now: Date): AdvanceOutcome {
  const env = release.environment;
  const active = release.active;
  const idle = otherSlot(active);
  const next = rollout.step + 1;
  const weight = rollout.steps[next];
  const at = now.toISOString();
  if (weight === 100) {
    const done = promoteRelease({ ...release, policy: undefined, rollout: undefined }, undefined, { now });
    const completed: ReleaseFile = {
      ...done,
      slots: { ...done.slots, [idle]: { ...done.slots[idle], rolloutCompletedAt: at } },
      ...(release.policy ? { policy: release.policy } : {}),
      rollout: { ...withoutServed(rollout), step: next, stepStartedAt: at, status: 'complete', endedAt: at },
    };
    return {
      kind: 'completed',
      release: completed,
      message:
        `${env}: rollout complete: slot ${idle} is active (100%), slot ${active} is the rollback target. ` +
        'Deploy now (only the listener changes).',
    };
  }
  const stepped: ReleaseFile = {
    ...release,
    canary: weight,
    rollout: { ...withoutServed(rollout), step: next, stepStartedAt: at },
  };
  return {
    kind: 'stepped',
    release: stepped,
    message:
      `${env}: advanced to step ${next + 1} of ${rollout.steps.length}: ${weight}% to slot ${idle}. ` +
      'Deploy now (only the listener changes).',
  };
}

/**
 * Reads the alarms and the load balancer through `reader`, then {@link decideAdvance}.
 * The alarms are read first; when one is in ALARM the load balancer is not read.
 */
export async function advanceRollout(
  release: ReleaseFile,
  reader: RolloutReader,
  now: () => Date,
): Promise<AdvanceOutcome> {
  const rollout = runningRollout(release);
  const alarms = rollout.alarms.length > 0 ? await reader.readAlarms(rollout.alarms) : [];
  const firing = alarms.some((alarm) => alarm.state === 'ALARM');
  const traffic = firing ? undefined : await reader.readTraffic(rollout.fleet);
  return decideAdvance(release, alarms, traffic, now());
}

/** The rollout without `stepServedAt` (a new step is not served yet). */
function withoutServed(rollout: Rollout): Rollout {
  const { stepServedAt: _served, ...rest } = rollout;
  return rest;
}

/** The running rollout, or a refusal that says what to do instead. */
function runningRollout(release: ReleaseFile): Rollout {
  const env = release.environment;
  const rollout = release.rollout;
  if (rollout === undefined) {
    throw new ReleaseRefusedError(
      `${env}: no rollout is running; nothing to advance. ` +
        `Start one with "cdktf-immutable release promote ${env} --steps 10,50,100 --bake 10m --alarm <name>".`,
    );
  }
  if (rollout.status !== 'running') {
    const how =
      rollout.status === 'aborted'
        ? `was aborted (${rollout.abort?.alarm ? `alarm "${rollout.abort.alarm}"` : 'rolled back by hand'})`
        : 'is complete';
    throw new ReleaseRefusedError(
      `${env}: the last rollout ${how} at ${rollout.endedAt}; nothing to advance. ` +
        'Stage a new image and promote it with --steps to start another.',
    );
  }
  return rollout;
}
