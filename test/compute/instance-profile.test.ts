import 'cdktf/lib/testing/adapters/jest';
import { Testing, TerraformVariable } from 'cdktf';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { InstanceProfile, SSM_MANAGED_INSTANCE_CORE } from '../../lib/compute';
import { ValidationError } from '../../lib/private/validation';
import { Json, newStack, synthJson } from '../support/synth';

describe('InstanceProfile', () => {
  test('defaults: an EC2 role with Session Manager access only', () => {
    // GIVEN
    const stack = newStack('prod');
    // WHEN
    new InstanceProfile(stack, 'web');
    // THEN
    const synth = Testing.synth(stack);
    expect(synth).toHaveResourceWithProperties(IamRole, {
      name_prefix: 'prod-web-',
      assume_role_policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    });
    expect(synth).toHaveResourceWithProperties(IamInstanceProfile, { name_prefix: 'prod-web-' });
    const json = JSON.parse(synth) as Json;
    expect(Object.values(json.resource.aws_iam_role_policy_attachment)).toEqual([
      { policy_arn: SSM_MANAGED_INSTANCE_CORE, role: expect.stringMatching(/^\$\{aws_iam_role\..+\.name\}$/) },
    ]);
    expect(json.resource.aws_iam_role_policy).toBeUndefined();
  });

  test('all properties', () => {
    const stack = newStack('prod');
    new InstanceProfile(stack, 'web', {
      managedPolicyArns: [SSM_MANAGED_INSTANCE_CORE, 'arn:aws:iam::123456789012:policy/web-read'],
      permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/boundary',
      namePrefix: 'web-instances',
    });
    const synth = Testing.synth(stack);
    expect(synth).toHaveResourceWithProperties(IamRole, {
      name_prefix: 'web-instances-',
      permissions_boundary: 'arn:aws:iam::123456789012:policy/boundary',
    });
    expect(synth).toHaveResourceWithProperties(IamRolePolicyAttachment, {
      policy_arn: 'arn:aws:iam::123456789012:policy/web-read',
    });
    expect(Object.keys((JSON.parse(synth) as Json).resource.aws_iam_role_policy_attachment)).toHaveLength(2);
  });

  test('a long stack and id give a prefix within IAM limits', () => {
    const stack = newStack('a-very-long-environment-name-for-testing');
    new InstanceProfile(stack, 'a-very-long-service-name');
    const role = Object.values(synthJson(stack).resource.aws_iam_role)[0] as Json;
    expect(role.name_prefix.length).toBeLessThanOrEqual(32);
  });

  test('fromName refers to an existing profile', () => {
    expect(InstanceProfile.fromName('web-profile')).toEqual({ instanceProfileName: 'web-profile' });
  });

  describe('validation', () => {
    const stack = () => newStack('prod');
    test('bad policy ARN', () => {
      expect(
        () => new InstanceProfile(stack(), 'web', { managedPolicyArns: ['AmazonSSMManagedInstanceCore'] }),
      ).toThrow(
        /^InstanceProfile prod\/web: managedPolicyArns\[0\] \("AmazonSSMManagedInstanceCore"\) must be an IAM policy ARN/,
      );
      expect(
        () => new InstanceProfile(stack(), 'web', { managedPolicyArns: ['AmazonSSMManagedInstanceCore'] }),
      ).toThrow(ValidationError);
    });
    test('bad permissions boundary', () => {
      expect(() => new InstanceProfile(stack(), 'web', { permissionsBoundaryArn: 'boundary' })).toThrow(
        /permissionsBoundaryArn \("boundary"\) must be an IAM policy ARN/,
      );
    });
    test('bad name prefix', () => {
      expect(() => new InstanceProfile(stack(), 'web', { namePrefix: 'web profile' })).toThrow(
        /namePrefix \("web profile"\) must be 1 to 32 letters/,
      );
    });
    test('a policy listed twice', () => {
      expect(
        () =>
          new InstanceProfile(stack(), 'web', {
            managedPolicyArns: [SSM_MANAGED_INSTANCE_CORE, SSM_MANAGED_INSTANCE_CORE],
          }),
      ).toThrow(
        /^InstanceProfile prod\/web: managedPolicyArns\[1\] \(".*AmazonSSMManagedInstanceCore"\) is listed twice/,
      );
    });
    test('a name prefix that is a token', () => {
      const s = stack();
      const prefix = new TerraformVariable(s, 'prefix', { type: 'string' }).stringValue;
      expect(() => new InstanceProfile(s, 'web', { namePrefix: prefix })).toThrow(
        /^InstanceProfile prod\/web: namePrefix \(.*\) is a token; pass a literal prefix/,
      );
    });
    test('bad profile name', () => {
      expect(() => InstanceProfile.fromName('web profile')).toThrow(
        /^InstanceProfile.fromName: instanceProfileName \("web profile"\) must be an instance profile name: 1 to 128 letters/,
      );
      expect(() => InstanceProfile.fromName('x'.repeat(129))).toThrow(/must be an instance profile name/);
    });
    test('a profile name that is not a string', () => {
      expect(() => InstanceProfile.fromName(undefined as unknown as string)).toThrow(
        /^InstanceProfile.fromName: instanceProfileName \(undefined\) must be the name of an existing instance profile/,
      );
    });
  });

  test('tokens are not validated', () => {
    const s = newStack('prod');
    const arn = new TerraformVariable(s, 'policy', { type: 'string' }).stringValue;
    new InstanceProfile(s, 'web', { managedPolicyArns: [arn], permissionsBoundaryArn: arn });
    expect(InstanceProfile.fromName(arn).instanceProfileName).toBe(arn);
    expect(Testing.synth(s)).toHaveResourceWithProperties(IamRolePolicyAttachment, { policy_arn: '${var.policy}' });
  });
});
