import { Annotations, TerraformLocal, TerraformResource, TerraformStack, Token } from 'cdktf';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { AutoscalingSchedule } from '@cdktf/provider-aws/lib/autoscaling-schedule';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DataAwsAutoscalingGroup } from '@cdktf/provider-aws/lib/data-aws-autoscaling-group';
import { DataAwsAutoscalingGroups } from '@cdktf/provider-aws/lib/data-aws-autoscaling-groups';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { Construct } from 'constructs';
import { ImmutableLaunchTemplate } from '../compute/immutable-launch-template';
import { IInstanceProfile } from '../compute/instance-profile';
import { CheckedServerSettings, ServerSettings, validateServerSettings } from '../compute/server-settings';
import { IImageSource } from '../image/image-source';
import { Generation } from '../immutability/generation';
import { PinnedMetadata, recordPinned, sameImageCommand } from '../immutability/lifecycle-metadata';
import { isLiteral, show, Validator } from '../private/validation';
import { ENVIRONMENT_PATTERN, otherSlot, SLOT_NAMES, SlotName } from '../release/release-file';
import { buildSlotAlarms, FleetAlarms, slotAlarmNames, validateFleetAlarms } from './fleet-alarms';
import { FleetBase } from './fleet-base';
import { FleetConnections } from './fleet-connections';
import { FleetWatchdog, FleetWatchdogOptions } from './fleet-watchdog';
import { Capacity, FleetBaseProps, SpotOptions, WarmUpAndDraining } from './fleet-options';
import {
  mergeServerSettings,
  mergeWarmUpAndDraining,
  splitWarmUpAndDraining,
  validateCapacity,
  validateMixedInstances,
  validateSpot,
  validateWarmUpAndDraining,
} from './private/fleet-common';
import {
  atLeast,
  countUntil,
  eachName,
  generationOfGroup,
  growthWait,
  groupNames,
  idleAt,
  largestDesiredCapacity,
  requiredInstances,
  requiredInstancesText,
  requiredWithinMaxCondition,
  runsImageCondition,
  sameValueCondition,
  sizeWhenIdle,
  SlotPlan,
  slotPlan,
  trafficValue,
  weightServedCondition,
  weightsAddUpCondition,
} from './private/expressions';
import { TargetGroupRef } from './private/fleet-front-end';
import type { FleetFixedName } from './private/fleet-names';
import { FleetOutput, FleetParts, outputPrefix, TrafficGuard } from './private/fleet-parts';
import { pinnedTargetGroupIgnores, pinningEnabled } from './private/pinning';
import { ReleaseMarker } from './private/release-marker';
import { elbGate, FLEET_TAG, GENERATION_TAG, ServerGroup, SLOT_TAG } from './private/server-group';
import { FleetTestRoute, TEST_ROUTE_HEADER_VALUE } from './fleet-test-route';
import { buildTestRoute } from './private/test-route';
import { trafficWeights } from './private/traffic';

/**
 * One slot of a blue/green fleet: its image (none = an empty slot), capacity, and any
 * server settings and warm-up and draining settings that differ from the fleet's.
 */
export interface FleetSlotProps extends ServerSettings, WarmUpAndDraining {
  /**
   * The image this slot runs. A slot without an image has no launch template and no
   * auto scaling group (only its target group), and cannot receive traffic.
   * @default - an empty slot
   */
  readonly image?: IImageSource;
  /**
   * Capacity of this slot (for example a smaller idle slot). When the slot takes
   * weight from the other slot, it runs at least its share of the other slot's
   * current desired capacity, whatever this says (see {@link BlueGreenFleet}).
   * @default - the fleet's `capacity`
   */
  readonly capacity?: Capacity;
  /**
   * Spot options of this slot, instead of the fleet's `spot` (the whole object). Part of
   * the slot's generation: a change reaches the slot when a release is staged into it
   * (`release stage <env> --same-image` for the serving one).
   * @default - the fleet's `spot`
   */
  readonly spot?: SpotOptions;
  /**
   * When this slot stopped serving (ISO 8601, UTC): the release file's
   * `slots.<slot>.idleSince`, which `fromRelease` maps here. With `idleCapacity`, the
   * slot is scaled in to `idleCapacity.min` once it has been idle for
   * `idleCapacity.after`. Only on a slot that takes no traffic.
   * @default - the slot is not idle
   */
  readonly idleSince?: string;
}

/**
 * How far the slot that no longer serves is scaled in, and when (see
 * {@link BlueGreenFleetProps.idleCapacity}).
 */
