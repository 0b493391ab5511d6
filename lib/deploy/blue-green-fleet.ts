import { dependable, Lazy, Precondition, TerraformLocal } from 'cdktf';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { Construct } from 'constructs';
import { ImmutableLaunchTemplate } from '../compute/immutable-launch-template';
import { IInstanceProfile } from '../compute/instance-profile';
import { ServerSettings } from '../compute/server-settings';
import { IImageSource } from '../image/image-source';
import { Generation } from '../immutability/generation';
import { ImmutabilityAspect } from '../immutability/immutability-aspect';
import { buildFleetCommon, mergeServerSettings, validateCapacity, validateFleetBase } from '../private/fleet-common';
import { fleetOutput, outputPrefix } from '../private/fleet-front-end';
import { buildServerGroup, ServerGroup } from '../private/server-group';
import { isLiteral, show, Validator } from '../private/validate';
import { validateServerSettings } from '../private/validate-server-settings';
import { Capacity, FleetBaseProps } from './fleet-options';
import { otherSlot, SLOT_NAMES, SlotName } from '../release/release-file';
import { trafficWeights } from './traffic';

/**
 * One slot of a blue/green fleet: its image (none = an empty slot), capacity and any
 * server settings that differ from the fleet's.
 */
export interface FleetSlotProps extends ServerSettings {
  /**
   * The image this slot runs. A slot without an image has no launch template and no
   * auto scaling group (only its target group), and cannot receive traffic.
   * @default - an empty slot
   */
  readonly image?: IImageSource;
  /**
   * Capacity of this slot (for example a smaller idle slot).
   * @default - the fleet's `capacity`
   */
  readonly capacity?: Capacity;
}

/** The two slots. */
export interface BlueGreenSlots {
  /** The blue slot. */
  readonly blue: FleetSlotProps;
  /** The green slot. */
  readonly green: FleetSlotProps;
}

/**
 * Props of {@link BlueGreenFleet}. They map one to one onto a release file:
 * `{ slots: { blue: { image }, green: { image } }, active, canary }`.
 */
export interface BlueGreenFleetProps extends FleetBaseProps {
  /** The two slots. Slot settings override the fleet's `server` settings field by field. */
  readonly slots: BlueGreenSlots;
  /** The slot that receives the traffic (all of it, less the canary). */
  readonly active: SlotName;
  /**
   * Percent of requests sent to the idle slot (0 to 100); the idle slot needs an
   * image and capacity when it is above 0.
   * @default 0
   */
  readonly canaryPercent?: number;
}

/** What one slot of a {@link BlueGreenFleet} consists of. */
export interface FleetSlot {
  /** `blue` or `green`. */
  readonly name: SlotName;
  /** Percent of requests the listener sends to this slot. */
  readonly weight: number;
  /** The slot's target group; it exists from the first deploy, with or without an image. */
  readonly targetGroup: LbTargetGroup;
  /** The current generation's launch template (none for an empty slot). */
  readonly launchTemplate?: ImmutableLaunchTemplate;
  /** The current generation's auto scaling group (none for an empty slot). */
  readonly autoScalingGroup?: AutoscalingGroup;
  /** The slot's generation (none for an empty slot). */
  readonly generation?: Generation;
}

/**
 * Two slots, blue and green, behind one application load balancer listener.
 *
 * - Each slot has a target group with a fixed name (`<name>-<slot>`) from the first
 *   deploy, and, when it has an image, a launch template and auto scaling group named
 *   by the slot's generation (`<name>-<slot>-<generation>`), replaced
 *   create-before-destroy and gated on load balancer health (`min_elb_capacity`).
 * - The listener forwards to both target groups with weights from `active` and
 *   `canaryPercent`; Terraform preconditions on it refuse weight for a slot without an
 *   image or capacity, and weights that do not add up to 100.
 *
 * Deploy: put the new image in the idle slot (only that slot's launch template and
 * group are replaced; the new group must be healthy behind the load balancer before
 * the old one is destroyed; no traffic moves), then flip `active` (only the listener
 * changes). Rollback: flip `active` back; the previous generation is still running.
 */
