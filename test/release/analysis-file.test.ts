import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parse as parseYaml } from 'yaml';
import {
  AnalysisFileError,
  baselineMinimumWindow,
  baselineQueries,
  checkQueries,
  dimensionOf,
  formatCondition,
  loadAnalysisFile,
  meets,
  parseAnalysis,
  parseAnalysisFile,
  parseCondition,
  PlaceholderValues,
} from '../../lib/release/analysis-file';

const FILE = 'analysis.json';
const TG_BLUE = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-blue/0000000000000001';
const TG_GREEN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-green/0000000000000002';
const LB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/00000000000000aa';

const alb = (id: string, metric: string, stat: string, targetGroup: string, returnData?: boolean) => ({
  Id: id,
  ...(returnData === undefined ? {} : { ReturnData: returnData }),
  MetricStat: {
    Metric: {
      Namespace: 'AWS/ApplicationELB',
      MetricName: metric,
      Dimensions: [
        { Name: 'TargetGroup', Value: targetGroup },
        { Name: 'LoadBalancer', Value: '${loadBalancer}' },
      ],
    },
    Period: 60,
    Stat: stat,
  },
});

/** A valid analysis file: a 5xx rate check (metric math) and a p99 latency baseline. */
function valid(): any {
  return {
    version: 1,
    checks: [
      {
        name: 'canary-5xx-rate',
        queries: [
          alb('errors', 'HTTPCode_Target_5XX_Count', 'Sum', '${canary.targetGroup}', false),
          alb('requests', 'RequestCount', 'Sum', '${canary.targetGroup}', false),
          { Id: 'rate', Expression: '100 * FILL(errors, 0) / requests', Label: '${fleet} ${canary.name} 5xx %' },
        ],
        condition: '< 1',
        inconclusive: '< 2',
        failureLimit: 1,
        consecutiveSuccesses: 3,
      },
    ],
    baselines: [
      {
        name: 'p99-latency',
        queries: [alb('p99', 'TargetResponseTime', 'p99', '${slot.targetGroup}')],
        alpha: 0.01,
        minEffect: 0.4,
        minSamples: 12,
        worse: 'higher',
        dryRun: true,
      },
    ],
  };
}

const parse = (data: unknown) => parseAnalysis(data, FILE);

