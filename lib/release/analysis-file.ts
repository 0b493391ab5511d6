import { readFileSync } from 'fs';
import { minimumSampleSize, WorseDirection } from './analysis-statistics';
import { describe, isPlainObject } from './private/json-values';

/**
 * The analysis file of `release promote --steps ... --analysis <file>`: metric checks
 * evaluated at each step of a rollout through CloudWatch `GetMetricData`, and baseline
 * comparisons of the canary slot against the stable slot. JSON, or YAML when the caller
 * passes a YAML parser (the release room loads no YAML library itself):
 *
 * ```json
 * {
 *   "version": 1,
 *   "checks": [{
 *     "name": "canary-5xx-rate",
 *     "queries": [
 *       { "Id": "errors", "ReturnData": false, "MetricStat": { "Metric": { "Namespace": "AWS/ApplicationELB",
 *         "MetricName": "HTTPCode_Target_5XX_Count", "Dimensions": [
 *           { "Name": "TargetGroup", "Value": "${canary.targetGroup}" },
 *           { "Name": "LoadBalancer", "Value": "${loadBalancer}" }] }, "Period": 60, "Stat": "Sum" } },
 *       { "Id": "requests", "ReturnData": false, "MetricStat": { "...": "RequestCount, Sum" } },
 *       { "Id": "rate", "Expression": "100 * FILL(errors, 0) / requests" }
 *     ],
 *     "condition": "< 1", "inconclusive": "< 2", "failureLimit": 1, "consecutiveSuccesses": 3
 *   }],
 *   "baselines": [{
 *     "name": "p99-latency",
 *     "queries": [{ "Id": "p99", "MetricStat": { "Metric": { "Namespace": "AWS/ApplicationELB",
 *       "MetricName": "TargetResponseTime", "Dimensions": [
 *         { "Name": "TargetGroup", "Value": "${slot.targetGroup}" },
 *         { "Name": "LoadBalancer", "Value": "${loadBalancer}" }] }, "Period": 60, "Stat": "p99" } }],
 *     "worse": "higher", "alpha": 0.05, "minEffect": 0.3, "minSamples": 10
 *   }]
 * }
 * ```
 *
 * Queries are the API's own `MetricDataQuery` objects (PascalCase, as `aws cloudwatch
 * get-metric-data --metric-data-queries` takes them), so any metric or metric math
 * expression works; exactly one query of a check returns data (the others set
 * `"ReturnData": false`), and each of its values is one measurement.
 */

/** A metric of a {@link MetricDataQuery}: CloudWatch's `Metric`. */
export interface QueryMetric {
  /** The namespace, such as `AWS/ApplicationELB`. */
  readonly Namespace: string;
  /** The metric name, such as `TargetResponseTime`. */
  readonly MetricName: string;
  /**
   * Up to 30 dimensions; values may hold placeholders.
   * @default - none
   */
  readonly Dimensions?: ReadonlyArray<{ readonly Name: string; readonly Value: string }>;
}

/** A metric and its statistic over a period: CloudWatch's `MetricStat`. */
export interface QueryMetricStat {
  /** The metric. */
  readonly Metric: QueryMetric;
  /** Seconds per value: 1, 5, 10, 20, 30 or a multiple of 60. */
  readonly Period: number;
  /** The statistic: `Sum`, `Average`, `Maximum`, `p99`, `tm90`... */
  readonly Stat: string;
  /**
   * The unit to request.
   * @default - the metric's own
   */
  readonly Unit?: string;
}

/** One query of a GetMetricData request, in the API's own shape (`MetricDataQuery`). */
export interface MetricDataQuery {
  /** Id, unique in the check: a lowercase letter, then letters, digits and underscores. */
  readonly Id: string;
  /**
   * A metric and statistic (exactly one of `MetricStat` and `Expression`).
   * @default - an expression
   */
  readonly MetricStat?: QueryMetricStat;
  /**
   * A metric math expression over the other queries' ids.
   * @default - a metric
   */
  readonly Expression?: string;
  /**
   * A label for the series.
   * @default - CloudWatch's
   */
  readonly Label?: string;
  /**
   * Whether the series is returned; exactly one query of a check returns data.
   * @default true
   */
  readonly ReturnData?: boolean;
  /**
   * Seconds per value of an expression.
   * @default - the period of the metrics it uses
   */
  readonly Period?: number;
}

