import { AnalysisEvaluation, AnalysisReadings, evaluateAnalysis } from './analysis';
import { Analysis, MetricDataQuery } from './analysis-file';
import { analysisRequest, MetricSeries } from './analysis-queries';
import { otherSlot, ReleaseFile, releaseWeights, SLOT_NAMES, SlotName } from './release-file';
import {
  alarmNameOf,
  alarmSlotOf,
  bindAlarms,
  checkAlarmNames,
  checkFleetName,
  DEFAULT_BAKE_SECONDS,
  formatDuration,
  isTestUrl,
  Rollout,
  RolloutAbort,
  RolloutInputError,
} from './rollout';
import { promoteRelease, ReleaseRefusedError } from './transitions';
import { applyWatchdogRecord, WatchdogRecord } from './watchdog-record';

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
   * CloudWatch alarm names, added to the policy's: the fleet's own alarms by name
   * (`<fleet>-<slot>-...`), any other as `<name>@canary` or `<name>@stable`.
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
  /**
   * The analysis file, relative to the folder of the release file.
   * @default - the policy's, else no analysis
   */
  readonly analysis?: string;
  /**
   * The verification command run before the first weight moves and before each next step.
   * @default - the policy's, else none
   */
  readonly verify?: string;
  /**
   * The URL where the staged slot answers alone, for the verification command.
   * @default - the policy's, else the fleet's test route as the load balancer holds it
   */
  readonly testUrl?: string;
}

/** How long a step may hold, after its bake, on an analysis that has not passed, at least. */
export const MIN_ANALYSIS_HOLD_SECONDS = 600;

/**
 * Starts a rollout: records it and writes the first step's weight as `canary` at once
 * (a first step of 100 is a full promote and completes the rollout). Refused like a
 * promote (an empty idle slot, a release already promoted or rolled back, a rollout
 * already running); a policy with `requireRollout` also needs at least one alarm. Each
 * alarm is bound to the slot it watches (`rollout.alarmSlots`): an alarm of the canary
 * slot aborts the rollout, one of the stable slot holds it.
 */
export function startRollout(release: ReleaseFile, options: StartRolloutOptions): ReleaseFile {
  const { steps, bakeSeconds, alarms, alarmSlots, fleet, analysis, verify, testUrl } = rolloutSettings(
    release,
    options,
  );
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
    ...(alarms.length > 0 ? { alarmSlots } : {}),
    fleet,
    step: 0,
    startedAt: now,
    stepStartedAt: now,
    status: first === 100 ? 'complete' : 'running',
    endedAt: first === 100 ? now : null,
    ...(options.regions && options.regions.length > 1 ? { regions: [...options.regions].sort() } : {}),
    ...(analysis !== undefined ? { analysis: { file: analysis } } : {}),
    ...(verify !== undefined ? { verify } : {}),
    ...(testUrl !== undefined ? { testUrl } : {}),
  };
  return { ...promoted, slots, ...(release.policy ? { policy: release.policy } : {}), rollout };
}

