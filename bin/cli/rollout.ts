// The rollout subcommands of `cdktf-immutable release`: promote with steps, advance,
// run, and the rollout part of status. Only advance, run and the status of a running
// rollout load the AWS SDK (bin/cli/rollout-aws.ts requires it inside its functions).
import { spawn } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { optionValue, ParsedArgs } from './args';
import { credentialsConfigured } from './aws-sdk-config';
import { CliError, EXIT_OK, EXIT_REFUSED } from './errors';
import type { CliIo } from './io';
import { packageInfo } from './package-info';
import {
  AdvanceOutcome,
  advanceRollout,
  formatDuration,
  formatReleaseFile,
  otherSlot,
  parseDuration,
  parseSteps,
  promoteRelease,
  checkVetoes,
  ReleaseFile,
  releaseArguments,
  releaseLabel,
  ReleaseRefusedError,
  ReleaseStore,
  Rollout,
  RolloutReader,
  startRollout,
} from 'cdktf-immutable/release';

/** Exit code of a command stopped by SIGINT or SIGTERM (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

/** The options that make a promote a rollout. */
export const ROLLOUT_OPTIONS = ['steps', 'bake', 'fleet-tag'] as const;

/**
 * `release promote`: a rollout when --steps, --bake, --alarm or --fleet-tag is given or
 * the environment's policy requires one, else the plain or canary promote. `rules`
 * (vetoed images, freeze windows) are checked on the change. A rollout's alarms are
 * checked with CloudWatch `DescribeAlarms` first (see {@link checkAlarms}): then the
 * result is a promise, and `checked` says how they were checked.
 */
export function promoteCommand(
  store: ReleaseStore,
  env: string,
  args: ParsedArgs,
  canary: number | undefined,
  mode: 'always' | 'never' | 'auto' = 'auto',
  rules?: ReleaseRulesLike,
): { after: ReleaseFile; checked?: string } | Promise<{ after: ReleaseFile; checked?: string }> {
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
  const now = rules?.now ?? new Date();
  const change = (release: ReleaseFile): ReleaseFile => {
    const rollout = given.length > 0 || (canary === undefined && release.policy?.requireRollout === true);
    const changed = rollout
      ? startRollout(release, { steps, bakeSeconds, alarms, fleet, now, forceRolledBack })
      : promoteRelease(release, canary, { forceRolledBack, now });
    return rules ? rules.apply('promote', release, changed) : changed;
  };
  /** The alarms of the rollout that `change` started, or none. */
  const newAlarms = (before: ReleaseFile, after: ReleaseFile): readonly string[] =>
    after.rollout !== undefined && after.rollout !== before.rollout ? after.rollout.alarms : [];
  if (mode === 'never' || (mode === 'auto' && !credentialsConfigured())) {
    const { before, after } = store.update(env, change);
    const why =
      mode === 'never'
        ? ' (--no-verify)'
        : ': no AWS credentials are configured (environment, ~/.aws); a misspelled alarm is found only by ' +
          '"release advance". Pass --verify to check them with the default credential chain';
    return { after, checked: newAlarms(before, after).length > 0 ? `alarms not checked with AWS${why}.` : undefined };
  }
  // the change on the file as it is now: a refused promote, or one without alarms, calls no AWS
  const current = store.load(env);
  const names = newAlarms(current, change(current));
  if (names.length === 0) {
    return { after: store.update(env, change).after };
  }
  const region = store.region ?? optionValue(args, 'region');
  return checkAlarms(names, region, mode, current.policy?.roleArn).then((checked) => {
    const after = store.update(env, change).after;
    const missed = (after.rollout?.alarms ?? []).filter((name) => !names.includes(name));
    if (missed.length > 0) {
      throw new ReleaseRefusedError(
        `${env}: the release file changed while the alarms were checked (now also ${missed.join(', ')}); ` +
          `nothing was written. Run the promote again.`,
      );
    }
    return { after, checked };
  });
}

/**
 * Checks that every alarm of a new rollout exists (CloudWatch `DescribeAlarms`): a
 * misspelled name would otherwise be found only by `release advance`, after the first
 * step is deployed. A missing alarm refuses the promote (exit 1, nothing written). When
 * the check is not required (`auto`), missing credentials or an unreachable endpoint
 * skip it, and the line returned says so; with `--verify` they are exit 2.
 */
