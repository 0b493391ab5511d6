import { TerraformStack, Token } from 'cdktf';
import {
  LaunchTemplate,
  LaunchTemplateBlockDeviceMappings,
  LaunchTemplateConfig,
} from '@cdktf/provider-aws/lib/launch-template';
import { Construct } from 'constructs';
import { BlockDevice, EbsVolumeType } from '../image/block-device';
import { IImageSource, ImageSourceConfig } from '../image/image-source';
import { Generation, withStableReferences } from '../immutability/generation';
import { ImmutabilityAspect } from '../immutability/immutability-aspect';
import { PinnedMetadata, recordLibraryTriggers, recordPinned } from '../immutability/lifecycle-metadata';
import { generationName, NameRule } from '../immutability/naming';
import { reportSecurityDowngrade, SecurityDowngrade } from '../immutability/security-downgrades';
import { isLiteral, Validator } from '../private/validation';
import { IInstanceProfile, InstanceProfile } from './instance-profile';
import { InstanceRequirements, InstanceType } from './instance-type';
import { CheckedServerSettings, ServerSettings, validateServerSettings } from './server-settings';

/** Props of {@link ImmutableLaunchTemplate}. */
export interface ImmutableLaunchTemplateProps extends ServerSettings {
  /** The image the instances run (`ImageSource.fromAmiId`, `fromSsmParameter`, a pipeline). */
  readonly image: IImageSource;
  /**
   * Base of the template's name, `<name>-<slot>-<generation>`. A literal.
   * @default - `<stack>-<id>`
   */
  readonly name?: string;
  /**
   * Deployment slot (`blue`, `green`) in the name.
   * @default - no slot part
   */
  readonly slot?: string;
  /**
   * More values that define what runs, hashed into the generation with the launch
   * template settings. The fleets pass the settings of the auto scaling group that
   * runs this template and that its resource policy does not let change in place
   * (subnets, target groups, health check type), so that one
   * generation names both the template and the group.
   * @default - none
   */
  readonly generationInputs?: { readonly [key: string]: unknown };
}

/**
 * What a construct that checked the server settings where they entered (a fleet, with
 * its `server.` or `slots.<slot>.` props) builds a launch template from.
 * @internal
 */
export interface CheckedLaunchTemplateInput {
  /** The server settings, checked, each with the prop path it entered as. */
  readonly settings: CheckedServerSettings;
  readonly image: IImageSource;
  readonly name?: string;
  readonly slot?: string;
  readonly generationInputs?: { readonly [key: string]: unknown };
  /**
   * Set when the template belongs to a pinned slot of a blue/green fleet: it keeps the
   * definition it was deployed with (`ignore_changes = all`), the metadata says why, and
   * only `replaceTriggeredBy` (the slot's release marker) replaces it.
   */
  readonly pinned?: PinnedTemplate;
}

/** A pinned slot's template: why it is pinned, and what alone replaces it. */
export interface PinnedTemplate {
  readonly metadata: PinnedMetadata;
  readonly replaceTriggeredBy: readonly string[];
}

/**
 * The props of a launch template whose server settings were checked already: the
 * constructor takes its settings as they are (see `_fromCheckedSettings`).
 */
class PrecheckedProps implements ImmutableLaunchTemplateProps {
  public readonly image: IImageSource;
  public readonly name?: string;
  public readonly slot?: string;
  public readonly generationInputs?: { readonly [key: string]: unknown };
  public readonly settings: CheckedServerSettings;
  public readonly pinned?: PinnedTemplate;

  constructor(props: CheckedLaunchTemplateInput) {
    this.image = props.image;
    this.name = props.name;
    this.slot = props.slot;
    this.generationInputs = props.generationInputs;
    this.settings = props.settings;
    this.pinned = props.pinned;
  }
}

/**
 * Root device name of the default root volume when the image source does not know the
 * image's: `/dev/xvda`, the root of Amazon Linux (and of the library's own Linux AMI
 * pipelines). An image with another root (`/dev/sda1`: Ubuntu, Windows, most others)
 * needs `blockDevices`: a mapping for a device the image does not have, without a size,
 * is refused by EC2 at launch instead of silently adding an empty volume.
 */
const DEFAULT_ROOT_DEVICE = '/dev/xvda';

