import { existsSync } from 'fs';
import { join, relative, resolve } from 'path';
import { optionValue, parseArgs, ParsedArgs } from './args';
import { credentialsConfigured } from './aws-sdk-config';
import { imageFrom, nextSteps, overrideLine, releaseRules, ReleaseRules } from './release-common';
import { CliError, EXIT_BAD_INPUT, EXIT_OK, EXIT_REFUSED } from './errors';
import type { CliIo } from './io';
import type { LiveReader, LiveStatus } from './live-check';
import type { VerifyMode } from './release-from-aws';
import { AMI_ID } from 'cdktf-immutable/names';
import { REGION } from 'cdktf-immutable/names';
import {
  liftVeto,
  loadReleaseFile,
  openFreezeWindow,
  alarmSlotOf,
  AnalysisFileError,
  otherSlot,
  releaseArguments,
  releaseLabel,
  VETO_FILE,
  vetoImage,
  vetoOf,
  ReleaseFile,
  ReleaseFileError,
  ReleaseLayout,
  ReleaseTarget,
  vetoedSlots,
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
  AlarmCheckMode,
  AlarmStates,
  notifyPromote,
  promoteCommand,
  PromoteResult,
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

  release init <env> [--architecture <x86_64|arm64>]
                                                  Create releases/<env>.json (both slots empty); with --fleet
                                                  releases/<fleet>/<env>.json, with --fleet and --region (or
                                                  --regions a,b) releases/<fleet>/<region>/<env>.json. With
                                                  the fleet's architecture, stage refuses an AMI of another.
  release stage <env> --image <ami-id> [--slot <blue|green>] [--region <region>] [--verify|--no-verify]
                                                  Put an image in the idle slot (no traffic moves).
  release stage <env> --from <other-env> [--region <region>] [--verify|--no-verify]
                                                  Stage the image that is active in <other-env> (of the same
                                                  fleet and region), if it meets <env>'s "policy.stageFrom"
                                                  (a completed rollout, a soak time there).
                                                  When AWS credentials are configured the AMI is
                                                  checked first with EC2 DescribeImages (exists, is
                                                  available in the region, has the file's
                                                  "architecture"): refused (exit 1, nothing written)
                                                  otherwise. Offline or without credentials it is
                                                  staged and the output says it was not checked;
                                                  --verify requires the check (instance roles
                                                  included), --no-verify skips it.
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
                                                  Under "policy.requireRollout" it starts a rollout
                                                  with the policy's steps, bake and alarms instead.
  release promote <env> --steps 10,50,100 [--bake 10m] [--alarm <name>[@canary|@stable]]...
                [--fleet-tag <name>] [--analysis <file>] [--verify "<command>" [--test-url <url>]]
                [--check-alarms|--no-check-alarms]
                                                  Start a rollout: the first step's weight now, the
                                                  next ones by "advance" (defaults: "policy" in the
                                                  release file; bake 0s..24h as 30s, 10m, 1h;
                                                  --fleet-tag: the BlueGreenFleet's name its target
                                                  groups are tagged with). The alarms are checked
                                                  with CloudWatch DescribeAlarms first, as stage
                                                  checks the AMI: a missing one is refused (exit 1,
                                                  nothing written). The fleet's own alarms
                                                  (<fleet>-<slot>-...) belong to their slot; name the
                                                  slot of any other alarm with @canary (aborts) or
                                                  @stable (holds). --analysis: metric checks and
                                                  baseline comparisons evaluated at each step (JSON
                                                  or YAML). --verify: a command run against the
                                                  staged slot's test route (CDKTF_IMMUTABLE_TEST_URL:
                                                  --test-url, else "policy.testUrl", else the
                                                  listener or header rule that forwards to that slot
                                                  alone) before the first weight moves and before
                                                  each next step; a failure aborts.
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
  release status [<env>] [--json] [--live [--fleet-tag <name>] [--synth <dir>] [--region <region>]]
                                                  Without <env>: one line per release file (every fleet,
                                                  environment and region). With <env>: its slots, images,
                                                  weights, the active slot, the rollback target, which
                                                  slot is staged (follows the code) or pinned, and its
                                                  rollout. Vetoed images that still run are named.
                                                  --live reads the weights the load balancer serves (the
                                                  fleet: --fleet-tag, the file's rollout or policy fleet,
                                                  else the one tagged <env> or *-<env>) and exits 1 when
                                                  they are neither the file's weights nor those it served
                                                  before its last change ("served"); and the launch
                                                  template each pinned slot runs, against the one the
                                                  synthesized stack defines (cdktf.out, or --synth),
                                                  naming the command that ships a difference. A
                                                  canary's watchdog record (the fleet's watchdog
                                                  restored the stable weights) is written into the
                                                  file as an abort by the watchdog.
  release veto <ami-id> --reason "<why>"          Mark an image bad in every fleet, environment and region
  release veto <ami-id> --lift                    (releases/vetoed.json): stage, promote, advance and
                                                  stage --from refuse it; status shows where it runs.

