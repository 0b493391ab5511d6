import { ITerraformDependable, Precondition, Token } from 'cdktf';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener, LbListenerDefaultAction } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerRule, LbListenerRuleCondition } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SecurityGroupRule } from '@cdktf/provider-aws/lib/security-group-rule';
import { Construct } from 'constructs';
import { registerStableReference } from '../../immutability/generation';
import { fixedName, NameRule } from '../../immutability/naming';
import { suppressCheckov } from '../../private/checkov';
import { reportSecurityDowngrade } from '../../immutability/security-downgrades';
import { isLiteral, Validator } from '../../private/validation';
import {
  ApplicationLoadBalancerOptions,
  CheckedLoadBalancer,
  DEFAULT_SSL_POLICY,
  ExistingListenerOptions,
} from '../fleet-load-balancer';
import { loadBalancerArnSuffixOf } from './expressions';
import { claimFleetName, FleetFixedName, fleetFixedName, otherNameHolders, warnShortenedNames } from './fleet-names';

/** Effective health check settings (defaults applied). */
export interface EffectiveHealthCheck {
  readonly path: string;
  readonly matcher: string;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly gracePeriodSeconds: number;
  readonly gateTimeout: string;
}

/** What the front end is built from; every value is checked where it entered the fleet. */
export interface FrontEndProps {
  readonly base: string;
  /** The `name` prop and its value as messages show it (or the default it took). */
  readonly nameProp: string;
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  readonly port: number;
  readonly loadBalancer: CheckedLoadBalancer;
  readonly allowAllOutbound: boolean;
  readonly healthCheck: EffectiveHealthCheck;
}

/** Seconds a target group lets a deregistering target finish its requests, by default. */
const DEFAULT_DEREGISTRATION_DELAY_SECONDS = 30;

/** A target group and its ARN, read once and registered as a stable reference. */
export interface TargetGroupRef {
  readonly resource: LbTargetGroup;
  readonly arn: string;
}

/** Per-target-group draining settings (checked); unset ones take the defaults. */
export interface TargetGroupDraining {
  readonly deregistrationDelaySeconds?: number;
  readonly slowStartSeconds?: number;
}

/** A weighted target of the forward action. */
export interface ForwardTarget {
  readonly targetGroupArn: string;
  readonly weight: number;
}

/**
 * The shared, long-lived part of a fleet: security groups, the load balancer (or an
 * existing listener), the target groups and the forwarding listener or rule. All of
 * it is mutable by design and updated in place; nothing here carries a generation.
 */
export class FleetFrontEnd {
  /** Security group of the instances: ingress from the load balancer only. */
  public readonly instanceSecurityGroup: SecurityGroup;
  /**
   * Its id, read once: cdktf returns a new token on every attribute read, and the
   * stable-reference registry matches the token string.
   */
  public readonly instanceSecurityGroupId: string;
  /** The created load balancer. */
  public readonly loadBalancer?: Lb;
  /** The created load balancer's security group. */
  public readonly loadBalancerSecurityGroup?: SecurityGroup;
  /** Id of the load balancer's security group: the created one's, or the existing or shared one's. */
  public readonly loadBalancerSecurityGroupId: string;
  /** DNS name of the load balancer, when known. */
  public readonly dnsName?: string;
  /** `app/<name>/<id>` of the load balancer, for request-count scaling. */
  public readonly loadBalancerArnSuffix: string;
  /** The fixed names used so far (load balancer, target groups), for {@link warnShortenedNames}. */
  private readonly claimed: FleetFixedName[] = [];