/**
 * A launch template whose name is its generation: `<name>-<slot>-<generation>`, the
 * generation being a hash of every input (image, instance type, user data, security
 * groups, instance profile, key pair, block devices, metadata options, monitoring,
 * instance tags). A change of any input yields a new template resource (replaced
 * create-before-destroy), never a new version of the old one, so a running auto
 * scaling group is never pointed at changed settings in place.
 *
 * Secure defaults: IMDSv2 required with hop limit 1, no public IP address (the
 * security groups sit on the network interface with `associate_public_ip_address =
 * false`), an encrypted gp3 root volume at the image's snapshot size, and a
 * least-privilege instance profile.
 *
 * An image that is a token (an SSM parameter, a pipeline's output) makes the
 * generation a Terraform expression (see `Generation.of`), and the template also gets
 * `replace_triggered_by` on the managed resources behind the image.
 *
 * Unlike AWS CDK's LaunchTemplate, which versions one template in place, this
 * construct never updates a template: the version is always 1.
 */
export class ImmutableLaunchTemplate extends Construct {
  /**
   * A launch template built from server settings that were validated where they
   * entered, by a construct that called `validateServerSettings` with its own prop
   * prefix (a fleet's `server.` or `slots.blue.`): each value is validated once, and an
   * error raised here (a block device smaller than the image's volume) names the prop
   * the user wrote. `image`, `name` and `slot` are still checked here, where they enter.
   * @internal
   */
  public static _fromCheckedSettings(
    scope: Construct,
    id: string,
    props: CheckedLaunchTemplateInput,
  ): ImmutableLaunchTemplate {
    return new ImmutableLaunchTemplate(scope, id, new PrecheckedProps(props));
  }

  /** The launch template resource. */
  public readonly resource: LaunchTemplate;
  /** The generation of these settings. */
  public readonly generation: Generation;
  /** The template's name (`<name>-<slot>-<generation>`). */
  public readonly launchTemplateName: string;
  /** What the image source bound to. */
  public readonly image: ImageSourceConfig;
  /** The instance type or requirements (requirements are applied by the auto scaling group). */
  public readonly instanceType: InstanceType;
  /** The instance profile of the instances. */
  public readonly instanceProfile: IInstanceProfile;
  /**
   * Bare references for `replace_triggered_by` of whatever runs this template: the
   * managed resources behind the image when the generation is unresolved.
   */
  public readonly replaceTriggeredBy: readonly string[];

  constructor(scope: Construct, id: string, props: ImmutableLaunchTemplateProps) {
    super(scope, id);
    ImmutabilityAspect.enable(this);
    const check = new Validator(this);
    validateImage(check, props.image);
    const settings = props instanceof PrecheckedProps ? props.settings : validateServerSettings(check, props);
    validateNameAndSlot(check, props);

    const base = props.name ?? `${TerraformStack.of(this).node.id}-${id}`;
    this.image = props.image.bind(this);
    this.instanceType = settings.value('instanceType') ?? InstanceType.of('t3.micro');
    this.instanceProfile = settings.value('instanceProfile') ?? new InstanceProfile(this, 'InstanceProfile');
    const effective = effectiveSettings(check, settings, this.image);

    // Effective values (defaults applied), so that a change of a library default is a
    // new generation too. Owned long-lived references are hashed by their identity.
    this.generation = Generation.of(
      this,
      withStableReferences(this, {
        image: this.image.imageId,
        instanceType: this.instanceType.name,
        // only for several types, so that one type keeps its generation
        instanceTypes: this.instanceType.names ? [...this.instanceType.names] : undefined,
        instanceRequirements: this.instanceType.requirements
          ? normalizeRequirements(this.instanceType.requirements)
          : undefined,
        userData: effective.userData,
        securityGroupIds: effective.securityGroupIds,
        instanceProfile: this.instanceProfile.instanceProfileName,
        keyName: effective.keyName,
        blockDevices: effective.blockDevices,
        metadata: effective.metadata,
        monitoring: effective.monitoring,
        tags: effective.tags,
        group: props.generationInputs,
      }),
    );
    this.launchTemplateName = generationName(NameRule.LAUNCH_TEMPLATE, {
      base,
      slot: props.slot,
      generation: this.generation,
    });
    this.replaceTriggeredBy = this.generation.isResolved ? [] : [...this.image.replaceTriggeredBy];
    const pinned = props instanceof PrecheckedProps ? props.pinned : undefined;
    this.resource = new LaunchTemplate(this, 'Resource', this.resourceConfig(effective, pinned));
    if (pinned) {
      recordPinned(this.resource, pinned.metadata);
    }
    recordLibraryTriggers(this.resource, pinned ? pinned.replaceTriggeredBy : this.replaceTriggeredBy);
    reportDowngrades(this, settings);
  }

  /** The template's id. */
  public get launchTemplateId(): string {
    return this.resource.id;
  }