export interface IdleCapacity {
  /**
   * How long the slot keeps its full size after it stopped serving, so that a rollback
   * in that time is a listener change only: minutes, hours or days, such as `30m`, `2h`,
   * `1d` or `1d12h` (1 minute to 365 days).
   */
  readonly after: string;
  /**
   * The slot's size once scaled in (its `min_size` and desired capacity).
   * @default 0
   */
  readonly min?: number;
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
  /**
   * CloudWatch alarms per slot on its target group's 5xx rate and unhealthy hosts,
   * named after the fleet (`<name>-<slot>-5xx-rate`, `<name>-<slot>-unhealthy-hosts`)
   * so that `release promote --alarm` can name them; `release advance` aborts a
   * rollout when one is in ALARM.
   * @default - no alarms
   */
  readonly alarms?: FleetAlarms;
  /**
   * The slot that follows the code: the slot `release stage` put the release in, until
   * it is promoted (a canary does not end it) or another stage replaces it; `'none'`
   * when no release is staged. Every other slot with an image is **pinned**: its launch
   * template, auto scaling group and target group keep the definition they were deployed
   * with (Terraform `ignore_changes`), whatever the code says now, so that a change of
   * the server settings in code (user data, instance type, security groups...) never
   * reaches the serving slot or the rollback slot outside a release. Capacity, scaling
   * and the listener's weights still change on every slot. `fromRelease` sets it from
   * the release file. The context key `cdktf-immutable:pinning` set to `false` switches
   * pinning off for the whole app (every slot follows the code).
   * @default - the idle slot follows the code and the active slot is pinned (a warning
   *   says so: set it, or build the fleet with fromRelease, to say which slot is staged)
   */
  readonly stagedSlot?: SlotName | 'none';
  /**
   * Scale in the slot that no longer serves once it has been idle for
   * `idleCapacity.after` (the release file records when it went idle:
   * `slots.<slot>.idleSince`, mapped by `fromRelease`). An `aws_autoscaling_schedule`
   * sets the slot's group to `idleCapacity.min` at that time, and every plan from then on
   * sizes the group the same way (the plan's own time is compared with it), so a later
   * deploy does not scale it out again. A promote or rollback onto the slot clears the
   * mark: the slot grows back (to at least the size of the slot it relieves, the traffic
   * guard's capacity rule) before the listener moves. That rollback waits for new
   * instances to launch and pass the health check, instead of a listener change only.
   * @default - the idle slot keeps its size
   */
  readonly idleCapacity?: IdleCapacity;
  /**
   * The environment of the release file the fleet is built from (`fromRelease` sets
   * it): the messages about pinned slots name the command for it
   * (`cdktf-immutable release stage <env> --same-image`), and the pinned slots'
   * metadata records it for `release status`.
   * @default - messages say `<env>`
   */
  readonly releaseEnvironment?: string;
  /**
   * A canary watchdog in AWS (see {@link FleetWatchdog}): an EventBridge rule on the
   * watched alarms and a Lambda function that, when an alarm of the canary slot goes to
   * ALARM, sets the listener's weights back to the active slot within seconds and records
   * the abort in the SSM parameter `/cdktf-immutable/watchdog/<name>`, where
   * `release advance`, `status` and `run` read it. It watches the fleet's own alarms
   * unless `watchdog.alarms` names others.
   * @default - no watchdog: a canary is aborted only when `release advance` runs
   */
  readonly watchdog?: FleetWatchdogOptions;
  /**
   * A test route to the idle slot (the slot a release is staged in, or the canary): a
   * listener rule that forwards requests carrying the header
   * `X-Cdktf-Immutable-Slot: staged` to the idle slot's target group, so that a check
   * (`release promote --verify`) can reach the new release before it takes traffic.
   * Anyone who can reach the listener can send the header: do not turn it on where the
   * staged release must stay private.
   * @default - no test route
   */
  readonly testRoute?: FleetTestRoute;
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
  /** The slot's CloudWatch alarms (`alarms`; empty when the fleet has none). */
  readonly alarms: readonly CloudwatchMetricAlarm[];
  /**
   * True when the slot is pinned: it has an image, is not the staged slot, and keeps the
   * definition it was deployed with (see {@link BlueGreenFleetProps.stagedSlot}).
   */
  readonly pinned: boolean;
  /**
   * The slot's release marker (a `terraform_data` whose input is the slot's image; none
   * for an empty slot): a pinned slot's launch template is replaced when it changes, so
   * a new image staged and promoted in one apply still reaches the slot, while a change
   * of the server settings alone never does.
   */
  readonly releaseMarker?: TerraformResource;
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
 * - The listener depends on both slots' groups: in one apply that stages and
 *   promotes, traffic moves only after the new group was created and passed its gate.
 * - A slot that carries weight runs at least `ceil(weight / 100 * other)` instances,
 *   where `other` is the other slot's desired capacity read at plan time (data
 *   sources `RunningGroups` / `RunningGroup`: the groups tagged with the fleet's name
 *   and the other slot; 0 when there is none yet).
 *   The fleet raises the slot's `min_size` (and `desired_capacity` when given) to
 *   that number, so a new group starts at that size and waits for that many healthy
 *   instances, and an existing group grows before the listener moves. When the
 *   number is above the slot's `max`, the plan stops and says what to scale.
 *
 * Deploy: put the new image in the idle slot (only that slot's launch template and
 * group are replaced; the new group must be healthy behind the load balancer before
 * the old one is destroyed; no traffic moves), then flip `active` (only the listener
 * changes). Rollback: flip `active` back; the previous generation is still running.
 *
 * Only the staged slot follows the code (`stagedSlot`); the serving slot and the
 * rollback slot are pinned to what they were deployed with. A change of the server
 * settings in code is shipped like an image: `release stage <env> --same-image` puts
 * the active image into the idle slot, which takes the code's definition, then
 * promote. Until then a Terraform `check` on the serving slot warns at each plan that
 * the code differs from what it runs, and synth says which slots are pinned.
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
  /** Base of the fleet's names (`props.name`, or `<stack>-<id>` in lowercase). */
  public readonly fleetName: string;
  /** ARN of the listener the fleet's traffic comes in by (created, existing or shared). */
  public readonly listenerArn: string;
  /** The load balancer, when the fleet created it. */
  public readonly loadBalancer?: Lb;
  /** Id of the load balancer's security group (created, existing or shared). */
  public readonly loadBalancerSecurityGroupId: string;
  /** DNS name of the load balancer, when known. */
  public readonly loadBalancerDnsName?: string;
  /** `app/<name>/<id>` of the load balancer, the `LoadBalancer` dimension of its metrics. */
  public readonly loadBalancerArnSuffix: string;
  /** Id of the instances' security group (ingress from the load balancer only). */
  public readonly instanceSecurityGroupId: string;
  /** The instances' security group, to add rules to. */
  public readonly connections: FleetConnections;
  /** The instance profile of the instances (shared by both slots). */
  public readonly instanceProfile: IInstanceProfile;
  /** The canary watchdog, when `watchdog` is set. */
  public readonly watchdog?: FleetWatchdog;
  /**
   * The URL of the test route (`testRoute`) on a load balancer the fleet created:
   * `http(s)://<dns name>/`; send the header {@link BlueGreenFleet.testRouteHeader} with it.
   */
  public readonly testUrl?: string;
  /** The header of the test route, `X-Cdktf-Immutable-Slot: staged`, when `testRoute` is set. */
  public readonly testRouteHeader?: string;

  private readonly parts: FleetParts;

  constructor(scope: Construct, id: string, props: BlueGreenFleetProps) {
    super(scope, id);
    const parts = new FleetParts(this, props);
    this.parts = parts;
    this.fleetName = parts.props.base;
    this.loadBalancer = parts.frontEnd.loadBalancer;
    this.loadBalancerSecurityGroupId = parts.frontEnd.loadBalancerSecurityGroupId;
    this.loadBalancerDnsName = parts.frontEnd.dnsName;
    this.loadBalancerArnSuffix = parts.frontEnd.loadBalancerArnSuffix;
    this.instanceSecurityGroupId = parts.frontEnd.instanceSecurityGroupId;
    this.connections = parts.connections;
    this.instanceProfile = parts.instanceProfile;

    const check = new Validator(this);
    const checked = validateSlots(check, props, parts.props.capacity);
    validateFleetAlarms(check, props.alarms);
    const staged = validateStagedSlot(check, props);
    const idle = validateIdleCapacity(check, props, parts.props.capacity);
    this.active = props.active;
    this.canaryPercent = props.canaryPercent ?? 0;
    const weights = trafficWeights(this.active, this.canaryPercent);
    const enabled = pinningEnabled(this);
    const built = {} as Record<SlotName, BuiltSlot>;
    for (const slot of SLOT_NAMES) {
      const pinned =
        enabled && props.slots[slot].image !== undefined && slot !== staged
          ? pinnedMetadataOf(parts.props.base, slot, props)
          : undefined;
      built[slot] = buildSlot(this, parts, props, checked, { slot, weight: weights[slot], pinned, idle: idle[slot] });
    }
    sayWhatIsPinned(this, props, built, enabled);
    const running = readRunningGroups(parts.props.base, built);

    const { listener, traffic } = parts.route({
      plan: trafficPlan(built, running),
      targets: SLOT_NAMES.map((slot) => ({ targetGroupArn: built[slot].targetGroup.arn, weight: built[slot].weight })),
      guards: (local) => blueGreenGuards(this, props, local, running, built),
      groups: SLOT_NAMES.flatMap((slot) => built[slot].group ?? []),
    });
    this.listener = listener;
    this.listenerArn = parts.frontEnd.listenerArnOf(listener);
    for (const slot of SLOT_NAMES) {
      sizeToRelieve(traffic, built[slot], otherSlot(slot));
      scheduleIdleScaleIn(parts.props.base, built[slot]);
    }
    this.slots = { blue: publicSlot(built.blue), green: publicSlot(built.green) };
    const testRoute = props.testRoute
      ? buildTestRoute(this, {
          options: props.testRoute,
          listener,
          existing: parts.props.loadBalancer.existing?.options,
          https: parts.props.loadBalancer.create?.options.certificateArn !== undefined,
          dnsName: parts.frontEnd.dnsName,
          targetGroupArn: built[otherSlot(this.active)].targetGroup.arn,
        })
      : undefined;
    this.testUrl = testRoute?.url;
    this.testRouteHeader = testRoute ? `${testRoute.header}: ${TEST_ROUTE_HEADER_VALUE}` : undefined;
    if (props.watchdog) {
      this.watchdog = new FleetWatchdog(this, 'Watchdog', {
        ...props.watchdog,
        alarms: props.watchdog.alarms ?? defaultWatchdogAlarms(parts.props.base, props.alarms),
        fleetName: parts.props.base,
        ...(listener instanceof LbListenerRule ? { ruleArn: listener.arn } : { listenerArn: listener.arn }),
        targetGroupArns: { blue: built.blue.targetGroup.arn, green: built.green.targetGroup.arn },
        activeSlot: this.active,
      });
    }
    parts.addOutputs([
      ...blueGreenOutputs(parts, built, this.active, props.alarms),
      ...(testRoute
        ? [
            {
              id: 'TestUrl',
              suffix: 'test_url',
              value: testRoute.url ?? '',
              description: 'URL of the test route to the idle slot ("" on an existing listener); send test_header',
            },
            {
              id: 'TestHeader',
              suffix: 'test_header',
              value: this.testRouteHeader,
              description: 'The header that sends a request on the listener to the idle slot',
            },
          ]
        : []),
    ]);
    for (const slot of SLOT_NAMES) {
      checkPinnedDefinition(this, built[slot], props.releaseEnvironment);
    }
  }

  /** @internal */
  public get _fixedNames(): readonly FleetFixedName[] {
    // undefined while the parts are built (the fleet's own names are not checked against themselves)
    return this.parts?.frontEnd.fixedNames ?? [];
  }
}

