import {
  abortRollout,
  advanceRollout,
  AlarmReading,
  alarmSlotOf,
  applyWatchdogRecord,
  bindAlarms,
  decideAdvance,
  emptyRelease,
  formatReleaseFile,
  parseReleaseFile,
  parseWatchdogRecord,
  ReleaseFile,
  RolloutReader,
  stageRelease,
  startRollout,
  TrafficReading,
  WatchdogRecord,
  watchdogRecordParameter,
} from '../../lib/release';
import { parseAnalysis } from '../../lib/release/analysis-file';
import { analysisRequest, renameInExpression } from '../../lib/release/analysis-queries';

const AMI_1 = 'ami-0123456789abcdef0';
const AMI_2 = 'ami-0fedcba9876543210';
const T0 = new Date('2026-06-01T12:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const TG = {
  blue: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-blue/0000000000000001',
  green: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-green/0000000000000002',
};
const LB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/00000000000000aa';

/** blue active with AMI_1, AMI_2 staged in green (staged at T0 - 1h). */
function staged(): ReleaseFile {
  const before = new Date(T0.getTime() - 3600_000);
  let release = emptyRelease('prod');
  release = stageRelease(release, { image: AMI_1, source: '--image', now: before });
  return stageRelease(release, { image: AMI_2, source: '--image', now: before });
}

/** A rollout 10 -> 50 -> 100, bake 60s, the canary's and the stable slot's 5xx alarms and a custom one. */
function running(extra: { analysis?: string; verify?: string; testUrl?: string } = {}): ReleaseFile {
  return startRollout(staged(), {
    steps: [10, 50, 100],
    bakeSeconds: 60,
    alarms: ['web-green-5xx-rate', 'web-blue-5xx-rate', 'checkout-errors@canary'],
    fleet: 'web',
    now: T0,
    ...extra,
  });
}

const servedAt = (release: ReleaseFile, when = T0): ReleaseFile => ({
  ...release,
  rollout: { ...release.rollout!, stepServedAt: when.toISOString() },
});

const alarm = (name: string, state = 'OK', reason = 'fine'): AlarmReading => ({ name, state, reason });
const allOk = (...firing: string[]): AlarmReading[] =>
  ['web-green-5xx-rate', 'web-blue-5xx-rate', 'checkout-errors'].map((name) =>
    alarm(name, firing.includes(name) ? 'ALARM' : 'OK', firing.includes(name) ? 'Threshold Crossed' : 'fine'),
  );
const healthy = { healthy: 2, registered: 2, desired: 2 };
const traffic = (blue: number, green: number): TrafficReading => ({
  weights: { blue, green },
  health: { blue: healthy, green: healthy },
  targetGroups: TG,
  loadBalancer: LB,
});

