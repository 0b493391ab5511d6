import { TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { IInstanceProfile, InstanceProfile } from '../compute/instance-profile';
import { ServerSettings } from '../compute/server-settings';
import { FleetLoadBalancer } from '../deploy/fleet-load-balancer';
import { Capacity, FleetBaseProps } from '../deploy/fleet-options';
import { EffectiveHealthCheck, FleetFrontEnd } from './fleet-front-end';
import { isLiteral, resourceIdPattern, show, Validator } from './validate';
import { validateServerSettings } from './validate-server-settings';

/** What every fleet builds first: validated defaults, the front end and the instance profile. */
export interface FleetCommon {
  readonly base: string;
  readonly healthCheck: EffectiveHealthCheck;
  readonly capacity: Capacity;
  readonly frontEnd: FleetFrontEnd;
  readonly instanceProfile: IInstanceProfile;
  /** The fleet-level server settings with the fleet's instance security group in front. */
  readonly server: ServerSettings;
}

export const DEFAULT_CAPACITY: Capacity = { min: 2, max: 4 };

/** Validated defaults of the props shared by the fleets. */
export interface FleetDefaults {
  readonly healthCheck: EffectiveHealthCheck;
  readonly capacity: Capacity;
}

/** Validates the props shared by the fleets (before anything is built). */
export function validateFleetBase(check: Validator, props: FleetBaseProps): FleetDefaults {
  if (props.name !== undefined && Token.isUnresolved(props.name)) {
    check.fail(`name (${props.name}) is a token; pass a literal so that names can be checked against AWS limits at synth.`);
  }
  check.pattern('name', props.name, /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?$/, 'letters, digits and hyphens (at most 64), not starting or ending with a hyphen');
  if (props.name !== undefined && /^internal-/i.test(props.name)) {
    check.fail(`name ("${props.name}") must not start with "internal-", which AWS reserves for load balancer names.`);
  }
  check.pattern('vpcId', props.vpcId, resourceIdPattern('vpc'), 'a VPC id such as vpc-0123456789abcdef0');
  check.nonEmptyList('subnetIds', props.subnetIds, 'give the private subnets the instances run in');
  check.eachPattern('subnetIds', props.subnetIds, resourceIdPattern('subnet'), 'a subnet id such as subnet-0123456789abcdef0');
  check.integer('port', props.port, 1, 65535);
  check.integer('deregistrationDelaySeconds', props.deregistrationDelaySeconds, 0, 3600);
  const healthCheck = effectiveHealthCheck(check, props);
  const capacity = props.capacity ?? DEFAULT_CAPACITY;
  validateCapacity(check, 'capacity', capacity);
  validateServerSettings(check, props.server ?? {}, 'server.');
  const loadBalancer = props.loadBalancer ?? FleetLoadBalancer.create();
  if (loadBalancer._create && loadBalancer._create.subnetIds === undefined && !Token.isUnresolved(props.subnetIds) && props.subnetIds.length < 2) {
    check.fail(`subnetIds (${show(props.subnetIds)}) has one subnet, but the load balancer created in the same subnets needs two in different availability zones; add a subnet or pass FleetLoadBalancer.create({ subnetIds }).`);
  }
  return { healthCheck, capacity };
}

/** Builds the shared resources of a fleet whose props {@link validateFleetBase} accepted. */
export function buildFleetCommon(scope: Construct, props: FleetBaseProps, defaults: FleetDefaults): FleetCommon {
  const { healthCheck, capacity } = defaults;
  const loadBalancer = props.loadBalancer ?? FleetLoadBalancer.create();
  const base = (props.name ?? `${TerraformStack.of(scope).node.id}-${scope.node.id}`).toLowerCase();
  const frontEnd = new FleetFrontEnd(scope, {
    base,
    vpcId: props.vpcId,
    subnetIds: props.subnetIds,
    port: props.port ?? 80,
    loadBalancer,
    allowAllOutbound: props.allowAllOutbound ?? false,
    healthCheck,
    deregistrationDelaySeconds: props.deregistrationDelaySeconds ?? 30,
  });
  const instanceProfile = props.server?.instanceProfile ?? new InstanceProfile(scope, 'InstanceProfile', { namePrefix: profilePrefix(base) });
  const server: ServerSettings = {
    ...props.server,
    instanceProfile,
    securityGroupIds: [frontEnd.instanceSecurityGroupId, ...(props.server?.securityGroupIds ?? [])],
  };
  return { base, healthCheck, capacity, frontEnd, instanceProfile, server };
}

/**
 * Slot settings over fleet settings, field by field (a slot's `securityGroupIds` are
 * added to the fleet's, which always start with the fleet's instance security group).
 */
export function mergeServerSettings(fleet: ServerSettings, slot: ServerSettings): ServerSettings {
  const defined = Object.fromEntries(Object.entries(slot).filter(([, value]) => value !== undefined)) as ServerSettings;
  return {
    ...fleet,
    ...defined,
    securityGroupIds: [...(fleet.securityGroupIds ?? []), ...(slot.securityGroupIds ?? [])],
  };
}

export function validateCapacity(check: Validator, prop: string, capacity: Capacity): void {
  check.integer(`${prop}.min`, capacity.min, 0, 10000);
  check.integer(`${prop}.max`, capacity.max, 0, 10000);
  check.integer(`${prop}.desired`, capacity.desired, 0, 10000);
  const { min, max, desired } = capacity;
  if (isLiteral(min) && isLiteral(max) && min > max) {
    check.fail(`${prop}.min (${min}) must be <= ${prop}.max (${max}); lower min or raise max.`);
  }
  if (isLiteral(desired)) {
    if (isLiteral(min) && desired < min) {
      check.fail(`${prop}.desired (${desired}) must be >= ${prop}.min (${min}); raise desired or lower min.`);
    }
    if (isLiteral(max) && desired > max) {
      check.fail(`${prop}.desired (${desired}) must be <= ${prop}.max (${max}); lower desired or raise max.`);
    }
  }
}

function effectiveHealthCheck(check: Validator, props: FleetBaseProps): EffectiveHealthCheck {
  const h = props.healthCheck ?? {};
  const path = h.path ?? '/';
  if (isLiteral(path) && (!path.startsWith('/') || path.length > 1024)) {
    check.fail(`healthCheck.path (${show(path)}) must start with "/" and be at most 1024 characters, e.g. "/health".`);
  }
  const matcher = h.matcher ?? '200';
  if (isLiteral(matcher)) {
    const codes = /^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(matcher) ? matcher.split(/[,-]/).map(Number) : [];
    if (codes.length === 0 || codes.some((code) => code < 200 || code > 499)) {
      check.fail(`healthCheck.matcher (${show(matcher)}) must be HTTP codes from 200 to 499 such as "200", "200-299" or "200,204".`);
    }
  }
  check.integer('healthCheck.healthyThreshold', h.healthyThreshold, 2, 10);
  check.integer('healthCheck.unhealthyThreshold', h.unhealthyThreshold, 2, 10);
  check.integer('healthCheck.intervalSeconds', h.intervalSeconds, 5, 300);
  check.integer('healthCheck.timeoutSeconds', h.timeoutSeconds, 2, 120);
  check.integer('healthCheck.gracePeriodSeconds', h.gracePeriodSeconds, 0, 7200);
  const intervalSeconds = h.intervalSeconds ?? 15;
  const timeoutSeconds = h.timeoutSeconds ?? 5;
  if (isLiteral(intervalSeconds) && isLiteral(timeoutSeconds) && timeoutSeconds >= intervalSeconds) {
    check.fail(`healthCheck.timeoutSeconds (${timeoutSeconds}) must be less than healthCheck.intervalSeconds (${intervalSeconds}); lower the timeout or raise the interval.`);
  }
  const gateTimeout = h.gateTimeout ?? '10m';
  check.pattern('healthCheck.gateTimeout', gateTimeout, /^([1-9]\d*[hms])+$/, 'a positive duration such as "10m" or "90s"');
  return {
    path,
    matcher,
    healthyThreshold: h.healthyThreshold ?? 2,
    unhealthyThreshold: h.unhealthyThreshold ?? 3,
    intervalSeconds,
    timeoutSeconds,
    gracePeriodSeconds: h.gracePeriodSeconds ?? 120,
    gateTimeout,
  };
}

function profilePrefix(base: string): string {
  return base.replace(/[^A-Za-z0-9+=,.@_-]+/g, '-').slice(0, 32);
}
