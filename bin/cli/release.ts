import { existsSync } from 'fs';
import { join, relative, resolve } from 'path';
import { optionValue, parseArgs, ParsedArgs } from './args';
import { CliError, EXIT_BAD_INPUT, EXIT_OK, EXIT_REFUSED } from './errors';
import type { CliIo } from './io';
import type { LiveReader, LiveStatus } from './live-check';
import { AMI_ID } from 'cdktf-immutable/names';
import {
  alarmSlotOf,
  AnalysisFileError,
  otherSlot,
  promoteRelease,
  ReleaseFile,
  ReleaseFileError,
  ReleaseLockedError,
  ReleaseRefusedError,
  ReleaseStore,
  releaseWeights,
  rollbackRelease,
  RolloutInputError,
  SLOT_NAMES,
  SlotName,
  stagedSlotOf,
  stageRelease,
  stageSameImage,
} from 'cdktf-immutable/release';
import {
  advanceCommand,
  AlarmStates,
  awsReader,
  notifyPromote,
  promoteCommand,
  readStatusAlarms,
  reconcileWatchdog,
  RolloutDeps,
  rolloutJson,
  rolloutLines,
  runCommand,
  watchedFleet,
  WatchdogStatus,
} from './rollout';

export const RELEASE_USAGE = `Usage: cdktf-immutable release <subcommand> [options]

  release init <env>                              Create releases/<env>.json (both slots empty).
  release stage <env> --image <ami-id> [--slot <blue|green>]
                                                  Put an image in the idle slot (no traffic moves).
  release stage <env> --from <other-env>          Stage the image that is active in <other-env>.
  release stage <env> --same-image                A settings-only release: stage the active slot's image
                                                  into the idle slot, which takes the code's current
                                                  server settings (user data, instance type...); the
                                                  serving and rollback slots stay pinned. Then deploy
                                                  and promote as for a new image.
  release stage <env> --from-ssm <parameter> [--region <region>]
  release stage <env> --from-pipeline <name> [--region <region>]
                                                  Stage the AMI id in an SSM parameter (--from-pipeline:
                                                  the AMI pipeline's /images/<name>/ami-id, the newest
                                                  build), after checking with AWS that the AMI exists
                                                  and is available in the region (--region, else
                                                  AWS_REGION or AWS_DEFAULT_REGION; AWS_ENDPOINT_URL
                                                  is honoured).
  release promote <env> [--canary <percent>] [--force-rolled-back]
                                                  Move traffic to the idle slot, or send it a share.
                                                  --canary 0 ends a canary. A slot whose release was
                                                  rolled back is promoted only with --force-rolled-back.
  release promote <env> --steps 10,50,100 [--bake 10m] [--alarm <name>[@canary|@stable]]...
                [--fleet <name>] [--analysis <file>] [--verify "<command>" [--test-url <url>]]
                [--region <region>]
                                                  Start a rollout: the first step's weight now, the
                                                  next ones by "advance" (defaults: "policy" in the
                                                  release file; bake 0s..24h as 30s, 10m, 1h). The
                                                  fleet's own alarms (<fleet>-<slot>-...) belong to
                                                  their slot; name the slot of any other alarm with
                                                  @canary (aborts) or @stable (holds). --analysis:
                                                  metric checks and baseline comparisons evaluated
                                                  at each step (JSON or YAML). --verify: a command
                                                  run against the staged slot's test route
                                                  (CDKTF_IMMUTABLE_TEST_URL: --test-url, else
                                                  "policy.testUrl", else the listener or header rule
                                                  that forwards to that slot alone) before the first
                                                  weight moves and before each next step; a failure
                                                  aborts.
  release advance <env> [--region <region>]       Move a rollout one step once the bake time passed,
                                                  the load balancer serves the recorded weights, the
                                                  targets are healthy and the analysis passed; abort
                                                  it (exit 1) on an alarm of the canary slot, a
                                                  failed analysis or verification, or the watchdog's
                                                  record; hold it (exit 1, nothing written) on an
                                                  alarm of the stable slot. Safe to run on a timer.
                                                  The bake counts from the first advance that sees
                                                  the step served and the groups' desired count of
                                                  targets healthy (recorded as stepServedAt). An
                                                  abort not yet deployed: exit 1 until it is.
  release run <env> [--stack <stack> | --deploy "<command>"] [--interval 30s] [--region <region>]
                                                  Loop advance -> deploy -> wait until the rollout
                                                  completes or aborts (Ctrl-C stops it, exit 130);
                                                  an abort is deployed until the load balancer
                                                  serves it. The deploy is the guarded
                                                  "cdktf-immutable deploy <stack> --auto-approve" of
                                                  --stack (default: the stack of cdktf.out named
                                                  <env> or *-<env>), or --deploy "<command>" through
                                                  the shell. --interval: at least 5s.
  release rollback <env>                          Move traffic back to the previous slot (once: a
                                                  second rollback is refused); aborts a rollout.
  release status [<env>] [--json] [--live [--fleet <name>] [--synth <dir>] [--region <region>]]
                                                  Show slots, images, weights, the active slot, the
                                                  rollback target, and which slot is staged (follows the
                                                  code) or pinned (keeps what it was deployed with).
                                                  --live reads the weights the load balancer serves (the
                                                  fleet: --fleet, the file's rollout or policy fleet, else
                                                  the one tagged <env> or *-<env>) and exits 1 when they
                                                  are neither the file's weights nor those it served
                                                  before its last change ("served"); and the launch
                                                  template each pinned slot runs, against the one the
                                                  synthesized stack defines (cdktf.out, or --synth),
                                                  naming the command that ships a difference. A
                                                  canary's watchdog record (the fleet's watchdog
                                                  restored the stable weights) is written into the
                                                  file as an abort by the watchdog.

Options for every subcommand:
  --dir <folder>    Folder of the release files. Default: $CDKTF_IMMUTABLE_RELEASES, else the
                    nearest releases/ folder in the current folder or a parent, up to the git
                    repository root ("init" creates releases/ at the repository root when
                    there is none).

After stage, promote, advance (when it wrote a step) or rollback, run "cdktf-immutable
deploy <stack>" (the guarded apply) for that environment. advance, run and status (of a
running rollout, or --live) read AWS with the default credential chain; AWS_ENDPOINT_URL
and AWS_REGION are honoured.
`;

