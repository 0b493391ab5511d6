// The AWS side of `release advance`, `run` and `status` (command line only: the release
// room loads no packages): CloudWatch alarms and metrics, the fleet's load balancer, auto
// scaling groups, test route and watchdog record, read with the AWS SDK for JavaScript v3.
// The SDK is required inside the functions, never at the top of this module, so that
// loading the release API stays cheap.
import type { DescribeAutoScalingGroupsCommandOutput } from '@aws-sdk/client-auto-scaling';
import type { DescribeAlarmsCommandOutput, GetMetricDataCommandOutput } from '@aws-sdk/client-cloudwatch';
import type {
  Action,
  DescribeListenersCommandOutput,
  DescribeLoadBalancersCommandOutput,
  DescribeRulesCommandOutput,
  DescribeTagsCommandOutput,
  DescribeTargetGroupsCommandOutput,
  DescribeTargetHealthCommandOutput,
  Listener,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { sdkClientConfig } from './aws-sdk-config';
import { FLEET_TAG, SLOT_TAG } from 'cdktf-immutable/names';
import type { GetParameterCommandOutput } from '@aws-sdk/client-ssm';
import {
  parseWatchdogRecord,
  watchdogRecordParameter,
  type AlarmReading,
  type MetricDataQuery,
  type MetricSeries,
  type RolloutReader,
  type SlotName,
  type TargetHealthReading,
  type TrafficReading,
  type WatchdogRecord,
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
  /**
   * An `SSMClient` (`@aws-sdk/client-ssm`), for the watchdog record.
   * @default - the watchdog record is not read
   */
  readonly ssm?: AwsSdkClient;
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
  const { SSMClient } = require('@aws-sdk/client-ssm') as typeof import('@aws-sdk/client-ssm');
  const region = options.region ?? (process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || undefined);
  const config = sdkClientConfig(region, options.roleArn);
  return {
    cloudWatch: new CloudWatchClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    autoScaling: new AutoScalingClient(config),
    ssm: new SSMClient(config),
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
    ...(clients.ssm
      ? {
          readWatchdogRecord: (fleet: string) =>
            call('SSM GetParameter (the watchdog record)', () => readWatchdogRecord(clients.ssm!, fleet)),
        }
      : {}),
    readMetrics: (queries, start, end) =>
      call('CloudWatch GetMetricData', () => readMetrics(clients.cloudWatch, queries, start, end)),
  };
}

/**
 * The fleet's watchdog record (`/cdktf-immutable/watchdog/<fleet>`), or undefined when
 * the fleet has no watchdog (no such parameter). A value that is not a record is an
 * error naming the parameter: the command then writes nothing.
 */
export async function readWatchdogRecord(client: AwsSdkClient, fleet: string): Promise<WatchdogRecord | undefined> {
  const { GetParameterCommand } = require('@aws-sdk/client-ssm') as typeof import('@aws-sdk/client-ssm');
  const name = watchdogRecordParameter(fleet);
  let out: GetParameterCommandOutput;
  try {
    out = (await client.send(new GetParameterCommand({ Name: name }))) as GetParameterCommandOutput;
  } catch (error) {
    if ((error as { name?: string }).name === 'ParameterNotFound') {
      return undefined;
    }
    throw error;
  }
  const parsed = parseWatchdogRecord(out.Parameter?.Value ?? '');
  if (!parsed.record) {
    throw new RolloutAwsError(
      `the watchdog record ${name} cannot be used: ${parsed.problem}; nothing was written. The fleet's watchdog ` +
        `writes it: check who else writes the parameter, and set it to {"version":1,"status":"none"} once the ` +
        'release file records what the load balancer serves.',
    );
  }
  return parsed.record;
}

/**
 * The series of GetMetricData over `[start, end)`, all pages, by query Id. Queries are
 * sent at most 500 at a time (the API's limit), each check's (or slot's) queries in the
 * same request, since an expression uses the Ids of its own check only.
 */
async function readMetrics(
  client: AwsSdkClient,
  queries: readonly MetricDataQuery[],
  start: Date,
  end: Date,
): Promise<MetricSeries[]> {
  const { GetMetricDataCommand } = require('@aws-sdk/client-cloudwatch') as typeof import('@aws-sdk/client-cloudwatch');
  const series = new Map<string, { timestamps: Date[]; values: number[] }>();
  for (const batch of batchesOf(queries)) {
    let token: string | undefined;
    do {
      const page = (await client.send(
        new GetMetricDataCommand({
          MetricDataQueries: batch.map((q) => ({ ...q })) as never,
          StartTime: start,
          EndTime: end,
          ScanBy: 'TimestampAscending',
          NextToken: token,
        }),
      )) as GetMetricDataCommandOutput;
      for (const result of page.MetricDataResults ?? []) {
        const id = result.Id ?? '';
        const entry = series.get(id) ?? { timestamps: [], values: [] };
        entry.timestamps.push(...(result.Timestamps ?? []));
        entry.values.push(...(result.Values ?? []));
        series.set(id, entry);
      }
      token = page.NextToken;
    } while (token);
  }
  return [...series.entries()].map(([id, s]) => ({ id, ...s }));
}

/** The queries in batches of at most 500, a check's queries (one Id prefix) never split. */
function batchesOf(queries: readonly MetricDataQuery[]): MetricDataQuery[][] {
  const groups = new Map<string, MetricDataQuery[]>();
  for (const query of queries) {
    const group = /^[a-z]\d+[a-z]?_/.exec(query.Id)?.[0] ?? query.Id;
    groups.set(group, [...(groups.get(group) ?? []), query]);
  }
  const batches: MetricDataQuery[][] = [];
  let current: MetricDataQuery[] = [];
  for (const group of groups.values()) {
    if (current.length + group.length > 500) {
      batches.push(current);
      current = [];
    }
    current.push(...group);
  }
  return current.length > 0 ? [...batches, current] : batches;
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
  const where = {
    targetGroups: { blue: blue.arn, green: green.arn },
    ...((blue.loadBalancers[0] ?? green.loadBalancers[0])
      ? { loadBalancer: blue.loadBalancers[0] ?? green.loadBalancers[0] }
      : {}),
  };
  return served ? { ...served, health, ...where } : { health, ...where };
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
 * default action forwards to both, else of the first listener rule that does, else of
 * the first listener or rule that forwards to one of them alone (`DescribeListeners`,
 * `DescribeRules` on the groups' load balancers); undefined when nothing forwards to
 * them. A fleet's own listener always names both slots; a forward to one alone is its
 * test route (or a fleet of an older version), so it counts only when nothing names both.
 */
export async function servedWeights(
  client: AwsSdkClient,
  blue: SlotTargetGroup,
  green: SlotTargetGroup,
): Promise<{ forwarder?: string; weights: Record<SlotName, number> } | undefined> {
  const elb =
    require('@aws-sdk/client-elastic-load-balancing-v2') as typeof import('@aws-sdk/client-elastic-load-balancing-v2');
  const loadBalancers = [...new Set([...blue.loadBalancers, ...green.loadBalancers])];
  let single: { forwarder?: string; weights: Record<SlotName, number> } | undefined;
  const consider = (forwarder: string | undefined, actions: readonly Action[] | undefined) => {
    const found = forwardWeights(actions, blue.arn, green.arn);
    if (!found) {
      return undefined;
    }
    if (found.both) {
      return { forwarder, weights: found.weights };
    }
    single ??= { forwarder, weights: found.weights };
    return undefined;
  };
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
      const found = consider(listener.ListenerArn, listener.DefaultActions);
      if (found) {
        return found;
      }
    }
    for (const listener of listeners) {
      let ruleMarker: string | undefined;
      do {
        const page = (await client.send(
          new elb.DescribeRulesCommand({ ListenerArn: listener.ListenerArn, Marker: ruleMarker }),
        )) as DescribeRulesCommandOutput;
        for (const rule of page.Rules ?? []) {
          const found = consider(rule.RuleArn, rule.Actions);
          if (found) {
            return found;
          }
        }
        ruleMarker = page.NextMarker;
      } while (ruleMarker);
    }
  }
  return single;
}

/**
 * The percent of requests a forward action sends to each slot, when it forwards to
 * both slots' target groups (or to one of them alone); undefined otherwise.
 */
function forwardWeights(
  actions: readonly Action[] | undefined,
  blueArn: string,
  greenArn: string,
): { weights: Record<SlotName, number>; both: boolean } | undefined {
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
    const both =
      targets.some((t) => t.TargetGroupArn === blueArn) && targets.some((t) => t.TargetGroupArn === greenArn);
    const total = blue + green;
    if (total === 0) {
      return { weights: { blue: 0, green: 0 }, both };
    }
    const bluePercent = Math.round((blue / total) * 100);
    return { weights: { blue: bluePercent, green: 100 - bluePercent }, both };
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

/** The test route of a slot: the URL that reaches only that slot, and the header it needs. */
export interface TestRoute {
  /** `http(s)://<load balancer DNS name>:<port>`. */
  readonly url: string;
  /**
   * `Name: value` of the header the route matches (a header rule); none for a port of its own.
   * @default - no header
   */
  readonly header?: string;
  /** The listener or listener rule. */
  readonly forwarder: string;
}

/**
 * The fleet's test route to `slot` (the staged slot): a listener of the slot's load
 * balancer whose default action forwards to that slot's target group alone (a port of
 * its own), else a listener rule with an `http-header` condition that does (a header
 * rule); undefined when there is none.
 */
export async function readTestRoute(
  client: AwsSdkClient,
  fleet: string,
  slot: SlotName,
): Promise<TestRoute | undefined> {
  const elb =
    require('@aws-sdk/client-elastic-load-balancing-v2') as typeof import('@aws-sdk/client-elastic-load-balancing-v2');
  const target = (await slotTargetGroups(client, fleet))[slot];
  if (!target) {
    return undefined;
  }
  const only = (actions: readonly Action[] | undefined) =>
    (actions ?? []).some((action) => {
      if (action.Type !== 'forward') {
        return false;
      }
      const groups = action.ForwardConfig?.TargetGroups?.length
        ? action.ForwardConfig.TargetGroups.filter((g) => (g.Weight ?? 1) > 0).map((g) => g.TargetGroupArn)
        : [action.TargetGroupArn];
      return groups.length === 1 && groups[0] === target.arn;
    });
  for (const loadBalancerArn of target.loadBalancers) {
    const described = (await client.send(
      new elb.DescribeLoadBalancersCommand({ LoadBalancerArns: [loadBalancerArn] }),
    )) as DescribeLoadBalancersCommandOutput;
    const dns = described.LoadBalancers?.[0]?.DNSName ?? '';
    const listeners =
      (
        (await client.send(
          new elb.DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }),
        )) as DescribeListenersCommandOutput
      ).Listeners ?? [];
    const url = (listener: Listener) =>
      `${listener.Protocol === 'HTTPS' ? 'https' : 'http'}://${dns}:${listener.Port ?? 80}`;
    const port = listeners.find((listener) => only(listener.DefaultActions));
    if (port) {
      return { url: url(port), forwarder: port.ListenerArn ?? '' };
    }
    for (const listener of listeners) {
      const rules =
        (
          (await client.send(
            new elb.DescribeRulesCommand({ ListenerArn: listener.ListenerArn }),
          )) as DescribeRulesCommandOutput
        ).Rules ?? [];
      for (const rule of rules) {
        const header = (rule.Conditions ?? []).find((c) => c.Field === 'http-header')?.HttpHeaderConfig;
        if (header?.HttpHeaderName && header.Values?.[0] && only(rule.Actions)) {
          return {
            url: url(listener),
            header: `${header.HttpHeaderName}: ${header.Values[0]}`,
            forwarder: rule.RuleArn ?? '',
          };
        }
      }
    }
  }
  return undefined;
}
