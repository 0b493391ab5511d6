import { readFileSync } from 'fs';
import { changedPaths, isObject, topAttribute, valuesAt, withoutEmpty } from './private/diff';
import { addressPattern } from './private/glob';
import { inUseFindings, servingSlotFindings, targetGroupFindings } from './private/slots';
import { LifecycleAcknowledgementId, lifecycleFindings } from '../immutability/lifecycle-metadata';
import { ImmutableTypeRule, ResourcePolicy } from '../immutability/resource-policy';

/**
 * The kinds of guard findings:
 * - `update-in-place`: an immutable resource updated in place beyond its operational attributes;
 * - `delete-before-create`: an immutable resource replaced with its old object destroyed first;
 * - `destroy`: an immutable resource destroyed with no replacement at its address (also a
 *   construct renamed without a `moved` block), not allowed by `allowDestroy`;
 * - `name-collision`: a create-before-destroy replacement that keeps a fixed name, which the
 *   API refuses ("already exists");
 * - `drift`: an immutable resource changed or deleted outside Terraform;
 * - `forbidden-attribute`: an attribute that rewrites what runs on servers is set
 *   (`launch_template_configuration` of an Image Builder distribution);
 * - `serving-slot-changed`: the launch template or auto scaling group of a blue/green
 *   slot that serves traffic before the apply (weight > 0 in a listener's `before`) is
 *   replaced, destroyed or updated beyond its operational attributes: outside a release;
 * - `in-use-destroyed`: a resource is destroyed while a kept (not replaced) launch
 *   template or group still uses its id, ARN or name, or a security group rule that
 *   lets traffic reach a kept slot's port is destroyed (a target group replaced
 *   delete-before-create is a `delete-before-create`);
 * - `tag-replaced-on-itself`: an `aws_ec2_tag` replaced create-before-destroy on the same
 *   resource and key (after an interrupted apply left it tainted): destroying the old
 *   object deletes the tag the new one wrote, and the apply ends with no tag (for an
 *   in-use mark, an AMI that image retention may delete while it runs);
 * - `ignore-changes`, `replace-triggered-by-removed` (with `config`): the synthesized
 *   stack sets `ignore_changes` beyond operational attributes on an immutable resource,
 *   or lost a `replace_triggered_by` entry the library set, without an acknowledgement.
 */
export type GuardViolationKind =
  | 'update-in-place'
  | 'delete-before-create'
  | 'destroy'
  | 'name-collision'
  | 'drift'
  | 'forbidden-attribute'
  | 'serving-slot-changed'
  | 'in-use-destroyed'
  | 'tag-replaced-on-itself'
  | 'ignore-changes'
  | 'replace-triggered-by-removed';

/** One finding of the plan guard. */
export interface GuardViolation {
  /** Terraform address, `aws_launch_template.web_blue`. */
  readonly address: string;
  readonly type: string;
  readonly kind: GuardViolationKind;
  /** The planned actions, as in the plan (`["update"]`, `["delete","create"]`); for drift, the drift's. */
  readonly actions: readonly string[];
  /** The attributes concerned: changed and not operational, drifted, colliding or forbidden. */
  readonly attributes: readonly string[];
  /** One line that says what is wrong and how to fix it. */
  readonly message: string;
}

