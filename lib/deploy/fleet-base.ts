import { dependable, Lazy, Precondition, TerraformLocal, TerraformOutput, TerraformStack } from 'cdktf';
import { AutoscalingPolicy } from '@cdktf/provider-aws/lib/autoscaling-policy';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { Construct } from 'constructs';
import { IInstanceProfile, InstanceProfile } from '../compute/instance-profile';
import { CheckedServerSettings } from '../compute/server-settings';
import { IImageSource } from '../image/image-source';
import { ImmutabilityAspect } from '../immutability/immutability-aspect';
import { show, Validator } from '../private/validation';
import { Capacity, FleetBaseProps, WarmUpAndDraining } from './fleet-options';
import { FleetScaling } from './fleet-scaling';
import { splitWarmUpAndDraining, validateFleetProps } from './private/fleet-common';
import { EffectiveHealthCheck, FleetFrontEnd, ForwardTarget, TargetGroupRef } from './private/fleet-front-end';
import { buildServerGroup, FLEET_TAG, ServerGroup, SLOT_TAG } from './private/server-group';

/**
 * A Terraform precondition on the fleet's traffic plan: `condition` writes the
 * expression with `local(path)`, a reference into the `Traffic` local.
 * @internal
 */
export interface TrafficGuard {
  readonly condition: (local: (path: string) => string) => string;
  /** The message; a function may interpolate values (`${local.x}`) that Terraform fills in. */
  readonly errorMessage: string | ((local: (path: string) => string) => string);
}

/**
 * An output of the fleet, named `<name>_<suffix>` (`web_active_slot`).
 * @internal
 */
export interface FleetOutput {
  readonly id: string;
  readonly suffix: string;
  readonly value: unknown;
  readonly description: string;
}

/**
 * What {@link BlueGreenFleet} and {@link ReplaceFleet} share, as aws-cdk's
 * `AutoScalingGroupBase` is for its groups: the validation of the shared props, the
 * front end (security groups, the load balancer or an existing listener, target
 * groups), the instance profile, the generations' launch templates and auto scaling
 * groups, the `Traffic` local that the listener's preconditions read, and the outputs.
 *
 * A subclass validates its own props, builds its target groups and generations, then
 * routes traffic (the listener) and adds its outputs through the base. Those building
 * blocks are internal: the class is public so that code can accept either fleet
 * (`fleet: FleetBase`) and read what they share.
 */
export abstract class FleetBase extends Construct {
  /** The forwarding listener (created load balancer) or listener rule (existing listener). */
  public abstract readonly listener: LbListener | LbListenerRule;
  /** The load balancer, when the fleet created it. */
  public readonly loadBalancer?: Lb;
  /** DNS name of the load balancer, when known. */
  public readonly loadBalancerDnsName?: string;
  /** Id of the instances' security group (ingress from the load balancer only). */
  public readonly instanceSecurityGroupId: string;
  /** The instance profile of the instances (shared by every group of the fleet). */
  public readonly instanceProfile: IInstanceProfile;

  /**
   * Base of every name (`props.name`, or `<stack>-<id>` in lowercase).
   * @internal
   */
  protected readonly _base: string;
  /**
   * The fleet's capacity (`props.capacity`, checked, or the default).
   * @internal
   */
  protected readonly _capacity: Capacity;
  /**
   * The fleet-level server settings, checked, with the instance profile and the
   * fleet's instance security group in front of `securityGroupIds`.
   * @internal
   */
  protected readonly _server: CheckedServerSettings;
  /**
   * The fleet-level warm-up and draining settings, checked.
   * @internal
   */
  protected readonly _warmUp: WarmUpAndDraining;

  private readonly frontEnd: FleetFrontEnd;
  private readonly healthCheck: EffectiveHealthCheck;
  private readonly subnetIds: readonly string[];
  private readonly scaling?: FleetScaling;
  private readonly groups: ServerGroup[] = [];

  protected constructor(scope: Construct, id: string, props: FleetBaseProps) {
    super(scope, id);
    ImmutabilityAspect.enable(this);
    const { healthCheck, capacity, loadBalancer, server } = validateFleetProps(new Validator(this), props);
    this._base = (props.name ?? `${TerraformStack.of(this).node.id}-${id}`).toLowerCase();
    this._capacity = capacity;
    this._warmUp = splitWarmUpAndDraining(props).tuning;
    this.healthCheck = healthCheck;
    this.subnetIds = props.subnetIds;
    this.scaling = props.scaling;
    this.frontEnd = new FleetFrontEnd(this, {
      base: this._base,
      nameProp:
        props.name !== undefined
          ? `name (${show(props.name)})`
          : `name (not set; the default "<stack>-<id>" is "${this._base}")`,
      vpcId: props.vpcId,
      subnetIds: props.subnetIds,
      port: props.port ?? 80,
      loadBalancer,
      allowAllOutbound: props.allowAllOutbound ?? false,
      healthCheck,
    });
    this.loadBalancer = this.frontEnd.loadBalancer;
    this.loadBalancerDnsName = this.frontEnd.dnsName;
    this.instanceSecurityGroupId = this.frontEnd.instanceSecurityGroupId;
    this.instanceProfile =
      props.server?.instanceProfile ??
      new InstanceProfile(this, 'InstanceProfile', { namePrefix: profilePrefix(this._base) });
    this._server = server
      .with('instanceProfile', this.instanceProfile, 'server.instanceProfile')
      .with(
        'securityGroupIds',
        [this.instanceSecurityGroupId, ...(server.value('securityGroupIds') ?? [])],
        'server.securityGroupIds',
      );
  }