describe('parseAnalysis', () => {
  test('a full file parses, with every field', () => {
    const analysis = parse(valid());
    expect(analysis.checks).toEqual([
      {
        name: 'canary-5xx-rate',
        queries: valid().checks[0].queries,
        condition: { operator: '<', threshold: 1 },
        inconclusive: { operator: '<', threshold: 2 },
        failureLimit: 1,
        consecutiveSuccesses: 3,
        dryRun: false,
      },
    ]);
    expect(analysis.baselines).toEqual([
      {
        name: 'p99-latency',
        queries: valid().baselines[0].queries,
        worse: 'higher',
        alpha: 0.01,
        minEffect: 0.4,
        minSamples: 12,
        failureLimit: 0,
        consecutiveSuccesses: 1,
        dryRun: true,
      },
    ]);
  });

  test('defaults: failureLimit 0, consecutiveSuccesses 1, no band, not a dry run; alpha 0.05, minEffect 0.3, minSamples 10, worse higher', () => {
    const analysis = parse({
      version: 1,
      checks: [{ name: 'c', queries: [alb('m', 'RequestCount', 'Sum', '${canary.targetGroup}')], condition: '>= 1' }],
      baselines: [{ name: 'b', queries: [alb('m', 'TargetResponseTime', 'p50', '${slot.targetGroup}')] }],
    });
    expect(analysis.checks[0]).toMatchObject({ failureLimit: 0, consecutiveSuccesses: 1, dryRun: false });
    expect(analysis.checks[0].inconclusive).toBeUndefined();
    expect(analysis.baselines[0]).toMatchObject({ alpha: 0.05, minEffect: 0.3, minSamples: 10, worse: 'higher' });
  });

  test('checks alone, or baselines alone, are enough', () => {
    const { baselines, ...checksOnly } = valid();
    expect(parse(checksOnly).baselines).toEqual([]);
    const { checks, ...baselinesOnly } = valid();
    expect(parse(baselinesOnly).checks).toEqual([]);
    expect(baselines.length + checks.length).toBe(2);
  });

  // Each case: a change to the valid file, and the whole message.
  const cases: Array<[string, (d: any) => unknown, string]> = [
    [
      'top level not an object',
      () => [1],
      'the top level is a list of 1, not an object; write {"version": 1, "checks": [...]}.',
    ],
    [
      'unknown top field',
      (d) => ({ ...d, steps: [] }),
      '"steps" is not a field here; remove it (fields: version, checks, baselines).',
    ],
    ['version', (d) => ({ ...d, version: 2 }), '"version" is 2; set it to 1.'],
    [
      'checks not a list',
      (d) => ({ ...d, checks: {} }),
      '"checks" is an object with 0 field(s); give a list of at most 50.',
    ],
    [
      'nothing to check',
      () => ({ version: 1, checks: [] }),
      '"checks" is empty and there are no baselines; add at least one check or baseline.',
    ],
    [
      'check not an object',
      (d) => ({ ...d, checks: ['x'] }),
      '"checks[0]" is "x"; give an object with "name", "queries" and "condition".',
    ],
    [
      'unknown check field',
      (d) => ((d.checks[0].threshold = 1), d),
      '"checks[0].threshold" is not a field here; remove it (fields: name, queries, condition, inconclusive, failureLimit, consecutiveSuccesses, dryRun).',
    ],
    [
      'check name',
      (d) => ((d.checks[0].name = 'has space'), d),
      '"checks[0].name" is "has space"; use 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit.',
    ],
    [
      'duplicate name',
      (d) => ((d.baselines[0].name = 'canary-5xx-rate'), d),
      '"baselines[0].name" is "canary-5xx-rate", the name of "checks[0].name" too; give every check and baseline its own name.',
    ],
    [
      'queries empty',
      (d) => ((d.checks[0].queries = []), d),
      '"checks[0].queries" is []; give a list of 1 to 10 GetMetricData queries ({"Id": ..., "MetricStat": ...} or {"Id": ..., "Expression": ...}).',
    ],
    [
      'query not an object',
      (d) => ((d.checks[0].queries[2] = 'rate'), d),
      '"checks[0].queries[2]" is "rate"; give a GetMetricData query such as {"Id": "m1", "MetricStat": {...}}.',
    ],
    [
      'unknown query field',
      (d) => ((d.checks[0].queries[2].id = 'x'), d),
      '"checks[0].queries[2].id" is not a field here; remove it (fields: Id, MetricStat, Expression, Label, ReturnData, Period).',
    ],
    [
      'query id',
      (d) => ((d.checks[0].queries[2].Id = 'Rate'), d),
      '"checks[0].queries[2].Id" is "Rate"; start with a lowercase letter, then letters, digits or "_".',
    ],
    [
      'duplicate query id',
      (d) => ((d.checks[0].queries[1].Id = 'errors'), d),
      '"checks[0].queries[1].Id" is "errors", the id of an earlier query too; give each query its own Id.',
    ],
    [
      'both MetricStat and Expression',
      (d) => ((d.checks[0].queries[0].Expression = 'errors'), d),
      '"checks[0].queries[0]" must have exactly one of "MetricStat" and "Expression"; give a metric or a metric math expression.',
    ],
    [
      'neither MetricStat nor Expression',
      (d) => (delete d.checks[0].queries[2].Expression, d),
      '"checks[0].queries[2]" must have exactly one of "MetricStat" and "Expression"; give a metric or a metric math expression.',
    ],
    [
      'empty expression',
      (d) => ((d.checks[0].queries[2].Expression = ' '), d),
      '"checks[0].queries[2].Expression" is " "; use a non-empty string of at most 2048 characters.',
    ],
    [
      'ReturnData not a boolean',
      (d) => ((d.checks[0].queries[0].ReturnData = 'no'), d),
      '"checks[0].queries[0].ReturnData" is "no"; use true or false.',
    ],
    [
      'expression period',
      (d) => ((d.checks[0].queries[2].Period = 90), d),
      '"checks[0].queries[2].Period" is 90; use 1, 5, 10, 20, 30 or a multiple of 60 seconds, such as 60.',
    ],
    [
      'two queries return data',
      (d) => (delete d.checks[0].queries[0].ReturnData, d),
      '"checks[0].queries" has 2 queries that return data (errors, rate); set "ReturnData": false on every query but the one whose values are measured.',
    ],
    [
      'no query returns data',
      (d) => ((d.checks[0].queries[2].ReturnData = false), d),
      '"checks[0].queries" has no query that returns data; set "ReturnData": false on every query but the one whose values are measured.',
    ],
    [
      'MetricStat not an object',
      (d) => ((d.checks[0].queries[0].MetricStat = 'Sum'), d),
      '"checks[0].queries[0].MetricStat" is "Sum"; give {"Metric": {...}, "Period": 60, "Stat": "Sum"}.',
    ],
    [
      'unknown MetricStat field',
      (d) => ((d.checks[0].queries[0].MetricStat.Statistic = 'Sum'), d),
      '"checks[0].queries[0].MetricStat.Statistic" is not a field here; remove it (fields: Metric, Period, Stat, Unit).',
    ],
    [
      'MetricStat period',
      (d) => ((d.checks[0].queries[0].MetricStat.Period = 0), d),
      '"checks[0].queries[0].MetricStat.Period" is 0; use 1, 5, 10, 20, 30 or a multiple of 60 seconds, such as 60.',
    ],
    [
      'Stat',
      (d) => ((d.checks[0].queries[0].MetricStat.Stat = ''), d),
      '"checks[0].queries[0].MetricStat.Stat" is ""; name a statistic, such as "Sum", "Average" or "p99".',
    ],
    [
      'Unit',
      (d) => ((d.checks[0].queries[0].MetricStat.Unit = 3), d),
      '"checks[0].queries[0].MetricStat.Unit" is 3; name a CloudWatch unit, such as "Seconds", or leave it out.',
    ],
    [
      'Metric not an object',
      (d) => ((d.checks[0].queries[0].MetricStat.Metric = null), d),
      '"checks[0].queries[0].MetricStat.Metric" is null; give {"Namespace": ..., "MetricName": ..., "Dimensions": [...]}.',
    ],
    [
      'unknown Metric field',
      (d) => ((d.checks[0].queries[0].MetricStat.Metric.Name = 'x'), d),
      '"checks[0].queries[0].MetricStat.Metric.Name" is not a field here; remove it (fields: Namespace, MetricName, Dimensions).',
    ],
    [
      'Namespace',
      (d) => (delete d.checks[0].queries[0].MetricStat.Metric.Namespace, d),
      '"checks[0].queries[0].MetricStat.Metric.Namespace" is missing; use a string of 1 to 255 characters.',
    ],
    [
      'Dimensions not a list',
      (d) => ((d.checks[0].queries[0].MetricStat.Metric.Dimensions = { TargetGroup: 'x' }), d),
      '"checks[0].queries[0].MetricStat.Metric.Dimensions" is an object with 1 field(s); give a list of up to 30 {"Name", "Value"}.',
    ],
    [
      'a dimension',
      (d) => ((d.checks[0].queries[0].MetricStat.Metric.Dimensions[1] = { Name: 'LoadBalancer' }), d),
      '"checks[0].queries[0].MetricStat.Metric.Dimensions[1]" is an object with 1 field(s); give {"Name": "TargetGroup", "Value": "${canary.targetGroup}"}.',
    ],
    [
      'unknown placeholder in a check',
      (d) => ((d.checks[0].queries[0].MetricStat.Metric.Dimensions[0].Value = '${canary.tg}'), d),
      '"checks[0].queries[0]" uses the placeholder "${canary.tg}", which a check does not have; use "${fleet}", "${loadBalancer}", ' +
        '"${canary.name}", "${canary.targetGroup}", "${stable.name}", "${stable.targetGroup}" ("${slot.*}" belongs in a baseline).',
    ],
    [
      'slot placeholder in a check',
      (d) => ((d.checks[0].queries[2].Label = '${slot.name}'), d),
      '"checks[0].queries[2]" uses the placeholder "${slot.name}", which a check does not have; use "${fleet}", "${loadBalancer}", ' +
        '"${canary.name}", "${canary.targetGroup}", "${stable.name}", "${stable.targetGroup}" ("${slot.*}" belongs in a baseline).',
    ],
    [
      'canary placeholder in a baseline',
      (d) => ((d.baselines[0].queries[0].MetricStat.Metric.Dimensions[0].Value = '${canary.targetGroup}'), d),
      '"baselines[0].queries[0]" uses the placeholder "${canary.targetGroup}", which a baseline does not have; use "${fleet}", ' +
        '"${loadBalancer}", "${slot.name}", "${slot.targetGroup}" (a baseline reads each slot in turn through "${slot.targetGroup}" and "${slot.name}").',
    ],
    [
      'a baseline without a slot',
      (d) => ((d.baselines[0].queries[0].MetricStat.Metric.Dimensions[0].Value = 'targetgroup/web/1'), d),
      '"baselines[0].queries" name no slot: both slots would read the same series; use "${slot.targetGroup}" (or "${slot.name}") ' +
        'where the slot goes, such as the TargetGroup dimension.',
    ],
    [
      'condition not a string',
      (d) => ((d.checks[0].condition = 1), d),
      '"checks[0].condition" is 1; write an operator and a number as a string, such as "< 1" or ">= 99.5".',
    ],
    [
      'condition syntax',
      (d) => ((d.checks[0].condition = '<<1'), d),
      '"checks[0].condition" is "<<1"; write an operator and a number, such as "< 1" or ">= 99.5".',
    ],
    [
      'condition missing',
      (d) => (delete d.checks[0].condition, d),
      '"checks[0].condition" is missing; write an operator and a number as a string, such as "< 1" or ">= 99.5".',
    ],
    [
      'band tighter than the condition',
      (d) => ((d.checks[0].inconclusive = '< 0.5'), d),
      '"checks[0].inconclusive" is "< 0.5", not looser than the condition "< 1"; give a band in the same direction that also ' +
        'holds every value the condition passes, such as "< 2" (a value that misses the condition but meets the band is inconclusive).',
    ],
    [
      'band in the other direction',
      (d) => ((d.checks[0].condition = '>= 99'), (d.checks[0].inconclusive = '< 99'), d),
      '"checks[0].inconclusive" is "< 99", not looser than the condition ">= 99"; give a band in the same direction that also ' +
        'holds every value the condition passes, such as ">= 49.5" (a value that misses the condition but meets the band is inconclusive).',
    ],
    [
      'empty band',
      (d) => ((d.checks[0].inconclusive = '< 1'), d),
      '"checks[0].inconclusive" is "< 1", not looser than the condition "< 1"; give a band in the same direction that also ' +
        'holds every value the condition passes, such as "< 2" (a value that misses the condition but meets the band is inconclusive).',
    ],
    [
      'failureLimit',
      (d) => ((d.checks[0].failureLimit = -1), d),
      '"checks[0].failureLimit" is -1; use the number of failures allowed, a whole number from 0 (the first failure fails) to 1000.',
    ],
    [
      'consecutiveSuccesses',
      (d) => ((d.checks[0].consecutiveSuccesses = 0), d),
      '"checks[0].consecutiveSuccesses" is 0; use the successes in a row that pass, a whole number from 1 to 1000.',
    ],
    [
      'dryRun',
      (d) => ((d.checks[0].dryRun = 'yes'), d),
      '"checks[0].dryRun" is "yes"; use true (record results without acting) or false.',
    ],
    ['baselines not a list', (d) => ({ ...d, baselines: 'p99' }), '"baselines" is "p99"; give a list of at most 50.'],
    [
      'baseline not an object',
      (d) => ({ ...d, baselines: [null] }),
      '"baselines[0]" is null; give an object with "name" and "queries".',
    ],
    [
      'unknown baseline field',
      (d) => ((d.baselines[0].condition = '< 1'), d),
      '"baselines[0].condition" is not a field here; remove it (fields: name, queries, worse, alpha, minEffect, minSamples, ' +
        'failureLimit, consecutiveSuccesses, dryRun).',
    ],
    [
      'worse',
      (d) => ((d.baselines[0].worse = 'up'), d),
      '"baselines[0].worse" is "up"; set it to "higher" (latency, errors) or "lower" (throughput).',
    ],
    [
      'alpha',
      (d) => ((d.baselines[0].alpha = 5), d),
      '"baselines[0].alpha" is 5; use a significance level above 0 and at most 0.5, such as 0.05.',
    ],
    [
      'minEffect',
      (d) => ((d.baselines[0].minEffect = -0.1), d),
      '"baselines[0].minEffect" is -0.1; use a rank-biserial correlation from 0 to 1, such as 0.3 (the canary worse in 65% of the pairs).',
    ],
    [
      'minSamples too small for alpha',
      (d) => ((d.baselines[0].minSamples = 4), d),
      '"baselines[0].minSamples" is 4; use a whole number from 5 to 10000: with fewer than 5 values per slot no p value can be ' +
        'below alpha 0.01, so the canary could never fail.',
    ],
  ];

  test.each(cases)('error: %s', (_name, change, message) => {
    expect(() => parse(change(valid()))).toThrow(new AnalysisFileError(`${FILE}: ${message}`));
  });
});

