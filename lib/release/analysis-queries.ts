import { Analysis, baselineQueries, checkQueries, MetricDataQuery, PlaceholderValues } from './analysis-file';
import { AnalysisReadings, MetricPoint } from './analysis';

/**
 * One GetMetricData request for a whole analysis: every check's queries and both slots'
 * queries of every baseline, with their Ids made unique across the request (`c<i>_<id>`
 * for check i, `b<i>c_<id>` and `b<i>s_<id>` for baseline i's canary and stable slot)
 * and the metric math expressions rewritten to the new Ids; and the way back from the
 * answer's series to the readings of each check and baseline.
 */

/** One returned series of a GetMetricData answer. */
export interface MetricSeries {
  /** The query's Id. */
  readonly id: string;
  /** The times of the values, as GetMetricData returns them (any order). */
  readonly timestamps: readonly (Date | string)[];
  /** The values, one per timestamp. */
  readonly values: readonly number[];
}

/** The request of an analysis, and how its answer maps to readings. */
export interface AnalysisRequest {
  /** The queries of every check and baseline, Ids unique. */
  readonly queries: readonly MetricDataQuery[];
  /** The readings from the answer's series (series of other Ids are ignored). */
  readings(series: readonly MetricSeries[], now: Date): AnalysisReadings;
}

/** GetMetricData takes at most 500 queries in one request. */
export const MAX_QUERIES_PER_REQUEST = 500;

/**
 * The request for `analysis` with the placeholders filled from `values`. Each check's
 * queries and each slot's queries of a baseline keep their own names apart by a prefix,
 * so two checks may both call a query `errors`.
 */
export function analysisRequest(analysis: Analysis, values: PlaceholderValues): AnalysisRequest {
  const queries: MetricDataQuery[] = [];
  const checkIds: Array<{ name: string; id: string }> = [];
  const baselineIds: Array<{ name: string; canary: string; stable: string }> = [];
  analysis.checks.forEach((check, i) => {
    const renamed = renameQueries(checkQueries(check, values), `c${i}_`);
    queries.push(...renamed.queries);
    checkIds.push({ name: check.name, id: renamed.returned });
  });
  analysis.baselines.forEach((baseline, i) => {
    const filled = baselineQueries(baseline, values);
    const canary = renameQueries(filled.canary, `b${i}c_`);
    const stable = renameQueries(filled.stable, `b${i}s_`);
    queries.push(...canary.queries, ...stable.queries);
    baselineIds.push({ name: baseline.name, canary: canary.returned, stable: stable.returned });
  });
  return {
    queries,
    readings(series, now) {
      const byId = new Map(series.map((s) => [s.id, s]));
      const points = (id: string): MetricPoint[] => {
        const s = byId.get(id);
        if (!s) {
          return [];
        }
        return s.values.map((value, k) => ({ timestamp: s.timestamps[k], value }));
      };
      const checks: Record<string, MetricPoint[]> = {};
      for (const { name, id } of checkIds) {
        checks[name] = points(id);
      }
      const baselines: NonNullable<AnalysisReadings['baselines']> = {};
      for (const { name, canary, stable } of baselineIds) {
        (baselines as Record<string, unknown>)[name] = {
          timestamp: now,
          canary: points(canary).map((p) => p.value),
          stable: points(stable).map((p) => p.value),
        };
      }
      return { checks, baselines };
    },
  };
}

/** Prefixes every Id of a check's queries and rewrites the expressions that use them; gives the returned query's Id. */
function renameQueries(
  queries: readonly MetricDataQuery[],
  prefix: string,
): { queries: MetricDataQuery[]; returned: string } {
  const ids = new Set(queries.map((q) => q.Id));
  const renamed = queries.map((q) => ({
    ...q,
    Id: `${prefix}${q.Id}`,
    ...(q.Expression !== undefined ? { Expression: renameInExpression(q.Expression, ids, prefix) } : {}),
  }));
  const returned = renamed.find((q) => q.ReturnData !== false)!.Id;
  return { queries: renamed, returned };
}

/**
 * A metric math expression with each identifier that is one of `ids` prefixed. Text in
 * quotes (a SEARCH expression, a label) is left as it is; functions are upper case
 * (`FILL`, `IF`, `METRICS`), Ids start with a lower case letter, so only Ids change.
 */
export function renameInExpression(expression: string, ids: ReadonlySet<string>, prefix: string): string {
  let out = '';
  let i = 0;
  while (i < expression.length) {
    const c = expression[i];
    if (c === '"' || c === "'") {
      const end = expression.indexOf(c, i + 1);
      const stop = end === -1 ? expression.length : end + 1;
      out += expression.slice(i, stop);
      i = stop;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(expression.slice(i));
    if (word) {
      out += ids.has(word[0]) ? `${prefix}${word[0]}` : word[0];
      i += word[0].length;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}
