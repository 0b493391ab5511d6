import { otherSlot, ReleaseFile, ReleaseSlot, releaseWeights, SlotName, stagedSlotOf } from './release-file';
import { AMI_ID } from '../private/aws-ids';

/** A transition that the release record does not allow. The message says why and what to do. */
export class ReleaseRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReleaseRefusedError';
  }
}

/**
 * An argument of a release transition that is out of its range: an image that is not an
 * AMI id, a canary percentage outside 0..100. The message names the value and the range.
 * A `RangeError`, since the value itself is wrong whatever the release file holds.
 */
export class ReleaseInputError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'ReleaseInputError';
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

/** Options of {@link stageSameImage}. */
export interface StageSameImageOptions {
  /** The time recorded as stagedAt. */
  readonly now: Date;
}

/** Options of {@link promoteRelease}. */
export interface PromoteOptions {
  /**
   * Promote the idle slot even though its release was rolled back (`rolledBackAt`),
   * shipping that release again on purpose. The command line's `--force-rolled-back`.
   * @default false
   */
  readonly forceRolledBack?: boolean;
  /**
   * The time recorded as the promoted slot's `promotedAt` (a full promote).
   * @default - the current time
   */
  readonly now?: Date;
}

/** Options of {@link rollbackRelease}. */
export interface RollbackOptions {
  /**
   * The time recorded as `rolledBackAt` on the slot rolled back from.
   * @default - the current time
   */
  readonly now?: Date;
}

/** The command that ships a rolled-back release again, named in every refusal about one. */
const FORCE_FLAG = '--force-rolled-back';

/**
 * Puts an image in the idle slot, which becomes the staged slot (`staged`): it follows
 * the code, the active slot stays pinned. Nothing moves traffic: `cdktf deploy` then
 * replaces only that slot's launch template and ASG. The rollback target is cleared,
 * because the idle slot no longer runs the previous release, and so is the slot's
 * rolled-back mark, because it now runs a new release. The very first image of an
 * environment goes into the active slot, and nothing is staged.
 */
export function stageRelease(release: ReleaseFile, options: StageOptions): ReleaseFile {
  if (!AMI_ID.test(options.image)) {
    throw new ReleaseInputError(
      `image ("${options.image}") is not an AMI id; expected "ami-" and 8 or 17 lowercase hex digits.`,
    );
  }
  refuseDuringRollout(release, 'stage');
  const slot = options.slot ?? otherSlot(release.active);
  const hasTraffic = release.slots[release.active].image !== null;
  refuseStage(release, slot, options.image, hasTraffic);
  // The very first image goes to the active slot of an empty environment, so that the
  // first deploy serves it without a promote.
  const target: SlotName = hasTraffic ? slot : release.active;
  const at = options.now.toISOString();
  const staged: ReleaseSlot = {
    image: options.image,
    stagedAt: at,
    source: options.source,
    // the first image serves from its first deploy
    ...(hasTraffic ? {} : { promotedAt: at }),
  };
  return withStaged(
    { ...release, previous: null, slots: { ...release.slots, [target]: staged } },
    hasTraffic ? target : undefined,
  );
}

/**
 * A settings-only release: stages the active slot's image into the idle slot (source
 * `same-image:<active>`), which then takes the code's current server definition (user
 * data, instance type, security groups...) while the active slot stays pinned to what
 * it runs. Promote, canary, rollout and rollback then work as for a new image. Refused
 * when nothing is active yet, during a canary or a rollout, and when the idle slot is
 * already staged with the active image (it follows the code already: deploy, then
 * promote).
 */
