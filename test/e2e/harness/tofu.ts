/**
 * Runs OpenTofu (from the e2e toolchain) in a synthesized stack folder, and reads plans.
 *
 * The e2e files run in parallel jest workers (scripts/e2e.sh), so everything here is safe
 * for that: each file works in its own temporary folder (its synth output, `.terraform`,
 * plans and, through synthE2eApp, its state), each jest worker has its own provider plugin
 * cache (pluginCache), and `tofu init`, the only command that writes a plugin cache (which
 * OpenTofu does not lock), runs under a lock of that cache (withInitLock).
 */
import { spawn, spawnSync } from 'child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import { BUILT_CLI, RUNNER } from '../../support/built-dist';
import { artifactsOf, toleratedChanges } from './emulator-artifacts';

export const ROOT = resolve(__dirname, '..', '..', '..');
/** The built command line and the synth runner of the cdktf-immutable-cli package (packages/cli). */
export { BUILT_CLI, RUNNER } from '../../support/built-dist';

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

function tofuBin(): string {
  const bin = process.env.TOFU_BIN;
  if (!bin || !process.env.TF_CLI_CONFIG_FILE || !process.env.TF_CLI_CONFIG_FILE.includes('toolchain-')) {
    throw new Error('TOFU_BIN / TF_CLI_CONFIG_FILE are not the e2e toolchain\'s: run "npm run test:e2e".');
  }
  return bin;
}

/**
 * The provider plugin cache of this jest worker: a folder of its own under
 * E2E_PLUGIN_CACHE_ROOT (scripts/e2e.sh makes one per run and removes it afterwards). One
 * worker runs one file at a time, and its tofu commands one at a time, so nothing else
 * writes this cache while a command of this file runs a provider from it. A shared cache
 * is not safe: a `tofu init` without a lock file entry for a provider installs it into the
 * cache again, deleting the folder first, and a plan of another file starting that
 * provider at that moment fails ("fork/exec ...terraform-provider-aws_v6.25.0: no such
 * file or directory").
 */
