import { Token } from 'cdktf';
import { BlockDevice, ServerSettings } from '../compute/server-settings';

type EbsVolumeType = NonNullable<BlockDevice['volumeType']>;
import { isLiteral, resourceIdPattern, show, Validator } from './validate';

const VOLUME_TYPES: readonly EbsVolumeType[] = ['gp3', 'gp2', 'io1', 'io2', 'st1', 'sc1', 'standard'];

/**
 * Validates the fields of {@link ServerSettings}; shared by the launch template and
 * the fleets (which validate per slot with a prop prefix such as `slots.blue.`).
 */
export function validateServerSettings(check: Validator, settings: ServerSettings, prefix = ''): void {
  check.eachPattern(`${prefix}securityGroupIds`, settings.securityGroupIds, resourceIdPattern('sg'), 'a security group id such as sg-0123456789abcdef0');
  check.pattern(`${prefix}keyName`, settings.keyName, /^[\x20-\x7e]{1,255}$/, '1 to 255 printable ASCII characters');
  const hopLimit = settings.metadataOptions?.hopLimit;
  check.integer(`${prefix}metadataOptions.hopLimit`, hopLimit, 1, 64, 'use 1, or 2 for containers with bridge networking');
  const tokens = settings.metadataOptions?.httpTokens;
  if (isLiteral(tokens) && tokens !== 'required' && tokens !== 'optional') {
    check.fail(`${prefix}metadataOptions.httpTokens (${show(tokens)}) must be "required" or "optional".`);
  }
  if (settings.blockDevices !== undefined) {
    if (settings.blockDevices.length === 0) {
      check.fail(`${prefix}blockDevices ([]) must list at least one device; omit it for the default encrypted gp3 root volume.`);
    }
    const names = new Set<string>();
    settings.blockDevices.forEach((device, i) => validateBlockDevice(check, device, `${prefix}blockDevices[${i}]`, names));
  }
  for (const [key, value] of Object.entries(settings.tags ?? {})) {
    if (!Token.isUnresolved(key) && (key.length < 1 || key.length > 128 || /^aws:/i.test(key))) {
      check.fail(`${prefix}tags key (${show(key)}) must be 1 to 128 characters and must not start with "aws:" (reserved by AWS).`);
    }
    if (isLiteral(value) && value.length > 256) {
      check.fail(`${prefix}tags["${key}"] is ${value.length} characters; tag values are limited to 256.`);
    }
  }
}

function validateBlockDevice(check: Validator, device: BlockDevice, prop: string, names: Set<string>): void {
  check.pattern(`${prop}.deviceName`, device.deviceName, /^(\/dev\/)?[a-z][a-z0-9]*$/, 'a device name such as /dev/xvda or /dev/sdf');
  if (isLiteral(device.deviceName)) {
    if (names.has(device.deviceName)) {
      check.fail(`${prop}.deviceName (${show(device.deviceName)}) is used by another block device; give each device its own name.`);
    }
    names.add(device.deviceName);
  }
  const type = device.volumeType ?? 'gp3';
  if (isLiteral(type) && !VOLUME_TYPES.includes(type)) {
    check.fail(`${prop}.volumeType (${show(type)}) must be one of ${VOLUME_TYPES.join(', ')}.`);
  }
  check.integer(`${prop}.volumeSizeGiB`, device.volumeSizeGiB, 1, 65536);
  if (device.iops !== undefined) {
    if (!['gp3', 'io1', 'io2'].includes(type)) {
      check.fail(`${prop}.iops (${show(device.iops)}) can only be set for gp3, io1 and io2 volumes, not ${type}; remove it or change volumeType.`);
    }
    check.integer(`${prop}.iops`, device.iops, type === 'gp3' ? 3000 : 100, type === 'gp3' ? 80000 : 256000);
  }
  if (device.throughputMiBps !== undefined) {
    if (type !== 'gp3') {
      check.fail(`${prop}.throughputMiBps (${show(device.throughputMiBps)}) can only be set for gp3 volumes, not ${type}; remove it or use gp3.`);
    }
    check.integer(`${prop}.throughputMiBps`, device.throughputMiBps, 125, 2000);
  }
}
