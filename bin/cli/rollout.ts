// The rollout subcommands of `cdktf-immutable release`: promote with steps, advance,
// run, and the rollout part of status. Only they load the AWS SDK
// (bin/cli/rollout-aws.ts requires it inside its functions).
import { spawn } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { isAbsolute, join, relative, resolve } from 'path';
import { optionValue, ParsedArgs } from './args';
import { credentialsConfigured } from './aws-sdk-config';
import { CliError, EXIT_OK, EXIT_REFUSED } from './errors';
import type { CliIo } from './io';
import { packageInfo } from './package-info';
import { REGION } from 'cdktf-immutable/names';
import { notify, rolloutEvent, RolloutEventName, runVerify, verifyEnvironment } from './rollout-hooks';
import {
  abortRollout,
  abortText,
  AdvanceOutcome,
  advanceRollout,
  alarmSlotOf,
  Analysis,
  applyWatchdogRecord,
  checkVetoes,
  formatDuration,
  formatReleaseFile,
  loadAnalysisFile,
  otherSlot,
  parseDuration,
  parseSteps,
  promoteRelease,
  releaseArguments,
  ReleaseFile,
  releaseLabel,
  ReleaseRefusedError,
  ReleaseStore,
  releaseWeights,
  Rollout,
  RolloutInputError,
  RolloutReader,
  startRollout,
  VerifyResult,
  WatchdogRecord,
} from 'cdktf-immutable/release';

/** Exit code of a command stopped by SIGINT or SIGTERM (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

/** The shortest `--interval` of `release run`: each pass reads AWS, so it never spins. */
export const MIN_INTERVAL_SECONDS = 5;

/** The options that make a promote a rollout. */
export const ROLLOUT_OPTIONS = ['steps', 'bake', 'fleet-tag', 'analysis', 'verify', 'test-url'] as const;

/** The test route of a slot as the verification command gets it. */
export interface TestRouteLocation {
  readonly url: string;
  readonly header?: string;
}

/** What the rollout commands read and run; tests replace parts of it. */
export interface RolloutDeps {
  /** The AWS reader (default: the SDK, with --region). */
  readonly reader?: RolloutReader;
  /** Finds the staged slot's test route (default: the SDK). */
  readonly testRoute?: (fleet: string, slot: 'blue' | 'green') => Promise<TestRouteLocation | undefined>;
}

/** What a promote did: the file written, how its alarms were checked, the abort of a failed verification. */
export interface PromoteResult {
  readonly after: ReleaseFile;
  /** How the rollout's alarms were checked with AWS (or why not), when it started one with alarms. */
  readonly checked?: string;
  /** The rollout aborted by its verification command before its first step. */
  readonly aborted?: AdvanceOutcome;
}

/** How a promote checks a new rollout's alarms with AWS: when it can, always, or never. */
export type AlarmCheckMode = 'auto' | 'always' | 'never';

/**
 * `release promote`: a rollout when --steps, --bake, --alarm, --fleet-tag, --analysis,
 * --verify or --test-url is given or the environment's policy requires one, else the
 * plain or canary promote. `rules` (vetoed images, freeze windows) are checked on the
 * change. A new rollout's alarms are checked with CloudWatch `DescribeAlarms` first (see
 * {@link checkAlarms}; `mode`). With a verification command (--verify, or the policy's),
 * the command runs against the staged slot's test route before anything is written: a
 * failure records the rollout as aborted by the verification at its first step, before
 * any weight moved. Nothing is written when a check refuses.
 */
