import type { DataAwsSubnet } from '@cdktf/provider-aws/lib/data-aws-subnet';
import type { DataAwsVpc } from '@cdktf/provider-aws/lib/data-aws-vpc';
import type { Subnet } from '@cdktf/provider-aws/lib/subnet';
import type { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { ServerSettings } from '../compute/server-settings';
import { FleetLoadBalancer } from './fleet-load-balancer';
import { FleetScaling } from './fleet-scaling';
import { ISubnet, IVpc } from './network';

/**
 * How many instances a group runs. Capacity is operational: a change is applied in
 * place and never replaces the servers. A blue/green slot that takes weight from the
 * other slot runs at least its share of the other slot's current desired capacity
 * (read at plan time): its `min` and `desired` are raised to that number.
 */
export interface Capacity {
  /** Minimum number of instances. */
  readonly min: number;
  /** Maximum number of instances. */
  readonly max: number;
  /**
   * Desired number of instances. With scaling, it is used when a generation's group is
   * created only (afterwards the policy owns it); without scaling, Terraform keeps
   * the group at this number.
   * @default - `min` when the group is created, then whatever AWS holds
   */
  readonly desired?: number;
}

/** The load balancer's health check of the instances, and the deployment gate. */
export interface HealthCheck {
  /**
   * HTTP path that answers when an instance is ready.
   * @default '/'
   */
  readonly path?: string;
  /**
   * HTTP codes that count as healthy (`200`, `200-299`, `200,204`).
   * @default '200'
   */
  readonly matcher?: string;
  /**
   * Consecutive successes before an instance is healthy (2 to 10).
   * @default 2
   */
  readonly healthyThreshold?: number;
  /**
   * Consecutive failures before an instance is unhealthy (2 to 10).
   * @default 3
   */
  readonly unhealthyThreshold?: number;
  /**
   * Seconds between checks (5 to 300).
   * @default 15
   */
  readonly intervalSeconds?: number;
  /**
   * Seconds before a check times out (2 to 120, less than the interval).
   * @default 5
   */
  readonly timeoutSeconds?: number;
  /**
   * Seconds after launch before Auto Scaling acts on a failing load balancer check
   * (0 to 7200). Operational: a change is applied in place to the running groups and
   * does not start a new generation.
   * @default 120
   */
  readonly gracePeriodSeconds?: number;
  /**
   * How long Terraform waits for a new generation to be healthy behind the load
   * balancer before the apply fails (the group's `wait_for_capacity_timeout`), e.g.
   * `10m` or `90s`.
   * @default '10m'
   */
  readonly gateTimeout?: string;
}

/** When a lifecycle hook pauses an instance. */
export type LifecycleTransition = 'launching' | 'terminating';

/** What Auto Scaling does when a lifecycle hook times out (or is completed with it). */
export type LifecycleHookResult = 'CONTINUE' | 'ABANDON';

/**
 * A lifecycle hook declared on the auto scaling group itself (`initial_lifecycle_hook`),
 * so that it also pauses the first instances a new generation launches. It is part of
 * the generation: changing a hook starts a new generation.
 */
export interface LifecycleHook {
  /** Name of the hook (1 to 255 letters, digits, `-`, `_` and `/`), unique per group. */
  readonly name: string;
  /** `launching` (before an instance is put in service) or `terminating` (before it is terminated). */
  readonly transition: LifecycleTransition;
  /**
   * Seconds an instance waits in the hook before `defaultResult` applies (30 to 7200).
   * @default 3600
   */
  readonly heartbeatTimeoutSeconds?: number;
  /**
   * What happens when the hook times out. `ABANDON` on launch terminates the instance.
   * @default 'ABANDON'
   */
  readonly defaultResult?: LifecycleHookResult;
  /**
   * ARN of an SNS topic or SQS queue that receives the hook's notifications (needs `roleArn`).
   * @default - no notification (use EventBridge)
   */
  readonly notificationTargetArn?: string;
  /**
   * ARN of the IAM role that lets Auto Scaling publish to `notificationTargetArn`.
   * @default - none (required with notificationTargetArn)
   */
  readonly roleArn?: string;
  /**
   * Text sent with each notification (at most 1023 characters).
   * @default - none
   */
  readonly notificationMetadata?: string;
}

/** The state of the instances waiting in a warm pool. */
export type WarmPoolState = 'Stopped' | 'Running' | 'Hibernated';

/**
 * A warm pool of pre-initialized instances for a group, so that scaling out (and a
 * slot that must grow to relieve the other) starts from booted instances.
 * Operational: a change is applied in place.
 */
export interface WarmPool {
  /**
   * Instances kept in the pool at least (0 to 10000).
   * @default 0
   */
  readonly minSize?: number;
  /**
   * Most instances in the pool and the group together (-1 or 0 to 10000).
   * @default - the group's max size
   */
  readonly maxGroupPreparedCapacity?: number;
  /**
   * State of the waiting instances.
   * @default 'Stopped'
   */
  readonly poolState?: WarmPoolState;
  /**
   * Return instances to the pool on scale-in instead of terminating them.
   * @default false
   */
  readonly reuseOnScaleIn?: boolean;
}

/**
 * How a group's instances warm up and drain: settings of a fleet, each of which a
 * blue/green slot can override. None of them starts a new generation except
 * `lifecycleHooks`.
 */
export interface WarmUpAndDraining {
  /**
   * Seconds the load balancer lets in-flight requests finish on a deregistered
   * instance (0 to 3600), the target group's `deregistration_delay`.
   * @default 30
   */
  readonly deregistrationDelaySeconds?: number;
  /**
   * Seconds a newly registered instance gets a linearly growing share of its target
   * group's requests (0 = off, or 30 to 900), the target group's `slow_start`. It
   * applies to instances that register while the target group serves (scale-out, a
   * new generation of a replace fleet), not to a listener weight change.
   * @default 0
   */
  readonly slowStartSeconds?: number;
  /**
   * Seconds before a new instance's metrics count for scaling (0 to 3600), the
   * group's `default_instance_warmup`.
   * @default - not set: Auto Scaling's default (the scaling policy's warm-up)
   */
  readonly instanceWarmupSeconds?: number;
  /**
   * Lifecycle hooks declared on the group, so that they run for the first instances
   * of each generation too.
   * @default - none
   */
  readonly lifecycleHooks?: readonly LifecycleHook[];
  /**
   * A warm pool for each group.
   * @default - no warm pool
   */
  readonly warmPool?: WarmPool;
}

/** How Spot chooses the capacity pools it launches from. */
export type SpotAllocationStrategy =
  'price-capacity-optimized' | 'capacity-optimized' | 'capacity-optimized-prioritized' | 'lowest-price';

/**
 * How a group buys its instances: an on-demand base, then a share of the rest on Spot
 * (the group's mixed instances policy). The purchase options are part of the
 * generation, like the instance types: a change starts a new generation, and on a
 * blue/green fleet it reaches a pinned slot only through a release
 * (`release stage <env> --same-image`). Give several instance types
 * (`InstanceType.oneOf(...)` or `InstanceType.fromRequirements(...)`), so that a Spot
 * interruption in one pool can be replaced from another. Not with a warm pool, which
 * Auto Scaling does not allow with a mixed instances policy.
 */
export interface SpotOptions {
  /**
   * Instances that always run on demand, before any runs on Spot (0 to 10000).
   * @default 0
   */
  readonly onDemandBase?: number;
  /**
   * Percent of the instances above `onDemandBase` that run on Spot (0 to 100); the rest
   * run on demand.
   * @default 100
   */
  readonly spotPercentage?: number;
  /**
   * How Spot picks its pools.
   * @default 'price-capacity-optimized' (the pools least likely to be interrupted, then the cheapest)
   */
  readonly allocationStrategy?: SpotAllocationStrategy;
  /**
   * The most to pay per instance hour, in US dollars (`"0.05"`).
   * @default - the on-demand price
   */
  readonly maxPrice?: string;
  /**
   * Capacity rebalancing: Auto Scaling launches a replacement when a Spot instance gets
   * a rebalance recommendation, before the interruption. Operational: a change is
   * applied in place, on every slot.
   * @default true
   */
  readonly capacityRebalance?: boolean;
}

/** How Auto Scaling picks the instances to terminate on scale-in. */
export type TerminationPolicy =
  | 'Default'
  | 'AllocationStrategy'
  | 'OldestLaunchTemplate'
  | 'OldestInstance'
  | 'NewestInstance'
  | 'ClosestToNextInstanceHour';

/** The auto scaling group metrics that CloudWatch can collect (one-minute granularity). */
export type GroupMetric =
  | 'GroupMinSize'
  | 'GroupMaxSize'
  | 'GroupDesiredCapacity'
  | 'GroupInServiceInstances'
  | 'GroupInServiceCapacity'
  | 'GroupPendingInstances'
  | 'GroupPendingCapacity'
  | 'GroupStandbyInstances'
  | 'GroupStandbyCapacity'
  | 'GroupTerminatingInstances'
  | 'GroupTerminatingCapacity'
  | 'GroupTotalInstances'
  | 'GroupTotalCapacity'
  | 'WarmPoolDesiredCapacity'
  | 'WarmPoolWarmedCapacity'
  | 'WarmPoolPendingCapacity'
  | 'WarmPoolTerminatingCapacity'
  | 'WarmPoolTotalCapacity'
  | 'GroupAndWarmPoolDesiredCapacity'
  | 'GroupAndWarmPoolTotalCapacity';

/**
 * Settings of every auto scaling group of a fleet that say how its instances are
 * operated, not what they run: each is operational for the resource policy, so a
 * change is applied in place to every group, pinned slots included, and never starts a
 * new generation.
 */
export interface GroupSettings {
  /**
   * Days after which Auto Scaling replaces an instance with a new one from the same
   * launch template (1 to 365), the group's `max_instance_lifetime`: the replacement runs
   * the same generation, so this recycles servers without changing what they run.
   * @default - instances are not replaced for their age
   */
  readonly maxInstanceLifetimeDays?: number;
  /**
   * The order in which Auto Scaling picks instances to terminate on scale-in, the
   * group's `termination_policies`.
   * @default - Auto Scaling's `Default` policy
   */
  readonly terminationPolicies?: readonly TerminationPolicy[];
  /**
   * Group metrics to collect in CloudWatch, at one-minute granularity, the group's
   * `enabled_metrics` (`GroupInServiceInstances`, `GroupDesiredCapacity`...).
   * @default - none
   */
  readonly enabledMetrics?: readonly GroupMetric[];
  /**
   * The `Name` tag of the instances, set by the group when it launches them (an
   * auto scaling group tag with `propagate_at_launch`), so that the EC2 console lists
   * them by name. It reaches instances launched after the change; a pinned slot's
   * group keeps its tags until a release.
   * @default - no Name tag (unless `server.tags` sets one)
   */
  readonly instanceName?: string;
}

/** Props shared by {@link BlueGreenFleet} and {@link ReplaceFleet}. */
export interface FleetBaseProps extends WarmUpAndDraining, GroupSettings {
  /**
   * Base of every name (`<name>-<slot>-<generation>`, target groups `<name>-<slot>`,
   * the load balancer `<name>`). Letters, digits and hyphens; unique per account and
   * region, because target group and load balancer names are.
   * @default - `<stack>-<id>` in lowercase
   */
  readonly name?: string;
  /**
   * Id of the VPC of the instances and target groups. Give `vpcId` or `vpc`, not both.
   * @default - the id of `vpc`
   */
  readonly vpcId?: string;
  /**
   * The VPC of the instances and target groups as an object: the provider's `Vpc`
   * resource or `DataAwsVpc` data source, or `{ vpcId }`. Give `vpc` or `vpcId`, not both.
   * @default - `vpcId`
   */
  readonly vpc?: Vpc | DataAwsVpc | IVpc;
  /**
   * Ids of the subnets of the instances (private subnets; the instances get no public
   * IP). Give `subnetIds` or `subnets`, not both.
   * @default - the ids of `subnets`
   */
  readonly subnetIds?: readonly string[];
  /**
   * The subnets of the instances as objects: the provider's `Subnet` resources or
   * `DataAwsSubnet` data sources, or `{ subnetId }`. Give `subnets` or `subnetIds`, not both.
   * @default - `subnetIds`
   */
  readonly subnets?: readonly (Subnet | DataAwsSubnet | ISubnet)[];
  /**
   * Where traffic comes from.
   * @default FleetLoadBalancer.create(): an internal application load balancer in the fleet's subnets
   */
  readonly loadBalancer?: FleetLoadBalancer;
  /**
   * Port the instances serve HTTP on.
   * @default 80
   */
  readonly port?: number;
  /**
   * Health check and deployment gate.
   * @default - see {@link HealthCheck}
   */
  readonly healthCheck?: HealthCheck;
  /**
   * Capacity of each group.
   * @default { min: 2, max: 4 }
   */
  readonly capacity?: Capacity;
  /**
   * Target-tracking scaling for every generation.
   * @default - no scaling policy; Terraform manages the capacity
   */
  readonly scaling?: FleetScaling;
  /**
   * Server settings (instance type, user data, security groups, ...).
   * @default - see {@link ServerSettings}
   */
  readonly server?: ServerSettings;
  /**
   * Let instances open connections anywhere. By default the fleet's instance
   * security group allows outbound HTTPS (443) only, which is enough for Session
   * Manager and AWS APIs; add security groups in `server.securityGroupIds` for
   * anything else (a database, a cache).
   * @default false
   */
  readonly allowAllOutbound?: boolean;
  /**
   * Run part of the instances on Spot: an on-demand base, then a Spot share (see
   * {@link SpotOptions}). A blue/green slot may set its own (`slots.<slot>.spot`).
   * @default - every instance on demand
   */
  readonly spot?: SpotOptions;
}
