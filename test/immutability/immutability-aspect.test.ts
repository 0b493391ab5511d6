import { Aspects, Testing, TerraformStack, TerraformVariable } from 'cdktf';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { ImagebuilderComponent } from '@cdktf/provider-aws/lib/imagebuilder-component';
import { Container } from '@cdktf/provider-docker/lib/container';
import { Generation, generationName, ImmutabilityAspect, NameRule, ResourcePolicy } from '../../lib/immutability';
import { acknowledgementsOf, recordAcknowledgement } from '../../lib/private/acknowledgements';
import { ValidationError } from '../../lib/private/validation';
import { Json, newStack, synthJson } from '../support/synth';

/** A stack `stack` with the aspect enabled. */
function aspectStack(): TerraformStack {
  const stack = newStack('stack');
  ImmutabilityAspect.enable(stack);
  return stack;
}

/** The resources of the stack's synthesized JSON, by type. */
const resourcesOf = (stack: TerraformStack): Json => synthJson(stack).resource;

describe('ImmutabilityAspect', () => {
  test('sets create_before_destroy on immutable types and leaves mutable-by-design ones alone', () => {
    const stack = aspectStack();
    const generation = Generation.of(stack, { image: 'ami-0123456789abcdef0' });
    new LaunchTemplate(stack, 'lt', { namePrefix: 'web-' });
    new AutoscalingGroup(stack, 'asg', {
      name: generationName(NameRule.AUTOSCALING_GROUP, { base: 'web', generation }),
      minSize: 1,
      maxSize: 2,
    });
    new LbTargetGroup(stack, 'tg', { name: 'web-blue' });
    new LbListener(stack, 'listener', {
      loadBalancerArn: 'arn',
      defaultAction: [{ type: 'forward', targetGroupArn: 'arn' }],
    });
    const resources = resourcesOf(stack);
    expect(resources.aws_launch_template.lt.lifecycle).toEqual({ create_before_destroy: true });
    expect(resources.aws_autoscaling_group.asg.lifecycle).toEqual({ create_before_destroy: true });
    expect(resources.aws_lb_target_group.tg.lifecycle).toBeUndefined();
    expect(resources.aws_lb_listener.listener.lifecycle).toBeUndefined();
  });

  test('keeps the rest of an existing lifecycle', () => {
    const stack = aspectStack();
    new LaunchTemplate(stack, 'lt', { lifecycle: { ignoreChanges: ['tags'] } });
    expect(resourcesOf(stack).aws_launch_template.lt.lifecycle).toEqual({
      create_before_destroy: true,
      ignore_changes: ['tags'],
    });
  });

  test('is idempotent when enabled twice or added by hand too', () => {
    const stack = aspectStack();
    ImmutabilityAspect.enable(stack);
    Aspects.of(stack).add(new ImmutabilityAspect());
    new LaunchTemplate(stack, 'lt', {});
    expect(resourcesOf(stack).aws_launch_template.lt.lifecycle).toEqual({ create_before_destroy: true });
  });

  test('works on any scope, not only stacks built with the library', () => {
    const stack = newStack('plain');
    Aspects.of(stack).add(new ImmutabilityAspect());
    // the generation given as its hash: still a generation of this app
    const generation = Generation.of(stack, { image: 'nginx' }).hash;
    new Container(stack, 'c', {
      image: 'nginx',
      name: generationName(NameRule.DOCKER_TAG, { base: 'web', generation }),
    });
    expect(resourcesOf(stack).docker_container.c.lifecycle).toEqual({ create_before_destroy: true });
  });

  test('accepts a name from a generation of the same app only: two apps in one process do not share what they named', () => {
    // GIVEN a name built from a generation of one app
    const first = aspectStack();
    const generation = Generation.of(first, { image: 'ami-0123456789abcdef0' });
    const name = generationName(NameRule.LAUNCH_TEMPLATE, { base: 'web', generation });
    new LaunchTemplate(first, 'lt', { name });
    expect(resourcesOf(first).aws_launch_template.lt.lifecycle).toEqual({ create_before_destroy: true });
    // WHEN another app uses the same text as a fixed name, THEN it is a fixed name there
    const second = aspectStack();
    new LaunchTemplate(second, 'lt', { name });
    expect(() => Testing.synth(second)).toThrow(/aws_launch_template has a fixed name "web-[0-9a-f]{10}"/);
    // and a hash that is no generation (here a content hash) is a fixed name too
    const third = aspectStack();
    new LaunchTemplate(third, 'lt', {
      name: generationName(NameRule.LAUNCH_TEMPLATE, { base: 'web', generation: 'abcdef0123' }),
    });
    expect(() => Testing.synth(third)).toThrow(/aws_launch_template has a fixed name "web-abcdef0123"/);
  });

  test.each([
    [
      'a launch template',
      (s: TerraformStack) => new LaunchTemplate(s, 'fixed', { name: 'web' }),
      /^LaunchTemplate stack\/fixed: aws_launch_template has a fixed name "web".*name_prefix/,
    ],
    [
      'an ASG',
      (s: TerraformStack) => new AutoscalingGroup(s, 'fixed', { name: 'web', minSize: 1, maxSize: 1 }),
      /^AutoscalingGroup stack\/fixed: aws_autoscaling_group has a fixed name "web"/,
    ],
    [
      'a docker container',
      (s: TerraformStack) => new Container(s, 'fixed', { image: 'nginx', name: 'web' }),
      /^Container stack\/fixed: docker_container has a fixed name "web"/,
    ],
    [
      'an Image Builder component',
      (s: TerraformStack) =>
        new ImagebuilderComponent(s, 'fixed', { name: 'setup', version: '1.0.0', platform: 'Linux', data: 'x' }),
      /^ImagebuilderComponent stack\/fixed: aws_imagebuilder_component has a fixed name "setup", version "1.0.0"/,
    ],
  ])('rejects a fixed name on %s, naming the path and the fix', (_what, make, message) => {
    const stack = aspectStack();
    make(stack);
    expect(() => Testing.synth(stack)).toThrow(message);
    expect(() => Testing.synth(stack)).toThrow(/generationName/);
    expect(() => Testing.synth(stack)).toThrow(ValidationError);
  });

  test('rejects a fixed name given as a token (a variable does not change with the generation)', () => {
    const stack = aspectStack();
    const name = new TerraformVariable(stack, 'name', { type: 'string' });
    new LaunchTemplate(stack, 'lt', { name: name.stringValue });
    expect(() => Testing.synth(stack)).toThrow(
      /^LaunchTemplate stack\/lt: aws_launch_template has a fixed name \(a token/,
    );
  });

  test('accepts a component whose version comes from the generation', () => {
    const stack = aspectStack();
    const generation = Generation.of(stack, { data: 'x' });
    new ImagebuilderComponent(stack, 'c', {
      name: 'setup',
      version: generation.semanticVersion,
      platform: 'Linux',
      data: 'x',
    });
    expect(resourcesOf(stack).aws_imagebuilder_component.c.lifecycle).toEqual({ create_before_destroy: true });
  });

  test('accepts a fixed name explicitly allowed with a reason', () => {
    const stack = aspectStack();
    const lt = new LaunchTemplate(stack, 'lt', { name: 'bastion' });
    expect(() => ImmutabilityAspect.allowFixedName(lt, ' ')).toThrow(
      /^LaunchTemplate stack\/lt: ImmutabilityAspect.allowFixedName reason \(" "\) must say why this resource's fixed name cannot collide/,
    );
    ImmutabilityAspect.allowFixedName(lt, 'the bastion is never replaced while running');
    expect(resourcesOf(stack).aws_launch_template.lt.lifecycle).toEqual({ create_before_destroy: true });
    // the reason is kept in the resource's `//` metadata, where a reviewer of the output reads it
    expect((stack.toTerraform() as Json).resource.aws_launch_template.lt['//']).toMatchObject({
      'cdktf-immutable': { acknowledged: { 'allow-fixed-name': 'the bastion is never replaced while running' } },
    });
  });

  test('acknowledgements of every kind share one map on the resource; an id recorded again takes the new reason', () => {
    const stack = aspectStack();
    const lt = new LaunchTemplate(stack, 'lt', { name: 'bastion', lifecycle: { ignoreChanges: ['image_id'] } });
    ImmutabilityAspect.allowFixedName(lt, 'first reason, replaced below');
    recordAcknowledgement(lt, { id: 'imdsv1', reason: 'a legacy agent reads IMDSv1' });
    ImmutabilityAspect.acknowledgeLifecycle(lt, { id: 'ignore-changes', reason: 'the agent updates it; OPS-123' });
    ImmutabilityAspect.allowFixedName(lt, 'the bastion is never replaced while running');
    expect(acknowledgementsOf(lt)).toEqual([
      { id: 'allow-fixed-name', reason: 'the bastion is never replaced while running' },
      { id: 'imdsv1', reason: 'a legacy agent reads IMDSv1' },
      { id: 'ignore-changes', reason: 'the agent updates it; OPS-123' },
    ]);
    expect(() => Testing.synth(stack)).not.toThrow();
  });

  test('rejects createBeforeDestroy: false on an immutable type', () => {
    const stack = aspectStack();
    new LaunchTemplate(stack, 'lt', { lifecycle: { createBeforeDestroy: false } });
    expect(() => Testing.synth(stack)).toThrow(
      /^LaunchTemplate stack\/lt: lifecycle createBeforeDestroy is false, but aws_launch_template is immutable.*Remove createBeforeDestroy: false/,
    );
  });

  test('also sees a fixed name set through an override', () => {
    const stack = aspectStack();
    const lt = new LaunchTemplate(stack, 'lt', {});
    lt.addOverride('name', 'web');
    expect(() => Testing.synth(stack)).toThrow(/has a fixed name "web"/);
  });
});

describe('ResourcePolicy', () => {
  test('classifies the three kinds', () => {
    expect(ResourcePolicy.classify('aws_launch_template')).toBe('immutable');
    expect(ResourcePolicy.classify('aws_lb_listener')).toBe('mutable-by-design');
    expect(ResourcePolicy.classify('aws_vpc')).toBe('other');
  });

  test('no type is both immutable and mutable by design', () => {
    const mutable = Object.keys(ResourcePolicy.mutableByDesign());
    for (const rule of ResourcePolicy.immutableRules()) {
      expect(mutable).not.toContain(rule.type);
    }
  });

  test('operational attributes: ASG capacity yes, launch template image no', () => {
    expect(ResourcePolicy.isOperationalAttribute('aws_autoscaling_group', 'desired_capacity')).toBe(true);
    expect(ResourcePolicy.isOperationalAttribute('aws_autoscaling_group', 'tags_all.team')).toBe(true);
    expect(ResourcePolicy.isOperationalAttribute('aws_autoscaling_group', 'launch_template')).toBe(false);
    expect(ResourcePolicy.isOperationalAttribute('aws_launch_template', 'image_id')).toBe(false);
  });
});
