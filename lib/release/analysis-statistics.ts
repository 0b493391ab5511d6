import { RolloutInputError } from './rollout-error';

/**
 * The statistics of a canary analysis: the canary slot's per-period values of a metric
 * (a 5xx rate, a response time) against the stable slot's over the same window, as
 * Spinnaker's Kayenta compares them, but on CloudWatch data: a two-sided Mann-Whitney U
 * test (no assumption about the distribution, robust to outliers and to the many zeros of
 * an error rate), an effect size, and a verdict.
 *
 * The verdict rule ({@link compareWithBaseline}):
 * - inconclusive when either slot has fewer than `minSamples` values;
 * - fail when the canary is worse (its values tend to be higher, or lower with
 *   `worse: 'lower'`) with p < `alpha` and an effect of at least `minEffect`;
 * - inconclusive when it is significantly worse but by less than `minEffect`;
 * - pass otherwise: not significantly worse (or better) with enough samples.
 *
 * Pure functions of their inputs; no I/O.
 */

/** How the p value of a Mann-Whitney U test was computed. */
export type MannWhitneyMethod = 'exact' | 'normal';

/** The result of a two-sided Mann-Whitney U test of `x` against `y`. */
export interface MannWhitneyResult {
  /** Number of values of `x`. */
  readonly n1: number;
  /** Number of values of `y`. */
  readonly n2: number;
  /**
   * U of `x`: the number of pairs (x_i, y_j) with x_i > y_j, ties counting one half
   * (scipy's `mannwhitneyu(x, y).statistic`). `n1 * n2 - u` is the U of `y`.
   */
  readonly u: number;
  /**
   * The standard score of U under the normal approximation, with the tie correction and
   * the continuity correction, signed: positive when `x` tends to be larger. Also given
   * when the p value is exact, for display.
   */
  readonly z: number;
  /** Two-sided p value. */
  readonly p: number;
  /** `exact` (no ties and both samples of at most {@link EXACT_MAX_SAMPLES}) or `normal`. */
  readonly method: MannWhitneyMethod;
  /** True when some value occurs more than once across both samples. */
  readonly ties: boolean;
}

/**
 * The largest sample size for which the exact distribution of U is used (when there are
 * no ties): C(40, 20) arrangements still count exactly in a double, and the table of
 * counts is 21 x 21 x 401 numbers.
 */
export const EXACT_MAX_SAMPLES = 20;

/**
 * Two-sided Mann-Whitney U test (Wilcoxon rank-sum) of `x` against `y`.
 *
 * Ranks are averaged over ties. Without ties and with both samples of at most
 * {@link EXACT_MAX_SAMPLES} values, p is exact: 2 P(U >= max(U1, U2)) under the null
 * hypothesis, from the distribution of U counted over all arrangements. Otherwise the
 * normal approximation with mean n1 n2 / 2, the tie-corrected variance
 * n1 n2 / 12 ((n + 1) - sum(t^3 - t) / (n (n - 1))) and a continuity correction of 1/2.
 * p is capped at 1. These are scipy's `mannwhitneyu(x, y, alternative='two-sided',
 * method='exact' | 'asymptotic')` definitions. Values that are not finite numbers are
 * left out (CloudWatch never returns them).
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const a = finite(x);
  const b = finite(y);
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) {
    return { n1, n2, u: 0, z: 0, p: 1, method: 'normal', ties: false };
  }
  const { ranks, tieTerm } = rank([...a, ...b]);
  const rankSum = ranks.slice(0, n1).reduce((sum, r) => sum + r, 0);
  const u = rankSum - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - (n > 1 ? tieTerm / (n * (n - 1)) : 0));
  const deviation = u - mean;
  const z = variance > 0 ? (Math.sign(deviation) * Math.max(0, Math.abs(deviation) - 0.5)) / Math.sqrt(variance) : 0;
  const ties = tieTerm > 0;
  if (!ties && n1 <= EXACT_MAX_SAMPLES && n2 <= EXACT_MAX_SAMPLES) {
    const upper = Math.max(u, n1 * n2 - u);
    return { n1, n2, u, z, p: Math.min(1, 2 * exactUpperTail(n1, n2, upper)), method: 'exact', ties };
  }
  const p = variance > 0 ? Math.min(1, 2 * normalUpperTail(Math.abs(z))) : 1;
  return { n1, n2, u, z, p, method: 'normal', ties };
}

/**
 * The rank-biserial correlation of a U of the first sample: 2 U / (n1 n2) - 1, from -1
 * (every value of the first sample below every value of the second) to 1 (every one
 * above); 0 when neither tends to be larger. It is the difference between the
 * probability that a value of the first sample is larger and that it is smaller.
 */
