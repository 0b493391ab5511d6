import { awsRolloutReader, RolloutAwsError } from '../../bin/cli/rollout-aws';
import {
  advanceRollout,
  decideAdvance,
  emptyRelease,
  formatReleaseFile,
  parseDuration,
  parseReleaseFile,
  parseSteps,
  promoteRelease,
  ReleaseFile,
  ReleaseRefusedError,
  rollbackRelease,
  RolloutInputError,
  stageRelease,
  startRollout,
} from '../../lib/release';

const AMI_1 = 'ami-0123456789abcdef0';
const AMI_2 = 'ami-0fedcba9876543210';
const T0 = new Date('2026-06-01T12:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/** blue active with AMI_1, AMI_2 staged in green. */
function staged(extra: Partial<ReleaseFile> = {}): ReleaseFile {
  let release = emptyRelease('prod');
  release = stageRelease(release, { image: AMI_1, source: '--image', now: T0 });
  release = stageRelease(release, { image: AMI_2, source: '--image', now: T0 });
  return { ...release, ...extra };
}

/** A running rollout 10 -> 50 -> 100, bake 60s, alarm web-green-5xx-rate, started at T0. */
function running(): ReleaseFile {
  return startRollout(staged(), {
    steps: [10, 50, 100],
    bakeSeconds: 60,
    alarms: ['web-green-5xx-rate'],
    fleet: 'web',
    now: T0,
  });
}

/** The release with its current step recorded as served at `when` (what the first advance that sees it served writes). */
function servedAt(release: ReleaseFile, when: Date = T0): ReleaseFile {
  return { ...release, rollout: { ...release.rollout!, stepServedAt: when.toISOString() } };
}

/** running(), its first step served at T0. */
function served(): ReleaseFile {
  return servedAt(running());
}

// ---- a fake AWS behind the SDK clients' send(command) ---------------------------------

const BLUE_TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-blue/0000000000000001';
const GREEN_TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-green/0000000000000002';
const OTHER_TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/other/0000000000000003';
const LB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/00000000000000aa';
const LISTENER =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web/00000000000000aa/00000000000000bb';

interface World {
  alarms: Array<{ AlarmName: string; StateValue: string; StateReason: string }>;
  weights?: { blue: number; green: number };
  /** forward through a listener rule instead of the default action (an existing listener) */
  viaRule?: boolean;
  health: { blue: string[]; green: string[] };
  /**
   * The auto scaling groups per slot (their DesiredCapacity); by default one group per slot
   * whose desired capacity is the slot's number of non-draining targets.
   */
  groups?: { blue: number[]; green: number[] };
  fail?: Error;
  /** only the auto scaling client fails */
  failAutoScaling?: Error;
}

function fakeAws(world: World) {
  const calls: Array<{ command: string; input: any }> = [];
  /** The auto scaling client's calls (a separate client, so a separate log). */
  const asgCalls: Array<{ command: string; input: any }> = [];
  const forward = () => ({
    Type: 'forward',
    ForwardConfig: {
      TargetGroups: [
        { TargetGroupArn: BLUE_TG, Weight: world.weights!.blue },
        { TargetGroupArn: GREEN_TG, Weight: world.weights!.green },
      ],
    },
  });
  const send = async (command: any) => {
    const name = command.constructor.name as string;
    calls.push({ command: name, input: command.input });
    if (world.fail) {
      throw world.fail;
    }
    switch (name) {
      case 'DescribeAlarmsCommand':
        return {
          MetricAlarms: world.alarms.filter((a) => command.input.AlarmNames.includes(a.AlarmName)),
          CompositeAlarms: [],
        };
      case 'DescribeTargetGroupsCommand':
        return {
          TargetGroups: [
            { TargetGroupArn: OTHER_TG, LoadBalancerArns: [] },
            { TargetGroupArn: BLUE_TG, LoadBalancerArns: [LB] },
            { TargetGroupArn: GREEN_TG, LoadBalancerArns: [LB] },
          ],
        };
      case 'DescribeTagsCommand':
        return {
          TagDescriptions: command.input.ResourceArns.map((arn: string) => ({
            ResourceArn: arn,
            Tags:
              arn === OTHER_TG
                ? [
                    { Key: 'cdktf-immutable:fleet', Value: 'other' },
                    { Key: 'cdktf-immutable:slot', Value: 'blue' },
                  ]
                : [
                    { Key: 'cdktf-immutable:fleet', Value: 'web' },
                    { Key: 'cdktf-immutable:slot', Value: arn === BLUE_TG ? 'blue' : 'green' },
                  ],
          })),
        };
      case 'DescribeTargetHealthCommand': {
        const states = command.input.TargetGroupArn === BLUE_TG ? world.health.blue : world.health.green;
        return {
          TargetHealthDescriptions: states.map((State, i) => ({ Target: { Id: `i-${i}` }, TargetHealth: { State } })),
        };
      }
      case 'DescribeListenersCommand':
        return {
          Listeners: [
            {
              ListenerArn: LISTENER,
              DefaultActions: world.weights && !world.viaRule ? [forward()] : [{ Type: 'fixed-response' }],
            },
          ],
        };
      case 'DescribeRulesCommand':
        return { Rules: world.weights && world.viaRule ? [{ RuleArn: `${LISTENER}/rule`, Actions: [forward()] }] : [] };
      default:
        throw new Error(`unexpected command ${name}`);
    }
  };
  const groups = world.groups ?? {
    blue: [world.health.blue.filter((state) => state !== 'draining').length],
    green: [world.health.green.filter((state) => state !== 'draining').length],
  };
  const autoScalingSend = async (command: any) => {
    const name = command.constructor.name as string;
    asgCalls.push({ command: name, input: command.input });
    if (world.fail ?? world.failAutoScaling) {
      throw world.fail ?? world.failAutoScaling;
    }
    if (name !== 'DescribeAutoScalingGroupsCommand') {
      throw new Error(`unexpected command ${name}`);
    }
    const tag = (fleet: string, slot: string) => [
      { Key: 'cdktf-immutable:fleet', Value: fleet },
      { Key: 'cdktf-immutable:slot', Value: slot },
      { Key: 'cdktf-immutable:generation', Value: 'abc' },
    ];
    const all = [
      ...(['blue', 'green'] as const).flatMap((slot) =>
        groups[slot].map((desired, i) => ({
          AutoScalingGroupName: `web-${slot}-${i}`,
          DesiredCapacity: desired,
          Tags: tag('web', slot),
        })),
      ),
      { AutoScalingGroupName: 'other-green', DesiredCapacity: 9, Tags: tag('other', 'green') },
    ];
    const filter = command.input.Filters?.find((f: any) => f.Name === 'tag:cdktf-immutable:fleet');
    const matching = all.filter(
      (group) =>
        !filter || group.Tags.some((t) => t.Key === 'cdktf-immutable:fleet' && filter.Values.includes(t.Value)),
    );
    // two pages, to exercise NextToken
    return command.input.NextToken === undefined
      ? { AutoScalingGroups: matching.slice(0, 1), NextToken: matching.length > 1 ? 'page-2' : undefined }
      : { AutoScalingGroups: matching.slice(1) };
  };
  return {
    reader: awsRolloutReader({ cloudWatch: { send }, elbv2: { send }, autoScaling: { send: autoScalingSend } }),
    calls,
    asgCalls,
  };
}

const ok = (name = 'web-green-5xx-rate') => ({
  AlarmName: name,
  StateValue: 'OK',
  StateReason: 'Threshold Crossed: no datapoints',
});
const healthy = { blue: ['healthy', 'healthy'], green: ['healthy', 'healthy'] };

describe('durations and steps', () => {
  test('durations: 0s to 24h, with units', () => {
    expect(parseDuration('30s')).toBe(30);
    expect(parseDuration('10m')).toBe(600);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('0s')).toBe(0);
    expect(parseDuration('24h')).toBe(86400);
    expect(() => parseDuration('25h')).toThrow('--bake "25h" is 90000s, more than 24h; use 0s to 24h, such as 10m.');
    expect(() => parseDuration('10')).toThrow(
      /--bake "10" is not a duration; use a number with a unit, such as 30s, 10m, 1h/,
    );
    expect(() => parseDuration('-5m')).toThrow(RolloutInputError);
    expect(() => parseDuration('')).toThrow(RolloutInputError);
  });

  test('steps: strictly increasing whole percentages from 1 to 100, ending at 100', () => {
    expect(parseSteps('10,50,100')).toEqual([10, 50, 100]);
    expect(parseSteps('100')).toEqual([100]);
    expect(() => parseSteps('10,50,50,100')).toThrow(
      '--steps "10,50,50,100" is not strictly increasing (50 then 50); list each weight once, smallest first, such as 10,50,100.',
    );
    expect(() => parseSteps('10,50')).toThrow(
      '--steps "10,50" ends at 50, not 100; end with 100 so that the rollout completes, such as 10,50,100.',
    );
    expect(() => parseSteps('0,50,100')).toThrow(/has 0; every step must be a whole percentage from 1 to 100/);
    expect(() => parseSteps('10,150')).toThrow(/has 150/);
    expect(() => parseSteps('10,x,100')).toThrow(/must be whole percentages separated by commas/);
  });
});