export class BlueGreenFleet extends Construct {
  /** The slots. */
  public readonly slots: { readonly blue: FleetSlot; readonly green: FleetSlot };
  /** The slot that receives the traffic. */
  public readonly active: SlotName;
  /** Percent of requests sent to the idle slot. */
  public readonly canaryPercent: number;
  /** The forwarding listener (created load balancer) or listener rule (existing listener). */
  public readonly listener: LbListener | LbListenerRule;
  /** The load balancer, when the fleet created it. */
  public readonly loadBalancer?: Lb;
  /** DNS name of the load balancer, when known. */
  public readonly loadBalancerDnsName?: string;
  /** Id of the instances' security group (ingress from the load balancer only). */
  public readonly instanceSecurityGroupId: string;
  /** The instance profile shared by both slots. */
  public readonly instanceProfile: IInstanceProfile;

  constructor(scope: Construct, id: string, props: BlueGreenFleetProps) {
    super(scope, id);
    ImmutabilityAspect.enable(this);
    const check = new Validator(this, 'BlueGreenFleet');
    const defaults = validateFleetBase(check, props);
    validateSlots(check, props);
    const common = buildFleetCommon(this, props, defaults);
    this.active = props.active;
    this.canaryPercent = props.canaryPercent ?? 0;
    this.loadBalancer = common.frontEnd.loadBalancer;
    this.loadBalancerDnsName = common.frontEnd.dnsName;
    this.instanceSecurityGroupId = common.frontEnd.instanceSecurityGroupId;
    this.instanceProfile = common.instanceProfile;
    const weights = trafficWeights(props.active, this.canaryPercent);

    const built = {} as Record<SlotName, FleetSlot & { group?: ServerGroup; capacity: Capacity; targetGroupArn: string }>;
    for (const slot of SLOT_NAMES) {
      const slotProps = props.slots[slot];
      const scope = new Construct(this, slot === 'blue' ? 'Blue' : 'Green');
      const targetGroup = common.frontEnd.targetGroup(scope, 'TargetGroup', slot);
      const capacity = slotProps.capacity ?? common.capacity;
      const { image, capacity: _capacity, ...settings } = slotProps;
      const merged = mergeServerSettings(common.server, settings);
      // the fleet's and the slot's security groups together, less the fleet's own group
      check.eachPattern(`server.securityGroupIds + slots.${slot}.securityGroupIds`, merged.securityGroupIds?.slice(1), /^sg-/, 'a security group id');
      const group = image ? buildServerGroup(scope, {
        base: common.base,
        slot,
        image,
        settings: merged,
        capacity,
        subnetIds: props.subnetIds,
        targetGroup,
        healthCheck: common.healthCheck,
        scaling: props.scaling,
        loadBalancerArnSuffix: common.frontEnd.loadBalancerArnSuffix,
      }) : undefined;
      built[slot] = {
        name: slot,
        weight: weights[slot],
        targetGroup: targetGroup.resource,
        targetGroupArn: targetGroup.arn,
        launchTemplate: group?.launchTemplate,
        autoScalingGroup: group?.autoScalingGroup,
        generation: group?.generation,
        group,
        capacity,
      };
    }

    // The traffic plan as Terraform sees it: per slot its weight, capacity and the
    // image of its launch template. The preconditions read it; the listener carries
    // the same weights as literals, so that promote and rollback show as a change of
    // the listener and of nothing else.
    const traffic = new TerraformLocal(this, 'Traffic', Object.fromEntries(SLOT_NAMES.map((slot) => [slot, {
      weight: built[slot].weight,
      min_size: built[slot].group ? built[slot].capacity.min : 0,
      max_size: built[slot].group ? built[slot].capacity.max : 0,
      image_id: built[slot].launchTemplate?.resource.imageId ?? '',
    }])));
    const local = (path: string) => `local.${traffic.friendlyUniqueId}.${path}`;
    const preconditions: Precondition[] = SLOT_NAMES.map((slot) => ({
      condition: Lazy.anyValue({
        produce: () => `\${${local(`${slot}.weight`)} == 0 || (${local(`${slot}.min_size`)} > 0 && ${local(`${slot}.image_id`)} != "")}`,
      }),
      errorMessage: `${this.node.path}: the ${slot} slot would receive traffic but has no image or no capacity (min 0). Stage an image with capacity in it first, or give it no weight (active / canaryPercent).`,
    }));
    preconditions.push({
      condition: Lazy.anyValue({
        produce: () => `\${${local('blue.weight')} >= 0 && ${local('green.weight')} >= 0 && ${local('blue.weight')} + ${local('green.weight')} == 100}`,
      }),
      errorMessage: `${this.node.path}: the listener weights of the blue and green slots must be between 0 and 100 and add up to 100 (canaryPercent must be 0 to 100).`,
    });
    this.listener = common.frontEnd.route(SLOT_NAMES.map((slot) => ({ targetGroupArn: built[slot].targetGroupArn, weight: built[slot].weight })), preconditions);
    for (const slot of SLOT_NAMES) {
      const policy = built[slot].group?.scalingPolicy;
      if (policy && props.scaling?.metric === 'requests-per-target') {
        // ALBRequestCountPerTarget needs the target group to be in use by the listener
        policy.dependsOn = [dependable(this.listener)];
      }
    }
    this.slots = {
      blue: publicSlot(built.blue),
      green: publicSlot(built.green),
    };

    const prefix = outputPrefix(common.base);
    if (this.loadBalancerDnsName !== undefined) {
      fleetOutput(this, 'LoadBalancerDnsName', `${prefix}_alb_dns_name`, this.loadBalancerDnsName, 'DNS name of the load balancer');
    }
    fleetOutput(this, 'ActiveSlot', `${prefix}_active_slot`, this.active, 'The slot that receives the traffic');
    for (const slot of SLOT_NAMES) {
      const title = slot === 'blue' ? 'Blue' : 'Green';
      fleetOutput(this, `${title}Generation`, `${prefix}_${slot}_generation`, built[slot].generation?.hash ?? '', `Generation running in the ${slot} slot ("" when empty)`);
      fleetOutput(this, `${title}AsgName`, `${prefix}_${slot}_asg_name`, built[slot].autoScalingGroup?.name ?? '', `Auto scaling group of the ${slot} slot ("" when empty)`);
    }
  }
}

