/**
 * Names (and Image Builder versions) that the library derived from a generation.
 * The immutability aspect accepts these on immutable resources, because a change of
 * anything the resource runs also changes them, so a replacement never collides with
 * the resource it replaces.
 */
const generated = new Set<string>();

/** Records `name` as generation-derived (see `generationName`, `Generation.semanticVersion`). */
export function registerGeneratedName(name: string): void {
  generated.add(name);
}

/** True when `name` was recorded by {@link registerGeneratedName}. */
export function isGeneratedName(name: unknown): boolean {
  return typeof name === 'string' && generated.has(name);
}
