/**
 * (2) Blue/green lifecycle and (4) no-op, on moto with the real AWS provider, driven by
 * the release command exactly as a user would: release file -> synth -> tofu plan/apply.
 * One deploy is reused across the steps (they run in order and depend on each other).
 * The saved plans become fixtures (7) under test/fixtures/plans/e2e-*.json.
 */
import { spawn } from 'child_process';
import { mkdirSync, mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { guardPlan } from '../../lib/review';
import { MotoServer, motoAmiIds, motoAsgNames, startMoto } from './harness/moto';
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
  stateResources,
  synthE2eApp,
  tofuEnv,
  tofuOk,
} from './harness/tofu';

const work = mkdtempSync(join(tmpdir(), 'e2e-blue-green-'));
const releases = join(work, 'releases');
const releaseFile = join(releases, 'e2e.json');
let moto: MotoServer;
let dir: string;
let amis: string[];
const started = Date.now();

const LT = (slot: 'Blue' | 'Green') =>
  `aws_launch_template.Web_${slot}_LaunchTemplate_${slot === 'Blue' ? '0CDF2054' : '79031D5E'}`;
const ASG = (slot: 'Blue' | 'Green') =>
  `aws_autoscaling_group.Web_${slot}_AutoScalingGroup_${slot === 'Blue' ? 'EBAB4B97' : '70F3CBBA'}`;
/** Green's in-use mark on the AMI it runs (moves with the AMI, create-before-destroy). */
const MARK_GREEN = 'aws_ec2_tag.Web_Green_InUse_FADA0A6B';
/** Green's release marker (terraform_data, its image): updated in place with a new image. */
const MARKER_GREEN = 'terraform_data.Web_Green_Release_497A755F';
const TG = (slot: 'Blue' | 'Green') =>
  `aws_lb_target_group.Web_${slot}_TargetGroup_${slot === 'Blue' ? '786D8717' : '3DF5EF75'}`;
const LISTENER = 'aws_lb_listener.Web_Listener_8E68D58A';
/** Each group's target-tracking policy (the app sets scaling): replaced with its group. */
const POLICY = (slot: 'Blue' | 'Green') =>
  `aws_autoscaling_policy.Web_${slot}_ScalingPolicy_${slot === 'Blue' ? '05CE0E9F' : 'D396726B'}`;

function synth(): void {
  dir = synthE2eApp('blue-green', join(work, 'out'), { E2E_RELEASE_FILE: releaseFile });
}

/** Reads the state and checks the ASGs, target groups and listener weights. */
async function checkState(expected: {
  blue: number;
  green: number;
}): Promise<Record<string, { type: string; values: any }>> {
  const state = await stateResources(dir, moto.env);
  const blueTg = state[TG('Blue')].values;
  const greenTg = state[TG('Green')].values;
  expect(blueTg.name).toBe('e2e-web-blue');
  expect(greenTg.name).toBe('e2e-web-green');
  for (const [slot, tg] of [
    ['Blue', blueTg],
    ['Green', greenTg],
  ] as const) {
    const asg = state[ASG(slot)].values;
    const lt = state[LT(slot)].values;
    expect(asg.name).toMatch(new RegExp(`^e2e-web-${slot.toLowerCase()}-[0-9a-f]{10}$`));
    expect(lt.name).toMatch(new RegExp(`^e2e-web-${slot.toLowerCase()}-[0-9a-f]{10}$`));
    expect(asg.target_group_arns).toEqual([tg.arn]);
    expect(asg.launch_template[0].id).toBe(lt.id);
  }
  const forward = state[LISTENER].values.default_action[0].forward[0].target_group;
  const weights = Object.fromEntries(
    forward.map((t: any) => [t.arn === blueTg.arn ? 'blue' : t.arn === greenTg.arn ? 'green' : t.arn, t.weight]),
  );
  expect(weights).toEqual(expected);
  // moto holds exactly the two current groups: no orphan
  expect(await motoAsgNames(moto.endpoint)).toEqual(
    [state[ASG('Blue')].values.name, state[ASG('Green')].values.name].sort(),
  );
  return state;
}

/** (4) a plan right after an apply has no changes. */
async function expectNoOp(step: string): Promise<void> {
  const plan = await savedPlan(dir, `noop-${step}`, moto.env);
  logPlan(`no-op after ${step}`, plan.json);
  expect(noOpViolations(plan)).toEqual([]);
}

beforeAll(async () => {
  moto = await startMoto(work);
  mkdirSync(releases, { recursive: true });
  amis = await motoAmiIds(moto.endpoint, 2);
});