describe('parseAnalysisFile and loadAnalysisFile', () => {
  const text = JSON.stringify(valid(), null, 2);

  test('JSON text parses like the data', () => {
    expect(parseAnalysisFile(text, FILE)).toEqual(parse(valid()));
  });

  test('YAML text parses with the parser the caller gives', () => {
    const yaml = [
      'version: 1',
      'checks:',
      '  - name: canary-5xx-rate',
      '    queries:',
      '      - Id: rate',
      '        Expression: "100 * FILL(errors, 0) / requests"',
      '      - Id: errors',
      '        ReturnData: false',
      '        MetricStat:',
      '          Metric:',
      '            Namespace: AWS/ApplicationELB',
      '            MetricName: HTTPCode_Target_5XX_Count',
      '            Dimensions: [{ Name: TargetGroup, Value: "${canary.targetGroup}" }]',
      '          Period: 60',
      '          Stat: Sum',
      '    condition: "< 1"',
    ].join('\n');
    const analysis = parseAnalysisFile(yaml, 'analysis.yaml', { parseYaml });
    expect(analysis.checks[0].condition).toEqual({ operator: '<', threshold: 1 });
    expect(analysis.checks[0].queries.map((q) => q.Id)).toEqual(['rate', 'errors']);
  });

  test.each([
    [
      'a YAML file without a parser',
      'checks: []',
      'a.yml',
      {},
      'a.yml: is YAML but no YAML parser was given; pass parseYaml, or write the file as JSON.',
    ],
    ['bad YAML', 'checks: [', 'a.yaml', { parseYaml }, /^a\.yaml: is not valid YAML \(.+\); fix the syntax\.$/],
    [
      'bad JSON',
      '{"version": 1,',
      FILE,
      {},
      /^analysis\.json: is not valid JSON \(.+\); fix the syntax, or name a YAML file \*\.yaml\.$/,
    ],
    [
      'an empty file',
      ' \n',
      FILE,
      {},
      'analysis.json: is empty; write {"version": 1, "checks": [...]} (see docs/rollouts.md#canary-analysis).',
    ],
    [
      'a huge file',
      ' '.repeat(300 * 1024),
      FILE,
      {},
      'analysis.json: is 307200 bytes; an analysis file holds at most 262144.',
    ],
  ])('error: %s', (_name, body, file, options, message) => {
    const run = () => parseAnalysisFile(body, file, options);
    expect(run).toThrow(AnalysisFileError);
    expect(run).toThrow(message);
  });

  test('loadAnalysisFile reads a file, and names a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'analysis-'));
    const path = join(dir, 'analysis.json');
    writeFileSync(path, text);
    expect(loadAnalysisFile(path)).toEqual(parse(valid()));
    expect(() => loadAnalysisFile(join(dir, 'missing.json'))).toThrow(
      new AnalysisFileError(
        `${join(dir, 'missing.json')}: cannot be read (ENOENT); check the path given to --analysis.`,
      ),
    );
  });
});

