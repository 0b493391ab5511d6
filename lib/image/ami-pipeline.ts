import { suppressCheckov } from '../private/checkov';
import { createHash } from 'crypto';
import { Fn, IResolvable, ITerraformDependable, TerraformIterator, TerraformOutput, TerraformStack, Token } from 'cdktf';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { ImagebuilderComponent } from '@cdktf/provider-aws/lib/imagebuilder-component';
import { ImagebuilderDistributionConfiguration } from '@cdktf/provider-aws/lib/imagebuilder-distribution-configuration';
import { ImagebuilderImage } from '@cdktf/provider-aws/lib/imagebuilder-image';
import { ImagebuilderImagePipeline } from '@cdktf/provider-aws/lib/imagebuilder-image-pipeline';
import { ImagebuilderImageRecipe, ImagebuilderImageRecipeBlockDeviceMapping } from '@cdktf/provider-aws/lib/imagebuilder-image-recipe';
import { ImagebuilderInfrastructureConfiguration } from '@cdktf/provider-aws/lib/imagebuilder-infrastructure-configuration';
import { ImagebuilderLifecyclePolicy } from '@cdktf/provider-aws/lib/imagebuilder-lifecycle-policy';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { Construct } from 'constructs';
import { Generation } from '../immutability/generation';
import { ImmutabilityAspect } from '../immutability/immutability-aspect';
import { ACCOUNT_ID, BUCKET_NAME, checkLiteral, fitPrefix, INSTANCE_TYPE, REGION, SECURITY_GROUP_ID, SUBNET_ID } from '../private/aws-ids';
import { registerImageProducer } from '../private/image-producers';
import { ImageComponent } from './image-component';
import { ImageRetention } from './image-retention';
import { ImageSchedule } from './image-schedule';
import { IMAGE_TAG_KEYS } from './image-tags';
import { ParentImage } from './parent-image';

/** Operating system family of the AMI (Image Builder component platform). */
export type AmiPlatform = 'Linux' | 'Windows';

/** EBS volume types. */
export type EbsVolumeType = 'gp2' | 'gp3' | 'io1' | 'io2' | 'sc1' | 'st1' | 'standard';

/** One EBS volume of the AMI. Volumes are always encrypted. */
export interface AmiBlockDevice {
  /** Device name, e.g. `/dev/xvda` (Amazon Linux root) or `/dev/sda1` (Ubuntu, Windows root). */
  readonly deviceName: string;
  /**
   * Size in GiB (1 to 65536).
   * @default - the size of the parent image's snapshot
   */
  readonly volumeSize?: number;
  /**
   * Volume type.
   * @default 'gp3'
   */
  readonly volumeType?: EbsVolumeType;
  /**
   * Provisioned IOPS (gp3, io1, io2 only).
   * @default - the volume type's baseline
   */
  readonly iops?: number;
  /**
   * Throughput in MiB/s (gp3 only).
   * @default - the gp3 baseline (125)
   */
  readonly throughput?: number;
  /**
   * KMS key (ARN or id) that encrypts the volume.
   * @default - the account's default EBS key
   */
  readonly kmsKeyId?: string;
  /**
   * Delete the volume when the instance terminates.
   * @default true
   */
  readonly deleteOnTermination?: boolean;
}

/** S3 bucket for the build logs. */
export interface AmiBuildLogging {
  /** Bucket name (the owned instance role may write to it under `keyPrefix`). */
  readonly bucketName: string;
  /**
   * Key prefix of the logs.
   * @default - the pipeline name
   */
  readonly keyPrefix?: string;
}

