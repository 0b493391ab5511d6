// The release commands over several regions of a fleet at once (`--regions a,b`): one
// release file per region, changed together. Every command reads all the files under
// their locks, decides for all of them, and writes them in region order (the store's
// updateMany): a refusal in one region writes nothing anywhere, and a crash between two
// writes is finished by running the same command again.
import { optionValue, ParsedArgs } from './args';
import { CliError, EXIT_OK, EXIT_REFUSED } from './errors';
import type { CliIo } from './io';
import { imageFrom, nextSteps, overrideLine, releaseRules } from './release-common';
import { awsReader, ROLLOUT_OPTIONS } from './rollout';
import { AMI_ID } from 'cdktf-immutable/names';
import {
  advanceRollout,
  checkVetoes,
  decideWave,
  formatReleaseFile,
  parseDuration,
  parseSteps,
  promoteRelease,
  reconcileWave,
  ReleaseFile,
  releaseLabel,
  ReleaseRefusedError,
  ReleaseStore,
  rollbackRelease,
  SlotName,
  stagedSlotOf,
  stageRelease,
  stageSameImage,
  startWave,
  WaveMember,
  WaveOutcome,
} from 'cdktf-immutable/release';

/** `release <sub> ... --regions a,b`: the command over every region's file. */
export function waveCommand(
  sub: string,
  stores: readonly ReleaseStore[],
  args: ParsedArgs,
  io: CliIo,
): number | Promise<number> {
  const env = args.positionals[0];
  if (env === undefined || args.positionals.length > 1) {
    throw new CliError(
      `release ${sub}: name one environment, e.g. "cdktf-immutable release ${sub} prod --regions ...".`,
    );
  }
  switch (sub) {
    case 'init':
      for (const store of stores) {
        store.init(env);
        io.out(`created ${store.pathOf(env)}: both slots empty, blue active.\n`);
      }
      return EXIT_OK;
    case 'stage':
      return stageWave(stores, env, args, io);
    case 'promote':
      return promoteWave(stores, env, args, io);
    case 'advance':
      return advanceWave(stores, env, io);
    case 'rollback':
      return rollbackWave(stores, env, io);
    default:
      throw new CliError(
        `release ${sub}: --regions is not supported here; run "release advance ${env} --regions ..." on a timer ` +
          "and deploy each region's stack after each write, or run the command per region with --region.",
      );
  }
}

const entries = (stores: readonly ReleaseStore[], env: string) => stores.map((store) => ({ store, environment: env }));

/** `stage <env> --regions a,b`: each region's image (its own AMI id), staged in every region or in none. */
function stageWave(
  stores: readonly ReleaseStore[],
  env: string,
  args: ParsedArgs,
  io: CliIo,
): number | Promise<number> {
  const regions = stores.map((store) => store.region!);
  const image = optionValue(args, 'image');
  const from = optionValue(args, 'from');
  const fromSsm = optionValue(args, 'from-ssm');
  const fromPipeline = optionValue(args, 'from-pipeline');
  const sameImage = args.options.has('same-image');
  const slot = optionValue(args, 'slot') as SlotName | undefined;
  if ([image, from, fromSsm, fromPipeline, sameImage || undefined].filter((o) => o !== undefined).length !== 1) {
    throw new CliError(
      'release stage: give exactly one of --image <region>=<ami-id>,..., --from <other-env>, --from-ssm ' +
        '<parameter>, --from-pipeline <name> or --same-image.',
    );
  }
  const rules = releaseRules(stores[0], args, new Date());
  const images = new Map<string, { image: string; source: string }>();
  if (image !== undefined) {
    for (const [region, ami] of regionImages(image, regions)) {
      images.set(region, { image: ami, source: '--image' });
    }
  } else if (from !== undefined) {
    stores.forEach((store) =>
      images.set(store.region!, { image: imageFrom(store, env, from, rules.now), source: `env:${from}` }),
    );
  } else if (!sameImage) {
    // each region's AMI from its own SSM parameter: the pipeline's distribution to that region
    const aws = require('./release-from-aws') as typeof import('./release-from-aws');
    const source = aws.awsImageSource(fromSsm, fromPipeline);
    stores.forEach((store) => store.load(env)); // every file readable before any call to AWS
    return Promise.all(
      stores.map((store) =>
        aws.resolveAwsImage(source, store.region!, aws.sdkClients(store.region!, store.load(env).policy?.roleArn)),
      ),
    ).then((found) => {
      stores.forEach((store, i) => images.set(store.region!, { image: found[i], source: source.source }));
      return commitWaveStage(stores, env, { images, sameImage, slot, rules }, io);
    });
  }
  return commitWaveStage(stores, env, { images, sameImage, slot, rules }, io);
}

