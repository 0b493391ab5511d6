import { REGION } from '../private/aws-ids';
import { describe, isPlainObject } from './private/json-values';
import {
  formatFreezeWindows,
  formatStageFrom,
  FreezeWindow,
  parseFreezeWindows,
  parseRoleArn,
  parseStageFrom,
  StageFromRule,
} from './promotion-policy';
import type { AnalysisRecord } from './analysis';
import { formatAnalysisRecord, parseAnalysisRecord } from './analysis-record';
import { RolloutInputError } from './rollout-error';

export { RolloutInputError };

/** Where a rollout stands. */
export type RolloutStatus = 'running' | 'complete' | 'aborted';

/**
 * What aborted a rollout: `alarm` (an alarm of the canary slot, seen by `release
 * advance`), `watchdog` (the in-AWS watchdog restored the stable weights on an alarm of
 * the canary slot; a release command wrote its record), `analysis` (a metric check or
 * baseline comparison failed), `verify` (the `--verify` command failed) or `rollback`
 * (by hand, `release rollback`).
 */
export type RolloutAbortCause = 'alarm' | 'watchdog' | 'analysis' | 'verify' | 'rollback';

/** The causes of an abort, in the order messages list them. */
const ABORT_CAUSES: readonly RolloutAbortCause[] = ['alarm', 'watchdog', 'analysis', 'verify', 'rollback'];

/** Why a rollout was aborted. */
export interface RolloutAbort {
  /** What aborted it. */
  readonly by: RolloutAbortCause;
  /**
   * The alarm in ALARM, when `by` is `alarm` or `watchdog`.
   * @default - not an alarm
   */
  readonly alarm?: string;
  /**
   * The analysis check or baseline that failed, when `by` is `analysis`.
   * @default - not an analysis
   */
  readonly check?: string;
  /** The alarm's state reason, the numbers of the check, the command's exit, or what the user did. */
  readonly reason: string;
  /**
   * The region whose alarm aborted a wave (a rollout over several regions, `regions`):
   * every other region of the wave is aborted with it and names that region.
   * @default - not a wave, or this region's own alarm
   */
  readonly region?: string;
  /**
   * When a release command first saw the load balancer serve the abort's weights (the
   * stable slot 100%); null while the abort is not yet deployed, so that `release
   * advance` and `release run` keep asking for (and `run` keeps running) the deploy until
   * it is. A rollback by hand is deployed like any other release command and leaves it
   * out; a file written before the field existed is taken as served.
   * @default - taken as served
   */
  readonly servedAt?: string | null;
}

/** The slot an alarm of a rollout watches, `blue` or `green`. */
export type AlarmSlot = 'blue' | 'green';

/**
 * The metric analysis of a rollout (`rollout.analysis`): the analysis file, and the
 * results of the current step's evaluations, which `release advance` writes at each run.
 */
export interface RolloutAnalysis {
  /**
   * The analysis file (JSON, or YAML as `.yaml`/`.yml`), relative to the folder of the
   * release file.
   */
  readonly file: string;
  /**
   * The current step's results: every check's and baseline's counts and last values, and
   * the verdict; cleared when the next step is written, so each step is judged on its
   * own data.
   * @default - not evaluated yet
   */
  readonly record?: AnalysisRecord | null;
  /**
   * When the step's bake ended without a passed analysis (the rollout holds since then);
   * a hold longer than the step's bake time (at least 10 minutes) aborts the rollout.
   * @default - not held
   */
  readonly heldSince?: string | null;
}

/** Where the command line and the watchdog send the rollout's events (`policy.notify`). */
export interface RolloutNotifications {
  /**
   * An SNS topic ARN: each event is published to it as JSON.
   * @default - no topic
   */
  readonly snsTopicArn?: string;
  /**
   * An https URL each event is POSTed to as JSON (http only to localhost). It is written
   * in the release file and in the watchdog function's configuration: use a URL that is
   * not a secret, or the SNS topic.
   * @default - no webhook
   */
  readonly webhookUrl?: string;
}

/**
 * A stepped canary recorded in the release file (`"rollout"`): the idle slot takes
 * `steps[step]` percent of the traffic (the file's `canary`), and `release advance`
 * moves it to the next step once the bake time has passed, the load balancer serves
 * the recorded weights, the slots' targets are healthy (at least their auto scaling
 * groups' desired count) and no alarm is in ALARM; the bake counts from when advance
 * first saw the step served (`stepServedAt`). The last step (100) flips `active` and
 * completes the rollout; an alarm aborts it back to the previous slot. Every move is a
 * change of this file.
 */
