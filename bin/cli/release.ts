import { createHash } from 'crypto';
import { resolve } from 'path';
import { optionValue, parseArgs, ParsedArgs } from './args';
import { CliError, EXIT_BAD_INPUT, EXIT_OK, EXIT_REFUSED } from './errors';
import type { CliIo } from './io';
import { AMI_ID } from '../../lib/private/aws-ids';
import {
  otherSlot, promoteRelease, ReleaseFile, ReleaseFileError, ReleaseLockedError, ReleaseRefusedError, ReleaseStore, rollbackRelease,
  SLOT_NAMES, SlotName, stageRelease,
} from '../../lib/release';

export const RELEASE_USAGE = `Usage: cdktf-immutable release <subcommand> [options]

  release init <env>                              Create releases/<env>.json (both slots empty).
  release stage <env> --image <ami-id> [--slot <blue|green>]
                                                  Put an image in the idle slot (no traffic moves).
  release stage <env> --from <other-env>          Stage the image that is active in <other-env>.
  release promote <env> [--canary <percent>]      Move traffic to the idle slot, or send it a share.
                                                  --canary 0 ends a canary.
  release rollback <env>                          Move traffic back to the previous slot.
  release status [<env>] [--json]                 Show slots, images, generations and the active slot.

Options for every subcommand:
  --dir <folder>    Folder of the release files (default: releases, or $CDKTF_IMMUTABLE_RELEASES).

After stage, promote or rollback, run "cdktf deploy <stack>" for that environment.
`;

/** `cdktf-immutable release ...` */
export function releaseCommand(argv: readonly string[], io: CliIo): number {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.out(RELEASE_USAGE);
    return sub === undefined ? EXIT_BAD_INPUT : EXIT_OK;
  }
  const specs: Record<string, { values: string[]; switches: string[] }> = {
    init: { values: ['dir'], switches: [] },
    stage: { values: ['dir', 'image', 'from', 'slot'], switches: [] },
    promote: { values: ['dir', 'canary'], switches: [] },
    rollback: { values: ['dir'], switches: [] },
    status: { values: ['dir'], switches: ['json'] },
  };
  const spec = specs[sub];
  if (!spec) {
    throw new CliError(`release: unknown subcommand "${sub}" (subcommands: ${Object.keys(specs).join(', ')}).`);
  }
  const args = parseArgs(rest, spec, `release ${sub}`);
  const store = new ReleaseStore(resolve(optionValue(args, 'dir') ?? process.env.CDKTF_IMMUTABLE_RELEASES ?? 'releases'));
  try {
    switch (sub) {
      case 'init': return init(store, args, io);
      case 'stage': return stage(store, args, io);
      case 'promote': return promote(store, args, io);
      case 'rollback': return rollback(store, args, io);
      default: return status(store, args, io);
    }
  } catch (error) {
    if (error instanceof ReleaseRefusedError || error instanceof ReleaseLockedError) {
      throw new CliError(`release ${sub}: refused: ${error.message}`, EXIT_REFUSED);
    }
    if (error instanceof ReleaseFileError || error instanceof RangeError) {
      throw new CliError(`release ${sub}: ${error.message}`, EXIT_BAD_INPUT);
    }
    throw error;
  }
}

function environmentArgument(args: ParsedArgs, sub: string, optional = false): string | undefined {
  if (args.positionals.length > 1) {
    throw new CliError(`release ${sub}: expected one environment, got "${args.positionals.join(' ')}".`);
  }
  const env = args.positionals[0];
  if (env === undefined && !optional) {
    throw new CliError(`release ${sub}: name the environment, e.g. "cdktf-immutable release ${sub} dev".`);
  }
  return env;
}

function init(store: ReleaseStore, args: ParsedArgs, io: CliIo): number {
  const env = environmentArgument(args, 'init')!;
  store.init(env);
  io.out(`created ${store.pathOf(env)}: both slots empty, blue active.\nNext: cdktf-immutable release stage ${env} --image <ami-id>\n`);
  return EXIT_OK;
}