/** Stages each region's image (or the same image) in every region's file, in one locked write. */
function commitWaveStage(
  stores: readonly ReleaseStore[],
  env: string,
  options: {
    images: Map<string, { image: string; source: string }>;
    sameImage: boolean;
    slot?: SlotName;
    rules: ReturnType<typeof releaseRules>;
  },
  io: CliIo,
): number {
  const { images, sameImage, slot, rules } = options;
  const regions = stores.map((store) => store.region!);
  const already: string[] = [];
  const results = ReleaseStore.updateMany(entries(stores, env), (releases) =>
    releases.map((release, i) => {
      const region = regions[i];
      if (sameImage) {
        return rules.apply('stage', release, stageSameImage(release, { now: rules.now }));
      }
      const wanted = images.get(region)!;
      if (isStaged(release, wanted.image)) {
        already.push(region); // a stage interrupted after this region was written: keep it
        return release;
      }
      return rules.apply(
        'stage',
        release,
        stageRelease(release, { image: wanted.image, source: wanted.source, slot, now: rules.now }),
      );
    }),
  );
  for (const [i, { before, after }] of results.entries()) {
    const region = regions[i];
    const target = (['blue', 'green'] as const).find((name) => after.slots[name] !== before.slots[name]);
    io.out(
      already.includes(region)
        ? `${region}: ${releaseLabel(after)} has ${images.get(region)!.image} staged already; kept.\n`
        : `${region}: staged ${after.slots[target!].image} in slot ${target}; no traffic moves.\n`,
    );
  }
  io.out(overrideLine(results[0].after));
  io.out(`Next: deploy the stack of each region (${regions.join(', ')}), then promote the wave:\n`);
  io.out(
    `  cdktf-immutable release promote ${env} --fleet ${stores[0].fleet} --regions ${regions.join(',')} --steps ...\n`,
  );
  return EXIT_OK;
}

/** `--image eu-west-1=ami-1,us-east-1=ami-2`: an AMI id per region (they differ per region). */
function regionImages(text: string, regions: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(',')) {
    const [region, ami] = part.split('=').map((value) => value.trim());
    if (ami === undefined || !AMI_ID.test(ami) || !regions.includes(region)) {
      throw new CliError(
        `release stage: with --regions, --image names each region's AMI (AMI ids differ per region): ` +
          `--image ${regions.map((r) => `${r}=ami-...`).join(',')}; or take them from the pipeline's distribution ` +
          `with --from-pipeline <name> ("${part}" is not <region>=<ami-id> of a region of the wave).`,
      );
    }
    out.set(region, ami);
  }
  const missing = regions.filter((region) => !out.has(region));
  if (missing.length > 0) {
    throw new CliError(`release stage: --image names no AMI for ${missing.join(', ')}.`);
  }
  return out;
}

/** The idle slot runs `image` as the staged release (a stage of it was written before). */
function isStaged(release: ReleaseFile, image: string): boolean {
  const staged = stagedSlotOf(release);
  return staged !== null && release.slots[staged].image === image && release.canary === 0;
}