export interface Rollout {
  /** Percentages of the traffic sent to the new slot, strictly increasing, ending at 100. */
  readonly steps: readonly number[];
  /** Seconds each step runs before the next (0 to 86400). */
  readonly bakeSeconds: number;
  /**
   * CloudWatch alarm names. An alarm of the canary slot in ALARM aborts the rollout; an
   * alarm of the stable slot holds it (it never rolls back onto that slot). See
   * `alarmSlots`.
   */
  readonly alarms: readonly string[];
  /**
   * The slot each alarm watches (`blue` or `green`): the fleet's own alarms by their name
   * (`<fleet>-<slot>-...`), the others as `--alarm <name>@canary|stable` bound them when
   * the rollout started. An alarm not listed here (a file written before the field
   * existed) is bound by its name, else to the canary slot.
   * @default - bound by name, else to the canary slot
   */
  readonly alarmSlots?: Readonly<Record<string, AlarmSlot>>;
  /**
   * The metric analysis evaluated at each step (`--analysis <file>`).
   * @default - no analysis
   */
  readonly analysis?: RolloutAnalysis;
  /**
   * A shell command run before the first weight moves and before each next step, with
   * the test route of the staged slot in its environment (`CDKTF_IMMUTABLE_TEST_URL`...);
   * a failure aborts the rollout (`--verify`).
   * @default - no verification
   */
  readonly verify?: string;
  /**
   * The URL where the staged slot answers alone, given to the verification command as
   * `CDKTF_IMMUTABLE_TEST_URL` (`--test-url`, or the policy's).
   * @default - the fleet's test route as the load balancer holds it (a listener or a
   * header rule that forwards to the staged slot alone)
   */
  readonly testUrl?: string;
  /**
   * The fleet's name (`BlueGreenFleet` `name`), as its target groups are tagged
   * (`cdktf-immutable:fleet`): `release advance` finds the target groups, the load
   * balancer and its listener or rule from it.
   */
  readonly fleet: string;
  /** Index in `steps` of the weight the file holds now. */
  readonly step: number;
  /** When the rollout started (ISO 8601, UTC). */
  readonly startedAt: string;
  /** When the current step was written (ISO 8601, UTC). */
  readonly stepStartedAt: string;
  /**
   * When `release advance` first saw the load balancer serve the current step's weights
   * with the slots' targets healthy (ISO 8601, UTC); the bake counts from it, so a slow
   * deploy does not shorten the bake. Absent (or null) until then: the step is not yet
   * served and its bake has not started. Writing the next step clears it.
   * @default - not yet served
   */
  readonly stepServedAt?: string | null;
  /** running, complete or aborted. */
  readonly status: RolloutStatus;
  /**
   * When the rollout completed or was aborted, or null while it runs.
   * @default null
   */
  readonly endedAt?: string | null;
  /**
   * The regions of a wave (`release promote <env> --steps ... --regions a,b`): the same
   * rollout runs in each region's release file of the fleet, and `release advance
   * --regions` moves them in lock step (a step starts everywhere only once the previous
   * one is served everywhere; one abort aborts all). Sorted.
   * @default - one region: not a wave
   */
  readonly regions?: readonly string[];
  /**
   * Why it was aborted (only when `status` is `aborted`).
   * @default - not aborted
   */
  readonly abort?: RolloutAbort;
}

/**
 * Per-environment rollout defaults and rules (`"policy"` in the release file). A
 * promote with `--steps` takes the steps, bake time, alarms and fleet it does not name
 * from here; with `requireRollout` (production), every promote is a rollout with steps
 * and at least one alarm, and a plain or `--canary` promote is refused.
 */
export interface RolloutPolicy {
  /**
   * Default steps.
   * @default - none: `--steps` names them
   */
  readonly steps?: readonly number[];
  /**
   * Default bake time in seconds (0 to 86400).
   * @default 600
   */
  readonly bakeSeconds?: number;
  /**
   * Default alarms (added to `--alarm`).
   * @default - none
   */
  readonly alarms?: readonly string[];
  /**
   * Default fleet name.
   * @default - none: `--fleet-tag` names it
   */
  readonly fleet?: string;
  /**
   * Every promote must be a rollout with steps and at least one alarm.
   * @default false
   */
  readonly requireRollout?: boolean;
  /**
   * What `release stage <env> --from <other>` requires of the image it takes: a
   * completed rollout in `<other>` and a soak time there.
   * @default - none: any image active in `<other>`
   */
  readonly stageFrom?: StageFromRule;
  /**
   * Windows in which `release stage` and `release promote` are refused unless forced
   * with `--force-freeze --reason "..."` (recorded in the file as `freezeOverride`).
   * @default - none
   */
  readonly freeze?: readonly FreezeWindow[];
  /**
   * An IAM role the command line assumes (with the default credential chain) for every
   * AWS call about this environment, so environments may live in different accounts.
   * @default - the default credential chain itself
   */
  readonly roleArn?: string;
  /**
   * Default analysis file of a rollout, relative to the folder of the release file.
   * @default - none: `--analysis` names it
   */
  readonly analysis?: string;
  /**
   * Default verification command of a rollout.
   * @default - none: `--verify` names it
   */
  readonly verify?: string;
  /**
   * Default test URL of the staged slot for the verification command.
   * @default - none: `--test-url` names it, else the fleet's test route is looked up
   */
  readonly testUrl?: string;
  /**
   * Where the rollout's events (started, step served, aborted, complete) go, from the
   * command line and from the fleet's watchdog.
   * @default - no notifications
   */
  readonly notify?: RolloutNotifications;
}

