/**
 * The one list of which Terraform resource types are immutable and which may change
 * in place by design, and the one table of the attributes that force Terraform to
 * replace a resource. The immutability aspect (create_before_destroy, name checks),
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
 *
 * ## The rule that decides a type's class
 *
 * Asked in this order, of what an IN-PLACE update of the type does:
 *
 * 1. **Defines what runs on a server → immutable.** The update changes the software,
 *    configuration or commands of an EC2 instance or a container that is running, or
 *    the template that new ones start from, without a new generation: server
 *    definitions (launch templates and configurations, instances, EC2 and Spot fleets,
 *    the groups that launch them: ASGs and EKS managed node groups), the images they
 *    boot (AMIs, Image Builder components, recipes, workflows and images, Docker
 *    images, registry images, tags), the containers (Docker containers and Swarm
 *    services, ECS task definitions), and commands sent to running servers (SSM
 *    documents, associations and maintenance window tasks).
 * 2. **Routes traffic to generations, or is shared by all of them → mutable by
 *    design.** Load balancers, listeners, rules and target groups move traffic between
 *    generations by being edited; security groups, IAM roles and instance profiles,
 *    published SSM parameters, the Image Builder pipeline and its build settings and the
 *    ASG's policies, hooks and schedules outlive generations and never change what an
 *    existing server runs.
 * 3. **Anything else → other**: ordinary infrastructure (networks, storage, DNS...),
 *    and managed services whose own control plane rolls out a change (ECS services,
 *    Lambda, Beanstalk, App Runner, Batch, EMR, Lightsail, SageMaker...): the library
 *    neither launches nor orders them. {@link REVIEWED_OTHER} names the ones next to
 *    compute, containers, images and configuration management, with the reason.
 *
 * An attribute of a mutable-by-design type that reaches into running servers is listed
 * in {@link FORBIDDEN_ATTRIBUTES}: setting it is a violation (`guard` and `preview`).
 *
 * Reviewed once, in full, against @cdktf/provider-aws 21.22 (1581 resource types,
 * `node_modules/@cdktf/provider-aws/lib/<type>` folders) and @cdktf/provider-docker 12.0
 * (11 resource types): 1592 types. test/review/resource-policy.test.ts fails when a type
 * of the compute, container, image or configuration-management families is added to the
 * providers without a class here.
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
  {
    type: 'aws_launch_configuration',
    identityAttributes: ['name'],
    prefixAttributes: ['name'],
    operationalAttributes: [],
  },
  {
    type: 'aws_autoscaling_group',
    identityAttributes: ['name'],
    prefixAttributes: ['name'],
    // Capacity and scaling behaviour are operated, not deployed: scaling policies and
    // operators change them and the next apply must not replace the fleet for it.
    operationalAttributes: [
      'min_size',
      'max_size',
      'desired_capacity',
      'desired_capacity_type',
      'wait_for_capacity_timeout',
      'wait_for_elb_capacity',
      'min_elb_capacity',
      'enabled_metrics',
      'metrics_granularity',
      'suspended_processes',
      'protect_from_scale_in',
      'force_delete',
      'force_delete_warm_pool',
      'ignore_failed_scaling_activities',
      'default_cooldown',
      'default_instance_warmup',
      'capacity_rebalance',
      'max_instance_lifetime',
      'termination_policies',
      'tag',
      // How long new instances get before health checks count, and the pool of
      // pre-initialised instances: how servers are brought in, not what they run.
      'health_check_grace_period',
      'warm_pool',
    ],
  },
  { type: 'aws_instance', identityAttributes: [], prefixAttributes: [], operationalAttributes: ['volume_tags'] },
  {
    type: 'aws_spot_instance_request',
    identityAttributes: [],
    prefixAttributes: [],
    operationalAttributes: ['volume_tags'],
    replacesOnAnyChange: true,
  },
  // Fleets of instances: their launch template configuration defines what new instances run.
  {
    type: 'aws_ec2_fleet',
    identityAttributes: [],
    prefixAttributes: [],
    operationalAttributes: ['target_capacity_specification', 'excess_capacity_termination_policy'],
  },
  {
    type: 'aws_spot_fleet_request',
    identityAttributes: [],
    prefixAttributes: [],
    operationalAttributes: ['target_capacity', 'on_demand_target_capacity', 'excess_capacity_termination_policy'],
  },
  // An EKS managed node group is an ASG of EC2 nodes: a new AMI or launch template
  // version in place rolls the nodes under the same group, with no generation to go back to.
  {
    type: 'aws_eks_node_group',
    identityAttributes: ['node_group_name'],
    prefixAttributes: ['node_group_name'],
    operationalAttributes: ['scaling_config', 'update_config'],
  },
  {
    type: 'aws_ami',
    identityAttributes: ['name'],
    prefixAttributes: [],
    operationalAttributes: ['description', 'deprecation_time'],
  },
  {
    type: 'aws_ami_copy',
    identityAttributes: ['name'],
    prefixAttributes: [],
    operationalAttributes: ['description', 'deprecation_time'],
  },
  {
    type: 'aws_ami_from_instance',
    identityAttributes: ['name'],
    prefixAttributes: [],
    operationalAttributes: ['description', 'deprecation_time'],
  },
  {
    type: 'aws_imagebuilder_component',
    identityAttributes: ['name', 'version'],
    prefixAttributes: [],
    operationalAttributes: [],
    replacesOnAnyChange: true,
  },
  {
    type: 'aws_imagebuilder_image_recipe',
    identityAttributes: ['name', 'version'],
    prefixAttributes: [],
    operationalAttributes: [],
    replacesOnAnyChange: true,
  },
  {
    type: 'aws_imagebuilder_container_recipe',
    identityAttributes: ['name', 'version'],
    prefixAttributes: [],
    operationalAttributes: [],
    replacesOnAnyChange: true,
  },
  {
    type: 'aws_imagebuilder_workflow',
    identityAttributes: ['name', 'version'],
    prefixAttributes: [],
    operationalAttributes: [],
    replacesOnAnyChange: true,
  },
  {
    type: 'aws_imagebuilder_image',
    identityAttributes: [],
    prefixAttributes: [],
    operationalAttributes: [],
    replacesOnAnyChange: true,
  },
  // Commands on running servers: an association runs its document on its targets when
  // it is created or updated; a document's new content is what the next run executes.
  {
    type: 'aws_ssm_document',
    identityAttributes: ['name'],
    prefixAttributes: [],
    operationalAttributes: ['permissions'],
  },
  { type: 'aws_ssm_association', identityAttributes: [], prefixAttributes: [], operationalAttributes: [] },
  { type: 'aws_ssm_maintenance_window_task', identityAttributes: [], prefixAttributes: [], operationalAttributes: [] },
  // Containers: every argument of a task definition forces a new revision.
  {
    type: 'aws_ecs_task_definition',
    identityAttributes: [],
    prefixAttributes: [],
    operationalAttributes: ['skip_destroy', 'track_latest'],
    replacesOnAnyChange: true,
  },
  {
    type: 'docker_image',
    identityAttributes: [],
    prefixAttributes: [],
    operationalAttributes: ['keep_locally', 'force_remove'],
  },
  {
    type: 'docker_registry_image',
    identityAttributes: ['name'],
    prefixAttributes: [],
    operationalAttributes: ['keep_remotely', 'insecure_skip_verify'],
  },
  // docker_tag has no update: every change is a new tag. Deleting it removes neither image.
  {
    type: 'docker_tag',
    identityAttributes: [],
    prefixAttributes: [],
    operationalAttributes: [],
    replacesOnAnyChange: true,
  },
  { type: 'docker_container', identityAttributes: ['name'], prefixAttributes: [], operationalAttributes: [] },
  // A Swarm service updated in place rolls its tasks to the new spec under the same name.
  {
    type: 'docker_service',
    identityAttributes: ['name'],
    prefixAttributes: [],
    operationalAttributes: ['converge_config', 'update_config', 'rollback_config'],
  },
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
  aws_alb_listener_certificate: 'certificates rotate in place',
  aws_lb_target_group: 'per-slot target groups live across generations so that staging never touches the listener',
  aws_alb_target_group: 'per-slot target groups live across generations so that staging never touches the listener',
  aws_lb_trust_store: 'mutual TLS settings of the shared load balancer',
  aws_lb_trust_store_revocation: 'mutual TLS settings of the shared load balancer',
  aws_lb_cookie_stickiness_policy: 'routing settings of a classic load balancer',
  aws_lb_ssl_negotiation_policy: 'TLS settings of a classic load balancer',
  aws_lb_target_group_attachment: 'registers a target with a routing target group',
  aws_alb_target_group_attachment: 'registers a target with a routing target group',
  aws_autoscaling_attachment: 'attaches a group to a routing target group',
  aws_autoscaling_traffic_source_attachment: 'attaches a group to a routing traffic source',
  aws_autoscaling_policy: 'scaling policies are operational settings of a generation',
  aws_autoscaling_schedule: 'scheduled capacity is an operational setting',
  aws_autoscaling_lifecycle_hook: 'lifecycle hooks pause launches and terminations; they do not change what runs',
  aws_autoscaling_notification: 'notifications are operational settings',
  aws_ssm_parameter: 'parameters publish outputs (AMI ids) and are overwritten on each build',
  aws_security_group: 'security groups are shared by generations; rules change in place',
  aws_security_group_rule: 'security group rules change in place',
  aws_vpc_security_group_ingress_rule: 'security group rules change in place',
  aws_vpc_security_group_egress_rule: 'security group rules change in place',
  aws_iam_role: 'the instance role is shared by generations',
  aws_iam_role_policy: 'permissions are shared by generations',
  aws_iam_role_policy_attachment: 'permissions are shared by generations',
  aws_iam_policy: 'permissions are shared by generations',
  aws_iam_role_policies_exclusive: 'permissions are shared by generations',
  aws_iam_role_policy_attachments_exclusive: 'permissions are shared by generations',
  aws_iam_instance_profile: 'the instance profile is shared by generations',
  aws_imagebuilder_image_pipeline: 'the pipeline is repointed to each new recipe version',
  aws_imagebuilder_infrastructure_configuration: 'build infrastructure settings are updated in place',
  aws_imagebuilder_distribution_configuration:
    'distribution settings are updated in place (but see launch_template_configuration)',
  aws_imagebuilder_lifecycle_policy: 'retention settings are updated in place',
  aws_ecr_repository: 'the repository is shared by every image tag',
  aws_ecr_lifecycle_policy: 'retention settings are updated in place',
  aws_cloudwatch_log_group: 'log retention is an operational setting',
  aws_cloudwatch_metric_alarm: 'alarms are operational settings',
  docker_network: 'a network is shared by container generations',
  docker_volume: 'a volume holds data that outlives container generations',
};

/**
 * Attributes of mutable-by-design types that change what runs on servers. Setting one
 * is a violation for `guard` and `preview`: the type is updated in place by design, but
 * this attribute rewrites server definitions behind the library's back.
 * Paths are dotted, without list indexes.
 */
