/**
 * Ordering and capacity of a blue/green cutover on the real engine (OpenTofu + the real
 * AWS provider against moto), driven by the release command as a CI pipeline would:
 * stage + promote, then ONE apply.
 *
 * - Ordering: the listener update starts only after the new green group's create
 *   completed (read from the `tofu apply -json` event stream).
 * - Capacity: the active group is scaled out of band; the new group is created at
 *   that size before the listener moves. Above the slot's max, the plan stops and
 *   says what to scale. An existing group that takes weight grows in place first, and
 *   its update waits for that many healthy targets (`wait_for_elb_capacity`) before
 *   the listener update starts (moto reports every registered running instance
 *   healthy, so the wait is short here; the order is what the event stream shows).
 *
 * The steps run in order and share one deployment.
 */
import { mkdirSync, mkdtempSync } from 'fs';
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
  tofu,
} from './harness/tofu';

const work = mkdtempSync(join(tmpdir(), 'e2e-traffic-order-'));
const releases = join(work, 'releases');
const releaseFile = join(releases, 'e2e.json');
let moto: MotoServer;
let dir: string;
let amis: string[];
const started = Date.now();
const timings: string[] = [];

const ASG = (slot: 'Blue' | 'Green') =>
  `aws_autoscaling_group.Web_${slot}_AutoScalingGroup_${slot === 'Blue' ? 'EBAB4B97' : '70F3CBBA'}`;
const LT_GREEN = 'aws_launch_template.Web_Green_LaunchTemplate_79031D5E';
const LISTENER = 'aws_lb_listener.Web_Listener_8E68D58A';

function synth(): void {
  // the harness types the stacks it knows; this file adds the traffic-order variant of app.ts
  dir = synthE2eApp('traffic-order', join(work, 'out'), { E2E_RELEASE_FILE: releaseFile });
}

async function group(name: string): Promise<{ desired: number; min: number; max: number }> {
  const xml = await awsQuery(moto.endpoint, 'autoscaling', {
    Action: 'DescribeAutoScalingGroups',
    Version: '2011-01-01',
    'AutoScalingGroupNames.member.1': name,
  });
  const read = (tag: string) => Number(new RegExp(`<${tag}>(\\d+)</${tag}>`).exec(xml)?.[1]);
  expect(xml).toContain(`<AutoScalingGroupName>${name}</AutoScalingGroupName>`);
  return { desired: read('DesiredCapacity'), min: read('MinSize'), max: read('MaxSize') };
}

/** Scales a group out of band, as an operator or a scaling policy would. */
async function setDesired(name: string, desired: number): Promise<void> {
  await awsQuery(moto.endpoint, 'autoscaling', {
    Action: 'SetDesiredCapacity',
    Version: '2011-01-01',
    AutoScalingGroupName: name,
    DesiredCapacity: String(desired),
  });
  expect((await group(name)).desired).toBe(desired);
}

/** Applies a saved plan with `-json`; the apply_start / apply_complete events in order. */
async function applyJson(planFile: string, step: string): Promise<ApplyEvent[]> {
  const { events, seconds } = await applyEvents(dir, planFile, moto.env, step);
  timings.push(`${step}: apply ${seconds.toFixed(1)}s`);
  return events;
}

function find(events: readonly ApplyEvent[], type: string, addr: string, action: string): ApplyEvent {
  const found = events.filter((e) => e.type === type && e.addr === addr && e.action === action);
  expect(found.map((e) => `${e.type} ${e.action} ${e.addr}`)).toEqual([`${type} ${action} ${addr}`]);
  return found[0];
}

function weights(state: Record<string, { values: any }>): Record<string, number> {
  const forward = state[LISTENER].values.default_action[0].forward[0].target_group;
  const blue = state[ASG('Blue')]?.values.target_group_arns[0];
  return Object.fromEntries(forward.map((t: any) => [t.arn === blue ? 'blue' : 'green', t.weight]));
}