describe('the release file with a rollout and a policy', () => {
  test('round trip; a file without them keeps its shape', () => {
    const release = {
      ...running(),
      policy: { steps: [5, 100], bakeSeconds: 300, alarms: ['a'], fleet: 'web', requireRollout: true },
    };
    const text = formatReleaseFile(release);
    expect(parseReleaseFile(text, 'prod.json')).toEqual(release);
    expect(formatReleaseFile(staged())).not.toMatch(/rollout|policy/);
  });

  test('a running rollout must match the canary', () => {
    const text = formatReleaseFile(running()).replace('"canary": 10', '"canary": 20');
    expect(() => parseReleaseFile(text, 'prod.json')).toThrow(
      'prod.json: "canary" is 20 but the running rollout is at step 1 of 3 (10%); set "canary" to 10, or end the rollout with "cdktf-immutable release rollback <env>".',
    );
  });

  test('bad rollout and policy fields name the file, the field, the value and the fix', () => {
    const file = (change: (data: any) => void) => {
      const data = JSON.parse(formatReleaseFile(running()));
      change(data);
      return () => parseReleaseFile(JSON.stringify(data), 'prod.json');
    };
    expect(
      file((d) => {
        d.rollout.steps = [10, 5, 100];
      }),
    ).toThrow(/prod.json: "rollout.steps" \(\[10,5,100\]\) is not strictly increasing/);
    expect(
      file((d) => {
        d.rollout.bakeSeconds = 90000;
      }),
    ).toThrow('prod.json: "rollout.bakeSeconds" is 90000; use whole seconds from 0 to 86400.');
    expect(
      file((d) => {
        d.rollout.status = 'paused';
      }),
    ).toThrow('prod.json: "rollout.status" is "paused"; use "running", "complete" or "aborted".');
    expect(
      file((d) => {
        d.rollout.step = 7;
      }),
    ).toThrow(/"rollout.step" is 7; use an index into rollout.steps, 0 to 2/);
    expect(
      file((d) => {
        d.rollout.colour = 'x';
      }),
    ).toThrow(/"rollout.colour" is not a rollout field; remove it/);
    expect(
      file((d) => {
        d.rollout.fleet = 'Web Prod';
      }),
    ).toThrow(/"rollout.fleet" is "Web Prod"/);
    expect(
      file((d) => {
        d.rollout.status = 'aborted';
      }),
    ).toThrow(/"rollout.status" is "aborted" but "rollout.abort" is missing/);
    expect(
      file((d) => {
        d.policy = { steps: [50, 10] };
      }),
    ).toThrow(/prod.json: "policy.steps" \(\[50,10\]\) is not strictly increasing/);
    expect(
      file((d) => {
        d.policy = { bakeSeconds: -1 };
      }),
    ).toThrow('prod.json: "policy.bakeSeconds" is -1; use whole seconds from 0 to 86400 (24h), e.g. 600.');
    expect(
      file((d) => {
        d.policy = { requireRollout: 'yes' };
      }),
    ).toThrow('prod.json: "policy.requireRollout" is "yes"; use true or false.');
    expect(
      file((d) => {
        d.policy = { alarms: ['a', 'a'] };
      }),
    ).toThrow(/"policy.alarms": policy.alarms "a" is given twice/);
    expect(
      file((d) => {
        d.policy = { bake: 5 };
      }),
    ).toThrow(
      /"policy.bake" is not a policy field; remove it \(fields: steps, bakeSeconds, alarms, fleet, requireRollout, stageFrom, freeze, roleArn, analysis, verify, testUrl, notify\)/,
    );
  });
});