/** A slot as the constructor builds it. */
interface BuiltSlot {
  readonly name: SlotName;
  readonly weight: number;
  readonly targetGroup: TargetGroupRef;
  readonly group?: ServerGroup;
  readonly capacity: Capacity;
  readonly scope: Construct;
  readonly alarms: CloudwatchMetricAlarm[];
  /** Set when the slot is pinned. */
  readonly pinned?: PinnedMetadata;
  readonly releaseMarker?: ReleaseMarker;
  /** Set when the slot is idle and `idleCapacity` scales it in. */
  readonly idle?: IdleSlot;
}

/** An idle slot to scale in: when (`YYYY-MM-DDThh:mm:ssZ`, or an expression) and to what size. */
interface IdleSlot {
  readonly at: string;
  readonly min: number;
}

/** What {@link validateSlots} returns: each slot's settings, checked. */
interface CheckedSlots {
  readonly settings: Record<SlotName, CheckedServerSettings>;
  readonly warmUp: Record<SlotName, WarmUpAndDraining>;
}

/**
 * One slot in its own scope (`Blue`, `Green`): its target group, its generation when it
 * has an image, and its alarms.
 */
function buildSlot(
  fleet: Construct,
  parts: FleetParts,
  props: BlueGreenFleetProps,
  checked: CheckedSlots,
  {
    slot,
    weight,
    pinned,
    idle,
  }: {
    readonly slot: SlotName;
    readonly weight: number;
    readonly pinned?: PinnedMetadata;
    readonly idle?: IdleSlot;
  },
): BuiltSlot {
  const check = new Validator(fleet);
  const slotProps = props.slots[slot];
  const scope = new Construct(fleet, title(slot));
  const warmUp = mergeWarmUpAndDraining(parts.props.warmUp, checked.warmUp[slot]);
  const targetGroup = parts.targetGroup(scope, slot, warmUp);
  if (pinned) {
    // a pinned slot's target group is never replaced: it ignores what would replace it
    const resource = targetGroup.resource;
    resource.lifecycle = {
      ...resource.lifecycle,
      ignoreChanges: pinnedTargetGroupIgnores(resource.terraformResourceType),
    };
    recordPinned(resource, pinned);
  }
  const capacity = slotProps.capacity ?? parts.props.capacity;
  const settings = mergeServerSettings(parts.server, checked.settings[slot]);
  // the fleet's and the slot's security groups together, less the fleet's own group
  // each list was checked where it entered; here only that no group is in both
  check.unique(
    `server.securityGroupIds + slots.${slot}.securityGroupIds`,
    settings.value('securityGroupIds')?.slice(1),
  );
  // a new image in the slot changes the marker, which replaces a pinned slot with the
  // code's definition; the server settings alone never do
  const releaseMarker = slotProps.image ? new ReleaseMarker(scope, 'Release') : undefined;
  const group = slotProps.image
    ? parts.serverGroup(scope, {
        slot,
        image: slotProps.image,
        settings,
        capacity,
        targetGroup,
        warmUp,
        spot: slotProps.spot,
        pinned: pinned && releaseMarker ? { metadata: pinned, marker: releaseMarker } : undefined,
      })
    : undefined;
  if (releaseMarker && group) {
    // the image as the template binds it (a literal AMI, or a reference read at plan)
    releaseMarker.input = { image: group.launchTemplate.image.imageId };
  }
  const alarms = props.alarms
    ? buildSlotAlarms(scope, {
        base: parts.props.base,
        slot,
        alarms: props.alarms,
        targetGroupArnSuffix: targetGroup.resource.arnSuffix,
        loadBalancerArnSuffix: parts.frontEnd.loadBalancerArnSuffix,
      })
    : [];
  return { name: slot, weight, targetGroup, group, capacity, scope, alarms, pinned, releaseMarker, idle };
}

