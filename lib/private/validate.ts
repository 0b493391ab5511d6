import { Token } from 'cdktf';
import { IConstruct } from 'constructs';

/**
 * Construction-time validation helpers. Every error names the construct, the prop,
 * the value and the fix; values that are still tokens are never validated.
 */

/** True when `value` is known at synth (not a token, not undefined). */
export function isLiteral<T>(value: T | undefined): value is T {
  return value !== undefined && !Token.isUnresolved(value);
}

/** Renders a value for an error message: strings quoted, the rest as JSON. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    return `"${value}"`;
  }
  if (typeof value === 'number') {
    return String(value);
  }
  return JSON.stringify(value);
}

/** Throws `<Kind> <path>: <message>`. */
export function fail(owner: IConstruct, kind: string, message: string): never {
  throw new Error(`${kind} ${owner.node.path}: ${message}`);
}

/** A validator bound to one construct, so that every message names it. */
export class Validator {
  constructor(private readonly owner: IConstruct, private readonly kind: string) {}

  /** Throws with the construct's name in front of `message`. */
  public fail(message: string): never {
    return fail(this.owner, this.kind, message);
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

  /** A literal string matching `pattern`. */
  public pattern(prop: string, value: string | undefined, pattern: RegExp, expected: string): void {
    if (!isLiteral(value)) {
      return;
    }
    if (typeof value !== 'string' || !pattern.test(value)) {
      this.fail(`${prop} (${show(value)}) must be ${expected}.`);
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
      if (isLiteral(value)) {
        if (seen.has(value)) {
          this.fail(`${prop}[${i}] (${show(value)}) is listed twice; list each value once.`);
        }
        seen.add(value);
      }
    });
  }
}

/** `vpc-`, `subnet-`, `sg-` ids: the prefix and 8 or 17 lowercase hex digits. */
export function resourceIdPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`);
}
