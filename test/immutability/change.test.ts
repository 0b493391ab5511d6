import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { Generation, generationName, ImmutabilityAspect, NameRule } from '../../lib/immutability';
import { Json, newStack, synthJson } from '../support/synth';

interface ServerInputs {
  readonly imageId: string;
  readonly instanceType: string;
  readonly userData: string;
}

/** A small stack written with the foundation pieces only. */
function synthesize(server: ServerInputs, capacity: number): Json {
  const stack = newStack('web');
  ImmutabilityAspect.enable(stack);
  const generation = Generation.of(stack, server);
  const targetGroup = new LbTargetGroup(stack, 'tg', { name: 'web-blue', port: 80, protocol: 'HTTP', vpcId: 'vpc-1' });
  const template = new LaunchTemplate(stack, 'lt', {
    name: generationName(NameRule.LAUNCH_TEMPLATE, { base: 'web', slot: 'blue', generation }),
    imageId: server.imageId,
    instanceType: server.instanceType,
    userData: Buffer.from(server.userData).toString('base64'),
  });
  new AutoscalingGroup(stack, 'asg', {
    name: generationName(NameRule.AUTOSCALING_GROUP, { base: 'web', slot: 'blue', generation }),
    minSize: capacity,
    maxSize: capacity,
    launchTemplate: { id: template.id, version: template.latestVersion.toString() },
    targetGroupArns: [targetGroup.arn],
  });
  return synthJson(stack).resource;
}

const before: ServerInputs = {
  imageId: 'ami-0123456789abcdef0',
  instanceType: 't3.micro',
  userData: '#!/bin/sh\necho v1',
};

describe('synthesizing twice', () => {
  test('unchanged inputs give byte-identical output', () => {
    expect(JSON.stringify(synthesize(before, 2))).toBe(JSON.stringify(synthesize(before, 2)));
  });

  test.each([
    ['the image', { imageId: 'ami-0fedcba9876543210' }],
    ['the instance type', { instanceType: 't3.small' }],
    ['the user data', { userData: '#!/bin/sh\necho v2' }],
  ])(
    'a change of %s renames the launch template and ASG and leaves the target group byte-identical',
    (_what, change) => {
      const a = synthesize(before, 2);
      const b = synthesize({ ...before, ...change }, 2);
      // same Terraform addresses: the change is a replacement of the same logical resource
      expect(Object.keys(b.aws_launch_template)).toEqual(['lt']);
      expect(Object.keys(b.aws_autoscaling_group)).toEqual(['asg']);
      expect(b.aws_launch_template.lt.name).not.toBe(a.aws_launch_template.lt.name);
      expect(b.aws_autoscaling_group.asg.name).not.toBe(a.aws_autoscaling_group.asg.name);
      expect(String(b.aws_launch_template.lt.name)).toMatch(/^web-blue-[0-9a-f]{10}$/);
      expect(JSON.stringify(b.aws_lb_target_group)).toBe(JSON.stringify(a.aws_lb_target_group));
    },
  );

  test('a capacity change keeps every name: it is an in-place update', () => {
    const a = synthesize(before, 2);
    const b = synthesize(before, 4);
    expect(b.aws_launch_template).toEqual(a.aws_launch_template);
    expect(b.aws_autoscaling_group.asg.name).toBe(a.aws_autoscaling_group.asg.name);
    expect(b.aws_autoscaling_group.asg.min_size).toBe(4);
  });
});
