/**
 * Idle capacity on the real engine (OpenTofu + the real AWS provider against moto),
 * driven by the release command: after a promote, the slot that stopped serving gets a
 * scheduled action at idleSince + after; once that time has passed, the plan scales the
 * slot in (moto does not run scheduled actions; AWS would have, and the plan agrees with
 * it); a later plan keeps it there; a rollback grows it back BEFORE the listener moves
 * (ordering read from the `tofu apply -json` event stream).
 *
 * The steps run in order and share one deployment.
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { awsQuery, MotoServer, motoAmiIds, startMoto } from './harness/moto';
import {
  apply,
  ApplyEvent,
  applyEvents,
  cli,
  cliOk,
  init,
  logPlan,
  noOpViolations,
  planActions,
  savedPlan,
  stateResources,
  synthE2eApp,
} from './harness/tofu';

const work = mkdtempSync(join(tmpdir(), 'e2e-idle-'));
const releases = join(work, 'releases');
const releaseFile = join(releases, 'e2e.json');
/** Short, so that the test can wait for it. */
const AFTER_SECONDS = 60;
let moto: MotoServer;
let dir: string;
let amis: string[];
const started = Date.now();
const timings: string[] = [];

function synth(): void {
  dir = synthE2eApp('idle', join(work, 'out'), { E2E_RELEASE_FILE: releaseFile, E2E_IDLE_AFTER: '1m' });
}

const release = (...args: string[]) => cliOk(['release', ...args, 'e2e', '--dir', releases]);
const file = () => JSON.parse(readFileSync(releaseFile, 'utf8'));

async function group(name: string): Promise<{ desired: number; min: number; max: number; instances: number }> {
  const xml = await awsQuery(moto.endpoint, 'autoscaling', {
    Action: 'DescribeAutoScalingGroups',
    Version: '2011-01-01',
    'AutoScalingGroupNames.member.1': name,
  });
  const read = (tag: string) => Number(new RegExp(`<${tag}>(\\d+)</${tag}>`).exec(xml)?.[1]);
  return {
    desired: read('DesiredCapacity'),
    min: read('MinSize'),
    max: read('MaxSize'),
    instances: (xml.match(/<LifecycleState>InService<\/LifecycleState>/g) ?? []).length,
  };
}

async function scheduledActions(): Promise<string> {
  return awsQuery(moto.endpoint, 'autoscaling', { Action: 'DescribeScheduledActions', Version: '2011-01-01' });
}

/** The resource of the state at the address that starts with `prefix`. */
async function stateOf(prefix: string): Promise<{ address: string; values: any }> {
  const state = await stateResources(dir, moto.env);
  const found = Object.entries(state).filter(([address]) => address.startsWith(prefix));
  expect(found.map(([address]) => address)).toHaveLength(1);
  return { address: found[0][0], values: found[0][1].values };
}

/** Applies a saved plan with `-json`; the apply_start / apply_complete events in order. */
async function applyJson(planFile: string, step: string): Promise<ApplyEvent[]> {
  const { events, seconds } = await applyEvents(dir, planFile, moto.env, step);
  timings.push(`${step}: apply ${seconds.toFixed(1)}s`);
  return events;
}

async function deploy(step: string): Promise<Record<string, string>> {
  synth();
  const plan = await savedPlan(dir, step, moto.env);
  logPlan(`idle capacity: ${step}`, plan.json);
  expect(cli(['guard', plan.jsonFile]).code).toBe(0);
  const applied = await apply(dir, moto.env, plan.file);
  timings.push(`${step}: apply ${applied.seconds.toFixed(1)}s`);
  return planActions(plan.json);
}

beforeAll(async () => {
  moto = await startMoto(work);
  mkdirSync(releases, { recursive: true });
  amis = await motoAmiIds(moto.endpoint, 2);
});

afterAll(async () => {
  await moto?.stop();
  console.log(
    `[e2e] idle capacity: ${((Date.now() - started) / 1000).toFixed(0)}s, work folder ${work}\n  ${timings.join('\n  ')}`,
  );
});

