import { ITerraformDependable, Token } from 'cdktf';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { Construct } from 'constructs';
import { Generation } from '../immutability/generation';
import { ImmutabilityAspect } from '../immutability/immutability-aspect';
import { defaultAmiParameterName } from '../private/image-names';
import { isLiteral, show, Validator } from '../private/validation';
import { BlockDevice, validateBlockDevices } from './block-device';
import { AmiDistributionProps, DistributionConfiguration } from './distribution-configuration';
import { Image } from './image';
import { AmiPlatform, ImageComponent } from './image-component';
import { ImagePipeline } from './image-pipeline';
import { ImageRecipe } from './image-recipe';
import { ImageRetention } from './image-retention';
import { ImageSchedule } from './image-schedule';
import { IMAGE_TAG_KEYS } from './image-tags';
import { AmiBuildInfrastructureProps, InfrastructureConfiguration } from './infrastructure-configuration';
import { LifecyclePolicy } from './lifecycle-policy';
import { ParentImage } from './parent-image';
import { buildExecutionRole, buildInstanceProfile, buildLifecycleRole, lazyArnPrefix } from './private/build-roles';
import { ImageLayout, imageLayout, replacementTriggers } from './private/image-layout';
import { publishAmiId } from './private/publish-ami-id';
import { validateAmiParameterPath } from './private/ssm-parameter-name';
import { defaultPipelineName, PIPELINE_NAME, PIPELINE_NAME_RULE } from './private/pipeline-name';
import { IAmiPipeline, ImageSourceConfig } from './image-source';

/** What {@link AmiPipeline.fromAmiPipelineAttributes} needs to know of a pipeline defined elsewhere. */
export interface AmiPipelineAttributes {
  /** The pipeline's name (its `AmiPipelineProps.name`). */
  readonly name: string;
  /**
   * The SSM parameter the pipeline publishes its newest AMI id to.
   * @default `/images/<name>/ami-id`
   */
  readonly amiParameterName?: string;
  /**
   * The pipeline's platform, which gives the images' default root device.
   * @default 'Linux'
   */
  readonly platform?: AmiPlatform;
  /**
   * The pipeline's `blockDevices`, so that launch templates size their volumes like the image's.
   * @default - the platform's default root volume, of a size unknown at synth
   */
  readonly blockDevices?: readonly BlockDevice[];
}

/** Properties of {@link AmiPipeline}. */
export interface AmiPipelineProps {
  /**
   * Name of the pipeline: 3 to 64 letters, digits, `_` or `-`. Names the recipe
   * (`<name>`), the components (`<name>-<component>`), the infrastructure,
   * distribution, pipeline and lifecycle resources.
   * @default - the stack name and construct path, e.g. `images-Web`
   */
  readonly name?: string;
  /** The image the build starts from. */
  readonly parentImage: ParentImage;
  /** The components, in the order they run. At least one. */
  readonly components: readonly ImageComponent[];
  /**
   * Operating system family: the platform of the owned components, the default root
   * device and the form of `workingDirectory`.
   * @default 'Linux'
   */
  readonly platform?: AmiPlatform;
  /**
   * EBS volumes of the AMI. They are always encrypted: `encrypted: false` is refused.
   * @default - one encrypted gp3 root volume: `/dev/xvda` on Linux, `/dev/sda1` on Windows
   */
  readonly blockDevices?: readonly BlockDevice[];
  /**
   * Working directory of the build and test workflows on the instance.
   * @default - Image Builder's default (`/tmp`)
   */
  readonly workingDirectory?: string;
  /**
   * Build and test instances.
   * @default - see {@link AmiBuildInfrastructureProps}
   */
  readonly buildInfrastructure?: AmiBuildInfrastructureProps;
  /**
   * Distribution of the AMI.
   * @default - the provider's region, private AMI
   */
  readonly distribution?: AmiDistributionProps;
  /**
   * SSM parameter that receives the AMI id of every image the pipeline builds (the one
   * Terraform builds and every scheduled rebuild), in each distribution region: Image
   * Builder's distribution writes it (`ssm_parameter_configuration`), so the newest build
   * is always there. `release stage <env> --from-pipeline <name>` reads the default name.
   * @default `/images/<name>/ami-id`
   */
  readonly amiParameterName?: string;
  /**
   * Scheduled rebuilds for security patches (an Image Builder pipeline).
   * @default - no pipeline: images are built only by Terraform, when the recipe changes
   */
  readonly schedule?: ImageSchedule;
  /**
   * How many built images to keep.
   * @default ImageRetention.keepLast(3) - the three newest builds, and every image tagged in use (list the fleets
   *   that run these AMIs with `ImageRetention.keepLast(n, { inUseByFleets })` to keep the AMIs they mark)
   */
  readonly retention?: ImageRetention;
  /**
   * Customer managed KMS key (ARN) for the component documents, the recipe's volumes
   * and the distributed AMIs. A block device's or the distribution's own `kmsKeyId`
   * takes precedence for that volume or region.
   * @default - AWS managed keys (every volume and AMI is still encrypted)
   */
  readonly kmsKeyId?: string;
  /**
   * Source commit of this configuration, tagged on distributed AMIs.
   * @default - no source commit tag
   */
  readonly sourceCommit?: string;
  /**
   * Maximum time Terraform waits for the image build and tests, in minutes (30 to 1440).
   * @default 120
   */
  readonly buildTimeoutMinutes?: number;
  /**
   * Tags of every resource the pipeline creates.
   * @default - none
   */
  readonly tags?: { readonly [key: string]: string };
}

