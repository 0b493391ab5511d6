import { TerraformResource, TerraformStack } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { bareReference } from '../../immutability/reference';
import { ValidationError } from '../../private/validation';

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
    throw new ValidationError(`pipeline (${pipeline.node.path}) is not an image pipeline of this library; pass an AmiPipeline or a DockerImagePipeline.`, factory);
  }
  return TerraformStack.of(scope) === TerraformStack.of(resource) ? [bareReference(resource, 'id', scope)] : [];
}
