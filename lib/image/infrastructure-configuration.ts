import { Token } from 'cdktf';
import * as provider from '@cdktf/provider-aws/lib/imagebuilder-infrastructure-configuration';
import { Construct } from 'constructs';
import { BUCKET_NAME, INSTANCE_TYPE, SECURITY_GROUP_ID, SUBNET_ID } from '../private/aws-ids';
import { unknownInstanceType } from '../private/instance-type-names';
import { isLiteral, show, Validator } from '../private/validation';
import { IMAGE_BUILDER_NAME, IMAGE_BUILDER_NAME_RULE } from './private/patterns';

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

/** Where and how Image Builder runs the build and test instances (`AmiPipeline` `buildInfrastructure`). */
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

/** Properties of {@link InfrastructureConfiguration}. */
export interface InfrastructureConfigurationProps extends AmiBuildInfrastructureProps {
  /** Name (3 to 128 letters, digits, `_`, `-` or spaces). Also the default log key prefix. */
  readonly name: string;
  /**
   * The instance profile of the build and test instances. It needs the
   * EC2InstanceProfileForImageBuilder and AmazonSSMManagedInstanceCore managed policies
   * (and s3:PutObject on the log prefix with `logging`).
   */
  readonly instanceProfileName: string;
  /**
   * Description.
   * @default `Build infrastructure of <name>`
   */
  readonly description?: string;
  /**
   * Tags of the configuration and of the build instances it launches.
   * @default - none
   */
  readonly tags?: { readonly [key: string]: string };
}

/**
 * An `aws_imagebuilder_infrastructure_configuration` with the library's security
 * defaults: IMDSv2 required (hop limit 1) and terminate-on-failure. Updated in place.
 *
 * It extends the provider resource instead of wrapping it (a deliberate difference
 * from @aws-cdk/aws-imagebuilder-alpha), so that `AmiPipeline`'s configuration keeps
 * the Terraform address it always had (`<pipeline>/Infrastructure`).
 */
export class InfrastructureConfiguration extends provider.ImagebuilderInfrastructureConfiguration {
  public constructor(scope: Construct, id: string, props: InfrastructureConfigurationProps) {
    super(scope, id, {
      name: props.name,
      description: props.description ?? `Build infrastructure of ${props.name}`,
      instanceProfileName: props.instanceProfileName,
      instanceTypes: props.instanceTypes ? [...props.instanceTypes] : undefined,
      subnetId: props.subnetId,
      securityGroupIds: props.securityGroupIds ? [...props.securityGroupIds] : undefined,
      terminateInstanceOnFailure: props.terminateInstanceOnFailure ?? true,
      instanceMetadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
      logging: props.logging
        ? { s3Logs: { s3BucketName: props.logging.bucketName, s3KeyPrefix: props.logging.keyPrefix ?? props.name } }
        : undefined,
      resourceTags: props.tags,
      tags: props.tags,
    });
    validate(new Validator(this), props);
  }
}

function validate(check: Validator, props: InfrastructureConfigurationProps): void {
  check.pattern('name', props.name, IMAGE_BUILDER_NAME, IMAGE_BUILDER_NAME_RULE);
  if (props.instanceTypes !== undefined) {
    check.nonEmptyList(
      'instanceTypes',
      props.instanceTypes,
      'omit it for Image Builder\'s default or list instance types such as "t3.medium"',
    );
    check.eachPattern(
      'instanceTypes',
      props.instanceTypes,
      INSTANCE_TYPE,
      'an EC2 instance type such as t3.medium or m7g.large',
    );
    if (!Token.isUnresolved(props.instanceTypes)) {
      props.instanceTypes.forEach((type, i) => {
        const problem = isLiteral(type) ? unknownInstanceType(type) : undefined;
        if (problem) {
          check.warn(`instanceTypes[${i}] (${show(type)}) ${problem}`);
        }
      });
    }
  }
  check.pattern('subnetId', props.subnetId, SUBNET_ID, 'a subnet id such as subnet-0123456789abcdef0');
  if (
    props.subnetId !== undefined &&
    (props.securityGroupIds === undefined || (isLiteral(props.securityGroupIds) && props.securityGroupIds.length === 0))
  ) {
    check.fail(
      `subnetId (${show(props.subnetId)}) is set without securityGroupIds; Image Builder needs security groups of ` +
        `the subnet's VPC as well: add securityGroupIds.`,
    );
  }
  check.eachPattern(
    'securityGroupIds',
    props.securityGroupIds,
    SECURITY_GROUP_ID,
    'a security group id such as sg-0123456789abcdef0',
  );
  if (props.logging) {
    check.pattern(
      'logging.bucketName',
      props.logging.bucketName,
      BUCKET_NAME,
      'an S3 bucket name (3 to 63 lowercase letters, digits, "." and "-")',
    );
    const prefix = props.logging.keyPrefix;
    if (isLiteral(prefix) && (prefix === '' || prefix.startsWith('/') || prefix.endsWith('/'))) {
      check.fail(
        `logging.keyPrefix (${show(prefix)}) must be a non-empty key prefix without a leading or trailing "/", such ` +
          `as "image-builder/web".`,
      );
    }
  }
}
