// `cdktf-immutable deploy <stack>`: the guarded apply. Synth, check that the release file
// agrees with what the load balancer serves, init, plan to a file, show it as JSON, guard
// it, and apply exactly that plan file, with the Terraform or OpenTofu binary that cdktf
// runs (TERRAFORM_BINARY_NAME, else terraform). Nothing is applied unless every check
// passed and the plan was confirmed (--auto-approve in CI).
import { spawn } from 'child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'fs';
import { isAbsolute, join, relative, resolve } from 'path';
import { createInterface } from 'readline';
import { loadReleaseFile, ReleaseFile, ReleaseFileError, ReleaseStore, releaseWeights } from 'cdktf-immutable/release';
import { guardPlan, GuardOptions, PlanFileError } from 'cdktf-immutable/review';
import { optionValue, parseArgs } from './args';
import { CliError, EXIT_BAD_INPUT, EXIT_OK, EXIT_REFUSED } from './errors';
import type { CliIo } from './io';
import { awsLiveReader, describeWeights, judgeLive, lastCommitOf, LiveReader, watchdogRefusal } from './live-check';
import { printGuardReport } from './review';
import { StackFleet, stackFleets, stackRegion } from './stack-fleets';

export const DEPLOY_USAGE = `Usage: cdktf-immutable deploy <stack> [options]

The guarded apply: applies exactly the plan that the guard checked.
  1. synth: the app of cdktf.json into its output folder (cdktf.out), as "cdktf synth"
     runs it; or --synth-dir <folder>, a synth output to use as it is
  2. live check: for each blue/green fleet of the stack, the weights the load balancer
     serves must be the release file's, or those it served before its last change
     ("served"); otherwise the file is not the one that was deployed (stale checkout)
  3. <tf> init -input=false, then <tf> plan -input=false -out=deploy.tfplan, in the
     stack's folder (cdktf.out/stacks/<stack>); <tf> is $TERRAFORM_BINARY_NAME (as for
     cdktf: "tofu" for OpenTofu), else terraform
  4. <tf> show -json deploy.tfplan > deploy.plan.json, and the guard on it
  5. the plan's summary and the guard's report; a violation stops here (exit 1)
  6. confirmation: type "yes" (without a terminal, --auto-approve is required)
  7. <tf> apply deploy.tfplan: that plan, nothing planned again

Options:
  --auto-approve                 apply without asking (CI)
  --plan-only                    stop after the guard: check, apply nothing
  --allow-destroy <address|glob> a destroy the guard allows (repeatable, as for guard)
  --synth-dir <folder>           use this synth output instead of synthesizing
  --release <env|file>           the release file of the stack's fleet: an environment of
                                 the releases folder, or a path; <fleet>=<env|file> for a
                                 stack with several fleets (repeatable). Default: the
                                 environment whose name the stack's name ends with
                                 (web-dev: releases/dev.json)
  --dir <folder>                 the releases folder (as for "release")
  --no-live-check <reason>       skip the live check, printing the reason
  --region <region>              where the load balancer is read (default: the stack's AWS
                                 provider region, else AWS_REGION)

Exit codes: 0 applied, no changes, or checked with --plan-only; 1 refused (guard
violation, live check, not confirmed) or a step failed (synth, init, plan, apply: its
output is above); 2 bad input; 130 interrupted.
`;

/** What tests replace. */
export interface DeployDeps {
  /** The reader of the live listener weights, for a region. */
  readonly liveReader?: (region: string | undefined) => LiveReader;
  /** Whether standard input is a terminal that can answer the confirmation. */
  readonly interactive?: boolean;
  /** Asks the confirmation; resolves with the answer. */
  readonly ask?: (question: string) => Promise<string>;
  /** The environment of the synth and of Terraform (and where TERRAFORM_BINARY_NAME is read). */
  readonly env?: NodeJS.ProcessEnv;
}

const EXIT_INTERRUPTED = 130;

/**
 * The fleet of the releases folder a stack belongs to, in the per-fleet layout with
 * several fleets: the one whose name starts the stack's (`api-prod`: api); undefined
 * otherwise (the store then asks for --fleet when it must).
 */