/** Distribution AMI tags the user may add: Image Builder allows 50 per AMI, and the library adds up to 5. */
const MAX_USER_AMI_TAGS = 45;

/**
 * An EC2 Image Builder AMI pipeline whose versions come from content.
 *
 * - Components (inline, file or AWS-managed) and the recipe are versioned `1.0.<n>`
 *   from a hash of everything they are made of, under fixed names: a change is a new
 *   version created before the old one is destroyed (never ResourceAlreadyExists, never
 *   ResourceDependencyException), unchanged content is no diff.
 * - One image (`aws_imagebuilder_image`, id `Resource`) per recipe version is built
 *   during apply with image tests enabled; its AMI id (in the build region) is exported
 *   as {@link amiId} and a Terraform output. Consumers take it through
 *   `ImageSource.fromPipeline(pipeline)`.
 * - Every build, Terraform's and the scheduled ones, publishes its AMI id to the SSM
 *   parameter {@link amiParameterName} in each distribution region (the distribution's
 *   `ssm_parameter_configuration`, written with an execution role that may put exactly
 *   that parameter), and tags the AMI with its recipe version and build date; release
 *   files take it with `release stage <env> --from-pipeline <name>`.
 * - Builds run on an infrastructure configuration with IMDSv2 required, a
 *   least-privilege instance profile and terminate-on-failure; volumes are encrypted.
 * - Optional scheduled pipeline for patch rebuilds, and a lifecycle policy that keeps
 *   the newest images and every image tagged in use.
 *
 * Unlike Image Builder's launch template distribution, the pipeline never edits launch
 * templates: Terraform owns them, and they receive the AMI through an image source.
 *
 * It composes one construct per Image Builder resource ({@link ImageRecipe},
 * {@link InfrastructureConfiguration}, {@link DistributionConfiguration}, {@link Image},
 * {@link ImagePipeline}, {@link LifecyclePolicy}, and the components of
 * {@link ImageComponent.bind}), each created in this scope with the id it always had,
 * so that every Terraform address stays the same across library versions.
 */
export class AmiPipeline extends Construct implements IAmiPipeline {
  /**
   * An AMI pipeline defined in another app or repository, known by its name: its AMI id
   * is read at plan time from the SSM parameter it publishes to (a data source in this
   * construct), so a new build is a new generation of the consumers, as with
   * `ImageSource.fromSsmParameter`. `platform` and `blockDevices` tell the consumers the
   * image's root device and volume sizes.
   */
  public static fromAmiPipelineAttributes(scope: Construct, id: string, attrs: AmiPipelineAttributes): IAmiPipeline {
    class Import extends Construct implements IAmiPipeline {
      public readonly name: string;
      public readonly amiId: string;
      public readonly amiParameterName: string;
      private readonly layout: ImageLayout;

      constructor() {
        super(scope, id);
        const check = new Validator(this);
        validateName(check, attrs.name);
        validateAmiParameterPath(check, 'amiParameterName', attrs.amiParameterName);
        check.oneOf('platform', attrs.platform, ['Linux', 'Windows']);
        validateBlockDevices(check, 'blockDevices', attrs.blockDevices);
        this.name = attrs.name;
        this.amiParameterName = attrs.amiParameterName ?? defaultAmiParameterName(attrs.name);
        this.amiId = new DataAwsSsmParameter(this, 'AmiParameter', { name: this.amiParameterName }).insecureValue;
        this.layout = imageLayout(attrs.platform ?? 'Linux', attrs.blockDevices);
      }

      public bindImage(): ImageSourceConfig {
        return { imageId: this.amiId, replaceTriggeredBy: [], description: `pipeline:${this.name}`, ...this.layout };
      }
    }
    return new Import();
  }

