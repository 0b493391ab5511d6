import { ImagebuilderDistributionConfiguration } from '@cdktf/provider-aws/lib/imagebuilder-distribution-configuration';
import { Construct } from 'constructs';
import { ACCOUNT_ID, REGION } from '../private/aws-ids';
import { isLiteral, show, Validator } from '../private/validation';
import { validateAmiParameterPath } from './private/ssm-parameter-name';
import { IMAGE_BUILDER_NAME, IMAGE_BUILDER_NAME_RULE, TAG_KEY, TAG_KEY_RULE } from './private/patterns';

/** Where the AMI is distributed and how it is named, tagged and shared (`AmiPipeline` `distribution`). */
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

/** Properties of {@link DistributionConfiguration}. */
export interface DistributionConfigurationProps extends AmiDistributionProps {
  /** Name (3 to 128 letters, digits, `_`, `-` or spaces). Also the default AMI name base. */
  readonly name: string;
  /** Regions that receive the AMI (region names or tokens), each once. At least one. */
  readonly regions: readonly string[];
  /**
   * Tags of the distributed AMIs.
   * @default - none
   */
  readonly amiTags?: { readonly [key: string]: string };
  /**
   * Base of the AMI name; the build date is appended (`<amiName>-{{ imagebuilder:buildDate }}`).
   * @default - the name
   */
  readonly amiName?: string;
  /**
   * Description of the distributed AMIs.
   * @default `<name> (cdktf-immutable)`
   */
  readonly amiDescription?: string;
  /**
   * SSM parameter that every build distributed with this configuration (Terraform's and
   * the pipeline's scheduled ones) writes its AMI id to, in each region (data type
   * `aws:ec2:image`). Image Builder writes it with the execution role of the image or
   * pipeline, which needs `ssm:PutParameter` on it in each region.
   * @default - no parameter
   */
  readonly amiParameterName?: string;
  /**
   * Description of the configuration.
   * @default `Distribution of <name>`
   */
  readonly description?: string;
  /**
   * Tags of the configuration resource.
   * @default - none
   */
  readonly tags?: { readonly [key: string]: string };
}

const AMI_NAME = /^[A-Za-z0-9()[\] ./'@_-]{3,100}$/;
const ORGANIZATION_ARN = /^arn:aws[a-z-]*:organizations::\d{12}:organization\/o-[a-z0-9]{10,32}$/;
const OU_ARN = /^arn:aws[a-z-]*:organizations::\d{12}:ou\/o-[a-z0-9]{10,32}\/ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$/;
/** Image Builder's limit of tags per AMI. */
const MAX_AMI_TAGS = 50;

/**
 * An `aws_imagebuilder_distribution_configuration`: the same AMI settings (name with the
 * build date, description, tags, KMS key, launch permissions) in every region. It never
 * edits launch templates: Terraform owns them, and they receive the AMI through an
 * image source. Updated in place.
 *
 * It extends the provider resource instead of wrapping it (a deliberate difference
 * from @aws-cdk/aws-imagebuilder-alpha), so that `AmiPipeline`'s configuration keeps
 * the Terraform address it always had (`<pipeline>/Distribution`).
 */
export class DistributionConfiguration extends ImagebuilderDistributionConfiguration {
  public constructor(scope: Construct, id: string, props: DistributionConfigurationProps) {
    const launchPermission =
      props.launchPermissionAccountIds ||
      props.launchPermissionOrganizationArns ||
      props.launchPermissionOrganizationalUnitArns
        ? {
            userIds: optionalList(props.launchPermissionAccountIds),
            organizationArns: optionalList(props.launchPermissionOrganizationArns),
            organizationalUnitArns: optionalList(props.launchPermissionOrganizationalUnitArns),
          }
        : undefined;
    super(scope, id, {
      name: props.name,
      description: props.description ?? `Distribution of ${props.name}`,
      distribution: props.regions.map((region) => ({
        region,
        amiDistributionConfiguration: {
          name: `${props.amiName ?? props.name}-{{ imagebuilder:buildDate }}`,
          description: props.amiDescription ?? `${props.name} (cdktf-immutable)`,
          amiTags: props.amiTags && Object.keys(props.amiTags).length > 0 ? { ...props.amiTags } : undefined,
          kmsKeyId: props.kmsKeyId,
          launchPermission,
        },
        ssmParameterConfiguration:
          props.amiParameterName !== undefined
            ? [{ parameterName: props.amiParameterName, dataType: 'aws:ec2:image' }]
            : undefined,
      })),
      tags: props.tags,
    });
    validate(new Validator(this), props);
  }
}

function validate(check: Validator, props: DistributionConfigurationProps): void {
  check.pattern('name', props.name, IMAGE_BUILDER_NAME, IMAGE_BUILDER_NAME_RULE);
  check.nonEmptyList('regions', props.regions, 'list at least the build region, such as ["eu-west-1"]');
  check.eachPattern('regions', props.regions, REGION, 'a region name such as eu-west-1');
  validateAmiParameterPath(check, 'amiParameterName', props.amiParameterName);
  check.pattern(
    'amiName',
    props.amiName,
    AMI_NAME,
    "3 to 100 letters, digits, spaces or ( ) [ ] . / - ' @ _ (the build date is appended)",
  );
  const keys = Object.keys(props.amiTags ?? {});
  if (keys.length > MAX_AMI_TAGS) {
    check.fail(
      `amiTags has ${keys.length} tags; Image Builder allows ${MAX_AMI_TAGS} per AMI: remove ` +
        `${keys.length - MAX_AMI_TAGS}.`,
    );
  }
  keys.forEach((key) => {
    if (isLiteral(key) && !TAG_KEY.test(key)) {
      check.fail(`amiTags key (${show(key)}) must be ${TAG_KEY_RULE}.`);
    }
  });
  check.eachPattern(
    'launchPermissionAccountIds',
    props.launchPermissionAccountIds,
    ACCOUNT_ID,
    'a 12-digit AWS account id',
  );
  check.eachPattern(
    'launchPermissionOrganizationArns',
    props.launchPermissionOrganizationArns,
    ORGANIZATION_ARN,
    'an organization ARN (arn:aws:organizations::<account>:organization/o-...)',
  );
  check.eachPattern(
    'launchPermissionOrganizationalUnitArns',
    props.launchPermissionOrganizationalUnitArns,
    OU_ARN,
    'an organizational unit ARN (arn:aws:organizations::<account>:ou/o-.../ou-...)',
  );
}

function optionalList(list: readonly string[] | undefined): string[] | undefined {
  return list && list.length > 0 ? [...list] : undefined;
}
