import { readFileSync } from 'fs';
import { changedPaths, isObject, topAttribute } from './private/diff';
import { ResourcePolicy } from '../immutability/resource-policy';

/** One finding of the plan guard. */
export interface GuardViolation {
  /** Terraform address, `aws_launch_template.web_blue`. */
  readonly address: string;
  readonly type: string;
  /** `update-in-place` or `delete-before-create`. */
  readonly kind: 'update-in-place' | 'delete-before-create';
  /** The planned actions, as in the plan (`["update"]`, `["delete","create"]`). */
  readonly actions: readonly string[];
  /** The changed attributes that are not operational. */
  readonly attributes: readonly string[];
}

/** The result of checking a plan. */
export interface GuardReport {
  /** Count of resource changes per action list (`create`, `update`, `create,delete`...). */
  readonly actions: Readonly<Record<string, number>>;
  /** Each resource change with its planned actions (no-op and read excluded). */
  readonly changes: ReadonlyArray<{ readonly address: string; readonly type: string; readonly actions: readonly string[] }>;
  readonly violations: readonly GuardViolation[];
  /** In-place updates of immutable types that touched only operational attributes. */
  readonly operationalUpdates: ReadonlyArray<{ readonly address: string; readonly attributes: readonly string[] }>;
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
  change: { actions: string[]; before: unknown; after: unknown; after_unknown?: unknown };
}

const VALID_ACTIONS = new Set(['no-op', 'create', 'read', 'update', 'delete']);

/** Reads the JSON of a saved plan (`tofu show -json plan` / `terraform show -json plan`). */
export function readPlanFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PlanFileError(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); pass the output of "tofu show -json <plan>".`);
  }
  if (text.trim() === '') {
    throw new PlanFileError(`${path}: is empty; pass the output of "tofu show -json <plan>".`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PlanFileError(`${path}: is not valid JSON (${(error as Error).message}); pass the JSON output of "tofu show -json <plan>", not the binary plan.`);
  }
}

/**
 * Checks a plan: every in-place update of an immutable resource that changes more than
 * its operational attributes, and every delete-before-create replacement of an
 * immutable resource, is a violation. Mutable-by-design and other types pass.
 */
export function guardPlan(plan: unknown, file = 'plan'): GuardReport {
  try {
    return checkPlan(plan, file);
  } catch (error) {
    if (error instanceof RangeError) {
      throw new PlanFileError(`${file}: is nested too deeply to be the JSON of a plan.`);
    }
    throw error;
  }
}

function checkPlan(plan: unknown, file: string): GuardReport {
  const changes = validatePlan(plan, file);
  const actions: Record<string, number> = {};
  const violations: GuardViolation[] = [];
  const operationalUpdates: Array<{ address: string; attributes: string[] }> = [];
  const listed: Array<{ address: string; type: string; actions: string[] }> = [];
  for (const rc of changes) {
    if (rc.mode !== undefined && rc.mode !== 'managed') {
      continue;
    }
    const key = rc.change.actions.join(',');
    actions[key] = (actions[key] ?? 0) + 1;
    if (key !== 'no-op' && key !== 'read') {
      listed.push({ address: rc.address, type: rc.type, actions: rc.change.actions });
    }
    if (ResourcePolicy.classify(rc.type) !== 'immutable') {
      continue;
    }
    if (key === 'delete,create') {
      violations.push({ address: rc.address, type: rc.type, kind: 'delete-before-create', actions: rc.change.actions, attributes: changedAttributes(rc) });
    } else if (key === 'update') {
      const attributes = changedAttributes(rc);
      const substantive = attributes.filter((attr) => !ResourcePolicy.isOperationalAttribute(rc.type, attr));
      if (substantive.length > 0) {
        violations.push({ address: rc.address, type: rc.type, kind: 'update-in-place', actions: rc.change.actions, attributes: substantive });
      } else {
        operationalUpdates.push({ address: rc.address, attributes });
      }
    }
  }
  return { actions, changes: listed, violations, operationalUpdates };
}

/** Top-level attributes that differ between before and after, or become unknown. */
function changedAttributes(rc: ResourceChange): string[] {
  const attributes = new Set(changedPaths(rc.change.before ?? {}, rc.change.after ?? {}).map(topAttribute));
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

function validatePlan(plan: unknown, file: string): ResourceChange[] {
  if (!isObject(plan)) {
    throw new PlanFileError(`${file}: the top level is not an object; pass the output of "tofu show -json <plan>".`);
  }
  if (typeof plan.format_version !== 'string') {
    throw new PlanFileError(`${file}: "format_version" is missing; this is not the JSON of a plan (pass the output of "tofu show -json <plan>").`);
  }
  if (plan.resource_changes === undefined) {
    return [];
  }
  if (!Array.isArray(plan.resource_changes)) {
    throw new PlanFileError(`${file}: "resource_changes" is not a list; the plan JSON is damaged. Re-run "tofu show -json <plan>".`);
  }
  return plan.resource_changes.map((rc, i) => {
    const where = `${file}: resource_changes[${i}]`;
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
    if (!isObject(change) || !Array.isArray(change.actions) || change.actions.length === 0
      || change.actions.some((a) => typeof a !== 'string' || !VALID_ACTIONS.has(a))) {
      throw new PlanFileError(`${where} (${rc.address}) "change.actions" is not a list of plan actions (no-op, create, read, update, delete).`);
    }
    return rc as unknown as ResourceChange;
  });
}