/** What tests replace: the reader of the live listener weights (`status --live`), the rollout's AWS reads. */
export interface ReleaseDeps {
  readonly liveReader?: LiveReader;
  readonly rollout?: RolloutDeps;
}

/** `cdktf-immutable release ...`; advance, run and status (of a running rollout, or --live) are asynchronous. */
export function releaseCommand(argv: readonly string[], io: CliIo, deps: ReleaseDeps = {}): number | Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.out(RELEASE_USAGE);
    return sub === undefined ? EXIT_BAD_INPUT : EXIT_OK;
  }
  const specs: Record<string, { values: string[]; switches: string[]; lists?: string[] }> = {
    init: { values: ['dir'], switches: [] },
    stage: {
      values: ['dir', 'image', 'from', 'slot', 'from-ssm', 'from-pipeline', 'region'],
      switches: ['same-image'],
    },
    promote: {
      values: ['dir', 'canary', 'steps', 'bake', 'fleet', 'analysis', 'verify', 'test-url', 'region'],
      switches: ['force-rolled-back'],
      lists: ['alarm'],
    },
    advance: { values: ['dir', 'region'], switches: [] },
    run: { values: ['dir', 'region', 'deploy', 'stack', 'interval'], switches: [] },
    rollback: { values: ['dir'], switches: [] },
    status: { values: ['dir', 'region', 'fleet', 'synth'], switches: ['json', 'live'] },
  };
  const spec = specs[sub];
  if (!spec) {
    throw new CliError(`release: unknown subcommand "${sub}" (subcommands: ${Object.keys(specs).join(', ')}).`);
  }
  const args = parseArgs(rest, spec, `release ${sub}`);
  try {
    const store = openStore(args, sub, io);
    let result: number | Promise<number>;
    switch (sub) {
      case 'init':
        result = init(store, args, io);
        break;
      case 'stage':
        result = stage(store, args, io);
        break;
      case 'promote':
        result = promote(store, args, io, deps.rollout);
        break;
      case 'advance':
        result = advanceCommand(store, environmentArgument(args, 'advance')!, args, io, deps.rollout);
        break;
      case 'run':
        result = runCommand(store, environmentArgument(args, 'run')!, args, io, deps.rollout);
        break;
      case 'rollback':
        result = rollback(store, args, io);
        break;
      default:
        result = status(store, args, io, deps);
    }
    return typeof result === 'number'
      ? result
      : result.catch((error) => {
          throw cliError(error, sub);
        });
  } catch (error) {
    throw cliError(error, sub);
  }
}

