// The live check of `deploy` and `release status --live`: does the load balancer serve
// what the release file says it served before its last change, or what the file asks
// for now? If neither, the file is not the one that was deployed (a stale checkout, an
// older commit restored), and deploying it would move traffic nobody meant to move.
// The AWS SDK is loaded only by awsLiveReader, when a check runs.
import { spawnSync } from 'child_process';
import { basename, dirname } from 'path';
import {
  applyWatchdogRecord,
  ReleaseFile,
  releaseLabel,
  releaseWeights,
  SlotName,
  WatchdogRecord,
} from 'cdktf-immutable/release';
import { sdkClientConfig } from './aws-sdk-config';

/** What the load balancer serves to a fleet's two slots, or why nothing can be compared. */
export type LiveReading =
  | { readonly kind: 'served'; readonly weights: Readonly<Record<SlotName, number>>; readonly forwarder?: string }
  | { readonly kind: 'no-target-groups' }
  | { readonly kind: 'no-listener' };

/** Reads what the load balancer serves. Tests pass a fake; the command line reads AWS. */
export interface LiveReader {
  /** The weights that the listener (or listener rule) forwarding to the fleet's slot target groups serves. */
  readWeights(fleet: string): Promise<LiveReading>;
  /** The fleets whose target groups carry the fleet and slot tags in the region, lowercased and sorted. */
  fleets(): Promise<string[]>;
  /**
   * The fleet's watchdog record, or undefined when it has none.
   * @default - not read
   */
  readWatchdogRecord?(fleet: string): Promise<WatchdogRecord | undefined>;
}

/**
 * The refusal of a deploy that would undo the watchdog: the file still sends the canary
 * its share, but the fleet's watchdog restored the stable weights on an alarm of the
 * canary slot after that canary started. Applying the file would put the failing canary
 * back in service; recording the abort first (`release status` or `release advance`)
 * makes the file say what the load balancer serves. Undefined when nothing is in the way.
 */
export function watchdogRefusal(
  release: ReleaseFile,
  file: string,
  record: WatchdogRecord | undefined,
): string | undefined {
  const verdict = applyWatchdogRecord(release, record, new Date());
  if (!verdict.applies) {
    return undefined;
  }
  return (
    `${verdict.message} But ${file} still sends the canary ${release.canary}%: deploying it would put the canary ` +
    `back in service. Record the abort first: "cdktf-immutable release status ${release.environment}" (or ` +
    `"release advance ${release.environment}"), commit the file, then deploy.`
  );
}

/** The outcome of comparing a release file with the load balancer. */
export type LiveVerdict =
  { readonly ok: true; readonly message: string } | { readonly ok: false; readonly message: string };

/** `blue 100% / green 0%` */
export function describeWeights(weights: Readonly<Record<SlotName, number>>): string {
  return `blue ${weights.blue}% / green ${weights.green}%`;
}

const same = (a: Readonly<Record<SlotName, number>>, b: Readonly<Record<SlotName, number>>) =>
  a.blue === b.blue && a.green === b.green;

/**
 * Compares the live weights of `fleet` with the release file at `file`: they must be the
 * file's `served` (the last change is not deployed yet) or the file's own weights (it
 * is). A fleet with no target groups yet (first deploy) or with no listener forwarding to
 * them passes with a note; a mismatch names the commit that last changed the file and the
 * fix. `commit` describes that commit (see {@link lastCommitOf}).
 */
export function judgeLive(
  release: ReleaseFile,
  file: string,
  fleet: string,
  reading: LiveReading,
  commit: () => string,
): LiveVerdict {
  if (reading.kind === 'no-target-groups') {
    return {
      ok: true,
      message:
        `live check skipped: fleet ${fleet} has no target groups in AWS yet (first deploy), so the load balancer ` +
        `serves nothing to compare with.`,
    };
  }
  if (reading.kind === 'no-listener') {
    return {
      ok: true,
      message: `live check skipped: no listener or listener rule forwards to fleet ${fleet}'s target groups.`,
    };
  }
  const wanted = releaseWeights(release);
  const live = describeWeights(reading.weights);
  if (same(reading.weights, wanted)) {
    return { ok: true, message: `live check: fleet ${fleet} serves ${live}, as ${file} asks (deployed).` };
  }
  if (release.served && same(reading.weights, release.served)) {
    return {
      ok: true,
      message:
        `live check: fleet ${fleet} serves ${live}, what ${file} served before its last change ` +
        `(${describeWeights(wanted)} once deployed).`,
    };
  }
  const recorded = release.served
    ? `, and records that ${describeWeights(release.served)} was served before its last change`
    : ' (and records nothing about what was served before)';
  return {
    ok: false,
    message:
      `live check: fleet ${fleet} serves ${live}${reading.forwarder ? ` (${reading.forwarder})` : ''}, but ${file} ` +
      `asks for ${describeWeights(wanted)}${recorded}. The file is not the one that was deployed: it was last ` +
      `changed by ${commit()}. Bring the checkout up to date ("git pull"), or restore the file that was deployed ` +
      `("git log -p -- ${file}"), and run the release command again; to deploy it anyway, pass ` +
      `--no-live-check "<reason>".`,
  };
}

/**
 * The commit that last changed `file` (`git log -1 -- <file>`): `abc1234 "subject"
 * (author, 2026-01-02)`, with a note when the file has uncommitted changes or is not
 * committed; a plain sentence outside git.
 */
