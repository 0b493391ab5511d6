import { createHash } from 'crypto';
import { Token } from 'cdktf';

/**
 * Number of hex characters of the SHA-256 digest kept as a generation.
 *
 * 10 hex characters are 40 bits. A collision only matters between generations of
 * the same logical resource that exist at the same time (the running one and its
 * replacement under create_before_destroy), so the risk per change is 1 in 2^40
 * (about 1 in 10^12). Even across every generation a resource ever has, the birthday
 * bound for 10,000 generations is about 5 in 10^5, and a collision there is harmless
 * because the older generation no longer exists.
 */
export const GENERATION_HASH_LENGTH = 10;

/** Options for {@link contentHash}. */
export interface ContentHashOptions {
  /**
   * Hex characters of the SHA-256 digest to keep (1..64).
   * @default GENERATION_HASH_LENGTH (10)
   */
  readonly length?: number;

  /**
   * Maps a value that is still a token at synth time (a reference to another
   * resource, a variable) to the text that is hashed for it. The library passes the
   * resolved Terraform expression (`${aws_ami.base.id}`), which is stable across
   * synths, unlike the token's placeholder text.
   * @default - the token's own text
   */
  readonly resolveToken?: (token: unknown) => unknown;
}

/** The result of hashing a props object. */
export interface ContentHash {
  /** Lowercase hex digest prefix. */
  readonly hash: string;
  /** The canonical JSON text that was hashed. */
  readonly canonical: string;
  /**
   * The values that were still tokens, in the order they were met. The caller adds
   * replace_triggered_by for them, because their real value is unknown at synth.
   */
  readonly unresolved: unknown[];
}

/**
 * Canonical JSON of any props object: object keys sorted by code point (integer-like
 * keys included, unlike JSON.stringify), `undefined` object members dropped, array
 * order kept (an `undefined` array element is `null`), Buffers and typed arrays as
 * `{"$bytes":"<base64>"}`, Dates as `{"$date":"<ISO>"}`, Maps as sorted objects and
 * Sets as sorted arrays. Functions, symbols, non-finite numbers and cycles are
 * rejected with the path of the offending value.
 */
export function canonicalJson(value: unknown, options: Pick<ContentHashOptions, 'resolveToken'> = {}): string {
  return contentHash(value, options).canonical;
}

/**
 * Hashes a props object canonically (see {@link canonicalJson}) with SHA-256.
 * Key order does not matter; any change of a value does.
 */
export function contentHash(value: unknown, options: ContentHashOptions = {}): ContentHash {
  const length = options.length ?? GENERATION_HASH_LENGTH;
  if (!Number.isInteger(length) || length < 1 || length > 64) {
    throw new Error(`contentHash: length (${length}) must be an integer from 1 to 64 hex characters.`);
  }
  const unresolved: unknown[] = [];
  const canonical = serialize(value, '$', new Set(), unresolved, options.resolveToken);
  const hash = createHash('sha256').update(canonical, 'utf8').digest('hex').slice(0, length);
  return { hash, canonical, unresolved };
}

function isTokenValue(value: unknown): boolean {
  if (typeof value === 'string' || typeof value === 'number') {
    return Token.isUnresolved(value);
  }
  if (Array.isArray(value)) {
    // an encoded list token is a one-element array holding a token string
    return Token.isUnresolved(value);
  }
  return value !== null && typeof value === 'object' && typeof (value as { resolve?: unknown }).resolve === 'function';
}

function serialize(
  value: unknown,
  path: string,
  stack: Set<unknown>,
  unresolved: unknown[],
  resolveToken: ((token: unknown) => unknown) | undefined,
  insideToken = false,
): string {
  if (value === null || value === undefined) {
    return 'null';
  }
  if (!insideToken && isTokenValue(value)) {
    unresolved.push(value);
    const text = resolveToken ? resolveToken(value) : tokenText(value);
    // The resolved form may itself be a structure; serialize it as plain data, marked
    // as a token so that a literal string equal to a token's text never hashes the same.
    return `{"$token":${serialize(text, path, stack, [], undefined, true)}}`;
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) {
        throw new Error(`canonical hash: ${path} is ${value}; only finite numbers can be hashed. Pass a finite number or a string.`);
      }
      return JSON.stringify(Object.is(value, -0) ? 0 : value);
    case 'bigint':
      return `{"$bigint":${JSON.stringify(value.toString())}}`;
    case 'function':
    case 'symbol':
      throw new Error(`canonical hash: ${path} is a ${typeof value}; only data (strings, numbers, booleans, arrays, objects, Buffers) can be hashed.`);
    default:
      break;
  }
  if (stack.has(value)) {
    throw new Error(`canonical hash: ${path} refers back to one of its parents (a cycle); pass plain data, not constructs or linked objects.`);
  }
  stack.add(value);
  try {
    if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
      return `{"$bytes":${JSON.stringify(Buffer.from(value as Uint8Array).toString('base64'))}}`;
    }
    if (ArrayBuffer.isView(value)) {
      const view = value as ArrayBufferView;
      return `{"$bytes":${JSON.stringify(Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64'))}}`;
    }
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) {
        throw new Error(`canonical hash: ${path} is an invalid Date.`);
      }
      return `{"$date":${JSON.stringify(value.toISOString())}}`;
    }
    if (Array.isArray(value)) {
      return `[${value.map((item, i) => serialize(item, `${path}[${i}]`, stack, unresolved, resolveToken, insideToken)).join(',')}]`;
    }
    if (value instanceof Set) {
      const items = [...value].map((item, i) => serialize(item, `${path}{${i}}`, stack, unresolved, resolveToken, insideToken));
      items.sort();
      return `{"$set":[${items.join(',')}]}`;
    }
    const entries: Array<[string, unknown]> = value instanceof Map
      ? [...value.entries()].map(([k, v]) => [String(k), v])
      : Object.keys(value as object).map((k) => [k, (value as Record<string, unknown>)[k]]);
    const members = entries
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${serialize(v, `${path}.${k}`, stack, unresolved, resolveToken, insideToken)}`);
    return `{${members.join(',')}}`;
  } finally {
    stack.delete(value);
  }
}

function tokenText(value: unknown): string {
  return typeof value === 'string' ? value : Token.asString(value);
}