export function rankBiserial(u: number, n1: number, n2: number): number {
  return n1 > 0 && n2 > 0 ? (2 * u) / (n1 * n2) - 1 : 0;
}

/** The median of the values (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = finite(values).sort((p, q) => p - q);
  if (sorted.length === 0) {
    return Number.NaN;
  }
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * The Hodges-Lehmann estimate of the shift of `x` against `y`: the median of all
 * differences x_i - y_j. Positive when `x` tends to be larger; in the metric's unit
 * (milliseconds, percent). NaN when a sample is empty.
 */
export function hodgesLehmannShift(x: readonly number[], y: readonly number[]): number {
  const a = finite(x);
  const b = finite(y);
  const differences: number[] = [];
  for (const p of a) {
    for (const q of b) {
      differences.push(p - q);
    }
  }
  return median(differences);
}

/**
 * The smallest sample size n such that two samples of n values each can give a two-sided
 * exact p below `alpha` at all (complete separation: p = 2 / C(2n, n)). With fewer values
 * per slot the test can never fail a canary: 4 for alpha 0.05 (p = 0.029), 5 for 0.01.
 */
export function minimumSampleSize(alpha: number): number {
  checkAlpha(alpha);
  let n = 1;
  while (2 / binomial(2 * n, n) >= alpha) {
    n += 1;
  }
  return n;
}

/** Which direction of a metric is bad: `higher` (error rates, latency) or `lower` (throughput). */
export type WorseDirection = 'higher' | 'lower';

/** Options of {@link compareWithBaseline}. */
export interface BaselineTestOptions {
  /**
   * Significance level of the two-sided test, above 0 and at most 0.5.
   * @default 0.05
   */
  readonly alpha?: number;
  /**
   * The smallest effect (rank-biserial correlation in the bad direction, 0 to 1) that
   * fails the canary: 0.3 means the canary's value is the worse one in at least 65% of
   * the canary/stable pairs. A significant difference below it is inconclusive.
   * @default 0.3
   */
  readonly minEffect?: number;
  /**
   * Values each slot needs for a verdict other than inconclusive, at least
   * {@link minimumSampleSize} of `alpha`.
   * @default 10
   */
  readonly minSamples?: number;
  /**
   * Which direction of the metric is bad.
   * @default 'higher'
   */
  readonly worse?: WorseDirection;
}

/** Defaults of {@link BaselineTestOptions}. */
export const BASELINE_DEFAULTS = { alpha: 0.05, minEffect: 0.3, minSamples: 10, worse: 'higher' } as const;

/** The verdict of a baseline comparison. */
export type BaselineVerdict = 'pass' | 'fail' | 'inconclusive';

/** A canary/stable comparison with every number that led to its verdict. */
export interface BaselineComparison extends MannWhitneyResult {
  /** pass, fail or inconclusive. */
  readonly verdict: BaselineVerdict;
  /** Why, in one sentence without the numbers (they are in the other fields). */
  readonly reason: string;
  /**
   * Rank-biserial correlation of the canary against the stable slot, turned so that a
   * positive effect means the canary is worse (see {@link rankBiserial}).
   */
  readonly effect: number;
  /** Hodges-Lehmann shift of the canary against the stable slot (canary minus stable, in the metric's unit). */
  readonly shift: number;
  /** The canary's median. */
  readonly canaryMedian: number;
  /** The stable slot's median. */
  readonly stableMedian: number;
  /**
   * (canary median - stable median) / |stable median|, or null when the stable median is 0.
   */
  readonly relativeDifference: number | null;
  /** The options applied, defaults filled in. */
  readonly options: Required<BaselineTestOptions>;
}

