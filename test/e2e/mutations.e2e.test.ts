/**
 * A sample of the mutation matrix (test/matrix) on the real engine: OpenTofu with the
 * real AWS provider against moto. One replace fleet (one load balancer for the file) is
 * deployed, then changed one input at a time: the instance profile's name prefix, an
 * extra security group, the user data, the root volume, and the image behind an SSM
 * parameter. On each real plan the built `guard` exits 0 and every change of an
 * immutable resource is ["create","delete"] (a replacement, created first); then the
 * plan is applied and the next plan is empty. Also: a token from a sensitive variable in
 * a generation plans without "Output refers to sensitive values".
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { Generation } from '../../lib/immutability/generation';
import { ResourcePolicy } from '../../lib/immutability/resource-policy';
import { MotoServer, motoAmiIds, motoAsgNames, motoPutParameter, startMoto } from './harness/moto';
import {
  apply,
  cli,
  init,
  logPlan,
  noOpViolations,
  PlanJson,
  savedPlan,
  stateResources,
  synthE2eApp,
  tofuOk,
} from './harness/tofu';

const work = mkdtempSync(join(tmpdir(), 'e2e-mutations-'));
const PARAMETER = '/e2e/mutations/ami-id';
let moto: MotoServer;
let amis: string[];
let dir: string;
const timings: Array<[string, number]> = [];
const started = Date.now();

interface Mutation {
  readonly profilePrefix: string;
  readonly extraSecurityGroup: boolean;
  readonly userData: string;
  readonly rootVolumeGiB: number;
  readonly maxCapacity?: number;
}
let current: Mutation = {
  profilePrefix: 'e2e-mut-v1',
  extraSecurityGroup: false,
  userData: '#!/bin/bash\necho v1\n',
  rootVolumeGiB: 8,
};

/** Synthesizes the `mutations` stack of the e2e app with `mutation`. */
function synth(mutation: Mutation): void {
  dir = synthE2eApp('mutations', join(work, 'out'), { E2E_MUTATION: JSON.stringify(mutation) });
}

async function timed<T>(step: string, run: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await run();
  } finally {
    timings.push([step, (Date.now() - t0) / 1000]);
  }
}

/** Every change of an immutable resource in the plan, as `address: actions`. */
function immutableChanges(plan: PlanJson): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const rc of plan.resource_changes ?? []) {
    if (
      rc.mode !== 'data' &&
      ResourcePolicy.classify(rc.type) === 'immutable' &&
      rc.change.actions.join(',') !== 'no-op'
    ) {
      out[rc.address] = rc.change.actions;
    }
  }
  return out;
}

beforeAll(async () => {
  // (the state is in this file's work folder: synthE2eApp keeps it there)
  moto = await startMoto(work);
  amis = await motoAmiIds(moto.endpoint, 2);
  await motoPutParameter(moto.endpoint, PARAMETER, amis[0], 'aws:ec2:image');
});

afterAll(async () => {
  await moto?.stop();
  console.log(
    `[e2e] mutations timings (s):\n${timings.map(([step, s]) => `  ${s.toFixed(1).padStart(6)}  ${step}`).join('\n')}\n  total ${((Date.now() - started) / 1000).toFixed(1)}`,
  );
});

test('base fleet: deploy, then an empty plan', async () => {
  synth(current);
  await timed('init', () => init(dir, moto.env));
  const plan = await timed('plan base', () => savedPlan(dir, 'base', moto.env));
  logPlan('mutations: base', plan.json);
  expect(cli(['guard', plan.jsonFile]).code).toBe(0);
  await timed('apply base (load balancer + first group)', () => apply(dir, moto.env, plan.file));
  const noop = await timed('plan after base', () => savedPlan(dir, 'noop-base', moto.env));
  expect(noOpViolations(noop)).toEqual([]);
});

const MUTATIONS: Array<[string, (m: Mutation) => Mutation | Promise<Mutation>, readonly string[]]> = [
  // [what, change, immutable types that must be replaced]
  [
    'the instance profile namePrefix (replaces the role and profile)',
    (m) => ({ ...m, profilePrefix: 'e2e-mut-v2' }),
    ['aws_launch_template', 'aws_autoscaling_group'],
  ],
  [
    'an extra security group',
    (m) => ({ ...m, extraSecurityGroup: true }),
    ['aws_launch_template', 'aws_autoscaling_group'],
  ],
  [
    'the user data',
    (m) => ({ ...m, userData: '#!/bin/bash\necho v2\n' }),
    ['aws_launch_template', 'aws_autoscaling_group'],
  ],
  [
    'the block devices (root volume size)',
    (m) => ({ ...m, rootVolumeGiB: 10 }),
    ['aws_launch_template', 'aws_autoscaling_group'],
  ],
  [
    'the image, through a new value of the SSM parameter',
    async (m) => {
      await motoPutParameter(moto.endpoint, PARAMETER, amis[1], 'aws:ec2:image');
      return m;
    },
    ['aws_launch_template', 'aws_autoscaling_group'],
  ],
];