/**
 * Tag of a fleet's auto scaling groups and target groups with the fleet's name (`name`,
 * or `<stack>-<id>`, lowercased); `release advance` finds the target groups by it. Not
 * internal: the fleets' published declarations re-export it.
 */
export const FLEET_TAG = 'cdktf-immutable:fleet';
/** Tag of a blue/green fleet's groups and target groups with their slot. */
export const SLOT_TAG = 'cdktf-immutable:slot';

/** The bake time of a step when neither `--bake` nor the policy gives one. */
export const DEFAULT_BAKE_SECONDS = 600;
/** The longest bake time: a day. */
export const MAX_BAKE_SECONDS = 86_400;
const MAX_STEPS = 20;
const MAX_ALARMS = 100;
/**
 * A fleet name as its tag holds it: the fleet's `name` or `<stack>-<id>`, lowercased.
 * @internal
 */
export const FLEET_NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/;

const ROLLOUT_FIELDS = [
  'steps',
  'bakeSeconds',
  'alarms',
  'alarmSlots',
  'fleet',
  'step',
  'startedAt',
  'stepStartedAt',
  'stepServedAt',
  'status',
  'endedAt',
  'abort',
  'regions',
  'analysis',
  'verify',
  'testUrl',
];
const POLICY_FIELDS = [
  'steps',
  'bakeSeconds',
  'alarms',
  'fleet',
  'requireRollout',
  'stageFrom',
  'freeze',
  'roleArn',
  'analysis',
  'verify',
  'testUrl',
  'notify',
];
const ABORT_FIELDS = ['by', 'alarm', 'check', 'reason', 'region', 'servedAt'];
const ANALYSIS_FIELDS = ['file', 'record', 'heldSince'];
const NOTIFY_FIELDS = ['snsTopicArn', 'webhookUrl'];
/** The longest verification command. */
const MAX_COMMAND = 4096;
/** An SNS topic ARN. */
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

/**
 * Parses a duration: `30s`, `10m`, `1h`, `1h30m`, or `0s`, within 0s..24h. Throws a
 * {@link RolloutInputError} naming `what` (`--bake`).
 */
export function parseDuration(text: string, what: string = '--bake'): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text.trim());
  if (text.trim() === '' || !match) {
    throw new RolloutInputError(
      `${what} "${text}" is not a duration; ` + 'use a number with a unit, such as 30s, 10m, 1h or 1h30m (0s to 24h).',
    );
  }
  const seconds = Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
  if (seconds > MAX_BAKE_SECONDS) {
    throw new RolloutInputError(`${what} "${text}" is ${seconds}s, more than 24h; use 0s to 24h, such as 10m.`);
  }
  return seconds;
}

/** `1h2m3s`, `10m`, `0s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  const text = `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${r ? `${r}s` : ''}`;
  return text === '' ? '0s' : text;
}

/** Parses `10,50,100`. Throws a {@link RolloutInputError} naming the fix. */
export function parseSteps(text: string): number[] {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.some((part) => !/^\d+$/.test(part))) {
    throw new RolloutInputError(`--steps "${text}" must be whole percentages separated by commas, such as 10,50,100.`);
  }
  const steps = parts.map(Number);
  const problem = stepsProblem(steps);
  if (problem) {
    throw new RolloutInputError(`--steps "${text}" ${problem}.`);
  }
  return steps;
}

/** What is wrong with a step list, or undefined. */
function stepsProblem(steps: readonly unknown[]): string | undefined {
  if (steps.length === 0 || steps.length > MAX_STEPS) {
    return `must list 1 to ${MAX_STEPS} steps, such as 10,50,100`;
  }
  for (const [i, step] of steps.entries()) {
    if (typeof step !== 'number' || !Number.isInteger(step) || step < 1 || step > 100) {
      return `has ${JSON.stringify(step)}; every step must be a whole percentage from 1 to 100, such as 10,50,100`;
    }
    if (i > 0 && step <= (steps[i - 1] as number)) {
      return (
        `is not strictly increasing (${steps[i - 1]} then ${step}); ` +
        'list each weight once, smallest first, such as 10,50,100'
      );
    }
  }
  if (steps[steps.length - 1] !== 100) {
    return (
      `ends at ${steps[steps.length - 1]}, not 100; ` +
      `end with 100 so that the rollout completes, such as ${[...steps, 100].join(',')}`
    );
  }
  return undefined;
}

/** Checks alarm names (`--alarm`); throws a {@link RolloutInputError}. */
export function checkAlarmNames(alarms: readonly string[], what: string = '--alarm'): void {
  if (alarms.length > MAX_ALARMS) {
    throw new RolloutInputError(`${what} is given ${alarms.length} times; at most ${MAX_ALARMS} alarms.`);
  }
  const seen = new Set<string>();
  for (const given of alarms) {
    const alarm = alarmNameOf(given);
    if (!isAlarmName(alarm)) {
      throw new RolloutInputError(
        `${what} "${alarm}" is not a CloudWatch alarm name (1 to 255 characters, no control characters).`,
      );
    }
    if (seen.has(alarm)) {
      throw new RolloutInputError(`${what} "${alarm}" is given twice; name each alarm once.`);
    }
    seen.add(alarm);
  }
}

