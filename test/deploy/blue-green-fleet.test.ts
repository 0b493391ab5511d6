import 'cdktf/lib/testing/adapters/jest';
import { TerraformVariable } from 'cdktf';
import { AutoscalingPolicy } from '@cdktf/provider-aws/lib/autoscaling-policy';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { SecurityGroupRule } from '@cdktf/provider-aws/lib/security-group-rule';
import {
  BlueGreenFleet,
  BlueGreenFleetProps,
  FleetLoadBalancer,
  FleetScaling,
  ImageSource,
  InstanceProfile,
  InstanceType,
  UserData,
} from '../../lib';
import { ValidationError } from '../../lib/private/validation';
import { fromRelease, resource, synthBlueGreen } from './fleet-helpers';
import { PINNED_GROUP_IGNORES } from '../../lib/deploy/private/pinning';
import { AMI_1, AMI_2, Json, newStack, SUBNETS, synthJson, VPC } from '../support/synth';

const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000000';
const LISTENER =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/50dc6c495c0c9188/f2f7dc8efc522ab2';

describe('BlueGreenFleet', () => {
  test('defaults: per-slot target groups, one generation in the active slot, weighted listener', () => {
    // GIVEN a first deploy: blue has an image, green is empty
    const { json, text, fleet } = synthBlueGreen(fromRelease({ blue: AMI_1, green: null, active: 'blue' }));

    // THEN both target groups exist, with fixed slot names
    expect(text).toHaveResourceWithProperties(LbTargetGroup, {
      name: 'web-blue',
      port: 80,
      protocol: 'HTTP',
      vpc_id: VPC,
      target_type: 'instance',
      deregistration_delay: '30',
      health_check: {
        enabled: true,
        protocol: 'HTTP',
        port: 'traffic-port',
        path: '/',
        matcher: '200',
        healthy_threshold: 2,
        unhealthy_threshold: 3,
        interval: 15,
        timeout: 5,
      },
    });
    expect(text).toHaveResourceWithProperties(LbTargetGroup, { name: 'web-green' });
    // only the blue slot has a launch template and an auto scaling group
    expect(Object.keys(json.resource.aws_launch_template)).toEqual([expect.stringContaining('Blue')]);
    expect(Object.keys(json.resource.aws_autoscaling_group)).toEqual([expect.stringContaining('Blue')]);
    const generation = fleet.slots.blue.generation!.hash;
    expect(generation).toMatch(/^[0-9a-f]{10}$/);
    const asg = resource(json, 'aws_autoscaling_group', 'Blue');
    // at least its share of the other slot's running size (read at plan time; green is empty here)
    const l = `local.${Object.keys(json.locals)[0]}`;
    const required = `ceil(((${l}.blue.weight * ${l}.green.running) / 100))`;
    expect(asg).toEqual({
      name: `web-blue-${generation}`,
      min_size: `\${max(2, ${required})}`,
      max_size: 4,
      vpc_zone_identifier: SUBNETS,
      target_group_arns: [expect.stringMatching(/^\$\{aws_lb_target_group\.Web_Blue_TargetGroup_[0-9A-F]+\.arn\}$/)],
      health_check_type: 'ELB',
      health_check_grace_period: 120,
      // waits for health only once the target group is in use (not on the first deploy)
      min_elb_capacity: expect.stringMatching(
        /^\$\{\(length\(tolist\(aws_lb_target_group\.Web_Blue_TargetGroup_[0-9A-F]+\.load_balancer_arns\)\) >= 1\) \? max\(2, ceil\(.*\) : 0\}$/,
      ),
      wait_for_capacity_timeout: '10m',
      // on update: a group that grows above its own size waits for that many before the listener moves; else unset
      wait_for_elb_capacity: `\${((length(tolist(${asg.target_group_arns[0].slice(2, -5)}.load_balancer_arns)) >= 1) && (${required} > 2)) ? ${required} : null}`,
      launch_template: {
        id: expect.stringMatching(/^\$\{aws_launch_template\.Web_Blue_LaunchTemplate_[0-9A-F]+\.id\}$/),
        version: expect.stringMatching(/\.latest_version\}$/),
      },
      tag: [
        { key: 'cdktf-immutable:generation', value: generation, propagate_at_launch: false },
        { key: 'cdktf-immutable:slot', value: 'blue', propagate_at_launch: false },
        { key: 'cdktf-immutable:fleet', value: 'web', propagate_at_launch: false },
      ],
      // blue is active and nothing else is staged: it is pinned, so it ignores every
      // non-operational argument; it is replaced only with its template (which only its
      // release marker replaces)
      lifecycle: {
        create_before_destroy: true,
        ignore_changes: ['min_elb_capacity', ...PINNED_GROUP_IGNORES.filter((a) => a !== 'min_elb_capacity')],
        replace_triggered_by: [expect.stringMatching(/^aws_launch_template\.Web_Blue_LaunchTemplate_[0-9A-F]+\.id$/)],
      },
    });
    // green is empty: nothing to read, its running size is 0
    expect(json.locals[Object.keys(json.locals)[0]].green.running).toBe(0);
    expect(json.data).toBeUndefined();
    // no desired capacity without scaling and without `desired`: AWS starts at min
    expect(asg.desired_capacity).toBeUndefined();
    const lt = resource(json, 'aws_launch_template', 'Blue');
    expect(lt.name).toBe(`web-blue-${generation}`);
    expect(lt.image_id).toBe(AMI_1);
    expect(lt.network_interfaces[0].security_groups).toEqual([
      expect.stringMatching(/^\$\{aws_security_group\.Web_InstanceSecurityGroup_[0-9A-F]+\.id\}$/),
    ]);

    // an internal ALB that drops invalid headers, HTTP listener forwarding 100/0
    expect(text).toHaveResourceWithProperties(Lb, {
      name: 'web',
      load_balancer_type: 'application',
      internal: true,
      drop_invalid_header_fields: true,
      enable_deletion_protection: false,
      subnets: SUBNETS,
    });
    const listener = resource(json, 'aws_lb_listener', 'Listener');
    expect(listener.port).toBe(80);
    expect(listener.protocol).toBe('HTTP');
    expect(listener.default_action).toEqual([
      {
        type: 'forward',
        forward: {
          target_group: [
            { arn: expect.stringContaining('Web_Blue_TargetGroup'), weight: 100 },
            { arn: expect.stringContaining('Web_Green_TargetGroup'), weight: 0 },
          ],
        },
      },
    ]);
    // the listener is applied after the slot groups, and refers to them for that only
    // (their gate waits for health only once a listener uses the target group)
    const { depends_on: dependsOn, ...listenerRest } = listener;
    expect(dependsOn).toEqual([expect.stringMatching(/^aws_autoscaling_group\.Web_Blue_AutoScalingGroup_[0-9A-F]+$/)]);
    expect(JSON.stringify(listenerRest)).not.toContain('aws_autoscaling_group');

    // security: instances accept the ALB only, ALB egress to the instances only
    expect(text).toHaveResourceWithProperties(SecurityGroupRule, {
      type: 'ingress',
      protocol: 'tcp',
      from_port: 80,
      to_port: 80,
      source_security_group_id: expect.stringContaining('Web_LoadBalancerSecurityGroup'),
    });
    expect(text).toHaveResourceWithProperties(SecurityGroupRule, {
      type: 'egress',
      from_port: 443,
      to_port: 443,
      cidr_blocks: ['0.0.0.0/0'],
    });
    expect(
      Object.values(json.resource.aws_security_group_rule).filter((r: any) => r.type === 'ingress' && r.cidr_blocks),
    ).toEqual([
      expect.objectContaining({
        from_port: 80,
        cidr_blocks: ['0.0.0.0/0'],
        security_group_id: expect.stringContaining('Web_LoadBalancerSecurityGroup'),
      }),
    ]);

    // outputs
    expect(json.output).toEqual({
      web_alb_dns_name: {
        value: expect.stringMatching(/^\$\{aws_lb\.Web_LoadBalancer_[0-9A-F]+\.dns_name\}$/),
        description: expect.any(String),
      },
      web_active_slot: { value: 'blue', description: expect.any(String) },
      // read from the group's generation tag: what the slot runs, also when it is pinned
      web_blue_generation: {
        value: expect.stringMatching(
          /^\$\{one\(\[for tag in aws_autoscaling_group\.Web_Blue_AutoScalingGroup_[0-9A-F]+\.tag : tag\.value if tag\.key == "cdktf-immutable:generation"\]\)\}$/,
        ),
        description: expect.any(String),
      },
      web_blue_asg_name: {
        value: expect.stringMatching(/^\$\{aws_autoscaling_group\.Web_Blue_AutoScalingGroup_[0-9A-F]+\.name\}$/),
        description: expect.any(String),
      },
      web_green_generation: { value: '', description: expect.any(String) },
      web_green_asg_name: { value: '', description: expect.any(String) },
      // what CloudWatch alarms and `release advance` need
      web_blue_target_group_arn_suffix: {
        value: expect.stringMatching(/^\$\{aws_lb_target_group\.Web_Blue_TargetGroup_[0-9A-F]+\.arn_suffix\}$/),
        description: expect.any(String),
      },
      web_green_target_group_arn_suffix: {
        value: expect.stringMatching(/^\$\{aws_lb_target_group\.Web_Green_TargetGroup_[0-9A-F]+\.arn_suffix\}$/),
        description: expect.any(String),
      },
      web_load_balancer_arn_suffix: {
        value: expect.stringMatching(/^\$\{aws_lb\.Web_LoadBalancer_[0-9A-F]+\.arn_suffix\}$/),
        description: expect.any(String),
      },
    });
    // the target groups carry the fleet's and the slot's tags, as the groups do (release advance finds them by these)
    expect(text).toHaveResourceWithProperties(LbTargetGroup, {
      name: 'web-green',
      tags: { 'cdktf-immutable:fleet': 'web', 'cdktf-immutable:slot': 'green' },
    });
    // no alarms unless asked for
    expect(json.resource.aws_cloudwatch_metric_alarm).toBeUndefined();
    // no instance refresh, no traffic sources (moto and the health gate rely on target_group_arns)
    for (const group of Object.values(json.resource.aws_autoscaling_group) as Json[]) {
      expect(group.instance_refresh).toBeUndefined();
      expect(group.traffic_source).toBeUndefined();
    }
    expect(json.resource.aws_autoscaling_traffic_source_attachment).toBeUndefined();
  });

  test('the traffic guards are preconditions over the traffic local', () => {
    const { json } = synthBlueGreen(fromRelease({ blue: AMI_1, green: AMI_2, active: 'green', canary: 10 }));
    const [localName] = Object.keys(json.locals);
    const l = `local.${localName}`;
    // both slots carry weight: each reads the other's running size
    const running = (slot: string) =>
      `\${max(concat([0], [for group in values(data.aws_autoscaling_group.Web_${slot}_RunningGroup_${slot === 'Blue' ? '70061F13' : 'E1523B60'}) : group.desired_capacity])...)}`;
    expect(json.locals[localName]).toEqual({
      blue: {
        weight: 10,
        min_size: 2,
        max_size: 4,
        image_id: expect.stringMatching(/^\$\{aws_launch_template\.Web_Blue_LaunchTemplate_[0-9A-F]+\.image_id\}$/),
        running: running('Blue'),
      },
      green: {
        weight: 90,
        min_size: 2,
        max_size: 4,
        image_id: expect.stringMatching(/^\$\{aws_launch_template\.Web_Green_LaunchTemplate_[0-9A-F]+\.image_id\}$/),
        running: running('Green'),
      },
    });
    const listener = resource(json, 'aws_lb_listener', 'Listener');
    expect(listener.lifecycle.precondition.map((p: Json) => p.condition)).toEqual([
      `\${${l}.blue.weight == 0 || (${l}.blue.min_size > 0 && ${l}.blue.image_id != "")}`,
      `\${${l}.green.weight == 0 || (${l}.green.min_size > 0 && ${l}.green.image_id != "")}`,
      // green is active and pinned: it takes weight only while it runs the image the code names
      `\${${l}.green.weight == 0 || ${l}.green.image_id == "${AMI_2}"}`,
      `\${ceil(${l}.blue.weight * ${l}.green.running / 100) <= ${l}.blue.max_size}`,
      `\${ceil(${l}.green.weight * ${l}.blue.running / 100) <= ${l}.green.max_size}`,
      `\${${l}.blue.weight >= 0 && ${l}.green.weight >= 0 && ${l}.blue.weight + ${l}.green.weight == 100}`,
    ]);
    expect(listener.lifecycle.precondition[0].error_message).toMatch(
      /prod\/Web: the blue slot would receive traffic but has no image or no capacity/,
    );
    expect(listener.default_action[0].forward.target_group.map((t: Json) => t.weight)).toEqual([10, 90]);
  });

  test('an empty slot is in the traffic local with no image and no capacity', () => {
    const { json } = synthBlueGreen(fromRelease({ blue: null, green: AMI_1, active: 'green' }));
    expect(Object.values(json.locals)[0]).toMatchObject({
      blue: { weight: 0, min_size: 0, max_size: 0, image_id: '' },
    });
  });

  test('all properties: HTTPS, per-slot settings, scaling, desired capacity', () => {
    // GIVEN
    const props: BlueGreenFleetProps = fromRelease(
      { blue: AMI_1, green: AMI_2, active: 'blue', canary: 5 },
      {
        name: 'shop',
        port: 8080,
        loadBalancer: FleetLoadBalancer.create({
          scheme: 'internet-facing',
          subnetIds: ['subnet-0aaaaaaaaaaaaaaa0', 'subnet-0aaaaaaaaaaaaaaa1'],
          certificateArn: CERT,
          ingressCidrs: ['10.0.0.0/8', '192.168.0.0/16'],
          deletionProtection: true,
          accessLogs: { bucket: 'shop-alb-logs', prefix: 'prod' },
          idleTimeoutSeconds: 120,
        }),
        healthCheck: {
          path: '/health',
          matcher: '200-299',
          healthyThreshold: 3,
          unhealthyThreshold: 2,
          intervalSeconds: 10,
          timeoutSeconds: 4,
          gracePeriodSeconds: 60,
          gateTimeout: '15m',
        },
        deregistrationDelaySeconds: 10,
        capacity: { min: 3, max: 9, desired: 4 },
        scaling: FleetScaling.cpuUtilization(60),
        allowAllOutbound: true,
        server: {
          instanceType: InstanceType.of('m7g.large'),
          userData: UserData.fromString('#!/bin/sh\necho shop'),
          securityGroupIds: ['sg-0123456789abcdef0'],
          detailedMonitoring: true,
          tags: { service: 'shop' },
        },
        slots: {
          blue: { image: ImageSource.fromAmiId(AMI_1) },
          green: {
            image: ImageSource.fromAmiId(AMI_2),
            capacity: { min: 1, max: 2 },
            instanceType: InstanceType.of('m7g.xlarge'),
            securityGroupIds: ['sg-0fedcba9876543210'],
          },
        },
      },
    );
    // WHEN
    const { json, text } = synthBlueGreen(props);
    // THEN the load balancer
    expect(text).toHaveResourceWithProperties(Lb, {
      name: 'shop',
      internal: false,
      enable_deletion_protection: true,
      idle_timeout: 120,
      subnets: ['subnet-0aaaaaaaaaaaaaaa0', 'subnet-0aaaaaaaaaaaaaaa1'],
      access_logs: { bucket: 'shop-alb-logs', prefix: 'prod', enabled: true },
    });
    expect(text).toHaveResourceWithProperties(LbListener, {
      port: 443,
      protocol: 'HTTPS',
      certificate_arn: CERT,
      ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    });
    expect(text).toHaveResourceWithProperties(LbListener, {
      port: 80,
      protocol: 'HTTP',
      default_action: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } }],
    });
    const https = resource(json, 'aws_lb_listener', 'Web_Listener');
    expect(https.default_action[0].forward.target_group.map((t: Json) => t.weight)).toEqual([95, 5]);
    for (const port of [80, 443]) {
      expect(text).toHaveResourceWithProperties(SecurityGroupRule, {
        type: 'ingress',
        from_port: port,
        to_port: port,
        cidr_blocks: ['10.0.0.0/8', '192.168.0.0/16'],
      });
    }
    expect(text).toHaveResourceWithProperties(SecurityGroupRule, {
      type: 'egress',
      protocol: '-1',
      cidr_blocks: ['0.0.0.0/0'],
    });
    expect(text).toHaveResourceWithProperties(SecurityGroupRule, { type: 'ingress', from_port: 8080, to_port: 8080 });
    // target groups
    expect(text).toHaveResourceWithProperties(LbTargetGroup, {
      name: 'shop-green',
      port: 8080,
      deregistration_delay: '10',
      health_check: {
        enabled: true,
        protocol: 'HTTP',
        port: 'traffic-port',
        path: '/health',
        matcher: '200-299',
        healthy_threshold: 3,
        unhealthy_threshold: 2,
        interval: 10,
        timeout: 4,
      },
    });
    // per-slot settings over fleet settings
    const blueLt = resource(json, 'aws_launch_template', 'Blue');
    const greenLt = resource(json, 'aws_launch_template', 'Green');
    expect(blueLt.instance_type).toBe('m7g.large');
    expect(greenLt.instance_type).toBe('m7g.xlarge');
    expect(greenLt.user_data).toBe(blueLt.user_data);
    expect(blueLt.network_interfaces[0].security_groups).toEqual([
      expect.stringContaining('InstanceSecurityGroup'),
      'sg-0123456789abcdef0',
    ]);
    expect(greenLt.network_interfaces[0].security_groups).toEqual([
      expect.stringContaining('InstanceSecurityGroup'),
      'sg-0123456789abcdef0',
      'sg-0fedcba9876543210',
    ]);
    expect(blueLt.monitoring).toEqual({ enabled: true });
    expect(blueLt.tag_specifications[0]).toEqual({ resource_type: 'instance', tags: { service: 'shop' } });
    // capacity, scaling and the desired capacity that scaling owns
    const blueAsg = resource(json, 'aws_autoscaling_group', 'Blue');
    const l = `local.${Object.keys(json.locals)[0]}`;
    const required = (slot: string, other: string) => `ceil(((${l}.${slot}.weight * ${l}.${other}.running) / 100))`;
    expect(blueAsg).toMatchObject({
      min_size: `\${max(3, ${required('blue', 'green')})}`,
      max_size: 9,
      desired_capacity: `\${max(4, ${required('blue', 'green')})}`,
      min_elb_capacity: expect.stringContaining(`? max(4, ${required('blue', 'green')}) : 0}`),
      health_check_grace_period: 60,
      wait_for_capacity_timeout: '15m',
    });
    // blue is active and pinned: the operational ignores first, then its definition
    expect(blueAsg.lifecycle.ignore_changes.slice(0, 3)).toEqual([
      'desired_capacity',
      'min_elb_capacity',
      'availability_zone_distribution',
    ]);
    expect(resource(json, 'aws_autoscaling_group', 'Green').lifecycle.ignore_changes).toEqual([
      'desired_capacity',
      'min_elb_capacity',
    ]);
    expect(resource(json, 'aws_autoscaling_group', 'Green')).toMatchObject({
      min_size: `\${max(1, ${required('green', 'blue')})}`,
      max_size: 2,
      min_elb_capacity: expect.stringContaining(`? max(1, ${required('green', 'blue')}) : 0}`),
    });
    expect(Object.keys(json.resource.aws_autoscaling_policy)).toHaveLength(2);
    expect(resource(json, 'aws_autoscaling_policy', 'Green').name).toBe(
      `${resource(json, 'aws_autoscaling_group', 'Green').name}-cpu-target-tracking`,
    );
    expect(text).toHaveResourceWithProperties(AutoscalingPolicy, {
      name: `${blueAsg.name}-cpu-target-tracking`,
      policy_type: 'TargetTrackingScaling',
      target_tracking_configuration: {
        target_value: 60,
        predefined_metric_specification: { predefined_metric_type: 'ASGAverageCPUUtilization' },
      },
      lifecycle: { create_before_destroy: true },
    });
    expect(json.output.shop_alb_dns_name).toBeDefined();
  });

  test('requests-per-target scaling is labelled with the ALB and target group and waits for the listener', () => {
    const { json } = synthBlueGreen(
      fromRelease({ blue: AMI_1, green: null, active: 'blue' }, { scaling: FleetScaling.requestsPerTarget(500) }),
    );
    const policy = resource(json, 'aws_autoscaling_policy', 'Blue');
    expect(policy.target_tracking_configuration.predefined_metric_specification).toEqual({
      predefined_metric_type: 'ALBRequestCountPerTarget',
      resource_label: expect.stringMatching(
        /^\$\{aws_lb\.Web_LoadBalancer_[0-9A-F]+\.arn_suffix\}\/\$\{aws_lb_target_group\.Web_Blue_TargetGroup_[0-9A-F]+\.arn_suffix\}$/,
      ),
    });
    expect(policy.depends_on).toEqual([expect.stringMatching(/^aws_lb_listener\.Web_Listener_[0-9A-F]+$/)]);
  });

  test("attribute-based instance types go through the group's mixed instances policy", () => {
    const { json } = synthBlueGreen(
      fromRelease(
        { blue: AMI_1, green: null, active: 'blue' },
        {
          server: {
            instanceType: InstanceType.fromRequirements({
              vcpuCount: { min: 2, max: 8 },
              memoryMiB: { min: 4096 },
              cpuManufacturers: ['amazon-web-services'],
            }),
          },
        },
      ),
    );
    const asg = resource(json, 'aws_autoscaling_group', 'Blue');
    expect(asg.launch_template).toBeUndefined();
    expect(asg.mixed_instances_policy.launch_template.override).toEqual([
      {
        instance_requirements: {
          vcpu_count: { min: 2, max: 8 },
          memory_mib: { min: 4096 },
          cpu_manufacturers: ['amazon-web-services'],
          burstable_performance: 'excluded',
        },
      },
    ]);
  });

  test('an existing listener gets a weighted listener rule; no load balancer is created', () => {
    const { json, text } = synthBlueGreen(
      fromRelease(
        { blue: AMI_1, green: AMI_2, active: 'green', canary: 20 },
        {
          loadBalancer: FleetLoadBalancer.fromListener({
            listenerArn: LISTENER,
            securityGroupId: 'sg-0123456789abcdef0',
            priority: 100,
            pathPatterns: ['/shop/*'],
            hostHeaders: ['shop.example.com'],
            dnsName: 'shared-123.eu-west-1.elb.amazonaws.com',
          }),
          scaling: FleetScaling.requestsPerTarget(100),
        },
      ),
    );
    expect(json.resource.aws_lb).toBeUndefined();
    expect(json.resource.aws_lb_listener).toBeUndefined();
    expect(text).toHaveResourceWithProperties(LbListenerRule, {
      listener_arn: LISTENER,
      priority: 100,
      condition: [{ path_pattern: { values: ['/shop/*'] } }, { host_header: { values: ['shop.example.com'] } }],
    });
    const rule = resource(json, 'aws_lb_listener_rule', 'ListenerRule');
    expect(rule.action[0].forward.target_group.map((t: Json) => t.weight)).toEqual([20, 80]);
    // the three traffic guards, one capacity guard per slot that carries weight, and the
    // pinned active slot's image guard
    expect(rule.lifecycle.precondition).toHaveLength(6);
    expect(rule.depends_on).toEqual([
      expect.stringContaining('Web_Blue_AutoScalingGroup'),
      expect.stringContaining('Web_Green_AutoScalingGroup'),
    ]);
    expect(text).toHaveResourceWithProperties(SecurityGroupRule, {
      type: 'ingress',
      source_security_group_id: 'sg-0123456789abcdef0',
      from_port: 80,
    });
    expect(json.output.web_alb_dns_name.value).toBe('shared-123.eu-west-1.elb.amazonaws.com');
    expect(
      resource(json, 'aws_autoscaling_policy', 'Green').target_tracking_configuration.predefined_metric_specification
        .resource_label,
    ).toMatch(/^app\/shared\/50dc6c495c0c9188\/\$\{aws_lb_target_group\..+\.arn_suffix\}$/);
  });

  test('a supplied instance profile is used by both slots and no IAM resource is created', () => {
    const { json } = synthBlueGreen(
      fromRelease(
        { blue: AMI_1, green: AMI_2, active: 'blue' },
        { server: { instanceProfile: InstanceProfile.fromName('shop') } },
      ),
    );
    expect(json.resource.aws_iam_role).toBeUndefined();
    expect(resource(json, 'aws_launch_template', 'Green').iam_instance_profile).toEqual({ name: 'shop' });
  });

  test('the default name is <stack>-<id> in lowercase, and long names stay within AWS limits', () => {
    const stack = newStack('Prod');
    new BlueGreenFleet(stack, 'Web', { ...fromRelease({ blue: AMI_1, green: null, active: 'blue' }), name: undefined });
    const json = synthJson(stack);
    expect(resource(json, 'aws_lb_target_group', 'Blue').name).toBe('prod-web-blue');
    expect(resource(json, 'aws_lb', 'LoadBalancer').name).toBe('prod-web');

    const long = synthBlueGreen(
      fromRelease({ blue: AMI_1, green: null, active: 'blue' }, { name: 'a-very-long-service-name-that-is-over-32' }),
    ).json;
    for (const tg of Object.values(long.resource.aws_lb_target_group) as Json[]) {
      expect(tg.name.length).toBeLessThanOrEqual(32);
    }
    expect(resource(long, 'aws_lb_target_group', 'Green').name).toMatch(/-green$/);
    expect(resource(long, 'aws_lb', 'LoadBalancer').name.length).toBeLessThanOrEqual(32);
  });

  describe('validation', () => {
    const build = (props: BlueGreenFleetProps) => () => synthBlueGreen(props);
    const release = { blue: AMI_1, green: AMI_2, active: 'blue' as const };

    test('min > max', () => {
      expect(build(fromRelease(release, { capacity: { min: 3, max: 2 } }))).toThrow(
        'BlueGreenFleet prod/Web: capacity.min (3) must be <= capacity.max (2); lower min or raise max.',
      );
    });
    test('slot min > max', () => {
      expect(build(fromRelease(release, { slots: { blue: {}, green: { capacity: { min: 5, max: 1 } } } }))).toThrow(
        /slots.green.capacity.min \(5\) must be <= slots.green.capacity.max \(1\)/,
      );
    });
    test('desired above max and below min', () => {
      expect(build(fromRelease(release, { capacity: { min: 1, max: 4, desired: 5 } }))).toThrow(
        /capacity.desired \(5\) must be <= capacity.max \(4\); lower desired or raise max/,
      );
      expect(build(fromRelease(release, { capacity: { min: 2, max: 4, desired: 1 } }))).toThrow(
        /capacity.desired \(1\) must be >= capacity.min \(2\); raise desired or lower min/,
      );
    });
    test('capacity not a whole number', () => {
      expect(build(fromRelease(release, { capacity: { min: 1.5, max: 4 } }))).toThrow(
        /capacity.min \(1.5\) must be an integer from 0 to 10000/,
      );
      expect(build(fromRelease(release, { capacity: { min: -1, max: 4 } }))).toThrow(
        /capacity.min \(-1\) must be an integer/,
      );
    });
    test.each([101, -1, 2.5])('canary %p outside 0..100', (canary) => {
      // checked once, where it enters: the fleet (trafficWeights takes checked values)
      expect(build(fromRelease({ ...release, canary }))).toThrow(
        `BlueGreenFleet prod/Web: canaryPercent (${canary}) must be an integer from 0 to 100.`,
      );
    });
    test("errors are ValidationErrors whose source is the fleet's path", () => {
      try {
        synthBlueGreen(fromRelease({ ...release, canary: 101 }));
        throw new Error('expected a ValidationError');
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError);
        expect((e as ValidationError).source).toBe('prod/Web');
      }
    });
    test('canary with an empty idle slot', () => {
      expect(build(fromRelease({ blue: AMI_1, green: null, active: 'blue', canary: 10 }))).toThrow(
        'BlueGreenFleet prod/Web: slots.green.image is not set, but canaryPercent (10) sends it traffic. Stage an image in slots.green first, or set canaryPercent to 0.',
      );
    });
    test('active slot with no image', () => {
      expect(build(fromRelease({ blue: AMI_1, green: null, active: 'green' }))).toThrow(
        'BlueGreenFleet prod/Web: slots.green.image is not set, but it is the active slot (active: "green"). Stage an image in slots.green first, or make "blue" active.',
      );
    });
    test('active slot with no capacity', () => {
      expect(build(fromRelease(release, { slots: { blue: { capacity: { min: 0, max: 0 } }, green: {} } }))).toThrow(
        /slots.blue.capacity.min \(0\) must be >= 1 because it is the active slot/,
      );
      expect(build(fromRelease({ ...release, canary: 10 }, { capacity: { min: 0, max: 2 } }))).toThrow(
        /capacity.min \(0\) must be >= 1 because it is the active slot/,
      );
    });
    test('canary slot with no capacity', () => {
      expect(
        build(
          fromRelease({ ...release, canary: 10 }, { slots: { blue: {}, green: { capacity: { min: 0, max: 2 } } } }),
        ),
      ).toThrow(/slots.green.capacity.min \(0\) must be >= 1 because canaryPercent \(10\) sends it traffic/);
    });
    test('an idle slot may be parked at zero capacity', () => {
      expect(
        build(fromRelease(release, { slots: { blue: {}, green: { capacity: { min: 0, max: 0 } } } })),
      ).not.toThrow();
    });
    test('active is not a slot', () => {
      expect(build({ ...fromRelease(release), active: 'red' as 'blue' })).toThrow(
        'BlueGreenFleet prod/Web: active ("red") must be "blue" or "green".',
      );
    });
    test('a slot is missing', () => {
      expect(build({ ...fromRelease(release), slots: { blue: {} } as BlueGreenFleetProps['slots'] })).toThrow(
        /slots \(\["blue"\]\) must have a blue and a green entry; use \{\} for an empty slot/,
      );
    });
    test('no subnets', () => {
      expect(build(fromRelease(release, { subnetIds: [] }))).toThrow(
        'BlueGreenFleet prod/Web: subnetIds ([]) must list at least one value; give the private subnets the instances run in.',
      );
    });
    test('one subnet for the instances and the created load balancer', () => {
      expect(build(fromRelease(release, { subnetIds: [SUBNETS[0]] }))).toThrow(
        /subnetIds \(\["subnet-0123456789abcdef0"\]\) has one subnet, but the load balancer created in the same subnets needs two/,
      );
      expect(
        build(
          fromRelease(release, {
            subnetIds: [SUBNETS[0]],
            loadBalancer: FleetLoadBalancer.create({ subnetIds: SUBNETS }),
          }),
        ),
      ).not.toThrow();
    });
    test('malformed subnet and VPC ids', () => {
      expect(build(fromRelease(release, { subnetIds: ['subnet-1', SUBNETS[1]] }))).toThrow(
        /subnetIds\[0\] \("subnet-1"\) must be a subnet id such as subnet-0123456789abcdef0/,
      );
      expect(build(fromRelease(release, { subnetIds: [SUBNETS[0], SUBNETS[0]] }))).toThrow(
        /subnetIds\[1\] \("subnet-0123456789abcdef0"\) is listed twice/,
      );
      expect(build(fromRelease(release, { vpcId: 'vpc1' }))).toThrow(
        /vpcId \("vpc1"\) must be a VPC id such as vpc-0123456789abcdef0/,
      );
    });
    test('health-check path not starting with "/"', () => {
      expect(build(fromRelease(release, { healthCheck: { path: 'health' } }))).toThrow(
        'BlueGreenFleet prod/Web: healthCheck.path ("health") must start with "/" and be at most 1024 characters, e.g. "/health".',
      );
    });
    test('health-check matcher, thresholds, interval, timeout, grace, gate', () => {
      expect(build(fromRelease(release, { healthCheck: { matcher: 'ok' } }))).toThrow(
        /healthCheck.matcher \("ok"\) must be HTTP codes from 200 to 499/,
      );
      expect(build(fromRelease(release, { healthCheck: { matcher: '500' } }))).toThrow(/healthCheck.matcher \("500"\)/);
      expect(build(fromRelease(release, { healthCheck: { healthyThreshold: 1 } }))).toThrow(
        /healthCheck.healthyThreshold \(1\) must be an integer from 2 to 10/,
      );
      expect(build(fromRelease(release, { healthCheck: { unhealthyThreshold: 11 } }))).toThrow(
        /healthCheck.unhealthyThreshold \(11\) must be an integer from 2 to 10/,
      );
      expect(build(fromRelease(release, { healthCheck: { intervalSeconds: 4 } }))).toThrow(
        /healthCheck.intervalSeconds \(4\) must be an integer from 5 to 300/,
      );
      expect(build(fromRelease(release, { healthCheck: { intervalSeconds: 10, timeoutSeconds: 10 } }))).toThrow(
        /healthCheck.timeoutSeconds \(10\) must be less than healthCheck.intervalSeconds \(10\)/,
      );
      expect(build(fromRelease(release, { healthCheck: { gracePeriodSeconds: -5 } }))).toThrow(
        /healthCheck.gracePeriodSeconds \(-5\) must be an integer from 0 to 7200/,
      );
      expect(build(fromRelease(release, { healthCheck: { gateTimeout: '0' } }))).toThrow(
        /healthCheck.gateTimeout \("0"\) must be a positive duration such as "10m"/,
      );
    });
    test.each([0, 65536, 80.5])('bad port %p', (port) => {
      expect(build(fromRelease(release, { port }))).toThrow(
        new RegExp(`port \\(${port}\\) must be an integer from 1 to 65535`),
      );
    });
    test('deregistration delay', () => {
      expect(build(fromRelease(release, { deregistrationDelaySeconds: 3601 }))).toThrow(
        /deregistrationDelaySeconds \(3601\) must be an integer from 0 to 3600/,
      );
    });
    test('names', () => {
      expect(build(fromRelease(release, { name: 'web_shop' }))).toThrow(
        /name \("web_shop"\) must be letters, digits and hyphens/,
      );
      expect(build(fromRelease(release, { name: 'internal-web' }))).toThrow(
        /name \("internal-web"\) must not start with "internal-"/,
      );
      const stack = newStack('prod');
      const name = new TerraformVariable(stack, 'name', { type: 'string' }).stringValue;
      expect(() => new BlueGreenFleet(stack, 'Web', fromRelease(release, { name }))).toThrow(
        /name \(.+\) is a token; pass a literal/,
      );
    });
    test('a security group given to the fleet and to a slot', () => {
      expect(
        build(
          fromRelease(release, {
            server: { securityGroupIds: ['sg-01234567'] },
            slots: { blue: {}, green: { securityGroupIds: ['sg-01234567'] } },
          }),
        ),
      ).toThrow(/server.securityGroupIds \+ slots.green.securityGroupIds\[1\] \("sg-01234567"\) is listed twice/);
    });
    test('server settings are validated with their prop path', () => {
      expect(build(fromRelease(release, { server: { securityGroupIds: ['sg-x'] } }))).toThrow(
        /server.securityGroupIds\[0\] \("sg-x"\) must be a security group id/,
      );
      expect(
        build(fromRelease(release, { slots: { blue: {}, green: { metadataOptions: { hopLimit: 99 } } } })),
      ).toThrow(/slots.green.metadataOptions.hopLimit \(99\) must be an integer from 1 to 64/);
    });
    test('fleet and slot server settings are each reported where they enter, with their prefix', () => {
      expect(build(fromRelease(release, { server: { keyName: '' } }))).toThrow(
        'BlueGreenFleet prod/Web: server.keyName ("") must be 1 to 255 printable ASCII characters.',
      );
      expect(
        build(fromRelease(release, { slots: { blue: { securityGroupIds: ['sg-0123456789ABCDEF0'] }, green: {} } })),
      ).toThrow(
        'BlueGreenFleet prod/Web: slots.blue.securityGroupIds[0] ("sg-0123456789ABCDEF0") must be a security group id such as sg-0123456789abcdef0.',
      );
      expect(build(fromRelease(release, { slots: { blue: { tags: { 'aws:owner': 'me' } }, green: {} } }))).toThrow(
        'BlueGreenFleet prod/Web: slots.blue.tags key ("aws:owner") must be 1 to 128 characters and must not start with "aws:" (reserved by AWS).',
      );
    });
    test("a slot's settings are checked even when the slot is empty (they enter with the props)", () => {
      expect(
        build(
          fromRelease(
            { blue: AMI_1, green: null, active: 'blue' },
            { slots: { blue: {}, green: { metadataOptions: { hopLimit: 0 } } } },
          ),
        ),
      ).toThrow(/slots.green.metadataOptions.hopLimit \(0\) must be an integer from 1 to 64/);
    });
  });

  test('tokens are not validated', () => {
    // GIVEN every validated input as a Terraform variable
    const stack = newStack('prod');
    const num = (n: string) => new TerraformVariable(stack, n, { type: 'number' }).numberValue;
    const str = (n: string) => new TerraformVariable(stack, n, { type: 'string' }).stringValue;
    const list = (n: string) => new TerraformVariable(stack, n, { type: 'list(string)' }).listValue;
    // WHEN
    const fleet = new BlueGreenFleet(stack, 'Web', {
      name: 'web',
      vpcId: str('vpc'),
      subnetIds: list('subnets'),
      port: num('port'),
      deregistrationDelaySeconds: num('delay'),
      capacity: { min: num('min'), max: num('max'), desired: num('desired') },
      healthCheck: {
        path: str('path'),
        matcher: str('matcher'),
        intervalSeconds: num('interval'),
        timeoutSeconds: num('timeout'),
        gateTimeout: str('gate'),
      },
      loadBalancer: FleetLoadBalancer.create({ certificateArn: str('cert'), ingressCidrs: list('cidrs') }),
      slots: { blue: { image: ImageSource.fromAmiId(str('ami')) }, green: {} },
      active: 'blue',
      canaryPercent: num('canary'),
    });
    // THEN synth works, and the weights are Terraform expressions the preconditions check
    const json = synthJson(stack);
    const listener = resource(json, 'aws_lb_listener', 'Listener');
    expect(listener.default_action[0].forward.target_group.map((t: Json) => t.weight)).toEqual([
      '${(100 - var.canary)}',
      '${var.canary}',
    ]);
    expect(Object.values(json.locals)[0]).toMatchObject({
      green: { weight: '${var.canary}', image_id: '', min_size: 0 },
    });
    expect(fleet.slots.blue.generation!.isResolved).toBe(false);
    const l = `local.${Object.keys(json.locals)[0]}`;
    const required = `ceil(((${l}.blue.weight * ${l}.green.running) / 100))`;
    expect(resource(json, 'aws_autoscaling_group', 'Blue')).toMatchObject({
      min_size: `\${max(var.min, ${required})}`,
      max_size: '${var.max}',
      desired_capacity: `\${max(var.desired, ${required})}`,
    });
  });
});