  /** The template's only version, as the auto scaling group refers to it. */
  public get version(): string {
    return Token.asString(this.resource.latestVersion);
  }

  /**
   * The resource's arguments. A pinned template ignores every change of them
   * (`ignore_changes = all`): it keeps running what it was deployed with, whatever the
   * code says now, until its own trigger (the slot's release marker) replaces it.
   */
  private resourceConfig(effective: EffectiveSettings, pinned: PinnedTemplate | undefined): LaunchTemplateConfig {
    const { securityGroupIds, metadata, tags } = effective;
    return {
      name: this.launchTemplateName,
      imageId: this.image.imageId,
      instanceType: this.instanceType.name,
      userData: effective.userData,
      keyName: effective.keyName,
      iamInstanceProfile: { name: this.instanceProfile.instanceProfileName },
      networkInterfaces: [
        {
          deviceIndex: 0,
          associatePublicIpAddress: 'false',
          deleteOnTermination: 'true',
          securityGroups: securityGroupIds.length > 0 ? securityGroupIds : undefined,
        },
      ],
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: metadata.httpTokens,
        httpPutResponseHopLimit: metadata.hopLimit,
        instanceMetadataTags: metadata.instanceMetadataTags ? 'enabled' : 'disabled',
      },
      blockDeviceMappings: effective.blockDevices.map(toMapping),
      monitoring: { enabled: effective.monitoring },
      tagSpecifications: tags
        ? [
            { resourceType: 'instance', tags },
            { resourceType: 'volume', tags },
          ]
        : undefined,
      tags,
      lifecycle: pinned
        ? { ignoreChanges: 'all', replaceTriggeredBy: [...pinned.replaceTriggeredBy] }
        : this.replaceTriggeredBy.length > 0
          ? { replaceTriggeredBy: [...this.replaceTriggeredBy] }
          : undefined,
    };
  }
}

/**
 * The security downgrades among the settings (IMDSv1, a hop limit above 2, an unencrypted
 * volume): a synth warning each, naming the prop as the user wrote it, unless
 * acknowledged (see `acknowledgeSecurityDowngrade`).
 */
function reportDowngrades(template: ImmutableLaunchTemplate, settings: CheckedServerSettings): void {
  const report = (downgrade: SecurityDowngrade, prop: string, value: unknown, safer: string) =>
    reportSecurityDowngrade({ construct: template, resource: template.resource, downgrade, prop, value, safer });
  const metadata = settings.value('metadataOptions');
  const metadataProp = settings.prop('metadataOptions') ?? 'metadataOptions';
  if (isLiteral(metadata?.httpTokens) && metadata.httpTokens === 'optional') {
    report('imdsv1', `${metadataProp}.httpTokens`, 'optional', '"required" (IMDSv2 only, the default)');
  }
  if (isLiteral(metadata?.hopLimit) && metadata.hopLimit > 2) {
    report(
      'imds-hop-limit',
      `${metadataProp}.hopLimit`,
      metadata.hopLimit,
      '1 (the default), or 2 for containers with bridge networking',
    );
  }
  const devices = settings.value('blockDevices') ?? [];
  devices.forEach((device, i) => {
    if (isLiteral(device.encrypted) && device.encrypted === false) {
      report(
        'unencrypted-volume',
        `${settings.prop('blockDevices')}[${i}].encrypted`,
        false,
        'true (the default; kmsKeyId names a key of your own)',
      );
    }
  });
}

function validateImage(check: Validator, image: IImageSource): void {
  if (!image || typeof (image as { bind?: unknown }).bind !== 'function') {
    check.fail(
      `image (${String(image)}) is required and must be an image source: pass ImageSource.fromAmiId('ami-...'), ` +
        'ImageSource.fromSsmParameter(name) or ImageSource.fromPipeline(pipeline).',
    );
  }
}

function validateNameAndSlot(check: Validator, props: ImmutableLaunchTemplateProps): void {
  if (props.name !== undefined && Token.isUnresolved(props.name)) {
    check.fail(
      `name (${props.name}) is a token; pass a literal base name so that the name's length can be checked at synth.`,
    );
  }
  check.pattern(
    'name',
    props.name,
    /^[A-Za-z0-9][A-Za-z0-9()./_-]*$/,
    'letters, digits and ( ) . / _ - starting with a letter or digit',
  );
  check.pattern('slot', props.slot, /^[A-Za-z0-9]{1,16}$/, 'a short word of letters and digits such as "blue"');
}