afterAll(async () => {
  await moto?.stop();
  console.log(`[e2e] blue/green lifecycle: ${((Date.now() - started) / 1000).toFixed(0)}s, work folder ${work}`);
});

test('deploy: both slots run image A, blue active', async () => {
  cliOk(['release', 'init', 'e2e', '--dir', releases]);
  cliOk(['release', 'stage', 'e2e', '--image', amis[0], '--dir', releases]); // empty env: to the active slot (blue)
  cliOk(['release', 'stage', 'e2e', '--image', amis[0], '--dir', releases]); // then the idle slot (green)
  synth();
  await init(dir, moto.env);
  const plan = await savedPlan(dir, 'deploy', moto.env);
  logPlan('deploy', plan.json);
  await apply(dir, moto.env, plan.file);
  await checkState({ blue: 100, green: 0 });
  await expectNoOp('deploy');
});

let before: Record<string, { type: string; values: any }>;

test("stage image B into green: replaces only green's launch template and group, create-before-destroy; guard passes", async () => {
  before = await stateResources(dir, moto.env);
  cliOk(['release', 'stage', 'e2e', '--image', amis[1], '--dir', releases]);
  synth();
  const plan = await savedPlan(dir, 'stage', moto.env);
  logPlan('stage', plan.json);
  expect(planActions(plan.json)).toEqual({
    [LT('Green')]: 'create,delete',
    [ASG('Green')]: 'create,delete',
    [POLICY('Green')]: 'create,delete',
    [MARK_GREEN]: 'create,delete', // the slot's in-use mark moves to the new AMI
    [MARKER_GREEN]: 'update', // the slot's release marker holds its image
  });
  const guard = cli(['guard', plan.jsonFile]);
  console.log(`[e2e] guard stage: exit ${guard.code}\n${guard.stdout}${guard.stderr}`);
  expect(guard.code).toBe(0);
  saveFixture(plan, 'e2e-stage');
  await apply(dir, moto.env, plan.file);
  const state = await checkState({ blue: 100, green: 0 });
  // blue untouched, green's group and template renamed to the new generation
  // (identity, not every attribute: a refresh turns some unset lists from null into [])
  const identity = (v: any) => ({
    id: v.id,
    arn: v.arn,
    name: v.name,
    image_id: v.image_id,
    latest_version: v.latest_version,
    launch_template: v.launch_template?.[0]?.id,
    target_group_arns: v.target_group_arns,
  });
  for (const address of [LT('Blue'), ASG('Blue'), TG('Blue'), TG('Green')]) {
    expect(identity(state[address].values)).toEqual(identity(before[address].values));
  }
  expect(state[ASG('Green')].values.name).not.toBe(before[ASG('Green')].values.name);
  expect(state[LT('Green')].values.image_id).toBe(amis[1]);
  expect(state[LT('Blue')].values.image_id).toBe(amis[0]);
  expect(await motoAsgNames(moto.endpoint)).not.toContain(before[ASG('Green')].values.name);
  await expectNoOp('stage');
});

test('promote: only the listener changes', async () => {
  cliOk(['release', 'promote', 'e2e', '--dir', releases]);
  synth();
  const plan = await savedPlan(dir, 'promote', moto.env);
  logPlan('promote', plan.json);
  expect(planActions(plan.json)).toEqual({ [LISTENER]: 'update' });
  expect(cli(['guard', plan.jsonFile]).code).toBe(0);
  saveFixture(plan, 'e2e-promote');
  await apply(dir, moto.env, plan.file);
  await checkState({ blue: 0, green: 100 });
  await expectNoOp('promote');
});

test('rollback: only the listener changes, back to blue', async () => {
  const beforeRollback = await stateResources(dir, moto.env);
  cliOk(['release', 'rollback', 'e2e', '--dir', releases]);
  synth();
  const plan = await savedPlan(dir, 'rollback', moto.env);
  logPlan('rollback', plan.json);
  expect(planActions(plan.json)).toEqual({ [LISTENER]: 'update' });
  expect(cli(['guard', plan.jsonFile]).code).toBe(0);
  saveFixture(plan, 'e2e-rollback');
  await apply(dir, moto.env, plan.file);
  const state = await checkState({ blue: 100, green: 0 });
  // the previous generation was still running: the groups are the same ones
  expect(state[ASG('Blue')].values.name).toBe(beforeRollback[ASG('Blue')].values.name);
  expect(state[ASG('Green')].values.name).toBe(beforeRollback[ASG('Green')].values.name);
  await expectNoOp('rollback');
  const status = cliOk(['release', 'status', 'e2e', '--dir', releases]);
  console.log(`[e2e] release status after rollback:\n${status.stdout}`);
  await tofuOk(dir, ['state', 'list'], moto.env);
});

