/**
 * The one list of which Terraform resource types are immutable and which may change
 * in place by design. The immutability aspect (create_before_destroy, name checks),
 * the offline `preview` and the plan `guard` all read it; change it here only.
 *
 * - immutable: defines what runs on a server. Any change must replace it, never
 *   update it in place. Only the attributes listed as operational (plus tags and
 *   timeouts) may change in place.
 * - mutable by design: routing and long-lived shared resources that are updated in
 *   place on purpose (traffic moves by editing the listener, the target groups of the
 *   slots live across generations).
 * - any other type is ordinary infrastructure (VPCs, subnets, buckets): neither checked
 *   nor changed.
 */

/** How the library treats a Terraform resource type. */
export type ResourceClass = 'immutable' | 'mutable-by-design' | 'other';

/** The rule for one immutable resource type. */
export interface ImmutableTypeRule {
  /** Terraform resource type, e.g. `aws_launch_template`. */
  readonly type: string;
  /**
   * Attributes that together must be unique in the account (or daemon). When every
   * one of them is a fixed value, a create-before-destroy replacement would collide
   * with the resource it replaces. Empty when the API generates the identity.
   */
  readonly identityAttributes: readonly string[];
  /**
   * Attributes with a `_prefix` variant that avoids the collision (name -> name_prefix).
   */
  readonly prefixAttributes: readonly string[];
  /** Attributes that may change in place: operational settings, not what runs. */
  readonly operationalAttributes: readonly string[];
  /**
   * True when the provider forces a new resource on any argument change (Image Builder
   * components, recipes and images), so an offline diff can call any change a replacement.
   * @default false
   */
  readonly replacesOnAnyChange?: boolean;
}

/** Attributes every immutable type may change in place: metadata, not what runs. */
const ALWAYS_OPERATIONAL_ATTRIBUTES: readonly string[] = ['tags', 'tags_all', 'timeouts'];

const IMMUTABLE_RULES: readonly ImmutableTypeRule[] = [
  { type: 'aws_launch_template', identityAttributes: ['name'], prefixAttributes: ['name'], operationalAttributes: [] },
  { type: 'aws_launch_configuration', identityAttributes: ['name'], prefixAttributes: ['name'], operationalAttributes: [] },
  {
    type: 'aws_autoscaling_group',
    identityAttributes: ['name'],
    prefixAttributes: ['name'],
    // Capacity and scaling behaviour are operated, not deployed: scaling policies and
    // operators change them and the next apply must not replace the fleet for it.
    operationalAttributes: [
      'min_size', 'max_size', 'desired_capacity', 'desired_capacity_type',
      'wait_for_capacity_timeout', 'wait_for_elb_capacity', 'min_elb_capacity',
      'enabled_metrics', 'metrics_granularity', 'suspended_processes',
      'protect_from_scale_in', 'force_delete', 'force_delete_warm_pool',
      'ignore_failed_scaling_activities', 'default_cooldown', 'default_instance_warmup',
      'capacity_rebalance', 'max_instance_lifetime', 'termination_policies', 'tag',
    ],
  },
  { type: 'aws_instance', identityAttributes: [], prefixAttributes: [], operationalAttributes: ['volume_tags'] },
  { type: 'aws_spot_instance_request', identityAttributes: [], prefixAttributes: [], operationalAttributes: ['volume_tags'] },
  { type: 'aws_ami', identityAttributes: ['name'], prefixAttributes: [], operationalAttributes: ['description', 'deprecation_time'] },
  { type: 'aws_ami_copy', identityAttributes: ['name'], prefixAttributes: [], operationalAttributes: ['description', 'deprecation_time'] },
  { type: 'aws_ami_from_instance', identityAttributes: ['name'], prefixAttributes: [], operationalAttributes: ['description', 'deprecation_time'] },
  { type: 'aws_imagebuilder_component', identityAttributes: ['name', 'version'], prefixAttributes: [], operationalAttributes: [], replacesOnAnyChange: true },
  { type: 'aws_imagebuilder_image_recipe', identityAttributes: ['name', 'version'], prefixAttributes: [], operationalAttributes: [], replacesOnAnyChange: true },
  { type: 'aws_imagebuilder_container_recipe', identityAttributes: ['name', 'version'], prefixAttributes: [], operationalAttributes: [], replacesOnAnyChange: true },
  { type: 'aws_imagebuilder_workflow', identityAttributes: ['name', 'version'], prefixAttributes: [], operationalAttributes: [], replacesOnAnyChange: true },
  { type: 'aws_imagebuilder_image', identityAttributes: [], prefixAttributes: [], operationalAttributes: [], replacesOnAnyChange: true },
  { type: 'docker_image', identityAttributes: [], prefixAttributes: [], operationalAttributes: ['keep_locally', 'force_remove'] },
  { type: 'docker_registry_image', identityAttributes: ['name'], prefixAttributes: [], operationalAttributes: ['keep_remotely'] },
  { type: 'docker_container', identityAttributes: ['name'], prefixAttributes: [], operationalAttributes: [] },
];

