import { basename, join } from 'path';
import { AMI_ID, REGION } from '../private/aws-ids';
import { readBoundedFile, ReadProblem } from './private/files';
import { describe, isPlainObject } from './private/json-values';
import { formatFreezeOverride, FreezeOverride, parseFreezeOverride } from './promotion-policy';
import { formatPolicy, formatRollout, parsePolicy, parseRollout, Rollout, RolloutPolicy } from './rollout';

/** The two deployment slots. */
export type SlotName = 'blue' | 'green';

/**
 * The processor architecture of a fleet's servers, as EC2 names an AMI's (`x86_64` for
 * Intel and AMD instance types, `arm64` for Graviton ones).
 */
export type ReleaseArchitecture = 'x86_64' | 'arm64';

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
  /**
   * When the release in this slot was rolled back (ISO 8601, UTC), or null. While it is
   * set, a second rollback is refused (it would send traffic back to this release) and
   * so is a promote of this slot, unless forced (`--force-rolled-back`). Staging a new
   * image into the slot, or a forced promote, clears it. Written only when set, so files
   * without it stay valid.
   * @default null
   */
  readonly rolledBackAt?: string | null;
  /**
   * When the slot last took all the traffic (ISO 8601, UTC): a full promote, the last
   * step of a rollout, a rollback to it, or the first image of an environment. The soak
   * of `policy.stageFrom` counts from it. Cleared with the slot when a new image is
   * staged into it; written only when set.
   * @default - not recorded
   */
  readonly promotedAt?: string | null;
  /**
   * When a stepped rollout of this slot's release completed (its last step, 100). Cleared
   * with the slot when a new image is staged into it; written only when set.
   * @default - no rollout completed on this slot
   */
  readonly rolloutCompletedAt?: string | null;
  /**
   * When this slot stopped serving (ISO 8601, UTC): written by the command that moved
   * the traffic off it (a promote, a rollback, the end of a canary or rollout), removed
   * when it serves again or a new release is staged into it. A fleet with
   * `idleCapacity` scales the slot in once it has been idle that long (`fromRelease`
   * maps it to the slot's `idleSince`). Only on a slot that takes no traffic; written
   * only when set, so files without it stay valid.
   * @default - the slot is not idle
   */
  readonly idleSince?: string;
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
  /**
   * The fleet, in a repository with several (`releases/<fleet>/<env>.json`): must match
   * the folder. Absent in the one-fleet layout (`releases/<env>.json`).
   * @default - the one-fleet layout, or a file that does not name its fleet
   */
  readonly fleet?: string;
  /**
   * The region, for a fleet released per region (`releases/<fleet>/<region>/<env>.json`):
   * must match the folder.
   * @default - a fleet in one region
   */
  readonly region?: string;
  /** The slot that takes the traffic. */
  readonly active: SlotName;
  /** Percentage (0..100) of the traffic sent to the idle slot for a canary. */
  readonly canary: number;
  /**
   * The slot that was active before the last promote (the rollback target), or null:
   * cleared by a stage (the idle slot no longer runs the previous release) and by a
   * rollback (the slot rolled back from is marked `rolledBackAt` instead).
   */
  readonly previous: SlotName | null;
  /**
   * The weights the load balancer should serve before the last change of this file, in
   * percent per slot: the weights of the file as it was before a release command changed
   * them (a stage, which moves no traffic, keeps the recorded ones). Every release command
   * that writes records it. `cdktf-immutable deploy` and `release status --live` read the
   * weights the listener serves and refuse when they are neither these nor the file's own
   * ({@link releaseWeights}): the file is then not the one that was deployed (a stale
   * checkout). Written only when set, so older files keep their shape.
   * @default - none: only the file's own weights are compared
   */
  readonly served?: Readonly<Record<SlotName, number>>;
  /** Both slots. */
  readonly slots: Readonly<Record<SlotName, ReleaseSlot>>;
  /**
   * The slot that follows the code: set by `release stage` (into the idle slot of an
   * environment that serves), cleared by a full promote, a rollback and an aborted
   * rollout; a canary keeps it. Every other slot with an image is pinned to the
   * definition it was deployed with (see `BlueGreenFleetProps.stagedSlot`). Written only
   * when set, so older files keep their shape; for a file without it,
   * {@link stagedSlotOf} derives it.
   * @default - derived: see {@link stagedSlotOf}
   */
  readonly staged?: SlotName;
  /**
   * The architecture of the fleet's instance type: `release stage` refuses an AMI of
   * another architecture when it checks the AMI with AWS (EC2 would refuse to launch it
   * only at deploy, half applied). Set by `release init <env> --architecture`, or by
   * hand; change it with the fleet's instance type. Written only when set, so files
   * without it stay valid.
   * @default - unknown: the architecture is not checked
   */
  readonly architecture?: ReleaseArchitecture;
  /**
   * Rollout defaults and rules of this environment. Written only when set, so files
   * without it stay valid.
   * @default - none: a plain promote is fine
   */
  readonly policy?: RolloutPolicy;
  /**
   * The last stepped rollout (running, complete or aborted). Written only when set.
   * @default - none
   */
  readonly rollout?: Rollout;
  /**
   * The change this file records was forced through a freeze window of the policy
   * (`--force-freeze --reason`): when, which command, which window and why. Every other
   * write removes it, so it describes the commit that forced the freeze.
   * @default - not forced
   */
  readonly freezeOverride?: FreezeOverride;
}

