// Fleets: the fleet base, the blue/green and replace fleets, and their load balancer
// front end and scaling.
export { FleetBase } from './fleet-base';
export type {
  Capacity,
  FleetBaseProps,
  HealthCheck,
  LifecycleHook,
  LifecycleHookResult,
  LifecycleTransition,
  WarmPool,
  WarmPoolState,
  WarmUpAndDraining,
} from './fleet-options';
export { BlueGreenFleet } from './blue-green-fleet';
export type { BlueGreenFleetProps, BlueGreenSlots, FleetSlot, FleetSlotProps } from './blue-green-fleet';
export { fromRelease } from './from-release';
export type { FromReleaseOptions, ReleaseFleetProps } from './from-release';
export { StateBackend } from './state-backend';
export type { S3StateBackendOptions } from './state-backend';
export { ReplaceFleet } from './replace-fleet';
export type { ReplaceFleetProps } from './replace-fleet';
export { FleetLoadBalancer } from './fleet-load-balancer';
export type {
  AccessLogs,
  ApplicationLoadBalancerOptions,
  ExistingListenerOptions,
  LoadBalancerScheme,
} from './fleet-load-balancer';
export { FleetScaling } from './fleet-scaling';
export type { ScalingMetric } from './fleet-scaling';
export type { FleetAlarms } from './fleet-alarms';