/** A comparison of a measured value with a threshold: `< 1`, `>= 99.5`. */
export interface Condition {
  /** `<`, `<=`, `>` or `>=`. */
  readonly operator: '<' | '<=' | '>' | '>=';
  /** The threshold. */
  readonly threshold: number;
}

/** A metric check: each value of its query is measured against `condition`. */
export interface AnalysisCheck {
  /** Unique name in the file, as the rollout record keys its results. */
  readonly name: string;
  /** The GetMetricData queries; exactly one returns data. */
  readonly queries: readonly MetricDataQuery[];
  /** What a good value meets (a success). */
  readonly condition: Condition;
  /**
   * A looser condition in the same direction: a value that misses `condition` but meets
   * this one is inconclusive (the rollout holds), not a failure.
   * @default - none: every value that misses `condition` is a failure
   */
  readonly inconclusive?: Condition;
  /** Failures allowed: the check fails at failure `failureLimit + 1`. */
  readonly failureLimit: number;
  /** Successes in a row that pass the check. */
  readonly consecutiveSuccesses: number;
  /** Record results without acting on them. */
  readonly dryRun: boolean;
}

/**
 * A comparison of the canary slot's values of one metric with the stable slot's over the
 * same window (see `compareWithBaseline`). Its queries use `${slot.targetGroup}` (or
 * `${slot.name}`), filled once for each slot.
 */
export interface BaselineCheck {
  /** Unique name in the file. */
  readonly name: string;
  /** The GetMetricData queries for one slot; exactly one returns data. */
  readonly queries: readonly MetricDataQuery[];
  /** Which direction of the metric is bad. */
  readonly worse: WorseDirection;
  /** Significance level (above 0, at most 0.5). */
  readonly alpha: number;
  /** Smallest effect (rank-biserial correlation, 0 to 1) that fails the canary. */
  readonly minEffect: number;
  /** Values each slot needs for a pass or a fail. */
  readonly minSamples: number;
  /** Failed comparisons allowed. */
  readonly failureLimit: number;
  /** Passed comparisons in a row that pass the check. */
  readonly consecutiveSuccesses: number;
  /** Record results without acting on them. */
  readonly dryRun: boolean;
}

/** A parsed analysis file. */
export interface Analysis {
  /** Format version. Always 1. */
  readonly version: 1;
  /** Metric checks. */
  readonly checks: readonly AnalysisCheck[];
  /** Baseline comparisons. */
  readonly baselines: readonly BaselineCheck[];
}

/**
 * An analysis file that cannot be used. The message names the file, the field, the value
 * and the fix: `analysis.json: "checks[0].condition" is "<<1"; write an operator and a
 * number, such as "< 1" or ">= 99.5".`
 */
export class AnalysisFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnalysisFileError';
  }
}

/** Options of {@link parseAnalysisFile} and {@link loadAnalysisFile}. */
export interface AnalysisFileOptions {
  /**
   * Parses YAML text (the command line passes the `yaml` package's `parse`); needed for
   * `.yaml` and `.yml` files.
   * @default - JSON only
   */
  readonly parseYaml?: (text: string) => unknown;
}

/** The values the placeholders of an analysis file's queries take for one fleet. */
export interface PlaceholderValues {
  /** The fleet's name (`${fleet}`). */
  readonly fleet: string;
  /** The load balancer's ARN; `${loadBalancer}` is its CloudWatch dimension (`app/<name>/<id>`). */
  readonly loadBalancer: string;
  /** The canary slot: `${canary.name}`, `${canary.targetGroup}`. */
  readonly canary: SlotPlaceholderValues;
  /** The stable (active) slot: `${stable.name}`, `${stable.targetGroup}`. */
  readonly stable: SlotPlaceholderValues;
}

