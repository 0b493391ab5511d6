import 'cdktf/lib/testing/adapters/jest';
import { TerraformVariable } from 'cdktf';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { FleetLoadBalancer, FleetScaling, ImageSource, InstanceType, ReplaceFleet, UserData } from '../../lib';
import { address, compare, resource, synthReplace } from './fleet-helpers';
import { AMI_1, AMI_2, newStack, SUBNETS, synthJson, VPC } from '../support/synth';

const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000000';

describe('ReplaceFleet', () => {
  test('defaults: one target group, one generation, a plain forward', () => {
    // GIVEN / WHEN
    const { json, text, fleet } = synthReplace();
    // THEN
    const generation = fleet.generation.hash;
    expect(text).toHaveResourceWithProperties(LbTargetGroup, { name: 'api', port: 80, vpc_id: VPC });
    expect(Object.keys(json.resource.aws_lb_target_group)).toHaveLength(1);
    expect(resource(json, 'aws_launch_template', 'LaunchTemplate').name).toBe(`api-${generation}`);
    expect(resource(json, 'aws_autoscaling_group', 'AutoScalingGroup')).toMatchObject({
      name: `api-${generation}`,
      min_size: 2,
      max_size: 4,
      // waits for load balancer health once the target group is in use (not on the first deploy)
      min_elb_capacity: `\${(length(tolist(aws_lb_target_group.Api_TargetGroup_7E411432.load_balancer_arns)) >= 1) ? 2 : 0}`,
      health_check_type: 'ELB',
      vpc_zone_identifier: SUBNETS,
      target_group_arns: [expect.stringContaining('Api_TargetGroup')],
      lifecycle: { create_before_destroy: true, ignore_changes: ['min_elb_capacity'] },
    });
    const listener = resource(json, 'aws_lb_listener', 'Listener');
    // the listener is applied after the group
    expect(listener.depends_on).toEqual([
      expect.stringMatching(/^aws_autoscaling_group\.Api_AutoScalingGroup_[0-9A-F]+$/),
    ]);
    expect(listener.default_action).toEqual([
      { type: 'forward', target_group_arn: expect.stringContaining('Api_TargetGroup') },
    ]);
    const [localName] = Object.keys(json.locals);
    expect(listener.lifecycle.precondition).toEqual([
      {
        condition: `\${local.${localName}.min_size > 0 && local.${localName}.image_id != ""}`,
        error_message: expect.stringContaining(
          'prod/Api: the fleet would receive traffic but has no image or no capacity',
        ),
      },
    ]);
    expect(Object.keys(json.output).sort()).toEqual(['api_alb_dns_name', 'api_asg_name', 'api_generation']);
    expect(json.output.api_generation.value).toBe(generation);
  });

  test('all properties', () => {
    const { json, text } = synthReplace({
      port: 8080,
      capacity: { min: 1, max: 3, desired: 2 },
      scaling: FleetScaling.requestsPerTarget(200),
      healthCheck: { path: '/health', gracePeriodSeconds: 30 },
      deregistrationDelaySeconds: 5,
      loadBalancer: FleetLoadBalancer.create({
        scheme: 'internet-facing',
        certificateArn: CERT,
        sslPolicy: 'ELBSecurityPolicy-TLS13-1-3-2021-06',
      }),
      server: { instanceType: InstanceType.of('c7i.large'), userData: UserData.fromString('#!/bin/sh\necho api') },
    });
    expect(text).toHaveResourceWithProperties(LbListener, {
      port: 443,
      protocol: 'HTTPS',
      ssl_policy: 'ELBSecurityPolicy-TLS13-1-3-2021-06',
      certificate_arn: CERT,
    });
    expect(text).toHaveResourceWithProperties(LbTargetGroup, { name: 'api', port: 8080, deregistration_delay: '5' });
    expect(resource(json, 'aws_autoscaling_group', 'AutoScalingGroup')).toMatchObject({
      min_size: 1,
      max_size: 3,
      desired_capacity: 2,
      min_elb_capacity: `\${(length(tolist(aws_lb_target_group.Api_TargetGroup_7E411432.load_balancer_arns)) >= 1) ? 2 : 0}`,
      health_check_grace_period: 30,
      lifecycle: { ignore_changes: ['desired_capacity', 'min_elb_capacity'] },
    });
    expect(resource(json, 'aws_launch_template', 'LaunchTemplate').instance_type).toBe('c7i.large');
    const policy = resource(json, 'aws_autoscaling_policy', 'ScalingPolicy');
    expect(policy.depends_on).toEqual([expect.stringMatching(/^aws_lb_listener\.Api_Listener_[0-9A-F]+$/)]);
  });

  test('an existing listener gets a forwarding rule', () => {
    const { text, json } = synthReplace({
      loadBalancer: FleetLoadBalancer.fromListener({
        listenerArn:
          'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/50dc6c495c0c9188/f2f7dc8efc522ab2',
        securityGroupId: 'sg-0123456789abcdef0',
        priority: 7,
      }),
    });
    expect(text).toHaveResourceWithProperties(LbListenerRule, {
      priority: 7,
      condition: [{ path_pattern: { values: ['/*'] } }],
    });
    expect(json.resource.aws_lb).toBeUndefined();
    expect(json.output.api_alb_dns_name).toBeUndefined();
  });

  test('a new image replaces the launch template and group, keeps the target group and listener', () => {
    const before = synthReplace().json;
    const after = synthReplace({ image: ImageSource.fromAmiId(AMI_2) }).json;
    const diff = compare(before, after);
    expect(diff).toMatchObject({ created: [], destroyed: [] });
    expect(diff.changed.sort()).toEqual(
      [
        address(after, 'aws_autoscaling_group', 'AutoScalingGroup'),
        address(after, 'aws_launch_template', 'LaunchTemplate'),
      ].sort(),
    );
    // the in-use mark reads the template's image_id (force-new): Terraform moves it with the template
    expect(resource(after, 'aws_ec2_tag', 'InUse').resource_id).toBe(
      `\${${address(after, 'aws_launch_template', 'LaunchTemplate')}.image_id}`,
    );
    expect(resource(after, 'aws_autoscaling_group', 'AutoScalingGroup').name).not.toBe(
      resource(before, 'aws_autoscaling_group', 'AutoScalingGroup').name,
    );
    expect(diff.unchanged).toContain(address(after, 'aws_lb_listener', 'Listener'));
    expect(diff.unchanged).toContain(address(after, 'aws_lb_target_group', 'TargetGroup'));
  });

  test('a capacity change keeps the generation', () => {
    const before = synthReplace().json;
    const after = synthReplace({ capacity: { min: 3, max: 6 } }).json;
    expect(compare(before, after)).toMatchObject({
      created: [],
      destroyed: [],
      changed: [address(after, 'aws_autoscaling_group', 'AutoScalingGroup')],
    });
    expect(resource(after, 'aws_autoscaling_group', 'AutoScalingGroup').name).toBe(
      resource(before, 'aws_autoscaling_group', 'AutoScalingGroup').name,
    );
  });

  describe('validation', () => {
    test('no capacity', () => {
      expect(() => synthReplace({ capacity: { min: 0, max: 2 } })).toThrow(
        "ReplaceFleet prod/Api: capacity.min (0) must be >= 1; the fleet's only group receives all traffic and needs running instances.",
      );
    });
    test('min > max', () => {
      expect(() => synthReplace({ capacity: { min: 3, max: 2 } })).toThrow(
        'ReplaceFleet prod/Api: capacity.min (3) must be <= capacity.max (2); lower min or raise max.',
      );
    });
    test('no image', () => {
      expect(() => synthReplace({ image: undefined })).toThrow(/ReplaceFleet prod\/Api: image is not set/);
    });
    test('no subnets', () => {
      expect(() => synthReplace({ subnetIds: [] })).toThrow(/subnetIds \(\[\]\) must list at least one value/);
    });
    test('health check path', () => {
      expect(() => synthReplace({ healthCheck: { path: 'ready' } })).toThrow(
        /healthCheck.path \("ready"\) must start with "\/"/,
      );
    });
  });

  test('tokens are not validated', () => {
    const stack = newStack('prod');
    const num = (n: string) => new TerraformVariable(stack, n, { type: 'number' }).numberValue;
    new ReplaceFleet(stack, 'Api', {
      vpcId: VPC,
      subnetIds: SUBNETS,
      image: ImageSource.fromAmiId(AMI_1),
      capacity: { min: num('min'), max: num('max') },
      port: num('port'),
    });
    const json = synthJson(stack);
    expect(resource(json, 'aws_autoscaling_group', 'AutoScalingGroup')).toMatchObject({
      min_size: '${var.min}',
      min_elb_capacity: `\${(length(tolist(aws_lb_target_group.Api_TargetGroup_7E411432.load_balancer_arns)) >= 1) ? var.min : 0}`,
    });
  });
});