  /**
   * A target group (id `TargetGroup` in `scope`) with a fixed name, `<name>` or
   * `<name>-<slot>`: it lives across generations. `warmUp` (checked) gives its
   * deregistration delay and slow start. It is tagged with the fleet's name and slot,
   * like the groups, so that `release advance` can find it.
   * @internal
   */
  protected _targetGroup(scope: Construct, slot?: string, warmUp: WarmUpAndDraining = this._warmUp): TargetGroupRef {
    const tags = { [FLEET_TAG]: this._base, ...(slot ? { [SLOT_TAG]: slot } : {}) };
    return this.frontEnd.targetGroup(
      scope,
      'TargetGroup',
      slot,
      { deregistrationDelaySeconds: warmUp.deregistrationDelaySeconds, slowStartSeconds: warmUp.slowStartSeconds },
      tags,
    );
  }

  /**
   * `app/<name>/<id>` of the load balancer (created, or the existing listener's), the
   * `LoadBalancer` dimension of its CloudWatch metrics.
   * @internal
   */
  protected get _loadBalancerArnSuffix(): string {
    return this.frontEnd.loadBalancerArnSuffix;
  }

  /**
   * One generation's launch template, auto scaling group and scaling policy in
   * `scope`, registered in `targetGroup`. `settings` and `capacity` are checked.
   * @internal
   */
  protected _serverGroup(
    scope: Construct,
    group: {
      readonly slot?: string;
      readonly image: IImageSource;
      readonly settings: CheckedServerSettings;
      readonly capacity: Capacity;
      readonly targetGroup: TargetGroupRef;
      /** Checked; the fleet's when not given. */
      readonly warmUp?: WarmUpAndDraining;
    },
  ): ServerGroup {
    const warmUp = group.warmUp ?? this._warmUp;
    const built = buildServerGroup(scope, {
      slot: group.slot,
      image: group.image,
      settings: group.settings,
      capacity: group.capacity,
      targetGroup: group.targetGroup,
      instanceWarmupSeconds: warmUp.instanceWarmupSeconds,
      lifecycleHooks: warmUp.lifecycleHooks,
      warmPool: warmUp.warmPool,
      base: this._base,
      subnetIds: this.subnetIds,
      healthCheck: this.healthCheck,
      scaling: this.scaling,
      loadBalancerArnSuffix: this.frontEnd.loadBalancerArnSuffix,
    });
    this.groups.push(built);
    return built;
  }

  /**
   * The `Traffic` local (`plan`: what Terraform must know to guard the traffic), and
   * the listener or listener rule that forwards to `targets`, with one precondition
   * per guard. The listener depends on every group of the fleet, so that it moves
   * traffic only after a new group passed its gate. Request-count scaling policies
   * wait for it. Returns the listener and the local.
   * @internal
   */
  protected _routeTraffic(
    plan: Record<string, unknown>,
    targets: readonly ForwardTarget[],
    guards: readonly TrafficGuard[],
  ): { listener: LbListener | LbListenerRule; traffic: TerraformLocal } {
    const traffic = new TerraformLocal(this, 'Traffic', plan);
    const local = (path: string) => `local.${traffic.friendlyUniqueId}.${path}`;
    const preconditions: Precondition[] = guards.map((guard) => {
      const message = guard.errorMessage;
      return {
        condition: Lazy.anyValue({ produce: () => `\${${guard.condition(local)}}` }),
        errorMessage: typeof message === 'string' ? message : Lazy.stringValue({ produce: () => message(local) }),
      };
    });
    const listener = this.frontEnd.route(
      targets,
      preconditions,
      this.groups.map((group) => group.autoScalingGroup),
    );
    this.frontEnd.warnShortenedNames();
    if (this.scaling?.metric === 'requests-per-target') {
      // ALBRequestCountPerTarget needs the target group to be in use by the listener
      const policies = this.groups
        .map((group) => group.scalingPolicy)
        .filter((policy): policy is AutoscalingPolicy => policy !== undefined);
      for (const policy of policies) {
        policy.dependsOn = [dependable(listener)];
      }
    }
    return { listener, traffic };
  }

  /**
   * The fleet's outputs: the load balancer's DNS name (when known), then `outputs`.
   * @internal
   */
  protected _addOutputs(outputs: readonly FleetOutput[]): void {
    const prefix = outputPrefix(this._base);
    const all: FleetOutput[] = [
      ...(this.loadBalancerDnsName !== undefined
        ? [
            {
              id: 'LoadBalancerDnsName',
              suffix: 'alb_dns_name',
              value: this.loadBalancerDnsName,
              description: 'DNS name of the load balancer',
            },
          ]
        : []),
      ...outputs,
    ];
    for (const output of all) {
      new TerraformOutput(this, output.id, { value: output.value, description: output.description }).overrideLogicalId(
        `${prefix}_${output.suffix}`,
      );
    }
  }
}

/** The fleet's name as an output prefix: letters, digits and underscores. */
function outputPrefix(base: string): string {
  const clean = base.replace(/[^A-Za-z0-9_]+/g, '_');
  return /^[A-Za-z_]/.test(clean) ? clean : `_${clean}`;
}

/** The fleet's name as an IAM name prefix. */
function profilePrefix(base: string): string {
  return base.replace(/[^A-Za-z0-9+=,.@_-]+/g, '-').slice(0, 32);
}
