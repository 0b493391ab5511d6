/**
 * The offline model of one stack's change: the resources, data sources, locals,
 * variables, outputs and provider configurations of both synth outputs, and what each
 * resource does, decided by following references to a fixed point.
 *
 * A value's change has one of four levels: `no`; `yes` (it changes, to a value known at
 * plan); `later` (it changes, to a value known only after apply: a new resource's id);
 * `maybe` (preview cannot decide: a data source asked again with other arguments, a
 * provider configured otherwise). A resource that a `maybe` reaches is `unknown`: run a
 * plan.
 */
import { changes, isObject, sameJson, topAttribute, valuesAt, withoutEmpty } from './diff';
import { ignoredArguments, isIgnored, PinnedMark, pinnedMark } from './lifecycle';
import {
  CONNECTION_ONLY_ARGUMENTS,
  minimumMajor,
  partitionOf,
  providerConfigs,
  providerKey,
  requiredVersion,
  UNTAGGED_TYPES,
} from './providers';
import {
  bareExpression,
  expressionReferences,
  hasExpression,
  Reference,
  stringLeaves,
  valueReferences,
} from './references';
import { ResourcePolicy } from '../../immutability/resource-policy';

/** How a value changes between the two synth outputs. */
export type Level = 'no' | 'maybe' | 'yes' | 'later';

/** A value's change, and for `maybe` (and values that are not resources) what causes it. */
export interface Status {
  readonly level: Level;
  readonly cause?: string;
}

const NO: Status = { level: 'no' };
const YES: Status = { level: 'yes' };
const LATER: Status = { level: 'later' };
const RANK: Record<Level, number> = { no: 0, maybe: 1, yes: 2, later: 3 };

function isChange(level: Level): boolean {
  return level === 'yes' || level === 'later';
}

/** Terraform JSON of one stack, as far as the preview reads it. */
export interface StackJson {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  moved?: unknown;
  [key: string]: unknown;
}

type Body = Record<string, unknown>;
interface Block {
  readonly type: string;
  readonly body: Body;
  readonly metadata?: unknown;
}

/** One side of the change, its blocks by address. */
interface Side {
  readonly resources: Map<string, Block>;
  readonly data: Map<string, Block>;
  readonly locals: Record<string, unknown>;
  readonly variables: Record<string, Body>;
  readonly outputs: Record<string, Body>;
  readonly providers: Map<string, Body>;
  readonly terraform: Body;
  readonly json: StackJson;
}

/** The members of a block that Terraform JSON allows as an object or a list of objects. */
function merged(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of Array.isArray(value) ? value : [value]) {
    if (isObject(part)) {
      Object.assign(out, part);
    }
  }
  return out;
}

function blocks(value: unknown, prefix: string): Map<string, Block> {
  const out = new Map<string, Block>();
  for (const [type, byName] of Object.entries(merged(value))) {
    for (const [name, raw] of Object.entries(merged(byName))) {
      if (isObject(raw)) {
        const { '//': metadata, ...body } = raw;
        out.set(`${prefix}${type}.${name}`, { type, body, metadata });
      }
    }
  }
  return out;
}

function readSide(json: StackJson | undefined): Side {
  const stack = json ?? {};
  const objects = (value: unknown) =>
    Object.fromEntries(Object.entries(merged(value)).filter(([, v]) => isObject(v))) as Record<string, Body>;
  return {
    resources: blocks(stack.resource, ''),
    data: blocks(stack.data, 'data.'),
    locals: merged(stack.locals),
    variables: objects(stack.variable),
    outputs: objects(stack.output),
    providers: providerConfigs(stack.provider),
    terraform: merged(stack.terraform),
    json: stack,
  };
}

/**
 * The before side with the `moved` blocks of the after side applied (`{ from, to }`
 * addresses): a moved resource is compared with itself at its new address.
 */
