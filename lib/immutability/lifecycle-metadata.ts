import { LIBRARY_METADATA_KEY } from '../private/acknowledgements';
import { ResourcePolicy } from './resource-policy';

/**
 * The lifecycle rules of immutable resources, read from their synthesized JSON (plain
 * data, no cdktf): which `ignore_changes` and `replace_triggered_by` an immutable
 * resource may carry, and the `//` metadata that records why a rule is set anyway. The
 * immutability aspect (at synth, on the resolved resource), `guard --config` (on the
 * synthesized stack) and `preview` read the same functions, so the three agree.
 *
 * The metadata lives under one key of the resource's `//` block:
 *
 * ```json
 * "//": {
 *   "cdktf-immutable": {
 *     "triggers": ["aws_launch_template.web_blue.id"],
 *     "pinned": { "fleet": "web", "slot": "blue", "environment": "prod", "reason": "..." },
 *     "acknowledged": { "ignore-changes": "<reason>", "replace-triggered-by-removed": "<reason>" }
 *   }
 * }
 * ```
 *
 * `triggers` records the `replace_triggered_by` entries a construct of the library set
 * (so that a removal shows); `pinned` is written by the blue/green fleet on the
 * resources of a pinned slot (its launch template, auto scaling group and target
 * group), whose lifecycle ignores what the code says; `acknowledged` by every
 * acknowledgement of the library (`lib/private/acknowledgements.ts`: the lifecycle ones of
 * `ImmutabilityAspect.acknowledgeLifecycle`, `allow-fixed-name`, the security downgrades).
 * @internal
 */

/** The key of the library's entry in a resource's `//` metadata (one with the acknowledgements' helper). */
export const METADATA_KEY = LIBRARY_METADATA_KEY;

/** The lifecycle rules an acknowledgement can name. */
export type LifecycleAcknowledgementId = 'ignore-changes' | 'replace-triggered-by-removed';

/** Every {@link LifecycleAcknowledgementId}, in display order. */
export const LIFECYCLE_ACKNOWLEDGEMENT_IDS: readonly LifecycleAcknowledgementId[] = [
  'ignore-changes',
  'replace-triggered-by-removed',
];

/**
 * What the fleet records on each resource of a pinned slot: the slot keeps the definition
 * it was deployed with, and its lifecycle ignores the code's.
 */
export interface PinnedMetadata {
  /** The fleet's name (`web-prod`). */
  readonly fleet: string;
  /** `blue` or `green`. */
  readonly slot: string;
  /** The release file's environment, when the fleet was built from one (`fromRelease`). */
  readonly environment?: string;
  /** Why the slot is pinned and the command that ships the code's definition. */
  readonly reason: string;
}

/** The label that `preview` (and the pull request pipeline) shows for a change a pinned slot does not take. */
export const WAITS_FOR_RELEASE_LABEL = 'waits for a release';

/** The command that ships the code's server definition to a fleet built from `environment`'s release file. */
export function sameImageCommand(environment?: string): string {
  return `cdktf-immutable release stage ${environment ?? '<env>'} --same-image`;
}

/** What the writers below need of a resource: cdktf's `addOverride`. */
interface Overridable {
  addOverride(path: string, value: unknown): void;
}

/**
 * Records in the resource's metadata the `replace_triggered_by` entries the library's
 * construct set on it (it sets nothing on the lifecycle), so that the aspect and
 * `guard --config` can tell when one was removed.
 */
export function recordLibraryTriggers(resource: Overridable, triggers: readonly string[]): void {
  if (triggers.length > 0) {
    resource.addOverride(`//.${METADATA_KEY}.triggers`, [...triggers]);
  }
}