async function checkAlarms(
  names: readonly string[],
  region: string | undefined,
  mode: string,
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
        'pass --no-verify to start the rollout without checking them.',
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
    if (rollout.alarms.length === 0) {
      lines.push('    alarms: none');
    } else if (alarms === undefined || 'error' in alarms) {
      lines.push(
        `    alarms: not read (${alarms === undefined ? 'not asked' : alarms.error}): ${rollout.alarms.join(', ')}`,
      );
    } else {
      lines.push(
        `    alarms: ${rollout.alarms.map((name) => `${name} ${alarms.states[name] ?? 'NOT FOUND'}`).join(', ')}`,
      );
    }
  } else if (rollout.status === 'complete') {
    lines.push(`    last rollout: complete at ${rollout.endedAt} (${steps}, fleet ${rollout.fleet})`);
  } else {
    const why =
      rollout.abort?.by === 'alarm'
        ? `alarm "${rollout.abort.alarm}": ${rollout.abort.reason}`
        : (rollout.abort?.reason ?? 'unknown');
    lines.push(
      `    last rollout: aborted at ${rollout.endedAt}, step ${rollout.step + 1} of ${rollout.steps.length} (${why})`,
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

/**
 * Reads the alarm states of the running rollouts for `release status`; never fails:
 * offline, each says why it was not read.
 */
export async function readStatusAlarms(
  releases: readonly ReleaseFile[],
  region: string | undefined,
): Promise<Map<string, AlarmStates>> {
  const out = new Map<string, AlarmStates>();
  const running = releases.filter(
    (release) => release.rollout?.status === 'running' && release.rollout.alarms.length > 0,
  );
  if (running.length === 0) {
    return out;
  }
  let reader: RolloutReader;
  try {
    reader = awsReader(region);
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

/**
 * One `release advance`: reads AWS, decides, writes the file when it changed. A step that
 * would give a vetoed image more traffic is refused (nothing written).
 */
async function advanceOnce(store: ReleaseStore, env: string, reader: RolloutReader): Promise<AdvanceOutcome> {
  const before = store.load(env);
  const outcome = await advanceRollout(before, reader, () => new Date());
  if (outcome.release !== before) {
    checkVetoes(before, outcome.release, store.vetoes(), 'advance');
    store.update(env, (current) => {
      // another command may have changed the file while AWS was read: decide again
      if (formatReleaseFile(current) !== formatReleaseFile(before)) {
        throw new ReleaseRefusedError(
          `${env}: the release file changed while advance read AWS; nothing was written. Run "cdktf-immutable ` +
            `release advance ${env}" again.`,
        );
      }
      return outcome.release;
    });
  }
  return outcome;
}

/** `release advance <env>`: exit 0 (moved on, served, baking or waiting), 1 (aborted). */
export async function advanceCommand(
  store: ReleaseStore,
  env: string,
  args: ParsedArgs,
  io: CliIo,
  reader?: RolloutReader,
): Promise<number> {
  const outcome = await advanceOnce(store, env, reader ?? readerFor(store, env, optionValue(args, 'region')));
  io.out(`${outcome.message}\n`);
  if (outcome.kind === 'aborted') {
    io.err(
      `cdktf-immutable: release advance: rollout aborted by alarm "${outcome.alarm}"; the release file sends all ` +
        `traffic back to slot ${outcome.release.active}. Deploy it now.\n`,
    );
    return EXIT_REFUSED;
  }
  return EXIT_OK;
}

/**
 * `release run <env> [--deploy "<command>"]`: advance, deploy when the file changed (or the
 * load balancer does not serve it yet), wait, until the rollout completes or aborts
 * (then deploy once more so that the traffic follows the file). SIGINT or SIGTERM stop
 * the loop between steps (a running deploy command gets the signal and is waited for);
 * every write is atomic, so the release file is always whole. Exit 0 complete, 1 aborted
 * or the deploy command failed, 130 interrupted.
 */
export async function runCommand(store: ReleaseStore, env: string, args: ParsedArgs, io: CliIo): Promise<number> {
  const deploy = deployStep(store, env, args);
  const interval = parseDuration(optionValue(args, 'interval') ?? '30s', '--interval');
  const reader = readerFor(store, env, optionValue(args, 'region'));
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
    io.err(
      `cdktf-immutable: release run: interrupted (${interrupted}); the release file is consistent ` +
        `(${store.pathOf(env)}). Continue with "cdktf-immutable release run ${env} ..." or "release ` +
        `advance ${env}".\n`,
    );
    return EXIT_INTERRUPTED;
  };
  try {
    let deployedFor: string | undefined;
    for (;;) {
      if (interrupted) {
        return stopped();
      }
      const outcome = await advanceOnce(store, env, reader);
      io.out(`${outcome.message}\n`);
      const text = formatReleaseFile(outcome.release);
      const changed = outcome.kind === 'stepped' || outcome.kind === 'completed' || outcome.kind === 'aborted';
      const pending = outcome.kind === 'waiting' && outcome.deployPending && deployedFor !== text;
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
          throw new CliError(
            `release run: the deploy command exited ${code}; the release file (${store.pathOf(env)}) holds ` +
              `${describeWeights(outcome.release)}. Fix the deploy and run again.`,
            EXIT_REFUSED,
          );
        }
      }
      if (outcome.kind === 'completed') {
        io.out(`${env}: rollout complete and deployed.\n`);
        return EXIT_OK;
      }
      if (outcome.kind === 'aborted') {
        io.err(
          `cdktf-immutable: release run: rollout aborted by alarm "${outcome.alarm}" (${outcome.reason}); ` +
            `traffic is back on slot ${outcome.release.active}.\n`,
        );
        return EXIT_REFUSED;
      }
      const wait =
        outcome.kind === 'baking' || outcome.kind === 'served' ? Math.min(interval, outcome.secondsLeft) : interval;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait * 1000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    for (const [signal, handler] of handlers) {
      process.off(signal, handler);
    }
  }
}

function describeWeights(release: ReleaseFile): string {
  const idle = otherSlot(release.active);
  return release.canary > 0
    ? `${release.active} ${100 - release.canary}% / ${idle} ${release.canary}%`
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

/**
 * The AWS reader of an environment: its region (a fleet released per region: the file's
 * region; else --region, AWS_REGION...) and its `policy.roleArn`, assumed with the
 * default credential chain.
 */
export function readerFor(store: ReleaseStore, env: string, region: string | undefined): RolloutReader {
  return awsReader(store.region ?? region, store.load(env).policy?.roleArn);
}

/** The AWS reader, loading the SDK now (only advance, run and status of a running rollout get here). */
export function awsReader(region: string | undefined, roleArn?: string): RolloutReader {
  if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new CliError(`--region "${region}" is not an AWS region; use a name such as eu-west-1.`);
  }
  const aws = require('./rollout-aws') as typeof import('./rollout-aws');
  return aws.awsRolloutReader(aws.createRolloutAwsClients({ region, roleArn }));
}
