// How the release file parsers (release-file.ts, rollout.ts) test and describe the JSON
// values they reject, so that every error says what was found in the same words.

/** A JSON object (not null, not a list). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A found value as an error message shows it: `missing`, `[]`, `a list of 3`, `"purple"`...
 * (at most 60 characters).
 */
export function describe(value: unknown): string {
  if (value === undefined) {
    return 'missing';
  }
  if (Array.isArray(value)) {
    return value.length === 0 ? '[]' : `a list of ${value.length}`;
  }
  if (value !== null && typeof value === 'object') {
    return `an object with ${Object.keys(value).length} field(s)`;
  }
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
