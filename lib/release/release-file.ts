import { readFileSync } from 'fs';
import { basename } from 'path';

/** The two deployment slots. */
export type SlotName = 'blue' | 'green';

/** Both slot names, in display order. */
export const SLOT_NAMES: readonly SlotName[] = ['blue', 'green'];

/** One slot of a release file. */
export interface ReleaseSlot {
  /** The pinned AMI id the slot runs, or null when the slot is empty. */
  readonly image: string | null;
  /**
   * When the image was staged (ISO 8601, UTC), or null.
   * @default null
   */
  readonly stagedAt?: string | null;
  /**
   * Where the image came from (`--image`, or `env:<other>` for `--from`), or null.
   * @default null
   */
  readonly source?: string | null;
}

/**
 * The release record of one environment: which image each slot runs and which slot
 * takes traffic. One small JSON file per environment (`releases/<env>.json`); git
 * history is the deployment record.
 */
export interface ReleaseFile {
  /** Format version of the file. Always 1. */
  readonly version: 1;
  /** The environment (must match the file name). */
  readonly environment: string;
  /** The slot that takes the traffic. */
  readonly active: SlotName;
  /** Percentage (0..100) of the traffic sent to the idle slot for a canary. */
  readonly canary: number;
  /** The slot that was active before the last promote (the rollback target), or null. */
  readonly previous: SlotName | null;
  /** Both slots. */
  readonly slots: Readonly<Record<SlotName, ReleaseSlot>>;
}

/** The AMI id format: `ami-` and 8 or 17 lowercase hex digits. */
export const AMI_ID_PATTERN = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** Environment names: lowercase letters, digits and hyphens, starting with a letter. */
export const ENVIRONMENT_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

/** A release file that cannot be used. The message names the file, the field and the fix. */
export class ReleaseFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReleaseFileError';
  }
}

/** A release file is a few hundred bytes; anything far larger is not one. */
export const MAX_RELEASE_FILE_BYTES = 64 * 1024;

const TOP_FIELDS = ['version', 'environment', 'active', 'canary', 'previous', 'slots'];
const SLOT_FIELDS = ['image', 'stagedAt', 'source'];

/** The idle slot for an active one. */
export function otherSlot(slot: SlotName): SlotName {
  return slot === 'blue' ? 'green' : 'blue';
}

/** A new, empty release record (both slots empty, blue active). */
export function emptyRelease(environment: string): ReleaseFile {
  return {
    version: 1,
    environment,
    active: 'blue',
    canary: 0,
    previous: null,
    slots: { blue: { image: null, stagedAt: null, source: null }, green: { image: null, stagedAt: null, source: null } },
  };
}

/** Reads and validates a release file. Throws {@link ReleaseFileError} (file, field, fix). */
export function loadReleaseFile(path: string): ReleaseFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ReleaseFileError(`${path}: cannot be read (${code ?? (error as Error).message}); create it with "cdktf-immutable release init <env>".`);
  }
  return parseReleaseFile(text, path);
}

/**
 * Parses and validates release file text. `file` names the file in errors; the
 * environment must match its base name (`dev.json` holds environment "dev").
 */
