/**
 * `IFleet`: what both fleets share, for code that takes either; and `connections`, the
 * instances' security group as an object a user adds rules to.
 */
import { TerraformStack, TerraformVariable } from 'cdktf';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SecurityGroupRule } from '@cdktf/provider-aws/lib/security-group-rule';
import {
  BlueGreenFleet,
  FleetBase,
  FleetConnections,
  FleetLoadBalancer,
  IFleet,
  ImageSource,
  InstanceProfile,
  Peer,
  Port,
  ReplaceFleet,
  ValidationError,
} from '../../lib';
import { resolveInScope } from '../../lib/private/resolve';
import { AMI_1, Json, newStack, resources, SUBNETS, synthJson, synthStack, VPC } from '../support/synth';

type Kind = 'BlueGreenFleet' | 'ReplaceFleet';
const KINDS: Kind[] = ['BlueGreenFleet', 'ReplaceFleet'];

function make(kind: Kind, stack: TerraformStack, loadBalancer?: FleetLoadBalancer): IFleet {
  const shared = { name: 'web', vpcId: VPC, subnetIds: SUBNETS, loadBalancer };
  return kind === 'BlueGreenFleet'
    ? new BlueGreenFleet(stack, 'Web', {
        ...shared,
        slots: { blue: { image: ImageSource.fromAmiId(AMI_1) }, green: {} },
        active: 'blue',
      })
    : new ReplaceFleet(stack, 'Web', { ...shared, image: ImageSource.fromAmiId(AMI_1) });
}

/** The security group rules of `json`, by construct id (the part of the name before the hash). */
function rules(json: Json): Record<string, Json> {
  return Object.fromEntries(
    Object.entries(resources(json, 'aws_security_group_rule')).map(([name, rule]) => [
      name.replace(/_[0-9A-F]+$/, ''),
      rule,
    ]),
  );
}

/** Code that takes either fleet. */
function openSsh(fleet: IFleet, from: SecurityGroup): SecurityGroupRule {
  return fleet.connections.allowFrom(Peer.securityGroup(from), Port.tcp(22), 'SSH from the bastion');
}

describe('IFleet', () => {
  test.each(KINDS)('%s is an IFleet (and still a FleetBase) with the shared fields', (kind) => {
    const { built: fleet } = synthStack((stack) => make(kind, stack), 'prod');
    expect(fleet).toBeInstanceOf(FleetBase);
    const resolve = (value: unknown) => resolveInScope(fleet, value);
    expect(fleet.fleetName).toBe('web');
    expect(fleet.listener.node.path).toBe('prod/Web/Listener');
    expect(resolve(fleet.loadBalancerDnsName)).toMatch(/^\$\{aws_lb\.Web_LoadBalancer_[0-9A-F]+\.dns_name\}$/);
    expect(resolve(fleet.loadBalancerArnSuffix)).toMatch(/^\$\{aws_lb\.Web_LoadBalancer_[0-9A-F]+\.arn_suffix\}$/);
    expect(fleet.connections).toBeInstanceOf(FleetConnections);
    expect(fleet.connections.securityGroupId).toBe(fleet.instanceSecurityGroupId);
    expect(fleet.connections.securityGroup.node.path).toBe('prod/Web/InstanceSecurityGroup');
    expect(fleet.instanceProfile).toBeInstanceOf(InstanceProfile);
  });

  test.each(KINDS)("%s on an existing listener: the load balancer's ARN suffix from the listener's ARN", (kind) => {
    const listenerArn =
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/50dc6c495c0c9188/f2f7dc8efc522ab2';
    const fleet = make(
      kind,
      newStack('prod'),
      FleetLoadBalancer.fromListener({ listenerArn, securityGroupId: 'sg-0123456789abcdef0', priority: 10 }),
    );
    expect(fleet.loadBalancer).toBeUndefined();
    expect(fleet.loadBalancerArnSuffix).toBe('app/shared/50dc6c495c0c9188');
  });
});