function stage(store: ReleaseStore, args: ParsedArgs, io: CliIo): number {
  const env = environmentArgument(args, 'stage')!;
  const image = optionValue(args, 'image');
  const from = optionValue(args, 'from');
  const slot = optionValue(args, 'slot');
  if ((image === undefined) === (from === undefined)) {
    throw new CliError('release stage: give exactly one of --image <ami-id> or --from <other-env>.');
  }
  if (image !== undefined && !AMI_ID.test(image)) {
    throw new CliError(`release stage: --image "${image}" is not an AMI id; expected "ami-" and 8 or 17 lowercase hex digits, e.g. ami-0123456789abcdef0.`);
  }
  if (slot !== undefined && slot !== 'blue' && slot !== 'green') {
    throw new CliError(`release stage: --slot "${slot}" must be "blue" or "green".`);
  }
  if (from !== undefined && from === env) {
    throw new CliError(`release stage: --from "${from}" is the environment being staged; name another environment.`);
  }
  let staged = image;
  let source = '--image';
  if (from !== undefined) {
    const other = store.load(from);
    staged = other.slots[other.active].image ?? undefined;
    if (staged === undefined) {
      throw new ReleaseRefusedError(`${from} has no active image to stage from.`);
    }
    source = `env:${from}`;
  }
  const { after } = store.update(env, (release) => stageRelease(release, { image: staged!, source, slot: slot as SlotName | undefined, now: new Date() }));
  const target = SLOT_NAMES.find((name) => after.slots[name].image === staged && after.slots[name].source === source)!;
  const moved = target === after.active ? ' (the environment was empty: this slot is active)' : '; no traffic moves';
  io.out(`${env}: staged ${staged} in slot ${target}${moved}.\nNext: cdktf deploy <${env} stack>, then cdktf-immutable release promote ${env}\n`);
  return EXIT_OK;
}

function promote(store: ReleaseStore, args: ParsedArgs, io: CliIo): number {
  const env = environmentArgument(args, 'promote')!;
  const canaryText = optionValue(args, 'canary');
  let canary: number | undefined;
  if (canaryText !== undefined) {
    if (!/^\d+$/.test(canaryText) || Number(canaryText) > 100) {
      throw new CliError(`release promote: --canary "${canaryText}" must be a whole percentage from 0 to 100.`);
    }
    canary = Number(canaryText);
  }
  const { after } = store.update(env, (release) => promoteRelease(release, canary));
  io.out(`${env}: ${describeTraffic(after)}.\nNext: cdktf deploy <${env} stack> (only the listener changes)\n`);
  return EXIT_OK;
}

function rollback(store: ReleaseStore, args: ParsedArgs, io: CliIo): number {
  const env = environmentArgument(args, 'rollback')!;
  const { after } = store.update(env, rollbackRelease);
  io.out(`${env}: rolled back; ${describeTraffic(after)}.\nNext: cdktf deploy <${env} stack> (only the listener changes)\n`);
  return EXIT_OK;
}

function status(store: ReleaseStore, args: ParsedArgs, io: CliIo): number {
  const env = environmentArgument(args, 'status', true);
  const environments = env === undefined ? store.environments() : [env];
  if (environments.length === 0) {
    throw new ReleaseFileError(`no release files in ${store.directory}; create one with "cdktf-immutable release init <env>".`);
  }
  const releases = environments.map((name) => store.load(name));
  if (args.options.has('json')) {
    io.out(`${JSON.stringify(releases.map(statusJson), null, 2)}\n`);
    return EXIT_OK;
  }
  for (const release of releases) {
    io.out(`${release.environment}: ${describeTraffic(release)}\n`);
    for (const name of SLOT_NAMES) {
      const slot = release.slots[name];
      const marker = name === release.active ? '*' : ' ';
      const details = slot.image === null
        ? 'empty'
        : `${slot.image}  generation ${imageGeneration(slot.image)}  staged ${slot.stagedAt ?? 'unknown'} from ${slot.source ?? 'unknown'}`;
      io.out(`  ${marker} ${name.padEnd(5)}  ${details}\n`);
    }
    if (release.previous) {
      io.out(`    rollback target: ${release.previous}\n`);
    }
  }
  return EXIT_OK;
}

/**
 * The image generation of a slot: the generation hash of its release inputs (the
 * image). The fleet's server generation also covers instance settings from code, so it
 * changes on stage exactly when this one does, and on code changes too.
 */
function imageGeneration(image: string): string {
  // the canonical form of { image } (see contentHash), hashed without loading cdktf
  return createHash('sha256').update(JSON.stringify({ image })).digest('hex').slice(0, 10);
}

function statusJson(release: ReleaseFile) {
  const idle = otherSlot(release.active);
  return {
    environment: release.environment,
    active: release.active,
    canary: release.canary,
    previous: release.previous,
    weights: weights(release),
    slots: Object.fromEntries(SLOT_NAMES.map((name) => [name, {
      ...release.slots[name],
      generation: release.slots[name].image ? imageGeneration(release.slots[name].image!) : null,
      role: name === release.active ? 'active' : name === idle && release.canary > 0 ? 'canary' : 'idle',
    }])),
  };
}

function weights(release: ReleaseFile): Record<SlotName, number> {
  const idle = otherSlot(release.active);
  if (release.slots[release.active].image === null) {
    return { blue: 0, green: 0 };
  }
  return { [release.active]: 100 - release.canary, [idle]: release.canary } as Record<SlotName, number>;
}

function describeTraffic(release: ReleaseFile): string {
  const w = weights(release);
  if (w.blue + w.green === 0) {
    return 'no image yet, no traffic';
  }
  const idle = otherSlot(release.active);
  return release.canary > 0
    ? `active ${release.active} (${w[release.active]}%), canary ${idle} (${w[idle]}%)`
    : `active ${release.active} (100%)`;
}
