/**
 * The blue/green lifecycle once on CDK Terrain (cdktn), and the upgrade path from cdktf:
 * a fleet deployed from the app synthesized with cdktf, then the same app synthesized with
 * cdktn (scripts/cdktn/register.js maps cdktf, @cdktf/provider-aws and constructs to the
 * cached cdktn install) plans no change after `tofu init -upgrade`; stage, promote and
 * rollback then change exactly what they change on cdktf.
 *
 * Provider: @cdktn/provider-aws 25.7 pins the AWS provider at exactly 6.66.0
 * (`required_providers`), which the Go module proxy reachable here does not serve. The
 * toolchain's AWS provider (a 6.47.1-era commit, mirrored as 6.25.0) is hard-linked into
 * a mirror of this test under 6.66.0 as well: the same binary under both versions, so
 * this test proves the addresses and the synthesized bodies, not a provider upgrade.
 */
import { linkSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { MotoServer, motoAmiIds, motoAsgNames, startMoto } from './harness/moto';
import {
  apply,
  cli,
  cliOk,
  logPlan,
  noOpViolations,
  planActions,
  ROOT,
  savedPlan,
  stateResources,
  synthE2eApp,
  tofuOk,
} from './harness/tofu';

const work = mkdtempSync(join(tmpdir(), 'e2e-cdktn-'));
const releases = join(work, 'releases');
const releaseFile = join(releases, 'e2e.json');
const outdir = join(work, 'out');
const CDKTN_AWS_VERSION = '6.66.0';
/**
 * The e2e app's `traffic-order` blue/green stack; this test keeps its state in its own
 * folder (ownState), so it never meets the traffic-order test's.
 */
const STACK = 'traffic-order';
let moto: MotoServer;
let env: Record<string, string>;
let dir: string;
let amis: string[];
const started = Date.now();

const LT = (slot: 'Blue' | 'Green') =>
  `aws_launch_template.Web_${slot}_LaunchTemplate_${slot === 'Blue' ? '0CDF2054' : '79031D5E'}`;
const ASG = (slot: 'Blue' | 'Green') =>
  `aws_autoscaling_group.Web_${slot}_AutoScalingGroup_${slot === 'Blue' ? 'EBAB4B97' : '70F3CBBA'}`;
/** Green's in-use mark on the AMI it runs (moves with the AMI, create-before-destroy). */
const MARK_GREEN = 'aws_ec2_tag.Web_Green_InUse_FADA0A6B';
const LISTENER = 'aws_lb_listener.Web_Listener_8E68D58A';

/** A provider mirror with the toolchain's AWS provider under its own version and under 6.66.0, and a CLI config for it. */
function cdktnMirror(): string {
  const toolchain = process.env.E2E_TOOLCHAIN_DIR!;
  const version = process.env.E2E_AWS_PROVIDER_VERSION!;
  const binary = join(
    toolchain,
    'mirror',
    'registry.opentofu.org',
    'hashicorp',
    'aws',
    version,
    'linux_amd64',
    `terraform-provider-aws_v${version}`,
  );
  const mirror = join(work, 'mirror');
  for (const host of ['registry.opentofu.org', 'registry.terraform.io']) {
    for (const v of [version, CDKTN_AWS_VERSION]) {
      const folder = join(mirror, host, 'hashicorp', 'aws', v, 'linux_amd64');
      mkdirSync(folder, { recursive: true });
      linkSync(binary, join(folder, `terraform-provider-aws_v${v}`));
    }
  }
  const rc = join(work, 'tofurc');
  writeFileSync(
    rc,
    `provider_installation {\n  filesystem_mirror {\n    path    = "${mirror}"\n    include = ["registry.opentofu.org/*/*", "registry.terraform.io/*/*"]\n  }\n}\n`,
  );
  return rc;
}

/**
 * Keeps this test's state in its own work folder: the app's local backend points at
 * terraform.<stack>.tfstate in the folder the app was synthesized from (the repository),
 * which other e2e files using the same stack share.
 */
function ownState(): void {
  writeFileSync(
    join(dir, 'e2e_override.tf.json'),
    JSON.stringify({ terraform: { backend: { local: { path: join(work, 'e2e.tfstate') } } } }),
  );
}

/** Synthesizes the e2e app on cdktn into the same output folder as the cdktf synth. */
function synthCdktn(): void {
  synthE2eApp(STACK, outdir, { E2E_RELEASE_FILE: releaseFile }, [join(ROOT, 'scripts', 'cdktn', 'register.js')]);
  ownState();
}

/** The listener's weights and the two groups moto runs. */
async function weights(): Promise<{ blue: number; green: number }> {
  const state = await stateResources(dir, env);
  const arns = {
    blue: state['aws_lb_target_group.Web_Blue_TargetGroup_786D8717'].values.arn,
    green: state['aws_lb_target_group.Web_Green_TargetGroup_3DF5EF75'].values.arn,
  };
  const forward = state[LISTENER].values.default_action[0].forward[0].target_group as { arn: string; weight: number }[];
  expect(await motoAsgNames(moto.endpoint)).toEqual(
    [state[ASG('Blue')].values.name, state[ASG('Green')].values.name].sort(),
  );
  return {
    blue: forward.find((t) => t.arn === arns.blue)!.weight,
    green: forward.find((t) => t.arn === arns.green)!.weight,
  };
}

async function expectNoOp(step: string): Promise<void> {
  const plan = await savedPlan(dir, `noop-${step}`, env);
  logPlan(`cdktn: no-op after ${step}`, plan.json);
  expect(noOpViolations(plan)).toEqual([]);
}

beforeAll(async () => {
  moto = await startMoto(work);
  // Its own plugin cache too: the shared one (TF_PLUGIN_CACHE_DIR) would link its entries to this test's mirror.
  env = { ...moto.env, TF_CLI_CONFIG_FILE: cdktnMirror(), TF_PLUGIN_CACHE_DIR: join(work, 'plugin-cache') };
  mkdirSync(env.TF_PLUGIN_CACHE_DIR, { recursive: true });
  mkdirSync(releases, { recursive: true });
  amis = await motoAmiIds(moto.endpoint, 2);
});

afterAll(async () => {
  await moto?.stop();
  console.log(`[e2e] cdktn: ${((Date.now() - started) / 1000).toFixed(0)}s, work folder ${work}`);
});

test('deployed from cdktf, synthesized again on cdktn: after tofu init -upgrade the plan is empty', async () => {
  cliOk(['release', 'init', 'e2e', '--dir', releases]);
  cliOk(['release', 'stage', 'e2e', '--image', amis[0], '--dir', releases]);
  cliOk(['release', 'stage', 'e2e', '--image', amis[0], '--dir', releases]);
  dir = synthE2eApp(STACK, outdir, { E2E_RELEASE_FILE: releaseFile });
  ownState();
  await tofuOk(dir, ['init', '-input=false', '-no-color'], env);
  await apply(dir, env);
  expect(await weights()).toEqual({ blue: 100, green: 0 });

  synthCdktn();
  const json = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8'));
  expect(json.terraform.required_providers.aws.version).toBe(CDKTN_AWS_VERSION);
  await tofuOk(dir, ['init', '-upgrade', '-input=false', '-no-color'], env);
  expect(readFileSync(join(dir, '.terraform.lock.hcl'), 'utf8')).toMatch(
    new RegExp(`version\\s+=\\s+"${CDKTN_AWS_VERSION.replace(/\./g, '\\.')}"`),
  );
  await expectNoOp('the move to cdktn');
});

test("stage image B into green on cdktn: replaces only green's launch template and group; guard passes", async () => {
  const before = await stateResources(dir, env);
  cliOk(['release', 'stage', 'e2e', '--image', amis[1], '--dir', releases]);
  synthCdktn();
  const plan = await savedPlan(dir, 'stage', env);
  logPlan('cdktn: stage', plan.json);
  expect(planActions(plan.json)).toEqual({
    [LT('Green')]: 'create,delete',
    [ASG('Green')]: 'create,delete',
    [MARK_GREEN]: 'create,delete',
    'terraform_data.Web_Green_Release_497A755F': 'update', // green's release marker (its image)
  });
  expect(cli(['guard', plan.jsonFile]).code).toBe(0);
  await apply(dir, env, plan.file);
  const state = await stateResources(dir, env);
  expect(state[ASG('Blue')].values.name).toBe(before[ASG('Blue')].values.name);
  expect(state[ASG('Green')].values.name).not.toBe(before[ASG('Green')].values.name);
  expect(state[LT('Green')].values.image_id).toBe(amis[1]);
  expect(await weights()).toEqual({ blue: 100, green: 0 });
  await expectNoOp('stage');
});

test('promote, then rollback, on cdktn: each changes only the listener', async () => {
  for (const [step, expected] of [
    ['promote', { blue: 0, green: 100 }],
    ['rollback', { blue: 100, green: 0 }],
  ] as const) {
    const before = await stateResources(dir, env);
    cliOk(['release', step, 'e2e', '--dir', releases]);
    synthCdktn();
    const plan = await savedPlan(dir, step, env);
    logPlan(`cdktn: ${step}`, plan.json);
    expect(planActions(plan.json)).toEqual({ [LISTENER]: 'update' });
    expect(cli(['guard', plan.jsonFile]).code).toBe(0);
    await apply(dir, env, plan.file);
    expect(await weights()).toEqual(expected);
    const state = await stateResources(dir, env);
    expect([state[ASG('Blue')].values.name, state[ASG('Green')].values.name]).toEqual([
      before[ASG('Blue')].values.name,
      before[ASG('Green')].values.name,
    ]);
    await expectNoOp(step);
  }
});
