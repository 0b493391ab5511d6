import { dependable, Lazy, TerraformLocal } from 'cdktf';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { Construct } from 'constructs';
import { ImmutableLaunchTemplate } from '../compute/immutable-launch-template';
import { IInstanceProfile } from '../compute/instance-profile';
import { IImageSource } from '../image/image-source';
import { Generation } from '../immutability/generation';
import { ImmutabilityAspect } from '../immutability/immutability-aspect';
import { buildFleetCommon, validateFleetBase } from '../private/fleet-common';
import { fleetOutput, outputPrefix } from '../private/fleet-front-end';
import { buildServerGroup } from '../private/server-group';
import { isLiteral, Validator } from '../private/validate';
import { FleetBaseProps } from './fleet-options';

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
export class ReplaceFleet extends Construct {
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
  /** The load balancer, when the fleet created it. */
  public readonly loadBalancer?: Lb;
  /** DNS name of the load balancer, when known. */
  public readonly loadBalancerDnsName?: string;
  /** Id of the instances' security group (ingress from the load balancer only). */
  public readonly instanceSecurityGroupId: string;
  /** The instance profile of the instances. */
  public readonly instanceProfile: IInstanceProfile;

  constructor(scope: Construct, id: string, props: ReplaceFleetProps) {
    super(scope, id);
    ImmutabilityAspect.enable(this);
    const check = new Validator(this, 'ReplaceFleet');
    if (!props.image) {
      check.fail('image is not set; pass ImageSource.fromAmiId(...) or another image source.');
    }
    const defaults = validateFleetBase(check, props);
    if (isLiteral(defaults.capacity.min) && defaults.capacity.min < 1) {
      check.fail(`capacity.min (${defaults.capacity.min}) must be >= 1; the fleet's only group receives all traffic and needs running instances.`);
    }
    const common = buildFleetCommon(this, props, defaults);
    this.loadBalancer = common.frontEnd.loadBalancer;
    this.loadBalancerDnsName = common.frontEnd.dnsName;
    this.instanceSecurityGroupId = common.frontEnd.instanceSecurityGroupId;
    this.instanceProfile = common.instanceProfile;
    const targetGroup = common.frontEnd.targetGroup(this, 'TargetGroup');
    this.targetGroup = targetGroup.resource;
    const group = buildServerGroup(this, {
      base: common.base,
      image: props.image,
      settings: common.server,
      capacity: common.capacity,
      subnetIds: props.subnetIds,
      targetGroup,
      healthCheck: common.healthCheck,
      scaling: props.scaling,
      loadBalancerArnSuffix: common.frontEnd.loadBalancerArnSuffix,
    });
    this.launchTemplate = group.launchTemplate;
    this.autoScalingGroup = group.autoScalingGroup;
    this.generation = group.generation;

    const traffic = new TerraformLocal(this, 'Traffic', {
      min_size: common.capacity.min,
      max_size: common.capacity.max,
      image_id: this.launchTemplate.resource.imageId,
    });
    const local = (path: string) => `local.${traffic.friendlyUniqueId}.${path}`;
    this.listener = common.frontEnd.route([{ targetGroupArn: targetGroup.arn, weight: 100 }], [{
      condition: Lazy.anyValue({ produce: () => `\${${local('min_size')} > 0 && ${local('image_id')} != ""}` }),
      errorMessage: `${this.node.path}: the fleet would receive traffic but has no image or no capacity (min 0); give it an image and capacity.min >= 1.`,
    }]);
    if (group.scalingPolicy && props.scaling?.metric === 'requests-per-target') {
      group.scalingPolicy.dependsOn = [dependable(this.listener)];
    }

    const prefix = outputPrefix(common.base);
    if (this.loadBalancerDnsName !== undefined) {
      fleetOutput(this, 'LoadBalancerDnsName', `${prefix}_alb_dns_name`, this.loadBalancerDnsName, 'DNS name of the load balancer');
    }
    fleetOutput(this, 'Generation', `${prefix}_generation`, this.generation.hash, 'Generation running in the fleet');
    fleetOutput(this, 'AsgName', `${prefix}_asg_name`, this.autoScalingGroup.name, 'Auto scaling group of the current generation');
  }
}
