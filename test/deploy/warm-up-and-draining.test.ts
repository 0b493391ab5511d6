import 'cdktf/lib/testing/adapters/jest';
import { TerraformVariable } from 'cdktf';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { BlueGreenFleet, BlueGreenFleetProps, InstanceType, LifecycleHook, ReplaceFleet, ImageSource } from '../../lib';
import { ValidationError } from '../../lib/private/validation';
import { address, compare, fromRelease, resource, synthBlueGreen, synthReplace } from './fleet-helpers';
import { AMI_1, AMI_2, newStack, SUBNETS, synthJson, VPC } from '../support/synth';

// Draining and warm-up: target group deregistration delay and slow start, the group's
// instance warm-up, lifecycle hooks declared on the group and warm pools, for the
// fleet and per blue/green slot.

const live = { blue: AMI_1, green: AMI_2, active: 'blue' as const };
const synth = (extra: Partial<BlueGreenFleetProps> = {}) => synthBlueGreen(fromRelease(live, extra));
const HOOK: LifecycleHook = { name: 'warm-caches', transition: 'launching' };
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:hooks';
const ROLE = 'arn:aws:iam::123456789012:role/asg-hooks';

describe('warm-up and draining', () => {
  test('defaults: a 30 s deregistration delay, no slow start, warm-up, hooks or warm pool', () => {
    const { json, text } = synth();
    for (const slot of ['Blue', 'Green'] as const) {
      const targetGroup = resource(json, 'aws_lb_target_group', slot);
      expect(targetGroup.deregistration_delay).toBe('30');
      expect(targetGroup.slow_start).toBeUndefined();
      const group = resource(json, 'aws_autoscaling_group', slot);
      for (const attribute of ['default_instance_warmup', 'initial_lifecycle_hook', 'warm_pool']) {
        expect(group[attribute]).toBeUndefined();
      }
    }
    expect(text).toHaveResourceWithProperties(AutoscalingGroup, { health_check_grace_period: 120 });
  });

  test('all properties: fleet settings, and a slot that overrides each of them', () => {
    // GIVEN fleet-wide settings, and green overriding every one
    const { json } = synth({
      deregistrationDelaySeconds: 120,
      slowStartSeconds: 60,
      instanceWarmupSeconds: 90,
      lifecycleHooks: [HOOK],
      warmPool: { minSize: 1, maxGroupPreparedCapacity: 4, poolState: 'Running', reuseOnScaleIn: true },
      slots: {
        blue: {},
        green: {
          deregistrationDelaySeconds: 5,
          slowStartSeconds: 0,
          instanceWarmupSeconds: 30,
          lifecycleHooks: [
            {
              name: 'drain',
              transition: 'terminating',
              heartbeatTimeoutSeconds: 300,
              defaultResult: 'CONTINUE',
              notificationTargetArn: TOPIC,
              roleArn: ROLE,
              notificationMetadata: '{"service":"web"}',
            },
          ],
          warmPool: { poolState: 'Hibernated' },
        },
      },
    });
    // THEN blue has the fleet's settings
    expect(resource(json, 'aws_lb_target_group', 'Blue')).toMatchObject({
      deregistration_delay: '120',
      slow_start: 60,
    });
    expect(resource(json, 'aws_autoscaling_group', 'Blue')).toMatchObject({
      default_instance_warmup: 90,
      initial_lifecycle_hook: [
        {
          name: 'warm-caches',
          lifecycle_transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
          heartbeat_timeout: 3600,
          default_result: 'ABANDON',
        },
      ],
      warm_pool: {
        min_size: 1,
        max_group_prepared_capacity: 4,
        pool_state: 'Running',
        instance_reuse_policy: { reuse_on_scale_in: true },
      },
    });
    // and green its own, field by field (slow start 0 = off: not written)
    const greenTargetGroup = resource(json, 'aws_lb_target_group', 'Green');
    expect(greenTargetGroup.deregistration_delay).toBe('5');
    expect(greenTargetGroup.slow_start).toBeUndefined();
    expect(resource(json, 'aws_autoscaling_group', 'Green')).toMatchObject({
      default_instance_warmup: 30,
      initial_lifecycle_hook: [
        {
          name: 'drain',
          lifecycle_transition: 'autoscaling:EC2_INSTANCE_TERMINATING',
          heartbeat_timeout: 300,
          default_result: 'CONTINUE',
          notification_target_arn: TOPIC,
          role_arn: ROLE,
          notification_metadata: '{"service":"web"}',
        },
      ],
      warm_pool: { min_size: 0, pool_state: 'Hibernated' },
    });
    expect(resource(json, 'aws_autoscaling_group', 'Green').warm_pool.instance_reuse_policy).toBeUndefined();
  });

  test('a replace fleet takes the same settings', () => {
    const { text } = synthReplace({
      deregistrationDelaySeconds: 10,
      slowStartSeconds: 30,
      instanceWarmupSeconds: 60,
      lifecycleHooks: [HOOK],
      warmPool: { minSize: 2 },
    });
    expect(text).toHaveResourceWithProperties(LbTargetGroup, {
      name: 'api',
      deregistration_delay: '10',
      slow_start: 30,
    });
    expect(text).toHaveResourceWithProperties(AutoscalingGroup, {
      default_instance_warmup: 60,
      initial_lifecycle_hook: [expect.objectContaining({ name: 'warm-caches' })],
      warm_pool: { min_size: 2, pool_state: 'Stopped' },
    });
  });

  test('draining, warm-up, warm pool and grace period change in place; no generation changes', () => {
    // GIVEN both slots running
    const before = synth().json;
    // WHEN every operational setting changes
    const after = synth({
      deregistrationDelaySeconds: 300,
      slowStartSeconds: 120,
      instanceWarmupSeconds: 45,
      warmPool: { minSize: 1 },
      healthCheck: { gracePeriodSeconds: 600 },
    }).json;
    // THEN nothing is created or destroyed, every name is kept, the launch templates are untouched
    const diff = compare(before, after);
    expect(diff).toMatchObject({ created: [], destroyed: [] });
    for (const slot of ['Blue', 'Green'] as const) {
      expect(resource(after, 'aws_autoscaling_group', slot).name).toBe(
        resource(before, 'aws_autoscaling_group', slot).name,
      );
      expect(diff.unchanged).toContain(address(after, 'aws_launch_template', slot));
    }
    expect(diff.changed.sort()).toEqual(
      [
        address(after, 'aws_autoscaling_group', 'Blue'),
        address(after, 'aws_autoscaling_group', 'Green'),
        address(after, 'aws_lb_target_group', 'Blue'),
        address(after, 'aws_lb_target_group', 'Green'),
      ].sort(),
    );
  });

  test('a lifecycle hook is part of the generation: adding one to a slot replaces that slot only', () => {
    const before = synth().json;
    const after = synth({ slots: { blue: {}, green: { lifecycleHooks: [HOOK] } } }).json;
    const diff = compare(before, after);
    expect(diff.changed.sort()).toEqual(
      [address(after, 'aws_autoscaling_group', 'Green'), address(after, 'aws_launch_template', 'Green')].sort(),
    );
    expect(resource(after, 'aws_autoscaling_group', 'Green').name).not.toBe(
      resource(before, 'aws_autoscaling_group', 'Green').name,
    );
    expect(resource(after, 'aws_autoscaling_group', 'Blue').name).toBe(
      resource(before, 'aws_autoscaling_group', 'Blue').name,
    );
  });

  test('slot warm-up settings never reach the launch template', () => {
    const plain = synth().json;
    const tuned = synth({
      slots: {
        blue: { slowStartSeconds: 60, instanceWarmupSeconds: 30, deregistrationDelaySeconds: 1, warmPool: {} },
        green: {},
      },
    }).json;
    expect(resource(tuned, 'aws_launch_template', 'Blue')).toEqual(resource(plain, 'aws_launch_template', 'Blue'));
  });

  describe('validation', () => {
    const build = (extra: Partial<BlueGreenFleetProps>) => () => synth(extra);

    test.each<[string, Partial<BlueGreenFleetProps>, string | RegExp]>([
      [
        'deregistration delay',
        { deregistrationDelaySeconds: 4000 },
        'BlueGreenFleet prod/Web: deregistrationDelaySeconds (4000) must be an integer from 0 to 3600.',
      ],
      [
        'slow start below 30',
        { slowStartSeconds: 10 },
        'BlueGreenFleet prod/Web: slowStartSeconds (10) must be 0 (off) or an integer from 30 to 900, e.g. 60.',
      ],
      [
        'slow start above 900',
        { slowStartSeconds: 901 },
        /slowStartSeconds \(901\) must be 0 \(off\) or an integer from 30 to 900/,
      ],
      [
        'instance warm-up',
        { instanceWarmupSeconds: -1 },
        'BlueGreenFleet prod/Web: instanceWarmupSeconds (-1) must be an integer from 0 to 3600.',
      ],
      [
        'hook name',
        { lifecycleHooks: [{ name: 'warm caches', transition: 'launching' }] },
        'BlueGreenFleet prod/Web: lifecycleHooks[0].name ("warm caches") must be 1 to 255 letters, digits, "-", "_" or "/".',
      ],
      [
        'hook without a name',
        { lifecycleHooks: [{ transition: 'launching' } as LifecycleHook] },
        /lifecycleHooks\[0\]\.name is not set; give the hook a name such as "drain-connections"/,
      ],
      [
        'hook names repeat',
        { lifecycleHooks: [HOOK, { ...HOOK, transition: 'terminating' }] },
        /lifecycleHooks\[1\]\.name \("warm-caches"\) is used by another hook of the same group; give each hook its own name/,
      ],
      [
        'hook transition',
        { lifecycleHooks: [{ name: 'x', transition: 'launch' as 'launching' }] },
        /lifecycleHooks\[0\]\.transition \("launch"\) must be one of launching, terminating/,
      ],
      [
        'hook without a transition',
        { lifecycleHooks: [{ name: 'x' } as LifecycleHook] },
        /lifecycleHooks\[0\]\.transition is not set; use "launching" or "terminating"/,
      ],
      [
        'hook heartbeat',
        { lifecycleHooks: [{ ...HOOK, heartbeatTimeoutSeconds: 10 }] },
        /lifecycleHooks\[0\]\.heartbeatTimeoutSeconds \(10\) must be an integer from 30 to 7200/,
      ],
      [
        'hook default result',
        { lifecycleHooks: [{ ...HOOK, defaultResult: 'continue' as 'CONTINUE' }] },
        /lifecycleHooks\[0\]\.defaultResult \("continue"\) must be one of CONTINUE, ABANDON/,
      ],
      [
        'hook target ARN',
        { lifecycleHooks: [{ ...HOOK, notificationTargetArn: 'arn:aws:s3:::bucket', roleArn: ROLE }] },
        /lifecycleHooks\[0\]\.notificationTargetArn \("arn:aws:s3:::bucket"\) must be an SNS topic or SQS queue ARN/,
      ],
      [
        'hook role ARN',
        { lifecycleHooks: [{ ...HOOK, notificationTargetArn: TOPIC, roleArn: 'asg-hooks' }] },
        /lifecycleHooks\[0\]\.roleArn \("asg-hooks"\) must be an IAM role ARN/,
      ],
      [
        'hook target without role',
        { lifecycleHooks: [{ ...HOOK, notificationTargetArn: TOPIC }] },
        /lifecycleHooks\[0\]\.notificationTargetArn is set without lifecycleHooks\[0\]\.roleArn; Auto Scaling needs both to notify, so set both or neither/,
      ],
      [
        'hook role without target',
        { lifecycleHooks: [{ ...HOOK, roleArn: ROLE }] },
        /lifecycleHooks\[0\]\.roleArn is set without lifecycleHooks\[0\]\.notificationTargetArn/,
      ],
      [
        'hook metadata',
        { lifecycleHooks: [{ ...HOOK, notificationMetadata: 'x'.repeat(1024) }] },
        /lifecycleHooks\[0\]\.notificationMetadata is 1024 characters; at most 1023 are allowed/,
      ],
      [
        'warm pool min size',
        { warmPool: { minSize: -1 } },
        /warmPool\.minSize \(-1\) must be an integer from 0 to 10000/,
      ],
      [
        'warm pool prepared capacity',
        { warmPool: { maxGroupPreparedCapacity: -2 } },
        /warmPool\.maxGroupPreparedCapacity \(-2\) must be an integer from -1 to 10000; use -1 for the group's max size/,
      ],
      [
        'warm pool sizes',
        { warmPool: { minSize: 3, maxGroupPreparedCapacity: 2 } },
        /warmPool\.minSize \(3\) must be <= warmPool\.maxGroupPreparedCapacity \(2\); lower minSize or raise maxGroupPreparedCapacity/,
      ],
      [
        'warm pool state',
        { warmPool: { poolState: 'stopped' as 'Stopped' } },
        /warmPool\.poolState \("stopped"\) must be one of Stopped, Running, Hibernated/,
      ],
      [
        'warm pool with instance requirements',
        {
          warmPool: {},
          server: { instanceType: InstanceType.fromRequirements({ vcpuCount: { min: 2 }, memoryMiB: { min: 4096 } }) },
        },
        /warmPool is set, but the instances are chosen by InstanceType\.fromRequirements .* use InstanceType\.of\(\.\.\.\) or remove warmPool/,
      ],
    ])('%s', (_what, extra, message) => {
      expect(build(extra)).toThrow(ValidationError);
      expect(build(extra)).toThrow(message);
    });

    test("a slot's settings are named with the slot prefix", () => {
      expect(build({ slots: { blue: {}, green: { slowStartSeconds: 5 } } })).toThrow(
        'BlueGreenFleet prod/Web: slots.green.slowStartSeconds (5) must be 0 (off) or an integer from 30 to 900, e.g. 60.',
      );
      expect(
        build({ slots: { blue: { lifecycleHooks: [{ name: '', transition: 'launching' }] }, green: {} } }),
      ).toThrow(/slots\.blue\.lifecycleHooks\[0\]\.name \(""\) must be 1 to 255/);
      expect(build({ slots: { blue: {}, green: { deregistrationDelaySeconds: 1.5 } } })).toThrow(
        /slots\.green\.deregistrationDelaySeconds \(1\.5\) must be an integer from 0 to 3600/,
      );
    });

    test('a fleet warm pool with a slot that chooses instances by requirements is refused, naming the slot', () => {
      const requirements = InstanceType.fromRequirements({ vcpuCount: { min: 2 }, memoryMiB: { min: 4096 } });
      expect(build({ warmPool: { minSize: 1 }, slots: { blue: {}, green: { instanceType: requirements } } })).toThrow(
        /warmPool is set for the fleet, but slots\.green chooses its instances by InstanceType\.fromRequirements .* use InstanceType\.of\(\.\.\.\) in slots\.green or remove warmPool/,
      );
    });

    test('a replace fleet validates the same way', () => {
      expect(() => synthReplace({ slowStartSeconds: 1000 })).toThrow(
        'ReplaceFleet prod/Api: slowStartSeconds (1000) must be 0 (off) or an integer from 30 to 900, e.g. 60.',
      );
    });
  });

  test('tokens are not validated', () => {
    // GIVEN every new input as a Terraform variable
    const stack = newStack('prod');
    const num = (n: string) => new TerraformVariable(stack, n, { type: 'number' }).numberValue;
    const str = (n: string) => new TerraformVariable(stack, n, { type: 'string' }).stringValue;
    // WHEN
    new BlueGreenFleet(stack, 'Web', {
      name: 'web',
      vpcId: VPC,
      subnetIds: SUBNETS,
      slowStartSeconds: num('slow'),
      instanceWarmupSeconds: num('warmup'),
      lifecycleHooks: [
        {
          name: str('hook'),
          transition: 'launching',
          heartbeatTimeoutSeconds: num('heartbeat'),
          notificationTargetArn: str('topic'),
          roleArn: str('role'),
          notificationMetadata: str('meta'),
        },
      ],
      warmPool: { minSize: num('pool_min'), maxGroupPreparedCapacity: num('pool_max') },
      slots: { blue: { image: ImageSource.fromAmiId(AMI_1), deregistrationDelaySeconds: num('delay') }, green: {} },
      active: 'blue',
    });
    // THEN synth works and the tokens are written as expressions
    const json = synthJson(stack);
    expect(resource(json, 'aws_lb_target_group', 'Blue')).toMatchObject({
      deregistration_delay: '${var.delay}',
      slow_start: '${var.slow}',
    });
    expect(resource(json, 'aws_autoscaling_group', 'Blue')).toMatchObject({
      default_instance_warmup: '${var.warmup}',
      initial_lifecycle_hook: [
        {
          name: '${var.hook}',
          heartbeat_timeout: '${var.heartbeat}',
          notification_target_arn: '${var.topic}',
          role_arn: '${var.role}',
        },
      ],
      warm_pool: { min_size: '${var.pool_min}', max_group_prepared_capacity: '${var.pool_max}' },
    });
  });

  test('ReplaceFleet defaults keep the generation of a fleet without the new settings', () => {
    const plain = synthReplace().json;
    const tuned = synthReplace({ slowStartSeconds: 60, instanceWarmupSeconds: 30, warmPool: {} }).json;
    expect(resource(tuned, 'aws_autoscaling_group', 'AutoScalingGroup').name).toBe(
      resource(plain, 'aws_autoscaling_group', 'AutoScalingGroup').name,
    );
    expect(
      new ReplaceFleet(newStack('x'), 'Api', {
        vpcId: VPC,
        subnetIds: SUBNETS,
        image: ImageSource.fromAmiId(AMI_1),
      }).generation.hash,
    ).toMatch(/^[0-9a-f]{10}$/);
  });
});
