/**
 * What a resource's `lifecycle` and `//` metadata tell the preview: the arguments whose
 * changes the plan ignores (`ignore_changes`), and whether the library pinned the
 * resource to the definition its slot was deployed with.
 */
import { isObject } from './diff';
import { bareExpression } from './references';
import { METADATA_KEY, pinnedMetadata } from '../../immutability/lifecycle-metadata';

/** The arguments `lifecycle.ignore_changes` names: `all`, or paths as segments. */
export type IgnoredArguments = 'all' | ReadonlyArray<readonly string[]>;

/** `lifecycle.ignore_changes` of a resource body, parsed (`tags["Name"]` -> `tags`, `Name`). */
export function ignoredArguments(body: Record<string, unknown>): IgnoredArguments {
  const lifecycle = body.lifecycle;
  const list = isObject(lifecycle) ? lifecycle.ignore_changes : undefined;
  if (typeof list === 'string') {
    return bareExpression(list) === 'all' ? 'all' : [segmentsOf(bareExpression(list))];
  }
  if (!Array.isArray(list)) {
    return [];
  }
  return list
    .filter((entry): entry is string => typeof entry === 'string')
    .map((entry) => segmentsOf(bareExpression(entry)));
}

/** `a.b[0]["k"]` -> `a`, `b`, `0`, `k`. */
function segmentsOf(path: string): string[] {
  const out: string[] = [];
  for (const m of path.matchAll(/([A-Za-z_][A-Za-z0-9_-]*)|\[\s*"([^"]*)"\s*\]|\[\s*(\d+)\s*\]/g)) {
    out.push(m[1] ?? m[2] ?? m[3]);
  }
  return out;
}

const NUMBER = /^\d+$/;

/**
 * True when `ignore_changes` covers the argument at `segments`. A block is written as a
 * list (`default_action[0].forward`) or as an object (`launch_template.version`), so an
 * index on one side only is skipped.
 */
export function isIgnored(ignored: IgnoredArguments, segments: readonly string[]): boolean {
  if (ignored === 'all') {
    return segments.length > 0;
  }
  return ignored.some((entry) => covers(entry, segments));
}

function covers(entry: readonly string[], segments: readonly string[]): boolean {
  let i = 0;
  let j = 0;
  while (i < entry.length) {
    if (j >= segments.length) {
      return false;
    }
    if (entry[i] === segments[j]) {
      i++;
      j++;
    } else if (NUMBER.test(segments[j]) && !NUMBER.test(entry[i])) {
      j++;
    } else if (NUMBER.test(entry[i]) && !NUMBER.test(segments[j])) {
      i++;
    } else {
      return false;
    }
  }
  return entry.length > 0;
}

/** What the library records on a resource of a pinned blue/green slot (see `PinnedMetadata`). */
export interface PinnedMark {
  /** `blue` or `green`. */
  readonly slot: string;
  /** Why the slot is pinned and the command that ships the code's definition, when recorded. */
  readonly reason?: string;
}

/**
 * The library's pinning mark in a resource's `//` metadata,
 * `{"cdktf-immutable": {"pinned": {"slot": "blue", "reason": "...", ...}}}`, or undefined:
 * the resource belongs to a blue/green slot that keeps the definition it was deployed
 * with, and the arguments its `ignore_changes` names follow the code only at the slot's
 * next `release stage`. The shape is the one `lib/immutability/lifecycle-metadata.ts`
 * writes and reads.
 */
export function pinnedMark(metadata: unknown): PinnedMark | undefined {
  const entry = isObject(metadata) ? metadata[METADATA_KEY] : undefined;
  const pinned = isObject(entry) ? entry.pinned : undefined;
  if (!isObject(pinned) || typeof pinned.slot !== 'string') {
    return undefined;
  }
  const full = pinnedMetadata({ '//': metadata });
  const reason = full?.reason ?? (typeof pinned.reason === 'string' ? pinned.reason : undefined);
  return { slot: pinned.slot, ...(reason !== undefined ? { reason } : {}) };
}
