/**
 * The image loop on moto, for the parts moto serves (it has no Image Builder): an AMI id
 * published to the pipeline's SSM parameter (as the distribution of every build does) ->
 * `release stage --from-pipeline` / `--from-ssm` -> deploy; the in-use marks on the AMIs
 * after each deploy; two environments (two stacks) on one AMI, one moving off it while
 * the other's mark stays; and a new container digest replacing the idle slot's launch
 * template and group create-before-destroy (the serving slot is pinned), which guard
 * accepts. One load balancer (dev's); prod
 * adds a listener rule to it. The steps run in order and depend on each other.
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ResourcePolicy } from '../../lib/immutability/resource-policy';
import { awsQuery, MotoServer, motoAmiIds, motoPutParameter, startMoto } from './harness/moto';
import {
  apply,
  cli,
  cliOk,
  init,
  logPlan,
  PlanJson,
  planActions,
  savedPlan,
  stateResources,
  synthE2eApp,
  tofuOk,
} from './harness/tofu';

const work = mkdtempSync(join(tmpdir(), 'e2e-image-loop-'));
const releases = join(work, 'releases');
const PIPELINE = 'e2e-web';
const PARAMETER = `/images/${PIPELINE}/ami-id`;
const DIGEST_A = `registry.example.com/web@sha256:${'a'.repeat(64)}`;
const DIGEST_B = `registry.example.com/web@sha256:${'b'.repeat(64)}`;
const MARK = (env: 'dev' | 'prod', slot: 'blue' | 'green') => `cdktf-immutable:in-use:e2e-loop-${env}:${slot}`;
let moto: MotoServer;
let amis: string[];
let container = DIGEST_A;
const dirs: Record<'dev' | 'prod', string> = { dev: '', prod: '' };
let shared = '';
const timings: Array<[string, number]> = [];
const started = Date.now();

async function timed<T>(step: string, run: () => Promise<T> | T): Promise<T> {
  const t0 = Date.now();
  try {
    return await run();
  } finally {
    timings.push([step, (Date.now() - t0) / 1000]);
  }
}

/** `release <args> --dir <releases>` with the built command and moto's environment (AWS_ENDPOINT_URL, test credentials, region). */
const release = (...args: string[]) => cli(['release', ...args, '--dir', releases], moto.env);
const releaseOk = (...args: string[]) => cliOk(['release', ...args, '--dir', releases], moto.env);
const releaseFile = (env: string) => join(releases, `${env}.json`);
const readRelease = (env: string) => JSON.parse(readFileSync(releaseFile(env), 'utf8'));

/** The tags moto holds on an AMI, as key -> value. */
async function amiTags(amiId: string): Promise<Record<string, string>> {
  const xml = await awsQuery(moto.endpoint, 'ec2', {
    Action: 'DescribeTags',
    Version: '2016-11-15',
    'Filter.1.Name': 'resource-id',
    'Filter.1.Value.1': amiId,
  });
  // each <item> holds key, resourceId, resourceType and value (in moto's order, which may vary)
  return Object.fromEntries(
    [...xml.matchAll(/<item>(.*?)<\/item>/gs)].map((m) => [
      /<key>([^<]*)<\/key>/.exec(m[1])![1],
      /<value>([^<]*)<\/value>/.exec(m[1])?.[1] ?? '',
    ]),
  );
}
/** Only the in-use marks among an AMI's tags. */
async function marks(amiId: string): Promise<Record<string, string>> {
  return Object.fromEntries(
    Object.entries(await amiTags(amiId)).filter(([key]) => key.startsWith('cdktf-immutable:in-use')),
  );
}

function synth(env: 'dev' | 'prod'): void {
  dirs[env] = synthE2eApp('image-loop', join(work, `out-${env}`), {
    E2E_LOOP_ENV: env,
    E2E_RELEASE_FILE: releaseFile(env),
    E2E_CONTAINER: container,
    ...(env === 'prod' ? { E2E_LOOP_SHARED: shared } : {}),
  });
}

