import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { AssetType, TerraformAsset, Token } from 'cdktf';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaFunctionEventInvokeConfig } from '@cdktf/provider-aws/lib/lambda-function-event-invoke-config';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { Construct } from 'constructs';
import { suppressCheckov } from '../private/checkov';
import { isLiteral, show, Validator } from '../private/validation';
import { SlotName } from '../release/release-file';
import { EMPTY_WATCHDOG_RECORD, watchdogRecordParameter } from '../release/watchdog-record';
import {
  WATCHDOG_ENVIRONMENT,
  WATCHDOG_HANDLER,
  WATCHDOG_RUNTIME,
  watchdogPackage,
} from './private/watchdog/watchdog-package';

/**
 * What a {@link BlueGreenFleet}'s `watchdog` option sets: which alarms it watches, whom
 * it notifies, and how long its logs and failed events are kept.
 */
export interface FleetWatchdogOptions {
  /**
   * The alarms the watchdog acts on, each with the slot it watches: an alarm of the
   * canary slot (the slot that is not active) going to ALARM restores the stable
   * weights; an alarm of the stable slot is logged and changes nothing.
   * @default - the fleet's own alarms (`alarms`) of both slots, `<name>-<slot>-...`
   */
  readonly alarms?: Readonly<Record<string, SlotName>>;
  /**
   * An SNS topic the watchdog publishes each abort to (the function gets `sns:Publish`
   * on exactly this topic).
   * @default - no SNS notification
   */
  readonly notificationTopicArn?: string;
  /**
   * An http(s) URL the watchdog POSTs each abort to, as JSON (the function needs a
   * route to it: a function outside a VPC reaches the internet).
   * @default - no webhook
   */
  readonly webhookUrl?: string;
  /**
   * Days CloudWatch Logs keeps the function's log group (a retention CloudWatch Logs
   * accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
   * 2192, 2557, 2922, 3288 or 3653).
   * @default 365
   */
  readonly logRetentionDays?: number;
  /**
   * Seconds Lambda keeps trying an event (60 to 21600) before it sends it to the
   * dead-letter queue.
   * @default 3600
   */
  readonly maxEventAgeSeconds?: number;
  /**
   * Retries of a failed invocation (0 to 2) before the event goes to the dead-letter queue.
   * @default 2
   */
  readonly retryAttempts?: number;
}

/** Props of a {@link FleetWatchdog} built on its own (a {@link BlueGreenFleet} fills them in itself). */
export interface FleetWatchdogProps extends FleetWatchdogOptions {
  /** The fleet's name: the function, role, queue and rule are named after it, and so is the record. */
  readonly fleetName: string;
  /**
   * The listener whose default action forwards to both slots (or set `ruleArn`).
   * @default - none: set `ruleArn`
   */
  readonly listenerArn?: string;
  /**
   * The listener rule whose action forwards to both slots (or set `listenerArn`).
   * @default - none: set `listenerArn`
   */
  readonly ruleArn?: string;
  /** The target group ARN of each slot. */
  readonly targetGroupArns: Readonly<Record<SlotName, string>>;
  /** The stable slot, which serves the traffic (the release file's `active`); the other one is the canary. */
  readonly activeSlot: SlotName;
}

/** The retentions CloudWatch Logs accepts, in days. */
const LOG_RETENTIONS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** An SNS topic ARN. */
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

/** A CloudWatch alarm name as the watchdog accepts it: 1 to 255 characters, no line break or tab. */
const ALARM_NAME = /^[^\r\n\t]{1,255}$/;

/**
 * The canary watchdog of one blue/green fleet: restores the stable slot's listener
 * weights within seconds when an alarm of the canary slot goes to ALARM, without
 * waiting for `release advance` to run, and records the abort where the release
 * commands read it.
 *
 * - An EventBridge rule (`<name>-watchdog`) matches `aws.cloudwatch` "CloudWatch Alarm
 *   State Change" events of exactly the watched alarms going to ALARM, and targets the
 *   function; a Lambda permission lets `events.amazonaws.com` invoke it from that rule
 *   only (its ARN as the source).
 * - The function (`<name>-watchdog`, nodejs22.x, the runtime's own AWS SDK, no
 *   dependency) is shipped as a deterministic zip (a FILE asset with its
 *   `source_code_hash`), so every machine synthesizes the same package. It sets the
 *   listener's (or rule's) weights back to the stable slot, never moves weight to a
 *   slot, and records the abort in the SSM parameter `/cdktf-immutable/watchdog/<name>`.
 * - Its role may modify exactly the fleet's listener (or rule), describe listeners and
 *   rules (these actions take no resource ARN), read and write exactly its parameter,
 *   publish to exactly the notification topic when one is set, write to its own log
 *   group and send to its own dead-letter queue.
 * - Failed events are retried (`retryAttempts`, `maxEventAgeSeconds`) and then go to an
 *   encrypted SQS dead-letter queue (`<name>-watchdog-dlq`, kept 14 days); logs go to
 *   `/aws/lambda/<name>-watchdog` with a retention.
 *
 * The record parameter is Terraform's: it is created with the value "no abort yet" and
 * its value is ignored afterwards (`ignore_changes`), because the function writes it.
 * SSM parameters are mutable by design for the immutability aspect and `guard`, so the
 * rule needs no acknowledgement; destroying the fleet removes it.
 */
