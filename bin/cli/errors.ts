/** Exit codes of every cdktf-immutable command. */
export const EXIT_OK = 0;
/** Refused (invalid transition) or violations found. */
export const EXIT_REFUSED = 1;
/** Bad input: unreadable or malformed file, bad arguments. */
export const EXIT_BAD_INPUT = 2;

/** An error that the CLI reports as one line and turns into an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    public readonly exitCode: number = EXIT_BAD_INPUT,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