export function promoteCommand(
  store: ReleaseStore,
  env: string,
  args: ParsedArgs,
  canary: number | undefined,
  io: CliIo,
  options: { mode?: AlarmCheckMode; rules?: ReleaseRulesLike; deps?: RolloutDeps } = {},
): PromoteResult | Promise<PromoteResult> {
  const { mode = 'auto', rules, deps = {} } = options;
  const alarms = args.lists.get('alarm') ?? [];
  const given = ROLLOUT_OPTIONS.filter((name) => args.options.has(name))
    .map((name) => `--${name}`)
    .concat(alarms.length ? ['--alarm'] : []);
  if (canary !== undefined && given.length > 0) {
    throw new CliError(
      `release promote: --canary cannot be combined with ${given.join(', ')}; a rollout sets the canary weight ` +
        `itself (its first step). Use --steps for a stepped rollout, or --canary alone.`,
    );
  }
  const stepsText = optionValue(args, 'steps');
  const steps = stepsText === undefined ? undefined : parseSteps(stepsText);
  const bakeText = optionValue(args, 'bake');
  const bakeSeconds = bakeText === undefined ? undefined : parseDuration(bakeText, '--bake');
  const fleet = optionValue(args, 'fleet-tag');
  const forceRolledBack = args.options.has('force-rolled-back');
  const analysisPath = optionValue(args, 'analysis');
  const analysis = analysisPath === undefined ? undefined : analysisFileOption(store, analysisPath);
  const verify = optionValue(args, 'verify');
  if (verify !== undefined && verify.trim() === '') {
    throw new CliError(
      'release promote: --verify needs a command, e.g. --verify "curl -fsS $CDKTF_IMMUTABLE_TEST_URL/health".',
    );
  }
  const testUrl = optionValue(args, 'test-url');
  const now = rules?.now ?? new Date();
  const change = (release: ReleaseFile): ReleaseFile => {
    const rollout = given.length > 0 || (canary === undefined && release.policy?.requireRollout === true);
    const changed = rollout
      ? startRollout(release, {
          steps,
          bakeSeconds,
          alarms,
          fleet,
          now,
          forceRolledBack,
          analysis,
          verify,
          testUrl,
        })
      : promoteRelease(release, canary, { forceRolledBack, now });
    return rules ? rules.apply('promote', release, changed) : changed;
  };
  // a plain promote is decided under the lock; a rollout is first tried on the file as it
  // is now, so that a refused one calls no AWS and runs nothing
  const current = store.load(env);
  if (!(given.length > 0 || (canary === undefined && current.policy?.requireRollout === true))) {
    return { after: store.update(env, change).after };
  }
  let planned: ReleaseFile;
  try {
    planned = change(current);
  } catch {
    // refused: refused again under the lock, which also takes over a stale lock and
    // removes a killed writer's temporary files
    return { after: store.update(env, change).after };
  }
  const started = planned.rollout !== undefined && planned.rollout !== current.rollout ? planned.rollout : undefined;
  if (started?.analysis) {
    loadAnalysis(store, started.analysis.file);
  }
  const region = store.region ?? optionValue(args, 'region');
  const verifying = started?.verify !== undefined && started.status === 'running';
  const names = started?.alarms ?? [];
  const offline = mode === 'never' || (mode === 'auto' && !credentialsConfigured());
  if (!verifying && (names.length === 0 || offline)) {
    const { after } = store.update(env, change);
    return { after, checked: names.length > 0 ? notChecked(mode) : undefined };
  }
  return (async () => {
    const checked =
      names.length === 0
        ? undefined
        : offline
          ? notChecked(mode)
          : await checkAlarms(names, region, mode, current.policy?.roleArn);
    if (verifying) {
      const result = await promoteVerified(store, env, current, change, io, deps, region);
      return { ...result, checked };
    }
    const { after } = store.update(env, (release) => {
      unchangedSince(current, release, env, 'the alarms were checked', PROMOTE_AGAIN);
      return change(release);
    });
    return { after, checked };
  })();
}

/** The line a promote prints when it did not check a rollout's alarms with AWS. */
function notChecked(mode: AlarmCheckMode): string {
  const why =
    mode === 'never'
      ? ' (--no-check-alarms)'
      : ': no AWS credentials are configured (environment, ~/.aws); a misspelled alarm is found only by ' +
        '"release advance". Pass --check-alarms to check them with the default credential chain';
  return `alarms not checked with AWS${why}.`;
}

/** What a promote refused by a concurrent change says to do. */
const PROMOTE_AGAIN = 'Run the promote again.';

/**
 * Refuses a write when another command changed the file while this one read AWS or ran a
 * command (`what`): nothing is written, and `again` says what to run.
 */
function unchangedSince(before: ReleaseFile, current: ReleaseFile, label: string, what: string, again: string): void {
  if (formatReleaseFile(current) !== formatReleaseFile(before)) {
    throw new ReleaseRefusedError(`${label}: the release file changed while ${what}; nothing was written. ${again}`);
  }
}

/**
 * Checks that every alarm of a new rollout exists (CloudWatch `DescribeAlarms`): a
 * misspelled name would otherwise be found only by `release advance`, after the first
 * step is deployed. A missing alarm refuses the promote (exit 1, nothing written). When
 * the check is not required (`auto`), missing credentials or an unreachable endpoint
 * skip it, and the line returned says so; with `--check-alarms` they are exit 2.
 */