/** Where and how Image Builder runs the build and test instances. */
export interface AmiBuildInfrastructureProps {
  /**
   * Instance types to build on (Image Builder tries them in order).
   * @default - Image Builder's default for the parent image's architecture
   */
  readonly instanceTypes?: readonly string[];
  /**
   * Subnet of the build instances (requires `securityGroupIds`).
   * @default - a subnet of the default VPC
   */
  readonly subnetId?: string;
  /**
   * Security groups of the build instances.
   * @default - the default VPC's default security group
   */
  readonly securityGroupIds?: readonly string[];
  /**
   * An instance profile of your own. It needs the EC2InstanceProfileForImageBuilder
   * and AmazonSSMManagedInstanceCore managed policies (and s3:PutObject for logging).
   * @default - an owned role and instance profile with exactly those policies
   */
  readonly instanceProfileName?: string;
  /**
   * Write build logs to S3.
   * @default - no S3 logs (the logs stay in CloudWatch)
   */
  readonly logging?: AmiBuildLogging;
  /**
   * Terminate the build instance when the build fails. Set false only to debug a
   * failing build on the instance.
   * @default true
   */
  readonly terminateInstanceOnFailure?: boolean;
}

/** Where the AMI is distributed and how it is named, tagged and shared. */
export interface AmiDistributionProps {
  /**
   * Regions that receive the AMI. Include the build region: the AMI id that the
   * pipeline exports is the one in the build region.
   * @default - the region of the AWS provider
   */
  readonly regions?: readonly string[];
  /**
   * Base of the AMI name; the build date is appended (`<amiName>-{{ imagebuilder:buildDate }}`).
   * @default - the pipeline name
   */
  readonly amiName?: string;
  /**
   * Extra tags of the distributed AMIs.
   * @default - only the library's tags (pipeline, source commit)
   */
  readonly amiTags?: { readonly [key: string]: string };
  /**
   * AWS accounts allowed to launch the AMI.
   * @default - none (private to this account)
   */
  readonly launchPermissionAccountIds?: readonly string[];
  /**
   * AWS Organizations allowed to launch the AMI (organization ARNs).
   * @default - none
   */
  readonly launchPermissionOrganizationArns?: readonly string[];
  /**
   * Organizational units allowed to launch the AMI (OU ARNs).
   * @default - none
   */
  readonly launchPermissionOrganizationalUnitArns?: readonly string[];
  /**
   * KMS key used to encrypt the AMI copies in other regions.
   * @default - the default EBS key of each region
   */
  readonly kmsKeyId?: string;
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
   * Operating system family, for the owned components.
   * @default 'Linux'
   */
  readonly platform?: AmiPlatform;
  /**
   * EBS volumes of the AMI (always encrypted).
   * @default - one encrypted gp3 root volume: `/dev/xvda` on Linux, `/dev/sda1` on Windows
   */
  readonly blockDevices?: readonly AmiBlockDevice[];
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
   * SSM parameter that receives the AMI id of the image built by Terraform.
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
   * @default ImageRetention.keepLast(3) - both slots plus one, never deleting images tagged in use
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

const PIPELINE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/;
const AMI_NAME = /^[A-Za-z0-9()[\] ./'@_-]{3,100}$/;
const TAG_KEY = /^(?!aws:)[a-zA-Z0-9\s_.:/=+\-@]{1,128}$/;
const SSM_PATH = /^(\/[A-Za-z0-9_.-]+){1,15}$/;
const IAM_CHARS = /[^A-Za-z0-9+=,.@_-]+/g;
const MANAGED_POLICIES = ['EC2InstanceProfileForImageBuilder', 'AmazonSSMManagedInstanceCore'];

/**
 * An EC2 Image Builder AMI pipeline whose versions come from content.
 *
 * - Components (inline, file or AWS-managed) and the recipe are versioned `1.0.<n>`
 *   from a hash of everything they are made of, under fixed names: a change is a new
 *   version created before the old one is destroyed (never ResourceAlreadyExists, never
 *   ResourceDependencyException), unchanged content is no diff.
 * - One image (`aws_imagebuilder_image`, id `Resource`) per recipe version is built
 *   during apply with image tests enabled; its AMI id (in the build region) is exported
 *   as {@link amiId}, as a Terraform output and as an SSM parameter. Consumers take it
 *   through `ImageSource.fromPipeline(pipeline)`.
 * - Builds run on an infrastructure configuration with IMDSv2 required, a
 *   least-privilege instance profile and terminate-on-failure; volumes are encrypted.
 * - Optional scheduled pipeline for patch rebuilds, and a lifecycle policy that keeps
 *   the newest images and every image tagged in use.
 *
 * Unlike Image Builder's launch template distribution, the pipeline never edits launch
 * templates: Terraform owns them, and they receive the AMI through an image source.
 */
export class AmiPipeline extends Construct {
  /** The pipeline name. */
  public readonly name: string;
  /** AMI id of the image built by Terraform, in the build region (a token). */
  public readonly amiId: string;
  /** ARN of the Image Builder image built by Terraform (a token). */
  public readonly imageArn: string;
  /** Name of the SSM parameter holding {@link amiId}. */
  public readonly amiParameterName: string;
  /** The recipe version, `1.0.<n>` (a Terraform expression when the parent image is a token). */
  public readonly recipeVersion: string;
  /** The recipe generation: the content hash behind {@link recipeVersion}. */
  public readonly generation: Generation;
  /** ARN of the scheduled Image Builder pipeline, when there is a schedule. */
  public readonly pipelineArn?: string;

  public constructor(scope: Construct, id: string, props: AmiPipelineProps) {
    super(scope, id);
    ImmutabilityAspect.enable(this);

    const name = props.name ?? defaultName(this);
    validateProps(name, props);
    this.name = name;
    const platform = props.platform ?? 'Linux';
    const tags = props.tags && Object.keys(props.tags).length > 0 ? { ...props.tags } : undefined;
    const infra = props.buildInfrastructure ?? {};
    const distribution = props.distribution ?? {};
    // Partition-correct ARNs of the AWS managed policies, read only when a policy is attached.
    let partition: DataAwsPartition | undefined;
    const arnPrefix = (): string => `arn:${(partition ??= new DataAwsPartition(this, 'Partition', {})).partition}`;

    // Components: fixed names, content versions.
    const recipeComponents = props.components.map((component) => {
      const parameter = Object.keys(component.parameters).sort().map((key) => ({ name: key, value: component.parameters[key] }));
      if (component.managedArn !== undefined) {
        return { ref: { arn: component.managedArn, parameter }, arn: component.managedArn };
      }
      const content = {
        name: `${name}-${component.name}`,
        platform,
        data: component.document,
        description: component.description,
        kmsKeyId: props.kmsKeyId,
      };
      const version = Generation.of(this, { type: 'aws_imagebuilder_component', ...content }).semanticVersion;
      const resource = new ImagebuilderComponent(this, `Component-${component.name}`, { ...content, version, tags });
      return { ref: { name: content.name, version, parameter }, arn: resource.arn };
    });

    // Recipe: its version is the hash of everything it is made of.
    const parent = props.parentImage.bind(this);
    const blockDeviceMapping = (props.blockDevices ?? [{ deviceName: platform === 'Windows' ? '/dev/sda1' : '/dev/xvda' }]).map((device) => blockDevice(device, props.kmsKeyId));
    const recipeContent = {
      name,
      description: `AMI recipe of ${name} (cdktf-immutable)`,
      parentImage: parent.parentImage,
      blockDeviceMapping,
      workingDirectory: props.workingDirectory,
    };
    const generation = Generation.of(this, {
      type: 'aws_imagebuilder_image_recipe',
      ...recipeContent,
      components: recipeComponents.map((c) => c.ref),
    });
    this.generation = generation;
    this.recipeVersion = generation.semanticVersion;
    const recipe = new ImagebuilderImageRecipe(this, 'Recipe', {
      ...recipeContent,
      version: this.recipeVersion,
      component: recipeComponents.map((c) => ({ componentArn: c.arn, parameter: c.ref.parameter.length > 0 ? c.ref.parameter : undefined })),
      // The generation is a function of the content above, so it can be part of the recipe.
      amiTags: { [IMAGE_TAG_KEYS.generation]: generation.hash, [IMAGE_TAG_KEYS.pipeline]: name },
      tags,
    });

    // Build infrastructure: least privilege, IMDSv2, terminate on failure.
    const dependencies: ITerraformDependable[] = [];
    let instanceProfileName = infra.instanceProfileName;
    if (instanceProfileName === undefined) {
      const role = new IamRole(this, 'InstanceRole', {
        namePrefix: fitPrefix(name, '-ib-', 38, IAM_CHARS),
        description: `Image Builder build and test instances of ${name}`,
        assumeRolePolicy: JSON.stringify(trustPolicy('ec2.amazonaws.com')),
        tags,
      });
      for (const policy of MANAGED_POLICIES) {
        dependencies.push(new IamRolePolicyAttachment(this, policy, { role: role.name, policyArn: `${arnPrefix()}:iam::aws:policy/${policy}` }));
      }
      if (infra.logging) {
        const prefix = infra.logging.keyPrefix ?? name;
        dependencies.push(new IamRolePolicy(this, 'LogPolicy', {
          role: role.id,
          name: 'build-logs',
          policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: `${arnPrefix()}:s3:::${infra.logging.bucketName}/${prefix}/*` }],
          }),
        }));
      }
      instanceProfileName = new IamInstanceProfile(this, 'InstanceProfile', {
        namePrefix: fitPrefix(name, '-ib-', 38, IAM_CHARS),
        role: role.name,
        tags,
      }).name;
    }
    const infrastructure = new ImagebuilderInfrastructureConfiguration(this, 'Infrastructure', {
      name,
      description: `Build infrastructure of ${name}`,
      instanceProfileName,
      instanceTypes: infra.instanceTypes ? [...infra.instanceTypes] : undefined,
      subnetId: infra.subnetId,
      securityGroupIds: infra.securityGroupIds ? [...infra.securityGroupIds] : undefined,
      terminateInstanceOnFailure: infra.terminateInstanceOnFailure ?? true,
      instanceMetadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
      logging: infra.logging ? { s3Logs: { s3BucketName: infra.logging.bucketName, s3KeyPrefix: infra.logging.keyPrefix ?? name } } : undefined,
      resourceTags: tags,
      tags,
    });

    // Distribution: name with the build date, static tags (the generation tag comes from the recipe).
    const regions = distribution.regions ? [...distribution.regions] : [new DataAwsRegion(this, 'Region', {}).region];
    const amiTags: Record<string, string> = { ...distribution.amiTags, [IMAGE_TAG_KEYS.pipeline]: name };
    if (props.sourceCommit !== undefined) {
      amiTags[IMAGE_TAG_KEYS.sourceCommit] = props.sourceCommit;
    }
    const launchPermission = distribution.launchPermissionAccountIds || distribution.launchPermissionOrganizationArns || distribution.launchPermissionOrganizationalUnitArns
      ? {
        userIds: optionalList(distribution.launchPermissionAccountIds),
        organizationArns: optionalList(distribution.launchPermissionOrganizationArns),
        organizationalUnitArns: optionalList(distribution.launchPermissionOrganizationalUnitArns),
      }
      : undefined;
    const distributionConfiguration = new ImagebuilderDistributionConfiguration(this, 'Distribution', {
      name,
      description: `Distribution of ${name}`,
      distribution: regions.map((region) => ({
        region,
        amiDistributionConfiguration: {
          name: `${distribution.amiName ?? name}-{{ imagebuilder:buildDate }}`,
          description: `${name} (cdktf-immutable)`,
          amiTags,
          kmsKeyId: distribution.kmsKeyId ?? props.kmsKeyId,
          launchPermission,
        },
      })),
      tags,
    });

    // The image built during apply, one per recipe version. It carries the in-use tag:
    // Terraform state, the SSM parameter and the output reference it, so retention must
    // never delete it from under Terraform, however many scheduled builds follow it.
    const retention = props.retention ?? ImageRetention.keepLast();
    const inUseTag = retention.inUseTag;
    const inUse = inUseTag ? { [inUseTag.key]: inUseTag.value } : undefined;
    const image = new ImagebuilderImage(this, 'Resource', {
      imageRecipeArn: recipe.arn,
      infrastructureConfigurationArn: infrastructure.arn,
      distributionConfigurationArn: distributionConfiguration.arn,
      imageTestsConfiguration: { imageTestsEnabled: true },
      enhancedImageMetadataEnabled: true,
      tags: { ...tags, ...inUse, [IMAGE_TAG_KEYS.pipeline]: name, [IMAGE_TAG_KEYS.generation]: generation.hash },
      timeouts: { create: `${props.buildTimeoutMinutes ?? 120}m` },
      dependsOn: dependencies.length > 0 ? dependencies : undefined,
    });
    registerImageProducer(this, image);
    this.imageArn = image.arn;
    // The AMI in the build region (the image's own region), whatever the order of the
    // distribution regions: [for ami in amis : ami.image if ami.region == image.region][0]
    const amis = TerraformIterator.fromList(image.outputResources.get(0).amis as unknown as IResolvable);
    this.amiId = Token.asString(Fn.element(Token.asList(amis.forExpressionForList(`val.image if val.region == ${image.region}`)), 0));

    this.amiParameterName = props.amiParameterName ?? `/images/${name}/ami-id`;
    const parameter = new SsmParameter(this, 'AmiParameter', {
      name: this.amiParameterName,
      description: `AMI id built by the ${name} image pipeline`,
      type: 'String',
      dataType: 'aws:ec2:image',
      value: this.amiId,
      tags,
    });
    suppressCheckov(parameter, 'CKV2_AWS_34', 'an AMI id is public metadata, not a secret, and SSM validates the aws:ec2:image data type only for String parameters (SecureString cannot carry it)');
    new TerraformOutput(this, 'AmiId', { value: this.amiId, description: `AMI id built by the ${name} image pipeline` });

    if (props.schedule) {
      this.pipelineArn = new ImagebuilderImagePipeline(this, 'Pipeline', {
        name,
        description: `Scheduled rebuilds of ${name}`,
        imageRecipeArn: recipe.arn,
        infrastructureConfigurationArn: infrastructure.arn,
        distributionConfigurationArn: distributionConfiguration.arn,
        imageTestsConfiguration: { imageTestsEnabled: true },
        enhancedImageMetadataEnabled: true,
        schedule: {
          scheduleExpression: props.schedule.expression,
          pipelineExecutionStartCondition: props.schedule.startCondition,
          timezone: props.schedule.timezone,
        },
        status: 'ENABLED',
        tags: { ...tags, [IMAGE_TAG_KEYS.pipeline]: name },
        dependsOn: dependencies.length > 0 ? dependencies : undefined,
      }).arn;
    }

    if (retention.count !== undefined && inUseTag !== undefined) {
      const role = new IamRole(this, 'LifecycleRole', {
        namePrefix: fitPrefix(name, '-lc-', 38, IAM_CHARS),
        description: `Image Builder lifecycle policy of ${name}`,
        assumeRolePolicy: JSON.stringify(trustPolicy('imagebuilder.amazonaws.com')),
        tags,
      });
      const attachment = new IamRolePolicyAttachment(this, 'LifecycleExecutionPolicy', {
        role: role.name,
        policyArn: `${arnPrefix()}:iam::aws:policy/service-role/EC2ImageBuilderLifecycleExecutionPolicy`,
      });
      new ImagebuilderLifecyclePolicy(this, 'LifecyclePolicy', {
        name,
        description: `Keep the ${retention.count} newest images of ${name} and every image tagged ${inUseTag.key}=${inUseTag.value}`,
        executionRole: role.arn,
        resourceType: 'AMI_IMAGE',
        status: 'ENABLED',
        policyDetail: [{
          action: [{ type: 'DELETE', includeResources: [{ amis: true, snapshots: true }] }],
          filter: [{ type: 'COUNT', value: retention.count }],
          // isPublic explicit: the API returns it, and an absent value plans a perpetual diff.
          exclusionRules: [{ tagMap: inUse, amis: [{ isPublic: false, tagMap: inUse }] }],
        }],
        // The current recipe version, followed in place like the pipeline follows it.
        // AWS now accepts "1.0.x" (every version), but AWS provider 6.25 still validates
        // semantic_version without wildcards.
        resourceSelection: [{ recipe: [{ name: recipe.name, semanticVersion: recipe.version }] }],
        tags,
        dependsOn: [attachment],
      });
    }
  }
}

