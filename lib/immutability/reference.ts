import { Lazy, TerraformResource, TerraformStack, Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { Validator } from '../private/validation';

/**
 * A bare Terraform reference (`aws_ami.base.id`) for `lifecycle.replaceTriggeredBy`.
 *
 * cdktf 0.21 renders a resource object given to replaceTriggeredBy through its fqn,
 * as `"${aws_ami.base}"`, which Terraform rejects ("A single static variable reference
 * is required"). Terraform's JSON syntax wants the expression without `${ }`. The
 * reference is computed at synth time, so a later `overrideLogicalId` is honoured.
 *
 * @param resource the resource whose change must replace the dependent resource
 * @param attribute the attribute to watch, in Terraform's snake_case (`id`, `image_id`)
 * @param from the dependent resource; when given, the two must be in the same stack,
 *   because Terraform cannot trigger replacement from another state
 */
export function bareReference(resource: TerraformResource, attribute?: string, from?: IConstruct): string {
  const check = new Validator('bareReference');
  if (!TerraformResource.isTerraformResource(resource)) {
    check.fail(
      'resource must be a managed Terraform resource (replace_triggered_by cannot refer to data sources, variables ' +
        'or modules); pass the resource construct.',
    );
  }
  if (
    attribute !== undefined &&
    (Token.isUnresolved(attribute) || !/^[a-z_][a-z0-9_]*(\.[a-z0-9_]+|\[[0-9]+\])*$/.test(attribute))
  ) {
    check.fail(
      `attribute ("${attribute}") must be a Terraform attribute path in snake_case, for example "id" or "image_id".`,
    );
  }
  if (from && TerraformStack.of(from) !== TerraformStack.of(resource)) {
    check.fail(
      `resource (${resource.node.path}) is in another stack than ${from.node.path}; replace_triggered_by can only ` +
        `refer to resources of the same stack, so move one of them.`,
    );
  }
  return Lazy.stringValue({
    produce: () => {
      const address = `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
      return attribute ? `${address}.${attribute}` : address;
    },
  });
}
