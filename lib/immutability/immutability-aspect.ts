import { Aspects, IAspect, TerraformResource, TerraformStack, Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { findAcknowledgement, recordAcknowledgement } from '../private/acknowledgements';
import { show, Validator } from '../private/validation';
import { LifecycleAcknowledgementId, lifecycleFindings, LIFECYCLE_ACKNOWLEDGEMENT_IDS } from './lifecycle-metadata';
import { isGeneratedName } from './private/generated-names';
import { resolvedResourceAttributes, resourceAttributes } from './private/resource-attributes';
import { ImmutableTypeRule, ResourcePolicy } from './resource-policy';

/**
 * An acknowledgement of a lifecycle rule that an immutable resource breaks on purpose,
 * with the reason (see {@link ImmutabilityAspect.acknowledgeLifecycle}).
 */
export interface LifecycleAcknowledgement {
  /**
   * The rule: `ignore-changes` (an `ignore_changes` entry that is not an operational
   * attribute of the type, or `all`), or `replace-triggered-by-removed` (a
   * `replace_triggered_by` entry that a construct of the library set was removed).
   */
  readonly id: LifecycleAcknowledgementId;
  /** Why the rule may be broken here, written into the resource's `//` metadata. At least 10 characters. */
  readonly reason: string;
}

/**
 * The id of the acknowledgement that accepts a fixed name (see
 * {@link ImmutabilityAspect.allowFixedName}), recorded in the resource's `//` metadata.
 */
const ALLOW_FIXED_NAME = 'allow-fixed-name';

/**
 * Makes every resource of an immutable type (see {@link ResourcePolicy}) replace
 * itself create-before-destroy, and fails synth when a fixed name on such a resource
 * would collide with the resource it replaces, when its `ignore_changes` names more
 * than operational attributes (or `all`), or when a `replace_triggered_by` entry that a
 * construct of the library set was removed. Each check reads the resource's final
 * JSON, overrides included. The last two are accepted with an acknowledgement
 * ({@link ImmutabilityAspect.acknowledgeLifecycle}), and on the slots a blue/green fleet
 * pins, whose metadata records why their lifecycle ignores the code.
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
   * `"cdktf-immutable": { "acknowledged": { "allow-fixed-name": "<reason>" } }`,
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

  /**
   * Accepts one lifecycle rule that an immutable resource breaks on purpose, with the
   * reason: `ignore-changes` for an `ignore_changes` entry that is not an operational
   * attribute (or `all`), `replace-triggered-by-removed` for a `replace_triggered_by`
   * entry that the library set and that was removed. The reason is
   * written into the resource's `//` metadata
   * (`"cdktf-immutable": { "acknowledged": { "<id>": "<reason>" } }`), where
   * `guard --config` reads it and lists the resource by name, and a reviewer of the
   * synthesized output or of a snapshot reads why (as cdk-nag's suppressions).
   */
  public static acknowledgeLifecycle(resource: TerraformResource, acknowledgement: LifecycleAcknowledgement): void {
    const check = new Validator(resource);
    const { id, reason } = acknowledgement ?? ({} as LifecycleAcknowledgement);
    if (!LIFECYCLE_ACKNOWLEDGEMENT_IDS.includes(id)) {
      check.fail(
        `ImmutabilityAspect.acknowledgeLifecycle id (${show(id)}) must be one of ` +
          `${LIFECYCLE_ACKNOWLEDGEMENT_IDS.map((known) => `"${known}"`).join(', ')}.`,
      );
    }
    if (typeof reason !== 'string' || reason.trim().length < 10) {
      check.fail(
        `ImmutabilityAspect.acknowledgeLifecycle reason for "${id}" (${show(reason)}) must say why, in at least 10 ` +
          'characters, such as "the agent updates this template itself; tracked in OPS-123".',
      );
    }
    recordAcknowledgement(resource, { id, reason });
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
    this.checkLifecycle(node);
  }

  /** Refuses an unacknowledged `ignore_changes` or removed `replace_triggered_by` (see {@link lifecycleFindings}). */
  private checkLifecycle(node: TerraformResource): void {
    const body = resolvedResourceAttributes(node);
    const refused = lifecycleFindings(node.terraformResourceType, body).filter(
      (finding) => finding.acknowledgedBy === undefined,
    );
    if (refused.length === 0) {
      return;
    }
    const fixes = refused.map((finding) =>
      finding.id === 'ignore-changes'
        ? 'remove the ignore_changes entry (a change of what runs must replace the resource; the blue/green fleet ' +
          'already pins its serving and rollback slots)'
        : 'keep the replace_triggered_by entries the library set (add yours beside them)',
    );
    new Validator(node).fail(
      `${refused.map((finding) => finding.problem).join('; ')}. Fix: ${fixes.join('; ')}, or acknowledge it with ` +
        `ImmutabilityAspect.acknowledgeLifecycle(resource, { id: "${refused[0].id}", reason: "<why>" }).`,
    );
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
