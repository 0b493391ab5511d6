/**
 * What Terraform would do with a change from one synthesized stack to another, as far
 * as the immutability promise needs it, offline (not a test file):
 *
 * - which resources are REPLACED: an immutable resource whose identity (name, prefix,
 *   version) changes, an Image Builder resource that replaces on any change, a resource
 *   whose force-new argument changes, a data source whose query changes (its value may
 *   change), and, to a fixed point, anything with a `replace_triggered_by` entry or a
 *   force-new / identity argument that refers to a replaced resource;
 * - which immutable resources CHANGE: a non-operational attribute differs in the JSON, or
 *   refers to a replaced resource (its value changes at apply).
 *
 * Every changed immutable resource must be replaced, or the plan would update what runs
 * on a server in place. Not a test file.
 */
import { ResourcePolicy } from '../../lib/immutability/resource-policy';
import { forceNewArguments } from '../../lib/immutability/private/stable-identity';
import type { Json } from '../support/synth';

/**
 * True when a change of the top-level `attribute` of `type` makes Terraform replace it,
 * per the policy's one force-new table (a block counts when any path inside it does).
 */
function isForceNew(type: string, attribute: string): boolean {
  return ResourcePolicy.isForceNewAttribute(type, attribute) || (forceNewArguments(type) ?? []).includes(attribute);
}

export interface Resource {
  readonly address: string;
  readonly type: string;
  readonly mode: 'managed' | 'data';
  /** Attributes without metadata and meta-arguments. */
  readonly attributes: Json;
  /** `lifecycle.replace_triggered_by`, as bare references. */
  readonly replaceTriggeredBy: readonly string[];
  /** `lifecycle.ignore_changes`: Terraform keeps these attributes as they are in the state. */
  readonly ignoreChanges: 'all' | readonly string[];
}

/** True when the resource's lifecycle ignores `attribute` (a pinned slot's resources ignore their definition). */
export function ignores(resource: Resource, attribute: string): boolean {
  return resource.ignoreChanges === 'all' || resource.ignoreChanges.includes(attribute);
}

/** Every resource and data source of a synthesized stack, by address. */
export function resourcesOf(json: Json): Map<string, Resource> {
  const out = new Map<string, Resource>();
  for (const [mode, block] of [
    ['managed', json.resource],
    ['data', json.data],
  ] as const) {
    for (const [type, byName] of Object.entries((block ?? {}) as Json)) {
      for (const [name, config] of Object.entries(byName as Json)) {
        const {
          '//': _meta,
          lifecycle,
          depends_on: _deps,
          provider: _provider,
          count: _count,
          for_each: _each,
          ...attributes
        } = config as Json;
        const address = mode === 'data' ? `data.${type}.${name}` : `${type}.${name}`;
        out.set(address, {
          address,
          type,
          mode,
          attributes,
          replaceTriggeredBy: (lifecycle?.replace_triggered_by ?? []) as string[],
          ignoreChanges: lifecycle?.ignore_changes === 'all' ? 'all' : ((lifecycle?.ignore_changes ?? []) as string[]),
        });
      }
    }
  }
  return out;
}

/** Addresses a value refers to (`${aws_x.y.attr}`, `${data.aws_x.y.attr}`, inside any expression). */
export function referencesIn(value: unknown, known: ReadonlySet<string>, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    const start = value.indexOf('${');
    if (start >= 0) {
      for (const m of value.slice(start).matchAll(/\b(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)/g)) {
        const address = `${m[1] ?? ''}${m[2]}.${m[3]}`;
        if (known.has(address)) {
          out.add(address);
        }
      }
    }
  } else if (Array.isArray(value)) {
    value.forEach((v) => referencesIn(v, known, out));
  } else if (value !== null && typeof value === 'object') {
    Object.values(value).forEach((v) => referencesIn(v, known, out));
  }
  return out;
}

