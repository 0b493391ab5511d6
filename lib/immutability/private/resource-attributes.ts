import { DefaultTokenResolver, StringConcat, TerraformResource, TerraformStack, Tokenization } from 'cdktf';

/** The arguments of `resource` as it would synthesize now (overrides included). */
export function resourceAttributes(resource: TerraformResource): Record<string, unknown> {
  const json = resource.toTerraform() as { resource?: Record<string, Record<string, Record<string, unknown>>> };
  const byType = json.resource?.[resource.terraformResourceType] ?? {};
  return Object.values(byType)[0] ?? {};
}

/**
 * The arguments of `resource` as they synthesize now, with every token resolved the way
 * the stack resolves them (references become `${aws_x.y.id}`).
 */
export function resolvedResourceAttributes(resource: TerraformResource): Record<string, unknown> {
  return Tokenization.resolve(resourceAttributes(resource), {
    scope: TerraformStack.of(resource),
    resolver: new DefaultTokenResolver(new StringConcat()),
  }) as Record<string, unknown>;
}
