/**
 * The review and deploy path as a new user takes it, on OpenTofu, the real cdktf CLI
 * (the scaffold's own, from its node_modules) and moto: `npm run pack`, `cdktf-immutable
 * init --from` the packed folder (the tarballs vendored), `npm install`, git, then:
 * - a release commit (stage) leaves the scaffold's snapshot test green (`npm test --ci`);
 * - `cdktf-immutable deploy web-dev` (the guarded apply) deploys, stages and promotes,
 *   each time the plan it checked;
 * - a plan with a guard violation (the fleet's construct renamed: its servers destroyed
 *   at their old addresses) stops before apply: `tofu state list` and the state's
 *   resources are the same before and after;
 * - a stale release file (the file of before the promote restored from git, a stage made
 *   on it) is refused before the listener moves: the weights read from moto are green
 *   100% before and after, and `release status --live` says the same.
 * One load balancer (~60 s).
 */
import { spawn } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { MotoServer, motoAmiIds, motoAsgNames, startMoto } from './harness/moto';
import { BUILT_CLI, ROOT, RunResult, tofuEnv } from './harness/tofu';

const work = mkdtempSync(join(tmpdir(), 'e2e-deploy-path-'));
const repo = join(work, 'infra');
const STACK = 'web-dev';
const STACK_DIR = join(repo, 'cdktf.out', 'stacks', STACK);
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

/** The scaffold's cdktf-immutable command (node_modules/.bin, from the vendored CLI tarball). */
const immutable = (args: readonly string[]) => run(join(repo, 'node_modules', '.bin', 'cdktf-immutable'), args);
const release = (args: readonly string[]) =>
  ok(`release ${args[0]}`, join(repo, 'node_modules', '.bin', 'cdktf-immutable'), ['release', ...args]);
const deploy = (label: string) =>
  ok(label, join(repo, 'node_modules', '.bin', 'cdktf-immutable'), ['deploy', STACK, '--auto-approve']);
const git = (...args: string[]) => ok(`git ${args[0]}`, 'git', args);
const commit = (message: string) =>
  git('-c', 'user.name=Ann', '-c', 'user.email=ann@example.com', 'commit', '-q', '-am', message);

/** The listener's weights by slot, read from moto through the AWS SDK. */
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
  const groups = await client.send(new elb.DescribeTargetGroupsCommand({ Names: ['web-dev-blue', 'web-dev-green'] }));
  const names = Object.fromEntries(groups.TargetGroups!.map((g) => [g.TargetGroupArn, g.TargetGroupName]));
  const forward = listeners.Listeners![0].DefaultActions![0].ForwardConfig!.TargetGroups!;
  client.destroy();
  return Object.fromEntries(forward.map((t) => [names[t.TargetGroupArn!]!.replace('web-dev-', ''), t.Weight!]));
}

/** `tofu state list` and the state's resources (`tofu show -json`), to compare before and after. */
async function state(): Promise<{ list: string; resources: string }> {
  const tofu = process.env.TOFU_BIN!;
  const list = await ok('tofu state list', tofu, ['state', 'list'], STACK_DIR);
  const show = await ok('tofu show -json', tofu, ['show', '-json'], STACK_DIR);
  return { list: list.stdout, resources: JSON.stringify(JSON.parse(show.stdout).values) };
}

beforeAll(async () => {
  moto = await startMoto(work);
  amis = await motoAmiIds(moto.endpoint, 3);
  env = tofuEnv({
    ...moto.env,
    CHECKPOINT_DISABLE: '1',
    CI: '1',
    // OpenTofu from the toolchain, as for cdktf; TF_CLI_CONFIG_FILE (its provider mirror)
    // comes from scripts/e2e.sh
    TERRAFORM_BINARY_NAME: process.env.TOFU_BIN!,
  });
  if (!process.env.TOFU_BIN || !process.env.TF_CLI_CONFIG_FILE?.includes('toolchain-')) {
    throw new Error('TOFU_BIN / TF_CLI_CONFIG_FILE are not the e2e toolchain\'s: run "npm run test:e2e".');
  }
});

afterAll(async () => {
  await moto?.stop();
  rmSync(join(repo, 'node_modules'), { recursive: true, force: true });
  console.log(
    `[e2e] deploy path: ${((Date.now() - started) / 1000).toFixed(0)}s, work folder ${work}\n${Object.entries(timings)
      .map(([k, v]) => `  ${k.padEnd(40)} ${v.toFixed(1)} s`)
      .join('\n')}`,
  );
});