async function deploy(env: 'dev' | 'prod', step: string): Promise<PlanJson> {
  const plan = await timed(`plan: ${step}`, () => savedPlan(dirs[env], step.replace(/\W+/g, '-'), moto.env));
  logPlan(`image loop: ${step}`, plan.json);
  const guard = cli(['guard', plan.jsonFile]);
  expect(`${guard.code} ${guard.stdout}${guard.stderr}`).toMatch(/^0 /);
  await timed(`apply: ${step}`, () => apply(dirs[env], moto.env, plan.file));
  const noop = await timed(`plan after: ${step}`, () =>
    savedPlan(dirs[env], `noop-${step.replace(/\W+/g, '-')}`, moto.env),
  );
  expect(planActions(noop.json)).toEqual({});
  return plan.json;
}

beforeAll(async () => {
  moto = await startMoto(work);
  mkdirSync(releases, { recursive: true });
  amis = await motoAmiIds(moto.endpoint, 2);
});

afterAll(async () => {
  await moto?.stop();
  console.log(
    `[e2e] image loop timings (s):\n${timings.map(([step, s]) => `  ${s.toFixed(1).padStart(6)}  ${step}`).join('\n')}\n  total ${((Date.now() - started) / 1000).toFixed(1)}, work folder ${work}`,
  );
});

test('a pipeline build publishes its AMI id; release stage --from-pipeline stages it and records where it came from', async () => {
  // GIVEN the pipeline's parameter holds a build's AMI id (what the distribution writes)
  await motoPutParameter(moto.endpoint, PARAMETER, amis[0]);
  releaseOk('init', 'dev');
  // WHEN dev stages the pipeline's newest image
  const staged = await timed('release stage dev --from-pipeline', () =>
    releaseOk('stage', 'dev', '--from-pipeline', PIPELINE),
  );
  console.log(`[e2e] ${staged.stdout}`);
  // THEN the release file names the AMI and its source
  expect(readRelease('dev').slots.blue).toMatchObject({ image: amis[0], source: `pipeline:${PIPELINE}` });
});

test('release stage --from-ssm refuses an AMI that does not exist in the region, naming it; nothing is written', async () => {
  await motoPutParameter(moto.endpoint, '/images/broken/ami-id', 'ami-0000000000000000f');
  const before = readFileSync(releaseFile('dev'), 'utf8');
  const refused = await timed('release stage --from-ssm (missing AMI)', () =>
    release('stage', 'dev', '--from-ssm', '/images/broken/ami-id'),
  );
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(
    /refused: --from-ssm \/images\/broken\/ami-id: the AMI ami-0000000000000000f does not exist in eu-west-1/,
  );
  expect(readFileSync(releaseFile('dev'), 'utf8')).toBe(before);
  const missing = release('stage', 'dev', '--from-ssm', '/images/none/ami-id');
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/the SSM parameter \/images\/none\/ami-id does not exist in eu-west-1/);
});

test('deploy dev: its blue slot marks the AMI in use', async () => {
  synth('dev');
  await timed('init dev', () => init(dirs.dev, moto.env));
  await deploy('dev', 'deploy dev (load balancer)');
  expect(await marks(amis[0])).toEqual({ [MARK('dev', 'blue')]: 'true' });
  const outputs = JSON.parse((await tofuOk(dirs.dev, ['output', '-json', '-no-color'], moto.env)).stdout);
  shared = JSON.stringify(outputs.shared.value);
});

test("prod stages the image active in dev and deploys: the AMI carries both environments' marks", async () => {
  releaseOk('init', 'prod');
  releaseOk('stage', 'prod', '--from', 'dev');
  expect(readRelease('prod').slots.blue).toMatchObject({ image: amis[0], source: 'env:dev' });
  synth('prod');
  await timed('init prod', () => init(dirs.prod, moto.env));
  await deploy('prod', "deploy prod (rule on dev's listener)");
  expect(await marks(amis[0])).toEqual({ [MARK('dev', 'blue')]: 'true', [MARK('prod', 'blue')]: 'true' });
});

