import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { TerraformLocal } from 'cdktf';
import { Construct } from 'constructs';
import { IInstanceProfile } from '../compute/instance-profile';
import { ImmutableLaunchTemplate } from '../compute/immutable-launch-template';
import { IImageSource } from '../image/image-source';
import { Generation } from '../immutability/generation';
import { isLiteral, Validator } from '../private/validation';
import { FleetBase } from './fleet-base';
import { FleetConnections } from './fleet-connections';
import { FleetBaseProps } from './fleet-options';
import { servesCondition, slotPlan } from './private/expressions';
import type { FleetFixedName } from './private/fleet-names';
import { FleetOutput, FleetParts, TrafficGuard } from './private/fleet-parts';

/** Props of {@link ReplaceFleet}. */
export interface ReplaceFleetProps extends FleetBaseProps {
  /** The image the servers run. */
  readonly image: IImageSource;
}

/**
 * One auto scaling group per generation behind one target group, for services that
 * do not need two slots.
 *
 * A new generation (new image or server settings) is a new launch template and auto
 * scaling group, created before the old ones are destroyed: the new group registers in
 * the same target group, and Terraform waits until `min_elb_capacity` of its instances
 * are healthy behind the load balancer before it destroys the old group, whose
 * instances drain for the deregistration delay. Both generations serve requests for
 * that short overlap. Rollback is a deploy of the previous image (a new group again),
 * not a listener flip: use {@link BlueGreenFleet} for instant rollback.
 */
export class ReplaceFleet extends FleetBase {
  /** The target group (fixed name `<name>`), shared by every generation. */
  public readonly targetGroup: LbTargetGroup;
  /** The current generation's launch template. */
  public readonly launchTemplate: ImmutableLaunchTemplate;
  /** The current generation's auto scaling group. */
  public readonly autoScalingGroup: AutoscalingGroup;
  /** The current generation. */
  public readonly generation: Generation;
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
  /** The instance profile of the instances (shared by every generation). */
  public readonly instanceProfile: IInstanceProfile;

  private readonly parts: FleetParts;

  constructor(scope: Construct, id: string, props: ReplaceFleetProps) {
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
    validateReplaceProps(new Validator(this), props, parts);

    const capacity = parts.props.capacity;
    const targetGroup = parts.targetGroup(this);
    this.targetGroup = targetGroup.resource;
    const group = parts.serverGroup(this, { image: props.image, settings: parts.server, capacity, targetGroup });
    this.launchTemplate = group.launchTemplate;
    this.autoScalingGroup = group.autoScalingGroup;
    this.generation = group.generation;

    this.listener = parts.route({
      plan: { min_size: capacity.min, max_size: capacity.max, image_id: this.launchTemplate.resource.imageId },
      targets: [{ targetGroupArn: targetGroup.arn, weight: 100 }],
      guards: (traffic) => replaceGuards(this, traffic),
      groups: [group],
    }).listener;
    this.listenerArn = parts.frontEnd.listenerArnOf(this.listener);
    parts.addOutputs(replaceOutputs(this));
  }

  /** @internal */
  public get _fixedNames(): readonly FleetFixedName[] {
    // undefined while the parts are built (the fleet's own names are not checked against themselves)
    return this.parts?.frontEnd.fixedNames ?? [];
  }
}

/** Validates the props only a replace fleet has, where they enter. */
function validateReplaceProps(check: Validator, props: ReplaceFleetProps, parts: FleetParts): void {
  if (!props.image) {
    check.fail('image is not set; pass ImageSource.fromAmiId(...) or another image source.');
  }
  const min = parts.props.capacity.min;
  if (isLiteral(min) && min < 1) {
    check.fail(
      `capacity.min (${min}) must be >= 1; the fleet's only group receives all traffic and needs running instances.`,
    );
  }
}

/** The fleet's outputs after the DNS name: the generation and its group. */
function replaceOutputs(fleet: ReplaceFleet): FleetOutput[] {
  return [
    {
      id: 'Generation',
      suffix: 'generation',
      value: fleet.generation.hash,
      description: 'Generation running in the fleet',
    },
    {
      id: 'AsgName',
      suffix: 'asg_name',
      value: fleet.autoScalingGroup.name,
      description: 'Auto scaling group of the current generation',
    },
  ];
}

/** The listener's guard: the only group must have an image and capacity. */
function replaceGuards(fleet: Construct, traffic: TerraformLocal): TrafficGuard[] {
  return [
    {
      condition: servesCondition(slotPlan(traffic)),
      errorMessage:
        `${fleet.node.path}: the fleet would receive traffic but has no image or no capacity (min 0); ` +
        'give it an image and capacity.min >= 1.',
    },
  ];
}
