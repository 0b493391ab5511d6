import { App, TerraformStack } from 'cdktf';
import { Instance } from '@cdktf/provider-aws/lib/instance';
import { Ami } from '@cdktf/provider-aws/lib/ami';
import { bareReference } from '../../lib/immutability';
import { newStack, synthJson } from '../support/synth';

describe('bareReference', () => {
  test('renders a bare reference where cdktf renders "${aws_x.y}"', () => {
    const stack = newStack('s');
    const ami = new Ami(stack, 'base', { name: 'base' });
    new Instance(stack, 'ours', { ami: ami.id, lifecycle: { replaceTriggeredBy: [bareReference(ami, 'id')] } });
    new Instance(stack, 'cdktf', { ami: ami.id, lifecycle: { replaceTriggeredBy: [ami] } });
    const synth = synthJson(stack);
    expect(synth.resource.aws_instance.ours.lifecycle?.replace_triggered_by).toEqual(['aws_ami.base.id']);
    // the pitfall this helper exists for: Terraform rejects an interpolation here
    expect(synth.resource.aws_instance.cdktf.lifecycle?.replace_triggered_by).toEqual(['${aws_ami.base}']);
  });

  test('without an attribute, refers to the whole resource; honours overrideLogicalId', () => {
    const stack = newStack('s');
    const ami = new Ami(stack, 'base', { name: 'base' });
    const reference = bareReference(ami);
    ami.overrideLogicalId('renamed');
    new Instance(stack, 'i', { ami: 'ami-0123456789abcdef0', lifecycle: { replaceTriggeredBy: [reference] } });
    const synth = synthJson(stack);
    expect(synth.resource.aws_instance.i.lifecycle?.replace_triggered_by).toEqual(['aws_ami.renamed']);
  });

  test('rejects a malformed attribute', () => {
    const stack = newStack('s');
    const ami = new Ami(stack, 'base', { name: 'base' });
    expect(() => bareReference(ami, 'imageId')).toThrow(
      /attribute \("imageId"\) must be a Terraform attribute path in snake_case/,
    );
    expect(() => bareReference(ami, '${x}')).toThrow(/attribute/);
  });

  test('rejects a reference across stacks', () => {
    const app = new App();
    const a = new TerraformStack(app, 'a');
    const b = new TerraformStack(app, 'b');
    const ami = new Ami(a, 'base', { name: 'base' });
    const instance = new Instance(b, 'i', { ami: 'ami-0123456789abcdef0' });
    expect(() => bareReference(ami, 'id', instance)).toThrow(
      /^bareReference: resource \(a\/base\) is in another stack than b\/i; replace_triggered_by can only refer to resources of the same stack/,
    );
  });

  test('rejects what is not a managed resource', () => {
    expect(() => bareReference({} as never, 'id')).toThrow(/must be a managed Terraform resource/);
  });
});