function applyMoved(before: Map<string, Block>, moved: unknown): void {
  for (const move of Array.isArray(moved) ? moved : []) {
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
}

/** Meta-arguments whose change alone plans no action on the resource. */
const NO_ACTION_META_ARGUMENTS = ['depends_on', 'lifecycle', 'provisioner', 'connection'];

/** Top-level keys of a resource body that are meta-arguments, not attributes that reference values. */
const META_ARGUMENTS = ['lifecycle', 'depends_on', 'provider', 'count', 'for_each', 'provisioner', 'connection'];

/**
 * Computed attributes that change when the resource is updated in place: a launch
 * template's latest_version is a new number after every update.
 */
const CHANGES_ON_UPDATE: Readonly<Record<string, readonly string[]>> = {
  aws_launch_template: ['latest_version'],
};

/** Top-level keys of a stack the preview models; any other key that changes is undecided. */
const MODELLED_KEYS = ['//', 'resource', 'data', 'locals', 'variable', 'output', 'provider', 'terraform', 'moved'];
/** Top-level keys whose change plans no action: `check` blocks only warn. */
const NO_ACTION_KEYS = ['check'];

/** A value of a resource that preview cannot decide, and what the resource is if it changes. */
interface Undecided {
  readonly path: string;
  /** `replace`: a force-new argument; `update`: any other; `any`: either, or instances added or removed. */
  readonly effect: 'replace' | 'update' | 'any';
  readonly reason: string;
}

/** What one resource does, as the fixed point builds it. */
export interface Entry {
  readonly address: string;
  readonly type: string;
  /** From the resource's own two bodies, then raised by the references it follows. */
  base: 'created' | 'destroyed' | 'replaced' | 'updated' | 'unchanged';
  /** Changed attribute paths, decided. */
  changed: string[];
  /** Top-level attributes whose new value is known only after apply. */
  readonly later: Set<string>;
  /** Changed attribute paths that `lifecycle.ignore_changes` hides from the plan. */
  readonly ignored: string[];
  readonly undecided: Undecided[];
  reason?: string;
  violation: boolean;
  violationReason?: string;
  /** The library's pinning mark, on a resource of a pinned blue/green slot. */
  readonly pinned?: PinnedMark;
}

/** What a resource is: its own class raised by what it follows; `unknown` when an undecided value may change it. */
export function actionOf(entry: Entry): 'created' | 'destroyed' | 'replaced' | 'updated' | 'unchanged' | 'unknown' {
  if (entry.base === 'created' || entry.base === 'destroyed' || entry.base === 'replaced') {
    return entry.base;
  }
  if (entry.undecided.length === 0) {
    return entry.base;
  }
  if (entry.base === 'updated' && entry.undecided.every((u) => u.effect === 'update')) {
    return 'updated';
  }
  return 'unknown';
}

/** For an unknown resource: what it is when the undecided values change. */
export function ifChanged(entry: Entry): 'replaced' | 'updated' | undefined {
  if (entry.undecided.some((u) => u.effect === 'replace')) {
    return 'replaced';
  }
  return entry.undecided.every((u) => u.effect === 'update') ? 'updated' : undefined;
}

/** How a change of one provider configuration reaches what uses it. */
interface ProviderEffect {
  readonly region: Status;
  readonly defaultTags: Status;
  /** Any other argument that may change what the provider plans (credentials, endpoints, assume_role...). */
  readonly other: Status;
}

/** Looks up the change of an output of another stack (cdktf cross-stack references). */
export interface CrossStack {
  output(stack: string, output: string): Status;
}

/** The preview of one stack, before the public shape is made of it. */
export interface StackResult {
  readonly entries: readonly Entry[];
  readonly outputs: ReadonlyArray<{
    name: string;
    action: 'created' | 'destroyed' | 'updated' | 'unknown';
    reason?: string;
  }>;
  readonly unknown: readonly string[];
  readonly notes: readonly string[];
}

/** One stack: both sides, and the resources' entries that {@link StackModel.step} raises to a fixed point. */
export class StackModel {
  private readonly before: Side;
  private readonly after: Side;
  private readonly entries = new Map<string, Entry>();
  private readonly unknown: string[] = [];
  private readonly notes = new Set<string>();

  constructor(
    readonly name: string,
    beforeJson: StackJson | undefined,
    afterJson: StackJson | undefined,
  ) {
    this.before = readSide(beforeJson);
    this.after = readSide(afterJson);
    applyMoved(this.before.resources, afterJson?.moved);
    const addresses = [...new Set([...this.before.resources.keys(), ...this.after.resources.keys()])].sort();
    for (const address of addresses) {
      this.entries.set(
        address,
        classify(address, this.before.resources.get(address), this.after.resources.get(address)),
      );
    }
    this.unknown.push(...stackUnknowns(this.before, this.after));
  }

  /** One pass over every resource; true when an entry changed. */
  step(crossStack: CrossStack): boolean {
    const ev = new Evaluator(this.before, this.after, this.entries, crossStack);
    let progress = false;
    for (const entry of this.entries.values()) {
      progress = this.stepEntry(entry, ev) || progress;
    }
    return progress;
  }

  /** The change of output `name` (for stacks that read it through cross-stack references). */
  outputStatus(name: string, crossStack: CrossStack): Status {
    return new Evaluator(this.before, this.after, this.entries, crossStack).output(name);
  }

  result(crossStack: CrossStack): StackResult {
    markViolations(this.entries, this.after);
    const ev = new Evaluator(this.before, this.after, this.entries, crossStack);
    const outputs: Array<{
      name: string;
      action: 'created' | 'destroyed' | 'updated' | 'unknown';
      reason?: string;
    }> = [];
    const names = [...new Set([...Object.keys(this.before.outputs), ...Object.keys(this.after.outputs)])].sort();
    for (const name of names) {
      if (!this.after.outputs[name]) {
        outputs.push({ name, action: 'destroyed' });
      } else if (!this.before.outputs[name]) {
        outputs.push({ name, action: 'created' });
      } else {
        const status = ev.output(name);
        if (status.level === 'maybe') {
          outputs.push({ name, action: 'unknown', reason: status.cause });
        } else if (status.level !== 'no') {
          outputs.push({ name, action: 'updated', ...(status.cause ? { reason: status.cause } : {}) });
        }
      }
    }
    return { entries: [...this.entries.values()], outputs, unknown: this.unknown, notes: [...this.notes] };
  }

  private stepEntry(entry: Entry, ev: Evaluator): boolean {
    // A created resource is new whatever it follows; a replaced one still records what it
    // follows, since what reads its arguments sees their new values.
    if (entry.base === 'created' || entry.base === 'destroyed') {
      return false;
    }
    const signature = signatureOf(entry);
    const body = this.after.resources.get(entry.address)!.body;
    this.followTriggers(entry, body, ev);
    this.followArguments(entry, body, ev);
    this.followProvider(entry, body, ev);
    return signatureOf(entry) !== signature;
  }

  /** replace_triggered_by: a trigger that changes replaces the resource. */
  private followTriggers(entry: Entry, body: Body, ev: Evaluator): void {
    const lifecycle = body.lifecycle;
    const triggers =
      isObject(lifecycle) && Array.isArray(lifecycle.replace_triggered_by) ? lifecycle.replace_triggered_by : [];
    for (const trigger of triggers) {
      if (typeof trigger !== 'string' || entry.base === 'replaced') {
        continue;
      }
      const ref = expressionReferences(bareExpression(trigger)).find(
        (r) => r.kind === 'resource' && this.after.resources.has(r.address),
      );
      const status = ref ? ev.ref(ref) : NO;
      if (isChange(status.level)) {
        replace(entry, `replace_triggered_by ${trigger}`);
      } else if (status.level === 'maybe') {
        undecide(entry, {
          path: 'lifecycle.replace_triggered_by',
          effect: 'replace',
          reason: `replace_triggered_by ${trigger}: ${status.cause ?? `${ref!.address} is undecided`}`,
        });
      }
    }
  }

  /**
   * The arguments (and count / for_each): a force-new one that changes replaces the
   * resource, another one updates it in place; one that preview cannot decide makes it
   * unknown.
   */
  private followArguments(entry: Entry, body: Body, ev: Evaluator): void {
    const ignored = ignoredArguments(body);
    for (const leaf of stringLeaves(body, META_ARGUMENTS)) {
      const { status, ref } = ev.leaf(leaf.text);
      if (isIgnored(ignored, leaf.segments)) {
        // The plan ignores it; shown as ignored (a pinned slot's change waits for a release).
        if (isChange(status.level) && !entry.ignored.includes(leaf.path)) {
          entry.ignored.push(leaf.path);
        }
        continue;
      }
      if (status.level === 'no') {
        continue;
      }
      const follows = followsText(ref!, status);
      const forceNew = ResourcePolicy.isForceNewAttribute(entry.type, leaf.path) || isIdentity(entry.type, leaf.path);
      if (status.level === 'maybe') {
        undecide(entry, {
          path: leaf.path,
          effect: forceNew ? 'replace' : 'update',
          reason: `${leaf.path} ${follows}`,
        });
        continue;
      }
      if (!entry.changed.includes(leaf.path)) {
        entry.changed = [...entry.changed, leaf.path].sort();
      }
      if (status.level === 'later') {
        entry.later.add(topAttribute(leaf.path));
      }
      if (entry.base === 'replaced') {
        continue;
      }
      if (forceNew) {
        replace(entry, `${topAttribute(leaf.path)} ${follows}`);
      } else {
        entry.base = 'updated';
        entry.reason = entry.reason ?? `${leaf.path} ${follows}`;
        entry.violation = inPlaceViolation(entry.type, entry.changed);
      }
    }
    for (const key of ['count', 'for_each']) {
      for (const leaf of stringLeaves({ [key]: body[key] })) {
        const { status, ref } = ev.leaf(leaf.text);
        if (status.level !== 'no') {
          undecide(entry, {
            path: key,
            effect: 'any',
            reason:
              `${key} follows ${ref!.text}, which ${status.level === 'maybe' ? 'preview cannot decide' : 'changes'}: ` +
              'instances may be created or destroyed',
          });
        }
      }
    }
  }

  /** The provider configuration the resource uses: its region, default_tags and the rest. */
  private followProvider(entry: Entry, body: Body, ev: Evaluator): void {
    const key = providerKey(entry.type, body);
    const name = key.split('.')[0];
    const effect = ev.provider(key);
    if (effect.region.level !== 'no') {
      if (name === 'aws' && keepsRegion(this.after.terraform)) {
        this.notes.add(
          `${effect.region.cause}: the AWS provider (6 or later) keeps each existing resource in the region it ` +
            'was created in; only new resources and data sources use the new region',
        );
      } else {
        undecide(entry, { path: 'provider', effect: 'replace', reason: `${effect.region.cause}` });
      }
    }
    const ignored = ignoredArguments(body);
    if (
      effect.defaultTags.level !== 'no' &&
      !UNTAGGED_TYPES.has(entry.type) &&
      !isIgnored(ignored, ['tags_all']) &&
      !isIgnored(ignored, ['tags'])
    ) {
      const reason = `tags_all follows the provider's default_tags, which ${
        effect.defaultTags.level === 'maybe' ? 'preview cannot decide' : 'change'
      }`;
      if (isChange(effect.defaultTags.level)) {
        if (!entry.changed.includes('tags_all')) {
          entry.changed = [...entry.changed, 'tags_all'].sort();
        }
        if (entry.base !== 'replaced') {
          entry.base = 'updated';
          entry.reason = entry.reason ?? reason;
          entry.violation = inPlaceViolation(entry.type, entry.changed);
        }
      } else {
        undecide(entry, { path: 'tags_all', effect: 'update', reason });
      }
    }
    if (effect.other.level !== 'no') {
      undecide(entry, { path: 'provider', effect: 'any', reason: effect.other.cause! });
    }
    const before = this.before.resources.get(entry.address);
    const beforeKey = before ? providerKey(before.type, before.body) : key;
    if (beforeKey !== key && !sameJson(this.before.providers.get(beforeKey), this.after.providers.get(key))) {
      undecide(entry, {
        path: 'provider',
        effect: 'any',
        reason: `provider changes from ${beforeKey} to ${key}, which is configured otherwise`,
      });
    }
  }
}

/** `follows <ref>, which changes (<cause>)`, without the reference repeated in the cause. */
function followsText(ref: Reference, status: Status): string {
  const prefix = [ref.text, ref.address].find((p) => status.cause?.startsWith(`${p}: `));
  const cause = prefix ? status.cause!.slice(prefix.length + 2) : status.cause;
  return `follows ${ref.text}, which ${status.level === 'maybe' ? 'preview cannot decide' : 'changes'}${
    cause ? ` (${cause})` : ''
  }`;
}

function signatureOf(entry: Entry): string {
  return `${entry.base}|${entry.changed.length}|${entry.undecided.length}|${entry.later.size}|${entry.ignored.length}`;
}

function replace(entry: Entry, reason: string): void {
  entry.base = 'replaced';
  entry.reason = reason;
  entry.violation = false;
}

function undecide(entry: Entry, undecided: Undecided): void {
  if (!entry.undecided.some((u) => u.path === undecided.path && u.reason === undecided.reason)) {
    entry.undecided.push(undecided);
  }
}

/** True when the AWS provider the stack requires is 6 or later, which keeps a resource's region in its state. */
function keepsRegion(terraform: Body): boolean {
  return (minimumMajor(requiredVersion(terraform, 'aws')) ?? 0) >= 6;
}

/** Evaluates references of one side against the other, for one pass (memoized). */
class Evaluator {
  private readonly memo = new Map<string, Status>();
  private readonly active = new Set<string>();

  constructor(
    private readonly before: Side,
    private readonly after: Side,
    private readonly entries: Map<string, Entry>,
    private readonly crossStack: CrossStack,
  ) {}

  /** The change of a string value: the worst of its references, and that reference. */
  leaf(text: string): { status: Status; ref?: Reference } {
    let status = NO;
    let found: Reference | undefined;
    for (const ref of valueReferences(text)) {
      const next = this.ref(ref);
      if (RANK[next.level] > RANK[status.level]) {
        status = next;
        found = ref;
      }
    }
    return { status, ref: found };
  }

  /** The worst change of the string values of a JSON value, with its cause. */
  private leaves(value: unknown): Status {
    let status = NO;
    for (const leaf of stringLeaves(value)) {
      const next = this.leaf(leaf.text);
      if (RANK[next.status.level] > RANK[status.level]) {
        status = { level: next.status.level, cause: next.status.cause ?? `${next.ref!.text} changes` };
      }
    }
    return status;
  }

  ref(ref: Reference): Status {
    switch (ref.kind) {
      case 'resource':
        return this.resource(ref);
      case 'data':
        return this.data(ref);
      case 'var':
        return this.cached(`${ref.address}|${ref.path.join('.')}`, () => this.variable(ref));
      case 'local':
        return this.cached(`${ref.address}|${ref.path.join('.')}`, () => this.local(ref));
      case 'module':
        return this.module(ref);
    }
  }

  private cached(key: string, compute: () => Status): Status {
    const known = this.memo.get(key);
    if (known) {
      return known;
    }
    if (this.active.has(key)) {
      // Terraform rejects a cycle; if one is here, preview cannot decide it.
      return { level: 'maybe', cause: `${key.split('|')[0]} refers to itself` };
    }
    this.active.add(key);
    try {
      const status = compute();
      this.memo.set(key, status);
      return status;
    } finally {
      this.active.delete(key);
    }
  }

  /** A resource attribute: see the module comment for what each action does to a value. */
  private resource(ref: Reference): Status {
    const target = this.entries.get(ref.address);
    const block = this.after.resources.get(ref.address);
    if (!target || !block) {
      return NO;
    }
    const action = actionOf(target);
    const attribute = ref.path[0] === '*' ? undefined : ref.path[0];
    const configured = attribute !== undefined && Object.prototype.hasOwnProperty.call(block.body, attribute);
    const changedTops = new Set(target.changed.map(topAttribute));
    const onUpdate = attribute !== undefined && (CHANGES_ON_UPDATE[target.type] ?? []).includes(attribute);
    switch (action) {
      case 'unchanged':
      case 'destroyed':
        return NO;
      case 'created':
      case 'replaced':
        // A new object: an argument it sets, and that did not change, reads the same;
        // anything else (id, arn, computed outputs) is known only after apply.
        if (attribute === undefined || !configured || target.later.has(attribute)) {
          return LATER;
        }
        return changedTops.has(attribute) || target.ignored.some((path) => topAttribute(path) === attribute) ? YES : NO;
      case 'updated':
        if (attribute === undefined) {
          return YES;
        }
        if (changedTops.has(attribute)) {
          return target.later.has(attribute) ? LATER : YES;
        }
        return onUpdate ? LATER : NO;
      case 'unknown': {
        const cause = `${ref.address} is undecided`;
        if (attribute !== undefined && changedTops.has(attribute)) {
          return target.later.has(attribute) ? LATER : YES;
        }
        if (attribute === undefined || target.undecided.some((u) => topAttribute(u.path) === attribute)) {
          return { level: 'maybe', cause };
        }
        if (configured) {
          return NO;
        }
        if (target.undecided.some((u) => u.effect !== 'update')) {
          return { level: 'maybe', cause };
        }
        return onUpdate ? { level: 'maybe', cause } : NO;
      }
    }
  }

  /** A variable: its default (at the path read) and its type. */
  private variable(ref: Reference): Status {
    const name = ref.address.slice('var.'.length);
    const a = this.after.variables[name];
    const b = this.before.variables[name];
    if (!a) {
      return NO;
    }
    if (!b) {
      return { level: 'yes', cause: `${ref.address} is new` };
    }
    if (!sameJson(b.type, a.type) || !sameJson(b.nullable, a.nullable)) {
      return { level: 'maybe', cause: `${ref.address}: its type changes` };
    }
    return changedAt(b.default, a.default, ref.path)
      ? { level: 'yes', cause: `${ref.address}: its default changes` }
      : NO;
  }

  /** A local: its expression (at the path read) and what that refers to. */
  private local(ref: Reference): Status {
    const name = ref.address.slice('local.'.length);
    if (!Object.prototype.hasOwnProperty.call(this.after.locals, name)) {
      return NO;
    }
    if (!Object.prototype.hasOwnProperty.call(this.before.locals, name)) {
      return { level: 'yes', cause: `${ref.address} is new` };
    }
    const a = at(this.after.locals[name], ref.path);
    const b = at(this.before.locals[name], ref.path);
    if (!sameJson(b, a)) {
      return { level: 'yes', cause: `${ref.text}: its expression changes` };
    }
    return this.leaves(a);
  }

  /** A module output: undecided when the module block changes (preview cannot see inside it). */
  private module(ref: Reference): Status {
    const name = ref.address.slice('module.'.length);
    const a = merged(this.after.json.module)[name];
    const b = merged(this.before.json.module)[name];
    if (a === undefined) {
      return NO;
    }
    if (!sameJson(b, a) || this.leaves(a).level !== 'no') {
      return { level: 'maybe', cause: `${ref.address} changes, and preview cannot see inside a module` };
    }
    return NO;
  }

  /** A data source: read again at plan when its inputs change, or during apply when they are not known before. */
  private data(ref: Reference): Status {
    const a = this.after.data.get(ref.address);
    if (!a) {
      return NO;
    }
    const remote = /^cross-stack-reference-input-(.+)$/.exec(ref.address.split('.')[2]);
    if (
      a.type === 'terraform_remote_state' &&
      remote &&
      ref.path[0] === 'outputs' &&
      ref.path[1] &&
      ref.path[1] !== '*'
    ) {
      const output = this.crossStack.output(remote[1], ref.path[1]);
      if (output.level !== 'no') {
        return {
          level: output.level === 'maybe' ? 'maybe' : 'yes',
          cause: `output ${ref.path[1]} of stack ${remote[1]} ${output.level === 'maybe' ? 'is undecided' : 'changes'}`,
        };
      }
    }
    return this.cached(ref.address, () => this.dataInputs(ref.address, a));
  }

  private dataInputs(address: string, a: Block): Status {
    const b = this.before.data.get(address);
    if (!b) {
      return { level: 'maybe', cause: `${address} is new; its value is read at plan` };
    }
    for (const dependency of dependsOn(a.body)) {
      const target = this.entries.get(dependency);
      const action = target ? actionOf(target) : 'unchanged';
      if (action === 'unknown') {
        return { level: 'maybe', cause: `${address} depends on ${dependency}, which is undecided` };
      }
      if (action !== 'unchanged' && action !== 'destroyed') {
        return { level: 'later', cause: `${address} is read during apply: it depends on ${dependency}, which changes` };
      }
    }
    let inputs = NO;
    for (const leaf of stringLeaves(a.body, ['depends_on', 'lifecycle'])) {
      const { status, ref } = this.leaf(leaf.text);
      if (status.level === 'later') {
        return {
          level: 'later',
          cause: `${address} is read during apply: its ${leaf.path} follows ${ref!.text}, known only after apply`,
        };
      }
      if (RANK[status.level] > RANK[inputs.level]) {
        inputs = { level: status.level, cause: status.cause ?? `${ref!.text}, which changes` };
      }
    }
    const argumentChanges = changes(withoutMeta(b.body), withoutMeta(a.body)).map((c) => c.path);
    const own: Status =
      argumentChanges.length > 0
        ? { level: 'maybe', cause: `${address}: its arguments change (${argumentChanges.join(', ')})` }
        : inputs.level !== 'no'
          ? { level: 'maybe', cause: `${address}: its arguments follow ${inputs.cause ?? 'a value that changes'}` }
          : NO;
    const region = a.body.region !== undefined ? NO : this.provider(providerKey(a.type, a.body)).region;
    if (a.type === 'aws_region' || a.type === 'aws_partition') {
      return this.regionData(address, a, b, own, region);
    }
    if (own.level !== 'no') {
      return { level: 'maybe', cause: `${own.cause}, and its value is read at plan` };
    }
    if (region.level !== 'no') {
      return { level: 'maybe', cause: `${address} is read in another region (${region.cause})` };
    }
    const other = this.provider(providerKey(a.type, a.body)).other;
    return other.level !== 'no' ? { level: 'maybe', cause: `${address}: ${other.cause}` } : NO;
  }

  /**
   * aws_region and aws_partition, decided from the region where it is a literal: the
   * region's name changes with the region, the partition only across partitions.
   */
  private regionData(address: string, a: Block, b: Block, own: Status, region: Status): Status {
    const names = [regionName(b, this.before), regionName(a, this.after)];
    const literal = names.every((n) => n !== undefined && !hasExpression(n));
    if (own.level === 'no' && region.level === 'no') {
      return NO;
    }
    if (!literal) {
      return { level: 'maybe', cause: own.level !== 'no' ? own.cause : `${address}: ${region.cause}` };
    }
    if (a.type === 'aws_region') {
      return names[0] === names[1] ? NO : { level: 'yes', cause: `${address}: ${names[0]} → ${names[1]}` };
    }
    return partitionOf(names[0]!) === partitionOf(names[1]!)
      ? NO
      : { level: 'yes', cause: `${address}: the partition changes (${names[0]} → ${names[1]})` };
  }

  /** What a change of the provider configuration `key` does. */
  provider(key: string): ProviderEffect {
    const memoKey = `provider:${key}`;
    const cachedRegion = this.memo.get(`${memoKey}:region`);
    if (cachedRegion) {
      return {
        region: cachedRegion,
        defaultTags: this.memo.get(`${memoKey}:default_tags`)!,
        other: this.memo.get(`${memoKey}:other`)!,
      };
    }
    const effect = this.providerEffect(key);
    this.memo.set(`${memoKey}:region`, effect.region);
    this.memo.set(`${memoKey}:default_tags`, effect.defaultTags);
    this.memo.set(`${memoKey}:other`, effect.other);
    return effect;
  }

  private providerEffect(key: string): ProviderEffect {
    const a = this.after.providers.get(key);
    const b = this.before.providers.get(key);
    const name = key.split('.')[0];
    let region = NO;
    let defaultTags = NO;
    const other: string[] = [];
    let otherLevel: Level = 'no';
    if (!a && !b) {
      return { region, defaultTags, other: NO };
    }
    if (!a || !b) {
      return {
        region,
        defaultTags,
        other: { level: 'maybe', cause: `provider ${key}: its configuration is ${a ? 'added' : 'removed'}` },
      };
    }
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const arg of keys) {
      const status = !sameJson(b[arg], a[arg]) ? YES : this.leaves(a[arg]);
      if (status.level === 'no' || (CONNECTION_ONLY_ARGUMENTS[name] ?? []).includes(arg)) {
        continue;
      }
      if (arg === 'region') {
        region = {
          level: status.level,
          cause: `provider ${key}: its region changes (${display(b.region)} → ${display(a.region)})`,
        };
      } else if (arg === 'default_tags' && name === 'aws') {
        defaultTags = { level: status.level, cause: `provider ${key}: its default_tags change` };
      } else {
        other.push(arg);
        otherLevel = RANK[status.level] > RANK[otherLevel] ? status.level : otherLevel;
      }
    }
    return {
      region,
      defaultTags,
      other:
        other.length === 0
          ? NO
          : { level: 'maybe', cause: `provider ${key}: ${other.join(', ')} change${other.length === 1 ? 's' : ''}` },
    };
  }

  /** An output of this stack: its value expression and what that refers to. */
  output(name: string): Status {
    const a = this.after.outputs[name];
    const b = this.before.outputs[name];
    if (!a) {
      return NO;
    }
    if (!b) {
      return { level: 'yes', cause: `output ${name} is new` };
    }
    if (!sameJson(b.value, a.value)) {
      return { level: 'yes', cause: `output ${name}: its expression changes` };
    }
    return this.leaves(a.value);
  }
}

