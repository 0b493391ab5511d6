import { isLiteral, show, Validator } from '../private/validation';

/** EBS volume types. */
export type EbsVolumeType = 'gp3' | 'gp2' | 'io1' | 'io2' | 'st1' | 'sc1' | 'standard';

const VOLUME_TYPES: readonly EbsVolumeType[] = ['gp3', 'gp2', 'io1', 'io2', 'st1', 'sc1', 'standard'];

/**
 * One EBS volume: of an AMI (`AmiPipeline` `blockDevices`, baked into the image) or
 * attached at launch (`ServerSettings` `blockDevices`, overriding the image's mapping
 * for the same device). One type for both, because EC2 treats them as one thing.
 */
export interface BlockDevice {
  /**
   * Device name. The root volume's name depends on the image: `/dev/xvda` for Amazon
   * Linux, `/dev/sda1` for Ubuntu, Windows and most others.
   */
  readonly deviceName: string;
  /**
   * Size in GiB (1 to 65536).
   * @default - the size of the image's snapshot (required for a volume without one)
   */
  readonly volumeSizeGiB?: number;
  /**
   * EBS volume type.
   * @default 'gp3'
   */
  readonly volumeType?: EbsVolumeType;
  /**
   * Encrypt the volume. An AMI's volumes are always encrypted (`false` is refused there).
   * @default true
   */
  readonly encrypted?: boolean;
  /**
   * KMS key (ARN or id) that encrypts the volume.
   * @default - the account's default EBS key (for an AMI: the pipeline's `kmsKeyId`, if set)
   */
  readonly kmsKeyId?: string;
  /**
   * Provisioned IOPS (gp3: 3000 to 80000; io1/io2: 100 to 256000).
   * @default - the volume type's baseline (3000 for gp3)
   */
  readonly iops?: number;
  /**
   * Throughput in MiB/s (gp3 only: 125 to 2000).
   * @default - 125 for gp3
   */
  readonly throughputMiBps?: number;
  /**
   * Delete the volume when the instance terminates.
   * @default true
   */
  readonly deleteOnTermination?: boolean;
}

/**
 * Checks a `blockDevices` list where it enters a construct (`prop` is the prop's path,
 * such as `blockDevices` or `slots.blue.blockDevices`).
 * @internal
 */
export function validateBlockDevices(
  check: Validator,
  prop: string,
  devices: readonly BlockDevice[] | undefined,
): void {
  if (devices === undefined) {
    return;
  }
  if (devices.length === 0) {
    check.fail(`${prop} ([]) must list at least one device; omit it for the default encrypted gp3 root volume.`);
  }
  const names = new Set<string>();
  devices.forEach((device, i) => validateBlockDevice(check, device, `${prop}[${i}]`, names));
}

function validateBlockDevice(check: Validator, device: BlockDevice, prop: string, names: Set<string>): void {
  check.pattern(
    `${prop}.deviceName`,
    device.deviceName,
    /^(\/dev\/)?[a-z][a-z0-9]*$/,
    'a device name such as /dev/xvda, /dev/sda1 or xvdb',
  );
  if (isLiteral(device.deviceName)) {
    if (names.has(device.deviceName)) {
      check.fail(
        `${prop}.deviceName (${show(device.deviceName)}) is used by another block device; give each device its own ` +
          `name.`,
      );
    }
    names.add(device.deviceName);
  }
  const type = device.volumeType ?? 'gp3';
  check.oneOf(`${prop}.volumeType`, type, VOLUME_TYPES);
  check.integer(`${prop}.volumeSizeGiB`, device.volumeSizeGiB, 1, 65536);
  if (device.iops !== undefined) {
    if (!['gp3', 'io1', 'io2'].includes(type)) {
      check.fail(
        `${prop}.iops (${show(device.iops)}) can only be set for gp3, io1 and io2 volumes, not ${type}; remove it ` +
          `or change volumeType.`,
      );
    }
    check.integer(`${prop}.iops`, device.iops, type === 'gp3' ? 3000 : 100, type === 'gp3' ? 80000 : 256000);
  }
  if (device.throughputMiBps !== undefined) {
    if (type !== 'gp3') {
      check.fail(
        `${prop}.throughputMiBps (${show(device.throughputMiBps)}) can only be set for gp3 volumes, not ${type}; ` +
          `remove it or use gp3.`,
      );
    }
    check.integer(`${prop}.throughputMiBps`, device.throughputMiBps, 125, 2000);
  }
}
