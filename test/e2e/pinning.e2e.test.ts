/**
 * Pinned slots on moto with the real AWS provider, driven by the release command as a
 * user would: a fleet built with fromRelease; a change of the fleet-wide user data
 * reaches neither the serving nor the rollback slot; `release stage --same-image`
 * ships it through the idle slot only; promote moves only the listener; rollback
 * restores the old definition (read back through the SDK). guard refuses the plan of
 * the same change with pinning switched off, and the ignore_changes override is
 * refused at synth, or, acknowledged, named by guard --config. One deploy for the file.
 * The saved plans become fixtures under test/fixtures/plans/e2e-pinned-*.json.
 */
import { DescribeLaunchTemplateVersionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mkdirSync, mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { MotoServer, motoAmiIds, startMoto } from './harness/moto';
import {
  apply,
  cli,
  cliOk,
  init,
  logPlan,
  noOpViolations,
  planActions,
  saveFixture,
  savedPlan,
  SavedPlan,
  stateResources,
  synthE2eApp,
} from './harness/tofu';

const work = mkdtempSync(join(tmpdir(), 'e2e-pinning-'));
const releases = join(work, 'releases');
const out = join(work, 'out');
const V1 = '#!/bin/bash\necho v1\n';
const V2 = '#!/bin/bash\necho v2\n';
let moto: MotoServer;
let ec2: EC2Client;
let dir: string;
let amis: string[];
const started = Date.now();

const LT = (slot: 'Blue' | 'Green') =>
  `aws_launch_template.Web_${slot}_LaunchTemplate_${slot === 'Blue' ? '0CDF2054' : '79031D5E'}`;
const ASG = (slot: 'Blue' | 'Green') =>
  `aws_autoscaling_group.Web_${slot}_AutoScalingGroup_${slot === 'Blue' ? 'EBAB4B97' : '70F3CBBA'}`;
const TG = (slot: 'Blue' | 'Green') =>
  `aws_lb_target_group.Web_${slot}_TargetGroup_${slot === 'Blue' ? '786D8717' : '3DF5EF75'}`;
const LISTENER = 'aws_lb_listener.Web_Listener_8E68D58A';
const release = (...args: string[]) => cliOk(['release', ...args, '--dir', releases], moto.env);

function synth(userData: string, extra: Record<string, string> = {}): void {
  dir = synthE2eApp('pinning', out, {
    E2E_RELEASE_FILE: join(releases, 'e2e.json'),
    E2E_USER_DATA: userData,
    ...extra,
  });
}

/** The synthesized stack the plans are made from, for guard --config. */
const config = () => join(dir, 'cdk.tf.json');

/** The user data a slot's launch template holds in moto, read through the SDK. */
async function userDataOf(slot: 'Blue' | 'Green'): Promise<string> {
  const state = await stateResources(dir, moto.env);
  const id = state[LT(slot)].values.id;
  const versions = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id }));
  return Buffer.from(versions.LaunchTemplateVersions![0].LaunchTemplateData!.UserData!, 'base64').toString('utf8');
}

/** The check results of a plan: address -> status and the messages of its failed assertions. */
function checks(plan: SavedPlan): Record<string, { status: string; messages: string[] }> {
  const results = (plan.json.checks ?? []) as Array<{
    address: { to_display: string };
    status: string;
    instances?: Array<{ problems?: Array<{ message: string }> }>;
  }>;
  return Object.fromEntries(
    results.map((check) => [
      check.address.to_display,
      {
        status: check.status,
        messages: (check.instances ?? []).flatMap((i) => (i.problems ?? []).map((p) => p.message)),
      },
    ]),
  );
}

