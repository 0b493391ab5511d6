// The promotion rules, checked on release files (pure: the clock and the files are given):
// what `stage --from` requires of the other environment, freeze windows, and vetoed images.
import { formatDuration } from './rollout';
import { describeFreezeWindow, FreezeOverride, openFreezeWindow } from './promotion-policy';
import { otherSlot, ReleaseFile, releaseWeights, SLOT_NAMES, SlotName } from './release-file';
import { releaseArguments, releaseLabel } from './release-layout';
import { ReleaseRefusedError } from './transitions';
import { VetoFile, vetoOf } from './veto-file';

/** How an environment's active image has served, as its release file records it. */
export interface ServingRecord {
  /** The active slot's image, or null. */
  readonly image: string | null;
  /** Since when it takes all the traffic, if recorded. */
  readonly since?: string;
  /** When a stepped rollout of it completed, if one did. */
  readonly rolloutCompletedAt?: string;
}

/**
 * Since when the active image serves and whether a rollout of it completed: the active
 * slot's `promotedAt` and `rolloutCompletedAt`; for a file written before they existed,
 * a completed last rollout whose promote is still the last one (`previous` is the other
 * slot) stands for both.
 */
export function servingRecordOf(release: ReleaseFile): ServingRecord {
  const slot = release.slots[release.active];
  if (slot.promotedAt || slot.rolloutCompletedAt) {
    return {
      image: slot.image,
      ...(slot.promotedAt ? { since: slot.promotedAt } : {}),
      ...(slot.rolloutCompletedAt ? { rolloutCompletedAt: slot.rolloutCompletedAt } : {}),
    };
  }
  const rollout = release.rollout;
  const completed =
    rollout?.status === 'complete' &&
    rollout.endedAt &&
    release.previous === otherSlot(release.active) &&
    release.canary === 0 &&
    (slot.stagedAt === null || slot.stagedAt === undefined || Date.parse(slot.stagedAt) <= Date.parse(rollout.endedAt));
  return completed
    ? { image: slot.image, since: rollout!.endedAt!, rolloutCompletedAt: rollout!.endedAt! }
    : { image: slot.image };
}

/**
 * Refuses `stage <target> --from <source>` when the image active in `source` does not
 * meet `target`'s `policy.stageFrom`: a completed rollout (`requireCompletedRollout`:
 * not aborted, not rolled back, still serving) and a soak time (`soakSeconds`) of serving
 * all of `source`'s traffic. The message names the rule and what is missing.
 */
export function checkStageFrom(target: ReleaseFile, source: ReleaseFile, now: Date): void {
  const rule = target.policy?.stageFrom;
  if (!rule || (!rule.requireCompletedRollout && !rule.soakSeconds)) {
    return;
  }
  const record = servingRecordOf(source);
  const from = releaseLabel(source);
  const to = releaseLabel(target);
  const refuse = (rulePart: string, missing: string, fix: string): never => {
    throw new ReleaseRefusedError(
      `${to}: the policy requires that "stage --from" takes ${rulePart} ("policy.stageFrom"); ${missing}, so nothing ` +
        `was written. ${fix}`,
    );
  };
  if (source.canary > 0 || source.rollout?.status === 'running') {
    refuse(
      'an image that completed a rollout',
      `${from} is in the middle of a ${source.rollout?.status === 'running' ? 'rollout' : 'canary'}`,
      `Finish it first ("cdktf-immutable release advance ${releaseArguments(source)}").`,
    );
  }
  if (rule.requireCompletedRollout && !record.rolloutCompletedAt) {
    const why =
      source.rollout?.status === 'aborted'
        ? `the last rollout in ${from} was aborted (${source.rollout.abort?.reason ?? 'unknown'})`
        : source.slots[otherSlot(source.active)].rolledBackAt
          ? `${from} was rolled back, and its active image ${record.image} did not complete a rollout there`
          : `the active image of ${from} (${record.image}) did not complete a stepped rollout there ` +
            '(promoted without --steps, or restored by a rollback)';
    refuse(
      'an image that completed a stepped rollout in the environment it comes from',
      why,
      `Roll it out in ${from} first ("cdktf-immutable release promote ${releaseArguments(source)} --steps 10,50,100 ` +
        '--alarm <name>").',
    );
  }
  if (rule.soakSeconds) {
    if (!record.since) {
      refuse(
        `an image that served ${from} for ${formatDuration(rule.soakSeconds)}`,
        `${from} does not record since when slot ${source.active} (${record.image}) serves (no "promotedAt": the ` +
          'file was last promoted by an older version)',
        `Promote it again in ${from}, or stage it by id with --image.`,
      );
    }
    const served = (now.getTime() - Date.parse(record.since!)) / 1000;
    if (served < rule.soakSeconds) {
      const ready = new Date(Date.parse(record.since!) + rule.soakSeconds * 1000).toISOString();
      refuse(
        `an image that served ${from} for at least ${formatDuration(rule.soakSeconds)}`,
        `${record.image} has served ${from} since ${record.since} (${formatDuration(served)}, ` +
          `${formatDuration(rule.soakSeconds - served)} short)`,
        `Run the command again after ${ready}.`,
      );
    }
  }
}