describe('alarms belong to a slot', () => {
  test("the fleet's own alarms are bound by their name; others by @canary / @stable", () => {
    expect(bindAlarms(['web-green-5xx-rate', 'web-blue-unhealthy-hosts'], 'web', 'green')).toEqual({
      'web-green-5xx-rate': 'green',
      'web-blue-unhealthy-hosts': 'blue',
    });
    expect(bindAlarms(['checkout@canary', 'db-cpu@stable'], 'web', 'blue')).toEqual({
      checkout: 'blue',
      'db-cpu': 'green',
    });
    // a role that agrees with the name is accepted
    expect(bindAlarms(['web-green-5xx-rate@canary'], 'web', 'green')).toEqual({ 'web-green-5xx-rate': 'green' });
  });

  test('an alarm bound to no slot, a role against the name, or one name on both slots: exit 2 with the fix', () => {
    expect(() => bindAlarms(['checkout-errors'], 'web', 'green')).toThrow(
      /--alarm "checkout-errors" is not one of fleet web's own alarms \(web-<slot>-\.\.\.\), so its slot is unknown; bind it: "checkout-errors@canary" .* or "checkout-errors@stable"/,
    );
    expect(() => bindAlarms(['web-blue-5xx-rate@canary'], 'web', 'green')).toThrow(
      /"web-blue-5xx-rate" is an alarm of fleet web's blue slot \(by its name\), but @canary is the green slot/,
    );
    expect(() => bindAlarms(['x@canary', 'x@stable'], 'web', 'green')).toThrow(/"x" is bound to both slots/);
  });

  test('a rollout records the binding; an older file without it binds by name, else to the canary', () => {
    const release = running();
    expect(release.rollout!.alarms).toEqual(['web-green-5xx-rate', 'web-blue-5xx-rate', 'checkout-errors']);
    expect(release.rollout!.alarmSlots).toEqual({
      'web-green-5xx-rate': 'green',
      'web-blue-5xx-rate': 'blue',
      'checkout-errors': 'green',
    });
    const data = JSON.parse(formatReleaseFile(release));
    delete data.rollout.alarmSlots;
    const older = parseReleaseFile(JSON.stringify(data), 'prod.json');
    expect(alarmSlotOf(older.rollout!, 'web-blue-5xx-rate', 'green')).toBe('blue');
    expect(alarmSlotOf(older.rollout!, 'checkout-errors', 'green')).toBe('green');
  });

  test('an alarm of the stable slot holds the rollout: nothing written, nothing rolled back', () => {
    const release = servedAt(running());
    const outcome = decideAdvance(release, allOk('web-blue-5xx-rate'), traffic(90, 10), at(120));
    expect(outcome.kind).toBe('held');
    expect(outcome.release).toBe(release);
    expect(outcome.message).toMatch(
      /holding at step 1 of 3 \(10% to slot green\): alarm "web-blue-5xx-rate" \(Threshold Crossed\) of the stable slot blue is in ALARM\. The canary is not aborted onto the alarming slot and does not move on; nothing was written/,
    );
  });

  test('an alarm of the canary slot aborts even while a stable alarm fires; the abort is not served yet', () => {
    const outcome = decideAdvance(
      servedAt(running()),
      allOk('web-blue-5xx-rate', 'checkout-errors'),
      undefined,
      at(30),
    );
    expect(outcome.kind).toBe('aborted');
    expect(outcome.release.canary).toBe(0);
    expect(outcome.release.rollout).toMatchObject({
      status: 'aborted',
      abort: { by: 'alarm', alarm: 'checkout-errors', reason: 'Threshold Crossed', servedAt: null },
    });
    expect(parseReleaseFile(formatReleaseFile(outcome.release), 'prod.json')).toEqual(outcome.release);
  });
});

describe('an abort is deployed until the load balancer serves it', () => {
  const aborted = () => decideAdvance(servedAt(running()), allOk('web-green-5xx-rate'), undefined, at(30)).release;

  test('not served: abort-pending asks for the deploy, with advice that works; nothing written', () => {
    const release = aborted();
    const outcome = decideAdvance(release, [], traffic(90, 10), at(40));
    expect(outcome.kind).toBe('abort-pending');
    expect(outcome.release).toBe(release);
    expect(outcome.message).toMatch(
      /the rollout was aborted at .* \(alarm "web-green-5xx-rate": Threshold Crossed\), but the load balancer serves blue 90% \/ green 10%, not slot blue 100%: the abort is not deployed yet\. Deploy the stack now \("cdktf-immutable release run prod" deploys it\)/,
    );
  });

  test('served: abort-served records servedAt once; then there is nothing to advance', async () => {
    const outcome = decideAdvance(aborted(), [], traffic(100, 0), at(50));
    expect(outcome.kind).toBe('abort-served');
    expect(outcome.release.rollout!.abort!.servedAt).toBe(at(50).toISOString());
    const reader: RolloutReader = {
      readAlarms: async () => [],
      readTraffic: async () => traffic(100, 0),
    };
    await expect(advanceRollout(outcome.release, reader, () => at(60))).rejects.toThrow(
      /the last rollout was aborted \(alarm "web-green-5xx-rate": Threshold Crossed\) at .*; nothing to advance/,
    );
  });

  test('a file aborted before servedAt existed, or rolled back by hand, is taken as served', () => {
    const data = JSON.parse(formatReleaseFile(aborted()));
    delete data.rollout.abort.servedAt;
    const older = parseReleaseFile(JSON.stringify(data), 'prod.json');
    expect(() => decideAdvance(older, [], traffic(90, 10), at(40))).toThrow(/nothing to advance/);
  });
});

