import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { Construct } from 'constructs';
import { ImmutableLaunchTemplate } from '../compute/immutable-launch-template';
import { IImageSource } from '../image/image-source';
import { Generation } from '../immutability/generation';
import { isLiteral, Validator } from '../private/validation';
import { FleetBase } from './fleet-base';
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

  constructor(scope: Construct, id: string, props: ReplaceFleetProps) {
    super(scope, id, props);
    const check = new Validator(this);
    if (!props.image) {
      check.fail('image is not set; pass ImageSource.fromAmiId(...) or another image source.');
    }
    const capacity = this._capacity;
    if (isLiteral(capacity.min) && capacity.min < 1) {
      check.fail(
        `capacity.min (${capacity.min}) must be >= 1; the fleet's only group receives all traffic and needs running instances.`,
      );
    }
    const targetGroup = this._targetGroup(this);
    this.targetGroup = targetGroup.resource;
    const group = this._serverGroup(this, { image: props.image, settings: this._server, capacity, targetGroup });
    this.launchTemplate = group.launchTemplate;
    this.autoScalingGroup = group.autoScalingGroup;
    this.generation = group.generation;

    this.listener = this._routeTraffic(
      { min_size: capacity.min, max_size: capacity.max, image_id: this.launchTemplate.resource.imageId },
      [{ targetGroupArn: targetGroup.arn, weight: 100 }],
      [
        {
          condition: (local) => `${local('min_size')} > 0 && ${local('image_id')} != ""`,
          errorMessage: `${this.node.path}: the fleet would receive traffic but has no image or no capacity (min 0); give it an image and capacity.min >= 1.`,
        },
      ],
    ).listener;
    this._addOutputs([
      {
        id: 'Generation',
        suffix: 'generation',
        value: this.generation.hash,
        description: 'Generation running in the fleet',
      },
      {
        id: 'AsgName',
        suffix: 'asg_name',
        value: this.autoScalingGroup.name,
        description: 'Auto scaling group of the current generation',
      },
    ]);
  }
}