/** One slot's placeholder values. */
export interface SlotPlaceholderValues {
  /** blue or green. */
  readonly name: 'blue' | 'green';
  /** The slot's target group ARN; the placeholder is its CloudWatch dimension (`targetgroup/<name>/<id>`). */
  readonly targetGroup: string;
}

/** Placeholders of a check's queries. */
export const CHECK_PLACEHOLDERS = [
  'fleet',
  'loadBalancer',
  'canary.name',
  'canary.targetGroup',
  'stable.name',
  'stable.targetGroup',
] as const;
/** Placeholders of a baseline's queries: `slot.*` is the canary, then the stable slot. */
export const BASELINE_PLACEHOLDERS = ['fleet', 'loadBalancer', 'slot.name', 'slot.targetGroup'] as const;

/** An analysis file is a few kilobytes; anything far larger is not one. */
const MAX_ANALYSIS_FILE_BYTES = 256 * 1024;
const MAX_CHECKS = 50;
const MAX_QUERIES = 10;
const MAX_FAILURE_LIMIT = 1000;
const TOP_FIELDS = ['version', 'checks', 'baselines'];
const CHECK_FIELDS = ['name', 'queries', 'condition', 'inconclusive', 'failureLimit', 'consecutiveSuccesses', 'dryRun'];
const BASELINE_FIELDS = [
  'name',
  'queries',
  'worse',
  'alpha',
  'minEffect',
  'minSamples',
  'failureLimit',
  'consecutiveSuccesses',
  'dryRun',
];
const QUERY_FIELDS = ['Id', 'MetricStat', 'Expression', 'Label', 'ReturnData', 'Period'];
const METRIC_STAT_FIELDS = ['Metric', 'Period', 'Stat', 'Unit'];
const METRIC_FIELDS = ['Namespace', 'MetricName', 'Dimensions'];
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const QUERY_ID = /^[a-z][A-Za-z0-9_]{0,254}$/;
const CONDITION = /^\s*(<=|>=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$/;
const PLACEHOLDER = /\$\{([^}]*)\}/g;

type Fail = (field: string, problem: string, fix: string) => never;

/** Reads and parses an analysis file. Throws {@link AnalysisFileError} (file, field, value, fix). */
export function loadAnalysisFile(path: string, options: AnalysisFileOptions = {}): Analysis {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AnalysisFileError(
      `${path}: cannot be read (${code ?? (error as Error).message}); check the path given to --analysis.`,
    );
  }
  return parseAnalysisFile(text, path, options);
}

/**
 * Parses analysis file text: YAML for a `.yaml` or `.yml` file (with `options.parseYaml`),
 * JSON otherwise. `file` names the file in errors.
 */
export function parseAnalysisFile(text: string, file: string, options: AnalysisFileOptions = {}): Analysis {
  if (text.length > MAX_ANALYSIS_FILE_BYTES) {
    throw invalid(file, `is ${text.length} bytes`, `an analysis file holds at most ${MAX_ANALYSIS_FILE_BYTES}`);
  }
  if (text.trim() === '') {
    throw invalid(file, 'is empty', 'write {"version": 1, "checks": [...]} (see docs/rollouts.md#canary-analysis)');
  }
  const yaml = /\.ya?ml$/i.test(file);
  let data: unknown;
  if (yaml) {
    if (!options.parseYaml) {
      throw invalid(file, 'is YAML but no YAML parser was given', 'pass parseYaml, or write the file as JSON');
    }
    try {
      data = options.parseYaml(text);
    } catch (error) {
      throw invalid(file, `is not valid YAML (${firstLine(error)})`, 'fix the syntax');
    }
  } else {
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw invalid(file, `is not valid JSON (${firstLine(error)})`, 'fix the syntax, or name a YAML file *.yaml');
    }
  }
  return parseAnalysis(data, file);
}

