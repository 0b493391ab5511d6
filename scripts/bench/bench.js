#!/usr/bin/env node
/**
 * npm run bench: synth speed and memory of the library, each figure the median of
 * separate processes (default 5). Writes BENCHMARKS.md and benchmarks.json.
 *
 *   BENCH_RUNS=5          processes per measurement (>= 5 for published figures)
 *   BENCH_QUICK=1         smoke test (CI): 1 run, small N, no test suites, results to a temp dir
 *   BENCH_E2E=1           also time one warm `npm run test:e2e` (8 min or so; the toolchain
 *                         must be built); without it the e2e figures of the previous
 *                         benchmarks.json in BENCH_OUT are kept
 *   BENCH_OUT=<folder>    where to write the results (default: the repository root)
 *   BENCH_RENDER=<json>   only re-write BENCHMARKS.md from a saved benchmarks.json
 *   BENCH_ONLY=release-status
 *                         only `release status` at scale (scripts/bench/release-status.js),
 *                         merged into the benchmarks.json in BENCH_OUT (every other figure kept)
 *   BENCH_ONLY=fleets     only the fleets at scale (scripts/bench/fleets.js), merged into the
 *                         benchmarks.json of BENCH_OUT (the other figures keep their date)
 */
'use strict';
const { spawnSync, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const statusBench = require('./release-status');
const fleetsBench = require('./fleets');

const root = path.resolve(__dirname, '..', '..');
const quick = process.env.BENCH_QUICK === '1';
const runs = Number(process.env.BENCH_RUNS || (quick ? 1 : 5));
const scales = quick ? [1, 2] : [1, 10, 50, 100];
const outDir = process.env.BENCH_OUT || (quick ? fs.mkdtempSync(path.join(os.tmpdir(), 'bench-')) : root);
// inside the repository so that generated apps resolve its node_modules (gitignored)
const work = fs.mkdtempSync(path.join(root, '.bench-work-'));
const preload = path.join(__dirname, 'rss-preload.js');
const loadAverage = { start: os.loadavg().map(round) };

// Findings of the profile behind the runner in cdktf.json (packages/cli/register/,
// cdktf-immutable-cli/register), kept with the figures they explain. Measured with heap
// snapshots at exit (after gc), --cpu-prof and maxRSS, on this 2-core machine with a load
// average of 3-6.
const PROFILE_NOTES = [
  'Before the fix cdktf.json ran `node --require ts-node/register/transpile-only stacks/main.ts`: 217-230 MiB peak RSS, 5-8 s.',
  'The same app compiled to JavaScript with tsc and run by plain node: 113 MiB, 2.1 s. So about 100 MiB and 3-5 s were the TypeScript runner, not cdktf or the library.',
  '',
  "- **Source maps of node_modules (~36 MiB of heap, ~1.25 s CPU).** Live heap after gc at exit: 92.6 MiB under ts-node against 27.9 MiB compiled. The largest extra items were arrays (28 MiB of `(object elements)`/`Array`) and second copies of `@cdktf/provider-aws` sources. ts-node installs source-map-support; cdktf captures a full stack trace (`Error.stackTraceLimit = MAX_SAFE_INTEGER`) for every token and annotation, and each trace made source-map-support read every JavaScript file on the stack, decode its inline source map (the provider ships large ones with `sourcesContent`) and keep it. The CPU profile put 1.25 s of 8.3 s in source-map-support under cdktf `captureStackTrace`. Keeping source maps for the project's own TypeScript only brought the live heap to 56.9 MiB.",
  '- **Transpiling (4.7 s of 8.3 s CPU, the transient garbage behind the peak).** `transpileModule` for the 62 TypeScript files (281 KB) ran in a cold, unoptimized TypeScript: emit 3.1 s, createSourceFile 1.1 s, createProgram 0.3 s; reading tsconfig took 0.07 s. Its garbage grew old space to 67 MiB (31 MiB live) and is what kept peak RSS above 200 MiB after the source-map fix (206-213 MiB).',
  '- **The `typescript` module itself (~48 MiB).** `node -e "require(\'typescript\')"` is 88 MiB against 40 MiB for `node -e 0` (its 8.7 MiB source string plus compiled code). ts-node always loads it to read tsconfig.json, so it stays.',
  "- **Formatting cdktf's stack traces (5.3 s of 11.8 s CPU for 20 services x 3 environments).** Profiling the scaling app showed cdktf `captureStackTrace` (one unlimited-depth capture per token, reference and provider output object, e.g. each `ComplexObject`) at 6.3 s inclusive, 5.3 s of it in source-map-support's JavaScript `prepareStackTrace` (`wrapCallSite`/`cloneCallSite` per frame, `pathToFileURL` for each cache key). The runner now maps only the project's TypeScript frames of such captures and formats the rest natively, as plain node does; thrown errors keep full source-mapped traces. Same app afterwards: 4.0 s CPU.",
  '- Not the cause: cdktf synth and JSON output of the 4 stacks (the compiled app does both in 113 MiB), and TS_NODE_SWC (tried before this profile, no help). A smaller young generation (`--max-semi-space-size=4`) cut the peak too, but made the first synth 1.5-2x slower, so it was not used.',
  '',
  'The fix: cdktf.json runs `node --require cdktf-immutable-cli/register stacks/main.ts` (packages/cli/register/index.js, shipped in the CLI package), still ts-node (transpile-only) with (1) a ts-node transpiler plugin that caches TypeScript\'s transpileModule output in node_modules/.cache, keyed by file name, source, compiler options and TypeScript version, so nothing needs building or cleaning by hand, (2) source maps for the project\'s TypeScript only and (3) cheap formatting of the stack traces cdktf captures on plain objects. The first synth after a clone or an edit of every file transpiles as before (the "empty transpile cache" row); each later synth transpiles only the files that changed.',
];

// BENCH_RENDER=benchmarks.json: only re-render BENCHMARKS.md from saved results.
if (process.env.BENCH_RENDER) {
  const saved = JSON.parse(fs.readFileSync(path.resolve(process.env.BENCH_RENDER), 'utf8'));
  fs.writeFileSync(path.join(outDir, 'BENCHMARKS.md'), markdown(saved));
  console.log(`wrote ${path.join(outDir, 'BENCHMARKS.md')} from ${process.env.BENCH_RENDER}`);
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(0);
}

// The app exactly as cdktf.json runs it: "node <runner flags...> <entry>". Every other
// TypeScript program below runs with the same runner flags, so the comparisons are fair.
const appCommand = JSON.parse(fs.readFileSync(path.join(root, 'cdktf.json'), 'utf8')).app;
const appArgv = appCommand.trim().split(/\s+/);
if (appArgv[0] !== 'node' || appArgv.length < 2)
  throw new Error(`cdktf.json "app" is not "node ... <entry>": ${appCommand}`);
const APP_ENTRY = appArgv[appArgv.length - 1];
const TS_NODE = appArgv.slice(1, -1);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs `node <args>` `runs` times (`options.runs`) in fresh processes; returns median wall
 * ms and peak RSS MiB. `options.outdir`: synthesize there and keep it.
 */
function measure(label, args, env = {}, perRunEnv = () => ({}), options = {}) {
  const walls = [];
  const rss = [];
  const cpus = [];
  const count = options.runs || runs;
  for (let i = 0; i < count; i++) {
    const rssFile = path.join(work, `rss-${process.pid}-${i}.json`);
    const outdir = options.outdir || fs.mkdtempSync(path.join(work, 'out-'));
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, ['--require', preload, ...args], {
      cwd: root,
      env: { ...process.env, BENCH_RSS_FILE: rssFile, CDKTF_OUTDIR: outdir, ...env, ...perRunEnv(i) },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const wall = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) {
      throw new Error(`${label} failed (exit ${result.status}):\n${result.stderr.slice(-2000)}`);
    }
    walls.push(wall);
    const usage = JSON.parse(fs.readFileSync(rssFile, 'utf8'));
    rss.push(usage.maxRssKiB / 1024);
    cpus.push(usage.cpuMs);
    if (!options.outdir) fs.rmSync(outdir, { recursive: true, force: true });
  }
  const entry = {
    label,
    runs: count,
    wallMs: Math.round(median(walls)),
    peakRssMiB: Math.round(median(rss)),
    cpuMs: Math.round(median(cpus)),
    wallMsAll: walls.map(Math.round),
  };
  console.log(`${label}: ${entry.wallMs} ms, ${entry.cpuMs} CPU-ms, ${entry.peakRssMiB} MiB (median of ${count})`);
  return entry;
}

console.log(`app command (cdktf.json): ${appCommand}; load average ${loadAverage.start.join(' ')}`);

// BENCH_ONLY=release-status: re-measure `release status` at scale only, keep every other figure.
if (process.env.BENCH_ONLY === 'release-status') {
  const previousFile = path.join(outDir, 'benchmarks.json');
  if (!fs.existsSync(previousFile)) {
    throw new Error(
      `BENCH_ONLY=release-status merges into ${previousFile}, which does not exist: run npm run bench once`,
    );
  }
  const previous = JSON.parse(fs.readFileSync(previousFile, 'utf8'));
  const releaseStatus = statusBench.measureStatus({ root, work, quick, measure });
  const statusGoals = statusBench.goals(releaseStatus).map(([goal, met, value]) => ({ goal, met, value }));
  const kept = previous.goals.filter((g) => !g.goal.startsWith('release status across'));
  const results = { ...previous, releaseStatus, goals: [...kept, ...statusGoals] };
  fs.writeFileSync(previousFile, JSON.stringify(results, null, 2) + '\n');
  fs.writeFileSync(path.join(outDir, 'BENCHMARKS.md'), markdown(results));
  console.log(`\nwrote ${path.join(outDir, 'BENCHMARKS.md')} and benchmarks.json (release status only)`);
  for (const g of statusGoals) console.log(`${g.met ? 'met ' : 'MISSED'}  ${g.goal}: ${g.value}`);
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(0);
}

// BENCH_ONLY=fleets: re-measure the fleets at scale only, keep every other figure.
if (process.env.BENCH_ONLY === 'fleets') {
  const previousFile = path.join(outDir, 'benchmarks.json');
  if (!fs.existsSync(previousFile)) {
    throw new Error(`BENCH_ONLY=fleets merges into ${previousFile}, which does not exist: run npm run bench once`);
  }
  const previous = JSON.parse(fs.readFileSync(previousFile, 'utf8'));
  const fleets = fleetsBench.measureFleets({ root, work, quick, measure, tsNode: TS_NODE });
  const fleetGoals = fleetsBench.goals(fleets).map(([goal, met, value]) => ({ goal, met, value }));
  const kept = previous.goals.filter(
    (g) => !fleetGoals.some((f) => f.goal.replace(/^\d+/, '') === g.goal.replace(/^\d+/, '')),
  );
  const results = { ...previous, fleets, goals: [...kept, ...fleetGoals] };
  fs.writeFileSync(previousFile, JSON.stringify(results, null, 2) + '\n');
  fs.writeFileSync(path.join(outDir, 'BENCHMARKS.md'), markdown(results));
  console.log(`\nwrote ${path.join(outDir, 'BENCHMARKS.md')} and benchmarks.json (fleets only)`);
  for (const g of fleetGoals) console.log(`${g.met ? 'met ' : 'MISSED'}  ${g.goal}: ${g.value}`);
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(0);
}

// 1. The whole app, as cdktf.json runs it. generateBaseline() below synthesizes it once
//    first, which also fills the runner's transpile cache (if it has one), so `app` is the
//    everyday synth; `appCold` gives every run an empty cache (first synth after a clone).
const baselineSource = generateBaseline();
const app = measure(`whole app (${APP_ENTRY})`, [...TS_NODE, APP_ENTRY]);
const appCold = measure(`whole app (${APP_ENTRY}), empty transpile cache`, [...TS_NODE, APP_ENTRY], {}, () => ({
  CDKTF_IMMUTABLE_TS_CACHE: fs.mkdtempSync(path.join(work, 'ts-cache-')),
}));

// 2. Baseline: merely loading cdktf and the provider with the root import, which is
//    how most cdktf projects import it, and the same resources written the common
//    way: plain provider classes from the root import, generated from the app's output.
const loadOnlyFile = path.join(work, 'load-only.ts');
fs.writeFileSync(
  loadOnlyFile,
  "import * as cdktf from 'cdktf';\nimport * as aws from '@cdktf/provider-aws';\nvoid cdktf; void aws;\n",
);
const loadOnly = measure('baseline: load cdktf + root @cdktf/provider-aws import only', [...TS_NODE, loadOnlyFile], {
  TS_NODE_PROJECT: path.join(root, 'tsconfig.json'),
});

const baselineFile = path.join(work, 'baseline-app.ts');
fs.writeFileSync(baselineFile, baselineSource.text);
// The baseline must really create every resource and data source the app does.
const baselineOut = fs.mkdtempSync(path.join(work, 'baseline-out-'));
execFileSync(process.execPath, [...TS_NODE, baselineFile], {
  cwd: root,
  env: { ...process.env, CDKTF_OUTDIR: baselineOut },
});
const resourceCount = { app: baselineSource.count, baseline: countResources(baselineOut) };
console.log(
  `resources + data sources: app ${resourceCount.app.total} (${resourceCount.app.resources} + ${resourceCount.app.dataSources}), baseline ${resourceCount.baseline.total} (${resourceCount.baseline.resources} + ${resourceCount.baseline.dataSources})`,
);
if (JSON.stringify(resourceCount.app.byType) !== JSON.stringify(resourceCount.baseline.byType)) {
  throw new Error(
    `the baseline does not create the app's resources:\napp ${JSON.stringify(resourceCount.app.byType)}\nbaseline ${JSON.stringify(resourceCount.baseline.byType)}`,
  );
}
const baseline = measure('baseline: the same resources, plain classes from the root import', [
  ...TS_NODE,
  baselineFile,
]);

// 3. Scaling: N services x 3 environments, each service a blue/green fleet.
const scaling = scales.map((n) => {
  const file = path.join(work, `scale-${n}.ts`);
  fs.writeFileSync(file, scalingApp(n));
  return { services: n, stacks: 3, ...measure(`scaling: ${n} service(s) x 3 environments`, [...TS_NODE, file]) };
});

// 3c. `release status` across N fleets x 3 environments x 2 regions (scripts/bench/release-status.js).
const releaseStatus = statusBench.measureStatus({ root, work, quick, measure });
// 3b. Fleets at scale: N fleets x 3 environments x 2 regions behind shared load balancers,
//     synth and preview (scripts/bench/fleets.js).
const fleets = fleetsBench.measureFleets({ root, work, quick, measure, tsNode: TS_NODE });

// 4. Docker context hashing on 10,000 files.
const contextDir = path.join(work, 'context');
makeContext(contextDir, quick ? 1000 : 10000);
const hashScript = path.join(work, 'hash.ts');
fs.writeFileSync(
  hashScript,
  `import { hashDockerContext } from ${JSON.stringify(path.join(root, 'lib', 'image', 'docker-context-hash'))};\nconst started = process.hrtime.bigint();\nconst result = hashDockerContext(${JSON.stringify(contextDir)});\nconst ms = Number(process.hrtime.bigint() - started) / 1e6;\nrequire('fs').writeFileSync(process.env.BENCH_HASH_FILE!, JSON.stringify({ ms, files: result.files }));\n`,
);
const hashTimes = [];
let hashedFiles = 0;
const hashProcess = measure(
  `docker context hash: ${quick ? '1,000' : '10,000'} files (whole process)`,
  [...TS_NODE, hashScript],
  { BENCH_HASH_FILE: path.join(work, 'hash.json') },
);
for (let i = 0; i < runs; i++) {
  const file = path.join(work, `hash-${i}.json`);
  execFileSync(process.execPath, [...TS_NODE, hashScript], {
    cwd: root,
    env: { ...process.env, BENCH_HASH_FILE: file },
  });
  const { ms, files } = JSON.parse(fs.readFileSync(file, 'utf8'));
  hashTimes.push(ms);
  hashedFiles = Array.isArray(files) ? files.length : files;
}
const dockerHash = { files: hashedFiles, hashMs: Math.round(median(hashTimes)), process: hashProcess };
console.log(`docker context hash: ${dockerHash.hashMs} ms for ${hashedFiles} files (median of ${runs}, hashing only)`);

// 5. The test suites: npm test (not in quick mode) and, with BENCH_E2E=1, npm run test:e2e
//    (scripts/bench/test-suite.js).
const testSuite = require('./test-suite');
const npmTest = quick ? null : testSuite.measureNpmTest({ root, runs, work });
const e2eMeasuredNow = !quick && process.env.BENCH_E2E === '1';
const e2e = quick ? null : testSuite.e2eFigures({ root, work, outDir, measure: e2eMeasuredNow });

const results = {
  date: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0] && os.cpus()[0].model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  },
  quick,
  appCommand,
  loadAverage: { ...loadAverage, end: os.loadavg().map(round) },
  app,
  appCold,
  baseline: {
    resourceCount: {
      app: resourceCount.app.total,
      baseline: resourceCount.baseline.total,
      resources: resourceCount.app.resources,
      dataSources: resourceCount.app.dataSources,
    },
    loadOnly,
    sameResources: baseline,
    ratioToLoadOnly: round(app.wallMs / loadOnly.wallMs),
    ratioToSameResources: round(app.wallMs / baseline.wallMs),
  },
  scaling,
  releaseStatus,
  fleets,
  dockerHash,
  npmTest,
  e2e,
  e2eMeasuredNow,
};
const goals = [
  [
    'whole app synth / root-import load (<= 1.0)',
    results.baseline.ratioToLoadOnly <= 1.0,
    `${results.baseline.ratioToLoadOnly}`,
  ],
  ['whole app peak RSS < 200 MiB', app.peakRssMiB < 200, `${app.peakRssMiB} MiB`],
  [
    `${scales[scales.length - 1]} services x 3 environments < 15 s`,
    scaling[scaling.length - 1].wallMs < 15000,
    `${(scaling[scaling.length - 1].wallMs / 1000).toFixed(1)} s`,
  ],
  ...statusBench.goals(releaseStatus),
  ...fleetsBench.goals(fleets),
  ...testSuite.goals(npmTest, e2e),
];
results.goals = goals.map(([goal, met, value]) => ({ goal, met, value }));
fs.writeFileSync(path.join(outDir, 'benchmarks.json'), JSON.stringify(results, null, 2) + '\n');
fs.writeFileSync(path.join(outDir, 'BENCHMARKS.md'), markdown(results));
console.log(`\nwrote ${path.join(outDir, 'BENCHMARKS.md')} and benchmarks.json`);
for (const g of results.goals) console.log(`${g.met ? 'met ' : 'MISSED'}  ${g.goal}: ${g.value}`);
fs.rmSync(work, { recursive: true, force: true });