/**
 * Refuses `command` (stage or promote) inside a freeze window of the policy, unless
 * forced with a reason: then returns the record to write (`freezeOverride`). Returns
 * undefined outside every window.
 */
export function checkFreeze(
  release: ReleaseFile,
  command: 'stage' | 'promote',
  now: Date,
  force?: { readonly reason: string },
): FreezeOverride | undefined {
  const window = openFreezeWindow(release.policy?.freeze, now);
  if (window === undefined) {
    return undefined;
  }
  const described = describeFreezeWindow(window);
  if (force === undefined) {
    throw new ReleaseRefusedError(
      `${releaseLabel(release)}: ${command} is refused during the freeze window ${described} ("policy.freeze"); ` +
        `nothing was written. Wait for the window to close, or override it on purpose with ` +
        `"cdktf-immutable release ${command} ${releaseArguments(release)} ... --force-freeze --reason \\"<why>\\"" ` +
        '(the reason is recorded in the release file).',
    );
  }
  return { at: now.toISOString(), command, window: described, reason: force.reason };
}

/**
 * Refuses a change that puts a vetoed image into a slot (a stage) or gives one more
 * traffic than it had (a promote, a rollout step). A rollback is not checked: moving the
 * traffic back stays possible whatever is vetoed.
 */
export function checkVetoes(before: ReleaseFile, after: ReleaseFile, vetoes: VetoFile, command: string): void {
  const was = releaseWeights(before);
  const now = releaseWeights(after);
  for (const slot of SLOT_NAMES) {
    const image = after.slots[slot].image;
    const veto = vetoOf(vetoes, image);
    if (!veto) {
      continue;
    }
    const staged = before.slots[slot].image !== image;
    if (staged || now[slot] > was[slot]) {
      const what = staged ? `would put it into slot ${slot}` : `would give slot ${slot} ${now[slot]}% of the traffic`;
      throw new ReleaseRefusedError(
        `${releaseLabel(after)}: ${image} is vetoed since ${veto.vetoedAt} (${veto.reason}); ${command} ${what}, so ` +
          'nothing was written. Stage another image, or lift the veto on purpose ' +
          `("cdktf-immutable release veto ${image} --lift").`,
      );
    }
  }
}

/** Where vetoed images still run: each slot of `release` with a vetoed image, with its weight. */
export function vetoedSlots(
  release: ReleaseFile,
  vetoes: VetoFile,
): Array<{ slot: SlotName; image: string; weight: number; reason: string }> {
  const weights = releaseWeights(release);
  return SLOT_NAMES.flatMap((slot) => {
    const veto = vetoOf(vetoes, release.slots[slot].image);
    return veto ? [{ slot, image: veto.image, weight: weights[slot], reason: veto.reason }] : [];
  });
}