test('interrupted stage apply: SIGINT once the new launch template exists, then apply again converges', async () => {
  const beforeStage = await stateResources(dir, moto.env);
  const third = amis[2] ?? amis[0];
  cliOk(['release', 'stage', 'e2e', '--image', third, '--dir', releases]);
  synth();
  const plan = await savedPlan(dir, 'interrupted', moto.env);
  logPlan('interrupted stage', plan.json);
  expect(planActions(plan.json)).toEqual({
    [LT('Green')]: 'create,delete',
    [ASG('Green')]: 'create,delete',
    [POLICY('Green')]: 'create,delete',
    [MARK_GREEN]: 'create,delete',
    [MARKER_GREEN]: 'update',
  });

  // apply, and interrupt tofu (SIGINT, as Ctrl-C) as soon as the new template is created
  const child = spawn(process.env.TOFU_BIN!, ['apply', '-input=false', '-no-color', plan.file], {
    cwd: dir,
    env: tofuEnv(moto.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let interrupted = false;
  const code = await new Promise<number | null>((resolveExit) => {
    const onData = (data: Buffer) => {
      output += data;
      if (!interrupted && output.includes(`${LT('Green')}: Creation complete`)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', resolveExit);
  });
  console.log(
    `[e2e] interrupted apply: exit ${code}, interrupted=${interrupted}\n${output
      .split('\n')
      .filter((l) => /Creat|Destroy|nterrupt|Stopping|Error/.test(l))
      .join('\n')}`,
  );
  expect(interrupted).toBe(true);

  // plan again and guard it, as the guarded deploy does. When the interrupt landed while
  // the provider read green's new in-use tag back, the mark is tainted and its
  // create-before-destroy replacement on the same AMI would delete the tag: guard refuses
  // that plan and names the untaint, which is what a user then runs.
  const resumed = await savedPlan(dir, 'resume-after-interrupt', moto.env);
  const resumeReport = guardPlan(resumed.json);
  const taintedMark = resumeReport.violations.filter((v) => v.kind === 'tag-replaced-on-itself');
  expect(resumeReport.violations.filter((v) => v.kind !== 'tag-replaced-on-itself')).toEqual([]);
  expect(taintedMark.map((v) => v.address)).toEqual(taintedMark.length ? [MARK_GREEN] : []);
  console.log(`[e2e] after the interrupt green's in-use mark was ${taintedMark.length ? 'tainted' : 'not tainted'}`);
  if (taintedMark.length) {
    expect(taintedMark[0].message).toContain(`untaint ${MARK_GREEN}`);
    await tofuOk(dir, ['untaint', '-no-color', MARK_GREEN], moto.env);
  }
  // apply again: converges
  const again = await tofuOk(dir, ['apply', '-input=false', '-no-color', '-auto-approve'], moto.env);
  console.log(
    `[e2e] re-apply after interrupt:\n${again.stdout
      .split('\n')
      .filter((l) => /complete|Apply complete/.test(l))
      .join('\n')}`,
  );
  // listener weights did not move; moto holds exactly the two current groups (no orphan)
  const state = await checkState({ blue: 100, green: 0 });
  expect(state[LT('Green')].values.image_id).toBe(third);
  expect(state[ASG('Blue')].values.name).toBe(beforeStage[ASG('Blue')].values.name);
  expect(state[LISTENER].values).toEqual(expect.objectContaining({ arn: beforeStage[LISTENER].values.arn }));
  const list = await tofuOk(dir, ['state', 'list'], moto.env);
  expect(list.stdout.split('\n').filter((l) => l.startsWith('aws_autoscaling_group.'))).toHaveLength(2);
  // the tainted-mark case, made certain: the real plan replaces the mark on itself and guard refuses it
  await tofuOk(dir, ['taint', '-no-color', MARK_GREEN], moto.env);
  const tainted = await savedPlan(dir, 'tainted-mark', moto.env);
  expect(planActions(tainted.json)).toEqual({ [MARK_GREEN]: 'create,delete' });
  expect(guardPlan(tainted.json).violations.map((v) => `${v.kind} ${v.address}`)).toEqual([
    `tag-replaced-on-itself ${MARK_GREEN}`,
  ]);
  await tofuOk(dir, ['untaint', '-no-color', MARK_GREEN], moto.env);
  await expectNoOp('interrupted apply');
});