/**
 * Types updated in place on purpose, with the reason. Routing moves traffic between
 * generations; shared resources outlive generations.
 */
const MUTABLE_BY_DESIGN: Readonly<Record<string, string>> = {
  aws_lb: 'the load balancer is shared by every generation and slot',
  aws_alb: 'the load balancer is shared by every generation and slot',
  aws_lb_listener: 'traffic moves by editing the listener weights (promote, rollback)',
  aws_alb_listener: 'traffic moves by editing the listener weights (promote, rollback)',
  aws_lb_listener_rule: 'routing rules move traffic and are edited in place',
  aws_alb_listener_rule: 'routing rules move traffic and are edited in place',
  aws_lb_listener_certificate: 'certificates rotate in place',
  aws_lb_target_group: 'per-slot target groups live across generations so that staging never touches the listener',
  aws_alb_target_group: 'per-slot target groups live across generations so that staging never touches the listener',
  aws_autoscaling_policy: 'scaling policies are operational settings of a generation',
  aws_ssm_parameter: 'parameters publish outputs (AMI ids) and are overwritten on each build',
  aws_security_group: 'security groups are shared by generations; rules change in place',
  aws_security_group_rule: 'security group rules change in place',
  aws_vpc_security_group_ingress_rule: 'security group rules change in place',
  aws_vpc_security_group_egress_rule: 'security group rules change in place',
  aws_iam_role: 'the instance role is shared by generations',
  aws_iam_role_policy: 'permissions are shared by generations',
  aws_iam_role_policy_attachment: 'permissions are shared by generations',
  aws_iam_policy: 'permissions are shared by generations',
  aws_iam_instance_profile: 'the instance profile is shared by generations',
  aws_imagebuilder_image_pipeline: 'the pipeline is repointed to each new recipe version',
  aws_imagebuilder_infrastructure_configuration: 'build infrastructure settings are updated in place',
  aws_imagebuilder_distribution_configuration: 'distribution settings are updated in place',
  aws_imagebuilder_lifecycle_policy: 'retention settings are updated in place',
  aws_cloudwatch_log_group: 'log retention is an operational setting',
  aws_cloudwatch_metric_alarm: 'alarms are operational settings',
};

const IMMUTABLE_BY_TYPE = new Map(IMMUTABLE_RULES.map((rule) => [rule.type, rule]));

/** Read access to the policy. */
export class ResourcePolicy {
  /** Every immutable rule, in a stable order. */
  public static immutableRules(): readonly ImmutableTypeRule[] {
    return IMMUTABLE_RULES;
  }

  /** The mutable-by-design types and why. */
  public static mutableByDesign(): Readonly<Record<string, string>> {
    return MUTABLE_BY_DESIGN;
  }

  /** How `type` is treated. */
  public static classify(type: string): ResourceClass {
    if (IMMUTABLE_BY_TYPE.has(type)) {
      return 'immutable';
    }
    return Object.prototype.hasOwnProperty.call(MUTABLE_BY_DESIGN, type) ? 'mutable-by-design' : 'other';
  }

  /** The rule of an immutable type, or undefined. */
  public static immutableRule(type: string): ImmutableTypeRule | undefined {
    return IMMUTABLE_BY_TYPE.get(type);
  }

  /** True when `attribute` of an immutable `type` may change in place. */
  public static isOperationalAttribute(type: string, attribute: string): boolean {
    const rule = IMMUTABLE_BY_TYPE.get(type);
    if (!rule) {
      return true;
    }
    const top = attribute.split(/[.[]/)[0];
    return ALWAYS_OPERATIONAL_ATTRIBUTES.includes(top) || rule.operationalAttributes.includes(top);
  }

  private constructor() {}
}