async function checkAlarms(
  names: readonly string[],
  region: string | undefined,
  mode: AlarmCheckMode,
  roleArn?: string,
): Promise<string> {
  let found: string[];
  try {
    found = (await awsReader(region, roleArn).readAlarms(names)).map((alarm) => alarm.name);
  } catch (error) {
    const kind = (error as { kind?: string }).kind;
    if (mode === 'auto' && (kind === 'credentials' || kind === 'unreachable')) {
      return (
        `alarms not checked with AWS (${(error as Error).message}); a misspelled alarm is found only by ` +
        '"release advance".'
      );
    }
    throw new CliError(
      `release promote: the alarms could not be checked: ${(error as Error).message} Nothing was written; or ` +
        'pass --no-check-alarms to start the rollout without checking them.',
    );
  }
  const missing = names.filter((name) => !found.includes(name));
  if (missing.length > 0) {
    const where = region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "the AWS profile's region";
    throw new ReleaseRefusedError(
      `the alarm${missing.length > 1 ? 's' : ''} ${missing.map((name) => `"${name}"`).join(', ')} ` +
        `${missing.length > 1 ? 'do' : 'does'} not exist in ${where} (CloudWatch DescribeAlarms found ` +
        `${found.length ? found.join(', ') : 'none of them'}); nothing was written. Fix the name (the fleet's own ` +
        'alarms are <fleet>-<slot>-5xx-rate...), create the alarm first, or name the region with --region.',
    );
  }
  return `alarms checked with AWS: ${names.join(', ')} exist.`;
}

/** The promotion rules a command checks on a change (release.ts `releaseRules`). */
export interface ReleaseRulesLike {
  readonly now: Date;
  apply(command: 'stage' | 'promote' | 'advance', before: ReleaseFile, after: ReleaseFile): ReleaseFile;
}

/** `--analysis <path>` (relative to the working folder) as the rollout records it: relative to the release files. */
function analysisFileOption(store: ReleaseStore, path: string): string {
  if (path.trim() === '') {
    throw new CliError('release promote: --analysis needs a file, e.g. --analysis analysis/prod.json.');
  }
  const absolute = resolve(path);
  if (!existsSync(absolute)) {
    throw new CliError(`release promote: --analysis "${path}" does not exist (${absolute}); name the analysis file.`);
  }
  return relative(store.directory, absolute).split('\\').join('/');
}

/** The rollout's analysis file, loaded (JSON, or YAML by its extension), relative to the release files' folder. */
export function loadAnalysis(store: ReleaseStore, file: string): Analysis {
  const path = isAbsolute(file) ? file : join(store.directory, file);
  return loadAnalysisFile(path, {
    parseYaml: (text) => (require('yaml') as typeof import('yaml')).parse(text),
  });
}

/**
 * The first step with a verification command: runs it against the test route, then
 * writes the started rollout, or, when it failed, the rollout aborted by it (nothing was
 * deployed in between, so no weight ever moved and the abort is served at once).
 */
async function promoteVerified(
  store: ReleaseStore,
  env: string,
  before: ReleaseFile,
  start: (release: ReleaseFile, now: Date) => ReleaseFile,
  io: CliIo,
  deps: RolloutDeps,
  region: string | undefined,
): Promise<{ after: ReleaseFile; aborted?: AdvanceOutcome }> {
  const result = await verifyRelease(start(before, new Date()), io, deps, region, true);
  const unchanged = (current: ReleaseFile) =>
    unchangedSince(before, current, env, 'the verification ran', PROMOTE_AGAIN);
  if (result.ok) {
    const { after } = store.update(env, (current) => {
      unchanged(current);
      return start(current, new Date());
    });
    io.out(`verification passed before the first step: ${result.reason}\n`);
    return { after };
  }
  let aborted: AdvanceOutcome | undefined;
  const { after } = store.update(env, (current) => {
    unchanged(current);
    const outcome = abortRollout(
      start(current, new Date()),
      { by: 'verify', reason: result.reason },
      new Date(),
      `${env}: rollout aborted before its first step: the verification command failed (${result.reason}); no ` +
        'weight moved.',
    );
    const rollout = outcome.release.rollout!;
    aborted = {
      ...outcome,
      deployed: true,
      release: {
        ...outcome.release,
        rollout: { ...rollout, abort: { ...rollout.abort!, servedAt: rollout.endedAt } },
      },
    };
    return aborted.release;
  });
  return { after, aborted };
}

/**
 * Runs the rollout's verification command against the test route of the staged (canary)
 * slot, before the first step (`first`) or before the step after the current one.
 */