export function stageSameImage(release: ReleaseFile, options: StageSameImageOptions): ReleaseFile {
  const env = release.environment;
  const active = release.active;
  const idle = otherSlot(active);
  const image = release.slots[active].image;
  if (image === null) {
    throw new ReleaseRefusedError(
      `${env}: no slot serves an image yet, so there is no active image to stage; stage the first one with ` +
        `"cdktf-immutable release stage ${env} --image <ami-id>".`,
    );
  }
  refuseDuringRollout(release, 'stage');
  if (release.canary > 0) {
    throw new ReleaseRefusedError(
      `${env}: slot "${idle}" is receiving ${release.canary}% canary traffic; promote it or end the canary ` +
        `("release promote ${env} --canary 0") before staging over it.`,
    );
  }
  if (stagedSlotOf(release) === idle && release.slots[idle].image === image) {
    throw new ReleaseRefusedError(
      `${env}: slot "${idle}" is staged with the active image ${image} already and follows the code; nothing to ` +
        `stage, nothing was written. Deploy, then promote ("cdktf-immutable release promote ${env}").`,
    );
  }
  const staged: ReleaseSlot = { image, stagedAt: options.now.toISOString(), source: `same-image:${active}` };
  return withStaged({ ...release, previous: null, slots: { ...release.slots, [idle]: staged } }, idle);
}

/** `release` with `staged` set to `slot`, or without it. */
function withStaged(release: ReleaseFile, slot: SlotName | undefined): ReleaseFile {
  const { staged: _staged, ...rest } = release;
  return slot === undefined ? rest : { ...rest, staged: slot };
}

/** Refuses to stage over the serving slot, over a running canary, or the image the slot already runs. */
function refuseStage(release: ReleaseFile, slot: SlotName, image: string, hasTraffic: boolean): void {
  const env = release.environment;
  const idle = otherSlot(release.active);
  if (slot === release.active && hasTraffic) {
    throw new ReleaseRefusedError(
      `${env}: slot "${slot}" is active and serving traffic; ` +
        `stage into the idle slot "${idle}" (omit --slot), then promote it.`,
    );
  }
  if (release.canary > 0) {
    throw new ReleaseRefusedError(
      `${env}: slot "${idle}" is receiving ${release.canary}% canary traffic; promote it or end the canary ` +
        `("release promote ${env} --canary 0") before staging over it.`,
    );
  }
  const current = release.slots[slot];
  if (current.image === image) {
    const rolledBack = current.rolledBackAt
      ? ` It is the release that was rolled back at ${current.rolledBackAt}; stage a fixed image, ` +
        `or ship it again on purpose with "cdktf-immutable release promote ${env} ${FORCE_FLAG}".`
      : '';
    throw new ReleaseRefusedError(`${env}: slot "${slot}" already runs ${image}; nothing to stage.${rolledBack}`);
  }
}

/**
 * Moves traffic. Without a canary, the idle slot becomes active and the old active
 * slot becomes the rollback target. With a canary percentage, that share goes to the
 * idle slot and the active slot keeps the rest (0 ends the canary).
 *
 * Safe to retry: a promote right after a full promote is refused (the idle slot runs
 * the release just replaced; `rollbackRelease` is the way back to it), and so is a
 * promote of a slot whose release was rolled back, unless `forceRolledBack` is set.
 */
export function promoteRelease(release: ReleaseFile, canary?: number, options: PromoteOptions = {}): ReleaseFile {
  if (canary !== undefined && (!Number.isInteger(canary) || canary < 0 || canary > 100)) {
    throw new ReleaseInputError(`--canary (${canary}) must be a whole percentage from 0 to 100.`);
  }
  refuseDuringRollout(release, 'promote');
  refuseWithoutRollout(release, canary);
  if (canary === 0) {
    if (release.canary === 0) {
      throw new ReleaseRefusedError(`${release.environment}: no canary is running; nothing to end.`);
    }
    return { ...release, canary: 0 };
  }
  const active = release.active;
  const idle = otherSlot(active);
  const target = release.slots[idle];
  refusePromote(release, options);
  const slots =
    target.rolledBackAt || target.idleSince ? { ...release.slots, [idle]: withoutMark(target) } : release.slots;
  if (canary === undefined || canary === 100) {
    // the staged slot now serves: both slots are pinned until the next stage
    const promotedAt = (options.now ?? new Date()).toISOString();
    const promoted = { ...slots, [idle]: { ...slots[idle], promotedAt } };
    return withStaged({ ...release, active: idle, previous: active, canary: 0, slots: promoted }, undefined);
  }
  return { ...release, canary, slots };
}

