import { spawnSync } from 'child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, realpathSync, rmSync, unlinkSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative } from 'path';
import { CliError, EXIT_BAD_INPUT, EXIT_OK, EXIT_REFUSED } from './errors';
import { optionValue, parseArgs } from './args';
import type { CliIo } from './io';
import { provideBaseDependencies } from './base-dependencies';
import {
  guardPlan,
  hasViolations,
  PlanFileError,
  PREVIEW_LABELS,
  previewChanges,
  readPlanFile,
  readSynthOutput,
  SynthOutputError,
} from 'cdktf-immutable/review';
import type { GuardReport, PreviewAction, PreviewOptions, PreviewResource, StackPreview } from 'cdktf-immutable/review';

/** Exit code of a command stopped by a signal (128 + SIGINT). */
const EXIT_INTERRUPTED = 130;

/** Exit code of `preview --detailed-exitcode` when a stack changes (or preview cannot decide one). */
const EXIT_CHANGES = 3;

/** The width of the label column: the longest label. */
const LABEL = Math.max(...Object.values(PREVIEW_LABELS).map((label) => label.length));

/**
 * `cdktf-immutable preview <before> <after> [--json] [--detailed-exitcode]`
 * `cdktf-immutable preview --base <git-ref> [<after>] [--json] [--detailed-exitcode]`
 */
export function previewCommand(argv: readonly string[], io: CliIo): number {
  const args = parseArgs(argv, { switches: ['json', 'detailed-exitcode'], values: ['base'] }, 'preview');
  const base = optionValue(args, 'base');
  let preview: StackPreview[];
  if (base !== undefined) {
    if (args.positionals.length > 1) {
      throw new CliError(
        `preview --base: expected at most one synth output (the <after> side), got ${args.positionals.length} ` +
          `argument(s); without <after>, the working tree is synthesized.`,
      );
    }
    preview = previewAgainstBase(base, args.positionals[0], io);
  } else {
    if (args.positionals.length !== 2) {
      throw new CliError(
        `preview: expected <before> and <after> (two cdktf.out folders or stack JSON files), or --base ` +
          `<git-ref>; got ${args.positionals.length} argument(s).`,
      );
    }
    preview = readAndCompare(args.positionals[0], args.positionals[1]);
  }
  const violations = hasViolations(preview);
  const changedStacks = preview.filter((stack) => stack.changed).map((stack) => stack.stack);
  const unknown = preview.some(
    (stack) =>
      stack.unknown.length > 0 ||
      stack.resources.some((r) => r.action === 'unknown') ||
      stack.outputs.some((o) => o.action === 'unknown'),
  );
  const code = violations
    ? EXIT_REFUSED
    : args.options.has('detailed-exitcode') && changedStacks.length > 0
      ? EXIT_CHANGES
      : EXIT_OK;
  if (args.options.has('json')) {
    io.out(`${JSON.stringify({ stacks: preview, violations, changedStacks, unknown }, null, 2)}\n`);
    return code;
  }
  printPreview(preview, io);
  io.out(`Changed stacks: ${changedStacks.length > 0 ? changedStacks.join(', ') : 'none'}\n`);
  if (unknown) {
    io.err(
      `preview: some changes cannot be decided offline (${PREVIEW_LABELS.unknown}); the stacks that hold them ` +
        'count as changed: plan them and check the plan with guard.\n',
    );
  }
  if (violations) {
    io.err(
      'preview: an immutable resource would be updated in place, or a forbidden attribute is set (marked !!); ' +
        'make the change produce a new generation instead.\n',
    );
  }
  return code;
}

