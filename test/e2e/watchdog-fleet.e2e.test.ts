/**
 * The canary watchdog as a fleet builds it, applied on the real engine (OpenTofu + the
 * real AWS provider against moto): a canary fleet from the release file (blue active,
 * green at 10%) with `watchdog` and `testRoute`.
 *
 * 1. The first apply creates every part of the watchdog (function from the deterministic
 *    zip, role and policy, log group, encrypted dead-letter queue, event invoke config,
 *    EventBridge rule, its target, the Lambda permission, the record parameter) and the
 *    test route; a second plan is empty (the provider reads back from moto exactly what
 *    the configuration says: the package's hash, the event pattern, the policy).
 * 2. The deployed configuration restores the canary: the canary's alarm goes to ALARM
 *    (SetAlarmState), its EventBridge event matches the deployed rule's pattern, and the
 *    handler, loaded from the shipped source and run with the deployed function's
 *    environment, puts the listener back at 100/0 and writes the record parameter
 *    Terraform created. The next plan leaves the record alone (its value is the
 *    function's).
 *
 * What moto cannot do: it creates the Lambda function without Docker but cannot run it,
 * and it does not route CloudWatch alarm state changes to EventBridge (nor implement
 * TestEventPattern); so the handler runs in-process, with the function's environment as
 * moto holds it, and the pattern is matched here (exact values, as EventBridge does for
 * these fields). The fleet's alarms are created with the SDK (the provider's CloudWatch
 * protocol is not served by moto 5.2.5, see rollout.e2e.test.ts).
 */
import { mkdirSync, mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeListenersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { WATCHDOG_HANDLER_SOURCE } from '../../lib/deploy/private/watchdog/handler-code';
import { watchdogPackage } from '../../lib/deploy/private/watchdog/watchdog-package';
import { loadModuleFromSource } from '../support/load-module';
import { setAlarmState } from './harness/alarm-event';
import { MotoServer, motoAmiIds, startMoto } from './harness/moto';
import {
  apply,
  cliOk,
  init,
  logPlan,
  noOpViolations,
  planActions,
  savedPlan,
  stateResources,
  synthE2eApp,
} from './harness/tofu';

const work = mkdtempSync(join(tmpdir(), 'e2e-watchdog-fleet-'));
const releases = join(work, 'releases');
const releaseFile = join(releases, 'e2e.json');
const RECORD = '/cdktf-immutable/watchdog/e2e-wd';
const ALARMS = { blue: 'e2e-wd-blue-5xx', green: 'e2e-wd-green-5xx' };
const started = Date.now();
const timings: string[] = [];
let moto: MotoServer;
let dir: string;
let elbv2: ElasticLoadBalancingV2Client;
let cloudWatch: CloudWatchClient;
let ssm: SSMClient;
const env = process.env;
const savedEnv = { ...env };

/** The watchdog's resources, by type (the fleet builds one of each). */
const WATCHDOG_TYPES = [
  'aws_cloudwatch_event_rule',
  'aws_cloudwatch_event_target',
  'aws_cloudwatch_log_group',
  'aws_iam_role',
  'aws_iam_role_policy',
  'aws_lambda_function',
  'aws_lambda_function_event_invoke_config',
  'aws_lambda_permission',
  'aws_sqs_queue',
  'aws_ssm_parameter',
];

type State = Record<string, { type: string; values: any }>;

/** The one resource of a type whose address contains `part`. */
function only(state: State, type: string, part: string = ''): any {
  const found = Object.entries(state).filter(([address, r]) => r.type === type && address.includes(part));
  expect(found.map(([address]) => address)).toHaveLength(1);
  return found[0][1].values;
}

/** Does an EventBridge pattern of exact values (arrays of literals, nested objects) match the event? */
function matches(pattern: any, event: any): boolean {
  return Object.entries(pattern).every(([key, expected]) =>
    Array.isArray(expected)
      ? expected.includes(event?.[key])
      : typeof event?.[key] === 'object' && matches(expected, event[key]),
  );
}

async function listenerWeights(listenerArn: string, tgs: { blue: string; green: string }) {
  const out = await elbv2.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }));
  const groups = out.Listeners![0].DefaultActions!.find((a) => a.Type === 'forward')!.ForwardConfig!.TargetGroups!;
  return {
    blue: groups.find((g) => g.TargetGroupArn === tgs.blue)?.Weight,
    green: groups.find((g) => g.TargetGroupArn === tgs.green)?.Weight,
  };
}

/** The EventBridge event of an alarm's state change, built from the alarm as moto holds it. */
function alarmEvent(name: string): Promise<{ event: any; changedAt: Date }> {
  return setAlarmState(cloudWatch, name, 'ALARM', 'Threshold Crossed: [12.0] >= 5.0');
}

