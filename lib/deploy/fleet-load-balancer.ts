import { Token } from 'cdktf';

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

/** The default TLS policy: TLS 1.3 and 1.2 only. */
export const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

const CERTIFICATE_ARN = /^arn:aws[a-z-]*:(acm|iam):[a-z0-9-]*:[0-9]{12}:(certificate|server-certificate)\/.+$/;
const LISTENER_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:listener\/app\/[A-Za-z0-9-]+\/[0-9a-f]+\/[0-9a-f]+$/;
const CIDR = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;

/** Where a fleet's traffic comes from: a load balancer it creates, or an existing listener. */
export class FleetLoadBalancer {
  /**
   * An application load balancer, its security group and listeners, created and owned
   * by the fleet. `drop_invalid_header_fields` is on; with a certificate the HTTPS
   * listener uses a TLS 1.3/1.2 policy and HTTP redirects to HTTPS.
   */
  public static create(options: ApplicationLoadBalancerOptions = {}): FleetLoadBalancer {
    const where = 'FleetLoadBalancer.create';
    if (options.scheme !== undefined && options.scheme !== 'internal' && options.scheme !== 'internet-facing') {
      throw new Error(`${where}: scheme (${JSON.stringify(options.scheme)}) must be "internal" or "internet-facing".`);
    }
    const subnets = options.subnetIds;
    if (subnets !== undefined && !Token.isUnresolved(subnets) && subnets.length < 2) {
      throw new Error(`${where}: subnetIds (${JSON.stringify(subnets)}) must list at least two subnets in different availability zones; an application load balancer needs two.`);
    }
    literal(options.certificateArn, (arn) => {
      if (!CERTIFICATE_ARN.test(arn)) {
        throw new Error(`${where}: certificateArn ("${arn}") must be an ACM certificate ARN such as arn:aws:acm:eu-west-1:123456789012:certificate/<id>.`);
      }
    });
    literal(options.sslPolicy, (policy) => {
      if (!/^ELBSecurityPolicy-[A-Za-z0-9-]+$/.test(policy)) {
        throw new Error(`${where}: sslPolicy ("${policy}") must be an ELB security policy name such as ${DEFAULT_SSL_POLICY}.`);
      }
      if (options.certificateArn === undefined) {
        throw new Error(`${where}: sslPolicy ("${policy}") is set without certificateArn; the policy only applies to the HTTPS listener, so add certificateArn or remove sslPolicy.`);
      }
    });
    const cidrs = options.ingressCidrs;
    if (cidrs !== undefined && !Token.isUnresolved(cidrs)) {
      if (cidrs.length === 0) {
        throw new Error(`${where}: ingressCidrs ([]) must list at least one range, e.g. ["10.0.0.0/8"].`);
      }
      cidrs.forEach((cidr, i) => literal(cidr, (value) => {
        if (!CIDR.test(value)) {
          throw new Error(`${where}: ingressCidrs[${i}] ("${value}") is not an IPv4 CIDR block such as 10.0.0.0/8.`);
        }
      }));
    }
    literal(options.idleTimeoutSeconds, (seconds) => {
      if (!Number.isInteger(seconds) || seconds < 1 || seconds > 4000) {
        throw new Error(`${where}: idleTimeoutSeconds (${seconds}) must be an integer from 1 to 4000.`);
      }
    });
    literal(options.accessLogs?.bucket, (bucket) => {
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
        throw new Error(`${where}: accessLogs.bucket ("${bucket}") is not an S3 bucket name.`);
      }
    });
    return new FleetLoadBalancer(options, undefined);
  }

  /**
   * A listener rule with the fleet's weighted forward action on an existing listener
   * (for example one load balancer shared by several services).
   */
  public static fromListener(options: ExistingListenerOptions): FleetLoadBalancer {
    const where = 'FleetLoadBalancer.fromListener';
    literal(options.listenerArn, (arn) => {
      if (!LISTENER_ARN.test(arn)) {
        throw new Error(`${where}: listenerArn ("${arn}") must be an application load balancer listener ARN (arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<name>/<id>/<id>).`);
      }
    });
    literal(options.securityGroupId, (id) => {
      if (!/^sg-([0-9a-f]{8}|[0-9a-f]{17})$/.test(id)) {
        throw new Error(`${where}: securityGroupId ("${id}") must be a security group id such as sg-0123456789abcdef0.`);
      }
    });
    literal(options.priority, (priority) => {
      if (!Number.isInteger(priority) || priority < 1 || priority > 50000) {
        throw new Error(`${where}: priority (${priority}) must be an integer from 1 to 50000, unique on the listener.`);
      }
    });
    for (const prop of ['pathPatterns', 'hostHeaders'] as const) {
      const values = options[prop];
      if (values !== undefined && !Token.isUnresolved(values) && values.length === 0) {
        throw new Error(`${where}: ${prop} ([]) must list at least one value, or be omitted.`);
      }
    }
    (options.pathPatterns ?? []).forEach((pattern, i) => literal(pattern, (value) => {
      if (!value.startsWith('/') && !value.startsWith('*')) {
        throw new Error(`${where}: pathPatterns[${i}] ("${value}") must start with "/" (or "*"), e.g. "/api/*".`);
      }
    }));
    return new FleetLoadBalancer(undefined, options);
  }

  private constructor(
    /** @internal */
    public readonly _create: ApplicationLoadBalancerOptions | undefined,
    /** @internal */
    public readonly _existing: ExistingListenerOptions | undefined,
  ) {}
}

function literal<T>(value: T | undefined, check: (value: T) => void): void {
  if (value !== undefined && !Token.isUnresolved(value)) {
    check(value);
  }
}
