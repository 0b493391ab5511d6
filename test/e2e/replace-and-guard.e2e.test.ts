/**
 * (3) Replace strategy (ReplaceFleet) and (5) the guard on a real violation, on moto
 * with the real AWS provider. One moto server for the file.
 */
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { MotoServer, motoAmiIds, motoAsgNames, startMoto } from './harness/moto';
import {
  apply,
  cli,
  init,
  logPlan,
  noOpViolations,
  planActions,
  saveFixture,
  savedPlan,
  stateResources,
  synthE2eApp,
} from './harness/tofu';

const work = mkdtempSync(join(tmpdir(), 'e2e-replace-'));
let moto: MotoServer;
let amis: string[];

beforeAll(async () => {
  moto = await startMoto(work);
  amis = await motoAmiIds(moto.endpoint, 2);
});

afterAll(async () => {
  await moto?.stop();
});

function addressOf(state: Record<string, { type: string }>, type: string): string {
  const found = Object.keys(state).filter((a) => state[a].type === type);
  expect(found).toHaveLength(1);
  return found[0];
}

test('replace strategy: a user data change replaces the launch template and group, create-before-destroy; the old group is gone', async () => {
  const out = join(work, 'replace');
  const synth = (userData: string) => synthE2eApp('replace', out, { E2E_IMAGE: amis[0], E2E_USER_DATA: userData });
  const dir = synth('#!/bin/bash\necho v1\n');
  await init(dir, moto.env);
  const first = await savedPlan(dir, 'deploy', moto.env);
  logPlan('replace: deploy', first.json);
  await apply(dir, moto.env, first.file);
  const before = await stateResources(dir, moto.env);
  const lt = addressOf(before, 'aws_launch_template');
  const asg = addressOf(before, 'aws_autoscaling_group');
  const policy = addressOf(before, 'aws_autoscaling_policy'); // the app sets scaling: one policy per generation
  const oldName = before[asg].values.name;
  expect(await motoAsgNames(moto.endpoint)).toEqual([oldName]);

  const noop = await savedPlan(dir, 'noop', moto.env);
  expect(noOpViolations(noop)).toEqual([]);

  synth('#!/bin/bash\necho v2\n');
  const plan = await savedPlan(dir, 'replace', moto.env);
  logPlan('replace: user data change', plan.json);
  // create-before-destroy: the new launch template and group exist before the old go
  expect(planActions(plan.json)).toEqual({ [lt]: 'create,delete', [asg]: 'create,delete', [policy]: 'create,delete' });
  expect(cli(['guard', plan.jsonFile]).code).toBe(0);
  saveFixture(plan, 'e2e-replace');
  await apply(dir, moto.env, plan.file);

  const after = await stateResources(dir, moto.env);
  const newName = after[asg].values.name;
  expect(newName).toMatch(/^e2e-api-[0-9a-f]{10}$/);
  expect(newName).not.toBe(oldName);
  expect(after[asg].values.target_group_arns).toEqual(before[asg].values.target_group_arns);
  expect(after[lt].values.name).not.toBe(before[lt].values.name);
  expect(await motoAsgNames(moto.endpoint)).toEqual([newName]);
  const again = await savedPlan(dir, 'noop-after', moto.env);
  expect(noOpViolations(again)).toEqual([]);
});

test('guard on a real violation: a fixed-name launch template whose image changes in place exits 1 naming it', async () => {
  const out = join(work, 'mutable');
  const dir = synthE2eApp('mutable', out, { E2E_IMAGE: amis[0] });
  await init(dir, moto.env);
  const first = await savedPlan(dir, 'deploy', moto.env);
  await apply(dir, moto.env, first.file);

  synthE2eApp('mutable', out, { E2E_IMAGE: amis[1] });
  const plan = await savedPlan(dir, 'violation', moto.env);
  logPlan('violation', plan.json);
  expect(planActions(plan.json)).toEqual({ 'aws_launch_template.Mutable': 'update' });
  saveFixture(plan, 'e2e-violation');
  const guard = cli(['guard', plan.jsonFile]);
  console.log(`[e2e] guard violation: exit ${guard.code}\n${guard.stdout}${guard.stderr}`);
  expect(guard.code).toBe(1);
  expect(guard.stdout + guard.stderr).toContain('aws_launch_template.Mutable');
  expect(guard.stdout + guard.stderr).toContain('image_id');
  const json = cli(['guard', plan.jsonFile, '--json']);
  expect(json.code).toBe(1);
  expect(JSON.parse(json.stdout).violations).toEqual([
    expect.objectContaining({ address: 'aws_launch_template.Mutable', kind: 'update-in-place' }),
  ]);
});