  /** The pipeline name. */
  public readonly name: string;
  /** AMI id of the image built by Terraform, in the build region (a token). */
  public readonly amiId: string;
  /** ARN of the Image Builder image built by Terraform (a token). */
  public readonly imageArn: string;
  /** Name of the SSM parameter holding the AMI id of the newest build (in each distribution region). */
  public readonly amiParameterName: string;
  /** The recipe version, `1.0.<n>` (a Terraform expression when the parent image is a token). */
  public readonly recipeVersion: string;
  /** The recipe generation: the content hash behind {@link recipeVersion}. */
  public readonly generation: Generation;
  /** ARN of the scheduled Image Builder pipeline, when there is a schedule. */
  public readonly pipelineArn?: string;

  /** The image built by Terraform: its replacement is a new image for the consumers. */
  private readonly image: Image;
  /** The root device and volumes of the images. */
  private readonly layout: ImageLayout;

  public constructor(scope: Construct, id: string, props: AmiPipelineProps) {
    super(scope, id);
    ImmutabilityAspect.enable(this);
    const name = props.name ?? defaultPipelineName(this);
    validateProps(new Validator(this), name, props);
    this.name = name;
    const platform = props.platform ?? 'Linux';
    const tags = props.tags && Object.keys(props.tags).length > 0 ? { ...props.tags } : undefined;
    const arnPrefix = lazyArnPrefix(this);

    const recipe = this.buildRecipe(props, platform, tags);
    this.generation = recipe.generation;
    this.recipeVersion = recipe.recipeVersion;
    const infrastructure = this.buildInfrastructure(props.buildInfrastructure ?? {}, tags, arnPrefix);
    this.amiParameterName = props.amiParameterName ?? defaultAmiParameterName(name);
    const distribution = this.buildDistribution(props, recipe, tags);
    // Image Builder writes the AMI parameter with the execution role of each build.
    const execution = buildExecutionRole(this, name, this.amiParameterName, distribution.regions, tags, arnPrefix);
    const build = {
      imageRecipeArn: recipe.arn,
      infrastructureConfigurationArn: infrastructure.arn,
      distributionConfigurationArn: distribution.arn,
      executionRoleArn: execution.roleArn,
      dependsOn: [...infrastructure.dependencies, ...execution.dependencies],
    };

    // The image built during apply, one per recipe version. It carries the in-use tag:
    // Terraform state, the SSM parameter and the output reference it, so retention must
    // never delete it from under Terraform, however many scheduled builds follow it.
    const retention = props.retention ?? ImageRetention.keepLast();
    const inUse = retention.inUseTag ? { [retention.inUseTag.key]: retention.inUseTag.value } : undefined;
    this.image = new Image(this, 'Resource', {
      ...build,
      dependsOn: [...build.dependsOn],
      buildTimeoutMinutes: props.buildTimeoutMinutes,
      tags: { ...tags, ...inUse, [IMAGE_TAG_KEYS.pipeline]: name, [IMAGE_TAG_KEYS.generation]: recipe.generation.hash },
    });
    this.layout = imageLayout(platform, props.blockDevices);
    this.imageArn = this.image.arn;
    this.amiId = this.image.amiId;
    publishAmiId(this, name, this.amiParameterName, this.amiId, tags);

    if (props.schedule) {
      this.pipelineArn = new ImagePipeline(this, 'Pipeline', {
        ...build,
        dependsOn: [...build.dependsOn],
        name,
        schedule: props.schedule,
        tags: { ...tags, [IMAGE_TAG_KEYS.pipeline]: name },
      }).arn;
    }
    if (retention.count !== undefined) {
      this.buildLifecyclePolicy(retention, recipe, tags, arnPrefix);
    }
  }

  /**
   * The AMI id, replace_triggered_by on the image resource for a consumer in this
   * pipeline's stack, and the images' root device and volumes.
   */
  public bindImage(scope: Construct): ImageSourceConfig {
    return {
      imageId: this.amiId,
      replaceTriggeredBy: replacementTriggers(this.image, scope),
      description: `pipeline:${this.name}`,
      ...this.layout,
    };
  }

  /** The components (bound in this pipeline) and the recipe (id `Recipe`). */
  private buildRecipe(
    props: AmiPipelineProps,
    platform: AmiPlatform,
    tags: Record<string, string> | undefined,
  ): ImageRecipe {
    const components = props.components.map((component) =>
      component.bind(this, { pipelineName: this.name, platform, kmsKeyId: props.kmsKeyId, tags }),
    );
    return new ImageRecipe(this, 'Recipe', {
      name: this.name,
      parentImage: props.parentImage.bind(this).parentImage,
      components,
      platform,
      blockDevices: props.blockDevices,
      kmsKeyId: props.kmsKeyId,
      workingDirectory: props.workingDirectory,
      amiTags: { [IMAGE_TAG_KEYS.pipeline]: this.name },
      tags,
    });
  }

