/**
 * What the helpers need of a resource (cdktf's `TerraformResource`, structurally: this
 * module imports nothing, so that the readers of synthesized JSON that share its key load
 * no cdktf).
 */
export interface AcknowledgedResource {
  readonly terraformResourceType: string;
  toTerraform(): unknown;
  addOverride(path: string, value: unknown): void;
}

/**
 * The key of the library's entry in a resource's `//` metadata in the synthesized JSON.
 * Under it, `acknowledged` records what was accepted on that resource and why, one
 * `"<id>": "<reason>"` per acknowledgement, as cdk-nag keeps its suppressions:
 *
 * ```json
 * "//": { "cdktf-immutable": { "acknowledged": { "imdsv1": "a legacy agent reads IMDSv1" } } }
 * ```
 *
 * One mechanism for every acknowledgement of the library: a fixed name the immutability
 * aspect would refuse (`ImmutabilityAspect.allowFixedName`, id `allow-fixed-name`), a
 * lifecycle rule broken on purpose (`ImmutabilityAspect.acknowledgeLifecycle`,
 * `ignore-changes`, `replace-triggered-by-removed`), a security downgrade
 * (`acknowledgeSecurityDowngrade`, the downgrade's id), so that a reviewer of the
 * synthesized output or of a snapshot reads every exception in one place, and
 * `guard --config` reads them from there. This module loads no cdktf.
 */
export const LIBRARY_METADATA_KEY = 'cdktf-immutable';

/** Something accepted on a resource (`id`) and why (`reason`), kept in the synthesized output. */
export interface Acknowledgement {
  /** What is accepted, such as `allow-fixed-name` or `imdsv1`: letters, digits and hyphens. */
  readonly id: string;
  /** Why, in the words of whoever accepted it. */
  readonly reason: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The `acknowledged` map of a synthesized resource body's `//` metadata (id -> reason). */
export function acknowledgedIn(body: unknown): Record<string, string> {
  const metadata = isRecord(body) ? body['//'] : undefined;
  const entry = isRecord(metadata) ? metadata[LIBRARY_METADATA_KEY] : undefined;
  const acknowledged = isRecord(entry) ? entry.acknowledged : undefined;
  const out: Record<string, string> = {};
  for (const [id, reason] of Object.entries(isRecord(acknowledged) ? acknowledged : {})) {
    if (typeof reason === 'string') {
      out[id] = reason;
    }
  }
  return out;
}

/** The resource's body as it would synthesize now (overrides included). */
function bodyOf(resource: AcknowledgedResource): unknown {
  const json = resource.toTerraform() as { resource?: Record<string, Record<string, unknown>> };
  return Object.values(json.resource?.[resource.terraformResourceType] ?? {})[0];
}

/** The acknowledgements recorded on `resource`. */
export function acknowledgementsOf(resource: AcknowledgedResource): Acknowledgement[] {
  return Object.entries(acknowledgedIn(bodyOf(resource))).map(([id, reason]) => ({ id, reason }));
}

/** The acknowledgement of `id` on `resource`, if one is recorded. */
export function findAcknowledgement(resource: AcknowledgedResource, id: string): Acknowledgement | undefined {
  return acknowledgementsOf(resource).find((entry) => entry.id === id);
}

/**
 * Records `{ id, reason }` in the `//` metadata of `resource`, under
 * `"cdktf-immutable": { "acknowledged": { "<id>": "<reason>" } }`. An id is recorded
 * once: acknowledging it again replaces its reason; other acknowledgements and the rest
 * of the library's metadata (its triggers, a pinned slot's record) stay. The caller has
 * checked the reason (each API names its own rule); the id, a constant of the library,
 * is a key written through an override path, so it holds no dot.
 */
export function recordAcknowledgement(resource: AcknowledgedResource, acknowledgement: Acknowledgement): void {
  resource.addOverride(`//.${LIBRARY_METADATA_KEY}.acknowledged.${acknowledgement.id}`, acknowledgement.reason);
}
