/**
 * The network props of the fleets take objects where users have them (a VPC, subnets,
 * a security group: the provider's resources or data sources, or `{ id }` objects)
 * besides raw ids; a conflicting pair is refused, never resolved by picking one.
 */
import { TerraformStack, TerraformVariable } from 'cdktf';
import { DataAwsSecurityGroup } from '@cdktf/provider-aws/lib/data-aws-security-group';
import { DataAwsSubnet } from '@cdktf/provider-aws/lib/data-aws-subnet';
import { DataAwsVpc } from '@cdktf/provider-aws/lib/data-aws-vpc';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { FleetBaseProps, FleetLoadBalancer, ImageSource, ReplaceFleet, ValidationError } from '../../lib';
import { AMI_1, Json, newStack, onlyResource, resources, SUBNETS, synthStack, VPC } from '../support/synth';

const LISTENER =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/0123456789abcdef/0123456789abcdef';

/** A replace fleet in `stack` with the network props `network`. */
function fleet(stack: TerraformStack, network: Partial<FleetBaseProps>): ReplaceFleet {
  return new ReplaceFleet(stack, 'Api', { name: 'api', image: ImageSource.fromAmiId(AMI_1), ...network });
}

function synthNetwork(network: (stack: TerraformStack) => Partial<FleetBaseProps>): Json {
  return synthStack((stack) => fleet(stack, network(stack)), 'prod').json;
}