/** A release error as the command line reports it: refused (1) or bad input (2). */
function cliError(error: unknown, sub: string): unknown {
  if (error instanceof ReleaseRefusedError || error instanceof ReleaseLockedError) {
    return new CliError(`release ${sub}: refused: ${error.message}`, EXIT_REFUSED);
  }
  if (
    error instanceof ReleaseFileError ||
    error instanceof RangeError ||
    error instanceof RolloutInputError ||
    error instanceof AnalysisFileError ||
    (error as Error)?.name === 'RolloutAwsError'
  ) {
    return new CliError(`release ${sub}: ${(error as Error).message}`, EXIT_BAD_INPUT);
  }
  return error;
}

/**
 * The releases folder: --dir, else $CDKTF_IMMUTABLE_RELEASES, else the nearest
 * releases/ from the current folder up to the git repository root (as git finds .git).
 */
function openStore(args: ParsedArgs, sub: string, io: CliIo): ReleaseStore {
  const options = { warn: (message: string) => io.err(`${message}\n`) };
  const dir = optionValue(args, 'dir') ?? (process.env.CDKTF_IMMUTABLE_RELEASES || undefined);
  if (dir !== undefined) {
    return new ReleaseStore(resolve(dir), options);
  }
  return sub === 'init'
    ? ReleaseStore.findOrDefault(process.cwd(), options)
    : ReleaseStore.find(process.cwd(), options);
}

function environmentArgument(args: ParsedArgs, sub: string, optional = false): string | undefined {
  if (args.positionals.length > 1) {
    throw new CliError(`release ${sub}: expected one environment, got "${args.positionals.join(' ')}".`);
  }
  const env = args.positionals[0];
  if (env === undefined && !optional) {
    throw new CliError(`release ${sub}: name the environment, e.g. "cdktf-immutable release ${sub} dev".`);
  }
  return env;
}

function init(store: ReleaseStore, args: ParsedArgs, io: CliIo): number {
  const env = environmentArgument(args, 'init')!;
  const release = store.init(env);
  io.out(`created ${store.pathOf(env)}: both slots empty, blue active.\n${nextSteps(release)}`);
  return EXIT_OK;
}