/** The result of checking a plan. */
export interface GuardReport {
  /** Count of resource changes per action list (`create`, `update`, `create,delete`, `forget`...). */
  readonly actions: Readonly<Record<string, number>>;
  /** Each resource change with its planned actions (no-op and read excluded). */
  readonly changes: ReadonlyArray<{
    readonly address: string;
    readonly type: string;
    readonly actions: readonly string[];
  }>;
  readonly violations: readonly GuardViolation[];
  /** In-place updates of immutable types that touched only operational attributes. */
  readonly operationalUpdates: ReadonlyArray<{ readonly address: string; readonly attributes: readonly string[] }>;
  /** Resources removed from the state without being destroyed (`removed` blocks with `destroy = false`). */
  readonly forgotten: readonly string[];
  /** Resources moved to a new address (`moved` blocks). */
  readonly moved: ReadonlyArray<{ readonly address: string; readonly previousAddress: string }>;
  /** Destroys of immutable resources that an `allowDestroy` pattern allowed. */
  readonly allowedDestroys: readonly string[];
  /** `allowDestroy` patterns that matched no destroyed resource. */
  readonly unusedAllowDestroy: readonly string[];
  /**
   * True when the lifecycle of the synthesized stack was checked (`config` given): the
   * plan JSON holds no `lifecycle`, so without it `ignore_changes` and removed triggers
   * are not seen.
   */
  readonly lifecycleChecked: boolean;
  /**
   * Lifecycle rules that immutable resources break with an acknowledgement (`config`
   * given): a pinned blue/green slot's, or `ImmutabilityAspect.acknowledgeLifecycle`'s.
   */
  readonly acknowledged: ReadonlyArray<{
    readonly address: string;
    readonly rule: LifecycleAcknowledgementId;
    /** What is ignored or which triggers were removed. */
    readonly subjects: readonly string[];
    readonly reason: string;
  }>;
}

/** Options of {@link guardPlan}. */
export interface GuardOptions {
  /**
   * Addresses or globs (`*` any characters, `?` one) of immutable resources that may be
   * destroyed without a replacement at their address: `aws_autoscaling_group.old_web`,
   * `module.legacy.*`. The CLI's `--allow-destroy` (repeatable).
   * @default - none: every such destroy is a violation
   */
  readonly allowDestroy?: readonly string[];
  /**
   * The synthesized stack the plan was made from (`cdk.tf.json`, parsed): its
   * `lifecycle` blocks, which the plan JSON does not hold, are checked for
   * `ignore_changes` and removed `replace_triggered_by` on immutable resources. The
   * CLI's `--config`.
   * @default - the lifecycle is not checked (`lifecycleChecked` is false)
   */
  readonly config?: unknown;
}

/** A plan file that cannot be used. The message names the file, the field and the fix. */
export class PlanFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanFileError';
  }
}

interface ResourceChange {
  address: string;
  mode?: string;
  type: string;
  previous_address?: string;
  /**
   * Set on a deposed object: the old object of a create-before-destroy replacement that
   * an interrupted apply left behind.
   */
  deposed?: string;
  /** Why Terraform replaces it (`replace_because_tainted`, ...), when the plan says. */
  action_reason?: string;
  change: { actions: string[]; before: unknown; after: unknown; after_unknown?: unknown };
}

// `forget` (Terraform 1.7+, OpenTofu 1.9+): a `removed` block with `destroy = false`
// drops the resource from the state and leaves the object running.
const VALID_ACTIONS = new Set(['no-op', 'create', 'read', 'update', 'delete', 'forget']);

/** Reads the JSON of a saved plan (`tofu show -json plan` / `terraform show -json plan`). */
export function readPlanFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new PlanFileError(`${path}: cannot be read (${reason}); pass the output of "tofu show -json <plan>".`);
  }
  if (text.trim() === '') {
    throw new PlanFileError(`${path}: is empty; pass the output of "tofu show -json <plan>".`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PlanFileError(
      `${path}: is not valid JSON (${(error as Error).message}); ` +
        'pass the JSON output of "tofu show -json <plan>", not the binary plan.',
    );
  }
}

/**
 * Checks a plan. Violations: an in-place update of an immutable resource that changes
 * more than its operational attributes; a delete-before-create replacement of one (or
 * of a target group); a destroy of one with no create at its address (unless
 * `options.allowDestroy` names it); a create-before-destroy replacement of one that
 * keeps a fixed name; drift of one (`resource_drift`, operational attributes excepted);
 * a forbidden attribute set on any type; a change of the launch template or group of a
 * blue/green slot that serves traffic before the apply, outside a release; a destroy of
 * what a kept template or group still uses. With `options.config` (the synthesized
 * stack), also `ignore_changes` and removed `replace_triggered_by` on immutable
 * resources that are not acknowledged. `forget` and `moved` are no violations.
 * Mutable-by-design and other types pass otherwise.
 */
