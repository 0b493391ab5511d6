import { TerraformOutput, TerraformVariable, Testing } from 'cdktf';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { ImagebuilderImage } from '@cdktf/provider-aws/lib/imagebuilder-image';
import { Image } from '../../lib';
import { ValidationError } from '../../lib/private/validation';
import { newStack } from '../support/synth';

const RECIPE = 'arn:aws:imagebuilder:eu-west-1:111122223333:image-recipe/web/1.0.1';
const INFRASTRUCTURE = 'arn:aws:imagebuilder:eu-west-1:111122223333:infrastructure-configuration/web';
const DISTRIBUTION = 'arn:aws:imagebuilder:eu-west-1:111122223333:distribution-configuration/web';

describe('Image', () => {
  test('defaults: tests and enhanced metadata on, 120 minutes, create before destroy', () => {
    // GIVEN / WHEN an image with only the required props
    const synth = Testing.synthScope((scope) => {
      new Image(scope, 'Image', { imageRecipeArn: RECIPE, infrastructureConfigurationArn: INFRASTRUCTURE });
    });
    // THEN
    expect(synth).toHaveResourceWithProperties(ImagebuilderImage, {
      image_recipe_arn: RECIPE,
      infrastructure_configuration_arn: INFRASTRUCTURE,
      image_tests_configuration: { image_tests_enabled: true },
      enhanced_image_metadata_enabled: true,
      timeouts: { create: '120m' },
      lifecycle: { create_before_destroy: true },
    });
    const resource = JSON.parse(synth).resource.aws_imagebuilder_image.Image;
    expect(resource).not.toHaveProperty('distribution_configuration_arn');
    expect(resource).not.toHaveProperty('depends_on');
  });

  test('all properties', () => {
    // GIVEN a resource the build needs first
    const synth = Testing.synthScope((scope) => {
      const role = new IamRole(scope, 'Role', { assumeRolePolicy: '{}' });
      // WHEN every prop is set
      new Image(scope, 'Image', {
        imageRecipeArn: RECIPE,
        infrastructureConfigurationArn: INFRASTRUCTURE,
        distributionConfigurationArn: DISTRIBUTION,
        buildTimeoutMinutes: 300,
        tags: { Owner: 'platform' },
        dependsOn: [role],
      });
    });
    // THEN
    expect(synth).toHaveResourceWithProperties(ImagebuilderImage, {
      distribution_configuration_arn: DISTRIBUTION,
      timeouts: { create: '300m' },
      tags: { Owner: 'platform' },
      depends_on: ['aws_iam_role.Role'],
    });
  });

  test('amiId is the AMI in the build region, whatever the order of the distribution regions', () => {
    const synth = Testing.synthScope((scope) => {
      const image = new Image(scope, 'Image', {
        imageRecipeArn: RECIPE,
        infrastructureConfigurationArn: INFRASTRUCTURE,
      });
      new TerraformOutput(scope, 'ami', { value: image.amiId });
    });
    expect(JSON.parse(synth).output.ami.value).toBe(
      '${element([ for key, val in toset(tolist(aws_imagebuilder_image.Image.output_resources[0].amis)): val.image if val.region == aws_imagebuilder_image.Image.region], 0)}',
    );
  });

  test('tokens are not validated', () => {
    const stack = newStack('s');
    const minutes = new TerraformVariable(stack, 'minutes', { type: 'number' }).numberValue;
    expect(
      () =>
        new Image(stack, 'Image', {
          imageRecipeArn: RECIPE,
          infrastructureConfigurationArn: INFRASTRUCTURE,
          buildTimeoutMinutes: minutes,
        }),
    ).not.toThrow();
  });

  test.each([10, 1441, 90.5])('validation: buildTimeoutMinutes %s', (minutes) => {
    const stack = newStack('s');
    const make = () =>
      new Image(stack, `Image${String(minutes).replace('.', '_')}`, {
        imageRecipeArn: RECIPE,
        infrastructureConfigurationArn: INFRASTRUCTURE,
        buildTimeoutMinutes: minutes,
      });
    expect(make).toThrow(
      `s/Image${String(minutes).replace('.', '_')}: buildTimeoutMinutes (${minutes}) must be an integer from 30 to 1440.`,
    );
    expect(
      () =>
        new Image(newStack('s'), 'Image', {
          imageRecipeArn: RECIPE,
          infrastructureConfigurationArn: INFRASTRUCTURE,
          buildTimeoutMinutes: minutes,
        }),
    ).toThrow(ValidationError);
  });
});