const FORBIDDEN_ATTRIBUTES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  aws_imagebuilder_distribution_configuration: {
    'distribution.launch_template_configuration':
      'rewrites the launch templates it names with every new image, a new version in place under the same name; ' +
      'feed the image to the fleet through ImageSource.fromPipeline(...) or the release file instead',
  },
};

/**
 * Attributes of immutable types that are not operational but that teams reach for with an
 * override, each with the supported way to get the same result. `guard` and `preview`
 * add it to the violation of an in-place update of that attribute. Top-level attributes.
 */
const SUPPORTED_ROUTES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  aws_autoscaling_group: {
    mixed_instances_policy:
      "for Spot and several instance types set the fleet's spot ({ onDemandBase, spotPercentage, " +
      'allocationStrategy, maxPrice, capacityRebalance }, per slot too) and server.instanceType: ' +
      'InstanceType.oneOf(...) or InstanceType.fromRequirements(...) instead of an override: they are part of ' +
      "the generation, so a change replaces the staged slot's group and reaches the serving slot through a " +
      'release (docs/fleets.md, "Spot, several instance types and group settings")',
  },
};

/**
 * Types of the compute, container, image and configuration-management families that
 * are neither immutable nor mutable by design, each with the reason (rule 3 above).
 */
const REVIEWED_OTHER: Readonly<Record<string, string>> = {
  aws_ami_launch_permission: 'shares an AMI with accounts; does not change the AMI',
  aws_autoscaling_group_tag: 'a tag of a group, metadata only',
  aws_autoscalingplans_scaling_plan: 'capacity management, operational',
  aws_ec2_instance_state: 'starts or stops an instance; does not change what it runs',
  aws_ec2_instance_metadata_defaults: 'account-wide defaults; the library sets IMDS options on each launch template',
  aws_ec2_instance_connect_endpoint: 'network access to instances, not what they run',
  aws_key_pair: 'every argument forces a new key pair; referenced by name from launch templates',
  aws_placement_group: 'every argument forces a new placement group; placement, not what runs',
  aws_volume_attachment: 'every argument forces a new attachment; storage wiring',
  aws_network_interface_attachment: 'every argument forces a new attachment; network wiring',
  aws_eip_association: 'network wiring of an address',
  aws_spot_datafeed_subscription: 'billing data export',
  aws_ecs_service:
    'ECS rolls out a new task definition with its own deployment (circuit breaker, rollback); the task definition ' +
    'is immutable',
  aws_ecs_task_set: 'part of an ECS-owned deployment',
  aws_ecs_express_gateway_service: 'ECS-managed service; ECS rolls out changes',
  aws_ecs_cluster: 'a cluster is a namespace',
  aws_ecs_cluster_capacity_providers: 'capacity settings, operational',
  aws_ecs_capacity_provider: 'capacity settings, operational',
  aws_ecs_account_setting_default: 'account settings',
  aws_ecs_tag: 'metadata only',
  aws_eks_cluster: 'the control plane is managed by EKS',
  aws_eks_addon: 'cluster add-ons are managed by EKS',
  aws_eks_capability: 'cluster capabilities are managed by EKS',
  aws_eks_fargate_profile: 'every argument forces a new profile; pods are scheduled by Kubernetes',
  aws_eks_access_entry: 'access control',
  aws_eks_access_policy_association: 'access control',
  aws_eks_identity_provider_config: 'access control',
  aws_eks_pod_identity_association: 'access control',
  aws_ecr_account_setting: 'registry settings',
  aws_ecr_pull_through_cache_rule: 'registry settings',
  aws_ecr_registry_policy: 'registry access control',
  aws_ecr_registry_scanning_configuration: 'registry settings',
  aws_ecr_replication_configuration: 'registry settings',
  aws_ecr_repository_creation_template: 'registry settings',
  aws_ecr_repository_policy: 'registry access control',
  aws_ecrpublic_repository: 'a public repository, shared by every tag',
  aws_ecrpublic_repository_policy: 'registry access control',
  aws_ssm_activation: 'registers hybrid machines',
  aws_ssm_default_patch_baseline:
    'selects a baseline; patches reach servers only through an association or a maintenance window task, which are ' +
    'immutable',
  aws_ssm_patch_baseline:
    'patches reach servers only through an association or a maintenance window task, which are immutable',
  aws_ssm_patch_group:
    'patches reach servers only through an association or a maintenance window task, which are immutable',
  aws_ssm_maintenance_window: 'a schedule; the commands are its tasks, which are immutable',
  aws_ssm_maintenance_window_target: 'selects targets for window tasks, which are immutable',
  aws_ssm_resource_data_sync: 'inventory export',
  aws_ssm_service_setting: 'account settings',
  docker_config: 'every argument forces a new config; a service that reads it is immutable',
  docker_secret: 'every argument forces a new secret; a service that reads it is immutable',
  docker_plugin: 'a daemon plugin, host infrastructure',
  docker_buildx_builder: 'build infrastructure, not what runs',
};