test('deploy blue, stage green, promote: blue goes idle and gets a scheduled action at idleSince + 1m', async () => {
  release('init');
  release('stage', '--image', amis[0]);
  synth();
  await init(dir, moto.env);
  await deploy('first-deploy');
  release('stage', '--image', amis[1]);
  await deploy('stage');
  release('promote');
  const since = file().slots.blue.idleSince as string;
  expect(Date.parse(since)).toBeGreaterThan(started);
  const actions = await deploy('promote');
  expect(Object.entries(actions).sort()).toEqual([
    [expect.stringMatching(/^aws_autoscaling_schedule\.Web_Blue_IdleScaleIn_/), 'create'],
    [expect.stringMatching(/^aws_lb_listener\.Web_Listener_/), 'update'],
  ]);
  const at = new Date(Date.parse(since) + AFTER_SECONDS * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const xml = await scheduledActions();
  expect(xml).toContain('<ScheduledActionName>e2e-idle-blue-idle-scale-in</ScheduledActionName>');
  expect(xml).toContain(`<StartTime>${at}</StartTime>`);
  const blue = await stateOf('aws_autoscaling_group.Web_Blue_');
  expect(await group(blue.values.name)).toMatchObject({ min: 1, desired: 1 });
});

test('once idle for 1m: the plan scales blue in to 0 and drops the spent schedule; the next plan keeps it there', async () => {
  const since = Date.parse(file().slots.blue.idleSince);
  const wait = since + AFTER_SECONDS * 1000 + 2000 - Date.now();
  if (wait > 0) {
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  const actions = await deploy('scale-in');
  expect(Object.entries(actions).sort()).toEqual([
    [expect.stringMatching(/^aws_autoscaling_group\.Web_Blue_/), 'update'],
    [expect.stringMatching(/^aws_autoscaling_schedule\.Web_Blue_IdleScaleIn_/), 'delete'],
  ]);
  const blue = await stateOf('aws_autoscaling_group.Web_Blue_');
  expect(await group(blue.values.name)).toMatchObject({ min: 0, desired: 0, max: 3, instances: 0 });
  const green = await stateOf('aws_autoscaling_group.Web_Green_');
  expect(await group(green.values.name)).toMatchObject({ min: 1, desired: 1 });
  const again = await savedPlan(dir, 'noop-idle', moto.env);
  logPlan('idle capacity: a later plan', again.json);
  expect(noOpViolations(again)).toEqual([]);
});

test('rollback: blue grows back to green’s size first, then the listener moves; green goes idle', async () => {
  release('rollback');
  expect(file().slots.blue).not.toHaveProperty('idleSince');
  expect(file().slots.green.idleSince).toEqual(expect.any(String));
  synth();
  const plan = await savedPlan(dir, 'rollback', moto.env);
  logPlan('idle capacity: rollback', plan.json);
  expect(cli(['guard', plan.jsonFile]).code).toBe(0);
  const actions = planActions(plan.json);
  const blueAddress = Object.keys(actions).find((a) => a.startsWith('aws_autoscaling_group.Web_Blue_'))!;
  const listener = Object.keys(actions).find((a) => a.startsWith('aws_lb_listener.Web_Listener_'))!;
  expect(Object.entries(actions).sort()).toEqual([
    [blueAddress, 'update'],
    [expect.stringMatching(/^aws_autoscaling_schedule\.Web_Green_IdleScaleIn_/), 'create'],
    [listener, 'update'],
  ]);
  const blueChange = plan.json.resource_changes!.find((rc) => rc.address === blueAddress)!;
  expect(blueChange.change.before.min_size).toBe(0);
  expect(blueChange.change.after.min_size).toBe(1); // green's desired capacity, read at plan
  const events = await applyJson(plan.file, 'rollback');
  const grown = events.find((e) => e.type === 'apply_complete' && e.addr === blueAddress)!;
  const moved = events.find((e) => e.type === 'apply_start' && e.addr === listener)!;
  expect(grown).toBeDefined();
  expect(moved).toBeDefined();
  expect(moved.index).toBeGreaterThan(grown.index);
  const blue = await stateOf('aws_autoscaling_group.Web_Blue_');
  expect(await group(blue.values.name)).toMatchObject({ min: 1, desired: 1, instances: 1 });
  const weights = (await stateOf('aws_lb_listener.Web_Listener_')).values.default_action[0].forward[0].target_group;
  const blueTarget = blue.values.target_group_arns[0];
  expect(Object.fromEntries(weights.map((t: any) => [t.arn === blueTarget ? 'blue' : 'green', t.weight]))).toEqual({
    blue: 100,
    green: 0,
  });
});