export class FleetWatchdog extends Construct {
  /** The function. */
  public readonly function: LambdaFunction;
  /** The function's role. */
  public readonly role: IamRole;
  /** The EventBridge rule on the alarms' state changes. */
  public readonly rule: CloudwatchEventRule;
  /** The dead-letter queue of events the function failed on. */
  public readonly deadLetterQueue: SqsQueue;
  /** The function's log group. */
  public readonly logGroup: CloudwatchLogGroup;
  /** The SSM parameter of the abort record (`/cdktf-immutable/watchdog/<name>`). */
  public readonly recordParameter: SsmParameter;
  /** The alarms the watchdog acts on, with the slot each watches. */
  public readonly alarms: Readonly<Record<string, SlotName>>;

  constructor(scope: Construct, id: string, props: FleetWatchdogProps) {
    super(scope, id);
    const checked = validateWatchdog(new Validator(this), props);
    const name = `${props.fleetName}-watchdog`;
    this.alarms = checked.alarms;

    this.recordParameter = new SsmParameter(this, 'Record', {
      name: watchdogRecordParameter(props.fleetName),
      description: `The canary watchdog's abort record of fleet ${props.fleetName} (written by the function)`,
      type: 'String',
      value: EMPTY_WATCHDOG_RECORD,
      // the function writes the record; Terraform only creates it
      lifecycle: { ignoreChanges: ['value'] },
    });
    suppressCheckov(
      this.recordParameter,
      'CKV2_AWS_34',
      'the record holds alarm names, times and weights, no secret; SecureString would need a KMS key grant',
    );

    this.logGroup = new CloudwatchLogGroup(this, 'Logs', {
      name: `/aws/lambda/${name}`,
      retentionInDays: checked.logRetentionDays,
    });
    suppressCheckov(
      this.logGroup,
      'CKV_AWS_158',
      'the log lines hold alarm names, ARNs and weights, no secret; CloudWatch Logs encrypts them at rest',
    );

    this.deadLetterQueue = new SqsQueue(this, 'DeadLetterQueue', {
      name: `${name}-dlq`,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 1209600,
    });

    this.role = new IamRole(this, 'Role', {
      namePrefix: `${props.fleetName.slice(0, 28)}-wd-`,
      description: `The canary watchdog of fleet ${props.fleetName}: restores the stable listener weights`,
      assumeRolePolicy: JSON.stringify(lambdaTrustPolicy()),
    });
    const policy = new IamRolePolicy(this, 'Policy', {
      role: this.role.id,
      name: 'watchdog',
      policy: JSON.stringify(
        watchdogPolicy({
          listenerArn: props.listenerArn,
          ruleArn: props.ruleArn,
          parameterArn: this.recordParameter.arn,
          logGroupArn: this.logGroup.arn,
          queueArn: this.deadLetterQueue.arn,
          topicArn: props.notificationTopicArn,
        }),
      ),
    });

    const code = watchdogPackage();
    const asset = new TerraformAsset(this, 'Code', {
      path: writePackage(code.zip, code.fileName),
      type: AssetType.FILE,
    });
    const variables: Record<string, string> = {
      [WATCHDOG_ENVIRONMENT.blueTargetGroupArn]: props.targetGroupArns.blue,
      [WATCHDOG_ENVIRONMENT.greenTargetGroupArn]: props.targetGroupArns.green,
      [WATCHDOG_ENVIRONMENT.activeSlot]: props.activeSlot,
      [WATCHDOG_ENVIRONMENT.alarms]: JSON.stringify(sortedAlarms(checked.alarms)),
      [WATCHDOG_ENVIRONMENT.recordParameter]: this.recordParameter.name,
      [WATCHDOG_ENVIRONMENT.fleet]: props.fleetName,
    };
    if (props.listenerArn !== undefined) {
      variables[WATCHDOG_ENVIRONMENT.listenerArn] = props.listenerArn;
    } else {
      variables[WATCHDOG_ENVIRONMENT.ruleArn] = props.ruleArn!;
    }
    if (props.notificationTopicArn !== undefined) {
      variables[WATCHDOG_ENVIRONMENT.snsTopicArn] = props.notificationTopicArn;
    }
    if (props.webhookUrl !== undefined) {
      variables[WATCHDOG_ENVIRONMENT.webhookUrl] = props.webhookUrl;
    }
    this.function = new LambdaFunction(this, 'Function', {
      functionName: name,
      description: `cdktf-immutable canary watchdog of fleet ${props.fleetName}`,
      role: this.role.arn,
      runtime: WATCHDOG_RUNTIME,
      handler: WATCHDOG_HANDLER,
      filename: asset.path,
      sourceCodeHash: code.sha256,
      timeout: 30,
      memorySize: 128,
      environment: { variables },
      deadLetterConfig: { targetArn: this.deadLetterQueue.arn },
      // the log group exists (with its retention) before the first invocation, and the
      // role's permissions before the function can act
      dependsOn: [this.logGroup, policy],
    });
    suppressCheckov(
      this.function,
      'CKV_AWS_50',
      'X-Ray tracing would add xray:PutTraceSegments on "*" to a role kept to the listener, record and queue',
    );
    suppressCheckov(
      this.function,
      'CKV_AWS_115',
      'reserved concurrency fails in accounts at the minimum unreserved concurrency; events are rare and retried',
    );
    suppressCheckov(
      this.function,
      'CKV_AWS_117',
      'the function calls the Elastic Load Balancing, SSM and SNS APIs only; in a VPC it would need endpoints or NAT',
    );
    suppressCheckov(
      this.function,
      'CKV_AWS_173',
      'the environment holds ARNs, alarm names and a slot name, no secret; the default AWS key encrypts it',
    );
    suppressCheckov(
      this.function,
      'CKV_AWS_272',
      "the package is the library's deterministic zip, pinned by its source_code_hash; no signing profile",
    );

    new LambdaFunctionEventInvokeConfig(this, 'InvokeConfig', {
      functionName: this.function.functionName,
      maximumEventAgeInSeconds: checked.maxEventAgeSeconds,
      maximumRetryAttempts: checked.retryAttempts,
    });

    this.rule = new CloudwatchEventRule(this, 'Rule', {
      name,
      description: `The canary watchdog of fleet ${props.fleetName}: its alarms going to ALARM`,
      eventPattern: JSON.stringify(alarmEventPattern(Object.keys(checked.alarms))),
    });
    new CloudwatchEventTarget(this, 'Target', {
      rule: this.rule.name,
      targetId: 'watchdog',
      arn: this.function.arn,
    });
    new LambdaPermission(this, 'Permission', {
      statementId: 'events-watchdog-rule',
      action: 'lambda:InvokeFunction',
      functionName: this.function.functionName,
      principal: 'events.amazonaws.com',
      sourceArn: this.rule.arn,
    });
  }
}

