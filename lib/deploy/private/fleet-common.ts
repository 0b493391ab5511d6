import { Token } from 'cdktf';
import { ServerSettings, validateServerSettings } from '../../compute/server-settings';
import { SUBNET_ID, VPC_ID } from '../../private/aws-ids';
import { isLiteral, show, Validator } from '../../private/validation';
import { FleetLoadBalancer } from '../fleet-load-balancer';
import { Capacity, FleetBaseProps } from '../fleet-options';
import { EffectiveHealthCheck } from './fleet-front-end';

/** Capacity of each group when the props give none. */
const DEFAULT_CAPACITY: Capacity = { min: 2, max: 4 };

/** The props shared by the fleets, checked, with their defaults applied. */
export interface CheckedFleetProps {
  readonly healthCheck: EffectiveHealthCheck;
  readonly capacity: Capacity;
  /** `props.loadBalancer`, or the default one (built here, once). */
  readonly loadBalancer: FleetLoadBalancer;
}

/**
 * Validates the props shared by the fleets where they enter (the fleet's
 * constructor), including the fleet-level server settings (prefix `server.`), and
 * applies their defaults. What it returns is checked: the builders do not check again.
 */
export function validateFleetProps(check: Validator, props: FleetBaseProps): CheckedFleetProps {
  if (props.name !== undefined && Token.isUnresolved(props.name)) {
    check.fail(`name (${props.name}) is a token; pass a literal so that names can be checked against AWS limits at synth.`);
  }
  check.pattern('name', props.name, /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?$/, 'letters, digits and hyphens (at most 64), not starting or ending with a hyphen');
  if (props.name !== undefined && /^internal-/i.test(props.name)) {
    check.fail(`name ("${props.name}") must not start with "internal-", which AWS reserves for load balancer names.`);
  }
  check.pattern('vpcId', props.vpcId, VPC_ID, 'a VPC id such as vpc-0123456789abcdef0');
  check.nonEmptyList('subnetIds', props.subnetIds, 'give the private subnets the instances run in');
  check.eachPattern('subnetIds', props.subnetIds, SUBNET_ID, 'a subnet id such as subnet-0123456789abcdef0');
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
  return { healthCheck, capacity, loadBalancer };
}

/** Validates a capacity where it enters (`capacity`, `slots.<slot>.capacity`). */
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

/**
 * Slot settings over fleet settings, field by field (a slot's `securityGroupIds` are
 * added to the fleet's, which always start with the fleet's instance security group).
 * Both are checked already; this only combines them.
 */
export function mergeServerSettings(fleet: ServerSettings, slot: ServerSettings): ServerSettings {
  const defined = Object.fromEntries(Object.entries(slot).filter(([, value]) => value !== undefined)) as ServerSettings;
  return {
    ...fleet,
    ...defined,
    securityGroupIds: [...(fleet.securityGroupIds ?? []), ...(slot.securityGroupIds ?? [])],
  };
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