/** The label and the detail of one resource line, or undefined for a resource counted as unchanged. */
function resourceLine(resource: PreviewResource): { label: string; detail: string } | undefined {
  const ignored = resource.ignored ?? [];
  const label = PREVIEW_LABELS[resource.action];
  if (resource.action === 'unchanged' && !resource.violation) {
    const tops = [...new Set(resource.changed.map((p) => p.split(/[.[]/)[0]))];
    if (tops.length > 0) {
      return { label, detail: `  (no action: only ${tops.join(', ')} changed)` };
    }
    if (ignored.length > 0) {
      return { label, detail: `  (no action: ${ignored.join(', ')} ignored by lifecycle.ignore_changes)` };
    }
    return undefined;
  }
  let detail = '';
  if (resource.action === 'replaced') {
    detail = `  (${resource.reason})`;
  } else if (resource.action === 'updated' || resource.action === 'waits-for-release') {
    detail = `  ${resource.changed.join(', ')}${resource.reason ? ` (${resource.reason})` : ''}`;
  } else if (resource.action === 'unknown') {
    detail = `  (${resource.reason}${resource.ifChanged ? `; ${resource.ifChanged} if it changes` : ''})`;
  }
  if (resource.waitsForRelease && resource.action !== 'waits-for-release') {
    detail += `; ${PREVIEW_LABELS['waits-for-release']}: ${ignored.join(', ')}`;
  }
  const flag = resource.violation ? `  !! ${resource.violationReason ?? 'immutable resource updated in place'}` : '';
  return { label, detail: `${detail}${flag}` };
}

function printPreview(preview: readonly StackPreview[], io: CliIo): void {
  const totals = Object.fromEntries(Object.keys(PREVIEW_LABELS).map((action) => [action, 0])) as Record<
    PreviewAction,
    number
  >;
  for (const stack of preview) {
    io.out(`Stack ${stack.stack}\n`);
    let unchanged = 0;
    for (const resource of stack.resources) {
      totals[resource.action]++;
      if (resource.action === 'unchanged' && !resource.violation) {
        unchanged++;
      }
      const line = resourceLine(resource);
      if (line) {
        io.out(`  ${line.label.padEnd(LABEL)} ${resource.address}${line.detail}\n`);
      }
    }
    for (const output of stack.outputs) {
      const label = output.action === 'unknown' ? PREVIEW_LABELS.unknown : output.action;
      io.out(`  ${label.padEnd(LABEL)} output.${output.name}${output.reason ? `  (${output.reason})` : ''}\n`);
    }
    for (const reason of stack.unknown) {
      io.out(`  ${PREVIEW_LABELS.unknown.padEnd(LABEL)} (stack) ${reason}\n`);
    }
    for (const note of stack.notes) {
      io.out(`  ${'note'.padEnd(LABEL)} ${note}\n`);
    }
    io.out(`  ${'unchanged'.padEnd(LABEL)} ${unchanged} resource(s)\n`);
  }
  const waiting = totals['waits-for-release'];
  io.out(
    `Summary: ${preview.length} stack(s): ${totals.replaced} replaced, ${totals.updated} updated in place, ` +
      `${totals.created} created, ${totals.destroyed} destroyed, ${totals.unchanged} unchanged, ` +
      `${totals.unknown} unknown${waiting > 0 ? `, ${waiting} pinned (${PREVIEW_LABELS['waits-for-release']})` : ''}\n`,
  );
}

function readAndCompare(before: string, after: string, options: PreviewOptions = {}): StackPreview[] {
  try {
    return previewChanges(readSynthOutput(before), readSynthOutput(after), options);
  } catch (error) {
    if (error instanceof SynthOutputError) {
      throw new CliError(`preview: ${error.message}`, EXIT_BAD_INPUT);
    }
    throw error;
  }
}

/** Runs git in `cwd`: whether it succeeded, its trimmed output, and the signal that stopped it. */
function git(
  cwd: string,
  args: readonly string[],
): { ok: boolean; out: string; err: string; signal: NodeJS.Signals | null } {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error) {
    throw new CliError(
      `preview --base: git cannot be run ` +
        `(${(result.error as NodeJS.ErrnoException).code ?? result.error.message}); install git, or pass two synth ` +
        `outputs.`,
    );
  }
  return {
    ok: result.status === 0,
    out: (result.stdout ?? '').trim(),
    err: (result.stderr ?? '').trim(),
    signal: result.signal,
  };
}

class Interrupted extends Error {
  constructor(public readonly signal: string) {
    super(signal);
  }
}

/** The `app` command and `context` of a cdktf.json. */
interface CdktfApp {
  readonly app: string;
  readonly context: Record<string, unknown>;
}