function blockDevice(device: AmiBlockDevice, defaultKmsKeyId: string | undefined): ImagebuilderImageRecipeBlockDeviceMapping {
  return {
    deviceName: device.deviceName,
    ebs: {
      encrypted: 'true',
      deleteOnTermination: String(device.deleteOnTermination ?? true),
      volumeSize: device.volumeSize,
      volumeType: device.volumeType ?? 'gp3',
      iops: device.iops,
      throughput: device.throughput,
      kmsKeyId: device.kmsKeyId ?? defaultKmsKeyId,
    },
  };
}

function trustPolicy(service: string): unknown {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  };
}

function optionalList(list: readonly string[] | undefined): string[] | undefined {
  return list && list.length > 0 ? [...list] : undefined;
}

/** `<stack>-<path below the stack>`, within the pipeline name rule. */
function defaultName(construct: Construct): string {
  const stack = TerraformStack.of(construct);
  const below = construct.node.scopes.slice(construct.node.scopes.indexOf(stack) + 1).map((c) => c.node.id);
  const raw = [stack.node.id, ...below].join('-');
  let name = raw.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/-{2,}/g, '-').replace(/^[-_]+|-+$/g, '');
  if (name.length > 64) {
    name = `${name.slice(0, 59).replace(/-+$/, '')}-${createHash('sha256').update(raw).digest('hex').slice(0, 4)}`;
  }
  return name.length >= 3 ? name : `${name}-ami`.replace(/^-/, '');
}

