import type { AnalysisRecord, CheckRecord, ComparisonRecord } from './analysis';
import { describe, isPlainObject } from './private/json-values';

/**
 * The analysis results a rollout keeps in the release file (`rollout.analysis.record`):
 * parsed and checked on load like every other field of the file, written with a stable
 * key order. The shape is {@link AnalysisRecord}, what `evaluateAnalysis` returns.
 */

/** What a parser calls to reject a field: `fail(problem, fix)` throws the release file's error. */
type Fail = (problem: string, fix: string) => never;

const VERDICTS = ['continue', 'pass', 'fail', 'inconclusive'];
const STATUSES = ['running', 'passed', 'failed', 'inconclusive'];
const OUTCOMES = ['success', 'failure', 'inconclusive'];
const COUNTS = ['measurements', 'successes', 'failures', 'inconclusive', 'consecutiveSuccesses'] as const;
const CHECK_FIELDS = [...COUNTS, 'lastAt', 'lastValue', 'lastOutcome', 'status', 'comparison'];
const COMPARISON_NUMBERS = ['u', 'z', 'p', 'effect', 'n1', 'n2'] as const;
const COMPARISON_FIELDS = ['verdict', ...COMPARISON_NUMBERS, 'canaryMedian', 'stableMedian'];
/** The fix of an analysis record that is wrong: it is data the command line writes, never edited by hand. */
const RESET = 'remove "rollout.analysis.record" (the next "release advance" measures the step again)';

/**
 * Validates `rollout.analysis.record` of a release file.
 * @internal
 */
export function parseAnalysisRecord(data: unknown, fail: Fail): AnalysisRecord {
  const at = 'rollout.analysis.record';
  if (!isPlainObject(data)) {
    return fail(`"${at}" is ${describe(data)}`, RESET);
  }
  known(data, ['evaluatedAt', 'verdict', 'checks'], at, fail);
  if (!isTime(data.evaluatedAt)) {
    return fail(`"${at}.evaluatedAt" is ${describe(data.evaluatedAt)}`, RESET);
  }
  if (!VERDICTS.includes(data.verdict as string)) {
    return fail(`"${at}.verdict" is ${describe(data.verdict)}`, `use one of ${VERDICTS.join(', ')}, or ${RESET}`);
  }
  if (!isPlainObject(data.checks)) {
    return fail(`"${at}.checks" is ${describe(data.checks)}`, RESET);
  }
  const checks: Record<string, CheckRecord> = {};
  for (const [name, check] of Object.entries(data.checks)) {
    checks[name] = parseCheckRecord(check, `${at}.checks.${name}`, fail);
  }
  return { evaluatedAt: data.evaluatedAt, verdict: data.verdict as AnalysisRecord['verdict'], checks };
}

function parseCheckRecord(data: unknown, at: string, fail: Fail): CheckRecord {
  if (!isPlainObject(data)) {
    return fail(`"${at}" is ${describe(data)}`, RESET);
  }
  known(data, CHECK_FIELDS, at, fail);
  for (const key of COUNTS) {
    const value = data[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      return fail(`"${at}.${key}" is ${describe(value)}`, `use a whole number of at least 0, or ${RESET}`);
    }
  }
  if (data.lastAt !== null && !isTime(data.lastAt)) {
    return fail(`"${at}.lastAt" is ${describe(data.lastAt)}`, `use an ISO 8601 time or null, or ${RESET}`);
  }
  if (data.lastValue !== null && !isFiniteNumber(data.lastValue)) {
    return fail(`"${at}.lastValue" is ${describe(data.lastValue)}`, `use a number or null, or ${RESET}`);
  }
  if (data.lastOutcome !== null && !OUTCOMES.includes(data.lastOutcome as string)) {
    return fail(`"${at}.lastOutcome" is ${describe(data.lastOutcome)}`, `use ${OUTCOMES.join(', ')} or null`);
  }
  if (!STATUSES.includes(data.status as string)) {
    return fail(`"${at}.status" is ${describe(data.status)}`, `use one of ${STATUSES.join(', ')}`);
  }
  const comparison = data.comparison === undefined ? undefined : parseComparison(data.comparison, at, fail);
  return {
    measurements: data.measurements as number,
    successes: data.successes as number,
    failures: data.failures as number,
    inconclusive: data.inconclusive as number,
    consecutiveSuccesses: data.consecutiveSuccesses as number,
    lastAt: data.lastAt as string | null,
    lastValue: data.lastValue as number | null,
    lastOutcome: data.lastOutcome as CheckRecord['lastOutcome'],
    status: data.status as CheckRecord['status'],
    ...(comparison ? { comparison } : {}),
  };
}

function parseComparison(data: unknown, at: string, fail: Fail): ComparisonRecord {
  const field = `${at}.comparison`;
  if (!isPlainObject(data)) {
    return fail(`"${field}" is ${describe(data)}`, RESET);
  }
  known(data, COMPARISON_FIELDS, field, fail);
  if (!['pass', 'fail', 'inconclusive'].includes(data.verdict as string)) {
    return fail(`"${field}.verdict" is ${describe(data.verdict)}`, 'use pass, fail or inconclusive');
  }
  for (const key of COMPARISON_NUMBERS) {
    if (!isFiniteNumber(data[key])) {
      return fail(`"${field}.${key}" is ${describe(data[key])}`, `use a number, or ${RESET}`);
    }
  }
  for (const key of ['canaryMedian', 'stableMedian'] as const) {
    if (data[key] !== null && !isFiniteNumber(data[key])) {
      return fail(`"${field}.${key}" is ${describe(data[key])}`, 'use a number or null');
    }
  }
  return {
    verdict: data.verdict as ComparisonRecord['verdict'],
    u: data.u as number,
    z: data.z as number,
    p: data.p as number,
    effect: data.effect as number,
    n1: data.n1 as number,
    n2: data.n2 as number,
    canaryMedian: data.canaryMedian as number | null,
    stableMedian: data.stableMedian as number | null,
  };
}

/**
 * The record as written: stable key order, checks in the order the record holds them.
 * @internal
 */
export function formatAnalysisRecord(record: AnalysisRecord): Record<string, unknown> {
  const checks: Record<string, unknown> = {};
  for (const [name, check] of Object.entries(record.checks)) {
    checks[name] = {
      measurements: check.measurements,
      successes: check.successes,
      failures: check.failures,
      inconclusive: check.inconclusive,
      consecutiveSuccesses: check.consecutiveSuccesses,
      lastAt: check.lastAt,
      lastValue: check.lastValue,
      lastOutcome: check.lastOutcome,
      status: check.status,
      ...(check.comparison ? { comparison: { ...check.comparison } } : {}),
    };
  }
  return { evaluatedAt: record.evaluatedAt, verdict: record.verdict, checks };
}

function known(data: Record<string, unknown>, fields: readonly string[], at: string, fail: Fail): void {
  for (const key of Object.keys(data)) {
    if (!fields.includes(key)) {
      fail(`"${at}.${key}" is not a field here`, `remove it (fields: ${fields.join(', ')})`);
    }
  }
}

function isTime(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