function cdktfApp(dir: string, what: string): CdktfApp {
  const file = join(dir, 'cdktf.json');
  if (!existsSync(file)) {
    throw new CliError(
      `preview --base: ${what} has no cdktf.json (${file}); run preview --base from the folder that holds cdktf.json.`,
    );
  }
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`preview --base: ${what}: cdktf.json is not valid JSON (${(error as Error).message}).`);
  }
  const app = (config as { app?: unknown }).app;
  if (typeof app !== 'string' || app.trim() === '') {
    throw new CliError(
      `preview --base: ${what}: cdktf.json has no "app" command (got ${JSON.stringify(app)}); set "app", as ` +
        `"cdktf synth" needs.`,
    );
  }
  const context = (config as { context?: unknown }).context;
  return {
    app,
    context:
      context !== null && typeof context === 'object' && !Array.isArray(context)
        ? (context as Record<string, unknown>)
        : {},
  };
}

/**
 * Synthesizes the app of cdktf.json in `dir` into `outdir`, as `cdktf synth` does: the
 * `app` command through the shell in that folder, with CDKTF_OUTDIR and the context.
 */
function synthesize(dir: string, outdir: string, what: string, { app, context }: CdktfApp): void {
  const result = spawnSync(app, {
    shell: true,
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
    env: {
      ...process.env,
      CDKTF_OUTDIR: outdir,
      CDKTF_CONTEXT_JSON: JSON.stringify({ ...context, cdktfRelativeModules: [] }),
      SYNTH_HCL_OUTPUT: 'false',
    },
  });
  if (result.signal || result.status === 130 || result.status === 143) {
    throw new Interrupted(result.signal ?? 'SIGINT');
  }
  if (result.error || result.status !== 0) {
    const tail = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new CliError(
      `preview --base: synthesizing ${what} failed ` +
        `(${result.error ? result.error.message : `"${app}" exited ${result.status}`})${tail ? `:\n${tail}` : '.'}`,
    );
  }
  if (!existsSync(join(outdir, 'manifest.json'))) {
    throw new CliError(
      `preview --base: synthesizing ${what} ("${app}") wrote no manifest.json to CDKTF_OUTDIR; the app must call ` +
        `app.synth().`,
    );
  }
}

/**
 * Synthesizes `ref` in a temporary git worktree with the base's own dependencies (see
 * base-dependencies.ts) and compares it with `after`, or with the working tree synthesized into a
 * temporary folder. The worktree and the temporary folders are removed in every case:
 * success, failure and interruption (SIGINT, SIGTERM, SIGHUP). The working tree, the
 * index and the stash are never touched.
 */