/**
 * Environment names: lowercase letters, digits and hyphens, starting with a letter, at
 * most 32 characters. Shared with the release store, which names files after them.
 * @internal
 */
export const ENVIRONMENT_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * A release file that cannot be used. The message names the file, the field, the value
 * and the fix: `releases/prod.json: "active" is "purple"; set it to "blue" or "green".`
 *
 * Release files are data, not constructs, so they report through their own error
 * rather than the constructs' `ValidationError` (which names a construct path).
 */
export class ReleaseFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReleaseFileError';
  }
}

/**
 * A release file is a few hundred bytes; anything far larger is not one.
 * @internal
 */
export const MAX_RELEASE_FILE_BYTES = 64 * 1024;

const TOP_FIELDS = [
  'version',
  'environment',
  'fleet',
  'region',
  'active',
  'canary',
  'previous',
  'served',
  'staged',
  'slots',
  'architecture',
  'policy',
  'rollout',
  'freezeOverride',
];
const ARCHITECTURES: readonly ReleaseArchitecture[] = ['x86_64', 'arm64'];
const SLOT_FIELDS = ['image', 'stagedAt', 'source', 'rolledBackAt', 'promotedAt', 'rolloutCompletedAt', 'idleSince'];
/** The environment name that the shared file of vetoed images (`releases/vetoed.json`) takes. */
export const VETO_FILE_ENVIRONMENT = 'vetoed';

/** The idle slot for an active one. */
export function otherSlot(slot: SlotName): SlotName {
  return slot === 'blue' ? 'green' : 'blue';
}

/**
 * The slot that follows the code (the staged slot), or null when both are pinned: the
 * file's `staged` when it has one; else, for a file written before the field existed,
 * the idle slot when it has an image, no promote made it the rollback target
 * (`previous` is null) and it was not rolled back. The two agree on every file the
 * command line writes.
 */
export function stagedSlotOf(release: ReleaseFile): SlotName | null {
  if (release.staged !== undefined) {
    return release.staged;
  }
  const idle = otherSlot(release.active);
  const slot = release.slots[idle];
  return slot.image !== null && release.previous === null && !slot.rolledBackAt ? idle : null;
}

/**
 * The weights, in percent per slot, that a release file asks the load balancer to serve:
 * 100 - canary to the active slot and the canary to the idle one; 0 to both while no
 * slot has an image.
 */