/** The metadata of a pinned slot's resources: why they ignore the code, and the command that ships it. */
function pinnedMetadataOf(fleet: string, slot: SlotName, props: BlueGreenFleetProps): PinnedMetadata {
  const role = slot === props.active ? 'serves the traffic' : 'holds the rollback target';
  return {
    fleet,
    slot,
    ...(props.releaseEnvironment !== undefined ? { environment: props.releaseEnvironment } : {}),
    reason:
      `the ${slot} slot ${role} and is not staged: it keeps the definition it was deployed with until a release ` +
      `replaces it (${sameImageCommand(props.releaseEnvironment)}, then promote)`,
  };
}

/**
 * Says at synth which slots are pinned (an info per pinned slot, naming the command that
 * ships the code's definition), and warns when the fleet was not told which slot is
 * staged: then the idle slot follows the code, and a change written for the active slot
 * waits for a release.
 */
function sayWhatIsPinned(
  fleet: Construct,
  props: BlueGreenFleetProps,
  built: Record<SlotName, BuiltSlot>,
  enabled: boolean,
): void {
  if (!enabled) {
    Annotations.of(fleet).addWarning(
      'pinning is switched off (context "cdktf-immutable:pinning" is false): every slot follows the code, so a ' +
        'change of the server settings replaces the serving and the rollback slot in one apply, and guard ' +
        'refuses that plan. Remove the context key.',
    );
    return;
  }
  const command = sameImageCommand(props.releaseEnvironment);
  for (const slot of SLOT_NAMES) {
    if (built[slot].pinned) {
      const role = slot === props.active ? 'serving' : 'rollback';
      Annotations.of(built[slot].scope).addInfo(
        `the ${slot} slot (${role}) is pinned: its launch template, auto scaling group and target group keep the ` +
          `definition they were deployed with; a change of its image or server settings in code waits for a ` +
          `release: ${command}, then promote.`,
      );
    }
  }
  if (props.stagedSlot === undefined) {
    const idle = otherSlot(props.active);
    new Validator(fleet).warn(
      `stagedSlot is not set, so the idle slot "${idle}" follows the code and the active slot "${props.active}" ` +
        'is pinned to what it runs: a change of its server settings in code does not reach it, and a new image ' +
        `written for slots.${props.active} replaces the serving slot in one apply (guard refuses that plan). Ship ` +
        `both through "${idle}" (stage it there, then make it active); set stagedSlot ("${idle}" or "none"), or ` +
        'build the fleet from a release file (fromRelease), to say which slot follows the code.',
    );
  }
}

/**
 * A Terraform `check` on a pinned slot that takes traffic: at each plan it warns when
 * the code defines another launch template than the one the slot runs (its name holds
 * the generation), naming the command that ships it. The rollback slot is not checked:
 * that it runs the previous definition is its purpose.
 */
