import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { Construct } from 'constructs';
import { ImmutableLaunchTemplate } from '../compute/immutable-launch-template';
import { ServerSettings, validateServerSettings } from '../compute/server-settings';
import { IImageSource } from '../image/image-source';
import { Generation } from '../immutability/generation';
import { isLiteral, show, Validator } from '../private/validation';
import { otherSlot, SLOT_NAMES, SlotName } from '../release/release-file';
import { FleetBase, FleetOutput, TrafficGuard } from './fleet-base';
import { Capacity, FleetBaseProps } from './fleet-options';
import { mergeServerSettings, validateCapacity } from './private/fleet-common';
import { TargetGroupRef } from './private/fleet-front-end';
import { ServerGroup } from './private/server-group';
import { trafficWeights } from './private/traffic';

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
export class BlueGreenFleet extends FleetBase {
  /** The slots. */
  public readonly slots: { readonly blue: FleetSlot; readonly green: FleetSlot };
  /** The slot that receives the traffic. */
  public readonly active: SlotName;
  /** Percent of requests sent to the idle slot. */
  public readonly canaryPercent: number;
  /** The forwarding listener (created load balancer) or listener rule (existing listener). */
  public readonly listener: LbListener | LbListenerRule;

  constructor(scope: Construct, id: string, props: BlueGreenFleetProps) {
    super(scope, id, props);
    const check = new Validator(this);
    const slotSettings = validateSlots(check, props, this._capacity);
    this.active = props.active;
    this.canaryPercent = props.canaryPercent ?? 0;
    const weights = trafficWeights(this.active, this.canaryPercent);

    const built = {} as Record<SlotName, BuiltSlot>;
    for (const slot of SLOT_NAMES) {
      const slotProps = props.slots[slot];
      const scope = new Construct(this, title(slot));
      const targetGroup = this._targetGroup(scope, slot);
      const capacity = slotProps.capacity ?? this._capacity;
      const settings = mergeServerSettings(this._server, slotSettings[slot]);
      // the fleet's and the slot's security groups together, less the fleet's own group
      checkNoRepeats(check, `server.securityGroupIds + slots.${slot}.securityGroupIds`, settings.securityGroupIds?.slice(1));
      const group = slotProps.image ? this._serverGroup(scope, { slot, image: slotProps.image, settings, capacity, targetGroup }) : undefined;
      built[slot] = { name: slot, weight: weights[slot], targetGroup, group, capacity };
    }

    // The traffic plan as Terraform sees it: per slot its weight, capacity and the
    // image of its launch template. The preconditions read it; the listener carries
    // the same weights as literals, so that promote and rollback show as a change of
    // the listener and of nothing else.
    const plan = Object.fromEntries(SLOT_NAMES.map((slot) => [slot, {
      weight: built[slot].weight,
      min_size: built[slot].group ? built[slot].capacity.min : 0,
      max_size: built[slot].group ? built[slot].capacity.max : 0,
      image_id: built[slot].group?.launchTemplate.resource.imageId ?? '',
    }]));
    const guards: TrafficGuard[] = SLOT_NAMES.map((slot) => ({
      condition: (local) => `${local(`${slot}.weight`)} == 0 || (${local(`${slot}.min_size`)} > 0 && ${local(`${slot}.image_id`)} != "")`,
      errorMessage: `${this.node.path}: the ${slot} slot would receive traffic but has no image or no capacity (min 0). Stage an image with capacity in it first, or give it no weight (active / canaryPercent).`,
    }));
    guards.push({
      condition: (local) => `${local('blue.weight')} >= 0 && ${local('green.weight')} >= 0 && ${local('blue.weight')} + ${local('green.weight')} == 100`,
      errorMessage: `${this.node.path}: the listener weights of the blue and green slots must be between 0 and 100 and add up to 100 (canaryPercent must be 0 to 100).`,
    });
    this.listener = this._routeTraffic(plan, SLOT_NAMES.map((slot) => ({ targetGroupArn: built[slot].targetGroup.arn, weight: built[slot].weight })), guards);
    this.slots = {
      blue: publicSlot(built.blue),
      green: publicSlot(built.green),
    };

    const outputs: FleetOutput[] = [{ id: 'ActiveSlot', suffix: 'active_slot', value: this.active, description: 'The slot that receives the traffic' }];
    for (const slot of SLOT_NAMES) {
      outputs.push(
        { id: `${title(slot)}Generation`, suffix: `${slot}_generation`, value: built[slot].group?.generation.hash ?? '', description: `Generation running in the ${slot} slot ("" when empty)` },
        { id: `${title(slot)}AsgName`, suffix: `${slot}_asg_name`, value: built[slot].group?.autoScalingGroup.name ?? '', description: `Auto scaling group of the ${slot} slot ("" when empty)` },
      );
    }
    this._addOutputs(outputs);
  }
}