/** The options, checked, with their defaults. */
interface CheckedWatchdog {
  readonly alarms: Readonly<Record<string, SlotName>>;
  readonly logRetentionDays: number;
  readonly maxEventAgeSeconds: number;
  readonly retryAttempts: number;
}

/** Validates a watchdog's props where they enter (`watchdog.` prefixes each name). */
function validateWatchdog(check: Validator, props: FleetWatchdogProps): CheckedWatchdog {
  const alarms = props.alarms ?? {};
  if (typeof alarms !== 'object' || alarms === null || Object.keys(alarms).length === 0) {
    check.fail(
      `watchdog.alarms (${show(props.alarms)}) names no alarm: give the fleet alarms (alarms: ` +
        '{ targetErrorRatePercent: 5 }), or set watchdog.alarms to { "<alarm name>": "blue" | "green" }.',
    );
  }
  for (const [alarm, slot] of Object.entries(alarms)) {
    if (Token.isUnresolved(alarm) || !ALARM_NAME.test(alarm)) {
      check.fail(`watchdog.alarms key ${show(alarm)} must be an alarm name (literal, 1 to 255 characters).`);
    }
    if (slot !== 'blue' && slot !== 'green') {
      check.fail(`watchdog.alarms["${alarm}"] (${show(slot)}) must be "blue" or "green": the slot the alarm watches.`);
    }
  }
  if (Object.keys(alarms).length > 20) {
    check.fail(
      `watchdog.alarms names ${Object.keys(alarms).length} alarms; the event pattern holds at most 20: ` +
        "watch the alarms of the fleet's own target groups.",
    );
  }
  if ((props.listenerArn === undefined) === (props.ruleArn === undefined)) {
    check.fail(
      'FleetWatchdog: set exactly one of listenerArn and ruleArn (the listener or rule that forwards to both slots).',
    );
  }
  if (props.activeSlot !== 'blue' && props.activeSlot !== 'green') {
    check.fail(`activeSlot (${show(props.activeSlot)}) must be "blue" or "green".`);
  }
  check.pattern(
    'watchdog.notificationTopicArn',
    props.notificationTopicArn,
    TOPIC_ARN,
    'an SNS topic ARN such as arn:aws:sns:eu-west-1:123456789012:releases',
  );
  check.pattern('watchdog.webhookUrl', props.webhookUrl, /^https?:\/\/\S+$/, 'an http(s) URL');
  const logRetentionDays = props.logRetentionDays ?? 365;
  if (isLiteral(logRetentionDays) && !LOG_RETENTIONS.includes(logRetentionDays)) {
    check.fail(
      `watchdog.logRetentionDays (${show(logRetentionDays)}) must be a retention CloudWatch Logs accepts: ` +
        `${LOG_RETENTIONS.join(', ')}.`,
    );
  }
  const maxEventAgeSeconds = props.maxEventAgeSeconds ?? 3600;
  check.integer('watchdog.maxEventAgeSeconds', maxEventAgeSeconds, 60, 21600);
  const retryAttempts = props.retryAttempts ?? 2;
  check.integer('watchdog.retryAttempts', retryAttempts, 0, 2);
  return { alarms, logRetentionDays, maxEventAgeSeconds, retryAttempts };
}

