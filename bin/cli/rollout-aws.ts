// The AWS side of `release advance`, `run` and `status` (command line only: the release
// room loads no packages): CloudWatch alarms, the fleet's load balancer and auto scaling groups,
// read with the AWS SDK for JavaScript v3. The SDK is required inside the functions,
// never at the top of this module, so that loading the release API stays cheap.
import type { DescribeAutoScalingGroupsCommandOutput } from '@aws-sdk/client-auto-scaling';
import type { DescribeAlarmsCommandOutput } from '@aws-sdk/client-cloudwatch';
import type {
  Action,
  DescribeListenersCommandOutput,
  DescribeRulesCommandOutput,
  DescribeTagsCommandOutput,
  DescribeTargetGroupsCommandOutput,
  DescribeTargetHealthCommandOutput,
  Listener,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { sdkClientConfig } from './aws-sdk-config';
import { FLEET_TAG, SLOT_TAG } from 'cdktf-immutable/names';
import type {
  AlarmReading,
  RolloutReader,
  SlotName,
  TargetHealthReading,
  TrafficReading,
} from 'cdktf-immutable/release';

/**
 * What the reader needs of an AWS SDK v3 client: `send(command)`. The reader types each
 * answer as its command's output (type-only imports: the SDK loads only when it runs).
 */
export interface AwsSdkClient {
  send(command: unknown): Promise<unknown>;
}

/** The SDK clients the rollout reader calls. */
export interface RolloutAwsClients {
  /** A `CloudWatchClient` (`@aws-sdk/client-cloudwatch`). */
  readonly cloudWatch: AwsSdkClient;
  /** An `ElasticLoadBalancingV2Client` (`@aws-sdk/client-elastic-load-balancing-v2`). */
  readonly elbv2: AwsSdkClient;
  /** An `AutoScalingClient` (`@aws-sdk/client-auto-scaling`). */
  readonly autoScaling: AwsSdkClient;
}

/** Options of {@link createRolloutAwsClients}. */
export interface RolloutAwsClientOptions {
  /**
   * The region.
   * @default - AWS_REGION, AWS_DEFAULT_REGION, else the SDK's profile configuration
   */
  readonly region?: string;
  /**
   * A role to assume for these calls (the environment's `policy.roleArn`).
   * @default - the default credential chain
   */
  readonly roleArn?: string;
}

/** Why AWS could not be read: the kind decides whether a check that is not required may be skipped. */
export type AwsFailureKind = 'credentials' | 'unreachable' | 'region' | 'other';

/** AWS could not be read: no credentials, no region, an unreachable endpoint, a refused call. */
export class RolloutAwsError extends Error {
  constructor(
    message: string,
    /** Why: no credentials, an unreachable endpoint, no region, or anything else. */
    public readonly kind: AwsFailureKind = 'other',
  ) {
    super(message);
    this.name = 'RolloutAwsError';
  }
}

/**
 * The SDK clients with the default credential chain; the SDK honours AWS_ENDPOINT_URL
 * (and AWS_ENDPOINT_URL_CLOUDWATCH, ..._ELASTIC_LOAD_BALANCING_V2, ..._AUTO_SCALING), with
 * the command line's client settings ({@link sdkClientConfig}).
 */
export function createRolloutAwsClients(options: RolloutAwsClientOptions = {}): RolloutAwsClients {
  const { CloudWatchClient } = require('@aws-sdk/client-cloudwatch') as typeof import('@aws-sdk/client-cloudwatch');
  const { ElasticLoadBalancingV2Client } =
    require('@aws-sdk/client-elastic-load-balancing-v2') as typeof import('@aws-sdk/client-elastic-load-balancing-v2');
  const { AutoScalingClient } =
    require('@aws-sdk/client-auto-scaling') as typeof import('@aws-sdk/client-auto-scaling');
  const region = options.region ?? (process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || undefined);
  const config = sdkClientConfig(region, options.roleArn);
  return {
    cloudWatch: new CloudWatchClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    autoScaling: new AutoScalingClient(config),
  };
}

/**
 * A {@link RolloutReader} over SDK clients:
 * - alarms: `DescribeAlarms` (metric and composite alarms, by name);
 * - traffic: the fleet's target groups are the ones tagged `cdktf-immutable:fleet` =
 *   the fleet name and `cdktf-immutable:slot` = blue / green (`DescribeTargetGroups`,
 *   `DescribeTags`); the listener whose default action, or the listener rule whose
 *   action, forwards to both (`DescribeListeners`, `DescribeRules`) gives the weights
 *   served; `DescribeTargetHealth` gives each slot's healthy, unhealthy and registered
 *   targets; `DescribeAutoScalingGroups` (filtered by the same two tags) gives the
 *   desired capacity of each slot's group(s), summed.
 *
 * Every SDK error becomes a {@link RolloutAwsError} that says what to check.
 */
export function awsRolloutReader(clients: RolloutAwsClients): RolloutReader {
  return {
    readAlarms: (names) => call('CloudWatch DescribeAlarms', () => readAlarms(clients.cloudWatch, names)),
    readTraffic: async (fleet) => {
      const traffic = await call('Elastic Load Balancing', () => readTraffic(clients.elbv2, fleet));
      const desired = await call('Auto Scaling DescribeAutoScalingGroups', () =>
        readDesired(clients.autoScaling, fleet),
      );
      const withDesired = (slot: SlotName): TargetHealthReading => ({
        ...traffic.health[slot],
        ...(desired[slot] !== undefined ? { desired: desired[slot] } : {}),
      });
      return { ...traffic, health: { blue: withDesired('blue'), green: withDesired('green') } };
    },
  };
}

/** The summed DesiredCapacity of the fleet's groups per slot (a slot without a group is left out). */
async function readDesired(client: AwsSdkClient, fleet: string): Promise<Partial<Record<SlotName, number>>> {
  const { DescribeAutoScalingGroupsCommand } =
    require('@aws-sdk/client-auto-scaling') as typeof import('@aws-sdk/client-auto-scaling');
  const out: Partial<Record<SlotName, number>> = {};
  let token: string | undefined;
  do {
    const page = (await client.send(
      new DescribeAutoScalingGroupsCommand({
        Filters: [{ Name: `tag:${FLEET_TAG}`, Values: [fleet] }],
        NextToken: token,
      }),
    )) as DescribeAutoScalingGroupsCommandOutput;
    for (const group of page.AutoScalingGroups ?? []) {
      const tags = new Map<string, string>(
        (group.Tags ?? []).map((tag: { Key?: string; Value?: string }) => [tag.Key ?? '', tag.Value ?? '']),
      );
      const slot = tags.get(SLOT_TAG);
      if (tags.get(FLEET_TAG)?.toLowerCase() === fleet && (slot === 'blue' || slot === 'green')) {
        out[slot] = (out[slot] ?? 0) + (group.DesiredCapacity ?? 0);
      }
    }
    token = page.NextToken;
  } while (token);
  return out;
}

async function readAlarms(client: AwsSdkClient, names: readonly string[]): Promise<AlarmReading[]> {
  const { DescribeAlarmsCommand } =
    require('@aws-sdk/client-cloudwatch') as typeof import('@aws-sdk/client-cloudwatch');
  const out: AlarmReading[] = [];
  let token: string | undefined;
  do {
    const page = (await client.send(
      new DescribeAlarmsCommand({
        AlarmNames: [...names],
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        NextToken: token,
      }),
    )) as DescribeAlarmsCommandOutput;
    for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
      out.push({
        name: alarm.AlarmName ?? '',
        state: alarm.StateValue ?? 'INSUFFICIENT_DATA',
        reason: alarm.StateReason ?? '',
      });
    }
    token = page.NextToken;
  } while (token);
  return out;
}

