import { Annotations, Token } from 'cdktf';
import { IConstruct } from 'constructs';

/**
 * The library's one error for bad props, like aws-cdk's `ValidationError(message, scope)`.
 *
 * Every construct, choice class and image source reports bad input through it, so every
 * message starts the same way: the construct's class and path (`BlueGreenFleet
 * app/service/Web: …`), or, for a static factory that has no scope yet, the factory's
 * name (`ImageSource.fromAmiId: …`). The message itself names the prop, the value and
 * the fix: `capacity.min (3) must be <= capacity.max (2); lower min or raise max.`
 */
export class ValidationError extends Error {
  /** The construct path, or the factory's name for choice classes. */
  public readonly source: string;

  constructor(message: string, scope: IConstruct | string) {
    const source = typeof scope === 'string' ? scope : scope.node.path;
    super(`${typeof scope === 'string' ? scope : `${scope.constructor.name} ${scope.node.path}`}: ${message}`);
    this.name = 'ValidationError';
    this.source = source;
  }
}

/**
 * A problem that a pure checker (a cron, component document or `.dockerignore`
 * parser, the context hasher) found in its input. It names no construct: the construct
 * or factory that runs the checker reports it through {@link Validator.reportAs}, as a
 * ValidationError that names its path and the prop. Internal to the library.
 */
export class InputError extends Error {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'InputError';
  }
}

/** True when `value` is known at synth (not a token, not undefined): only such values are checked. */
export function isLiteral<T>(value: T | undefined): value is T {
  return value !== undefined && !Token.isUnresolved(value);
}

/** Renders a value for an error message: strings quoted, numbers bare, the rest as JSON. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    return `"${value}"`;
  }
  if (typeof value === 'number') {
    return String(value);
  }
  return JSON.stringify(value);
}

/**
 * Checks bound to one construct (or one factory), so that every message names it.
 * Values that are still tokens are never checked: Terraform resolves them later.
 */
export class Validator {
  constructor(private readonly scope: IConstruct | string) {}

  /** Throws a {@link ValidationError} with `message` (which names the prop, the value and the fix). */
  public fail(message: string): never {
    throw new ValidationError(message, this.scope);
  }

  /**
   * A warning for a value that is accepted but probably not what was meant (a name
   * shortened to fit an AWS limit, an instance type this library does not know). On a
   * construct it is a cdktf warning annotation, which `cdktf synth` prints as
   * `[WARNING] [<construct path>]: <Class>: <message>`; a factory without a scope
   * emits a process warning instead. `message` names the prop, the value and the fix.
   */
  public warn(message: string): void {
    if (typeof this.scope === 'string') {
      process.emitWarning(`${this.scope}: ${message}`);
      return;
    }
    Annotations.of(this.scope).addWarning(`${this.scope.constructor.name}: ${message}`);
  }

  /**
   * Runs a pure checker that throws {@link InputError}s (a cron or document parser) and
   * reports its message through this validator, after `prefix` (which names the prop).
   * Any other error but a ValidationError (a file that cannot be read) is reported the
   * same way.
   */
  public reportAs<T>(prefix: string, run: () => T): T {
    try {
      return run();
    } catch (error) {
      if (error instanceof ValidationError) {
        throw error;
      }
      return this.fail(`${prefix}${(error as Error).message}`);
    }
  }

  /** An integer within [min, max], unless a token or undefined. */
  public integer(prop: string, value: number | undefined, min: number, max: number, fix?: string): void {
    if (!isLiteral(value)) {
      return;
    }
    if (!Number.isInteger(value) || value < min || value > max) {
      this.fail(`${prop} (${show(value)}) must be an integer from ${min} to ${max}${fix ? `; ${fix}` : ''}.`);
    }
  }

  /** A literal string matching `pattern`; `expected` says what it must be ("a VPC id such as vpc-0123…"). */
  public pattern(prop: string, value: string | undefined, pattern: RegExp, expected: string): void {
    if (!isLiteral(value)) {
      return;
    }
    if (typeof value !== 'string' || !pattern.test(value)) {
      this.fail(`${prop} (${show(value)}) must be ${expected}.`);
    }
  }

  /** One of `allowed`, unless a token or undefined. */
  public oneOf<T extends string>(prop: string, value: T | undefined, allowed: readonly T[]): void {
    if (isLiteral(value) && !allowed.includes(value)) {
      this.fail(`${prop} (${show(value)}) must be one of ${allowed.join(', ')}.`);
    }
  }

  /** A list that is not empty (unless it is a token list). */
  public nonEmptyList(prop: string, value: readonly string[] | undefined, fix: string): void {
    if (value === undefined || (!Token.isUnresolved(value) && value.length === 0)) {
      this.fail(`${prop} (${show(value ?? [])}) must list at least one value; ${fix}.`);
    }
  }

  /** Every literal element of `values` matches `pattern`, and none repeats. */
  public eachPattern(prop: string, values: readonly string[] | undefined, pattern: RegExp, expected: string): void {
    if (values === undefined || Token.isUnresolved(values)) {
      return;
    }
    const seen = new Set<string>();
    values.forEach((value, i) => {
      this.pattern(`${prop}[${i}]`, value, pattern, expected);
      this.once(prop, i, value, seen);
    });
  }

  /** No literal element of `values` repeats (tokens are not compared). */
  public unique(prop: string, values: readonly string[] | undefined): void {
    if (values === undefined || Token.isUnresolved(values)) {
      return;
    }
    const seen = new Set<string>();
    values.forEach((value, i) => this.once(prop, i, value, seen));
  }

  private once(prop: string, i: number, value: string, seen: Set<string>): void {
    if (isLiteral(value)) {
      if (seen.has(value)) {
        this.fail(`${prop}[${i}] (${show(value)}) is listed twice; list each value once.`);
      }
      seen.add(value);
    }
  }
}
