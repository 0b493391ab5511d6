import { TerraformStack, TerraformVariable } from 'cdktf';
import { FleetLoadBalancer, ImageSource, ReplaceFleet } from '../../lib';
import { ValidationError } from '../../lib/private/validation';
import { AMI_1, newApp, newStack, SUBNETS, VPC } from '../support/synth';

const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000000';
const LISTENER = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/x/1a/2b';

/** A fleet in stack `stack` (a new one by default) that uses `loadBalancer`. */
function fleetWith(loadBalancer: FleetLoadBalancer, stack: TerraformStack = newStack('prod')): ReplaceFleet {
  return new ReplaceFleet(stack, 'Api', {
    name: 'api',
    vpcId: VPC,
    subnetIds: SUBNETS,
    image: ImageSource.fromAmiId(AMI_1),
    loadBalancer,
  });
}

describe('FleetLoadBalancer', () => {
  // The factories only record their options; the fleet that uses the value checks them
  // and reports through ValidationError with its own path, the prop and the factory.
  test.each<[string, () => FleetLoadBalancer, string]>([
    [
      'scheme',
      () => FleetLoadBalancer.create({ scheme: 'public' as 'internal' }),
      'FleetLoadBalancer.create: scheme ("public") must be "internal" or "internet-facing".',
    ],
    [
      'one subnet',
      () => FleetLoadBalancer.create({ subnetIds: ['subnet-01234567'] }),
      'FleetLoadBalancer.create: subnetIds (["subnet-01234567"]) must list at least two subnets in different availability zones; an application load balancer needs two.',
    ],
    [
      'certificate',
      () => FleetLoadBalancer.create({ certificateArn: 'my-cert' }),
      'FleetLoadBalancer.create: certificateArn ("my-cert") must be an ACM certificate ARN such as arn:aws:acm:eu-west-1:123456789012:certificate/<id>.',
    ],
    [
      'ssl policy format',
      () => FleetLoadBalancer.create({ certificateArn: CERT, sslPolicy: 'TLS13' }),
      'FleetLoadBalancer.create: sslPolicy ("TLS13") must be an ELB security policy name such as ELBSecurityPolicy-TLS13-1-2-2021-06.',
    ],
    [
      'ssl policy without certificate',
      () => FleetLoadBalancer.create({ sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' }),
      'FleetLoadBalancer.create: sslPolicy ("ELBSecurityPolicy-TLS13-1-2-2021-06") is set without certificateArn; the policy only applies to the HTTPS listener, so add certificateArn or remove sslPolicy.',
    ],
    [
      'no ingress ranges',
      () => FleetLoadBalancer.create({ ingressCidrs: [] }),
      'FleetLoadBalancer.create: ingressCidrs ([]) must list at least one range, e.g. ["10.0.0.0/8"].',
    ],
    [
      'bad ingress range',
      () => FleetLoadBalancer.create({ ingressCidrs: ['10.0.0.0/8', '10.0.0.0/33'] }),
      'FleetLoadBalancer.create: ingressCidrs[1] ("10.0.0.0/33") must be an IPv4 CIDR block such as 10.0.0.0/8.',
    ],
    [
      'idle timeout',
      () => FleetLoadBalancer.create({ idleTimeoutSeconds: 0 }),
      'FleetLoadBalancer.create: idleTimeoutSeconds (0) must be an integer from 1 to 4000.',
    ],
    [
      'log bucket',
      () => FleetLoadBalancer.create({ accessLogs: { bucket: 'Logs_Bucket' } }),
      'FleetLoadBalancer.create: accessLogs.bucket ("Logs_Bucket") must be an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens) such as my-alb-logs.',
    ],
    [
      'listener ARN',
      () =>
        FleetLoadBalancer.fromListener({
          listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/x/1',
          securityGroupId: 'sg-01234567',
          priority: 1,
        }),
      'FleetLoadBalancer.fromListener: listenerArn ("arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/x/1") must be an application load balancer listener ARN (arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<name>/<id>/<id>).',
    ],
    [
      'listener security group',
      () => FleetLoadBalancer.fromListener({ listenerArn: LISTENER, securityGroupId: 'alb', priority: 1 }),
      'FleetLoadBalancer.fromListener: securityGroupId ("alb") must be a security group id such as sg-0123456789abcdef0.',
    ],
    [
      'listener security group, upper case',
      () =>
        FleetLoadBalancer.fromListener({ listenerArn: LISTENER, securityGroupId: 'sg-0123456789ABCDEF0', priority: 1 }),
      'FleetLoadBalancer.fromListener: securityGroupId ("sg-0123456789ABCDEF0") must be a security group id such as sg-0123456789abcdef0.',
    ],
    [
      'rule priority',
      () => FleetLoadBalancer.fromListener({ listenerArn: LISTENER, securityGroupId: 'sg-01234567', priority: 0 }),
      'FleetLoadBalancer.fromListener: priority (0) must be an integer from 1 to 50000; each rule on a listener needs its own priority.',
    ],
    [
      'path pattern',
      () =>
        FleetLoadBalancer.fromListener({
          listenerArn: LISTENER,
          securityGroupId: 'sg-01234567',
          priority: 1,
          pathPatterns: ['api/*'],
        }),
      'FleetLoadBalancer.fromListener: pathPatterns[0] ("api/*") must start with "/" (or "*"), e.g. "/api/*".',
    ],
    [
      'empty path patterns',
      () =>
        FleetLoadBalancer.fromListener({
          listenerArn: LISTENER,
          securityGroupId: 'sg-01234567',
          priority: 1,
          pathPatterns: [],
        }),
      'FleetLoadBalancer.fromListener: pathPatterns ([]) must list at least one value; omit it to match every path ("/*").',
    ],
    [
      'empty host headers',
      () =>
        FleetLoadBalancer.fromListener({
          listenerArn: LISTENER,
          securityGroupId: 'sg-01234567',
          priority: 1,
          hostHeaders: [],
        }),
      'FleetLoadBalancer.fromListener: hostHeaders ([]) must list at least one value; omit it to match any host.',
    ],
  ])('%s', (_what, make, message) => {
    // GIVEN the value: the factory alone does not fail
    const loadBalancer = make();
    // WHEN a fleet uses it THEN the fleet's path, the prop and the factory come first
    const build = () => fleetWith(loadBalancer);
    expect(build).toThrow(message);
    expect(build).toThrow(`ReplaceFleet prod/Api: loadBalancer: ${message}`);
    expect(build).toThrow(ValidationError);
  });

  test('the error names the construct path where the value is used as its source', () => {
    try {
      fleetWith(FleetLoadBalancer.create({ idleTimeoutSeconds: 5000 }));
      throw new Error('expected a ValidationError');
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).source).toBe('prod/Api');
      expect((e as ValidationError).message).toContain('loadBalancer: FleetLoadBalancer.create: idleTimeoutSeconds');
    }
  });

  test('in stacks built in a loop over environments, the error names the stack that uses the value', () => {
    const app = newApp();
    const shared = FleetLoadBalancer.create({ certificateArn: 'my-cert' });
    const build = () => {
      for (const env of ['dev', 'prod']) {
        fleetWith(shared, new TerraformStack(app, `service-${env}`));
      }
    };
    expect(build).toThrow(/^ReplaceFleet service-dev\/Api: loadBalancer: FleetLoadBalancer\.create: certificateArn/);
  });

  test.each<[string, () => FleetLoadBalancer, string]>([
    [
      'subnets beside subnetIds',
      () => FleetLoadBalancer.create({ subnetIds: SUBNETS, subnets: SUBNETS.map((subnetId) => ({ subnetId })) }),
      "FleetLoadBalancer.create: subnetIds and subnets are both set; give the load balancer's subnets once, as ids or as objects.",
    ],
    [
      'one subnet object',
      () => FleetLoadBalancer.create({ subnets: [{ subnetId: SUBNETS[0] }] }),
      'FleetLoadBalancer.create: subnets (["subnet-0123456789abcdef0"]) must list at least two subnets in different availability zones; an application load balancer needs two.',
    ],
    [
      'securityGroup beside securityGroupId',
      () =>
        FleetLoadBalancer.fromListener({
          listenerArn: LISTENER,
          securityGroupId: 'sg-01234567',
          securityGroup: { securityGroupId: 'sg-01234567' },
          priority: 1,
        }),
      "FleetLoadBalancer.fromListener: securityGroupId and securityGroup are both set; give the load balancer's security group once, as an id or as an object.",
    ],
    [
      'no security group',
      () => FleetLoadBalancer.fromListener({ listenerArn: LISTENER, priority: 1 }),
      "FleetLoadBalancer.fromListener: securityGroupId is not set; pass the id of the load balancer's security group (securityGroupId) or the group itself (securityGroup).",
    ],
    [
      'security group object with a bad id',
      () =>
        FleetLoadBalancer.fromListener({
          listenerArn: LISTENER,
          securityGroup: { securityGroupId: 'alb' },
          priority: 1,
        }),
      'FleetLoadBalancer.fromListener: securityGroup.securityGroupId ("alb") must be a security group id such as sg-0123456789abcdef0.',
    ],
  ])('objects beside ids: %s', (_what, make, message) => {
    const build = () => fleetWith(make());
    expect(build).toThrow(`ReplaceFleet prod/Api: loadBalancer: ${message}`);
    expect(build).toThrow(ValidationError);
  });

  test('valid options are accepted', () => {
    expect(() =>
      fleetWith(
        FleetLoadBalancer.create({
          scheme: 'internet-facing',
          subnetIds: ['subnet-01234567', 'subnet-89abcdef'],
          certificateArn: CERT,
          sslPolicy: 'ELBSecurityPolicy-TLS13-1-3-2021-06',
          ingressCidrs: ['10.0.0.0/8'],
          idleTimeoutSeconds: 4000,
          accessLogs: { bucket: 'my-alb-logs' },
        }),
      ),
    ).not.toThrow();
    expect(() =>
      fleetWith(
        FleetLoadBalancer.fromListener({
          listenerArn: LISTENER,
          securityGroupId: 'sg-0123456789abcdef0',
          priority: 50000,
          pathPatterns: ['/api/*', '*.png'],
          hostHeaders: ['shop.example.com'],
        }),
      ),
    ).not.toThrow();
  });

  test('tokens are not validated', () => {
    const stack = newStack('s');
    const str = new TerraformVariable(stack, 'x', { type: 'string' }).stringValue;
    const num = new TerraformVariable(stack, 'n', { type: 'number' }).numberValue;
    const list = new TerraformVariable(stack, 'l', { type: 'list(string)' }).listValue;
    const check = (loadBalancer: FleetLoadBalancer) => () => fleetWith(loadBalancer, newStack('prod'));
    expect(
      check(
        FleetLoadBalancer.create({
          certificateArn: str,
          sslPolicy: str,
          idleTimeoutSeconds: num,
          ingressCidrs: [str],
          accessLogs: { bucket: str },
        }),
      ),
    ).not.toThrow();
    expect(check(FleetLoadBalancer.create({ subnetIds: list, ingressCidrs: list }))).not.toThrow();
    expect(
      check(
        FleetLoadBalancer.fromListener({ listenerArn: str, securityGroupId: str, priority: num, pathPatterns: [str] }),
      ),
    ).not.toThrow();
    expect(
      check(
        FleetLoadBalancer.fromListener({
          listenerArn: str,
          securityGroupId: str,
          priority: num,
          pathPatterns: list,
          hostHeaders: list,
        }),
      ),
    ).not.toThrow();
  });

  test('a token scheme is refused: the fleet decides internal or internet-facing at synth', () => {
    const stack = newStack('prod');
    const str = new TerraformVariable(stack, 'scheme', { type: 'string' }).stringValue;
    expect(() => fleetWith(FleetLoadBalancer.create({ scheme: str as 'internal' }), stack)).toThrow(
      /FleetLoadBalancer.create: scheme \(".*"\) must be "internal" or "internet-facing"/,
    );
  });
});