describe.each(MUTATIONS)('a change of %s', (what, change, replacedTypes) => {
  test('is a replacement, created first, that guard accepts; applied, then an empty plan', async () => {
    const before = await stateResources(dir, moto.env);
    current = await change(current);
    synth(current);
    const plan = await timed(`plan: ${what}`, () => savedPlan(dir, `mutation-${timings.length}`, moto.env));
    logPlan(`mutations: ${what}`, plan.json);
    expect(plan.exitCode).toBe(2);
    // every change of an immutable resource is a create-before-destroy replacement
    const changes = immutableChanges(plan.json);
    expect(Object.keys(changes).length).toBeGreaterThan(0);
    for (const [address, actions] of Object.entries(changes)) {
      expect(`${address}: ${JSON.stringify(actions)}`).toBe(`${address}: ${JSON.stringify(['create', 'delete'])}`);
    }
    expect([...new Set(Object.keys(changes).map((a) => a.split('.')[0]))].sort()).toEqual([...replacedTypes].sort());
    const guard = cli(['guard', plan.jsonFile]);
    console.log(`[e2e] guard (${what}): exit ${guard.code}\n${guard.stdout}${guard.stderr}`);
    expect(guard.code).toBe(0);

    await timed(`apply: ${what}`, () => apply(dir, moto.env, plan.file));
    const after = await stateResources(dir, moto.env);
    const asg = (state: typeof after) => Object.values(state).find((r) => r.type === 'aws_autoscaling_group')!.values;
    expect(asg(after).name).toMatch(/^e2e-mut-[0-9a-f]{10}$/);
    expect(asg(after).name).not.toBe(asg(before).name);
    // the old group is gone, only the new one runs
    expect(await motoAsgNames(moto.endpoint)).toEqual([asg(after).name]);
    const noop = await timed(`plan after: ${what}`, () => savedPlan(dir, `noop-${timings.length}`, moto.env));
    expect(noOpViolations(noop)).toEqual([]);
  });
});

test('capacity.max raised: the group grows in place (an operational update) and guard accepts the real plan', async () => {
  const before = await stateResources(dir, moto.env);
  current = { ...current, maxCapacity: 4 };
  synth(current);
  const plan = await timed('plan: capacity.max 2 -> 4', () => savedPlan(dir, 'grow', moto.env));
  logPlan('mutations: capacity.max 2 -> 4', plan.json);
  const asgAddress = Object.keys(before).find((address) => address.startsWith('aws_autoscaling_group.'))!;
  expect(immutableChanges(plan.json)).toEqual({ [asgAddress]: ['update'] });
  const change = plan.json.resource_changes!.find((rc) => rc.address === asgAddress)!.change;
  expect([change.before.max_size, change.after.max_size]).toEqual([2, 4]);
  // the real plan of a grow in place: guard treats null and "" alike (moto reads unset blocks back as "")
  const guard = cli(['guard', plan.jsonFile]);
  console.log(`[e2e] guard (grow in place): exit ${guard.code}\n${guard.stdout}${guard.stderr}`);
  expect(guard.code).toBe(0);
  expect(guard.stdout).toMatch(/max_size/);
  await timed('apply: grow in place', () => apply(dir, moto.env, plan.file));
  const after = await stateResources(dir, moto.env);
  expect(after[asgAddress].values.name).toBe(before[asgAddress].values.name);
  expect(after[asgAddress].values.max_size).toBe(4);
  const noop = await timed('plan after: grow in place', () => savedPlan(dir, 'noop-grow', moto.env));
  expect(noOpViolations(noop)).toEqual([]);
});

test('a token from a sensitive variable: the generation output plans (nonsensitive), shown in the plan', async () => {
  // GIVEN a stack whose generation hashes a sensitive variable, with the generation as an output
  const outdir = join(work, 'sensitive');
  mkdirSync(outdir, { recursive: true });
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'sensitive');
  const secret = new TerraformVariable(stack, 'secret', { type: 'string', sensitive: true });
  const generation = Generation.of(stack, { userData: secret.stringValue, instanceType: 't3.micro' });
  new TerraformOutput(stack, 'generation', { value: generation.hash });
  app.synth();
  const stackDir = join(outdir, 'stacks', 'sensitive');
  writeFileSync(join(stackDir, 'terraform.tfvars.json'), JSON.stringify({ secret: 'a random token of high entropy' }));
  // WHEN planned by OpenTofu
  await tofuOk(stackDir, ['init', '-input=false', '-no-color'], moto.env);
  const plan = await timed('plan: sensitive generation', () => savedPlan(stackDir, 'sensitive', moto.env));
  // THEN the plan succeeds and the output is a plain 10-character hash
  const output = (plan.json as any).output_changes.generation;
  expect(output.after).toMatch(/^[0-9a-f]{10}$/);
  expect(output.after_sensitive).toBe(false);
});