/** The settings of a new rollout: the options', else the policy's, checked; the alarms bound to their slots. */
function rolloutSettings(
  release: ReleaseFile,
  options: StartRolloutOptions,
): Pick<Rollout, 'steps' | 'bakeSeconds' | 'alarms' | 'alarmSlots' | 'fleet' | 'verify' | 'testUrl'> & {
  analysis?: string;
} {
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
  const canary = otherSlot(release.active);
  const alarmSlots = {
    ...bindAlarms(policy.alarms ?? [], fleet, canary, 'policy.alarms'),
    ...bindAlarms(options.alarms ?? [], fleet, canary, '--alarm'),
  };
  const alarms = [...new Set([...(policy.alarms ?? []), ...(options.alarms ?? [])].map(alarmNameOf))];
  if (policy.requireRollout && alarms.length === 0) {
    throw new ReleaseRefusedError(
      `${env}: the policy of this environment requires alarms ("policy.requireRollout" is true) and none is named, ` +
        "so nothing was written; add --alarm <name> (for example the fleet's own alarm <fleet>-<slot>-5xx-rate) " +
        'or set "policy.alarms".',
    );
  }
  const bakeSeconds = options.bakeSeconds ?? policy.bakeSeconds ?? DEFAULT_BAKE_SECONDS;
  const analysis = options.analysis ?? policy.analysis;
  const verify = options.verify ?? policy.verify;
  const testUrl = options.testUrl ?? policy.testUrl;
  if (testUrl !== undefined && !isTestUrl(testUrl)) {
    throw new RolloutInputError(
      `${env}: --test-url "${testUrl}" is not an http:// or https:// URL; give the URL where the staged slot ` +
        'answers alone, such as http://web-123.eu-west-1.elb.amazonaws.com:8443.',
    );
  }
  return {
    steps,
    bakeSeconds,
    alarms,
    alarmSlots,
    fleet,
    ...(analysis !== undefined ? { analysis } : {}),
    ...(verify !== undefined ? { verify } : {}),
    ...(testUrl !== undefined ? { testUrl } : {}),
  };
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
  /**
   * Each slot's target group ARN (for the analysis' placeholders).
   * @default - not read
   */
  readonly targetGroups?: Readonly<Record<SlotName, string>>;
  /**
   * The ARN of the load balancer the target groups are attached to.
   * @default - not read
   */
  readonly loadBalancer?: string;
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
  /**
   * The record of the fleet's canary watchdog (its SSM parameter), or undefined when the
   * fleet has no watchdog.
   * @default - no watchdog is read
   */
  readWatchdogRecord?(fleet: string): Promise<WatchdogRecord | undefined>;
  /**
   * The series of a GetMetricData request over `[start, end)`, by query Id.
   * @default - an analysis cannot be evaluated
   */
  readMetrics?(queries: readonly MetricDataQuery[], start: Date, end: Date): Promise<MetricSeries[]>;
}

/** The result of a verification command. */
export interface VerifyResult {
  /** True when the command succeeded. */
  readonly ok: boolean;
  /** What happened: the command, its exit code and the last lines of its output. */
  readonly reason: string;
}

/** Options of {@link advanceRollout}. */
export interface AdvanceOptions {
  /**
   * The rollout's analysis file, loaded (`rollout.analysis.file`).
   * @default - the rollout has no analysis
   */
  readonly analysis?: Analysis;
  /**
   * Runs the rollout's verification command (`rollout.verify`) before a next step.
   * @default - the rollout has no verification
   */
  readonly verify?: (release: ReleaseFile) => Promise<VerifyResult>;
}

/** What {@link decideAdvance} reads besides the alarms and the traffic. */
export interface AdvanceInputs {
  /**
   * The fleet's watchdog record.
   * @default - no record
   */
  readonly watchdog?: WatchdogRecord;
  /**
   * The rollout's analysis file, loaded.
   * @default - not evaluated
   */
  readonly analysis?: Analysis;
  /**
   * The analysis' metric values since the step was served.
   * @default - not read
   */
  readonly readings?: AnalysisReadings;
}

/** What {@link advanceRollout} did. */
export type AdvanceOutcome =
  /**
   * The rollout was aborted (`by` an alarm of the canary slot, the watchdog, the analysis
   * or the verification command): the traffic goes back to the active slot (`release` is
   * the new file). `deployed` is true when the load balancer already serves it (the
   * watchdog restored the weights), else the abort must be deployed.
   */
  | {
      readonly kind: 'aborted';
      readonly release: ReleaseFile;
      readonly by: RolloutAbort['by'];
      readonly alarm?: string;
      readonly reason: string;
      readonly message: string;
      readonly deployed: boolean;
    }
  /** An aborted rollout whose abort is not served yet: deploy it. Nothing changed. */
  | { readonly kind: 'abort-pending'; readonly release: ReleaseFile; readonly message: string }
  /** The load balancer now serves the abort: `release` records it (`abort.servedAt`). */
  | { readonly kind: 'abort-served'; readonly release: ReleaseFile; readonly message: string }
  /**
   * The rollout holds: an alarm of the stable slot is in ALARM (nothing written), or the
   * step's bake ended without a passed analysis (its results written).
   */
  | { readonly kind: 'held'; readonly release: ReleaseFile; readonly message: string }
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
  /** The step is baking; nothing changed but the analysis results, when there is an analysis. */
  | { readonly kind: 'baking'; readonly release: ReleaseFile; readonly secondsLeft: number; readonly message: string }
  /** The next step was written. */
  | { readonly kind: 'stepped'; readonly release: ReleaseFile; readonly message: string }
  /** The last step (100) was written: `active` flipped, the rollout is complete. */
  | { readonly kind: 'completed'; readonly release: ReleaseFile; readonly message: string };