/** The roles an alarm given to a rollout can be bound to (`--alarm <name>@canary`). */
const ALARM_ROLE = /^(.*)@(canary|stable)$/;

/**
 * The slot a fleet's own alarm watches, from its name (`<fleet>-blue-...`,
 * `<fleet>-green-...`, as `BlueGreenFleet` `alarms` names them), or undefined.
 */
export function fleetAlarmSlot(fleet: string, name: string): AlarmSlot | undefined {
  for (const slot of ['blue', 'green'] as const) {
    if (name.startsWith(`${fleet}-${slot}-`)) {
      return slot;
    }
  }
  return undefined;
}

/**
 * Binds the alarms of a new rollout to the slot each watches: `<name>@canary` and
 * `<name>@stable` to the canary slot (`canary`) or the other one; a name without a role
 * by its name when it is one of the fleet's own alarms (`<fleet>-<slot>-...`). Throws a
 * {@link RolloutInputError} for an alarm bound to no slot, a role that contradicts the
 * name, or a name given twice. `what` names the option or field in messages.
 */
export function bindAlarms(
  texts: readonly string[],
  fleet: string,
  canary: AlarmSlot,
  what: string = '--alarm',
): Record<string, AlarmSlot> {
  const stable: AlarmSlot = canary === 'blue' ? 'green' : 'blue';
  const bound: Record<string, AlarmSlot> = {};
  for (const text of texts) {
    const match = ALARM_ROLE.exec(text);
    const name = match ? match[1] : text;
    const byName = fleetAlarmSlot(fleet, name);
    let slot: AlarmSlot;
    if (match) {
      slot = match[2] === 'canary' ? canary : stable;
      if (byName !== undefined && byName !== slot) {
        throw new RolloutInputError(
          `${what} "${text}": "${name}" is an alarm of fleet ${fleet}'s ${byName} slot (by its name), but ` +
            `@${match[2]} is the ${slot} slot in this rollout; leave out "@${match[2]}", or name the ${slot} slot's ` +
            `alarm (${fleet}-${slot}-...).`,
        );
      }
    } else if (byName !== undefined) {
      slot = byName;
    } else {
      throw new RolloutInputError(
        `${what} "${text}" is not one of fleet ${fleet}'s own alarms (${fleet}-<slot>-...), so its slot is ` +
          `unknown; bind it: "${text}@canary" (an alarm of the canary slot ${canary} aborts the rollout) or ` +
          `"${text}@stable" (an alarm of the serving slot ${stable} holds the rollout).`,
      );
    }
    if (bound[name] !== undefined && bound[name] !== slot) {
      throw new RolloutInputError(`${what} "${name}" is bound to both slots; bind each alarm to one slot.`);
    }
    bound[name] = slot;
  }
  return bound;
}

/**
 * The slot an alarm of a rollout watches: `rollout.alarmSlots`, else (a file written
 * before alarms were bound) the fleet's own alarm by its name, else the canary slot.
 */
export function alarmSlotOf(rollout: Rollout, name: string, canary: AlarmSlot): AlarmSlot {
  return rollout.alarmSlots?.[name] ?? fleetAlarmSlot(rollout.fleet, name) ?? canary;
}

/** The name of an alarm given as `<name>` or `<name>@canary|stable`. */
export function alarmNameOf(text: string): string {
  const match = ALARM_ROLE.exec(text);
  return match ? match[1] : text;
}

/** A CloudWatch alarm name: 1 to 255 characters, none of them a control character (U+0000 to U+001F). */
function isAlarmName(name: string): boolean {
  return name.length >= 1 && name.length <= 255 && ![...name].some((c) => c.charCodeAt(0) < 0x20);
}

/** Checks a fleet name (`--fleet-tag`); throws a {@link RolloutInputError}. */
export function checkFleetName(fleet: string, what: string = '--fleet-tag'): void {
  if (!FLEET_NAME.test(fleet)) {
    throw new RolloutInputError(
      `${what} "${fleet}" is not a fleet name; ` +
        'use the fleet\'s name in lowercase (its "name" prop, or <stack>-<id>), e.g. web-prod.',
    );
  }
}

/** The fix of a `"rollout"` that is wrong as a whole. */
const RESTORE_ROLLOUT = 'restore it from git, or remove "rollout" (then no rollout runs)';
/** The fix of a time field that is not a time. */
const ISO_TIME = 'use an ISO 8601 time such as 2026-01-31T12:00:00Z';

/** What a parser calls to reject a field: `fail(problem, fix)` throws the release file's error. */
type Fail = (problem: string, fix: string) => never;

/**
 * Validates the `"rollout"` of a release file; `fail(problem, fix)` throws the release
 * file's error. `canary` is the file's, checked.
 * @internal
 */
