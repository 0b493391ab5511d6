/**
 * Provider configurations of a stack (module-less `provider` blocks) and what a change of
 * one does to the resources and data sources that use it.
 */
import { isObject } from './diff';
import { bareExpression } from './references';

/**
 * The provider configurations of a stack by key: `aws`, or `aws.<alias>` for an aliased
 * one. cdktf writes `{ "aws": [ {...}, { "alias": "west", ... } ] }`; an object instead of
 * the list is one configuration.
 */
export function providerConfigs(provider: unknown): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  if (!isObject(provider)) {
    return out;
  }
  for (const [name, value] of Object.entries(provider)) {
    for (const config of Array.isArray(value) ? value : [value]) {
      if (isObject(config)) {
        const alias = typeof config.alias === 'string' ? config.alias : undefined;
        const { alias: _alias, ...rest } = config;
        void _alias;
        out.set(alias ? `${name}.${alias}` : name, rest);
      }
    }
  }
  return out;
}

/**
 * The provider configuration key of a resource or data source: its `provider`
 * meta-argument (`aws.west`, also wrapped as an interpolation), or the first word of its type
 * (`aws_launch_template` -> `aws`), as Terraform infers it.
 */
export function providerKey(type: string, body: Record<string, unknown>): string {
  if (typeof body.provider === 'string') {
    return bareExpression(body.provider);
  }
  return type.split('_')[0];
}

/**
 * Arguments of the AWS provider that change how it connects, never which resources or
 * values a plan has: their change alone changes nothing.
 */
export const CONNECTION_ONLY_ARGUMENTS: Readonly<Record<string, readonly string[]>> = {
  aws: [
    'max_retries',
    'retry_mode',
    'skip_credentials_validation',
    'skip_metadata_api_check',
    'skip_region_validation',
    'skip_requesting_account_id',
    'http_proxy',
    'https_proxy',
    'no_proxy',
    'insecure',
    'custom_ca_bundle',
    'token_bucket_rate_limiter_capacity',
  ],
};

/**
 * Resource types of the AWS provider that have no `tags_all`, so that a change of the
 * provider's `default_tags` plans nothing for them. Other types without a `tags` argument
 * in the configuration are undecided.
 */
export const UNTAGGED_TYPES: ReadonlySet<string> = new Set([
  'aws_autoscaling_attachment',
  'aws_autoscaling_group',
  'aws_autoscaling_lifecycle_hook',
  'aws_autoscaling_policy',
  'aws_autoscaling_schedule',
  'aws_autoscaling_traffic_source_attachment',
  'aws_ec2_tag',
  'aws_iam_role_policy',
  'aws_iam_role_policy_attachment',
  'aws_lb_target_group_attachment',
  'aws_security_group_rule',
]);

/**
 * The smallest major version a version constraint allows (`6.25.0`, `~> 6.0`, `>= 5.1,
 * < 7` -> 5), or undefined when it has no lower bound.
 */
export function minimumMajor(constraint: unknown): number | undefined {
  if (typeof constraint !== 'string') {
    return undefined;
  }
  const bounds = constraint
    .split(',')
    .map((part) => /^\s*(=|>=|~>|>)?\s*v?(\d+)/.exec(part))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[2]));
  return bounds.length > 0 ? Math.max(...bounds) : undefined;
}

/**
 * The version constraint of the provider whose local name is `name` in
 * `terraform.required_providers` (an object, or a version string in the old syntax).
 */
export function requiredVersion(terraform: unknown, name: string): unknown {
  const required = isObject(terraform) ? terraform.required_providers : undefined;
  const list = Array.isArray(required) ? required : [required];
  for (const block of list) {
    if (isObject(block) && block[name] !== undefined) {
      const entry = block[name];
      return isObject(entry) ? entry.version : entry;
    }
  }
  return undefined;
}

/** The AWS partition of a literal region name (`cn-north-1` -> `aws-cn`). */
export function partitionOf(region: string): string {
  const prefixes: Array<[string, string]> = [
    ['cn-', 'aws-cn'],
    ['us-gov-', 'aws-us-gov'],
    ['us-isob-', 'aws-iso-b'],
    ['us-iso-', 'aws-iso'],
    ['eu-isoe-', 'aws-iso-e'],
    ['us-isof-', 'aws-iso-f'],
  ];
  return prefixes.find(([prefix]) => region.startsWith(prefix))?.[1] ?? 'aws';
}
