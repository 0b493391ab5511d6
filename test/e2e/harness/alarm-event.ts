/**
 * An alarm's state change in moto, and the EventBridge event AWS sends for it ("CloudWatch
 * Alarm State Change"), built from the alarm as moto holds it before and after: what the
 * watchdog's rule matches and its handler reads (moto routes no alarm change to
 * EventBridge, so the e2e files invoke the handler with this event).
 */
import { CloudWatchClient, DescribeAlarmsCommand, MetricAlarm, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';

/** CloudWatch's time format in alarm events: 2026-06-01T12:05:01.915+0000. */
const cloudWatchTime = (date: Date) => date.toISOString().replace('Z', '+0000');

async function describeAlarm(cloudWatch: CloudWatchClient, name: string): Promise<MetricAlarm> {
  const alarm = (await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms?.[0];
  if (!alarm) {
    throw new Error(`moto has no alarm named ${name}`);
  }
  return alarm;
}

/** The event of `alarm`'s change from the state `before` had (both as DescribeAlarms answers). */
export function alarmChangeEvent(before: MetricAlarm, alarm: MetricAlarm): any {
  const changedAt = alarm.StateUpdatedTimestamp!;
  const metric = alarm.MetricName
    ? [
        {
          id: 'm1',
          metricStat: {
            metric: {
              namespace: alarm.Namespace,
              name: alarm.MetricName,
              dimensions: Object.fromEntries((alarm.Dimensions ?? []).map((d) => [d.Name, d.Value])),
            },
            period: alarm.Period,
            stat: alarm.Statistic,
          },
          returnData: true,
        },
      ]
    : [];
  return {
    version: '0',
    id: `e2e-${alarm.AlarmName}-${changedAt.getTime()}`,
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '123456789012',
    time: changedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    region: 'eu-west-1',
    resources: [alarm.AlarmArn],
    detail: {
      alarmName: alarm.AlarmName,
      configuration: { metrics: metric },
      previousState: {
        reason: before.StateReason,
        timestamp: cloudWatchTime(before.StateUpdatedTimestamp!),
        value: before.StateValue,
      },
      state: {
        reason: alarm.StateReason,
        ...(alarm.StateReasonData ? { reasonData: alarm.StateReasonData } : {}),
        timestamp: cloudWatchTime(changedAt),
        value: alarm.StateValue,
      },
    },
  };
}

/**
 * Sets the alarm to `state` in moto (`SetAlarmState`) and returns the event of that
 * change and when it happened.
 */
export async function setAlarmState(
  cloudWatch: CloudWatchClient,
  name: string,
  state: 'ALARM' | 'OK',
  reason: string,
  reasonData?: string,
): Promise<{ event: any; changedAt: Date; alarm: MetricAlarm }> {
  const before = await describeAlarm(cloudWatch, name);
  await cloudWatch.send(
    new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: reason, StateReasonData: reasonData }),
  );
  const alarm = await describeAlarm(cloudWatch, name);
  if (alarm.StateValue !== state) {
    throw new Error(`moto's alarm ${name} is ${alarm.StateValue} after SetAlarmState ${state}`);
  }
  return { event: alarmChangeEvent(before, alarm), changedAt: alarm.StateUpdatedTimestamp!, alarm };
}
