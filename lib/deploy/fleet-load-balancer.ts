import type { DataAwsSecurityGroup } from '@cdktf/provider-aws/lib/data-aws-security-group';
import type { DataAwsSubnet } from '@cdktf/provider-aws/lib/data-aws-subnet';
import type { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import type { Subnet } from '@cdktf/provider-aws/lib/subnet';
import type { IConstruct } from 'constructs';
import { BUCKET_NAME, IPV4_CIDR, SECURITY_GROUP_ID } from '../private/aws-ids';
import { isLiteral, show, Validator } from '../private/validation';
import { ISecurityGroup, ISubnet } from './network';
import { securityGroupIdOf, subnetIdOf } from './private/network-ids';

/** Whether the load balancer is reachable from the internet or only inside the VPC. */
export type LoadBalancerScheme = 'internal' | 'internet-facing';

/** S3 access logs of the load balancer. */
export interface AccessLogs {
  /** Bucket name (its policy must let the regional ELB account write). */
  readonly bucket: string;
  /**
   * Key prefix.
   * @default - none
   */
  readonly prefix?: string;
}

/** Options of a load balancer the fleet creates. */
export interface ApplicationLoadBalancerOptions {
  /**
   * `internal` (reachable inside the VPC) or `internet-facing` (needs public subnets).
   * @default 'internal'
   */
  readonly scheme?: LoadBalancerScheme;
  /**
   * Ids of the subnets of the load balancer (at least two, in different availability
   * zones). Give `subnetIds` or `subnets`, not both.
   * @default - the fleet's subnets
   */
  readonly subnetIds?: readonly string[];
  /**
   * The subnets of the load balancer as objects: the provider's `Subnet` resources or
   * `DataAwsSubnet` data sources, or `{ subnetId }`. Give `subnets` or `subnetIds`, not both.
   * @default - the fleet's subnets
   */
  readonly subnets?: readonly (Subnet | DataAwsSubnet | ISubnet)[];
  /**
   * ACM certificate ARN. With it, the load balancer listens with HTTPS on 443 and
   * redirects HTTP on 80 to HTTPS; without it, it serves plain HTTP on 80.
   * @default - HTTP only
   */
  readonly certificateArn?: string;
  /**
   * TLS policy of the HTTPS listener.
   * @default 'ELBSecurityPolicy-TLS13-1-2-2021-06' (TLS 1.3 and 1.2)
   */
  readonly sslPolicy?: string;
  /**
   * Client address ranges allowed to reach the listeners.
   * @default ['0.0.0.0/0']
   */
  readonly ingressCidrs?: readonly string[];
  /**
   * Refuse deletion of the load balancer through the API (turn off before destroy).
   * @default false
   */
  readonly deletionProtection?: boolean;
  /**
   * Access logs to S3.
   * @default - no access logs
   */
  readonly accessLogs?: AccessLogs;
  /**
   * Idle connection timeout in seconds (1 to 4000).
   * @default 60
   */
  readonly idleTimeoutSeconds?: number;
}

/** An existing listener the fleet adds a weighted forwarding rule to. */
export interface ExistingListenerOptions {
  /** ARN of the listener (of an application load balancer). */
  readonly listenerArn: string;
  /**
   * Id of the security group of that load balancer: the instances accept traffic from
   * it only. Give `securityGroupId` or `securityGroup`, not both.
   * @default - the id of `securityGroup`
   */
  readonly securityGroupId?: string;
  /**
   * The security group of that load balancer as an object: the provider's
   * `SecurityGroup` resource or `DataAwsSecurityGroup` data source, or
   * `{ securityGroupId }`. Give `securityGroup` or `securityGroupId`, not both.
   * @default - `securityGroupId`
   */
  readonly securityGroup?: SecurityGroup | DataAwsSecurityGroup | ISecurityGroup;
  /** Priority of the fleet's listener rule (1 to 50000, unique per listener). */
  readonly priority: number;
  /**
   * Path patterns the rule matches.
   * @default ['/*']
   */
  readonly pathPatterns?: readonly string[];
  /**
   * Host headers the rule matches.
   * @default - any host
   */
  readonly hostHeaders?: readonly string[];
  /**
   * DNS name of the load balancer, for the fleet's output.
   * @default - no DNS name output
   */
  readonly dnsName?: string;
  /**
   * Add a rule to the load balancer's security group that lets it reach this fleet's
   * instances on the fleet's port (an `aws_security_group_rule`, egress). Needed when
   * that group does not allow all outbound traffic, as the group of a load balancer
   * this library creates does not: without it the fleet's health checks never reach
   * its instances. Leave it off when the group is managed with inline `egress` blocks,
   * which a separate rule would fight. `FleetLoadBalancer.fromShared` always adds it.
   * @default false
   */
  readonly addEgressRule?: boolean;
}

/**
 * A load balancer that several fleets share, as a fleet attaching to it sees it
 * ({@link FleetLoadBalancer.fromShared}): {@link SharedLoadBalancer} implements it.
 */
export interface ISharedLoadBalancer extends IConstruct {
  /** ARN of the listener the fleets add their rules to. */
  readonly listenerArn: string;
  /** Id of the load balancer's security group. */
  readonly securityGroupId: string;
  /** DNS name of the load balancer. */
  readonly dnsName: string;
  /** `app/<name>/<id>` of the load balancer, the `LoadBalancer` dimension of its metrics. */
  readonly loadBalancerArnSuffix: string;
  /**
   * Claims a rule priority for `fleet`; fails through `check` when another fleet has it.
   * @internal
   */
  _claimPriority?(fleet: IConstruct, priority: number, check: Validator, at: string): void;
}

/** Where a fleet attaches to a {@link SharedLoadBalancer}: its rule's priority and conditions. */
export interface SharedListenerOptions {
  /** Priority of the fleet's listener rule (1 to 50000, unique per listener). */
  readonly priority: number;
  /**
   * Path patterns the rule matches.
   * @default ['/*']
   */
  readonly pathPatterns?: readonly string[];
  /**
   * Host headers the rule matches (`api.example.com`, `*.example.com`).
   * @default - any host
   */
  readonly hostHeaders?: readonly string[];
}

/**
 * The default TLS policy of the HTTPS listener: TLS 1.3 and 1.2 only.
 * @internal
 */
export const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

const CERTIFICATE_ARN = /^arn:aws[a-z-]*:(acm|iam):[a-z0-9-]*:[0-9]{12}:(certificate|server-certificate)\/.+$/;
const LISTENER_ARN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:listener\/app\/[A-Za-z0-9-]+\/[0-9a-f]+\/[0-9a-f]+$/;
const SSL_POLICY = /^ELBSecurityPolicy-[A-Za-z0-9-]+$/;

/**
 * A load balancer the fleet creates, with its options checked and its subnets as ids
 * (`undefined`: the fleet's subnets). Not exported by an entry point (see {@link CheckedLoadBalancer}).
 */
export interface CreatedLoadBalancer {
  readonly options: ApplicationLoadBalancerOptions;
  readonly subnetIds?: readonly string[];
}

/**
 * An existing listener, with its options checked and the load balancer's security group as an id.
 * Not exported by an entry point (see {@link CheckedLoadBalancer}).
 */
export interface ExistingListener {
  readonly options: ExistingListenerOptions;
  readonly securityGroupId: string;
  /** Add the load balancer's egress rule to the fleet's instances. */
  readonly addEgressRule: boolean;
  /** `app/<name>/<id>` of the load balancer, when known without parsing the listener ARN (a shared one). */
  readonly loadBalancerArnSuffix?: string;
}

/**
 * A {@link FleetLoadBalancer} checked where a fleet uses it: exactly one of the two.
 *
 * Not part of the public API (no entry point exports it), yet not marked internal
 * either: the declarations of the modules that use it are published and name it.
 */
export interface CheckedLoadBalancer {
  readonly create?: CreatedLoadBalancer;
  readonly existing?: ExistingListener;
}

/**
 * Where a fleet's traffic comes from: a load balancer it creates, or an existing listener.
 *
 * The options are checked where a fleet uses them, so that an error names the fleet
 * (`BlueGreenFleet prod/Web: loadBalancer: FleetLoadBalancer.create: scheme ...`).
 */
export class FleetLoadBalancer {
  /**
   * An application load balancer, its security group and listeners, created and owned
   * by the fleet. `drop_invalid_header_fields` is on; with a certificate the HTTPS
   * listener uses a TLS 1.3/1.2 policy and HTTP redirects to HTTPS.
   */
  public static create(options: ApplicationLoadBalancerOptions = {}): FleetLoadBalancer {
    return new FleetLoadBalancer(options, undefined);
  }

  /**
   * A listener rule with the fleet's weighted forward action on an existing listener
   * that another stack or tool manages. For several fleets of this library behind one
   * load balancer, use a {@link SharedLoadBalancer} and {@link FleetLoadBalancer.fromShared}.
   */
  public static fromListener(options: ExistingListenerOptions): FleetLoadBalancer {
    return new FleetLoadBalancer(undefined, options);
  }

  /**
   * A listener rule with the fleet's weighted forward action on the listener of a
   * {@link SharedLoadBalancer}, matching `hostHeaders` and `pathPatterns` at `priority`.
   * The fleet adds the load balancer's egress rule to its own instances (and its
   * instances accept the fleet's port from the load balancer), so that every fleet
   * attached is reachable; each is staged, promoted and rolled back on its own (only
   * its own rule's weights change).
   */
  public static fromShared(shared: ISharedLoadBalancer, options: SharedListenerOptions): FleetLoadBalancer {
    return new FleetLoadBalancer(undefined, undefined, { shared, options });
  }

  private constructor(
    private readonly createOptions: ApplicationLoadBalancerOptions | undefined,
    private readonly existingOptions: ExistingListenerOptions | undefined,
    private readonly sharedOptions?: { shared: ISharedLoadBalancer; options: SharedListenerOptions },
  ) {}

  /**
   * The options, checked through `check` (the fleet's), with `prop` (`loadBalancer`)
   * and the factory in front of each message. `fleet` claims its rule's priority on a
   * shared load balancer.
   * @internal
   */
  public _check(check: Validator, prop: string, fleet?: IConstruct): CheckedLoadBalancer {
    if (this.sharedOptions) {
      return { existing: checkShared(check, `${prop}: FleetLoadBalancer.fromShared: `, this.sharedOptions, fleet) };
    }
    if (this.existingOptions) {
      return {
        existing: checkExistingListener(check, `${prop}: FleetLoadBalancer.fromListener: `, this.existingOptions),
      };
    }
    const options = this.createOptions ?? {};
    return { create: checkCreateOptions(check, `${prop}: FleetLoadBalancer.create: `, options) };
  }
}

/**
 * Checks the options of {@link FleetLoadBalancer.create} (and of a
 * {@link SharedLoadBalancer}, which has the same ones); `at` starts each message.
 * @internal
 */
export function checkCreateOptions(
  check: Validator,
  at: string,
  options: ApplicationLoadBalancerOptions,
): CreatedLoadBalancer {
  // a token scheme is refused too: the fleet chooses `internal` at synth
  if (options.scheme !== undefined && options.scheme !== 'internal' && options.scheme !== 'internet-facing') {
    check.fail(`${at}scheme (${show(options.scheme)}) must be "internal" or "internet-facing".`);
  }
  const subnets = loadBalancerSubnets(check, at, options);
  if (isLiteral(subnets?.ids) && subnets.ids.length < 2) {
    check.fail(
      `${at}${subnets.prop} (${show(subnets.shown)}) must list at least two subnets in different availability zones; ` +
        'an application load balancer needs two.',
    );
  }
  check.pattern(
    `${at}certificateArn`,
    options.certificateArn,
    CERTIFICATE_ARN,
    'an ACM certificate ARN such as arn:aws:acm:eu-west-1:123456789012:certificate/<id>',
  );
  check.pattern(
    `${at}sslPolicy`,
    options.sslPolicy,
    SSL_POLICY,
    `an ELB security policy name such as ${DEFAULT_SSL_POLICY}`,
  );
  if (isLiteral(options.sslPolicy) && options.certificateArn === undefined) {
    check.fail(
      `${at}sslPolicy (${show(options.sslPolicy)}) is set without certificateArn; the policy only applies to ` +
        'the HTTPS listener, so add certificateArn or remove sslPolicy.',
    );
  }
  checkIngressCidrs(check, at, options.ingressCidrs);
  check.integer(`${at}idleTimeoutSeconds`, options.idleTimeoutSeconds, 1, 4000);
  check.pattern(
    `${at}accessLogs.bucket`,
    options.accessLogs?.bucket,
    BUCKET_NAME,
    'an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens) such as my-alb-logs',
  );
  return { options, subnetIds: subnets?.ids };
}

/**
 * The load balancer's own subnets as ids, from `subnetIds` or `subnets` (not both), with
 * the prop that gave them and the value as given; `undefined` when neither is set.
 */
function loadBalancerSubnets(
  check: Validator,
  at: string,
  options: ApplicationLoadBalancerOptions,
): { prop: string; ids: readonly string[]; shown: unknown } | undefined {
  if (options.subnetIds !== undefined && options.subnets !== undefined) {
    check.fail(`${at}subnetIds and subnets are both set; give the load balancer's subnets once, as ids or as objects.`);
  }
  if (options.subnets !== undefined) {
    const ids = options.subnets.map(subnetIdOf);
    return { prop: 'subnets', ids, shown: ids };
  }
  return options.subnetIds === undefined
    ? undefined
    : { prop: 'subnetIds', ids: options.subnetIds, shown: options.subnetIds };
}

function checkIngressCidrs(check: Validator, at: string, cidrs: readonly string[] | undefined): void {
  if (!isLiteral(cidrs)) {
    return;
  }
  if (cidrs.length === 0) {
    check.fail(`${at}ingressCidrs ([]) must list at least one range, e.g. ["10.0.0.0/8"].`);
  }
  cidrs.forEach((cidr, i) =>
    check.pattern(`${at}ingressCidrs[${i}]`, cidr, IPV4_CIDR, 'an IPv4 CIDR block such as 10.0.0.0/8'),
  );
}

/** Checks the options of {@link FleetLoadBalancer.fromListener}; `at` starts each message. */
function checkExistingListener(check: Validator, at: string, options: ExistingListenerOptions): ExistingListener {
  check.pattern(
    `${at}listenerArn`,
    options.listenerArn,
    LISTENER_ARN,
    'an application load balancer listener ARN ' +
      '(arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<name>/<id>/<id>)',
  );
  const securityGroupId = listenerSecurityGroupId(check, at, options);
  check.integer(`${at}priority`, options.priority, 1, 50000, 'each rule on a listener needs its own priority');
  if (options.pathPatterns !== undefined) {
    check.nonEmptyList(`${at}pathPatterns`, options.pathPatterns, 'omit it to match every path ("/*")');
  }
  if (options.hostHeaders !== undefined) {
    check.nonEmptyList(`${at}hostHeaders`, options.hostHeaders, 'omit it to match any host');
  }
  if (isLiteral(options.pathPatterns)) {
    options.pathPatterns.forEach((pattern, i) => {
      if (isLiteral(pattern) && !pattern.startsWith('/') && !pattern.startsWith('*')) {
        check.fail(`${at}pathPatterns[${i}] (${show(pattern)}) must start with "/" (or "*"), e.g. "/api/*".`);
      }
    });
  }
  return { options, securityGroupId, addEgressRule: options.addEgressRule ?? false };
}

/**
 * Checks the options of {@link FleetLoadBalancer.fromShared} (`at` starts each message)
 * and claims the rule's priority on the shared load balancer for `fleet`.
 */
function checkShared(
  check: Validator,
  at: string,
  { shared, options }: { shared: ISharedLoadBalancer; options: SharedListenerOptions },
  fleet: IConstruct | undefined,
): ExistingListener {
  if (!shared || typeof shared !== 'object') {
    check.fail(`${at}the first argument (${show(shared)}) must be a SharedLoadBalancer.`);
  }
  if (!options || typeof options !== 'object') {
    check.fail(
      `${at}the options (${show(options)}) must be an object such as { priority: 10, pathPatterns: ["/api/*"] }.`,
    );
  }
  const checked = checkExistingListener(check, at, {
    listenerArn: shared.listenerArn,
    securityGroupId: shared.securityGroupId,
    priority: options.priority,
    pathPatterns: options.pathPatterns,
    hostHeaders: options.hostHeaders,
    dnsName: shared.dnsName,
  });
  if (fleet && typeof shared._claimPriority === 'function') {
    shared._claimPriority(fleet, options.priority, check, at);
  }
  return { ...checked, addEgressRule: true, loadBalancerArnSuffix: shared.loadBalancerArnSuffix };
}

/** The load balancer's security group id, from `securityGroupId` or `securityGroup` (exactly one). */
function listenerSecurityGroupId(check: Validator, at: string, options: ExistingListenerOptions): string {
  if (options.securityGroupId !== undefined && options.securityGroup !== undefined) {
    check.fail(
      `${at}securityGroupId and securityGroup are both set; give the load balancer's security group once, ` +
        'as an id or as an object.',
    );
  }
  if (options.securityGroup !== undefined) {
    const id = securityGroupIdOf(options.securityGroup);
    check.pattern(`${at}securityGroup.securityGroupId`, id, SECURITY_GROUP_ID, SECURITY_GROUP_EXPECTED);
    return id;
  }
  if (options.securityGroupId === undefined) {
    check.fail(
      `${at}securityGroupId is not set; pass the id of the load balancer's security group ` +
        '(securityGroupId) or the group itself (securityGroup).',
    );
  }
  check.pattern(`${at}securityGroupId`, options.securityGroupId, SECURITY_GROUP_ID, SECURITY_GROUP_EXPECTED);
  return options.securityGroupId;
}

const SECURITY_GROUP_EXPECTED = 'a security group id such as sg-0123456789abcdef0';