function stackFleetOf(root: ReleaseStore, stack: string): string | undefined {
  const layout = root.layout();
  if (layout.kind !== 'fleets' || layout.fleets().length < 2) {
    return undefined;
  }
  const matches = layout
    .fleets()
    .map((fleet) => fleet.name)
    .filter((fleet) => stack === fleet || stack.startsWith(`${fleet}-`))
    .sort((a, b) => b.length - a.length);
  return matches[0];
}

/** A step failed or was interrupted: the message, and the exit code. */
class Stop extends Error {
  constructor(
    message: string,
    public readonly exitCode: number,
  ) {
    super(message);
  }
}

/** `cdktf-immutable deploy <stack> ...` */
export async function deployCommand(argv: readonly string[], io: CliIo, deps: DeployDeps = {}): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(DEPLOY_USAGE);
    return EXIT_OK;
  }
  const args = parseArgs(
    argv,
    {
      values: ['synth-dir', 'dir', 'fleet', 'no-live-check', 'region'],
      switches: ['auto-approve', 'plan-only'],
      lists: ['allow-destroy', 'release'],
    },
    'deploy',
  );
  if (args.positionals.length !== 1) {
    throw new CliError(
      `deploy: name one stack (got ${args.positionals.length ? `"${args.positionals.join(' ')}"` : 'none'}), ` +
        'e.g. "cdktf-immutable deploy web-dev"; "cdktf-immutable deploy --help" for the steps.',
    );
  }
  const region = optionValue(args, 'region');
  if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new CliError(`deploy: --region "${region}" is not an AWS region; use a name such as eu-west-1.`);
  }
  const noLiveCheck = optionValue(args, 'no-live-check');
  if (noLiveCheck !== undefined && noLiveCheck.trim().length < 3) {
    throw new CliError('deploy: --no-live-check needs a reason, e.g. --no-live-check "listener moved by hand".');
  }
  const run = new Deploy(args.positionals[0], io, deps);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  const onSignal = (signal: NodeJS.Signals) => run.interrupt(signal);
  signals.forEach((signal) => process.on(signal, onSignal));
  try {
    return await run.run({
      synthDir: optionValue(args, 'synth-dir'),
      releases: args.lists.get('release') ?? [],
      releasesDir: optionValue(args, 'dir'),
      releaseFleet: optionValue(args, 'fleet'),
      noLiveCheck,
      region,
      allowDestroy: args.lists.get('allow-destroy') ?? [],
      autoApprove: args.options.has('auto-approve'),
      planOnly: args.options.has('plan-only'),
    });
  } catch (error) {
    if (error instanceof Stop) {
      io.err(`cdktf-immutable: deploy ${run.stack}: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  } finally {
    signals.forEach((signal) => process.off(signal, onSignal));
  }
}

interface DeployOptions {
  readonly synthDir?: string;
  readonly releases: readonly string[];
  readonly releasesDir?: string;
  /** The fleet of the releases folder (`--fleet`), in the per-fleet layout. */
  readonly releaseFleet?: string;
  readonly noLiveCheck?: string;
  readonly region?: string;
  readonly allowDestroy: readonly string[];
  readonly autoApprove: boolean;
  readonly planOnly: boolean;
}

/** One guarded deploy of one stack. */
class Deploy {
  private readonly env: NodeJS.ProcessEnv;
  private readonly tf: string;
  private child?: ReturnType<typeof spawn>;
  private interrupted?: NodeJS.Signals;

  constructor(
    public readonly stack: string,
    private readonly io: CliIo,
    private readonly deps: DeployDeps,
  ) {
    this.env = deps.env ?? process.env;
    this.tf = this.env.TERRAFORM_BINARY_NAME || 'terraform';
  }

  /** A signal: passed on to the running tool (Terraform stops gracefully), and the deploy stops after it. */
  public interrupt(signal: NodeJS.Signals): void {
    this.interrupted = signal;
    this.child?.kill(signal);
  }

  public async run(options: DeployOptions): Promise<number> {
    const outdir = options.synthDir === undefined ? await this.synth() : this.existingSynth(options.synthDir);
    const { workdir, json } = this.stackOutput(outdir);
    const region = options.region ?? stackRegion(json);
    await this.liveCheck(stackFleets(json), options, region);

    const planFile = 'deploy.tfplan';
    this.step(`${this.tf} init`);
    await this.tool(['init', '-input=false', ...this.color()], workdir, 'init');
    this.step(`${this.tf} plan -out=${planFile}`);
    const planCode = await this.tool(
      ['plan', '-input=false', '-detailed-exitcode', `-out=${planFile}`, ...this.color()],
      workdir,
      'plan',
      [0, 2],
    );
    const planJson = join(workdir, 'deploy.plan.json');
    const shown = await this.capture(['show', '-json', planFile], workdir);
    writeFileSync(planJson, shown);
    let report;
    try {
      report = guardPlan(
        JSON.parse(shown),
        relative(process.cwd(), planJson) || planJson,
        this.guardOptions(options, json),
      );
    } catch (error) {
      if (error instanceof PlanFileError || error instanceof SyntaxError) {
        throw new Stop(`${this.tf} show -json wrote no plan JSON the guard can read (${(error as Error).message}).`, 1);
      }
      throw error;
    }
    this.step('guard');
    if (printGuardReport(report, false, this.io) !== EXIT_OK) {
      throw new Stop(
        `refused before apply: the guard found ${report.violations.length} violation(s) in the plan (above); ` +
          'nothing was applied and the state is unchanged.',
        EXIT_REFUSED,
      );
    }
    if (planCode === 0) {
      this.io.out(`deploy ${this.stack}: no changes; nothing to apply.\n`);
      return EXIT_OK;
    }
    if (options.planOnly) {
      this.io.out(
        `deploy ${this.stack}: plan checked (${relative(process.cwd(), planJson)}); --plan-only: not applied.\n`,
      );
      return EXIT_OK;
    }
    await this.confirm(options.autoApprove);
    this.step(`${this.tf} apply ${planFile}`);
    await this.tool(['apply', '-input=false', ...this.color(), planFile], workdir, 'apply');
    this.io.out(`deploy ${this.stack}: applied the checked plan.\n`);
    return EXIT_OK;
  }

  /**
   * The guard's options: the destroys it allows, and the stack's synthesized JSON (the
   * guard's `config`: the lifecycle blocks the plan JSON lacks, and the pinned slots'
   * metadata).
   */
  private guardOptions(options: DeployOptions, stack: unknown): GuardOptions {
    return { allowDestroy: options.allowDestroy, config: stack };
  }

  private step(what: string): void {
    this.io.out(`\n== ${what}\n`);
  }

  private color(): string[] {
    return process.stdout.isTTY && !this.env.NO_COLOR ? [] : ['-no-color'];
  }

  /** Synthesizes the app of ./cdktf.json into its output folder, as cdktf synth runs it. */
  private async synth(): Promise<string> {
    const config = readCdktfJson(process.cwd());
    const outdir = resolve(config.output);
    this.step(`synth: ${config.app}`);
    const code = await this.spawn(config.app, [], process.cwd(), {
      shell: true,
      env: {
        ...this.env,
        CDKTF_OUTDIR: outdir,
        CDKTF_CONTEXT_JSON: JSON.stringify({ ...config.context, cdktfRelativeModules: [] }),
        SYNTH_HCL_OUTPUT: 'false',
        NODE_OPTIONS: this.env.NODE_OPTIONS ?? '--max-old-space-size=4096',
      },
    });
    if (code !== 0) {
      throw new Stop(`synth failed ("${config.app}" exited ${code}); nothing was planned.`, 1);
    }
    return outdir;
  }

  private existingSynth(dir: string): string {
    const outdir = resolve(dir);
    if (!existsSync(join(outdir, 'manifest.json'))) {
      throw new Stop(
        `--synth-dir ${dir} holds no manifest.json; pass the folder "cdktf synth" wrote (cdktf.out).`,
        EXIT_BAD_INPUT,
      );
    }
    this.io.out(`deploy ${this.stack}: using the synth output ${dir}\n`);
    return outdir;
  }

  /** The stack's folder and its Terraform JSON, from the synth output's manifest. */
  private stackOutput(outdir: string): { workdir: string; file: string; json: unknown } {
    let manifest: { stacks?: Record<string, { workingDirectory?: string; synthesizedStackPath?: string }> };
    try {
      manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
    } catch (error) {
      throw new Stop(`${join(outdir, 'manifest.json')} cannot be read (${(error as Error).message}).`, EXIT_BAD_INPUT);
    }
    const stacks = manifest.stacks ?? {};
    const entry = stacks[this.stack];
    if (!entry?.workingDirectory || !entry.synthesizedStackPath) {
      throw new Stop(
        `the app has no stack "${this.stack}" (stacks: ${Object.keys(stacks).join(', ') || 'none'}); name one of ` +
          'them (a stack skipped at synth, such as an environment with no image yet, is not in the list).',
        EXIT_BAD_INPUT,
      );
    }
    const file = join(outdir, entry.synthesizedStackPath);
    return {
      workdir: join(outdir, entry.workingDirectory),
      file,
      json: JSON.parse(readFileSync(file, 'utf8')),
    };
  }

  /** The live check of every blue/green fleet of the stack (see live-check.ts). */
  private async liveCheck(fleets: readonly StackFleet[], options: DeployOptions, region?: string): Promise<void> {
    this.step('live check');
    if (options.noLiveCheck !== undefined) {
      this.io.out(`live check skipped (--no-live-check): ${options.noLiveCheck}\n`);
      return;
    }
    if (fleets.length === 0) {
      this.io.out('live check: the stack has no blue/green fleet; nothing to compare.\n');
      return;
    }
    const files = this.releaseFiles(fleets, options, region);
    const reader = (this.deps.liveReader ?? awsLiveReader)(region);
    for (const fleet of fleets) {
      const { release, file } = files.get(fleet.fleet)!;
      const wanted = releaseWeights(release);
      if (fleet.weights && (fleet.weights.blue !== wanted.blue || fleet.weights.green !== wanted.green)) {
        throw new Stop(
          `the synthesized stack sends ${describeWeights(fleet.weights)} to fleet ${fleet.fleet}, but ${file} ` +
            `asks for ${describeWeights(wanted)}: the synth output was not built from this release file. Synthesize ` +
            'again (without --synth-dir), or name the file the stack reads with --release.',
          EXIT_BAD_INPUT,
        );
      }
      let reading;
      try {
        reading = await reader.readWeights(fleet.fleet);
      } catch (error) {
        throw new Stop(
          `live check: ${(error as Error).message} To deploy without it, pass --no-live-check "<reason>".`,
          EXIT_BAD_INPUT,
        );
      }
      const verdict = judgeLive(release, file, fleet.fleet, reading, () => lastCommitOf(file));
      if (!verdict.ok) {
        throw new Stop(`refused before plan: ${verdict.message}`, EXIT_REFUSED);
      }
      if (release.canary > 0 && reader.readWatchdogRecord) {
        let refusal: string | undefined;
        try {
          refusal = watchdogRefusal(release, file, await reader.readWatchdogRecord(fleet.fleet));
        } catch (error) {
          throw new Stop(
            `live check: ${(error as Error).message} To deploy without it, pass --no-live-check "<reason>".`,
            EXIT_BAD_INPUT,
          );
        }
        if (refusal) {
          throw new Stop(`refused before plan: ${refusal}`, EXIT_REFUSED);
        }
      }
      this.io.out(`${verdict.message}\n`);
    }
  }

  /** The release file of each fleet: --release, else the environment the stack's name ends with. */
  private releaseFiles(
    fleets: readonly StackFleet[],
    options: DeployOptions,
    region: string | undefined,
  ): Map<string, { release: ReleaseFile; file: string }> {
    const names = fleets.map((f) => f.fleet);
    const skip = 'or pass --no-live-check "<reason>"';
    let store: ReleaseStore | undefined;
    const openStore = () => {
      const dir = options.releasesDir ?? (this.env.CDKTF_IMMUTABLE_RELEASES || undefined);
      const root = dir !== undefined ? new ReleaseStore(resolve(dir)) : ReleaseStore.find(process.cwd());
      return (store ??= root.select({ fleet: options.releaseFleet ?? stackFleetOf(root, this.stack), region })[0]);
    };
    const load = (ref: string) => {
      try {
        if (ref.endsWith('.json') || ref.includes('/')) {
          return { release: loadReleaseFile(ref), file: ref };
        }
        const found = openStore();
        return { release: found.load(ref), file: relative(process.cwd(), found.pathOf(ref)) || found.pathOf(ref) };
      } catch (error) {
        if (error instanceof ReleaseFileError) {
          throw new Stop(`live check: ${error.message}`, EXIT_BAD_INPUT);
        }
        throw error;
      }
    };
    const out = new Map<string, { release: ReleaseFile; file: string }>();
    const refs = options.releases.length ? options.releases : [this.inferEnvironment(openStore, skip)];
    for (const spec of refs) {
      const eq = spec.indexOf('=');
      const fleet = eq === -1 ? undefined : spec.slice(0, eq).toLowerCase();
      if (fleet === undefined && names.length > 1) {
        throw new Stop(
          `the stack has ${names.length} blue/green fleets (${names.join(', ')}); name the release file of each: ` +
            `--release <fleet>=<env or file>, ${skip}.`,
          EXIT_BAD_INPUT,
        );
      }
      if (fleet !== undefined && !names.includes(fleet)) {
        throw new Stop(`--release ${spec}: the stack has no fleet "${fleet}" (fleets: ${names.join(', ')}).`, 2);
      }
      out.set(fleet ?? names[0], load(eq === -1 ? spec : spec.slice(eq + 1)));
    }
    const missing = names.filter((name) => !out.has(name));
    if (missing.length) {
      throw new Stop(`no release file for fleet(s) ${missing.join(', ')}: add --release <fleet>=<env>, ${skip}.`, 2);
    }
    return out;
  }

  /**
   * The environment of the releases folder that the stack's name is or ends with
   * (`web-dev`: dev; `web-prod-eu-west-1`: prod).
   */
  private inferEnvironment(openStore: () => ReleaseStore, skip: string): string {
    let store: ReleaseStore;
    try {
      store = openStore();
    } catch (error) {
      if (error instanceof ReleaseFileError) {
        throw new Stop(`live check: ${error.message} Or name the file with --release <file>, ${skip}.`, 2);
      }
      throw error;
    }
    const name =
      store.region !== undefined && this.stack.endsWith(`-${store.region}`)
        ? this.stack.slice(0, -store.region.length - 1)
        : this.stack;
    const matches = store
      .environments()
      .filter((env) => name === env || name.endsWith(`-${env}`))
      .sort((a, b) => b.length - a.length);
    if (matches.length === 0) {
      throw new Stop(
        `live check: no release file in ${store.directory} belongs to stack ${this.stack} (none of ` +
          `${store.environments().join(', ') || 'no environments'} is its name or its end); name it with ` +
          `--release <env or file>, ${skip}.`,
        EXIT_BAD_INPUT,
      );
    }
    return matches[0];
  }

  private async confirm(autoApprove: boolean): Promise<void> {
    if (autoApprove) {
      return;
    }
    const interactive = this.deps.interactive ?? (process.stdin.isTTY === true && process.stdout.isTTY === true);
    if (!interactive) {
      throw new Stop(
        'not applied: there is no terminal to confirm the plan on (CI?); review the plan above and pass ' +
          '--auto-approve, or run it in a terminal.',
        EXIT_REFUSED,
      );
    }
    const answer = await (this.deps.ask ?? askOnTerminal)(
      `\nApply this plan to ${this.stack}? Only "yes" applies it: `,
    );
    if (answer.trim() !== 'yes') {
      throw new Stop(`not applied (answered "${answer.trim()}"); the state is unchanged.`, EXIT_REFUSED);
    }
  }

  /** Runs the Terraform binary with its output shown; a code outside `ok` stops the deploy. */
  private async tool(args: string[], cwd: string, what: string, ok: readonly number[] = [0]): Promise<number> {
    const code = await this.spawn(this.tf, args, cwd, { env: this.env });
    if (!ok.includes(code)) {
      const applied =
        what === 'apply' ? ' The state holds what was applied before the failure;' : ' Nothing was applied;';
      throw new Stop(
        `${this.tf} ${what} failed (exit ${code}, output above).${applied} fix it and run deploy again.`,
        1,
      );
    }
    return code;
  }

  /** Runs the Terraform binary and returns its standard output (its errors are shown). */
  private async capture(args: string[], cwd: string): Promise<string> {
    let out = '';
    const code = await this.spawn(this.tf, args, cwd, { env: this.env }, (text) => {
      out += text;
    });
    if (code !== 0) {
      throw new Stop(`${this.tf} ${args.join(' ')} failed (exit ${code}); nothing was applied.`, 1);
    }
    return out;
  }

  private spawn(
    command: string,
    args: string[],
    cwd: string,
    options: { env: NodeJS.ProcessEnv; shell?: boolean },
    onOut: (text: string) => void = this.io.out,
  ): Promise<number> {
    if (this.interrupted) {
      return Promise.reject(new Stop(`interrupted (${this.interrupted}).`, EXIT_INTERRUPTED));
    }
    return new Promise((resolvePromise, reject) => {
      const child = spawn(command, args, {
        cwd,
        env: options.env,
        shell: options.shell,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.child = child;
      child.stdout!.on('data', (data) => onOut(String(data)));
      child.stderr!.on('data', (data) => this.io.err(String(data)));
      child.on('error', (error: NodeJS.ErrnoException) => {
        this.child = undefined;
        reject(
          new Stop(
            `cannot run ${command} (${error.code ?? error.message}); ` +
              (command === this.tf
                ? 'install Terraform, or OpenTofu with TERRAFORM_BINARY_NAME=tofu, as for cdktf.'
                : 'check the "app" of cdktf.json.'),
            1,
          ),
        );
      });
      child.on('close', (code, signal) => {
        this.child = undefined;
        if (this.interrupted) {
          reject(new Stop(`interrupted (${this.interrupted}) during ${command} ${args[0] ?? ''}.`, EXIT_INTERRUPTED));
        } else {
          resolvePromise(code ?? (signal ? 128 : 1));
        }
      });
    });
  }
}

/** The parts of cdktf.json that synth needs. */
function readCdktfJson(dir: string): { app: string; output: string; context: Record<string, unknown> } {
  const file = join(dir, 'cdktf.json');
  if (!existsSync(file)) {
    throw new Stop(
      `no cdktf.json in ${dir}; run deploy in the folder that holds cdktf.json, or pass --synth-dir <cdktf.out>.`,
      EXIT_BAD_INPUT,
    );
  }
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Stop(`${file} is not valid JSON (${(error as Error).message}).`, EXIT_BAD_INPUT);
  }
  if (typeof config.app !== 'string' || config.app.trim() === '') {
    throw new Stop(`${file} has no "app" command; set it, as "cdktf synth" needs.`, EXIT_BAD_INPUT);
  }
  const output = typeof config.output === 'string' && config.output !== '' ? config.output : 'cdktf.out';
  if (isAbsolute(output) && existsSync(output) && !statSync(output).isDirectory()) {
    throw new Stop(`${file}: "output" (${output}) is a file, not a folder.`, EXIT_BAD_INPUT);
  }
  const context = config.context;
  return {
    app: config.app,
    output: resolve(dir, output),
    context: context !== null && typeof context === 'object' && !Array.isArray(context) ? (context as never) : {},
  };
}

/** Asks on the terminal and resolves with the line typed. */
function askOnTerminal(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  return new Promise((resolvePromise) => {
    rl.question(question, (answer) => {
      rl.close();
      resolvePromise(answer);
    });
  });
}
