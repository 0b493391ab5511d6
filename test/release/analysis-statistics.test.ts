import {
  compareWithBaseline,
  formatComparison,
  hodgesLehmannShift,
  mannWhitneyU,
  median,
  minimumSampleSize,
  rankBiserial,
} from '../../lib/release/analysis-statistics';
import { RolloutInputError } from '../../lib/release/rollout';

/*
 * Reference values: scipy 1.17.1 / numpy 2.4.6, printed by test/release/reference/mann-whitney.py
 * (scipy.stats.mannwhitneyu(x, y, alternative='two-sided', method='exact' | 'asymptotic',
 * use_continuity=True); z, the rank-biserial r and the Hodges-Lehmann shift computed there
 * with scipy.stats.rankdata and numpy). The test never runs Python; rerun the script to check.
 */
interface Reference {
  readonly x: number[];
  readonly y: number[];
  readonly method: 'exact' | 'normal';
  readonly u: number;
  readonly p: number;
  readonly z: number;
  readonly r: number;
  readonly hl: number;
  readonly medianX: number;
  readonly medianY: number;
}

const REFERENCES: Record<string, Reference> = {
  // small, no ties: exact
  A: {
    x: [12.1, 15.3, 9.8, 20.4, 18.7],
    y: [8.2, 7.5, 10.1, 9.0, 6.4, 11.3],
    method: 'exact',
    u: 28,
    p: 0.017316017316017316,
    z: 2.282177322938192,
    r: 0.8666666666666667,
    hl: 6.700000000000001,
    medianX: 15.3,
    medianY: 8.6,
  },
  // 20 and 20, no ties: exact at the largest size (scipy asymptotic would give 0.20845355458876536)
  B: {
    x: [
      100.37, 108.07, 115.77, 101.47, 109.17, 116.87, 102.57, 110.27, 117.97, 103.67, 111.37, 119.07, 104.77, 112.47,
      120.17, 105.87, 113.57, 121.27, 106.97, 114.67,
    ],
    y: [
      97.61, 100.91, 104.21, 107.51, 110.81, 114.11, 117.41, 98.71, 102.01, 105.31, 108.61, 111.91, 115.21, 118.51,
      99.81, 103.11, 106.41, 109.71, 113.01, 116.31,
    ],
    method: 'exact',
    u: 247,
    p: 0.21096432724812078,
    z: 1.257829140361068,
    r: 0.2350000000000001,
    hl: 2.760000000000005,
    medianX: 110.82,
    medianY: 108.06,
  },
  // per-minute 5xx rates, many ties (zeros): normal approximation with tie correction
  C: {
    x: [0, 0, 0.5, 1.2, 0, 2.0, 0.8, 0, 1.5, 0.9, 0, 1.1],
    y: [0, 0, 0, 0.1, 0, 0, 0.2, 0, 0, 0, 0.1, 0],
    method: 'normal',
    u: 106.5,
    p: 0.0283572086837314,
    z: 2.1923089120539774,
    r: 0.47916666666666674,
    hl: 0.55,
    medianX: 0.65,
    medianY: 0,
  },
  // 30 and 25, no ties: larger than the exact table, normal approximation
  D: {
    x: [
      50.125, 59.225, 68.325, 56.425, 65.525, 53.625, 62.725, 50.825, 59.925, 69.025, 57.125, 66.225, 54.325, 63.425,
      51.525, 60.625, 69.725, 57.825, 66.925, 55.025, 64.125, 52.225, 61.325, 70.425, 58.525, 67.625, 55.725, 64.825,
      52.925, 62.025,
    ],
    y: [
      47.375, 55.075, 62.775, 52.975, 60.675, 50.875, 58.575, 48.775, 56.475, 64.175, 54.375, 62.075, 52.275, 59.975,
      50.175, 57.875, 48.075, 55.775, 63.475, 53.675, 61.375, 51.575, 59.275, 49.475, 57.175,
    ],
    method: 'normal',
    u: 519,
    p: 0.015283411524089513,
    z: 2.4255927110708426,
    r: 0.3839999999999999,
    hl: 4.5,
    medianX: 60.275,
    medianY: 55.775,
  },
  // every value the same: no variance, p = 1
  E: { x: [1, 1, 1], y: [1, 1, 1], method: 'normal', u: 4.5, p: 1, z: 0, r: 0, hl: 0, medianX: 1, medianY: 1 },
  // interleaved, no ties: U at its mean, p = 1
  F: {
    x: [0.11, 0.32, 0.05, 0.27, 0.19, 0.41, 0.08, 0.23, 0.36, 0.14, 0.29, 0.02],
    y: [0.12, 0.31, 0.06, 0.26, 0.18, 0.42, 0.09, 0.22, 0.35, 0.15, 0.28, 0.03],
    method: 'exact',
    u: 72,
    p: 1,
    z: 0,
    r: 0,
    hl: -1.3877787807814457e-17,
    medianX: 0.21000000000000002,
    medianY: 0.2,
  },
  // x entirely below y: exact p = 2 / C(16, 8)
  G: {
    x: [101, 99, 97, 102, 98, 100, 96, 103],
    y: [110, 108, 112, 107, 111, 109, 113, 106],
    method: 'exact',
    u: 0,
    p: 0.0001554001554001554,
    z: -3.308161698516173,
    r: -1,
    hl: -10,
    medianX: 99.5,
    medianY: 109.5,
  },
  // 40 and 40, completely separated: the far tail of the normal approximation
  H: {
    x: Array.from({ length: 40 }, (_, i) => 101 + i),
    y: Array.from({ length: 40 }, (_, i) => 1 + i),
    method: 'normal',
    u: 1600,
    p: 1.435085306393668e-14,
    z: 7.693192336951763,
    r: 1,
    hl: 100,
    medianX: 120.5,
    medianY: 20.5,
  },
};

