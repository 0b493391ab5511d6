import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { Construct, IConstruct } from 'constructs';
import { IInstanceProfile } from '../compute/instance-profile';
import { FleetConnections } from './fleet-connections';
import type { FleetFixedName } from './private/fleet-names';

/**
 * A fleet of this library, as code that takes either fleet sees it
 * (`fleet: IFleet`): {@link BlueGreenFleet} and {@link ReplaceFleet} implement it.
 * What they share: the name, the listener that forwards to the fleet, the load
 * balancer (when the fleet created it), the instances' security group and instance
 * profile.
 */
export interface IFleet extends IConstruct {
  /** Base of the fleet's names (`props.name`, or `<stack>-<id>` in lowercase). */
  readonly fleetName: string;
  /** The forwarding listener (created load balancer) or listener rule (existing or shared listener). */
  readonly listener: LbListener | LbListenerRule;
  /**
   * ARN of the listener the fleet's traffic comes in by: the listener of the load
   * balancer the fleet created, or the existing or shared listener its rule is on.
   */
  readonly listenerArn: string;
  /** The load balancer, when the fleet created it. */
  readonly loadBalancer?: Lb;
  /**
   * Id of the load balancer's security group (the one the fleet created, or the
   * existing or shared one's): the instances accept the fleet's port from it only.
   */
  readonly loadBalancerSecurityGroupId: string;
  /** DNS name of the load balancer, when known. */
  readonly loadBalancerDnsName?: string;
  /**
   * `app/<name>/<id>` of the load balancer (created, or the existing listener's), the
   * `LoadBalancer` dimension of its CloudWatch metrics.
   */
  readonly loadBalancerArnSuffix: string;
  /** Id of the instances' security group (ingress from the load balancer only). */
  readonly instanceSecurityGroupId: string;
  /**
   * The instances' security group, to add rules to:
   * `fleet.connections.allowFrom(Peer.securityGroup(bastion), Port.tcp(22), 'SSH from the bastion')`.
   */
  readonly connections: FleetConnections;
  /** The instance profile of the instances (shared by every group of the fleet). */
  readonly instanceProfile: IInstanceProfile;
}

/**
 * The base class of {@link BlueGreenFleet} and {@link ReplaceFleet}: a construct that
 * implements {@link IFleet}, for code that checks `fleet instanceof FleetBase` or takes
 * `fleet: FleetBase`. It holds no behaviour: each fleet composes its parts (the front
 * end, the server groups, the traffic route) in its own constructor.
 *
 * @deprecated accept an {@link IFleet} instead
 */
export abstract class FleetBase extends Construct implements IFleet {
  public abstract readonly fleetName: string;
  public abstract readonly listener: LbListener | LbListenerRule;
  public abstract readonly listenerArn: string;
  public abstract readonly loadBalancer?: Lb;
  public abstract readonly loadBalancerSecurityGroupId: string;
  public abstract readonly loadBalancerDnsName?: string;
  public abstract readonly loadBalancerArnSuffix: string;
  public abstract readonly instanceSecurityGroupId: string;
  public abstract readonly connections: FleetConnections;
  public abstract readonly instanceProfile: IInstanceProfile;
  /**
   * The fixed names (load balancer, target groups) the fleet uses so far: the other
   * fleets of its stack check theirs against them.
   * @internal
   */
  public abstract readonly _fixedNames: readonly FleetFixedName[];

  protected constructor(scope: Construct, id: string) {
    super(scope, id);
  }
}
