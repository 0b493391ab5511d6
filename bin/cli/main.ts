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
                    Compare two synth outputs (cdktf.out folders or stack JSON files)
                    offline: created, destroyed, replaced (new generation), updated in
                    place, unchanged. Exit 1 if an immutable resource would be updated
                    in place.
  guard <plan.json> [--json]
                    Check the JSON of a saved plan ("tofu show -json plan"). Exit 1 on
                    any in-place update of an immutable resource beyond operational
                    attributes, or a delete-before-create replacement of one.
  --help, -h        Show this help.
  --version, -v     Print the version.

Exit codes:
  0  success
  1  refused (an invalid transition) or violations found
  2  bad input (unreadable or malformed file, bad arguments)
`;

/** Runs the command line and returns the exit code. */
export function main(argv: readonly string[], io: CliIo): number {
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
      return (require('./release') as typeof import('./release')).releaseCommand(rest, io);
    }
    if (command === 'preview') {
      return (require('./review') as typeof import('./review')).previewCommand(rest, io);
    }
    if (command === 'guard') {
      return (require('./review') as typeof import('./review')).guardCommand(rest, io);
    }
    throw new CliError(`unknown command "${command}". Run "cdktf-immutable --help" for the list of commands.`);
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`cdktf-immutable: ${error.message}\n`);
      return error.exitCode;
    }
    io.err(`cdktf-immutable: ${(error as Error).message ?? String(error)}\n`);
    return EXIT_BAD_INPUT;
  }
}
