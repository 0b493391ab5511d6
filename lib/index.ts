// The whole public API of cdktf-immutable, named export by named export and grouped by
// room; README.md's "API" section lists the same names (a test keeps them equal).
// Provider resources are imported by deep path everywhere in the library (never the
// @cdktf/provider-aws root), so importing this module stays cheap.

// Generation identity: canonical hashing, names within AWS limits, bare references, the resource
// policy list and the immutability aspect.
export {
  bareReference,
  contentHash,
  Generation,
  generationName,
  ImmutabilityAspect,
  NameRule,
  ResourcePolicy,
} from './immutability';
export type {
  ContentHash,
  ContentHashOptions,
  GenerationNameProps,
  ImmutableTypeRule,
  LifecycleAcknowledgement,
  LifecycleAcknowledgementId,
  ResourceClass,
} from './immutability';

// Images: the AMI pipeline and the Image Builder constructs it composes, image sources.
// The Docker image pipeline and Docker image sources are `cdktf-immutable/docker`
// (lib/docker), so that this module never loads @cdktf/provider-docker.
export {
  AmiPipeline,
  DistributionConfiguration,
  Image,
  IMAGE_TAG_KEYS,
  ImageComponent,
  ImagePipeline,
  ImageRecipe,
  ImageRetention,
  ImageSchedule,
  ImageSource,
  InfrastructureConfiguration,
  LifecyclePolicy,
  ParentImage,
} from './image';
export type {
  AmiBuildInfrastructureProps,
  AmiBuildLogging,
  AmiDistributionProps,
  AmiPipelineAttributes,
  AmiPipelineProps,
  AmiPlatform,
  BlockDevice,
  DistributionConfigurationProps,
  EbsVolumeType,
  IAmiPipeline,
  IImageSource,
  ImageComponentBindOptions,
  ImageComponentConfig,
  ImageComponentFileOptions,
  ImageComponentOptions,
  ImageComponentParameter,
  ImagePipelineProps,
  ImageProps,
  ImageRecipeProps,
  ImageRetentionOptions,
  ImageScheduleOptions,
  ImageSourceConfig,
  ImageTag,
  InfrastructureConfigurationProps,
  LifecyclePolicyProps,
  ManagedParentImageOptions,
  OwnedImageComponentOptions,
  ParentImageConfig,
} from './image';

// Servers: the generation-named launch template, instance profile, instance types, user data.
export { ImmutableLaunchTemplate, InstanceProfile, InstanceType, SSM_MANAGED_INSTANCE_CORE, UserData } from './compute';
export type {
  ContainerUserDataOptions,
  CpuManufacturer,
  IInstanceProfile,
  ImmutableLaunchTemplateProps,
  InstanceProfileProps,
  InstanceRequirements,
  MetadataOptions,
  Range,
  ServerSettings,
} from './compute';

// Fleets: the fleet interface and base, the blue/green and replace fleets, their load
// balancer, scaling, network and connections.
export {
  BlueGreenFleet,
  FleetBase,
  FleetConnections,
  FleetLoadBalancer,
  FleetScaling,
  FleetWatchdog,
  fromRelease,
  Peer,
  Port,
  ReplaceFleet,
  StateBackend,
  TEST_ROUTE_HEADER,
  TEST_ROUTE_HEADER_VALUE,
} from './deploy';
export type {
  AccessLogs,
  ApplicationLoadBalancerOptions,
  BlueGreenFleetProps,
  BlueGreenSlots,
  Capacity,
  ExistingListenerOptions,
  FleetAlarms,
  FleetBaseProps,
  FleetSlot,
  FleetSlotProps,
  FleetTestRoute,
  FleetWatchdogOptions,
  FleetWatchdogProps,
  FromReleaseOptions,
  HealthCheck,
  IFleet,
  ISecurityGroup,
  ISubnet,
  IVpc,
  LifecycleHook,
  LifecycleHookResult,
  LifecycleTransition,
  LoadBalancerScheme,
  ReleaseFleetProps,
  ReplaceFleetProps,
  S3StateBackendOptions,
  ScalingMetric,
  WarmPool,
  WarmPoolState,
  WarmUpAndDraining,
} from './deploy';

// Release files and their transitions (also `cdktf-immutable/release`).
export {
  emptyRelease,
  formatReleaseFile,
  loadReleaseFile,
  otherSlot,
  parseReleaseFile,
  promoteRelease,
  recordServed,
  ReleaseFileError,
  ReleaseInputError,
  ReleaseLockedError,
  ReleaseRefusedError,
  ReleaseStore,
  releaseWeights,
  rollbackRelease,
  SLOT_NAMES,
  stagedSlotOf,
  stageRelease,
  stageSameImage,
} from './release';
export type {
  PromoteOptions,
  ReleaseFile,
  ReleaseSlot,
  ReleaseStoreOptions,
  RollbackOptions,
  SlotName,
  StageOptions,
  StageSameImageOptions,
} from './release';
// Rollouts: stepped canaries recorded in the release file, gated by CloudWatch alarms.
export {
  advanceRollout,
  decideAdvance,
  formatDuration,
  parseDuration,
  parseSteps,
  RolloutInputError,
  startRollout,
} from './release';
export type {
  AdvanceOutcome,
  AlarmReading,
  Rollout,
  RolloutAbort,
  RolloutPolicy,
  RolloutReader,
  RolloutStatus,
  StartRolloutOptions,
  TargetHealthReading,
  TrafficReading,
} from './release';

// Review: offline preview and plan guard (also `cdktf-immutable/review`).
export {
  guardPlan,
  hasViolations,
  pinnedSlots,
  PlanFileError,
  PREVIEW_LABELS,
  previewChanges,
  readPlanFile,
  readSynthOutput,
  SynthOutputError,
} from './review';
export type {
  GuardOptions,
  GuardReport,
  GuardViolation,
  GuardViolationKind,
  PinnedSlot,
  PreviewAction,
  PreviewOptions,
  PreviewOutput,
  PreviewResource,
  StackPreview,
} from './review';

// Errors and scan annotations shared by every room.
export { ValidationError } from './private/validation';
// Lets code next to a resource record why a checkov check does not apply (npm run scan).
export { suppressCheckov } from './private/checkov';