/** The region name a data source reads in, where it is a string: its `region` argument, or its provider's. */
function regionName(block: Block, side: Side): string | undefined {
  const region =
    block.body.region !== undefined
      ? block.body.region
      : side.providers.get(providerKey(block.type, block.body))?.region;
  return typeof region === 'string' ? region : undefined;
}

function display(value: unknown): string {
  return value === undefined ? 'unset' : typeof value === 'string' ? value : JSON.stringify(value);
}

function withoutMeta(body: Body): Body {
  const { depends_on: _d, lifecycle: _l, provider: _p, ...rest } = body;
  void _d;
  void _l;
  void _p;
  return rest;
}

/** The resource addresses of a `depends_on` list (`aws_x.y`, also `${aws_x.y}`). */
function dependsOn(body: Body): string[] {
  const list = Array.isArray(body.depends_on) ? body.depends_on : [];
  return list
    .filter((item): item is string => typeof item === 'string')
    .map((item) =>
      item
        .trim()
        .replace(/^\$\{(.*)\}$/, '$1')
        .trim(),
    );
}

/** The value at `path` (a `*` or a path through a string expression stops there). */
function at(value: unknown, path: readonly string[]): unknown {
  let node = value;
  for (const step of path) {
    if (step === '*' || typeof node === 'string') {
      return node;
    }
    if (Array.isArray(node) && /^\d+$/.test(step)) {
      node = node[Number(step)];
    } else if (isObject(node)) {
      node = node[step];
    } else {
      return node;
    }
  }
  return node;
}

