import { ServerSettings } from '../compute/server-settings';
import { FleetLoadBalancer } from './fleet-load-balancer';
import { FleetScaling } from './fleet-scaling';

/**
 * How many instances a group runs. Capacity is operational: a change is applied in
 * place and never replaces the servers.
 */
export interface Capacity {
  /** Minimum number of instances. */
  readonly min: number;
  /** Maximum number of instances. */
  readonly max: number;
  /**
   * Desired number of instances. With scaling, it is used when a generation's group is
   * created only (afterwards the policy owns it); without scaling, Terraform keeps
   * the group at this number.
   * @default - `min` when the group is created, then whatever AWS holds
   */
  readonly desired?: number;
}

/** The load balancer's health check of the instances, and the deployment gate. */
export interface HealthCheck {
  /**
   * HTTP path that answers when an instance is ready.
   * @default '/'
   */
  readonly path?: string;
  /**
   * HTTP codes that count as healthy (`200`, `200-299`, `200,204`).
   * @default '200'
   */
  readonly matcher?: string;
  /**
   * Consecutive successes before an instance is healthy (2 to 10).
   * @default 2
   */
  readonly healthyThreshold?: number;
  /**
   * Consecutive failures before an instance is unhealthy (2 to 10).
   * @default 3
   */
  readonly unhealthyThreshold?: number;
  /**
   * Seconds between checks (5 to 300).
   * @default 15
   */
  readonly intervalSeconds?: number;
  /**
   * Seconds before a check times out (2 to 120, less than the interval).
   * @default 5
   */
  readonly timeoutSeconds?: number;
  /**
   * Seconds after launch before Auto Scaling acts on a failing load balancer check.
   * Part of the generation (the resource policy does not let it change in place).
   * @default 120
   */
  readonly gracePeriodSeconds?: number;
  /**
   * How long Terraform waits for a new generation to be healthy behind the load
   * balancer before the apply fails (the group's `wait_for_capacity_timeout`), e.g.
   * `10m` or `90s`.
   * @default '10m'
   */
  readonly gateTimeout?: string;
}

/** Props of {@link FleetBase}, shared by {@link BlueGreenFleet} and {@link ReplaceFleet}. */
export interface FleetBaseProps {
  /**
   * Base of every name (`<name>-<slot>-<generation>`, target groups `<name>-<slot>`,
   * the load balancer `<name>`). Letters, digits and hyphens; unique per account and
   * region, because target group and load balancer names are.
   * @default - `<stack>-<id>` in lowercase
   */
  readonly name?: string;
  /** VPC of the instances and target groups. */
  readonly vpcId: string;
  /** Subnets of the instances (private subnets; the instances get no public IP). */
  readonly subnetIds: readonly string[];
  /**
   * Where traffic comes from.
   * @default FleetLoadBalancer.create(): an internal application load balancer in the fleet's subnets
   */
  readonly loadBalancer?: FleetLoadBalancer;
  /**
   * Port the instances serve HTTP on.
   * @default 80
   */
  readonly port?: number;
  /**
   * Health check and deployment gate.
   * @default - see {@link HealthCheck}
   */
  readonly healthCheck?: HealthCheck;
  /**
   * Seconds the load balancer lets in-flight requests finish on a deregistered
   * instance (0 to 3600).
   * @default 30
   */
  readonly deregistrationDelaySeconds?: number;
  /**
   * Capacity of each group.
   * @default { min: 2, max: 4 }
   */
  readonly capacity?: Capacity;
  /**
   * Target-tracking scaling for every generation.
   * @default - no scaling policy; Terraform manages the capacity
   */
  readonly scaling?: FleetScaling;
  /**
   * Server settings (instance type, user data, security groups, ...).
   * @default - see {@link ServerSettings}
   */
  readonly server?: ServerSettings;
  /**
   * Let instances open connections anywhere. By default the fleet's instance
   * security group allows outbound HTTPS (443) only, which is enough for Session
   * Manager and AWS APIs; add security groups in `server.securityGroupIds` for
   * anything else (a database, a cache).
   * @default false
   */
  readonly allowAllOutbound?: boolean;
}