beforeAll(async () => {
  moto = await startMoto(work);
  mkdirSync(releases, { recursive: true });
  amis = await motoAmiIds(moto.endpoint, 2);
});

afterAll(async () => {
  await moto?.stop();
  console.log(
    `[e2e] traffic order and capacity: ${((Date.now() - started) / 1000).toFixed(0)}s, work folder ${work}\n  ${timings.join('\n  ')}`,
  );
});

test('first deploy into an empty environment: blue only; nothing is read for the empty green slot', async () => {
  cliOk(['release', 'init', 'e2e', '--dir', releases]);
  cliOk(['release', 'stage', 'e2e', '--image', amis[0], '--dir', releases]); // empty env: into blue, active
  synth();
  await init(dir, moto.env);
  const plan = await savedPlan(dir, 'deploy', moto.env);
  logPlan('traffic order: first deploy', plan.json);
  // the group waits for load balancer health only when its target group is in use:
  // on the first deploy the listener comes after the group, so it must not wait
  const blue = plan.json.resource_changes!.find((rc) => rc.address === ASG('Blue'))!;
  expect(blue.change.after.min_size).toBe(1);
  expect(blue.change.after_unknown.min_elb_capacity).toBe(true);
  const applied = await apply(dir, moto.env, plan.file);
  timings.push(`first deploy: apply ${applied.seconds.toFixed(1)}s`);
  const state = await stateResources(dir, moto.env);
  expect(state[ASG('Blue')].values.min_elb_capacity).toBe(0);
  expect(weights(state)).toEqual({ blue: 100, green: 0 });
  expect(Object.keys(state).filter((a) => a.startsWith('data.'))).toEqual([]);
});

test("stage + promote in one apply: green is created at blue's scaled-out size, and the listener moves only after green's create completed", async () => {
  // GIVEN blue scaled out of band to 3 (its own min is 1)
  const before = await stateResources(dir, moto.env);
  const blueName = before[ASG('Blue')].values.name;
  await setDesired(blueName, 3);
  // WHEN a new image is staged in green and promoted, then ONE apply
  cliOk(['release', 'stage', 'e2e', '--image', amis[1], '--dir', releases]);
  cliOk(['release', 'promote', 'e2e', '--dir', releases]);
  synth();
  const plan = await savedPlan(dir, 'stage-promote', moto.env);
  logPlan('traffic order: stage + promote', plan.json);
  expect(planActions(plan.json)).toEqual({
    [ASG('Green')]: 'create',
    [LT_GREEN]: 'create',
    'aws_ec2_tag.Web_Green_InUse_FADA0A6B': 'create', // green's in-use mark on its AMI
    'terraform_data.Web_Green_Release_497A755F': 'create', // green's release marker (its image)
    [LISTENER]: 'update',
  });
  expect(cli(['guard', plan.jsonFile]).code).toBe(0);
  // THEN green is planned at blue's current size (read at plan time), min and gate
  const green = plan.json.resource_changes!.find((rc) => rc.address === ASG('Green'))!;
  expect(green.change.after.min_size).toBe(3);
  expect(green.change.after.min_elb_capacity).toBe(3); // green's target group is in use (weight 0)
  const events = await applyJson(plan.file, 'stage + promote');
  const greenCreated = find(events, 'apply_complete', ASG('Green'), 'create');
  const listenerStart = find(events, 'apply_start', LISTENER, 'update');
  expect(listenerStart.index).toBeGreaterThan(greenCreated.index);
  const state = await stateResources(dir, moto.env);
  expect(weights(state)).toEqual({ blue: 0, green: 100 });
  expect(await group(state[ASG('Green')].values.name)).toEqual({ desired: 3, min: 3, max: 4 });
  // blue keeps running untouched (rollback target)
  expect(state[ASG('Blue')].values.name).toBe(blueName);
  // the next plan has no changes: the read sizes are stable
  const again = await savedPlan(dir, 'noop-after-promote', moto.env);
  expect(noOpViolations(again)).toEqual([]);
});