/** True when the values at `path` of two JSON values differ. */
function changedAt(before: unknown, after: unknown, path: readonly string[]): boolean {
  return !sameJson(at(before, path), at(after, path));
}

/** What the stack as a whole changes that preview does not model: backend, provider versions, modules, imports. */
function stackUnknowns(before: Side, after: Side): string[] {
  const out: string[] = [];
  const keys = [...new Set([...Object.keys(before.json), ...Object.keys(after.json)])].sort();
  for (const key of keys) {
    if (MODELLED_KEYS.includes(key) || NO_ACTION_KEYS.includes(key)) {
      continue;
    }
    if (key === 'module') {
      const a = merged(after.json.module);
      const b = merged(before.json.module);
      for (const name of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
        const source = isObject(a[name]) ? (a[name] as Body).source : undefined;
        if (!sameJson(b[name], a[name])) {
          out.push(`module.${name}: its block changes, and preview cannot see the resources inside a module`);
        } else if (typeof source === 'string' && /^(\.\.?\/|\/)/.test(source)) {
          out.push(`module.${name}: its source is a local folder (${source}), whose files preview does not compare`);
        }
      }
    } else if (!sameJson(before.json[key], after.json[key])) {
      out.push(`${key} blocks change, and preview does not model them`);
    }
  }
  const tfKeys = [...new Set([...Object.keys(before.terraform), ...Object.keys(after.terraform)])].sort();
  for (const key of tfKeys) {
    const b = before.terraform[key];
    const a = after.terraform[key];
    if (key === 'required_version' || sameJson(b, a)) {
      continue;
    }
    if (key === 'required_providers') {
      const bp = merged(b);
      const ap = merged(a);
      for (const name of [...new Set([...Object.keys(bp), ...Object.keys(ap)])].sort()) {
        if (!sameJson(bp[name], ap[name])) {
          out.push(
            `terraform.required_providers.${name} changes (${describeProvider(bp[name])} → ` +
              `${describeProvider(ap[name])}): another provider version may plan differently`,
          );
        }
      }
    } else if (key === 'backend' || key === 'cloud') {
      out.push(`terraform.${key} changes: the plan reads another state`);
    } else {
      out.push(`terraform.${key} changes, and preview does not model it`);
    }
  }
  return out;
}

