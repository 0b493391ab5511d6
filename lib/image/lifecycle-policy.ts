import { ITerraformDependable } from 'cdktf';
import { ImagebuilderLifecyclePolicy } from '@cdktf/provider-aws/lib/imagebuilder-lifecycle-policy';
import { Construct } from 'constructs';
import { Validator } from '../private/validation';
import { ImageRetention } from './image-retention';
import { IMAGE_BUILDER_NAME, IMAGE_BUILDER_NAME_RULE } from './private/patterns';

/** Properties of {@link LifecyclePolicy}. */
export interface LifecyclePolicyProps {
  /** Name (3 to 128 letters, digits, `_`, `-` or spaces). */
  readonly name: string;
  /**
   * How many images to keep: `ImageRetention.keepLast(n)` (`keepAll()` needs no policy).
   */
  readonly retention: ImageRetention;
  /**
   * ARN of the role Image Builder assumes to delete images (trusting
   * imagebuilder.amazonaws.com, with the EC2ImageBuilderLifecycleExecutionPolicy
   * managed policy).
   */
  readonly executionRoleArn: string;
  /** Name of the recipe whose images the policy deletes (`ImageRecipe.name`). */
  readonly recipeName: string;
  /**
   * Version of that recipe (`ImageRecipe.version`): the policy follows the current
   * version in place. A semantic version without wildcards (AWS provider 6.25 refuses them).
   */
  readonly recipeVersion: string;
  /**
   * Description.
   * @default `Keep the <n> newest images of <name> and every image tagged <key>=<value>`
   */
  readonly description?: string;
  /**
   * Tags of the policy.
   * @default - none
   */
  readonly tags?: { readonly [key: string]: string };
  /**
   * Resources the policy needs first, such as the execution role's policy attachment.
   * @default - none beyond the references above
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * An `aws_imagebuilder_lifecycle_policy` that keeps the newest images of one recipe
 * version (the scheduled patch rebuilds) and every image or AMI tagged as in use (the
 * retention's in-use tag, or the in-use mark of a slot of any fleet it lists), and
 * deletes the others with their AMIs and snapshots. An exclusion rule's tag map
 * excludes a resource that has any one of its tags. Updated in place.
 *
 * It extends the provider resource instead of wrapping it (a deliberate difference
 * from @aws-cdk/aws-imagebuilder-alpha), so that `AmiPipeline`'s policy keeps the
 * Terraform address it always had (`<pipeline>/LifecyclePolicy`).
 */
export class LifecyclePolicy extends ImagebuilderLifecyclePolicy {
  public constructor(scope: Construct, id: string, props: LifecyclePolicyProps) {
    const { count, inUseTag, inUseMarks } = props.retention;
    const inUse = inUseTag ? { [inUseTag.key]: inUseTag.value } : undefined;
    // AMIs: the in-use tag, or any fleet slot's mark (an AMI with any one of these tags is excluded).
    const amiTags =
      inUse || inUseMarks.length > 0
        ? { ...inUse, ...Object.fromEntries(inUseMarks.map((tag) => [tag.key, tag.value])) }
        : undefined;
    super(scope, id, {
      name: props.name,
      description:
        props.description ??
        `Keep the ${count} newest images of ${props.name} and every image tagged ` +
          `${inUseTag?.key}=${inUseTag?.value}${inUseMarks.length > 0 ? ' or marked in use by a fleet' : ''}`,
      executionRole: props.executionRoleArn,
      resourceType: 'AMI_IMAGE',
      status: 'ENABLED',
      policyDetail: [
        {
          action: [{ type: 'DELETE', includeResources: [{ amis: true, snapshots: true }] }],
          filter: [{ type: 'COUNT', value: count ?? 0 }],
          // isPublic explicit: the API returns it, and an absent value plans a perpetual diff.
          exclusionRules: [{ tagMap: inUse, amis: [{ isPublic: false, tagMap: amiTags }] }],
        },
      ],
      // The current recipe version, followed in place like the pipeline follows it.
      // AWS now accepts "1.0.x" (every version), but AWS provider 6.25 still validates
      // semantic_version without wildcards.
      resourceSelection: [{ recipe: [{ name: props.recipeName, semanticVersion: props.recipeVersion }] }],
      tags: props.tags,
      dependsOn: props.dependsOn && props.dependsOn.length > 0 ? [...props.dependsOn] : undefined,
    });
    const check = new Validator(this);
    check.pattern('name', props.name, IMAGE_BUILDER_NAME, IMAGE_BUILDER_NAME_RULE);
    if (count === undefined) {
      check.fail(
        'retention (ImageRetention.keepAll()) keeps every image, so a lifecycle policy has nothing to delete; use ' +
          'ImageRetention.keepLast(n), or create no LifecyclePolicy.',
      );
    }
    check.pattern(
      'recipeVersion',
      props.recipeVersion,
      /^\d+\.\d+\.\d+$/,
      'a semantic version without wildcards, such as 1.0.123 (ImageRecipe.version)',
    );
  }
}
