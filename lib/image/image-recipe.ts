import {
  ImagebuilderImageRecipe,
  ImagebuilderImageRecipeBlockDeviceMapping,
} from '@cdktf/provider-aws/lib/imagebuilder-image-recipe';
import { Construct } from 'constructs';
import { Generation } from '../immutability/generation';
import { ImmutabilityAspect } from '../immutability/immutability-aspect';
import { AMI_ID, imageBuilderVersionedArn } from '../private/aws-ids';
import { isLiteral, show, Validator } from '../private/validation';
import { BlockDevice, validateBlockDevices } from './block-device';
import { AmiPlatform, ImageComponentConfig } from './image-component';
import { IMAGE_TAG_KEYS } from './image-tags';
import { IMAGE_BUILDER_NAME, IMAGE_BUILDER_NAME_RULE } from './private/patterns';

/** Properties of {@link ImageRecipe}. */
export interface ImageRecipeProps {
  /** Recipe name (3 to 128 letters, digits, `_`, `-` or spaces); versions share it. */
  readonly name: string;
  /**
   * The image the build starts from: an AMI id or an Image Builder image ARN, a literal
   * or a token (`ParentImage.bind(scope).parentImage` gives one).
   */
  readonly parentImage: string;
  /** The components, in the order they run (`ImageComponent.bind` gives each). At least one. */
  readonly components: readonly ImageComponentConfig[];
  /**
   * Operating system family: picks the default root device and the form of
   * `workingDirectory`.
   * @default 'Linux'
   */
  readonly platform?: AmiPlatform;
  /**
   * EBS volumes of the AMI. They are always encrypted: `encrypted: false` is refused.
   * @default - one encrypted gp3 root volume: `/dev/xvda` on Linux, `/dev/sda1` on Windows
   */
  readonly blockDevices?: readonly BlockDevice[];
  /**
   * KMS key (ARN) of every volume that sets no `kmsKeyId` of its own.
   * @default - the account's default EBS key
   */
  readonly kmsKeyId?: string;
  /**
   * Working directory of the build and test workflows on the instance (an absolute path).
   * @default - Image Builder's default (`/tmp`)
   */
  readonly workingDirectory?: string;
  /**
   * Description. Part of the content: a change is a new version.
   * @default `AMI recipe of <name> (cdktf-immutable)`
   */
  readonly description?: string;
  /**
   * Tags of the AMIs built from the recipe, besides `cdktf-immutable:generation` (the
   * recipe's content hash), which the recipe always sets.
   * @default - only the generation tag
   */
  readonly amiTags?: { readonly [key: string]: string };
  /**
   * Tags of the recipe resource.
   * @default - none
   */
  readonly tags?: { readonly [key: string]: string };
}

const IMAGE_ARN = imageBuilderVersionedArn('image');

/**
 * An `aws_imagebuilder_image_recipe` whose version is `1.0.<n>` from the hash of
 * everything it is made of: name, description, parent image, the ordered components
 * (name and version, or managed ARN, with their parameters), block devices, working
 * directory and AMI tags (every argument of a recipe forces a new one). A content
 * change is a new version under the same name (never ResourceAlreadyExists);
 * unchanged content is no diff. Its AMIs carry the
 * `cdktf-immutable:generation` tag.
 *
 * It extends the provider resource instead of wrapping it (a deliberate difference
 * from @aws-cdk/aws-imagebuilder-alpha), so that `AmiPipeline`'s recipe keeps the
 * Terraform address it always had (`<pipeline>/Recipe`).
 */
export class ImageRecipe extends ImagebuilderImageRecipe {
  /** The content hash behind {@link recipeVersion}. */
  public readonly generation: Generation;
  /**
   * The version `1.0.<n>` as known at synth (a Terraform expression when the parent
   * image is a token); the `version` attribute is the resource's reference instead.
   */
  public readonly recipeVersion: string;

