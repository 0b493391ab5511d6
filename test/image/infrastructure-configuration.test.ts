import { TerraformVariable, Testing } from 'cdktf';
import { ImagebuilderInfrastructureConfiguration } from '@cdktf/provider-aws/lib/imagebuilder-infrastructure-configuration';
import { Construct } from 'constructs';
import { InfrastructureConfiguration, InfrastructureConfigurationProps } from '../../lib';
import { ValidationError } from '../../lib/private/validation';
import { newStack } from '../support/synth';

function infrastructure(
  scope: Construct,
  overrides: Partial<InfrastructureConfigurationProps> = {},
): InfrastructureConfiguration {
  return new InfrastructureConfiguration(scope, 'Infrastructure', {
    name: 'web',
    instanceProfileName: 'web-builder',
    ...overrides,
  });
}

describe('InfrastructureConfiguration', () => {
  test('defaults: IMDSv2 required with hop limit 1, terminate on failure, no logs', () => {
    // GIVEN / WHEN a configuration with only the required props
    const synth = Testing.synthScope((scope) => {
      infrastructure(scope);
    });
    // THEN
    expect(synth).toHaveResourceWithProperties(ImagebuilderInfrastructureConfiguration, {
      name: 'web',
      description: 'Build infrastructure of web',
      instance_profile_name: 'web-builder',
      instance_metadata_options: { http_tokens: 'required', http_put_response_hop_limit: 1 },
      terminate_instance_on_failure: true,
    });
    const resource = JSON.parse(synth).resource.aws_imagebuilder_infrastructure_configuration.Infrastructure;
    for (const unset of ['logging', 'instance_types', 'subnet_id', 'security_group_ids', 'tags']) {
      expect(resource).not.toHaveProperty(unset);
    }
  });

  test('all properties', () => {
    // GIVEN / WHEN every prop is set
    const synth = Testing.synthScope((scope) => {
      infrastructure(scope, {
        name: 'api',
        instanceProfileName: 'api-builder',
        description: 'API builds',
        instanceTypes: ['m7i.large', 'm6i.large'],
        subnetId: 'subnet-0123456789abcdef0',
        securityGroupIds: ['sg-0123456789abcdef0', 'sg-0fedcba9876543210'],
        logging: { bucketName: 'build-logs', keyPrefix: 'image-builder/api' },
        terminateInstanceOnFailure: false,
        tags: { Owner: 'platform' },
      });
    });
    // THEN
    expect(synth).toHaveResourceWithProperties(ImagebuilderInfrastructureConfiguration, {
      name: 'api',
      description: 'API builds',
      instance_profile_name: 'api-builder',
      instance_types: ['m7i.large', 'm6i.large'],
      subnet_id: 'subnet-0123456789abcdef0',
      security_group_ids: ['sg-0123456789abcdef0', 'sg-0fedcba9876543210'],
      logging: { s3_logs: { s3_bucket_name: 'build-logs', s3_key_prefix: 'image-builder/api' } },
      terminate_instance_on_failure: false,
      resource_tags: { Owner: 'platform' },
      tags: { Owner: 'platform' },
    });
  });

  test('the log key prefix defaults to the name', () => {
    const synth = Testing.synthScope((scope) => {
      infrastructure(scope, { logging: { bucketName: 'build-logs' } });
    });
    expect(synth).toHaveResourceWithProperties(ImagebuilderInfrastructureConfiguration, {
      logging: { s3_logs: { s3_bucket_name: 'build-logs', s3_key_prefix: 'web' } },
    });
  });

  test('tokens are not validated', () => {
    const stack = newStack('s');
    const v = (name: string) => new TerraformVariable(stack, name, { type: 'string' }).stringValue;
    const list = new TerraformVariable(stack, 'groups', { type: 'list(string)' }).listValue;
    infrastructure(stack, {
      name: v('name'),
      instanceTypes: [v('type')],
      subnetId: v('subnet'),
      securityGroupIds: list,
      logging: { bucketName: v('bucket'), keyPrefix: v('prefix') },
    });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ImagebuilderInfrastructureConfiguration, {
      subnet_id: '${var.subnet}',
      security_group_ids: '${var.groups}',
    });
  });

  describe('validation', () => {
    test.each<[string, Partial<InfrastructureConfigurationProps>, string]>([
      ['bad name', { name: 'a' }, 'name ("a") must be 3 to 128 letters, digits, "_", "-" or spaces'],
      [
        'empty instance types',
        { instanceTypes: [] },
        "instanceTypes ([]) must list at least one value; omit it for Image Builder's default",
      ],
      [
        'bad instance type',
        { instanceTypes: ['t3.micro', 'micro'] },
        'instanceTypes[1] ("micro") must be an EC2 instance type such as t3.medium',
      ],
      [
        'duplicate instance type',
        { instanceTypes: ['t3.micro', 't3.micro'] },
        'instanceTypes[1] ("t3.micro") is listed twice',
      ],
      [
        'bad subnet',
        { subnetId: 'subnet-xyz', securityGroupIds: ['sg-0123456789abcdef0'] },
        'subnetId ("subnet-xyz") must be a subnet id',
      ],
      [
        'subnet without security groups',
        { subnetId: 'subnet-0123456789abcdef0', securityGroupIds: [] },
        'subnetId ("subnet-0123456789abcdef0") is set without securityGroupIds',
      ],
      [
        'bad security group',
        { securityGroupIds: ['sg-1'] },
        'securityGroupIds[0] ("sg-1") must be a security group id',
      ],
      ['bad bucket', { logging: { bucketName: 'Logs' } }, 'logging.bucketName ("Logs") must be an S3 bucket name'],
      [
        'empty key prefix',
        { logging: { bucketName: 'logs', keyPrefix: '' } },
        'logging.keyPrefix ("") must be a non-empty key prefix',
      ],
    ])('%s', (_what, overrides, message) => {
      expect(() => infrastructure(newStack('s'), overrides)).toThrow(
        `InfrastructureConfiguration s/Infrastructure: ${message}`,
      );
      expect(() => infrastructure(newStack('s'), overrides)).toThrow(ValidationError);
    });
  });
});
