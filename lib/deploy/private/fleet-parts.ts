import { dependable, IResolvable, TerraformLocal, TerraformOutput } from 'cdktf';
import { AutoscalingPolicy } from '@cdktf/provider-aws/lib/autoscaling-policy';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { Construct } from 'constructs';
import { IInstanceProfile, InstanceProfile } from '../../compute/instance-profile';
import { CheckedServerSettings } from '../../compute/server-settings';
import { IImageSource } from '../../image/image-source';
import { ImmutabilityAspect } from '../../immutability/immutability-aspect';
import { Validator } from '../../private/validation';
import { FleetConnections } from '../fleet-connections';
import { Capacity, FleetBaseProps, SpotOptions, WarmUpAndDraining } from '../fleet-options';
import { CheckedFleetProps, validateFleetProps } from './fleet-common';
import { FleetFrontEnd, ForwardTarget, TargetGroupRef } from './fleet-front-end';
import { buildServerGroup, FLEET_TAG, PinnedGeneration, ServerGroup, SLOT_TAG } from './server-group';

/** A Terraform precondition on the fleet's traffic plan, with its message. */
export interface TrafficGuard {
  readonly condition: IResolvable;
  /** The message; it may hold values (references) that Terraform fills in. */
  readonly errorMessage: string;
}

/** An output of the fleet, named `<name>_<suffix>` (`web_active_slot`). */
export interface FleetOutput {
  readonly id: string;
  readonly suffix: string;
  readonly value: unknown;
  readonly description: string;
}

/** One generation of a fleet: what {@link FleetParts.serverGroup} builds it from (checked values). */
export interface GenerationProps {
  readonly slot?: string;
  readonly image: IImageSource;
  readonly settings: CheckedServerSettings;
  readonly capacity: Capacity;
  readonly targetGroup: TargetGroupRef;
  /** The fleet's when not given. */
  readonly warmUp?: WarmUpAndDraining;
  /** The fleet's when not given. */
  readonly spot?: SpotOptions;
  /** Set for a pinned slot: it keeps what it was deployed with until its release marker changes. */
  readonly pinned?: PinnedGeneration;
}

/** How the fleet's listener routes traffic: the traffic plan, the targets, the guards and the groups. */
export interface RouteProps {
  /** The `Traffic` local: what Terraform must know to guard the traffic. */
  readonly plan: Record<string, unknown>;
  readonly targets: readonly ForwardTarget[];
  /** The listener's preconditions, written on the `Traffic` local. */
  readonly guards: (traffic: TerraformLocal) => readonly TrafficGuard[];
  /** Every group of the fleet: the listener moves traffic only after them. */
  readonly groups: readonly ServerGroup[];
}

/**
 * What {@link BlueGreenFleet} and {@link ReplaceFleet} build the same way, which each
 * composes in its constructor: the shared props, checked (once, where they enter the
 * fleet), the front end (security groups, the load balancer or an existing listener,
 * target groups, the listener), the instance profile, the fleet-level server settings,
 * and the builders of the generations, the traffic route and the outputs. Each builder
 * takes what it needs as arguments and returns what it built; nothing is collected
 * between the calls.
 */
export class FleetParts {
  /** The shared props, checked, with their defaults. */
  public readonly props: CheckedFleetProps;
  public readonly frontEnd: FleetFrontEnd;
  public readonly instanceProfile: IInstanceProfile;
  /**
   * The fleet-level server settings, checked, with the instance profile and the fleet's
   * instance security group in front of `securityGroupIds`.
   */
  public readonly server: CheckedServerSettings;
  public readonly connections: FleetConnections;

  constructor(
    private readonly fleet: Construct,
    props: FleetBaseProps,
  ) {
    ImmutabilityAspect.enable(fleet);
    this.props = validateFleetProps(fleet, new Validator(fleet), props);
    this.frontEnd = new FleetFrontEnd(fleet, this.props);
    this.instanceProfile =
      props.server?.instanceProfile ??
      new InstanceProfile(fleet, 'InstanceProfile', { namePrefix: profilePrefix(this.props.base) });
    this.server = this.props.server
      .with('instanceProfile', this.instanceProfile, 'server.instanceProfile')
      .with(
        'securityGroupIds',
        [this.frontEnd.instanceSecurityGroupId, ...(this.props.server.value('securityGroupIds') ?? [])],
        'server.securityGroupIds',
      );
    this.connections = new FleetConnections(
      fleet,
      this.frontEnd.instanceSecurityGroup,
      this.frontEnd.instanceSecurityGroupId,
    );
  }

