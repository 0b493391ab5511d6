import { CliError } from './errors';

/** Parsed command-line arguments: positionals and `--flag value` / `--switch` options. */
export interface ParsedArgs {
  readonly positionals: string[];
  readonly options: Map<string, string | true>;
  /** Values of the options that may be given more than once (`--alarm a --alarm b`), in order. */
  readonly lists: Map<string, string[]>;
}

/**
 * Parses `argv` strictly: only the listed options, each at most once; `--x=v` and
 * `--x v` forms. Anything else is bad input naming the argument.
 */
export function parseArgs(
  argv: readonly string[],
  spec: {
    readonly values?: readonly string[];
    readonly switches?: readonly string[];
    readonly lists?: readonly string[];
  },
  command: string,
): ParsedArgs {
  const values = new Set(spec.values ?? []);
  const repeatable = new Set(spec.lists ?? []);
  const lists = new Map<string, string[]>();
  const switches = new Set(spec.switches ?? []);
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      if (arg.startsWith('-') && arg.length > 1) {
        throw new CliError(`${command}: unknown option "${arg}". Run "cdktf-immutable --help".`);
      }
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (repeatable.has(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) {
        throw new CliError(`${command}: --${name} needs a value.`);
      }
      lists.set(name, [...(lists.get(name) ?? []), value]);
      continue;
    }
    if (options.has(name)) {
      throw new CliError(`${command}: --${name} is given twice; give it once.`);
    }
    if (switches.has(name)) {
      if (eq !== -1) {
        throw new CliError(`${command}: --${name} takes no value (got "${arg}").`);
      }
      options.set(name, true);
    } else if (values.has(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) {
        throw new CliError(`${command}: --${name} needs a value.`);
      }
      options.set(name, value);
    } else {
      const known = [...values, ...repeatable, ...switches].map((o) => `--${o}`).join(', ');
      throw new CliError(`${command}: unknown option "--${name}"${known ? ` (options: ${known})` : ''}.`);
    }
  }
  return { positionals, options, lists };
}

/** The value of a `--flag value` option, if given. */
export function optionValue(args: ParsedArgs, name: string): string | undefined {
  const value = args.options.get(name);
  return typeof value === 'string' ? value : undefined;
}