  /**
   * The build instances' configuration (id `Infrastructure`), with an owned instance
   * profile unless `instanceProfileName` names one; `dependencies` are what a build
   * waits for (the owned profile's policies).
   */
  private buildInfrastructure(
    infra: AmiBuildInfrastructureProps,
    tags: Record<string, string> | undefined,
    arnPrefix: () => string,
  ): { readonly arn: string; readonly dependencies: ITerraformDependable[] } {
    const owned =
      infra.instanceProfileName === undefined
        ? buildInstanceProfile(this, this.name, infra.logging, tags, arnPrefix)
        : undefined;
    const infrastructure = new InfrastructureConfiguration(this, 'Infrastructure', {
      ...infra,
      name: this.name,
      instanceProfileName: infra.instanceProfileName ?? owned!.instanceProfileName,
      tags,
    });
    return { arn: infrastructure.arn, dependencies: owned?.dependencies ?? [] };
  }

  /** The distribution (id `Distribution`) to `regions` (the provider's when not given). */
  private buildDistribution(
    props: AmiPipelineProps,
    recipe: ImageRecipe,
    tags: Record<string, string> | undefined,
  ): { readonly arn: string; readonly regions: readonly string[] } {
    const distribution = props.distribution ?? {};
    const regions = distribution.regions ?? [new DataAwsRegion(this, 'Region', {}).region];
    const configuration = new DistributionConfiguration(this, 'Distribution', {
      ...distribution,
      name: this.name,
      regions,
      // Static tags, the recipe version (a reference: the configuration follows the recipe
      // in place, before the new image builds) and Image Builder's build date; the
      // generation tag comes from the recipe.
      amiTags: {
        ...distribution.amiTags,
        [IMAGE_TAG_KEYS.pipeline]: this.name,
        [IMAGE_TAG_KEYS.recipeVersion]: recipe.version,
        [IMAGE_TAG_KEYS.builtAt]: '{{ imagebuilder:buildDate }}',
        ...(props.sourceCommit !== undefined ? { [IMAGE_TAG_KEYS.sourceCommit]: props.sourceCommit } : {}),
      },
      amiParameterName: this.amiParameterName,
      kmsKeyId: distribution.kmsKeyId ?? props.kmsKeyId,
      tags,
    });
    return { arn: configuration.arn, regions };
  }

  /** The lifecycle policy (id `LifecyclePolicy`) that applies `retention`, with its own role. */
  private buildLifecyclePolicy(
    retention: ImageRetention,
    recipe: ImageRecipe,
    tags: Record<string, string> | undefined,
    arnPrefix: () => string,
  ): void {
    const role = buildLifecycleRole(this, this.name, tags, arnPrefix);
    new LifecyclePolicy(this, 'LifecyclePolicy', {
      name: this.name,
      retention,
      executionRoleArn: role.roleArn,
      recipeName: recipe.name,
      recipeVersion: recipe.version,
      tags,
      dependsOn: [role.attachment],
    });
  }
}

/** The pipeline's name, which names the recipe, the components and the other resources. */
function validateName(check: Validator, name: string): void {
  if (Token.isUnresolved(name) || !PIPELINE_NAME.test(name)) {
    check.fail(
      `name (${show(name)}) must be ${PIPELINE_NAME_RULE}, and known at synth; ` +
        'it names the recipe and the components (<name>-<component>).',
    );
  }
}

/**
 * The props that only the pipeline reads. The others are checked where they enter the
 * construct that uses them (ImageRecipe, InfrastructureConfiguration, ...), once.
 */
function validateProps(check: Validator, name: string, props: AmiPipelineProps): void {
  validateName(check, name);
  const seen = new Set<string>();
  props.components.forEach((component, i) => {
    const key = component.managedArn ?? component.name;
    if (seen.has(key)) {
      check.fail(
        `components[${i}] (${show(key)}) is listed twice; give every component a distinct name (fromFile({ name }) ` +
          `or fromInline(name, ...)).`,
      );
    }
    seen.add(key);
  });
  validateAmiParameterPath(check, 'amiParameterName', props.amiParameterName);
  const commit = props.sourceCommit;
  if (isLiteral(commit) && (commit.trim() === '' || commit.length > 256)) {
    check.fail(
      `sourceCommit (${show(commit)}) must be a non-empty tag value of at most 256 characters, such as the git ` +
        `commit hash.`,
    );
  }
  const amiTags = Object.keys(props.distribution?.amiTags ?? {}).length;
  if (amiTags > MAX_USER_AMI_TAGS) {
    check.fail(
      `distribution.amiTags has ${amiTags} tags; Image Builder allows 50 per AMI and the library adds up to 5: keep ` +
        `at most ${MAX_USER_AMI_TAGS}.`,
    );
  }
}