function stage(store: ReleaseStore, args: ParsedArgs, io: CliIo): number | Promise<number> {
  const env = environmentArgument(args, 'stage')!;
  const image = optionValue(args, 'image');
  const from = optionValue(args, 'from');
  const slot = optionValue(args, 'slot');
  const fromSsm = optionValue(args, 'from-ssm');
  const fromPipeline = optionValue(args, 'from-pipeline');
  const sameImage = args.options.has('same-image') ? true : undefined;
  if ([image, from, fromSsm, fromPipeline, sameImage].filter((option) => option !== undefined).length !== 1) {
    throw new CliError(
      'release stage: give exactly one of --image <ami-id>, --from <other-env>, --from-ssm <parameter>, ' +
        '--from-pipeline <name> or --same-image.',
    );
  }
  if (sameImage && slot !== undefined) {
    throw new CliError('release stage: --same-image stages into the idle slot; leave out --slot.');
  }
  if (optionValue(args, 'region') !== undefined && fromSsm === undefined && fromPipeline === undefined) {
    throw new CliError(
      'release stage: --region is only for --from-ssm and --from-pipeline (the region whose parameter and AMI ' +
        'are read).',
    );
  }
  if (image !== undefined && !AMI_ID.test(image)) {
    throw new CliError(
      `release stage: --image "${image}" is not an AMI id; expected "ami-" and 8 or 17 lowercase hex digits, ` +
        `e.g. ami-0123456789abcdef0.`,
    );
  }
  if (slot !== undefined && slot !== 'blue' && slot !== 'green') {
    throw new CliError(`release stage: --slot "${slot}" must be "blue" or "green".`);
  }
  if (from !== undefined && from === env) {
    throw new CliError(`release stage: --from "${from}" is the environment being staged; name another environment.`);
  }
  if (fromSsm !== undefined || fromPipeline !== undefined) {
    // Check the environment's file before calling AWS, and the transition after: a
    // refused stage writes nothing either way.
    store.load(env);
    return stageFromAws(
      store,
      env,
      { fromSsm, fromPipeline, region: optionValue(args, 'region'), slot: slot as SlotName | undefined },
      io,
    );
  }
  if (sameImage) {
    return commitSameImage(store, env, io);
  }
  let staged = image;
  let source = '--image';
  if (from !== undefined) {
    const other = store.load(from);
    staged = other.slots[other.active].image ?? undefined;
    if (staged === undefined) {
      throw new ReleaseRefusedError(`${from} has no active image to stage from.`);
    }
    source = `env:${from}`;
  }
  return commitStage(store, env, staged!, source, slot as SlotName | undefined, io);
}

/** `--from-ssm` / `--from-pipeline`: the AMI read from AWS (the SDK is loaded only here), then staged. */
async function stageFromAws(
  store: ReleaseStore,
  env: string,
  options: { fromSsm?: string; fromPipeline?: string; region?: string; slot?: SlotName },
  io: CliIo,
): Promise<number> {
  const aws = require('./release-from-aws') as typeof import('./release-from-aws');
  const from = aws.awsImageSource(options.fromSsm, options.fromPipeline);
  const region = aws.awsRegion(options.region);
  const image = await aws.resolveAwsImage(from, region, aws.sdkClients(region));
  return commitStage(store, env, image, from.source, options.slot, io);
}

function commitStage(
  store: ReleaseStore,
  env: string,
  staged: string,
  source: string,
  slot: SlotName | undefined,
  io: CliIo,
): number {
  const { before, after } = store.update(env, (release) =>
    stageRelease(release, { image: staged, source, slot, now: new Date() }),
  );
  const target = SLOT_NAMES.find((name) => after.slots[name] !== before.slots[name])!;
  const first = target === after.active;
  const moved = first ? ' (the environment was empty: this slot is active)' : '; no traffic moves';
  const deploy = first
    ? `the first deploy creates the fleet, slot ${target} takes the traffic`
    : `replaces only slot ${target}'s launch template and auto scaling group; no traffic moves`;
  io.out(`${env}: staged ${staged} in slot ${target}${moved}.\n${nextSteps(after, deploy)}`);
  return EXIT_OK;
}

/** `--same-image`: the active image into the idle slot, which then follows the code's server settings. */
function commitSameImage(store: ReleaseStore, env: string, io: CliIo): number {
  const { after } = store.update(env, (release) => stageSameImage(release, { now: new Date() }));
  const idle = otherSlot(after.active);
  io.out(
    `${env}: staged the active image ${after.slots[idle].image} (slot ${after.active}) in slot ${idle}, which now ` +
      `follows the code's server settings; slot ${after.active} stays pinned; no traffic moves.\n` +
      nextSteps(
        after,
        `replaces only slot ${idle}'s launch template and auto scaling group with the code's definition; no traffic ` +
          'moves',
      ),
  );
  return EXIT_OK;
}

