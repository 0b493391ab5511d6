import { TerraformResource } from 'cdktf';

/** The arguments of `resource` as it would synthesize now (overrides included). */
export function resourceAttributes(resource: TerraformResource): Record<string, unknown> {
  const json = resource.toTerraform() as { resource?: Record<string, Record<string, Record<string, unknown>>> };
  const byType = json.resource?.[resource.terraformResourceType] ?? {};
  return Object.values(byType)[0] ?? {};
}
