import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { TerraformStack } from 'cdktf';
import { BlueGreenFleet, ImageSource, ImmutabilityAspect } from '../../lib';
import { lifecycleFindings } from '../../lib/immutability/lifecycle-metadata';
import { ValidationError } from '../../lib/private/validation';
import { AMI_1, AMI_2, Json, newStack, SUBNETS, synthWithMetadata, VPC } from '../support/synth';

// The aspect refuses ignore_changes on immutable resources (beyond operational
// attributes) and a removed replace_triggered_by, unless acknowledged with a reason.

function aspectStack(): TerraformStack {
  const stack = newStack('stack');
  ImmutabilityAspect.enable(stack);
  return stack;
}

/** A blue/green fleet whose blue slot serves and green is staged (follows the code). */
function fleetStack(): { stack: TerraformStack; fleet: BlueGreenFleet } {
  const stack = newStack('prod');
  const fleet = new BlueGreenFleet(stack, 'Web', {
    name: 'web',
    vpcId: VPC,
    subnetIds: SUBNETS,
    slots: { blue: { image: ImageSource.fromAmiId(AMI_1) }, green: { image: ImageSource.fromAmiId(AMI_2) } },
    active: 'blue',
    stagedSlot: 'green',
  });
  return { stack, fleet };
}

function refusal(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error('expected synth to fail');
}

describe('ignore_changes on immutable resources', () => {
  test("addOverride('lifecycle.ignore_changes', 'all') on a slot's launch template fails synth, naming the fix", () => {
    const { stack, fleet } = fleetStack();
    fleet.slots.green.launchTemplate!.resource.addOverride('lifecycle.ignore_changes', 'all');
    expect(refusal(() => synthWithMetadata(stack))).toBe(
      'LaunchTemplate prod/Web/Green/LaunchTemplate/Resource: lifecycle ignore_changes (all) on an immutable ' +
        'aws_launch_template: Terraform would keep the old definition running while the code, its name and the ' +
        'in-use marks say another. Fix: remove the ignore_changes entry (a change of what runs must replace the ' +
        'resource; the blue/green fleet already pins its serving and rollback slots), or acknowledge it with ' +
        'ImmutabilityAspect.acknowledgeLifecycle(resource, { id: "ignore-changes", reason: "<why>" }).',
    );
  });

  test('a list naming a non-operational attribute is refused; operational ones pass', () => {
    const refused = aspectStack();
    new LaunchTemplate(refused, 'lt', { namePrefix: 'web-', lifecycle: { ignoreChanges: ['user_data', 'tags'] } });
    expect(refusal(() => synthWithMetadata(refused))).toMatch(/ignore_changes \(user_data\) on an immutable/);
    const passes = aspectStack();
    new AutoscalingGroup(passes, 'asg', {
      namePrefix: 'web-',
      minSize: 1,
      maxSize: 2,
      lifecycle: { ignoreChanges: ['desired_capacity', 'tags'] },
    });
    expect(synthWithMetadata(passes).resource.aws_autoscaling_group.asg.lifecycle.ignore_changes).toEqual([
      'desired_capacity',
      'tags',
    ]);
  });

  test('acknowledged with a reason it passes, and the reason is in the metadata', () => {
    const { stack, fleet } = fleetStack();
    const resource = fleet.slots.green.launchTemplate!.resource;
    resource.addOverride('lifecycle.ignore_changes', 'all');
    ImmutabilityAspect.acknowledgeLifecycle(resource, {
      id: 'ignore-changes',
      reason: 'an agent rewrites this template; tracked in OPS-123',
    });
    const json = synthWithMetadata(stack);
    const template = Object.entries(json.resource.aws_launch_template as Record<string, Json>).find(([name]) =>
      name.includes('_Green_'),
    )![1];
    expect(template.lifecycle.ignore_changes).toBe('all');
    expect(template['//']['cdktf-immutable'].acknowledged).toEqual({
      'ignore-changes': 'an agent rewrites this template; tracked in OPS-123',
    });
  });

  test('a mutable-by-design type may ignore what it likes (the published AMI id ignores its value)', () => {
    const stack = aspectStack();
    new SsmParameter(stack, 'p', { name: '/x', type: 'String', value: 'v', lifecycle: { ignoreChanges: ['value'] } });
    expect(() => synthWithMetadata(stack)).not.toThrow();
  });
});

