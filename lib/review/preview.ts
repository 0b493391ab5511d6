import { existsSync, readFileSync, statSync } from 'fs';
import { basename, dirname, join } from 'path';
import { changedPaths, isObject, topAttribute, valuesAt, withoutEmpty } from './private/diff';
import { referencesInValue, ResourceReference, stringLeaves, triggerReference } from './private/references';
import { isIgnored, pinnedMetadata, WAITS_FOR_RELEASE_LABEL } from '../immutability/lifecycle-metadata';
import { ResourcePolicy } from '../immutability/resource-policy';

/**
 * What happens to one resource between two synth outputs. `waits-for-release`: a
 * resource of a pinned blue/green slot whose changed attributes its lifecycle ignores;
 * Terraform leaves it as it is, and the change reaches it only with a release
 * (`release stage <env> --same-image`). Shown as {@link PREVIEW_LABELS}.
 */
export type PreviewAction = 'created' | 'destroyed' | 'replaced' | 'updated' | 'unchanged' | 'waits-for-release';

/** How the command line and the pull request pipeline label each action. */
export const PREVIEW_LABELS: Readonly<Record<PreviewAction, string>> = {
  created: 'created',
  destroyed: 'destroyed',
  replaced: 'replaced',
  updated: 'updated in place',
  unchanged: 'unchanged',
  'waits-for-release': WAITS_FOR_RELEASE_LABEL,
};

/** One resource of a preview. */
export interface PreviewResource {
  /** Terraform address, `aws_launch_template.web_blue`. */
  readonly address: string;
  readonly type: string;
  readonly action: PreviewAction;
  /**
   * Changed attribute paths (replaced and updated; for unchanged, meta-arguments such as
   * depends_on or lifecycle preconditions whose change alone plans no action).
   */
  readonly changed: readonly string[];
  /**
   * Why a replacement is one (the force-new attributes that changed, the trigger, the
   * reference followed), why an update follows another resource, or, for
   * `waits-for-release`, why the slot is pinned and the command that ships the change.
   */
  readonly reason?: string;
  /**
   * True when an immutable type would be updated in place (not only operational
   * attributes), or a forbidden attribute is set.
   */
  readonly violation: boolean;
  /** Why `violation` is true. */
  readonly violationReason?: string;
}

/** The preview of one stack. */
export interface StackPreview {
  readonly stack: string;
  readonly resources: readonly PreviewResource[];
}

/** A synth output that cannot be read. The message names the path and the fix. */
export class SynthOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SynthOutputError';
  }
}

type StackJson = { resource?: Record<string, Record<string, Record<string, unknown>>>; moved?: unknown };

/**
 * Reads a synth output: a cdktf.out folder (with manifest.json), a stack folder
 * (with cdk.tf.json) or a stack JSON file. Returns stack name -> Terraform JSON.
 */
export function readSynthOutput(path: string): Map<string, StackJson> {
  if (!existsSync(path)) {
    throw new SynthOutputError(
      `${path} does not exist; pass a cdktf.out folder or a cdk.tf.json file (run "cdktf synth" first).`,
    );
  }
  if (!statSync(path).isDirectory()) {
    const name =
      basename(path) === 'cdk.tf.json' ? basename(dirname(path)) : basename(path).replace(/(\.tf)?\.json$/, '');
    return new Map([[name, readStackJson(path)]]);
  }
  const manifestPath = join(path, 'manifest.json');
  if (existsSync(manifestPath)) {
    return readManifest(path, manifestPath);
  }
  const single = join(path, 'cdk.tf.json');
  if (existsSync(single)) {
    return new Map([[basename(path), readStackJson(single)]]);
  }
  throw new SynthOutputError(
    `${path}: has neither manifest.json nor cdk.tf.json; ` +
      'pass a cdktf.out folder, a stack folder or a stack JSON file.',
  );
}