function publicSlot(slot: FleetSlot): FleetSlot {
  return {
    name: slot.name,
    weight: slot.weight,
    targetGroup: slot.targetGroup,
    launchTemplate: slot.launchTemplate,
    autoScalingGroup: slot.autoScalingGroup,
    generation: slot.generation,
  };
}

function validateSlots(check: Validator, props: BlueGreenFleetProps): void {
  if (!props.slots || typeof props.slots !== 'object' || !props.slots.blue || !props.slots.green) {
    check.fail(`slots (${show(props.slots === undefined ? undefined : Object.keys(props.slots))}) must have a blue and a green entry; use {} for an empty slot.`);
  }
  if (props.active !== 'blue' && props.active !== 'green') {
    check.fail(`active (${show(props.active)}) must be "blue" or "green".`);
  }
  const canary = props.canaryPercent ?? 0;
  if (isLiteral(canary) && (!Number.isInteger(canary) || canary < 0 || canary > 100)) {
    check.fail(`canaryPercent (${show(canary)}) must be an integer from 0 to 100.`);
  }
  const idle = otherSlot(props.active);
  const fleetCapacity = props.capacity;
  for (const slot of SLOT_NAMES) {
    const slotProps = props.slots[slot];
    if (slotProps.capacity) {
      validateCapacity(check, `slots.${slot}.capacity`, slotProps.capacity);
    }
    const { image: _image, capacity: _capacity, ...settings } = slotProps;
    validateServerSettings(check, settings, `slots.${slot}.`);
    // a token canary is not validated: the listener's preconditions check it at plan
    const receives = slot === props.active || (slot === idle && isLiteral(canary) && canary > 0);
    if (!receives) {
      continue;
    }
    const why = slot === props.active ? `it is the active slot (active: "${slot}")` : `canaryPercent (${canary}) sends it traffic`;
    if (!slotProps.image) {
      check.fail(`slots.${slot}.image is not set, but ${why}. Stage an image in slots.${slot} first${slot === props.active ? `, or make "${idle}" active` : ', or set canaryPercent to 0'}.`);
    }
    const capacity = slotProps.capacity ?? fleetCapacity;
    const min = capacity?.min;
    if (capacity && isLiteral(min) && min < 1) {
      const prop = slotProps.capacity ? `slots.${slot}.capacity.min` : 'capacity.min';
      check.fail(`${prop} (${min}) must be >= 1 because ${why}; a slot that receives traffic needs running instances.`);
    }
  }
}