function promote(store: ReleaseStore, args: ParsedArgs, io: CliIo, deps?: RolloutDeps): number | Promise<number> {
  const env = environmentArgument(args, 'promote')!;
  const canaryText = optionValue(args, 'canary');
  let canary: number | undefined;
  if (canaryText !== undefined) {
    if (!/^\d+$/.test(canaryText) || Number(canaryText) > 100) {
      throw new CliError(`release promote: --canary "${canaryText}" must be a whole percentage from 0 to 100.`);
    }
    canary = Number(canaryText);
  }
  const region = optionValue(args, 'region');
  const result = promoteCommand(store, env, args, canary, io, deps);
  if (!(result instanceof Promise)) {
    return promoted(result, env, io, region);
  }
  return result.then(({ after, aborted }) => {
    if (!aborted) {
      return promoted(after, env, io, region);
    }
    io.out(`${aborted.message}\n`);
    io.err(
      `cdktf-immutable: release promote: the verification failed before the first step; the rollout is recorded ` +
        `as aborted (by verify) and slot ${otherSlot(after.active)} is marked rolled back. Nothing to deploy.\n`,
    );
    return notifyPromote(after, true, aborted.message, io, region).then(() => EXIT_REFUSED);
  });
}

/** Prints what a promote wrote, and sends the `started` event of a new rollout. */
function promoted(after: ReleaseFile, env: string, io: CliIo, region: string | undefined): number | Promise<number> {
  const rollout =
    after.rollout?.status === 'running' &&
    after.rollout.startedAt === after.rollout.stepStartedAt &&
    after.rollout.step === 0
      ? after.rollout
      : undefined;
  const slotOf = (alarm: string) => (rollout ? alarmSlotOf(rollout, alarm, otherSlot(after.active)) : '');
  const started = rollout
    ? ` Rollout started: steps ${rollout.steps.join(', ')}, bake ${rollout.bakeSeconds}s, alarms ` +
      `${rollout.alarms.length ? rollout.alarms.map((a) => `${a} (${slotOf(a)})`).join(', ') : 'none'}, ` +
      `fleet ${rollout.fleet}${rollout.analysis ? `, analysis ${rollout.analysis.file}` : ''}` +
      `${rollout.verify !== undefined ? `, verify "${rollout.verify}"` : ''}; "cdktf-immutable ` +
      `release advance ${env}" moves it on (after the deploy).`
    : '';
  const message = `${env}: ${describeTraffic(after)}.${started}`;
  io.out(`${message}\n${nextSteps(after, 'only the listener changes')}`);
  if (!rollout || !after.policy?.notify) {
    return EXIT_OK;
  }
  return notifyPromote(after, false, message, io, region).then(() => EXIT_OK);
}

function rollback(store: ReleaseStore, args: ParsedArgs, io: CliIo): number {
  const env = environmentArgument(args, 'rollback')!;
  const { before, after } = store.update(env, (release) => rollbackRelease(release, { now: new Date() }));
  // the slot that rollbackRelease marked is the one whose entry changed
  const from = SLOT_NAMES.find((name) => after.slots[name] !== before.slots[name])!;
  io.out(
    `${env}: rolled back; ${describeTraffic(after)}; slot ${from} (${after.slots[from].image}) is marked rolled ` +
      `back.\n${nextSteps(after, 'only the listener changes')}`,
  );
  return EXIT_OK;
}

/**
 * What to run next, for the state the command left: a deploy when the file changed
 * what runs, then only the release commands that the state allows (each one is tried
 * on the new state before it is suggested).
 */