describe('the watchdog record', () => {
  const record = (extra: Partial<WatchdogRecord> = {}): WatchdogRecord => ({
    status: 'restored',
    fleet: 'web',
    alarm: 'web-green-5xx-rate',
    slot: 'green',
    reason: 'Threshold Crossed: 1 datapoint [12.5]',
    stateChangedAt: at(100).toISOString(),
    restoredAt: at(100.2).toISOString(),
    ...extra,
  });

  test('the parameter is named after the fleet; a value is parsed or its problem named', () => {
    expect(watchdogRecordParameter('web-prod')).toBe('/cdktf-immutable/watchdog/web-prod');
    expect(parseWatchdogRecord('{"version":1,"status":"none"}')).toEqual({ record: { status: 'none' } });
    const text = JSON.stringify({ version: 1, by: 'watchdog', eventId: 'e', ...record() });
    expect(parseWatchdogRecord(text).record).toEqual(record());
    expect(parseWatchdogRecord('nope').problem).toBe('the value is not JSON');
    expect(parseWatchdogRecord('{"version":2}').problem).toMatch(/not a version 1 record/);
    expect(parseWatchdogRecord('{"version":1,"status":"restored","slot":"red","alarm":"a"}').problem).toBe(
      '"slot" is "red"',
    );
    expect(
      parseWatchdogRecord('{"version":1,"status":"restored","slot":"green","alarm":"a","restoredAt":null}').problem,
    ).toBe('"restoredAt" is missing from a restored record');
  });

  test('restored during the rollout: aborted by the watchdog, already served when the listener says so', () => {
    const outcome = decideAdvance(servedAt(running()), [], traffic(100, 0), at(101), { watchdog: record() });
    expect(outcome.kind).toBe('aborted');
    if (outcome.kind !== 'aborted') {
      return;
    }
    expect(outcome.deployed).toBe(true);
    expect(outcome.release).toMatchObject({
      canary: 0,
      slots: { green: { rolledBackAt: at(100.2).toISOString() } },
      rollout: {
        status: 'aborted',
        endedAt: at(100.2).toISOString(),
        abort: {
          by: 'watchdog',
          alarm: 'web-green-5xx-rate',
          reason: 'Threshold Crossed: 1 datapoint [12.5]',
          servedAt: at(101).toISOString(),
        },
      },
    });
    expect(outcome.message).toMatch(
      /the watchdog of fleet web restored the stable weights at .*: alarm "web-green-5xx-rate" of the canary slot green went to ALARM .* The load balancer already serves it/,
    );
  });

  test('"restoring" with the canary still weighted: the watchdog failed, the abort must be deployed', () => {
    const outcome = decideAdvance(servedAt(running()), [], traffic(90, 10), at(101), {
      watchdog: record({ status: 'restoring', restoredAt: undefined }),
    });
    expect(outcome).toMatchObject({ kind: 'aborted', deployed: false });
    expect(outcome.release.rollout!.abort).toMatchObject({ by: 'watchdog', servedAt: null });
    expect(outcome.release.rollout!.endedAt).toBe(at(101).toISOString());
    expect(outcome.message).toMatch(/did not record the end \(status "restoring"\): deploy the abort/);
  });

  test("an earlier canary's record, another slot or another fleet: not applied", () => {
    const release = running();
    expect(applyWatchdogRecord(release, record({ stateChangedAt: at(-10).toISOString() }), at(1))).toMatchObject({
      applies: false,
      why: expect.stringMatching(/older than the canary/),
    });
    expect(applyWatchdogRecord(release, record({ slot: 'blue' }), at(1))).toMatchObject({
      applies: false,
      why: 'the record is about slot blue, not the canary slot green',
    });
    expect(applyWatchdogRecord(release, record({ fleet: 'api' }), at(1))).toMatchObject({ applies: false });
    expect(applyWatchdogRecord(release, { status: 'none' }, at(1))).toMatchObject({ applies: false });
    expect(applyWatchdogRecord(staged(), record(), at(1))).toMatchObject({
      applies: false,
      why: 'the release file sends the canary no traffic',
    });
  });

  test('a plain canary (no rollout) is ended like a rollback, the slot marked', () => {
    const canary: ReleaseFile = { ...staged(), canary: 10 };
    const verdict = applyWatchdogRecord(canary, record(), at(200));
    expect(verdict.applies).toBe(true);
    if (verdict.applies) {
      expect(verdict.release).toMatchObject({ canary: 0, slots: { green: { rolledBackAt: at(100.2).toISOString() } } });
      expect(verdict.release.rollout).toBeUndefined();
    }
  });

  test('advanceRollout reads the record first and then only the load balancer', async () => {
    const calls: string[] = [];
    const reader: RolloutReader = {
      readAlarms: async () => {
        calls.push('alarms');
        return allOk();
      },
      readTraffic: async () => {
        calls.push('traffic');
        return traffic(100, 0);
      },
      readWatchdogRecord: async (fleet) => {
        calls.push(`record ${fleet}`);
        return record();
      },
    };
    const outcome = await advanceRollout(servedAt(running()), reader, () => at(101));
    expect(outcome).toMatchObject({ kind: 'aborted', by: 'watchdog', deployed: true });
    expect(calls).toEqual(['record web', 'traffic']);
  });
});