describe('mannWhitneyU against scipy', () => {
  test.each(Object.entries(REFERENCES))('data set %s', (_name, ref) => {
    const result = mannWhitneyU(ref.x, ref.y);
    expect(result.method).toBe(ref.method);
    expect(result.n1).toBe(ref.x.length);
    expect(result.n2).toBe(ref.y.length);
    expect(result.u).toBe(ref.u);
    expect(result.p).toBeCloseTo(ref.p, 12);
    expect(Math.abs(result.p - ref.p) / ref.p).toBeLessThan(1e-9);
    expect(result.z).toBeCloseTo(ref.z, 12);
    expect(rankBiserial(result.u, result.n1, result.n2)).toBeCloseTo(ref.r, 12);
    expect(hodgesLehmannShift(ref.x, ref.y)).toBeCloseTo(ref.hl, 12);
    expect(median(ref.x)).toBeCloseTo(ref.medianX, 12);
    expect(median(ref.y)).toBeCloseTo(ref.medianY, 12);
  });

  test('the test is symmetric: swapping the samples gives the other U, the same p and the opposite z', () => {
    const { x, y } = REFERENCES.C;
    const forward = mannWhitneyU(x, y);
    const backward = mannWhitneyU(y, x);
    expect(backward.u).toBe(x.length * y.length - forward.u);
    expect(backward.p).toBeCloseTo(forward.p, 14);
    expect(backward.z).toBeCloseTo(-forward.z, 14);
  });

  test('a tie anywhere switches the exact test to the normal approximation', () => {
    const { x, y } = REFERENCES.A;
    expect(mannWhitneyU(x, y).ties).toBe(false);
    const tied = mannWhitneyU([...x, 9.0], y);
    expect(tied.ties).toBe(true);
    expect(tied.method).toBe('normal');
  });

  test('values that are not finite numbers are left out; an empty sample gives p = 1', () => {
    const { x, y } = REFERENCES.A;
    expect(mannWhitneyU([...x, Number.NaN, Number.POSITIVE_INFINITY], y)).toEqual(mannWhitneyU(x, y));
    expect(mannWhitneyU([], y)).toMatchObject({ n1: 0, n2: 6, p: 1 });
    expect(median([])).toBeNaN();
  });
});

describe('minimumSampleSize', () => {
  // scipy: complete separation of n and n values, exact p: n=3 0.1, n=4 0.02857142857142857, n=5 0.007936507936507936
  test('is the smallest n whose complete separation reaches p < alpha', () => {
    expect(minimumSampleSize(0.05)).toBe(4);
    expect(minimumSampleSize(0.01)).toBe(5);
    expect(minimumSampleSize(0.1)).toBe(4); // 0.1 is not below 0.1
    expect(mannWhitneyU([5, 6, 7, 8], [1, 2, 3, 4]).p).toBeCloseTo(0.02857142857142857, 14);
    expect(mannWhitneyU([4, 5, 6], [1, 2, 3]).p).toBeCloseTo(0.1, 14);
    expect(mannWhitneyU([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]).p).toBeCloseTo(0.007936507936507936, 14);
  });
});