/**
 * The attributes whose change makes Terraform replace the resource (`ForceNew` in the
 * provider schema, `RequiresReplace` for plugin-framework resources, and the
 * per-resource `region` of every regional type in AWS provider 6), read from the sources
 * of hashicorp/aws 6.x (internal/service/<service>/<resource>.go) and kreuzwerker/docker
 * v3.6.2 (internal/provider/resource_docker_*.go). Paths are dotted, without list
 * indexes; a block path covers everything inside it. `*` stands for every argument but
 * tags, tags_all, timeouts and the type's operational attributes (types without update).
 *
 * Every type the library, stacks/ and examples/ create has a row (a test keeps it so),
 * as has every immutable type. Conditional replacements are noted:
 * - aws_lb: for Network Load Balancers, also adding or removing all security groups,
 *   removing subnets, and changing subnet_mapping.
 * - aws_vpc: instance_tenancy, except from dedicated to default.
 */
const FORCE_NEW_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  // Created by the library, stacks/ or examples/.
  aws_autoscaling_group: ['name', 'name_prefix', 'initial_lifecycle_hook', 'region'],
  aws_autoscaling_policy: ['name', 'autoscaling_group_name', 'region'],
  aws_autoscaling_schedule: ['scheduled_action_name', 'autoscaling_group_name', 'region'],
  aws_cloudwatch_event_rule: ['name', 'name_prefix', 'event_bus_name', 'region'],
  aws_cloudwatch_event_target: ['rule', 'target_id', 'event_bus_name', 'region'],
  aws_cloudwatch_log_group: ['name', 'name_prefix', 'log_group_class', 'region'],
  aws_cloudwatch_metric_alarm: ['alarm_name', 'region'],
  aws_default_security_group: ['vpc_id', 'region'],
  aws_ec2_tag: ['resource_id', 'key', 'region'],
  aws_eip: ['address', 'domain', 'ipam_pool_id', 'network_border_group', 'public_ipv4_pool', 'region'],
  aws_flow_log: [
    'deliver_cross_account_role',
    'destination_options',
    'eni_id',
    'iam_role_arn',
    'log_destination',
    'log_destination_type',
    'log_format',
    'max_aggregation_interval',
    'regional_nat_gateway_id',
    'subnet_id',
    'traffic_type',
    'transit_gateway_attachment_id',
    'transit_gateway_id',
    'vpc_id',
    'region',
  ],
  aws_iam_instance_profile: ['name', 'name_prefix', 'path'],
  aws_iam_role: ['name', 'name_prefix', 'path'],
  aws_iam_role_policy: ['name', 'name_prefix', 'role'],
  aws_iam_role_policy_attachment: ['policy_arn', 'role'],
  aws_imagebuilder_component: [
    'name',
    'version',
    'change_description',
    'data',
    'description',
    'kms_key_id',
    'platform',
    'supported_os_versions',
    'uri',
    'region',
  ],
  aws_imagebuilder_distribution_configuration: ['name', 'region'],
  aws_imagebuilder_image: [
    'container_recipe_arn',
    'distribution_configuration_arn',
    'enhanced_image_metadata_enabled',
    'execution_role',
    'image_recipe_arn',
    'image_tests_configuration',
    'infrastructure_configuration_arn',
    'workflow',
    'region',
  ],
  aws_imagebuilder_image_pipeline: ['name', 'region'],
  aws_imagebuilder_image_recipe: [
    'name',
    'version',
    'ami_tags',
    'block_device_mapping',
    'component',
    'description',
    'parent_image',
    'systems_manager_agent',
    'user_data_base64',
    'working_directory',
    'region',
  ],
  aws_imagebuilder_infrastructure_configuration: ['name', 'region'],
  aws_imagebuilder_lifecycle_policy: ['name', 'region'],
  aws_internet_gateway: ['region'],
  aws_lambda_function: ['function_name', 'package_type', 'region'],
  aws_lambda_function_event_invoke_config: ['function_name', 'qualifier', 'region'],
  aws_lambda_permission: [
    'action',
    'event_source_token',
    'function_name',
    'function_url_auth_type',
    'principal',
    'principal_org_id',
    'qualifier',
    'source_account',
    'source_arn',
    'statement_id',
    'statement_id_prefix',
    'region',
  ],
  aws_launch_template: ['name', 'name_prefix', 'region'],
  aws_lb: ['name', 'name_prefix', 'internal', 'load_balancer_type', 'customer_owned_ipv4_pool', 'region'],
  aws_lb_listener: ['load_balancer_arn', 'region'],
  aws_lb_listener_certificate: ['listener_arn', 'certificate_arn', 'region'],
  aws_lb_listener_rule: ['listener_arn', 'region'],
  aws_lb_target_group: [
    'name',
    'name_prefix',
    'port',
    'protocol',
    'protocol_version',
    'target_type',
    'target_control_port',
    'ip_address_type',
    'vpc_id',
    'region',
  ],
  aws_nat_gateway: [
    'allocation_id',
    'availability_mode',
    'connectivity_type',
    'private_ip',
    'subnet_id',
    'vpc_id',
    'region',
  ],
  aws_route: [
    'route_table_id',
    'destination_cidr_block',
    'destination_ipv6_cidr_block',
    'destination_prefix_list_id',
    'region',
  ],
  aws_route_table: ['vpc_id', 'region'],
  aws_route_table_association: ['subnet_id', 'gateway_id', 'region'],
  aws_security_group: ['name', 'name_prefix', 'description', 'vpc_id', 'region'],
  aws_sqs_queue: ['name', 'name_prefix', 'fifo_queue', 'region'],
  aws_security_group_rule: [
    'type',
    'security_group_id',
    'protocol',
    'from_port',
    'to_port',
    'cidr_blocks',
    'ipv6_cidr_blocks',
    'prefix_list_ids',
    'self',
    'source_security_group_id',
    'region',
  ],
  aws_ssm_parameter: ['name', 'data_type', 'region'],
  aws_subnet: [
    'vpc_id',
    'cidr_block',
    'availability_zone',
    'availability_zone_id',
    'ipv6_native',
    'outpost_arn',
    'region',
  ],
  aws_vpc: ['cidr_block', 'ipv4_ipam_pool_id', 'ipv4_netmask_length', 'instance_tenancy', 'region'],
  aws_wafv2_web_acl: ['name', 'name_prefix', 'scope', 'region'],
  aws_wafv2_web_acl_association: ['resource_arn', 'web_acl_arn', 'region'],
  aws_wafv2_web_acl_logging_configuration: ['resource_arn', 'log_destination_configs', 'region'],
  // Terraform's built-in provider: a blue/green slot's release marker (its input changes in place).
  terraform_data: ['triggers_replace'],
  docker_image: [
    'name',
    'platform',
    'pull_triggers',
    'triggers',
    'build.context',
    'build.dockerfile',
    'build.build_args',
    'build.build_id',
    'build.build_log_file',
    'build.builder',
    'build.cache_from',
    'build.cgroup_parent',
    'build.cpu_period',
    'build.cpu_quota',
    'build.cpu_set_cpus',
    'build.cpu_set_mems',
    'build.cpu_shares',
    'build.extra_hosts',
    'build.force_remove',
    'build.isolation',
    'build.labels',
    'build.memory',
    'build.memory_swap',
    'build.network_mode',
    'build.no_cache',
    'build.platform',
    'build.pull_parent',
    'build.remote_context',
    'build.secrets',
    'build.security_opt',
    'build.session_id',
    'build.shm_size',
    'build.squash',
    'build.suppress_output',
    'build.target',
    'build.ulimit',
    'build.version',
  ],
  docker_registry_image: ['name', 'triggers'],
  // The other immutable types.
  aws_launch_configuration: [
    'name',
    'name_prefix',
    'image_id',
    'instance_type',
    'iam_instance_profile',
    'key_name',
    'security_groups',
    'associate_public_ip_address',
    'user_data',
    'user_data_base64',
    'ebs_optimized',
    'enable_monitoring',
    'placement_tenancy',
    'spot_price',
    'metadata_options',
    'root_block_device',
    'ebs_block_device',
    'ephemeral_block_device',
    'region',
  ],
  aws_instance: [
    'ami',
    'associate_public_ip_address',
    'availability_zone',
    'cpu_options.amd_sev_snp',
    'ebs_block_device',
    'ebs_optimized',
    'enclave_options.enabled',
    'ephemeral_block_device',
    'hibernation',
    'host_id',
    'instance_market_options',
    'key_name',
    'launch_template.id',
    'launch_template.name',
    'network_interface',
    'placement_group',
    'placement_group_id',
    'placement_partition_number',
    'primary_network_interface',
    'private_dns_name_options',
    'private_ip',
    'root_block_device.encrypted',
    'root_block_device.kms_key_id',
    'security_groups',
    'subnet_id',
    'tenancy',
    'region',
  ],
  aws_spot_instance_request: ['*'],
  aws_ec2_fleet: [
    'type',
    'on_demand_options',
    'spot_options',
    'replace_unhealthy_instances',
    'terminate_instances_with_expiration',
    'target_capacity_specification.default_target_capacity_type',
    'target_capacity_specification.on_demand_target_capacity',
    'target_capacity_specification.spot_target_capacity',
    'target_capacity_specification.target_capacity_unit_type',
    'valid_from',
    'valid_until',
    'region',
  ],
  aws_spot_fleet_request: [
    'allocation_strategy',
    'context',
    'fleet_type',
    'iam_fleet_role',
    'instance_interruption_behaviour',
    'instance_pools_to_use_count',
    'launch_specification',
    'launch_template_config',
    'load_balancers',
    'on_demand_allocation_strategy',
    'on_demand_max_total_price',
    'replace_unhealthy_instances',
    'spot_maintenance_strategies',
    'spot_price',
    'target_capacity_unit_type',
    'target_group_arns',
    'terminate_instances_with_expiration',
    'valid_from',
    'valid_until',
    'region',
  ],
  aws_ami: [
    'name',
    'architecture',
    'boot_mode',
    'ebs_block_device',
    'ena_support',
    'ephemeral_block_device',
    'image_location',
    'imds_support',
    'kernel_id',
    'ramdisk_id',
    'root_device_name',
    'sriov_net_support',
    'tpm_support',
    'uefi_data',
    'virtualization_type',
    'region',
  ],
  aws_ami_copy: [
    'name',
    'encrypted',
    'ephemeral_block_device',
    'kms_key_id',
    'source_ami_id',
    'source_ami_region',
    'region',
  ],
  aws_ami_from_instance: ['name', 'ephemeral_block_device', 'snapshot_without_reboot', 'source_instance_id', 'region'],
  aws_imagebuilder_container_recipe: [
    'name',
    'version',
    'component',
    'container_type',
    'description',
    'dockerfile_template_data',
    'dockerfile_template_uri',
    'instance_configuration',
    'kms_key_id',
    'parent_image',
    'platform_override',
    'target_repository',
    'working_directory',
    'region',
  ],
  aws_imagebuilder_workflow: [
    'name',
    'version',
    'change_description',
    'data',
    'description',
    'kms_key_id',
    'type',
    'uri',
    'region',
  ],
  aws_eks_node_group: [
    'node_group_name',
    'node_group_name_prefix',
    'cluster_name',
    'node_role_arn',
    'subnet_ids',
    'ami_type',
    'capacity_type',
    'disk_size',
    'instance_types',
    'launch_template.id',
    'launch_template.name',
    'remote_access',
    'region',
  ],
  aws_ssm_document: ['name', 'region'],
  aws_ssm_association: ['name', 'region'],
  aws_ssm_maintenance_window_task: ['window_id', 'task_type', 'region'],
  aws_ecs_task_definition: ['*'],
  docker_tag: ['*'],
  docker_container: [
    'name',
    'image',
    'capabilities',
    'cgroup_parent',
    'cgroupns_mode',
    'command',
    'cpus',
    'devices',
    'dns',
    'dns_opts',
    'dns_search',
    'domainname',
    'entrypoint',
    'env',
    'gpus',
    'group_add',
    'host',
    'hostname',
    'ipc_mode',
    'labels',
    'log_driver',
    'log_opts',
    'mounts',
    'network_mode',
    'networks_advanced',
    'pid_mode',
    'ports',
    'privileged',
    'publish_all_ports',
    'read_only',
    'runtime',
    'security_opts',
    'shm_size',
    'stdin_open',
    'stop_signal',
    'stop_timeout',
    'storage_opts',
    'sysctls',
    'tty',
    'ulimit',
    'upload',
    'user',
    'userns_mode',
    'volumes',
    'working_dir',
  ],
  docker_service: [
    'name',
    'auth',
    'mode',
    'task_spec.container_spec.hosts',
    'task_spec.container_spec.sysctl',
    'task_spec.networks_advanced.aliases',
    'task_spec.networks_advanced.driver_opts',
    'task_spec.networks_advanced.name',
  ],
};