/** Validates an analysis file's parsed content (JSON or YAML). `file` names the file in errors. */
export function parseAnalysis(data: unknown, file: string): Analysis {
  const fail: Fail = (field, problem, fix) => {
    throw invalid(file, field === '' ? problem : `"${field}" ${problem}`, fix);
  };
  if (!isPlainObject(data)) {
    fail('', `the top level is ${describe(data)}, not an object`, 'write {"version": 1, "checks": [...]}');
  }
  unknownFields(data, TOP_FIELDS, '', fail);
  if (data.version !== 1) {
    fail('version', `is ${describe(data.version)}`, 'set it to 1');
  }
  const checks = list(data.checks, 'checks', fail).map((check, i) => parseCheck(check, `checks[${i}]`, fail));
  const baselines = list(data.baselines, 'baselines', fail).map((b, i) => parseBaseline(b, `baselines[${i}]`, fail));
  if (checks.length + baselines.length === 0) {
    fail('checks', 'is empty and there are no baselines', 'add at least one check or baseline');
  }
  const seen = new Map<string, string>();
  for (const [field, name] of [
    ...checks.map((c, i) => [`checks[${i}].name`, c.name] as const),
    ...baselines.map((b, i) => [`baselines[${i}].name`, b.name] as const),
  ]) {
    const first = seen.get(name);
    if (first !== undefined) {
      fail(field, `is "${name}", the name of "${first}" too`, 'give every check and baseline its own name');
    }
    seen.set(name, field);
  }
  return { version: 1, checks, baselines };
}

/**
 * Parses a condition: an operator (`<`, `<=`, `>`, `>=`) and a number, such as `< 1`.
 * Throws {@link AnalysisFileError} naming `what`.
 */
export function parseCondition(text: string, what: string = 'condition'): Condition {
  const match = CONDITION.exec(text);
  const threshold = match ? Number(match[2]) : Number.NaN;
  if (!match || !Number.isFinite(threshold)) {
    throw new AnalysisFileError(
      `${what} "${text}" is not a condition; write an operator and a number, such as "< 1" or ">= 99.5".`,
    );
  }
  return { operator: match[1] as Condition['operator'], threshold };
}

/** `< 1`. */
export function formatCondition(condition: Condition): string {
  return `${condition.operator} ${condition.threshold}`;
}

/** True when `value` meets `condition`. */
export function meets(value: number, condition: Condition): boolean {
  switch (condition.operator) {
    case '<':
      return value < condition.threshold;
    case '<=':
      return value <= condition.threshold;
    case '>':
      return value > condition.threshold;
    case '>=':
      return value >= condition.threshold;
  }
}

/** A check's queries with the placeholders filled for one fleet. */
export function checkQueries(check: AnalysisCheck, values: PlaceholderValues): MetricDataQuery[] {
  return substitute(check.queries, {
    fleet: values.fleet,
    loadBalancer: dimensionOf(values.loadBalancer),
    'canary.name': values.canary.name,
    'canary.targetGroup': dimensionOf(values.canary.targetGroup),
    'stable.name': values.stable.name,
    'stable.targetGroup': dimensionOf(values.stable.targetGroup),
  });
}

/** A baseline's queries filled for the canary slot and for the stable slot. */
export function baselineQueries(
  baseline: BaselineCheck,
  values: PlaceholderValues,
): { readonly canary: MetricDataQuery[]; readonly stable: MetricDataQuery[] } {
  const forSlot = (slot: SlotPlaceholderValues) =>
    substitute(baseline.queries, {
      fleet: values.fleet,
      loadBalancer: dimensionOf(values.loadBalancer),
      'slot.name': slot.name,
      'slot.targetGroup': dimensionOf(slot.targetGroup),
    });
  return { canary: forSlot(values.canary), stable: forSlot(values.stable) };
}

