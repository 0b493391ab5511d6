import type { DataAwsSecurityGroup } from '@cdktf/provider-aws/lib/data-aws-security-group';
import type { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SecurityGroupRule, SecurityGroupRuleConfig } from '@cdktf/provider-aws/lib/security-group-rule';
import { Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { IPV4_CIDR, IPV6_CIDR, PREFIX_LIST_ID, SECURITY_GROUP_ID } from '../private/aws-ids';
import { isLiteral, show, Validator } from '../private/validation';
import { ISecurityGroup } from './network';
import { securityGroupIdOf } from './private/network-ids';

/** The kinds of {@link Peer}. */
type PeerKind = 'ipv4' | 'ipv6' | 'security group' | 'prefix list';

/**
 * Where traffic comes from ({@link FleetConnections.allowFrom}) or goes to
 * ({@link FleetConnections.allowTo}): an address range, a security group or a managed
 * prefix list. The values are checked where a fleet uses them, so that an error names
 * the fleet.
 */
export class Peer {
  /** An IPv4 range, such as `10.0.0.0/8`. */
  public static ipv4(cidr: string): Peer {
    return new Peer('ipv4', cidr);
  }

  /** An IPv6 range, such as `2001:db8::/32`. */
  public static ipv6(cidr: string): Peer {
    return new Peer('ipv6', cidr);
  }

  /**
   * The instances of a security group: the provider's `SecurityGroup` resource or
   * `DataAwsSecurityGroup` data source, or `{ securityGroupId }`.
   */
  public static securityGroup(group: SecurityGroup | DataAwsSecurityGroup | ISecurityGroup): Peer {
    return new Peer('security group', securityGroupIdOf(group));
  }

  /** A managed prefix list, such as `pl-0123456789abcdef0`. */
  public static prefixList(prefixListId: string): Peer {
    return new Peer('prefix list', prefixListId);
  }

  private constructor(
    private readonly kind: PeerKind,
    private readonly value: string,
  ) {}

  /**
   * Checks the value (unless a token) and returns the rule's source or destination.
   * @internal
   */
  public _rule(check: Validator, prop: string): Partial<SecurityGroupRuleConfig> {
    const pattern = PEER_PATTERNS[this.kind];
    check.pattern(`${prop} (Peer.${PEER_FACTORIES[this.kind]})`, this.value, pattern.pattern, pattern.expected);
    switch (this.kind) {
      case 'ipv4':
        return { cidrBlocks: [this.value] };
      case 'ipv6':
        return { ipv6CidrBlocks: [this.value] };
      case 'security group':
        return { sourceSecurityGroupId: this.value };
      case 'prefix list':
        return { prefixListIds: [this.value] };
    }
  }
}

const PEER_FACTORIES: Record<PeerKind, string> = {
  ipv4: 'ipv4',
  ipv6: 'ipv6',
  'security group': 'securityGroup',
  'prefix list': 'prefixList',
};

const PEER_PATTERNS: Record<PeerKind, { readonly pattern: RegExp; readonly expected: string }> = {
  ipv4: { pattern: IPV4_CIDR, expected: 'an IPv4 CIDR block such as 10.0.0.0/8' },
  ipv6: { pattern: IPV6_CIDR, expected: 'an IPv6 CIDR block such as 2001:db8::/32' },
  'security group': { pattern: SECURITY_GROUP_ID, expected: 'a security group id such as sg-0123456789abcdef0' },
  'prefix list': { pattern: PREFIX_LIST_ID, expected: 'a prefix list id such as pl-0123456789abcdef0' },
};

/** The protocols of {@link Port}. */
type Protocol = 'tcp' | 'udp' | '-1';

/** A protocol and port range of a security group rule. */
export class Port {
  /** One TCP port. */
  public static tcp(port: number): Port {
    return new Port('tcp', port, port);
  }

  /** A range of TCP ports, `from` to `to` inclusive. */
  public static tcpRange(from: number, to: number): Port {
    return new Port('tcp', from, to);
  }

  /** One UDP port. */
  public static udp(port: number): Port {
    return new Port('udp', port, port);
  }

  /** A range of UDP ports, `from` to `to` inclusive. */
  public static udpRange(from: number, to: number): Port {
    return new Port('udp', from, to);
  }

  /** Every protocol and port. */
  public static allTraffic(): Port {
    return new Port('-1', 0, 0);
  }

  private constructor(
    private readonly protocol: Protocol,
    private readonly from: number,
    private readonly to: number,
  ) {}

  /**
   * Checks the range (unless tokens) and returns the rule's protocol and ports.
   * @internal
   */
  public _rule(check: Validator, prop: string): Pick<SecurityGroupRuleConfig, 'protocol' | 'fromPort' | 'toPort'> {
    check.integer(`${prop}.from`, this.from, 0, 65535);
    check.integer(`${prop}.to`, this.to, 0, 65535);
    if (isLiteral(this.from) && isLiteral(this.to) && this.from > this.to) {
      check.fail(`${prop} (${this.from} to ${this.to}) must not end before it starts; swap from and to.`);
    }
    return { protocol: this.protocol, fromPort: this.from, toPort: this.to };
  }
}

/** Characters AWS accepts in a security group rule's description. */
const RULE_DESCRIPTION = /^[A-Za-z0-9. _\-:/()#,@[\]+=&;{}!$*]{1,255}$/;

/**
 * The fleet's instance security group, to which a user adds rules, as aws-cdk's
 * `connections`: `fleet.connections.allowFrom(Peer.securityGroup(bastion), Port.tcp(22),
 * 'SSH from the bastion')`.
 *
 * The group starts with ingress from the load balancer on the fleet's port, and
 * egress to HTTPS (or everywhere, with `allowAllOutbound`). The rules added here are
 * `aws_security_group_rule` resources in the fleet's scope, like the fleet's own: AWS's
 * provider warns against mixing them with `aws_vpc_security_group_ingress_rule` on one
 * group. The group and its rules are shared by every generation: a rule is added or
 * removed in place, without a new generation.
 */
export class FleetConnections {
  /** The instances' security group. */
  public readonly securityGroup: SecurityGroup;
  /** Its id, the one the fleet's launch templates hold. */
  public readonly securityGroupId: string;

  /** @internal */
  constructor(
    private readonly fleet: IConstruct,
    securityGroup: SecurityGroup,
    securityGroupId: string,
  ) {
    this.securityGroup = securityGroup;
    this.securityGroupId = securityGroupId;
  }

  /**
   * Lets `peer` open connections to the instances on `port`: an ingress rule with id
   * `AllowFrom <description>` in the fleet. The description names the rule: each
   * ingress rule of a fleet needs its own, and a changed description replaces the rule.
   */
  public allowFrom(peer: Peer, port: Port, description: string): SecurityGroupRule {
    return this.rule('ingress', peer, port, description);
  }

  /**
   * Lets the instances open connections to `peer` on `port` (a database, a cache): an
   * egress rule with id `AllowTo <description>` in the fleet. The description names the
   * rule: each egress rule of a fleet needs its own.
   */
  public allowTo(peer: Peer, port: Port, description: string): SecurityGroupRule {
    return this.rule('egress', peer, port, description);
  }

  private rule(type: 'ingress' | 'egress', peer: Peer, port: Port, description: string): SecurityGroupRule {
    const call = `connections.${type === 'ingress' ? 'allowFrom' : 'allowTo'}`;
    const check = new Validator(this.fleet);
    const id = `${type === 'ingress' ? 'AllowFrom' : 'AllowTo'} ${ruleName(check, call, description)}`;
    if (this.fleet.node.tryFindChild(id)) {
      check.fail(
        `${call}: description (${show(description)}) is used by another ${type} rule of the fleet; ` +
          'the description names the rule, so give each rule its own.',
      );
    }
    return new SecurityGroupRule(this.fleet, id, {
      type,
      description,
      securityGroupId: this.securityGroupId,
      ...port._rule(check, `${call}: port`),
      ...peer._rule(check, `${call}: peer`),
    });
  }
}

/** The description, checked: a literal that AWS accepts, which names the rule's construct. */
function ruleName(check: Validator, call: string, description: string): string {
  if (description === undefined || description === '') {
    check.fail(`${call}: description is not set; describe the rule (it names the rule), e.g. "SSH from the bastion".`);
  }
  if (Token.isUnresolved(description)) {
    check.fail(`${call}: description (${description}) is a token; pass a literal, it names the rule.`);
  }
  check.pattern(
    `${call}: description`,
    description,
    RULE_DESCRIPTION,
    '1 to 255 letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*',
  );
  return description;
}
