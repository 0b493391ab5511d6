import { CliError, EXIT_BAD_INPUT, EXIT_OK } from './errors';
import { packageInfo } from '../../lib/private/package-info';

/** Where a command writes. Tests pass buffers; the binary passes the process streams. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export const USAGE = `Usage: cdktf-immutable <command> [options]

Immutable infrastructure on AWS with CDK for Terraform.

Commands:
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