describe('startRollout', () => {
  test('records the rollout and writes the first step at once', () => {
    const release = running();
    expect(release).toMatchObject({ active: 'blue', canary: 10, previous: null });
    expect(release.rollout).toEqual({
      steps: [10, 50, 100],
      bakeSeconds: 60,
      alarms: ['web-green-5xx-rate'],
      // the fleet's own alarm is bound to its slot by its name
      alarmSlots: { 'web-green-5xx-rate': 'green' },
      fleet: 'web',
      step: 0,
      startedAt: T0.toISOString(),
      stepStartedAt: T0.toISOString(),
      status: 'running',
      endedAt: null,
    });
  });

  test('the policy gives the defaults; alarms add up', () => {
    const release = startRollout(
      staged({ policy: { steps: [25, 100], bakeSeconds: 30, alarms: ['a@stable'], fleet: 'web' } }),
      { alarms: ['b@canary'], now: T0 },
    );
    expect(release.rollout).toMatchObject({
      steps: [25, 100],
      bakeSeconds: 30,
      alarms: ['a', 'b'],
      alarmSlots: { a: 'blue', b: 'green' },
      fleet: 'web',
    });
    expect(release.canary).toBe(25);
    expect(release.policy).toEqual({ steps: [25, 100], bakeSeconds: 30, alarms: ['a@stable'], fleet: 'web' });
    // without a bake time anywhere: 10 minutes
    expect(startRollout(staged(), { steps: [10, 100], fleet: 'web', now: T0 }).rollout!.bakeSeconds).toBe(600);
  });

  test('a single step of 100 is a full promote and completes at once', () => {
    const release = startRollout(staged(), { steps: [100], fleet: 'web', now: T0 });
    expect(release).toMatchObject({
      active: 'green',
      previous: 'blue',
      canary: 0,
      rollout: { status: 'complete', endedAt: T0.toISOString() },
    });
  });

  test('refusals: no steps, no fleet, requireRollout without alarms, a rollout already running, plain promote under requireRollout', () => {
    expect(() => startRollout(staged(), { fleet: 'web', now: T0 })).toThrow(/prod: no steps: give --steps/);
    expect(() => startRollout(staged(), { steps: [10, 100], now: T0 })).toThrow(
      /prod: no fleet: give --fleet-tag <name>/,
    );
    const strict = staged({ policy: { steps: [10, 100], fleet: 'web', requireRollout: true } });
    expect(() => startRollout(strict, { now: T0 })).toThrow(ReleaseRefusedError);
    expect(() => startRollout(strict, { now: T0 })).toThrow(/requires alarms .* add --alarm <name>/);
    expect(() => promoteRelease(strict)).toThrow(
      /requires a rollout .* a plain promote is refused and nothing was written; promote with steps and alarms: "cdktf-immutable release promote prod --steps 10,50,100 --bake 10m --alarm <name>"/,
    );
    expect(() => promoteRelease(strict, 20)).toThrow(/a --canary promote is refused/);
    expect(() => startRollout(running(), { steps: [10, 100], fleet: 'web', now: T0 })).toThrow(
      'prod: a rollout is running (step 1 of 3, 10% to slot green), so promote is refused and nothing was written. Move it on with "cdktf-immutable release advance prod", or end it with "cdktf-immutable release rollback prod".',
    );
    expect(() => startRollout(staged(), { steps: [10, 100], fleet: 'web', alarms: ['a', 'a'], now: T0 })).toThrow(
      /--alarm "a" is given twice/,
    );
  });

  test('while a rollout runs, stage and promote are refused; rollback aborts it, marked as by hand', () => {
    const release = running();
    expect(() => stageRelease(release, { image: 'ami-0aaaaaaaaaaaaaaaa', source: '--image', now: T0 })).toThrow(
      /a rollout is running .* so stage is refused/,
    );
    expect(() => promoteRelease(release, 0)).toThrow(/so promote is refused/);
    const rolledBack = rollbackRelease(release, { now: at(5) });
    expect(rolledBack).toMatchObject({
      active: 'blue',
      canary: 0,
      slots: { green: { rolledBackAt: at(5).toISOString() } },
    });
    expect(rolledBack.rollout).toMatchObject({
      status: 'aborted',
      endedAt: at(5).toISOString(),
      abort: { by: 'rollback', reason: 'rolled back by hand at step 1 of 3 (10%)' },
    });
    // the result is a valid file
    expect(parseReleaseFile(formatReleaseFile(rolledBack), 'prod.json')).toEqual(rolledBack);
  });
});