export function releaseWeights(release: ReleaseFile): Record<SlotName, number> {
  if (release.slots[release.active].image === null) {
    return { blue: 0, green: 0 };
  }
  const weights = { blue: 0, green: 0 };
  weights[release.active] = 100 - release.canary;
  weights[otherSlot(release.active)] = release.canary;
  return weights;
}

/**
 * A new, empty release record (both slots empty, blue active), of a fleet and region
 * when given (the per-fleet layout), with the fleet's architecture when known.
 */
export function emptyRelease(
  environment: string,
  target: { readonly fleet?: string; readonly region?: string } = {},
  architecture?: ReleaseArchitecture,
): ReleaseFile {
  return {
    ...(architecture ? { architecture } : {}),
    version: 1,
    environment,
    ...(target.fleet !== undefined ? { fleet: target.fleet } : {}),
    ...(target.region !== undefined ? { region: target.region } : {}),
    active: 'blue',
    canary: 0,
    previous: null,
    slots: {
      blue: { image: null, stagedAt: null, source: null },
      green: { image: null, stagedAt: null, source: null },
    },
  };
}

/**
 * Which release file: the environment, and in a repository with several fleets the fleet
 * (`releases/<fleet>/<env>.json`), and for a fleet released per region the region
 * (`releases/<fleet>/<region>/<env>.json`).
 */
export interface ReleaseTarget {
  /**
   * The fleet: the folder of its release files.
   * @default - the one-fleet layout (`releases/<env>.json`)
   */
  readonly fleet?: string;
  /** The environment: the file's name. */
  readonly environment: string;
  /**
   * The region, for a fleet released per region.
   * @default - a fleet in one region
   */
  readonly region?: string;
}

/** Where {@link loadReleaseFile} finds a release file by its fleet, environment and region. */
export interface ReleaseFileLocation extends ReleaseTarget {
  /**
   * The releases folder.
   * @default 'releases'
   */
  readonly directory?: string;
}

/**
 * The path of a release file in a releases folder: `<dir>/<env>.json` (one fleet),
 * `<dir>/<fleet>/<env>.json`, or `<dir>/<fleet>/<region>/<env>.json` (a fleet released
 * per region).
 */
export function releaseFilePath(directory: string, target: ReleaseTarget): string {
  if (target.region !== undefined && target.fleet === undefined) {
    throw new ReleaseFileError(
      `region "${target.region}" needs a fleet: a fleet released per region keeps its files in ` +
        'releases/<fleet>/<region>/<env>.json; name the fleet.',
    );
  }
  const parts = [target.fleet, target.region].filter((part): part is string => part !== undefined);
  for (const [name, value] of Object.entries({
    environment: target.environment,
    fleet: target.fleet,
    region: target.region,
  })) {
    const pattern = name === 'region' ? REGION : ENVIRONMENT_PATTERN;
    if (value !== undefined && !pattern.test(value)) {
      throw new ReleaseFileError(
        `${name} "${value}" is not a valid name; ` +
          (name === 'region'
            ? 'use a region name such as eu-west-1.'
            : 'use lowercase letters, digits and hyphens, starting with a letter (at most 32).'),
      );
    }
  }
  return join(directory, ...parts, `${target.environment}.json`);
}

/**
 * Reads and validates a release file, by path (`releases/prod.json`,
 * `releases/web/prod.json`) or by its place in a releases folder (`{ fleet: 'web',
 * environment: 'prod' }`: both layouts). The environment must match the file name, and
 * the fleet and region the file names must match its folders; by place, a fleet or region
 * given must also be the file's. Throws {@link ReleaseFileError} (file, field, fix).
 * Only a regular file of at most 64 KB is read: a FIFO, a device, a socket or a
 * directory in its place (or behind a symbolic link) is refused before anything is
 * read, and so is a larger file, by its size.
 */
