import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { AutoscalingPolicy } from '@cdktf/provider-aws/lib/autoscaling-policy';
import { Ec2Tag } from '@cdktf/provider-aws/lib/ec2-tag';
import { TerraformResource, Token } from 'cdktf';
import { Construct } from 'constructs';
import { ImmutableLaunchTemplate } from '../../compute/immutable-launch-template';
import { InstanceRequirements } from '../../compute/instance-type';
import { CheckedServerSettings } from '../../compute/server-settings';
import { IImageSource } from '../../image/image-source';
import { Generation } from '../../immutability/generation';
import { generationName, NameRule } from '../../immutability/naming';
import { bareReference } from '../../immutability/reference';
import { PinnedMetadata, recordLibraryTriggers, recordPinned } from '../../immutability/lifecycle-metadata';
import { ResourcePolicy } from '../../immutability/resource-policy';
import { inUseTagKey } from '../../private/image-names';
import { Capacity, GroupSettings, LifecycleHook, SpotOptions, WarmPool } from '../fleet-options';
import { FleetScaling } from '../fleet-scaling';
import { remainderOf100, requestCountLabel, secondsOfDays, whenInUse } from './expressions';
import { EffectiveHealthCheck, TargetGroupRef } from './fleet-front-end';
import { PINNED_GROUP_IGNORES } from './pinning';

// Tags of every group (and target group) with the fleet's name, a literal, and the
// blue/green slot; shared with `release advance`, which finds the target groups by them.
import { FLEET_TAG, SLOT_TAG } from '../../release/rollout';
export { FLEET_TAG, SLOT_TAG };

/** The tag of every group with the generation it runs. */
export const GENERATION_TAG = 'cdktf-immutable:generation';

/** What one generation is built from; every value is checked where it entered the fleet. */
export interface ServerGroupProps {
  readonly base: string;
  readonly slot?: string;
  readonly image: IImageSource;
  readonly settings: CheckedServerSettings;
  readonly capacity: Capacity;
  readonly subnetIds: readonly string[];
  readonly targetGroup: TargetGroupRef;
  readonly healthCheck: EffectiveHealthCheck;
  readonly scaling?: FleetScaling;
  readonly loadBalancerArnSuffix: string;
  /** Seconds before a new instance's metrics count (`default_instance_warmup`). */
  readonly instanceWarmupSeconds?: number;
  readonly lifecycleHooks?: readonly LifecycleHook[];
  readonly warmPool?: WarmPool;
  /** The settings every group of the fleet shares (operational). */
  readonly group?: GroupSettings;
  /** The Spot share of the group (part of the generation). */
  readonly spot?: SpotOptions;
  /**
   * Set when the generation is a pinned slot's: it keeps what it was deployed with until
   * its release marker changes.
   */
  readonly pinned?: PinnedGeneration;
}

/** A pinned slot's generation: why it is pinned, and the marker of the release it runs. */
export interface PinnedGeneration {
  readonly metadata: PinnedMetadata;
  /** Replaces the generation (with the code's definition) when it changes: a new release in the slot. */
  readonly marker: TerraformResource;
}

/** One generation's launch template, auto scaling group and scaling policy. */
export interface ServerGroup {
  readonly launchTemplate: ImmutableLaunchTemplate;
  readonly autoScalingGroup: AutoscalingGroup;
  readonly scalingPolicy?: AutoscalingPolicy;
  /** The in-use mark on the AMI the generation runs. */
  readonly inUseMark: Ec2Tag;
  readonly generation: Generation;
}

/**
 * Builds the launch template and auto scaling group of one generation in `scope`
 * (ids `LaunchTemplate`, `AutoScalingGroup`, `ScalingPolicy`).
 *
 * - Both are named by one generation, which hashes the launch template settings and
 *   every auto scaling group setting that the resource policy does not let change in
 *   place, so any such change replaces both, create-before-destroy.
 * - The group is attached through `target_group_arns` with `health_check_type = ELB`
 *   and `min_elb_capacity`: Terraform creates the new group and waits until that many
 *   of its instances are healthy in the target group before it destroys the old one
 *   (and before the listener, which depends on the group, moves traffic). It waits
 *   only when the target group is in use by a load balancer (`load_balancer_arns`):
 *   an unused target group does not health-check, and on the first deploy the
 *   listener that puts it in use comes after the group. `min_elb_capacity` only
 *   matters at creation, so later changes of it are ignored.
 * - The health check grace period, warm-up, warm pool and capacity are operational
 *   (changed in place); lifecycle hooks declared on the group are part of the
 *   generation.
 * - Desired capacity: without scaling, it is managed only when given (else AWS starts
 *   at `min`); with scaling, `ignore_changes = [desired_capacity]`, so the policy's
 *   changes are not undone by the next apply. A blue/green fleet then replaces
 *   `min_size`, `desired_capacity` and the gate with plan-time expressions (a slot that
 *   takes weight runs at least its share of the other slot's size).
 * - Tags `cdktf-immutable:fleet` and `cdktf-immutable:slot` (literals) let the fleet
 *   find a slot's groups at plan time, whatever their generation.
 * - A pinned generation (`pinned`, a blue/green slot that is not staged) keeps what it
 *   was deployed with: its template ignores every change and its group every
 *   non-operational one (name, template, subnets, target groups, tags), and the metadata
 *   of both says why. Only a new release in the slot (its release marker changes)
 *   replaces the template, with the code's definition, and the group with it. The
 *   in-use mark names the AMI of the template as it is (`image_id` of the resource),
 *   not the code's.
 */
