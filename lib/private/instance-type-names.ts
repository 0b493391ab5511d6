import { INSTANCE_TYPE_SIZES, INSTANCE_TYPE_SOURCE } from './instance-type-data';

/**
 * The synth-time check of instance type names against the EC2 API model's list
 * (instance-type-data.ts, generated from the AWS SDK for EC2 by
 * scripts/instance-types.js). An unknown name is a warning, not an error: the list is
 * a snapshot of one SDK release, and AWS adds instance types every few weeks, so a
 * type newer than the list must still synthesize. A typo (`t3.smal`) is caught at
 * synth instead of at the first apply, with the closest known names.
 */

let known: Set<string> | undefined;

function knownTypes(): Set<string> {
  known ??= new Set(
    Object.entries(INSTANCE_TYPE_SIZES).flatMap(([family, sizes]) =>
      sizes.split(' ').map((size) => `${family}.${size}`),
    ),
  );
  return known;
}

/** Levenshtein distance, for the closest known names. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The candidates nearest to `name` (at most three, in order), or none when nothing is near. */
function closest(name: string, candidates: Iterable<string>): string[] {
  let best = Infinity;
  let found: string[] = [];
  for (const candidate of candidates) {
    const d = distance(name, candidate);
    if (d < best) {
      best = d;
      found = [candidate];
    } else if (d === best) {
      found.push(candidate);
    }
  }
  // further than half the name is no suggestion; among equals, those sharing the longest prefix first
  const shared = (candidate: string) => {
    let i = 0;
    while (i < name.length && name[i] === candidate[i]) {
      i++;
    }
    return i;
  };
  found.sort((a, b) => shared(b) - shared(a) || (a < b ? -1 : a > b ? 1 : 0));
  return best <= Math.max(2, Math.floor(name.length / 2)) ? found.slice(0, 3) : [];
}

function didYouMean(names: readonly string[]): string {
  if (names.length === 0) {
    return '';
  }
  const quoted = names.map((n) => `"${n}"`);
  const listed = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
  return ` Did you mean ${listed}?`;
}

/**
 * What is wrong with instance type `name` (`t3.small`), as the middle of a warning
 * (`<prop> ("t3.smal") <this> <fix>`), or undefined when the type is known.
 */
export function unknownInstanceType(name: string): string | undefined {
  if (knownTypes().has(name)) {
    return undefined;
  }
  const [family, size] = name.split('.', 2);
  const sizes = INSTANCE_TYPE_SIZES[family];
  const what =
    sizes !== undefined && size !== undefined
      ? `is not a size of the ${family} family in ${INSTANCE_TYPE_SOURCE}'s list of EC2 instance types (${family}: ` +
        `${sizes.split(' ').join(', ')}).`
      : `is not in ${INSTANCE_TYPE_SOURCE}'s list of EC2 instance types (no family "${family}").`;
  return (
    `${what}${didYouMean(closest(name, knownTypes()))} Fix the name; if it is an instance type newer than that ` +
    `list, ignore this warning.`
  );
}

/**
 * The same for a pattern of attribute-based selection (`m7i.*`, `c7*`): a warning when
 * it matches no known instance type, or undefined.
 */
export function unknownInstanceTypePattern(pattern: string): string | undefined {
  if (!pattern.includes('*')) {
    return unknownInstanceType(pattern);
  }
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  for (const type of knownTypes()) {
    if (regex.test(type)) {
      return undefined;
    }
  }
  const family = pattern.split('.', 1)[0];
  const families = family.includes('*')
    ? []
    : closest(family, Object.keys(INSTANCE_TYPE_SIZES)).map((f) => `${f}.${pattern.slice(family.length + 1) || '*'}`);
  return (
    `matches no instance type in ${INSTANCE_TYPE_SOURCE}'s list of EC2 instance types.${didYouMean(families)} ` +
    `Fix the pattern; if it is meant for instance types newer than that list, ignore this warning.`
  );
}