function checkPinnedDefinition(fleet: BlueGreenFleet, slot: BuiltSlot, environment: string | undefined): void {
  const group = slot.group;
  const serves = slot.name === fleet.active || !isLiteral(slot.weight) || slot.weight > 0;
  if (!slot.pinned || !group || !serves) {
    return;
  }
  const template = group.launchTemplate;
  const name = `${outputPrefix(fleet.fleetName)}_${slot.name}_pinned`;
  TerraformStack.of(fleet).addOverride(`check.${name}`, {
    assert: [
      {
        condition: sameValueCondition(template.resource.name, template.launchTemplateName),
        error_message:
          `${fleet.node.path}: the ${slot.name} slot serves traffic and is pinned: it runs the launch template ` +
          `${template.resource.name}, while the code defines ${template.launchTemplateName}. The change waits for ` +
          `a release: run "${sameImageCommand(environment)}", deploy, then promote.`,
      },
    ],
  });
}

/** A slot's running groups, read at plan time: their largest desired capacity and their names. */
interface RunningGroups {
  readonly capacity: number | string;
  /** The names, comma separated; none when the slot's groups are not read. */
  readonly names?: string;
}

/**
 * The current desired capacity of each slot, read at plan time: the groups that carry
 * the fleet's and the slot's tags (literals, so the look-up is read at plan even on the
 * first deploy), for the other slot when that one can take weight from it. The plural
 * look-up does not fail when there is no group yet (then the slot counts as 0); during
 * a replacement both generations are found and the larger counts.
 */
function readRunningGroups(base: string, built: Record<SlotName, BuiltSlot>): Record<SlotName, RunningGroups> {
  const canTakeWeight = (slot: SlotName) => !isLiteral(built[slot].weight) || built[slot].weight > 0;
  const running = {} as Record<SlotName, RunningGroups>;
  for (const slot of SLOT_NAMES) {
    const other = otherSlot(slot);
    if (!built[slot].group || !built[other].group || !canTakeWeight(other)) {
      running[slot] = { capacity: 0 };
      continue;
    }
    const found = new DataAwsAutoscalingGroups(built[slot].scope, 'RunningGroups', {
      filter: [
        { name: `tag:${FLEET_TAG}`, values: [base] },
        { name: `tag:${SLOT_TAG}`, values: [slot] },
      ],
    });
    const each = eachName(found.names);
    const current = new DataAwsAutoscalingGroup(built[slot].scope, 'RunningGroup', { forEach: each, name: each.value });
    running[slot] = { capacity: largestDesiredCapacity(current), names: groupNames(current) };
  }
  return running;
}

/**
 * The traffic plan as Terraform sees it: per slot its weight, capacity and the image
 * of its launch template. The preconditions read it; the listener carries the same
 * weights as literals, so that promote and rollback show as a change of the listener
 * and of nothing else.
 */
function trafficPlan(
  built: Record<SlotName, BuiltSlot>,
  running: Record<SlotName, RunningGroups>,
): Record<string, unknown> {
  return Object.fromEntries(
    SLOT_NAMES.map((slot) => [
      slot,
      {
        weight: built[slot].weight,
        min_size: built[slot].group ? built[slot].capacity.min : 0,
        max_size: built[slot].group ? built[slot].capacity.max : 0,
        image_id: built[slot].group?.launchTemplate.resource.imageId ?? '',
        // desired capacity of this slot's group now (0: empty, not deployed yet, or not read)
        running: running[slot].capacity,
      },
    ]),
  );
}

/**
 * The listener's guards: no weight for a slot without an image or capacity; a slot
 * that takes weight from the other can grow to its share of it; the weights add up.
 */
function blueGreenGuards(
  fleet: Construct,
  props: BlueGreenFleetProps,
  traffic: TerraformLocal,
  running: Record<SlotName, RunningGroups>,
  built: Record<SlotName, BuiltSlot>,
): TrafficGuard[] {
  const plans = { blue: slotPlan(traffic, ['blue']), green: slotPlan(traffic, ['green']) };
  const guards: TrafficGuard[] = SLOT_NAMES.map((slot) => ({
    condition: weightServedCondition(plans[slot]),
    errorMessage: noImageOrCapacityMessage(fleet.node.path, slot),
  }));
  for (const slot of SLOT_NAMES) {
    const image = built[slot].group?.launchTemplate.image.imageId;
    if (built[slot].pinned && isLiteral(image)) {
      guards.push({
        condition: runsImageCondition(plans[slot], image),
        errorMessage: pinnedImageMessage(fleet.node.path, slot, image, plans[slot], props.releaseEnvironment),
      });
    }
  }
  for (const slot of SLOT_NAMES) {
    const other = otherSlot(slot);
    const otherNames = running[other].names;
    if (otherNames === undefined) {
      continue;
    }
    guards.push({
      condition: requiredWithinMaxCondition(plans[slot], plans[other]),
      errorMessage: relieveMessage({
        path: fleet.node.path,
        slot,
        other,
        otherNames,
        maxProp: props.slots[slot].capacity ? `slots.${slot}.capacity.max` : 'capacity.max',
        plan: plans[slot],
        otherPlan: plans[other],
      }),
    });
  }
  guards.push({
    condition: weightsAddUpCondition(plans.blue, plans.green),
    errorMessage:
      `${fleet.node.path}: the listener weights of the blue and green slots must be between 0 and 100 ` +
      'and add up to 100 (canaryPercent must be 0 to 100).',
  });
  return guards;
}

/**
 * The message of the guard on a pinned slot that would take traffic while it runs
 * another image than the code (the release file) names: a pinned slot keeps its image,
 * so the stage was never deployed (stage and promote in one apply), or the image was
 * changed by hand in code.
 */
