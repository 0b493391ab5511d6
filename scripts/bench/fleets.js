/**
 * The fleets-at-scale part of npm run bench (scripts/bench/bench.js): an app of N fleets x
 * 3 environments x 2 regions (one stack per environment and region, 6 stacks), each stack
 * with one SharedLoadBalancer that every fleet of the stack attaches to by host rule, each
 * fleet a blue/green fleet with Spot, idle capacity and the group settings. Measured:
 * synth wall time and peak RSS for several N (the growth per fleet), and the offline
 * `preview` of the largest app against itself after one fleet staged a new image in every
 * stack.
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const ENVIRONMENTS = ['dev', 'staging', 'prod'];
const REGIONS = ['eu-west-1', 'us-east-1'];
const SYNTH_GOAL_MS = 15_000;
const RSS_GOAL_MIB = 1024;

/**
 * The app's source. `stagedFleet`: the index of the fleet that has a new image staged in
 * its green slot in every stack (the "after" of the preview), or -1.
 */
function fleetsApp(root, n, stagedFleet = -1) {
  return `import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { BlueGreenFleet, FleetLoadBalancer, ImageSource, InstanceType, SharedLoadBalancer } from ${JSON.stringify(path.join(root, 'lib'))};
const app = new App();
const regions: Record<string, string> = { 'eu-west-1': 'euw1', 'us-east-1': 'use1' };
for (const env of ${JSON.stringify(ENVIRONMENTS)}) {
  for (const region of ${JSON.stringify(REGIONS)}) {
    const stack = new TerraformStack(app, 'fleets-' + env + '-' + region);
    new AwsProvider(stack, 'aws', { region });
    const suffix = env + '-' + regions[region];
    const front = new SharedLoadBalancer(stack, 'Front', {
      name: 'front-' + suffix,
      vpcId: 'vpc-0123456789abcdef0',
      subnetIds: ['subnet-0c00000000000000c', 'subnet-0d00000000000000d'],
      certificateArn: 'arn:aws:acm:' + region + ':123456789012:certificate/front',
    });
    for (let i = 0; i < ${n}; i++) {
      new BlueGreenFleet(stack, 'Fleet' + i, {
        name: 'f' + i + '-' + suffix,
        vpcId: 'vpc-0123456789abcdef0',
        subnetIds: ['subnet-0a00000000000000a', 'subnet-0b00000000000000b'],
        loadBalancer: FleetLoadBalancer.fromShared(front, { priority: i + 1, hostHeaders: ['f' + i + '.example.com'] }),
        healthCheck: { path: '/health' },
        capacity: { min: 2, max: 4 },
        server: { instanceType: InstanceType.oneOf('m7i.large', 'm6i.large') },
        spot: { onDemandBase: 1, spotPercentage: 50 },
        maxInstanceLifetimeDays: 14,
        enabledMetrics: ['GroupInServiceInstances'],
        instanceName: 'f' + i,
        idleCapacity: { after: '2h', min: 0 },
        slots: {
          blue: { image: ImageSource.fromAmiId('ami-0123456789abcdef0') },
          green: {
            image: ImageSource.fromAmiId(i === ${stagedFleet} ? 'ami-0aaaaaaaaaaaaaaaa' : 'ami-0fedcba9876543210'),
            ...(i === ${stagedFleet} ? {} : { idleSince: '2026-12-01T08:00:00Z' }),
          },
        },
        active: 'blue',
        // as fromRelease gives it after a promote (none staged, green idle), or after a stage
        stagedSlot: i === ${stagedFleet} ? 'green' : 'none',
      });
    }
  }
}
app.synth();
`;
}

/**
 * Measures the synth of N fleets x 3 x 2 for every N of `scales`, then the preview of the
 * largest. `measure(label, args, env, perRunEnv, options)` is bench.js's (median of `runs`
 * processes; `options.outdir` keeps the synth output).
 */
function measureFleets({ root, work, quick, measure, tsNode }) {
  const scales = quick ? [1, 2] : [1, 10, 25, 50];
  const started = new Date().toISOString();
  const loadAverage = { start: loadAverageNow() };
  const synth = scales.map((n) => {
    const file = path.join(work, `fleets-${n}.ts`);
    fs.writeFileSync(file, fleetsApp(root, n));
    const entry = measure(`fleets: ${n} fleet(s) x 3 environments x 2 regions`, [...tsNode, file]);
    return { fleets: n, stacks: ENVIRONMENTS.length * REGIONS.length, ...entry };
  });
  const largest = scales[scales.length - 1];
  // the preview's inputs: the largest app as it is, and after fleet 0 staged a new image everywhere
  const outputs = ['before', 'after'].map((name, i) => {
    const file = path.join(work, `fleets-${largest}-${name}.ts`);
    fs.writeFileSync(file, fleetsApp(root, largest, i === 0 ? -1 : 0));
    const outdir = path.join(work, `fleets-out-${name}`);
    measure(`fleets: synth ${name} for preview`, [...tsNode, file], {}, () => ({}), { runs: 1, outdir });
    return outdir;
  });
  const preview = measure(`fleets: preview of ${largest} fleets x 3 x 2 (one fleet staged in every stack)`, [
    ...tsNode,
    path.join(root, 'bin', 'cdktf-immutable.ts'),
    'preview',
    ...outputs,
  ]);
  const resources = countResources(outputs[0]);
  loadAverage.end = loadAverageNow();
  return { measured: started, loadAverage, scales, synth, preview, resources, growth: growth(synth) };
}