test("rollback onto a slot whose max is below the active slot's size: the plan stops and says what to scale", async () => {
  const state = await stateResources(dir, moto.env);
  const greenName = state[ASG('Green')].values.name;
  // GIVEN green (active) scaled beyond what blue may run (max 4)
  await setDesired(greenName, 5);
  cliOk(['release', 'rollback', 'e2e', '--dir', releases]);
  synth();
  const plan = await tofu(dir, ['plan', '-input=false', '-no-color'], moto.env);
  timings.push(`refused rollback: plan ${plan.seconds.toFixed(1)}s`);
  console.log(`[e2e] refused rollback (exit ${plan.code}):\n${plan.stderr.slice(0, 3000)}`);
  expect(plan.code).toBe(1);
  // tofu wraps the message and frames it with │: compare with the whitespace collapsed
  const text = plan.stderr.replace(/[│\s]+/g, ' ');
  expect(text).toContain('Resource precondition failed');
  expect(text).toContain(
    `the blue slot takes 100% of the traffic from the green slot, whose group (${greenName}) runs 5 instances now, so it needs at least 5 instances, but capacity.max is 4`,
  );
  expect(text).toContain(`aws autoscaling set-desired-capacity --auto-scaling-group-name ${greenName}`);
  // nothing moved
  expect(weights(await stateResources(dir, moto.env))).toEqual({ blue: 0, green: 100 });
});

test("rollback onto a smaller running slot: blue grows in place to green's size before the listener moves back", async () => {
  const state = await stateResources(dir, moto.env);
  const blueName = state[ASG('Blue')].values.name;
  const greenName = state[ASG('Green')].values.name;
  // GIVEN green (active) at 4, blue (idle) scaled in to 1
  await setDesired(greenName, 4);
  await setDesired(blueName, 1);
  // WHEN rolled back (the release file already says blue)
  const plan = await savedPlan(dir, 'rollback', moto.env);
  logPlan('traffic order: rollback', plan.json);
  // blue takes the weight: its min rises to green's size; green gives it: back to its own min
  expect(planActions(plan.json)).toEqual({ [ASG('Blue')]: 'update', [ASG('Green')]: 'update', [LISTENER]: 'update' });
  const minSizes = (slot: 'Blue' | 'Green') => {
    const change = plan.json.resource_changes!.find((rc) => rc.address === ASG(slot))!.change;
    return [change.before.min_size, change.after.min_size];
  };
  expect(minSizes('Blue')).toEqual([1, 4]);
  expect(minSizes('Green')).toEqual([3, 1]);
  // blue grows in place above its own size: the provider waits on that update for exactly 4 healthy targets
  // behind the load balancer (wait_for_elb_capacity); green shrinks: no wait, unset (it still runs 4)
  const waitFor = (slot: 'Blue' | 'Green') =>
    plan.json.resource_changes!.find((rc) => rc.address === ASG(slot))!.change.after.wait_for_elb_capacity;
  expect(waitFor('Blue')).toBe(4);
  expect(waitFor('Green')).toBeNull();
  // guard accepts the real plan: both groups change in place only in their operational sizes
  const guard = cli(['guard', plan.jsonFile]);
  console.log(`[e2e] guard (rollback, grow in place): exit ${guard.code}\n${guard.stdout}${guard.stderr}`);
  expect(guard.code).toBe(0);
  const events = await applyJson(plan.file, 'rollback');
  const blueUpdated = find(events, 'apply_complete', ASG('Blue'), 'update');
  const listenerStart = find(events, 'apply_start', LISTENER, 'update');
  expect(listenerStart.index).toBeGreaterThan(blueUpdated.index);
  const after = await stateResources(dir, moto.env);
  expect(weights(after)).toEqual({ blue: 100, green: 0 });
  expect(await group(blueName)).toEqual({ desired: 4, min: 4, max: 4 });
  expect(after[ASG('Blue')].values.name).toBe(blueName); // the same group, grown in place
});