async function verifyRelease(
  release: ReleaseFile,
  io: CliIo,
  deps: RolloutDeps,
  region: string | undefined,
  first = false,
): Promise<VerifyResult> {
  const rollout = release.rollout!;
  const slot = otherSlot(release.active);
  const find = rollout.testUrl
    ? async () => ({ url: rollout.testUrl! })
    : (deps.testRoute ??
      (async (fleet: string, s: 'blue' | 'green') => {
        const aws = require('./rollout-aws') as typeof import('./rollout-aws');
        const clients = aws.createRolloutAwsClients({ region: checkRegion(region) });
        return aws.call('Elastic Load Balancing (the test route)', () => aws.readTestRoute(clients.elbv2, fleet, s));
      }));
  const route = await find(rollout.fleet, slot);
  if (!route) {
    throw new RolloutInputError(
      `${release.environment}: the rollout has a verification command but no test URL, and the load balancer of ` +
        `fleet ${rollout.fleet} has no test route to slot ${slot} (a listener, or a rule with an http-header ` +
        'condition, that forwards to that slot alone); nothing was written. Give --test-url <url> to the promote ' +
        '(or "policy.testUrl"), give the fleet a test route and deploy it, or leave out --verify.',
    );
  }
  // before the first step: the first weight; before a next step: that step's weight
  const next = rollout.steps[first ? 0 : Math.min(rollout.step + 1, rollout.steps.length - 1)];
  return runVerify(rollout.verify!, verifyEnvironment(release, rollout.fleet, route, next), io);
}

/** Text lines about a release's rollout for `release status` (none without one). */
export function rolloutLines(release: ReleaseFile, now: Date, alarms?: AlarmStates): string[] {
  const rollout = release.rollout;
  if (!rollout) {
    return [];
  }
  const idle = otherSlot(release.active);
  const steps = rollout.steps.map((step, i) => (i === rollout.step ? `[${step}]` : String(step))).join(' -> ');
  const lines: string[] = [];
  if (rollout.status === 'running') {
    const left = bakeLeft(rollout, now);
    lines.push(
      `    rollout: running, step ${rollout.step + 1} of ${rollout.steps.length} (${release.canary}% to slot ` +
        `${idle}): ${steps}`,
    );
    const served = rollout.stepServedAt
      ? `step served since ${rollout.stepServedAt}`
      : 'step not yet served (the bake starts when "release advance" sees the load balancer serve it with healthy ' +
        'targets)';
    const bake = formatDuration(rollout.bakeSeconds);
    const baking =
      left > 0
        ? `${formatDuration(left)} left of ${bake}`
        : `done (${bake}); "release advance ${releaseArguments(release)}" moves on`;
    lines.push(`    bake: ${baking}; fleet ${rollout.fleet}; started ${rollout.startedAt}; ${served}`);
    const slotOf = (name: string) => {
      const slot = alarmSlotOf(rollout, name, idle);
      return `${slot} ${slot === idle ? 'canary' : 'stable'}`;
    };
    if (rollout.alarms.length === 0) {
      lines.push('    alarms: none');
    } else if (alarms === undefined || 'error' in alarms) {
      lines.push(
        `    alarms: not read (${alarms === undefined ? 'not asked' : alarms.error}): ` +
          rollout.alarms.map((name) => `${name} (${slotOf(name)})`).join(', '),
      );
    } else {
      lines.push(
        `    alarms: ${rollout.alarms
          .map((name) => `${name} (${slotOf(name)}) ${alarms.states[name] ?? 'NOT FOUND'}`)
          .join(', ')}`,
      );
    }
    if (rollout.analysis) {
      const record = rollout.analysis.record;
      const held = rollout.analysis.heldSince ? `; held since ${rollout.analysis.heldSince}` : '';
      lines.push(
        `    analysis: ${rollout.analysis.file}: ${
          record ? `${record.verdict} at ${record.evaluatedAt}` : 'not evaluated yet'
        }${held}`,
      );
    }
    if (rollout.verify !== undefined) {
      lines.push(`    verify: ${rollout.verify}${rollout.testUrl ? ` (test URL ${rollout.testUrl})` : ''}`);
    }
  } else if (rollout.status === 'complete') {
    lines.push(`    last rollout: complete at ${rollout.endedAt} (${steps}, fleet ${rollout.fleet})`);
  } else {
    const served = rollout.abort?.servedAt;
    const pending =
      served === null
        ? `; the abort is NOT deployed yet: "cdktf-immutable release run ${releaseArguments(release)}" deploys it ` +
          `(or deploy, then "release advance ${releaseArguments(release)}")`
        : served
          ? `; served since ${served}`
          : '';
    lines.push(
      `    last rollout: aborted at ${rollout.endedAt}, step ${rollout.step + 1} of ${rollout.steps.length} ` +
        `(${abortText(rollout)})${pending}`,
    );
  }
  return lines;
}

/** The rollout for `release status --json`. */
export function rolloutJson(release: ReleaseFile, now: Date, alarms?: AlarmStates): Record<string, unknown> | null {
  const rollout = release.rollout;
  if (!rollout) {
    return null;
  }
  return {
    ...rollout,
    stepServedAt: rollout.stepServedAt ?? null,
    weight: rollout.status === 'running' ? release.canary : null,
    bakeSecondsLeft: rollout.status === 'running' ? Math.max(0, Math.ceil(bakeLeft(rollout, now))) : null,
    alarmStates: alarms === undefined ? null : 'error' in alarms ? { notRead: alarms.error } : alarms.states,
  };
}

