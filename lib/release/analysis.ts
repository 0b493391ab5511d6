import { Analysis, AnalysisCheck, BaselineCheck, Condition, formatCondition, meets } from './analysis-file';
import { BaselineComparison, compareWithBaseline, formatComparison } from './analysis-statistics';

/**
 * The evaluator of a canary analysis: a pure function from the analysis, the record of the
 * previous evaluations and the new metric values to the new record and a verdict.
 *
 * Each value of a check's query is one measurement: a success when it meets the
 * condition, inconclusive when it misses it but meets the inconclusive band, a failure
 * otherwise. Each evaluation of a baseline (one comparison of the canary's and the stable
 * slot's values over the window) is one measurement too: pass, inconclusive or fail. A
 * check or baseline then stands:
 * - `failed` once its failures exceed `failureLimit` (counts only grow, so it stays failed);
 * - `passed` while its last `consecutiveSuccesses` measurements were successes;
 * - `inconclusive` when its last measurement was inconclusive;
 * - `running` otherwise (not enough successes yet, or no data yet).
 *
 * The verdict, over the checks and baselines that are not dry runs: `fail` if one failed,
 * else `inconclusive` if one is inconclusive, else `pass` if all passed, else `continue`.
 * Dry runs are measured and recorded, and never change the verdict.
 *
 * Measurements carry their time; one at or before the last time a check counted is
 * skipped, so evaluating the same values twice (a retried command) counts them once.
 */

/** What one measurement showed. */
export type MeasurementOutcome = 'success' | 'failure' | 'inconclusive';

/** Where a check or baseline stands. */
export type CheckStatus = 'running' | 'passed' | 'failed' | 'inconclusive';

/** The verdict of an evaluation: go on measuring, promote, abort, or hold for a person. */
export type AnalysisVerdict = 'continue' | 'pass' | 'fail' | 'inconclusive';

/** The numbers of a baseline's last comparison, as the record keeps them (rounded). */
export interface ComparisonRecord {
  /** pass, fail or inconclusive. */
  readonly verdict: BaselineComparison['verdict'];
  /** U of the canary. */
  readonly u: number;
  /** Standard score. */
  readonly z: number;
  /** Two-sided p value. */
  readonly p: number;
  /** Rank-biserial effect, positive when the canary is worse. */
  readonly effect: number;
  /** Values of the canary. */
  readonly n1: number;
  /** Values of the stable slot. */
  readonly n2: number;
  /** The canary's median (null when it had no values). */
  readonly canaryMedian: number | null;
  /** The stable slot's median (null when it had no values). */
  readonly stableMedian: number | null;
}

/** The counts of one check or baseline. */
export interface CheckRecord {
  /** Measurements counted. */
  readonly measurements: number;
  /** Successes counted. */
  readonly successes: number;
  /** Failures counted. */
  readonly failures: number;
  /** Inconclusive measurements counted. */
  readonly inconclusive: number;
  /** Successes since the last failure or inconclusive measurement. */
  readonly consecutiveSuccesses: number;
  /** Time of the last measurement counted (ISO 8601, UTC), or null before the first. */
  readonly lastAt: string | null;
  /** The last measured value (a check's value; a baseline's p value), or null. */
  readonly lastValue: number | null;
  /** The last outcome, or null before the first measurement. */
  readonly lastOutcome: MeasurementOutcome | null;
  /** Where the check stands. */
  readonly status: CheckStatus;
  /**
   * The last comparison (baselines only).
   * @default - not a baseline, or not compared yet
   */
  readonly comparison?: ComparisonRecord;
}

/** The record of an analysis, kept with the rollout between evaluations. */
export interface AnalysisRecord {
  /** When it was last evaluated (ISO 8601, UTC). */
  readonly evaluatedAt: string;
  /** The verdict of that evaluation. */
  readonly verdict: AnalysisVerdict;
  /** Per check and baseline name. */
  readonly checks: Readonly<Record<string, CheckRecord>>;
}

/** One value of a check's query. */
export interface MetricPoint {
  /** The period's time (ISO 8601, or a Date), as GetMetricData's `Timestamps` gives it. */
  readonly timestamp: string | Date;
  /** The value. */
  readonly value: number;
}

/** The values of one baseline's query for both slots over the same window. */
export interface BaselineReading {
  /** The end of the window (ISO 8601, or a Date). */
  readonly timestamp: string | Date;
  /** The canary slot's per-period values. */
  readonly canary: readonly number[];
  /** The stable slot's per-period values. */
  readonly stable: readonly number[];
}

