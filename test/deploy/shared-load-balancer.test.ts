import { TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import {
  BlueGreenFleet,
  FleetLoadBalancer,
  IFleet,
  ImageSource,
  ReplaceFleet,
  SharedLoadBalancer,
  SharedLoadBalancerProps,
} from '../../lib';
import { ValidationError } from '../../lib/private/validation';
import { AMI_1, AMI_2, AMI_3, Json, newStack, resources, SUBNETS, synthJson, VPC } from '../support/synth';
import { compare } from './fleet-helpers';

// A load balancer shared by several fleets: its own security group, listener and fixed
// response; each fleet attaches with its own rule, reaches its instances through its
// own egress rule, and is released on its own.

const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000000';
const CERT_2 = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000001';
const CERT_3 = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000002';

function shared(stack: TerraformStack, props: Partial<SharedLoadBalancerProps> = {}): SharedLoadBalancer {
  return new SharedLoadBalancer(stack, 'Front', { name: 'front', vpcId: VPC, subnetIds: SUBNETS, ...props });
}

/** A release of one fleet: which image each slot runs and which serves. */
interface Release {
  readonly blue: string;
  readonly green?: string;
  readonly active: 'blue' | 'green';
}

/** Two blue/green fleets, web and api, behind one shared load balancer, each from its own release. */
function twoFleets(web: Release, api: Release): { json: Json; front: SharedLoadBalancer; fleets: IFleet[] } {
  const stack = newStack('prod');
  const front = shared(stack, { certificateArn: CERT });
  const fleet = (id: string, name: string, release: Release, priority: number, hostHeaders: string[]) =>
    new BlueGreenFleet(stack, id, {
      name,
      vpcId: VPC,
      subnetIds: SUBNETS,
      loadBalancer: FleetLoadBalancer.fromShared(front, { priority, hostHeaders }),
      slots: {
        blue: { image: ImageSource.fromAmiId(release.blue) },
        green: release.green ? { image: ImageSource.fromAmiId(release.green) } : {},
      },
      active: release.active,
      stagedSlot: 'none',
    });
  const fleets = [fleet('Web', 'web', web, 10, ['www.example.com']), fleet('Api', 'api', api, 20, ['api.example.com'])];
  return { json: synthJson(stack), front, fleets };
}

const only = (json: Json, type: string): Json => {
  const all = Object.values(resources(json, type));
  expect(all).toHaveLength(1);
  return all[0] as Json;
};

describe('SharedLoadBalancer', () => {
  test('defaults: an internal load balancer, plain HTTP on 80 answering 404, no egress until a fleet attaches', () => {
    const stack = newStack('prod');
    const front = shared(stack);
    const json = synthJson(stack);
    const lb = only(json, 'aws_lb');
    expect(lb).toMatchObject({
      name: 'front',
      internal: true,
      load_balancer_type: 'application',
      drop_invalid_header_fields: true,
      enable_deletion_protection: false,
      subnets: SUBNETS,
    });
    const listener = only(json, 'aws_lb_listener');
    expect(listener).toMatchObject({ port: 80, protocol: 'HTTP' });
    expect(listener.default_action).toEqual([
      {
        type: 'fixed-response',
        fixed_response: { status_code: '404', content_type: 'text/plain', message_body: 'Not found' },
      },
    ]);
    const rules = Object.values(resources(json, 'aws_security_group_rule')) as Json[];
    expect(rules.map((r) => `${r.type} ${r.from_port}`)).toEqual(['ingress 80']);
    expect(rules[0].cidr_blocks).toEqual(['0.0.0.0/0']);
    expect(only(json, 'aws_security_group').name_prefix).toBe('front-alb-');
    // what fleets and users read, typed without a cast
    expect(front.loadBalancerName).toBe('front');
    new TerraformOutput(stack, 'read', {
      value: { listener: front.listenerArn, group: front.securityGroupId, arnSuffix: front.loadBalancerArnSuffix },
    });
    expect(synthJson(stack).output.read.value).toEqual({
      listener: expect.stringMatching(/^\$\{aws_lb_listener\.Front_Listener_[0-9A-F]+\.arn\}$/),
      group: expect.stringMatching(/^\$\{aws_security_group\.Front_SecurityGroup_[0-9A-F]+\.id\}$/),
      arnSuffix: expect.stringMatching(/^\$\{aws_lb\.Front_[0-9A-F]+\.arn_suffix\}$/),
    });
  });

  test('all properties: HTTPS with a default and more certificates, redirect, TLS policy, ranges, logs, fixed response', () => {
    const stack = newStack('prod');
    shared(stack, {
      scheme: 'internet-facing',
      certificateArn: CERT,
      additionalCertificateArns: [CERT_2, CERT_3],
      sslPolicy: 'ELBSecurityPolicy-TLS13-1-3-2021-06',
      ingressCidrs: ['10.0.0.0/8'],
      deletionProtection: true,
      accessLogs: { bucket: 'alb-logs', prefix: 'front' },
      idleTimeoutSeconds: 120,
      defaultResponse: { statusCode: 503, contentType: 'application/json', messageBody: '{"error":"no route"}' },
    });
    const json = synthJson(stack);
    expect(only(json, 'aws_lb')).toMatchObject({
      internal: false,
      enable_deletion_protection: true,
      idle_timeout: 120,
      access_logs: { bucket: 'alb-logs', prefix: 'front', enabled: true },
    });
    const listeners = Object.values(resources(json, 'aws_lb_listener')) as Json[];
    const https = listeners.find((l) => l.port === 443)!;
    expect(https).toMatchObject({
      protocol: 'HTTPS',
      certificate_arn: CERT,
      ssl_policy: 'ELBSecurityPolicy-TLS13-1-3-2021-06',
      default_action: [
        {
          type: 'fixed-response',
          fixed_response: {
            status_code: '503',
            content_type: 'application/json',
            message_body: '{"error":"no route"}',
          },
        },
      ],
    });
    expect(listeners.find((l) => l.port === 80)!.default_action[0].redirect).toMatchObject({ protocol: 'HTTPS' });
    const certificates = Object.values(resources(json, 'aws_lb_listener_certificate')) as Json[];
    expect(certificates.map((c) => c.certificate_arn)).toEqual([CERT_2, CERT_3]);
    expect(certificates.every((c) => /aws_lb_listener\.Front_Listener/.test(c.listener_arn))).toBe(true);
    const ingress = Object.values(resources(json, 'aws_security_group_rule')) as Json[];
    expect(ingress.map((r) => `${r.from_port} ${r.cidr_blocks}`).sort()).toEqual(['443 10.0.0.0/8', '80 10.0.0.0/8']);
  });

  test('two fleets attach: each its own rule, ingress from the shared group and egress to its own instances', () => {
    const { json, front, fleets } = twoFleets({ blue: AMI_1, active: 'blue' }, { blue: AMI_2, active: 'blue' });
    const rules = resources(json, 'aws_lb_listener_rule');
    const byFleet = (part: string) => Object.entries(rules).find(([name]) => name.startsWith(part))![1] as Json;
    for (const [part, priority, host] of [
      ['Web_', 10, 'www.example.com'],
      ['Api_', 20, 'api.example.com'],
    ] as const) {
      const rule = byFleet(part);
      expect(rule.priority).toBe(priority);
      expect(rule.listener_arn).toMatch(/aws_lb_listener\.Front_Listener_[0-9A-F]+\.arn/);
      expect(rule.condition).toContainEqual({ host_header: { values: [host] } });
      // the rule moves traffic only after the fleet's groups passed their gate
      expect(rule.depends_on.join(' ')).toMatch(new RegExp(`aws_autoscaling_group\\.${part}`));
    }
    const groupRules = Object.entries(resources(json, 'aws_security_group_rule')) as [string, Json][];
    for (const part of ['Web_', 'Api_']) {
      const egress = groupRules.find(([name]) => name.startsWith(`${part}LoadBalancerEgressToInstances`))![1];
      expect(egress).toMatchObject({ type: 'egress', from_port: 80, to_port: 80, protocol: 'tcp' });
      expect(egress.security_group_id).toMatch(/aws_security_group\.Front_SecurityGroup_[0-9A-F]+\.id/);
      expect(egress.source_security_group_id).toMatch(new RegExp(`aws_security_group\\.${part}InstanceSecurityGroup`));
      const ingress = groupRules.find(([name]) => name.startsWith(`${part}InstanceIngressFromLoadBalancer`))![1];
      expect(ingress.source_security_group_id).toBe(egress.security_group_id);
    }
    // the fleets create no load balancer of their own, and say which one serves them
    expect(Object.keys(resources(json, 'aws_lb'))).toHaveLength(1);
    for (const fleet of fleets) {
      expect(fleet.loadBalancerSecurityGroupId).toBe(front.securityGroupId);
      expect(fleet.listenerArn).toBe(front.listenerArn);
      expect(fleet.loadBalancerArnSuffix).toBe(front.loadBalancerArnSuffix);
      expect(fleet.loadBalancerDnsName).toBe(front.dnsName);
      expect(fleet.loadBalancer).toBeUndefined();
    }
    expect(json.output.web_alb_dns_name.value).toMatch(/^\$\{aws_lb\.Front_[0-9A-F]+\.dns_name\}$/);
  });

  test("stage and promote of one fleet leave the other fleet's resources and the shared ones untouched", () => {
    const base = twoFleets({ blue: AMI_1, active: 'blue' }, { blue: AMI_2, active: 'blue' }).json;
    // web stages AMI_3 into green, then promotes it; api does nothing
    const staged = twoFleets({ blue: AMI_1, green: AMI_3, active: 'blue' }, { blue: AMI_2, active: 'blue' }).json;
    const promoted = twoFleets({ blue: AMI_1, green: AMI_3, active: 'green' }, { blue: AMI_2, active: 'blue' }).json;
    for (const [before, after] of [
      [base, staged],
      [staged, promoted],
    ]) {
      const { created, destroyed, changed } = compare(before, after);
      const touched = [...created, ...destroyed, ...changed];
      expect(touched.length).toBeGreaterThan(0);
      expect(touched.filter((address) => !/\.Web_/.test(address))).toEqual([]);
    }
    // the promote is web's rule only (and its outputs)
    expect(compare(staged, promoted).changed.filter((a) => a.startsWith('aws_'))).toEqual([
      expect.stringMatching(/^aws_lb_listener_rule\.Web_ListenerRule_/),
    ]);
  });

  test('tokens are not validated', () => {
    const stack = newStack('prod');
    const certificate = new TerraformVariable(stack, 'certificate', { type: 'string' });
    const priority = new TerraformVariable(stack, 'priority', { type: 'number' });
    const front = shared(stack, { certificateArn: certificate.stringValue, idleTimeoutSeconds: priority.numberValue });
    new ReplaceFleet(stack, 'Api', {
      name: 'api',
      vpcId: VPC,
      subnetIds: SUBNETS,
      image: ImageSource.fromAmiId(AMI_1),
      loadBalancer: FleetLoadBalancer.fromShared(front, { priority: priority.numberValue }),
    });
    const json = synthJson(stack);
    expect(only(json, 'aws_lb_listener_rule').priority).toBe('${var.priority}');
  });

  describe('validation', () => {
    test.each<[string, Partial<SharedLoadBalancerProps>, string]>([
      [
        'no subnets',
        { subnetIds: undefined },
        'subnetIds is not set; pass the ids of at least two subnets in different availability zones (subnetIds) or the subnets themselves (subnets).',
      ],
      [
        'one subnet',
        { subnetIds: ['subnet-01234567'] },
        'subnetIds (["subnet-01234567"]) must list at least two subnets in different availability zones; an application load balancer needs two.',
      ],
      ['no VPC', { vpcId: undefined }, 'vpcId is not set; pass the id of the VPC (vpcId) or the VPC itself (vpc).'],
      [
        'more certificates without a default one',
        { additionalCertificateArns: [CERT_2] },
        'additionalCertificateArns is set without certificateArn; the HTTPS listener needs a default certificate: set certificateArn, or remove additionalCertificateArns.',
      ],
      [
        'a bad certificate',
        { certificateArn: CERT, additionalCertificateArns: ['my-cert'] },
        'additionalCertificateArns[0]: certificateArn ("my-cert") must be an ACM certificate ARN',
      ],
      [
        'a certificate twice',
        { certificateArn: CERT, additionalCertificateArns: [CERT_2, CERT_2] },
        'additionalCertificateArns[1] ("' + CERT_2 + '") is listed twice',
      ],
      [
        'a status code',
        { defaultResponse: { statusCode: 700 } },
        'defaultResponse.statusCode (700) must be an integer from 200 to 599.',
      ],
      [
        'a content type',
        { defaultResponse: { contentType: 'text/xml' as never } },
        'defaultResponse.contentType ("text/xml") must be one of text/plain',
      ],
      [
        'a long body',
        { defaultResponse: { messageBody: 'x'.repeat(1025) } },
        'defaultResponse.messageBody is 1025 characters; at most 1024 are allowed.',
      ],
      ['a name', { name: 'front_door' }, 'name ("front_door") must be letters, digits and hyphens'],
    ])('%s is refused, naming the prop and the fix', (_name, props, message) => {
      const run = () => shared(newStack('prod'), props);
      expect(run).toThrow(ValidationError);
      expect(run).toThrow(`SharedLoadBalancer prod/Front: ${message}`);
    });

    test('two fleets with one priority are refused, naming both', () => {
      const stack = newStack('prod');
      const front = shared(stack);
      const fleet = (id: string, name: string) =>
        new ReplaceFleet(stack, id, {
          name,
          vpcId: VPC,
          subnetIds: SUBNETS,
          image: ImageSource.fromAmiId(AMI_1),
          loadBalancer: FleetLoadBalancer.fromShared(front, { priority: 10, pathPatterns: [`/${name}/*`] }),
        });
      fleet('Web', 'web');
      expect(() => fleet('Api', 'api')).toThrow(
        'ReplaceFleet prod/Api: loadBalancer: FleetLoadBalancer.fromShared: priority (10) is used by prod/Web on ' +
          'SharedLoadBalancer prod/Front; each rule on a listener needs its own priority: give this fleet another one.',
      );
    });

    test("a rule's options are checked with the fleet's path", () => {
      const stack = newStack('prod');
      const front = shared(stack);
      expect(
        () =>
          new ReplaceFleet(stack, 'Api', {
            name: 'api',
            vpcId: VPC,
            subnetIds: SUBNETS,
            image: ImageSource.fromAmiId(AMI_1),
            loadBalancer: FleetLoadBalancer.fromShared(front, { priority: 0, pathPatterns: ['api/*'] }),
          }),
      ).toThrow(
        'ReplaceFleet prod/Api: loadBalancer: FleetLoadBalancer.fromShared: priority (0) must be an integer from 1 to 50000',
      );
    });

    test("the load balancer's name must not be a fleet's in the same stack", () => {
      const stack = newStack('prod');
      new ReplaceFleet(stack, 'Api', {
        name: 'front',
        vpcId: VPC,
        subnetIds: SUBNETS,
        image: ImageSource.fromAmiId(AMI_1),
      });
      expect(() => shared(stack)).toThrow(
        /SharedLoadBalancer prod\/Front: name \("front"\) gives the load balancer name "front", which ReplaceFleet prod\/Api already uses/,
      );
    });
  });
});

describe('FleetLoadBalancer.fromListener addEgressRule', () => {
  const LISTENER = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/x/1a/2b';
  const build = (addEgressRule?: boolean) => {
    const stack = newStack('prod');
    const fleet = new ReplaceFleet(stack, 'Api', {
      name: 'api',
      vpcId: VPC,
      subnetIds: SUBNETS,
      image: ImageSource.fromAmiId(AMI_1),
      loadBalancer: FleetLoadBalancer.fromListener({
        listenerArn: LISTENER,
        securityGroupId: 'sg-0aaaaaaaaaaaaaaaa',
        priority: 5,
        addEgressRule,
      }),
    });
    return { json: synthJson(stack), fleet };
  };

  test("off by default: the other load balancer's group is left alone", () => {
    const { json, fleet } = build();
    const rules = Object.keys(resources(json, 'aws_security_group_rule'));
    expect(rules.some((name) => name.includes('LoadBalancerEgressToInstances'))).toBe(false);
    expect(fleet.loadBalancerSecurityGroupId).toBe('sg-0aaaaaaaaaaaaaaaa');
    expect(fleet.listenerArn).toBe(LISTENER);
  });

  test("on: an egress rule on the listener's load balancer group to this fleet's instances", () => {
    const rule = Object.entries(resources(build(true).json, 'aws_security_group_rule')).find(([name]) =>
      name.includes('LoadBalancerEgressToInstances'),
    )![1] as Json;
    expect(rule).toMatchObject({ type: 'egress', security_group_id: 'sg-0aaaaaaaaaaaaaaaa', from_port: 80 });
  });
});

describe('IFleet: the load balancer security group and listener ARN without a cast', () => {
  test('a fleet that creates its load balancer', () => {
    const stack = newStack('prod');
    const fleet: IFleet = new ReplaceFleet(stack, 'Api', {
      name: 'api',
      vpcId: VPC,
      subnetIds: SUBNETS,
      image: ImageSource.fromAmiId(AMI_1),
    });
    new TerraformOutput(stack, 'read', {
      value: { group: fleet.loadBalancerSecurityGroupId, listener: fleet.listenerArn },
    });
    expect(synthJson(stack).output.read.value).toEqual({
      group: expect.stringMatching(/^\$\{aws_security_group\.Api_LoadBalancerSecurityGroup_[0-9A-F]+\.id\}$/),
      listener: expect.stringMatching(/^\$\{aws_lb_listener\.Api_Listener_[0-9A-F]+\.arn\}$/),
    });
  });
});