Waves (a fleet released per region, releases/<fleet>/<region>/<env>.json):
  --regions eu-west-1,us-east-1 on init, stage, promote, advance and rollback changes every region's
  file together: "stage --from-pipeline <name>" reads each region's AMI id (the pipeline's distribution
  to that region), "promote --steps" starts one rollout in all of them, "advance" starts a step in every
  region only once each region served and baked the previous one, and an alarm in any region aborts all.

Options for every subcommand:
  --dir <folder>    Folder of the release files. Default: $CDKTF_IMMUTABLE_RELEASES, else the
                    nearest releases/ folder in the current folder or a parent, up to the git
                    repository root ("init" creates releases/ at the repository root when
                    there is none).
  --fleet <name>    The fleet, in a repository with several (releases/<fleet>/<env>.json); required
                    when there are several, refused in the one-fleet layout (releases/<env>.json).
  --region <region> For a fleet released per region, the region whose file is meant; otherwise the
                    AWS region of the calls.
  --force-freeze --reason "<why>"
                    On stage and promote: go ahead inside a freeze window of "policy.freeze"; the
                    reason is recorded in the release file (freezeOverride).

After stage, promote, advance (when it wrote a step) or rollback, run "cdktf-immutable
deploy <stack>" (the guarded apply) for that environment. stage and promote --steps (their
checks), advance, run and status (of a running rollout, or --live) read AWS with the
default credential chain, or with the role of "policy.roleArn" assumed with it;
AWS_ENDPOINT_URL and AWS_REGION are honoured.
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
  const place = ['dir', 'fleet', 'region'];
  const specs: Record<string, { values: string[]; switches: string[]; lists?: string[] }> = {
    init: { values: [...place, 'regions', 'architecture'], switches: [] },
    stage: {
      values: [...place, 'regions', 'image', 'from', 'slot', 'from-ssm', 'from-pipeline', 'reason'],
      switches: ['same-image', 'force-freeze', 'verify', 'no-verify'],
    },
    promote: {
      values: [...place, 'regions', 'canary', 'steps', 'bake', 'fleet-tag', 'reason', 'analysis', 'verify', 'test-url'],
      switches: ['force-rolled-back', 'force-freeze', 'check-alarms', 'no-check-alarms'],
      lists: ['alarm'],
    },
    advance: { values: [...place, 'regions'], switches: [] },
    run: { values: [...place, 'deploy', 'stack', 'interval'], switches: [] },
    rollback: { values: [...place, 'regions'], switches: [] },
    status: { values: [...place, 'regions', 'fleet-tag', 'synth'], switches: ['json', 'live'] },
    veto: { values: ['dir', 'reason'], switches: ['lift'] },
  };
  const spec = specs[sub];
  if (!spec) {
    throw new CliError(`release: unknown subcommand "${sub}" (subcommands: ${Object.keys(specs).join(', ')}).`);
  }
  const args = parseArgs(rest, spec, `release ${sub}`);
  try {
    const root = openStore(args, sub, io);
    if (sub === 'veto') {
      return vetoCommand(root, args, io);
    }
    if (sub === 'status') {
      const result = status(root, args, io, deps);
      return typeof result === 'number'
        ? result
        : result.catch((error) => {
            throw cliError(error, sub);
          });
    }
    checkForceFreeze(args, sub);
    const stores = root.select(
      { fleet: optionValue(args, 'fleet'), region: optionValue(args, 'region'), regions: regionsOption(args, sub) },
      sub === 'init',
    );
    if (sub === 'init' && optionValue(args, 'region') !== undefined && stores[0].region === undefined) {
      throw new CliError(
        'release init: --region names the region of a fleet released per region (releases/<fleet>/<region>/' +
          `<env>.json); ${
            stores[0].fleet === undefined
              ? 'the one-fleet layout has none'
              : `fleet ${stores[0].fleet} is released in one region`
          }. Leave it out.`,
      );
    }
    if (stores.length > 1) {
      const wave = require('./release-wave') as typeof import('./release-wave');
      const result = wave.waveCommand(sub, stores, args, io);
      return typeof result === 'number'
        ? result
        : result.catch((error) => {
            throw cliError(error, sub);
          });
    }
    const store = stores[0];
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
      default:
        result = rollback(store, args, io);
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

/** `--regions a,b`: the regions of a wave, each a region name. */
export function regionsOption(args: ParsedArgs, sub: string): string[] | undefined {
  const text = optionValue(args, 'regions');
  if (text === undefined) {
    return undefined;
  }
  const regions = text.split(',').map((region) => region.trim());
  const bad = regions.find((region) => !REGION.test(region));
  if (bad !== undefined) {
    throw new CliError(
      `release ${sub}: --regions "${text}" must list AWS regions separated by commas, such as ` +
        `eu-west-1,us-east-1 ("${bad}" is not one).`,
    );
  }
  if (new Set(regions).size !== regions.length) {
    throw new CliError(`release ${sub}: --regions "${text}" names a region twice.`);
  }
  return regions;
}

/** `--force-freeze` needs `--reason`, and `--reason` on stage and promote is only for it. */
function checkForceFreeze(args: ParsedArgs, sub: string): void {
  const force = args.options.has('force-freeze');
  const reason = optionValue(args, 'reason');
  if (force && (reason === undefined || reason.trim() === '')) {
    throw new CliError(
      `release ${sub}: --force-freeze needs --reason "<why>" (recorded in the release file as freezeOverride).`,
    );
  }
  if (!force && reason !== undefined) {
    throw new CliError(`release ${sub}: --reason is for --force-freeze (the reason a freeze window is overridden).`);
  }
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
  const architecture = optionValue(args, 'architecture');
  if (architecture !== undefined && architecture !== 'x86_64' && architecture !== 'arm64') {
    throw new CliError(
      `release init: --architecture "${architecture}" must be x86_64 or arm64 (the architecture of the fleet's ` +
        'instance type: arm64 for Graviton types such as t4g or m7g).',
    );
  }
  const release = store.init(env, architecture);
  const arch = release.architecture ? `, architecture ${release.architecture}` : '';
  io.out(`created ${store.pathOf(env)}: both slots empty, blue active${arch}.\n${nextSteps(release)}`);
  return EXIT_OK;
}

/** `--verify`, `--no-verify` or neither (check when credentials are configured). */
function verifyMode(args: ParsedArgs, sub: string): VerifyMode {
  const verify = args.options.has('verify');
  const noVerify = args.options.has('no-verify');
  if (verify && noVerify) {
    throw new CliError(`release ${sub}: give --verify or --no-verify, not both.`);
  }
  return verify ? 'always' : noVerify ? 'never' : 'auto';
}

/** `release veto <ami> --reason "..."` (or `--lift`): the shared list of vetoed images. */
function vetoCommand(root: ReleaseStore, args: ParsedArgs, io: CliIo): number {
  const image = environmentArgument(args, 'veto', true);
  if (image === undefined || !AMI_ID.test(image)) {
    throw new CliError(
      'release veto: name the image, e.g. "cdktf-immutable release veto ami-0123456789abcdef0 --reason <why>"' +
        `${image === undefined ? '' : ` ("${image}" is not an AMI id)`}.`,
    );
  }
  const lift = args.options.has('lift');
  const reason = optionValue(args, 'reason');
  if (lift === (reason !== undefined)) {
    throw new CliError('release veto: give --reason "<why>" to veto the image, or --lift to lift its veto.');
  }
  const { before, after } = root.updateVetoes((vetoes) =>
    lift ? liftVeto(vetoes, image) : vetoImage(vetoes, image, reason!, new Date()),
  );
  const path = relative(process.cwd(), join(root.root, VETO_FILE)) || join(root.root, VETO_FILE);
  if (lift) {
    io.out(
      vetoOf(before, image)
        ? `${image}: veto lifted (${path}); stage and promote take it again.\n`
        : `${image} was not vetoed; ${path} is unchanged.\n`,
    );
    return EXIT_OK;
  }
  io.out(
    `${image}: vetoed in every fleet, environment and region of ${root.root} (${path}): ` +
      `${vetoOf(after, image)!.reason}. ` +
      'stage, promote, advance and stage --from refuse it; release status shows where it still serves.\n',
  );
  const serving = servingVetoed(root, image);
  if (serving.length > 0) {
    io.out(`It still runs in: ${serving.join('; ')}. Stage another image there, or roll back.\n`);
  }
  return EXIT_OK;
}

/** Where `image` runs (`web/prod (eu-west-1) slot green 100%`), from every release file that loads. */
function servingVetoed(root: ReleaseStore, image: string): string[] {
  const out: string[] = [];
  const layout = root.layout();
  for (const target of layout.targets()) {
    try {
      const release = loadReleaseFile(layout.pathOf(target));
      const weights = releaseWeights(release);
      for (const slot of SLOT_NAMES.filter((name) => release.slots[name].image === image)) {
        out.push(`${releaseLabel(target)} slot ${slot} ${weights[slot]}%`);
      }
    } catch {
      // a broken file is reported by release status
    }
  }
  return out;
}

function stage(store: ReleaseStore, args: ParsedArgs, io: CliIo): number | Promise<number> {
  const env = environmentArgument(args, 'stage')!;
  const image = optionValue(args, 'image');
  const from = optionValue(args, 'from');
  const slot = optionValue(args, 'slot');
  const fromSsm = optionValue(args, 'from-ssm');
  const fromPipeline = optionValue(args, 'from-pipeline');
  const mode = verifyMode(args, 'stage');
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
  // for a fleet released per region, --region picked the file (store.region) and is the
  // region of the checks; otherwise it names only the region the AMI is checked (or read) in
  const checkRegion = optionValue(args, 'region') !== undefined && store.region === undefined;
  if (sameImage && (checkRegion || mode !== 'auto')) {
    throw new CliError(
      'release stage: --same-image stages the image the active slot runs, which needs no check; leave out ' +
        `${store.region === undefined ? '--region, ' : ''}--verify and --no-verify.`,
    );
  }
  if (mode === 'never' && checkRegion) {
    throw new CliError(
      'release stage: --region names the region the AMI is checked in, and --no-verify skips the check; give one.',
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
  const rules = releaseRules(store, args, new Date());
  if (fromSsm !== undefined || fromPipeline !== undefined) {
    if (mode === 'never') {
      throw new CliError(
        'release stage: --no-verify is for --image and --from; --from-ssm and --from-pipeline read the AMI from ' +
          'AWS and always check it.',
      );
    }
    // Check the environment's file before calling AWS, and the transition after: a
    // refused stage writes nothing either way.
    const current = store.load(env);
    return stageFromAws(
      store,
      env,
      {
        fromSsm,
        fromPipeline,
        region: optionValue(args, 'region') ?? store.region,
        slot: slot as SlotName | undefined,
        roleArn: current.policy?.roleArn,
        architecture: current.architecture,
      },
      rules,
      io,
    );
  }
  if (sameImage) {
    return commitSameImage(store, env, rules, io);
  }
  let staged = image;
  let source = '--image';
  if (from !== undefined) {
    staged = imageFrom(store, env, from, rules.now);
    source = `env:${from}`;
  }
  const chosen = slot as SlotName | undefined;
  if (mode === 'never') {
    return commitStage(store, env, staged!, source, chosen, rules, io, 'not checked with AWS (--no-verify).');
  }
  if (mode === 'auto' && !credentialsConfigured()) {
    return commitStage(
      store,
      env,
      staged!,
      source,
      chosen,
      rules,
      io,
      'not checked with AWS: no AWS credentials are configured (environment, ~/.aws). Pass --verify to check it ' +
        'with the default credential chain (an instance or task role), or --no-verify to skip the check on purpose.',
    );
  }
  // the environment's file first: a stage that would be refused calls no AWS
  const current = store.load(env);
  rules.apply('stage', current, stageRelease(current, { image: staged!, source, slot: chosen, now: rules.now }));
  const aws = require('./release-from-aws') as typeof import('./release-from-aws');
  const region =
    optionValue(args, 'region') ??
    store.region ??
    (process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || undefined);
  if (region !== undefined) {
    aws.awsRegion(region);
  }
  const option = image !== undefined ? `--image ${image}` : `--from ${from} (${staged})`;
  return aws
    .verifyImage(
      staged!,
      option,
      region ?? "the AWS profile's region",
      mode,
      aws.sdkClients(region, current.policy?.roleArn),
      current.architecture,
    )
    .then((checked) => commitStage(store, env, staged!, source, chosen, rules, io, checked));
}

/** `--from-ssm` / `--from-pipeline`: the AMI read from AWS (the SDK is loaded only here), then staged. */
async function stageFromAws(
  store: ReleaseStore,
  env: string,
  options: {
    fromSsm?: string;
    fromPipeline?: string;
    region?: string;
    slot?: SlotName;
    roleArn?: string;
    architecture?: string;
  },
  rules: ReleaseRules,
  io: CliIo,
): Promise<number> {
  const aws = require('./release-from-aws') as typeof import('./release-from-aws');
  const from = aws.awsImageSource(options.fromSsm, options.fromPipeline);
  const region = aws.awsRegion(options.region);
  const image = await aws.resolveAwsImage(from, region, aws.sdkClients(region, options.roleArn), options.architecture);
  const arch = options.architecture ? `, ${options.architecture} as the fleet` : '';
  return commitStage(
    store,
    env,
    image,
    from.source,
    options.slot,
    rules,
    io,
    `checked with AWS: ${image} is available in ${region}${arch}.`,
  );
}

function commitStage(
  store: ReleaseStore,
  env: string,
  staged: string,
  source: string,
  slot: SlotName | undefined,
  rules: ReleaseRules,
  io: CliIo,
  checked: string,
): number {
  const { before, after } = store.update(env, (release) =>
    rules.apply('stage', release, stageRelease(release, { image: staged, source, slot, now: rules.now })),
  );
  const target = SLOT_NAMES.find((name) => after.slots[name] !== before.slots[name])!;
  const first = target === after.active;
  const moved = first ? ' (the environment was empty: this slot is active)' : '; no traffic moves';
  const deploy = first
    ? `the first deploy creates the fleet, slot ${target} takes the traffic`
    : `replaces only slot ${target}'s launch template and auto scaling group; no traffic moves`;
  io.out(
    `${releaseLabel(after)}: staged ${staged} in slot ${target}${moved}.\n  AMI ${checked}\n` +
      `${overrideLine(after)}${nextSteps(after, deploy)}`,
  );
  return EXIT_OK;
}

/** `--same-image`: the active image into the idle slot, which then follows the code's server settings. */
function commitSameImage(store: ReleaseStore, env: string, rules: ReleaseRules, io: CliIo): number {
  const { after } = store.update(env, (release) =>
    rules.apply('stage', release, stageSameImage(release, { now: rules.now })),
  );
  const idle = otherSlot(after.active);
  io.out(
    overrideLine(after) +
      `${releaseLabel(after)}: staged the active image ${after.slots[idle].image} (slot ${after.active}) in slot ` +
      `${idle}, which now ` +
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
  const rules = releaseRules(store, args, new Date());
  const region = store.region ?? optionValue(args, 'region');
  const result = promoteCommand(store, env, args, canary, io, {
    mode: alarmCheckMode(args),
    rules,
    deps: deps ?? {},
  });
  return result instanceof Promise ? result.then((r) => promoted(r, io, region)) : promoted(result, io, region);
}

/** `--check-alarms`, `--no-check-alarms` or neither (check when credentials are configured). */
function alarmCheckMode(args: ParsedArgs): AlarmCheckMode {
  const check = args.options.has('check-alarms');
  const noCheck = args.options.has('no-check-alarms');
  if (check && noCheck) {
    throw new CliError('release promote: give --check-alarms or --no-check-alarms, not both.');
  }
  return check ? 'always' : noCheck ? 'never' : 'auto';
}

/**
 * The output of a promote: the traffic, the rollout it started, how its alarms were
 * checked, what to run next; the `started` event of a new rollout, or the abort of a
 * failed verification.
 */
function promoted(result: PromoteResult, io: CliIo, region: string | undefined): number | Promise<number> {
  const { after, checked, aborted } = result;
  const check = checked ? `  ${checked}\n` : '';
  if (aborted) {
    io.out(`${aborted.message}\n${check}`);
    io.err(
      `cdktf-immutable: release promote: the verification failed before the first step; the rollout is recorded ` +
        `as aborted (by verify) and slot ${otherSlot(after.active)} is marked rolled back. Nothing to deploy.\n`,
    );
    return notifyPromote(after, true, aborted.message, io, region).then(() => EXIT_REFUSED);
  }
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
      `release advance ${releaseArguments(after)}" moves it on (after the deploy).`
    : '';
  const message = `${releaseLabel(after)}: ${describeTraffic(after)}.${started}`;
  io.out(`${message}\n${check}${overrideLine(after)}${nextSteps(after, 'only the listener changes')}`);
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
    `${releaseLabel(after)}: rolled back; ${describeTraffic(after)}; slot ${from} (${after.slots[from].image}) ` +
      'is marked rolled ' +
      `back.\n${nextSteps(after, 'only the listener changes')}`,
  );
  return EXIT_OK;
}

function status(root: ReleaseStore, args: ParsedArgs, io: CliIo, deps: ReleaseDeps): number | Promise<number> {
  const env = environmentArgument(args, 'status', true);
  const fleetTag = optionValue(args, 'fleet-tag');
  const live = args.options.has('live');
  if (fleetTag !== undefined && (env === undefined || !live)) {
    throw new CliError(
      'release status: --fleet-tag names the load balancer fleet of one environment for --live: status <env> --live ' +
        '--fleet-tag <name>.',
    );
  }
  if (!live && optionValue(args, 'synth') !== undefined) {
    throw new CliError('release status: --synth is only for --live (the synthesized stacks the code defines).');
  }
  const { layout, targets } = statusTargets(root, env, args);
  if (targets.length === 0) {
    throw new ReleaseFileError(
      `no release files in ${root.root}; create one with "cdktf-immutable release init <env>" ` +
        '(with --fleet <name> in a repository with several fleets).',
    );
  }
  // One broken file does not hide the others: report each healthy environment, name
  // each broken file, and exit 2.
  let releases: ReleaseFile[] = [];
  const broken: string[] = [];
  for (const target of targets) {
    try {
      releases.push(loadReleaseFile(layout.pathOf(target)));
    } catch (error) {
      if (!(error instanceof ReleaseFileError)) {
        throw error;
      }
      broken.push(error.message);
    }
  }
  const vetoes = root.vetoes();
  const pathOf = (release: ReleaseFile) => {
    const path = layout.pathOf(release);
    return relative(process.cwd(), path) || path;
  };
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
            fleet: release.fleet ?? null,
            region: release.region ?? null,
            ...statusJson(release),
            rollout: rolloutJson(release, now, alarms.get(releaseLabel(release))),
            vetoed: vetoedSlots(release, vetoes),
            freezeOverride: release.freezeOverride ?? null,
            ...(watchdogs.has(releaseLabel(release)) ? { watchdog: watchdogs.get(releaseLabel(release)) } : {}),
            ...(checks ? { live: liveJson(checks.get(releaseLabel(release))) } : {}),
            ...(pinned ? { pinnedLive: pinned.get(releaseLabel(release)) ?? [] } : {}),
          })),
          null,
          2,
        )}\n`,
      );
    } else {
      const width = Math.max(...releases.map((release) => releaseLabel(release).length));
      for (const release of releases) {
        const label = releaseLabel(release);
        io.out(env === undefined ? statusLine(release, width, now) : statusText(release));
        const watchdog = watchdogs.get(label);
        if (watchdog?.written) {
          io.out(`    watchdog: ${watchdog.message}\n`);
        } else if (watchdog?.error) {
          io.out(`    watchdog: record not read (${watchdog.error})\n`);
        }
        if (env !== undefined) {
          io.out(
            rolloutLines(release, now, alarms.get(label))
              .map((line) => `${line}\n`)
              .join(''),
          );
        }
        for (const vetoed of vetoedSlots(release, vetoes)) {
          io.out(
            `    VETOED: ${vetoed.image} (${vetoed.reason}) is in slot ${vetoed.slot}` +
              `${vetoed.weight > 0 ? `, serving ${vetoed.weight}% of the traffic` : ' (idle)'}\n`,
          );
        }
        const check = checks?.get(label);
        if (check) {
          io.out(`    ${check.verdict.message}\n`);
        }
        io.out((pinned?.get(label) ?? []).map((line) => `${line}\n`).join(''));
      }
    }
    const code = finishStatus(broken, targets.length, io);
    const all = [...(checks?.values() ?? [])];
    if (code === EXIT_OK && all.some((check) => check.error)) {
      return EXIT_BAD_INPUT;
    }
    return code === EXIT_OK && all.some((check) => !check.verdict.ok) ? EXIT_REFUSED : code;
  };
  // a canary's watchdog record first (it may end the rollout), then the alarm states of
  // the running rollouts; reading them never fails the status
  const region = optionValue(args, 'region');
  const afterWatchdog = (): number | Promise<number> => {
    const withAlarms = releases.some(
      (release) => release.rollout?.status === 'running' && release.rollout.alarms.length > 0,
    );
    const alarms = withAlarms ? readStatusAlarms(releases, region, deps.rollout?.reader) : undefined;
    if (!live) {
      return alarms ? alarms.then((states) => print(states)) : print(new Map());
    }
    // the synthesized stacks first (a missing --synth folder fails before any call to AWS)
    const pinnedSlots = readPinnedSlotsFor(optionValue(args, 'synth'));
    const liveCheck = require('./live-check') as typeof import('./live-check');
    const readerOf = (release: ReleaseFile) =>
      deps.liveReader ?? liveCheck.awsLiveReader(release.region ?? region, release.policy?.roleArn);
    return Promise.all([
      alarms ?? new Map<string, AlarmStates>(),
      liveCheck.liveStatuses(releases, pathOf, fleetTag, readerOf),
      readPinnedLive(releases, pinnedSlots, region),
    ]).then(([states, checks, pinned]) => print(states, checks, pinned));
  };
  const watched = releases.filter((release) => watchedFleet(release) !== undefined);
  if (watched.length === 0) {
    return afterWatchdog();
  }
  if (!deps.rollout?.reader && !credentialsConfigured()) {
    // offline: say that the record was not read, without waiting on AWS
    for (const release of watched) {
      watchdogs.set(releaseLabel(release), { written: false, error: 'no AWS credentials are configured' });
    }
    return afterWatchdog();
  }
  return reconcileWatchdog(root, releases, region, io, deps.rollout?.reader).then((reconciled) => {
    releases = reconciled.releases;
    watchdogs = reconciled.statuses;
    return afterWatchdog();
  });
}

/**
 * The files `release status` shows: every file of the releases folder, or those of
 * `--fleet`, of `--regions` (or `--region`, for a fleet released per region) and of the
 * environment named.
 */
function statusTargets(
  root: ReleaseStore,
  env: string | undefined,
  args: ParsedArgs,
): { layout: ReleaseLayout; targets: ReleaseTarget[] } {
  const layout = root.layout();
  const fleet = optionValue(args, 'fleet');
  if (fleet !== undefined && layout.fleet(fleet) === undefined) {
    root.select({ fleet }); // throws the message of the layout: one-fleet, or no such fleet
  }
  const regions = regionsOption(args, 'status') ?? optionList(optionValue(args, 'region'));
  let targets = layout.targets().filter((target) => fleet === undefined || target.fleet === fleet);
  if (regions !== undefined) {
    targets = targets.filter((target) => target.region === undefined || regions.includes(target.region));
  }
  if (env !== undefined) {
    const known = [...new Set(targets.map((target) => target.environment))].sort();
    targets = targets.filter((target) => target.environment === env);
    if (targets.length === 0) {
      throw new ReleaseFileError(
        `unknown environment "${env}"${fleet === undefined ? '' : ` of fleet ${fleet}`} in ${root.root} (known: ` +
          `${known.join(', ') || 'none'}); create it with "cdktf-immutable release init ${env}` +
          `${fleet === undefined ? '' : ` --fleet ${fleet}`}".`,
      );
    }
  }
  return { layout, targets };
}

