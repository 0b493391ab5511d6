import { evaluateAnalysis, AnalysisReadings, AnalysisRecord, checkOutcome } from '../../lib/release/analysis';
import { Analysis, parseAnalysis } from '../../lib/release/analysis-file';

const T0 = Date.parse('2026-06-01T12:00:00.000Z');
const minute = (n: number) => new Date(T0 + n * 60_000).toISOString();
const NOW = new Date(T0 + 3600_000);

const query = (targetGroup: string) => [
  {
    Id: 'm',
    MetricStat: {
      Metric: {
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'TargetResponseTime',
        Dimensions: [{ Name: 'TargetGroup', Value: targetGroup }],
      },
      Period: 60,
      Stat: 'p99',
    },
  },
];

/** A 5xx-rate check (< 1, band < 2, one failure allowed, 3 successes in a row) and optionally more. */
function analysis(extra: { checks?: object[]; baselines?: object[] } = {}): Analysis {
  return parseAnalysis(
    {
      version: 1,
      checks: [
        {
          name: 'rate',
          queries: query('${canary.targetGroup}'),
          condition: '< 1',
          inconclusive: '< 2',
          failureLimit: 1,
          consecutiveSuccesses: 3,
        },
        ...(extra.checks ?? []),
      ],
      ...(extra.baselines ? { baselines: extra.baselines } : {}),
    },
    'analysis.json',
  );
}

/** Values of `rate` at minutes 1, 2, ... (or at the minutes given). */
const rate = (values: number[], from = 1): AnalysisReadings => ({
  checks: { rate: values.map((value, i) => ({ timestamp: minute(from + i), value })) },
});

/** Evaluates a sequence of readings, each on the record of the one before. */
function run(a: Analysis, ...rounds: AnalysisReadings[]) {
  let record: AnalysisRecord | undefined;
  let result!: ReturnType<typeof evaluateAnalysis>;
  for (const readings of rounds) {
    result = evaluateAnalysis(a, record, readings, NOW);
    record = result.record;
  }
  return result;
}

describe('checkOutcome', () => {
  test('meets the condition: success; misses it within the band: inconclusive; beyond: failure', () => {
    const check = analysis().checks[0];
    expect([0.5, 1, 1.5, 2, 5].map((v) => checkOutcome(check, v))).toEqual([
      'success',
      'inconclusive',
      'inconclusive',
      'failure',
      'failure',
    ]);
    const noBand = { ...check, inconclusive: undefined };
    expect(checkOutcome(noBand, 1.5)).toBe('failure');
  });
});