export function loadReleaseFile(location: string | ReleaseFileLocation): ReleaseFile {
  if (typeof location !== 'string') {
    const path = releaseFilePath(location.directory ?? 'releases', location);
    const release = loadReleaseFile(path);
    if (location.fleet !== undefined && release.fleet !== undefined && release.fleet !== location.fleet) {
      throw invalid(path, `"fleet" is "${release.fleet}", not "${location.fleet}"`, 'fix "fleet"');
    }
    if (location.region !== undefined && release.region !== location.region) {
      throw invalid(
        path,
        `"region" is ${describe(release.region)}, not "${location.region}"`,
        `set "region" to "${location.region}"`,
      );
    }
    return release;
  }
  const path = location;
  const read = readBoundedFile(path, MAX_RELEASE_FILE_BYTES);
  if ('problem' in read) {
    throw unreadable(path, read.problem);
  }
  return parseReleaseFile(read.text, path);
}

/** The error for a release file that cannot be read, with the fix for each reason. */
function unreadable(path: string, problem: ReadProblem): ReleaseFileError {
  switch (problem.kind) {
    case 'missing':
      return invalid(path, 'cannot be read (ENOENT)', 'create it with "cdktf-immutable release init <env>"');
    case 'dangling-link':
      return invalid(
        path,
        `is a symbolic link to ${problem.target}, which does not exist`,
        'restore the file it points to, or replace the link by the release file',
      );
    case 'not-regular':
      return invalid(
        path,
        `is ${problem.what}, not a regular file, so it was not read`,
        'replace it by the release file (restore it from git) or remove it',
      );
    case 'too-large':
      return tooLarge(path, problem.size);
    default:
      return invalid(
        path,
        `cannot be read (${problem.code})`,
        problem.code === 'EACCES' || problem.code === 'EPERM'
          ? 'check its permissions'
          : 'check the file and the disk, or restore it from git',
      );
  }
}

/** A release file of `size` bytes, over the limit. */
function tooLarge(path: string, size: number): ReleaseFileError {
  return invalid(
    path,
    `is ${size} bytes; the limit is ${MAX_RELEASE_FILE_BYTES} (a release file holds a few hundred)`,
    `it is not a release file: restore it from git ("git checkout -- ${path}") or remove it`,
  );
}

/**
 * Parses and validates release file text. `file` names the file in errors; the
 * environment must match its base name (`dev.json` holds environment "dev"), and a
 * `fleet` and `region` the file names must match its folders
 * (`releases/<fleet>/<env>.json`, `releases/<fleet>/<region>/<env>.json`).
 */
export function parseReleaseFile(text: string, file: string): ReleaseFile {
  const data = parseObject(text, file);
  if (data.version !== 1) {
    throw invalid(file, `"version" is ${describe(data.version)}`, 'set it to 1');
  }
  const environment = parseEnvironment(data.environment, file);
  const place = parsePlace(data, file);
  const { active, canary, previous } = parseTraffic(data, file);
  const served = data.served === undefined ? undefined : parseServed(data.served, file);
  const slots = parseSlots(data.slots, file);
  checkConsistency(file, environment, active, canary, slots);
  const staged = parseStaged(data.staged, { file, active, previous, slots });
  const architecture = data.architecture;
  if (architecture !== undefined && !ARCHITECTURES.includes(architecture as ReleaseArchitecture)) {
    throw invalid(
      file,
      `"architecture" is ${describe(architecture)}`,
      'set it to "x86_64" or "arm64" (the architecture of the fleet\'s instance type), or remove it',
    );
  }
  const fail = (problem: string, fix: string): never => {
    throw invalid(file, problem, fix);
  };
  const policy = data.policy === undefined ? undefined : parsePolicy(data.policy, fail);
  const rollout =
    data.rollout === undefined || data.rollout === null ? undefined : parseRollout(data.rollout, canary, fail);
  const freezeOverride =
    data.freezeOverride === undefined || data.freezeOverride === null
      ? undefined
      : parseFreezeOverride(data.freezeOverride, fail);
  return {
    version: 1,
    environment,
    ...place,
    active,
    canary,
    previous,
    ...(served ? { served } : {}),
    ...(staged ? { staged } : {}),
    slots,
    ...(architecture !== undefined ? { architecture: architecture as ReleaseArchitecture } : {}),
    ...(policy ? { policy } : {}),
    ...(rollout ? { rollout } : {}),
    ...(freezeOverride ? { freezeOverride } : {}),
  };
}