/** The resource a bare `replace_triggered_by` entry names (`aws_launch_template.x.id` -> `aws_launch_template.x`). */
function triggerTarget(entry: string): string {
  const parts = entry.split('.');
  return parts[0] === 'data' ? parts.slice(0, 3).join('.') : parts.slice(0, 2).join('.');
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Attributes of an immutable type that name the resource (a change of one is a new resource). */
function identityAttributes(type: string): string[] {
  const rule = ResourcePolicy.immutableRule(type);
  if (!rule) {
    return [];
  }
  return [...rule.identityAttributes, ...rule.prefixAttributes.map((a) => `${a}_prefix`)];
}

export interface ChangeAnalysis {
  /** Addresses in both synths, with the top-level attributes that differ. */
  readonly changed: ReadonlyMap<string, readonly string[]>;
  readonly created: readonly string[];
  readonly destroyed: readonly string[];
  /** Addresses Terraform replaces. */
  readonly replaced: ReadonlySet<string>;
  /** Immutable resources that change and are replaced. */
  readonly immutableReplaced: readonly string[];
  /** Immutable resources that change but are NOT replaced: `address: attributes (why)`. */
  readonly inPlace: readonly string[];
  /**
   * Replaced immutable resources whose fixed identity (name, version) stays the same:
   * the create-before-destroy replacement would fail with "already exists".
   */
  readonly collisions: readonly string[];
}

export function analyze(beforeJson: Json, afterJson: Json): ChangeAnalysis {
  const before = resourcesOf(beforeJson);
  const after = resourcesOf(afterJson);
  const known = new Set(after.keys());
  const changed = new Map<string, string[]>();
  for (const [address, resource] of after) {
    const old = before.get(address);
    if (!old) {
      continue;
    }
    const keys = new Set([...Object.keys(old.attributes), ...Object.keys(resource.attributes)]);
    // what the lifecycle ignores stays as it is in the state: no change for Terraform
    const diff = [...keys].filter((k) => !same(old.attributes[k], resource.attributes[k]) && !ignores(resource, k));
    if (diff.length > 0 || !same(old.replaceTriggeredBy, resource.replaceTriggeredBy)) {
      changed.set(address, diff);
    }
  }

  // replaced: direct causes first
  const replaced = new Set<string>();
  for (const [address, diff] of changed) {
    const { type, mode } = after.get(address)!;
    const rule = ResourcePolicy.immutableRule(type);
    if (mode === 'data') {
      if (diff.length > 0) {
        replaced.add(address);
      }
    } else if (rule?.replacesOnAnyChange) {
      if (diff.some((a) => !ResourcePolicy.isOperationalAttribute(type, a))) {
        replaced.add(address);
      }
    } else if (diff.some((a) => identityAttributes(type).includes(a) || isForceNew(type, a))) {
      replaced.add(address);
    }
  }
  // then what follows from them, to a fixed point
  let grew = true;
  while (grew) {
    grew = false;
    for (const [address, resource] of after) {
      if (replaced.has(address) || !before.has(address)) {
        continue;
      }
      const rule = ResourcePolicy.immutableRule(resource.type);
      const watched = (
        resource.mode === 'data'
          ? Object.keys(resource.attributes)
          : rule?.replacesOnAnyChange
            ? Object.keys(resource.attributes).filter((a) => !ResourcePolicy.isOperationalAttribute(resource.type, a))
            : Object.keys(resource.attributes).filter(
                (a) => identityAttributes(resource.type).includes(a) || isForceNew(resource.type, a),
              )
      ).filter((a) => !ignores(resource, a));
      // a trigger on a whole resource fires on any change of it (an update too); on an
      // attribute (`.id`), when the attribute changes: here, when the resource is replaced
      const triggered = resource.replaceTriggeredBy.some(
        (entry) =>
          replaced.has(triggerTarget(entry)) ||
          (entry === triggerTarget(entry) && (changed.get(entry) ?? []).length > 0),
      );
      const follows = watched.some((a) =>
        [...referencesIn(resource.attributes[a], known)].some((ref) => replaced.has(ref)),
      );
      if (triggered || follows) {
        replaced.add(address);
        grew = true;
      }
    }
  }

  const immutableReplaced: string[] = [];
  const inPlace: string[] = [];
  for (const [address, resource] of after) {
    if (!before.has(address) || ResourcePolicy.classify(resource.type) !== 'immutable' || resource.mode === 'data') {
      continue;
    }
    const nonOperational = Object.keys(resource.attributes).filter(
      (a) => !ResourcePolicy.isOperationalAttribute(resource.type, a) && !ignores(resource, a),
    );
    const diff = (changed.get(address) ?? []).filter((a) => !ResourcePolicy.isOperationalAttribute(resource.type, a));
    const viaReference = nonOperational.filter((a) =>
      [...referencesIn(resource.attributes[a], known)].some((ref) => replaced.has(ref) && ref !== address),
    );
    // (a resource replaced by a trigger alone, its own arguments unchanged or ignored, counts)
    if (diff.length === 0 && viaReference.length === 0 && !replaced.has(address)) {
      continue;
    }
    if (replaced.has(address)) {
      immutableReplaced.push(address);
    } else {
      inPlace.push(
        `${address}: ${[...diff.map((a) => `${a} (changed)`), ...viaReference.filter((a) => !diff.includes(a)).map((a) => `${a} (refers to a replaced resource)`)].join(', ')}`,
      );
    }
  }
  const collisions: string[] = [];
  for (const address of immutableReplaced) {
    const resource = after.get(address)!;
    const old = before.get(address)!;
    const rule = ResourcePolicy.immutableRule(resource.type)!;
    if (rule.identityAttributes.length === 0) {
      continue;
    }
    const generatedByApi = rule.prefixAttributes.some((a) => resource.attributes[`${a}_prefix`] !== undefined);
    const identityMoves = rule.identityAttributes.some(
      (a) =>
        !same(old.attributes[a], resource.attributes[a]) ||
        [...referencesIn(resource.attributes[a], known)].some((ref) => replaced.has(ref)),
    );
    if (!generatedByApi && !identityMoves) {
      collisions.push(
        `${address}: ${rule.identityAttributes.map((a) => `${a} = ${JSON.stringify(resource.attributes[a])}`).join(', ')}`,
      );
    }
  }
  return {
    changed,
    created: [...after.keys()].filter((a) => !before.has(a)),
    destroyed: [...before.keys()].filter((a) => !after.has(a)),
    replaced,
    immutableReplaced,
    inPlace,
    collisions,
  };
}

/** The fleet's shared resources that every slot's servers use: replacing one reaches the pinned slots too. */
const SHARED = [
  '_InstanceSecurityGroup_',
  '_InstanceIngress',
  '_InstanceEgress',
  '_LoadBalancerEgressToInstances_',
  '_InstanceProfile_',
];

/**
 * What a change reaches of one blue/green slot (the serving one, for the matrix): its
 * launch template, auto scaling group, target group and in-use mark (addresses holding
 * `_<Slot>_`) that Terraform would replace, or change in place beyond what their
 * lifecycle ignores, as `address: attributes` (replaced ones as `address: replaced`);
 * and the shared resources its servers use (the instance security group and its rules,
 * the instance profile and role) that Terraform would replace.
 */
export function slotReach(analysis: ChangeAnalysis, afterJson: Json, slot: 'Blue' | 'Green'): string[] {
  const after = resourcesOf(afterJson);
  const types = ['aws_launch_template', 'aws_autoscaling_group', 'aws_lb_target_group', 'aws_ec2_tag'];
  const out: string[] = [];
  for (const [address, resource] of after) {
    if (SHARED.some((part) => address.includes(part)) && analysis.replaced.has(address)) {
      out.push(`${address}: replaced (shared)`);
      continue;
    }
    if (!types.includes(resource.type) || !address.includes(`_${slot}_`)) {
      continue;
    }
    if (analysis.replaced.has(address)) {
      out.push(`${address}: replaced`);
    } else if ((analysis.changed.get(address) ?? []).length > 0) {
      out.push(`${address}: ${analysis.changed.get(address)!.join(', ')}`);
    }
  }
  return out.sort();
}