export function parseRollout(data: unknown, canary: number, fail: Fail): Rollout {
  if (!isPlainObject(data)) {
    return fail(`"rollout" is ${describe(data)}`, 'it must be an object; remove it when no rollout runs');
  }
  unknownFields(data, ROLLOUT_FIELDS, 'rollout', fail);
  const steps = data.steps;
  if (!Array.isArray(steps)) {
    return fail(`"rollout.steps" is ${describe(steps)}`, RESTORE_ROLLOUT);
  }
  const problem = stepsProblem(steps);
  if (problem) {
    return fail(`"rollout.steps" (${JSON.stringify(steps)}) ${problem}`, RESTORE_ROLLOUT);
  }
  const bake = data.bakeSeconds;
  if (!isBakeSeconds(bake)) {
    return fail(`"rollout.bakeSeconds" is ${describe(bake)}`, `use whole seconds from 0 to ${MAX_BAKE_SECONDS}`);
  }
  const alarms = stringList(data.alarms, 'rollout.alarms', fail);
  const fleet = fleetField(data.fleet, 'rollout.fleet', fail);
  const status = data.status;
  if (status !== 'running' && status !== 'complete' && status !== 'aborted') {
    return fail(`"rollout.status" is ${describe(status)}`, 'use "running", "complete" or "aborted"');
  }
  const step = data.step;
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0 || step >= steps.length) {
    return fail(`"rollout.step" is ${describe(step)}`, `use an index into rollout.steps, 0 to ${steps.length - 1}`);
  }
  const times = rolloutTimes(data, fail);
  const abort = data.abort === undefined || data.abort === null ? undefined : parseAbort(data.abort, fail);
  const regions = data.regions === undefined || data.regions === null ? undefined : parseRegions(data.regions, fail);
  const alarmSlots = data.alarmSlots === undefined ? undefined : parseAlarmSlots(data.alarmSlots, alarms, fail);
  const analysis = data.analysis === undefined ? undefined : parseRolloutAnalysis(data.analysis, fail);
  const verify = data.verify === undefined ? undefined : commandField(data.verify, 'rollout.verify', fail);
  const testUrl = data.testUrl === undefined ? undefined : testUrlField(data.testUrl, 'rollout.testUrl', fail);
  const rollout: Rollout = {
    steps: steps as number[],
    bakeSeconds: bake,
    alarms,
    ...(alarmSlots ? { alarmSlots } : {}),
    fleet,
    step,
    startedAt: times.startedAt,
    stepStartedAt: times.stepStartedAt,
    ...(times.stepServedAt !== null ? { stepServedAt: times.stepServedAt } : {}),
    status,
    endedAt: times.endedAt,
    ...(abort ? { abort } : {}),
    ...(regions ? { regions } : {}),
    ...(analysis ? { analysis } : {}),
    ...(verify !== undefined ? { verify } : {}),
    ...(testUrl !== undefined ? { testUrl } : {}),
  };
  checkStatus(rollout, canary, fail);
  return rollout;
}

/** `"rollout.regions"`: two or more region names, sorted, each once. */
function parseRegions(data: unknown, fail: Fail): string[] {
  const fix = 'use the sorted list of the wave\'s regions, such as ["eu-west-1", "us-east-1"], or remove it';
  if (!Array.isArray(data) || data.length < 2 || data.some((region) => typeof region !== 'string')) {
    return fail(`"rollout.regions" is ${describe(data)}`, fix);
  }
  const regions = data as string[];
  const bad = regions.find((region) => !REGION.test(region));
  if (bad !== undefined) {
    return fail(`"rollout.regions" has ${JSON.stringify(bad)}, which is not a region name`, fix);
  }
  if (regions.some((region, i) => i > 0 && region <= regions[i - 1])) {
    return fail(`"rollout.regions" (${JSON.stringify(regions)}) is not sorted or names a region twice`, fix);
  }
  return [...regions];
}

/** `rollout.alarmSlots`: an object of alarm name (one of `rollout.alarms`) to `blue` or `green`. */
function parseAlarmSlots(data: unknown, alarms: readonly string[], fail: Fail): Record<string, AlarmSlot> {
  if (!isPlainObject(data)) {
    return fail(
      `"rollout.alarmSlots" is ${describe(data)}`,
      'use an object of alarm name to slot, such as {"web-prod-green-5xx-rate": "green"}, or remove it',
    );
  }
  const slots: Record<string, AlarmSlot> = {};
  for (const [name, slot] of Object.entries(data)) {
    if (!alarms.includes(name)) {
      fail(`"rollout.alarmSlots" names "${name}", which is not in "rollout.alarms"`, 'remove it, or restore the file');
    }
    if (slot !== 'blue' && slot !== 'green') {
      fail(`"rollout.alarmSlots.${name}" is ${describe(slot)}`, 'use "blue" or "green" (the slot the alarm watches)');
    }
    slots[name] = slot as AlarmSlot;
  }
  return slots;
}