/**
 * `fleet` and `region`: names, matching the folders that hold the file when it is a
 * `.json` file (`<fleet>/<env>.json`, `<fleet>/<region>/<env>.json`).
 */
function parsePlace(data: Record<string, unknown>, file: string): { fleet?: string; region?: string } {
  const { fleet, region } = data;
  if (fleet !== undefined && (typeof fleet !== 'string' || !ENVIRONMENT_PATTERN.test(fleet))) {
    throw invalid(
      file,
      `"fleet" is ${describe(fleet)}`,
      "use the name of the fleet's folder: lowercase letters, digits and hyphens, starting with a letter",
    );
  }
  if (region !== undefined && (typeof region !== 'string' || !REGION.test(region))) {
    throw invalid(file, `"region" is ${describe(region)}`, 'use a region name such as "eu-west-1"');
  }
  if (region !== undefined && fleet === undefined) {
    throw invalid(
      file,
      `"region" is "${region}" but the file names no "fleet"`,
      'a fleet released per region lives in releases/<fleet>/<region>/<env>.json: add "fleet"',
    );
  }
  if (file.endsWith('.json')) {
    const folders = file.split(/[\\/]/).slice(0, -1);
    const regionFolder = region === undefined ? undefined : folders[folders.length - 1];
    const fleetFolder = folders[folders.length - (region === undefined ? 1 : 2)];
    if (region !== undefined && regionFolder !== region) {
      throw invalid(
        file,
        `"region" is "${region}" but the file is not in a folder ${region}`,
        `move it to releases/${fleet as string}/${region}/${basename(file)}, or fix "region"`,
      );
    }
    if (fleet !== undefined && fleetFolder !== fleet) {
      const where = region === undefined ? '' : `${region}/`;
      throw invalid(
        file,
        `"fleet" is "${fleet}" but the file is not in the folder of fleet ${fleet}`,
        `move it to releases/${fleet}/${where}${basename(file)}, or fix "fleet"`,
      );
    }
  }
  return {
    ...(fleet !== undefined ? { fleet: fleet as string } : {}),
    ...(region !== undefined ? { region: region as string } : {}),
  };
}

/**
 * `staged` (absent or null: derived): the idle slot, with an image, neither the
 * rollback target nor rolled back.
 */
function parseStaged(
  staged: unknown,
  at: {
    readonly file: string;
    readonly active: SlotName;
    readonly previous: SlotName | null;
    readonly slots: Record<SlotName, ReleaseSlot>;
  },
): SlotName | undefined {
  if (staged === undefined || staged === null) {
    return undefined;
  }
  const { file, active, previous, slots } = at;
  const idle = otherSlot(active);
  const remove = 'remove "staged" (then no slot follows the code)';
  if (!isSlotName(staged)) {
    throw invalid(file, `"staged" is ${describe(staged)}`, `set it to "${idle}" (the idle slot) or remove it`);
  }
  if (staged === active) {
    throw invalid(
      file,
      `"staged" is "${staged}", the active slot, which serves the traffic and is pinned`,
      `${remove}, or stage the release into the idle slot "${idle}"`,
    );
  }
  if (slots[staged].image === null) {
    throw invalid(file, `"staged" is "${staged}" but that slot has no image`, remove);
  }
  if (previous === staged || slots[staged].rolledBackAt) {
    const why = previous === staged ? 'the rollback target ("previous")' : 'rolled back ("rolledBackAt")';
    throw invalid(file, `"staged" is "${staged}" but that slot is ${why}`, remove);
  }
  return staged;
}

