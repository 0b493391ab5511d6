import { TerraformResource, TerraformStack } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { bareReference } from '../../immutability/reference';
import { ValidationError } from '../../private/validation';
import { BlockDevice } from '../block-device';

/**
 * The resource whose replacement means "a new image" for each image pipeline
 * construct, kept out of the constructs' public surface. Image sources read it to give
 * consumers a replace_triggered_by reference.
 */
const producers = new WeakMap<IConstruct, TerraformResource>();

export function registerImageProducer(pipeline: IConstruct, resource: TerraformResource): void {
  producers.set(pipeline, resource);
}

/**
 * replace_triggered_by for a consumer (in `scope`) of `pipeline`'s image: the resource
 * that stands for a new image, when the consumer is in the same stack (a trigger
 * cannot cross states). `factory` names the image source factory in errors.
 */
export function producerTriggers(pipeline: Construct, scope: Construct, factory: string): string[] {
  const resource = producers.get(pipeline);
  if (!resource) {
    throw new ValidationError(
      `pipeline (${pipeline.node.path}) is not an image pipeline of this library; pass an AmiPipeline or a DockerImagePipeline.`,
      factory,
    );
  }
  return TerraformStack.of(scope) === TerraformStack.of(resource) ? [bareReference(resource, 'id', scope)] : [];
}

/** What an image pipeline knows at synth about the volumes of the images it builds. */
export interface ImageLayout {
  readonly rootDeviceName?: string;
  readonly volumes?: readonly BlockDevice[];
}

const layouts = new WeakMap<IConstruct, ImageLayout>();

/** Records the root device name and volumes of `pipeline`'s images (see `ImageSource.fromPipeline`). */
export function registerImageLayout(pipeline: IConstruct, layout: ImageLayout): void {
  layouts.set(pipeline, layout);
}

/** The layout recorded for `pipeline`, or nothing. */
export function imageLayoutOf(pipeline: IConstruct): ImageLayout {
  return layouts.get(pipeline) ?? {};
}