  public constructor(scope: Construct, id: string, props: ImageRecipeProps) {
    const platform = props.platform ?? 'Linux';
    const content = {
      name: props.name,
      description: props.description ?? `AMI recipe of ${props.name} (cdktf-immutable)`,
      parentImage: props.parentImage,
      blockDeviceMapping: (
        props.blockDevices ?? [{ deviceName: platform === 'Windows' ? '/dev/sda1' : '/dev/xvda' }]
      ).map((device) => blockDeviceMapping(device, props.kmsKeyId)),
      workingDirectory: props.workingDirectory,
    };
    const generation = Generation.of(scope, {
      type: 'aws_imagebuilder_image_recipe',
      ...content,
      // An owned component's ARN is a reference, hashed by its name and version; a
      // literal ARN is hashed too, so that no argument of the recipe (all force a new
      // recipe) changes under the same version.
      components: props.components.map((c) =>
        c.version !== undefined
          ? {
              name: c.name,
              version: c.version,
              parameter: c.parameters,
              arn: isLiteral(c.componentArn) ? c.componentArn : undefined,
            }
          : { arn: c.componentArn, parameter: c.parameters },
      ),
      // ami_tags forces a new recipe too: a change must be a new version
      amiTags: props.amiTags && Object.keys(props.amiTags).length > 0 ? { ...props.amiTags } : undefined,
    });
    super(scope, id, {
      ...content,
      version: generation.semanticVersion,
      component: props.components.map((c) => ({
        componentArn: c.componentArn,
        parameter: c.parameters.length > 0 ? [...c.parameters] : undefined,
      })),
      // The generation is a function of the content above, so it can be part of the recipe.
      amiTags: { [IMAGE_TAG_KEYS.generation]: generation.hash, ...props.amiTags },
      tags: props.tags,
    });
    ImmutabilityAspect.enable(this);
    validate(new Validator(this), props, platform);
    this.generation = generation;
    this.recipeVersion = generation.semanticVersion;
  }
}

function validate(check: Validator, props: ImageRecipeProps, platform: AmiPlatform): void {
  check.pattern('name', props.name, IMAGE_BUILDER_NAME, IMAGE_BUILDER_NAME_RULE);
  if (isLiteral(props.parentImage) && !AMI_ID.test(props.parentImage) && !IMAGE_ARN.test(props.parentImage)) {
    check.fail(
      `parentImage (${show(props.parentImage)}) must be an AMI id such as ami-0123456789abcdef0 or an Image Builder ` +
        `image ARN such as arn:aws:imagebuilder:eu-west-1:aws:image/amazon-linux-2023-x86/x.x.x.`,
    );
  }
  if (props.components.length === 0) {
    check.fail(
      'components ([]) must list at least one component; give at least one ImageComponent, such as ' +
        'ImageComponent.fromFile(...) or ImageComponent.fromManagedArn(".../update-linux/x.x.x").',
    );
  }
  check.oneOf('platform', platform, ['Linux', 'Windows']);
  validateBlockDevices(check, 'blockDevices', props.blockDevices);
  (props.blockDevices ?? []).forEach((device, i) => {
    if (isLiteral(device.encrypted) && device.encrypted === false) {
      check.fail(
        `blockDevices[${i}].encrypted (false) is refused: AMI volumes are always encrypted; remove it (set kmsKeyId ` +
          `to choose the key).`,
      );
    }
  });
  const dir = props.workingDirectory;
  if (isLiteral(dir) && !(platform === 'Windows' ? /^[A-Za-z]:\\/.test(dir) : /^\/[^\0]*$/.test(dir))) {
    check.fail(
      `workingDirectory (${show(dir)}) must be an absolute path on ${platform}, such as ` +
        `${platform === 'Windows' ? 'C:\\build' : '/var/build'}.`,
    );
  }
}

function blockDeviceMapping(
  device: BlockDevice,
  defaultKmsKeyId: string | undefined,
): ImagebuilderImageRecipeBlockDeviceMapping {
  return {
    deviceName: device.deviceName,
    ebs: {
      encrypted: 'true',
      deleteOnTermination: String(device.deleteOnTermination ?? true),
      volumeSize: device.volumeSizeGiB,
      volumeType: device.volumeType ?? 'gp3',
      iops: device.iops,
      throughput: device.throughputMiBps,
      kmsKeyId: device.kmsKeyId ?? defaultKmsKeyId,
    },
  };
}