  constructor(
    private readonly scope: Construct,
    private readonly props: FrontEndProps,
  ) {
    const existing = props.loadBalancer.existing;
    this.loadBalancerSecurityGroup = existing
      ? undefined
      : newLoadBalancerSecurityGroup(scope, 'LoadBalancerSecurityGroup', {
          base: props.base,
          vpcId: props.vpcId,
          description: `Load balancer of ${scope.node.path} (cdktf-immutable)`,
        });
    this.loadBalancerSecurityGroupId = existing ? existing.securityGroupId : this.loadBalancerSecurityGroup!.id;
    this.instanceSecurityGroup = this.newInstanceSecurityGroup();
    this.instanceSecurityGroupId = this.instanceSecurityGroup.id;
    registerStableReference(this.instanceSecurityGroupId, `security-group:${this.instanceSecurityGroup.node.path}`, [
      this.instanceSecurityGroup,
    ]);
    this.addInstanceRules(this.loadBalancerSecurityGroupId);
    if (existing) {
      if (existing.addEgressRule) {
        this.addEgressToInstances(existing.securityGroupId);
      }
      this.dnsName = existing.options.dnsName;
      this.loadBalancerArnSuffix =
        existing.loadBalancerArnSuffix ?? loadBalancerArnSuffixOf(existing.options.listenerArn);
      return;
    }
    const options = props.loadBalancer.create?.options ?? {};
    addClientRules(scope, {
      ids: { http: 'LoadBalancerIngressHttp', https: 'LoadBalancerIngressHttps' },
      options,
      securityGroupId: this.loadBalancerSecurityGroup!.id,
    });
    this.addEgressToInstances(this.loadBalancerSecurityGroup!.id);
    this.loadBalancer = newApplicationLoadBalancer(scope, 'LoadBalancer', {
      name: this.claim(fleetFixedName('load balancer', props.base)),
      options,
      subnetIds: props.loadBalancer.create?.subnetIds ?? props.subnetIds,
      securityGroupId: this.loadBalancerSecurityGroup!.id,
    });
    this.dnsName = this.loadBalancer.dnsName;
    this.loadBalancerArnSuffix = this.loadBalancer.arnSuffix;
    if (options.certificateArn) {
      new LbListener(scope, 'HttpRedirect', {
        loadBalancerArn: this.loadBalancer.arn,
        port: 80,
        protocol: 'HTTP',
        defaultAction: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
      });
    }
  }

  /** The security group of the instances: ingress from the load balancer only. */
  private newInstanceSecurityGroup(): SecurityGroup {
    return new SecurityGroup(this.scope, 'InstanceSecurityGroup', {
      namePrefix: `${fixedName(NameRule.SECURITY_GROUP, this.props.base, 'instances', 200)}-`,
      description: `Instances of ${this.scope.node.path}: ingress from the load balancer only (cdktf-immutable)`,
      vpcId: this.props.vpcId,
      lifecycle: { createBeforeDestroy: true },
    });
  }

  /** The instances' rules: the fleet's port from the load balancer, and HTTPS (or everything) out. */
  private addInstanceRules(lbSecurityGroupId: string): void {
    const { port, allowAllOutbound } = this.props;
    new SecurityGroupRule(this.scope, 'InstanceIngressFromLoadBalancer', {
      type: 'ingress',
      description: `HTTP ${port} from the load balancer`,
      securityGroupId: this.instanceSecurityGroup.id,
      sourceSecurityGroupId: lbSecurityGroupId,
      protocol: 'tcp',
      fromPort: port,
      toPort: port,
    });
    new SecurityGroupRule(
      this.scope,
      allowAllOutbound ? 'InstanceEgressAll' : 'InstanceEgressHttps',
      allowAllOutbound
        ? {
            type: 'egress',
            description: 'All outbound traffic',
            securityGroupId: this.instanceSecurityGroup.id,
            protocol: '-1',
            fromPort: 0,
            toPort: 0,
            cidrBlocks: ['0.0.0.0/0'],
          }
        : {
            type: 'egress',
            description: 'HTTPS to AWS APIs and Session Manager',
            securityGroupId: this.instanceSecurityGroup.id,
            protocol: 'tcp',
            fromPort: 443,
            toPort: 443,
            cidrBlocks: ['0.0.0.0/0'],
          },
    );
  }