function round(x) {
  return Math.round(x * 100) / 100;
}

function markdown(r) {
  const row = (cells) => `| ${cells.join(' | ')} |`;
  const lines = [
    '# Benchmarks',
    '',
    `Measured by \`npm run bench\` on ${r.date.slice(0, 10)}: ${r.machine.cpus} cores (${r.machine.cpuModel}), ${r.machine.memoryGiB} GiB, Node ${r.machine.node}.`,
    `Every figure is the median of ${r.app.runs} separate processes (wall time from spawn to exit; peak RSS from \`process.resourceUsage().maxRSS\`).`,
    `Synth runs exactly what cdktf.json runs (\`${r.appCommand}\`); every other program here runs with the same runner flags.`,
    `Load average (1, 5, 15 min) at start: ${r.loadAverage.start.join(', ')}; at end: ${r.loadAverage.end.join(', ')} (a shared machine's other jobs change wall times, hence medians; with BENCH_E2E=1 the e2e run at the end adds its own load).`,
    '',
    '## Goals',
    '',
    row(['goal', 'result', 'met']),
    row(['---', '---', '---']),
    ...r.goals.map((g) => row([g.goal, g.value, g.met ? 'yes' : '**no**'])),
    '',
    '## Synth',
    '',
    row(['what', 'wall (ms)', 'peak RSS (MiB)']),
    row(['---', '---:', '---:']),
    row([r.app.label, r.app.wallMs, r.app.peakRssMiB]),
    row([r.appCold.label, r.appCold.wallMs, r.appCold.peakRssMiB]),
    row([r.baseline.loadOnly.label, r.baseline.loadOnly.wallMs, r.baseline.loadOnly.peakRssMiB]),
    row([r.baseline.sameResources.label, r.baseline.sameResources.wallMs, r.baseline.sameResources.peakRssMiB]),
    '',
    `Ratio whole app / root-import load only: **${r.baseline.ratioToLoadOnly}**; whole app / same resources with the root import: **${r.baseline.ratioToSameResources}**.`,
    `The same-resources baseline is generated from the app's synthesized JSON; it creates ${r.baseline.resourceCount.baseline} resources and data sources, the app ${r.baseline.resourceCount.app} (${r.baseline.resourceCount.resources} resources + ${r.baseline.resourceCount.dataSources} data sources; checked type by type).`,
    '',
    '## Scaling (blue/green fleets, 3 environment stacks)',
    '',
    row(['services', 'stacks', 'wall (ms)', 'peak RSS (MiB)', 'ms per service']),
    row(['---:', '---:', '---:', '---:', '---:']),
    ...r.scaling.map((s) => row([s.services, s.stacks, s.wallMs, s.peakRssMiB, Math.round(s.wallMs / s.services)])),
    '',
    ...statusBench.markdown(r),
    ...fleetsBench.markdown(r),
    '## Docker context hashing',
    '',
    `${r.dockerHash.files} files: **${r.dockerHash.hashMs} ms** hashing (median), ${r.dockerHash.process.wallMs} ms for the whole process.`,
    '',
    '## What the profile showed (issue 7)',
    '',
    ...PROFILE_NOTES,
    '',
    ...require('./test-suite').markdown(r),
  ];
  // Measurements that bench.js does not take itself (the e2e toolchain's cold build)
  // live in scripts/bench/toolchain.md and are carried over unchanged.
  const manual = path.join(__dirname, 'toolchain.md');
  if (fs.existsSync(manual)) {
    lines.push(
      fs
        .readFileSync(manual, 'utf8')
        .replace(/^<!--.*-->\n/, '')
        .trimEnd(),
      '',
    );
  }
  return lines.join('\n');
}

