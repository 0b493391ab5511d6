import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { Script } from 'vm';
import { WATCHDOG_HANDLER_SOURCE } from '../../lib/deploy/private/watchdog/handler-code';
import {
  WATCHDOG_ENVIRONMENT,
  watchdogHandlerSource,
  watchdogPackage,
} from '../../lib/deploy/private/watchdog/watchdog-package';
import { loadModuleFromSource } from '../support/load-module';

/*
 * The watchdog function's handler, loaded from the very text that is shipped, with fake AWS
 * clients. The event fixture has the shape of AWS's sample "CloudWatch Alarm State Change"
 * event for a single-metric (here metric math) alarm, with this fleet's names:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
 * (state.timestamp as CloudWatch writes it, "2026-06-01T12:05:01.915+0000"). The same
 * handler runs against moto in test/e2e/watchdog.e2e.test.ts.
 */
const watchdog = loadModuleFromSource(WATCHDOG_HANDLER_SOURCE);
const EVENT = JSON.parse(readFileSync(join(__dirname, '../fixtures/watchdog/alarm-state-change.json'), 'utf8'));

const BLUE_TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-blue/0000000000000001';
const GREEN_TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-green/0000000000000002';
const OTHER_TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/other/0000000000000003';
const LISTENER =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web/00000000000000aa/00000000000000bb';
const RULE =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/web/00000000000000aa/00000000000000bb/cc';
const STATE_CHANGED_AT = '2026-06-01T12:05:01.915Z';
const RESTORED_AT = new Date('2026-06-01T12:05:03.415Z');

const ENV = {
  WATCHDOG_LISTENER_ARN: LISTENER,
  WATCHDOG_BLUE_TARGET_GROUP_ARN: BLUE_TG,
  WATCHDOG_GREEN_TARGET_GROUP_ARN: GREEN_TG,
  WATCHDOG_ACTIVE_SLOT: 'blue',
  WATCHDOG_ALARMS: JSON.stringify({ 'web-green-5xx-rate': 'green', 'web-blue-5xx-rate': 'blue' }),
  WATCHDOG_RECORD_PARAMETER: '/cdktf-immutable/watchdog/web',
  WATCHDOG_SNS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:releases',
  WATCHDOG_WEBHOOK_URL: 'https://hooks.example.com/releases',
  WATCHDOG_FLEET: 'web',
};
const CONFIG = watchdog.readConfig(ENV);

/** A listener's default actions: an OIDC login, then a sticky weighted forward. */
function actions(blue: number, green: number, groups: Array<[string, number?]> = [[BLUE_TG], [GREEN_TG]]): any[] {
  const weights: Record<string, number> = { [BLUE_TG]: blue, [GREEN_TG]: green };
  return [
    {
      Type: 'authenticate-oidc',
      Order: 1,
      AuthenticateOidcConfig: { Issuer: 'https://login.example.com', ClientId: 'web' },
    },
    {
      Type: 'forward',
      Order: 2,
      ForwardConfig: {
        TargetGroups: groups.map(([arn, weight]) => ({ TargetGroupArn: arn, Weight: weight ?? weights[arn] })),
        TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 300 },
      },
    },
  ];
}

/** The fixture event with changes to its detail. */
function event(detail: Record<string, unknown> = {}, top: Record<string, unknown> = {}): any {
  return { ...EVENT, ...top, detail: { ...EVENT.detail, ...detail } };
}
const alarmOf = (name: string) => event({ alarmName: name });
const inState = (value: string) => event({ state: { ...EVENT.detail.state, value } });

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value));

/** AWS as the handler sees it: one listener (or rule), the SSM record, SNS; every call logged. */
class FakeAws {
  public calls: string[] = [];
  public puts: any[] = [];
  public published: Array<{ topic: string; subject: string; message: any }> = [];
  /** Errors to throw, per method, one per call, in order. */
  public failures: Record<string, Error[]> = {};

  constructor(
    public actions: any[],
    public record?: any,
  ) {}

  private fail(method: string): void {
    const error = this.failures[method]?.shift();
    if (error) {
      throw error;
    }
  }

