import { spawnSync } from 'child_process';
import { main } from '../../bin/cli/main';
import { BUILT_CLI, requireBuiltDist } from '../support/built-dist';

export { BUILT_CLI };

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** The current folder of the command. */
  readonly cwd?: string;
  /** Variables added to (or, as '', emptied in) the environment of the command. */
  readonly env?: Record<string, string>;
}

/**
 * Commands that runCli runs in this process: they are synchronous and reach the process
 * only through their arguments, `io`, `process.cwd()` and `process.env`. Anything else
 * (a new subcommand, e.g. one that talks to AWS asynchronously) runs in the built command.
 */
const IN_PROCESS: Record<string, ReadonlySet<string | undefined> | 'all'> = {
  release: new Set([undefined, '--help', '-h', 'init', 'stage', 'promote', 'rollback', 'status', 'veto']),
  guard: 'all',
  preview: 'all',
  '--help': 'all',
  '-h': 'all',
  help: 'all',
  '--version': 'all',
  '-v': 'all',
  version: 'all',
};

/**
 * Variables that the commands read themselves. In jest, `process.env` is a copy that only
 * the test's own modules see: node's core modules (os.tmpdir() reading TMPDIR, a child
 * process started without an explicit env) still see the real environment. So a command
 * given any other variable runs in the built command, where it takes effect.
 */
const IN_PROCESS_ENV = new Set(['CDKTF_IMMUTABLE_RELEASES']);

function inProcess(args: readonly string[], options: CliOptions): boolean {
  if (Object.keys(options.env ?? {}).some((name) => !IN_PROCESS_ENV.has(name))) {
    return false;
  }
  const commands = IN_PROCESS[args[0]];
  return commands === 'all' || (commands !== undefined && commands.has(args[1]));
}

/**
 * Runs the command line as `cdktf-immutable <args>` would, and returns its exit code and
 * output. Fast: the commands listed in IN_PROCESS run in this process through
 * `main(argv, io)` (bin/cli/main.ts) with `options.cwd` as the current folder and
 * `options.env` added to the environment (only the variables of IN_PROCESS_ENV), both
 * restored afterwards; a call costs about a millisecond instead of 0.1-0.3 s for a node
 * process on 2 busy cores. Other commands and variables run in the built command, as
 * runBuiltCli does.
 *
 * Use runBuiltCli where the process itself is what is tested: exit codes as the shell sees
 * them, signals, pipes, several commands at once, or what the built package loads.
 */
export function runCli(args: readonly string[], options: CliOptions = {}): CliResult {
  if (!inProcess(args, options)) {
    return runBuiltCli(args, options);
  }
  let stdout = '';
  let stderr = '';
  const savedCwd = process.cwd();
  const savedEnv = new Map<string, string | undefined>();
  try {
    for (const [name, value] of Object.entries(options.env ?? {})) {
      savedEnv.set(name, process.env[name]);
      process.env[name] = value;
    }
    if (options.cwd !== undefined) {
      process.chdir(options.cwd);
    }
    const code: unknown = main(args, {
      out: (text) => {
        stdout += text;
      },
      err: (text) => {
        stderr += text;
      },
    });
    if (typeof code !== 'number') {
      throw new Error(
        `runCli: main(${JSON.stringify(args)}) returned ${String(code)}, not an exit code; if the command is asynchronous now, take it out of IN_PROCESS in test/cli/run-cli.ts (it then runs in the built command).`,
      );
    }
    return { code, stdout, stderr };
  } finally {
    process.chdir(savedCwd);
    for (const [name, value] of savedEnv) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
  }
}

/** The path of the built command, packages/cli/dist/cdktf-immutable.js, once built: for tests that start it themselves. */
export function builtCli(): string {
  requireBuiltDist();
  return BUILT_CLI;
}

/** Runs the built command (packages/cli/dist/cdktf-immutable.js) in a new node process. */
export function runBuiltCli(args: readonly string[], options: CliOptions = {}): CliResult {
  requireBuiltDist();
  const result = spawnSync(process.execPath, [BUILT_CLI, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 20_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