/** `rollout.analysis`: the analysis file, the current step's record and the hold. */
function parseRolloutAnalysis(data: unknown, fail: Fail): RolloutAnalysis {
  if (!isPlainObject(data)) {
    return fail(`"rollout.analysis" is ${describe(data)}`, 'use {"file": "<analysis file>"} or remove it');
  }
  unknownFields(data, ANALYSIS_FIELDS, 'rollout.analysis', fail);
  const file = pathField(data.file, 'rollout.analysis.file', fail);
  const record = data.record === undefined || data.record === null ? undefined : parseAnalysisRecord(data.record, fail);
  const held = data.heldSince ?? null;
  if (held !== null && !isTime(held)) {
    return fail(`"rollout.analysis.heldSince" is ${describe(held)}`, `${ISO_TIME}, or null`);
  }
  return { file, ...(record ? { record } : {}), ...(held !== null ? { heldSince: held as string } : {}) };
}

/** A path relative to the release file's folder (`rollout.analysis.file`, `policy.analysis`). */
function pathField(value: unknown, field: string, fail: Fail): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 1024 || value.includes('\0')) {
    return fail(
      `"${field}" is ${describe(value)}`,
      'use the path of the analysis file relative to the folder of the release file, such as "analysis/prod.json"',
    );
  }
  return value;
}

/** A shell command (`rollout.verify`, `policy.verify`). */
function commandField(value: unknown, field: string, fail: Fail): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_COMMAND || /[\0\n\r]/.test(value)) {
    return fail(
      `"${field}" is ${describe(value)}`,
      `use one line of shell, at most ${MAX_COMMAND} characters, such as "npm run smoke-test"`,
    );
  }
  return value;
}

/** An http(s) URL without spaces (`rollout.testUrl`, `policy.testUrl`, `--test-url`). */
function testUrlField(value: unknown, field: string, fail: Fail): string {
  if (!isTestUrl(value)) {
    return fail(
      `"${field}" is ${describe(value)}`,
      'use the http:// or https:// URL where the staged slot answers alone, such as ' +
        '"http://web-123.eu-west-1.elb.amazonaws.com:8443"',
    );
  }
  return value;
}

/** Whether a value is an http(s) URL of at most 2048 characters. @internal */
export function isTestUrl(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 2048 || /\s/.test(value)) {
    return false;
  }
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** The rollout's times: `startedAt` and `stepStartedAt` are times; `stepServedAt` and `endedAt` times or null. */
function rolloutTimes(
  data: Record<string, unknown>,
  fail: Fail,
): { startedAt: string; stepStartedAt: string; stepServedAt: string | null; endedAt: string | null } {
  for (const key of ['startedAt', 'stepStartedAt'] as const) {
    if (!isTime(data[key])) {
      return fail(`"rollout.${key}" is ${describe(data[key])}`, ISO_TIME);
    }
  }
  const servedAt = data.stepServedAt ?? null;
  if (servedAt !== null && !isTime(servedAt)) {
    return fail(
      `"rollout.stepServedAt" is ${describe(servedAt)}`,
      `${ISO_TIME}, or remove it ` + '(then the next "release advance" records when the load balancer serves the step)',
    );
  }
  const endedAt = data.endedAt ?? null;
  if (endedAt !== null && !isTime(endedAt)) {
    return fail(`"rollout.endedAt" is ${describe(endedAt)}`, 'use an ISO 8601 time or null');
  }
  return {
    startedAt: data.startedAt as string,
    stepStartedAt: data.stepStartedAt as string,
    stepServedAt: servedAt as string | null,
    endedAt: endedAt as string | null,
  };
}

/** The `"rollout.abort"` object: who aborted the rollout and why. */
function parseAbort(a: unknown, fail: Fail): RolloutAbort {
  if (!isPlainObject(a)) {
    return fail(`"rollout.abort" is ${describe(a)}`, 'use an object {"by", "alarm", "reason"} or remove it');
  }
  unknownFields(a, ABORT_FIELDS, 'rollout.abort', fail);
  if (!ABORT_CAUSES.includes(a.by as RolloutAbortCause)) {
    return fail(`"rollout.abort.by" is ${describe(a.by)}`, `use ${ABORT_CAUSES.map((c) => `"${c}"`).join(', ')}`);
  }
  for (const key of ['alarm', 'check'] as const) {
    if (a[key] !== undefined && typeof a[key] !== 'string') {
      return fail(
        `"rollout.abort.${key}" is ${describe(a[key])}`,
        `use the ${key === 'alarm' ? 'alarm' : 'check'} name`,
      );
    }
  }
  if (typeof a.reason !== 'string') {
    return fail(`"rollout.abort.reason" is ${describe(a.reason)}`, 'use a string');
  }
  if (a.region !== undefined && (typeof a.region !== 'string' || !REGION.test(a.region))) {
    return fail(`"rollout.abort.region" is ${describe(a.region)}`, 'use the region name, or remove it');
  }
  if (a.servedAt !== undefined && a.servedAt !== null && !isTime(a.servedAt)) {
    return fail(
      `"rollout.abort.servedAt" is ${describe(a.servedAt)}`,
      `${ISO_TIME}, or null (the abort is not yet deployed)`,
    );
  }
  return {
    by: a.by as RolloutAbortCause,
    ...(a.alarm !== undefined ? { alarm: a.alarm as string } : {}),
    ...(a.check !== undefined ? { check: a.check as string } : {}),
    reason: a.reason,
    ...(a.region !== undefined ? { region: a.region as string } : {}),
    ...(a.servedAt !== undefined ? { servedAt: a.servedAt as string | null } : {}),
  };
}

