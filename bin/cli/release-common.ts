// What the release commands share with their waves (release-wave.ts): the promotion
// rules checked on each change, the image of `stage --from`, and the hints printed after
// a command.
import {
  checkFreeze,
  checkStageFrom,
  checkVetoes,
  formatDuration,
  otherSlot,
  promoteRelease,
  releaseArguments,
  ReleaseFile,
  releaseLabel,
  ReleaseRefusedError,
  ReleaseStore,
  rollbackRelease,
  SlotName,
  stageRelease,
  startRollout,
  VetoFile,
} from 'cdktf-immutable/release';
import type { ParsedArgs } from './args';
import { optionValue } from './args';

/** The promotion rules of a stage, promote or advance: vetoed images and freeze windows. */
export function releaseRules(root: ReleaseStore, args: ParsedArgs | undefined, now: Date): ReleaseRules {
  const vetoes = root.vetoes();
  const reason = args === undefined ? undefined : optionValue(args, 'reason');
  return {
    vetoes,
    now,
    apply(command, before, after) {
      checkVetoes(before, after, vetoes, command);
      if (command === 'advance') {
        return after;
      }
      const override = checkFreeze(before, command, now, reason === undefined ? undefined : { reason });
      return override ? { ...after, freezeOverride: override } : after;
    },
  };
}

/** The promotion rules checked on each change (see {@link releaseRules}). */
export interface ReleaseRules {
  readonly vetoes: VetoFile;
  readonly now: Date;
  /** `after` if `command` may go from `before` to it (with the freeze override recorded), else a refusal. */
  apply(command: 'stage' | 'promote' | 'advance', before: ReleaseFile, after: ReleaseFile): ReleaseFile;
}

/** The line a command prints when it forced a freeze window. */
export function overrideLine(release: ReleaseFile): string {
  const override = release.freezeOverride;
  return override
    ? `${releaseLabel(release)}: freeze window ${override.window} overridden (--force-freeze); the reason is ` +
        `recorded in the release file: ${override.reason}\n`
    : '';
}

/**
 * The image active in `from` (of the same fleet and region), after `env`'s
 * `policy.stageFrom` rules; refused when there is none.
 */
export function imageFrom(store: ReleaseStore, env: string, from: string, now: Date): string {
  const other = store.load(from);
  const image = other.slots[other.active].image;
  if (image === null) {
    throw new ReleaseRefusedError(`${releaseLabel(other)} has no active image to stage from.`);
  }
  checkStageFrom(store.load(env), other, now);
  return image;
}

/**
 * What to run next, for the state the command left: a deploy when the file changed
 * what runs, then only the release commands that the state allows (each one is tried
 * on the new state before it is suggested).
 */
export function nextSteps(release: ReleaseFile, deploy?: string): string {
  const env = releaseArguments(release);
  const active = release.active;
  const idle = otherSlot(active);
  const command = (args: string) => `cdktf-immutable release ${args}`;
  const allowed = (transition: () => ReleaseFile) => {
    try {
      transition();
      return true;
    } catch {
      return false;
    }
  };
  const options: Array<[string, string]> = [];
  if (release.rollout?.status === 'running') {
    options.push([
      command(`advance ${env}`),
      'after the deploy: the next step once the bake time passed (abort on alarm)',
    ]);
  }
  if (allowed(() => promoteRelease(release))) {
    options.push([
      command(`promote ${env}`),
      release.canary > 0 ? `all traffic to slot ${idle}, ends the canary` : `all traffic to slot ${idle}`,
    ]);
    if (release.canary === 0) {
      options.push([command(`promote ${env} --canary 10`), `10% of the traffic to slot ${idle} first`]);
    }
  } else if (release.policy?.requireRollout && release.rollout?.status !== 'running') {
    options.push(...rolloutHint(release, idle));
  }
  if (allowed(() => rollbackRelease(release))) {
    options.push([
      command(`rollback ${env}`),
      release.canary > 0
        ? `abort the canary, all traffic back to slot ${active}`
        : `if the release misbehaves: all traffic back to slot ${release.previous}`,
    ]);
  }
  if (
    options.length === 0 &&
    allowed(() => stageRelease(release, { image: PLACEHOLDER_AMI, source: '--image', now: new Date(0) }))
  ) {
    const into =
      release.slots[active].image === null
        ? `the first image, into slot ${active}`
        : `the next release, into slot ${idle}`;
    options.push([command(`stage ${env} --image <ami-id>`), into]);
  }
  const lines =
    deploy === undefined ? [] : [`Next: cdktf-immutable deploy <${releaseLabel(release)} stack> (${deploy})`];
  const width = Math.max(...options.map(([text]) => text.length));
  options.forEach(([text, why], i) => {
    const label = lines.length === 0 && i === 0 ? 'Next:' : i === 0 ? 'Then:' : '  or:';
    lines.push(`${label} ${text.padEnd(width)}   ${why}`);
  });
  return lines.map((line) => `${line}\n`).join('');
}

/**
 * What `promote` does under `policy.requireRollout`: it starts a rollout with the
 * policy's steps, bake time, alarms and fleet (a plain promote is refused); when the
 * policy lacks some of them, the options to give.
 */
function rolloutHint(release: ReleaseFile, idle: SlotName): Array<[string, string]> {
  const env = releaseArguments(release);
  try {
    const started = startRollout(release, { now: new Date(0) }).rollout!;
    return [
      [
        `cdktf-immutable release promote ${env}`,
        `starts a rollout to slot ${idle} (policy.requireRollout): steps ${started.steps.join(', ')}, bake ` +
          `${formatDuration(started.bakeSeconds)}, alarms ${started.alarms.join(', ')}`,
      ],
    ];
  } catch {
    const policy = release.policy ?? {};
    const missing = [
      policy.steps ? '' : ' --steps 10,50,100',
      policy.alarms?.length ? '' : ' --alarm <name>',
      policy.fleet ? '' : ' --fleet-tag <fleet>',
    ].join('');
    return [
      [
        `cdktf-immutable release promote ${env}${missing}`,
        `starts a rollout to slot ${idle} (policy.requireRollout refuses a plain promote)`,
      ],
    ];
  }
}

/** Stands for the user's next image when the hints try a stage (never written). */
const PLACEHOLDER_AMI = 'ami-00000000';