function validateProps(name: string, props: AmiPipelineProps): void {
  if (Token.isUnresolved(name) || !PIPELINE_NAME.test(name)) {
    throw new Error(`AmiPipeline: name ("${name}") must be 3 to 64 letters, digits, "_" or "-", starting with a letter or digit; it names the recipe and the components (<name>-<component>).`);
  }
  if (props.components.length === 0) {
    throw new Error('AmiPipeline: components is empty; give at least one ImageComponent (e.g. ImageComponent.fromFile(...) or ImageComponent.fromManagedArn(".../update-linux/x.x.x")).');
  }
  const seen = new Set<string>();
  for (const component of props.components) {
    const key = component.managedArn ?? component.name;
    if (seen.has(key)) {
      throw new Error(`AmiPipeline: components has "${key}" twice; give every component a distinct name (fromFile({ name }) or fromInline(name, ...)).`);
    }
    seen.add(key);
  }
  const platform = props.platform ?? 'Linux';
  if (platform !== 'Linux' && platform !== 'Windows') {
    throw new Error(`AmiPipeline: platform ("${platform}") must be "Linux" or "Windows".`);
  }
  validateBlockDevices(props.blockDevices);
  const dir = props.workingDirectory;
  if (dir !== undefined && !Token.isUnresolved(dir)) {
    const ok = platform === 'Windows' ? /^[A-Za-z]:\\/.test(dir) : /^\/[^\0]*$/.test(dir);
    if (!ok) {
      throw new Error(`AmiPipeline: workingDirectory ("${dir}") must be an absolute path on ${platform}, e.g. ${platform === 'Windows' ? 'C:\\\\build' : '/var/build'}.`);
    }
  }
  validateInfrastructure(props.buildInfrastructure ?? {});
  validateDistribution(props.distribution ?? {});
  const parameter = props.amiParameterName;
  if (parameter !== undefined && !Token.isUnresolved(parameter)) {
    if (!SSM_PATH.test(parameter) || parameter.length > 1011 || /^\/(aws|ssm)/i.test(parameter)) {
      throw new Error(`AmiPipeline: amiParameterName ("${parameter}") must be an SSM parameter path such as /images/web/ami-id: "/"-separated segments of letters, digits, "_", "." and "-", at most 15 levels and 1011 characters, not starting with /aws or /ssm.`);
    }
  }
  const timeout = props.buildTimeoutMinutes;
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 30 || timeout > 1440)) {
    throw new Error(`AmiPipeline: buildTimeoutMinutes (${timeout}) must be an integer from 30 to 1440.`);
  }
  const commit = props.sourceCommit;
  if (commit !== undefined && !Token.isUnresolved(commit) && (commit.trim() === '' || commit.length > 256)) {
    throw new Error(`AmiPipeline: sourceCommit ("${commit}") must be a non-empty tag value of at most 256 characters, e.g. the git commit hash.`);
  }
}