export function guardPlan(plan: unknown, file = 'plan', options: GuardOptions = {}): GuardReport {
  try {
    return checkPlan(plan, file, options);
  } catch (error) {
    if (error instanceof RangeError) {
      throw new PlanFileError(`${file}: is nested too deeply to be the JSON of a plan.`);
    }
    throw error;
  }
}

/** An `allowDestroy` pattern, and whether it matched a destroyed resource. */
interface AllowedPattern {
  readonly pattern: string;
  readonly regex: RegExp;
  used: boolean;
}

/** What {@link checkPlan} collects while it walks the resource changes. */
interface Findings {
  readonly actions: Record<string, number>;
  readonly changes: Array<{ address: string; type: string; actions: string[] }>;
  readonly violations: GuardViolation[];
  readonly operationalUpdates: Array<{ address: string; attributes: string[] }>;
  readonly forgotten: string[];
  readonly moved: Array<{ address: string; previousAddress: string }>;
  readonly allowedDestroys: string[];
}

function checkPlan(plan: unknown, file: string, options: GuardOptions): GuardReport {
  const { changes, drift } = validatePlan(plan, file);
  const allow: AllowedPattern[] = (options.allowDestroy ?? []).map((pattern) => ({
    pattern,
    regex: addressPattern(pattern),
    used: false,
  }));
  const found: Findings = {
    actions: {},
    changes: [],
    violations: [],
    operationalUpdates: [],
    forgotten: [],
    moved: [],
    allowedDestroys: [],
  };
  const managed = changes.filter(isManaged);
  const creates = managed.filter((rc) => rc.change.actions.includes('create'));
  for (const rc of managed) {
    recordChange(found, rc, allow);
    found.violations.push(...forbiddenAttributes(rc));
    found.violations.push(...tagReplacedOnItself(rc));
    checkImmutableChange(found, rc, allow, creates);
  }
  found.violations.push(...drift.filter(isManaged).flatMap(driftViolations));
  found.violations.push(
    ...servingSlotFindings(managed, changedAttributes, (address) => allow.some((entry) => entry.regex.test(address))),
    ...targetGroupFindings(managed, changedAttributes),
    ...inUseFindings(managed),
  );
  const lifecycle = options.config === undefined ? undefined : checkLifecycle(options.config, file, managed);
  found.violations.push(...(lifecycle?.violations ?? []));
  return {
    actions: found.actions,
    changes: found.changes,
    violations: found.violations,
    operationalUpdates: found.operationalUpdates,
    forgotten: found.forgotten,
    moved: found.moved,
    allowedDestroys: found.allowedDestroys,
    unusedAllowDestroy: allow.filter((entry) => !entry.used).map((entry) => entry.pattern),
    lifecycleChecked: lifecycle !== undefined,
    acknowledged: lifecycle?.acknowledged ?? [],
  };
}

/**
 * The lifecycle rules of the synthesized stack (`config`): `ignore_changes` beyond
 * operational attributes and removed `replace_triggered_by` on immutable resources, each
 * a violation unless acknowledged (a pinned slot's metadata, or an acknowledgement with
 * a reason), when the acknowledged ones are listed. (`guard --config` checks that the
 * config holds the plan's resources.)
 */
function checkLifecycle(
  config: unknown,
  file: string,
  managed: readonly ResourceChange[],
): { violations: GuardViolation[]; acknowledged: GuardReport['acknowledged'] } {
  if (!isObject(config) || (config.resource !== undefined && !isObject(config.resource))) {
    throw new PlanFileError(
      `${file}: the config is not the Terraform JSON of a stack; pass the synthesized stack the plan was made from ` +
        '(--config cdktf.out/stacks/<stack>/cdk.tf.json).',
    );
  }
  const resources = (config.resource ?? {}) as Record<string, unknown>;
  const actionsOf = new Map(managed.map((rc) => [rc.address, rc.change.actions]));
  const violations: GuardViolation[] = [];
  const acknowledged: Array<GuardReport['acknowledged'][number]> = [];
  for (const [type, byName] of Object.entries(resources)) {
    for (const [name, body] of Object.entries(isObject(byName) ? byName : {})) {
      const address = `${type}.${name}`;
      for (const finding of lifecycleFindings(type, body)) {
        if (finding.acknowledgedBy !== undefined) {
          acknowledged.push({ address, rule: finding.id, subjects: finding.subjects, reason: finding.acknowledgedBy });
          continue;
        }
        violations.push({
          address,
          type,
          kind: finding.id,
          actions: actionsOf.get(address) ?? [],
          attributes: finding.subjects,
          message:
            `${finding.problem}. Remove it, or acknowledge it with a reason in the construct: ` +
            `ImmutabilityAspect.acknowledgeLifecycle(resource, { id: "${finding.id}", reason: "..." }).`,
        });
      }
    }
  }
  return { violations, acknowledged };
}