  /**
   * The load balancer's egress rule to the instances on the fleet's port (id
   * `LoadBalancerEgressToInstances`): on the group of the load balancer the fleet creates,
   * of a shared one, or of an existing listener's when asked (`addEgressRule`).
   */
  private addEgressToInstances(loadBalancerSecurityGroupId: string): void {
    new SecurityGroupRule(this.scope, 'LoadBalancerEgressToInstances', {
      type: 'egress',
      description: `HTTP ${this.props.port} to the instances`,
      securityGroupId: loadBalancerSecurityGroupId,
      sourceSecurityGroupId: this.instanceSecurityGroup.id,
      protocol: 'tcp',
      fromPort: this.props.port,
      toPort: this.props.port,
    });
  }

  /**
   * A target group with a fixed name (it lives across generations), and its ARN read
   * once and registered as a stable reference. `tags` name the fleet and the slot.
   */
  public targetGroup(
    scope: Construct,
    id: string,
    slot?: string,
    draining: TargetGroupDraining = {},
    tags?: Record<string, string>,
  ): TargetGroupRef {
    const { healthCheck } = this.props;
    const slowStart = draining.slowStartSeconds ?? 0;
    const targetGroup: LbTargetGroup = new LbTargetGroup(scope, id, {
      name: this.claim(fleetFixedName('target group', this.props.base, slot)),
      port: this.props.port,
      protocol: 'HTTP',
      vpcId: this.props.vpcId,
      targetType: 'instance',
      deregistrationDelay: String(draining.deregistrationDelaySeconds ?? DEFAULT_DEREGISTRATION_DELAY_SECONDS),
      // 0 (off) is not written, so that the default adds nothing to the JSON
      slowStart: slowStart === 0 ? undefined : slowStart,
      tags,
      healthCheck: {
        enabled: true,
        protocol: 'HTTP',
        port: 'traffic-port',
        path: healthCheck.path,
        matcher: healthCheck.matcher,
        healthyThreshold: healthCheck.healthyThreshold,
        unhealthyThreshold: healthCheck.unhealthyThreshold,
        interval: healthCheck.intervalSeconds,
        timeout: healthCheck.timeoutSeconds,
      },
    });
    suppressCheckov(
      targetGroup,
      'CKV_AWS_378',
      'TLS terminates at the load balancer; the targets accept this port only from the load balancer ' +
        'security group, inside the VPC',
    );
    const arn = targetGroup.arn;
    registerStableReference(arn, `target-group:${targetGroup.node.path}`, [targetGroup]);
    return { resource: targetGroup, arn };
  }

  /** ARN of the listener the traffic comes in by: `listener` itself, or the existing or shared listener of its rule. */
  public listenerArnOf(listener: LbListener | LbListenerRule): string {
    const existing = this.props.loadBalancer.existing;
    return existing ? existing.options.listenerArn : listener.arn;
  }

  /** The fixed names the fleet uses so far; the other fleets of the stack check theirs against them. */
  public get fixedNames(): readonly FleetFixedName[] {
    return this.claimed;
  }

  /**
   * One warning when a fixed name of the fleet was shortened to fit AWS's limit; called
   * once every name is known (when the traffic is routed).
   */
  public warnShortenedNames(): void {
    warnShortenedNames(new Validator(this.scope), this.claimed, this.props.base, this.props.nameProp);
  }

  /** Claims `fixed` for this fleet in its stack (unique per stack: see claimFleetName); returns the name. */
  private claim(fixed: FleetFixedName): string {
    claimFleetName(otherNameHolders(this.scope), new Validator(this.scope), fixed, this.props.nameProp);
    this.claimed.push(fixed);
    return fixed.name;
  }

