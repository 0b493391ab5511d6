import 'cdktf/lib/testing/adapters/jest';
import { TerraformStack } from 'cdktf';
import {
  BlueGreenFleet,
  FleetBase,
  FleetBaseProps,
  FleetLoadBalancer,
  FleetScaling,
  ImageSource,
  InstanceProfile,
  ReplaceFleet,
} from '../../lib';
import * as serverSettings from '../../lib/compute/server-settings';
import { resolveInScope } from '../../lib/private/resolve';
import { ValidationError } from '../../lib/private/validation';
import { AMI_1, Json, newStack, SUBNETS, synthJson, synthStack, VPC } from '../support/synth';

// What BlueGreenFleet and ReplaceFleet share through FleetBase: the validation of the
// shared props, the front end, the instance profile, the traffic local that the
// listener's preconditions read, request-count scaling waiting for the listener, and
// the outputs. Each test runs against both fleets.

type Kind = 'BlueGreenFleet' | 'ReplaceFleet';
const KINDS: Kind[] = ['BlueGreenFleet', 'ReplaceFleet'];

function make(kind: Kind, stack: TerraformStack, shared: Partial<FleetBaseProps> = {}, id = 'Web'): FleetBase {
  const base: FleetBaseProps = { name: 'web', vpcId: VPC, subnetIds: SUBNETS, ...shared };
  return kind === 'BlueGreenFleet'
    ? new BlueGreenFleet(stack, id, {
        ...base,
        slots: { blue: { image: ImageSource.fromAmiId(AMI_1) }, green: {} },
        active: 'blue',
      })
    : new ReplaceFleet(stack, id, { ...base, image: ImageSource.fromAmiId(AMI_1) });
}

/** A fleet of `kind` with the `shared` props in stack `prod`, synthesized. */
function synthKind(kind: Kind, shared: Partial<FleetBaseProps> = {}): { json: Json; fleet: FleetBase } {
  const { json, built } = synthStack((stack) => make(kind, stack, shared), 'prod');
  return { json, fleet: built };
}

/** The resources of `type`, as JSON text, in synth order. */
function all(json: Json, type: string): string[] {
  return Object.entries(json.resource[type] ?? {}).map(([name, config]) => `${name} ${JSON.stringify(config)}`);
}

