import { TerraformResource, TerraformStack, Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { bareReference } from '../../immutability/reference';
import { BlockDevice } from '../block-device';
import type { AmiPlatform } from '../image-component';

/** What an AMI pipeline knows at synth about the volumes of the images it builds. */
export interface ImageLayout {
  readonly rootDeviceName: string;
  readonly volumes: readonly BlockDevice[];
}

/**
 * What launch templates learn about a pipeline's AMIs through `ImageSource.fromPipeline`:
 * the root device (the platform's default root, or the first of `blockDevices` named
 * like a root device, `/dev/xvda` or `/dev/sda1`) and the volumes with their sizes.
 */
export function imageLayout(platform: AmiPlatform, blockDevices: readonly BlockDevice[] | undefined): ImageLayout {
  const platformRoot = platform === 'Windows' ? '/dev/sda1' : '/dev/xvda';
  if (!blockDevices) {
    return { rootDeviceName: platformRoot, volumes: [{ deviceName: platformRoot }] };
  }
  const named = blockDevices.map((device) => device.deviceName).filter((name) => !Token.isUnresolved(name));
  const root = named.includes(platformRoot)
    ? platformRoot
    : named.find((name) => ['/dev/xvda', '/dev/sda1'].includes(name));
  return { rootDeviceName: root ?? platformRoot, volumes: blockDevices };
}

/**
 * replace_triggered_by for a consumer (in `scope`) of the images that `image` stands
 * for (a new image replaces that resource): a bare reference when the consumer is in the
 * same stack, none in another stack (a trigger cannot cross states).
 */
export function replacementTriggers(image: TerraformResource, scope: IConstruct): string[] {
  return TerraformStack.of(scope) === TerraformStack.of(image) ? [bareReference(image, 'id', scope)] : [];
}
