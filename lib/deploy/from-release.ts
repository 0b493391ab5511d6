import { ImageSource } from '../image/image-source';
import { ValidationError } from '../private/validation';
import { stagedSlotOf } from '../release/release-file';
import type { ReleaseFile, SlotName } from '../release/release-file';
import type { BlueGreenSlots } from './blue-green-fleet';

/** Options of {@link fromRelease}. */
export interface FromReleaseOptions {
  /**
   * The environment the stack is built for. When given, a release file of another
   * environment is refused (`releases/prod.json` passed to the dev stack).
   * @default - not checked (loadReleaseFile already checks that the environment matches the file name)
   */
  readonly environment?: string;
  /**
   * The fleet the stack is built for, in a repository with several fleets
   * (`releases/<fleet>/<env>.json`). When given, a release file that names another fleet
   * is refused.
   * @default - not checked (loadReleaseFile checks a file's fleet against its folder)
   */
  readonly fleet?: string;
  /**
   * The region the stack is built for, for a fleet released per region
   * (`releases/<fleet>/<region>/<env>.json`). When given, the release file must be that
   * region's.
   * @default - not checked
   */
  readonly region?: string;
}

/**
 * The props of a {@link BlueGreenFleet} that a release file decides: which image each
 * slot runs, the active slot, the canary's share of the traffic, and which slot follows
 * the code (the others are pinned).
 */
export interface ReleaseFleetProps {
  /** Each slot's image (`ImageSource.fromAmiId`) and `idleSince` when it has one, or `{}` for an empty slot. */
  readonly slots: BlueGreenSlots;
  /** The release file's `active`. */
  readonly active: SlotName;
  /** The release file's `canary` (0 to 100). */
  readonly canaryPercent: number;
  /** The staged slot (`staged`, or derived for older files: see `stagedSlotOf`), or `'none'`. */
  readonly stagedSlot: SlotName | 'none';
  /** The release file's environment, named in the messages about pinned slots. */
  readonly releaseEnvironment: string;
}

/**
 * Maps a release file (`loadReleaseFile('releases/prod.json')`) onto the props of a
 * {@link BlueGreenFleet}, so a stack spreads it into the fleet's props:
 *
 * ```ts
 * new BlueGreenFleet(this, 'Web', { ...common, ...fromRelease(loadReleaseFile('releases/prod.json')) });
 * ```
 *
 * `slots.<slot>.image` becomes `ImageSource.fromAmiId(image)` (`null`: an empty slot,
 * `{}`) and `slots.<slot>.idleSince` the slot's `idleSince` (for `idleCapacity`),
 * `active` stays `active`, `canary` becomes `canaryPercent`, the staged slot
 * (`stagedSlotOf(release)`) becomes `stagedSlot` (`'none'` when no slot is staged: the
 * serving and the rollback slot are pinned) and `environment` becomes
 * `releaseEnvironment`. Per-slot
 * settings (a slot's `capacity`, say) are added over the result's slots:
 * `const r = fromRelease(release);` then
 * `slots: { blue: { ...r.slots.blue, capacity }, green: r.slots.green }`.
 * Fields a release file holds for the command line only (the rollout, `previous`,
 * `stagedAt`...) are not read.
 */
export function fromRelease(release: ReleaseFile, options: FromReleaseOptions = {}): ReleaseFleetProps {
  if (options.environment !== undefined && options.environment !== release.environment) {
    throw new ValidationError(
      `the release file is for environment "${release.environment}", not "${options.environment}"; ` +
        `pass releases/${options.environment}.json (or environment: "${release.environment}").`,
      'fromRelease',
    );
  }
  if (options.fleet !== undefined && release.fleet !== undefined && options.fleet !== release.fleet) {
    throw new ValidationError(
      `the release file is of fleet "${release.fleet}", not "${options.fleet}"; ` +
        `pass releases/${options.fleet}/${release.environment}.json (or fleet: "${release.fleet}").`,
      'fromRelease',
    );
  }
  if (options.region !== undefined && options.region !== release.region) {
    throw new ValidationError(
      `the release file is ${release.region === undefined ? 'not of a region' : `of region "${release.region}"`}, ` +
        `not "${options.region}"; pass releases/<fleet>/${options.region}/${release.environment}.json.`,
      'fromRelease',
    );
  }
  const slot = (name: SlotName) => {
    const { image, idleSince } = release.slots[name];
    if (image === null) {
      return {};
    }
    return idleSince ? { image: ImageSource.fromAmiId(image), idleSince } : { image: ImageSource.fromAmiId(image) };
  };
  return {
    slots: { blue: slot('blue'), green: slot('green') },
    active: release.active,
    canaryPercent: release.canary,
    stagedSlot: stagedSlotOf(release) ?? 'none',
    releaseEnvironment: release.environment,
  };
}
