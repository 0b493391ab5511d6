import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { BlueGreenFleet, FleetLoadBalancer, FleetWatchdog, ImmutabilityAspect } from '../../lib';
import { WATCHDOG_HANDLER_SOURCE } from '../../lib/deploy/private/watchdog/handler-code';
import { watchdogPackage } from '../../lib/deploy/private/watchdog/watchdog-package';
import { EMPTY_WATCHDOG_RECORD } from '../../lib/release/watchdog-record';
import { guardPlan } from '../../lib/review';
import { compare, fromRelease, synthBlueGreen } from './fleet-helpers';
import { AMI_1, AMI_2, Json, newStack, resources, synthJson, synthWithMetadata } from '../support/synth';

const release = { blue: AMI_1, green: AMI_2, active: 'blue' as const, canary: 10 };
const ALARMS = { targetErrorRatePercent: 5, unhealthyHosts: 1 };
const LISTENER = '${aws_lb_listener.Web_Listener_8E68D58A.arn}';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:releases';
const EXISTING_LISTENER =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/0123456789abcdef/fedcba9876543210';

/** The watchdog's logical id of `type` (the one resource of that type under `Web/Watchdog`). */
function watchdogId(json: Json, type: string): string {
  const ids = Object.keys(resources(json, type)).filter((id) => id.startsWith('Web_Watchdog_') || id.startsWith('Ok_'));
  if (ids.length !== 1) {
    throw new Error(`expected one watchdog ${type}, found ${ids.join(', ') || 'none'}`);
  }
  return ids[0];
}

/** The watchdog's one resource of `type`. */
function only(json: Json, type: string): Json {
  return resources(json, type)[watchdogId(json, type)];
}

/** A reference to an attribute of the watchdog's resource of `type`, as Terraform writes it. */
function ref(json: Json, type: string, attribute: string): string {
  return `\${${type}.${watchdogId(json, type)}.${attribute}}`;
}