/** The alarms by name, sorted, so the environment is the same whatever order they were given in. */
function sortedAlarms(alarms: Readonly<Record<string, SlotName>>): Record<string, SlotName> {
  return Object.fromEntries(
    Object.keys(alarms)
      .sort()
      .map((alarm) => [alarm, alarms[alarm]]),
  );
}

/** The EventBridge pattern: CloudWatch state changes of exactly these alarms to ALARM. */
export function alarmEventPattern(alarms: readonly string[]): Record<string, unknown> {
  return {
    source: ['aws.cloudwatch'],
    'detail-type': ['CloudWatch Alarm State Change'],
    detail: { alarmName: [...alarms].sort(), state: { value: ['ALARM'] } },
  };
}

function lambdaTrustPolicy(): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  };
}

/** The function's permissions: each action on exactly the resource it needs. */
function watchdogPolicy(p: {
  readonly listenerArn?: string;
  readonly ruleArn?: string;
  readonly parameterArn: string;
  readonly logGroupArn: string;
  readonly queueArn: string;
  readonly topicArn?: string;
}): Record<string, unknown> {
  const statements: Record<string, unknown>[] = [
    p.listenerArn !== undefined
      ? {
          Sid: 'RestoreListener',
          Effect: 'Allow',
          Action: 'elasticloadbalancing:ModifyListener',
          Resource: p.listenerArn,
        }
      : { Sid: 'RestoreRule', Effect: 'Allow', Action: 'elasticloadbalancing:ModifyRule', Resource: p.ruleArn },
    {
      // Describe* actions of Elastic Load Balancing support no resource-level permissions
      Sid: 'ReadForwarding',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules'],
      Resource: '*',
    },
    {
      Sid: 'Record',
      Effect: 'Allow',
      Action: ['ssm:GetParameter', 'ssm:PutParameter'],
      Resource: p.parameterArn,
    },
    {
      Sid: 'Logs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: `${p.logGroupArn}:*`,
    },
    { Sid: 'DeadLetters', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: p.queueArn },
  ];
  if (p.topicArn !== undefined) {
    statements.push({ Sid: 'Notify', Effect: 'Allow', Action: 'sns:Publish', Resource: p.topicArn });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * Writes the package to a file named by its content under the system's temporary folder
 * (once per content), for the FILE asset, which copies it into the stack's output.
 */
function writePackage(zip: Buffer, fileName: string): string {
  const folder = join(tmpdir(), 'cdktf-immutable-watchdog');
  const path = join(folder, fileName);
  if (!existsSync(path) || !readFileSync(path).equals(zip)) {
    mkdirSync(folder, { recursive: true });
    writeFileSync(path, zip);
  }
  return path;
}