/** Alarm states read for status, or why they were not. */
export type AlarmStates = { readonly states: Record<string, string> } | { readonly error: string };

/** What status found in a fleet's watchdog record: an abort it wrote into the file, nothing, or why it was not read. */
export type WatchdogStatus =
  | { readonly written: true; readonly message: string }
  | { readonly written: false; readonly message?: string; readonly error?: string };

/**
 * Reads the alarm states of the running rollouts for `release status`; never fails:
 * offline, each says why it was not read.
 */
export async function readStatusAlarms(
  releases: readonly ReleaseFile[],
  region: string | undefined,
  reader?: RolloutReader,
): Promise<Map<string, AlarmStates>> {
  const out = new Map<string, AlarmStates>();
  const running = releases.filter(
    (release) => release.rollout?.status === 'running' && release.rollout.alarms.length > 0,
  );
  if (running.length === 0) {
    return out;
  }
  try {
    reader ??= awsReader(region);
  } catch (error) {
    running.forEach((release) => out.set(releaseLabel(release), { error: (error as Error).message }));
    return out;
  }
  for (const release of running) {
    try {
      const own = release.region === undefined && release.policy?.roleArn === undefined ? reader : undefined;
      const readings = await (own ?? awsReader(release.region ?? region, release.policy?.roleArn)).readAlarms(
        release.rollout!.alarms,
      );
      out.set(releaseLabel(release), {
        states: Object.fromEntries(readings.map((alarm) => [alarm.name, alarm.state])),
      });
    } catch (error) {
      out.set(releaseLabel(release), { error: (error as Error).message });
    }
  }
  return out;
}

/** The fleet whose watchdog guards a release's canary: the running rollout's, else the policy's. */
export function watchedFleet(release: ReleaseFile): string | undefined {
  if (release.canary === 0) {
    return undefined;
  }
  return release.rollout?.status === 'running' ? release.rollout.fleet : release.policy?.fleet;
}

/**
 * `release status`: for each release whose canary has traffic, reads its fleet's
 * watchdog record and, when the watchdog aborted that canary, writes the abort into the
 * file (under the lock, as `advance` does). Never fails: offline, each says why it was
 * not read. Returns the releases as they are now.
 */
export async function reconcileWatchdog(
  root: ReleaseStore,
  releases: readonly ReleaseFile[],
  region: string | undefined,
  io: CliIo,
  shared?: RolloutReader,
): Promise<{ releases: ReleaseFile[]; statuses: Map<string, WatchdogStatus> }> {
  const statuses = new Map<string, WatchdogStatus>();
  const out: ReleaseFile[] = [];
  for (const release of releases) {
    const fleet = watchedFleet(release);
    const label = releaseLabel(release);
    if (fleet === undefined) {
      out.push(release);
      continue;
    }
    let record: WatchdogRecord | undefined;
    let reader: RolloutReader;
    try {
      // the file's own region and role (a fleet released per region, an environment in another account)
      const own = release.region === undefined && release.policy?.roleArn === undefined ? shared : undefined;
      reader = own ?? awsReader(release.region ?? region, release.policy?.roleArn);
      if (!reader.readWatchdogRecord) {
        out.push(release);
        continue;
      }
      record = await reader.readWatchdogRecord(fleet);
    } catch (error) {
      statuses.set(label, { written: false, error: (error as Error).message });
      out.push(release);
      continue;
    }
    const verdict = applyWatchdogRecord(release, record, new Date());
    if (!verdict.applies) {
      statuses.set(label, { written: false, message: record ? verdict.why : 'no watchdog record' });
      out.push(release);
      continue;
    }
    const recorded = await servedNow(verdict.release, fleet, reader);
    const [store] = root.select({ fleet: release.fleet, region: release.region });
    const { after } = store.update(release.environment, (current) => {
      unchangedSince(release, current, label, 'status read AWS', 'Run "cdktf-immutable release status" again.');
      return recorded;
    });
    statuses.set(label, { written: true, message: verdict.message });
    await notifyOutcome('aborted', after, verdict.message, io, release.region ?? region);
    out.push(after);
  }
  return { releases: out, statuses };
}

/**
 * A rollout aborted by the watchdog, with `abort.servedAt` now when the load balancer
 * already serves the file's weights (read once; unread or different: left null, and the
 * next advance or run confirms or deploys it).
 */