test('init from the packed tarballs (vendored), npm install, the first test run writes the snapshots', async () => {
  const packedDir = join(work, 'packed');
  const packed = await ok('npm run pack', process.execPath, [join(ROOT, 'scripts', 'pack.js'), packedDir], ROOT);
  const tarballs = packed.stdout
    .trim()
    .split('\n')
    .map((file) => file.split('/').pop());
  await ok('init', process.execPath, [BUILT_CLI, 'init', repo, '--from', packedDir], work);
  const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  expect([manifest.dependencies['cdktf-immutable'], manifest.devDependencies['cdktf-immutable-cli']]).toEqual(
    tarballs.map((tarball) => `file:vendor/${tarball}`),
  );
  // the packed folder is not needed any more: the repository holds its tarballs
  rmSync(packedDir, { recursive: true });
  await ok('npm install', 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline']);
  await ok('npm test (writes the snapshots)', 'npm', ['test', '--silent', '--', '--ci=false']);
  await git('init', '-q');
  await git('add', '.');
  await commit('scaffold');
});

test('a release commit (stage) leaves the snapshot test green; the guarded deploy creates the fleet', async () => {
  await release(['stage', 'dev', '--image', amis[0]]);
  const tests = await ok('npm test --ci (after a stage)', 'npm', ['test', '--silent', '--', '--ci']);
  expect(tests.stderr).toMatch(/Snapshots: +3 passed, 3 total/);
  await commit('dev: stage the first image');

  const first = await deploy('deploy (first)');
  expect(first.stdout).toContain('live check skipped: fleet web-dev has no target groups in AWS yet (first deploy)');
  expect(first.stdout).toContain('guard: ok');
  expect(first.stdout).toContain('deploy web-dev: applied the checked plan.');
  expect(await weights()).toEqual({ blue: 100, green: 0 });
});

let beforePromote: string;

test('stage and promote, each deployed by the guarded deploy: green takes the traffic', async () => {
  await release(['stage', 'dev', '--image', amis[1]]);
  await commit('dev: stage the second image');
  beforePromote = (await git('rev-parse', 'HEAD')).stdout.trim();
  const staged = await deploy('deploy (stage)');
  expect(staged.stdout).toContain('live check: fleet web-dev serves blue 100% / green 0%, as releases/dev.json asks');
  expect(await weights()).toEqual({ blue: 100, green: 0 });

  await release(['promote', 'dev']);
  await commit('dev: promote green');
  const promoted = await deploy('deploy (promote)');
  expect(promoted.stdout).toContain(
    'live check: fleet web-dev serves blue 100% / green 0%, what releases/dev.json served before its last change',
  );
  expect(await weights()).toEqual({ blue: 0, green: 100 });
  const live = await immutable(['release', 'status', 'dev', '--live']);
  expect(live.code).toBe(0);
  expect(live.stdout).toContain('live check: fleet web-dev serves blue 0% / green 100%, as releases/dev.json asks');
});

test('a plan with a guard violation stops before apply: the state is unchanged', async () => {
  const before = await state();
  const groups = await motoAsgNames(moto.endpoint);
  // a refactoring renames the fleet's construct: every server resource moves address
  const stackFile = join(repo, 'src', 'environment-stack.ts');
  const source = readFileSync(stackFile, 'utf8');
  writeFileSync(stackFile, source.replace("new BlueGreenFleet(this, 'Web', {", "new BlueGreenFleet(this, 'Site', {"));
  const refused = await immutable(['deploy', STACK, '--auto-approve']);
  timings['deploy (guard violation)'] = refused.seconds;
  writeFileSync(stackFile, source);
  expect(refused.code).toBe(1);
  expect(refused.stdout).toMatch(/FAIL aws_(launch_template|autoscaling_group)\.Web_/);
  expect(refused.stderr).toMatch(/deploy web-dev: refused before apply: the guard found \d+ violation\(s\)/);
  expect(refused.stdout).not.toContain('applied the checked plan');
  expect(await state()).toEqual(before);
  expect(await motoAsgNames(moto.endpoint)).toEqual(groups);
  expect(await weights()).toEqual({ blue: 0, green: 100 });
});

test('a stale release file (an older commit restored, a stage made on it) is refused before the listener moves', async () => {
  const groups = await motoAsgNames(moto.endpoint);
  expect(await weights()).toEqual({ blue: 0, green: 100 });
  // the file of before the promote: blue active
  await git('checkout', beforePromote, '--', 'releases/dev.json');
  await release(['stage', 'dev', '--image', amis[2]]);
  const refused = await immutable(['deploy', STACK, '--auto-approve']);
  timings['deploy (stale release file)'] = refused.seconds;
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain(
    'deploy web-dev: refused before plan: live check: fleet web-dev serves blue 0% / green 100%',
  );
  expect(refused.stderr).toMatch(
    /but releases\/dev\.json asks for blue 100% \/ green 0%, and records that blue 0% \/ green 0% was served before its last change\. The file is not the one that was deployed: it was last changed by commit [0-9a-f]{7,} "dev: promote green" \(Ann, [\d-]+\), with uncommitted changes on top\./,
  );
  expect(await weights()).toEqual({ blue: 0, green: 100 });
  expect(await motoAsgNames(moto.endpoint)).toEqual(groups);
  const live = await immutable(['release', 'status', 'dev', '--live']);
  expect(live.code).toBe(1);
  expect(live.stdout).toMatch(
    /live check: fleet web-dev serves blue 0% \/ green 100% \(arn:aws:elasticloadbalancing:[^)]+\), but releases\/dev\.json asks/,
  );
  // back to the committed file: the deploy has nothing to do
  await git('checkout', 'HEAD', '--', 'releases/dev.json');
  const current = await deploy('deploy (up to date)');
  expect(current.stdout).toContain('deploy web-dev: no changes; nothing to apply.');
});