function nextSteps(release: ReleaseFile, deploy?: string): string {
  const env = release.environment;
  const active = release.active;
  const idle = otherSlot(active);
  const command = (args: string) => `cdktf-immutable release ${args}`;
  const allowed = (transition: () => ReleaseFile) => {
    try {
      transition();
      return true;
    } catch {
      return false;
    }
  };
  const options: Array<[string, string]> = [];
  if (release.rollout?.status === 'running') {
    options.push([
      command(`advance ${env}`),
      'after the deploy: the next step once the bake time passed (abort on alarm)',
    ]);
  }
  if (allowed(() => promoteRelease(release))) {
    options.push([
      command(`promote ${env}`),
      release.canary > 0 ? `all traffic to slot ${idle}, ends the canary` : `all traffic to slot ${idle}`,
    ]);
    if (release.canary === 0) {
      options.push([command(`promote ${env} --canary 10`), `10% of the traffic to slot ${idle} first`]);
    }
  }
  if (allowed(() => rollbackRelease(release))) {
    options.push([
      command(`rollback ${env}`),
      release.canary > 0
        ? `abort the canary, all traffic back to slot ${active}`
        : `if the release misbehaves: all traffic back to slot ${release.previous}`,
    ]);
  }
  if (
    options.length === 0 &&
    allowed(() => stageRelease(release, { image: PLACEHOLDER_AMI, source: '--image', now: new Date(0) }))
  ) {
    const into =
      release.slots[active].image === null
        ? `the first image, into slot ${active}`
        : `the next release, into slot ${idle}`;
    options.push([command(`stage ${env} --image <ami-id>`), into]);
  }
  const lines = deploy === undefined ? [] : [`Next: cdktf-immutable deploy <${env} stack> (${deploy})`];
  const width = Math.max(...options.map(([text]) => text.length));
  options.forEach(([text, why], i) => {
    const label = lines.length === 0 && i === 0 ? 'Next:' : i === 0 ? 'Then:' : '  or:';
    lines.push(`${label} ${text.padEnd(width)}   ${why}`);
  });
  return lines.map((line) => `${line}\n`).join('');
}

/** Stands for the user's next image when the hints try a stage (never written). */
const PLACEHOLDER_AMI = 'ami-00000000';