describe('evaluateAnalysis: a check', () => {
  test('no values yet: running, verdict continue', () => {
    const result = run(analysis(), {});
    expect(result.verdict).toBe('continue');
    expect(result.record).toEqual({
      evaluatedAt: NOW.toISOString(),
      verdict: 'continue',
      checks: {
        rate: {
          measurements: 0,
          successes: 0,
          failures: 0,
          inconclusive: 0,
          consecutiveSuccesses: 0,
          lastAt: null,
          lastValue: null,
          lastOutcome: null,
          status: 'running',
        },
      },
    });
    expect(result.lines).toEqual([
      'rate: no new values; failures 0 of 1 allowed, 0/3 successes in a row: running',
      'analysis: continue (not every check has passed yet; keep measuring)',
    ]);
  });

  test('successes count up to consecutiveSuccesses: running, then passed, verdict pass', () => {
    const two = run(analysis(), rate([0.1, 0.2]));
    expect(two.verdict).toBe('continue');
    expect(two.record.checks.rate).toMatchObject({ successes: 2, consecutiveSuccesses: 2, status: 'running' });
    const three = run(analysis(), rate([0.1, 0.2]), rate([0.3], 3));
    expect(three.verdict).toBe('pass');
    expect(three.record.checks.rate).toMatchObject({
      measurements: 3,
      successes: 3,
      consecutiveSuccesses: 3,
      lastAt: minute(3),
      lastValue: 0.3,
      lastOutcome: 'success',
      status: 'passed',
    });
    expect(three.lines).toEqual([
      'rate: last 0.3 meets < 1; failures 0 of 1 allowed, 3/3 successes in a row: passed',
      'analysis: pass (every check passed)',
    ]);
  });

  test('a failure within failureLimit resets the successes in a row but does not fail', () => {
    const result = run(analysis(), rate([0.1, 0.2, 5]));
    expect(result.verdict).toBe('continue');
    expect(result.record.checks.rate).toMatchObject({
      successes: 2,
      failures: 1,
      consecutiveSuccesses: 0,
      status: 'running',
    });
    expect(result.lines[0]).toBe(
      'rate: 3 new values, last 5 misses < 1; failures 1 of 1 allowed, 0/3 successes in a row: running',
    );
  });

  test('failures beyond failureLimit fail the check and the analysis, and it stays failed', () => {
    const failed = run(analysis(), rate([5, 0.1, 6]));
    expect(failed.verdict).toBe('fail');
    expect(failed.record.checks.rate).toMatchObject({ failures: 2, status: 'failed' });
    expect(failed.lines[1]).toBe('analysis: fail (a check failed; abort the rollout)');
    const later = run(analysis(), rate([5, 0.1, 6]), rate([0.1, 0.1, 0.1, 0.1], 4));
    expect(later.record.checks.rate).toMatchObject({ consecutiveSuccesses: 4, status: 'failed' });
    expect(later.verdict).toBe('fail');
  });

  test('a value in the inconclusive band makes the check and the verdict inconclusive, until successes follow', () => {
    const held = run(analysis(), rate([0.1, 1.5]));
    expect(held.verdict).toBe('inconclusive');
    expect(held.record.checks.rate).toMatchObject({ inconclusive: 1, failures: 0, status: 'inconclusive' });
    expect(held.lines).toEqual([
      'rate: 2 new values, last 1.5 misses < 1, within the inconclusive band < 2; ' +
        'failures 0 of 1 allowed, 1 inconclusive, 0/3 successes in a row: inconclusive',
      'analysis: inconclusive (a check is inconclusive; hold the rollout until a person decides)',
    ]);
    const resumed = run(analysis(), rate([0.1, 1.5]), rate([0.2], 3));
    expect(resumed.verdict).toBe('continue');
    expect(resumed.record.checks.rate.status).toBe('running');
    const passed = run(analysis(), rate([0.1, 1.5]), rate([0.2, 0.2, 0.2], 3));
    expect(passed.verdict).toBe('pass');
  });

  test('values already counted are skipped: evaluating the same readings again changes no count', () => {
    const once = run(analysis(), rate([0.1, 5]));
    const twice = run(analysis(), rate([0.1, 5]), rate([0.1, 5]));
    expect(twice.record.checks).toEqual(once.record.checks);
    expect(twice.lines[0]).toBe(
      `rate: no new values since ${minute(2)}; failures 1 of 1 allowed, 0/3 successes in a row: running`,
    );
    // an overlapping window counts only the new minute
    const overlap = run(analysis(), rate([0.1, 5]), rate([0.1, 5, 0.2]));
    expect(overlap.record.checks.rate).toMatchObject({ measurements: 3, lastAt: minute(3) });
  });

  test('values are counted in time order, whatever order they come in; non-finite values are left out', () => {
    const readings: AnalysisReadings = {
      checks: {
        rate: [
          { timestamp: minute(3), value: 0.1 },
          { timestamp: minute(1), value: 5 },
          { timestamp: minute(2), value: Number.NaN },
          { timestamp: 'not a time', value: 0.1 },
          { timestamp: new Date(T0 + 4 * 60_000), value: 0.2 },
        ],
      },
    };
    const result = run(analysis(), readings);
    expect(result.record.checks.rate).toMatchObject({
      measurements: 3,
      failures: 1,
      consecutiveSuccesses: 2,
      lastAt: minute(4),
      lastValue: 0.2,
    });
  });
});