/** An app of N services x 3 environments with the library's BlueGreenFleet. */
function scalingApp(n) {
  return `import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { BlueGreenFleet, FleetLoadBalancer, ImageSource, InstanceType } from ${JSON.stringify(path.join(root, 'lib'))};
const app = new App();
for (const env of ['dev', 'staging', 'prod']) {
  const stack = new TerraformStack(app, 'services-' + env);
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  for (let i = 0; i < ${n}; i++) {
    new BlueGreenFleet(stack, 'Service' + i, {
      name: 'svc' + i + '-' + env,
      vpcId: 'vpc-0123456789abcdef0',
      subnetIds: ['subnet-0a00000000000000a', 'subnet-0b00000000000000b'],
      loadBalancer: FleetLoadBalancer.create({ subnetIds: ['subnet-0c00000000000000c', 'subnet-0d00000000000000d'] }),
      healthCheck: { path: '/health' },
      capacity: { min: 2, max: 4 },
      server: { instanceType: InstanceType.of('t3.small') },
      slots: { blue: { image: ImageSource.fromAmiId('ami-0123456789abcdef0') }, green: { image: ImageSource.fromAmiId('ami-0fedcba9876543210') } },
      active: 'blue',
    });
  }
}
app.synth();
`;
}

/** The app's resources re-created with plain classes from the root provider imports. */
function generateBaseline() {
  const out = fs.mkdtempSync(path.join(work, 'app-'));
  execFileSync(process.execPath, [...TS_NODE, APP_ENTRY], { cwd: root, env: { ...process.env, CDKTF_OUTDIR: out } });
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
  const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
  const pascal = (s) => camel(s).replace(/^./, (c) => c.toUpperCase());
  const convert = (value, key) => {
    if (Array.isArray(value)) return value.map((v) => convert(v));
    if (value && typeof value === 'object') {
      if (key === 'tags' || key === 'tags_all') return value;
      return Object.fromEntries(
        Object.entries(value)
          .filter(([k]) => k !== '//')
          .map(([k, v]) => [camel(k), convert(v, k)]),
      );
    }
    return value;
  };
  const lines = [
    "import { App, TerraformResource, TerraformStack } from 'cdktf';",
    "import * as aws from '@cdktf/provider-aws';",
    "import * as docker from '@cdktf/provider-docker';",
    'const app = new App();',
    'const r: Record<string, any> = { aws, docker };',
  ];
  for (const [name, stack] of Object.entries(manifest.stacks)) {
    const json = JSON.parse(fs.readFileSync(path.join(out, stack.synthesizedStackPath), 'utf8'));
    lines.push(`{ const s = new TerraformStack(app, ${JSON.stringify(name)});`);
    for (const [providerName] of Object.entries(json.provider || {})) {
      lines.push(
        `  new r.${providerName}.provider.${pascal(providerName)}Provider(s, ${JSON.stringify(providerName)}, {});`,
      );
    }
    for (const [kind, prefix] of [
      ['resource', ''],
      ['data', 'data_'],
    ]) {
      for (const [type, byName] of Object.entries(json[kind] || {})) {
        const provider = type.split('_')[0];
        const rest = type.slice(provider.length + 1);
        // resources: aws.launchTemplate.LaunchTemplate; data sources: aws.dataAwsAmi.DataAwsAmi
        const nsName = camel(prefix ? prefix + (provider === 'aws' ? type : rest) : rest);
        const cls = prefix ? pascal(prefix + type) : pascal(rest);
        for (const [id, body] of Object.entries(byName)) {
          if (provider === 'terraform') {
            // terraform_data (the slots' release markers): built into Terraform, no provider class
            const overrides = Object.entries(body)
              .filter(([k]) => k !== '//')
              .map(([k, v]) => `.addOverride(${JSON.stringify(k)}, ${JSON.stringify(v)})`);
            lines.push(
              `  { const d = new TerraformResource(s, ${JSON.stringify(id)}, { terraformResourceType: ${JSON.stringify(type)} });`,
            );
            lines.push(...overrides.map((o) => `    d${o};`), '  }');
            continue;
          }
          // for_each is an iterator object in cdktf's classes: carry the expression as an override.
          const { for_each: forEach, ...rest } = body;
          const create = `new r.${provider}.${nsName}.${cls}(s, ${JSON.stringify(id)}, ${JSON.stringify(convert(rest))})`;
          lines.push(
            forEach === undefined ? `  ${create};` : `  ${create}.addOverride('for_each', ${JSON.stringify(forEach)});`,
          );
        }
      }
    }
    lines.push('}');
  }
  lines.push('app.synth();');
  return { text: lines.join('\n') + '\n', count: countResources(out) };
}