/**
 * The seconds of data a baseline needs before it can pass or fail: `minSamples` periods
 * of its returned query. A rollout step whose bake is shorter can only be inconclusive.
 */
export function baselineMinimumWindow(baseline: BaselineCheck): number {
  return baseline.minSamples * queryPeriod(baseline.queries);
}

/**
 * The CloudWatch dimension value of an Elastic Load Balancing ARN: `targetgroup/<name>/<id>`
 * for a target group, `app/<name>/<id>` for a load balancer. Anything else is returned as is
 * (a value that already is the dimension).
 */
export function dimensionOf(arn: string): string {
  const match = /^arn:[^:]+:elasticloadbalancing:[^:]*:[^:]*:(.+)$/.exec(arn);
  if (!match) {
    return arn;
  }
  return match[1].startsWith('loadbalancer/') ? match[1].slice('loadbalancer/'.length) : match[1];
}

/** The period of the query that returns data (its own, or the longest metric period in the check). */
function queryPeriod(queries: readonly MetricDataQuery[]): number {
  const returned = queries.find((q) => q.ReturnData !== false)!;
  const own = returned.MetricStat?.Period ?? returned.Period;
  return own ?? Math.max(...queries.map((q) => q.MetricStat?.Period ?? q.Period ?? 60));
}

function substitute(queries: readonly MetricDataQuery[], values: Record<string, string>): MetricDataQuery[] {
  const fill = (text: string) => text.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole);
  return queries.map((query) => ({
    ...query,
    ...(query.Expression !== undefined ? { Expression: fill(query.Expression) } : {}),
    ...(query.Label !== undefined ? { Label: fill(query.Label) } : {}),
    ...(query.MetricStat
      ? {
          MetricStat: {
            ...query.MetricStat,
            Metric: {
              ...query.MetricStat.Metric,
              ...(query.MetricStat.Metric.Dimensions
                ? {
                    Dimensions: query.MetricStat.Metric.Dimensions.map((d) => ({ Name: d.Name, Value: fill(d.Value) })),
                  }
                : {}),
            },
          },
        }
      : {}),
  }));
}

function parseCheck(data: unknown, field: string, fail: Fail): AnalysisCheck {
  if (!isPlainObject(data)) {
    fail(field, `is ${describe(data)}`, 'give an object with "name", "queries" and "condition"');
  }
  unknownFields(data, CHECK_FIELDS, field, fail);
  const name = parseName(data.name, `${field}.name`, fail);
  const queries = parseQueries(data.queries, `${field}.queries`, CHECK_PLACEHOLDERS, fail);
  const condition = conditionField(data.condition, `${field}.condition`, fail);
  let inconclusive: Condition | undefined;
  if (data.inconclusive !== undefined) {
    inconclusive = conditionField(data.inconclusive, `${field}.inconclusive`, fail);
    checkBand(condition, inconclusive, `${field}.inconclusive`, fail);
  }
  return {
    name,
    queries,
    condition,
    ...(inconclusive ? { inconclusive } : {}),
    ...counters(data, field, fail),
  };
}