/** A managed resource, not a data source (`mode` is absent in older plan formats). */
function isManaged(rc: ResourceChange): boolean {
  return rc.mode === undefined || rc.mode === 'managed';
}

/** Counts and lists a change, and notes moves, forgets and the `allowDestroy` patterns a delete uses. */
function recordChange(found: Findings, rc: ResourceChange, allow: readonly AllowedPattern[]): void {
  const key = rc.change.actions.join(',');
  found.actions[key] = (found.actions[key] ?? 0) + 1;
  if (key !== 'no-op' && key !== 'read') {
    found.changes.push({ address: rc.address, type: rc.type, actions: rc.change.actions });
  }
  if (typeof rc.previous_address === 'string' && rc.previous_address !== rc.address) {
    found.moved.push({ address: rc.address, previousAddress: rc.previous_address });
  }
  if (rc.change.actions.includes('delete')) {
    for (const entry of allow) {
      if (entry.regex.test(rc.address)) {
        entry.used = true;
      }
    }
  }
  if (rc.change.actions.includes('forget')) {
    found.forgotten.push(rc.address);
  }
}

/** The rules for a change of an immutable type, by its actions; other types pass. */
function checkImmutableChange(
  found: Findings,
  rc: ResourceChange,
  allow: readonly AllowedPattern[],
  creates: readonly ResourceChange[],
): void {
  const rule = ResourcePolicy.immutableRule(rc.type);
  if (!rule) {
    return;
  }
  const key = rc.change.actions.join(',');
  if (key === 'delete,create') {
    found.violations.push(deleteBeforeCreate(rc));
  } else if (key === 'create,delete') {
    found.violations.push(...nameCollision(rc, rule));
  } else if (key === 'update') {
    const attributes = changedAttributes(rc);
    const violation = inPlaceUpdate(rc, attributes);
    if (violation) {
      found.violations.push(violation);
    } else {
      found.operationalUpdates.push({ address: rc.address, attributes });
    }
  } else if (key === 'delete' && typeof rc.deposed !== 'string') {
    // (A deposed object is the leftover old object of a create-before-destroy replacement,
    // from an interrupted apply: its replacement is the current object at the same address.)
    if (allow.some((entry) => entry.regex.test(rc.address))) {
      found.allowedDestroys.push(rc.address);
    } else {
      found.violations.push(unreplacedDestroy(rc, creates));
    }
  }
}

function deleteBeforeCreate(rc: ResourceChange): GuardViolation {
  const attributes = changedAttributes(rc);
  return {
    address: rc.address,
    type: rc.type,
    kind: 'delete-before-create',
    actions: rc.change.actions,
    attributes,
    message:
      `immutable ${rc.type} replaced delete-before-create (the old one is destroyed before its replacement exists)` +
      `${attributes.length ? ` (${attributes.join(', ')})` : ''}; ` +
      'set lifecycle create_before_destroy (the ImmutabilityAspect does).',
  };
}

/** A create-before-destroy replacement that keeps its fixed name: the apply fails with "already exists". */
function nameCollision(rc: ResourceChange, rule: ImmutableTypeRule): GuardViolation[] {
  const colliding = collidingIdentity(rc, rule.identityAttributes);
  if (colliding.length === 0) {
    return [];
  }
  const shown = colliding
    .map((attr) => `${attr} ${JSON.stringify((rc.change.after as Record<string, unknown>)[attr])}`)
    .join(', ');
  const fix =
    rule.prefixAttributes.length > 0 ? `use ${rule.prefixAttributes.map((a) => `${a}_prefix`).join(' / ')} or ` : '';
  return [
    {
      address: rc.address,
      type: rc.type,
      kind: 'name-collision',
      actions: rc.change.actions,
      attributes: colliding,
      message:
        `immutable ${rc.type} replaced create-before-destroy with the same fixed ${shown}: ` +
        'the new one is created while the old one holds it, and the apply fails with "already exists"; ' +
        `${fix}derive it from the generation (generationName).`,
    },
  ];
}