function pinnedImageMessage(
  path: string,
  slot: SlotName,
  image: string,
  plan: SlotPlan,
  environment: string | undefined,
): string {
  const env = environment ?? '<env>';
  return (
    `${path}: the ${slot} slot would receive traffic, but it is pinned and runs ${plan.imageId} while the code ` +
    `names ${image}: a pinned slot keeps the image it was deployed with. If the release was staged and promoted ` +
    `without a deploy in between, deploy the stage first (undo the promote in releases/${env}.json, cdktf deploy, ` +
    `then promote again); a new image for the serving slot goes through the idle slot ` +
    `(cdktf-immutable release stage ${env} --image <ami-id>, deploy, promote).`
  );
}

function noImageOrCapacityMessage(path: string, slot: SlotName): string {
  return (
    `${path}: the ${slot} slot would receive traffic but has no image or no capacity (min 0). ` +
    'Stage an image with capacity in it first, or give it no weight (active / canaryPercent).'
  );
}

/** The message of the guard on a slot that cannot grow to relieve the other; Terraform fills in the values. */
function relieveMessage(m: {
  readonly path: string;
  readonly slot: SlotName;
  readonly other: SlotName;
  readonly otherNames: string;
  readonly maxProp: string;
  readonly plan: SlotPlan;
  readonly otherPlan: SlotPlan;
}): string {
  const required = requiredInstancesText(m.plan, m.otherPlan);
  return (
    `${m.path}: the ${m.slot} slot takes ${m.plan.weight}% of the traffic from the ${m.other} slot, ` +
    `whose group (${m.otherNames}) runs ${m.otherPlan.running} instances now, so it needs at least ${required} ` +
    `instances, but ${m.maxProp} is ${m.plan.maxSize}. Raise ${m.maxProp} to at least that, or first scale the ` +
    `${m.other} group in: aws autoscaling set-desired-capacity --auto-scaling-group-name ${m.otherNames} ` +
    '--desired-capacity <n>.'
  );
}

/** The fleet's outputs after the DNS name: the active slot, each slot's generation, group, target group and alarms. */
function blueGreenOutputs(
  parts: FleetParts,
  built: Record<SlotName, BuiltSlot>,
  active: SlotName,
  alarms: FleetAlarms | undefined,
): FleetOutput[] {
  const outputs: FleetOutput[] = [
    { id: 'ActiveSlot', suffix: 'active_slot', value: active, description: 'The slot that receives the traffic' },
  ];
  for (const slot of SLOT_NAMES) {
    outputs.push(
      {
        id: `${title(slot)}Generation`,
        suffix: `${slot}_generation`,
        // the group's generation tag: what the slot runs, also when it is pinned
        value: built[slot].group ? generationOfGroup(built[slot].group.autoScalingGroup, GENERATION_TAG) : '',
        description: `Generation running in the ${slot} slot ("" when empty)`,
      },
      {
        id: `${title(slot)}AsgName`,
        suffix: `${slot}_asg_name`,
        value: built[slot].group?.autoScalingGroup.name ?? '',
        description: `Auto scaling group of the ${slot} slot ("" when empty)`,
      },
      {
        id: `${title(slot)}TargetGroupArnSuffix`,
        suffix: `${slot}_target_group_arn_suffix`,
        value: built[slot].targetGroup.resource.arnSuffix,
        description:
          `ARN suffix of the ${slot} slot's target group ` + '(the TargetGroup dimension of its CloudWatch metrics)',
      },
    );
    if (alarms) {
      outputs.push({
        id: `${title(slot)}AlarmNames`,
        suffix: `${slot}_alarm_names`,
        value: slotAlarmNames(parts.props.base, slot, alarms),
        description: `CloudWatch alarms of the ${slot} slot (for release promote --alarm)`,
      });
    }
  }
  outputs.push({
    id: 'LoadBalancerArnSuffix',
    suffix: 'load_balancer_arn_suffix',
    value: parts.frontEnd.loadBalancerArnSuffix,
    description: 'ARN suffix of the load balancer (the LoadBalancer dimension of its CloudWatch metrics)',
  });
  return outputs;
}

/**
 * Sizes a slot's group from the `Traffic` local: at least `ceil(weight / 100 *
 * <other slot running>)` instances, as `min_size` (and `desired_capacity` when the
 * capacity gives one), and the group waits for that many healthy instances behind the
 * load balancer: a new group when it is created (`min_elb_capacity`), an existing one
 * when it grows in place to take weight (`wait_for_elb_capacity`, set to that number
 * when it is above the slot's own size, else unset: the provider waits on update only
 * when `min_size` or `desired_capacity` change, and then for exactly that count of
 * healthy targets, so a group that shrinks or keeps its size must not name one, and a
 * group an earlier release deployed never set it).
 */
function sizeToRelieve(traffic: TerraformLocal, slot: BuiltSlot, other: SlotName): void {
  const group = slot.group;
  if (!group) {
    return;
  }
  const required = requiredInstances(
    trafficValue(traffic, [slot.name, 'weight']),
    trafficValue(traffic, [other, 'running']),
  );
  const { min, desired } = slot.capacity;
  const asg = group.autoScalingGroup;
  const idle = slot.idle;
  asg.minSize = idle ? sizeWhenIdle(idle.at, idle.min, atLeast(min, required)) : atLeast(min, required);
  if (desired !== undefined) {
    asg.desiredCapacity = idle
      ? sizeWhenIdle(idle.at, idle.min, atLeast(desired, required))
      : atLeast(desired, required);
  } else if (idle) {
    // AWS keeps the desired capacity while it is not managed; once idle, it is
    asg.desiredCapacity = sizeWhenIdle(idle.at, idle.min, null);
  }
  const gate = elbGate(slot.targetGroup, atLeast(desired ?? min, required));
  if (gate !== undefined) {
    asg.minElbCapacity = gate;
    // min_elb_capacity counts on create only: a group that grows in place (a promote,
    // rollback or canary step raises its size above its own) waits on update with
    // wait_for_elb_capacity, and the listener, which depends on the group, moves after.
    // The floor is the configured size, not what runs, so that the value stays put
    // after the apply.
    asg.waitForElbCapacity = growthWait(slot.targetGroup.resource.loadBalancerArns, required, desired ?? min);
  }
}