async function servedNow(release: ReleaseFile, fleet: string, reader: RolloutReader): Promise<ReleaseFile> {
  const rollout = release.rollout;
  if (rollout?.status !== 'aborted' || !rollout.abort || rollout.abort.servedAt !== null) {
    return release;
  }
  let weights: Readonly<Record<'blue' | 'green', number>> | undefined;
  try {
    weights = (await reader.readTraffic(fleet)).weights;
  } catch {
    return release;
  }
  const expected = releaseWeights(release);
  if (!weights || weights.blue !== expected.blue || weights.green !== expected.green) {
    return release;
  }
  return { ...release, rollout: { ...rollout, abort: { ...rollout.abort, servedAt: new Date().toISOString() } } };
}

/** Sends an event to the release's policy targets (none: nothing). */
async function notifyOutcome(
  event: RolloutEventName,
  release: ReleaseFile,
  message: string,
  io: CliIo,
  region: string | undefined,
): Promise<void> {
  await notify(release.policy?.notify, rolloutEvent(event, release, message), io, region);
}

/** Sends the `started` event of a promote that started a rollout (or `aborted`, when its verification failed). */
export async function notifyPromote(
  release: ReleaseFile,
  aborted: boolean,
  message: string,
  io: CliIo,
  region: string | undefined,
): Promise<void> {
  if (release.rollout) {
    await notifyOutcome(aborted ? 'aborted' : 'started', release, message, io, region);
  }
}

/** The event an outcome of advance sends, if any. */
function eventOf(outcome: AdvanceOutcome): RolloutEventName | undefined {
  switch (outcome.kind) {
    case 'served':
      return 'step-served';
    case 'aborted':
      return 'aborted';
    case 'completed':
      return 'complete';
    default:
      return undefined;
  }
}

/**
 * One `release advance`: reads AWS, decides, writes the file when it changed, sends the
 * event. A step that would give a vetoed image more traffic is refused (nothing written).
 */
async function advanceOnce(
  store: ReleaseStore,
  env: string,
  reader: RolloutReader,
  io: CliIo,
  deps: RolloutDeps,
  region: string | undefined,
): Promise<AdvanceOutcome> {
  const before = store.load(env);
  const rollout = before.rollout;
  const analysis =
    rollout?.status === 'running' && rollout.analysis ? loadAnalysis(store, rollout.analysis.file) : undefined;
  const outcome = await advanceRollout(before, reader, () => new Date(), {
    analysis,
    verify: (release) => verifyRelease(release, io, deps, region),
  });
  if (outcome.release !== before) {
    checkVetoes(before, outcome.release, store.vetoes(), 'advance');
    store.update(env, (current) => {
      // another command may have changed the file while AWS was read: decide again
      unchangedSince(before, current, env, 'advance read AWS', `Run "cdktf-immutable release advance ${env}" again.`);
      return outcome.release;
    });
  }
  const event = eventOf(outcome);
  if (event) {
    await notifyOutcome(event, outcome.release, outcome.message, io, region);
  }
  return outcome;
}

/**
 * `release advance <env>`: exit 0 (moved on, served, baking, waiting, an abort now
 * served), 1 (aborted, the abort not yet deployed, or held).
 */
export async function advanceCommand(
  store: ReleaseStore,
  env: string,
  args: ParsedArgs,
  io: CliIo,
  deps: RolloutDeps = {},
): Promise<number> {
  const region = store.region ?? optionValue(args, 'region');
  const outcome = await advanceOnce(store, env, deps.reader ?? readerFor(store, env, region), io, deps, region);
  io.out(`${outcome.message}\n`);
  switch (outcome.kind) {
    case 'aborted':
      io.err(
        `cdktf-immutable: release advance: rollout aborted (${abortText(outcome.release.rollout!)}); the release ` +
          `file sends all traffic back to slot ${outcome.release.active}. ${
            outcome.deployed
              ? 'The load balancer already serves it.'
              : `Deploy it now ("cdktf-immutable release run ${env}" deploys it).`
          }\n`,
      );
      return EXIT_REFUSED;
    case 'abort-pending':
      io.err('cdktf-immutable: release advance: the abort of the last rollout is not deployed yet.\n');
      return EXIT_REFUSED;
    case 'held':
      io.err('cdktf-immutable: release advance: the rollout holds (see above).\n');
      return EXIT_REFUSED;
    default:
      return EXIT_OK;
  }
}

/**
 * `release run <env> [--deploy "<command>"]`: advance, deploy when the file changed (or the
 * load balancer does not serve it yet), wait, until the rollout completes or aborts. An
 * abort is deployed until the load balancer serves it (a failed or interrupted deploy
 * leaves the abort recorded as not deployed, and the next run deploys it). A hold waits.
 * SIGINT or SIGTERM stop the loop between steps (a running deploy command gets the signal
 * and is waited for); every write is atomic, so the release file is always whole. Exit 0
 * complete, 1 aborted or the deploy command failed, 130 interrupted.
 */
