import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Construct } from 'constructs';
import { isLiteral, show, Validator } from '../private/validation';

/**
 * CloudWatch alarms a {@link BlueGreenFleet} creates for each slot, on the metrics the
 * load balancer publishes for the slot's target group. Their names are fixed and
 * derived from the fleet's name (`<name>-<slot>-5xx-rate`,
 * `<name>-<slot>-unhealthy-hosts`), so that a rollout can name them before the first
 * deploy: `release promote prod --steps 10,50,100 --alarm web-prod-green-5xx-rate`.
 * With no requests (an idle or empty slot) they stay OK.
 */
export interface FleetAlarms {
  /**
   * Alarm when more than this percentage (above 0, at most 100) of a slot's requests
   * get a 5xx answer from its targets: `HTTPCode_Target_5XX_Count` over `RequestCount`
   * (metric math), per period.
   * @default - no 5xx rate alarm
   */
  readonly targetErrorRatePercent?: number;
  /**
   * Alarm when at least this many targets (1 to 10000) of a slot are unhealthy
   * (`UnHealthyHostCount`, maximum per period).
   * @default - no unhealthy host alarm
   */
  readonly unhealthyHosts?: number;
  /**
   * Seconds per evaluation period: 10, 30, or a multiple of 60 up to 86400.
   * @default 60
   */
  readonly periodSeconds?: number;
  /**
   * Consecutive periods above the threshold before the alarm goes to ALARM (1 to 100).
   * @default 2
   */
  readonly evaluationPeriods?: number;
}

/** The end of each alarm's description. */
const ABORTS = '(cdktf-immutable; release advance aborts a rollout on it).';

/** The name of a slot's alarm: `<base>-<slot>-5xx-rate` or `<base>-<slot>-unhealthy-hosts`. */
function alarmName(base: string, slot: string, kind: '5xx-rate' | 'unhealthy-hosts'): string {
  return `${base}-${slot}-${kind}`;
}

/**
 * The names of a slot's alarms, literals (known before the first deploy).
 * @internal
 */
export function slotAlarmNames(base: string, slot: string, alarms: FleetAlarms): string[] {
  return [
    ...(alarms.targetErrorRatePercent !== undefined ? [alarmName(base, slot, '5xx-rate')] : []),
    ...(alarms.unhealthyHosts !== undefined ? [alarmName(base, slot, 'unhealthy-hosts')] : []),
  ];
}

/**
 * Validates `alarms` where it enters the fleet.
 * @internal
 */
export function validateFleetAlarms(check: Validator, alarms: FleetAlarms | undefined): void {
  if (alarms === undefined) {
    return;
  }
  const rate = alarms.targetErrorRatePercent;
  if (rate === undefined && alarms.unhealthyHosts === undefined) {
    check.fail(
      'alarms is set but names no alarm; set alarms.targetErrorRatePercent (e.g. 5) and/or ' +
        'alarms.unhealthyHosts (e.g. 1), or remove alarms.',
    );
  }
  if (isLiteral(rate) && !(typeof rate === 'number' && rate > 0 && rate <= 100)) {
    check.fail(`alarms.targetErrorRatePercent (${show(rate)}) must be a percentage above 0 and at most 100, e.g. 5.`);
  }
  check.integer('alarms.unhealthyHosts', alarms.unhealthyHosts, 1, 10000);
  const period = alarms.periodSeconds;
  if (
    isLiteral(period) &&
    !(
      Number.isInteger(period) &&
      (period === 10 || period === 30 || (period >= 60 && period <= 86400 && period % 60 === 0))
    )
  ) {
    check.fail(`alarms.periodSeconds (${show(period)}) must be 10, 30, or a multiple of 60 up to 86400, e.g. 60.`);
  }
  check.integer('alarms.evaluationPeriods', alarms.evaluationPeriods, 1, 100);
}

/**
 * The alarms of one slot in `scope` (checked props): ids `TargetErrorRateAlarm` and
 * `UnhealthyHostsAlarm`, dimensions the slot's target group and the load balancer.
 * @internal
 */
export function buildSlotAlarms(scope: Construct, props: SlotAlarmsInput): CloudwatchMetricAlarm[] {
  const { alarms } = props;
  return [
    ...(alarms.targetErrorRatePercent !== undefined
      ? [errorRateAlarm(scope, props, alarms.targetErrorRatePercent)]
      : []),
    ...(alarms.unhealthyHosts !== undefined ? [unhealthyHostsAlarm(scope, props, alarms.unhealthyHosts)] : []),
  ];
}

/**
 * What a slot's alarms are built from (checked).
 * @internal
 */
export interface SlotAlarmsInput {
  readonly base: string;
  readonly slot: string;
  readonly alarms: FleetAlarms;
  readonly targetGroupArnSuffix: string;
  readonly loadBalancerArnSuffix: string;
}

/** The metrics' dimensions: the slot's target group and the load balancer. */
function dimensionsOf(props: SlotAlarmsInput): Record<string, string> {
  return { TargetGroup: props.targetGroupArnSuffix, LoadBalancer: props.loadBalancerArnSuffix };
}

/** `TargetErrorRateAlarm`: the targets' 5xx answers over the requests (metric math), per period. */
function errorRateAlarm(scope: Construct, props: SlotAlarmsInput, percent: number): CloudwatchMetricAlarm {
  const { alarms, slot } = props;
  const metric = (metricName: string) => ({
    namespace: 'AWS/ApplicationELB',
    metricName,
    dimensions: dimensionsOf(props),
    period: alarms.periodSeconds ?? 60,
    stat: 'Sum',
  });
  return new CloudwatchMetricAlarm(scope, 'TargetErrorRateAlarm', {
    alarmName: alarmName(props.base, slot, '5xx-rate'),
    alarmDescription: `More than ${percent}% of the ${slot} slot's requests got a 5xx from its targets ${ABORTS}`,
    comparisonOperator: 'GreaterThanThreshold',
    threshold: percent,
    evaluationPeriods: alarms.evaluationPeriods ?? 2,
    treatMissingData: 'notBreaching',
    metricQuery: [
      { id: 'errors', metric: metric('HTTPCode_Target_5XX_Count'), returnData: false },
      { id: 'requests', metric: metric('RequestCount'), returnData: false },
      {
        id: 'rate',
        expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)',
        label: `Target 5xx rate of the ${slot} slot (%)`,
        returnData: true,
      },
    ],
  });
}

/** `UnhealthyHostsAlarm`: the most unhealthy targets of the slot in a period. */
function unhealthyHostsAlarm(scope: Construct, props: SlotAlarmsInput, hosts: number): CloudwatchMetricAlarm {
  const { alarms, slot } = props;
  return new CloudwatchMetricAlarm(scope, 'UnhealthyHostsAlarm', {
    alarmName: alarmName(props.base, slot, 'unhealthy-hosts'),
    alarmDescription: `At least ${hosts} target(s) of the ${slot} slot are unhealthy ${ABORTS}`,
    namespace: 'AWS/ApplicationELB',
    metricName: 'UnHealthyHostCount',
    dimensions: dimensionsOf(props),
    statistic: 'Maximum',
    period: alarms.periodSeconds ?? 60,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    threshold: hosts,
    evaluationPeriods: alarms.evaluationPeriods ?? 2,
    treatMissingData: 'notBreaching',
  });
}
