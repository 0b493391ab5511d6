import { TerraformResource } from 'cdktf';
import { IConstruct } from 'constructs';

/**
 * The resource whose replacement means "a new image" for each image pipeline
 * construct, kept out of the constructs' public surface. Image sources read it to give
 * consumers a replace_triggered_by reference.
 */
const producers = new WeakMap<IConstruct, TerraformResource>();

export function registerImageProducer(pipeline: IConstruct, resource: TerraformResource): void {
  producers.set(pipeline, resource);
}

export function imageProducer(pipeline: IConstruct): TerraformResource | undefined {
  return producers.get(pipeline);
}
