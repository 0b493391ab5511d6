import { TerraformVariable, Testing } from 'cdktf';
import { ImagebuilderDistributionConfiguration } from '@cdktf/provider-aws/lib/imagebuilder-distribution-configuration';
import { Construct } from 'constructs';
import { DistributionConfiguration, DistributionConfigurationProps } from '../../lib';
import { ValidationError } from '../../lib/private/validation';
import { newStack } from '../support/synth';

function distribution(
  scope: Construct,
  overrides: Partial<DistributionConfigurationProps> = {},
): DistributionConfiguration {
  return new DistributionConfiguration(scope, 'Distribution', { name: 'web', regions: ['eu-west-1'], ...overrides });
}

describe('DistributionConfiguration', () => {
  test('defaults: the name with the build date, a private AMI, no tags', () => {
    // GIVEN / WHEN a configuration with only the required props
    const synth = Testing.synthScope((scope) => {
      distribution(scope);
    });
    // THEN
    expect(synth).toHaveResourceWithProperties(ImagebuilderDistributionConfiguration, {
      name: 'web',
      description: 'Distribution of web',
      distribution: [
        {
          region: 'eu-west-1',
          ami_distribution_configuration: {
            name: 'web-{{ imagebuilder:buildDate }}',
            description: 'web (cdktf-immutable)',
          },
        },
      ],
    });
  });

  test('all properties: the same AMI settings in every region', () => {
    // GIVEN / WHEN every prop is set
    const synth = Testing.synthScope((scope) => {
      distribution(scope, {
        name: 'api',
        description: 'API AMIs',
        regions: ['eu-west-1', 'eu-central-1'],
        amiName: 'api-server',
        amiDescription: 'API server',
        amiTags: { Team: 'platform' },
        kmsKeyId: 'alias/ami',
        launchPermissionAccountIds: ['111122223333'],
        launchPermissionOrganizationArns: ['arn:aws:organizations::111122223333:organization/o-abcdefghij'],
        launchPermissionOrganizationalUnitArns: [
          'arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-cdefgh34',
        ],
        amiParameterName: '/images/api/ami-id',
        tags: { Owner: 'platform' },
      });
    });
    // THEN
    const ami = {
      name: 'api-server-{{ imagebuilder:buildDate }}',
      description: 'API server',
      ami_tags: { Team: 'platform' },
      kms_key_id: 'alias/ami',
      launch_permission: {
        user_ids: ['111122223333'],
        organization_arns: ['arn:aws:organizations::111122223333:organization/o-abcdefghij'],
        organizational_unit_arns: ['arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-cdefgh34'],
      },
    };
    expect(synth).toHaveResourceWithProperties(ImagebuilderDistributionConfiguration, {
      name: 'api',
      description: 'API AMIs',
      // one parameter per region, written by every build distributed with this configuration
      distribution: ['eu-west-1', 'eu-central-1'].map((region) => ({
        region,
        ami_distribution_configuration: ami,
        ssm_parameter_configuration: [{ parameter_name: '/images/api/ami-id', data_type: 'aws:ec2:image' }],
      })),
      tags: { Owner: 'platform' },
    });
  });

  test('tokens are not validated', () => {
    const stack = newStack('s');
    const v = (name: string) => new TerraformVariable(stack, name, { type: 'string' }).stringValue;
    distribution(stack, {
      regions: [v('region')],
      amiName: v('ami'),
      launchPermissionAccountIds: [v('account')],
      launchPermissionOrganizationArns: [v('org')],
      amiParameterName: v('parameter'),
    });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ImagebuilderDistributionConfiguration, {
      distribution: [
        expect.objectContaining({
          region: '${var.region}',
          ssm_parameter_configuration: [{ parameter_name: '${var.parameter}', data_type: 'aws:ec2:image' }],
        }),
      ],
    });
  });

  describe('validation', () => {
    test.each<[string, Partial<DistributionConfigurationProps>, string]>([
      ['bad name', { name: 'web!' }, 'name ("web!") must be 3 to 128 letters'],
      ['no regions', { regions: [] }, 'regions ([]) must list at least one value'],
      ['bad region', { regions: ['EU'] }, 'regions[0] ("EU") must be a region name such as eu-west-1'],
      ['duplicate region', { regions: ['eu-west-1', 'eu-west-1'] }, 'regions[1] ("eu-west-1") is listed twice'],
      ['bad AMI name', { amiName: 'x' }, 'amiName ("x") must be 3 to 100 letters'],
      [
        'too many AMI tags',
        { amiTags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, 'x'])) },
        'amiTags has 51 tags; Image Builder allows 50 per AMI: remove 1',
      ],
      ['reserved tag key', { amiTags: { 'aws:team': 'x' } }, 'amiTags key ("aws:team") must be 1 to 128 letters'],
      [
        'bad account',
        { launchPermissionAccountIds: ['12345678901'] },
        'launchPermissionAccountIds[0] ("12345678901") must be a 12-digit AWS account id',
      ],
      [
        'bad organization',
        { launchPermissionOrganizationArns: ['o-abcdefghij'] },
        'launchPermissionOrganizationArns[0] ("o-abcdefghij") must be an organization ARN',
      ],
      [
        'AMI parameter not a path',
        { amiParameterName: 'images/web' },
        'amiParameterName ("images/web") must be an SSM parameter path such as /images/web/ami-id',
      ],
      [
        'AMI parameter under /aws',
        { amiParameterName: '/aws/web' },
        'amiParameterName ("/aws/web") must be an SSM parameter path',
      ],
      [
        'bad OU',
        { launchPermissionOrganizationalUnitArns: ['ou-ab12-cdefgh34'] },
        'launchPermissionOrganizationalUnitArns[0] ("ou-ab12-cdefgh34") must be an organizational unit ARN',
      ],
    ])('%s', (_what, overrides, message) => {
      expect(() => distribution(newStack('s'), overrides)).toThrow(
        `DistributionConfiguration s/Distribution: ${message}`,
      );
      expect(() => distribution(newStack('s'), overrides)).toThrow(ValidationError);
    });
  });
});