function previewAgainstBase(ref: string, after: string | undefined, io: CliIo): StackPreview[] {
  const cwd = realpathSync(process.cwd());
  const top = git(cwd, ['rev-parse', '--show-toplevel']);
  if (!top.ok) {
    throw new CliError(
      `preview --base: ${cwd} is not inside a git repository (${top.err.split('\n')[0]}); run it in your IaC ` +
        `repository, or pass two synth outputs: preview <before> <after>.`,
    );
  }
  const root = realpathSync(top.out);
  if (ref.startsWith('-')) {
    throw new CliError(
      `preview --base: "${ref}" is not a git ref; pass a branch, tag or commit such as main or HEAD~1.`,
    );
  }
  const commit = git(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  if (!commit.ok) {
    throw new CliError(
      `preview --base: unknown git ref "${ref}" in ${root}; pass a branch, tag or commit that exists (git fetch ` +
        `first for a remote branch such as origin/main).`,
    );
  }
  const project = relative(root, cwd);
  const workingApp = cdktfApp(cwd, 'the working tree');
  const temp = realpathSync(mkdtempSync(join(tmpdir(), 'cdktf-immutable-base-')));
  const tree = join(temp, 'tree');
  const links: string[] = [];
  // Registered so that a signal does not kill the process before the finally below ran;
  // a signal to the process group stops the synth child, which is reported as Interrupted.
  const onSignal = () => undefined;
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  signals.forEach((signal) => process.on(signal, onSignal));
  try {
    const added = git(root, ['worktree', 'add', '--detach', tree, commit.out]);
    if (added.signal) {
      throw new Interrupted(added.signal);
    }
    if (!added.ok) {
      throw new CliError(`preview --base: git worktree add failed: ${added.err.split('\n').slice(-1)[0]}`);
    }
    const baseDir = join(tree, project);
    const baseWhat = `the base ${ref} (${commit.out.slice(0, 12)})`;
    const baseApp = cdktfApp(baseDir, baseWhat);
    const dependencies = provideBaseDependencies({
      commit: commit.out,
      tree,
      baseDir,
      root,
      cwd,
      interrupted: (signal) => new Interrupted(signal),
    });
    links.push(...dependencies.links);
    io.err(dependencies.note);
    const beforeOut = join(temp, 'before');
    synthesize(baseDir, beforeOut, baseWhat, baseApp);
    let afterOut = after;
    if (afterOut === undefined) {
      afterOut = join(temp, 'after');
      synthesize(cwd, afterOut, 'the working tree', workingApp);
    }
    io.err(`preview: base ${ref} (${commit.out.slice(0, 12)}) against ${after ?? 'the working tree'}\n`);
    // The base was synthesized in the worktree: paths under it (a local backend's state
    // file) are read as the same paths under the working tree.
    return readAndCompare(beforeOut, afterOut, {
      synthFolders: [
        { before: baseDir, after: cwd },
        { before: tree, after: root },
      ],
    });
  } catch (error) {
    if (error instanceof Interrupted) {
      throw new CliError(
        `preview --base: interrupted (${error.signal}); the temporary worktree was removed.`,
        EXIT_INTERRUPTED,
      );
    }
    throw error;
  } finally {
    // Unlink node_modules first: removing the worktree must never reach the repository's own.
    for (const link of links) {
      try {
        if (lstatSync(link).isSymbolicLink()) {
          unlinkSync(link);
        }
      } catch {
        // already gone
      }
    }
    const removed = git(root, ['worktree', 'remove', '--force', tree]).ok;
    rmSync(temp, { recursive: true, force: true });
    if (!removed) {
      // The folder is gone now; prune drops its registration.
      git(root, ['worktree', 'prune']);
    }
    signals.forEach((signal) => process.removeListener(signal, onSignal));
  }
}

/** Takes every `--name value` / `--name=value` out of `argv` (a repeatable option). */
function takeRepeated(argv: readonly string[], name: string, command: string): { rest: string[]; values: string[] } {
  const rest: string[] = [];
  const values: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === `--${name}` || arg.startsWith(`--${name}=`)) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (value === undefined || value === '' || (!arg.includes('=') && value.startsWith('--'))) {
        throw new CliError(
          `${command}: --${name} needs an address or a glob, such as --${name} aws_autoscaling_group.old or ` +
            `--${name} 'module.legacy.*'.`,
        );
      }
      values.push(value);
      continue;
    }
    rest.push(arg);
  }
  return { rest, values };
}

/** The synthesized stack of `guard --config`: one stack's Terraform JSON (a cdk.tf.json, or a folder holding one). */
function readConfig(path: string): unknown {
  let stacks;
  try {
    stacks = readSynthOutput(path);
  } catch (error) {
    if (error instanceof SynthOutputError) {
      throw new CliError(`guard: --config ${error.message}`, EXIT_BAD_INPUT);
    }
    throw error;
  }
  if (stacks.size !== 1) {
    throw new CliError(
      `guard: --config ${path} holds ${stacks.size} stacks (${[...stacks.keys()].join(', ')}); pass the one the ` +
        'plan was made from: cdktf.out/stacks/<stack>/cdk.tf.json.',
      EXIT_BAD_INPUT,
    );
  }
  return [...stacks.values()][0];
}

/**
 * Refuses a `--config` that holds none of the plan's managed resources (of the root
 * module): it is not the stack the plan was made from, and its lifecycle blocks say
 * nothing about the plan.
 */
function refuseOtherStack(plan: unknown, config: unknown, configPath: string): void {
  const changes = (plan as { resource_changes?: unknown }).resource_changes;
  const planned = (Array.isArray(changes) ? changes : [])
    .filter((rc) => rc?.mode === undefined || rc.mode === 'managed')
    .map((rc) => String(rc?.address))
    .filter((address) => !address.startsWith('module.'));
  const resources = (config as { resource?: Record<string, Record<string, unknown>> }).resource ?? {};
  const inConfig = new Set(
    Object.entries(resources).flatMap(([type, byName]) => Object.keys(byName ?? {}).map((name) => `${type}.${name}`)),
  );
  if (planned.length > 0 && !planned.some((address) => inConfig.has(address))) {
    throw new CliError(
      `guard: --config ${configPath} holds none of the plan's resources (${planned[0]}, ...); pass the synthesized ` +
        'stack the plan was made from: cdktf.out/stacks/<stack>/cdk.tf.json.',
      EXIT_BAD_INPUT,
    );
  }
}

