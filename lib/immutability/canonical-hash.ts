import { createHash } from 'crypto';
import { Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { Validator } from '../private/validation';

/**
 * Number of hex characters of the SHA-256 digest kept as a generation. Its public
 * name is `Generation.HASH_LENGTH` (which documents the choice); this constant only
 * exists because generation.ts imports this file, not the other way round.
 * @internal
 */
export const GENERATION_HASH_LENGTH = 10;

/** Options for {@link contentHash}. */
export interface ContentHashOptions {
  /**
   * Hex characters of the SHA-256 digest to keep (1..64).
   * @default Generation.HASH_LENGTH (10)
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
 * Hashes a props object with SHA-256 over its canonical JSON (returned as
 * {@link ContentHash.canonical}): object keys sorted by code point (integer-like keys
 * included, unlike JSON.stringify), `undefined` object members dropped, array order
 * kept (an `undefined` array element is `null`), Buffers and typed arrays as
 * `{"$bytes":"<base64>"}`, Dates as `{"$date":"<ISO>"}`, Maps as sorted objects and
 * Sets as sorted arrays. Key order does not matter; any change of a value does.
 * Functions, symbols, non-finite numbers and cycles are rejected with the path of the
 * offending value.
 */
export function contentHash(value: unknown, options: ContentHashOptions = {}): ContentHash {
  return hashFor('contentHash', value, options);
}

/**
 * {@link contentHash} whose errors name `scope` (the construct whose inputs are
 * hashed, as `Generation.of` does), not `contentHash`.
 * @internal
 */
export function hashFor(scope: IConstruct | string, value: unknown, options: ContentHashOptions = {}): ContentHash {
  const check = new Validator(scope);
  const length = options.length ?? GENERATION_HASH_LENGTH;
  if (!Number.isInteger(length) || length < 1 || length > 64) {
    check.fail(`length (${length}) must be an integer from 1 to 64 hex characters.`);
  }
  const unresolved: unknown[] = [];
  const walk: Walk = { check, parents: new Set(), unresolved, resolveToken: options.resolveToken, insideToken: false };
  const canonical = serialize(walk, value, '$');
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

/** What one hash walks with: the checker, the parents (for cycles) and the tokens met. */
interface Walk {
  readonly check: Validator;
  readonly parents: Set<unknown>;
  readonly unresolved: unknown[];
  readonly resolveToken?: (token: unknown) => unknown;
  /** Inside a token's resolved form: tokens there are plain data. */
  readonly insideToken: boolean;
}

function serialize(walk: Walk, value: unknown, path: string): string {
  if (value === null || value === undefined) {
    return 'null';
  }
  if (!walk.insideToken && isTokenValue(value)) {
    walk.unresolved.push(value);
    const text = walk.resolveToken ? walk.resolveToken(value) : tokenText(value);
    // The resolved form may itself be a structure; serialize it as plain data, marked
    // as a token so that a literal string equal to a token's text never hashes the same.
    const inside: Walk = { check: walk.check, parents: walk.parents, unresolved: [], insideToken: true };
    return `{"$token":${serialize(inside, text, path)}}`;
  }
  if (typeof value !== 'object') {
    return serializePrimitive(walk.check, value, path);
  }
  if (walk.parents.has(value)) {
    walk.check.fail(
      `${path} refers back to one of its parents (a cycle); pass plain data, not constructs or linked objects.`,
    );
  }
  walk.parents.add(value);
  try {
    return serializeObject(walk, value, path);
  } finally {
    walk.parents.delete(value);
  }
}

function serializePrimitive(check: Validator, value: unknown, path: string): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) {
        check.fail(`${path} is ${value}; only finite numbers can be hashed. Pass a finite number or a string.`);
      }
      return JSON.stringify(Object.is(value, -0) ? 0 : value);
    case 'bigint':
      return `{"$bigint":${JSON.stringify(value.toString())}}`;
    default:
      return check.fail(
        `${path} is a ${typeof value}; only data (strings, numbers, booleans, arrays, objects, Buffers) can be hashed.`,
      );
  }
}

function serializeObject(walk: Walk, value: object, path: string): string {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    return `{"$bytes":${JSON.stringify(Buffer.from(value as Uint8Array).toString('base64'))}}`;
  }
  if (ArrayBuffer.isView(value)) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return `{"$bytes":${JSON.stringify(bytes.toString('base64'))}}`;
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) {
      walk.check.fail(`${path} is an invalid Date; pass a valid Date or an ISO date string.`);
    }
    return `{"$date":${JSON.stringify(value.toISOString())}}`;
  }
  if (Array.isArray(value)) {
    return `[${value.map((item, i) => serialize(walk, item, `${path}[${i}]`)).join(',')}]`;
  }
  if (value instanceof Set) {
    const items = [...value].map((item, i) => serialize(walk, item, `${path}{${i}}`));
    items.sort();
    return `{"$set":[${items.join(',')}]}`;
  }
  const entries: Array<[string, unknown]> =
    value instanceof Map
      ? [...value.entries()].map(([k, v]) => [String(k), v])
      : Object.keys(value).map((k) => [k, (value as Record<string, unknown>)[k]]);
  const members = entries
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${JSON.stringify(k)}:${serialize(walk, v, `${path}.${k}`)}`);
  return `{${members.join(',')}}`;
}

function tokenText(value: unknown): string {
  return typeof value === 'string' ? value : Token.asString(value);
}
