import { TerraformVariable, Testing } from 'cdktf';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { ImagebuilderImagePipeline } from '@cdktf/provider-aws/lib/imagebuilder-image-pipeline';
import { ImagePipeline, ImageSchedule } from '../../lib';
import { ValidationError } from '../../lib/private/validation';
import { newStack } from '../support/synth';

const RECIPE = 'arn:aws:imagebuilder:eu-west-1:111122223333:image-recipe/web/1.0.1';
const INFRASTRUCTURE = 'arn:aws:imagebuilder:eu-west-1:111122223333:infrastructure-configuration/web';
const DISTRIBUTION = 'arn:aws:imagebuilder:eu-west-1:111122223333:distribution-configuration/web';

describe('ImagePipeline', () => {
  test('defaults: enabled, tested, no schedule', () => {
    // GIVEN / WHEN a pipeline with only the required props
    const synth = Testing.synthScope((scope) => {
      new ImagePipeline(scope, 'Pipeline', {
        name: 'web',
        imageRecipeArn: RECIPE,
        infrastructureConfigurationArn: INFRASTRUCTURE,
      });
    });
    // THEN
    expect(synth).toHaveResourceWithProperties(ImagebuilderImagePipeline, {
      name: 'web',
      description: 'Builds of web',
      image_recipe_arn: RECIPE,
      infrastructure_configuration_arn: INFRASTRUCTURE,
      status: 'ENABLED',
      image_tests_configuration: { image_tests_enabled: true },
      enhanced_image_metadata_enabled: true,
    });
    expect(JSON.parse(synth).resource.aws_imagebuilder_image_pipeline.Pipeline).not.toHaveProperty('schedule');
  });

  test('all properties', () => {
    // GIVEN a resource the builds need first
    const synth = Testing.synthScope((scope) => {
      const role = new IamRole(scope, 'Role', { assumeRolePolicy: '{}' });
      // WHEN every prop is set
      new ImagePipeline(scope, 'Pipeline', {
        name: 'web',
        imageRecipeArn: RECIPE,
        infrastructureConfigurationArn: INFRASTRUCTURE,
        distributionConfigurationArn: DISTRIBUTION,
        schedule: ImageSchedule.cron('0 3 ? * SUN *', { onlyWhenDependenciesUpdated: false, timezone: 'Europe/Paris' }),
        description: 'Weekly patches',
        tags: { Owner: 'platform' },
        dependsOn: [role],
      });
    });
    // THEN
    expect(synth).toHaveResourceWithProperties(ImagebuilderImagePipeline, {
      description: 'Weekly patches',
      distribution_configuration_arn: DISTRIBUTION,
      schedule: {
        schedule_expression: 'cron(0 3 ? * SUN *)',
        pipeline_execution_start_condition: 'EXPRESSION_MATCH_ONLY',
        timezone: 'Europe/Paris',
      },
      tags: { Owner: 'platform' },
      depends_on: ['aws_iam_role.Role'],
    });
  });

  test('a schedule names the default description', () => {
    const synth = Testing.synthScope((scope) => {
      new ImagePipeline(scope, 'Pipeline', {
        name: 'web',
        imageRecipeArn: RECIPE,
        infrastructureConfigurationArn: INFRASTRUCTURE,
        schedule: ImageSchedule.cron('cron(0 3 ? * SUN *)'),
      });
    });
    expect(synth).toHaveResourceWithProperties(ImagebuilderImagePipeline, { description: 'Scheduled rebuilds of web' });
  });

  test('tokens are not validated', () => {
    const stack = newStack('s');
    const name = new TerraformVariable(stack, 'name', { type: 'string' }).stringValue;
    new ImagePipeline(stack, 'Pipeline', {
      name,
      imageRecipeArn: RECIPE,
      infrastructureConfigurationArn: INFRASTRUCTURE,
    });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ImagebuilderImagePipeline, { name: '${var.name}' });
  });

  test('validation: bad name', () => {
    const make = () =>
      new ImagePipeline(newStack('s'), 'Pipeline', {
        name: 'web/weekly',
        imageRecipeArn: RECIPE,
        infrastructureConfigurationArn: INFRASTRUCTURE,
      });
    expect(make).toThrow(
      'ImagePipeline s/Pipeline: name ("web/weekly") must be 3 to 128 letters, digits, "_", "-" or spaces',
    );
    expect(make).toThrow(ValidationError);
  });
});