describe('compareWithBaseline', () => {
  const stable = REFERENCES.C.y;

  test('a canary clearly worse than the stable slot fails, with the numbers', () => {
    const result = compareWithBaseline(REFERENCES.C.x, stable);
    expect(result).toMatchObject({ verdict: 'fail', u: 106.5, n1: 12, n2: 12, method: 'normal' });
    expect(result.effect).toBeCloseTo(0.47916666666666674, 12);
    expect(result.p).toBeCloseTo(0.0283572086837314, 12);
    expect(result.shift).toBeCloseTo(0.55, 12);
    expect(result.canaryMedian).toBeCloseTo(0.65, 12);
    expect(result.stableMedian).toBe(0);
    expect(result.relativeDifference).toBeNull();
    expect(formatComparison(result)).toBe(
      'fail: the canary is significantly worse (higher) than the stable slot (U=106.5, z=2.19, p=0.0284 normal, ' +
        'effect 0.48 >= 0.3, alpha 0.05, n 12/12, median 0.65 vs 0, shift +0.55)',
    );
  });

  test('a canary like the stable slot passes', () => {
    const result = compareWithBaseline(REFERENCES.F.x, REFERENCES.F.y);
    expect(result.verdict).toBe('pass');
    expect(result.reason).toBe('the canary is not worse');
    expect(result.relativeDifference).toBeCloseTo(0.05, 12);
  });

  test('a canary better than the stable slot passes, however significant', () => {
    const result = compareWithBaseline(REFERENCES.G.x, REFERENCES.G.y, { minSamples: 8 });
    expect(result.p).toBeLessThan(0.001);
    expect(result.effect).toBe(-1);
    expect(result.verdict).toBe('pass');
  });

  test('worse: lower turns the direction (throughput): a lower canary fails', () => {
    const result = compareWithBaseline(REFERENCES.G.x, REFERENCES.G.y, { minSamples: 8, worse: 'lower' });
    expect(result.effect).toBe(1);
    expect(result.verdict).toBe('fail');
    expect(result.reason).toBe('the canary is significantly worse (lower) than the stable slot');
  });

  test('too few values in either slot is inconclusive, whatever the data', () => {
    const result = compareWithBaseline(REFERENCES.A.x, REFERENCES.A.y);
    expect(result.p).toBeLessThan(0.05);
    expect(result.verdict).toBe('inconclusive');
    expect(result.reason).toBe('too few values: each slot needs at least 10');
    expect(compareWithBaseline(REFERENCES.A.x, REFERENCES.A.y, { minSamples: 5 }).verdict).toBe('fail');
  });

  test('significantly worse by an effect below minEffect is inconclusive (in between)', () => {
    // D: p 0.0153 < 0.05 with effect 0.384
    const result = compareWithBaseline(REFERENCES.D.x, REFERENCES.D.y, { minEffect: 0.5 });
    expect(result.verdict).toBe('inconclusive');
    expect(result.reason).toBe('the canary is significantly worse (higher), but by an effect below 0.5');
    expect(compareWithBaseline(REFERENCES.D.x, REFERENCES.D.y).verdict).toBe('fail');
  });

  test('worse but not significant passes', () => {
    // B: effect 0.235, p 0.211
    const result = compareWithBaseline(REFERENCES.B.x, REFERENCES.B.y);
    expect(result.effect).toBeGreaterThan(0);
    expect(result.verdict).toBe('pass');
    expect(result.reason).toBe('the canary is not significantly worse');
  });

  test.each([
    [{ alpha: 0 }, 'alpha 0 must be above 0 and at most 0.5, such as 0.05.'],
    [{ alpha: 0.6 }, 'alpha 0.6 must be above 0 and at most 0.5, such as 0.05.'],
    [{ minEffect: 1.5 }, 'minEffect 1.5 must be from 0 to 1, such as 0.3.'],
    [
      { minSamples: 3 },
      'minSamples 3 must be a whole number of at least 4: with fewer values per slot a p value below alpha 0.05 ' +
        'is impossible, so the canary could never fail.',
    ],
    [{ worse: 'up' as 'higher' }, 'worse "up" must be "higher" or "lower".'],
  ])('options %j are refused', (options, message) => {
    expect(() => compareWithBaseline([1], [2], options)).toThrow(new RolloutInputError(message));
  });
});