beforeAll(async () => {
  moto = await startMoto(work);
  mkdirSync(releases, { recursive: true });
  const client = {
    region: 'eu-west-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  elbv2 = new ElasticLoadBalancingV2Client(client);
  cloudWatch = new CloudWatchClient(client);
  ssm = new SSMClient(client);
});

afterAll(async () => {
  for (const key of Object.keys(env)) {
    if (!(key in savedEnv)) {
      delete env[key];
    }
  }
  Object.assign(env, savedEnv);
  elbv2?.destroy();
  cloudWatch?.destroy();
  ssm?.destroy();
  await moto?.stop();
  console.log(
    `[e2e] watchdog fleet: ${((Date.now() - started) / 1000).toFixed(0)}s, work folder ${work}\n  ${timings.join('\n  ')}`,
  );
});

test('a canary fleet with the watchdog and the test route applies on moto, and the next plan is empty', async () => {
  const amis = await motoAmiIds(moto.endpoint, 2);
  cliOk(['release', 'init', 'e2e', '--dir', releases]);
  cliOk(['release', 'stage', 'e2e', '--image', amis[0], '--dir', releases]);
  cliOk(['release', 'stage', 'e2e', '--image', amis[1], '--dir', releases]);
  cliOk(['release', 'promote', 'e2e', '--canary', '10', '--dir', releases]);
  dir = synthE2eApp('watchdog', join(work, 'out'), { E2E_RELEASE_FILE: releaseFile });
  await init(dir, moto.env);
  const plan = await savedPlan(dir, 'deploy', moto.env);
  logPlan('watchdog fleet: first deploy', plan.json);
  const created = Object.entries(planActions(plan.json)).filter(([, actions]) => actions === 'create');
  const watchdogParts = created
    .map(([address]) => address)
    .filter((address) => address.includes('Web_Watchdog_'))
    .map((address) => address.split('.')[0])
    .sort();
  expect(watchdogParts).toEqual(WATCHDOG_TYPES);
  expect(created.map(([address]) => address)).toContainEqual(
    expect.stringMatching(/^aws_lb_listener_rule\.Web_TestRoute_/),
  );

  const applied = await apply(dir, moto.env, plan.file);
  timings.push(`first deploy: apply ${applied.seconds.toFixed(1)}s`);
  const again = await savedPlan(dir, 'again', moto.env);
  logPlan('watchdog fleet: plan after the apply', again.json);
  expect(noOpViolations(again)).toEqual([]);

  const state = await stateResources(dir, moto.env);
  const fn = only(state, 'aws_lambda_function');
  const listener = only(state, 'aws_lb_listener');
  const blueTg = only(state, 'aws_lb_target_group', 'Blue').arn;
  const greenTg = only(state, 'aws_lb_target_group', 'Green').arn;
  expect(fn).toMatchObject({
    function_name: 'e2e-wd-watchdog',
    runtime: 'nodejs22.x',
    source_code_hash: watchdogPackage().sha256,
  });
  // moto keeps no dead-letter config (a known emulator artifact): the configuration, as the plan after the
  // apply has it, names the queue
  const configured = again.json.resource_changes!.find((rc) => rc.type === 'aws_lambda_function')!.change.after;
  expect(configured.dead_letter_config).toEqual([{ target_arn: only(state, 'aws_sqs_queue').arn }]);
  expect(fn.environment[0].variables).toEqual({
    WATCHDOG_LISTENER_ARN: listener.arn,
    WATCHDOG_BLUE_TARGET_GROUP_ARN: blueTg,
    WATCHDOG_GREEN_TARGET_GROUP_ARN: greenTg,
    WATCHDOG_ACTIVE_SLOT: 'blue',
    WATCHDOG_ALARMS: JSON.stringify({ [ALARMS.blue]: 'blue', [ALARMS.green]: 'green' }),
    WATCHDOG_RECORD_PARAMETER: RECORD,
    WATCHDOG_FLEET: 'e2e-wd',
  });
  expect(only(state, 'aws_sqs_queue').sqs_managed_sse_enabled).toBe(true);
  expect(only(state, 'aws_cloudwatch_log_group')).toMatchObject({
    name: '/aws/lambda/e2e-wd-watchdog',
    retention_in_days: 14,
  });
  expect(only(state, 'aws_lambda_function_event_invoke_config')).toMatchObject({
    maximum_retry_attempts: 1,
    maximum_event_age_in_seconds: 600,
  });
  const rule = only(state, 'aws_cloudwatch_event_rule');
  expect(JSON.parse(rule.event_pattern)).toEqual({
    source: ['aws.cloudwatch'],
    'detail-type': ['CloudWatch Alarm State Change'],
    detail: { alarmName: [ALARMS.blue, ALARMS.green], state: { value: ['ALARM'] } },
  });
  expect(only(state, 'aws_cloudwatch_event_target')).toMatchObject({ rule: 'e2e-wd-watchdog', arn: fn.arn });
  expect(only(state, 'aws_lambda_permission')).toMatchObject({
    principal: 'events.amazonaws.com',
    action: 'lambda:InvokeFunction',
    source_arn: rule.arn,
  });
  const record = only(state, 'aws_ssm_parameter');
  const policy = JSON.parse(only(state, 'aws_iam_role_policy').policy);
  expect(Object.fromEntries(policy.Statement.map((s: any) => [s.Sid, s.Resource]))).toEqual({
    RestoreListener: listener.arn,
    ReadForwarding: '*',
    Record: record.arn,
    Logs: `${only(state, 'aws_cloudwatch_log_group').arn}:*`,
    DeadLetters: only(state, 'aws_sqs_queue').arn,
  });
  // the test route: the header sends a request to the idle (canary) slot, green
  expect(only(state, 'aws_lb_listener_rule', 'TestRoute')).toMatchObject({
    listener_arn: listener.arn,
    priority: 1,
    action: [{ type: 'forward', target_group_arn: greenTg }],
    condition: [{ http_header: [{ http_header_name: 'X-Cdktf-Immutable-Slot', values: ['staged'] }] }],
  });
  // moto serves the parameter Terraform created with "no abort yet", and the listener at 90/10
  const parameter = await ssm.send(new GetParameterCommand({ Name: RECORD }));
  expect(JSON.parse(parameter.Parameter!.Value!)).toEqual({ version: 1, status: 'none' });
  expect(await listenerWeights(listener.arn, { blue: blueTg, green: greenTg })).toEqual({ blue: 90, green: 10 });
}, 600_000);

test("the deployed watchdog restores the canary's alarm: 100/0 and the record; Terraform leaves the record", async () => {
  const state = await stateResources(dir, moto.env);
  const fn = only(state, 'aws_lambda_function');
  const tgs = {
    blue: only(state, 'aws_lb_target_group', 'Blue').arn,
    green: only(state, 'aws_lb_target_group', 'Green').arn,
  };
  const listenerArn = only(state, 'aws_lb_listener').arn;
  for (const slot of ['blue', 'green'] as const) {
    await cloudWatch.send(
      new PutMetricAlarmCommand({
        AlarmName: ALARMS[slot],
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HTTPCode_Target_5XX_Count',
        Dimensions: [{ Name: 'TargetGroup', Value: tgs[slot].split(':').pop()! }],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 5,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      }),
    );
  }
  const pattern = JSON.parse(only(state, 'aws_cloudwatch_event_rule').event_pattern);
  const { event, changedAt } = await alarmEvent(ALARMS.green);
  expect(matches(pattern, event)).toBe(true);
  // an alarm the rule does not name, or a state other than ALARM, is not delivered
  expect(matches(pattern, { ...event, detail: { ...event.detail, alarmName: 'e2e-wd-other' } })).toBe(false);
  expect(matches(pattern, { ...event, detail: { ...event.detail, state: { value: 'OK' } } })).toBe(false);

  // the handler as Lambda runs it: the shipped source, the function's environment as moto holds it
  Object.assign(env, moto.env, fn.environment[0].variables, {
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const watchdog = loadModuleFromSource(WATCHDOG_HANDLER_SOURCE);
  const result = await watchdog.handler(event);
  expect(result.action).toBe('restore');
  expect(await listenerWeights(listenerArn, tgs)).toEqual({ blue: 100, green: 0 });
  const record = JSON.parse((await ssm.send(new GetParameterCommand({ Name: RECORD }))).Parameter!.Value!);
  expect(record).toMatchObject({
    by: 'watchdog',
    status: 'restored',
    fleet: 'e2e-wd',
    alarm: ALARMS.green,
    slot: 'green',
    forwarder: listenerArn,
    weightsBefore: { blue: 90, green: 10 },
    weightsAfter: { blue: 100, green: 0 },
  });
  const seconds = (Date.parse(record.restoredAt) - changedAt.getTime()) / 1000;
  timings.push(`alarm state change -> weights restored (deployed configuration): ${seconds.toFixed(3)}s`);
  expect(seconds).toBeLessThan(10);

  // the record is the function's: the next plan does not touch it (ignore_changes on its value). The
  // listener still changes back to 90/10 here, because this file's release file still says canary 10:
  // writing the abort into the release file is the release commands' part (release status/advance/run).
  const after = await savedPlan(dir, 'after-restore', moto.env);
  logPlan('watchdog fleet: plan after the restore', after.json);
  const actions = planActions(after.json);
  expect(Object.entries(actions).filter(([address]) => address.startsWith('aws_ssm_parameter.'))).toEqual([]);
  expect(Object.entries(actions)).toEqual([[expect.stringMatching(/^aws_lb_listener\.Web_Listener_/), 'update']]);
}, 300_000);