  /**
   * A target group (id `TargetGroup` in `scope`) with a fixed name, `<name>` or
   * `<name>-<slot>`: it lives across generations. `warmUp` (checked) gives its
   * deregistration delay and slow start. It is tagged with the fleet's name and slot,
   * like the groups, so that `release advance` can find it.
   */
  public targetGroup(scope: Construct, slot?: string, warmUp: WarmUpAndDraining = this.props.warmUp): TargetGroupRef {
    const tags = { [FLEET_TAG]: this.props.base, ...(slot ? { [SLOT_TAG]: slot } : {}) };
    const draining = {
      deregistrationDelaySeconds: warmUp.deregistrationDelaySeconds,
      slowStartSeconds: warmUp.slowStartSeconds,
    };
    return this.frontEnd.targetGroup(scope, 'TargetGroup', slot, draining, tags);
  }

  /** One generation's launch template, auto scaling group and scaling policy in `scope`. */
  public serverGroup(scope: Construct, group: GenerationProps): ServerGroup {
    const warmUp = group.warmUp ?? this.props.warmUp;
    return buildServerGroup(scope, {
      slot: group.slot,
      image: group.image,
      settings: group.settings,
      capacity: group.capacity,
      targetGroup: group.targetGroup,
      instanceWarmupSeconds: warmUp.instanceWarmupSeconds,
      lifecycleHooks: warmUp.lifecycleHooks,
      warmPool: warmUp.warmPool,
      group: this.props.group,
      spot: group.spot ?? this.props.spot,
      pinned: group.pinned,
      base: this.props.base,
      subnetIds: this.props.subnetIds,
      healthCheck: this.props.healthCheck,
      scaling: this.props.scaling,
      loadBalancerArnSuffix: this.frontEnd.loadBalancerArnSuffix,
    });
  }

  /**
   * The `Traffic` local and the listener or listener rule that forwards to the targets,
   * with one precondition per guard. The listener depends on every group of the
   * fleet, so that it moves traffic only after a new group passed its gate.
   * Request-count scaling policies wait for it. Returns the listener and the local.
   */
  public route(route: RouteProps): { listener: LbListener | LbListenerRule; traffic: TerraformLocal } {
    const traffic = new TerraformLocal(this.fleet, 'Traffic', route.plan);
    const preconditions = route
      .guards(traffic)
      .map((guard) => ({ condition: guard.condition, errorMessage: guard.errorMessage }));
    const listener = this.frontEnd.route(
      route.targets,
      preconditions,
      route.groups.map((group) => group.autoScalingGroup),
    );
    this.frontEnd.warnShortenedNames();
    if (this.props.scaling?.metric === 'requests-per-target') {
      // ALBRequestCountPerTarget needs the target group to be in use by the listener
      const policies = route.groups
        .map((group) => group.scalingPolicy)
        .filter((policy): policy is AutoscalingPolicy => policy !== undefined);
      for (const policy of policies) {
        policy.dependsOn = [dependable(listener)];
      }
    }
    return { listener, traffic };
  }

  /** The fleet's outputs: the load balancer's DNS name (when known), then `outputs`. */
  public addOutputs(outputs: readonly FleetOutput[]): void {
    const prefix = outputPrefix(this.props.base);
    const dnsName = this.frontEnd.dnsName;
    const all: FleetOutput[] = [
      ...(dnsName !== undefined
        ? [{ id: 'LoadBalancerDnsName', suffix: 'alb_dns_name', value: dnsName, description: DNS_NAME }]
        : []),
      ...outputs,
    ];
    for (const output of all) {
      new TerraformOutput(this.fleet, output.id, {
        value: output.value,
        description: output.description,
      }).overrideLogicalId(`${prefix}_${output.suffix}`);
    }
  }
}

const DNS_NAME = 'DNS name of the load balancer';

/** The fleet's name as an output prefix: letters, digits and underscores. */
export function outputPrefix(base: string): string {
  const clean = base.replace(/[^A-Za-z0-9_]+/g, '_');
  return /^[A-Za-z_]/.test(clean) ? clean : `_${clean}`;
}

/** The fleet's name as an IAM name prefix. */
function profilePrefix(base: string): string {
  return base.replace(/[^A-Za-z0-9+=,.@_-]+/g, '-').slice(0, 32);
}