/** The settings the template is made of, with the library's defaults applied. */
interface EffectiveSettings {
  readonly userData?: string;
  readonly keyName?: string;
  readonly securityGroupIds: string[];
  readonly blockDevices: EffectiveBlockDevice[];
  readonly metadata: { httpTokens: 'required' | 'optional'; hopLimit: number; instanceMetadataTags: boolean };
  readonly monitoring: boolean;
  readonly tags?: { [key: string]: string };
}

function effectiveSettings(
  check: Validator,
  settings: CheckedServerSettings,
  image: ImageSourceConfig,
): EffectiveSettings {
  const options = settings.value('metadataOptions');
  const tags = settings.value('tags');
  return {
    userData: settings.value('userData')?.base64,
    keyName: settings.value('keyName'),
    securityGroupIds: [...(settings.value('securityGroupIds') ?? [])],
    blockDevices: effectiveBlockDevices(check, settings, image),
    metadata: {
      httpTokens: options?.httpTokens ?? 'required',
      hopLimit: options?.hopLimit ?? 1,
      instanceMetadataTags: options?.instanceMetadataTags ?? false,
    },
    monitoring: settings.value('detailedMonitoring') ?? false,
    tags: tags && Object.keys(tags).length > 0 ? { ...tags } : undefined,
  };
}

/**
 * The block devices with their defaults. The default root volume has no size, so that
 * EC2 gives it the size of the image's snapshot; a size the image source knows (an
 * AmiPipeline's) is written out.
 */
function effectiveBlockDevices(
  check: Validator,
  settings: CheckedServerSettings,
  image: ImageSourceConfig,
): EffectiveBlockDevice[] {
  const devices = settings.value('blockDevices');
  if (devices === undefined) {
    return [effectiveBlockDevice(check, { deviceName: image.rootDeviceName ?? DEFAULT_ROOT_DEVICE }, image, undefined)];
  }
  const prop = settings.prop('blockDevices');
  return devices.map((device, i) => effectiveBlockDevice(check, device, image, `${prop}[${i}].volumeSizeGiB`));
}

interface EffectiveBlockDevice {
  readonly deviceName: string;
  readonly volumeSizeGiB?: number;
  readonly volumeType: EbsVolumeType;
  readonly encrypted: boolean;
  readonly kmsKeyId?: string;
  readonly iops?: number;
  readonly throughputMiBps?: number;
  readonly deleteOnTermination: boolean;
}

/**
 * The device with its defaults, and the image's size when the image source knows it:
 * carried to a device of the same name without a size, and a lower size refused
 * (`prop` names it; undefined for the default root, which has no size of its own).
 */
function effectiveBlockDevice(
  check: Validator,
  device: BlockDevice,
  image: ImageSourceConfig,
  prop: string | undefined,
): EffectiveBlockDevice {
  const imageVolume = isLiteral(device.deviceName)
    ? (image.volumes ?? []).find((volume) => volume.deviceName === device.deviceName && isLiteral(volume.volumeSizeGiB))
    : undefined;
  const imageSize = imageVolume?.volumeSizeGiB;
  if (imageSize !== undefined && isLiteral(device.volumeSizeGiB) && device.volumeSizeGiB < imageSize) {
    check.fail(
      `${prop ?? 'blockDevices'} (${device.volumeSizeGiB}) must be at least ${imageSize}, the size in GiB of the ` +
        `image's ${device.deviceName} volume (${image.description}): EC2 refuses to launch a smaller one. ` +
        "Raise it, or omit volumeSizeGiB to take the image's size.",
    );
  }
  return {
    deviceName: device.deviceName,
    volumeSizeGiB: device.volumeSizeGiB ?? imageSize,
    volumeType: device.volumeType ?? 'gp3',
    encrypted: device.encrypted ?? true,
    kmsKeyId: device.kmsKeyId,
    iops: device.iops,
    throughputMiBps: device.throughputMiBps,
    deleteOnTermination: device.deleteOnTermination ?? true,
  };
}

function toMapping(device: EffectiveBlockDevice): LaunchTemplateBlockDeviceMappings {
  return {
    deviceName: device.deviceName,
    ebs: {
      volumeType: device.volumeType,
      volumeSize: device.volumeSizeGiB,
      encrypted: String(device.encrypted),
      kmsKeyId: device.kmsKeyId,
      iops: device.iops,
      throughput: device.throughputMiBps,
      deleteOnTermination: String(device.deleteOnTermination),
    },
  };
}

function normalizeRequirements(requirements: InstanceRequirements): Record<string, unknown> {
  return {
    ...requirements,
    burstablePerformance: requirements.burstablePerformance ?? 'excluded',
  };
}
