/**
 * The canary watchdog's handler against moto's Elastic Load Balancing, SSM and CloudWatch:
 * a load balancer with two slot target groups and a listener at 90/10 (sticky), the
 * canary's alarm set to ALARM with SetAlarmState, the EventBridge event that state change
 * produces (built from the alarm as moto holds it, in the shape of AWS's sample "CloudWatch
 * Alarm State Change" event), and the handler invoked in-process with the SDK pointed at
 * moto (AWS_ENDPOINT_URL, dummy credentials, region). Then the listener is read back:
 * 100/0 with its stickiness kept, and the abort is recorded in the SSM parameter.
 *
 * Why in-process: moto runs a Lambda function only in Docker, which this machine lacks,
 * and moto does not route CloudWatch alarm state changes to EventBridge rules. So the
 * handler module, loaded from the exact text that is shipped, is called with the event
 * that EventBridge would deliver; what the test leaves out is EventBridge's delivery and
 * Lambda's start (typically well under a second each on AWS). SNS is not exercised here:
 * the repository has no @aws-sdk/client-sns (the Lambda runtime ships it); the webhook is,
 * with a local HTTP server.
 *
 * The time from the alarm's state change (moto's StateUpdatedTimestamp) to the weights
 * restored is measured and printed; the goal is under 10 seconds.
 */
import { createServer, IncomingMessage, Server } from 'http';
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  Action,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { WATCHDOG_HANDLER_SOURCE } from '../../lib/deploy/private/watchdog/handler-code';
import { loadModuleFromSource } from '../support/load-module';
import { setAlarmState } from './harness/alarm-event';
import { MotoServer, startMoto } from './harness/moto';

const work = mkdtempSync(join(tmpdir(), 'e2e-watchdog-'));
const RECORD = '/cdktf-immutable/watchdog/e2e-web';
let moto: MotoServer;
let elbv2: ElasticLoadBalancingV2Client;
let cloudWatch: CloudWatchClient;
let ssm: SSMClient;
let webhook: Server;
let webhookUrl: string;
const received: any[] = [];
/** The environment the handler and its SDK clients read, as a Lambda function's. */
const env = process.env;
const savedEnv = { ...env };
let watchdog: any;
let blueTg: string;
let greenTg: string;
let listenerArn: string;
let ruleArn: string;
/** The event of the first test, sent again by the second. */
let firstEvent: any;

/** A forward to both slots with these weights, sticky for 300 s. */
function forward(blue: number, green: number): Action[] {
  return [
    {
      Type: 'forward',
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: blueTg, Weight: blue },
          { TargetGroupArn: greenTg, Weight: green },
        ],
        TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 300 },
      },
    },
  ];
}

async function listenerActions(): Promise<Action[]> {
  const out = await elbv2.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }));
  return out.Listeners![0].DefaultActions!;
}

/** The slot weights of the first forward action. */
function weightsOf(actions: Action[]): { blue?: number; green?: number } {
  const groups = actions.find((a) => a.Type === 'forward')!.ForwardConfig!.TargetGroups!;
  return {
    blue: groups.find((g) => g.TargetGroupArn === blueTg)?.Weight,
    green: groups.find((g) => g.TargetGroupArn === greenTg)?.Weight,
  };
}

/** A 5xx-count alarm on a slot's target group (dimension: the ARN's `targetgroup/...` part). */
async function putAlarm(name: string, targetGroupArn: string): Promise<void> {
  await cloudWatch.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_Target_5XX_Count',
      Dimensions: [{ Name: 'TargetGroup', Value: targetGroupArn.split(':').pop()! }],
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    }),
  );
}

/**
 * Sets the alarm to ALARM in moto and returns the EventBridge event of that state change,
 * built from the alarm as moto now holds it (name, ARN, reason, reason data, state time).
 */
function alarmEvent(name: string): Promise<{ event: any; changedAt: Date }> {
  return setAlarmState(
    cloudWatch,
    name,
    'ALARM',
    'Threshold Crossed: 1 out of the last 1 datapoints [12.0] was greater than or equal to the threshold (5.0)',
    JSON.stringify({ version: '1.0', recentDatapoints: [12], threshold: 5 }),
  );
}