async function readTraffic(client: AwsSdkClient, fleet: string): Promise<TrafficReading> {
  const elb =
    require('@aws-sdk/client-elastic-load-balancing-v2') as typeof import('@aws-sdk/client-elastic-load-balancing-v2');
  const slots = await slotTargetGroups(client, fleet);
  const blue = slots.blue;
  const green = slots.green;
  if (!blue || !green) {
    const found = Object.keys(slots);
    throw new RolloutAwsError(
      `no target groups tagged ${FLEET_TAG}=${fleet} and ${SLOT_TAG}=blue/green in this region (found: ` +
        `${found.length ? found.join(', ') : 'none'}); check the fleet name ("rollout.fleet") and the region, and ` +
        `deploy the fleet with this version of cdktf-immutable (it tags its target groups).`,
    );
  }
  const health = {} as Record<SlotName, TargetHealthReading>;
  for (const [slot, group] of [
    ['blue', blue],
    ['green', green],
  ] as const) {
    const answer = (await client.send(
      new elb.DescribeTargetHealthCommand({ TargetGroupArn: group.arn }),
    )) as DescribeTargetHealthCommandOutput;
    const states: string[] = (answer.TargetHealthDescriptions ?? []).map((d) => d.TargetHealth?.State ?? 'unavailable');
    health[slot] = {
      healthy: states.filter((s) => s === 'healthy').length,
      registered: states.filter((s) => s !== 'draining').length,
      unhealthy: states.filter((s) => s === 'unhealthy').length,
    };
  }
  const served = await servedWeights(client, blue, green);
  return served ? { ...served, health } : { health };
}