/**
 * An `aws_ec2_tag` replaced create-before-destroy with the same resource and key: the
 * create writes the tag, then the destroy of the old object deletes that same tag.
 * Terraform plans this when the object is tainted, which an apply interrupted while the
 * tag was being read back leaves behind (the tag itself was written).
 */
function tagReplacedOnItself(rc: ResourceChange): GuardViolation[] {
  if (rc.type !== 'aws_ec2_tag' || rc.change.actions.join(',') !== 'create,delete') {
    return [];
  }
  const same = collidingIdentity(rc, ['resource_id', 'key']);
  if (same.length === 0) {
    return [];
  }
  const after = rc.change.after as Record<string, unknown>;
  const why = rc.action_reason === 'replace_because_tainted' ? 'tainted, ' : '';
  return [
    {
      address: rc.address,
      type: rc.type,
      kind: 'tag-replaced-on-itself',
      actions: rc.change.actions,
      attributes: same,
      message:
        `${why}replaced create-before-destroy on the same resource ${JSON.stringify(after.resource_id)} ` +
        `and key ${JSON.stringify(after.key)}: destroying the old object deletes the tag the new one wrote, and ` +
        'the apply ends with no tag (an in-use mark lost lets image retention delete a running AMI). ' +
        `If the tag exists, run \`terraform untaint ${rc.address}\` (or tofu untaint) and plan again.`,
    },
  ];
}

/** An in-place update beyond the operational attributes, or undefined when it changes only those. */
function inPlaceUpdate(rc: ResourceChange, attributes: readonly string[]): GuardViolation | undefined {
  const substantive = attributes.filter((attr) => !ResourcePolicy.isOperationalAttribute(rc.type, attr));
  if (substantive.length === 0) {
    return undefined;
  }
  return {
    address: rc.address,
    type: rc.type,
    kind: 'update-in-place',
    actions: rc.change.actions,
    attributes: substantive,
    message:
      `immutable ${rc.type} updated in place (${substantive.join(', ')}); ` +
      'make the change produce a new generation (a new name) so that it is replaced create-before-destroy' +
      supportedRoutes(rc.type, substantive) +
      '.',
  };
}

/** `; <route>` for each changed attribute that has a supported route (ResourcePolicy.supportedRoute). */
function supportedRoutes(type: string, attributes: readonly string[]): string {
  const routes = new Set(attributes.map((a) => ResourcePolicy.supportedRoute(type, a)).filter((r) => r !== undefined));
  return [...routes].map((route) => `; ${route}`).join('');
}

/** A destroy with no create at its address; proposes a `moved` block when one of the type is created elsewhere. */
function unreplacedDestroy(rc: ResourceChange, creates: readonly ResourceChange[]): GuardViolation {
  const elsewhere = creates
    .filter((other) => other.type === rc.type && other.address !== rc.address)
    .map((other) => other.address);
  const renamed =
    elsewhere.length > 0
      ? `; ${elsewhere.join(', ')} of the same type is created at another address: ` +
        `if the construct was renamed, add a moved block (moved { from = ${rc.address}, to = ${elsewhere[0]} }) ` +
        'so that it is replaced in order, not destroyed unordered'
      : '';
  return {
    address: rc.address,
    type: rc.type,
    kind: 'destroy',
    actions: rc.change.actions,
    attributes: [],
    message:
      `immutable ${rc.type} destroyed with no replacement at its address${renamed}. ` +
      `If the destroy is intended, pass --allow-destroy ${rc.address}.`,
  };
}