describe('connections', () => {
  test.each(KINDS)("%s defaults: only the fleet's own rules on the instances' group", (kind) => {
    const json = synthStack((stack) => make(kind, stack), 'prod').json;
    expect(Object.keys(rules(json)).sort()).toEqual([
      'Web_InstanceEgressHttps',
      'Web_InstanceIngressFromLoadBalancer',
      'Web_LoadBalancerEgressToInstances',
      'Web_LoadBalancerIngressHttp',
    ]);
  });

  test.each(KINDS)('%s: code that takes an IFleet adds a rule', (kind) => {
    const json = synthStack((stack) => {
      const bastion = new SecurityGroup(stack, 'Bastion', { vpcId: VPC });
      openSsh(make(kind, stack), bastion);
    }, 'prod').json;
    const rule = rules(json)['Web_AllowFromSSHfromthebastion'];
    expect(rule).toMatchObject({
      type: 'ingress',
      description: 'SSH from the bastion',
      protocol: 'tcp',
      from_port: 22,
      to_port: 22,
    });
    expect(rule.security_group_id).toMatch(/^\$\{aws_security_group\.Web_InstanceSecurityGroup_[0-9A-F]+\.id\}$/);
    expect(rule.source_security_group_id).toBe('${aws_security_group.Bastion.id}');
  });

  test('all properties: every peer and port kind, in and out', () => {
    const json = synthStack((stack) => {
      const fleet = make('ReplaceFleet', stack);
      fleet.connections.allowFrom(Peer.ipv4('10.0.0.0/8'), Port.tcpRange(8000, 8010), 'metrics from the office');
      fleet.connections.allowFrom(Peer.ipv6('2001:db8::/32'), Port.udp(53), 'DNS over IPv6');
      fleet.connections.allowTo(Peer.prefixList('pl-0123456789abcdef0'), Port.tcp(443), 'S3 gateway');
      fleet.connections.allowTo(Peer.securityGroup({ securityGroupId: 'sg-0123456789abcdef0' }), Port.tcp(5432), 'db');
      fleet.connections.allowTo(Peer.ipv4('10.1.0.0/16'), Port.udpRange(5000, 5010), 'media');
      fleet.connections.allowTo(Peer.ipv4('10.2.0.0/16'), Port.allTraffic(), 'peered VPC');
    }, 'prod').json;
    const all = rules(json);
    const pick = (rule: Json) => {
      const { security_group_id: _group, ...rest } = rule;
      return rest;
    };
    expect(pick(all['Web_AllowFrommetricsfromtheoffice'])).toEqual({
      type: 'ingress',
      description: 'metrics from the office',
      protocol: 'tcp',
      from_port: 8000,
      to_port: 8010,
      cidr_blocks: ['10.0.0.0/8'],
    });
    expect(pick(all['Web_AllowFromDNSoverIPv6'])).toEqual({
      type: 'ingress',
      description: 'DNS over IPv6',
      protocol: 'udp',
      from_port: 53,
      to_port: 53,
      ipv6_cidr_blocks: ['2001:db8::/32'],
    });
    expect(pick(all['Web_AllowToS3gateway'])).toMatchObject({
      type: 'egress',
      protocol: 'tcp',
      from_port: 443,
      prefix_list_ids: ['pl-0123456789abcdef0'],
    });
    expect(pick(all['Web_AllowTodb'])).toMatchObject({
      type: 'egress',
      from_port: 5432,
      source_security_group_id: 'sg-0123456789abcdef0',
    });
    expect(pick(all['Web_AllowTomedia'])).toMatchObject({ protocol: 'udp', from_port: 5000, to_port: 5010 });
    expect(pick(all['Web_AllowTopeeredVPC'])).toMatchObject({ protocol: '-1', from_port: 0, to_port: 0 });
  });

  test('a rule is added in place: the launch template and the group keep their generation', () => {
    const before = synthStack((stack) => make('ReplaceFleet', stack), 'prod').json;
    const after = synthStack((stack) => {
      make('ReplaceFleet', stack).connections.allowFrom(Peer.ipv4('10.0.0.0/8'), Port.tcp(22), 'SSH');
    }, 'prod').json;
    for (const type of ['aws_launch_template', 'aws_autoscaling_group', 'aws_security_group']) {
      expect(resources(after, type)).toEqual(resources(before, type));
    }
    expect(Object.keys(rules(after)).length).toBe(Object.keys(rules(before)).length + 1);
  });

  describe('errors name the fleet, the call, the value and the fix', () => {
    test.each<[string, (fleet: IFleet) => unknown, string]>([
      [
        'description used twice in one direction',
        (fleet) => {
          fleet.connections.allowFrom(Peer.ipv4('10.0.0.0/8'), Port.tcp(22), 'SSH');
          fleet.connections.allowFrom(Peer.ipv4('10.1.0.0/16'), Port.tcp(22), 'SSH');
        },
        'connections.allowFrom: description ("SSH") is used by another ingress rule of the fleet; the description names the rule, so give each rule its own.',
      ],
      [
        'description with characters AWS refuses',
        (fleet) => fleet.connections.allowTo(Peer.ipv4('10.0.0.0/8'), Port.tcp(22), 'ssh <admin>'),
        'connections.allowTo: description ("ssh <admin>") must be 1 to 255 letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*.',
      ],
      [
        'empty description',
        (fleet) => fleet.connections.allowFrom(Peer.ipv4('10.0.0.0/8'), Port.tcp(22), ''),
        'connections.allowFrom: description is not set; describe the rule (it names the rule), e.g. "SSH from the bastion".',
      ],
      [
        'IPv4 range',
        (fleet) => fleet.connections.allowFrom(Peer.ipv4('10.0.0.0/33'), Port.tcp(22), 'SSH'),
        'connections.allowFrom: peer (Peer.ipv4) ("10.0.0.0/33") must be an IPv4 CIDR block such as 10.0.0.0/8.',
      ],
      [
        'IPv6 range',
        (fleet) => fleet.connections.allowFrom(Peer.ipv6('10.0.0.0/8'), Port.tcp(22), 'SSH'),
        'connections.allowFrom: peer (Peer.ipv6) ("10.0.0.0/8") must be an IPv6 CIDR block such as 2001:db8::/32.',
      ],
      [
        'security group id',
        (fleet) => fleet.connections.allowTo(Peer.securityGroup({ securityGroupId: 'db' }), Port.tcp(5432), 'db'),
        'connections.allowTo: peer (Peer.securityGroup) ("db") must be a security group id such as sg-0123456789abcdef0.',
      ],
      [
        'prefix list id',
        (fleet) => fleet.connections.allowTo(Peer.prefixList('s3'), Port.tcp(443), 'S3'),
        'connections.allowTo: peer (Peer.prefixList) ("s3") must be a prefix list id such as pl-0123456789abcdef0.',
      ],
      [
        'port out of range',
        (fleet) => fleet.connections.allowFrom(Peer.ipv4('10.0.0.0/8'), Port.tcp(70000), 'SSH'),
        'connections.allowFrom: port.from (70000) must be an integer from 0 to 65535.',
      ],
      [
        'range that ends before it starts',
        (fleet) => fleet.connections.allowFrom(Peer.ipv4('10.0.0.0/8'), Port.tcpRange(9000, 8000), 'metrics'),
        'connections.allowFrom: port (9000 to 8000) must not end before it starts; swap from and to.',
      ],
    ])('%s', (_what, add, message) => {
      const fleet = make('ReplaceFleet', newStack('prod'));
      expect(() => add(fleet)).toThrow(`ReplaceFleet prod/Web: ${message}`);
    });

    test('a token description is refused: it names the rule', () => {
      const stack = newStack('prod');
      const fleet = make('ReplaceFleet', stack);
      const description = new TerraformVariable(stack, 'd', { type: 'string' }).stringValue;
      expect(() => fleet.connections.allowFrom(Peer.ipv4('10.0.0.0/8'), Port.tcp(22), description)).toThrow(
        ValidationError,
      );
      expect(() => fleet.connections.allowFrom(Peer.ipv4('10.0.0.0/8'), Port.tcp(22), description)).toThrow(
        /connections\.allowFrom: description \(.*\) is a token; pass a literal, it names the rule\./,
      );
    });
  });

  test('tokens are not validated (peers and ports)', () => {
    const stack = newStack('prod');
    const fleet = make('BlueGreenFleet', stack);
    const str = new TerraformVariable(stack, 's', { type: 'string' }).stringValue;
    const num = new TerraformVariable(stack, 'n', { type: 'number' }).numberValue;
    expect(() => fleet.connections.allowFrom(Peer.ipv4(str), Port.tcp(num), 'from a variable range')).not.toThrow();
    expect(() => fleet.connections.allowTo(Peer.prefixList(str), Port.tcpRange(num, 443), 'to a list')).not.toThrow();
    expect(synthJson(stack).resource.aws_security_group_rule).toBeDefined();
  });
});