function parseBaseline(data: unknown, field: string, fail: Fail): BaselineCheck {
  if (!isPlainObject(data)) {
    fail(field, `is ${describe(data)}`, 'give an object with "name" and "queries"');
  }
  unknownFields(data, BASELINE_FIELDS, field, fail);
  const name = parseName(data.name, `${field}.name`, fail);
  const queries = parseQueries(data.queries, `${field}.queries`, BASELINE_PLACEHOLDERS, fail);
  if (!JSON.stringify(queries).includes('${slot.')) {
    fail(
      `${field}.queries`,
      'name no slot: both slots would read the same series',
      'use "${slot.targetGroup}" (or "${slot.name}") where the slot goes, such as the TargetGroup dimension',
    );
  }
  const worse = data.worse ?? 'higher';
  if (worse !== 'higher' && worse !== 'lower') {
    fail(`${field}.worse`, `is ${describe(worse)}`, 'set it to "higher" (latency, errors) or "lower" (throughput)');
  }
  const alpha = data.alpha ?? 0.05;
  if (typeof alpha !== 'number' || !(alpha > 0 && alpha <= 0.5)) {
    fail(`${field}.alpha`, `is ${describe(alpha)}`, 'use a significance level above 0 and at most 0.5, such as 0.05');
  }
  const minEffect = data.minEffect ?? 0.3;
  if (typeof minEffect !== 'number' || !(minEffect >= 0 && minEffect <= 1)) {
    fail(
      `${field}.minEffect`,
      `is ${describe(minEffect)}`,
      'use a rank-biserial correlation from 0 to 1, such as 0.3 (the canary worse in 65% of the pairs)',
    );
  }
  const least = minimumSampleSize(alpha);
  const minSamples = data.minSamples ?? 10;
  if (typeof minSamples !== 'number' || !Number.isInteger(minSamples) || minSamples < least || minSamples > 10_000) {
    fail(
      `${field}.minSamples`,
      `is ${describe(minSamples)}`,
      `use a whole number from ${least} to 10000: with fewer than ${least} values per slot no p value ` +
        `can be below alpha ${alpha}, so the canary could never fail`,
    );
  }
  return { name, queries, worse, alpha, minEffect, minSamples, ...counters(data, field, fail) };
}

function counters(
  data: Record<string, unknown>,
  field: string,
  fail: Fail,
): { failureLimit: number; consecutiveSuccesses: number; dryRun: boolean } {
  const failureLimit = data.failureLimit ?? 0;
  if (!isWhole(failureLimit, 0, MAX_FAILURE_LIMIT)) {
    fail(
      `${field}.failureLimit`,
      `is ${describe(failureLimit)}`,
      `use the number of failures allowed, a whole number from 0 (the first failure fails) to ${MAX_FAILURE_LIMIT}`,
    );
  }
  const consecutiveSuccesses = data.consecutiveSuccesses ?? 1;
  if (!isWhole(consecutiveSuccesses, 1, MAX_FAILURE_LIMIT)) {
    fail(
      `${field}.consecutiveSuccesses`,
      `is ${describe(consecutiveSuccesses)}`,
      `use the successes in a row that pass, a whole number from 1 to ${MAX_FAILURE_LIMIT}`,
    );
  }
  const dryRun = data.dryRun ?? false;
  if (typeof dryRun !== 'boolean') {
    fail(`${field}.dryRun`, `is ${describe(dryRun)}`, 'use true (record results without acting) or false');
  }
  return { failureLimit, consecutiveSuccesses, dryRun };
}

function parseName(value: unknown, field: string, fail: Fail): string {
  if (typeof value !== 'string' || !NAME.test(value)) {
    fail(
      field,
      `is ${describe(value)}`,
      'use 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit',
    );
  }
  return value;
}

function conditionField(value: unknown, field: string, fail: Fail): Condition {
  if (typeof value !== 'string') {
    fail(field, `is ${describe(value)}`, 'write an operator and a number as a string, such as "< 1" or ">= 99.5"');
  }
  try {
    return parseCondition(value);
  } catch {
    return fail(field, `is ${describe(value)}`, 'write an operator and a number, such as "< 1" or ">= 99.5"');
  }
}

/** The inconclusive band must hold every value the condition passes, and more. */
function checkBand(condition: Condition, band: Condition, field: string, fail: Fail): void {
  const below = (c: Condition) => c.operator === '<' || c.operator === '<=';
  let looser = false;
  if (below(condition) === below(band)) {
    const further = below(band) ? band.threshold > condition.threshold : band.threshold < condition.threshold;
    // the same threshold, with the band including it and the condition not: "< 1" and "<= 1"
    const inclusive = band.threshold === condition.threshold && band.operator.length > condition.operator.length;
    looser = further || inclusive;
  }
  if (!looser) {
    const t = condition.threshold;
    const example = `${condition.operator} ${below(condition) ? (t > 0 ? t * 2 : t + 1) : t > 0 ? t / 2 : t - 1}`;
    fail(
      field,
      `is "${formatCondition(band)}", not looser than the condition "${formatCondition(condition)}"`,
      `give a band in the same direction that also holds every value the condition passes, such as "${example}" ` +
        '(a value that misses the condition but meets the band is inconclusive)',
    );
  }
}