export function lastCommitOf(file: string): string {
  const git = (args: string[]) =>
    spawnSync('git', args, { cwd: dirname(file), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const log = git(['log', '-1', '--format=%h "%s" (%an, %ad)', '--date=short', '--', basename(file)]);
  if (log.error || log.status !== 0) {
    return 'a change git cannot tell (not in a git repository)';
  }
  const status = git(['status', '--porcelain', '--', basename(file)]);
  const dirty = status.status === 0 && status.stdout.trim() !== '' ? ', with uncommitted changes on top' : '';
  const commit = log.stdout.trim();
  return commit ? `commit ${commit}${dirty}` : `no commit (the file is not committed${dirty ? ' yet' : ''})`;
}

/**
 * A {@link LiveReader} over the ELBv2 API with the command line's client settings; the
 * region from `region`, else AWS_REGION / AWS_DEFAULT_REGION, else the SDK's profile.
 * AWS_ENDPOINT_URL is honoured. Read failures name what to check.
 */
export function awsLiveReader(region: string | undefined, roleArn?: string): LiveReader {
  const aws = require('./rollout-aws') as typeof import('./rollout-aws');
  const { ElasticLoadBalancingV2Client } =
    require('@aws-sdk/client-elastic-load-balancing-v2') as typeof import('@aws-sdk/client-elastic-load-balancing-v2');
  const { SSMClient } = require('@aws-sdk/client-ssm') as typeof import('@aws-sdk/client-ssm');
  const config = sdkClientConfig(
    region ?? (process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || undefined),
    roleArn,
  );
  const client = new ElasticLoadBalancingV2Client(config);
  const ssm = new SSMClient(config);
  return {
    readWatchdogRecord: (fleet) =>
      aws.call('SSM GetParameter (the watchdog record)', () => aws.readWatchdogRecord(ssm, fleet)),
    readWeights: (fleet) =>
      aws.call('Elastic Load Balancing', async (): Promise<LiveReading> => {
        const slots = await aws.slotTargetGroups(client, fleet);
        if (!slots.blue || !slots.green) {
          return { kind: 'no-target-groups' };
        }
        const served = await aws.servedWeights(client, slots.blue, slots.green);
        return served ? { kind: 'served', ...served } : { kind: 'no-listener' };
      }),
    fleets: () =>
      aws.call('Elastic Load Balancing', async () => [...(await aws.taggedSlotGroups(client)).keys()].sort()),
  };
}

/**
 * The tagged fleets that may be a release file's: named `<env>` or ending in `-<env>`
 * (the scaffold's `web-<env>`); of a fleet of the per-fleet layout, only those starting
 * with `<fleet>-` (`api-prod` for fleet api).
 */
function taggedCandidates(tagged: readonly string[], release: ReleaseFile): string[] {
  const env = release.environment;
  return tagged.filter(
    (f) =>
      (f === env ||
        f.endsWith(`-${env}`) ||
        (release.region !== undefined && f.endsWith(`-${env}-${release.region}`))) &&
      (release.fleet === undefined || f.startsWith(`${release.fleet}-`)),
  );
}

/** The live check of one release file, for `release status --live`. */
export interface LiveStatus {
  readonly fleet?: string;
  readonly reading?: LiveReading;
  readonly verdict: LiveVerdict;
  /** Set when the check could not run (the fleet is ambiguous, AWS cannot be read): exit 2. */
  readonly error?: boolean;
}

/**
 * The live check of each release for `release status --live`. The fleet of an
 * environment is `fleet` (--fleet), else the file's rollout or policy fleet, else the one
 * tagged fleet of the region named `<env>` or ending in `-<env>` (the scaffold's
 * `web-<env>`). An environment with no such fleet is reported as not deployed.
 */
export async function liveStatuses(
  releases: readonly ReleaseFile[],
  pathOf: (release: ReleaseFile) => string,
  fleet: string | undefined,
  readerOf: (release: ReleaseFile) => LiveReader,
): Promise<Map<string, LiveStatus>> {
  const out = new Map<string, LiveStatus>();
  const tagged = new Map<LiveReader, string[]>();
  for (const release of releases) {
    const env = release.environment;
    const key = releaseLabel(release);
    const reader = readerOf(release);
    try {
      let name = fleet ?? release.rollout?.fleet ?? release.policy?.fleet;
      if (name === undefined) {
        if (!tagged.has(reader)) {
          tagged.set(reader, await reader.fleets());
        }
        const candidates = taggedCandidates(tagged.get(reader)!, release);
        if (candidates.length > 1) {
          out.set(key, {
            error: true,
            verdict: {
              ok: false,
              message:
                `live check: several fleets match environment ${env} (${candidates.join(', ')}); name one with ` +
                `--fleet-tag <name>.`,
            },
          });
          continue;
        }
        if (candidates.length === 0) {
          out.set(key, {
            verdict: {
              ok: true,
              message:
                `live check skipped: no fleet named ${env} or *-${env} has tagged target groups in this region ` +
                `(not deployed yet, or another region: --region; another name: --fleet-tag).`,
            },
          });
          continue;
        }
        name = candidates[0];
      }
      const reading = await reader.readWeights(name);
      out.set(key, {
        fleet: name,
        reading,
        verdict: judgeLive(release, pathOf(release), name, reading, () => lastCommitOf(pathOf(release))),
      });
    } catch (error) {
      out.set(key, { error: true, verdict: { ok: false, message: `live check: ${(error as Error).message}` } });
    }
  }
  return out;
}
