import { Token } from 'cdktf';
import { BlockDevice, validateBlockDevices } from '../image/block-device';
import { SECURITY_GROUP_ID } from '../private/aws-ids';
import { unknownInstanceType, unknownInstanceTypePattern } from '../private/instance-type-names';
import { isLiteral, show, Validator } from '../private/validation';
import { IInstanceProfile } from './instance-profile';
import { InstanceType } from './instance-type';
import { UserData } from './user-data';

/** The instance metadata service (IMDS). */
export interface MetadataOptions {
  /**
   * `required` enforces IMDSv2 (session tokens), which blocks the SSRF-style
   * credential theft IMDSv1 allows.
   * @default 'required'
   */
  readonly httpTokens?: 'required' | 'optional';
  /**
   * How many network hops an IMDS response may travel. 1 keeps credentials on the
   * host; set 2 when containers on the instance with bridge networking need IMDS.
   * @default 1
   */
  readonly hopLimit?: number;
  /**
   * Expose the instance's tags through IMDS.
   * @default false
   */
  readonly instanceMetadataTags?: boolean;
}

/**
 * Everything about a server except its image: what a launch template is made of.
 * Every field is part of the generation (a change yields a new launch template and
 * auto scaling group), except the instance profile's permissions, which change in
 * place.
 */
export interface ServerSettings {
  /**
   * Instance type, or attribute-based requirements.
   * @default InstanceType.of('t3.micro')
   */
  readonly instanceType?: InstanceType;
  /**
   * Script or cloud-init document run at first boot. Immutable servers get their
   * software from the image; keep this to configuration that must differ per
   * environment.
   * @default - none
   */
  readonly userData?: UserData;
  /**
   * Security groups of the instances (`sg-...` ids or references). The fleets add
   * their own instance security group (ingress from the load balancer only) in front.
   * @default - none besides the fleet's own (a standalone launch template without
   *   any gets the VPC's default security group)
   */
  readonly securityGroupIds?: readonly string[];
  /**
   * Instance profile of the instances.
   * @default - a new {@link InstanceProfile} with `AmazonSSMManagedInstanceCore` only
   */
  readonly instanceProfile?: IInstanceProfile;
  /**
   * EC2 key pair for SSH. Prefer Session Manager (enabled by the default profile).
   * @default - no key pair
   */
  readonly keyName?: string;
  /**
   * EBS volumes. When set, it replaces the default root volume, so include the root
   * device if you want to size or encrypt it. A volume without `volumeSizeGiB` on a
   * device of the image takes the size of the image's snapshot; when the image comes
   * from an `AmiPipeline` that sets the size, that size is written out, and a smaller
   * one is refused at synth.
   * @default - one encrypted gp3 root volume at the size of the image's snapshot, on
   *   the image's root device when the image source knows it (an `AmiPipeline`), else
   *   on `/dev/xvda` (the root device of Amazon Linux). Images with another root device
   *   (`/dev/sda1` for Ubuntu and most others) must set this: EC2 refuses to launch a
   *   mapping without a size for a device the image does not have.
   */
  readonly blockDevices?: readonly BlockDevice[];
  /**
   * Instance metadata service settings.
   * @default - IMDSv2 required, hop limit 1, no tags in IMDS
   */
  readonly metadataOptions?: MetadataOptions;
  /**
   * One-minute CloudWatch metrics (charged) instead of five-minute ones.
   * @default false
   */
  readonly detailedMonitoring?: boolean;
  /**
   * Tags of the instances, their volumes and network interfaces (and of the launch
   * template itself).
   * @default - none
   */
  readonly tags?: { readonly [key: string]: string };
}

/**
 * Checks the fields of {@link ServerSettings} where they enter a construct: the launch
 * template, or a fleet (with a prop prefix such as `server.` or `slots.blue.`).
 * @internal
 */
export function validateServerSettings(check: Validator, settings: ServerSettings, prefix = ''): void {
  check.eachPattern(
    `${prefix}securityGroupIds`,
    settings.securityGroupIds,
    SECURITY_GROUP_ID,
    'a security group id such as sg-0123456789abcdef0',
  );
  check.pattern(`${prefix}keyName`, settings.keyName, /^[\x20-\x7e]{1,255}$/, '1 to 255 printable ASCII characters');
  check.integer(
    `${prefix}metadataOptions.hopLimit`,
    settings.metadataOptions?.hopLimit,
    1,
    64,
    'use 1, or 2 for containers with bridge networking',
  );
  const tokens = settings.metadataOptions?.httpTokens;
  if (isLiteral(tokens) && tokens !== 'required' && tokens !== 'optional') {
    check.fail(`${prefix}metadataOptions.httpTokens (${show(tokens)}) must be "required" or "optional".`);
  }
  validateBlockDevices(check, `${prefix}blockDevices`, settings.blockDevices);
  warnUnknownInstanceTypes(check, settings.instanceType, `${prefix}instanceType`);
  for (const [key, value] of Object.entries(settings.tags ?? {})) {
    if (!Token.isUnresolved(key) && (key.length < 1 || key.length > 128 || /^aws:/i.test(key))) {
      check.fail(
        `${prefix}tags key (${show(key)}) must be 1 to 128 characters and must not start with "aws:" (reserved by AWS).`,
      );
    }
    if (isLiteral(value) && value.length > 256) {
      check.fail(`${prefix}tags["${key}"] is ${value.length} characters; tag values are limited to 256.`);
    }
  }
}

/**
 * Warns (does not fail) about instance type names and selection patterns that are not in
 * the EC2 API model's list, naming the closest known ones: see
 * lib/private/instance-type-names.ts for why this is a warning.
 */
function warnUnknownInstanceTypes(check: Validator, instanceType: InstanceType | undefined, prop: string): void {
  const name = instanceType?.name;
  if (isLiteral(name)) {
    const problem = unknownInstanceType(name);
    if (problem) {
      check.warn(`${prop} (${show(name)}) ${problem}`);
    }
  }
  const requirements = instanceType?.requirements;
  for (const list of ['allowedInstanceTypes', 'excludedInstanceTypes'] as const) {
    const patterns = requirements?.[list];
    if (patterns === undefined || Token.isUnresolved(patterns)) {
      continue;
    }
    patterns.forEach((pattern, i) => {
      const problem = isLiteral(pattern) ? unknownInstanceTypePattern(pattern) : undefined;
      if (problem) {
        check.warn(`${prop} requirements ${list}[${i}] (${show(pattern)}) ${problem}`);
      }
    });
  }
}
