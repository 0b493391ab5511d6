import { otherSlot, ReleaseFile, SlotName } from './release-file';
import { AMI_ID } from '../private/aws-ids';

/** A transition that the release record does not allow. The message says why and what to do. */
export class ReleaseRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReleaseRefusedError';
  }
}

/** Options of {@link stageRelease}. */
export interface StageOptions {
  /** The AMI id to stage. */
  readonly image: string;
  /** Where it came from, recorded in the slot (`--image`, `env:staging`). */
  readonly source: string;
  /**
   * The slot to stage into; must not be the active slot.
   * @default - the idle slot
   */
  readonly slot?: SlotName;
  /** The time recorded as stagedAt. */
  readonly now: Date;
}

/**
 * Puts an image in the idle slot. Nothing moves traffic: `cdktf deploy` then replaces
 * only that slot's launch template and ASG. The rollback target is cleared, because the
 * idle slot no longer runs the previous release.
 */
export function stageRelease(release: ReleaseFile, options: StageOptions): ReleaseFile {
  if (!AMI_ID.test(options.image)) {
    throw new RangeError(`image ("${options.image}") is not an AMI id; expected "ami-" and 8 or 17 lowercase hex digits.`);
  }
  const idle = otherSlot(release.active);
  const slot = options.slot ?? idle;
  const hasTraffic = release.slots[release.active].image !== null;
  if (slot === release.active && hasTraffic) {
    throw new ReleaseRefusedError(`${release.environment}: slot "${slot}" is active and serving traffic; stage into the idle slot "${idle}" (omit --slot), then promote it.`);
  }
  if (release.canary > 0) {
    throw new ReleaseRefusedError(`${release.environment}: slot "${idle}" is receiving ${release.canary}% canary traffic; promote it or end the canary ("release promote ${release.environment} --canary 0") before staging over it.`);
  }
  if (release.slots[slot].image === options.image) {
    throw new ReleaseRefusedError(`${release.environment}: slot "${slot}" already runs ${options.image}; nothing to stage.`);
  }
  // The very first image goes to the active slot of an empty environment, so that the
  // first deploy serves it without a promote.
  const target: SlotName = hasTraffic ? slot : release.active;
  return {
    ...release,
    previous: null,
    slots: { ...release.slots, [target]: { image: options.image, stagedAt: options.now.toISOString(), source: options.source } },
  };
}

/**
 * Moves traffic. Without a canary, the idle slot becomes active and the old active
 * slot becomes the rollback target. With a canary percentage, that share goes to the
 * idle slot and the active slot keeps the rest (0 ends the canary).
 */
export function promoteRelease(release: ReleaseFile, canary?: number): ReleaseFile {
  const idle = otherSlot(release.active);
  if (canary !== undefined && (!Number.isInteger(canary) || canary < 0 || canary > 100)) {
    throw new RangeError(`--canary (${canary}) must be a whole percentage from 0 to 100.`);
  }
  if (canary === 0) {
    if (release.canary === 0) {
      throw new ReleaseRefusedError(`${release.environment}: no canary is running; nothing to end.`);
    }
    return { ...release, canary: 0 };
  }
  if (release.slots[idle].image === null) {
    throw new ReleaseRefusedError(`${release.environment}: the idle slot "${idle}" is empty; stage an image first ("cdktf-immutable release stage ${release.environment} --image <ami-id>").`);
  }
  if (canary === undefined || canary === 100) {
    return { ...release, active: idle, previous: release.active, canary: 0 };
  }
  return { ...release, canary };
}

/**
 * Moves all traffic back to the previous slot, which still runs the previous
 * generation. Only the listener changes.
 */
export function rollbackRelease(release: ReleaseFile): ReleaseFile {
  if (release.canary > 0) {
    return { ...release, canary: 0 };
  }
  const previous = release.previous;
  if (previous === null) {
    throw new ReleaseRefusedError(`${release.environment}: there is no previous slot to roll back to (nothing was promoted since the last stage).`);
  }
  if (release.slots[previous].image === null) {
    throw new ReleaseRefusedError(`${release.environment}: the previous slot "${previous}" is empty; nothing to roll back to.`);
  }
  return { ...release, active: previous, previous: release.active, canary: 0 };
}