function validateBlockDevices(devices: readonly AmiBlockDevice[] | undefined): void {
  if (devices === undefined) {
    return;
  }
  if (devices.length === 0) {
    throw new Error('AmiPipeline: blockDevices is empty; omit it for the default encrypted root volume, or list the volumes.');
  }
  const names = new Set<string>();
  for (const device of devices) {
    const at = `blockDevices "${device.deviceName}"`;
    if (!/^(\/dev\/)?[a-z0-9]+$/.test(device.deviceName)) {
      throw new Error(`AmiPipeline: deviceName ("${device.deviceName}") must be a device name such as /dev/xvda, /dev/sda1 or xvdb.`);
    }
    if (names.has(device.deviceName)) {
      throw new Error(`AmiPipeline: blockDevices has deviceName "${device.deviceName}" twice; each device appears once.`);
    }
    names.add(device.deviceName);
    if (device.volumeSize !== undefined && (!Number.isInteger(device.volumeSize) || device.volumeSize < 1 || device.volumeSize > 65536)) {
      throw new Error(`AmiPipeline: ${at} volumeSize (${device.volumeSize}) must be an integer number of GiB from 1 to 65536.`);
    }
    const type = device.volumeType ?? 'gp3';
    if (device.iops !== undefined && !['gp3', 'io1', 'io2'].includes(type)) {
      throw new Error(`AmiPipeline: ${at} sets iops (${device.iops}) on volumeType "${type}"; iops applies to gp3, io1 and io2 only.`);
    }
    if (device.throughput !== undefined && type !== 'gp3') {
      throw new Error(`AmiPipeline: ${at} sets throughput (${device.throughput}) on volumeType "${type}"; throughput applies to gp3 only.`);
    }
  }
}