/** Resources and data sources in a cdktf output folder, by type. */
function countResources(out) {
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
  const byType = {};
  let resources = 0;
  let dataSources = 0;
  for (const stack of Object.values(manifest.stacks)) {
    const json = JSON.parse(fs.readFileSync(path.join(out, stack.synthesizedStackPath), 'utf8'));
    for (const [kind, prefix] of [
      ['resource', ''],
      ['data', 'data.'],
    ]) {
      for (const [type, byName] of Object.entries(json[kind] || {})) {
        const n = Object.keys(byName).length;
        byType[prefix + type] = (byType[prefix + type] || 0) + n;
        if (kind === 'resource') resources += n;
        else dataSources += n;
      }
    }
  }
  const sorted = Object.fromEntries(Object.entries(byType).sort(([a], [b]) => a.localeCompare(b)));
  return { resources, dataSources, total: resources + dataSources, byType: sorted };
}

function makeContext(dir, count) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY . /app\n');
  fs.writeFileSync(path.join(dir, '.dockerignore'), '*.log\n');
  for (let i = 0; i < count; i++) {
    const sub = path.join(dir, `pkg${i % 100}`);
    if (i < 100) fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, `file${i}.js`), `// file ${i}\n${'x'.repeat(512 + (i % 1536))}\n`);
  }
}
