import { Fn, IResolvable, ITerraformDependable, TerraformIterator, Token } from 'cdktf';
import { ImagebuilderImage } from '@cdktf/provider-aws/lib/imagebuilder-image';
import { Construct } from 'constructs';
import { ImmutabilityAspect } from '../immutability/immutability-aspect';
import { Validator } from '../private/validation';

/** Properties of {@link Image}. */
export interface ImageProps {
  /** ARN of the recipe version to build (`ImageRecipe.arn`). */
  readonly imageRecipeArn: string;
  /** ARN of the infrastructure configuration (`InfrastructureConfiguration.arn`). */
  readonly infrastructureConfigurationArn: string;
  /**
   * ARN of the distribution configuration (`DistributionConfiguration.arn`).
   * @default - the AMI stays in the build region, named by Image Builder
   */
  readonly distributionConfigurationArn?: string;
  /**
   * Maximum time Terraform waits for the build and tests, in minutes (30 to 1440).
   * @default 120
   */
  readonly buildTimeoutMinutes?: number;
  /**
   * Tags of the image.
   * @default - none
   */
  readonly tags?: { readonly [key: string]: string };
  /**
   * ARN of the role Image Builder assumes to run the build (`execution_role`), for
   * example to write the distribution's AMI parameter (`ssm:PutParameter`).
   * @default - Image Builder's service-linked role
   */
  readonly executionRoleArn?: string;
  /**
   * Resources the build needs first, such as the policy attachments of the instance
   * role (the build fails if the instance starts without them).
   * @default - none beyond the references above
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * An `aws_imagebuilder_image`: one build, during apply, with image tests and enhanced
 * metadata enabled. Any change replaces it, which builds a new AMI; the new image is
 * created before the old one is destroyed.
 *
 * It extends the provider resource instead of wrapping it (a deliberate difference
 * from @aws-cdk/aws-imagebuilder-alpha), so that `AmiPipeline`'s image keeps the
 * Terraform address it always had (the pipeline's `Resource`).
 */
export class Image extends ImagebuilderImage {
  /**
   * The AMI id in the build region (the image's own region), whatever the order of the
   * distribution regions (a token, known after the build).
   */
  public readonly amiId: string;

  public constructor(scope: Construct, id: string, props: ImageProps) {
    super(scope, id, {
      imageRecipeArn: props.imageRecipeArn,
      infrastructureConfigurationArn: props.infrastructureConfigurationArn,
      distributionConfigurationArn: props.distributionConfigurationArn,
      imageTestsConfiguration: { imageTestsEnabled: true },
      enhancedImageMetadataEnabled: true,
      executionRole: props.executionRoleArn,
      tags: props.tags,
      timeouts: { create: `${props.buildTimeoutMinutes ?? 120}m` },
      dependsOn: props.dependsOn && props.dependsOn.length > 0 ? [...props.dependsOn] : undefined,
    });
    new Validator(this).integer('buildTimeoutMinutes', props.buildTimeoutMinutes, 30, 1440);
    ImmutabilityAspect.enable(this);
    // [for ami in output_resources[0].amis : ami.image if ami.region == image.region][0]
    const amis = TerraformIterator.fromList(this.outputResources.get(0).amis as unknown as IResolvable);
    this.amiId = Token.asString(
      Fn.element(Token.asList(amis.forExpressionForList(`val.image if val.region == ${this.region}`)), 0),
    );
  }
}