const IMMUTABLE_BY_TYPE = new Map(IMMUTABLE_RULES.map((rule) => [rule.type, rule]));

/** A path without list indexes: `a[0].b["k"]` -> `a.b.k`. */
function plainPath(path: string): string {
  return path
    .replace(/\[(\d+|"[^"]*")\]/g, (_m, key: string) => (key.startsWith('"') ? `.${key.slice(1, -1)}` : ''))
    .replace(/^\./, '');
}

/** True when `path` lies inside `attribute` (or is one of its parents, a whole block). */
function covers(attribute: string, path: string): boolean {
  return path === attribute || path.startsWith(`${attribute}.`) || attribute.startsWith(`${path}.`);
}

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

  /**
   * The types of the compute, container, image and configuration-management families
   * that were reviewed and are deliberately `other`, and why.
   */
  public static reviewedOther(): Readonly<Record<string, string>> {
    return REVIEWED_OTHER;
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

  /**
   * The attributes of `type` whose change makes Terraform replace the resource (dotted
   * paths, no list indexes), or undefined for a type the table does not know.
   */
  public static forceNewAttributes(type: string): readonly string[] | undefined {
    return Object.prototype.hasOwnProperty.call(FORCE_NEW_ATTRIBUTES, type) ? FORCE_NEW_ATTRIBUTES[type] : undefined;
  }

  /**
   * True when a change at `path` (`name`, `block_device_mapping[0].ebs.volume_size`) of
   * `type` makes Terraform replace the resource. False for types the table does not know.
   */
  public static isForceNewAttribute(type: string, path: string): boolean {
    const plain = plainPath(path);
    const attributes = ResourcePolicy.forceNewAttributes(type) ?? [];
    if (attributes.includes('*')) {
      const top = plain.split('.')[0];
      return (
        !ALWAYS_OPERATIONAL_ATTRIBUTES.includes(top) &&
        !(IMMUTABLE_BY_TYPE.get(type)?.operationalAttributes ?? []).includes(top)
      );
    }
    return attributes.some((attribute) => covers(attribute, plain));
  }

  /**
   * Attributes of `type` that must not be set (they change what runs on servers behind
   * the library's back), each with the reason: dotted paths without list indexes.
   */
  public static forbiddenAttributes(type: string): Readonly<Record<string, string>> {
    return Object.prototype.hasOwnProperty.call(FORBIDDEN_ATTRIBUTES, type) ? FORBIDDEN_ATTRIBUTES[type] : {};
  }

  /**
   * The supported way to change `attribute` (a path; its top-level attribute counts) of an
   * immutable `type` instead of an override that updates it in place, or undefined.
   */
  public static supportedRoute(type: string, attribute: string): string | undefined {
    const routes = Object.prototype.hasOwnProperty.call(SUPPORTED_ROUTES, type) ? SUPPORTED_ROUTES[type] : {};
    const top = attribute.split(/[.[]/)[0];
    return Object.prototype.hasOwnProperty.call(routes, top) ? routes[top] : undefined;
  }

  private constructor() {}
}