/**
 * The status agrees with the rest: an aborted rollout says why, and only it does; a
 * running one is not at its last step, is at the file's `canary` and has not ended.
 */
function checkStatus(rollout: Rollout, canary: number, fail: Fail): void {
  const { status, step, steps } = rollout;
  if ((status === 'aborted') !== (rollout.abort !== undefined)) {
    fail(
      status === 'aborted'
        ? '"rollout.status" is "aborted" but "rollout.abort" is missing'
        : `"rollout.abort" is set but "rollout.status" is "${status}"`,
      RESTORE_ROLLOUT,
    );
  }
  if (status !== 'running') {
    return;
  }
  if (step === steps.length - 1) {
    fail(
      `"rollout.step" is ${step}, the last step (100), but "rollout.status" is "running"`,
      `set the status to "complete", or ${RESTORE_ROLLOUT}`,
    );
  }
  if (canary !== steps[step]) {
    fail(
      `"canary" is ${canary} but the running rollout is at step ${step + 1} of ${steps.length} (${steps[step]}%)`,
      `set "canary" to ${steps[step]}, or end the rollout with "cdktf-immutable release rollback <env>"`,
    );
  }
  if (rollout.endedAt !== null) {
    fail('"rollout.endedAt" is set but the rollout is running', 'set it to null');
  }
}

/**
 * Validates the `"policy"` of a release file.
 * @internal
 */
export function parsePolicy(data: unknown, fail: Fail): RolloutPolicy {
  if (!isPlainObject(data)) {
    return fail(
      `"policy" is ${describe(data)}`,
      'it must be an object such as {"steps": [10, 50, 100], "bakeSeconds": 600, ' +
        '"alarms": ["web-prod-green-5xx-rate"], "requireRollout": true}',
    );
  }
  unknownFields(data, POLICY_FIELDS, 'policy', fail);
  const policy: { -readonly [K in keyof RolloutPolicy]: RolloutPolicy[K] } = {};
  if (data.steps !== undefined) {
    policy.steps = policySteps(data.steps, fail);
  }
  if (data.bakeSeconds !== undefined) {
    const bake = data.bakeSeconds;
    if (!isBakeSeconds(bake)) {
      return fail(
        `"policy.bakeSeconds" is ${describe(bake)}`,
        `use whole seconds from 0 to ${MAX_BAKE_SECONDS} (24h), e.g. 600`,
      );
    }
    policy.bakeSeconds = bake;
  }
  if (data.alarms !== undefined) {
    policy.alarms = stringList(data.alarms, 'policy.alarms', fail);
  }
  if (data.fleet !== undefined) {
    policy.fleet = fleetField(data.fleet, 'policy.fleet', fail);
  }
  if (data.requireRollout !== undefined) {
    if (typeof data.requireRollout !== 'boolean') {
      return fail(`"policy.requireRollout" is ${describe(data.requireRollout)}`, 'use true or false');
    }
    policy.requireRollout = data.requireRollout;
  }
  if (data.stageFrom !== undefined) {
    policy.stageFrom = parseStageFrom(data.stageFrom, fail);
  }
  if (data.freeze !== undefined) {
    policy.freeze = parseFreezeWindows(data.freeze, fail);
  }
  if (data.roleArn !== undefined) {
    policy.roleArn = parseRoleArn(data.roleArn, fail);
  }
  if (data.analysis !== undefined) {
    policy.analysis = pathField(data.analysis, 'policy.analysis', fail);
  }
  if (data.verify !== undefined) {
    policy.verify = commandField(data.verify, 'policy.verify', fail);
  }
  if (data.testUrl !== undefined) {
    policy.testUrl = testUrlField(data.testUrl, 'policy.testUrl', fail);
  }
  if (data.notify !== undefined) {
    policy.notify = parseNotify(data.notify, fail);
  }
  return policy;
}

/** `policy.notify`: an SNS topic ARN and/or a webhook URL. */
function parseNotify(data: unknown, fail: Fail): RolloutNotifications {
  if (!isPlainObject(data)) {
    return fail(
      `"policy.notify" is ${describe(data)}`,
      'use {"snsTopicArn": "arn:aws:sns:<region>:<account>:<topic>"} and/or {"webhookUrl": "https://..."}',
    );
  }
  unknownFields(data, NOTIFY_FIELDS, 'policy.notify', fail);
  if (data.snsTopicArn === undefined && data.webhookUrl === undefined) {
    fail('"policy.notify" names no target', 'give "snsTopicArn" and/or "webhookUrl", or remove it');
  }
  const notify: { -readonly [K in keyof RolloutNotifications]: RolloutNotifications[K] } = {};
  if (data.snsTopicArn !== undefined) {
    if (typeof data.snsTopicArn !== 'string' || !SNS_TOPIC_ARN.test(data.snsTopicArn)) {
      fail(`"policy.notify.snsTopicArn" is ${describe(data.snsTopicArn)}`, 'use an SNS topic ARN, arn:aws:sns:...');
    }
    notify.snsTopicArn = data.snsTopicArn as string;
  }
  if (data.webhookUrl !== undefined) {
    if (!isWebhookUrl(data.webhookUrl)) {
      fail(
        `"policy.notify.webhookUrl" is ${describe(data.webhookUrl)}`,
        'use an https:// URL (http:// only to localhost or 127.0.0.1), at most 2048 characters',
      );
    }
    notify.webhookUrl = data.webhookUrl as string;
  }
  return notify;
}

