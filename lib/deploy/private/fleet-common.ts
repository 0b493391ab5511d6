import { TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { CheckedServerSettings, ServerSettings, validateServerSettings } from '../../compute/server-settings';
import { SUBNET_ID, VPC_ID } from '../../private/aws-ids';
import { FLEET_NAME } from '../../private/image-names';
import { isLiteral, show, Validator } from '../../private/validation';
import { CheckedLoadBalancer, FleetLoadBalancer } from '../fleet-load-balancer';
import {
  Capacity,
  FleetBaseProps,
  GroupMetric,
  GroupSettings,
  LifecycleHook,
  SpotAllocationStrategy,
  SpotOptions,
  TerminationPolicy,
  WarmPool,
  WarmUpAndDraining,
} from '../fleet-options';
import { FleetScaling } from '../fleet-scaling';
import { EffectiveHealthCheck } from './fleet-front-end';
import { subnetIdOf, vpcIdOf } from './network-ids';

/** Capacity of each group when the props give none. */
const DEFAULT_CAPACITY: Capacity = { min: 2, max: 4 };

/** The props shared by the fleets, checked, with their defaults applied. */
export interface CheckedFleetProps {
  /** Base of every name: `props.name`, or `<stack>-<id>`, in lowercase. */
  readonly base: string;
  /** The `name` prop and its value as messages show it (or the default it took). */
  readonly nameProp: string;
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  readonly port: number;
  readonly allowAllOutbound: boolean;
  readonly healthCheck: EffectiveHealthCheck;
  readonly capacity: Capacity;
  /** The fleet-level warm-up and draining settings. */
  readonly warmUp: WarmUpAndDraining;
  readonly scaling?: FleetScaling;
  /** `props.loadBalancer`, or the default one (built here, once), checked. */
  readonly loadBalancer: CheckedLoadBalancer;
  /** The fleet-level server settings (`server.`), checked. */
  readonly server: CheckedServerSettings;
  /** The settings of every group (operational), checked. */
  readonly group: GroupSettings;
  /** The fleet-level Spot options, checked. */
  readonly spot?: SpotOptions;
}

/**
 * Validates the props shared by the fleets where they enter (the fleet's
 * constructor), including the fleet-level server settings (prefix `server.`), and
 * applies their defaults. What it returns is checked: the builders do not check again.
 */
export function validateFleetProps(fleet: Construct, check: Validator, props: FleetBaseProps): CheckedFleetProps {
  validateName(check, props.name);
  const base = (props.name ?? `${TerraformStack.of(fleet).node.id}-${fleet.node.id}`).toLowerCase();
  const vpcId = fleetVpcId(check, props);
  const subnets = fleetSubnetIds(check, props);
  check.integer('port', props.port, 1, 65535);
  validateWarmUpAndDraining(check, '', props, props.server ?? {});
  const healthCheck = effectiveHealthCheck(check, props);
  const capacity = props.capacity ?? DEFAULT_CAPACITY;
  validateCapacity(check, 'capacity', capacity);
  const server = validateServerSettings(check, props.server ?? {}, 'server.');
  const loadBalancer = (props.loadBalancer ?? FleetLoadBalancer.create())._check(check, 'loadBalancer', fleet);
  if (
    loadBalancer.create &&
    loadBalancer.create.subnetIds === undefined &&
    !Token.isUnresolved(subnets.ids) &&
    subnets.ids.length < 2
  ) {
    check.fail(
      `${subnets.prop} (${show(subnets.shown)}) has one subnet, but the load balancer created in the same subnets ` +
        `needs two in different availability zones; add a subnet or pass FleetLoadBalancer.create({ subnetIds }).`,
    );
  }
  props.scaling?._check(check, 'scaling');
  validateGroupSettings(check, props);
  validateSpot(check, '', props.spot);
  validateMixedInstances(check, {
    spot: props.spot,
    warmPool: props.warmPool,
    instanceType: props.server?.instanceType,
    spotProp: 'spot',
    warmPoolProp: 'warmPool',
    instanceTypeProp: 'server.instanceType',
  });
  return {
    base,
    nameProp:
      props.name !== undefined
        ? `name (${show(props.name)})`
        : `name (not set; the default "<stack>-<id>" is "${base}")`,
    vpcId,
    subnetIds: subnets.ids,
    port: props.port ?? 80,
    allowAllOutbound: props.allowAllOutbound ?? false,
    healthCheck,
    capacity,
    warmUp: splitWarmUpAndDraining(props).tuning,
    scaling: props.scaling,
    loadBalancer,
    server,
    group: {
      maxInstanceLifetimeDays: props.maxInstanceLifetimeDays,
      terminationPolicies: props.terminationPolicies,
      enabledMetrics: props.enabledMetrics,
      instanceName: props.instanceName,
    },
    spot: props.spot,
  };
}

const TERMINATION_POLICIES: readonly TerminationPolicy[] = [
  'Default',
  'AllocationStrategy',
  'OldestLaunchTemplate',
  'OldestInstance',
  'NewestInstance',
  'ClosestToNextInstanceHour',
];

const GROUP_METRICS: readonly GroupMetric[] = [
  'GroupMinSize',
  'GroupMaxSize',
  'GroupDesiredCapacity',
  'GroupInServiceInstances',
  'GroupInServiceCapacity',
  'GroupPendingInstances',
  'GroupPendingCapacity',
  'GroupStandbyInstances',
  'GroupStandbyCapacity',
  'GroupTerminatingInstances',
  'GroupTerminatingCapacity',
  'GroupTotalInstances',
  'GroupTotalCapacity',
  'WarmPoolDesiredCapacity',
  'WarmPoolWarmedCapacity',
  'WarmPoolPendingCapacity',
  'WarmPoolTerminatingCapacity',
  'WarmPoolTotalCapacity',
  'GroupAndWarmPoolDesiredCapacity',
  'GroupAndWarmPoolTotalCapacity',
];

/** An instance `Name` tag: what EC2 accepts as a tag value (at most 256 characters). */
const INSTANCE_NAME = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;

/** The group settings of a fleet ({@link GroupSettings}). */
function validateGroupSettings(check: Validator, props: GroupSettings): void {
  check.integer('maxInstanceLifetimeDays', props.maxInstanceLifetimeDays, 1, 365, 'omit it to keep instances');
  for (const [prop, list, allowed] of [
    ['terminationPolicies', props.terminationPolicies, TERMINATION_POLICIES],
    ['enabledMetrics', props.enabledMetrics, GROUP_METRICS],
  ] as const) {
    if (list === undefined || Token.isUnresolved(list)) {
      continue;
    }
    if (list.length === 0) {
      check.fail(`${prop} ([]) must list at least one value; omit it for the default.`);
    }
    list.forEach((value, i) => check.oneOf<string>(`${prop}[${i}]`, value, allowed));
    check.unique(prop, list);
  }
  check.pattern(
    'instanceName',
    props.instanceName,
    INSTANCE_NAME,
    '1 to 256 letters, digits, spaces and _ . : / = + - @ (an EC2 tag value), such as "web-prod"',
  );
}

const SPOT_ALLOCATION_STRATEGIES: readonly SpotAllocationStrategy[] = [
  'price-capacity-optimized',
  'capacity-optimized',
  'capacity-optimized-prioritized',
  'lowest-price',
];

/** Spot options where they enter (`prefix` is `` for the fleet, `slots.<slot>.` for a slot). */
export function validateSpot(check: Validator, prefix: string, spot: SpotOptions | undefined): void {
  if (spot === undefined || Token.isUnresolved(spot)) {
    return;
  }
  if (spot === null || typeof spot !== 'object') {
    check.fail(`${prefix}spot (${show(spot)}) must be an object such as { onDemandBase: 1, spotPercentage: 70 }.`);
  }
  check.integer(`${prefix}spot.onDemandBase`, spot.onDemandBase, 0, 10000);
  check.integer(`${prefix}spot.spotPercentage`, spot.spotPercentage, 0, 100);
  check.oneOf(`${prefix}spot.allocationStrategy`, spot.allocationStrategy, SPOT_ALLOCATION_STRATEGIES);
  check.pattern(
    `${prefix}spot.maxPrice`,
    spot.maxPrice,
    /^(0|[1-9]\d{0,4})(\.\d{1,5})?$/,
    'a price in US dollars per instance hour such as "0.05"',
  );
  if (isLiteral(spot.maxPrice) && Number(spot.maxPrice) === 0) {
    check.fail(
      `${prefix}spot.maxPrice (${show(spot.maxPrice)}) must be above 0; omit it to pay up to the on-demand price.`,
    );
  }
}

/**
 * A group that runs a mixed instances policy (Spot, several instance types or
 * requirements) has no warm pool: Auto Scaling refuses the two together. Spot with one
 * instance type is accepted with a warning: an interruption in that one pool has no
 * other pool to launch from. Each `...Prop` names the prop that gave the value.
 */
export function validateMixedInstances(
  check: Validator,
  group: {
    readonly spot?: SpotOptions;
    readonly warmPool?: WarmPool;
    readonly instanceType?: ServerSettings['instanceType'];
    readonly spotProp: string;
    readonly warmPoolProp: string;
    readonly instanceTypeProp: string;
  },
): void {
  const { spot, warmPool, instanceType } = group;
  const several = instanceType?.names !== undefined;
  if (warmPool !== undefined && (spot !== undefined || several)) {
    const why =
      spot !== undefined
        ? `${group.spotProp} is set`
        : `${group.instanceTypeProp} lists several instance types (InstanceType.oneOf)`;
    check.fail(
      `${group.warmPoolProp} is set, but ${why}: a mixed instances policy, which Auto Scaling does not allow ` +
        `with a warm pool; remove ${group.warmPoolProp}, or ${spot !== undefined ? group.spotProp : 'use one type'}.`,
    );
  }
  if (spot !== undefined && (spot.spotPercentage ?? 100) > 0 && !several && !instanceType?.requirements) {
    check.warn(
      `${group.spotProp} runs instances on Spot with one instance type ` +
        `(${show(instanceType?.name ?? 't3.micro')}): an interruption in that one pool has no other pool to ` +
        `launch from. Give several in ${group.instanceTypeProp} with InstanceType.oneOf(...) or ` +
        'InstanceType.fromRequirements(...).',
    );
  }
}

export function validateName(check: Validator, name: string | undefined): void {
  if (name !== undefined && Token.isUnresolved(name)) {
    check.fail(`name (${name}) is a token; pass a literal so that names can be checked against AWS limits at synth.`);
  }
  check.pattern(
    'name',
    name,
    FLEET_NAME,
    'letters, digits and hyphens (at most 64), not starting or ending with a hyphen',
  );
  if (name !== undefined && /^internal-/i.test(name)) {
    check.fail(`name ("${name}") must not start with "internal-", which AWS reserves for load balancer names.`);
  }
}

/** The VPC id, from `vpcId` or `vpc` (exactly one), checked. */
export function fleetVpcId(check: Validator, props: Pick<FleetBaseProps, 'vpcId' | 'vpc'>): string {
  if (props.vpcId !== undefined && props.vpc !== undefined) {
    check.fail('vpcId and vpc are both set; give the VPC once, as an id (vpcId) or as an object (vpc).');
  }
  if (props.vpc !== undefined) {
    const vpcId = vpcIdOf(props.vpc);
    check.pattern('vpc.vpcId', vpcId, VPC_ID, 'a VPC id such as vpc-0123456789abcdef0');
    return vpcId;
  }
  if (props.vpcId === undefined) {
    check.fail('vpcId is not set; pass the id of the VPC (vpcId) or the VPC itself (vpc).');
  }
  check.pattern('vpcId', props.vpcId, VPC_ID, 'a VPC id such as vpc-0123456789abcdef0');
  return props.vpcId;
}

/**
 * The subnet ids, from `subnetIds` or `subnets` (exactly one), checked, with the prop
 * that gave them and the value as messages show it.
 */
function fleetSubnetIds(
  check: Validator,
  props: FleetBaseProps,
): { readonly prop: string; readonly ids: readonly string[]; readonly shown: unknown } {
  if (props.subnetIds !== undefined && props.subnets !== undefined) {
    check.fail(
      'subnetIds and subnets are both set; give the subnets once, as ids (subnetIds) or as objects (subnets).',
    );
  }
  if (props.subnets !== undefined) {
    const ids = props.subnets.map(subnetIdOf);
    check.nonEmptyList('subnets', ids, 'give the private subnets the instances run in');
    ids.forEach((id, i) =>
      check.pattern(`subnets[${i}].subnetId`, id, SUBNET_ID, 'a subnet id such as subnet-0123456789abcdef0'),
    );
    check.unique('subnets', ids);
    return { prop: 'subnets', ids, shown: ids };
  }
  if (props.subnetIds === undefined) {
    check.fail(
      "subnetIds is not set; pass the ids of the instances' subnets (subnetIds) or the subnets themselves (subnets).",
    );
  }
  check.nonEmptyList('subnetIds', props.subnetIds, 'give the private subnets the instances run in');
  check.eachPattern('subnetIds', props.subnetIds, SUBNET_ID, 'a subnet id such as subnet-0123456789abcdef0');
  return { prop: 'subnetIds', ids: props.subnetIds, shown: props.subnetIds };
}

/** Validates a capacity where it enters (`capacity`, `slots.<slot>.capacity`). */
export function validateCapacity(check: Validator, prop: string, capacity: Capacity): void {
  check.integer(`${prop}.min`, capacity.min, 0, 10000);
  check.integer(`${prop}.max`, capacity.max, 0, 10000);
  check.integer(`${prop}.desired`, capacity.desired, 0, 10000);
  const { min, max, desired } = capacity;
  if (isLiteral(min) && isLiteral(max) && min > max) {
    check.fail(`${prop}.min (${min}) must be <= ${prop}.max (${max}); lower min or raise max.`);
  }
  if (isLiteral(desired)) {
    if (isLiteral(min) && desired < min) {
      check.fail(`${prop}.desired (${desired}) must be >= ${prop}.min (${min}); raise desired or lower min.`);
    }
    if (isLiteral(max) && desired > max) {
      check.fail(`${prop}.desired (${desired}) must be <= ${prop}.max (${max}); lower desired or raise max.`);
    }
  }
}

const LIFECYCLE_HOOK_NAME = /^[A-Za-z0-9\-_/]{1,255}$/;
const NOTIFICATION_TARGET_ARN = /^arn:aws[a-z-]*:(sns|sqs):[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]{1,256}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::[0-9]{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/;

/** The keys of {@link WarmUpAndDraining}, which a slot's props carry next to its server settings. */
export const WARM_UP_AND_DRAINING_KEYS = [
  'deregistrationDelaySeconds',
  'slowStartSeconds',
  'instanceWarmupSeconds',
  'lifecycleHooks',
  'warmPool',
] as const;

/** Splits a slot's props into its {@link WarmUpAndDraining} settings and the rest. */
export function splitWarmUpAndDraining<T extends WarmUpAndDraining>(
  props: T,
): { tuning: WarmUpAndDraining; rest: Omit<T, (typeof WARM_UP_AND_DRAINING_KEYS)[number]> } {
  const { deregistrationDelaySeconds, slowStartSeconds, instanceWarmupSeconds, lifecycleHooks, warmPool, ...rest } =
    props;
  return {
    tuning: { deregistrationDelaySeconds, slowStartSeconds, instanceWarmupSeconds, lifecycleHooks, warmPool },
    rest,
  };
}

/** The fields `slot` sets (not undefined) over `fleet`'s. */
function definedOver<T extends object>(fleet: T, slot: T): T {
  return { ...fleet, ...Object.fromEntries(Object.entries(slot).filter(([, value]) => value !== undefined)) };
}

/** A slot's warm-up and draining settings over the fleet's, field by field (both checked). */
export function mergeWarmUpAndDraining(fleet: WarmUpAndDraining, slot: WarmUpAndDraining): WarmUpAndDraining {
  return definedOver(fleet, slot);
}

/**
 * Validates warm-up and draining settings where they enter (`prefix` is `` for the
 * fleet, `slots.<slot>.` for a slot). `server` holds the settings the same groups run
 * with, for the checks that combine them (a warm pool needs a single instance type).
 */
export function validateWarmUpAndDraining(
  check: Validator,
  prefix: string,
  tuning: WarmUpAndDraining,
  server: ServerSettings,
): void {
  check.integer(`${prefix}deregistrationDelaySeconds`, tuning.deregistrationDelaySeconds, 0, 3600);
  const slowStart = tuning.slowStartSeconds;
  if (
    isLiteral(slowStart) &&
    !(Number.isInteger(slowStart) && (slowStart === 0 || (slowStart >= 30 && slowStart <= 900)))
  ) {
    check.fail(`${prefix}slowStartSeconds (${show(slowStart)}) must be 0 (off) or an integer from 30 to 900, e.g. 60.`);
  }
  check.integer(`${prefix}instanceWarmupSeconds`, tuning.instanceWarmupSeconds, 0, 3600);
  const hooks = tuning.lifecycleHooks;
  if (hooks !== undefined && !Token.isUnresolved(hooks)) {
    const names = new Set<string>();
    hooks.forEach((hook, i) => validateLifecycleHook(check, `${prefix}lifecycleHooks[${i}]`, hook, names));
  }
  const pool = tuning.warmPool;
  if (pool !== undefined && !Token.isUnresolved(pool)) {
    validateWarmPool(check, prefix, pool, server);
  }
}

/** A warm pool (`prefix` as for its group); `server` says how the group chooses its instances. */
function validateWarmPool(check: Validator, prefix: string, pool: WarmPool, server: ServerSettings): void {
  check.integer(`${prefix}warmPool.minSize`, pool.minSize, 0, 10000);
  check.integer(
    `${prefix}warmPool.maxGroupPreparedCapacity`,
    pool.maxGroupPreparedCapacity,
    -1,
    10000,
    "use -1 for the group's max size",
  );
  check.oneOf(`${prefix}warmPool.poolState`, pool.poolState, ['Stopped', 'Running', 'Hibernated']);
  const { minSize, maxGroupPreparedCapacity: prepared } = pool;
  if (isLiteral(minSize) && isLiteral(prepared) && prepared !== -1 && minSize > prepared) {
    check.fail(
      `${prefix}warmPool.minSize (${minSize}) must be <= ${prefix}warmPool.maxGroupPreparedCapacity ` +
        `(${prepared}); lower minSize or raise maxGroupPreparedCapacity.`,
    );
  }
  if (server.instanceType?.requirements) {
    check.fail(
      `${prefix}warmPool is set, but the instances are chosen by InstanceType.fromRequirements ` +
        '(a mixed instances policy), which Auto Scaling does not allow with a warm pool; ' +
        'use InstanceType.of(...) or remove warmPool.',
    );
  }
}

function validateLifecycleHook(check: Validator, prop: string, hook: LifecycleHook, names: Set<string>): void {
  if (!hook || typeof hook !== 'object') {
    check.fail(`${prop} (${show(hook)}) must be an object with a name and a transition.`);
  }
  check.pattern(`${prop}.name`, hook.name, LIFECYCLE_HOOK_NAME, '1 to 255 letters, digits, "-", "_" or "/"');
  if (hook.name === undefined) {
    check.fail(`${prop}.name is not set; give the hook a name such as "drain-connections".`);
  }
  if (isLiteral(hook.name)) {
    if (names.has(hook.name)) {
      check.fail(
        `${prop}.name (${show(hook.name)}) is used by another hook of the same group; give each hook its own name.`,
      );
    }
    names.add(hook.name);
  }
  if (hook.transition === undefined) {
    check.fail(`${prop}.transition is not set; use "launching" or "terminating".`);
  }
  check.oneOf(`${prop}.transition`, hook.transition, ['launching', 'terminating']);
  check.integer(`${prop}.heartbeatTimeoutSeconds`, hook.heartbeatTimeoutSeconds, 30, 7200);
  check.oneOf(`${prop}.defaultResult`, hook.defaultResult, ['CONTINUE', 'ABANDON']);
  check.pattern(
    `${prop}.notificationTargetArn`,
    hook.notificationTargetArn,
    NOTIFICATION_TARGET_ARN,
    'an SNS topic or SQS queue ARN such as arn:aws:sns:eu-west-1:123456789012:hooks',
  );
  check.pattern(
    `${prop}.roleArn`,
    hook.roleArn,
    ROLE_ARN,
    'an IAM role ARN such as arn:aws:iam::123456789012:role/asg-hooks',
  );
  if ((hook.notificationTargetArn === undefined) !== (hook.roleArn === undefined)) {
    const [given, missing] =
      hook.roleArn === undefined ? ['notificationTargetArn', 'roleArn'] : ['roleArn', 'notificationTargetArn'];
    check.fail(
      `${prop}.${given} is set without ${prop}.${missing}; Auto Scaling needs both to notify, so set both or neither.`,
    );
  }
  if (isLiteral(hook.notificationMetadata) && hook.notificationMetadata.length > 1023) {
    check.fail(
      `${prop}.notificationMetadata is ${hook.notificationMetadata.length} characters; at most 1023 are allowed.`,
    );
  }
}

/**
 * Slot settings over fleet settings, field by field (a slot's `securityGroupIds` are
 * added to the fleet's, which always start with the fleet's instance security group).
 * Both are checked already; this only combines them, and each field keeps the prop
 * path it entered as (`server.keyName`, `slots.blue.blockDevices`).
 */
export function mergeServerSettings(fleet: CheckedServerSettings, slot: CheckedServerSettings): CheckedServerSettings {
  return fleet.overlaidWith(slot);
}

function effectiveHealthCheck(check: Validator, props: FleetBaseProps): EffectiveHealthCheck {
  const h = props.healthCheck ?? {};
  const path = h.path ?? '/';
  if (isLiteral(path) && (!path.startsWith('/') || path.length > 1024)) {
    check.fail(`healthCheck.path (${show(path)}) must start with "/" and be at most 1024 characters, e.g. "/health".`);
  }
  const matcher = h.matcher ?? '200';
  if (isLiteral(matcher)) {
    const codes = /^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(matcher) ? matcher.split(/[,-]/).map(Number) : [];
    if (codes.length === 0 || codes.some((code) => code < 200 || code > 499)) {
      check.fail(
        `healthCheck.matcher (${show(matcher)}) must be HTTP codes from 200 to 499 ` +
          'such as "200", "200-299" or "200,204".',
      );
    }
  }
  check.integer('healthCheck.healthyThreshold', h.healthyThreshold, 2, 10);
  check.integer('healthCheck.unhealthyThreshold', h.unhealthyThreshold, 2, 10);
  check.integer('healthCheck.intervalSeconds', h.intervalSeconds, 5, 300);
  check.integer('healthCheck.timeoutSeconds', h.timeoutSeconds, 2, 120);
  check.integer('healthCheck.gracePeriodSeconds', h.gracePeriodSeconds, 0, 7200);
  const intervalSeconds = h.intervalSeconds ?? 15;
  const timeoutSeconds = h.timeoutSeconds ?? 5;
  if (isLiteral(intervalSeconds) && isLiteral(timeoutSeconds) && timeoutSeconds >= intervalSeconds) {
    check.fail(
      `healthCheck.timeoutSeconds (${timeoutSeconds}) must be less than healthCheck.intervalSeconds ` +
        `(${intervalSeconds}); lower the timeout or raise the interval.`,
    );
  }
  const gateTimeout = h.gateTimeout ?? '10m';
  check.pattern(
    'healthCheck.gateTimeout',
    gateTimeout,
    /^([1-9]\d*[hms])+$/,
    'a positive duration such as "10m" or "90s"',
  );
  return {
    path,
    matcher,
    healthyThreshold: h.healthyThreshold ?? 2,
    unhealthyThreshold: h.unhealthyThreshold ?? 3,
    intervalSeconds,
    timeoutSeconds,
    gracePeriodSeconds: h.gracePeriodSeconds ?? 120,
    gateTimeout,
  };
}
