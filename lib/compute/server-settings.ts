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

/** One server setting as it entered a construct: its value and the prop the user wrote it as. */
export interface CheckedSetting<T> {
  readonly value: T;
  /** The prop path, such as `keyName`, `server.keyName` or `slots.blue.blockDevices`. */
  readonly prop: string;
}

/** Every field of {@link ServerSettings} (the compiler keeps the list complete). */
const SERVER_SETTING_FIELDS: Record<keyof ServerSettings, true> = {
  instanceType: true,
  userData: true,
  securityGroupIds: true,
  instanceProfile: true,
  keyName: true,
  blockDevices: true,
  metadataOptions: true,
  detailedMonitoring: true,
  tags: true,
};

type CheckedFields = {
  readonly [K in keyof ServerSettings]?: CheckedSetting<NonNullable<ServerSettings[K]>>;
};

/**
 * {@link ServerSettings} validated once, where they entered a construct (see
 * {@link validateServerSettings}): each field carries the prop path the user wrote it
 * as, so that a check that can only happen later (a block device's size against the
 * image's, in the launch template) names exactly that prop. A launch template built
 * from it does not check the settings again.
 *
 * Not part of the public API (no entry point exports it), yet not marked internal
 * either: the declarations of the modules that use it are published and name it.
 */
export class CheckedServerSettings {
  /**
   * Checks `settings` where they enter a construct (`prefix`: `` for a launch template,
   * `server.` or `slots.<slot>.` for a fleet), through {@link validateServerSettings}.
   */
  public static validate(check: Validator, settings: ServerSettings, prefix: string): CheckedServerSettings {
    check.eachPattern(
      `${prefix}securityGroupIds`,
      settings.securityGroupIds,
      SECURITY_GROUP_ID,
      'a security group id such as sg-0123456789abcdef0',
    );
    check.pattern(`${prefix}keyName`, settings.keyName, /^[\x20-\x7e]{1,255}$/, '1 to 255 printable ASCII characters');
    validateMetadataOptions(check, `${prefix}metadataOptions`, settings.metadataOptions);
    validateBlockDevices(check, `${prefix}blockDevices`, settings.blockDevices);
    validateInstanceType(check, `${prefix}instanceType`, settings.instanceType);
    validateTags(check, `${prefix}tags`, settings.tags);
    const fields: Record<string, CheckedSetting<unknown>> = {};
    for (const field of Object.keys(SERVER_SETTING_FIELDS) as (keyof ServerSettings)[]) {
      if (settings[field] !== undefined) {
        fields[field] = { value: settings[field], prop: `${prefix}${field}` };
      }
    }
    return new CheckedServerSettings(fields);
  }

  /** Only {@link CheckedServerSettings.validate} and the methods below make one. */
  private constructor(private readonly fields: CheckedFields) {}

  /** The value of `field`, or undefined when it was not set. */
  public value<K extends keyof ServerSettings>(field: K): ServerSettings[K] {
    return this.fields[field]?.value as ServerSettings[K];
  }

  /** The prop path `field` was given as, or undefined when it was not set. */
  public prop(field: keyof ServerSettings): string | undefined {
    return this.fields[field]?.prop;
  }

  /** The plain settings. */
  public get values(): ServerSettings {
    const out: Record<string, unknown> = {};
    for (const [field, setting] of Object.entries(this.fields)) {
      if (setting !== undefined) {
        out[field] = setting.value;
      }
    }
    return out as ServerSettings;
  }

  /** These settings with `field` set, as the construct that checked them decided, under `prop`. */
  public with<K extends keyof ServerSettings>(
    field: K,
    value: NonNullable<ServerSettings[K]>,
    prop: string,
  ): CheckedServerSettings {
    return new CheckedServerSettings({ ...this.fields, [field]: { value, prop } });
  }

  /**
   * `over`'s fields over these, field by field, each with its own prop path (a slot's
   * settings over its fleet's); `securityGroupIds` are added to these, and their prop
   * names both lists.
   */
  public overlaidWith(over: CheckedServerSettings): CheckedServerSettings {
    const fields: Record<string, CheckedSetting<unknown>> = { ...this.fields };
    for (const [field, setting] of Object.entries(over.fields)) {
      if (setting !== undefined) {
        fields[field] = setting;
      }
    }
    const base = this.fields.securityGroupIds;
    const added = over.fields.securityGroupIds;
    if (base !== undefined || added !== undefined) {
      fields.securityGroupIds = {
        value: [...(base?.value ?? []), ...(added?.value ?? [])],
        prop: [base?.prop, added?.prop].filter((prop) => prop !== undefined).join(' + '),
      };
    }
    return new CheckedServerSettings(fields);
  }
}

/**
 * Checks the fields of {@link ServerSettings} where they enter a construct: the launch
 * template, or a fleet (with a prop prefix such as `server.` or `slots.blue.`), and
 * returns them checked, each field with its prop path.
 * @internal
 */
export function validateServerSettings(check: Validator, settings: ServerSettings, prefix = ''): CheckedServerSettings {
  return CheckedServerSettings.validate(check, settings, prefix);
}

function validateMetadataOptions(check: Validator, prop: string, options: MetadataOptions | undefined): void {
  check.integer(`${prop}.hopLimit`, options?.hopLimit, 1, 64, 'use 1, or 2 for containers with bridge networking');
  const tokens = options?.httpTokens;
  if (isLiteral(tokens) && tokens !== 'required' && tokens !== 'optional') {
    check.fail(`${prop}.httpTokens (${show(tokens)}) must be "required" or "optional".`);
  }
}

function validateTags(check: Validator, prop: string, tags: { readonly [key: string]: string } | undefined): void {
  for (const [key, value] of Object.entries(tags ?? {})) {
    if (!Token.isUnresolved(key) && (key.length < 1 || key.length > 128 || /^aws:/i.test(key))) {
      check.fail(
        `${prop} key (${show(key)}) must be 1 to 128 characters and must not start with "aws:" (reserved by AWS).`,
      );
    }
    if (isLiteral(value) && value.length > 256) {
      check.fail(`${prop}["${key}"] is ${value.length} characters; tag values are limited to 256.`);
    }
  }
}

/**
 * Checks an instance type where it enters (`InstanceType.of` checks nothing itself, so
 * that its errors name the construct and the prop), then warns (does not fail) about
 * instance type names and selection patterns that are not in the EC2 API model's list,
 * naming the closest known ones: see lib/private/instance-type-names.ts for why this is
 * a warning.
 */
function validateInstanceType(check: Validator, prop: string, instanceType: InstanceType | undefined): void {
  instanceType?._validate(check, prop);
  for (const name of instanceType?.names ?? [instanceType?.name]) {
    if (isLiteral(name)) {
      const problem = unknownInstanceType(name);
      if (problem) {
        check.warn(`${prop} (${show(name)}) ${problem}`);
      }
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