/** An https URL, or http to the local machine (for tests and local relays). */
export function isWebhookUrl(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 2048 || /\s/.test(value)) {
    return false;
  }
  try {
    const url = new URL(value);
    return (
      url.protocol === 'https:' ||
      (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname))
    );
  } catch {
    return false;
  }
}

/** The policy's default steps. */
function policySteps(steps: unknown, fail: Fail): number[] {
  if (!Array.isArray(steps)) {
    return fail(`"policy.steps" is ${describe(steps)}`, 'use a list such as [10, 50, 100]');
  }
  const problem = stepsProblem(steps);
  if (problem) {
    return fail(`"policy.steps" (${JSON.stringify(steps)}) ${problem}`, 'fix the list');
  }
  return steps as number[];
}

/** A bake time in a release file: whole seconds from 0 to a day. */
function isBakeSeconds(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_BAKE_SECONDS;
}

/** A time in a release file: a string that `Date.parse` reads. */
function isTime(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

/** A fleet name field of a release file (`rollout.fleet`, `policy.fleet`). */
function fleetField(value: unknown, field: string, fail: Fail): string {
  if (typeof value !== 'string' || !FLEET_NAME.test(value)) {
    return fail(`"${field}" is ${describe(value)}`, 'use the fleet\'s name in lowercase, e.g. "web-prod"');
  }
  return value;
}

/** The rollout as written (stable key order; `stepServedAt` and `abort` only when set). @internal */
export function formatRollout(rollout: Rollout): Record<string, unknown> {
  return {
    steps: [...rollout.steps],
    bakeSeconds: rollout.bakeSeconds,
    alarms: [...rollout.alarms],
    ...(rollout.alarmSlots ? { alarmSlots: { ...rollout.alarmSlots } } : {}),
    fleet: rollout.fleet,
    step: rollout.step,
    startedAt: rollout.startedAt,
    stepStartedAt: rollout.stepStartedAt,
    ...(rollout.stepServedAt ? { stepServedAt: rollout.stepServedAt } : {}),
    status: rollout.status,
    endedAt: rollout.endedAt ?? null,
    ...(rollout.abort
      ? {
          abort: {
            by: rollout.abort.by,
            ...(rollout.abort.alarm !== undefined ? { alarm: rollout.abort.alarm } : {}),
            ...(rollout.abort.check !== undefined ? { check: rollout.abort.check } : {}),
            reason: rollout.abort.reason,
            ...(rollout.abort.region !== undefined ? { region: rollout.abort.region } : {}),
            ...(rollout.abort.servedAt !== undefined ? { servedAt: rollout.abort.servedAt } : {}),
          },
        }
      : {}),
    ...(rollout.regions ? { regions: [...rollout.regions] } : {}),
    ...(rollout.analysis
      ? {
          analysis: {
            file: rollout.analysis.file,
            record: rollout.analysis.record ? formatAnalysisRecord(rollout.analysis.record) : null,
            heldSince: rollout.analysis.heldSince ?? null,
          },
        }
      : {}),
    ...(rollout.verify !== undefined ? { verify: rollout.verify } : {}),
    ...(rollout.testUrl !== undefined ? { testUrl: rollout.testUrl } : {}),
  };
}

/** The policy as written (stable key order; only the fields set). @internal */
export function formatPolicy(policy: RolloutPolicy): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of POLICY_FIELDS as Array<keyof RolloutPolicy>) {
    const value = policy[key];
    if (value === undefined) {
      continue;
    }
    if (key === 'freeze') {
      out[key] = formatFreezeWindows(value as readonly FreezeWindow[]);
    } else if (key === 'stageFrom') {
      out[key] = formatStageFrom(value as StageFromRule);
    } else {
      out[key] = Array.isArray(value) ? [...(value as unknown[])] : isPlainObject(value) ? { ...value } : value;
    }
  }
  return out;
}

function stringList(value: unknown, field: string, fail: Fail): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    return fail(
      `"${field}" is ${describe(value)}`,
      'use a list of CloudWatch alarm names such as ["web-prod-green-5xx-rate"]',
    );
  }
  try {
    checkAlarmNames(value as string[], field);
  } catch (error) {
    return fail(`"${field}": ${(error as Error).message.replace(/\.$/, '')}`, 'fix the list');
  }
  return [...value] as string[];
}

function unknownFields(data: Record<string, unknown>, fields: readonly string[], where: string, fail: Fail): void {
  for (const key of Object.keys(data)) {
    if (!fields.includes(key)) {
      fail(`"${where}.${key}" is not a ${where} field`, `remove it (fields: ${fields.join(', ')})`);
    }
  }
}
