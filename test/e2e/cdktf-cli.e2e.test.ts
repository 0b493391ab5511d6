/**
 * The path users take, end to end: `npm run pack` this repository (the construct package
 * and the CLI package), `cdktf-immutable init` a repository from the folder of both
 * tarballs, `npm install` it (the npm registry for the peers and
 * tools, the npm cache reused), then the scaffold's own `cdktf` CLI (cdktf-cli from its
 * node_modules, installed without install scripts as npm 11 does) with OpenTofu
 * (`TERRAFORM_BINARY_NAME`) and the toolchain's provider mirror (`TF_CLI_CONFIG_FILE`)
 * against moto: deploy, stage, diff, promote, deploy, rollback, deploy.
 *
 * The scaffold is used unchanged: its AWS provider reads AWS_ENDPOINT_URL and the
 * credentials from the environment, as with any local emulator. Only the environment
 * stack (web-dev) is deployed: the images stack needs EC2 Image Builder, which moto does
 * not emulate, so the release stages AMIs that moto ships. One load balancer (~60 s).
 */
import { spawn } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { MotoServer, motoAmiIds, motoAsgNames, startMoto } from './harness/moto';
import { BUILT_CLI, ROOT, RunResult } from './harness/tofu';

const work = mkdtempSync(join(tmpdir(), 'e2e-cdktf-cli-'));
const repo = join(work, 'infra');
const STACK = 'web-dev';
let moto: MotoServer;
let env: NodeJS.ProcessEnv;
let amis: string[];
const timings: Record<string, number> = {};
const started = Date.now();

/** Runs a command in the scaffold asynchronously (moto and jest's timers keep running). */
function run(command: string, args: readonly string[], cwd = repo): Promise<RunResult> {
  const begun = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, [...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    // cdktf colours tofu's output whatever the terminal: compare the text without ANSI codes
    const plain = (text: string) => text.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
    child.on('close', (code) =>
      resolvePromise({ code, stdout: plain(stdout), stderr: plain(stderr), seconds: (Date.now() - begun) / 1000 }),
    );
  });
}

async function ok(label: string, command: string, args: readonly string[], cwd = repo): Promise<RunResult> {
  const result = await run(command, args, cwd);
  timings[label] = result.seconds;
  if (result.code !== 0) {
    throw new Error(
      `${label}: ${command} ${args.join(' ')} exited ${result.code}:\n${result.stdout.slice(-8000)}\n${result.stderr.slice(-4000)}`,
    );
  }
  return result;
}

/** The scaffold's cdktf CLI (node_modules/.bin/cdktf). */
const cdktf = (label: string, args: readonly string[]) => ok(label, join(repo, 'node_modules', '.bin', 'cdktf'), args);
/** The scaffold's cdktf-immutable command (node_modules/.bin/cdktf-immutable, from the CLI package's tarball). */
const release = (args: readonly string[]) =>
  ok(`release ${args[0]}`, join(repo, 'node_modules', '.bin', 'cdktf-immutable'), ['release', ...args]);
const deploy = (label: string) => cdktf(label, ['deploy', STACK, '--auto-approve', '--skip-provider-lock']);