/** `cdktf-immutable guard <plan.json> [--config <cdk.tf.json>] [--allow-destroy <address or glob>]... [--json]` */
export function guardCommand(argv: readonly string[], io: CliIo): number {
  const { rest, values: allowDestroy } = takeRepeated(argv, 'allow-destroy', 'guard');
  const args = parseArgs(rest, { switches: ['json'], values: ['config'] }, 'guard');
  if (args.positionals.length !== 1) {
    throw new CliError(
      `guard: expected one plan JSON file (the output of "tofu show -json <plan>"), got ` +
        `${args.positionals.length} argument(s).`,
    );
  }
  const file = args.positionals[0];
  const configPath = optionValue(args, 'config');
  const config = configPath === undefined ? undefined : readConfig(configPath);
  let report;
  try {
    const plan = readPlanFile(file);
    if (config !== undefined) {
      refuseOtherStack(plan, config, configPath!);
    }
    report = guardPlan(plan, file, { allowDestroy, config });
  } catch (error) {
    if (error instanceof PlanFileError) {
      throw new CliError(`guard: ${error.message}`, EXIT_BAD_INPUT);
    }
    throw error;
  }
  return printGuardReport(report, args.options.has('json'), io);
}

/**
 * Prints a guard report as `guard` does (the plan's actions, what passed and why, each
 * violation) and returns the exit code: 1 with violations, else 0. `deploy` prints the
 * report of the plan it is about to apply the same way.
 */
export function printGuardReport(report: GuardReport, json: boolean, io: CliIo): number {
  for (const pattern of report.unusedAllowDestroy) {
    io.err(`guard: note: --allow-destroy ${pattern} matched no destroyed resource.\n`);
  }
  const failed = report.violations.length > 0;
  if (json) {
    io.out(`${JSON.stringify({ ok: !failed, ...report }, null, 2)}\n`);
    return failed ? EXIT_REFUSED : EXIT_OK;
  }
  const counts = Object.entries(report.actions)
    .map(([action, n]) => `${n} ${action}`)
    .join(', ');
  io.out(`Plan actions: ${counts || 'none'}\n`);
  for (const update of report.operationalUpdates) {
    io.out(`  ok  ${update.address}: operational update (${update.attributes.join(', ')})\n`);
  }
  for (const move of report.moved) {
    io.out(`  ok  ${move.address}: moved from ${move.previousAddress}\n`);
  }
  for (const address of report.forgotten) {
    io.out(`  ok  ${address}: forgotten (removed from the state, not destroyed)\n`);
  }
  for (const address of report.allowedDestroys) {
    io.out(`  ok  ${address}: destroyed, allowed by --allow-destroy\n`);
  }
  for (const entry of report.acknowledged) {
    io.out(`  ack ${entry.address}: ${entry.rule} (${entry.subjects.join(', ')}), acknowledged: ${entry.reason}\n`);
  }
  if (!report.lifecycleChecked) {
    io.err(
      'guard: note: lifecycle not checked (the plan JSON has none): pass ' +
        '--config cdktf.out/stacks/<stack>/cdk.tf.json to refuse ignore_changes and removed replace_triggered_by ' +
        'on immutable resources.\n',
    );
  }
  for (const violation of report.violations) {
    io.out(`  FAIL ${violation.address}: ${violation.message}\n`);
  }
  if (failed) {
    io.err(
      `guard: ${report.violations.length} violation(s): immutable resources must be replaced ` +
        `create-before-destroy, never changed in place, destroyed unreplaced or changed by hand.\n`,
    );
    return EXIT_REFUSED;
  }
  io.out('guard: ok, no immutable resource is changed in place, destroyed unreplaced or drifted.\n');
  return EXIT_OK;
}