/** A policy with `requireRollout` refuses a plain or `--canary` promote; ending a running canary stays allowed. */
function refuseWithoutRollout(release: ReleaseFile, canary: number | undefined): void {
  if (release.policy?.requireRollout && !(canary === 0 && release.canary > 0)) {
    const env = release.environment;
    throw new ReleaseRefusedError(
      `${env}: the policy of this environment requires a rollout ("policy.requireRollout" is true), ` +
        `so a ${canary === undefined ? 'plain' : '--canary'} promote is refused and nothing was written; ` +
        `promote with steps and alarms: ` +
        `"cdktf-immutable release promote ${env} --steps 10,50,100 --bake 10m --alarm <name>".`,
    );
  }
}

/** Refuses to promote an empty idle slot, the release just replaced, or a rolled-back release unless forced. */
function refusePromote(release: ReleaseFile, options: PromoteOptions): void {
  const env = release.environment;
  const active = release.active;
  const idle = otherSlot(active);
  const target = release.slots[idle];
  const stageCommand = `"cdktf-immutable release stage ${env} --image <ami-id>"`;
  if (target.image === null) {
    throw new ReleaseRefusedError(`${env}: the idle slot "${idle}" is empty; stage an image first (${stageCommand}).`);
  }
  if (release.canary === 0 && release.previous === idle) {
    throw new ReleaseRefusedError(
      `${env}: already promoted: slot "${active}" (${release.slots[active].image}) is active and the idle slot ` +
        `"${idle}" runs the release it replaced (${target.image}); nothing new was staged, nothing was written. ` +
        `To move traffic back, run "cdktf-immutable release rollback ${env}"; ` +
        `to ship a new image, stage it first (${stageCommand}).`,
    );
  }
  if (target.rolledBackAt && !options.forceRolledBack) {
    throw new ReleaseRefusedError(
      `${env}: slot "${idle}" runs ${target.image}, the release that was rolled back at ${target.rolledBackAt}; ` +
        `promoting it would ship it again, so nothing was written. Stage a fixed image (${stageCommand}), ` +
        `or ship this one again on purpose with "cdktf-immutable release promote ${env} ${FORCE_FLAG}".`,
    );
  }
}

/**
 * Moves all traffic back to the previous slot, which still runs the previous
 * generation (only the listener changes), or ends a running canary. The slot rolled
 * back from is marked `rolledBackAt`, so that retrying the rollback, or promoting that
 * slot, cannot ship the release again by accident.
 */
export function rollbackRelease(release: ReleaseFile, options: RollbackOptions = {}): ReleaseFile {
  const now = (options.now ?? new Date()).toISOString();
  if (release.canary > 0) {
    return endCanary(release, now);
  }
  const previous = previousSlot(release);
  const slots = marked(release, release.active, now);
  // the slot rolled back to serves again: it is no longer idle
  const { idleSince: _idle, ...back } = slots[previous];
  return withStaged(
    {
      ...release,
      active: previous,
      previous: null,
      canary: 0,
      slots: { ...slots, [previous]: { ...back, promotedAt: now } },
    },
    undefined,
  );
}

/** Ends a running canary: all traffic back to the active slot, the idle slot marked, a running rollout aborted. */
function endCanary(release: ReleaseFile, now: string): ReleaseFile {
  const rollout = release.rollout;
  const aborted =
    rollout?.status === 'running'
      ? {
          rollout: {
            ...rollout,
            status: 'aborted' as const,
            endedAt: now,
            abort: {
              by: 'rollback' as const,
              reason: `rolled back by hand at step ${rollout.step + 1} of ${rollout.steps.length} (${release.canary}%)`,
            },
          },
        }
      : {};
  return withStaged(
    { ...release, canary: 0, slots: marked(release, otherSlot(release.active), now), ...aborted },
    undefined,
  );
}