/** Records on a resource of a pinned slot why its lifecycle ignores the code's definition. */
export function recordPinned(resource: Overridable, pinned: PinnedMetadata): void {
  resource.addOverride(`//.${METADATA_KEY}.pinned`, { ...pinned });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The library's entry of a resource body's `//` metadata, or an empty object. */
function libraryMetadata(body: unknown): Record<string, unknown> {
  const metadata = isRecord(body) ? body['//'] : undefined;
  const entry = isRecord(metadata) ? metadata[METADATA_KEY] : undefined;
  return isRecord(entry) ? entry : {};
}

/** The pinned metadata of a synthesized resource body, when the fleet pinned it. */
export function pinnedMetadata(body: unknown): PinnedMetadata | undefined {
  const pinned = libraryMetadata(body).pinned;
  if (!isRecord(pinned) || typeof pinned.slot !== 'string' || typeof pinned.reason !== 'string') {
    return undefined;
  }
  return {
    fleet: typeof pinned.fleet === 'string' ? pinned.fleet : '',
    slot: pinned.slot,
    ...(typeof pinned.environment === 'string' ? { environment: pinned.environment } : {}),
    reason: pinned.reason,
  };
}

/** The acknowledgements of a synthesized resource body (id -> reason), non-empty reasons only. */
export function lifecycleAcknowledgements(body: unknown): Partial<Record<LifecycleAcknowledgementId, string>> {
  const acknowledged = libraryMetadata(body).acknowledged;
  const out: Partial<Record<LifecycleAcknowledgementId, string>> = {};
  if (!isRecord(acknowledged)) {
    return out;
  }
  for (const id of LIFECYCLE_ACKNOWLEDGEMENT_IDS) {
    const reason = acknowledged[id];
    if (typeof reason === 'string' && reason.trim() !== '') {
      out[id] = reason;
    }
  }
  return out;
}

/**
 * The `ignore_changes` of a body: `all`, the attribute names (the top-level attribute of
 * each entry), or an empty list.
 */
export function ignoredAttributes(body: unknown): 'all' | string[] {
  const lifecycle = isRecord(body) ? body.lifecycle : undefined;
  const ignore = isRecord(lifecycle) ? lifecycle.ignore_changes : undefined;
  if (ignore === 'all' || (Array.isArray(ignore) && ignore.includes('all'))) {
    return 'all';
  }
  if (!Array.isArray(ignore)) {
    return [];
  }
  return ignore.filter((entry): entry is string => typeof entry === 'string').map(topOf);
}

/** True when `body`'s `ignore_changes` covers the attribute path `path`. */
export function isIgnored(body: unknown, path: string): boolean {
  const ignored = ignoredAttributes(body);
  return ignored === 'all' || ignored.includes(topOf(path));
}

/** One lifecycle rule broken by an immutable resource. */
export interface LifecycleFinding {
  readonly id: LifecycleAcknowledgementId;
  /** The attributes ignored, or the triggers removed. */
  readonly subjects: readonly string[];
  /** What is wrong, without the fix. */
  readonly problem: string;
  /** Why the rule may be broken here: the pinned slot's reason or the acknowledgement; none when refused. */
  readonly acknowledgedBy?: string;
}

/**
 * The lifecycle rules an immutable resource breaks, from its JSON body:
 *
 * - `ignore-changes`: `ignore_changes` names an attribute that is not operational for
 *   the type (or `all`): Terraform would then keep running the old definition while the
 *   code, the names and the in-use marks say otherwise;
 * - `replace-triggered-by-removed`: a `replace_triggered_by` entry that the library's
 *   construct set (recorded in the metadata's `triggers`) is missing from the lifecycle
 *   (an override, or a `lifecycle` set by hand): a replacement of what it names would
 *   then update this resource in place.
 *
 * Each finding says whether the resource acknowledges it: a pinned slot's metadata
 * acknowledges `ignore-changes`, an acknowledgement with a reason either rule. Other
 * types give no finding.
 */
export function lifecycleFindings(type: string, body: unknown): LifecycleFinding[] {
  if (ResourcePolicy.classify(type) !== 'immutable' || !isRecord(body)) {
    return [];
  }
  const acknowledged = lifecycleAcknowledgements(body);
  const pinned = pinnedMetadata(body);
  const findings: LifecycleFinding[] = [];
  const ignored = ignoredAttributes(body);
  const substantive =
    ignored === 'all' ? ['all'] : ignored.filter((attr) => !ResourcePolicy.isOperationalAttribute(type, attr));
  if (substantive.length > 0) {
    findings.push({
      id: 'ignore-changes',
      subjects: substantive,
      problem:
        `lifecycle ignore_changes (${substantive.join(', ')}) on an immutable ${type}: Terraform would keep the ` +
        'old definition running while the code, its name and the in-use marks say another',
      acknowledgedBy:
        acknowledged['ignore-changes'] ?? (pinned ? `pinned ${pinned.slot} slot: ${pinned.reason}` : undefined),
    });
  }
  const missing = removedTriggers(body);
  if (missing.length > 0) {
    findings.push({
      id: 'replace-triggered-by-removed',
      subjects: missing,
      problem:
        `lifecycle replace_triggered_by lost ${missing.join(', ')}, which the library set on this immutable ` +
        `${type}: a replacement of what ${missing.length === 1 ? 'it names' : 'they name'} would update this ` +
        'resource in place',
      acknowledgedBy: acknowledged['replace-triggered-by-removed'],
    });
  }
  return findings;
}

/** The triggers the library recorded on `body` that its lifecycle no longer lists. */
function removedTriggers(body: Record<string, unknown>): string[] {
  const recorded = libraryMetadata(body).triggers;
  if (!Array.isArray(recorded)) {
    return [];
  }
  const lifecycle = isRecord(body.lifecycle) ? body.lifecycle : {};
  const listed = Array.isArray(lifecycle.replace_triggered_by) ? lifecycle.replace_triggered_by : [];
  const present = new Set(listed.map(bare));
  return recorded.filter((t): t is string => typeof t === 'string' && !present.has(bare(t)));
}

/** A trigger without `${ }` (Terraform's JSON syntax accepts both). */
function bare(trigger: unknown): string {
  const text = String(trigger);
  return text.startsWith('${') && text.endsWith('}') ? text.slice(2, -1) : text;
}

/** The top-level attribute of a path (`launch_template[0].id` -> `launch_template`). */
function topOf(path: string): string {
  return path.split(/[.[]/)[0];
}
