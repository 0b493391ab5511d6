import { Token } from 'cdktf';

/**
 * References (token strings) to long-lived resources that the library owns, such as
 * the instance security group of a fleet or the instance profile a launch template
 * creates, mapped to a stable key (their construct path).
 *
 * Such a reference is hashed into a generation by its key instead of by its runtime
 * value: the resource behind it lives across generations and is updated in place
 * (it is mutable by design), so its id cannot change while a generation uses it
 * unless its own identity changes, which changes the key. Without this, every
 * default launch template would have a generation that Terraform computes at plan
 * (see `Generation.of`), and names unknown until the owned resource exists.
 *
 * Token strings are unique within a process, so a global map cannot mix up two apps.
 */
const stableKeys = new Map<string, string>();

/** Records that `reference` (a token string) stands for the owned resource `key`. */
export function registerStableReference(reference: string, key: string): void {
  if (Token.isUnresolved(reference)) {
    stableKeys.set(reference, key);
  }
}

/** The stable key of `value` when it is a registered reference. */
export function stableKeyOf(value: unknown): string | undefined {
  return typeof value === 'string' ? stableKeys.get(value) : undefined;
}

/**
 * A copy of `value` (plain data) where every registered reference is replaced by
 * `{ owned: <key> }`, ready for `Generation.of`.
 */
export function withStableReferences(value: unknown): unknown {
  const key = stableKeyOf(value);
  if (key !== undefined) {
    return { owned: key };
  }
  if (Array.isArray(value)) {
    return value.map(withStableReferences);
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = withStableReferences(v);
    }
    return out;
  }
  return value;
}