export function parseReleaseFile(text: string, file: string): ReleaseFile {
  if (text.length > MAX_RELEASE_FILE_BYTES) {
    throw new ReleaseFileError(`${file}: is ${text.length} bytes, far more than a release file holds (at most ${MAX_RELEASE_FILE_BYTES}); restore it from git.`);
  }
  if (text.trim() === '') {
    throw new ReleaseFileError(`${file}: is empty; restore it from git ("git checkout -- ${file}") or recreate it with "cdktf-immutable release init".`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    if (error instanceof RangeError) {
      throw new ReleaseFileError(`${file}: is nested too deeply to be a release file; restore it from git.`);
    }
    throw new ReleaseFileError(`${file}: is not valid JSON (${(error as Error).message}); restore it from git or fix the syntax.`);
  }
  const fail = (field: string, problem: string, fix: string): never => {
    throw new ReleaseFileError(`${file}: ${field} ${problem}; ${fix}.`);
  };
  if (!isPlainObject(data)) {
    return fail('the top level', `is ${describe(data)}, not an object`, 'the file must hold one JSON object');
  }
  for (const key of Object.keys(data)) {
    if (!TOP_FIELDS.includes(key)) {
      fail(`field "${key}"`, 'is not a release file field', `remove it (fields: ${TOP_FIELDS.join(', ')})`);
    }
  }
  if (data.version !== 1) {
    fail('"version"', `is ${describe(data.version)}`, 'set it to 1');
  }
  if (typeof data.environment !== 'string' || !ENVIRONMENT_PATTERN.test(data.environment)) {
    fail('"environment"', `is ${describe(data.environment)}`, 'use lowercase letters, digits and hyphens, starting with a letter');
  }
  const environment = data.environment as string;
  const expected = basename(file).replace(/\.json$/, '');
  if (file.endsWith('.json') && expected !== environment) {
    fail('"environment"', `is "${environment}" but the file is ${basename(file)}`, `set it to "${expected}" or rename the file to ${environment}.json`);
  }
  if (data.active !== 'blue' && data.active !== 'green') {
    fail('"active"', `is ${describe(data.active)}`, 'set it to "blue" or "green"');
  }
  if (typeof data.canary !== 'number' || !Number.isInteger(data.canary) || data.canary < 0 || data.canary > 100) {
    fail('"canary"', `is ${describe(data.canary)}`, 'set it to a whole percentage from 0 to 100');
  }
  if (data.previous !== null && data.previous !== undefined && data.previous !== 'blue' && data.previous !== 'green') {
    fail('"previous"', `is ${describe(data.previous)}`, 'set it to "blue", "green" or null');
  }
  if (!isPlainObject(data.slots)) {
    return fail('"slots"', `is ${describe(data.slots)}`, 'it must be an object with "blue" and "green"');
  }
  const slotsData = data.slots;
  for (const key of Object.keys(slotsData)) {
    if (key !== 'blue' && key !== 'green') {
      fail(`"slots.${key}"`, 'is not a slot', 'the only slots are "blue" and "green"');
    }
  }
  const slots = {} as Record<SlotName, ReleaseSlot>;
  for (const name of SLOT_NAMES) {
    const slot = slotsData[name];
    if (!isPlainObject(slot)) {
      return fail(`"slots.${name}"`, `is ${describe(slot)}`, `give it an object such as {"image": null}`);
    }
    for (const key of Object.keys(slot)) {
      if (!SLOT_FIELDS.includes(key)) {
        fail(`"slots.${name}.${key}"`, 'is not a slot field', `remove it (fields: ${SLOT_FIELDS.join(', ')})`);
      }
    }
    if (slot.image !== null && (typeof slot.image !== 'string' || !AMI_ID_PATTERN.test(slot.image))) {
      fail(`"slots.${name}.image"`, `is ${describe(slot.image)}`, 'use an AMI id ("ami-" and 8 or 17 lowercase hex digits) or null');
    }
    for (const key of ['stagedAt', 'source'] as const) {
      if (slot[key] !== undefined && slot[key] !== null && typeof slot[key] !== 'string') {
        fail(`"slots.${name}.${key}"`, `is ${describe(slot[key])}`, 'use a string or null');
      }
    }
    if (typeof slot.stagedAt === 'string' && Number.isNaN(Date.parse(slot.stagedAt))) {
      fail(`"slots.${name}.stagedAt"`, `is "${slot.stagedAt}"`, 'use an ISO 8601 time such as 2026-01-31T12:00:00Z, or null');
    }
    slots[name] = { image: slot.image as string | null, stagedAt: (slot.stagedAt as string | null | undefined) ?? null, source: (slot.source as string | null | undefined) ?? null };
  }
  const release: ReleaseFile = {
    version: 1,
    environment,
    active: data.active as SlotName,
    canary: data.canary as number,
    previous: (data.previous as SlotName | null | undefined) ?? null,
    slots,
  };
  // Consistency: the traffic guards of the fleet refuse these too, but say it early.
  if (release.slots[release.active].image === null && (release.slots.blue.image !== null || release.slots.green.image !== null)) {
    fail('"active"', `is "${release.active}" but that slot has no image`, `promote the slot that has one ("cdktf-immutable release promote ${environment}")`);
  }
  if (release.canary > 0 && release.slots[otherSlot(release.active)].image === null) {
    fail('"canary"', `is ${release.canary} but the idle slot "${otherSlot(release.active)}" has no image`, 'set it to 0 or stage an image first');
  }
  return release;
}

/** The release file as written: stable key order, two-space indent, final newline. */
export function formatReleaseFile(release: ReleaseFile): string {
  const slot = (s: ReleaseSlot) => ({ image: s.image, stagedAt: s.stagedAt ?? null, source: s.source ?? null });
  return `${JSON.stringify({
    version: 1,
    environment: release.environment,
    active: release.active,
    canary: release.canary,
    previous: release.previous,
    slots: { blue: slot(release.slots.blue), green: slot(release.slots.green) },
  }, null, 2)}\n`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
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