  readActions = async (forwarder: { kind: string; arn: string }) => {
    this.calls.push(`readActions ${forwarder.kind}`);
    this.fail('readActions');
    return clone(this.actions);
  };
  writeActions = async (forwarder: { kind: string; arn: string }, actions: any[]) => {
    this.calls.push(`writeActions ${forwarder.kind} ${forwarder.arn}`);
    this.fail('writeActions');
    this.actions = clone(actions);
  };
  getRecord = async (name: string) => {
    this.calls.push(`getRecord ${name}`);
    this.fail('getRecord');
    return this.record === undefined ? undefined : clone(this.record);
  };
  putRecord = async (name: string, record: any) => {
    this.calls.push(`putRecord ${name} ${record.status}`);
    this.fail('putRecord');
    this.puts.push(clone(record));
    this.record = clone(record);
  };
  publish = async (topic: string, subject: string, message: string) => {
    this.calls.push('publish');
    this.fail('publish');
    this.published.push({ topic, subject, message: JSON.parse(message) });
  };
}

/** The handler's dependencies around a fake AWS; the webhook answers `webhookStatus`. */
function deps(aws: FakeAws, env: Record<string, string> = ENV, webhookStatus = 204) {
  const logs: any[] = [];
  const posts: any[] = [];
  return {
    logs,
    posts,
    deps: {
      env,
      aws,
      now: () => RESTORED_AT,
      log: (level: string, message: string, fields: object) => logs.push({ level, message, ...fields }),
      fetch: async (url: string, init: { method: string; headers: object; body: string }) => {
        aws.calls.push('webhook');
        posts.push({ url, method: init.method, headers: init.headers, body: JSON.parse(init.body) });
        return { ok: webhookStatus < 300, status: webhookStatus };
      },
    },
  };
}

const RESTORED_RECORD = {
  version: 1,
  by: 'watchdog',
  status: 'restored',
  fleet: 'web',
  alarm: 'web-green-5xx-rate',
  slot: 'green',
  reason: EVENT.detail.state.reason,
  stateChangedAt: STATE_CHANGED_AT,
  eventId: EVENT.id,
  forwarder: LISTENER,
  weightsBefore: { blue: 90, green: 10 },
  weightsAfter: { blue: 100, green: 0 },
  restoredAt: RESTORED_AT.toISOString(),
};