describe('FleetBase', () => {
  test.each(KINDS)('%s is a FleetBase with the shared fields', (kind) => {
    const { fleet } = synthKind(kind);
    expect(fleet).toBeInstanceOf(FleetBase);
    expect(fleet.loadBalancer).toBeDefined();
    const resolve = (value: unknown) => resolveInScope(fleet, value);
    expect(resolve(fleet.loadBalancerDnsName)).toMatch(/^\$\{aws_lb\.Web_LoadBalancer_[0-9A-F]+\.dns_name\}$/);
    expect(resolve(fleet.instanceSecurityGroupId)).toMatch(
      /^\$\{aws_security_group\.Web_InstanceSecurityGroup_[0-9A-F]+\.id\}$/,
    );
    expect(fleet.instanceProfile).toBeInstanceOf(InstanceProfile);
    expect(fleet.listener.node.path).toBe('prod/Web/Listener');
  });

  test('both fleets build the same front end: security groups, their rules, the load balancer and the instance profile', () => {
    // GIVEN the same shared props and the same construct id
    const shared: Partial<FleetBaseProps> = {
      port: 8080,
      allowAllOutbound: true,
      loadBalancer: FleetLoadBalancer.create({
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
        ingressCidrs: ['10.0.0.0/8'],
      }),
    };
    // WHEN
    const blueGreen = synthKind('BlueGreenFleet', shared).json;
    const replace = synthKind('ReplaceFleet', shared).json;
    // THEN the front end is identical, address for address
    for (const type of [
      'aws_security_group',
      'aws_security_group_rule',
      'aws_lb',
      'aws_iam_role',
      'aws_iam_instance_profile',
      'aws_iam_role_policy_attachment',
    ]) {
      expect(all(blueGreen, type).length).toBeGreaterThan(0);
      expect(all(replace, type)).toEqual(all(blueGreen, type));
    }
    // and both have the HTTP redirect and an HTTPS forwarding listener
    for (const json of [blueGreen, replace]) {
      expect(Object.values(json.resource.aws_lb_listener).map((l: any) => [l.port, l.protocol])).toEqual([
        [80, 'HTTP'],
        [443, 'HTTPS'],
      ]);
    }
  });

  test.each(KINDS)("%s: the listener's preconditions read the fleet's Traffic local and name the fleet", (kind) => {
    const { json } = synthKind(kind);
    expect(Object.keys(json.locals)).toEqual([expect.stringMatching(/^Web_Traffic_[0-9A-F]+$/)]);
    const [localName] = Object.keys(json.locals);
    const listener = Object.entries(json.resource.aws_lb_listener).find(([name]) =>
      name.startsWith('Web_Listener'),
    )![1] as Json;
    expect(listener.lifecycle.precondition.length).toBeGreaterThan(0);
    for (const precondition of listener.lifecycle.precondition) {
      expect(precondition.condition).toMatch(new RegExp(`^\\$\\{.*local\\.${localName}\\.`));
      expect(precondition.error_message).toMatch(/^prod\/Web: the /);
    }
    // the first guard: no traffic to a group without an image or capacity
    expect(listener.lifecycle.precondition[0].error_message).toMatch(
      /would receive traffic but has no image or no capacity/,
    );
    // it refers to the groups only to be applied after them
    const groups = Object.keys(json.resource.aws_autoscaling_group).map((name) => `aws_autoscaling_group.${name}`);
    expect(listener.depends_on).toEqual(groups);
    const { depends_on: _dependsOn, ...rest } = listener;
    expect(JSON.stringify(rest)).not.toContain('aws_autoscaling_group');
  });

  test.each(KINDS)("%s: outputs include the load balancer's DNS name, all prefixed by the fleet's name", (kind) => {
    const { json } = synthKind(kind, { name: 'shop-api' });
    const names = Object.keys(json.output);
    expect(names).toContain('shop_api_alb_dns_name');
    expect(json.output.shop_api_alb_dns_name.value).toMatch(/^\$\{aws_lb\.Web_LoadBalancer_[0-9A-F]+\.dns_name\}$/);
    expect(names.every((name) => name.startsWith('shop_api_'))).toBe(true);
  });

  test.each(KINDS)('%s: no DNS name output for an existing listener without a DNS name', (kind) => {
    const { json, fleet } = synthKind(kind, {
      loadBalancer: FleetLoadBalancer.fromListener({
        listenerArn:
          'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/50dc6c495c0c9188/f2f7dc8efc522ab2',
        securityGroupId: 'sg-0123456789abcdef0',
        priority: 10,
      }),
    });
    expect(fleet.loadBalancer).toBeUndefined();
    expect(fleet.loadBalancerDnsName).toBeUndefined();
    expect(json.output.web_alb_dns_name).toBeUndefined();
    expect(fleet.listener.node.path).toBe('prod/Web/ListenerRule');
  });

  test.each(KINDS)('%s: request-count scaling policies wait for the listener', (kind) => {
    const { json } = synthKind(kind, { scaling: FleetScaling.requestsPerTarget(100) });
    const policies = Object.values(json.resource.aws_autoscaling_policy) as Json[];
    expect(policies).toHaveLength(1);
    expect(policies[0].depends_on).toEqual([expect.stringMatching(/^aws_lb_listener\.Web_Listener_[0-9A-F]+$/)]);
  });

  test.each(KINDS)('%s: CPU scaling policies do not wait for the listener', (kind) => {
    const { json } = synthKind(kind, { scaling: FleetScaling.cpuUtilization(50) });
    const policies = Object.values(json.resource.aws_autoscaling_policy) as Json[];
    expect(policies).toHaveLength(1);
    expect(policies[0].depends_on).toBeUndefined();
  });

  test.each(KINDS)('%s: the default name is <stack>-<id> in lowercase', (kind) => {
    const stack = newStack('Prod');
    make(kind, stack, { name: undefined }, 'Shop');
    const json = synthJson(stack);
    expect((Object.values(json.resource.aws_lb)[0] as Json).name).toBe('prod-shop');
    expect(Object.keys(json.output)).toContain('prod_shop_alb_dns_name');
  });

  test.each(KINDS)('%s: the default load balancer is built once', (kind) => {
    const create = jest.spyOn(FleetLoadBalancer, 'create');
    try {
      synthKind(kind);
      expect(create).toHaveBeenCalledTimes(1);
    } finally {
      create.mockRestore();
    }
  });

  test.each(KINDS)('%s: a given load balancer is used as is (no default is built)', (kind) => {
    const loadBalancer = FleetLoadBalancer.create({ scheme: 'internet-facing' });
    const create = jest.spyOn(FleetLoadBalancer, 'create');
    try {
      const { json } = synthKind(kind, { loadBalancer });
      expect(create).not.toHaveBeenCalled();
      expect((Object.values(json.resource.aws_lb)[0] as Json).internal).toBe(false);
    } finally {
      create.mockRestore();
    }
  });

  test.each(KINDS)('%s: a supplied instance profile is used and no IAM resource is created', (kind) => {
    const profile = InstanceProfile.fromName('shop');
    const { json, fleet } = synthKind(kind, { server: { instanceProfile: profile } });
    expect(fleet.instanceProfile).toBe(profile);
    expect(json.resource.aws_iam_role).toBeUndefined();
  });

  test('server settings are validated once each, where they enter the fleet; the launch templates do not check again', () => {
    // GIVEN a fleet with an image in both slots (two launch templates)
    const validate = jest.spyOn(serverSettings, 'validateServerSettings');
    try {
      const stack = newStack('prod');
      new BlueGreenFleet(stack, 'Web', {
        name: 'web',
        vpcId: VPC,
        subnetIds: SUBNETS,
        active: 'blue',
        server: { keyName: 'ops' },
        slots: {
          blue: { image: ImageSource.fromAmiId(AMI_1) },
          green: { image: ImageSource.fromAmiId(AMI_1), detailedMonitoring: true },
        },
      });
      // THEN the fleet-level and each slot's settings, once each, with their prefixes
      expect(validate.mock.calls.map((call) => call[2])).toEqual(['server.', 'slots.blue.', 'slots.green.']);
      expect(JSON.stringify(synthJson(stack))).toContain('"key_name":"ops"');
    } finally {
      validate.mockRestore();
    }
  });

  test('ReplaceFleet validates its server settings once, as `server.`', () => {
    const validate = jest.spyOn(serverSettings, 'validateServerSettings');
    try {
      make('ReplaceFleet', newStack('prod'), { server: { keyName: 'ops' } });
      expect(validate.mock.calls.map((call) => call[2])).toEqual(['server.']);
    } finally {
      validate.mockRestore();
    }
  });

  describe("the shared props are validated once, in the base, with the fleet's class and path", () => {
    const cases: Array<[string, Partial<FleetBaseProps>, string]> = [
      ['vpcId', { vpcId: 'vpc1' }, 'vpcId ("vpc1") must be a VPC id such as vpc-0123456789abcdef0.'],
      [
        'subnetIds',
        { subnetIds: ['subnet-1', SUBNETS[1]] },
        'subnetIds[0] ("subnet-1") must be a subnet id such as subnet-0123456789abcdef0.',
      ],
      [
        'capacity',
        { capacity: { min: 3, max: 2 } },
        'capacity.min (3) must be <= capacity.max (2); lower min or raise max.',
      ],
      ['port', { port: 0 }, 'port (0) must be an integer from 1 to 65535.'],
      [
        'healthCheck',
        { healthCheck: { path: 'health' } },
        'healthCheck.path ("health") must start with "/" and be at most 1024 characters, e.g. "/health".',
      ],
      [
        'server',
        { server: { securityGroupIds: ['sg-x'] } },
        'server.securityGroupIds[0] ("sg-x") must be a security group id such as sg-0123456789abcdef0.',
      ],
      [
        'one subnet for the created load balancer',
        { subnetIds: [SUBNETS[0]] },
        'subnetIds (["subnet-0123456789abcdef0"]) has one subnet, but the load balancer created in the same subnets needs two in different availability zones; add a subnet or pass FleetLoadBalancer.create({ subnetIds }).',
      ],
    ];
    describe.each(KINDS)('%s', (kind) => {
      test.each(cases)('%s', (_prop, shared, message) => {
        const build = () => make(kind, newStack('prod'), shared);
        expect(build).toThrow(`${kind} prod/Web: ${message}`);
        expect(build).toThrow(ValidationError);
      });
    });
  });
});