/**
 * The scheduled action that scales an idle slot in (id `IdleScaleIn`): at the time the
 * slot has been idle long enough, its group's minimum and desired capacity go to the
 * idle size (its maximum stays). It exists only while that time is ahead of the plan
 * (`count`), since AWS refuses a start time in the past; from then on the group's own
 * sizes say the same (see {@link sizeToRelieve}). The name is unique per fleet and slot.
 */
function scheduleIdleScaleIn(base: string, slot: BuiltSlot): void {
  const idle = slot.idle;
  const group = slot.group;
  if (!idle || !group) {
    return;
  }
  new AutoscalingSchedule(slot.scope, 'IdleScaleIn', {
    count: countUntil(idle.at),
    scheduledActionName: `${base}-${slot.name}-idle-scale-in`,
    autoscalingGroupName: group.autoScalingGroup.name,
    startTime: idle.at,
    minSize: idle.min,
    desiredCapacity: idle.min,
    // -1: the action leaves the maximum as it is
    maxSize: -1,
  });
}

/** The watchdog's default alarms: the fleet's own alarms of both slots, each bound to its slot. */
function defaultWatchdogAlarms(base: string, alarms: FleetAlarms | undefined): Record<string, SlotName> {
  if (!alarms) {
    return {};
  }
  return Object.fromEntries(
    SLOT_NAMES.flatMap((slot) => slotAlarmNames(base, slot, alarms).map((name) => [name, slot])),
  );
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
    alarms: slot.alarms,
    pinned: slot.pinned !== undefined,
    releaseMarker: slot.releaseMarker,
  };
}

/**
 * Validates the props only a blue/green fleet has, where they enter: the slots (their
 * capacity and server settings, prefix `slots.<slot>.`), `active` and `canaryPercent`.
 * Returns each slot's server settings (without image and capacity), checked.
 */
function validateSlots(check: Validator, props: BlueGreenFleetProps, fleetCapacity: Capacity): CheckedSlots {
  validateSlotChoice(check, props);
  const settings = {} as Record<SlotName, CheckedServerSettings>;
  const warmUp = {} as Record<SlotName, WarmUpAndDraining>;
  for (const slot of SLOT_NAMES) {
    ({ settings: settings[slot], warmUp: warmUp[slot] } = validateSlotSettings(check, props, slot));
    validateServingSlot(check, props, slot, fleetCapacity);
  }
  return { settings, warmUp };
}

/**
 * `stagedSlot` names the idle slot (with an image) or `'none'`, and `releaseEnvironment`
 * is an environment name. Returns the staged slot, if any: the idle slot when
 * `stagedSlot` is not given.
 */
function validateStagedSlot(check: Validator, props: BlueGreenFleetProps): SlotName | undefined {
  check.pattern(
    'releaseEnvironment',
    props.releaseEnvironment,
    ENVIRONMENT_PATTERN,
    'an environment name: lowercase letters, digits and hyphens, starting with a letter',
  );
  const staged = props.stagedSlot;
  const idle = otherSlot(props.active);
  if (staged === undefined) {
    return idle;
  }
  if (staged !== 'blue' && staged !== 'green' && staged !== 'none') {
    check.fail(`stagedSlot (${show(staged)}) must be "blue", "green" or "none".`);
  }
  if (staged === props.active) {
    check.fail(
      `stagedSlot ("${staged}") is the active slot, which serves the traffic and is pinned; a release is staged ` +
        `into the idle slot ("${idle}"): set stagedSlot to "${idle}" or "none".`,
    );
  }
  if (staged !== 'none' && props.slots[staged].image === undefined) {
    check.fail(
      `stagedSlot ("${staged}") names a slot without an image; stage an image into slots.${staged} or set ` +
        'stagedSlot to "none".',
    );
  }
  return staged === 'none' ? undefined : staged;
}

/** `1d12h`, `2h`, `30m`: days, hours and minutes, each at most once, in that order. */
const IDLE_AFTER = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/;
/** An ISO 8601 time in UTC, as the release file records it (`2026-01-31T12:00:00Z`, `...00.000Z`). */
const UTC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/**
 * `idleCapacity` and each slot's `idleSince`; returns, per slot, when and to what size it
 * is scaled in: only a slot with an image, `idleSince` and no traffic, when the fleet
 * has `idleCapacity`.
 */
function validateIdleCapacity(
  check: Validator,
  props: BlueGreenFleetProps,
  fleetCapacity: Capacity,
): Record<SlotName, IdleSlot | undefined> {
  const idle = props.idleCapacity;
  let seconds = 0;
  if (idle !== undefined) {
    seconds = idleAfterSeconds(check, idle.after);
    check.integer('idleCapacity.min', idle.min, 0, 10000);
  }
  const out = {} as Record<SlotName, IdleSlot | undefined>;
  for (const slot of SLOT_NAMES) {
    const since = props.slots[slot].idleSince;
    out[slot] = undefined;
    if (since === undefined) {
      continue;
    }
    const prop = `slots.${slot}.idleSince`;
    if (isLiteral(since) && (!UTC_TIME.test(since) || Number.isNaN(Date.parse(since)))) {
      check.fail(`${prop} (${show(since)}) must be an ISO 8601 time in UTC such as "2026-01-31T12:00:00Z".`);
    }
    if (slot === props.active) {
      check.fail(
        `${prop} (${show(since)}) is set on the active slot, which serves the traffic; only the idle slot ` +
          `("${otherSlot(slot)}") can be idle: remove it (fromRelease takes it from the release file).`,
      );
    }
    const canary = props.canaryPercent ?? 0;
    if (isLiteral(canary) && canary > 0) {
      check.fail(
        `${prop} (${show(since)}) is set, but canaryPercent (${canary}) sends the ${slot} slot traffic; ` +
          'a slot that serves is not idle: remove it, or end the canary.',
      );
    }
    if (props.slots[slot].image === undefined) {
      check.fail(`${prop} (${show(since)}) is set on a slot without an image; remove it.`);
    }
    if (idle === undefined || !isLiteral(canary)) {
      continue;
    }
    const min = idle.min ?? 0;
    const capacity = props.slots[slot].capacity ?? fleetCapacity;
    if (isLiteral(min) && isLiteral(capacity.max) && min > capacity.max) {
      const maxProp = props.slots[slot].capacity ? `slots.${slot}.capacity.max` : 'capacity.max';
      check.fail(`idleCapacity.min (${min}) must be <= ${maxProp} (${capacity.max}); lower idleCapacity.min.`);
    }
    out[slot] = { at: idleAt(since, seconds), min };
  }
  return out;
}