export function buildServerGroup(scope: Construct, props: ServerGroupProps): ServerGroup {
  const initialLifecycleHooks = props.lifecycleHooks?.length ? props.lifecycleHooks.map(toLifecycleHook) : undefined;
  const generationInputs = groupGenerationInputs(props, initialLifecycleHooks);
  // the settings were checked where they entered the fleet (`server.`, `slots.<slot>.`)
  const launchTemplate = ImmutableLaunchTemplate._fromCheckedSettings(scope, 'LaunchTemplate', {
    settings: props.settings,
    image: props.image,
    name: props.base,
    slot: props.slot,
    generationInputs,
    pinned: props.pinned && {
      metadata: props.pinned.metadata,
      replaceTriggeredBy: [bareReference(props.pinned.marker)],
    },
  });
  const generation = launchTemplate.generation;
  const groupName = generationName(NameRule.AUTOSCALING_GROUP, { base: props.base, slot: props.slot, generation });
  const autoScalingGroup = new AutoscalingGroup(scope, 'AutoScalingGroup', {
    name: groupName,
    ...groupSizeAndHealth(props),
    initialLifecycleHook: initialLifecycleHooks?.map((hook) => ({
      name: hook.name,
      lifecycleTransition: hook.lifecycle_transition,
      heartbeatTimeout: hook.heartbeat_timeout,
      defaultResult: hook.default_result,
      notificationTargetArn: hook.notification_target_arn,
      roleArn: hook.role_arn,
      notificationMetadata: hook.notification_metadata,
    })),
    warmPool: props.warmPool ? toWarmPool(props.warmPool) : undefined,
    ...launchTemplateOf(launchTemplate, props.spot),
    ...groupOperation(props.group ?? {}, props.spot),
    tag: [
      { key: GENERATION_TAG, value: generation.hash, propagateAtLaunch: false },
      ...(props.slot ? [{ key: SLOT_TAG, value: props.slot, propagateAtLaunch: false }] : []),
      // the fleet's groups can be found at plan time by these two literal tags
      { key: FLEET_TAG, value: props.base, propagateAtLaunch: false },
      ...(props.group?.instanceName !== undefined
        ? [{ key: 'Name', value: props.group.instanceName, propagateAtLaunch: true }]
        : []),
    ],
    lifecycle: groupLifecycle(props, launchTemplate),
  });
  if (props.pinned) {
    recordPinned(autoScalingGroup, props.pinned.metadata);
  }
  recordLibraryTriggers(autoScalingGroup, autoScalingGroup.lifecycle?.replaceTriggeredBy as string[]);
  const scalingPolicy = props.scaling
    ? buildScalingPolicy(scope, props, props.scaling, groupName, autoScalingGroup)
    : undefined;
  // the AMI the template runs (its state), which is the code's unless the slot is pinned
  const inUseMark = markInUse(scope, props.base, props.slot, launchTemplate.resource.imageId);
  return { launchTemplate, autoScalingGroup, scalingPolicy, inUseMark, generation };
}

/**
 * The group's lifecycle. `min_elb_capacity` only matters when the group is created (and
 * depends on whether its target group is in use then); with scaling, the policy owns the
 * desired size. A pinned group also ignores everything that is not operational. Every
 * group is replaced with its launch template.
 */
function groupLifecycle(props: ServerGroupProps, launchTemplate: ImmutableLaunchTemplate) {
  const operational = props.scaling ? ['desired_capacity', 'min_elb_capacity'] : ['min_elb_capacity'];
  const ignoreChanges = props.pinned
    ? [...operational, ...PINNED_GROUP_IGNORES.filter((a) => !operational.includes(a))]
    : operational;
  return {
    ignoreChanges,
    // The name changes with the generation anyway; the trigger makes sure a group is
    // never pointed at another launch template in place, whatever replaced it (a pinned
    // group's template is replaced by its release marker, not by its name).
    replaceTriggeredBy: [
      bareReference(launchTemplate.resource, 'id'),
      ...(props.pinned ? [] : launchTemplate.replaceTriggeredBy),
    ],
  };
}