describe('network props as objects', () => {
  const byIds = synthNetwork(() => ({ vpcId: VPC, subnetIds: SUBNETS }));

  test('defaults: the ids as given', () => {
    expect(onlyResource(byIds, 'aws_lb_target_group').vpc_id).toBe(VPC);
    expect(onlyResource(byIds, 'aws_autoscaling_group').vpc_zone_identifier).toEqual(SUBNETS);
    expect(onlyResource(byIds, 'aws_lb').subnets).toEqual(SUBNETS);
  });

  test('{ vpcId } and { subnetId } objects synthesize exactly what the ids do', () => {
    const byObjects = synthNetwork(() => ({ vpc: { vpcId: VPC }, subnets: SUBNETS.map((subnetId) => ({ subnetId })) }));
    expect(JSON.stringify(byObjects)).toBe(JSON.stringify(byIds));
  });

  test("the provider's resources: their ids, by reference", () => {
    const json = synthNetwork((stack) => {
      const vpc = new Vpc(stack, 'Vpc', { cidrBlock: '10.0.0.0/16' });
      const subnets = ['a', 'b'].map(
        (az, i) => new Subnet(stack, `Subnet${az}`, { vpcId: vpc.id, cidrBlock: `10.0.${i}.0/24` }),
      );
      return { vpc, subnets };
    });
    const vpc = Object.keys(resources(json, 'aws_vpc'))[0];
    const subnets = Object.keys(resources(json, 'aws_subnet')).map((name) => `\${aws_subnet.${name}.id}`);
    expect(onlyResource(json, 'aws_lb_target_group').vpc_id).toBe(`\${aws_vpc.${vpc}.id}`);
    expect(Object.values(resources(json, 'aws_security_group')).map((group) => group.vpc_id)).toEqual([
      `\${aws_vpc.${vpc}.id}`,
      `\${aws_vpc.${vpc}.id}`,
    ]);
    expect(onlyResource(json, 'aws_autoscaling_group').vpc_zone_identifier).toEqual(subnets);
    expect(onlyResource(json, 'aws_lb').subnets).toEqual(subnets);
  });

  test("the provider's data sources: their ids, by reference", () => {
    const json = synthNetwork((stack) => ({
      vpc: new DataAwsVpc(stack, 'Vpc', { default: true }),
      subnets: [new DataAwsSubnet(stack, 'A', { id: SUBNETS[0] }), new DataAwsSubnet(stack, 'B', { id: SUBNETS[1] })],
    }));
    expect(onlyResource(json, 'aws_lb_target_group').vpc_id).toMatch(/^\$\{data\.aws_vpc\.Vpc\.id\}$/);
    expect(onlyResource(json, 'aws_autoscaling_group').vpc_zone_identifier).toEqual([
      '${data.aws_subnet.A.id}',
      '${data.aws_subnet.B.id}',
    ]);
  });

  test("all properties: the load balancer's own subnets and an existing listener's security group as objects", () => {
    const created = synthStack(
      (stack) =>
        fleet(stack, {
          vpcId: VPC,
          subnetIds: SUBNETS,
          loadBalancer: FleetLoadBalancer.create({
            subnets: [{ subnetId: 'subnet-0c00000000000000c' }, { subnetId: 'subnet-0d00000000000000d' }],
          }),
        }),
      'prod',
    ).json;
    expect(onlyResource(created, 'aws_lb').subnets).toEqual(['subnet-0c00000000000000c', 'subnet-0d00000000000000d']);

    const existing = synthStack((stack) => {
      const albGroup = new DataAwsSecurityGroup(stack, 'Alb', { name: 'shared-alb' });
      return fleet(stack, {
        vpcId: VPC,
        subnetIds: SUBNETS,
        loadBalancer: FleetLoadBalancer.fromListener({ listenerArn: LISTENER, securityGroup: albGroup, priority: 10 }),
      });
    }, 'prod').json;
    const ingress = Object.entries(resources(existing, 'aws_security_group_rule')).find(([name]) =>
      name.includes('InstanceIngressFromLoadBalancer'),
    )![1];
    expect(ingress.source_security_group_id).toBe('${data.aws_security_group.Alb.id}');
    const withResource = synthStack((stack) => {
      const albGroup = new SecurityGroup(stack, 'Alb', { name: 'shared-alb', vpcId: VPC });
      return fleet(stack, {
        vpcId: VPC,
        subnetIds: SUBNETS,
        loadBalancer: FleetLoadBalancer.fromListener({ listenerArn: LISTENER, securityGroup: albGroup, priority: 10 }),
      });
    }, 'prod').json;
    expect(JSON.stringify(resources(withResource, 'aws_security_group_rule'))).toMatch(
      /"source_security_group_id":"\$\{aws_security_group\.Alb\.id\}"/,
    );
  });

  describe('errors name the prop, the value and the fix', () => {
    test.each<[string, Partial<FleetBaseProps>, string]>([
      [
        'vpc beside vpcId',
        { vpcId: VPC, vpc: { vpcId: VPC }, subnetIds: SUBNETS },
        'vpcId and vpc are both set; give the VPC once, as an id (vpcId) or as an object (vpc).',
      ],
      ['no VPC', { subnetIds: SUBNETS }, 'vpcId is not set; pass the id of the VPC (vpcId) or the VPC itself (vpc).'],
      [
        'a VPC object with a bad id',
        { vpc: { vpcId: 'vpc1' }, subnetIds: SUBNETS },
        'vpc.vpcId ("vpc1") must be a VPC id such as vpc-0123456789abcdef0.',
      ],
      [
        'subnets beside subnetIds',
        { vpcId: VPC, subnetIds: SUBNETS, subnets: [{ subnetId: SUBNETS[0] }] },
        'subnetIds and subnets are both set; give the subnets once, as ids (subnetIds) or as objects (subnets).',
      ],
      [
        'no subnets',
        { vpcId: VPC },
        "subnetIds is not set; pass the ids of the instances' subnets (subnetIds) or the subnets themselves (subnets).",
      ],
      [
        'empty subnets',
        { vpcId: VPC, subnets: [] },
        'subnets ([]) must list at least one value; give the private subnets the instances run in.',
      ],
      [
        'a subnet object with a bad id',
        { vpcId: VPC, subnets: [{ subnetId: SUBNETS[0] }, { subnetId: 'subnet-1' }] },
        'subnets[1].subnetId ("subnet-1") must be a subnet id such as subnet-0123456789abcdef0.',
      ],
      [
        'a subnet given twice',
        { vpcId: VPC, subnets: [{ subnetId: SUBNETS[0] }, { subnetId: SUBNETS[0] }] },
        'subnets[1] ("subnet-0123456789abcdef0") is listed twice; list each value once.',
      ],
      [
        'one subnet object for the created load balancer',
        { vpcId: VPC, subnets: [{ subnetId: SUBNETS[0] }] },
        'subnets (["subnet-0123456789abcdef0"]) has one subnet, but the load balancer created in the same subnets needs two in different availability zones; add a subnet or pass FleetLoadBalancer.create({ subnetIds }).',
      ],
    ])('%s', (_what, network, message) => {
      const build = () => fleet(newStack('prod'), network);
      expect(build).toThrow(`ReplaceFleet prod/Api: ${message}`);
      expect(build).toThrow(ValidationError);
    });
  });

  test('tokens are not validated', () => {
    const stack = newStack('prod');
    const str = new TerraformVariable(stack, 'vpc', { type: 'string' }).stringValue;
    const list = new TerraformVariable(stack, 'subnets', { type: 'list(string)' }).listValue;
    expect(() => fleet(stack, { vpc: { vpcId: str }, subnetIds: list })).not.toThrow();
    const other = newStack('other');
    const id = new TerraformVariable(other, 'subnet', { type: 'string' }).stringValue;
    expect(() => fleet(other, { vpcId: VPC, subnets: [{ subnetId: id }, { subnetId: SUBNETS[1] }] })).not.toThrow();
  });
});