/** The JSON object a release file's text holds, with release file fields only. */
function parseObject(text: string, file: string): Record<string, unknown> {
  if (text.length > MAX_RELEASE_FILE_BYTES || Buffer.byteLength(text, 'utf8') > MAX_RELEASE_FILE_BYTES) {
    throw tooLarge(file, Buffer.byteLength(text, 'utf8'));
  }
  if (text.trim() === '') {
    throw invalid(
      file,
      'is empty',
      `restore it from git ("git checkout -- ${file}") or recreate it with "cdktf-immutable release init"`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    if (error instanceof RangeError) {
      throw invalid(file, 'is nested too deeply to be a release file', 'restore it from git');
    }
    throw invalid(file, `is not valid JSON (${(error as Error).message})`, 'restore it from git or fix the syntax');
  }
  if (!isPlainObject(data)) {
    throw invalid(file, `the top level is ${describe(data)}, not an object`, 'the file must hold one JSON object');
  }
  for (const key of Object.keys(data)) {
    if (!TOP_FIELDS.includes(key)) {
      throw invalid(file, `field "${key}" is not a release file field`, `remove it (fields: ${TOP_FIELDS.join(', ')})`);
    }
  }
  return data;
}

/** The environment name, which must match the file's base name. */
function parseEnvironment(environment: unknown, file: string): string {
  if (typeof environment !== 'string' || !ENVIRONMENT_PATTERN.test(environment)) {
    throw invalid(
      file,
      `"environment" is ${describe(environment)}`,
      'use lowercase letters, digits and hyphens, starting with a letter',
    );
  }
  const expected = basename(file).replace(/\.json$/, '');
  if (file.endsWith('.json') && expected !== environment) {
    throw invalid(
      file,
      `"environment" is "${environment}" but the file is ${basename(file)}`,
      `set it to "${expected}" or rename the file to ${environment}.json`,
    );
  }
  if (environment === VETO_FILE_ENVIRONMENT) {
    throw invalid(
      file,
      `"environment" is "${environment}", the name of the shared file of vetoed images (releases/vetoed.json)`,
      'name the environment otherwise',
    );
  }
  return environment;
}

/** `active`, `canary` and `previous`: the serving slot, the idle slot's share and the rollback target. */
function parseTraffic(
  data: Record<string, unknown>,
  file: string,
): { active: SlotName; canary: number; previous: SlotName | null } {
  const active = data.active;
  if (!isSlotName(active)) {
    throw invalid(file, `"active" is ${describe(active)}`, 'set it to "blue" or "green"');
  }
  const canary = data.canary;
  if (typeof canary !== 'number' || !Number.isInteger(canary) || canary < 0 || canary > 100) {
    throw invalid(file, `"canary" is ${describe(canary)}`, 'set it to a whole percentage from 0 to 100');
  }
  const previous = data.previous ?? null;
  if (previous !== null && !isSlotName(previous)) {
    throw invalid(file, `"previous" is ${describe(previous)}`, 'set it to "blue", "green" or null');
  }
  if (previous === active) {
    throw invalid(
      file,
      `"previous" is "${previous}", the active slot itself`,
      `set it to "${otherSlot(active)}" (the slot that was active before the last promote) or null`,
    );
  }
  return { active, canary, previous };
}

/** `served`: a whole percentage per slot, adding up to 100 (or 0 to both: nothing served). */
function parseServed(served: unknown, file: string): Record<SlotName, number> {
  const fix = 'set it to the weights the load balancer served, such as {"blue": 100, "green": 0}, or remove it';
  if (!isPlainObject(served)) {
    throw invalid(file, `"served" is ${describe(served)}`, fix);
  }
  for (const key of Object.keys(served)) {
    if (!isSlotName(key)) {
      throw invalid(file, `"served.${key}" is not a slot`, `${fix} (the only slots are "blue" and "green")`);
    }
  }
  for (const name of SLOT_NAMES) {
    const weight = served[name];
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > 100) {
      throw invalid(file, `"served.${name}" is ${describe(weight)}`, `${fix} (whole percentages from 0 to 100)`);
    }
  }
  const sum = (served.blue as number) + (served.green as number);
  if (sum !== 100 && sum !== 0) {
    throw invalid(file, `"served" adds up to ${sum}%`, `${fix} (the two add up to 100, or are both 0)`);
  }
  return { blue: served.blue as number, green: served.green as number };
}

