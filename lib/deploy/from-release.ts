import { ImageSource } from '../image/image-source';
import { ValidationError } from '../private/validation';
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
}

/**
 * The props of a {@link BlueGreenFleet} that a release file decides: which image each
 * slot runs, the active slot and the canary's share of the traffic.
 */
export interface ReleaseFleetProps {
  /** Each slot's image (`ImageSource.fromAmiId`), or `{}` for an empty slot. */
  readonly slots: BlueGreenSlots;
  /** The release file's `active`. */
  readonly active: SlotName;
  /** The release file's `canary` (0 to 100). */
  readonly canaryPercent: number;
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
 * `{}`), `active` stays `active` and `canary` becomes `canaryPercent`. Per-slot
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
  const slot = (name: SlotName) => {
    const image = release.slots[name].image;
    return image === null ? {} : { image: ImageSource.fromAmiId(image) };
  };
  return {
    slots: { blue: slot('blue'), green: slot('green') },
    active: release.active,
    canaryPercent: release.canary,
  };
}