function parseQueries(value: unknown, field: string, placeholders: readonly string[], fail: Fail): MetricDataQuery[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_QUERIES) {
    fail(
      field,
      `is ${describe(value)}`,
      `give a list of 1 to ${MAX_QUERIES} GetMetricData queries ` +
        '({"Id": ..., "MetricStat": ...} or {"Id": ..., "Expression": ...})',
    );
  }
  const queries = value.map((query, i) => parseQuery(query, `${field}[${i}]`, placeholders, fail));
  const ids = new Set<string>();
  for (const [i, query] of queries.entries()) {
    if (ids.has(query.Id)) {
      fail(`${field}[${i}].Id`, `is "${query.Id}", the id of an earlier query too`, 'give each query its own Id');
    }
    ids.add(query.Id);
  }
  const returning = queries.filter((q) => q.ReturnData !== false);
  if (returning.length !== 1) {
    fail(
      field,
      returning.length === 0
        ? 'has no query that returns data'
        : `has ${returning.length} queries that return data (${returning.map((q) => q.Id).join(', ')})`,
      'set "ReturnData": false on every query but the one whose values are measured',
    );
  }
  return queries;
}

function parseQuery(value: unknown, field: string, placeholders: readonly string[], fail: Fail): MetricDataQuery {
  if (!isPlainObject(value)) {
    fail(field, `is ${describe(value)}`, 'give a GetMetricData query such as {"Id": "m1", "MetricStat": {...}}');
  }
  unknownFields(value, QUERY_FIELDS, field, fail);
  const id = value.Id;
  if (typeof id !== 'string' || !QUERY_ID.test(id)) {
    fail(`${field}.Id`, `is ${describe(id)}`, 'start with a lowercase letter, then letters, digits or "_"');
  }
  if ((value.MetricStat === undefined) === (value.Expression === undefined)) {
    fail(field, 'must have exactly one of "MetricStat" and "Expression"', 'give a metric or a metric math expression');
  }
  for (const key of ['Label', 'Expression'] as const) {
    const text = value[key];
    if (text !== undefined && (typeof text !== 'string' || text.trim() === '' || text.length > 2048)) {
      fail(`${field}.${key}`, `is ${describe(text)}`, 'use a non-empty string of at most 2048 characters');
    }
  }
  if (value.ReturnData !== undefined && typeof value.ReturnData !== 'boolean') {
    fail(`${field}.ReturnData`, `is ${describe(value.ReturnData)}`, 'use true or false');
  }
  if (value.Period !== undefined) {
    checkPeriod(value.Period, `${field}.Period`, fail);
  }
  if (value.MetricStat !== undefined) {
    checkMetricStat(value.MetricStat, `${field}.MetricStat`, fail);
  }
  checkPlaceholders(value, field, placeholders, fail);
  return value as unknown as MetricDataQuery;
}