/**
 * The group settings that are part of what runs, filtered through the resource policy
 * so that an attribute the policy declares operational never renames the group. The
 * grace period is operational: never part of the generation, so a change is applied in
 * place and does not replace both slots.
 */
function groupGenerationInputs(
  props: ServerGroupProps,
  initialLifecycleHooks: ReturnType<typeof toLifecycleHook>[] | undefined,
): Record<string, unknown> {
  const groupSettings: Record<string, unknown> = {
    vpc_zone_identifier: [...props.subnetIds],
    target_group_arns: [props.targetGroup.arn],
    health_check_type: 'ELB',
    // only when set, so that fleets without hooks keep their generation
    ...(initialLifecycleHooks ? { initial_lifecycle_hook: initialLifecycleHooks } : {}),
    // the purchase options decide what runs (Spot or on demand): part of the generation,
    // only when set, so that fleets without Spot keep theirs
    ...(props.spot ? { mixed_instances_policy: { instances_distribution: instancesDistribution(props.spot) } } : {}),
  };
  return Object.fromEntries(
    Object.entries(groupSettings).filter(
      ([attribute]) => !ResourcePolicy.isOperationalAttribute('aws_autoscaling_group', attribute),
    ),
  );
}

/** The group's sizes, subnets, target group and load balancer health gate. */
function groupSizeAndHealth(props: ServerGroupProps) {
  const { capacity, healthCheck, targetGroup } = props;
  return {
    minSize: capacity.min,
    maxSize: capacity.max,
    desiredCapacity: capacity.desired,
    vpcZoneIdentifier: [...props.subnetIds],
    targetGroupArns: [targetGroup.arn],
    healthCheckType: 'ELB',
    healthCheckGracePeriod: healthCheck.gracePeriodSeconds,
    minElbCapacity: elbGate(targetGroup, capacity.desired ?? capacity.min),
    waitForCapacityTimeout: healthCheck.gateTimeout,
    defaultInstanceWarmup: props.instanceWarmupSeconds,
  };
}

function toWarmPool(pool: WarmPool) {
  return {
    minSize: pool.minSize ?? 0,
    maxGroupPreparedCapacity: pool.maxGroupPreparedCapacity,
    poolState: pool.poolState ?? 'Stopped',
    instanceReusePolicy: pool.reuseOnScaleIn ? { reuseOnScaleIn: true } : undefined,
  };
}

/**
 * The launch template of the group: directly, or in a mixed instances policy when the
 * instances are chosen by requirements or among several types, or run partly on Spot.
 */
function launchTemplateOf(launchTemplate: ImmutableLaunchTemplate, spot: SpotOptions | undefined) {
  const { requirements, names } = launchTemplate.instanceType;
  if (!requirements && !names && !spot) {
    return { launchTemplate: { id: launchTemplate.launchTemplateId, version: launchTemplate.version } };
  }
  const override = requirements
    ? [{ instanceRequirements: toOverride(requirements) }]
    : names?.map((instanceType) => ({ instanceType }));
  const distribution = spot ? instancesDistribution(spot) : undefined;
  return {
    mixedInstancesPolicy: {
      launchTemplate: {
        launchTemplateSpecification: {
          launchTemplateId: launchTemplate.launchTemplateId,
          version: launchTemplate.version,
        },
        override,
      },
      instancesDistribution: distribution && {
        onDemandBaseCapacity: distribution.on_demand_base_capacity,
        onDemandPercentageAboveBaseCapacity: distribution.on_demand_percentage_above_base_capacity,
        spotAllocationStrategy: distribution.spot_allocation_strategy,
        spotMaxPrice: distribution.spot_max_price,
      },
    },
  };
}

/** The Spot options as the group's `instances_distribution` (snake_case, for the generation too). */
function instancesDistribution(spot: SpotOptions) {
  return {
    on_demand_base_capacity: spot.onDemandBase ?? 0,
    on_demand_percentage_above_base_capacity: remainderOf100(spot.spotPercentage ?? 100),
    spot_allocation_strategy: spot.allocationStrategy ?? 'price-capacity-optimized',
    spot_max_price: spot.maxPrice,
  };
}

/**
 * The group settings that say how its instances are operated (operational for the
 * resource policy): instance lifetime, termination order, metrics, and Spot's capacity
 * rebalancing. Written only when set, so that fleets without them keep their JSON.
 */