function loadAverageNow() {
  return os.loadavg().map((x) => Math.round(x * 100) / 100);
}

/** Wall time and peak RSS added per fleet (x 3 x 2) between consecutive sizes. */
function growth(synth) {
  const out = [];
  for (let i = 1; i < synth.length; i++) {
    const a = synth[i - 1];
    const b = synth[i];
    const fleets = b.fleets - a.fleets;
    out.push({
      from: a.fleets,
      to: b.fleets,
      msPerFleet: Math.round((b.wallMs - a.wallMs) / fleets),
      cpuMsPerFleet: Math.round((b.cpuMs - a.cpuMs) / fleets),
      mibPerFleet: Math.round(((b.peakRssMiB - a.peakRssMiB) / fleets) * 10) / 10,
    });
  }
  return out;
}

/** Resources and stacks of a synth output folder. */
function countResources(outdir) {
  const stacks = fs.readdirSync(path.join(outdir, 'stacks'));
  let resources = 0;
  for (const stack of stacks) {
    const json = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
    for (const byName of Object.values(json.resource || {})) resources += Object.keys(byName).length;
  }
  return { stacks: stacks.length, resources };
}

function goals(fleets) {
  if (!fleets) return [];
  const last = fleets.synth[fleets.synth.length - 1];
  const label = `${last.fleets} fleets x 3 environments x 2 regions`;
  return [
    [`${label}: synth < 15 s`, last.wallMs < SYNTH_GOAL_MS, `${(last.wallMs / 1000).toFixed(1)} s`],
    [`${label}: synth peak RSS < 1 GiB`, last.peakRssMiB < RSS_GOAL_MIB, `${last.peakRssMiB} MiB`],
  ];
}

function markdown(r) {
  const f = r.fleets;
  if (!f) return [];
  const row = (cells) => `| ${cells.join(' | ')} |`;
  const last = f.synth[f.synth.length - 1];
  return [
    '## Fleets at scale (fleets x 3 environments x 2 regions)',
    '',
    `Measured ${f.measured.slice(0, 10)}, median of ${last.runs} processes each; load average (1, 5, 15 min) at start ${f.loadAverage.start.join(', ')}, at end ${f.loadAverage.end.join(', ')}. One stack per environment and region (6 stacks); in each, one \`SharedLoadBalancer\` (HTTPS) with every fleet attached by a host rule, each fleet a blue/green fleet with two instance types, Spot above an on-demand base, idle capacity (the green slot idle) and the group settings. The largest app synthesizes ${f.resources.resources} resources in ${f.resources.stacks} stacks.`,
    '',
    row(['fleets', 'fleet constructs', 'stacks', 'wall (ms)', 'CPU (ms)', 'peak RSS (MiB)']),
    row(['---:', '---:', '---:', '---:', '---:', '---:']),
    ...f.synth.map((s) => row([s.fleets, s.fleets * s.stacks, s.stacks, s.wallMs, s.cpuMs, s.peakRssMiB])),
    '',
    'Growth per fleet (one more service, in all 6 stacks: 6 fleet constructs), between consecutive sizes:',
    '',
    row(['from', 'to', 'wall ms per fleet', 'CPU ms per fleet', 'MiB per fleet']),
    row(['---:', '---:', '---:', '---:', '---:']),
    ...f.growth.map((g) => row([g.from, g.to, g.msPerFleet, g.cpuMsPerFleet, g.mibPerFleet])),
    '',
    `\`preview\` of the ${last.fleets}-fleet app (two synth outputs, one fleet staged in every stack): **${f.preview.wallMs} ms**, ${f.preview.cpuMs} CPU-ms, ${f.preview.peakRssMiB} MiB peak RSS (the command line run from its TypeScript by the same runner).`,
    'Wall times depend on the load of the machine (the load average above, on 2 cores); CPU time (user + system of the process) much less.',
    '',
  ];
}

module.exports = { fleetsApp, measureFleets, goals, markdown };