/** The slot a full rollback returns to, or a refusal: already rolled back, or nothing to roll back to. */
function previousSlot(release: ReleaseFile): SlotName {
  const env = release.environment;
  const active = release.active;
  const idle = otherSlot(active);
  const rolledBack = release.slots[idle];
  if (rolledBack.rolledBackAt) {
    throw new ReleaseRefusedError(
      `${env}: already rolled back: slot "${active}" (${release.slots[active].image}) is active and slot ` +
        `"${idle}" (${rolledBack.image}) was rolled back at ${rolledBack.rolledBackAt}. A second rollback would ` +
        `send the traffic back to the release that was rolled back, so nothing was written. ` +
        `To ship it again on purpose, run "cdktf-immutable release promote ${env} ${FORCE_FLAG}".`,
    );
  }
  const previous = release.previous;
  if (previous === null) {
    const idleText =
      rolledBack.image === null
        ? `the idle slot "${idle}" is empty`
        : `the idle slot "${idle}" (${rolledBack.image}) was staged and never promoted`;
    throw new ReleaseRefusedError(
      `${env}: there is no previous slot to roll back to: ` +
        `slot "${active}" (${release.slots[active].image ?? 'no image'}) is active and ${idleText}.`,
    );
  }
  if (release.slots[previous].image === null) {
    throw new ReleaseRefusedError(`${env}: the previous slot "${previous}" is empty; nothing to roll back to.`);
  }
  return previous;
}

/** The slots with `slot` marked rolled back at `now`. */
function marked(release: ReleaseFile, slot: SlotName, now: string): ReleaseFile['slots'] {
  return { ...release.slots, [slot]: { ...release.slots[slot], rolledBackAt: now } };
}

/** A running rollout owns the traffic: only `release advance` and `release rollback` move it. */
function refuseDuringRollout(release: ReleaseFile, command: string): void {
  const rollout = release.rollout;
  if (rollout?.status === 'running') {
    const env = release.environment;
    throw new ReleaseRefusedError(
      `${env}: a rollout is running (step ${rollout.step + 1} of ${rollout.steps.length}, ` +
        `${release.canary}% to slot ${otherSlot(release.active)}), so ${command} is refused and nothing was written. ` +
        `Move it on with "cdktf-immutable release advance ${env}", ` +
        `or end it with "cdktf-immutable release rollback ${env}".`,
    );
  }
}

/** The slot without its rolled-back and idle marks: it takes the traffic now. */
function withoutMark(slot: ReleaseSlot): ReleaseSlot {
  const { rolledBackAt: _mark, ...rest } = slot;
  return rest;
}

/**
 * `after` with `served` recorded: the weights of `before` when the change moves traffic,
 * else the weights `before` recorded (a stage keeps them: the load balancer should still
 * serve what it served before the last traffic change, whether or not that change was
 * deployed yet). The release store applies it to every write, so every release command
 * records what the load balancer should serve before its change.
 */
export function recordServed(before: ReleaseFile, after: ReleaseFile): ReleaseFile {
  const old = releaseWeights(before);
  const now = releaseWeights(after);
  const served = old.blue === now.blue && old.green === now.green ? before.served : old;
  if (served === undefined) {
    const { served: _dropped, ...rest } = after;
    return rest;
  }
  return { ...after, served };
}

/**
 * `after` with each slot's `idleSince` kept true: set to `now` on a slot that served in
 * `before` and serves nothing in `after` (a promote, a rollback, the end of a canary or
 * of a rollout moved the traffic off it), kept while it stays idle with the same
 * release, and removed from a slot that serves, is empty or got a new release (a
 * stage: the staged slot keeps its full size until it is promoted). The release store
 * applies it to every write, so a fleet with `idleCapacity` knows when each slot went
 * idle.
 */
export function recordIdle(before: ReleaseFile, after: ReleaseFile, now: Date): ReleaseFile {
  const old = releaseWeights(before);
  const weights = releaseWeights(after);
  const slots = { ...after.slots };
  let changed = false;
  for (const name of [otherSlot(after.active), after.active]) {
    const slot = after.slots[name];
    const was = before.slots[name];
    const sameRelease = slot.image === was.image && (slot.stagedAt ?? null) === (was.stagedAt ?? null);
    const idle =
      slot.image !== null && weights[name] === 0 && name !== after.active
        ? old[name] > 0
          ? now.toISOString()
          : sameRelease
            ? was.idleSince
            : undefined
        : undefined;
    if (idle !== slot.idleSince) {
      const { idleSince: _old, ...rest } = slot;
      slots[name] = idle === undefined ? rest : { ...rest, idleSince: idle };
      changed = true;
    }
  }
  return changed ? { ...after, slots } : after;
}