describe('conditions', () => {
  test.each([
    ['< 1', '<', 1],
    ['<=0.5', '<=', 0.5],
    [' > -2 ', '>', -2],
    ['>= 99.5', '>=', 99.5],
    ['< 1e3', '<', 1000],
    ['< .5', '<', 0.5],
  ])('"%s" parses', (text, operator, threshold) => {
    const condition = parseCondition(text);
    expect(condition).toEqual({ operator, threshold });
    expect(formatCondition(condition)).toBe(`${operator} ${threshold}`);
  });

  test.each(['', '1', '< ', '=< 1', '== 1', '< 1 2', '< x', '< 1e999'])('"%s" is refused', (text) => {
    expect(() => parseCondition(text)).toThrow(
      new AnalysisFileError(
        `condition "${text}" is not a condition; write an operator and a number, such as "< 1" or ">= 99.5".`,
      ),
    );
  });

  test('meets compares with each operator, at and around the threshold', () => {
    const at = (op: string) => [0.9, 1, 1.1].map((v) => meets(v, parseCondition(`${op} 1`)));
    expect(at('<')).toEqual([true, false, false]);
    expect(at('<=')).toEqual([true, true, false]);
    expect(at('>')).toEqual([false, false, true]);
    expect(at('>=')).toEqual([false, true, true]);
  });

  test('a band with the same threshold that includes it is looser: "< 1" with "<= 1"', () => {
    const d = valid();
    d.checks[0].inconclusive = '<= 1';
    expect(parse(d).checks[0].inconclusive).toEqual({ operator: '<=', threshold: 1 });
  });
});

