import { Testing, TerraformStack, TerraformVariable, Token } from 'cdktf';
import { FleetLoadBalancer, FleetScaling, trafficWeights } from '../../lib';

describe('trafficWeights', () => {
  test.each<['blue' | 'green', number, { blue: number; green: number }]>([
    ['blue', 0, { blue: 100, green: 0 }],
    ['green', 0, { blue: 0, green: 100 }],
    ['blue', 10, { blue: 90, green: 10 }],
    ['green', 25, { blue: 25, green: 75 }],
    ['blue', 100, { blue: 0, green: 100 }],
  ])('active %s, canary %d', (active, canary, expected) => {
    expect(trafficWeights(active, canary)).toEqual(expected);
  });

  test('the canary defaults to 0', () => {
    expect(trafficWeights('green')).toEqual({ blue: 0, green: 100 });
  });

  test.each([-1, 101, 1.5])('canary %p is refused', (canary) => {
    expect(() => trafficWeights('blue', canary)).toThrow(`trafficWeights: canaryPercent (${canary}) must be an integer from 0 to 100.`);
  });

  test('active must be a slot', () => {
    expect(() => trafficWeights('red' as 'blue')).toThrow('trafficWeights: active ("red") must be "blue" or "green".');
  });

  test('a token canary gives token weights', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    const canary = new TerraformVariable(stack, 'canary', { type: 'number' }).numberValue;
    const weights = trafficWeights('green', canary);
    expect(Token.isUnresolved(weights.blue)).toBe(true);
    expect(weights.blue).toBe(canary);
    expect(Token.isUnresolved(weights.green)).toBe(true);
  });
});

describe('FleetLoadBalancer', () => {
  const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000000';
  test.each<[string, () => unknown, RegExp]>([
    ['scheme', () => FleetLoadBalancer.create({ scheme: 'public' as 'internal' }), /scheme \("public"\) must be "internal" or "internet-facing"/],
    ['one subnet', () => FleetLoadBalancer.create({ subnetIds: ['subnet-01234567'] }), /subnetIds \(\["subnet-01234567"\]\) must list at least two subnets/],
    ['certificate', () => FleetLoadBalancer.create({ certificateArn: 'my-cert' }), /certificateArn \("my-cert"\) must be an ACM certificate ARN/],
    ['ssl policy format', () => FleetLoadBalancer.create({ certificateArn: CERT, sslPolicy: 'TLS13' }), /sslPolicy \("TLS13"\) must be an ELB security policy name/],
    ['ssl policy without certificate', () => FleetLoadBalancer.create({ sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' }), /sslPolicy .* is set without certificateArn/],
    ['no ingress ranges', () => FleetLoadBalancer.create({ ingressCidrs: [] }), /ingressCidrs \(\[\]\) must list at least one range/],
    ['bad ingress range', () => FleetLoadBalancer.create({ ingressCidrs: ['10.0.0.0/33'] }), /ingressCidrs\[0\] \("10.0.0.0\/33"\) is not an IPv4 CIDR block/],
    ['idle timeout', () => FleetLoadBalancer.create({ idleTimeoutSeconds: 0 }), /idleTimeoutSeconds \(0\) must be an integer from 1 to 4000/],
    ['log bucket', () => FleetLoadBalancer.create({ accessLogs: { bucket: 'Logs_Bucket' } }), /accessLogs.bucket \("Logs_Bucket"\) is not an S3 bucket name/],
    ['listener ARN', () => FleetLoadBalancer.fromListener({ listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/x/1', securityGroupId: 'sg-01234567', priority: 1 }), /listenerArn \(".*"\) must be an application load balancer listener ARN/],
    ['listener security group', () => FleetLoadBalancer.fromListener({ listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/x/1a/2b', securityGroupId: 'alb', priority: 1 }), /securityGroupId \("alb"\) must be a security group id/],
    ['rule priority', () => FleetLoadBalancer.fromListener({ listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/x/1a/2b', securityGroupId: 'sg-01234567', priority: 0 }), /priority \(0\) must be an integer from 1 to 50000/],
    ['path pattern', () => FleetLoadBalancer.fromListener({ listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/x/1a/2b', securityGroupId: 'sg-01234567', priority: 1, pathPatterns: ['api/*'] }), /pathPatterns\[0\] \("api\/\*"\) must start with "\/"/],
    ['empty host headers', () => FleetLoadBalancer.fromListener({ listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/x/1a/2b', securityGroupId: 'sg-01234567', priority: 1, hostHeaders: [] }), /hostHeaders \(\[\]\) must list at least one value/],
  ])('%s', (_what, make, message) => {
    expect(make).toThrow(message);
  });

  test('tokens are not validated', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    const str = new TerraformVariable(stack, 'x', { type: 'string' }).stringValue;
    const num = new TerraformVariable(stack, 'n', { type: 'number' }).numberValue;
    expect(() => FleetLoadBalancer.create({ certificateArn: str, sslPolicy: str, idleTimeoutSeconds: num, ingressCidrs: [str], accessLogs: { bucket: str } })).not.toThrow();
    expect(() => FleetLoadBalancer.fromListener({ listenerArn: str, securityGroupId: str, priority: num, pathPatterns: [str] })).not.toThrow();
  });
});

describe('FleetScaling', () => {
  test('choices', () => {
    expect(FleetScaling.cpuUtilization(50)).toMatchObject({ metric: 'cpu', targetValue: 50 });
    expect(FleetScaling.requestsPerTarget(1000)).toMatchObject({ metric: 'requests-per-target', targetValue: 1000 });
  });
  test.each([0, 101, -5])('cpu target %p is refused', (target) => {
    expect(() => FleetScaling.cpuUtilization(target)).toThrow(`FleetScaling.cpuUtilization: targetPercent (${target}) must be above 0 and at most 100, e.g. 50.`);
  });
  test('requests target below 1 is refused', () => {
    expect(() => FleetScaling.requestsPerTarget(0)).toThrow('FleetScaling.requestsPerTarget: requests (0) must be at least 1, e.g. 1000.');
  });
});