/** A slot's target group: its ARN and the load balancers it is attached to. */
export interface SlotTargetGroup {
  readonly arn: string;
  readonly loadBalancers: readonly string[];
}

/**
 * The target groups tagged `cdktf-immutable:fleet` = `fleet` and `cdktf-immutable:slot`
 * = blue / green (`DescribeTargetGroups`, then `DescribeTags` in batches of 20, the API's
 * limit); a slot without one is left out.
 */
export async function slotTargetGroups(
  client: AwsSdkClient,
  fleet: string,
): Promise<Partial<Record<SlotName, SlotTargetGroup>>> {
  return (await taggedSlotGroups(client)).get(fleet) ?? {};
}

/** Every blue/green target group of the region by fleet tag (lowercased) and slot. */
export async function taggedSlotGroups(
  client: AwsSdkClient,
): Promise<Map<string, Partial<Record<SlotName, SlotTargetGroup>>>> {
  const elb =
    require('@aws-sdk/client-elastic-load-balancing-v2') as typeof import('@aws-sdk/client-elastic-load-balancing-v2');
  const groups: Array<{ TargetGroupArn: string; LoadBalancerArns?: string[] }> = [];
  let marker: string | undefined;
  do {
    const page = (await client.send(
      new elb.DescribeTargetGroupsCommand({ Marker: marker, PageSize: 400 }),
    )) as DescribeTargetGroupsCommandOutput;
    for (const group of page.TargetGroups ?? []) {
      if (group.TargetGroupArn) {
        groups.push({ TargetGroupArn: group.TargetGroupArn, LoadBalancerArns: group.LoadBalancerArns });
      }
    }
    marker = page.NextMarker;
  } while (marker);
  const fleets = new Map<string, Partial<Record<SlotName, SlotTargetGroup>>>();
  for (let i = 0; i < groups.length; i += 20) {
    const batch = groups.slice(i, i + 20);
    const tagged = (await client.send(
      new elb.DescribeTagsCommand({ ResourceArns: batch.map((group) => group.TargetGroupArn) }),
    )) as DescribeTagsCommandOutput;
    for (const description of tagged.TagDescriptions ?? []) {
      const tags = new Map<string, string>((description.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
      const slot = tags.get(SLOT_TAG);
      const fleet = tags.get(FLEET_TAG)?.toLowerCase();
      if (fleet && (slot === 'blue' || slot === 'green') && description.ResourceArn) {
        const group = batch.find((g) => g.TargetGroupArn === description.ResourceArn);
        const slots = fleets.get(fleet) ?? {};
        slots[slot] = { arn: description.ResourceArn, loadBalancers: group?.LoadBalancerArns ?? [] };
        fleets.set(fleet, slots);
      }
    }
  }
  return fleets;
}

/**
 * The weights served to two slot target groups: those of the first listener whose
 * default action forwards to them (or to one of them alone), else of the first listener
 * rule that does (`DescribeListeners`, `DescribeRules` on the groups' load balancers);
 * undefined when nothing forwards to them.
 */
export async function servedWeights(
  client: AwsSdkClient,
  blue: SlotTargetGroup,
  green: SlotTargetGroup,
): Promise<{ forwarder?: string; weights: Record<SlotName, number> } | undefined> {
  const elb =
    require('@aws-sdk/client-elastic-load-balancing-v2') as typeof import('@aws-sdk/client-elastic-load-balancing-v2');
  const loadBalancers = [...new Set([...blue.loadBalancers, ...green.loadBalancers])];
  for (const loadBalancerArn of loadBalancers) {
    const listeners: Listener[] = [];
    let listenerMarker: string | undefined;
    do {
      const page = (await client.send(
        new elb.DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn, Marker: listenerMarker }),
      )) as DescribeListenersCommandOutput;
      listeners.push(...(page.Listeners ?? []));
      listenerMarker = page.NextMarker;
    } while (listenerMarker);
    for (const listener of listeners) {
      const weights = forwardWeights(listener.DefaultActions, blue.arn, green.arn);
      if (weights) {
        return { forwarder: listener.ListenerArn, weights };
      }
    }
    for (const listener of listeners) {
      let ruleMarker: string | undefined;
      do {
        const page = (await client.send(
          new elb.DescribeRulesCommand({ ListenerArn: listener.ListenerArn, Marker: ruleMarker }),
        )) as DescribeRulesCommandOutput;
        for (const rule of page.Rules ?? []) {
          const weights = forwardWeights(rule.Actions, blue.arn, green.arn);
          if (weights) {
            return { forwarder: rule.RuleArn, weights };
          }
        }
        ruleMarker = page.NextMarker;
      } while (ruleMarker);
    }
  }
  return undefined;
}