/** The new metric values of one evaluation, by check and baseline name. */
export interface AnalysisReadings {
  /**
   * Per check: its values since the last evaluation (older ones are skipped).
   * @default - no new values
   */
  readonly checks?: Readonly<Record<string, readonly MetricPoint[]>>;
  /**
   * Per baseline: both slots' values over the window.
   * @default - not compared this time
   */
  readonly baselines?: Readonly<Record<string, BaselineReading>>;
}

/** The result of {@link evaluateAnalysis}. */
export interface AnalysisEvaluation {
  /** The record to keep. */
  readonly record: AnalysisRecord;
  /** The verdict. */
  readonly verdict: AnalysisVerdict;
  /** One human-readable line per check and baseline, then one for the verdict. */
  readonly lines: readonly string[];
}

const FRESH: CheckRecord = {
  measurements: 0,
  successes: 0,
  failures: 0,
  inconclusive: 0,
  consecutiveSuccesses: 0,
  lastAt: null,
  lastValue: null,
  lastOutcome: null,
  status: 'running',
};

/**
 * Evaluates an analysis: counts the new measurements of every check and baseline onto the
 * previous record (none: a fresh one), and returns the new record, the verdict and a line
 * per check. Records of names no longer in the analysis are dropped.
 */
export function evaluateAnalysis(
  analysis: Analysis,
  previous: AnalysisRecord | undefined,
  readings: AnalysisReadings,
  now: Date,
): AnalysisEvaluation {
  const checks: Record<string, CheckRecord> = {};
  const lines: string[] = [];
  const gating: CheckStatus[] = [];
  for (const check of analysis.checks) {
    const before = previous?.checks[check.name] ?? FRESH;
    const { record, line } = measureCheck(check, before, readings.checks?.[check.name] ?? []);
    checks[check.name] = record;
    lines.push(`${check.dryRun ? '[dry run] ' : ''}${line}`);
    if (!check.dryRun) {
      gating.push(record.status);
    }
  }
  for (const baseline of analysis.baselines) {
    const before = previous?.checks[baseline.name] ?? FRESH;
    const { record, line } = measureBaseline(baseline, before, readings.baselines?.[baseline.name]);
    checks[baseline.name] = record;
    lines.push(`${baseline.dryRun ? '[dry run] ' : ''}${line}`);
    if (!baseline.dryRun) {
      gating.push(record.status);
    }
  }
  const verdict: AnalysisVerdict = gating.includes('failed')
    ? 'fail'
    : gating.includes('inconclusive')
      ? 'inconclusive'
      : gating.every((status) => status === 'passed')
        ? 'pass'
        : 'continue';
  lines.push(`analysis: ${verdict} (${VERDICT_MEANING[verdict]})`);
  return { record: { evaluatedAt: now.toISOString(), verdict, checks }, verdict, lines };
}

const VERDICT_MEANING: Record<AnalysisVerdict, string> = {
  continue: 'not every check has passed yet; keep measuring',
  pass: 'every check passed',
  fail: 'a check failed; abort the rollout',
  inconclusive: 'a check is inconclusive; hold the rollout until a person decides',
};

/** The outcome of one value of a check. */
export function checkOutcome(check: AnalysisCheck, value: number): MeasurementOutcome {
  if (meets(value, check.condition)) {
    return 'success';
  }
  return check.inconclusive && meets(value, check.inconclusive) ? 'inconclusive' : 'failure';
}

function measureCheck(
  check: AnalysisCheck,
  before: CheckRecord,
  points: readonly MetricPoint[],
): { record: CheckRecord; line: string } {
  const since = before.lastAt === null ? Number.NEGATIVE_INFINITY : Date.parse(before.lastAt);
  const fresh = points
    .map((point) => ({ time: new Date(point.timestamp).getTime(), value: point.value }))
    .filter((point) => Number.isFinite(point.time) && Number.isFinite(point.value) && point.time > since)
    .sort((p, q) => p.time - q.time);
  let record = before;
  for (const point of fresh) {
    record = count(record, checkOutcome(check, point.value), point.value, point.time, check);
  }
  const head = `${check.name}: `;
  if (fresh.length === 0) {
    const since = before.lastAt === null ? '' : ` since ${before.lastAt}`;
    return { record, line: `${head}no new values${since}; ${standing(record, check)}` };
  }
  const last = fresh[fresh.length - 1].value;
  const tally = fresh.length === 1 ? '' : `${fresh.length} new values, `;
  return {
    record,
    line: `${head}${tally}last ${last} ${describeValue(check, last)}; ${standing(record, check)}`,
  };
}