beforeAll(async () => {
  moto = await startMoto(work);
  mkdirSync(releases, { recursive: true });
  amis = await motoAmiIds(moto.endpoint, 2);
  ec2 = new EC2Client({
    region: 'eu-west-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
});

afterAll(async () => {
  ec2?.destroy();
  await moto?.stop();
  console.log(`[e2e] pinning: ${((Date.now() - started) / 1000).toFixed(0)}s, work folder ${work}`);
});

test('deploy: green serves image B, blue holds image A (the rollback slot); both pinned', async () => {
  release('init', 'e2e');
  release('stage', 'e2e', '--image', amis[0]); // the empty environment's first image: blue, active
  release('stage', 'e2e', '--image', amis[1]); // green, staged
  release('promote', 'e2e'); // green active, blue the rollback target: nothing staged
  synth(V1);
  await init(dir, moto.env);
  const plan = await savedPlan(dir, 'deploy', moto.env);
  logPlan('pinning: deploy', plan.json);
  await apply(dir, moto.env, plan.file);
  expect(await userDataOf('Blue')).toBe(V1);
  expect(await userDataOf('Green')).toBe(V1);
  const noop = await savedPlan(dir, 'noop-deploy', moto.env);
  expect(noOpViolations(noop)).toEqual([]);
});

test('a change of the fleet-wide user data: the next plan leaves the serving and the rollback slot untouched', async () => {
  const before = await stateResources(dir, moto.env);
  synth(V2);
  const plan = await savedPlan(dir, 'settings', moto.env);
  logPlan('pinning: user data changed, nothing staged', plan.json);
  // no-op on both slots' templates, groups and target groups (and on everything else)
  expect(planActions(plan.json)).toEqual({});
  for (const address of [LT('Blue'), LT('Green'), ASG('Blue'), ASG('Green'), TG('Blue'), TG('Green')]) {
    const change = plan.json.resource_changes!.find((rc) => rc.address === address)!;
    expect([address, change.change.actions]).toEqual([address, ['no-op']]);
  }
  // the check on the serving slot says the code differs and names the command
  const check = checks(plan)['check.e2e_pin_green_pinned'];
  expect(check.status).toBe('fail');
  expect(check.messages).toEqual([
    expect.stringMatching(
      /^e2e-pinning\/Web: the green slot serves traffic and is pinned: it runs the launch template e2e-pin-green-[0-9a-f]{10}, while the code defines e2e-pin-green-[0-9a-f]{10}\. The change waits for a release: run "cdktf-immutable release stage e2e --same-image", deploy, then promote\.$/,
    ),
  ]);
  // the listener's preconditions (traffic guards) pass
  expect(checks(plan)['aws_lb_listener.Web_Listener_8E68D58A'].status).toBe('pass');
  const guard = cli(['guard', plan.jsonFile, '--config', config()]);
  console.log(`[e2e] guard, settings changed: exit ${guard.code}\n${guard.stdout}${guard.stderr}`);
  expect(guard.code).toBe(0);
  expect(guard.stdout).toMatch(/ack aws_launch_template\.Web_Green_LaunchTemplate_79031D5E: ignore-changes \(all\)/);
  saveFixture(plan, 'e2e-pinned-settings');
  await apply(dir, moto.env, plan.file);
  const after = await stateResources(dir, moto.env);
  for (const address of [LT('Blue'), LT('Green'), ASG('Blue'), ASG('Green')]) {
    expect(after[address].values.name).toBe(before[address].values.name);
  }
  expect(await userDataOf('Green')).toBe(V1);
  // release status --live reads what the serving slot runs against the code's template
  const status = cliOk(['release', 'status', 'e2e', '--live', '--synth', out, '--dir', releases], moto.env);
  console.log(`[e2e] release status --live:\n${status.stdout}`);
  expect(status.stdout).toMatch(/\* green +ami-\S+ .*\[pinned: keeps what it was deployed with\]/);
  // (this stack creates its VPC: the generation is computed at plan, so the plan's check compares)
  expect(status.stdout).toMatch(
    /live: green \(serving, fleet e2e-pin\) runs e2e-pin-green-[0-9a-f]{10} \(generation [0-9a-f]{10}\); the code's generation is computed at plan .*check e2e_pin_green_pinned fails when the code differs \(then ship it: cdktf-immutable release stage e2e --same-image\)\./,
  );
});

test('guard exits 1 on the plan of the same change with pinning switched off', async () => {
  synth(V2, { CDKTF_CONTEXT_JSON: JSON.stringify({ 'cdktf-immutable:pinning': false }) });
  const plan = await savedPlan(dir, 'unpinned', moto.env);
  logPlan('pinning off: user data changed', plan.json);
  expect(planActions(plan.json)).toMatchObject({
    [LT('Blue')]: 'create,delete',
    [LT('Green')]: 'create,delete',
    [ASG('Blue')]: 'create,delete',
    [ASG('Green')]: 'create,delete',
  });
  const guard = cli(['guard', plan.jsonFile, '--config', config()]);
  console.log(`[e2e] guard, pinning off: exit ${guard.code}\n${guard.stdout}`);
  expect(guard.code).toBe(1);
  expect(guard.stdout).toMatch(
    /FAIL aws_autoscaling_group\.Web_Green_AutoScalingGroup_70F3CBBA: aws_autoscaling_group of the green slot of fleet e2e-pin, which serves 100% of the traffic .* release stage <env> --same-image/,
  );
  saveFixture(plan, 'e2e-pinned-unpinned');
});

test("release stage --same-image + deploy replaces only the idle slot, with the code's user data", async () => {
  release('stage', 'e2e', '--same-image');
  synth(V2);
  const plan = await savedPlan(dir, 'same-image', moto.env);
  logPlan('pinning: stage --same-image', plan.json);
  expect(planActions(plan.json)).toEqual({
    [LT('Blue')]: 'create,delete',
    [ASG('Blue')]: 'create,delete',
    'terraform_data.Web_Blue_Release_917C213D': 'update', // blue's image: image A -> B
    'aws_ec2_tag.Web_Blue_InUse_910FB1CB': 'create,delete', // blue's in-use mark moves with its template
  });
  const guard = cli(['guard', plan.jsonFile, '--config', config()]);
  expect(guard.code).toBe(0);
  saveFixture(plan, 'e2e-pinned-same-image');
  await apply(dir, moto.env, plan.file);
  expect(await userDataOf('Blue')).toBe(V2);
  expect(await userDataOf('Green')).toBe(V1);
});

test('the ignore_changes override is refused at synth; acknowledged, guard names it', async () => {
  // blue is staged now: an override that freezes its template is refused
  expect(() => synth(V2, { E2E_IGNORE: '1' })).toThrow(
    /LaunchTemplate e2e-pinning\/Web\/Blue\/LaunchTemplate\/Resource: lifecycle ignore_changes \(all\) on an immutable aws_launch_template/,
  );
  synth(V2, { E2E_IGNORE: 'ack' });
  const plan = await savedPlan(dir, 'acknowledged', moto.env);
  const guard = cli(['guard', plan.jsonFile, '--config', config()]);
  console.log(`[e2e] guard, acknowledged override:\n${guard.stdout}`);
  expect(guard.code).toBe(0);
  expect(guard.stdout).toMatch(
    /ack aws_launch_template\.Web_Blue_LaunchTemplate_0CDF2054: ignore-changes \(all\), acknowledged: e2e: an agent outside Terraform owns this template/,
  );
  // without --config guard says it did not look
  expect(cli(['guard', plan.jsonFile]).stderr).toMatch(/lifecycle not checked/);
  synth(V2);
});

test('promote: only the listener moves; rollback: only the listener, and green still runs the old user data', async () => {
  release('promote', 'e2e');
  synth(V2);
  const promote = await savedPlan(dir, 'promote', moto.env);
  logPlan('pinning: promote', promote.json);
  expect(planActions(promote.json)).toEqual({ [LISTENER]: 'update' });
  expect(cli(['guard', promote.jsonFile, '--config', config()]).code).toBe(0);
  await apply(dir, moto.env, promote.file);
  expect(await userDataOf('Blue')).toBe(V2);

  release('rollback', 'e2e');
  synth(V2);
  const rollback = await savedPlan(dir, 'rollback', moto.env);
  logPlan('pinning: rollback', rollback.json);
  expect(planActions(rollback.json)).toEqual({ [LISTENER]: 'update' });
  expect(cli(['guard', rollback.jsonFile, '--config', config()]).code).toBe(0);
  saveFixture(rollback, 'e2e-pinned-rollback');
  await apply(dir, moto.env, rollback.file);
  // the previous definition is back in service: green runs v1, blue keeps v2
  const state = await stateResources(dir, moto.env);
  const forward = state[LISTENER].values.default_action[0].forward[0].target_group;
  const greenArn = state[TG('Green')].values.arn;
  expect(forward.find((t: { arn: string }) => t.arn === greenArn).weight).toBe(100);
  expect(await userDataOf('Green')).toBe(V1);
  expect(await userDataOf('Blue')).toBe(V2);
  const noop = await savedPlan(dir, 'noop-rollback', moto.env);
  expect(noOpViolations(noop)).toEqual([]);
});
