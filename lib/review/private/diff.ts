/** One difference between two JSON values: its path as text (`a.b[0].c`) and as segments. */
export interface Change {
  readonly path: string;
  readonly segments: readonly string[];
}

/**
 * Where two JSON values differ. A value present on one side only is a difference at its
 * path; arrays are compared element by element.
 */
export function changes(before: unknown, after: unknown, path = '', segments: readonly string[] = []): Change[] {
  if (Object.is(before, after)) {
    return [];
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: Change[] = [];
    const length = Math.max(before.length, after.length);
    for (let i = 0; i < length; i++) {
      out.push(...changes(before[i], after[i], `${path}[${i}]`, [...segments, String(i)]));
    }
    return out;
  }
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    const out: Change[] = [];
    for (const key of keys) {
      out.push(...changes(before[key], after[key], path ? `${path}.${key}` : key, [...segments, key]));
    }
    return out;
  }
  return [{ path: path || '(value)', segments }];
}

/** Paths at which two JSON values differ: `a.b[0].c` (see {@link changes}). */
export function changedPaths(before: unknown, after: unknown): string[] {
  return changes(before, after).map((change) => change.path);
}

/** True when two JSON values are equal. */
export function sameJson(a: unknown, b: unknown): boolean {
  return changes(a, b).length === 0;
}

/** The top-level attribute of a path (`default_action[0].type` -> `default_action`). */
export function topAttribute(path: string): string {
  return path.split(/[.[]/)[0];
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * `value` with empty members dropped: null, "", [] and {} (at any depth) are the same
 * "unset" to the providers, which refresh one as another (`null` -> `[]`). False and 0
 * are values.
 */
export function withoutEmpty(value: unknown): unknown {
  if (value === null || value === undefined || value === '') {
    return undefined;
  }
  if (Array.isArray(value)) {
    const items = value.map(withoutEmpty);
    return items.every((item) => item === undefined) ? undefined : items;
  }
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const kept = withoutEmpty(item);
      if (kept !== undefined) {
        // defined, not assigned: an attribute named "__proto__" (JSON.parse keeps it as a key) stays a key
        Object.defineProperty(out, key, { value: kept, enumerable: true, writable: true, configurable: true });
      }
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value;
}

/** Values found at a dotted path (list indexes skipped): `distribution.launch_template_configuration`. */
export function valuesAt(value: unknown, path: string): unknown[] {
  const [head, ...rest] = path.split('.');
  if (Array.isArray(value)) {
    return value.flatMap((item) => valuesAt(item, path));
  }
  if (!isObject(value) || !(head in value)) {
    return [];
  }
  const next = value[head];
  if (rest.length === 0) {
    return Array.isArray(next) ? next : [next];
  }
  return valuesAt(next, rest.join('.'));
}