/** The `slots` object: exactly the blue and green slots, each validated. */
function parseSlots(slotsData: unknown, file: string): Record<SlotName, ReleaseSlot> {
  if (!isPlainObject(slotsData)) {
    throw invalid(file, `"slots" is ${describe(slotsData)}`, 'it must be an object with "blue" and "green"');
  }
  for (const key of Object.keys(slotsData)) {
    if (!isSlotName(key)) {
      throw invalid(file, `"slots.${key}" is not a slot`, 'the only slots are "blue" and "green"');
    }
  }
  const slots = {} as Record<SlotName, ReleaseSlot>;
  for (const name of SLOT_NAMES) {
    slots[name] = parseSlot(slotsData[name], `slots.${name}`, file);
  }
  return slots;
}

/**
 * The traffic and the slots agree: the active slot has an image when any slot has one,
 * a canary goes to an idle slot that has an image, and the active slot is not marked
 * rolled back. The fleet's traffic guards refuse these too; the file says it early.
 */
function checkConsistency(
  file: string,
  environment: string,
  active: SlotName,
  canary: number,
  slots: Record<SlotName, ReleaseSlot>,
): void {
  if (slots[active].image === null && (slots.blue.image !== null || slots.green.image !== null)) {
    throw invalid(
      file,
      `"active" is "${active}" but that slot has no image`,
      `promote the slot that has one ("cdktf-immutable release promote ${environment}")`,
    );
  }
  const idle = otherSlot(active);
  if (canary > 0 && slots[idle].image === null) {
    throw invalid(
      file,
      `"canary" is ${canary} but the idle slot "${idle}" has no image`,
      'set it to 0 or stage an image first',
    );
  }
  if (slots[active].rolledBackAt) {
    throw invalid(
      file,
      `"slots.${active}.rolledBackAt" is set but "${active}" is the active slot`,
      'remove it (a slot that takes the traffic is not rolled back)',
    );
  }
  for (const name of SLOT_NAMES) {
    if (slots[name].idleSince && (name === active || canary > 0)) {
      throw invalid(
        file,
        `"slots.${name}.idleSince" is set but "${name}" ${name === active ? 'is the active slot' : 'takes the canary'}`,
        'remove it (a slot that takes traffic is not idle)',
      );
    }
  }
}

/** Validates one slot object; `field` is its path in the file (`slots.blue`). */
function parseSlot(slot: unknown, field: string, file: string): ReleaseSlot {
  if (!isPlainObject(slot)) {
    throw invalid(file, `"${field}" is ${describe(slot)}`, 'give it an object such as {"image": null}');
  }
  for (const key of Object.keys(slot)) {
    if (!SLOT_FIELDS.includes(key)) {
      throw invalid(file, `"${field}.${key}" is not a slot field`, `remove it (fields: ${SLOT_FIELDS.join(', ')})`);
    }
  }
  const { image, stagedAt = null, source = null, rolledBackAt = null, promotedAt = null } = slot;
  const { rolloutCompletedAt = null, idleSince = null } = slot;
  if (image !== null && (typeof image !== 'string' || !AMI_ID.test(image))) {
    throw invalid(
      file,
      `"${field}.image" is ${describe(image)}`,
      'use an AMI id ("ami-" and 8 or 17 lowercase hex digits) or null',
    );
  }
  checkSlotStrings(file, field, { stagedAt, source, rolledBackAt, promotedAt, rolloutCompletedAt, idleSince });
  for (const [key, value] of Object.entries({ rolledBackAt, promotedAt, rolloutCompletedAt, idleSince })) {
    if (value !== null && image === null) {
      throw invalid(file, `"${field}.${key}" is set but the slot has no image`, 'remove it');
    }
  }
  return {
    image,
    stagedAt: stagedAt as string | null,
    source: source as string | null,
    ...(rolledBackAt !== null ? { rolledBackAt: rolledBackAt as string } : {}),
    ...(promotedAt !== null ? { promotedAt: promotedAt as string } : {}),
    ...(rolloutCompletedAt !== null ? { rolloutCompletedAt: rolloutCompletedAt as string } : {}),
    ...(idleSince !== null ? { idleSince: idleSince as string } : {}),
  };
}