function validateInfrastructure(infra: AmiBuildInfrastructureProps): void {
  if (infra.instanceTypes !== undefined) {
    if (infra.instanceTypes.length === 0) {
      throw new Error('AmiPipeline: buildInfrastructure.instanceTypes is empty; omit it for Image Builder\'s default or list instance types such as "t3.medium".');
    }
    for (const type of infra.instanceTypes) {
      checkLiteral(type, INSTANCE_TYPE, (v) => `AmiPipeline: buildInfrastructure.instanceTypes has "${v}", which is not an instance type such as "t3.medium" or "m7g.large".`);
    }
  }
  if (infra.subnetId !== undefined) {
    checkLiteral(infra.subnetId, SUBNET_ID, (v) => `AmiPipeline: buildInfrastructure.subnetId ("${v}") is not a subnet id such as subnet-0123456789abcdef0.`);
    if (!infra.securityGroupIds || infra.securityGroupIds.length === 0) {
      throw new Error('AmiPipeline: buildInfrastructure.subnetId is set without securityGroupIds; Image Builder needs security groups of the subnet\'s VPC as well.');
    }
  }
  for (const group of infra.securityGroupIds ?? []) {
    checkLiteral(group, SECURITY_GROUP_ID, (v) => `AmiPipeline: buildInfrastructure.securityGroupIds has "${v}", which is not a security group id such as sg-0123456789abcdef0.`);
  }
  if (infra.logging) {
    checkLiteral(infra.logging.bucketName, BUCKET_NAME, (v) => `AmiPipeline: buildInfrastructure.logging.bucketName ("${v}") is not an S3 bucket name (3 to 63 lowercase letters, digits, "." and "-").`);
    const prefix = infra.logging.keyPrefix;
    if (prefix !== undefined && !Token.isUnresolved(prefix) && (prefix === '' || prefix.startsWith('/') || prefix.endsWith('/'))) {
      throw new Error(`AmiPipeline: buildInfrastructure.logging.keyPrefix ("${prefix}") must be a non-empty key prefix without leading or trailing "/", e.g. "image-builder/web".`);
    }
  }
}