function checkMetricStat(value: unknown, field: string, fail: Fail): void {
  if (!isPlainObject(value)) {
    fail(field, `is ${describe(value)}`, 'give {"Metric": {...}, "Period": 60, "Stat": "Sum"}');
  }
  unknownFields(value, METRIC_STAT_FIELDS, field, fail);
  checkPeriod(value.Period, `${field}.Period`, fail);
  if (typeof value.Stat !== 'string' || !/^\S{1,100}$/.test(value.Stat)) {
    fail(`${field}.Stat`, `is ${describe(value.Stat)}`, 'name a statistic, such as "Sum", "Average" or "p99"');
  }
  if (value.Unit !== undefined && (typeof value.Unit !== 'string' || value.Unit === '')) {
    fail(`${field}.Unit`, `is ${describe(value.Unit)}`, 'name a CloudWatch unit, such as "Seconds", or leave it out');
  }
  const metric = value.Metric;
  if (!isPlainObject(metric)) {
    fail(
      `${field}.Metric`,
      `is ${describe(metric)}`,
      'give {"Namespace": ..., "MetricName": ..., "Dimensions": [...]}',
    );
  }
  unknownFields(metric, METRIC_FIELDS, `${field}.Metric`, fail);
  for (const key of ['Namespace', 'MetricName'] as const) {
    const text = metric[key];
    if (typeof text !== 'string' || text.length === 0 || text.length > 255) {
      fail(`${field}.Metric.${key}`, `is ${describe(text)}`, 'use a string of 1 to 255 characters');
    }
  }
  const dimensions = metric.Dimensions;
  if (dimensions === undefined) {
    return;
  }
  if (!Array.isArray(dimensions) || dimensions.length > 30) {
    fail(`${field}.Metric.Dimensions`, `is ${describe(dimensions)}`, 'give a list of up to 30 {"Name", "Value"}');
  }
  for (const [i, dimension] of dimensions.entries()) {
    const at = `${field}.Metric.Dimensions[${i}]`;
    if (
      !isPlainObject(dimension) ||
      Object.keys(dimension).some((k) => k !== 'Name' && k !== 'Value') ||
      typeof dimension.Name !== 'string' ||
      dimension.Name === '' ||
      typeof dimension.Value !== 'string' ||
      dimension.Value === ''
    ) {
      fail(at, `is ${describe(dimension)}`, 'give {"Name": "TargetGroup", "Value": "${canary.targetGroup}"}');
    }
  }
}

function checkPeriod(value: unknown, field: string, fail: Fail): void {
  const ok =
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value > 0 &&
    ([1, 5, 10, 20, 30].includes(value) || value % 60 === 0) &&
    value <= 86_400;
  if (!ok) {
    fail(field, `is ${describe(value)}`, 'use 1, 5, 10, 20, 30 or a multiple of 60 seconds, such as 60');
  }
}

function checkPlaceholders(
  query: Record<string, unknown>,
  field: string,
  placeholders: readonly string[],
  fail: Fail,
): void {
  const baseline = placeholders === BASELINE_PLACEHOLDERS;
  for (const match of JSON.stringify(query).matchAll(PLACEHOLDER)) {
    if (!placeholders.includes(match[1])) {
      const hint = baseline
        ? ' (a baseline reads each slot in turn through "${slot.targetGroup}" and "${slot.name}")'
        : ' ("${slot.*}" belongs in a baseline)';
      fail(
        field,
        `uses the placeholder "${match[0]}", which ${baseline ? 'a baseline' : 'a check'} does not have`,
        `use ${placeholders.map((p) => `"\${${p}}"`).join(', ')}${hint}`,
      );
    }
  }
}

function list(value: unknown, field: string, fail: Fail): unknown[] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value) || value.length > MAX_CHECKS) {
    fail(field, `is ${describe(value)}`, `give a list of at most ${MAX_CHECKS}`);
  }
  return value;
}

function unknownFields(data: Record<string, unknown>, known: readonly string[], field: string, fail: Fail): void {
  for (const key of Object.keys(data)) {
    if (!known.includes(key)) {
      fail(field === '' ? key : `${field}.${key}`, 'is not a field here', `remove it (fields: ${known.join(', ')})`);
    }
  }
}

function isWhole(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function firstLine(error: unknown): string {
  return String((error as Error).message ?? error).split('\n')[0];
}

/** The one shape of every analysis file message: `<file>: <field and value>; <fix>.` */
function invalid(file: string, problem: string, fix: string): AnalysisFileError {
  return new AnalysisFileError(`${file}: ${problem}; ${fix}.`);
}