/** A slot's `stagedAt`, `source` and `rolledBackAt` are strings or null, and the two times are times. */
function checkSlotStrings(file: string, field: string, values: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(values)) {
    if (value !== null && typeof value !== 'string') {
      throw invalid(file, `"${field}.${key}" is ${describe(value)}`, 'use a string or null');
    }
  }
  for (const key of ['stagedAt', 'rolledBackAt', 'promotedAt', 'rolloutCompletedAt', 'idleSince']) {
    const value = values[key];
    if (typeof value === 'string' && Number.isNaN(Date.parse(value))) {
      throw invalid(
        file,
        `"${field}.${key}" is ${describe(value)}`,
        'use an ISO 8601 time such as 2026-01-31T12:00:00Z, or null',
      );
    }
  }
}

/**
 * The release file as written: stable key order, two-space indent, final newline.
 * `rolledBackAt` is written only on a slot that has it, and `served`, `staged`,
 * `architecture`, `policy` and `rollout` only when set, so a file that never saw a
 * rollback, a stage or a rollout keeps its smallest shape, which readers that know none of
 * these fields still read.
 */
export function formatReleaseFile(release: ReleaseFile): string {
  const slot = (s: ReleaseSlot) => ({
    image: s.image,
    stagedAt: s.stagedAt ?? null,
    source: s.source ?? null,
    ...(s.rolledBackAt ? { rolledBackAt: s.rolledBackAt } : {}),
    ...(s.promotedAt ? { promotedAt: s.promotedAt } : {}),
    ...(s.rolloutCompletedAt ? { rolloutCompletedAt: s.rolloutCompletedAt } : {}),
    ...(s.idleSince ? { idleSince: s.idleSince } : {}),
  });
  return `${JSON.stringify(
    {
      version: 1,
      environment: release.environment,
      ...(release.fleet !== undefined ? { fleet: release.fleet } : {}),
      ...(release.region !== undefined ? { region: release.region } : {}),
      active: release.active,
      canary: release.canary,
      previous: release.previous,
      ...(release.served ? { served: { blue: release.served.blue, green: release.served.green } } : {}),
      ...(release.staged ? { staged: release.staged } : {}),
      slots: { blue: slot(release.slots.blue), green: slot(release.slots.green) },
      ...(release.architecture ? { architecture: release.architecture } : {}),
      ...(release.policy ? { policy: formatPolicy(release.policy) } : {}),
      ...(release.rollout ? { rollout: formatRollout(release.rollout) } : {}),
      ...(release.freezeOverride ? { freezeOverride: formatFreezeOverride(release.freezeOverride) } : {}),
    },
    null,
    2,
  )}\n`;
}

/**
 * The one shape of every release file message: `<file>: <field and value>; <fix>.`
 * Thrown by the caller (`throw invalid(...)`), so the checks read as plain guards.
 */
function invalid(file: string, problem: string, fix: string): ReleaseFileError {
  return new ReleaseFileError(`${file}: ${problem}; ${fix}.`);
}

function isSlotName(value: unknown): value is SlotName {
  return value === 'blue' || value === 'green';
}