function groupOperation(group: GroupSettings, spot: SpotOptions | undefined) {
  return {
    maxInstanceLifetime:
      group.maxInstanceLifetimeDays === undefined ? undefined : secondsOfDays(group.maxInstanceLifetimeDays),
    terminationPolicies: group.terminationPolicies ? [...group.terminationPolicies] : undefined,
    enabledMetrics: group.enabledMetrics ? [...group.enabledMetrics] : undefined,
    metricsGranularity: group.enabledMetrics ? '1Minute' : undefined,
    capacityRebalance: spot ? (spot.capacityRebalance ?? true) : undefined,
  };
}

/** The group's target-tracking policy (id `ScalingPolicy`). */
function buildScalingPolicy(
  scope: Construct,
  props: ServerGroupProps,
  scaling: FleetScaling,
  groupName: string,
  autoScalingGroup: AutoscalingGroup,
): AutoscalingPolicy {
  return new AutoscalingPolicy(scope, 'ScalingPolicy', {
    // Policy names only need to be unique per group, but moto keys them by name alone:
    // the group's name keeps them unique across slots and generations.
    name: `${groupName}-${scaling.metric === 'cpu' ? 'cpu' : 'requests'}-target-tracking`,
    autoscalingGroupName: autoScalingGroup.name,
    policyType: 'TargetTrackingScaling',
    targetTrackingConfiguration: {
      targetValue: scaling.targetValue,
      predefinedMetricSpecification:
        scaling.metric === 'cpu'
          ? { predefinedMetricType: 'ASGAverageCPUUtilization' }
          : {
              predefinedMetricType: 'ALBRequestCountPerTarget',
              resourceLabel: requestCountLabel(props.loadBalancerArnSuffix, props.targetGroup.resource.arnSuffix),
            },
    },
    // replaced with its group; its name is unique per group, so no collision
    lifecycle: { createBeforeDestroy: true },
  });
}

/**
 * The in-use mark (id `InUse`): the tag `cdktf-immutable:in-use:<fleet>[:<slot>]` = `true`
 * on the AMI the slot runs, so that an image pipeline's retention that lists the fleet
 * never deletes it (see `ImageRetention.keepLast` `inUseByFleets`). Each fleet slot
 * manages only its own key: another environment's mark on the same AMI stays when this
 * slot moves off it. A new AMI moves the mark (create on the new AMI, then delete from the
 * old one). The tag lives in the account and region of the stack, on that region's AMI.
 */
function markInUse(scope: Construct, fleet: string, slot: string | undefined, imageId: string): Ec2Tag {
  return new Ec2Tag(scope, 'InUse', {
    resourceId: imageId,
    key: inUseTagKey(fleet, slot),
    value: 'true',
    lifecycle: { createBeforeDestroy: true },
  });
}

/**
 * `min_elb_capacity`: `gate` healthy instances when the target group is in use by a
 * load balancer, else 0 (no wait: nothing health-checks the instances yet).
 */
export function elbGate(targetGroup: TargetGroupRef, gate: number): number | undefined {
  if (gate === 0) {
    return undefined;
  }
  return whenInUse(targetGroup.resource.loadBalancerArns, gate);
}

/** A lifecycle hook as the group's `initial_lifecycle_hook` (snake_case, for the generation too). */
function toLifecycleHook(hook: LifecycleHook) {
  return {
    name: hook.name,
    lifecycle_transition: Token.isUnresolved(hook.transition)
      ? hook.transition
      : hook.transition === 'launching'
        ? 'autoscaling:EC2_INSTANCE_LAUNCHING'
        : 'autoscaling:EC2_INSTANCE_TERMINATING',
    heartbeat_timeout: hook.heartbeatTimeoutSeconds ?? 3600,
    default_result: hook.defaultResult ?? 'ABANDON',
    notification_target_arn: hook.notificationTargetArn,
    role_arn: hook.roleArn,
    notification_metadata: hook.notificationMetadata,
  };
}

function toOverride(requirements: InstanceRequirements) {
  return {
    vcpuCount: { min: requirements.vcpuCount.min, max: requirements.vcpuCount.max },
    memoryMib: { min: requirements.memoryMiB.min, max: requirements.memoryMiB.max },
    cpuManufacturers: requirements.cpuManufacturers ? [...requirements.cpuManufacturers] : undefined,
    burstablePerformance: requirements.burstablePerformance ?? 'excluded',
    allowedInstanceTypes: requirements.allowedInstanceTypes ? [...requirements.allowedInstanceTypes] : undefined,
    excludedInstanceTypes: requirements.excludedInstanceTypes ? [...requirements.excludedInstanceTypes] : undefined,
  };
}