describe('BlueGreenFleet watchdog', () => {
  let plain: { json: Json };
  let watched: { json: Json; fleet: BlueGreenFleet };
  beforeAll(() => {
    plain = synthBlueGreen(fromRelease(release, { alarms: ALARMS }));
    watched = synthBlueGreen(fromRelease(release, { alarms: ALARMS, watchdog: { notificationTopicArn: TOPIC } }));
  });

  test('adding the watchdog creates its resources and changes nothing else', () => {
    const change = compare(plain.json, watched.json);
    expect(change.destroyed).toEqual([]);
    expect(change.changed).toEqual([]);
    expect(change.created.map((address) => address.split('.')[0]).sort()).toEqual([
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
    ]);
    expect(change.created.every((address) => address.includes('.Web_Watchdog_'))).toBe(true);
  });

  test('the role may modify exactly the listener, its record, its log group, its queue and its topic', () => {
    const json = watched.json;
    const role = only(json, 'aws_iam_role');
    expect(JSON.parse(role.assume_role_policy)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    expect(role.name_prefix).toBe('web-wd-');
    const policy = only(json, 'aws_iam_role_policy');
    expect(policy.role).toBe(ref(json, 'aws_iam_role', 'id'));
    expect(JSON.parse(policy.policy)).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'RestoreListener', Effect: 'Allow', Action: 'elasticloadbalancing:ModifyListener', Resource: LISTENER },
        {
          Sid: 'ReadForwarding',
          Effect: 'Allow',
          Action: ['elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules'],
          Resource: '*',
        },
        {
          Sid: 'Record',
          Effect: 'Allow',
          Action: ['ssm:GetParameter', 'ssm:PutParameter'],
          Resource: ref(json, 'aws_ssm_parameter', 'arn'),
        },
        {
          Sid: 'Logs',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: `${ref(json, 'aws_cloudwatch_log_group', 'arn')}:*`,
        },
        { Sid: 'DeadLetters', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: ref(json, 'aws_sqs_queue', 'arn') },
        { Sid: 'Notify', Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC },
      ],
    });
  });

  test('without a topic the role has no sns statement', () => {
    const { json } = synthBlueGreen(fromRelease(release, { alarms: ALARMS, watchdog: {} }));
    const statements = JSON.parse(only(json, 'aws_iam_role_policy').policy).Statement;
    expect(statements.map((s: Json) => s.Sid)).toEqual([
      'RestoreListener',
      'ReadForwarding',
      'Record',
      'Logs',
      'DeadLetters',
    ]);
    expect(only(json, 'aws_lambda_function').environment.variables.WATCHDOG_SNS_TOPIC_ARN).toBeUndefined();
  });

  test('the function: nodejs22.x from the deterministic zip, its hash, the environment the handler reads', () => {
    const json = watched.json;
    const fn = only(json, 'aws_lambda_function');
    const code = watchdogPackage();
    expect(fn).toEqual({
      function_name: 'web-watchdog',
      description: 'cdktf-immutable canary watchdog of fleet web',
      role: ref(json, 'aws_iam_role', 'arn'),
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      filename: expect.stringMatching(/^assets\/Web_Watchdog_Code_[0-9A-F]+\/[0-9A-F]+\/watchdog-[0-9a-f]{12}\.zip$/),
      source_code_hash: code.sha256,
      timeout: 30,
      memory_size: 128,
      environment: {
        variables: {
          WATCHDOG_ACTIVE_SLOT: 'blue',
          WATCHDOG_ALARMS: JSON.stringify({
            'web-blue-5xx-rate': 'blue',
            'web-blue-unhealthy-hosts': 'blue',
            'web-green-5xx-rate': 'green',
            'web-green-unhealthy-hosts': 'green',
          }),
          WATCHDOG_BLUE_TARGET_GROUP_ARN: expect.stringMatching(/^\$\{aws_lb_target_group\.Web_Blue_TargetGroup_/),
          WATCHDOG_GREEN_TARGET_GROUP_ARN: expect.stringMatching(/^\$\{aws_lb_target_group\.Web_Green_TargetGroup_/),
          WATCHDOG_LISTENER_ARN: LISTENER,
          WATCHDOG_RECORD_PARAMETER: ref(json, 'aws_ssm_parameter', 'name'),
          WATCHDOG_FLEET: 'web',
          WATCHDOG_SNS_TOPIC_ARN: TOPIC,
        },
      },
      dead_letter_config: { target_arn: ref(json, 'aws_sqs_queue', 'arn') },
      depends_on: [
        expect.stringMatching(/^aws_cloudwatch_log_group\.Web_Watchdog_Logs_/),
        expect.stringMatching(/^aws_iam_role_policy\.Web_Watchdog_Policy_/),
      ],
    });
    // the asset in the stack's output is the package, byte for byte
    expect(code.zip.equals(watchdogPackage().zip)).toBe(true);
    expect(createHash('sha256').update(code.zip).digest('base64')).toBe(code.sha256);
  });

  test('the asset file cdktf writes is the package (same bytes, same hash)', () => {
    const stack = newStack('assets');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    new BlueGreenFleet(stack, 'Web', fromRelease(release, { alarms: ALARMS, watchdog: {} }));
    const out = Testing.fullSynth(stack);
    const json = JSON.parse(readFileSync(join(out, 'stacks', 'assets', 'cdk.tf.json'), 'utf8'));
    const fn = only(json, 'aws_lambda_function');
    const zip = readFileSync(join(out, 'stacks', 'assets', fn.filename));
    expect(zip.equals(watchdogPackage().zip)).toBe(true);
    expect(WATCHDOG_HANDLER_SOURCE.length).toBeGreaterThan(0);
  });

  test('the environment follows the release file: active green makes blue the canary', () => {
    const { json } = synthBlueGreen(
      fromRelease({ blue: AMI_1, green: AMI_2, active: 'green', canary: 10 }, { alarms: ALARMS, watchdog: {} }),
    );
    expect(only(json, 'aws_lambda_function').environment.variables.WATCHDOG_ACTIVE_SLOT).toBe('green');
  });

  test('the rule matches exactly the watched alarms going to ALARM; the permission names the rule', () => {
    const json = watched.json;
    const rule = only(json, 'aws_cloudwatch_event_rule');
    expect(rule.name).toBe('web-watchdog');
    expect(JSON.parse(rule.event_pattern)).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      detail: {
        alarmName: ['web-blue-5xx-rate', 'web-blue-unhealthy-hosts', 'web-green-5xx-rate', 'web-green-unhealthy-hosts'],
        state: { value: ['ALARM'] },
      },
    });
    expect(only(json, 'aws_cloudwatch_event_target')).toEqual({
      rule: ref(json, 'aws_cloudwatch_event_rule', 'name'),
      target_id: 'watchdog',
      arn: ref(json, 'aws_lambda_function', 'arn'),
    });
    expect(only(json, 'aws_lambda_permission')).toEqual({
      statement_id: 'events-watchdog-rule',
      action: 'lambda:InvokeFunction',
      function_name: ref(json, 'aws_lambda_function', 'function_name'),
      principal: 'events.amazonaws.com',
      source_arn: ref(json, 'aws_cloudwatch_event_rule', 'arn'),
    });
  });

  test('retries, event age, dead-letter queue, log retention: secure defaults', () => {
    const json = watched.json;
    expect(only(json, 'aws_lambda_function_event_invoke_config')).toEqual({
      function_name: ref(json, 'aws_lambda_function', 'function_name'),
      maximum_event_age_in_seconds: 3600,
      maximum_retry_attempts: 2,
    });
    expect(only(json, 'aws_sqs_queue')).toEqual({
      name: 'web-watchdog-dlq',
      sqs_managed_sse_enabled: true,
      message_retention_seconds: 1209600,
    });
    expect(only(json, 'aws_cloudwatch_log_group')).toMatchObject({
      name: '/aws/lambda/web-watchdog',
      retention_in_days: 365,
    });
  });

  test('the record parameter: created empty, its value written by the function (ignore_changes value)', () => {
    const parameter = only(watched.json, 'aws_ssm_parameter');
    expect(parameter).toMatchObject({
      name: '/cdktf-immutable/watchdog/web',
      type: 'String',
      value: EMPTY_WATCHDOG_RECORD,
      lifecycle: { ignore_changes: ['value'] },
    });
  });

  test("guard --config accepts the record parameter's ignore_changes (an SSM parameter is mutable by design)", () => {
    const stack = newStack('guarded');
    new BlueGreenFleet(stack, 'Web', fromRelease(release, { alarms: ALARMS, watchdog: {} }));
    const config = synthWithMetadata(stack);
    const report = guardPlan(
      { format_version: '1.2', planned_values: { root_module: {} }, resource_changes: [] },
      'plan',
      {
        config,
      },
    );
    expect(report.lifecycleChecked).toBe(true);
    expect(report.violations).toEqual([]);
    // only the pinned blue slot's lifecycle is acknowledged; the record needs no acknowledgement
    expect(report.acknowledged.map((a) => a.address).filter((a) => !a.includes('_Blue_'))).toEqual([]);
  });

  test('watchdog.alarms replaces the default alarms, with their slots', () => {
    const { json, fleet } = synthBlueGreen(
      fromRelease(release, { watchdog: { alarms: { 'checkout-p99': 'green', 'db-cpu': 'blue' } } }),
    );
    expect(fleet.watchdog!.alarms).toEqual({ 'checkout-p99': 'green', 'db-cpu': 'blue' });
    expect(JSON.parse(only(json, 'aws_cloudwatch_event_rule').event_pattern).detail.alarmName).toEqual([
      'checkout-p99',
      'db-cpu',
    ]);
    expect(JSON.parse(only(json, 'aws_lambda_function').environment.variables.WATCHDOG_ALARMS)).toEqual({
      'checkout-p99': 'green',
      'db-cpu': 'blue',
    });
  });

  test("on an existing listener the function may modify exactly the fleet's rule", () => {
    const { json } = synthBlueGreen(
      fromRelease(release, {
        alarms: ALARMS,
        watchdog: {},
        loadBalancer: FleetLoadBalancer.fromListener({
          listenerArn: EXISTING_LISTENER,
          securityGroupId: 'sg-0123456789abcdef0',
          priority: 10,
        }),
      }),
    );
    const rule = `\${aws_lb_listener_rule.${Object.keys(resources(json, 'aws_lb_listener_rule'))[0]}.arn}`;
    expect(Object.keys(resources(json, 'aws_lb_listener_rule'))).toEqual([expect.stringMatching(/^Web_ListenerRule_/)]);
    expect(JSON.parse(only(json, 'aws_iam_role_policy').policy).Statement[0]).toEqual({
      Sid: 'RestoreRule',
      Effect: 'Allow',
      Action: 'elasticloadbalancing:ModifyRule',
      Resource: rule,
    });
    const variables = only(json, 'aws_lambda_function').environment.variables;
    expect(variables.WATCHDOG_RULE_ARN).toBe(rule);
    expect(variables.WATCHDOG_LISTENER_ARN).toBeUndefined();
  });

  test.each([
    [{}, { watchdog: {} }, /watchdog\.alarms \(\{\}\) names no alarm: give the fleet alarms/],
    [ALARMS, { watchdog: { alarms: { x: 'red' } } }, /watchdog\.alarms\["x"\] \("red"\) must be "blue" or "green"/],
    [
      ALARMS,
      { watchdog: { logRetentionDays: 10 } },
      /watchdog\.logRetentionDays \(10\) must be a retention CloudWatch/,
    ],
    [ALARMS, { watchdog: { retryAttempts: 3 } }, /watchdog\.retryAttempts \(3\) must be an integer from 0 to 2/],
    [
      ALARMS,
      { watchdog: { maxEventAgeSeconds: 30 } },
      /watchdog\.maxEventAgeSeconds \(30\) must be an integer from 60/,
    ],
    [
      ALARMS,
      { watchdog: { notificationTopicArn: 'releases' } },
      /watchdog\.notificationTopicArn \("releases"\) must be an SNS topic ARN/,
    ],
    [ALARMS, { watchdog: { webhookUrl: 'ftp://x' } }, /watchdog\.webhookUrl \("ftp:\/\/x"\) must be an http\(s\) URL/],
  ])('bad options are refused with the field, the value and the fix (%#)', (alarms, extra, message) => {
    const props = fromRelease(release, { ...(Object.keys(alarms).length ? { alarms } : {}), ...(extra as object) });
    expect(() => synthBlueGreen(props)).toThrow(message);
  });

  test('standalone: exactly one of listenerArn and ruleArn', () => {
    const stack = newStack('standalone');
    expect(
      () =>
        new FleetWatchdog(stack, 'Watchdog', {
          fleetName: 'web',
          alarms: { a: 'green' },
          targetGroupArns: { blue: 'tg-b', green: 'tg-g' },
          activeSlot: 'blue',
        }),
    ).toThrow(/set exactly one of listenerArn and ruleArn/);
    ImmutabilityAspect.enable(stack);
    new FleetWatchdog(stack, 'Ok', {
      fleetName: 'web',
      alarms: { a: 'green' },
      ruleArn: 'arn:rule',
      targetGroupArns: { blue: 'tg-b', green: 'tg-g' },
      activeSlot: 'blue',
    });
    const json = synthJson(stack);
    expect(only(json, 'aws_lambda_function').environment.variables.WATCHDOG_RULE_ARN).toBe('arn:rule');
  });

  test('the app synthesizes the same function on every run (no path or time in the resource)', () => {
    const again = synthBlueGreen(fromRelease(release, { alarms: ALARMS, watchdog: { notificationTopicArn: TOPIC } }));
    expect(only(again.json, 'aws_lambda_function')).toEqual(only(watched.json, 'aws_lambda_function'));
  });
});