async function readRecord(): Promise<{ value: any; version: number }> {
  const out = await ssm.send(new GetParameterCommand({ Name: RECORD }));
  return { value: JSON.parse(out.Parameter!.Value!), version: out.Parameter!.Version! };
}

function body(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => resolve(text));
  });
}

beforeAll(async () => {
  moto = await startMoto(work);
  // the handler's SDK clients take everything from the environment, as in Lambda
  Object.assign(env, moto.env, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
  const client = {
    region: 'eu-west-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  elbv2 = new ElasticLoadBalancingV2Client(client);
  cloudWatch = new CloudWatchClient(client);
  ssm = new SSMClient(client);
  const ec2 = new EC2Client(client);
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
  const subnets = await Promise.all(
    ['a', 'b'].map(async (zone, i) => {
      const command = new CreateSubnetCommand({
        VpcId: vpc,
        CidrBlock: `10.20.${i}.0/24`,
        AvailabilityZone: `eu-west-1${zone}`,
      });
      return (await ec2.send(command)).Subnet!.SubnetId!;
    }),
  );
  const lb = (await elbv2.send(new CreateLoadBalancerCommand({ Name: 'e2e-web', Subnets: subnets }))).LoadBalancers![0]
    .LoadBalancerArn!;
  const targetGroup = async (name: string) =>
    (await elbv2.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 80, VpcId: vpc })))
      .TargetGroups![0].TargetGroupArn!;
  blueTg = await targetGroup('e2e-web-blue');
  greenTg = await targetGroup('e2e-web-green');
  listenerArn = (
    await elbv2.send(
      new CreateListenerCommand({ LoadBalancerArn: lb, Protocol: 'HTTP', Port: 80, DefaultActions: forward(90, 10) }),
    )
  ).Listeners![0].ListenerArn!;
  ruleArn = (
    await elbv2.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 10,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
        Actions: forward(80, 20),
      }),
    )
  ).Rules![0].RuleArn!;
  await putAlarm('e2e-web-green-5xx', greenTg);
  await putAlarm('e2e-web-blue-5xx', blueTg);
  webhook = createServer(async (request, response) => {
    received.push({
      method: request.method,
      type: request.headers['content-type'],
      body: JSON.parse(await body(request)),
    });
    response.writeHead(204).end();
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  const address = webhook.address();
  webhookUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
  Object.assign(env, {
    WATCHDOG_LISTENER_ARN: listenerArn,
    WATCHDOG_BLUE_TARGET_GROUP_ARN: blueTg,
    WATCHDOG_GREEN_TARGET_GROUP_ARN: greenTg,
    WATCHDOG_ACTIVE_SLOT: 'blue',
    WATCHDOG_ALARMS: JSON.stringify({ 'e2e-web-green-5xx': 'green', 'e2e-web-blue-5xx': 'blue' }),
    WATCHDOG_RECORD_PARAMETER: RECORD,
    WATCHDOG_WEBHOOK_URL: webhookUrl,
    WATCHDOG_FLEET: 'e2e-web',
  });
  watchdog = loadModuleFromSource(WATCHDOG_HANDLER_SOURCE);
}, 120_000);

afterAll(async () => {
  for (const key of Object.keys(env)) {
    if (!(key in savedEnv)) {
      delete env[key];
    }
  }
  Object.assign(env, savedEnv);
  await new Promise((resolve) => webhook?.close(resolve));
  await moto?.stop();
});