describe('analysis at each step', () => {
  const analysis = parseAnalysis(
    {
      version: 1,
      checks: [
        {
          name: 'rate',
          queries: [
            {
              Id: 'errors',
              ReturnData: false,
              MetricStat: {
                Metric: {
                  Namespace: 'AWS/ApplicationELB',
                  MetricName: 'HTTPCode_Target_5XX_Count',
                  Dimensions: [{ Name: 'TargetGroup', Value: '${canary.targetGroup}' }],
                },
                Period: 60,
                Stat: 'Sum',
              },
            },
            { Id: 'r', Expression: 'FILL(errors, 0)' },
          ],
          condition: '< 1',
          inconclusive: '< 5',
          consecutiveSuccesses: 2,
        },
      ],
    },
    'analysis.json',
  );
  const points = (...values: number[]) => values.map((v, i) => ({ timestamp: at(60 * (i + 1)), value: v }));
  const withAnalysis = () => servedAt(running({ analysis: 'analysis.json' }));

  test('the request makes Ids unique and rewrites expressions; the answer maps back to the check', () => {
    const request = analysisRequest(analysis, {
      fleet: 'web',
      loadBalancer: LB,
      canary: { name: 'green', targetGroup: TG.green },
      stable: { name: 'blue', targetGroup: TG.blue },
    });
    expect(request.queries.map((q) => q.Id)).toEqual(['c0_errors', 'c0_r']);
    expect(request.queries[1].Expression).toBe('FILL(c0_errors, 0)');
    expect(request.queries[0].MetricStat!.Metric.Dimensions).toEqual([
      { Name: 'TargetGroup', Value: 'targetgroup/web-green/0000000000000002' },
    ]);
    const readings = request.readings([{ id: 'c0_r', timestamps: [at(60)], values: [0.5] }], at(120));
    expect(readings.checks).toEqual({ rate: [{ timestamp: at(60), value: 0.5 }] });
    expect(renameInExpression('IF(a > 0, a / b, SEARCH(\'{x} a\', "Sum"))', new Set(['a', 'b']), 'p_')).toBe(
      'IF(p_a > 0, p_a / p_b, SEARCH(\'{x} a\', "Sum"))',
    );
  });

  test('while baking the results are written; a pass at the end of the bake moves on, results cleared', () => {
    const baking = decideAdvance(withAnalysis(), allOk(), traffic(90, 10), at(30), {
      analysis,
      readings: { checks: { rate: points(0) } },
    });
    expect(baking.kind).toBe('baking');
    expect(baking.release.rollout!.analysis!.record!.checks.rate).toMatchObject({ successes: 1, status: 'running' });
    expect(baking.message).toMatch(/Analysis results recorded\.\n {2}rate: last 0 meets < 1/);
    const stepped = decideAdvance(baking.release, allOk(), traffic(90, 10), at(130), {
      analysis,
      readings: { checks: { rate: points(0, 0.5) } },
    });
    expect(stepped.kind).toBe('stepped');
    expect(stepped.release.rollout!.analysis).toEqual({ file: 'analysis.json' });
    expect(stepped.message).toMatch(/analysis: pass/);
  });

  test('a failed check aborts by analysis, with the numbers', () => {
    const outcome = decideAdvance(withAnalysis(), allOk(), traffic(90, 10), at(30), {
      analysis,
      readings: { checks: { rate: points(12) } },
    });
    expect(outcome.kind).toBe('aborted');
    expect(outcome.release.rollout!.abort).toMatchObject({
      by: 'analysis',
      check: 'rate',
      reason: expect.stringMatching(/^rate: last 12 misses < 1; failures 1 of 0 allowed/),
      servedAt: null,
    });
  });

  test('inconclusive at the end of the bake holds (results and heldSince written); a long hold aborts', () => {
    const held = decideAdvance(withAnalysis(), allOk(), traffic(90, 10), at(70), {
      analysis,
      readings: { checks: { rate: points(3) } },
    });
    expect(held.kind).toBe('held');
    expect(held.release.rollout!.analysis!.heldSince).toBe(at(70).toISOString());
    expect(held.message).toMatch(
      /holding step 1 of 3 .*: the bake is over but the analysis is inconclusive, not pass; .* aborts if it has not passed by 2026-06-01T12:11:10\.000Z/,
    );
    const still = decideAdvance(held.release, allOk(), traffic(90, 10), at(300), { analysis, readings: {} });
    expect(still.kind).toBe('held');
    expect(still.release.rollout!.analysis!.heldSince).toBe(at(70).toISOString());
    const aborted = decideAdvance(held.release, allOk(), traffic(90, 10), at(670), { analysis, readings: {} });
    expect(aborted.kind).toBe('aborted');
    expect(aborted.release.rollout!.abort).toMatchObject({
      by: 'analysis',
      reason: expect.stringMatching(/did not pass within 10m after the bake ended \(verdict inconclusive since/),
    });
  });

  test('advanceRollout reads the metrics of the step since it was served, in one request', async () => {
    const requests: Array<{ ids: string[]; start: Date; end: Date }> = [];
    const reader: RolloutReader = {
      readAlarms: async () => allOk(),
      readTraffic: async () => traffic(90, 10),
      readMetrics: async (queries, start, end) => {
        requests.push({ ids: queries.map((q) => q.Id), start, end });
        return [{ id: 'c0_r', timestamps: [at(60), at(0)], values: [0, 0.2] }];
      },
    };
    const outcome = await advanceRollout(withAnalysis(), reader, () => at(90), { analysis });
    expect(outcome.kind).toBe('stepped');
    expect(requests).toEqual([{ ids: ['c0_errors', 'c0_r'], start: T0, end: at(90) }]);
  });
});

describe('the verification command', () => {
  const reader: RolloutReader = { readAlarms: async () => allOk(), readTraffic: async () => traffic(90, 10) };

  test('runs before a next step: a pass steps on, a failure aborts by verify (the weight never moves on)', async () => {
    const release = servedAt(running({ verify: 'curl -fsS "$CDKTF_IMMUTABLE_TEST_URL/health"' }));
    const seen: ReleaseFile[] = [];
    const ok = await advanceRollout(release, reader, () => at(90), {
      verify: async (r) => {
        seen.push(r);
        return { ok: true, reason: 'exit 0' };
      },
    });
    expect(ok.kind).toBe('stepped');
    expect(ok.message).toMatch(/verification passed: exit 0/);
    expect(seen).toEqual([release]);
    const failed = await advanceRollout(release, reader, () => at(90), {
      verify: async () => ({ ok: false, reason: 'exit 22: curl: (22) The requested URL returned error: 503' }),
    });
    expect(failed.kind).toBe('aborted');
    expect(failed.release.canary).toBe(0);
    expect(failed.release.rollout).toMatchObject({
      step: 0,
      abort: { by: 'verify', reason: 'exit 22: curl: (22) The requested URL returned error: 503' },
    });
  });

  test('not run while the step bakes; a rollout with a command but nothing to run it is refused', async () => {
    const release = servedAt(running({ verify: 'true' }));
    let runs = 0;
    const baking = await advanceRollout(release, reader, () => at(30), {
      verify: async () => {
        runs++;
        return { ok: true, reason: '' };
      },
    });
    expect(baking.kind).toBe('baking');
    expect(runs).toBe(0);
    await expect(advanceRollout(release, reader, () => at(90))).rejects.toThrow(
      /has a verification command \("rollout.verify"\) but nothing to run it with; nothing was written/,
    );
  });

  test('abortRollout before the first step: canary 0, the slot marked, by verify', () => {
    const outcome = abortRollout(running({ verify: 'false' }), { by: 'verify', reason: 'exit 1' }, at(1));
    expect(outcome.release).toMatchObject({
      canary: 0,
      slots: { green: { rolledBackAt: at(1).toISOString() } },
      rollout: { status: 'aborted', abort: { by: 'verify', reason: 'exit 1', servedAt: null } },
    });
  });
});

describe('the release file fields of this feature', () => {
  const file = (edit: (data: Record<string, any>) => void): string => {
    const data = JSON.parse(
      formatReleaseFile(
        running({ analysis: 'analysis.json', verify: 'make smoke', testUrl: 'https://staged.example' }),
      ),
    );
    edit(data);
    return JSON.stringify(data);
  };

  test('round trip: bindings, analysis, verify, abort cause and servedAt, notify', () => {
    const release = parseReleaseFile(
      file((d) => {
        d.policy = {
          notify: { snsTopicArn: 'arn:aws:sns:eu-west-1:123456789012:rollouts', webhookUrl: 'https://x.example/h' },
          testUrl: 'http://localhost:8443/',
        };
      }),
      'prod.json',
    );
    expect(release.rollout).toMatchObject({
      analysis: { file: 'analysis.json' },
      verify: 'make smoke',
      testUrl: 'https://staged.example',
    });
    expect(release.policy?.testUrl).toBe('http://localhost:8443/');
    expect(parseReleaseFile(formatReleaseFile(release), 'prod.json')).toEqual(release);
  });

  test.each([
    [
      (d: any) => (d.rollout.alarmSlots = { nope: 'green' }),
      /"rollout.alarmSlots" names "nope", which is not in "rollout.alarms"/,
    ],
    [
      (d: any) => (d.rollout.alarmSlots['web-blue-5xx-rate'] = 'red'),
      /"rollout.alarmSlots.web-blue-5xx-rate" is "red"; use "blue" or "green"/,
    ],
    [
      (d: any) => (d.rollout.analysis = { file: '' }),
      /"rollout.analysis.file" is ""; use the path of the analysis file/,
    ],
    [(d: any) => (d.rollout.analysis.extra = 1), /"rollout.analysis.extra" is not a rollout.analysis field/],
    [
      (d: any) => (d.rollout.analysis.record = { verdict: 'maybe' }),
      /"rollout.analysis.record.evaluatedAt" is missing/,
    ],
    [(d: any) => (d.rollout.verify = 'a\nb'), /"rollout.verify" is "a\\nb"; use one line of shell/],
    [(d: any) => (d.policy = { notify: {} }), /"policy.notify" names no target/],
    [
      (d: any) => (d.rollout.testUrl = 'ftp://x'),
      /"rollout.testUrl" is "ftp:\/\/x"; use the http:\/\/ or https:\/\/ URL/,
    ],
    [(d: any) => (d.policy = { testUrl: 'a b' }), /"policy.testUrl" is "a b"; use the http:\/\/ or https:\/\/ URL/],
    [
      (d: any) => (d.policy = { notify: { snsTopicArn: 'topic' } }),
      /"policy.notify.snsTopicArn" is "topic"; use an SNS topic ARN/,
    ],
    [
      (d: any) => (d.policy = { notify: { webhookUrl: 'http://example.com/x' } }),
      /"policy.notify.webhookUrl" is .*; use an https:\/\/ URL \(http:\/\/ only to localhost or 127.0.0.1\)/,
    ],
    [
      (d: any) => {
        d.rollout.status = 'aborted';
        d.rollout.endedAt = T0.toISOString();
        d.canary = 0;
        d.rollout.abort = { by: 'robot', reason: 'x' };
      },
      /"rollout.abort.by" is "robot"; use "alarm", "watchdog", "analysis", "verify", "rollback"/,
    ],
  ])('%#: a bad field names the file, the field, the value and the fix', (edit, message) => {
    expect(() => parseReleaseFile(file(edit), 'prod.json')).toThrow(message);
  });
});
