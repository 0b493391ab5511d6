import { TerraformResource } from 'cdktf';

/**
 * The key of a resource's `//` metadata in the synthesized JSON under which the
 * library records what was accepted on that resource and why: a list of
 * `{ "id": ..., "reason": ... }`, as cdk-nag keeps its suppressions. One mechanism for
 * every acknowledgement of the library: a fixed name the immutability aspect would
 * refuse (`ImmutabilityAspect.allowFixedName`, id `allow-fixed-name`), a security
 * downgrade (`acknowledgeSecurityDowngrade`, the downgrade's id), so that a reviewer of
 * the synthesized output or of a snapshot reads every exception in one place.
 */
export const ACKNOWLEDGEMENTS_KEY = 'cdktf-immutable:acknowledgements';

/** Something accepted on a resource (`id`) and why (`reason`), kept in the synthesized output. */
export interface Acknowledgement {
  /** What is accepted, such as `allow-fixed-name` or `imdsv1`. */
  readonly id: string;
  /** Why, in the words of whoever accepted it. */
  readonly reason: string;
}

/** The `//` metadata of `resource` as it would synthesize now (overrides included). */
function metadataOf(resource: TerraformResource): Record<string, unknown> {
  const json = resource.toTerraform() as {
    resource?: Record<string, Record<string, { '//'?: Record<string, unknown> }>>;
  };
  const byName = json.resource?.[resource.terraformResourceType] ?? {};
  return Object.values(byName)[0]?.['//'] ?? {};
}

/** The acknowledgements recorded on `resource`, in the order they were recorded. */
export function acknowledgementsOf(resource: TerraformResource): Acknowledgement[] {
  const list = metadataOf(resource)[ACKNOWLEDGEMENTS_KEY];
  if (!Array.isArray(list)) {
    return [];
  }
  return list.filter(
    (entry): entry is Acknowledgement =>
      typeof entry === 'object' && entry !== null && typeof entry.id === 'string' && typeof entry.reason === 'string',
  );
}

/** The acknowledgement of `id` on `resource`, if one is recorded. */
export function findAcknowledgement(resource: TerraformResource, id: string): Acknowledgement | undefined {
  return acknowledgementsOf(resource).find((entry) => entry.id === id);
}

/**
 * Records `{ id, reason }` in the `//` metadata of `resource`, under
 * {@link ACKNOWLEDGEMENTS_KEY}. An id is recorded once: acknowledging it again replaces
 * its reason. The caller has checked the reason (each API names its own rule).
 */
export function recordAcknowledgement(resource: TerraformResource, acknowledgement: Acknowledgement): void {
  const others = acknowledgementsOf(resource).filter((entry) => entry.id !== acknowledgement.id);
  resource.addOverride(`//.${ACKNOWLEDGEMENTS_KEY}`, [
    ...others,
    { id: acknowledgement.id, reason: acknowledgement.reason },
  ]);
}