/** Every stack a cdktf.out folder's manifest names, read from its synthesized stack path. */
function readManifest(path: string, manifestPath: string): Map<string, StackJson> {
  const manifest = readJson(manifestPath) as { stacks?: Record<string, { synthesizedStackPath?: string }> };
  if (!isObject(manifest) || !isObject(manifest.stacks)) {
    throw new SynthOutputError(
      `${manifestPath}: has no "stacks" object; it is not a cdktf manifest. Re-run "cdktf synth".`,
    );
  }
  const stacks = new Map<string, StackJson>();
  for (const [name, entry] of Object.entries(manifest.stacks)) {
    if (!isObject(entry) || typeof entry.synthesizedStackPath !== 'string') {
      throw new SynthOutputError(
        `${manifestPath}: stacks.${name}.synthesizedStackPath is missing; re-run "cdktf synth".`,
      );
    }
    stacks.set(name, readStackJson(join(path, entry.synthesizedStackPath)));
  }
  return stacks;
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SynthOutputError(
      `${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SynthOutputError(`${path}: is not valid JSON (${(error as Error).message}); re-run "cdktf synth".`);
  }
}

function readStackJson(path: string): StackJson {
  const json = readJson(path);
  if (!isObject(json)) {
    throw new SynthOutputError(`${path}: is not a Terraform JSON object.`);
  }
  if (json.resource !== undefined && !isObject(json.resource)) {
    throw new SynthOutputError(`${path}: "resource" is not an object; it is not Terraform JSON.`);
  }
  for (const [type, byName] of Object.entries(json.resource ?? {})) {
    if (!isObject(byName) || Object.values(byName).some((r) => !isObject(r))) {
      throw new SynthOutputError(`${path}: resource.${type} is not an object of resources; it is not Terraform JSON.`);
    }
  }
  return json as StackJson;
}

/** A resource of one side: its type, its body without metadata, and the pinned slot's reason when it has one. */
interface Body {
  readonly type: string;
  readonly body: Record<string, unknown>;
  /** Set on a pinned blue/green slot's resources (their `//` metadata). */
  readonly pinned?: string;
}

function resources(stack: StackJson | undefined): Map<string, Body> {
  const out = new Map<string, Body>();
  for (const [type, byName] of Object.entries(stack?.resource ?? {})) {
    for (const [name, body] of Object.entries(byName)) {
      const { '//': _metadata, ...rest } = body;
      const pinned = pinnedMetadata(body);
      out.set(`${type}.${name}`, { type, body: rest, ...(pinned ? { pinned: pinned.reason } : {}) });
    }
  }
  return out;
}

/**
 * Compares two synth outputs offline. Per stack, each resource is created, destroyed,
 * replaced, updated in place or unchanged:
 *
 * - replaced: an attribute that forces a new resource changed (its name or generation,
 *   or any force-new attribute of {@link ResourcePolicy.forceNewAttributes}, whatever
 *   the type's class); or, for Image Builder components, recipes and images, any
 *   argument; or a force-new attribute references (`${aws_x.y.attr}`) a resource whose
 *   value there changes; or its `replace_triggered_by` names a resource (or attribute)
 *   that changes. References are followed to a fixed point.
 * - updated: any other change, including an attribute whose referenced value changes.
 *
 * `violation` is true for an immutable resource updated in place beyond its
 * operational attributes, and for a forbidden attribute that is set. When each side
 * holds a single stack, the two are compared whatever their names (two stack JSON files).
 */
export function previewChanges(before: Map<string, StackJson>, after: Map<string, StackJson>): StackPreview[] {
  // Two single-stack inputs (two stack JSON files) are the same stack, whatever their names.
  if (before.size === 1 && after.size === 1) {
    const [beforeName] = before.keys();
    const [afterName] = after.keys();
    if (beforeName !== afterName) {
      before = new Map([[afterName, before.get(beforeName)!]]);
    }
  }
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  return names.map((stack) => ({ stack, resources: previewStack(before.get(stack), after.get(stack)) }));
}

interface Entry {
  address: string;
  type: string;
  action: PreviewAction;
  changed: string[];
  reason?: string;
  violation: boolean;
  violationReason?: string;
}

/**
 * The before side with the `moved` blocks of the after side applied (`{ from, to }`
 * addresses): a moved resource is compared with itself at its new address.
 */
function movedTo(before: Map<string, Body>, moved: unknown): Map<string, Body> {
  const moves = Array.isArray(moved) ? moved : [];
  for (const move of moves) {
    if (
      isObject(move) &&
      typeof move.from === 'string' &&
      typeof move.to === 'string' &&
      before.has(move.from) &&
      !before.has(move.to)
    ) {
      before.set(move.to, before.get(move.from)!);
      before.delete(move.from);
    }
  }
  return before;
}

/** Meta-arguments whose change alone plans no action on the resource. */
const NO_ACTION_META_ARGUMENTS = ['depends_on', 'lifecycle', 'provisioner', 'connection'];

/** Top-level keys of a resource body that are meta-arguments, not attributes that reference values. */
const META_ARGUMENTS = ['lifecycle', 'depends_on', 'provider', 'count', 'for_each', 'provisioner', 'connection'];

/** The resources of one stack side by address, each with its type and body. */
type Bodies = Map<string, Body>;

function previewStack(beforeStack: StackJson | undefined, afterStack: StackJson | undefined): PreviewResource[] {
  const before = movedTo(resources(beforeStack), afterStack?.moved);
  const after = resources(afterStack);
  const addresses = [...new Set([...before.keys(), ...after.keys()])].sort();
  const result = new Map<string, Entry>();
  for (const address of addresses) {
    result.set(address, classify(address, before.get(address), after.get(address)));
  }
  followToFixedPoint(result, after);
  markViolations(result, after);
  return [...result.values()].map(({ violationReason, reason, ...rest }) => ({
    ...rest,
    ...(reason !== undefined && ['replaced', 'updated', 'waits-for-release'].includes(rest.action) ? { reason } : {}),
    ...(violationReason !== undefined ? { violationReason } : {}),
  }));
}

/**
 * Follows triggers and references until nothing more changes: an updated or unchanged
 * resource whose trigger or force-new reference names a changing value is replaced;
 * one whose other arguments reference a changing value is updated in place.
 */
function followToFixedPoint(result: Map<string, Entry>, after: Bodies): void {
  const isResource = (address: string) => after.has(address);
  const changes = (ref: ResourceReference) => valueChanges(ref, result, after);
  let progress = true;
  while (progress) {
    progress = false;
    for (const entry of result.values()) {
      if (entry.action === 'updated' || entry.action === 'unchanged') {
        progress = followEntry(entry, after.get(entry.address)!.body, changes, isResource) || progress;
      }
    }
  }
}

/** True when the value that `ref` reads changes in this plan. */
function valueChanges(
  ref: ResourceReference,
  result: Map<string, Entry>,
  after: Bodies,
  seen: Set<string> = new Set(),
): boolean {
  const target = result.get(ref.address);
  if (!target || ['unchanged', 'destroyed', 'waits-for-release'].includes(target.action)) {
    return false;
  }
  if (ref.attribute === undefined) {
    return true;
  }
  const changedTops = new Set(target.changed.map(topAttribute));
  if (target.action === 'updated') {
    return changedTops.has(ref.attribute) || (CHANGES_ON_UPDATE[target.type] ?? []).includes(ref.attribute);
  }
  // Replaced or created: a new object. An argument it sets, and that did not change,
  // reads the same unless it reads a value that changes (a template's image_id from a
  // replaced image); anything else (id, arn, computed outputs) is new.
  const body = after.get(ref.address)?.body ?? {};
  if (!Object.prototype.hasOwnProperty.call(body, ref.attribute) || changedTops.has(ref.attribute)) {
    return true;
  }
  const key = `${ref.address}.${ref.attribute}`;
  if (seen.has(key)) {
    return false;
  }
  seen.add(key);
  const isResource = (address: string) => after.has(address);
  return stringLeaves(body[ref.attribute]).some((leaf) =>
    referencesInValue(leaf.text, isResource).some((inner) => valueChanges(inner, result, after, seen)),
  );
}

/** One pass over one resource's triggers and references; true when its entry changed. */
function followEntry(
  entry: Entry,
  body: Record<string, unknown>,
  changes: (ref: ResourceReference) => boolean,
  isResource: (address: string) => boolean,
): boolean {
  const lifecycle = body.lifecycle;
  const triggers =
    isObject(lifecycle) && Array.isArray(lifecycle.replace_triggered_by)
      ? (lifecycle.replace_triggered_by as unknown[])
      : [];
  const fired = triggers.find((trigger) => {
    const ref = typeof trigger === 'string' ? triggerReference(trigger, isResource) : undefined;
    return ref !== undefined && changes(ref);
  });
  if (fired !== undefined) {
    replace(entry, `replace_triggered_by ${String(fired)}`);
    return true;
  }
  let progress = false;
  for (const leaf of stringLeaves(body, META_ARGUMENTS)) {
    if (isIgnored(body, leaf.path)) {
      // the lifecycle ignores it: Terraform keeps the value in the state
      continue;
    }
    const ref = referencesInValue(leaf.text, isResource).find(changes);
    if (!ref) {
      continue;
    }
    const follows = `follows ${ref.address}${ref.attribute ? `.${ref.attribute}` : ''}, which changes`;
    if (ResourcePolicy.isForceNewAttribute(entry.type, leaf.path) || isIdentity(entry.type, leaf.path)) {
      replace(entry, `${topAttribute(leaf.path)} ${follows}`);
      return true;
    }
    if (!entry.changed.includes(leaf.path)) {
      entry.changed = [...entry.changed, leaf.path].sort();
      entry.action = 'updated';
      entry.reason = entry.reason ?? `${leaf.path} ${follows}`;
      entry.violation = inPlaceViolation(entry.type, entry.changed);
      progress = true;
    }
  }
  return progress;
}

/** Gives every violation its reason: a forbidden attribute set, or an immutable resource updated in place. */
function markViolations(result: Map<string, Entry>, after: Bodies): void {
  for (const entry of result.values()) {
    const problem =
      entry.action === 'destroyed' ? undefined : forbiddenProblem(entry.type, after.get(entry.address)?.body);
    if (problem) {
      entry.violation = true;
      entry.violationReason = problem;
    } else if (entry.violation) {
      entry.violationReason = 'immutable resource updated in place';
    }
  }
}

function replace(entry: Entry, reason: string): void {
  entry.action = 'replaced';
  entry.reason = reason;
  entry.violation = false;
}

function isIdentity(type: string, path: string): boolean {
  return (ResourcePolicy.immutableRule(type)?.identityAttributes ?? []).includes(topAttribute(path));
}

/** True when an immutable type changes in place beyond operational attributes. */
function inPlaceViolation(type: string, changed: readonly string[]): boolean {
  return (
    ResourcePolicy.immutableRule(type) !== undefined &&
    changed.some(
      (path) =>
        !ResourcePolicy.isOperationalAttribute(type, path) && !NO_ACTION_META_ARGUMENTS.includes(topAttribute(path)),
    )
  );
}

/** The message for a forbidden attribute set in `body`, if any. */
function forbiddenProblem(type: string, body: Record<string, unknown> | undefined): string | undefined {
  const set = Object.entries(ResourcePolicy.forbiddenAttributes(type)).find(([path]) =>
    valuesAt(body, path).some((value) => withoutEmpty(value) !== undefined),
  );
  return set ? `${set[0]} is set: it ${set[1]}` : undefined;
}

/**
 * Computed attributes that change when the resource is updated in place: a launch
 * template's latest_version is a new number after every update.
 */
const CHANGES_ON_UPDATE: Readonly<Record<string, readonly string[]>> = {
  aws_launch_template: ['latest_version'],
};

/** The classification of one resource from its own two bodies. */
function classify(address: string, a: Body | undefined, b: Body | undefined): Entry {
  const type = (a ?? b)!.type;
  if (!a) {
    return { address, type, action: 'created', changed: [], violation: false };
  }
  if (!b) {
    return { address, type, action: 'destroyed', changed: [], violation: false };
  }
  const all = changedPaths(a.body, b.body);
  // A pinned slot's resource ignores what its lifecycle names: those changes wait for a release.
  const waiting = b.pinned !== undefined ? all.filter((path) => isIgnored(b.body, path)) : [];
  const changed = all.filter((path) => !waiting.includes(path));
  if (waiting.length > 0 && changed.every((path) => NO_ACTION_META_ARGUMENTS.includes(topAttribute(path)))) {
    return { address, type, action: 'waits-for-release', changed: waiting, reason: b.pinned, violation: false };
  }
  // depends_on, preconditions and the like order and check the plan; alone, they change nothing.
  if (changed.every((path) => NO_ACTION_META_ARGUMENTS.includes(topAttribute(path)))) {
    return { address, type, action: 'unchanged', changed, violation: false };
  }
  const reason = replacementReason(type, changed);
  if (reason !== undefined) {
    return { address, type, action: 'replaced', changed, reason, violation: false };
  }
  return { address, type, action: 'updated', changed, violation: inPlaceViolation(type, changed) };
}

/**
 * Why a change of these attribute paths replaces the resource, or undefined: a new
 * identity (name or generation), a force-new attribute, or any substantive change of a
 * type whose every argument forces a new resource.
 */
function replacementReason(type: string, changed: readonly string[]): string | undefined {
  const rule = ResourcePolicy.immutableRule(type);
  const identity = rule
    ? rule.identityAttributes.filter((attr) => changed.some((path) => topAttribute(path) === attr))
    : [];
  if (identity.length > 0) {
    return `new ${identity.join(' and ')}`;
  }
  const forceNew = [
    ...new Set(changed.filter((path) => ResourcePolicy.isForceNewAttribute(type, path)).map(topAttribute)),
  ];
  if (forceNew.length > 0) {
    return `${forceNew.join(', ')} force${forceNew.length === 1 ? 's' : ''} a new resource`;
  }
  const substantive = changed.filter(
    (path) =>
      !ResourcePolicy.isOperationalAttribute(type, path) && !NO_ACTION_META_ARGUMENTS.includes(topAttribute(path)),
  );
  if (rule?.replacesOnAnyChange && substantive.length > 0) {
    return 'every argument of this type forces a new resource';
  }
  return undefined;
}

/** True when any stack would update an immutable resource in place, or sets a forbidden attribute. */
export function hasViolations(preview: readonly StackPreview[]): boolean {
  return preview.some((stack) => stack.resources.some((resource) => resource.violation));
}
