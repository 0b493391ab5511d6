import { CliError, EXIT_BAD_INPUT, EXIT_OK } from './errors';
import type { CliIo } from './io';
import { packageInfo } from './package-info';

export const USAGE = `Usage: cdktf-immutable <command> [options]

Immutable infrastructure on AWS with CDK for Terraform.

Commands:
  release init|stage|promote|rollback|status
                    Edit and show the per-environment release files (releases/<env>.json).
                    "cdktf-immutable release --help" for details.
  preview <before> <after> [--json]
  preview --base <git-ref> [<after>] [--json]
                    Compare two synth outputs (cdktf.out folders or stack JSON files)
                    offline: created, destroyed, replaced, updated in place, unchanged,
                    following references and replace_triggered_by. --base synthesizes
                    <git-ref> in a temporary git worktree (removed afterwards) and
                    compares it with <after> or the working tree. Exit 1 if an
                    immutable resource would be updated in place or a forbidden
                    attribute is set; 130 if interrupted.
  guard <plan.json> [--allow-destroy <address or glob>]... [--json]
                    Check the JSON of a saved plan ("tofu show -json plan"). Exit 1 on
                    an immutable resource updated in place beyond operational
                    attributes, replaced delete-before-create, replaced
                    create-before-destroy under the same fixed name, destroyed with no
                    replacement at its address (unless --allow-destroy names it), or
                    drifted; or a forbidden attribute set. forget and moved pass.
  --help, -h        Show this help.
  --version, -v     Print the version.

Exit codes:
  0  success
  1  refused (an invalid transition) or violations found
  2  bad input (unreadable or malformed file, bad arguments)
  130  interrupted (preview --base, after removing its temporary worktree)
`;

/**
 * Runs the command line and returns the exit code (a promise of it for the commands
 * that call AWS: `release stage --from-ssm | --from-pipeline`).
 */
export function main(argv: readonly string[], io: CliIo): number | Promise<number> {
  const fail = (error: unknown): number => {
    if (error instanceof CliError) {
      io.err(`cdktf-immutable: ${error.message}\n`);
      return error.exitCode;
    }
    io.err(`cdktf-immutable: ${(error as Error).message ?? String(error)}\n`);
    return EXIT_BAD_INPUT;
  };
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.out(USAGE);
      return EXIT_OK;
    }
    if (command === '--version' || command === '-v' || command === 'version') {
      if (rest.length > 0) {
        throw new CliError(`--version takes no arguments (got "${rest.join(' ')}").`);
      }
      io.out(`${packageInfo().version}\n`);
      return EXIT_OK;
    }
    // Subcommands are loaded on demand: none of them needs cdktf, and --version stays instant.
    if (command === 'release') {
      const result = (require('./release') as typeof import('./release')).releaseCommand(rest, io);
      return typeof result === 'number' ? result : result.catch(fail);
    }
    if (command === 'preview') {
      return (require('./review') as typeof import('./review')).previewCommand(rest, io);
    }
    if (command === 'guard') {
      return (require('./review') as typeof import('./review')).guardCommand(rest, io);
    }
    throw new CliError(`unknown command "${command}". Run "cdktf-immutable --help" for the list of commands.`);
  } catch (error) {
    return fail(error);
  }
}
