import { Aspects, IAspect, TerraformResource, TerraformStack, Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { findAcknowledgement, recordAcknowledgement } from '../private/acknowledgements';
import { show, Validator } from '../private/validation';
import { isGeneratedName } from './private/generated-names';
import { resourceAttributes } from './private/resource-attributes';
import { ImmutableTypeRule, ResourcePolicy } from './resource-policy';

/**
 * The id of the acknowledgement that accepts a fixed name (see
 * {@link ImmutabilityAspect.allowFixedName}), recorded in the resource's `//` metadata.
 */
const ALLOW_FIXED_NAME = 'allow-fixed-name';

/**
 * Makes every resource of an immutable type (see {@link ResourcePolicy}) replace
 * itself create-before-destroy, and fails synth when a fixed name on such a resource
 * would collide with the resource it replaces.
 *
 * Every construct of this library enables it on its stack; add it yourself to cover
 * resources you write by hand: `Aspects.of(stack).add(new ImmutabilityAspect())` or
 * `ImmutabilityAspect.enable(stack)`.
 *
 * Unlike AWS CDK, which leaves replacement order to CloudFormation's defaults, the
 * aspect forces create_before_destroy: Terraform's default (destroy first) would take
 * the running servers away before their replacement exists.
 */
export class ImmutabilityAspect implements IAspect {
  /**
   * Adds the aspect to the stack of `scope` once: a stack that has one (added by this
   * call or by hand) gets no second.
   */
  public static enable(scope: IConstruct): void {
    const stack = TerraformStack.of(scope);
    if (Aspects.of(stack).all.some((aspect) => aspect instanceof ImmutabilityAspect)) {
      return;
    }
    Aspects.of(stack).add(new ImmutabilityAspect());
  }

  /**
   * Accepts a fixed name on one immutable resource, for a resource you know is never
   * replaced while it exists (the replacement would fail with a duplicate name).
   * The reason is written into the resource's `//` metadata of the synthesized JSON,
   * among the library's acknowledgements:
   * `"cdktf-immutable:acknowledgements": [{ "id": "allow-fixed-name", "reason": "<reason>" }]`,
   * so that a reviewer of the synthesized output or of a snapshot reads why (as
   * `suppressCheckov` does).
   * @param reason why the collision cannot happen, such as "never replaced while it exists"
   */
  public static allowFixedName(resource: TerraformResource, reason: string): void {
    if (typeof reason !== 'string' || !reason.trim()) {
      new Validator(resource).fail(
        `ImmutabilityAspect.allowFixedName reason (${show(reason)}) must say why this resource's fixed name ` +
          'cannot collide, such as "never replaced while it exists".',
      );
    }
    recordAcknowledgement(resource, { id: ALLOW_FIXED_NAME, reason });
  }

  public visit(node: IConstruct): void {
    if (!TerraformResource.isTerraformResource(node)) {
      return;
    }
    const rule = ResourcePolicy.immutableRule(node.terraformResourceType);
    if (!rule) {
      return;
    }
    const attributes = resourceAttributes(node);
    const lifecycle = (attributes.lifecycle ?? {}) as Record<string, unknown>;
    if (lifecycle.create_before_destroy === false) {
      new Validator(node).fail(
        `lifecycle createBeforeDestroy is false, but ${rule.type} is immutable: ` +
          'a replacement must exist before the resource it replaces is destroyed. Remove createBeforeDestroy: false.',
      );
    }
    node.lifecycle = { ...node.lifecycle, createBeforeDestroy: true };
    this.checkIdentity(node, rule, attributes);
  }

  private checkIdentity(node: TerraformResource, rule: ImmutableTypeRule, attributes: Record<string, unknown>): void {
    if (rule.identityAttributes.length === 0 || findAcknowledgement(node, ALLOW_FIXED_NAME) !== undefined) {
      return;
    }
    const values = rule.identityAttributes.map((name) => attributes[name]);
    // Unset (the API generates a unique identity) or generation-derived: no collision.
    const varies = values.some((value) => value === undefined || value === null || isGeneratedName(node, value));
    if (varies) {
      return;
    }
    const shown = rule.identityAttributes.map((name, i) => `${name} ${describe(values[i])}`).join(', ');
    const prefix =
      rule.prefixAttributes.length > 0
        ? `use ${rule.prefixAttributes.map((a) => `${a}_prefix`).join(' / ')} instead, or `
        : '';
    new Validator(node).fail(
      `${rule.type} has a fixed ${shown}. Under create_before_destroy its replacement ` +
        'would be created while the old one still holds that identity, and the API rejects the duplicate. ' +
        `Fix: ${prefix}` +
        'derive it from the generation with generationName(...) (or let the library construct name it), or call ' +
        'ImmutabilityAspect.allowFixedName(resource, reason) if it is never replaced.',
    );
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') {
    return Token.isUnresolved(value) ? '(a token that does not change with the generation)' : `"${value}"`;
  }
  return JSON.stringify(value);
}