/** `idleCapacity.after` in seconds: 1 minute to 365 days. */
function idleAfterSeconds(check: Validator, after: string): number {
  const expected = 'a duration in days, hours and minutes such as "30m", "2h" or "1d12h" (1 minute to 365 days)';
  if (typeof after !== 'string' || Token.isUnresolved(after)) {
    check.fail(
      `idleCapacity.after (${show(after)}) must be ${expected}, written out: the time the slot is scaled ` +
        'in is computed at synth.',
    );
  }
  const match = IDLE_AFTER.exec(after);
  const seconds = match ? Number(match[1] ?? 0) * 86400 + Number(match[2] ?? 0) * 3600 + Number(match[3] ?? 0) * 60 : 0;
  if (!match || seconds < 60 || seconds > 365 * 86400) {
    check.fail(`idleCapacity.after (${show(after)}) must be ${expected}.`);
  }
  return seconds;
}

/** Both slots are given, `active` names one, `canaryPercent` is a percentage. */
function validateSlotChoice(check: Validator, props: BlueGreenFleetProps): void {
  if (!props.slots || typeof props.slots !== 'object' || !props.slots.blue || !props.slots.green) {
    const given = show(props.slots === undefined ? undefined : Object.keys(props.slots));
    check.fail(`slots (${given}) must have a blue and a green entry; use {} for an empty slot.`);
  }
  if (props.active !== 'blue' && props.active !== 'green') {
    check.fail(`active (${show(props.active)}) must be "blue" or "green".`);
  }
  check.integer('canaryPercent', props.canaryPercent ?? 0, 0, 100);
}

/** One slot's capacity, server settings and warm-up and draining settings (prefix `slots.<slot>.`). */
function validateSlotSettings(
  check: Validator,
  props: BlueGreenFleetProps,
  slot: SlotName,
): { settings: CheckedServerSettings; warmUp: WarmUpAndDraining } {
  const slotProps = props.slots[slot];
  if (slotProps.capacity) {
    validateCapacity(check, `slots.${slot}.capacity`, slotProps.capacity);
  }
  const { image: _image, capacity: _capacity, spot, idleSince: _idleSince, ...slotRest } = slotProps;
  const { tuning, rest: slotSettings } = splitWarmUpAndDraining(slotRest);
  const checked = validateServerSettings(check, slotSettings, `slots.${slot}.`);
  const instanceType = slotSettings.instanceType ?? props.server?.instanceType;
  validateWarmUpAndDraining(check, `slots.${slot}.`, tuning, { instanceType });
  validateSpot(check, `slots.${slot}.`, spot);
  if (spot !== undefined || tuning.warmPool !== undefined || slotSettings.instanceType !== undefined) {
    // the slot's own values with what it inherits (the fleet's alone were checked with the fleet)
    validateMixedInstances(check, {
      spot: spot ?? props.spot,
      warmPool: tuning.warmPool ?? props.warmPool,
      instanceType,
      spotProp: spot !== undefined ? `slots.${slot}.spot` : 'spot',
      warmPoolProp: tuning.warmPool !== undefined ? `slots.${slot}.warmPool` : 'warmPool',
      instanceTypeProp: slotSettings.instanceType !== undefined ? `slots.${slot}.instanceType` : 'server.instanceType',
    });
  }
  if (tuning.warmPool === undefined && props.warmPool !== undefined && instanceType?.requirements) {
    check.fail(
      `warmPool is set for the fleet, but slots.${slot} chooses its instances by InstanceType.fromRequirements ` +
        '(a mixed instances policy), which Auto Scaling does not allow with a warm pool; ' +
        `use InstanceType.of(...) in slots.${slot} or remove warmPool.`,
    );
  }
  return { settings: checked, warmUp: tuning };
}

/** A slot that receives traffic (active, or the idle slot with a canary) has an image and capacity. */
function validateServingSlot(check: Validator, props: BlueGreenFleetProps, slot: SlotName, fleet: Capacity): void {
  const canary = props.canaryPercent ?? 0;
  const idle = otherSlot(props.active);
  // a token canary is not validated: the listener's preconditions check it at plan
  const receives = slot === props.active || (slot === idle && isLiteral(canary) && canary > 0);
  if (!receives) {
    return;
  }
  const slotProps = props.slots[slot];
  const why =
    slot === props.active ? `it is the active slot (active: "${slot}")` : `canaryPercent (${canary}) sends it traffic`;
  if (!slotProps.image) {
    const fix = slot === props.active ? `, or make "${idle}" active` : ', or set canaryPercent to 0';
    check.fail(`slots.${slot}.image is not set, but ${why}. Stage an image in slots.${slot} first${fix}.`);
  }
  const min = (slotProps.capacity ?? fleet).min;
  if (isLiteral(min) && min < 1) {
    const prop = slotProps.capacity ? `slots.${slot}.capacity.min` : 'capacity.min';
    check.fail(`${prop} (${min}) must be >= 1 because ${why}; a slot that receives traffic needs running instances.`);
  }
}