/** `promote <env> --regions a,b [--steps ...]`: a wave, or a plain or canary promote of every region. */
function promoteWave(stores: readonly ReleaseStore[], env: string, args: ParsedArgs, io: CliIo): number {
  const regions = stores.map((store) => store.region!);
  const rules = releaseRules(stores[0], args, new Date());
  const canaryText = optionValue(args, 'canary');
  const alarms = args.lists.get('alarm') ?? [];
  const rollout =
    ROLLOUT_OPTIONS.some((name) => args.options.has(name)) ||
    alarms.length > 0 ||
    stores.some((store) => store.load(env).policy?.requireRollout === true && canaryText === undefined);
  if (rollout && canaryText !== undefined) {
    throw new CliError('release promote: --canary cannot be combined with a rollout (--steps, --bake, --alarm).');
  }
  const steps = optionValue(args, 'steps');
  const bake = optionValue(args, 'bake');
  const options = {
    steps: steps === undefined ? undefined : parseSteps(steps),
    bakeSeconds: bake === undefined ? undefined : parseDuration(bake, '--bake'),
    alarms,
    fleet: optionValue(args, 'fleet-tag'),
    now: rules.now,
    forceRolledBack: args.options.has('force-rolled-back'),
  };
  const canary = canaryText === undefined ? undefined : Number(canaryText);
  if (canaryText !== undefined && (!/^\d+$/.test(canaryText) || canary! > 100)) {
    throw new CliError(`release promote: --canary "${canaryText}" must be a whole percentage from 0 to 100.`);
  }
  const results = ReleaseStore.updateMany(entries(stores, env), (releases) => {
    const members: WaveMember[] = releases.map((release, i) => ({ region: regions[i], release }));
    const changed = rollout
      ? startWave(members, options)
      : releases.map((release) =>
          promoteRelease(release, canary, { forceRolledBack: options.forceRolledBack, now: rules.now }),
        );
    return changed.map((after, i) => (after === releases[i] ? after : rules.apply('promote', releases[i], after)));
  });
  for (const [i, { before, after }] of results.entries()) {
    const kept = after === before ? ' (started before: kept)' : '';
    const weights = after.canary > 0 ? `${after.canary}% to the new slot` : `active ${after.active} (100%)`;
    io.out(`${regions[i]}: ${weights}${kept}.\n`);
  }
  const first = results[0].after;
  io.out(overrideLine(first));
  if (first.rollout?.status === 'running') {
    io.out(
      `Wave started over ${regions.join(', ')}: steps ${first.rollout.steps.join(', ')}, bake ` +
        `${first.rollout.bakeSeconds}s, alarms ${first.rollout.alarms.join(', ') || 'none'}. Deploy each region's ` +
        `stack, then "cdktf-immutable release advance ${env} --fleet ${stores[0].fleet} --regions ` +
        `${regions.join(',')}" ` +
        'moves every region in lock step; an alarm in any region aborts all.\n',
    );
  } else {
    io.out(nextSteps(first, "only the listener changes; deploy each region's stack"));
  }
  return EXIT_OK;
}

/** `advance <env> --regions a,b`: one move of the whole wave. Exit 1 when it was aborted. */
async function advanceWave(stores: readonly ReleaseStore[], env: string, io: CliIo): Promise<number> {
  const regions = stores.map((store) => store.region!);
  const now = new Date();
  const members: WaveMember[] = stores.map((store, i) => ({ region: regions[i], release: store.load(env) }));
  let outcome: WaveOutcome | undefined = reconcileWave(members, now);
  if (outcome === undefined) {
    const readings = await Promise.all(
      members.map((member) =>
        advanceRollout(member.release, awsReader(member.region, member.release.policy?.roleArn), () => now),
      ),
    );
    outcome = decideWave(members, readings, now);
  }
  const decided = outcome;
  const vetoes = stores[0].vetoes();
  members.forEach((member, i) => checkVetoes(member.release, decided.releases[i], vetoes, 'advance'));
  if (decided.releases.some((release, i) => release !== members[i].release)) {
    ReleaseStore.updateMany(entries(stores, env), (current) => {
      // another command may have changed a file while AWS was read: decide again
      if (current.some((release, i) => formatReleaseFile(release) !== formatReleaseFile(members[i].release))) {
        throw new ReleaseRefusedError(
          `${releaseLabel(members[0].release)}: a release file of the wave changed while advance read AWS; nothing ` +
            'was written. Run the same advance again.',
        );
      }
      return current.map((release, i) => (decided.releases[i] === members[i].release ? release : decided.releases[i]));
    });
  }
  io.out(`${decided.message}\n`);
  if (decided.kind === 'aborted') {
    io.err(
      `cdktf-immutable: release advance: wave aborted` +
        `${decided.alarm ? ` by alarm "${decided.alarm.name}" in ${decided.alarm.region}` : ''}; ` +
        `every region's release file sends all traffic back to its active slot. Deploy each region's stack now.\n`,
    );
    return EXIT_REFUSED;
  }
  return EXIT_OK;
}

/** `rollback <env> --regions a,b`: every region back, together (aborts the wave). */
function rollbackWave(stores: readonly ReleaseStore[], env: string, io: CliIo): number {
  const now = new Date();
  const results = ReleaseStore.updateMany(entries(stores, env), (releases) =>
    releases.map((release) => rollbackRelease(release, { now })),
  );
  for (const [i, { after }] of results.entries()) {
    io.out(`${stores[i].region}: rolled back; active ${after.active} (100%).\n`);
  }
  io.out("Next: deploy each region's stack (only the listener changes).\n");
  return EXIT_OK;
}