/** Drift of an immutable resource: deleted outside Terraform, or changed beyond its operational attributes. */
function driftViolations(rc: ResourceChange): GuardViolation[] {
  if (ResourcePolicy.classify(rc.type) !== 'immutable') {
    return [];
  }
  if (rc.change.actions.includes('delete')) {
    return [
      {
        address: rc.address,
        type: rc.type,
        kind: 'drift',
        actions: rc.change.actions,
        attributes: [],
        message:
          `immutable ${rc.type} was deleted outside Terraform (resource_drift); ` +
          'find out who removed a server definition by hand before applying.',
      },
    ];
  }
  const drifted = [
    ...new Set(
      changedPaths(withoutEmpty(rc.change.before) ?? {}, withoutEmpty(rc.change.after) ?? {}).map(topAttribute),
    ),
  ]
    .filter((attr) => attr !== '(value)' && !ResourcePolicy.isOperationalAttribute(rc.type, attr))
    .sort();
  if (drifted.length === 0) {
    return [];
  }
  return [
    {
      address: rc.address,
      type: rc.type,
      kind: 'drift',
      actions: rc.change.actions,
      attributes: drifted,
      message:
        `immutable ${rc.type} changed outside Terraform (resource_drift: ${drifted.join(', ')}); ` +
        'someone changed a server definition by hand. ' +
        'Find out why, then replace it with a new generation instead of applying over it.',
    },
  ];
}

/**
 * Top-level attributes that differ between before and after, or become unknown. Empty
 * values are one "unset", as in the drift check: null, "", [] and {} are alike (a
 * provider reads an unset block back as "" or [] where the configuration has null).
 */
function changedAttributes(rc: ResourceChange): string[] {
  const attributes = new Set(
    changedPaths(withoutEmpty(rc.change.before) ?? {}, withoutEmpty(rc.change.after) ?? {}).map(topAttribute),
  );
  if (isObject(rc.change.after_unknown)) {
    for (const [key, value] of Object.entries(rc.change.after_unknown)) {
      if (value === true || (typeof value === 'object' && value !== null && JSON.stringify(value).includes('true'))) {
        attributes.add(key);
      }
    }
  }
  attributes.delete('(value)');
  return [...attributes].sort();
}

/**
 * The identity attributes of a create-before-destroy replacement when every one of
 * them keeps the same known, non-empty value (none is unknown after apply, as a
 * name_prefix name is): the new object would collide with the old. Empty otherwise.
 */
function collidingIdentity(rc: ResourceChange, identity: readonly string[]): string[] {
  if (identity.length === 0 || !isObject(rc.change.before) || !isObject(rc.change.after)) {
    return [];
  }
  const before = rc.change.before;
  const after = rc.change.after;
  const unknown = isObject(rc.change.after_unknown) ? rc.change.after_unknown : {};
  const collides = identity.every(
    (attr) =>
      unknown[attr] !== true &&
      after[attr] !== undefined &&
      after[attr] !== null &&
      after[attr] !== '' &&
      JSON.stringify(after[attr]) === JSON.stringify(before[attr]),
  );
  return collides ? [...identity] : [];
}

/** Forbidden attributes set in the planned object (any action that keeps an object). */
function forbiddenAttributes(rc: ResourceChange): GuardViolation[] {
  const forbidden = ResourcePolicy.forbiddenAttributes(rc.type);
  if (
    Object.keys(forbidden).length === 0 ||
    rc.change.actions.every((a) => a === 'delete' || a === 'forget' || a === 'read')
  ) {
    return [];
  }
  return Object.entries(forbidden)
    .filter(([path]) => valuesAt(rc.change.after, path).some((value) => withoutEmpty(value) !== undefined))
    .map(([path, reason]) => ({
      address: rc.address,
      type: rc.type,
      kind: 'forbidden-attribute' as const,
      actions: rc.change.actions,
      attributes: [path],
      message: `${rc.type} sets ${path}: it ${reason}.`,
    }));
}