/**
 * The percent of requests a forward action sends to each slot, when it forwards to
 * both slots' target groups (or to one of them alone); undefined otherwise.
 */
function forwardWeights(
  actions: readonly Action[] | undefined,
  blueArn: string,
  greenArn: string,
): Record<SlotName, number> | undefined {
  for (const action of actions ?? []) {
    if (action.Type !== 'forward') {
      continue;
    }
    const targets: Array<{ TargetGroupArn?: string; Weight?: number }> = action.ForwardConfig?.TargetGroups?.length
      ? action.ForwardConfig.TargetGroups
      : action.TargetGroupArn
        ? [{ TargetGroupArn: action.TargetGroupArn, Weight: 1 }]
        : [];
    const weightOf = (arn: string) =>
      targets.filter((t) => t.TargetGroupArn === arn).reduce((sum, t) => sum + (t.Weight ?? 1), 0);
    const blue = weightOf(blueArn);
    const green = weightOf(greenArn);
    const ours = targets.filter((t) => t.TargetGroupArn === blueArn || t.TargetGroupArn === greenArn).length;
    if (ours === 0 || ours !== targets.length) {
      continue;
    }
    const total = blue + green;
    if (total === 0) {
      return { blue: 0, green: 0 };
    }
    const bluePercent = Math.round((blue / total) * 100);
    return { blue: bluePercent, green: 100 - bluePercent };
  }
  return undefined;
}

/** Runs one AWS read; every failure becomes a {@link RolloutAwsError} naming what to check. */
export async function call<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof RolloutAwsError) {
      throw error;
    }
    throw new RolloutAwsError(`${what}: ${explain(error)}`, failureKind(error));
  }
}

/** The kind of an SDK failure, by the same tests as {@link explain}. */
function failureKind(error: unknown): AwsFailureKind {
  const e = error as { name?: string; message?: string; code?: string; cause?: { code?: string } };
  const message = e.message ?? String(error);
  if (e.name === 'CredentialsProviderError' || /credential/i.test(message)) {
    return 'credentials';
  }
  if (/region is missing/i.test(message)) {
    return 'region';
  }
  const code = e.code ?? e.cause?.code;
  if (
    (code && /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH/.test(code)) ||
    /ECONNREFUSED|ENOTFOUND|timed? ?out|socket hang up|EHOSTUNREACH/i.test(message)
  ) {
    return 'unreachable';
  }
  return 'other';
}

function explain(error: unknown): string {
  const e = error as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const message = e.message ?? String(error);
  const endpoint = process.env.AWS_ENDPOINT_URL ? ` (AWS_ENDPOINT_URL is ${process.env.AWS_ENDPOINT_URL})` : '';
  if (e.name === 'CredentialsProviderError' || /credential/i.test(message)) {
    return (
      `no AWS credentials (${message}); set AWS_PROFILE, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or run where a ` +
      `role is available.`
    );
  }
  if (/region is missing/i.test(message)) {
    return 'no AWS region; pass --region <region> or set AWS_REGION.';
  }
  const code = e.code ?? (error as { cause?: { code?: string } }).cause?.code;
  if (
    (code && /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH/.test(code)) ||
    /ECONNREFUSED|ENOTFOUND|timed? ?out|socket hang up|EHOSTUNREACH/i.test(message)
  ) {
    return `cannot reach the AWS endpoint${endpoint}: ${message}; check the network, AWS_ENDPOINT_URL and the region.`;
  }
  const status = e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : '';
  return `${e.name ?? 'Error'}${status}: ${message}; check the credentials' permissions${endpoint} and the region.`;
}