/** The listener's weights by target group name, and the groups moto runs, read through the AWS SDK. */
async function weights(): Promise<Record<string, number>> {
  const elb = await import('@aws-sdk/client-elastic-load-balancing-v2');
  const client = new elb.ElasticLoadBalancingV2Client({
    endpoint: moto.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  const lbs = await client.send(new elb.DescribeLoadBalancersCommand({ Names: ['web-dev'] }));
  const listeners = await client.send(
    new elb.DescribeListenersCommand({ LoadBalancerArn: lbs.LoadBalancers![0].LoadBalancerArn }),
  );
  expect(listeners.Listeners).toHaveLength(1);
  const groups = await client.send(new elb.DescribeTargetGroupsCommand({ Names: ['web-dev-blue', 'web-dev-green'] }));
  const names = Object.fromEntries(groups.TargetGroups!.map((g) => [g.TargetGroupArn, g.TargetGroupName]));
  const forward = listeners.Listeners![0].DefaultActions![0].ForwardConfig!.TargetGroups!;
  client.destroy();
  return Object.fromEntries(forward.map((t) => [names[t.TargetGroupArn!], t.Weight!]));
}

beforeAll(async () => {
  moto = await startMoto(work);
  amis = await motoAmiIds(moto.endpoint, 2);
  env = {
    ...process.env,
    ...moto.env,
    CHECKPOINT_DISABLE: '1',
    CI: '1',
    TF_IN_AUTOMATION: '1',
    // OpenTofu from the toolchain; TF_CLI_CONFIG_FILE (its provider mirror) and
    // TF_PLUGIN_CACHE_DIR come from scripts/e2e.sh.
    TERRAFORM_BINARY_NAME: process.env.TOFU_BIN,
  };
  if (!process.env.TOFU_BIN || !process.env.TF_CLI_CONFIG_FILE?.includes('toolchain-')) {
    throw new Error('TOFU_BIN / TF_CLI_CONFIG_FILE are not the e2e toolchain\'s: run "npm run test:e2e".');
  }
});

afterAll(async () => {
  await moto?.stop();
  // the scaffold's node_modules (~700 packages) is not needed to read what happened
  rmSync(join(repo, 'node_modules'), { recursive: true, force: true });
  console.log(
    `[e2e] cdktf CLI: ${((Date.now() - started) / 1000).toFixed(0)}s, work folder ${work}\n${Object.entries(timings)
      .map(([k, v]) => `  ${k.padEnd(34)} ${v.toFixed(1)} s`)
      .join('\n')}`,
  );
});

test('npm run pack (both packages), init from their folder, npm install, cdktf synth', async () => {
  // the build of scripts/e2e.sh is fresh: scripts/pack.js packs it as it is
  const packedDir = join(work, 'packed');
  const packed = await ok('npm run pack', process.execPath, [join(ROOT, 'scripts', 'pack.js'), packedDir], ROOT);
  const tarballs = packed.stdout
    .trim()
    .split('\n')
    .map((file) => file.split('/').pop());
  const initStarted = Date.now();
  await ok('init', process.execPath, [BUILT_CLI, 'init', repo, '--from', packedDir], work);
  const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  expect([manifest.dependencies['cdktf-immutable'], manifest.devDependencies['cdktf-immutable-cli']]).toEqual(
    tarballs.map((tarball) => `file:vendor/${tarball}`),
  );
  await ok('npm install', 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline']);
  const synth = await cdktf('cdktf synth (first)', ['synth']);
  timings['init -> first synth (total)'] = (Date.now() - initStarted) / 1000;
  expect(synth.stdout).toContain('Generated Terraform code for the stacks: images');
  // no image staged yet: the environment stacks are skipped with a warning
  expect(synth.stdout + synth.stderr).toContain(
    'warning: stack web-dev is skipped: releases/dev.json has no image yet.',
  );
  // the first run writes the snapshots (CI=1 would make jest refuse to write them)
  await ok('npm test (scaffold)', 'npm', ['test', '--silent', '--', '--ci=false']);
});

test('offline with a provider mirror, cdktf runs "providers lock", which asks the registry: it fails without --skip-provider-lock', async () => {
  await release(['stage', 'dev', '--image', amis[0]]);
  const diff = await run(join(repo, 'node_modules', '.bin', 'cdktf'), ['diff', STACK]);
  timings['cdktf diff without --skip-provider-lock'] = diff.seconds;
  expect(diff.code).not.toBe(0);
  expect(diff.stdout + diff.stderr).toMatch(/failed to fetch the requested providers[\s\S]*calculate their checksums/);
});

test('cdktf deploy web-dev: the first deploy creates the fleet, blue takes the traffic', async () => {
  await deploy('cdktf deploy (first)');
  expect(await weights()).toEqual({ 'web-dev-blue': 100, 'web-dev-green': 0 });
  expect((await motoAsgNames(moto.endpoint)).filter((n) => n.startsWith('web-dev-'))).toEqual([
    expect.stringMatching(/^web-dev-blue-[0-9a-f]{10}$/),
  ]);
});

test('release stage, cdktf diff shows only green created; deploy keeps the traffic on blue', async () => {
  await release(['stage', 'dev', '--image', amis[1]]);
  const diff = await cdktf('cdktf diff (stage)', ['diff', STACK, '--skip-provider-lock']);
  expect(diff.stdout).toMatch(/aws_launch_template\.Web_Green_LaunchTemplate_[0-9A-F]{8}.* will be created/);
  expect(diff.stdout).toMatch(/aws_autoscaling_group\.Web_Green_AutoScalingGroup_[0-9A-F]{8}.* will be created/);
  expect(diff.stdout).toMatch(/Plan: \d+ to add, \d+ to change, 0 to destroy/);
  await deploy('cdktf deploy (stage)');
  expect(await weights()).toEqual({ 'web-dev-blue': 100, 'web-dev-green': 0 });
  expect(
    (await motoAsgNames(moto.endpoint))
      .filter((n) => n.startsWith('web-dev-'))
      .map((n) => n.replace(/-[0-9a-f]{10}$/, '')),
  ).toEqual(['web-dev-blue', 'web-dev-green']);
});

test('release promote, deploy: green takes the traffic', async () => {
  await release(['promote', 'dev']);
  await deploy('cdktf deploy (promote)');
  expect(await weights()).toEqual({ 'web-dev-blue': 0, 'web-dev-green': 100 });
});

test('release rollback, deploy: back to blue, the same groups; then cdktf diff shows no changes', async () => {
  const groups = await motoAsgNames(moto.endpoint);
  await release(['rollback', 'dev']);
  await deploy('cdktf deploy (rollback)');
  expect(await weights()).toEqual({ 'web-dev-blue': 100, 'web-dev-green': 0 });
  expect(await motoAsgNames(moto.endpoint)).toEqual(groups);
  const diff = await cdktf('cdktf diff (after rollback)', ['diff', STACK, '--skip-provider-lock']);
  expect(diff.stdout).toMatch(/No changes\./);
  // the release file records it: blue active, green marked rolled back
  const record = JSON.parse(readFileSync(join(repo, 'releases', 'dev.json'), 'utf8'));
  expect([record.active, typeof record.slots.green.rolledBackAt]).toEqual(['blue', 'string']);
});