function validateDistribution(distribution: AmiDistributionProps): void {
  const regions = distribution.regions;
  if (regions !== undefined) {
    if (regions.length === 0) {
      throw new Error('AmiPipeline: distribution.regions is empty; list at least the build region, e.g. ["eu-west-1"], or omit it to distribute in the provider\'s region.');
    }
    const seen = new Set<string>();
    for (const region of regions) {
      checkLiteral(region, REGION, (v) => `AmiPipeline: distribution.regions has "${v}", which is not a region name such as "eu-west-1".`);
      if (seen.has(region)) {
        throw new Error(`AmiPipeline: distribution.regions has "${region}" twice; list each region once.`);
      }
      seen.add(region);
    }
  }
  const amiName = distribution.amiName;
  if (amiName !== undefined && !Token.isUnresolved(amiName) && !AMI_NAME.test(amiName)) {
    throw new Error(`AmiPipeline: distribution.amiName ("${amiName}") must be 3 to 100 letters, digits, spaces or ( ) [ ] . / - ' @ _; the build date is appended.`);
  }
  const amiTags = distribution.amiTags ?? {};
  if (Object.keys(amiTags).length > 45) {
    throw new Error(`AmiPipeline: distribution.amiTags has ${Object.keys(amiTags).length} tags; Image Builder allows 50 per AMI, and the library adds up to 5.`);
  }
  for (const key of Object.keys(amiTags)) {
    if (!TAG_KEY.test(key)) {
      throw new Error(`AmiPipeline: distribution.amiTags key ("${key}") must be 1 to 128 letters, digits, spaces or _ . : / = + - @, not starting with "aws:".`);
    }
  }
  for (const account of distribution.launchPermissionAccountIds ?? []) {
    checkLiteral(account, ACCOUNT_ID, (v) => `AmiPipeline: distribution.launchPermissionAccountIds has "${v}", which is not a 12-digit AWS account id.`);
  }
  for (const arn of distribution.launchPermissionOrganizationArns ?? []) {
    checkLiteral(arn, /^arn:aws[a-z-]*:organizations::\d{12}:organization\/o-[a-z0-9]{10,32}$/, (v) => `AmiPipeline: distribution.launchPermissionOrganizationArns has "${v}", which is not an organization ARN (arn:aws:organizations::<account>:organization/o-...).`);
  }
  for (const arn of distribution.launchPermissionOrganizationalUnitArns ?? []) {
    checkLiteral(arn, /^arn:aws[a-z-]*:organizations::\d{12}:ou\/o-[a-z0-9]{10,32}\/ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$/, (v) => `AmiPipeline: distribution.launchPermissionOrganizationalUnitArns has "${v}", which is not an organizational unit ARN (arn:aws:organizations::<account>:ou/o-.../ou-...).`);
  }
}