function measureBaseline(
  baseline: BaselineCheck,
  before: CheckRecord,
  reading: BaselineReading | undefined,
): { record: CheckRecord; line: string } {
  const head = `${baseline.name} (canary vs stable): `;
  const time = reading ? new Date(reading.timestamp).getTime() : Number.NaN;
  const since = before.lastAt === null ? Number.NEGATIVE_INFINITY : Date.parse(before.lastAt);
  if (!reading || !Number.isFinite(time) || time <= since) {
    return { record: before, line: `${head}not compared this time; ${standing(before, baseline)}` };
  }
  const { alpha, minEffect, minSamples, worse } = baseline;
  const comparison = compareWithBaseline(reading.canary, reading.stable, { alpha, minEffect, minSamples, worse });
  const outcome: MeasurementOutcome =
    comparison.verdict === 'pass' ? 'success' : comparison.verdict === 'fail' ? 'failure' : 'inconclusive';
  const record = { ...count(before, outcome, comparison.p, time, baseline), comparison: comparisonRecord(comparison) };
  return { record, line: `${head}${formatComparison(comparison)}; ${standing(record, baseline)}` };
}

/** Counts one measurement onto a record. */
function count(
  record: CheckRecord,
  outcome: MeasurementOutcome,
  value: number,
  time: number,
  limits: { readonly failureLimit: number; readonly consecutiveSuccesses: number },
): CheckRecord {
  const next = {
    ...record,
    measurements: record.measurements + 1,
    successes: record.successes + (outcome === 'success' ? 1 : 0),
    failures: record.failures + (outcome === 'failure' ? 1 : 0),
    inconclusive: record.inconclusive + (outcome === 'inconclusive' ? 1 : 0),
    consecutiveSuccesses: outcome === 'success' ? record.consecutiveSuccesses + 1 : 0,
    lastAt: new Date(time).toISOString(),
    lastValue: value,
    lastOutcome: outcome,
  };
  return { ...next, status: statusOf(next, limits) };
}

function statusOf(
  record: Omit<CheckRecord, 'status'>,
  limits: { readonly failureLimit: number; readonly consecutiveSuccesses: number },
): CheckStatus {
  if (record.failures > limits.failureLimit) {
    return 'failed';
  }
  if (record.consecutiveSuccesses >= limits.consecutiveSuccesses) {
    return 'passed';
  }
  return record.lastOutcome === 'inconclusive' ? 'inconclusive' : 'running';
}

/** `meets < 1`, `misses < 1, within the inconclusive band < 2`, `misses < 1`. */
function describeValue(check: AnalysisCheck, value: number): string {
  const outcome = checkOutcome(check, value);
  const condition = formatCondition(check.condition);
  if (outcome === 'success') {
    return `meets ${condition}`;
  }
  const band = check.inconclusive as Condition | undefined;
  return outcome === 'inconclusive'
    ? `misses ${condition}, within the inconclusive band ${formatCondition(band!)}`
    : `misses ${condition}`;
}

/** `failures 1 of 1 allowed, 2/3 successes in a row: running`. */
function standing(
  record: CheckRecord,
  limits: { readonly failureLimit: number; readonly consecutiveSuccesses: number },
): string {
  const inconclusive = record.inconclusive > 0 ? `, ${record.inconclusive} inconclusive` : '';
  return (
    `failures ${record.failures} of ${limits.failureLimit} allowed${inconclusive}, ` +
    `${Math.min(record.consecutiveSuccesses, limits.consecutiveSuccesses)}/${limits.consecutiveSuccesses} ` +
    `successes in a row: ${record.status}`
  );
}

function comparisonRecord(c: BaselineComparison): ComparisonRecord {
  const r = (value: number, digits: number) => Number(value.toPrecision(digits));
  const orNull = (value: number) => (Number.isNaN(value) ? null : r(value, 6));
  return {
    verdict: c.verdict,
    u: c.u,
    z: r(c.z, 4),
    p: r(c.p, 4),
    effect: r(c.effect, 4),
    n1: c.n1,
    n2: c.n2,
    canaryMedian: orNull(c.canaryMedian),
    stableMedian: orNull(c.stableMedian),
  };
}
