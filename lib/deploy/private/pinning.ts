import { IConstruct } from 'constructs';
import { ResourcePolicy } from '../../immutability/resource-policy';

/**
 * The context key that switches pinning off for a whole app (`"cdktf-immutable:pinning":
 * false` in cdktf.json's `context`, or `app.node.setContext`): every slot with an image
 * then follows the code, as before pinning existed. For tests of the guard and for an
 * emergency only: a plan built so replaces the serving slot outside a release, and
 * `guard` refuses it.
 */
export const PINNING_CONTEXT = 'cdktf-immutable:pinning';

/** False when the app's context switches pinning off ({@link PINNING_CONTEXT}). */
export function pinningEnabled(scope: IConstruct): boolean {
  const value: unknown = scope.node.tryGetContext(PINNING_CONTEXT);
  return !(value === false || value === 'false' || value === 'off');
}

/**
 * Every argument of `aws_autoscaling_group` in AWS provider 6.25 (`id` and `timeouts`
 * aside), for the `ignore_changes` of a pinned slot's group.
 */
const GROUP_ARGUMENTS: readonly string[] = [
  'availability_zone_distribution',
  'availability_zones',
  'capacity_rebalance',
  'capacity_reservation_specification',
  'context',
  'default_cooldown',
  'default_instance_warmup',
  'desired_capacity',
  'desired_capacity_type',
  'enabled_metrics',
  'force_delete',
  'force_delete_warm_pool',
  'health_check_grace_period',
  'health_check_type',
  'ignore_failed_scaling_activities',
  'initial_lifecycle_hook',
  'instance_maintenance_policy',
  'instance_refresh',
  'launch_configuration',
  'launch_template',
  'load_balancers',
  'max_instance_lifetime',
  'max_size',
  'metrics_granularity',
  'min_elb_capacity',
  'min_size',
  'mixed_instances_policy',
  'name',
  'name_prefix',
  'placement_group',
  'protect_from_scale_in',
  'region',
  'service_linked_role_arn',
  'suspended_processes',
  'tag',
  'target_group_arns',
  'termination_policies',
  'traffic_source',
  'vpc_zone_identifier',
  'wait_for_capacity_timeout',
  'wait_for_elb_capacity',
  'warm_pool',
];

/**
 * What a pinned slot's auto scaling group ignores: every argument that is not
 * operational for the resource policy (its name, launch template, subnets, target
 * groups, health check type, lifecycle hooks...), and its tags, which carry the
 * generation it runs. Capacity, the capacity gate, the grace period, warm-up and the
 * warm pool still change in place.
 */
export const PINNED_GROUP_IGNORES: readonly string[] = GROUP_ARGUMENTS.filter(
  (argument) => argument === 'tag' || !ResourcePolicy.isOperationalAttribute('aws_autoscaling_group', argument),
);

/**
 * What a pinned slot's target group ignores: the arguments that would replace it (port,
 * protocol, target type, VPC, name...), from the resource policy's force-new table. Its
 * health check and draining settings still change in place.
 */
export function pinnedTargetGroupIgnores(type: string): string[] {
  return [...new Set((ResourcePolicy.forceNewAttributes(type) ?? []).map((path) => path.split('.')[0]))];
}