describe('advanceRollout: every transition, AWS mocked at client.send', () => {
  test('an alarm in ALARM aborts: traffic back to the active slot, the release file records why; the load balancer is not read', async () => {
    const { reader, calls } = fakeAws({
      alarms: [
        {
          AlarmName: 'web-green-5xx-rate',
          StateValue: 'ALARM',
          StateReason: 'Threshold Crossed: 1 datapoint [12.5] was greater than the threshold (5.0).',
        },
      ],
      weights: { blue: 90, green: 10 },
      health: healthy,
    });
    const outcome = await advanceRollout(running(), reader, () => at(10));
    expect(outcome.kind).toBe('aborted');
    expect(outcome.release).toMatchObject({
      active: 'blue',
      canary: 0,
      previous: null,
      slots: { green: { rolledBackAt: at(10).toISOString() } },
    });
    expect(outcome.release.rollout).toMatchObject({
      status: 'aborted',
      endedAt: at(10).toISOString(),
      abort: {
        by: 'alarm',
        alarm: 'web-green-5xx-rate',
        reason: 'Threshold Crossed: 1 datapoint [12.5] was greater than the threshold (5.0).',
      },
    });
    expect(outcome.message).toMatch(
      /rollout aborted at step 1 of 3 \(10% to slot green\): alarm "web-green-5xx-rate" of the canary slot green is in ALARM/,
    );
    expect(calls.map((c) => c.command)).toEqual(['DescribeAlarmsCommand']);
    expect(calls[0].input).toMatchObject({
      AlarmNames: ['web-green-5xx-rate'],
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
    expect(parseReleaseFile(formatReleaseFile(outcome.release), 'prod.json')).toEqual(outcome.release);
  });

  test('an unknown alarm is bad input naming it; nothing decided', async () => {
    const { reader } = fakeAws({ alarms: [], weights: { blue: 90, green: 10 }, health: healthy });
    await expect(advanceRollout(running(), reader, () => at(100))).rejects.toThrow(RolloutInputError);
    await expect(advanceRollout(running(), reader, () => at(100))).rejects.toThrow(
      /CloudWatch has no alarm named "web-green-5xx-rate" \(rollout.alarms\); nothing was written/,
    );
  });

  test('the load balancer does not serve the recorded weights yet: wait for the deploy', async () => {
    const { reader } = fakeAws({ alarms: [ok()], weights: { blue: 100, green: 0 }, health: healthy });
    const release = running();
    const outcome = await advanceRollout(release, reader, () => at(100));
    expect(outcome).toMatchObject({ kind: 'waiting', deployPending: true });
    expect(outcome.release).toBe(release);
    expect(outcome.message).toBe(
      'prod: waiting at step 1 of 3 (10% to slot green): the load balancer serves blue 100% / green 0% but the release file says blue 90% / green 10%; deploy the stack, then run advance again.',
    );
  });

  test('no listener forwards to the fleet yet: wait for the deploy', async () => {
    const { reader } = fakeAws({ alarms: [ok()], health: healthy });
    const outcome = await advanceRollout(running(), reader, () => at(100));
    expect(outcome).toMatchObject({ kind: 'waiting', deployPending: true });
    expect(outcome.message).toMatch(/no listener or listener rule forwards to both target groups of fleet "web"/);
  });

  test('targets of a slot with traffic not all healthy: wait', async () => {
    const { reader } = fakeAws({
      alarms: [ok()],
      weights: { blue: 90, green: 10 },
      health: { blue: ['healthy'], green: ['healthy', 'initial'] },
    });
    const outcome = await advanceRollout(served(), reader, () => at(100));
    expect(outcome).toMatchObject({ kind: 'waiting', deployPending: false });
    expect(outcome.message).toMatch(/slot green has 1 healthy of 2 registered target\(s\)/);
    // draining targets do not count; no target at all does not pass
    const draining = fakeAws({
      alarms: [ok()],
      weights: { blue: 90, green: 10 },
      health: { blue: ['healthy', 'draining'], green: ['healthy'] },
    });
    expect((await advanceRollout(served(), draining.reader, () => at(100))).kind).toBe('stepped');
    const empty = fakeAws({
      alarms: [ok()],
      weights: { blue: 90, green: 10 },
      health: { blue: ['healthy'], green: [] },
    });
    expect((await advanceRollout(running(), empty.reader, () => at(100))).kind).toBe('waiting');
  });

  test('bake time not passed: nothing changes, time left is said', async () => {
    const { reader } = fakeAws({ alarms: [ok()], weights: { blue: 90, green: 10 }, health: healthy });
    const release = served();
    const outcome = await advanceRollout(release, reader, () => at(15));
    expect(outcome).toMatchObject({ kind: 'baking', secondsLeft: 45 });
    expect(outcome.release).toBe(release);
    expect(outcome.message).toMatch(/baking step 1 of 3 \(10% to slot green\): 45s left of 1m/);
  });

  test('bake passed: the next step is written', async () => {
    const { reader, calls } = fakeAws({ alarms: [ok()], weights: { blue: 90, green: 10 }, health: healthy });
    const outcome = await advanceRollout(served(), reader, () => at(60));
    expect(outcome.kind).toBe('stepped');
    expect(outcome.release).toMatchObject({
      active: 'blue',
      canary: 50,
      rollout: { step: 1, stepStartedAt: at(60).toISOString(), startedAt: T0.toISOString(), status: 'running' },
    });
    expect(calls.map((c) => c.command)).toEqual([
      'DescribeAlarmsCommand',
      'DescribeTargetGroupsCommand',
      'DescribeTagsCommand',
      'DescribeTargetHealthCommand',
      'DescribeTargetHealthCommand',
      'DescribeListenersCommand',
    ]);
    expect(calls.find((c) => c.command === 'DescribeTagsCommand')!.input.ResourceArns).toEqual([
      OTHER_TG,
      BLUE_TG,
      GREEN_TG,
    ]);
    expect(calls.find((c) => c.command === 'DescribeListenersCommand')!.input.LoadBalancerArn).toBe(LB);
  });

  test('the last step completes the rollout like a full promote', async () => {
    const { reader } = fakeAws({ alarms: [ok()], weights: { blue: 50, green: 50 }, health: healthy });
    const second = servedAt(
      (
        await advanceRollout(
          served(),
          fakeAws({ alarms: [ok()], weights: { blue: 90, green: 10 }, health: healthy }).reader,
          () => at(60),
        )
      ).release,
      at(60),
    );
    const outcome = await advanceRollout(second, reader, () => at(120));
    expect(outcome.kind).toBe('completed');
    expect(outcome.release).toMatchObject({
      active: 'green',
      previous: 'blue',
      canary: 0,
      rollout: { step: 2, status: 'complete', endedAt: at(120).toISOString() },
    });
    expect(outcome.message).toMatch(
      /rollout complete: slot green is active \(100%\), slot blue is the rollback target/,
    );
    // and then there is nothing to advance
    await expect(advanceRollout(outcome.release, reader, () => at(200))).rejects.toThrow(
      /the last rollout is complete at .*; nothing to advance/,
    );
  });

  test('a listener rule on an existing listener carries the weights', async () => {
    const { reader, calls } = fakeAws({
      alarms: [ok()],
      weights: { blue: 9, green: 1 },
      viaRule: true,
      health: healthy,
    });
    expect((await advanceRollout(served(), reader, () => at(60))).kind).toBe('stepped');
    expect(calls.map((c) => c.command)).toContain('DescribeRulesCommand');
  });

  test('no rollout, or an aborted one: refused with a hint', async () => {
    const { reader } = fakeAws({ alarms: [ok()], weights: { blue: 100, green: 0 }, health: healthy });
    await expect(advanceRollout(staged(), reader, () => T0)).rejects.toThrow(
      'prod: no rollout is running; nothing to advance. Start one with "cdktf-immutable release promote prod --steps 10,50,100 --bake 10m --alarm <name>".',
    );
    const aborted = rollbackRelease(running(), { now: at(1) });
    await expect(advanceRollout(aborted, reader, () => T0)).rejects.toThrow(
      /the last rollout was aborted \(rolled back by hand at step 1 of 3 \(10%\)\)/,
    );
  });

  test('AWS failures become RolloutAwsError naming what to check', async () => {
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    const { reader } = fakeAws({ alarms: [], health: healthy, fail: noCredentials });
    await expect(advanceRollout(running(), reader, () => T0)).rejects.toThrow(RolloutAwsError);
    await expect(advanceRollout(running(), reader, () => T0)).rejects.toThrow(
      /CloudWatch DescribeAlarms: no AWS credentials .* set AWS_PROFILE/,
    );
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    await expect(
      advanceRollout(running(), fakeAws({ alarms: [], health: healthy, fail: refused }).reader, () => T0),
    ).rejects.toThrow(/cannot reach the AWS endpoint/);
  });

  test('a fleet whose target groups are not tagged: RolloutAwsError naming the tags', async () => {
    const release = startRollout(staged(), {
      steps: [10, 100],
      fleet: 'api',
      alarms: ['web-green-5xx-rate@canary'],
      now: T0,
    });
    const { reader } = fakeAws({ alarms: [ok()], weights: { blue: 90, green: 10 }, health: healthy });
    await expect(advanceRollout(release, reader, () => at(600))).rejects.toThrow(
      /no target groups tagged cdktf-immutable:fleet=api and cdktf-immutable:slot=blue\/green in this region/,
    );
  });

  test("healthy targets below the groups' desired count: wait, saying what for; at the desired count (extra targets still starting) it moves on", async () => {
    const short = fakeAws({
      alarms: [ok()],
      weights: { blue: 90, green: 10 },
      health: { blue: ['healthy'], green: ['healthy'] },
      groups: { blue: [1], green: [3] },
    });
    const outcome = await advanceRollout(served(), short.reader, () => at(100));
    expect(outcome).toMatchObject({ kind: 'waiting', deployPending: false });
    expect(outcome.release).toEqual(served());
    expect(outcome.message).toBe(
      "prod: waiting at step 1 of 3 (10% to slot green) for green: 1 of 1 targets healthy (desired 3); slot green has 1 healthy of 1 registered target(s), and advance moves on when at least 3 (its auto scaling groups' desired count, at least one) are healthy and none is unhealthy.",
    );
    expect(short.asgCalls.map((c) => c.command)).toEqual([
      'DescribeAutoScalingGroupsCommand',
      'DescribeAutoScalingGroupsCommand',
    ]);
    expect(short.asgCalls[0].input.Filters).toEqual([{ Name: 'tag:cdktf-immutable:fleet', Values: ['web'] }]);
    expect(short.asgCalls[1].input.NextToken).toBe('page-2');
    // three healthy of desired 3, a fourth still initial: enough
    const enough = fakeAws({
      alarms: [ok()],
      weights: { blue: 90, green: 10 },
      health: { blue: ['healthy'], green: ['healthy', 'healthy', 'healthy', 'initial'] },
      groups: { blue: [1], green: [3] },
    });
    expect((await advanceRollout(served(), enough.reader, () => at(100))).kind).toBe('stepped');
  });

  test("a slot's groups are summed (two generations during a replacement); other fleets' groups do not count", async () => {
    const two = fakeAws({
      alarms: [ok()],
      weights: { blue: 90, green: 10 },
      health: { blue: ['healthy'], green: ['healthy', 'healthy'] },
      groups: { blue: [1], green: [2, 1] },
    });
    const outcome = await advanceRollout(served(), two.reader, () => at(100));
    expect(outcome.kind).toBe('waiting');
    expect(outcome.message).toMatch(/for green: 2 of 2 targets healthy \(desired 3\)/);
    // the fake's "other" fleet has a green group with desired 9: not summed
    expect(outcome.message).not.toMatch(/desired (9|12)/);
  });

  test('an unhealthy target waits even when the desired count is healthy', async () => {
    const { reader } = fakeAws({
      alarms: [ok()],
      weights: { blue: 90, green: 10 },
      health: { blue: ['healthy'], green: ['healthy', 'healthy', 'unhealthy'] },
      groups: { blue: [1], green: [2] },
    });
    const outcome = await advanceRollout(served(), reader, () => at(100));
    expect(outcome).toMatchObject({ kind: 'waiting', deployPending: false });
    expect(outcome.message).toMatch(
      /for green: 2 of 3 targets healthy \(desired 2\), 1 unhealthy; slot green has 2 healthy of 3 registered/,
    );
  });

  test('desired 0 on a slot with traffic still needs one healthy target', async () => {
    const zero = fakeAws({
      alarms: [ok()],
      weights: { blue: 90, green: 10 },
      health: { blue: ['healthy'], green: [] },
      groups: { blue: [1], green: [0] },
    });
    expect((await advanceRollout(served(), zero.reader, () => at(100))).message).toMatch(
      /for green: 0 of 0 targets healthy \(desired 0\); .* at least 1 /,
    );
  });

  test('no auto scaling group tagged for a slot with traffic: wait for the deploy, naming the tags', async () => {
    const { reader } = fakeAws({
      alarms: [ok()],
      weights: { blue: 90, green: 10 },
      health: healthy,
      groups: { blue: [2], green: [] },
    });
    const outcome = await advanceRollout(served(), reader, () => at(100));
    expect(outcome).toMatchObject({ kind: 'waiting', deployPending: true });
    expect(outcome.message).toMatch(
      /no auto scaling group is tagged cdktf-immutable:fleet=web and cdktf-immutable:slot=green, so its desired capacity is unknown; deploy the fleet/,
    );
  });

  test('an Auto Scaling failure becomes RolloutAwsError naming the call', async () => {
    const denied = Object.assign(
      new Error('User is not authorized to perform: autoscaling:DescribeAutoScalingGroups'),
      { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } },
    );
    const { reader: failing } = fakeAws({
      alarms: [ok()],
      weights: { blue: 90, green: 10 },
      health: healthy,
      failAutoScaling: denied,
    });
    await expect(advanceRollout(served(), failing, () => at(100))).rejects.toThrow(
      /Auto Scaling DescribeAutoScalingGroups: AccessDenied \(HTTP 403\): User is not authorized/,
    );
  });

  test('the first advance that sees the step served and healthy records stepServedAt (one write); the bake counts from it', async () => {
    const { reader } = fakeAws({ alarms: [ok()], weights: { blue: 90, green: 10 }, health: healthy });
    // the deploy took 5 minutes: the step was written at T0, first served at +300s
    const first = await advanceRollout(running(), reader, () => at(300));
    expect(first).toMatchObject({ kind: 'served', servedAt: at(300).toISOString(), secondsLeft: 60 });
    expect(first.message).toMatch(
      new RegExp(
        `^prod: step 1 served since ${at(300).toISOString().replace(/\./g, '\\.')}; bake ends at ${at(360).toISOString().replace(/\./g, '\\.')} \\(1m\\)\\.`,
      ),
    );
    expect(first.release.rollout).toEqual({ ...running().rollout, stepServedAt: at(300).toISOString() });
    expect(first.release.canary).toBe(10);
    // the file holds it, and reads back
    expect(formatReleaseFile(first.release)).toMatch(
      /"stepStartedAt": "2026-06-01T12:00:00.000Z",\n {4}"stepServedAt": "2026-06-01T12:05:00.000Z",/,
    );
    expect(parseReleaseFile(formatReleaseFile(first.release), 'prod.json')).toEqual(first.release);
    // the bake counts from +300s, not from T0
    const baking = await advanceRollout(first.release, reader, () => at(330));
    expect(baking).toMatchObject({ kind: 'baking', secondsLeft: 30 });
    expect(baking.release).toBe(first.release);
    expect(baking.message).toMatch(/30s left of 1m \(served since 2026-06-01T12:05:00\.000Z\)/);
    // the next step is not served yet: its stepServedAt is cleared
    const stepped = await advanceRollout(first.release, reader, () => at(360));
    expect(stepped.kind).toBe('stepped');
    expect(stepped.release.rollout).toMatchObject({ step: 1, stepStartedAt: at(360).toISOString() });
    expect(stepped.release.rollout!.stepServedAt).toBeUndefined();
    expect(formatReleaseFile(stepped.release)).not.toMatch(/stepServedAt/);
  });

  test('not served while the load balancer or the targets are not ready; an alarm aborts before anything is served', async () => {
    const notYet = fakeAws({ alarms: [ok()], weights: { blue: 100, green: 0 }, health: healthy });
    expect((await advanceRollout(running(), notYet.reader, () => at(300))).kind).toBe('waiting');
    const starting = fakeAws({
      alarms: [ok()],
      weights: { blue: 90, green: 10 },
      health: { blue: ['healthy'], green: ['initial'] },
    });
    expect((await advanceRollout(running(), starting.reader, () => at(300))).kind).toBe('waiting');
    const alarm = fakeAws({
      alarms: [{ ...ok(), StateValue: 'ALARM' }],
      weights: { blue: 90, green: 10 },
      health: healthy,
    });
    const aborted = await advanceRollout(running(), alarm.reader, () => at(300));
    expect(aborted.kind).toBe('aborted');
    expect(aborted.release.rollout!.stepServedAt).toBeUndefined();
  });

  test('a bake of 0s still records the served time first, then steps on the next advance', async () => {
    const { reader } = fakeAws({ alarms: [ok()], weights: { blue: 90, green: 10 }, health: healthy });
    const release = startRollout(staged(), {
      steps: [10, 100],
      bakeSeconds: 0,
      alarms: ['web-green-5xx-rate'],
      fleet: 'web',
      now: T0,
    });
    const first = await advanceRollout(release, reader, () => at(5));
    expect(first).toMatchObject({ kind: 'served', secondsLeft: 0 });
    expect(first.message).toMatch(/bake ends at 2026-06-01T12:00:05\.000Z \(0s\)/);
    expect((await advanceRollout(first.release, reader, () => at(5))).kind).toBe('completed');
  });

  test('a rollout written without stepServedAt (older files) is valid and not yet served; a bad stepServedAt names the fix', () => {
    const text = formatReleaseFile(running());
    expect(text).not.toMatch(/stepServedAt/);
    const old = parseReleaseFile(text, 'prod.json');
    expect(old.rollout!.stepServedAt).toBeUndefined();
    const traffic = {
      weights: { blue: 90, green: 10 },
      health: { blue: { healthy: 2, registered: 2, desired: 2 }, green: { healthy: 1, registered: 1, desired: 1 } },
    };
    const alarms = [{ name: 'web-green-5xx-rate', state: 'OK', reason: '' }];
    // long past the bake counted from the write: still served first
    expect(decideAdvance(old, alarms, traffic, at(3600)).kind).toBe('served');
    const data = JSON.parse(text);
    data.rollout.stepServedAt = null;
    expect(parseReleaseFile(JSON.stringify(data), 'prod.json').rollout!.stepServedAt).toBeUndefined();
    data.rollout.stepServedAt = 'yesterday';
    expect(() => parseReleaseFile(JSON.stringify(data), 'prod.json')).toThrow(
      'prod.json: "rollout.stepServedAt" is "yesterday"; use an ISO 8601 time such as 2026-01-31T12:00:00Z, or remove it (then the next "release advance" records when the load balancer serves the step).',
    );
  });

  test('rollback keeps the served time as history', () => {
    const rolledBack = rollbackRelease(served(), { now: at(30) });
    expect(rolledBack.rollout).toMatchObject({ status: 'aborted', stepServedAt: T0.toISOString() });
    expect(parseReleaseFile(formatReleaseFile(rolledBack), 'prod.json')).toEqual(rolledBack);
  });

  test('decideAdvance is pure: same inputs, same outcome; INSUFFICIENT_DATA does not abort', () => {
    const traffic = {
      weights: { blue: 90, green: 10 },
      health: { blue: { healthy: 2, registered: 2, desired: 2 }, green: { healthy: 1, registered: 1, desired: 1 } },
    };
    const alarms = [{ name: 'web-green-5xx-rate', state: 'INSUFFICIENT_DATA', reason: '' }];
    const a = decideAdvance(served(), alarms, traffic, at(61));
    const b = decideAdvance(served(), alarms, traffic, at(61));
    expect(a).toEqual(b);
    expect(a.kind).toBe('stepped');
  });
});