describe('replace_triggered_by set by the library', () => {
  test("removing the group's trigger on its launch template fails synth (a lifecycle set by hand, or an override)", () => {
    const { stack, fleet } = fleetStack();
    fleet.slots.green.autoScalingGroup!.lifecycle = { ignoreChanges: ['min_elb_capacity'] };
    expect(refusal(() => synthWithMetadata(stack))).toMatch(
      /^AutoscalingGroup prod\/Web\/Green\/AutoScalingGroup: lifecycle replace_triggered_by lost aws_launch_template\.Web_Green_LaunchTemplate_[0-9A-F]+\.id, which the library set on this immutable aws_autoscaling_group: .* Fix: keep the replace_triggered_by entries the library set .*"replace-triggered-by-removed"/,
    );
  });

  test('an acknowledged removal passes', () => {
    const { stack, fleet } = fleetStack();
    const group = fleet.slots.green.autoScalingGroup!;
    group.addOverride('lifecycle.replace_triggered_by', null);
    ImmutabilityAspect.acknowledgeLifecycle(group, {
      id: 'replace-triggered-by-removed',
      reason: 'the template is replaced by a pipeline outside this stack',
    });
    const json = synthWithMetadata(stack);
    const synthesized = Object.entries(json.resource.aws_autoscaling_group as Record<string, Json>).find(([n]) =>
      n.includes('_Green_'),
    )![1];
    // the override removed it, and the acknowledgement is in the metadata
    expect(synthesized.lifecycle.replace_triggered_by).toBeNull();
    expect(synthesized['//']['cdktf-immutable'].acknowledged).toEqual({
      'replace-triggered-by-removed': 'the template is replaced by a pipeline outside this stack',
    });
  });

  test('the library records its triggers, so a removal can be seen in the synthesized JSON', () => {
    const { stack } = fleetStack();
    const json = synthWithMetadata(stack);
    const [name, group] = Object.entries(json.resource.aws_autoscaling_group as Record<string, Json>).find(([n]) =>
      n.includes('_Green_'),
    )!;
    expect(group['//']['cdktf-immutable'].triggers).toEqual(group.lifecycle.replace_triggered_by);
    expect(name).toMatch(/^Web_Green_AutoScalingGroup_/);
  });
});

describe('acknowledgeLifecycle validates where it enters', () => {
  test.each([
    [
      { id: 'everything', reason: 'because I said so' },
      /id \("everything"\) must be one of "ignore-changes", "replace-triggered-by-removed"/,
    ],
    [
      { id: 'ignore-changes', reason: 'short' },
      /reason for "ignore-changes" \("short"\) must say why, in at least 10 characters/,
    ],
  ])('%j is refused', (acknowledgement, message) => {
    const stack = aspectStack();
    const template = new LaunchTemplate(stack, 'lt', { namePrefix: 'web-' });
    expect(() => ImmutabilityAspect.acknowledgeLifecycle(template, acknowledgement as never)).toThrow(message);
  });
});

describe('lifecycleFindings (what the aspect and guard --config read)', () => {
  test('a pinned slot acknowledges its own ignore_changes; other types give nothing', () => {
    const pinned = {
      lifecycle: { ignore_changes: 'all' },
      '//': { 'cdktf-immutable': { pinned: { fleet: 'web', slot: 'blue', reason: 'serves the traffic' } } },
    };
    expect(lifecycleFindings('aws_launch_template', pinned)).toEqual([
      expect.objectContaining({
        id: 'ignore-changes',
        subjects: ['all'],
        acknowledgedBy: 'pinned blue slot: serves the traffic',
      }),
    ]);
    expect(lifecycleFindings('aws_lb_target_group', { lifecycle: { ignore_changes: ['port'] } })).toEqual([]);
    expect(lifecycleFindings('aws_launch_template', { lifecycle: { ignore_changes: ['tags'] } })).toEqual([]);
  });

  test('triggers written with or without ${ } are the same trigger', () => {
    const body = {
      lifecycle: { replace_triggered_by: ['${aws_launch_template.x.id}'] },
      '//': { 'cdktf-immutable': { triggers: ['aws_launch_template.x.id'] } },
    };
    expect(lifecycleFindings('aws_autoscaling_group', body)).toEqual([]);
  });
});