describe('decide (pure): event, configuration, actions and record to a decision', () => {
  test('a canary alarm in ALARM with canary weight restores: stable 100, canary 0, every other field kept', () => {
    const decision = watchdog.decide(EVENT, CONFIG, actions(90, 10), undefined);
    expect(decision).toMatchObject({
      action: 'restore',
      message: "canary alarm: restoring the stable slot's weights",
      weightsBefore: { blue: 90, green: 10 },
      weightsAfter: { blue: 100, green: 0 },
    });
    expect(decision.actions).toEqual(actions(100, 0));
  });

  test('with green active, an alarm of the blue canary restores green', () => {
    const config = watchdog.readConfig({ ...ENV, WATCHDOG_ACTIVE_SLOT: 'green' });
    const decision = watchdog.decide(alarmOf('web-blue-5xx-rate'), config, actions(25, 75), undefined);
    expect(decision).toMatchObject({ action: 'restore', weightsAfter: { blue: 0, green: 100 } });
    expect(decision.actions).toEqual(actions(0, 100));
  });

  test('weights that do not add up to 100 keep their sum on the stable slot; a missing weight counts 1', () => {
    expect(watchdog.decide(EVENT, CONFIG, actions(9, 1), undefined).weightsAfter).toEqual({ blue: 10, green: 0 });
    const unweighted = actions(0, 0, [
      [BLUE_TG, undefined],
      [GREEN_TG, undefined],
    ]);
    for (const group of unweighted[1].ForwardConfig.TargetGroups) {
      delete group.Weight;
    }
    expect(watchdog.decide(EVENT, CONFIG, unweighted, undefined).weightsAfter).toEqual({ blue: 2, green: 0 });
  });

  test('an alarm of the stable slot holds and changes nothing', () => {
    expect(watchdog.decide(alarmOf('web-blue-5xx-rate'), CONFIG, actions(90, 10), undefined)).toEqual({
      action: 'hold',
      level: 'warn',
      message: 'stable slot alarm: holding (the watchdog never moves traffic to a slot)',
    });
  });

  test('a canary that already has weight 0 is left alone', () => {
    expect(watchdog.decide(EVENT, CONFIG, actions(100, 0), undefined)).toMatchObject({
      action: 'ignore',
      message: 'the canary slot has weight 0: nothing to restore',
    });
  });

  test.each(['OK', 'INSUFFICIENT_DATA'])('state %s changes nothing', (state) => {
    expect(watchdog.decide(inState(state), CONFIG, actions(90, 10), undefined)).toEqual({
      action: 'ignore',
      level: 'info',
      message: `alarm state ${state}: nothing to do`,
    });
  });

  test('an alarm the watchdog does not know changes nothing', () => {
    expect(watchdog.decide(alarmOf('someone-elses-alarm'), CONFIG, actions(90, 10), undefined)).toMatchObject({
      action: 'ignore',
      message: 'unknown alarm: nothing changed',
    });
    // not inherited names either
    expect(watchdog.decide(alarmOf('toString'), CONFIG, actions(90, 10), undefined).action).toBe('ignore');
  });

  test.each([
    ['another detail-type', event({}, { 'detail-type': 'CloudWatch Alarm Configuration Change' })],
    ['another source', event({}, { source: 'aws.ec2' })],
    ['no alarm name', event({ alarmName: undefined })],
    ['no event', undefined],
  ])('%s is not an alarm state change: nothing changed', (_name, e) => {
    expect(watchdog.decide(e, CONFIG, actions(90, 10), undefined)).toMatchObject({
      action: 'ignore',
      message: 'not a CloudWatch alarm state change event: nothing changed',
    });
  });

  test.each([
    [
      'a plain forward to one target group',
      [{ Type: 'forward', TargetGroupArn: BLUE_TG }],
      "the forward action is not weighted between both slots' target groups",
    ],
    [
      'a forward that also sends to another target group',
      actions(80, 10, [[BLUE_TG], [GREEN_TG], [OTHER_TG, 10]]),
      'the forward action sends to a target group that is not one of the two slots',
    ],
    [
      'a forward listing a slot twice',
      actions(80, 10, [[BLUE_TG], [GREEN_TG], [GREEN_TG]]),
      'the forward action sends to a target group that is not one of the two slots',
    ],
    [
      'a redirect',
      [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', StatusCode: 'HTTP_301' } }],
      'the action is not one forward (found 0 forward actions)',
    ],
    [
      'two forwards',
      [...actions(90, 10).slice(1), ...actions(90, 10).slice(1)],
      'the action is not one forward (found 2 forward actions)',
    ],
  ])('a listener with %s changes nothing', (_name, listenerActions, problem) => {
    expect(watchdog.decide(EVENT, CONFIG, listenerActions, undefined)).toMatchObject({
      action: 'ignore',
      level: 'warn',
      message: `${problem}: nothing changed`,
    });
  });

  test('a stable slot with weight 0 (a configuration older than the last promote) holds', () => {
    expect(watchdog.decide(EVENT, CONFIG, actions(0, 100), undefined)).toMatchObject({
      action: 'hold',
      message:
        "the stable slot blue has weight 0 and the canary green all of it: the watchdog's configuration is older " +
        'than the last promote; holding, nothing changed',
    });
  });

  test('a record left "restoring" with the canary at 0 is completed (a retry after a failed final write)', () => {
    const pending = { ...RESTORED_RECORD, status: 'restoring', restoredAt: null };
    expect(watchdog.decide(EVENT, CONFIG, actions(100, 0), pending).action).toBe('finish-record');
    // not the record of another listener
    expect(watchdog.decide(EVENT, CONFIG, actions(100, 0), { ...pending, forwarder: RULE }).action).toBe('ignore');
  });

  test('an event no newer than a recorded abort changes nothing, even with the canary given weight again', () => {
    expect(watchdog.decide(EVENT, CONFIG, actions(90, 10), RESTORED_RECORD)).toMatchObject({
      action: 'ignore',
      message: 'the event is no newer than the recorded abort (a retry): nothing changed',
    });
    const later = event({ state: { ...EVENT.detail.state, timestamp: '2026-06-01T13:00:00.000+0000' } });
    expect(watchdog.decide(later, CONFIG, actions(90, 10), RESTORED_RECORD).action).toBe('restore');
  });
});

describe('eventInfo and readConfig', () => {
  test("the event's state time, as CloudWatch writes it, becomes ISO 8601; the reason is cut at 1000", () => {
    expect(watchdog.eventInfo(EVENT)).toEqual({
      alarm: 'web-green-5xx-rate',
      state: 'ALARM',
      previousState: 'OK',
      reason: EVENT.detail.state.reason,
      stateChangedAt: STATE_CHANGED_AT,
      eventId: EVENT.id,
    });
    const long = watchdog.eventInfo(event({ state: { ...EVENT.detail.state, reason: 'x'.repeat(1023) } }));
    expect(long.reason).toHaveLength(1000);
    const noTimestamp = event({ state: { value: 'ALARM', reason: 'r' } });
    expect(watchdog.eventInfo(noTimestamp).stateChangedAt).toBe('2026-06-01T12:05:02.000Z');
  });

  test('a listener configuration', () => {
    expect(CONFIG).toEqual({
      forwarder: { kind: 'listener', arn: LISTENER },
      targetGroups: { blue: BLUE_TG, green: GREEN_TG },
      active: 'blue',
      canary: 'green',
      alarms: { 'web-green-5xx-rate': 'green', 'web-blue-5xx-rate': 'blue' },
      recordParameter: '/cdktf-immutable/watchdog/web',
      snsTopicArn: 'arn:aws:sns:eu-west-1:123456789012:releases',
      webhookUrl: 'https://hooks.example.com/releases',
      fleet: 'web',
    });
  });

  test('a listener rule configuration, without the optional settings', () => {
    const { WATCHDOG_LISTENER_ARN, WATCHDOG_SNS_TOPIC_ARN, WATCHDOG_WEBHOOK_URL, WATCHDOG_FLEET, ...rest } = ENV;
    expect([WATCHDOG_LISTENER_ARN, WATCHDOG_SNS_TOPIC_ARN, WATCHDOG_WEBHOOK_URL, WATCHDOG_FLEET]).toHaveLength(4);
    expect(watchdog.readConfig({ ...rest, WATCHDOG_RULE_ARN: RULE })).toMatchObject({
      forwarder: { kind: 'rule', arn: RULE },
      snsTopicArn: '',
      webhookUrl: '',
      fleet: '',
    });
  });

  test('a bad configuration throws, naming every problem', () => {
    expect(() => watchdog.readConfig({})).toThrow(
      'watchdog configuration: set exactly one of WATCHDOG_LISTENER_ARN and WATCHDOG_RULE_ARN; ' +
        'set WATCHDOG_BLUE_TARGET_GROUP_ARN and WATCHDOG_GREEN_TARGET_GROUP_ARN to two target groups; ' +
        'set WATCHDOG_ACTIVE_SLOT to blue or green (it is undefined); ' +
        'set WATCHDOG_ALARMS to a JSON object of alarm name to slot (Unexpected end of JSON input); ' +
        'set WATCHDOG_RECORD_PARAMETER to the SSM parameter of the abort record',
    );
    expect(() =>
      watchdog.readConfig({
        ...ENV,
        WATCHDOG_RULE_ARN: RULE,
        WATCHDOG_ALARMS: '{"a": "purple"}',
        WATCHDOG_WEBHOOK_URL: 'ftp://x',
      }),
    ).toThrow(
      'watchdog configuration: set exactly one of WATCHDOG_LISTENER_ARN and WATCHDOG_RULE_ARN; ' +
        'WATCHDOG_ALARMS gives the alarm "a" the slot "purple"; use blue or green; ' +
        'WATCHDOG_WEBHOOK_URL is not an http(s) URL',
    );
    expect(() => watchdog.readConfig({ ...ENV, WATCHDOG_ALARMS: '["a"]' })).toThrow(
      'set WATCHDOG_ALARMS to a JSON object of alarm name to slot, such as {"web-green-5xx": "green"}',
    );
  });
});

describe('the handler (run) with fake AWS clients', () => {
  test('restores the weights, records the abort (restoring, then restored), then notifies SNS and the webhook', async () => {
    const aws = new FakeAws(actions(90, 10));
    const { deps: d, logs, posts } = deps(aws);
    const result = await watchdog.run(EVENT, d);
    expect(aws.calls).toEqual([
      'readActions listener',
      'getRecord /cdktf-immutable/watchdog/web',
      'putRecord /cdktf-immutable/watchdog/web restoring',
      `writeActions listener ${LISTENER}`,
      'putRecord /cdktf-immutable/watchdog/web restored',
      'publish',
      'webhook',
    ]);
    expect(aws.actions).toEqual(actions(100, 0));
    expect(aws.puts[0]).toEqual({ ...RESTORED_RECORD, status: 'restoring', restoredAt: null });
    expect(aws.record).toEqual(RESTORED_RECORD);
    expect(JSON.stringify(aws.record).length).toBeLessThan(4096);
    expect(result).toEqual({
      action: 'restore',
      message: "canary alarm: restoring the stable slot's weights",
      record: RESTORED_RECORD,
      secondsFromStateChange: 1.5,
    });
    expect(aws.published).toEqual([
      {
        topic: ENV.WATCHDOG_SNS_TOPIC_ARN,
        subject: 'cdktf-immutable: canary aborted by the watchdog (web)',
        message: { event: 'aborted', ...RESTORED_RECORD },
      },
    ]);
    expect(posts).toEqual([
      {
        url: ENV.WATCHDOG_WEBHOOK_URL,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: { event: 'aborted', ...RESTORED_RECORD },
      },
    ]);
    expect(logs.map((l) => [l.level, l.message])).toEqual([
      ['info', 'canary alarm: stable weights restored'],
      ['info', 'notified'],
      ['info', 'notified'],
    ]);
    expect(logs[0]).toMatchObject({
      fleet: 'web',
      alarm: 'web-green-5xx-rate',
      state: 'ALARM',
      eventId: EVENT.id,
      forwarder: LISTENER,
      weightsBefore: { blue: 90, green: 10 },
      weightsAfter: { blue: 100, green: 0 },
      secondsFromStateChange: 1.5,
    });
  });

  test('the record stays under the 4 KB of a standard SSM parameter at the longest alarm name and reason', async () => {
    const name = 'a'.repeat(255);
    const aws = new FakeAws(actions(90, 10));
    const env = { ...ENV, WATCHDOG_ALARMS: JSON.stringify({ [name]: 'green' }), WATCHDOG_FLEET: 'f'.repeat(128) };
    const reason = '"'.repeat(1023); // each quote doubles in JSON
    await watchdog.run(event({ alarmName: name, state: { ...EVENT.detail.state, reason } }), deps(aws, env).deps);
    expect(aws.record.reason).toHaveLength(1000);
    expect(JSON.stringify(aws.record).length).toBeLessThan(4096);
  });

  test('a listener rule is modified through the rule', async () => {
    const aws = new FakeAws(actions(50, 50));
    const { WATCHDOG_LISTENER_ARN: _listener, ...env } = ENV;
    await watchdog.run(EVENT, deps(aws, { ...env, WATCHDOG_RULE_ARN: RULE }).deps);
    expect(aws.calls).toContain(`writeActions rule ${RULE}`);
    expect(aws.actions).toEqual(actions(100, 0));
  });

  test('a second event after the restore changes nothing and does not overwrite the record', async () => {
    const aws = new FakeAws(actions(90, 10));
    await watchdog.run(EVENT, deps(aws).deps);
    aws.calls = [];
    const retry = deps(aws);
    const again = await watchdog.run(EVENT, retry.deps);
    expect(again).toEqual({
      action: 'ignore',
      message: 'the canary slot has weight 0: nothing to restore',
      weightsBefore: { blue: 100, green: 0 },
    });
    // another canary alarm later: still nothing written
    const other = {
      ...ENV,
      WATCHDOG_ALARMS: JSON.stringify({ 'web-green-5xx-rate': 'green', 'web-green-p99': 'green' }),
    };
    await watchdog.run(alarmOf('web-green-p99'), deps(aws, other).deps);
    expect(aws.calls.filter((c) => !c.startsWith('readActions') && !c.startsWith('getRecord'))).toEqual([]);
    expect(aws.record).toEqual(RESTORED_RECORD);
    expect(retry.logs).toEqual([
      expect.objectContaining({ level: 'info', message: 'the canary slot has weight 0: nothing to restore' }),
    ]);
  });

  test('an alarm of the stable slot reads nothing and writes nothing', async () => {
    const aws = new FakeAws(actions(90, 10));
    const { deps: d, logs } = deps(aws);
    const result = await watchdog.run(alarmOf('web-blue-5xx-rate'), d);
    expect(result.action).toBe('hold');
    expect(aws.calls).toEqual([]);
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'warn',
        message: 'stable slot alarm: holding (the watchdog never moves traffic to a slot)',
      }),
    ]);
  });

  test('a failed notification is logged and neither undoes nor blocks the restore', async () => {
    const aws = new FakeAws(actions(90, 10));
    aws.failures.publish = [Object.assign(new Error('topic gone'), { name: 'NotFoundException' })];
    const { deps: d, logs } = deps(aws, ENV, 500);
    const result = await watchdog.run(EVENT, d);
    expect(result.action).toBe('restore');
    expect(aws.actions).toEqual(actions(100, 0));
    expect(aws.record).toEqual(RESTORED_RECORD);
    expect(logs.filter((l) => l.level === 'error')).toEqual([
      expect.objectContaining({ channel: 'sns', error: 'NotFoundException: topic gone' }),
      expect.objectContaining({ channel: 'webhook', error: 'Error: HTTP 500' }),
    ]);
  });

  test('an error reading the listener is thrown (Lambda retries) and nothing is written', async () => {
    const aws = new FakeAws(actions(90, 10));
    aws.failures.readActions = [Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })];
    await expect(watchdog.run(EVENT, deps(aws).deps)).rejects.toThrow('Rate exceeded');
    expect(aws.puts).toEqual([]);
  });

  test('an error modifying the listener is thrown; the retry restores and completes the record', async () => {
    const aws = new FakeAws(actions(90, 10));
    aws.failures.writeActions = [Object.assign(new Error('Access denied'), { name: 'AccessDenied' })];
    const first = deps(aws);
    await expect(watchdog.run(EVENT, first.deps)).rejects.toThrow('Access denied');
    expect(aws.actions).toEqual(actions(90, 10));
    expect(aws.record.status).toBe('restoring');
    expect(first.logs).toEqual([
      expect.objectContaining({ level: 'error', message: 'cannot restore the weights (Lambda retries)' }),
    ]);
    const retry = await watchdog.run(EVENT, deps(aws).deps);
    expect(retry.action).toBe('restore');
    expect(aws.record).toEqual(RESTORED_RECORD);
  });

  test('a failed final record write is thrown; the retry (canary at 0) completes the record and notifies', async () => {
    const aws = new FakeAws(actions(90, 10));
    aws.failures.putRecord = [undefined as any, new Error('SSM unavailable')];
    await expect(watchdog.run(EVENT, deps(aws).deps)).rejects.toThrow('SSM unavailable');
    expect(aws.actions).toEqual(actions(100, 0));
    expect(aws.record.status).toBe('restoring');
    expect(aws.published).toEqual([]);
    aws.calls = [];
    const retry = await watchdog.run(EVENT, deps(aws).deps);
    expect(retry.action).toBe('finish-record');
    expect(aws.record).toEqual(RESTORED_RECORD);
    expect(aws.calls).toEqual([
      'readActions listener',
      'getRecord /cdktf-immutable/watchdog/web',
      'putRecord /cdktf-immutable/watchdog/web restored',
      'publish',
      'webhook',
    ]);
  });

  test('a failed first record write, or an unreadable record, does not delay the restore', async () => {
    const aws = new FakeAws(actions(90, 10));
    aws.failures.getRecord = [new Error('SSM unavailable')];
    aws.failures.putRecord = [new Error('SSM unavailable')];
    const { deps: d, logs } = deps(aws);
    const result = await watchdog.run(EVENT, d);
    expect(result.action).toBe('restore');
    expect(aws.actions).toEqual(actions(100, 0));
    expect(aws.record).toEqual(RESTORED_RECORD);
    expect(logs.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      'cannot read the abort record; deciding without it',
      'cannot write the abort record',
    ]);
  });

  test('a bad configuration is thrown before any call', async () => {
    const aws = new FakeAws(actions(90, 10));
    await expect(watchdog.run(EVENT, deps(aws, { ...ENV, WATCHDOG_ACTIVE_SLOT: '' }).deps)).rejects.toThrow(
      'watchdog configuration: set WATCHDOG_ACTIVE_SLOT to blue or green (it is "")',
    );
    expect(aws.calls).toEqual([]);
  });

  test('the default log writes one JSON object per line', () => {
    const spy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      watchdog.log('warn', 'stable slot alarm: holding', { alarm: 'a' });
      expect(spy).toHaveBeenCalledTimes(1);
      expect(JSON.parse(spy.mock.calls[0][0])).toEqual({
        level: 'warn',
        message: 'stable slot alarm: holding',
        source: 'cdktf-immutable-watchdog',
        alarm: 'a',
      });
    } finally {
      spy.mockRestore();
    }
  });
});