describe('evaluateAnalysis: several checks, dry runs, baselines', () => {
  const latency = { name: 'latency', queries: query('${canary.targetGroup}'), condition: '< 0.5' };

  test('the verdict needs every check: one passed and one running is continue', () => {
    const a = analysis({ checks: [latency] });
    const result = run(a, rate([0.1, 0.1, 0.1]));
    expect(result.record.checks.rate.status).toBe('passed');
    expect(result.record.checks.latency.status).toBe('running');
    expect(result.verdict).toBe('continue');
  });

  test('a failure wins over an inconclusive check', () => {
    const a = analysis({ checks: [latency] });
    const result = run(a, {
      checks: { rate: [{ timestamp: minute(1), value: 1.5 }], latency: [{ timestamp: minute(1), value: 9 }] },
    });
    expect(result.record.checks.rate.status).toBe('inconclusive');
    expect(result.record.checks.latency.status).toBe('failed');
    expect(result.verdict).toBe('fail');
  });

  test('a dry-run check is measured and recorded, and never changes the verdict', () => {
    const a = analysis({ checks: [{ ...latency, dryRun: true }] });
    const result = run(a, {
      checks: { ...rate([0.1, 0.1, 0.1]).checks, latency: [{ timestamp: minute(1), value: 9 }] },
    });
    expect(result.record.checks.latency.status).toBe('failed');
    expect(result.verdict).toBe('pass');
    expect(result.lines[1]).toBe(
      '[dry run] latency: last 9 misses < 0.5; failures 1 of 0 allowed, 0/1 successes in a row: failed',
    );
  });

  test('an analysis of dry runs only passes', () => {
    const a = parseAnalysis({ version: 1, checks: [{ ...latency, dryRun: true }] }, 'analysis.json');
    expect(run(a, {}).verdict).toBe('pass');
  });

  test('records of checks no longer in the analysis are dropped; new checks start fresh', () => {
    const first = evaluateAnalysis(analysis({ checks: [latency] }), undefined, rate([0.1]), NOW);
    const second = evaluateAnalysis(analysis(), first.record, rate([0.1], 2), NOW);
    expect(Object.keys(second.record.checks)).toEqual(['rate']);
    expect(second.record.checks.rate.successes).toBe(2);
  });

  describe('a baseline', () => {
    const baseline = { name: 'p99', queries: query('${slot.targetGroup}'), minSamples: 12, failureLimit: 0 };
    const a = parseAnalysis({ version: 1, baselines: [baseline] }, 'analysis.json');
    // per-minute 5xx rates of test/release/analysis-statistics.test.ts, data set C (scipy: U 106.5, p 0.02836)
    const worse = [0, 0, 0.5, 1.2, 0, 2.0, 0.8, 0, 1.5, 0.9, 0, 1.1];
    const stable = [0, 0, 0, 0.1, 0, 0, 0.2, 0, 0, 0, 0.1, 0];
    const like = [0, 0, 0.1, 0, 0, 0, 0, 0.2, 0, 0, 0, 0.1];
    const reading = (canary: number[], at = minute(12)) => ({ baselines: { p99: { timestamp: at, canary, stable } } });

    test('a canary like the stable slot passes', () => {
      const result = run(a, reading(like));
      expect(result.verdict).toBe('pass');
      expect(result.record.checks.p99).toMatchObject({ successes: 1, status: 'passed', lastOutcome: 'success' });
      expect(result.record.checks.p99.comparison).toMatchObject({ verdict: 'pass', n1: 12, n2: 12 });
    });

    test('a clearly worse canary fails, with the numbers in the line and the record', () => {
      const result = run(a, reading(worse));
      expect(result.verdict).toBe('fail');
      expect(result.record.checks.p99.comparison).toEqual({
        verdict: 'fail',
        u: 106.5,
        z: 2.192,
        p: 0.02836,
        effect: 0.4792,
        n1: 12,
        n2: 12,
        canaryMedian: 0.65,
        stableMedian: 0,
      });
      expect(result.lines[0]).toBe(
        'p99 (canary vs stable): fail: the canary is significantly worse (higher) than the stable slot ' +
          '(U=106.5, z=2.19, p=0.0284 normal, effect 0.48 >= 0.3, alpha 0.05, n 12/12, median 0.65 vs 0, shift +0.55); ' +
          'failures 1 of 0 allowed, 0/1 successes in a row: failed',
      );
    });

    test('a short series is inconclusive', () => {
      const result = run(a, reading(worse.slice(0, 6)));
      expect(result.verdict).toBe('inconclusive');
      expect(result.record.checks.p99).toMatchObject({ inconclusive: 1, status: 'inconclusive' });
    });

    test('no reading, or a reading of a window already compared, is not counted', () => {
      expect(run(a, {}).lines[0]).toBe(
        'p99 (canary vs stable): not compared this time; failures 0 of 0 allowed, 0/1 successes in a row: running',
      );
      const again = run(a, reading(like), reading(worse));
      expect(again.record.checks.p99).toMatchObject({ measurements: 1, status: 'passed' });
      const next = run(a, reading(like), reading(worse, minute(13)));
      expect(next.record.checks.p99).toMatchObject({ measurements: 2, status: 'failed' });
    });
  });
});
