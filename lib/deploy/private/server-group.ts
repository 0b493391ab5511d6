import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { AutoscalingPolicy } from '@cdktf/provider-aws/lib/autoscaling-policy';
import { Construct } from 'constructs';
import { ImmutableLaunchTemplate } from '../../compute/immutable-launch-template';
import { InstanceRequirements } from '../../compute/instance-type';
import { ServerSettings } from '../../compute/server-settings';
import { IImageSource } from '../../image/image-source';
import { Generation } from '../../immutability/generation';
import { generationName, NameRule } from '../../immutability/naming';
import { bareReference } from '../../immutability/reference';
import { ResourcePolicy } from '../../immutability/resource-policy';
import { Capacity } from '../fleet-options';
import { FleetScaling } from '../fleet-scaling';
import { EffectiveHealthCheck, TargetGroupRef } from './fleet-front-end';

/** What one generation is built from; every value is checked where it entered the fleet. */
export interface ServerGroupProps {
  readonly base: string;
  readonly slot?: string;
  readonly image: IImageSource;
  readonly settings: ServerSettings;
  readonly capacity: Capacity;
  readonly subnetIds: readonly string[];
  readonly targetGroup: TargetGroupRef;
  readonly healthCheck: EffectiveHealthCheck;
  readonly scaling?: FleetScaling;
  readonly loadBalancerArnSuffix: string;
}

/** One generation's launch template, auto scaling group and scaling policy. */
export interface ServerGroup {
  readonly launchTemplate: ImmutableLaunchTemplate;
  readonly autoScalingGroup: AutoscalingGroup;
  readonly scalingPolicy?: AutoscalingPolicy;
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
 *   of its instances are healthy in the target group before it destroys the old one.
 * - Desired capacity: without scaling, it is managed only when given (else AWS starts
 *   at `min`); with scaling, `ignore_changes = [desired_capacity]`, so the policy's
 *   changes are not undone by the next apply.
 */
export function buildServerGroup(scope: Construct, props: ServerGroupProps): ServerGroup {
  const { capacity, healthCheck, targetGroup } = props;
  // Group settings that are part of what runs; filtered through the resource policy
  // so that an attribute the policy declares operational never renames the group.
  const groupSettings: Record<string, unknown> = {
    vpc_zone_identifier: [...props.subnetIds],
    target_group_arns: [targetGroup.arn],
    health_check_type: 'ELB',
    health_check_grace_period: healthCheck.gracePeriodSeconds,
  };
  const generationInputs = Object.fromEntries(
    Object.entries(groupSettings).filter(([attribute]) => !ResourcePolicy.isOperationalAttribute('aws_autoscaling_group', attribute)),
  );
  // the settings were checked where they entered the fleet (`server.`, `slots.<slot>.`)
  const launchTemplate = ImmutableLaunchTemplate._fromCheckedSettings(scope, 'LaunchTemplate', {
    ...props.settings,
    image: props.image,
    name: props.base,
    slot: props.slot,
    generationInputs,
  });
  const generation = launchTemplate.generation;
  const requirements = launchTemplate.instanceType.requirements;
  const gate = capacity.desired ?? capacity.min;
  const groupName = generationName(NameRule.AUTOSCALING_GROUP, { base: props.base, slot: props.slot, generation });
  const autoScalingGroup = new AutoscalingGroup(scope, 'AutoScalingGroup', {
    name: groupName,
    minSize: capacity.min,
    maxSize: capacity.max,
    desiredCapacity: capacity.desired,
    vpcZoneIdentifier: [...props.subnetIds],
    targetGroupArns: [targetGroup.arn],
    healthCheckType: 'ELB',
    healthCheckGracePeriod: healthCheck.gracePeriodSeconds,
    minElbCapacity: gate === 0 ? undefined : gate,
    waitForCapacityTimeout: healthCheck.gateTimeout,
    launchTemplate: requirements ? undefined : { id: launchTemplate.launchTemplateId, version: launchTemplate.version },
    mixedInstancesPolicy: requirements ? {
      launchTemplate: {
        launchTemplateSpecification: { launchTemplateId: launchTemplate.launchTemplateId, version: launchTemplate.version },
        override: [{ instanceRequirements: toOverride(requirements) }],
      },
    } : undefined,
    tag: [
      { key: 'cdktf-immutable:generation', value: generation.hash, propagateAtLaunch: false },
      ...(props.slot ? [{ key: 'cdktf-immutable:slot', value: props.slot, propagateAtLaunch: false }] : []),
    ],
    lifecycle: {
      ignoreChanges: props.scaling ? ['desired_capacity'] : undefined,
      // The name changes with the generation anyway; the trigger makes sure a group is
      // never pointed at another launch template in place, whatever replaced it.
      replaceTriggeredBy: [bareReference(launchTemplate.resource, 'id'), ...launchTemplate.replaceTriggeredBy],
    },
  });
  const scalingPolicy = props.scaling ? new AutoscalingPolicy(scope, 'ScalingPolicy', {
    // Policy names only need to be unique per group, but moto keys them by name alone:
    // the group's name keeps them unique across slots and generations.
    name: `${groupName}-${props.scaling.metric === 'cpu' ? 'cpu' : 'requests'}-target-tracking`,
    autoscalingGroupName: autoScalingGroup.name,
    policyType: 'TargetTrackingScaling',
    targetTrackingConfiguration: {
      targetValue: props.scaling.targetValue,
      predefinedMetricSpecification: props.scaling.metric === 'cpu'
        ? { predefinedMetricType: 'ASGAverageCPUUtilization' }
        : { predefinedMetricType: 'ALBRequestCountPerTarget', resourceLabel: `${props.loadBalancerArnSuffix}/${targetGroup.resource.arnSuffix}` },
    },
    // replaced with its group; its name is unique per group, so no collision
    lifecycle: { createBeforeDestroy: true },
  }) : undefined;
  return { launchTemplate, autoScalingGroup, scalingPolicy, generation };
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