  /**
   * The listener (created load balancer) or listener rule (existing listener) that
   * forwards to `targets` with their weights, guarded by `preconditions`, and applied
   * after `dependsOn` (the auto scaling groups that can carry weight), so that one
   * apply moves traffic only after a new group exists and passed its gate. A target
   * group is only health-checked once a listener uses it: the groups wait for load
   * balancer health only when their target group is in use (see the server group),
   * so the first deploy, where the listener comes last, does not wait forever.
   */
  public route(
    targets: readonly ForwardTarget[],
    preconditions: Precondition[],
    dependsOn: readonly ITerraformDependable[] = [],
  ): LbListener | LbListenerRule {
    const after = dependsOn.length > 0 ? [...dependsOn] : undefined;
    const action = forwardAction(targets);
    const existing = this.props.loadBalancer.existing?.options;
    if (existing) {
      return new LbListenerRule(this.scope, 'ListenerRule', {
        listenerArn: existing.listenerArn,
        priority: existing.priority,
        action: [action],
        condition: ruleConditions(existing),
        dependsOn: after,
        lifecycle: { precondition: preconditions },
      });
    }
    const options = this.props.loadBalancer.create?.options ?? {};
    const https = options.certificateArn !== undefined;
    const listener = new LbListener(this.scope, 'Listener', {
      loadBalancerArn: this.loadBalancer!.arn,
      port: https ? 443 : 80,
      protocol: https ? 'HTTPS' : 'HTTP',
      certificateArn: options.certificateArn,
      sslPolicy: https ? (options.sslPolicy ?? DEFAULT_SSL_POLICY) : undefined,
      defaultAction: [action],
      dependsOn: after,
      lifecycle: { precondition: preconditions },
    });
    this.reportDowngrades(options, listener);
    return listener;
  }

  /**
   * The security downgrades of the created load balancer's listener (a TLS policy that
   * allows TLS 1.0 or 1.1; plain HTTP on an internet-facing load balancer open to the
   * whole internet): a synth warning each, unless acknowledged.
   */
  private reportDowngrades(options: ApplicationLoadBalancerOptions, listener: LbListener): void {
    const at = 'loadBalancer: FleetLoadBalancer.create: ';
    if (isLiteral(options.sslPolicy) && allowsTlsBelow12(options.sslPolicy)) {
      reportSecurityDowngrade({
        construct: this.scope,
        resource: listener,
        downgrade: 'legacy-tls',
        prop: `${at}sslPolicy`,
        value: options.sslPolicy,
        safer: `"${DEFAULT_SSL_POLICY}" (TLS 1.3 and 1.2, the default)`,
      });
    }
    const cidrs = options.ingressCidrs ?? ['0.0.0.0/0'];
    const everyone = !Token.isUnresolved(cidrs) && cidrs.some((cidr) => cidr === '0.0.0.0/0');
    if (options.scheme === 'internet-facing' && options.certificateArn === undefined && everyone) {
      reportSecurityDowngrade({
        construct: this.scope,
        resource: listener,
        downgrade: 'public-plain-http',
        prop: `${at}certificateArn`,
        value: undefined,
        safer:
          'a certificateArn (HTTPS on 443, HTTP redirected to it), scheme "internal", or ingressCidrs limited to ' +
          'your networks',
      });
    }
  }
}

/**
 * Whether an ELB security policy lets clients negotiate TLS 1.0 or 1.1: the policies
 * named for TLS 1.0 or 1.1 (`ELBSecurityPolicy-TLS-1-1-2017-01`,
 * `ELBSecurityPolicy-TLS13-1-0-2021-06`, their FIPS and post-quantum variants), the
 * forward-secrecy policies `FS-2018-06` and `FS-1-1-*`, and the old defaults
 * `2015-05` and `2016-08`.
 */
function allowsTlsBelow12(policy: string): boolean {
  return (
    /^ELBSecurityPolicy-(TLS|TLS13)-1-[01]-/.test(policy) ||
    /^ELBSecurityPolicy-FS-1-1-/.test(policy) ||
    /^ELBSecurityPolicy-(2015-05|2016-08|FS-2018-06)$/.test(policy)
  );
}

/** The security group of a load balancer the library creates (a fleet's or a shared one), with no rules yet. */
export function newLoadBalancerSecurityGroup(
  scope: Construct,
  id: string,
  props: { readonly base: string; readonly vpcId: string; readonly description: string },
): SecurityGroup {
  return new SecurityGroup(scope, id, {
    namePrefix: `${fixedName(NameRule.SECURITY_GROUP, props.base, 'alb', 200)}-`,
    description: props.description,
    vpcId: props.vpcId,
    lifecycle: { createBeforeDestroy: true },
  });
}