/**
 * Compares the canary slot's values of a metric with the stable slot's (per-period values
 * over the same window) and gives a verdict with the numbers; see the rule at the top of
 * this module. Throws a {@link RolloutInputError} for options out of range.
 */
export function compareWithBaseline(
  canary: readonly number[],
  stable: readonly number[],
  options: BaselineTestOptions = {},
): BaselineComparison {
  const applied = checkBaselineOptions(options);
  const test = mannWhitneyU(canary, stable);
  const signed = rankBiserial(test.u, test.n1, test.n2);
  const effect = applied.worse === 'higher' ? signed : -signed;
  const canaryMedian = median(canary);
  const stableMedian = median(stable);
  const numbers = {
    ...test,
    effect,
    shift: hodgesLehmannShift(canary, stable),
    canaryMedian,
    stableMedian,
    relativeDifference:
      stableMedian !== 0 && !Number.isNaN(stableMedian) ? (canaryMedian - stableMedian) / Math.abs(stableMedian) : null,
    options: applied,
  };
  const worse = applied.worse === 'higher' ? 'higher' : 'lower';
  if (test.n1 < applied.minSamples || test.n2 < applied.minSamples) {
    return {
      ...numbers,
      verdict: 'inconclusive',
      reason: `too few values: each slot needs at least ${applied.minSamples}`,
    };
  }
  if (effect > 0 && test.p < applied.alpha) {
    return effect >= applied.minEffect
      ? { ...numbers, verdict: 'fail', reason: `the canary is significantly worse (${worse}) than the stable slot` }
      : {
          ...numbers,
          verdict: 'inconclusive',
          reason: `the canary is significantly worse (${worse}), but by an effect below ${applied.minEffect}`,
        };
  }
  return {
    ...numbers,
    verdict: 'pass',
    reason: effect > 0 ? 'the canary is not significantly worse' : 'the canary is not worse',
  };
}

/**
 * One line with the verdict and its numbers:
 * `fail: the canary is significantly worse (higher) than the stable slot (U=106.5,
 * z=2.19, p=0.0284 normal, effect 0.48 >= 0.3, n 12/12, median 0.65 vs 0, shift +0.55)`.
 */
export function formatComparison(comparison: BaselineComparison): string {
  const c = comparison;
  const relative = c.relativeDifference === null ? '' : `, ${signed(c.relativeDifference * 100, 1)}%`;
  const numbers = [
    `U=${round(c.u, 2)}`,
    `z=${round(c.z, 2)}`,
    `p=${formatP(c.p)} ${c.method}`,
    `effect ${round(c.effect, 2)}${c.effect >= c.options.minEffect ? ' >=' : ' <'} ${c.options.minEffect}`,
    `alpha ${c.options.alpha}`,
    `n ${c.n1}/${c.n2}`,
    `median ${round(c.canaryMedian, 4)} vs ${round(c.stableMedian, 4)}${relative}`,
    `shift ${signed(c.shift, 4)}`,
  ];
  return `${c.verdict}: ${c.reason} (${numbers.join(', ')})`;
}

/**
 * The options with defaults filled in; a {@link RolloutInputError} names the option, the
 * value and the range. Shared with the analysis file parser, which reports in file terms.
 */
export function checkBaselineOptions(options: BaselineTestOptions): Required<BaselineTestOptions> {
  const applied = { ...BASELINE_DEFAULTS, ...definedOnly(options) };
  checkAlpha(applied.alpha);
  if (!(applied.minEffect >= 0 && applied.minEffect <= 1)) {
    throw new RolloutInputError(`minEffect ${applied.minEffect} must be from 0 to 1, such as 0.3.`);
  }
  const least = minimumSampleSize(applied.alpha);
  if (!Number.isInteger(applied.minSamples) || applied.minSamples < least) {
    throw new RolloutInputError(
      `minSamples ${applied.minSamples} must be a whole number of at least ${least}: with fewer values per slot ` +
        `a p value below alpha ${applied.alpha} is impossible, so the canary could never fail.`,
    );
  }
  if (applied.worse !== 'higher' && applied.worse !== 'lower') {
    throw new RolloutInputError(`worse "${String(applied.worse)}" must be "higher" or "lower".`);
  }
  return applied;
}

function checkAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha <= 0.5)) {
    throw new RolloutInputError(`alpha ${alpha} must be above 0 and at most 0.5, such as 0.05.`);
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function finite(values: readonly number[]): number[] {
  return values.filter((v) => typeof v === 'number' && Number.isFinite(v));
}

/** Average ranks (1-based) of the values in their order, and sum(t^3 - t) over the groups of ties. */
function rank(values: readonly number[]): { ranks: number[]; tieTerm: number } {
  const order = values.map((value, index) => ({ value, index })).sort((p, q) => p.value - q.value);
  const ranks = new Array<number>(values.length);
  let tieTerm = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1].value === order[start].value) {
      end += 1;
    }
    const count = end - start + 1;
    const average = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      ranks[order[k].index] = average;
    }
    tieTerm += count ** 3 - count;
    start = end + 1;
  }
  return { ranks, tieTerm };
}

/**
 * P(U >= u) for samples of n1 and n2 values without ties, from the number of arrangements
 * of each U: f(m, n, u) = f(m - 1, n, u - n) + f(m, n - 1, u) (the largest value belongs
 * to the first sample, adding n to U, or to the second).
 */
function exactUpperTail(n1: number, n2: number, u: number): number {
  // counts[n][u] for the current m, built up from m = 0
  let previous: number[][] = [];
  for (let n = 0; n <= n2; n++) {
    previous.push([1]);
  }
  for (let m = 1; m <= n1; m++) {
    const current: number[][] = [[1]];
    for (let n = 1; n <= n2; n++) {
      const size = m * n + 1;
      const row = new Array<number>(size).fill(0);
      const fromFirst = previous[n];
      const fromSecond = current[n - 1];
      for (let k = 0; k < size; k++) {
        row[k] =
          (k - n >= 0 && k - n < fromFirst.length ? fromFirst[k - n] : 0) + (k < fromSecond.length ? fromSecond[k] : 0);
      }
      current.push(row);
    }
    previous = current;
  }
  const counts = previous[n2];
  const total = counts.reduce((sum, c) => sum + c, 0);
  let tail = 0;
  for (let k = Math.ceil(u); k < counts.length; k++) {
    tail += counts[k];
  }
  return tail / total;
}

/** P(Z >= z) for a standard normal Z. */
function normalUpperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/**
 * The complementary error function to about 1e-14 relative: the series
 * erf(x) = 2/sqrt(pi) e^(-x^2) sum 2^k x^(2k+1) / (1 3 ... (2k+1)) (all terms positive) below
 * 3, the continued fraction of erfc above.
 */
function erfc(x: number): number {
  if (x < 0) {
    return 2 - erfc(-x);
  }
  if (x < 3) {
    let term = x;
    let sum = x;
    for (let k = 1; term > sum * 1e-17; k++) {
      term *= (2 * x * x) / (2 * k + 1);
      sum += term;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  let fraction = x;
  for (let k = 80; k >= 1; k--) {
    fraction = x + k / 2 / fraction;
  }
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * fraction);
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) {
    result = (result * (n - k + i)) / i;
  }
  return result;
}

function round(value: number, digits: number): string {
  if (Number.isNaN(value)) {
    return 'n/a';
  }
  return String(Number(value.toFixed(digits)));
}

function signed(value: number, digits: number): string {
  const text = round(value, digits);
  return value > 0 ? `+${text}` : text;
}

function formatP(p: number): string {
  return p < 0.0001 ? p.toExponential(1) : String(Number(p.toPrecision(3)));
}