export async function runCommand(
  store: ReleaseStore,
  env: string,
  args: ParsedArgs,
  io: CliIo,
  deps: RolloutDeps = {},
): Promise<number> {
  const deploy = deployStep(store, env, args);
  const intervalText = optionValue(args, 'interval') ?? '30s';
  const interval = parseDuration(intervalText, '--interval');
  if (interval < MIN_INTERVAL_SECONDS) {
    throw new CliError(
      `release run: --interval "${intervalText}" is below the minimum of ${MIN_INTERVAL_SECONDS}s (each pass reads ` +
        `AWS); use ${MIN_INTERVAL_SECONDS}s or more, such as 30s.`,
    );
  }
  const region = store.region ?? optionValue(args, 'region');
  const reader = deps.reader ?? readerFor(store, env, region);
  let interrupted: NodeJS.Signals | undefined;
  let wake: (() => void) | undefined;
  let child: ReturnType<typeof spawn> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = signal;
    if (child && signal === 'SIGTERM') {
      child.kill('SIGTERM');
    }
    wake?.();
  };
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
    const handler = () => onSignal(signal);
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  const runDeploy = async (): Promise<number> => {
    io.out(`$ ${deploy.shown}\n`);
    return new Promise<number>((resolve, reject) => {
      child =
        deploy.argv === undefined
          ? spawn(deploy.shown, { shell: true, stdio: 'inherit' })
          : spawn(process.execPath, deploy.argv, { stdio: 'inherit' });
      child.on('error', reject);
      child.on('close', (code, signal) => {
        child = undefined;
        resolve(code ?? (signal ? 128 : 1));
      });
    });
  };
  const stopped = () => {
    const pending =
      store.load(env).rollout?.abort?.servedAt === null
        ? ' The abort is recorded as not deployed yet: "release run" deploys it.'
        : '';
    io.err(
      `cdktf-immutable: release run: interrupted (${interrupted}); the release file is consistent ` +
        `(${store.pathOf(env)}).${pending} Continue with "cdktf-immutable release run ${env} ..." or "release ` +
        `advance ${env}".\n`,
    );
    return EXIT_INTERRUPTED;
  };
  const sleep = (seconds: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(1, seconds) * 1000);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).then(() => {
      wake = undefined;
    });
  try {
    let deployedFor: string | undefined;
    for (;;) {
      if (interrupted) {
        return stopped();
      }
      const outcome = await advanceOnce(store, env, reader, io, deps, region);
      io.out(`${outcome.message}\n`);
      const text = formatReleaseFile(outcome.release);
      const changed =
        outcome.kind === 'stepped' || outcome.kind === 'completed' || (outcome.kind === 'aborted' && !outcome.deployed);
      const pending =
        ((outcome.kind === 'waiting' && outcome.deployPending) || outcome.kind === 'abort-pending') &&
        deployedFor !== text;
      if (changed || pending) {
        if (interrupted) {
          return stopped();
        }
        const code = await runDeploy();
        deployedFor = text;
        if (interrupted) {
          return stopped();
        }
        if (code !== 0) {
          const abort = outcome.release.rollout?.status === 'aborted';
          throw new CliError(
            `release run: the deploy command exited ${code}; the release file (${store.pathOf(env)}) holds ` +
              `${describeWeights(outcome.release)}${
                abort
                  ? ', with the abort recorded as not deployed yet: fix the deploy and run "cdktf-immutable release ' +
                    `run ${env}" again (it deploys the abort first)`
                  : '. Fix the deploy and run again'
              }.`,
            EXIT_REFUSED,
          );
        }
      }
      if (outcome.kind === 'completed') {
        io.out(`${env}: rollout complete and deployed.\n`);
        return EXIT_OK;
      }
      if ((outcome.kind === 'aborted' && outcome.deployed) || outcome.kind === 'abort-served') {
        io.err(
          `cdktf-immutable: release run: rollout aborted (${abortText(outcome.release.rollout!)}); traffic is back ` +
            `on slot ${outcome.release.active}.\n`,
        );
        return EXIT_REFUSED;
      }
      if (outcome.kind === 'aborted' || (outcome.kind === 'abort-pending' && pending)) {
        // deployed just now: the next pass confirms that the load balancer serves it
        continue;
      }
      const wait =
        outcome.kind === 'baking' || outcome.kind === 'served' ? Math.min(interval, outcome.secondsLeft) : interval;
      await sleep(wait);
    }
  } finally {
    for (const [signal, handler] of handlers) {
      process.off(signal, handler);
    }
  }
}

function describeWeights(release: ReleaseFile): string {
  const w = releaseWeights(release);
  const idle = otherSlot(release.active);
  return release.canary > 0
    ? `${release.active} ${w[release.active]}% / ${idle} ${w[idle]}%`
    : `${release.active} 100%`;
}

/**
 * The deploy step of `release run`: `--deploy "<command>"` through the shell, else the
 * guarded deploy (`cdktf-immutable deploy <stack> --auto-approve --release <env>`) of
 * `--stack`, or of the one stack of the last synth output (cdktf.json's output folder)
 * named `<env>` or `*-<env>`.
 */
export function deployStep(
  store: ReleaseStore,
  env: string,
  args: ParsedArgs,
): { readonly shown: string; readonly argv?: string[] } {
  const command = optionValue(args, 'deploy');
  const stack = optionValue(args, 'stack');
  if (command !== undefined && stack !== undefined) {
    throw new CliError(
      'release run: give --deploy "<command>" or --stack <stack> (the guarded deploy of that stack), not both.',
    );
  }
  if (command !== undefined) {
    if (command.trim() === '') {
      throw new CliError('release run: --deploy needs a command, e.g. --deploy "make deploy-prod".');
    }
    return { shown: command };
  }
  const name = stack ?? synthesizedStackOf(env, store.fleet, store.region);
  const deployArgs = [
    'deploy',
    name,
    '--auto-approve',
    '--release',
    env,
    '--dir',
    store.root,
    ...(store.fleet !== undefined ? ['--fleet', store.fleet] : []),
  ];
  const built = join(__dirname, '..', 'cdktf-immutable.js');
  const entry = existsSync(built) ? built : join(packageInfo().root, 'dist', 'cdktf-immutable.js');
  return { shown: `cdktf-immutable ${deployArgs.join(' ')}`, argv: [entry, ...deployArgs] };
}

/**
 * The one stack of the last synth output named `<env>` or ending in `-<env>`; of a fleet,
 * one whose name starts with `<fleet>-`; of a region, one that ends in `-<env>-<region>`.
 */
function synthesizedStackOf(env: string, fleet?: string, region?: string): string {
  const hint =
    `name the stack with --stack <stack> (the guarded deploy of "cdktf-immutable deploy"), or give a command with ` +
    `--deploy "<command>"`;
  let output = 'cdktf.out';
  try {
    const config = JSON.parse(readFileSync('cdktf.json', 'utf8')) as { output?: unknown };
    output = typeof config.output === 'string' && config.output ? config.output : output;
  } catch {
    throw new CliError(`release run: no readable cdktf.json in ${process.cwd()} to find the stack of ${env}; ${hint}.`);
  }
  let stacks: string[];
  try {
    const manifest = JSON.parse(readFileSync(join(output, 'manifest.json'), 'utf8')) as { stacks?: object };
    stacks = Object.keys(manifest.stacks ?? {});
  } catch {
    throw new CliError(
      `release run: no synth output in ${output} to find the stack of ${env} ("cdktf synth"), or ${hint}.`,
    );
  }
  const matches = stacks.filter((name) => {
    const base = region !== undefined && name.endsWith(`-${region}`) ? name.slice(0, -region.length - 1) : name;
    if (region !== undefined && base === name) {
      return false;
    }
    return (base === env || base.endsWith(`-${env}`)) && (fleet === undefined || name.startsWith(`${fleet}-`));
  });
  if (matches.length !== 1) {
    throw new CliError(
      `release run: ${matches.length ? `several stacks (${matches.join(', ')})` : 'no stack'} of ${output} ` +
        `named ${env} or *-${env}; ${hint}.`,
    );
  }
  return matches[0];
}

/** Seconds of bake left; all of it while the step is not yet served (the bake has not started). */
function bakeLeft(rollout: Rollout, now: Date): number {
  if (!rollout.stepServedAt) {
    return rollout.bakeSeconds;
  }
  return rollout.bakeSeconds - (now.getTime() - Date.parse(rollout.stepServedAt)) / 1000;
}

/** A --region as given, checked. */
function checkRegion(region: string | undefined): string | undefined {
  if (region !== undefined && !REGION.test(region)) {
    throw new CliError(`--region "${region}" is not an AWS region; use a name such as eu-west-1.`);
  }
  return region;
}

/**
 * The AWS reader of an environment: its region (a fleet released per region: the file's
 * region; else --region, AWS_REGION...) and its `policy.roleArn`, assumed with the
 * default credential chain.
 */
export function readerFor(store: ReleaseStore, env: string, region: string | undefined): RolloutReader {
  return awsReader(store.region ?? region, store.load(env).policy?.roleArn);
}

/** The AWS reader, loading the SDK now (only advance, run and status of a rollout or canary get here). */
export function awsReader(region: string | undefined, roleArn?: string): RolloutReader {
  const aws = require('./rollout-aws') as typeof import('./rollout-aws');
  return aws.awsRolloutReader(aws.createRolloutAwsClients({ region: checkRegion(region), roleArn }));
}
