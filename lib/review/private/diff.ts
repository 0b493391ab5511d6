/**
 * Paths at which two JSON values differ: `a.b[0].c`. A value present on one side only
 * is a difference at its path; arrays are compared element by element.
 */
export function changedPaths(before: unknown, after: unknown, path = ''): string[] {
  if (Object.is(before, after)) {
    return [];
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: string[] = [];
    const length = Math.max(before.length, after.length);
    for (let i = 0; i < length; i++) {
      out.push(...changedPaths(before[i], after[i], `${path}[${i}]`));
    }
    return out;
  }
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    const out: string[] = [];
    for (const key of keys) {
      out.push(...changedPaths(before[key], after[key], path ? `${path}.${key}` : key));
    }
    return out;
  }
  return [path || '(value)'];
}

/** The top-level attribute of a path (`default_action[0].type` -> `default_action`). */
export function topAttribute(path: string): string {
  return path.split(/[.[]/)[0];
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
