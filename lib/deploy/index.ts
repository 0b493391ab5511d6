// Fleets: the fleet interface and base, the blue/green and replace fleets, their load
// balancer front end, scaling, network and connections.
export { FleetBase } from './fleet-base';
export type { IFleet } from './fleet-base';
export { FleetConnections, Peer, Port } from './fleet-connections';
export type { ISecurityGroup, ISubnet, IVpc } from './network';
export type {
  Capacity,
  FleetBaseProps,
  GroupMetric,
  GroupSettings,
  HealthCheck,
  LifecycleHook,
  LifecycleHookResult,
  LifecycleTransition,
  SpotAllocationStrategy,
  SpotOptions,
  TerminationPolicy,
  WarmPool,
  WarmPoolState,
  WarmUpAndDraining,
} from './fleet-options';
export { BlueGreenFleet } from './blue-green-fleet';
export type { BlueGreenFleetProps, BlueGreenSlots, FleetSlot, FleetSlotProps, IdleCapacity } from './blue-green-fleet';
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
  ISharedLoadBalancer,
  LoadBalancerScheme,
  SharedListenerOptions,
} from './fleet-load-balancer';
export { SharedLoadBalancer } from './shared-load-balancer';
export type { FixedResponse, SharedLoadBalancerProps } from './shared-load-balancer';
export { FleetScaling } from './fleet-scaling';
export type { ScalingMetric } from './fleet-scaling';
export type { FleetAlarms } from './fleet-alarms';
export { FleetWatchdog } from './fleet-watchdog';
export type { FleetWatchdogOptions, FleetWatchdogProps } from './fleet-watchdog';
export { TEST_ROUTE_HEADER, TEST_ROUTE_HEADER_VALUE } from './fleet-test-route';
export type { FleetTestRoute } from './fleet-test-route';