function optionList(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : [value];
}

/**
 * One line of `release status` without an environment: the file, the traffic, the active
 * image, the idle slot and the rollout.
 */
function statusLine(release: ReleaseFile, width: number, now: Date): string {
  const idle = otherSlot(release.active);
  const staged = stagedSlotOf(release);
  const idleSlot = release.slots[idle];
  const idleText =
    idleSlot.image === null
      ? 'empty'
      : `${idleSlot.image} ${
          idleSlot.rolledBackAt
            ? 'rolled back'
            : idle === staged
              ? 'staged'
              : release.previous === idle
                ? 'rollback target'
                : 'pinned'
        }`;
  const rollout = release.rollout;
  const rolloutText =
    rollout === undefined
      ? ''
      : rollout.status === 'running'
        ? `  rollout ${rollout.step + 1}/${rollout.steps.length}${rollout.regions ? ' (wave)' : ''}`
        : `  last rollout ${rollout.status}`;
  const frozen = openFreezeWindow(release.policy?.freeze, now) ? '  FROZEN' : '';
  return (
    `${releaseLabel(release).padEnd(width)}  ${describeTraffic(release).padEnd(33)}  ` +
    `${release.active} ${release.slots[release.active].image ?? '-'}  ${idle} ${idleText}${rolloutText}${frozen}\n`
  );
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
    releases.forEach((release) => out.set(releaseLabel(release), [pinned]));
    return out;
  }
  const liveModule = require('./release-live') as typeof import('./release-live');
  for (const release of releases) {
    try {
      const client = liveModule.autoScalingClient(release.region ?? region, release.policy?.roleArn);
      out.set(releaseLabel(release), await liveModule.liveStatusLines(release, pinned.slots, pinned.dir, client));
    } catch (error) {
      out.set(releaseLabel(release), [`    live: AWS could not be read (${(error as Error).message}).`]);
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
  const lines = [`${releaseLabel(release)}: ${describeTraffic(release)}`];
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
  if (release.freezeOverride) {
    const o = release.freezeOverride;
    lines.push(`    freeze overridden by ${o.command} at ${o.at} (window ${o.window}): ${o.reason}`);
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
