import type { DataAwsSubnet } from '@cdktf/provider-aws/lib/data-aws-subnet';
import type { DataAwsVpc } from '@cdktf/provider-aws/lib/data-aws-vpc';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerCertificate } from '@cdktf/provider-aws/lib/lb-listener-certificate';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import type { Subnet } from '@cdktf/provider-aws/lib/subnet';
import type { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { TerraformStack, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { ImmutabilityAspect } from '../immutability/immutability-aspect';
import { isLiteral, show, Validator } from '../private/validation';
import {
  AccessLogs,
  checkCreateOptions,
  CreatedLoadBalancer,
  DEFAULT_SSL_POLICY,
  ISharedLoadBalancer,
  LoadBalancerScheme,
} from './fleet-load-balancer';
import { ISubnet, IVpc } from './network';
import { fleetVpcId, validateName } from './private/fleet-common';
import {
  addClientRules,
  fixedResponseAction,
  newApplicationLoadBalancer,
  newLoadBalancerSecurityGroup,
} from './private/fleet-front-end';
import {
  claimFleetName,
  FleetFixedName,
  fleetFixedName,
  otherNameHolders,
  warnShortenedNames,
} from './private/fleet-names';

/** The answer of a shared load balancer to a request that no fleet's rule matches. */
export interface FixedResponse {
  /**
   * HTTP status code (200 to 599).
   * @default 404
   */
  readonly statusCode?: number;
  /**
   * Content type of the body.
   * @default 'text/plain'
   */
  readonly contentType?: 'text/plain' | 'text/css' | 'text/html' | 'application/javascript' | 'application/json';
  /**
   * The body (at most 1024 characters).
   * @default 'Not found'
   */
  readonly messageBody?: string;
}

/** Props of {@link SharedLoadBalancer}. */
export interface SharedLoadBalancerProps {
  /**
   * Name of the load balancer (letters, digits and hyphens, at most 32 characters),
   * unique per account and region, also among the fleets' own load balancers.
   * @default - `<stack>-<id>` in lowercase
   */
  readonly name?: string;
  /**
   * Id of the VPC. Give `vpcId` or `vpc`, not both.
   * @default - the id of `vpc`
   */
  readonly vpcId?: string;
  /**
   * The VPC as an object: the provider's `Vpc` resource or `DataAwsVpc` data source, or
   * `{ vpcId }`. Give `vpc` or `vpcId`, not both.
   * @default - `vpcId`
   */
  readonly vpc?: Vpc | DataAwsVpc | IVpc;
  /**
   * Ids of the load balancer's subnets (at least two, in different availability zones).
   * Give `subnetIds` or `subnets`.
   * @default - `subnets`
   */
  readonly subnetIds?: readonly string[];
  /**
   * The load balancer's subnets as objects. Give `subnets` or `subnetIds`.
   * @default - `subnetIds`
   */
  readonly subnets?: readonly (Subnet | DataAwsSubnet | ISubnet)[];
  /**
   * `internal` (reachable inside the VPC) or `internet-facing` (needs public subnets).
   * @default 'internal'
   */
  readonly scheme?: LoadBalancerScheme;
  /**
   * ACM certificate ARN of the HTTPS listener (its default certificate). With it, the
   * load balancer listens with HTTPS on 443 and redirects HTTP on 80 to HTTPS; without
   * it, it serves plain HTTP on 80.
   * @default - HTTP only
   */
  readonly certificateArn?: string;
  /**
   * More certificates of the HTTPS listener, chosen by the client's server name (SNI),
   * one `aws_lb_listener_certificate` each: one per domain of the fleets behind it.
   * @default - the default certificate only
   */
  readonly additionalCertificateArns?: readonly string[];
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
  /**
   * What the listener answers when no fleet's rule matches a request.
   * @default - 404, text/plain, "Not found"
   */
  readonly defaultResponse?: FixedResponse;
}

const CONTENT_TYPES: readonly NonNullable<FixedResponse['contentType']>[] = [
  'text/plain',
  'text/css',
  'text/html',
  'application/javascript',
  'application/json',
];

/**
 * One application load balancer that several fleets share, each released on its own:
 * its security group, its listener (HTTPS with a default certificate and more by SNI,
 * plus an HTTP to HTTPS redirect, or plain HTTP without a certificate) and a fixed
 * response for requests no fleet's rule matches. A fleet attaches with
 * `loadBalancer: FleetLoadBalancer.fromShared(shared, { priority, hostHeaders, pathPatterns })`:
 * it adds its own weighted listener rule, its instances accept the fleet's port from
 * the load balancer's security group, and it adds that group's egress rule to its
 * instances, so any number of fleets are reachable from it. A stage, promote or
 * rollback of one fleet changes that fleet's rule and groups only.
 *
 * The load balancer, listeners and rules are mutable by design (updated in place); the
 * security group starts with no egress rule, each fleet adds its own.
 */
export class SharedLoadBalancer extends Construct implements ISharedLoadBalancer {
  /** The load balancer. */
  public readonly loadBalancer: Lb;
  /** The listener the fleets add their rules to (HTTPS on 443 with a certificate, else HTTP on 80). */
  public readonly listener: LbListener;
  /** ARN of {@link listener}. */
  public readonly listenerArn: string;
  /** The load balancer's security group. */
  public readonly securityGroup: SecurityGroup;
  /** Id of the load balancer's security group. */
  public readonly securityGroupId: string;
  /** DNS name of the load balancer. */
  public readonly dnsName: string;
  /** `app/<name>/<id>` of the load balancer, the `LoadBalancer` dimension of its metrics. */
  public readonly loadBalancerArnSuffix: string;
  /** Name of the load balancer. */
  public readonly loadBalancerName: string;

  private readonly names: FleetFixedName[] = [];
  /** Rule priorities taken by the fleets attached so far, with the fleet's path. */
  private readonly priorities = new Map<number, string>();

  constructor(scope: Construct, id: string, props: SharedLoadBalancerProps) {
    super(scope, id);
    ImmutabilityAspect.enable(this);
    const check = new Validator(this);
    validateName(check, props.name);
    const vpcId = fleetVpcId(check, props);
    const created = checkSharedOptions(check, props);
    const base = (props.name ?? `${TerraformStack.of(this).node.id}-${id}`).toLowerCase();
    const nameProp =
      props.name !== undefined
        ? `name (${show(props.name)})`
        : `name (not set; the default "<stack>-<id>" is "${base}")`;
    const fixed = fleetFixedName('load balancer', base);
    claimFleetName(otherNameHolders(this), check, fixed, nameProp);
    this.names.push(fixed);
    warnShortenedNames(check, this.names, base, nameProp);

    const options = created.options;
    this.securityGroup = newLoadBalancerSecurityGroup(this, 'SecurityGroup', {
      base,
      vpcId,
      description: `Shared load balancer ${this.node.path} (cdktf-immutable)`,
    });
    this.securityGroupId = this.securityGroup.id;
    addClientRules(this, {
      ids: { http: 'IngressHttp', https: 'IngressHttps' },
      options,
      securityGroupId: this.securityGroupId,
    });
    this.loadBalancer = newApplicationLoadBalancer(this, 'Resource', {
      name: fixed.name,
      options,
      subnetIds: created.subnetIds ?? [],
      securityGroupId: this.securityGroupId,
    });
    this.loadBalancerName = fixed.name;
    this.dnsName = this.loadBalancer.dnsName;
    this.loadBalancerArnSuffix = this.loadBalancer.arnSuffix;
    this.listener = newSharedListener(this, props, this.loadBalancer);
    this.listenerArn = this.listener.arn;
  }

  /** @internal */
  public get _fixedNames(): readonly FleetFixedName[] {
    return this.names ?? [];
  }

  /**
   * Claims `priority` on the listener for `fleet`: fails through `check` (the fleet's),
   * after `at`, when another fleet attached already uses it.
   * @internal
   */
  public _claimPriority(fleet: IConstruct, priority: number, check: Validator, at: string): void {
    if (!isLiteral(priority)) {
      return;
    }
    const taken = this.priorities.get(priority);
    if (taken !== undefined && taken !== fleet.node.path) {
      check.fail(
        `${at}priority (${priority}) is used by ${taken} on SharedLoadBalancer ${this.node.path}; each rule on a ` +
          'listener needs its own priority: give this fleet another one.',
      );
    }
    this.priorities.set(priority, fleet.node.path);
  }
}

/** The props of a shared load balancer as the load balancer options of a fleet, checked; subnets are required. */
function checkSharedOptions(check: Validator, props: SharedLoadBalancerProps): CreatedLoadBalancer {
  if (props.subnetIds === undefined && props.subnets === undefined) {
    check.fail(
      'subnetIds is not set; pass the ids of at least two subnets in different availability zones (subnetIds) ' +
        'or the subnets themselves (subnets).',
    );
  }
  const created = checkCreateOptions(check, '', props);
  const extra = props.additionalCertificateArns;
  if (Token.isUnresolved(extra)) {
    check.fail(
      'additionalCertificateArns is a token list; write the list out (its elements may be references), ' +
        'so that each certificate gets its own resource.',
    );
  }
  if (extra !== undefined) {
    if (props.certificateArn === undefined) {
      check.fail(
        'additionalCertificateArns is set without certificateArn; the HTTPS listener needs a default ' +
          'certificate: set certificateArn, or remove additionalCertificateArns.',
      );
    }
    extra.forEach((arn, i) => checkCreateOptions(check, `additionalCertificateArns[${i}]: `, { certificateArn: arn }));
    check.unique('additionalCertificateArns', extra);
  }
  const response = props.defaultResponse;
  if (response !== undefined) {
    check.integer('defaultResponse.statusCode', response.statusCode, 200, 599);
    check.oneOf('defaultResponse.contentType', response.contentType, CONTENT_TYPES);
    if (isLiteral(response.messageBody) && response.messageBody.length > 1024) {
      check.fail(`defaultResponse.messageBody is ${response.messageBody.length} characters; at most 1024 are allowed.`);
    }
  }
  return created;
}

/**
 * The listener the fleets add their rules to, answering `defaultResponse`; with a
 * certificate, HTTPS with its more certificates and an HTTP to HTTPS redirect.
 */
function newSharedListener(scope: Construct, props: SharedLoadBalancerProps, lb: Lb): LbListener {
  const response = props.defaultResponse ?? {};
  const action = fixedResponseAction(
    response.statusCode ?? 404,
    response.contentType ?? 'text/plain',
    response.messageBody ?? 'Not found',
  );
  if (props.certificateArn === undefined) {
    return new LbListener(scope, 'Listener', {
      loadBalancerArn: lb.arn,
      port: 80,
      protocol: 'HTTP',
      defaultAction: [action],
    });
  }
  new LbListener(scope, 'HttpRedirect', {
    loadBalancerArn: lb.arn,
    port: 80,
    protocol: 'HTTP',
    defaultAction: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
  });
  const listener = new LbListener(scope, 'Listener', {
    loadBalancerArn: lb.arn,
    port: 443,
    protocol: 'HTTPS',
    certificateArn: props.certificateArn,
    sslPolicy: props.sslPolicy ?? DEFAULT_SSL_POLICY,
    defaultAction: [action],
  });
  (props.additionalCertificateArns ?? []).forEach(
    (certificateArn, i) =>
      new LbListenerCertificate(scope, `Certificate${i + 1}`, { listenerArn: listener.arn, certificateArn }),
  );
  return listener;
}