describe('placeholders', () => {
  const values: PlaceholderValues = {
    fleet: 'web',
    loadBalancer: LB,
    canary: { name: 'green', targetGroup: TG_GREEN },
    stable: { name: 'blue', targetGroup: TG_BLUE },
  };

  test('dimensionOf gives the CloudWatch dimension of a target group and a load balancer ARN', () => {
    expect(dimensionOf(TG_GREEN)).toBe('targetgroup/web-green/0000000000000002');
    expect(dimensionOf(LB)).toBe('app/web/00000000000000aa');
    expect(dimensionOf('targetgroup/web-green/0000000000000002')).toBe('targetgroup/web-green/0000000000000002');
  });

  test("a check's queries are filled for the fleet; the parsed analysis is not changed", () => {
    const analysis = parse(valid());
    const queries = checkQueries(analysis.checks[0], values);
    expect(queries[0].MetricStat!.Metric.Dimensions).toEqual([
      { Name: 'TargetGroup', Value: 'targetgroup/web-green/0000000000000002' },
      { Name: 'LoadBalancer', Value: 'app/web/00000000000000aa' },
    ]);
    expect(queries[2]).toEqual({
      Id: 'rate',
      Expression: '100 * FILL(errors, 0) / requests',
      Label: 'web green 5xx %',
    });
    expect(JSON.stringify(queries)).not.toContain('${');
    expect(analysis.checks[0].queries[0].MetricStat!.Metric.Dimensions![0].Value).toBe('${canary.targetGroup}');
  });

  test('stable placeholders take the stable slot', () => {
    const d = valid();
    d.checks[0].queries[1].MetricStat.Metric.Dimensions[0].Value = '${stable.targetGroup}';
    const queries = checkQueries(parse(d).checks[0], values);
    expect(queries[1].MetricStat!.Metric.Dimensions![0].Value).toBe('targetgroup/web-blue/0000000000000001');
  });

  test("a baseline's queries are filled once for the canary and once for the stable slot", () => {
    const { canary, stable } = baselineQueries(parse(valid()).baselines[0], values);
    expect(canary[0].MetricStat!.Metric.Dimensions![0].Value).toBe('targetgroup/web-green/0000000000000002');
    expect(stable[0].MetricStat!.Metric.Dimensions![0].Value).toBe('targetgroup/web-blue/0000000000000001');
    expect(canary[0].MetricStat!.Metric.Dimensions![1].Value).toBe('app/web/00000000000000aa');
  });

  test('baselineMinimumWindow is minSamples periods of the returned query', () => {
    expect(baselineMinimumWindow(parse(valid()).baselines[0])).toBe(12 * 60);
  });
});