function status(store: ReleaseStore, args: ParsedArgs, io: CliIo, deps: ReleaseDeps): number | Promise<number> {
  const env = environmentArgument(args, 'status', true);
  const fleet = optionValue(args, 'fleet');
  const live = args.options.has('live');
  if (fleet !== undefined && (env === undefined || !live)) {
    throw new CliError(
      'release status: --fleet names the fleet of one environment for --live: status <env> --live --fleet <name>.',
    );
  }
  if (!live && optionValue(args, 'synth') !== undefined) {
    throw new CliError('release status: --synth is only for --live (the synthesized stacks the code defines).');
  }
  const environments = env === undefined ? store.environments() : [env];
  if (environments.length === 0) {
    throw new ReleaseFileError(
      `no release files in ${store.directory}; create one with "cdktf-immutable release init <env>".`,
    );
  }
  // One broken file does not hide the others: report each healthy environment, name
  // each broken file, and exit 2.
  let releases: ReleaseFile[] = [];
  const broken: string[] = [];
  for (const name of environments) {
    try {
      releases.push(store.load(name));
    } catch (error) {
      if (env !== undefined || !(error instanceof ReleaseFileError)) {
        throw error;
      }
      broken.push(error.message);
    }
  }
  let watchdogs = new Map<string, WatchdogStatus>();
  const print = (
    alarms: Map<string, AlarmStates>,
    checks?: Map<string, LiveStatus>,
    pinned?: Map<string, string[]>,
  ): number => {
    const now = new Date();
    if (args.options.has('json')) {
      io.out(
        `${JSON.stringify(
          releases.map((release) => ({
            ...statusJson(release),
            rollout: rolloutJson(release, now, alarms.get(release.environment)),
            ...(watchdogs.has(release.environment) ? { watchdog: watchdogs.get(release.environment) } : {}),
            ...(checks ? { live: liveJson(checks.get(release.environment)) } : {}),
            ...(pinned ? { pinnedLive: pinned.get(release.environment) ?? [] } : {}),
          })),
          null,
          2,
        )}\n`,
      );
    } else {
      for (const release of releases) {
        io.out(statusText(release));
        const watchdog = watchdogs.get(release.environment);
        if (watchdog?.written) {
          io.out(`    watchdog: ${watchdog.message}\n`);
        } else if (watchdog?.error) {
          io.out(`    watchdog: record not read (${watchdog.error})\n`);
        }
        io.out(
          rolloutLines(release, now, alarms.get(release.environment))
            .map((line) => `${line}\n`)
            .join(''),
        );
        const check = checks?.get(release.environment);
        if (check) {
          io.out(`    ${check.verdict.message}\n`);
        }
        io.out((pinned?.get(release.environment) ?? []).map((line) => `${line}\n`).join(''));
      }
    }
    const code = finishStatus(broken, environments.length, io);
    const all = [...(checks?.values() ?? [])];
    if (code === EXIT_OK && all.some((check) => check.error)) {
      return EXIT_BAD_INPUT;
    }
    return code === EXIT_OK && all.some((check) => !check.verdict.ok) ? EXIT_REFUSED : code;
  };
  // a canary's watchdog record first (it may end the rollout), then the alarm states of
  // the running rollouts; reading them never fails the status
  const region = optionValue(args, 'region');
  const watched = releases.some((release) => watchedFleet(release) !== undefined);
  if (watched) {
    let reader: ReturnType<typeof awsReader> | undefined;
    try {
      reader = deps.rollout?.reader ?? awsReader(region);
    } catch {
      reader = undefined;
    }
    return reconcileWatchdog(store, releases, region, io, reader).then((reconciled) => {
      releases = reconciled.releases;
      watchdogs = reconciled.statuses;
      return statusAfterWatchdog();
    });
  }
  return statusAfterWatchdog();

  function statusAfterWatchdog(): number | Promise<number> {
    const withAlarms = releases.some(
      (release) => release.rollout?.status === 'running' && release.rollout.alarms.length > 0,
    );
    const alarms = withAlarms ? readStatusAlarms(releases, region, deps.rollout?.reader) : undefined;
    if (!live) {
      return alarms ? alarms.then((states) => print(states)) : print(new Map());
    }
    return liveStatus(alarms);
  }

  function liveStatus(alarms: Promise<Map<string, AlarmStates>> | undefined): Promise<number> {
    // the synthesized stacks first (a missing --synth folder fails before any call to AWS)
    const pinnedSlots = readPinnedSlotsFor(optionValue(args, 'synth'));
    const liveCheck = require('./live-check') as typeof import('./live-check');
    const reader = deps.liveReader ?? liveCheck.awsLiveReader(optionValue(args, 'region'));
    return Promise.all([
      alarms ?? new Map<string, AlarmStates>(),
      liveCheck.liveStatuses(
        releases,
        (name) => relative(process.cwd(), store.pathOf(name)) || store.pathOf(name),
        fleet,
        reader,
      ),
      readPinnedLive(releases, pinnedSlots, optionValue(args, 'region')),
    ]).then(([states, checks, pinned]) => print(states, checks, pinned));
  }
}

/**
 * The pinned slots of the synthesized stacks for `--live`: of `--synth <dir>` (which must
 * exist), else of ./cdktf.out when there is one, else none (a line says how to add them).
 */
function readPinnedSlotsFor(
  synthDir: string | undefined,
): ReturnType<typeof import('./release-live').readPinnedSlots> | string {
  const liveModule = require('./release-live') as typeof import('./release-live');
  if (synthDir === undefined && !existsSync(join(process.cwd(), 'cdktf.out', 'manifest.json'))) {
    return (
      '    live: no synthesized stacks here (cdktf.out/manifest.json), so the pinned slots are not compared with the ' +
      'code; run "cdktf synth" or pass --synth <cdktf.out folder>.'
    );
  }
  return liveModule.readPinnedSlots(synthDir);
}