describe('the watchdog handler on moto', () => {
  test('a canary alarm in ALARM: the listener is back at 100/0 within seconds, and the abort is recorded', async () => {
    expect(weightsOf(await listenerActions())).toEqual({ blue: 90, green: 10 });
    const { event, changedAt } = await alarmEvent('e2e-web-green-5xx');
    firstEvent = event;
    const result = await watchdog.handler(event);
    const actions = await listenerActions();
    const servedAt = Date.now();
    expect(result.action).toBe('restore');
    expect(weightsOf(actions)).toEqual({ blue: 100, green: 0 });
    expect(actions[0].ForwardConfig!.TargetGroupStickinessConfig).toEqual({ Enabled: true, DurationSeconds: 300 });
    const { value: record } = await readRecord();
    expect(record).toEqual({
      version: 1,
      by: 'watchdog',
      status: 'restored',
      fleet: 'e2e-web',
      alarm: 'e2e-web-green-5xx',
      slot: 'green',
      reason: event.detail.state.reason,
      stateChangedAt: changedAt.toISOString(),
      eventId: event.id,
      forwarder: listenerArn,
      weightsBefore: { blue: 90, green: 10 },
      weightsAfter: { blue: 100, green: 0 },
      restoredAt: expect.any(String),
    });
    // the time from the alarm's state change to the weights restored (the handler's
    // ModifyListener answered), and to the listener read back at 100/0
    const restoreSeconds = (Date.parse(record.restoredAt) - changedAt.getTime()) / 1000;
    const servedSeconds = (servedAt - changedAt.getTime()) / 1000;
    console.log(
      `[watchdog] alarm state change -> weights restored: ${restoreSeconds.toFixed(3)} s ` +
        `(listener read back at 100/0 after ${servedSeconds.toFixed(3)} s; goal < 10 s)`,
    );
    expect(restoreSeconds).toBeGreaterThanOrEqual(0);
    expect(restoreSeconds).toBeLessThan(10);
    expect(servedSeconds).toBeLessThan(10);
    expect(received).toEqual([{ method: 'POST', type: 'application/json', body: { event: 'aborted', ...record } }]);
  });

  test('the same event again (a retry) changes nothing and leaves the record', async () => {
    const before = await readRecord();
    const result = await watchdog.handler(firstEvent);
    expect(result.action).toBe('ignore');
    expect(weightsOf(await listenerActions())).toEqual({ blue: 100, green: 0 });
    expect(await readRecord()).toEqual(before);
    expect(received).toHaveLength(1);
  });

  test('an alarm of the stable slot holds: nothing moves, nothing is written', async () => {
    await elbv2.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: forward(90, 10) }));
    const before = await readRecord();
    const { event } = await alarmEvent('e2e-web-blue-5xx');
    const result = await watchdog.handler(event);
    expect(result).toEqual({
      action: 'hold',
      message: 'stable slot alarm: holding (the watchdog never moves traffic to a slot)',
    });
    expect(weightsOf(await listenerActions())).toEqual({ blue: 90, green: 10 });
    expect(await readRecord()).toEqual(before);
  });

  test('a listener rule: ModifyRule puts its forward back at 100/0 and keeps its conditions', async () => {
    Object.assign(env, { WATCHDOG_LISTENER_ARN: '', WATCHDOG_RULE_ARN: ruleArn, WATCHDOG_WEBHOOK_URL: '' });
    // a later state change than the recorded abort: the canary is at 20% on the rule
    await cloudWatch.send(
      new SetAlarmStateCommand({ AlarmName: 'e2e-web-green-5xx', StateValue: 'OK', StateReason: 'ok' }),
    );
    const { event, changedAt } = await alarmEvent('e2e-web-green-5xx');
    const result = await watchdog.handler(event);
    expect(result.action).toBe('restore');
    const rule = (await elbv2.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }))).Rules![0];
    expect(weightsOf(rule.Actions!)).toEqual({ blue: 100, green: 0 });
    expect(rule.Conditions).toEqual([{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }]);
    const { value: record } = await readRecord();
    expect(record).toMatchObject({ forwarder: ruleArn, weightsBefore: { blue: 80, green: 20 }, status: 'restored' });
    console.log(
      `[watchdog] listener rule: alarm state change -> weights restored: ` +
        `${((Date.parse(record.restoredAt) - changedAt.getTime()) / 1000).toFixed(3)} s`,
    );
  });
});