function describeProvider(entry: unknown): string {
  if (entry === undefined) {
    return 'none';
  }
  if (isObject(entry)) {
    return [entry.source, entry.version].filter((v) => v !== undefined).join(' ') || JSON.stringify(entry);
  }
  return String(entry);
}

/** The classification of one resource from its own two bodies. */
function classify(address: string, b: Block | undefined, a: Block | undefined): Entry {
  const type = (a ?? b)!.type;
  const entry = (base: Entry['base'], changed: string[], ignored: string[] = [], reason?: string): Entry => ({
    address,
    type,
    base,
    changed,
    later: new Set(),
    ignored,
    undecided: [],
    reason,
    violation: false,
    pinned: pinnedMark(a?.metadata),
  });
  if (!b) {
    return entry('created', []);
  }
  if (!a) {
    return entry('destroyed', []);
  }
  const ignore = ignoredArguments(a.body);
  const changed: string[] = [];
  const ignored: string[] = [];
  // The provider meta-argument is followed with the provider configurations.
  for (const change of changes(withoutProvider(b.body), withoutProvider(a.body))) {
    const top = change.segments[0];
    if (!META_ARGUMENTS.includes(top) && isIgnored(ignore, change.segments)) {
      ignored.push(change.path);
    } else {
      changed.push(change.path);
    }
  }
  // depends_on, preconditions and the like order and check the plan; alone, they change nothing.
  if (changed.every((path) => NO_ACTION_META_ARGUMENTS.includes(topAttribute(path)))) {
    return entry('unchanged', changed, ignored);
  }
  const reason = replacementReason(type, changed);
  if (reason !== undefined) {
    return entry('replaced', changed, ignored, reason);
  }
  const updated = entry('updated', changed, ignored);
  updated.violation = inPlaceViolation(type, changed);
  return updated;
}

function withoutProvider(body: Body): Body {
  const { provider: _provider, ...rest } = body;
  void _provider;
  return rest;
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

/** Gives every violation its reason: a forbidden attribute set, or an immutable resource updated in place. */
function markViolations(entries: Map<string, Entry>, after: Side): void {
  for (const entry of entries.values()) {
    const problem =
      entry.base === 'destroyed' ? undefined : forbiddenProblem(entry.type, after.resources.get(entry.address)?.body);
    if (problem) {
      entry.violation = true;
      entry.violationReason = problem;
    } else if (entry.violation) {
      const routes = new Set(
        entry.changed.map((path) => ResourcePolicy.supportedRoute(entry.type, path)).filter((r) => r !== undefined),
      );
      entry.violationReason = ['immutable resource updated in place', ...routes].join('; ');
    }
  }
}

/** The message for a forbidden attribute set in `body`, if any. */
function forbiddenProblem(type: string, body: Body | undefined): string | undefined {
  const set = Object.entries(ResourcePolicy.forbiddenAttributes(type)).find(([path]) =>
    valuesAt(body, path).some((value) => withoutEmpty(value) !== undefined),
  );
  return set ? `${set[0]} is set: it ${set[1]}` : undefined;
}