describe('the shipped source and package', () => {
  test('the source is plain JavaScript that compiles, with no template syntax', () => {
    expect(() => new Script(WATCHDOG_HANDLER_SOURCE, { filename: 'index.js' })).not.toThrow();
    expect(WATCHDOG_HANDLER_SOURCE).not.toMatch(/`|\$\{/);
    expect(watchdogHandlerSource()).toBe(WATCHDOG_HANDLER_SOURCE);
    expect(typeof watchdog.handler).toBe('function');
  });

  test("it requires only the Lambda runtime's own AWS SDK clients", () => {
    const required = [...WATCHDOG_HANDLER_SOURCE.matchAll(/require\('([^']+)'\)/g)].map((m) => m[1]).sort();
    expect(required).toEqual([
      '@aws-sdk/client-elastic-load-balancing-v2',
      '@aws-sdk/client-sns',
      '@aws-sdk/client-ssm',
    ]);
  });

  test('it reads every variable of WATCHDOG_ENVIRONMENT, and no other', () => {
    const read = new Set([...WATCHDOG_HANDLER_SOURCE.matchAll(/env\.(WATCHDOG_[A-Z_]+)/g)].map((m) => m[1]));
    expect([...read].sort()).toEqual(Object.values(WATCHDOG_ENVIRONMENT).sort());
  });

  test('the package is byte-identical across builds, and its hash and file name follow its bytes', () => {
    const first = watchdogPackage();
    const second = watchdogPackage();
    expect(second.zip.equals(first.zip)).toBe(true);
    expect(first.sha256).toBe(createHash('sha256').update(first.zip).digest('base64'));
    expect(first.fileName).toBe(`watchdog-${createHash('sha256').update(first.zip).digest('hex').slice(0, 12)}.zip`);
    // one stored entry, index.js, holding the source
    const source = Buffer.from(WATCHDOG_HANDLER_SOURCE, 'utf8');
    expect(first.zip.indexOf(source)).toBeGreaterThan(0);
    expect(first.zip.subarray(30, 38).toString()).toBe('index.js');
    expect(first.zip.length).toBe(30 + 8 + source.length + 46 + 8 + 22);
  });
});