/** A slot as the constructor builds it. */
interface BuiltSlot {
  readonly name: SlotName;
  readonly weight: number;
  readonly targetGroup: TargetGroupRef;
  readonly group?: ServerGroup;
  readonly capacity: Capacity;
}

function title(slot: SlotName): string {
  return slot === 'blue' ? 'Blue' : 'Green';
}

function publicSlot(slot: BuiltSlot): FleetSlot {
  return {
    name: slot.name,
    weight: slot.weight,
    targetGroup: slot.targetGroup.resource,
    launchTemplate: slot.group?.launchTemplate,
    autoScalingGroup: slot.group?.autoScalingGroup,
    generation: slot.group?.generation,
  };
}

/**
 * Validates the props only a blue/green fleet has, where they enter: the slots (their
 * capacity and server settings, prefix `slots.<slot>.`), `active` and `canaryPercent`.
 * Returns each slot's server settings (without image and capacity), checked.
 */
function validateSlots(check: Validator, props: BlueGreenFleetProps, fleetCapacity: Capacity): Record<SlotName, ServerSettings> {
  if (!props.slots || typeof props.slots !== 'object' || !props.slots.blue || !props.slots.green) {
    check.fail(`slots (${show(props.slots === undefined ? undefined : Object.keys(props.slots))}) must have a blue and a green entry; use {} for an empty slot.`);
  }
  if (props.active !== 'blue' && props.active !== 'green') {
    check.fail(`active (${show(props.active)}) must be "blue" or "green".`);
  }
  const canary = props.canaryPercent ?? 0;
  check.integer('canaryPercent', canary, 0, 100);
  const idle = otherSlot(props.active);
  const settings = {} as Record<SlotName, ServerSettings>;
  for (const slot of SLOT_NAMES) {
    const slotProps = props.slots[slot];
    if (slotProps.capacity) {
      validateCapacity(check, `slots.${slot}.capacity`, slotProps.capacity);
    }
    const { image: _image, capacity: _capacity, ...slotSettings } = slotProps;
    validateServerSettings(check, slotSettings, `slots.${slot}.`);
    settings[slot] = slotSettings;
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
    const min = capacity.min;
    if (isLiteral(min) && min < 1) {
      const prop = slotProps.capacity ? `slots.${slot}.capacity.min` : 'capacity.min';
      check.fail(`${prop} (${min}) must be >= 1 because ${why}; a slot that receives traffic needs running instances.`);
    }
  }
  return settings;
}

/**
 * The fleet's and a slot's security groups are each checked where they enter; here
 * only that no group is in both.
 */
function checkNoRepeats(check: Validator, prop: string, values: readonly string[] | undefined): void {
  const seen = new Set<string>();
  (values ?? []).forEach((value, i) => {
    if (isLiteral(value)) {
      if (seen.has(value)) {
        check.fail(`${prop}[${i}] (${show(value)}) is listed twice; list each value once.`);
      }
      seen.add(value);
    }
  });
}