function validateChanges(list: unknown, field: string, file: string): ResourceChange[] {
  if (list === undefined) {
    return [];
  }
  if (!Array.isArray(list)) {
    throw new PlanFileError(
      `${file}: "${field}" is not a list; the plan JSON is damaged. Re-run "tofu show -json <plan>".`,
    );
  }
  return list.map((rc, i) => {
    const where = `${file}: ${field}[${i}]`;
    if (!isObject(rc)) {
      throw new PlanFileError(`${where} is not an object; the plan JSON is damaged.`);
    }
    if (typeof rc.address !== 'string' || typeof rc.type !== 'string') {
      throw new PlanFileError(`${where} has no "address" or "type" string; the plan JSON is damaged.`);
    }
    if (rc.mode !== undefined && typeof rc.mode !== 'string') {
      throw new PlanFileError(`${where} (${rc.address}) "mode" is not a string.`);
    }
    const change = rc.change;
    if (
      !isObject(change) ||
      !Array.isArray(change.actions) ||
      change.actions.length === 0 ||
      change.actions.some((a) => typeof a !== 'string' || !VALID_ACTIONS.has(a))
    ) {
      throw new PlanFileError(
        `${where} (${rc.address}) "change.actions" is not a list of plan actions ` +
          '(no-op, create, read, update, delete, forget).',
      );
    }
    return rc as unknown as ResourceChange;
  });
}

/** The command that writes what guard reads, for messages. */
const SHOW_PLAN = '"tofu plan -out plan.tfplan && tofu show -json plan.tfplan" (or terraform)';

/**
 * Checks that `plan` is the JSON of a saved plan, as both engines write it, and returns
 * its resource changes. What marks a plan in OpenTofu's and Terraform's formats (1.x)
 * is `planned_values`: both always write it, while `resource_changes` is left out of a
 * plan with no changes. State JSON (`show -json` without a plan file: `values`, or only
 * `format_version` for an empty state) is refused, and so are a plan whose planning
 * failed (`errored`) and one that Terraform marks incomplete (`complete: false`,
 * deferred changes): guard fails closed on anything it cannot check whole.
 */
function validatePlan(plan: unknown, file: string): { changes: ResourceChange[]; drift: ResourceChange[] } {
  if (!isObject(plan)) {
    throw new PlanFileError(`${file}: the top level is not an object; pass the output of ${SHOW_PLAN}.`);
  }
  if (typeof plan.format_version !== 'string') {
    throw new PlanFileError(
      `${file}: "format_version" is missing; this is not the JSON of a plan (pass the output of ${SHOW_PLAN}).`,
    );
  }
  if (!/^1\.\d+$/.test(plan.format_version)) {
    throw new PlanFileError(
      `${file}: "format_version" is ${JSON.stringify(plan.format_version)}; guard reads the plan format 1.x of ` +
        `OpenTofu and Terraform. Pass the output of ${SHOW_PLAN}.`,
    );
  }
  if (!isObject(plan.planned_values)) {
    throw new PlanFileError(notAPlan(plan, file));
  }
  if (plan.errored === true) {
    throw new PlanFileError(
      `${file}: the plan errored ("errored": true), so it is incomplete and cannot be checked; fix the errors ` +
        '"tofu plan" reported and save a new plan.',
    );
  }
  if (plan.complete === false) {
    throw new PlanFileError(
      `${file}: the plan is not complete ("complete": false: some changes are deferred to a later plan), so ` +
        'guard cannot check it whole; apply what can be applied, then plan again and check that plan.',
    );
  }
  return {
    changes: validateChanges(plan.resource_changes, 'resource_changes', file),
    drift: validateChanges(plan.resource_drift, 'resource_drift', file),
  };
}

/** What a JSON document without `planned_values` is, and what to pass instead. */
function notAPlan(plan: Record<string, unknown>, file: string): string {
  if (plan.values !== undefined) {
    return (
      `${file}: this is state JSON ("values", no "planned_values"): the output of "tofu show -json" without a plan ` +
      `file. guard checks a plan: run show -json <planfile>, as in ${SHOW_PLAN}.`
    );
  }
  const keys = Object.keys(plan).sort();
  return (
    `${file}: has no "planned_values", so it is not the JSON of a plan (it holds only ${keys.join(', ')}; the ` +
    `state JSON of an empty state looks like this). guard checks a plan: pass the output of ${SHOW_PLAN}.`
  );
}