/**
 * One move of a rollout, from what was read (pure: the clock and the readings are given).
 *
 * A running rollout, in order:
 * 1. a watchdog record of the canary slot newer than the rollout aborts it `by:
 *    "watchdog"` (see `applyWatchdogRecord`), already deployed when the load balancer
 *    serves the stable weights;
 * 2. an alarm of the canary slot in ALARM aborts it (traffic back to the active slot, the
 *    idle slot marked rolled back, the abort recorded with the alarm and its reason and
 *    `servedAt` null until a command sees it deployed);
 * 3. an alarm of the stable slot in ALARM holds it: nothing is written, and the traffic
 *    never goes back onto the alarming slot;
 * 4. the load balancer must serve the recorded weights and every slot with weight must
 *    have at least its auto scaling groups' desired count of healthy targets (at least
 *    one) and none unhealthy, else it waits;
 * 5. the first time all that holds for a step, the time is recorded as
 *    `rollout.stepServedAt` (one write) and the bake starts;
 * 6. the analysis, if any, is evaluated on the step's data (results written); a failed
 *    check or baseline aborts `by: "analysis"`;
 * 7. the bake time must have passed since `stepServedAt`, else it waits;
 * 8. with an analysis, the step moves on only when it passed; otherwise it holds, and a
 *    hold longer than the bake time (at least {@link MIN_ANALYSIS_HOLD_SECONDS}) aborts;
 * 9. the next step is written, and the last one (100) completes the rollout like a full
 *    promote.
 *
 * An aborted rollout whose abort is not served yet (`abort.servedAt` null): when the
 * load balancer serves the file's weights, `servedAt` is recorded; else it asks for the
 * deploy. A rollout without `stepServedAt` has not been served yet.
 */
