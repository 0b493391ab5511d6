import { Token } from 'cdktf';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { BlueGreenFleet, BlueGreenFleetProps, FleetLoadBalancer } from '../../lib';
import { compare, fromRelease, synthBlueGreen } from './fleet-helpers';
import { AMI_1, AMI_2, Json, newStack, synthJson } from '../support/synth';

const release = { blue: AMI_1, green: AMI_2, active: 'blue' as const, canary: 10 };

describe('BlueGreenFleet alarms', () => {
  let all: { json: Json; text: string; fleet: BlueGreenFleet };
  let plain: { json: Json; text: string; fleet: BlueGreenFleet };
  beforeAll(() => {
    all = synthBlueGreen(
      fromRelease(release, {
        alarms: { targetErrorRatePercent: 5, unhealthyHosts: 1, periodSeconds: 120, evaluationPeriods: 3 },
      }),
    );
    plain = synthBlueGreen(fromRelease(release));
  });

  test('all properties: two alarms per slot, named after the fleet, on the slot target group and the load balancer', () => {
    const alarms = Object.entries(all.json.resource.aws_cloudwatch_metric_alarm as Json);
    expect(alarms.map(([, a]) => a.alarm_name).sort()).toEqual([
      'web-blue-5xx-rate',
      'web-blue-unhealthy-hosts',
      'web-green-5xx-rate',
      'web-green-unhealthy-hosts',
    ]);
    // ids under the slot scopes, next to the slot's target group
    expect(alarms.map(([id]) => id).sort()).toEqual([
      expect.stringMatching(/^Web_Blue_TargetErrorRateAlarm_[0-9A-F]{8}$/),
      expect.stringMatching(/^Web_Blue_UnhealthyHostsAlarm_[0-9A-F]{8}$/),
      expect.stringMatching(/^Web_Green_TargetErrorRateAlarm_[0-9A-F]{8}$/),
      expect.stringMatching(/^Web_Green_UnhealthyHostsAlarm_[0-9A-F]{8}$/),
    ]);
    const rate = alarms.find(([, a]) => a.alarm_name === 'web-green-5xx-rate')![1];
    const dimensions = {
      TargetGroup: expect.stringMatching(/^\$\{aws_lb_target_group\.Web_Green_TargetGroup_[0-9A-F]+\.arn_suffix\}$/),
      LoadBalancer: expect.stringMatching(/^\$\{aws_lb\.Web_LoadBalancer_[0-9A-F]+\.arn_suffix\}$/),
    };
    expect(rate).toMatchObject({
      comparison_operator: 'GreaterThanThreshold',
      threshold: 5,
      evaluation_periods: 3,
      treat_missing_data: 'notBreaching',
    });
    expect(rate.metric_query).toEqual([
      {
        id: 'errors',
        metric: {
          namespace: 'AWS/ApplicationELB',
          metric_name: 'HTTPCode_Target_5XX_Count',
          dimensions,
          period: 120,
          stat: 'Sum',
        },
        return_data: false,
      },
      {
        id: 'requests',
        metric: { namespace: 'AWS/ApplicationELB', metric_name: 'RequestCount', dimensions, period: 120, stat: 'Sum' },
        return_data: false,
      },
      {
        id: 'rate',
        expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)',
        label: expect.stringContaining('green'),
        return_data: true,
      },
    ]);
    const hosts = alarms.find(([, a]) => a.alarm_name === 'web-blue-unhealthy-hosts')![1];
    expect(hosts).toMatchObject({
      namespace: 'AWS/ApplicationELB',
      metric_name: 'UnHealthyHostCount',
      statistic: 'Maximum',
      period: 120,
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
      evaluation_periods: 3,
      treat_missing_data: 'notBreaching',
    });
    expect(hosts.dimensions.TargetGroup).toMatch(/Web_Blue_TargetGroup/);
    expect(all.fleet.slots.green.alarms).toHaveLength(2);
    expect(all.fleet.slots.green.alarms.every((alarm) => alarm instanceof CloudwatchMetricAlarm)).toBe(true);
    expect(plain.fleet.slots.green.alarms).toEqual([]);
  });

  test('the alarm names are outputs, per slot, as literals (known before the first deploy)', () => {
    expect(all.json.output.web_blue_alarm_names.value).toEqual(['web-blue-5xx-rate', 'web-blue-unhealthy-hosts']);
    expect(all.json.output.web_green_alarm_names.value).toEqual(['web-green-5xx-rate', 'web-green-unhealthy-hosts']);
    expect(plain.json.output.web_blue_alarm_names).toBeUndefined();
  });

  test('defaults: one alarm kind alone, period 60, 2 evaluation periods', () => {
    const { json } = synthBlueGreen(fromRelease(release, { alarms: { targetErrorRatePercent: 2.5 } }));
    const alarms = Object.values(json.resource.aws_cloudwatch_metric_alarm as Json);
    expect(alarms.map((a) => a.alarm_name).sort()).toEqual(['web-blue-5xx-rate', 'web-green-5xx-rate']);
    expect(alarms[0]).toMatchObject({ threshold: 2.5, evaluation_periods: 2 });
    expect(alarms[0].metric_query[0].metric.period).toBe(60);
  });

  test('adding alarms creates the alarms and changes nothing else', () => {
    const change = compare(plain.json, all.json);
    expect(change.destroyed).toEqual([]);
    expect(change.changed).toEqual([]);
    expect(change.created.sort()).toEqual(
      Object.keys(all.json.resource.aws_cloudwatch_metric_alarm)
        .map((id) => `aws_cloudwatch_metric_alarm.${id}`)
        .sort(),
    );
  });

  test('on an existing listener, the LoadBalancer dimension comes from the listener ARN', () => {
    const listenerArn =
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/0123456789abcdef/fedcba9876543210';
    const { json } = synthBlueGreen(
      fromRelease(release, {
        alarms: { unhealthyHosts: 2 },
        loadBalancer: FleetLoadBalancer.fromListener({
          listenerArn,
          securityGroupId: 'sg-0123456789abcdef0',
          priority: 10,
        }),
      }),
    );
    const alarm = Object.values(json.resource.aws_cloudwatch_metric_alarm as Json)[0];
    expect(alarm.dimensions.LoadBalancer).toBe('app/shared/0123456789abcdef');
    expect(json.output.web_load_balancer_arn_suffix.value).toBe('app/shared/0123456789abcdef');
  });

  test('a token threshold is not validated', () => {
    const stack = newStack('prod');
    const props: BlueGreenFleetProps = fromRelease(release, {
      alarms: { targetErrorRatePercent: Token.asNumber('${var.rate}') },
    });
    expect(() => new BlueGreenFleet(stack, 'Web', props)).not.toThrow();
    expect(JSON.stringify(synthJson(stack))).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      threshold: '${var.rate}',
    });
  });

  describe('validation', () => {
    const build = (alarms: BlueGreenFleetProps['alarms']) => () =>
      new BlueGreenFleet(newStack('prod'), 'Web', fromRelease(release, { alarms }));
    test('no alarm named', () => {
      expect(build({})).toThrow(
        'BlueGreenFleet prod/Web: alarms is set but names no alarm; set alarms.targetErrorRatePercent (e.g. 5) and/or alarms.unhealthyHosts (e.g. 1), or remove alarms.',
      );
    });
    test('rate out of range', () => {
      expect(build({ targetErrorRatePercent: 0 })).toThrow(
        /alarms.targetErrorRatePercent \(0\) must be a percentage above 0 and at most 100, e.g. 5/,
      );
      expect(build({ targetErrorRatePercent: 101 })).toThrow(/alarms.targetErrorRatePercent \(101\)/);
    });
    test('unhealthy hosts, period and evaluation periods', () => {
      expect(build({ unhealthyHosts: 0 })).toThrow(/alarms.unhealthyHosts \(0\)/);
      expect(build({ unhealthyHosts: 1, periodSeconds: 45 })).toThrow(
        /alarms.periodSeconds \(45\) must be 10, 30, or a multiple of 60 up to 86400/,
      );
      expect(build({ unhealthyHosts: 1, evaluationPeriods: 0 })).toThrow(/alarms.evaluationPeriods \(0\)/);
    });
  });
});