/** `--live`: the launch templates the pinned slots run in AWS against the code's (the SDK loads only here). */
async function readPinnedLive(
  releases: readonly ReleaseFile[],
  pinned: ReturnType<typeof import('./release-live').readPinnedSlots> | string,
  region: string | undefined,
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (typeof pinned === 'string') {
    releases.forEach((release) => out.set(release.environment, [pinned]));
    return out;
  }
  const liveModule = require('./release-live') as typeof import('./release-live');
  const client = liveModule.autoScalingClient(region);
  for (const release of releases) {
    try {
      out.set(release.environment, await liveModule.liveStatusLines(release, pinned.slots, pinned.dir, client));
    } catch (error) {
      out.set(release.environment, [`    live: AWS could not be read (${(error as Error).message}).`]);
    }
  }
  return out;
}

/** The live check in `release status --live --json`. */
function liveJson(check: LiveStatus | undefined): Record<string, unknown> | null {
  if (!check) {
    return null;
  }
  return {
    fleet: check.fleet ?? null,
    weights: check.reading?.kind === 'served' ? check.reading.weights : null,
    forwarder: check.reading?.kind === 'served' ? (check.reading.forwarder ?? null) : null,
    agrees: check.error ? null : check.verdict.ok,
    message: check.verdict.message,
  };
}

function finishStatus(broken: readonly string[], total: number, io: CliIo): number {
  for (const message of broken) {
    io.err(`cdktf-immutable: release status: ${message}\n`);
  }
  if (broken.length > 0) {
    io.err(
      `cdktf-immutable: release status: ${broken.length} of ${total} release file(s) cannot be read; the others ` +
        `are shown above.\n`,
    );
    return EXIT_BAD_INPUT;
  }
  return EXIT_OK;
}

// There is no "generation" column: the fleet's generation hashes the image together with
// the server settings in code (instance type, user data, security groups...), which the
// release file does not hold, and deriving it would mean loading cdktf and the stack.
function statusText(release: ReleaseFile): string {
  const lines = [`${release.environment}: ${describeTraffic(release)}`];
  const staged = stagedSlotOf(release);
  for (const name of SLOT_NAMES) {
    const slot = release.slots[name];
    const marker = name === release.active ? '*' : ' ';
    const pin = name === staged ? 'staged: follows the code' : 'pinned: keeps what it was deployed with';
    const details =
      slot.image === null
        ? 'empty'
        : `${slot.image}  staged ${slot.stagedAt ?? 'unknown'} from ` +
          `${slot.source ?? 'unknown'}${slot.rolledBackAt ? `  rolled back ${slot.rolledBackAt}` : ''}  [${pin}]`;
    lines.push(`  ${marker} ${name.padEnd(5)}  ${details}`);
  }
  if (release.previous) {
    lines.push(`    rollback target: ${release.previous}`);
  }
  return lines.map((line) => `${line}\n`).join('');
}

function statusJson(release: ReleaseFile) {
  const idle = otherSlot(release.active);
  const staged = stagedSlotOf(release);
  return {
    environment: release.environment,
    active: release.active,
    canary: release.canary,
    previous: release.previous,
    staged,
    weights: weights(release),
    served: release.served ?? null,
    slots: Object.fromEntries(
      SLOT_NAMES.map((name) => {
        const slot = release.slots[name];
        return [
          name,
          {
            image: slot.image,
            stagedAt: slot.stagedAt ?? null,
            source: slot.source ?? null,
            rolledBackAt: slot.rolledBackAt ?? null,
            role: name === release.active ? 'active' : name === idle && release.canary > 0 ? 'canary' : 'idle',
            // a slot with an image that is not the staged slot keeps what it was deployed with
            pinned: slot.image !== null && name !== staged,
          },
        ];
      }),
    ),
  };
}

function weights(release: ReleaseFile): Record<SlotName, number> {
  return releaseWeights(release);
}

function describeTraffic(release: ReleaseFile): string {
  const w = weights(release);
  if (w.blue + w.green === 0) {
    return 'no image yet, no traffic';
  }
  const idle = otherSlot(release.active);
  return release.canary > 0
    ? `active ${release.active} (${w[release.active]}%), canary ${idle} (${w[idle]}%)`
    : `active ${release.active} (100%)`;
}
