import { BUCKET_NAME, SECURITY_GROUP_ID } from '../private/aws-ids';
import { isLiteral, show, Validator } from '../private/validation';

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
   * Subnets of the load balancer (at least two, in different availability zones).
   * @default - the fleet's subnets
   */
  readonly subnetIds?: readonly string[];
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
   * Security group of that load balancer: the instances accept traffic from it only.
   */
  readonly securityGroupId: string;
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
}

/**
 * The default TLS policy of the HTTPS listener: TLS 1.3 and 1.2 only.
 * @internal
 */
export const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

const CERTIFICATE_ARN = /^arn:aws[a-z-]*:(acm|iam):[a-z0-9-]*:[0-9]{12}:(certificate|server-certificate)\/.+$/;
const LISTENER_ARN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:listener\/app\/[A-Za-z0-9-]+\/[0-9a-f]+\/[0-9a-f]+$/;
const CIDR = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;
const SSL_POLICY = /^ELBSecurityPolicy-[A-Za-z0-9-]+$/;

/** Where a fleet's traffic comes from: a load balancer it creates, or an existing listener. */
export class FleetLoadBalancer {
  /**
   * An application load balancer, its security group and listeners, created and owned
   * by the fleet. `drop_invalid_header_fields` is on; with a certificate the HTTPS
   * listener uses a TLS 1.3/1.2 policy and HTTP redirects to HTTPS.
   */
  public static create(options: ApplicationLoadBalancerOptions = {}): FleetLoadBalancer {
    const check = new Validator('FleetLoadBalancer.create');
    // a token scheme is refused too: the fleet chooses `internal` at synth
    if (options.scheme !== undefined && options.scheme !== 'internal' && options.scheme !== 'internet-facing') {
      check.fail(`scheme (${show(options.scheme)}) must be "internal" or "internet-facing".`);
    }
    const subnets = options.subnetIds;
    if (isLiteral(subnets) && subnets.length < 2) {
      check.fail(
        `subnetIds (${show(subnets)}) must list at least two subnets in different availability zones; an application load balancer needs two.`,
      );
    }
    check.pattern(
      'certificateArn',
      options.certificateArn,
      CERTIFICATE_ARN,
      'an ACM certificate ARN such as arn:aws:acm:eu-west-1:123456789012:certificate/<id>',
    );
    check.pattern(
      'sslPolicy',
      options.sslPolicy,
      SSL_POLICY,
      `an ELB security policy name such as ${DEFAULT_SSL_POLICY}`,
    );
    if (isLiteral(options.sslPolicy) && options.certificateArn === undefined) {
      check.fail(
        `sslPolicy (${show(options.sslPolicy)}) is set without certificateArn; the policy only applies to the HTTPS listener, so add certificateArn or remove sslPolicy.`,
      );
    }
    const cidrs = options.ingressCidrs;
    if (isLiteral(cidrs)) {
      if (cidrs.length === 0) {
        check.fail('ingressCidrs ([]) must list at least one range, e.g. ["10.0.0.0/8"].');
      }
      cidrs.forEach((cidr, i) =>
        check.pattern(`ingressCidrs[${i}]`, cidr, CIDR, 'an IPv4 CIDR block such as 10.0.0.0/8'),
      );
    }
    check.integer('idleTimeoutSeconds', options.idleTimeoutSeconds, 1, 4000);
    check.pattern(
      'accessLogs.bucket',
      options.accessLogs?.bucket,
      BUCKET_NAME,
      'an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens) such as my-alb-logs',
    );
    return new FleetLoadBalancer(options, undefined);
  }

  /**
   * A listener rule with the fleet's weighted forward action on an existing listener
   * (for example one load balancer shared by several services).
   */
  public static fromListener(options: ExistingListenerOptions): FleetLoadBalancer {
    const check = new Validator('FleetLoadBalancer.fromListener');
    check.pattern(
      'listenerArn',
      options.listenerArn,
      LISTENER_ARN,
      'an application load balancer listener ARN (arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<name>/<id>/<id>)',
    );
    check.pattern(
      'securityGroupId',
      options.securityGroupId,
      SECURITY_GROUP_ID,
      'a security group id such as sg-0123456789abcdef0',
    );
    check.integer('priority', options.priority, 1, 50000, 'each rule on a listener needs its own priority');
    if (options.pathPatterns !== undefined) {
      check.nonEmptyList('pathPatterns', options.pathPatterns, 'omit it to match every path ("/*")');
    }
    if (options.hostHeaders !== undefined) {
      check.nonEmptyList('hostHeaders', options.hostHeaders, 'omit it to match any host');
    }
    if (isLiteral(options.pathPatterns)) {
      options.pathPatterns.forEach((pattern, i) => {
        if (isLiteral(pattern) && !pattern.startsWith('/') && !pattern.startsWith('*')) {
          check.fail(`pathPatterns[${i}] (${show(pattern)}) must start with "/" (or "*"), e.g. "/api/*".`);
        }
      });
    }
    return new FleetLoadBalancer(undefined, options);
  }

  private constructor(
    /** @internal */
    public readonly _create: ApplicationLoadBalancerOptions | undefined,
    /** @internal */
    public readonly _existing: ExistingListenerOptions | undefined,
  ) {}
}
