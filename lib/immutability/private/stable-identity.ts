import { TerraformResource, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { Validator } from '../../private/validation';
import { hashFor } from '../canonical-hash';
import { ResourcePolicy } from '../resource-policy';
import { resourceAttributes } from './resource-attributes';
import { existingRootChild, rootChild } from './tree-state';

const ID = 'cdktf-immutable.StableReferences';

/**
 * References (token strings) to long-lived resources that the library owns, such as
 * the instance security group of a fleet, its per-slot target groups or the instance
 * profile a launch template creates, mapped to a stable identity: their construct
 * path plus the arguments that make Terraform REPLACE them (their force-new arguments,
 * `ResourcePolicy.forceNewAttributes`).
 *
 * Such a reference is hashed into a generation by that identity instead of by its
 * runtime value: the resource behind it lives across generations and is updated in
 * place (it is mutable by design), so its id or name only changes when Terraform
 * replaces it, which only happens when a force-new argument changes, which changes the
 * identity and so the generation. Arguments that change in place (the role's policies,
 * security group rules, target group health checks) are not part of it: they never
 * rename a generation. Without this, every default launch template would have a
 * generation that Terraform computes at plan (see `Generation.of`), and names unknown
 * until the owned resource exists.
 *
 * One per app, kept on the app (see `rootChild`): it lives as long as the resources it
 * names, and another app never sees it.
 */
class StableReferences extends Construct {
  /** Registered references by token string. */
  public readonly references = new Map<string, StableReference>();
  /** Resources whose identity a generation read, with the canonical text it read. */
  public readonly hashed = new Map<TerraformResource, string>();
}

interface StableReference {
  readonly key: string;
  readonly resources: readonly TerraformResource[];
}

/**
 * The top-level arguments of `type` that force a new resource, from the policy's one
 * table (`ResourcePolicy.forceNewAttributes`), or undefined for a type it does not know.
 */
export function forceNewArguments(type: string): readonly string[] | undefined {
  const paths = ResourcePolicy.forceNewAttributes(type);
  return paths && [...new Set(paths.map((path) => path.split('.')[0]))];
}

/**
 * Records that `reference` (a token string) stands for the owned resource `key`,
 * made of `resources` (the resource itself first, then the resources whose
 * replacement it follows, such as an instance profile's role). Their force-new
 * arguments are read when a generation hashes the reference (see
 * {@link withStableReferences}), so that values set between construction and that
 * moment count, and checked again at synth.
 */
export function registerStableReference(reference: string, key: string, resources: readonly TerraformResource[]): void {
  for (const resource of resources) {
    const argumentsOf = forceNewArguments(resource.terraformResourceType);
    if (!argumentsOf || argumentsOf.includes('*')) {
      new Validator(resource).fail(
        `${resource.terraformResourceType} has no force-new argument list, so a reference to it cannot be hashed by ` +
          `identity; add the type to the force-new table of ResourcePolicy.`,
      );
    }
  }
  if (Token.isUnresolved(reference) && resources.length > 0) {
    const state = rootChild(resources[0], ID, (root) => new StableReferences(root, ID));
    state.references.set(reference, { key, resources: [...resources] });
  }
}

/**
 * The force-new arguments of `resource` as they stand now (overrides included): an
 * object `{ type, <argument>: <value> }` (values may be tokens, such as a VPC id).
 */
export function forceNewIdentity(resource: TerraformResource): Record<string, unknown> {
  const type = resource.terraformResourceType;
  const attributes = resourceAttributes(resource);
  const identity: Record<string, unknown> = { type };
  for (const argument of forceNewArguments(type) ?? []) {
    identity[argument] = attributes[argument];
  }
  return identity;
}

/**
 * A copy of `value` (plain data) where every reference registered in `scope`'s app is
 * replaced by `{ owned: <key>, identity: [<force-new arguments of each resource>] }`,
 * ready for `Generation.of`.
 */
export function withStableReferences(scope: IConstruct, value: unknown): unknown {
  const state = existingRootChild<StableReferences>(scope, ID);
  return state === undefined ? value : replaceReferences(state, value);
}

function replaceReferences(state: StableReferences, value: unknown): unknown {
  const registered = typeof value === 'string' ? state.references.get(value) : undefined;
  if (registered !== undefined) {
    return { owned: registered.key, identity: registered.resources.map((resource) => identityOnce(state, resource)) };
  }
  if (Array.isArray(value)) {
    return value.map((item) => replaceReferences(state, item));
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = replaceReferences(state, v);
    }
    return out;
  }
  return value;
}

/**
 * The identity of `resource`, and, the first time, a synth-time check that it is still
 * the same: a force-new argument changed later (an override after the generation was
 * computed) would replace the resource behind an unchanged generation.
 */
function identityOnce(state: StableReferences, resource: TerraformResource): Record<string, unknown> {
  const identity = forceNewIdentity(resource);
  if (!state.hashed.has(resource)) {
    const canonical = hashFor(resource, identity).canonical;
    state.hashed.set(resource, canonical);
    resource.node.addValidation({
      validate: () => {
        const now = hashFor(resource, forceNewIdentity(resource)).canonical;
        return now === canonical ? [] : [identityChanged(resource, canonical, now)];
      },
    });
  }
  return identity;
}

function identityChanged(resource: TerraformResource, was: string, now: string): string {
  const type = resource.terraformResourceType;
  return (
    `${resource.node.path}: an argument that replaces this ${type} ` +
    `(one of ${(forceNewArguments(type) ?? []).join(', ')}) changed after a launch template hashed it ` +
    `into its generation (was ${was}, now ${now}); ` +
    'set it before the fleet or launch template that uses the resource is constructed.'
  );
}