test("dev moves off the AMI (a new build staged in both slots): dev's marks move, prod's mark on the old AMI stays", async () => {
  // GIVEN a scheduled rebuild published a new AMI
  await motoPutParameter(moto.endpoint, PARAMETER, amis[1]);
  // WHEN dev stages it and promotes it (one deploy), then stages it into the now idle
  // blue slot too (another deploy: blue served until the first one, so replacing it in
  // the same apply would change the serving slot outside a release, which guard refuses)
  releaseOk('stage', 'dev', '--from-pipeline', PIPELINE);
  releaseOk('promote', 'dev');
  synth('dev');
  const promoted = await deploy('dev', 'stage and promote the new AMI');
  expect(
    Object.fromEntries(Object.entries(planActions(promoted)).filter(([address]) => address.startsWith('aws_ec2_tag.'))),
  ).toEqual({ 'aws_ec2_tag.Web_Green_InUse_FADA0A6B': 'create' });
  releaseOk('stage', 'dev', '--from-pipeline', PIPELINE);
  expect(readRelease('dev')).toMatchObject({
    active: 'green',
    slots: { blue: { image: amis[1] }, green: { image: amis[1] } },
  });
  synth('dev');
  const plan = await deploy('dev', 'restage dev off the old AMI');
  // THEN dev's plans moved only dev's marks (the other stack's tag is not in dev's state)
  const tagChanges = Object.entries(planActions(plan)).filter(([address]) => address.startsWith('aws_ec2_tag.'));
  expect(Object.fromEntries(tagChanges)).toEqual({ 'aws_ec2_tag.Web_Blue_InUse_910FB1CB': 'create,delete' });
  // and moto holds: the old AMI marked by prod only, the new one by both of dev's slots
  expect(await marks(amis[0])).toEqual({ [MARK('prod', 'blue')]: 'true' });
  expect(await marks(amis[1])).toEqual({ [MARK('dev', 'blue')]: 'true', [MARK('dev', 'green')]: 'true' });
});

test('a new container digest replaces the idle slot only (the serving one is pinned), create-before-destroy; guard exits 0; the marks stay', async () => {
  const before = await stateResources(dirs.dev, moto.env);
  container = DIGEST_B;
  synth('dev');
  const plan = await deploy('dev', 'new container digest');
  const immutable = Object.fromEntries(
    (plan.resource_changes ?? [])
      .filter(
        (rc) =>
          rc.mode !== 'data' &&
          ResourcePolicy.classify(rc.type) === 'immutable' &&
          rc.change.actions.join(',') !== 'no-op',
      )
      .map((rc) => [rc.address, rc.change.actions]),
  );
  // blue is idle (this fleet is built without stagedSlot: the idle slot follows the
  // code), green serves and is pinned: the new digest waits there for a release
  expect(Object.keys(immutable).sort()).toEqual(
    Object.keys(before)
      .filter((a) => /^aws_(launch_template|autoscaling_group)\.Web_Blue_/.test(a))
      .sort(),
  );
  for (const actions of Object.values(immutable)) {
    expect(actions).toEqual(['create', 'delete']);
  }
  expect(Object.keys(planActions(plan)).filter((a) => a.startsWith('aws_ec2_tag.'))).toEqual([]);
  const after = await stateResources(dirs.dev, moto.env);
  const userData = (state: typeof after, slot: string) =>
    Buffer.from(
      Object.entries(state).find(([a]) => a.startsWith(`aws_launch_template.Web_${slot}_`))![1].values.user_data,
      'base64',
    ).toString('utf8');
  expect(userData(after, 'Blue')).toContain(`docker run --rm --name web --env-file /etc/web.env -p 80:80 ${DIGEST_B}`);
  expect(userData(before, 'Blue')).toContain(DIGEST_A);
  expect(userData(after, 'Green')).toContain(DIGEST_A);
  expect(await marks(amis[1])).toEqual({ [MARK('dev', 'blue')]: 'true', [MARK('dev', 'green')]: 'true' });
  expect(await marks(amis[0])).toEqual({ [MARK('prod', 'blue')]: 'true' });
});
