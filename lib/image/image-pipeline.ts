import { ITerraformDependable } from 'cdktf';
import { ImagebuilderImagePipeline } from '@cdktf/provider-aws/lib/imagebuilder-image-pipeline';
import { Construct } from 'constructs';
import { Validator } from '../private/validation';
import { ImageSchedule } from './image-schedule';
import { IMAGE_BUILDER_NAME, IMAGE_BUILDER_NAME_RULE } from './private/patterns';

/** Properties of {@link ImagePipeline}. */
export interface ImagePipelineProps {
  /** Name (3 to 128 letters, digits, `_`, `-` or spaces). */
  readonly name: string;
  /** ARN of the recipe version the pipeline builds (`ImageRecipe.arn`). */
  readonly imageRecipeArn: string;
  /** ARN of the infrastructure configuration (`InfrastructureConfiguration.arn`). */
  readonly infrastructureConfigurationArn: string;
  /**
   * ARN of the distribution configuration (`DistributionConfiguration.arn`).
   * @default - the AMI stays in the build region, named by Image Builder
   */
  readonly distributionConfigurationArn?: string;
  /**
   * When the pipeline builds.
   * @default - no schedule: the pipeline runs only when started by hand
   */
  readonly schedule?: ImageSchedule;
  /**
   * Description.
   * @default `Scheduled rebuilds of <name>` (`Builds of <name>` without a schedule)
   */
  readonly description?: string;
  /**
   * Tags of the pipeline.
   * @default - none
   */
  readonly tags?: { readonly [key: string]: string };
  /**
   * ARN of the role Image Builder assumes to run the builds (`execution_role`), for
   * example to write the distribution's AMI parameter (`ssm:PutParameter`).
   * @default - Image Builder's service-linked role
   */
  readonly executionRoleArn?: string;
  /**
   * Resources the builds need first, such as the policy attachments of the instance role.
   * @default - none beyond the references above
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * An `aws_imagebuilder_image_pipeline`, enabled, with image tests and enhanced metadata:
 * Image Builder's own builds (scheduled patch rebuilds) of the current recipe version.
 * Updated in place: a new recipe version repoints it. Its builds are Image Builder's,
 * not Terraform's.
 *
 * It extends the provider resource instead of wrapping it (a deliberate difference
 * from @aws-cdk/aws-imagebuilder-alpha), so that `AmiPipeline`'s pipeline keeps the
 * Terraform address it always had (`<pipeline>/Pipeline`).
 */
export class ImagePipeline extends ImagebuilderImagePipeline {
  public constructor(scope: Construct, id: string, props: ImagePipelineProps) {
    super(scope, id, {
      name: props.name,
      description:
        props.description ?? (props.schedule ? `Scheduled rebuilds of ${props.name}` : `Builds of ${props.name}`),
      imageRecipeArn: props.imageRecipeArn,
      infrastructureConfigurationArn: props.infrastructureConfigurationArn,
      distributionConfigurationArn: props.distributionConfigurationArn,
      imageTestsConfiguration: { imageTestsEnabled: true },
      enhancedImageMetadataEnabled: true,
      executionRole: props.executionRoleArn,
      schedule: props.schedule
        ? {
            scheduleExpression: props.schedule.expression,
            pipelineExecutionStartCondition: props.schedule.startCondition,
            timezone: props.schedule.timezone,
          }
        : undefined,
      status: 'ENABLED',
      tags: props.tags,
      dependsOn: props.dependsOn && props.dependsOn.length > 0 ? [...props.dependsOn] : undefined,
    });
    new Validator(this).pattern('name', props.name, IMAGE_BUILDER_NAME, IMAGE_BUILDER_NAME_RULE);
  }
}