/** A created load balancer's client rules: its listener ports (80, and 443 with a certificate) from `ingressCidrs`. */
export function addClientRules(
  scope: Construct,
  props: {
    readonly ids: { readonly http: string; readonly https: string };
    readonly options: ApplicationLoadBalancerOptions;
    readonly securityGroupId: string;
  },
): void {
  const { options } = props;
  const cidrs = [...(options.ingressCidrs ?? ['0.0.0.0/0'])];
  const ports = options.certificateArn ? [80, 443] : [80];
  for (const listenerPort of ports) {
    const rule = new SecurityGroupRule(scope, listenerPort === 443 ? props.ids.https : props.ids.http, {
      type: 'ingress',
      description: clientRuleDescription(listenerPort, options.certificateArn !== undefined),
      securityGroupId: props.securityGroupId,
      protocol: 'tcp',
      fromPort: listenerPort,
      toPort: listenerPort,
      cidrBlocks: cidrs,
    });
    if (listenerPort === 80 && options.certificateArn) {
      suppressCheckov(
        rule,
        'CKV_AWS_260',
        'port 80 only answers with a 301 redirect to HTTPS (the HttpRedirect listener); ' +
          'no content is served over HTTP',
      );
    }
  }
}

/** An application load balancer the library creates: invalid header fields dropped, internal unless asked. */
export function newApplicationLoadBalancer(
  scope: Construct,
  id: string,
  props: {
    readonly name: string;
    readonly options: ApplicationLoadBalancerOptions;
    readonly subnetIds: readonly string[];
    readonly securityGroupId: string;
  },
): Lb {
  const { options } = props;
  return new Lb(scope, id, {
    name: props.name,
    loadBalancerType: 'application',
    internal: (options.scheme ?? 'internal') === 'internal',
    securityGroups: [props.securityGroupId],
    subnets: [...props.subnetIds],
    dropInvalidHeaderFields: true,
    enableDeletionProtection: options.deletionProtection ?? false,
    idleTimeout: options.idleTimeoutSeconds,
    accessLogs: options.accessLogs
      ? { bucket: options.accessLogs.bucket, prefix: options.accessLogs.prefix, enabled: true }
      : undefined,
  });
}

/** A listener action that answers with a fixed response. */
export function fixedResponseAction(
  statusCode: number,
  contentType: string,
  messageBody: string,
): LbListenerDefaultAction {
  const status = Token.isUnresolved(statusCode) ? Token.asString(statusCode) : String(statusCode);
  return { type: 'fixed-response', fixedResponse: { statusCode: status, contentType, messageBody } };
}

/** The description of a client rule of the created load balancer. */
function clientRuleDescription(listenerPort: number, https: boolean): string {
  if (listenerPort === 443) {
    return 'HTTPS from clients';
  }
  return https ? 'HTTP from clients (redirected to HTTPS)' : 'HTTP from clients';
}

/** The forward action: to the one target group, or weighted over several. */
function forwardAction(targets: readonly ForwardTarget[]): LbListenerDefaultAction {
  return targets.length === 1
    ? { type: 'forward', targetGroupArn: targets[0].targetGroupArn }
    : {
        type: 'forward',
        forward: { targetGroup: targets.map((t) => ({ arn: t.targetGroupArn, weight: t.weight })) },
      };
}

/** What the listener rule on an existing listener matches: its paths (every path by default) and hosts. */
function ruleConditions(existing: ExistingListenerOptions): LbListenerRuleCondition[] {
  const condition: LbListenerRuleCondition[] = [{ pathPattern: { values: [...(existing.pathPatterns ?? ['/*'])] } }];
  if (existing.hostHeaders) {
    condition.push({ hostHeader: { values: [...existing.hostHeaders] } });
  }
  return condition;
}
