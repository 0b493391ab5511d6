/**
 * Two fleets behind one shared load balancer, released independently, on the real engine
 * (OpenTofu + the real AWS provider against moto): each fleet has its own release file
 * and its own rule on the shared listener; a stage or a promote of one plans changes of
 * that fleet's resources only (read from the real plans), and guard accepts each plan.
 * Each fleet can reach its instances: the shared group has one egress rule per fleet.
 *
 * The steps run in order and share one deployment.
 */
import { mkdirSync, mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { awsQuery, MotoServer, motoAmiIds, startMoto } from './harness/moto';
import {
  apply,
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

const work = mkdtempSync(join(tmpdir(), 'e2e-shared-lb-'));
const releases = { web: join(work, 'releases-web'), api: join(work, 'releases-api') };
let moto: MotoServer;
let dir: string;
let amis: string[];
const started = Date.now();
const timings: string[] = [];

function synth(): void {
  dir = synthE2eApp('shared-lb', join(work, 'out'), {
    E2E_WEB_RELEASE_FILE: join(releases.web, 'e2e.json'),
    E2E_API_RELEASE_FILE: join(releases.api, 'e2e.json'),
  });
}

const release = (fleet: 'web' | 'api', ...args: string[]) =>
  cliOk(['release', ...args, 'e2e', '--dir', releases[fleet]]);

/** Synth, plan, check that only `fleet`'s resources change and that guard passes, apply; returns the actions. */
async function deployOnly(fleet: 'Web' | 'Api', step: string): Promise<Record<string, string>> {
  synth();
  const plan = await savedPlan(dir, step, moto.env);
  logPlan(`shared load balancer: ${step}`, plan.json);
  const actions = planActions(plan.json);
  expect(Object.keys(actions).length).toBeGreaterThan(0);
  const other = fleet === 'Web' ? 'Api' : 'Web';
  // nothing of the other fleet, nothing of the shared load balancer
  expect(Object.keys(actions).filter((address) => !address.includes(`.${fleet}_`))).toEqual([]);
  expect(
    Object.keys(actions).filter((address) => address.includes(`.${other}_`) || address.includes('.Front_')),
  ).toEqual([]);
  const guard = cli(['guard', plan.jsonFile]);
  expect(guard.code).toBe(0);
  const applied = await apply(dir, moto.env, plan.file);
  timings.push(`${step}: apply ${applied.seconds.toFixed(1)}s`);
  return actions;
}

/** Each fleet's rule: its weights by slot (target group name suffix), read from the state. */
async function ruleWeights(): Promise<Record<string, Record<string, number>>> {
  const state = await stateResources(dir, moto.env);
  const names = new Map(
    Object.values(state)
      .filter((r) => r.type === 'aws_lb_target_group')
      .map((r) => [r.values.arn, r.values.name as string]),
  );
  const out: Record<string, Record<string, number>> = {};
  for (const [address, r] of Object.entries(state)) {
    if (r.type !== 'aws_lb_listener_rule') {
      continue;
    }
    const fleet = address.includes('.Web_') ? 'web' : 'api';
    out[fleet] = Object.fromEntries(
      r.values.action[0].forward[0].target_group.map((t: any) => [
        names.get(t.arn)!.replace(/^e2e-\w+-/, ''),
        t.weight,
      ]),
    );
  }
  return out;
}

beforeAll(async () => {
  moto = await startMoto(work);
  mkdirSync(releases.web, { recursive: true });
  mkdirSync(releases.api, { recursive: true });
  amis = await motoAmiIds(moto.endpoint, 2);
});

afterAll(async () => {
  await moto?.stop();
  console.log(
    `[e2e] shared load balancer: ${((Date.now() - started) / 1000).toFixed(0)}s, work folder ${work}\n  ${timings.join('\n  ')}`,
  );
});

test('first deploy: one load balancer, two fleets with a rule each, each reachable from the shared group', async () => {
  for (const fleet of ['web', 'api'] as const) {
    release(fleet, 'init');
    release(fleet, 'stage', '--image', amis[0]); // empty environment: into blue, active
  }
  synth();
  await init(dir, moto.env);
  const plan = await savedPlan(dir, 'deploy', moto.env);
  logPlan('shared load balancer: first deploy', plan.json);
  const applied = await apply(dir, moto.env, plan.file);
  timings.push(`first deploy: apply ${applied.seconds.toFixed(1)}s`);
  const state = await stateResources(dir, moto.env);
  const types = Object.values(state).map((r) => r.type);
  expect(types.filter((t) => t === 'aws_lb')).toHaveLength(1);
  expect(types.filter((t) => t === 'aws_lb_listener_rule')).toHaveLength(2);
  expect(await ruleWeights()).toEqual({ web: { blue: 100, green: 0 }, api: { blue: 100, green: 0 } });
  // the shared group lets the load balancer reach both fleets' instances (moto's view)
  const sharedGroup = Object.entries(state).find(([a]) => a.startsWith('aws_security_group.Front_'))![1].values.id;
  const instanceGroups = Object.entries(state)
    .filter(([a]) => /aws_security_group\.(Web|Api)_InstanceSecurityGroup_/.test(a))
    .map(([, r]) => r.values.id as string);
  expect(instanceGroups).toHaveLength(2);
  const xml = await awsQuery(moto.endpoint, 'ec2', {
    Action: 'DescribeSecurityGroups',
    Version: '2016-11-15',
    'GroupId.1': sharedGroup,
  });
  const egress = xml.split('<ipPermissionsEgress>')[1] ?? '';
  for (const id of instanceGroups) {
    expect(egress).toContain(`<groupId>${id}</groupId>`);
  }
  expect(noOpViolations(await savedPlan(dir, 'noop-deploy', moto.env))).toEqual([]);
});

test("stage web: only web's green slot is created; api and the shared load balancer are untouched", async () => {
  release('web', 'stage', '--image', amis[1]);
  const actions = await deployOnly('Web', 'stage-web');
  expect(Object.entries(actions).filter(([a]) => a.startsWith('aws_autoscaling_group.'))).toEqual([
    [expect.stringMatching(/^aws_autoscaling_group\.Web_Green_AutoScalingGroup_/), 'create'],
  ]);
  expect(await ruleWeights()).toEqual({ web: { blue: 100, green: 0 }, api: { blue: 100, green: 0 } });
});

test("promote web: only web's rule changes", async () => {
  release('web', 'promote');
  const actions = await deployOnly('Web', 'promote-web');
  expect(actions).toEqual({ [Object.keys(actions)[0]]: 'update' });
  expect(Object.keys(actions)[0]).toMatch(/^aws_lb_listener_rule\.Web_ListenerRule_/);
  expect(await ruleWeights()).toEqual({ web: { blue: 0, green: 100 }, api: { blue: 100, green: 0 } });
});

test("stage and promote api: only api's resources, then api's rule; web keeps serving green", async () => {
  release('api', 'stage', '--image', amis[1]);
  await deployOnly('Api', 'stage-api');
  release('api', 'promote');
  const actions = await deployOnly('Api', 'promote-api');
  expect(Object.keys(actions)).toEqual([expect.stringMatching(/^aws_lb_listener_rule\.Api_ListenerRule_/)]);
  expect(await ruleWeights()).toEqual({ web: { blue: 0, green: 100 }, api: { blue: 0, green: 100 } });
  expect(noOpViolations(await savedPlan(dir, 'noop-end', moto.env))).toEqual([]);
});