function pluginCache(): string | undefined {
  const root = process.env.E2E_PLUGIN_CACHE_ROOT;
  if (!root) {
    return process.env.TF_PLUGIN_CACHE_DIR;
  }
  const dir = join(root, `worker-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Environment for tofu: the toolchain's, automation mode, this worker's plugin cache, plus `extra` (the moto endpoint). */
export function tofuEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const cache = pluginCache();
  return {
    ...process.env,
    TF_IN_AUTOMATION: '1',
    CHECKPOINT_DISABLE: '1',
    ...(cache ? { TF_PLUGIN_CACHE_DIR: cache } : {}),
    ...extra,
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `run` holding the lock of the plugin cache `cacheDir` (a folder next to it, taken
 * with mkdir, which is atomic; a lock whose holder process is gone is taken over). The
 * wait is asynchronous, so jest's timers and the file's moto server keep running.
 */
export async function withInitLock<T>(cacheDir: string | undefined, run: () => Promise<T>): Promise<T> {
  if (!cacheDir) {
    return run();
  }
  const lock = `${resolve(cacheDir)}.init-lock`;
  const owner = `${process.pid}`;
  for (const started = Date.now(); ;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), owner);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error;
      }
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    } catch {
      // being taken or released right now
    }
    if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() - started > 10 * 60 * 1000) {
      throw new Error(
        `waited 10 minutes for the plugin cache lock ${lock} (held by process ${holder}); if no e2e test runs, delete it`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  try {
    return await run();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Runs tofu asynchronously (so jest's timers and the moto server keep running). `init`
 * runs under the lock of the plugin cache it uses (withInitLock).
 */
export function tofu(dir: string, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<RunResult> {
  if (args[0] === 'init') {
    return withInitLock(tofuEnv(extraEnv).TF_PLUGIN_CACHE_DIR, () => runTofu(dir, args, extraEnv));
  }
  return runTofu(dir, args, extraEnv);
}

function runTofu(dir: string, args: readonly string[], extraEnv: Record<string, string>): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(tofuBin(), [...args], { cwd: dir, env: tofuEnv(extraEnv), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
  });
}

/** Runs tofu and fails with its output unless it exits with one of `codes`. */
export async function tofuOk(
  dir: string,
  args: readonly string[],
  extraEnv: Record<string, string> = {},
  codes: readonly number[] = [0],
): Promise<RunResult> {
  const result = await tofu(dir, args, extraEnv);
  if (result.code === null || !codes.includes(result.code)) {
    throw new Error(
      `tofu ${args.join(' ')} in ${dir} exited ${result.code}:\n${result.stdout.slice(-6000)}\n${result.stderr.slice(-6000)}`,
    );
  }
  return result;
}

export async function init(dir: string, extraEnv: Record<string, string> = {}, backend = true): Promise<RunResult> {
  return tofuOk(dir, ['init', '-input=false', '-no-color', ...(backend ? [] : ['-backend=false'])], extraEnv);
}

export async function apply(dir: string, extraEnv: Record<string, string>, planFile?: string): Promise<RunResult> {
  return tofuOk(
    dir,
    ['apply', '-input=false', '-no-color', '-auto-approve', ...(planFile ? [planFile] : [])],
    extraEnv,
  );
}

export interface SavedPlan {
  readonly file: string;
  readonly jsonFile: string;
  readonly json: PlanJson;
  /** `-detailed-exitcode`: 0 no changes, 2 changes. */
  readonly exitCode: number;
}

export interface ResourceChange {
  address: string;
  type: string;
  mode?: string;
  change: { actions: string[]; before: any; after: any; after_unknown?: any; replace_paths?: unknown };
  action_reason?: string;
}

export interface PlanJson {
  resource_changes?: ResourceChange[];
  [key: string]: unknown;
}

/** One `apply_start` or `apply_complete` event of `tofu apply -json`, with its place in the stream. */
export interface ApplyEvent {
  readonly type: string;
  readonly addr: string;
  readonly action: string;
  readonly index: number;
}

/**
 * Applies a saved plan with `-json`; the apply_start / apply_complete events in order
 * (logged under `step`), and how long the apply took.
 */
export async function applyEvents(
  dir: string,
  planFile: string,
  extraEnv: Record<string, string>,
  step: string,
): Promise<{ events: ApplyEvent[]; seconds: number }> {
  const result = await tofuOk(dir, ['apply', '-json', '-input=false', '-auto-approve', planFile], extraEnv);
  const events: ApplyEvent[] = [];
  for (const line of result.stdout.split('\n')) {
    if (!line.startsWith('{')) {
      continue;
    }
    const message = JSON.parse(line);
    if (message.type === 'apply_start' || message.type === 'apply_complete') {
      events.push({
        type: message.type,
        addr: message.hook.resource.addr,
        action: message.hook.action,
        index: events.length,
      });
    }
  }
  console.log(
    `[e2e] ${step} apply events:\n${events.map((e) => `  ${e.type.padEnd(14)} ${e.action.padEnd(7)} ${e.addr}`).join('\n')}`,
  );
  return { events, seconds: result.seconds };
}

/** `tofu plan -out` + `tofu show -json`; the JSON is written next to the plan. */
export async function savedPlan(
  dir: string,
  name: string,
  extraEnv: Record<string, string>,
  extraArgs: readonly string[] = [],
): Promise<SavedPlan> {
  const file = join(dir, `${name}.tfplan`);
  const planned = await tofuOk(
    dir,
    ['plan', '-input=false', '-no-color', '-detailed-exitcode', `-out=${file}`, ...extraArgs],
    extraEnv,
    [0, 2],
  );
  const shown = await tofuOk(dir, ['show', '-json', '-no-color', file], extraEnv);
  const jsonFile = join(dir, `${name}.plan.json`);
  writeFileSync(jsonFile, shown.stdout);
  return { file, jsonFile, json: JSON.parse(shown.stdout), exitCode: planned.code! };
}

/**
 * address -> actions joined by ",", for every managed resource change that is not a
 * no-op and not a known emulator artifact (./emulator-artifacts.ts: listed by type,
 * attribute and values; {@link logPlan} prints the ones it left out).
 */
export function planActions(plan: PlanJson): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode === 'data' || artifactsOf(rc)) {
      continue;
    }
    const actions = rc.change.actions.join(',');
    if (actions !== 'no-op') {
      out[rc.address] = actions;
    }
  }
  return out;
}

/** Counts of create / update / delete / replace (create,delete or delete,create). */
export function actionCounts(plan: PlanJson): Record<string, number> {
  const counts: Record<string, number> = { create: 0, update: 0, delete: 0, replace: 0 };
  for (const actions of Object.values(planActions(plan))) {
    if (actions.includes('create') && actions.includes('delete')) {
      counts.replace++;
    } else {
      counts[actions] = (counts[actions] ?? 0) + 1;
    }
  }
  return counts;
}

export function logPlan(scenario: string, plan: PlanJson): void {
  const tolerated = toleratedChanges(plan.resource_changes ?? []).map((line) => `  tolerated      ${line}`);
  console.log(
    `[e2e] ${scenario}: ${JSON.stringify(actionCounts(plan))}\n${
      Object.entries(planActions(plan))
        .map(([a, x]) => `  ${x.padEnd(14)} ${a}`)
        .join('\n') || '  (no changes)'
    }${tolerated.length ? `\n${tolerated.join('\n')}` : ''}`,
  );
}

/**
 * What makes a plan right after an apply not a no-op: every resource change but the
 * known emulator artifacts, and any output change. Empty means no-op. The plan's
 * `-detailed-exitcode` is 2 when artifacts are present, so it is only required to be 0
 * when there are none.
 */
export function noOpViolations(plan: SavedPlan): string[] {
  const violations = Object.entries(planActions(plan.json)).map(([address, actions]) => `${actions} ${address}`);
  for (const [name, output] of Object.entries(
    (plan.json.output_changes ?? {}) as Record<string, { actions: string[] }>,
  )) {
    if (output.actions.join(',') !== 'no-op') {
      violations.push(`${output.actions.join(',')} output.${name}`);
    }
  }
  if (
    violations.length === 0 &&
    plan.exitCode !== 0 &&
    toleratedChanges(plan.json.resource_changes ?? []).length === 0
  ) {
    violations.push(
      `plan -detailed-exitcode was ${plan.exitCode} with no resource or output change (see ${plan.jsonFile})`,
    );
  }
  return violations;
}

interface RawState {
  resources?: Array<{
    module?: string;
    mode: string;
    type: string;
    name: string;
    instances?: Array<{ index_key?: string | number; attributes: any }>;
  }>;
}

/**
 * The state, resources by address with their attribute values, as `tofu show -json`
 * prints them (`values`). Read with `tofu state pull`, which starts no provider: 0.1 s
 * instead of about 2 CPU-seconds for loading the AWS provider's schema. Both give the same
 * addresses and values (compared on the state of every e2e stack after a full run).
 */
export async function stateResources(
  dir: string,
  extraEnv: Record<string, string>,
): Promise<Record<string, { type: string; values: any }>> {
  const pulled = await tofuOk(dir, ['state', 'pull'], extraEnv);
  const raw = (pulled.stdout.trim() === '' ? {} : JSON.parse(pulled.stdout)) as RawState;
  const out: Record<string, { type: string; values: any }> = {};
  for (const resource of raw.resources ?? []) {
    const address = `${resource.module ? `${resource.module}.` : ''}${resource.mode === 'data' ? 'data.' : ''}${resource.type}.${resource.name}`;
    for (const instance of resource.instances ?? []) {
      const key = instance.index_key === undefined ? '' : `[${JSON.stringify(instance.index_key)}]`;
      out[address + key] = { type: resource.type, values: instance.attributes };
    }
  }
  return out;
}

/** The stacks of the e2e app (its E2E_STACK). */
export type E2eStack =
  | 'blue-green'
  | 'replace'
  | 'mutable'
  | 'traffic-order'
  | 'mutations'
  | 'rollout'
  | 'image-loop'
  | 'pinning'
  | 'shared-lb'
  | 'idle'
  | 'wave'
  | 'watchdog';

/**
 * Synthesizes the e2e app (test/e2e/apps/app.ts) into `outdir`; returns the stack folder.
 * `requires` are preloaded before ts-node (the cdktn test runs the app on cdktn that way).
 *
 * The state stays in `outdir` (a tofu override file in the stack folder sets the
 * local backend's path): cdktf's default path is terraform.<stack>.tfstate in the folder
 * the app runs in, the repository, which every file using the same stack (and every
 * earlier run) would share.
 */
export function synthE2eApp(
  stack: E2eStack,
  outdir: string,
  env: Record<string, string>,
  requires: readonly string[] = [],
): string {
  const preload = requires.flatMap((module) => ['--require', module]);
  // the runner of cdktf.json: transpile cache, cheap stack traces (about 1 s a synth instead of 3-5 s)
  const result = spawnSync(
    process.execPath,
    [...preload, '--require', RUNNER, join(ROOT, 'test', 'e2e', 'apps', 'app.ts')],
    {
      cwd: ROOT,
      env: { ...process.env, ...env, E2E_STACK: stack, CDKTF_OUTDIR: outdir },
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) {
    throw new Error(`synth of the e2e app (${stack}) failed:\n${result.stdout}\n${result.stderr}`);
  }
  const name =
    stack === 'image-loop'
      ? `e2e-loop-${env.E2E_LOOP_ENV}`
      : stack === 'wave'
        ? `e2e-wave-${env.E2E_WAVE_REGION}`
        : `e2e-${stack}`;
  const dir = join(outdir, 'stacks', name);
  keepStateIn(dir, join(resolve(outdir), `${name}.tfstate`));
  return dir;
}

/** Points the local backend of the stack folder `dir` at `stateFile` (a tofu override file). */
export function keepStateIn(dir: string, stateFile: string): void {
  writeFileSync(
    join(dir, 'e2e_override.tf.json'),
    JSON.stringify({ terraform: { backend: { local: { path: stateFile } } } }),
  );
}

/** Runs the built command line. */
/** The built command line; `env` is added to this process's environment (moto's, for commands that call AWS). */
export function cli(args: readonly string[], env: Record<string, string> = {}): RunResult {
  const started = Date.now();
  const result = spawnSync(process.execPath, [BUILT_CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, seconds: (Date.now() - started) / 1000 };
}

export function cliOk(args: readonly string[], env: Record<string, string> = {}): RunResult {
  const result = cli(args, env);
  if (result.code !== 0) {
    throw new Error(`cdktf-immutable ${args.join(' ')} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/** Saves a plan JSON as a fixture under test/fixtures/plans/. */
export function saveFixture(plan: SavedPlan, name: string): void {
  copyFileSync(plan.jsonFile, join(ROOT, 'test', 'fixtures', 'plans', `${name}.json`));
}

export function readJson(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'));
}