export function decideAdvance(
  release: ReleaseFile,
  alarms: readonly AlarmReading[],
  traffic: TrafficReading | undefined,
  now: Date,
  inputs: AdvanceInputs = {},
): AdvanceOutcome {
  const target = advanceTarget(release);
  if (target.pending) {
    return pendingAbort(release, target.rollout, traffic, now);
  }
  const rollout = target.rollout;
  const watchdog = applyWatchdogRecord(release, inputs.watchdog, now);
  if (watchdog.applies) {
    return served(
      {
        kind: 'aborted',
        release: watchdog.release,
        by: 'watchdog',
        alarm: watchdog.alarm,
        reason: watchdog.reason,
        message: watchdog.message,
        deployed: false,
      },
      traffic,
      now,
    );
  }
  refuseMissingAlarms(release, rollout, alarms);
  const canary = otherSlot(release.active);
  const firing = alarms.filter((alarm) => rollout.alarms.includes(alarm.name) && alarm.state === 'ALARM');
  const canaryAlarm = firing.find((alarm) => alarmSlotOf(rollout, alarm.name, canary) === canary);
  if (canaryAlarm) {
    return abortOnAlarm(release, rollout, canaryAlarm, now);
  }
  if (firing.length > 0) {
    return holdOnStableAlarm(release, rollout, firing);
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
  return afterServed(release, rollout, now, evaluate(rollout, inputs, now));
}

/** The rollout `advance` acts on: a running one, or an aborted one whose abort is not deployed yet. */
function advanceTarget(release: ReleaseFile): { rollout: Rollout; pending: boolean } {
  const rollout = runningRollout(release);
  return { rollout, pending: rollout.status === 'aborted' };
}

/** The analysis of the step, evaluated on its readings (undefined without an analysis). */
function evaluate(rollout: Rollout, inputs: AdvanceInputs, now: Date): AnalysisEvaluation | undefined {
  if (!rollout.analysis || !inputs.analysis) {
    return undefined;
  }
  return evaluateAnalysis(inputs.analysis, rollout.analysis.record ?? undefined, inputs.readings ?? {}, now);
}

/** A served step: the analysis' verdict, the bake, the hold, or the next step. */
function afterServed(
  release: ReleaseFile,
  rollout: Rollout,
  now: Date,
  evaluation: AnalysisEvaluation | undefined,
): AdvanceOutcome {
  const env = release.environment;
  const lines = evaluation ? `\n${evaluation.lines.map((line) => `  ${line}`).join('\n')}` : '';
  const withRecord = (heldSince: string | null): ReleaseFile =>
    evaluation && rollout.analysis
      ? {
          ...release,
          rollout: {
            ...rollout,
            analysis: {
              file: rollout.analysis.file,
              record: evaluation.record,
              ...(heldSince !== null ? { heldSince } : {}),
            },
          },
        }
      : release;
  if (evaluation?.verdict === 'fail') {
    const failed = Object.entries(evaluation.record.checks).find(([, check]) => check.status === 'failed');
    const name = failed?.[0] ?? 'analysis';
    const reason = evaluation.lines.find((line) => line.startsWith(`${name}`)) ?? 'a check failed';
    return abortRollout(
      withRecord(null),
      { by: 'analysis', check: name, reason },
      now,
      `${env}: rollout aborted at ${stepText(release, rollout)}: analysis check "${name}" failed.${lines}`,
    );
  }
  const elapsed = (now.getTime() - Date.parse(rollout.stepServedAt!)) / 1000;
  const left = rollout.bakeSeconds - elapsed;
  if (left > 0) {
    return {
      kind: 'baking',
      release: withRecord(rollout.analysis?.heldSince ?? null),
      secondsLeft: Math.ceil(left),
      message:
        `${env}: baking ${stepText(release, rollout)}: ${formatDuration(left)} left of ` +
        `${formatDuration(rollout.bakeSeconds)} (served since ${rollout.stepServedAt}); ` +
        `alarms OK, load balancer serves the recorded weights.${
          evaluation ? ` Analysis results recorded.${lines}` : ' Nothing was written.'
        }`,
    };
  }
  if (evaluation && evaluation.verdict !== 'pass') {
    const heldSince = rollout.analysis?.heldSince ?? now.toISOString();
    const limit = Math.max(rollout.bakeSeconds, MIN_ANALYSIS_HOLD_SECONDS);
    const held = (now.getTime() - Date.parse(heldSince)) / 1000;
    if (held >= limit) {
      return abortRollout(
        withRecord(heldSince),
        {
          by: 'analysis',
          check: 'analysis',
          reason:
            `the analysis did not pass within ${formatDuration(limit)} after the bake ended ` +
            `(verdict ${evaluation.verdict} since ${heldSince})`,
        },
        now,
        `${env}: rollout aborted at ${stepText(release, rollout)}: the analysis stayed ${evaluation.verdict} for ` +
          `${formatDuration(held)} after the bake ended (the limit is the bake time, at least ` +
          `${formatDuration(MIN_ANALYSIS_HOLD_SECONDS)}).${lines}`,
      );
    }
    return {
      kind: 'held',
      release: withRecord(heldSince),
      message:
        `${env}: holding ${stepText(release, rollout)}: the bake is over but the analysis is ${evaluation.verdict}, ` +
        `not pass; the rollout moves on once it passes, and aborts if it has not passed by ` +
        `${new Date(Date.parse(heldSince) + limit * 1000).toISOString()} (held since ${heldSince}). ` +
        `"cdktf-immutable release rollback ${env}" ends it now.${lines}`,
    };
  }
  return nextStep(release, rollout, now, lines);
}

/**
 * An aborted rollout whose abort is not served yet: recorded served when the load
 * balancer serves the file's weights, else the deploy is asked for.
 */
function pendingAbort(
  release: ReleaseFile,
  rollout: Rollout,
  traffic: TrafficReading | undefined,
  now: Date,
): AdvanceOutcome {
  const env = release.environment;
  const expected = releaseWeights(release);
  const weights = traffic?.weights;
  const why = `the rollout was aborted at ${rollout.endedAt} (${abortText(rollout)})`;
  if (weights && SLOT_NAMES.every((slot) => weights[slot] === expected[slot])) {
    const at = now.toISOString();
    return {
      kind: 'abort-served',
      release: { ...release, rollout: { ...rollout, abort: { ...rollout.abort!, servedAt: at } } },
      message:
        `${env}: ${why}; the load balancer serves it since ${at} (slot ${release.active} 100%); recorded as ` +
        'rollout.abort.servedAt.',
    };
  }
  const serves = weights ? `blue ${weights.blue}% / green ${weights.green}%` : 'nothing for the fleet yet';
  return {
    kind: 'abort-pending',
    release,
    message:
      `${env}: ${why}, but the load balancer serves ${serves}, not slot ${release.active} 100%: the abort is not ` +
      `deployed yet. Deploy the stack now ("cdktf-immutable release run ${env}" deploys it), then run ` +
      `"cdktf-immutable release advance ${env}" to confirm.`,
  };
}

/** An outcome whose abort is already served by the load balancer gets `servedAt` now and `deployed`. */
function served(
  outcome: Extract<AdvanceOutcome, { kind: 'aborted' }>,
  traffic: TrafficReading | undefined,
  now: Date,
): AdvanceOutcome {
  const expected = releaseWeights(outcome.release);
  const weights = traffic?.weights;
  const rollout = outcome.release.rollout;
  if (!weights || !rollout?.abort || !SLOT_NAMES.every((slot) => weights[slot] === expected[slot])) {
    return outcome;
  }
  const at = now.toISOString();
  return {
    ...outcome,
    deployed: true,
    release: { ...outcome.release, rollout: { ...rollout, abort: { ...rollout.abort, servedAt: at } } },
    message: `${outcome.message} The load balancer already serves it (slot ${outcome.release.active} 100%).`,
  };
}

/**
 * Aborts a running rollout (pure): the traffic back to the active slot, the idle slot
 * marked rolled back, the rollout aborted with `abort` and `servedAt` null (not yet
 * deployed). The command line uses it for a failed verification before the first step.
 */
export function abortRollout(
  release: ReleaseFile,
  abort: Omit<RolloutAbort, 'servedAt'>,
  now: Date,
  message?: string,
): Extract<AdvanceOutcome, { kind: 'aborted' }> {
  const rollout = runningRollout(release);
  const active = release.active;
  const idle = otherSlot(active);
  const at = now.toISOString();
  const { staged: _staged, ...unstaged } = release;
  const aborted: ReleaseFile = {
    ...unstaged,
    canary: 0,
    slots: { ...release.slots, [idle]: { ...release.slots[idle], rolledBackAt: at } },
    rollout: { ...rollout, status: 'aborted', endedAt: at, abort: { ...abort, servedAt: null } },
  };
  return {
    kind: 'aborted',
    release: aborted,
    by: abort.by,
    ...(abort.alarm !== undefined ? { alarm: abort.alarm } : {}),
    reason: abort.reason,
    deployed: false,
    message:
      `${message ?? `${release.environment}: rollout aborted at ${stepText(release, rollout)}: ${abort.reason}.`}\n` +
      `All traffic goes back to slot ${active}; slot ${idle} is marked rolled back. Deploy now so that the load ` +
      'balancer follows.',
  };
}

/** `alarm "x": reason`, `analysis check "y": ...`, `verification: ...`, `rolled back by hand`. */
export function abortText(rollout: Rollout): string {
  const abort = rollout.abort;
  if (!abort) {
    return 'unknown';
  }
  switch (abort.by) {
    case 'alarm':
      return `alarm "${abort.alarm}": ${abort.reason}`;
    case 'watchdog':
      return `the watchdog, on alarm "${abort.alarm}": ${abort.reason}`;
    case 'analysis':
      return `analysis check "${abort.check}": ${abort.reason}`;
    case 'verify':
      return `verification: ${abort.reason}`;
    default:
      return abort.reason;
  }
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

/** An alarm of the canary slot fired: traffic back to the active slot, the idle slot marked, the rollout aborted. */
function abortOnAlarm(release: ReleaseFile, rollout: Rollout, firing: AlarmReading, now: Date): AdvanceOutcome {
  return abortRollout(
    release,
    { by: 'alarm', alarm: firing.name, reason: firing.reason },
    now,
    `${release.environment}: rollout aborted at ${stepText(release, rollout)}: ` +
      `alarm "${firing.name}" of the canary slot ${otherSlot(release.active)} is in ALARM (${firing.reason}).`,
  );
}

/** Alarms of the stable slot fired: the rollout holds; nothing is written, nothing rolls back onto that slot. */
function holdOnStableAlarm(release: ReleaseFile, rollout: Rollout, firing: readonly AlarmReading[]): AdvanceOutcome {
  const active = release.active;
  const names = firing.map((alarm) => `"${alarm.name}" (${alarm.reason})`).join(', ');
  return {
    kind: 'held',
    release,
    message:
      `${release.environment}: holding at ${stepText(release, rollout)}: alarm ${names} of the stable slot ` +
      `${active} is in ALARM. The canary is not aborted onto the alarming slot and does not move on; nothing was ` +
      `written. Fix slot ${active}, or end the rollout with "cdktf-immutable release rollback ` +
      `${release.environment}" (traffic back to ${active}) or promote it early by hand.`,
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
 * The bake is over: the next step's weight, or at 100 the promote that completes the
 * rollout. `lines`: what the analysis and verification said, printed before it.
 * @internal
 */
export function nextStep(release: ReleaseFile, rollout: Rollout, now: Date, lines = ''): AdvanceOutcome {
  const env = release.environment;
  const active = release.active;
  const idle = otherSlot(active);
  const next = rollout.step + 1;
  const weight = rollout.steps[next];
  const at = now.toISOString();
  const fresh = forNextStep(rollout);
  if (weight === 100) {
    const done = promoteRelease({ ...release, policy: undefined, rollout: undefined }, undefined, { now });
    const completed: ReleaseFile = {
      ...done,
      slots: { ...done.slots, [idle]: { ...done.slots[idle], rolloutCompletedAt: at } },
      ...(release.policy ? { policy: release.policy } : {}),
      rollout: { ...fresh, step: next, stepStartedAt: at, status: 'complete', endedAt: at },
    };
    return {
      kind: 'completed',
      release: completed,
      message:
        `${env}: rollout complete: slot ${idle} is active (100%), slot ${active} is the rollback target. ` +
        `Deploy now (only the listener changes).${lines}`,
    };
  }
  const stepped: ReleaseFile = {
    ...release,
    canary: weight,
    rollout: { ...fresh, step: next, stepStartedAt: at },
  };
  return {
    kind: 'stepped',
    release: stepped,
    message:
      `${env}: advanced to step ${next + 1} of ${rollout.steps.length}: ${weight}% to slot ${idle}. ` +
      `Deploy now (only the listener changes).${lines}`,
  };
}

/**
 * Reads AWS through `reader`, then {@link decideAdvance}; before it writes a next step,
 * runs the verification command (`options.verify`), whose failure aborts the rollout
 * instead. In order: the watchdog record (when the reader has one), the alarms (when one
 * of the canary slot is in ALARM, nothing else is read), the load balancer, and the
 * analysis' metrics of the step (when it is served and has an analysis).
 */
export async function advanceRollout(
  release: ReleaseFile,
  reader: RolloutReader,
  now: () => Date,
  options: AdvanceOptions = {},
): Promise<AdvanceOutcome> {
  const { rollout, pending } = advanceTarget(release);
  if (pending) {
    return decideAdvance(release, [], await reader.readTraffic(rollout.fleet), now());
  }
  const watchdog = reader.readWatchdogRecord ? await reader.readWatchdogRecord(rollout.fleet) : undefined;
  const time = now();
  if (applyWatchdogRecord(release, watchdog, time).applies) {
    return decideAdvance(release, [], await reader.readTraffic(rollout.fleet), time, { watchdog });
  }
  const alarms = rollout.alarms.length > 0 ? await reader.readAlarms(rollout.alarms) : [];
  const canary = otherSlot(release.active);
  const canaryFiring = alarms.some(
    (alarm) => alarm.state === 'ALARM' && alarmSlotOf(rollout, alarm.name, canary) === canary,
  );
  const traffic = canaryFiring ? undefined : await reader.readTraffic(rollout.fleet);
  const readings = await readAnalysis(release, rollout, traffic, options.analysis, reader, time);
  const outcome = decideAdvance(release, alarms, traffic, time, {
    watchdog,
    analysis: options.analysis,
    readings,
  });
  if ((outcome.kind !== 'stepped' && outcome.kind !== 'completed') || !rollout.verify) {
    return outcome;
  }
  if (!options.verify) {
    throw new RolloutInputError(
      `${release.environment}: the rollout has a verification command ("rollout.verify") but nothing to run it ` +
        'with; nothing was written. Run "cdktf-immutable release advance", which runs it.',
    );
  }
  const verified = await options.verify(release);
  if (verified.ok) {
    return { ...outcome, message: `${outcome.message}\n  verification passed: ${verified.reason}` };
  }
  return abortRollout(
    release,
    { by: 'verify', reason: verified.reason },
    time,
    `${release.environment}: rollout aborted at ${stepText(release, rollout)}: the verification command failed ` +
      `before the next step (${verified.reason}).`,
  );
}

/** The analysis' readings since the step was served, or undefined when there is nothing to read yet. */
async function readAnalysis(
  release: ReleaseFile,
  rollout: Rollout,
  traffic: TrafficReading | undefined,
  analysis: Analysis | undefined,
  reader: RolloutReader,
  now: Date,
): Promise<AnalysisReadings | undefined> {
  if (!rollout.analysis || !rollout.stepServedAt || !traffic?.weights) {
    return undefined;
  }
  if (!analysis) {
    throw new RolloutInputError(
      `${release.environment}: the rollout has an analysis ("rollout.analysis.file": ${rollout.analysis.file}) that ` +
        'was not loaded; nothing was written.',
    );
  }
  if (!reader.readMetrics || !traffic.targetGroups || !traffic.loadBalancer) {
    throw new RolloutInputError(
      `${release.environment}: the analysis needs CloudWatch GetMetricData and the fleet's target groups and load ` +
        'balancer, which this reader does not give; nothing was written.',
    );
  }
  const canary = otherSlot(release.active);
  const request = analysisRequest(analysis, {
    fleet: rollout.fleet,
    loadBalancer: traffic.loadBalancer,
    canary: { name: canary, targetGroup: traffic.targetGroups[canary] },
    stable: { name: release.active, targetGroup: traffic.targetGroups[release.active] },
  });
  const start = new Date(rollout.stepServedAt);
  if (now.getTime() - start.getTime() < 1000) {
    return {};
  }
  const series = await reader.readMetrics(request.queries, start, now);
  return request.readings(series, now);
}

/** The rollout of the next step: no served time, no analysis results, no hold. */
function forNextStep(rollout: Rollout): Rollout {
  const { stepServedAt: _served, ...rest } = rollout;
  return rest.analysis ? { ...rest, analysis: { file: rest.analysis.file } } : rest;
}

/** The rollout `advance` acts on, or a refusal that says what to do instead. */
function runningRollout(release: ReleaseFile): Rollout {
  const env = release.environment;
  const rollout = release.rollout;
  if (rollout === undefined) {
    throw new ReleaseRefusedError(
      `${env}: no rollout is running; nothing to advance. ` +
        `Start one with "cdktf-immutable release promote ${env} --steps 10,50,100 --bake 10m --alarm <name>".`,
    );
  }
  if (rollout.status === 'aborted' && rollout.abort?.servedAt === null) {
    return rollout;
  }
  if (rollout.status !== 'running') {
    const how = rollout.status === 'aborted' ? `was aborted (${abortText(rollout)})` : 'is complete';
    throw new ReleaseRefusedError(
      `${env}: the last rollout ${how} at ${rollout.endedAt}; nothing to advance. ` +
        'Stage a new image and promote it with --steps to start another.',
    );
  }
  return rollout;
}
