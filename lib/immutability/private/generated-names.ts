import { Construct, IConstruct } from 'constructs';
import { existingRootChild, rootChild } from './tree-state';

const ID = 'cdktf-immutable.GeneratedNames';

/**
 * What the library derived from a generation in one app: the hashes `Generation.of`
 * computed, and whole values that do not end with one (Image Builder versions
 * `1.0.<n>`). The immutability aspect accepts these on immutable resources, because a
 * change of anything the resource runs also changes them, so a replacement never
 * collides with the resource it replaces. Kept on the app (see `rootChild`).
 */
class GeneratedNames extends Construct {
  public readonly hashes = new Set<string>();
  public readonly names = new Set<string>();
}

function namesOf(scope: IConstruct): GeneratedNames {
  return rootChild(scope, ID, (root) => new GeneratedNames(root, ID));
}

/** Records `hash` (a literal or a token string) as a generation of `scope`'s app. */
export function registerGenerationHash(scope: IConstruct, hash: string): void {
  namesOf(scope).hashes.add(hash);
}

/** Records `name` as generation-derived in `scope`'s app (see `Generation.semanticVersion`). */
export function registerGeneratedName(scope: IConstruct, name: string): void {
  namesOf(scope).names.add(name);
}

/**
 * True when `name`, set on a resource in `scope`'s app, was derived from a generation
 * of that app: recorded by {@link registerGeneratedName}, or ending with `-`, `/` or
 * `:` and a generation hash (what `generationName` builds, and a Docker `repo:tag`).
 */
export function isGeneratedName(scope: IConstruct, name: unknown): boolean {
  const names = existingRootChild<GeneratedNames>(scope, ID);
  if (names === undefined || typeof name !== 'string') {
    return false;
  }
  const tail = /[-/:]([^-/:]+)$/.exec(name)?.[1];
  return names.names.has(name) || (tail !== undefined && names.hashes.has(tail));
}
