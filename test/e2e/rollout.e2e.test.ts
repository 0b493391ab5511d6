/**
 * Progressive delivery on the real engine (OpenTofu + the real AWS provider against
 * moto), driven by the release command as a CI timer would: `release promote --steps`,
 * then `release advance` + apply until the rollout completes; then, on the same fleet
 * (one load balancer for both scenarios), a second rollout that an alarm in ALARM
 * (moto SetAlarmState) aborts: advance exits 1, the release file records the alarm and
 * its reason, and the next apply puts the listener back.
 *
 * The fleet's own 5xx-rate alarms (`alarms` prop) are planned on the real provider, but
 * not applied: provider 6.25 calls CloudWatch with the RPCv2 CBOR protocol, which moto
 * 5.2.5 answers with 404. The test creates the same alarms (same names, same metric math,
 * dimensions from the fleet's outputs) with the SDK's PutMetricAlarm, which moto serves.
 * The steps run in order and share one deployment.
 */
import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { MotoServer, motoAmiIds, startMoto } from './harness/moto';
import {
  apply,
  BUILT_CLI,
  cli,
  cliOk,
  init,
  logPlan,
  planActions,
  ROOT,
  RUNNER,
  savedPlan,
  synthE2eApp,
  tofuOk,
} from './harness/tofu';

const work = mkdtempSync(join(tmpdir(), 'e2e-rollout-'));
const releases = join(work, 'releases');
const releaseFile = join(releases, 'e2e.json');
let moto: MotoServer;
let dir: string;
let amis: string[];
let cloudWatch: CloudWatchClient;
let elbv2: ElasticLoadBalancingV2Client;
const started = Date.now();
const timings: string[] = [];

const LISTENER = 'aws_lb_listener.Web_Listener_8E68D58A';
const BAKE = 3;

function synth(alarms = false): void {
  dir = synthE2eApp('rollout', join(work, 'out'), {
    E2E_RELEASE_FILE: releaseFile,
    E2E_FLEET_ALARMS: alarms ? '1' : '0',
  });
}

/** The fleet's 5xx-rate alarm of a slot, as the fleet defines it, put through the SDK. */
async function putFleetAlarm(slot: 'blue' | 'green', outputs: Record<string, { value: string }>): Promise<void> {
  const dimensions = [
    { Name: 'TargetGroup', Value: outputs[`e2e_roll_${slot}_target_group_arn_suffix`].value },
    { Name: 'LoadBalancer', Value: outputs.e2e_roll_load_balancer_arn_suffix.value },
  ];
  const metric = (MetricName: string) => ({
    Metric: { Namespace: 'AWS/ApplicationELB', MetricName, Dimensions: dimensions },
    Period: 60,
    Stat: 'Sum',
  });
  await cloudWatch.send(
    new PutMetricAlarmCommand({
      AlarmName: `e2e-roll-${slot}-5xx-rate`,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 5,
      EvaluationPeriods: 2,
      TreatMissingData: 'notBreaching',
      Metrics: [
        { Id: 'errors', MetricStat: metric('HTTPCode_Target_5XX_Count'), ReturnData: false },
        { Id: 'requests', MetricStat: metric('RequestCount'), ReturnData: false },
        { Id: 'rate', Expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)', ReturnData: true },
      ],
    }),
  );
}

/** `release <args> --dir <releases>` with the built command line and moto's environment (as CI would run it with credentials). */
const release = (...args: string[]) => cli(['release', ...args, '--dir', releases], moto.env);
const releaseOk = (...args: string[]) => cliOk(['release', ...args, '--dir', releases], moto.env);

function file(): any {
  return JSON.parse(readFileSync(releaseFile, 'utf8'));
}

/** Synth + plan + apply; the plan touches `expected` only. */
async function deploy(step: string, expected?: Record<string, string>): Promise<void> {
  const begun = Date.now();
  synth();
  const plan = await savedPlan(dir, step, moto.env);
  logPlan(step, plan.json);
  if (expected) {
    expect(planActions(plan.json)).toEqual(expected);
  }
  await apply(dir, moto.env, plan.file);
  timings.push(`${step}: synth+plan+apply ${((Date.now() - begun) / 1000).toFixed(1)}s`);
}

/** The weights the load balancer's listener serves, read through the SDK (not the state). */
async function servedWeights(): Promise<Record<string, number>> {
  const lbs = await elbv2.send(new DescribeLoadBalancersCommand({ Names: ['e2e-roll'] }));
  const listeners = await elbv2.send(
    new DescribeListenersCommand({ LoadBalancerArn: lbs.LoadBalancers![0].LoadBalancerArn }),
  );
  const groups = await elbv2.send(new DescribeTargetGroupsCommand({ Names: ['e2e-roll-blue', 'e2e-roll-green'] }));
  const slotOf = new Map(
    groups.TargetGroups!.map((g) => [g.TargetGroupArn!, g.TargetGroupName!.replace('e2e-roll-', '')]),
  );
  expect(listeners.Listeners).toHaveLength(1);
  const forward = listeners.Listeners![0].DefaultActions!.find((a) => a.Type === 'forward')!;
  return Object.fromEntries(
    forward.ForwardConfig!.TargetGroups!.map((t) => [slotOf.get(t.TargetGroupArn!)!, t.Weight!]),
  );
}

const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

beforeAll(async () => {
  moto = await startMoto(work);
  mkdirSync(releases, { recursive: true });
  amis = await motoAmiIds(moto.endpoint, 3);
  const client = {
    region: 'eu-west-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  cloudWatch = new CloudWatchClient(client);
  elbv2 = new ElasticLoadBalancingV2Client(client);
});

afterAll(async () => {
  cloudWatch?.destroy();
  elbv2?.destroy();
  await moto?.stop();
  console.log(
    `[e2e] rollout: ${((Date.now() - started) / 1000).toFixed(0)}s, work folder ${work}\n${timings.map((t) => `  ${t}`).join('\n')}`,
  );
});

test("deploy: blue runs image A, green image B, blue active; the fleet's alarms plan on the real provider", async () => {
  releaseOk('init', 'e2e');
  releaseOk('stage', 'e2e', '--image', amis[0]);
  releaseOk('stage', 'e2e', '--image', amis[1]);
  synth(true);
  await init(dir, moto.env);
  const planned = await savedPlan(dir, 'with-alarms', moto.env);
  const alarmChanges = (planned.json.resource_changes ?? []).filter((rc) => rc.type === 'aws_cloudwatch_metric_alarm');
  expect(alarmChanges.map((rc) => [rc.change.actions.join(','), rc.change.after.alarm_name]).sort()).toEqual([
    ['create', 'e2e-roll-blue-5xx-rate'],
    ['create', 'e2e-roll-green-5xx-rate'],
  ]);
  expect(alarmChanges[0].change.after.metric_query).toHaveLength(3);
  await deploy('deploy');
  expect(await servedWeights()).toEqual({ blue: 100, green: 0 });
  const outputs = JSON.parse((await tofuOk(dir, ['output', '-json'], moto.env)).stdout);
  expect(outputs.e2e_roll_load_balancer_arn_suffix.value).toMatch(/^app\/e2e-roll\//);
  expect(outputs.e2e_roll_green_target_group_arn_suffix.value).toMatch(/^targetgroup\/e2e-roll-green\//);
  await putFleetAlarm('blue', outputs);
  await putFleetAlarm('green', outputs);
  const alarms = await cloudWatch.send(
    new DescribeAlarmsCommand({ AlarmNames: ['e2e-roll-blue-5xx-rate', 'e2e-roll-green-5xx-rate'] }),
  );
  expect(alarms.MetricAlarms!.map((a) => a.AlarmName).sort()).toEqual([
    'e2e-roll-blue-5xx-rate',
    'e2e-roll-green-5xx-rate',
  ]);
});

test(
  'scenario 1: promote --steps 10,50,100, then advance + apply through every step',
  async () => {
    // a misspelled alarm: promote checks the alarms with CloudWatch and refuses (exit 1), nothing written
    const untouched = readFileSync(releaseFile, 'utf8');
    const typo = [
      'promote',
      'e2e',
      '--steps',
      '10,50,100',
      '--bake',
      `${BAKE}s`,
      '--alarm',
      'e2e-roll-nope@canary',
      '--fleet-tag',
      'e2e-roll',
    ];
    const refused = release(...typo);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused: the alarm "e2e-roll-nope" does not exist in .*nothing was written/);
    expect(readFileSync(releaseFile, 'utf8')).toBe(untouched);
    // one that is gone after the promote (started here without the check): advance names it, exit 2
    releaseOk(...typo, '--no-check-alarms');
    const unknown = release('advance', 'e2e');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/CloudWatch has no alarm named "e2e-roll-nope"/);
    expect(release('rollback', 'e2e').code).toBe(0);
    // the rolled-back release is promoted again on purpose, with the fleet's own alarm
    const promote = releaseOk(
      'promote',
      'e2e',
      '--steps',
      '10,50,100',
      '--bake',
      `${BAKE}s`,
      '--alarm',
      'e2e-roll-green-5xx-rate',
      '--fleet-tag',
      'e2e-roll',
      '--force-rolled-back',
    );
    expect(promote.stdout).toMatch(/active blue \(90%\), canary green \(10%\)\. Rollout started/);
    expect(file()).toMatchObject({
      active: 'blue',
      canary: 10,
      rollout: { steps: [10, 50, 100], bakeSeconds: BAKE, step: 0, status: 'running' },
    });

    // before the deploy, advance waits and writes nothing
    const before = readFileSync(releaseFile, 'utf8');
    const waiting = releaseOk('advance', 'e2e');
    timings.push(`advance (AWS reads): ${waiting.seconds.toFixed(1)}s`);
    expect(waiting.stdout).toMatch(
      /waiting at step 1 of 3 .* the load balancer serves blue 100% \/ green 0% but the release file says blue 90% \/ green 10%; deploy the stack/,
    );
    expect(readFileSync(releaseFile, 'utf8')).toBe(before);

    await deploy('step 1 (10%)', { [LISTENER]: 'update' });
    expect(await servedWeights()).toEqual({ blue: 90, green: 10 });

    const expectations: Array<[number, Record<string, number>, RegExp]> = [
      [50, { blue: 50, green: 50 }, /advanced to step 2 of 3: 50% to slot green/],
      [100, { blue: 0, green: 100 }, /rollout complete: slot green is active \(100%\)/],
    ];
    for (const [i, [weight, weights, message]] of expectations.entries()) {
      // the first advance that sees the step served records when; the bake counts from there
      const served = releaseOk('advance', 'e2e');
      expect(served.stdout).toMatch(
        new RegExp(
          `step ${i + 1} served since \\S+; bake ends at \\S+ \\(${BAKE}s\\)\\. .*targets blue \\d+ healthy \\(desired [1-9]\\d*\\), green \\d+ healthy \\(desired [1-9]\\d*\\)`,
        ),
      );
      expect(file().rollout.stepServedAt).toEqual(expect.any(String));
      await sleep(BAKE);
      const advanced = releaseOk('advance', 'e2e');
      expect(advanced.stdout).toMatch(message);
      // idempotent: right after a step, advance waits for the deploy (or, once complete, is refused) and writes nothing
      const written = readFileSync(releaseFile, 'utf8');
      const again = release('advance', 'e2e');
      expect(again.code).toBe(weight === 100 ? 1 : 0);
      expect(weight === 100 ? again.stderr : again.stdout).toMatch(
        weight === 100 ? /the last rollout is complete/ : /waiting at step 2 of 3/,
      );
      expect(readFileSync(releaseFile, 'utf8')).toBe(written);
      await deploy(`step ${weight}%`, { [LISTENER]: 'update' });
      expect(await servedWeights()).toEqual(weights);
    }
    expect(file()).toMatchObject({
      active: 'green',
      previous: 'blue',
      canary: 0,
      rollout: { step: 2, status: 'complete' },
    });
    // nothing left to advance
    const done = release('advance', 'e2e');
    expect(done.code).toBe(1);
    expect(done.stderr).toMatch(/the last rollout is complete/);
  },
  15 * 60 * 1000,
);

test(
  'scenario 2: an alarm in ALARM mid-rollout aborts it; the next apply puts the listener back to 100/0',
  async () => {
    // a new release in blue (the idle slot now), on the same fleet
    releaseOk('stage', 'e2e', '--image', amis[2]);
    await deploy('stage C in blue');
    releaseOk(
      'promote',
      'e2e',
      '--steps',
      '10,50,100',
      '--bake',
      `${BAKE}s`,
      '--alarm',
      'e2e-roll-blue-5xx-rate',
      '--fleet-tag',
      'e2e-roll',
    );
    await deploy('scenario 2 step 1 (10%)', { [LISTENER]: 'update' });
    expect(await servedWeights()).toEqual({ green: 90, blue: 10 });
    expect(releaseOk('advance', 'e2e').stdout).toMatch(/step 1 served since/);
    await sleep(BAKE);
    expect(releaseOk('advance', 'e2e').stdout).toMatch(/advanced to step 2 of 3: 50% to slot blue/);
    await deploy('scenario 2 step 2 (50%)', { [LISTENER]: 'update' });
    expect(await servedWeights()).toEqual({ green: 50, blue: 50 });

    // the new release misbehaves
    const reason = 'e2e: 12.5% of requests answered 5xx (threshold 5%)';
    await cloudWatch.send(
      new SetAlarmStateCommand({ AlarmName: 'e2e-roll-blue-5xx-rate', StateValue: 'ALARM', StateReason: reason }),
    );
    const status = releaseOk('status', 'e2e');
    expect(status.stdout).toMatch(/alarms: e2e-roll-blue-5xx-rate \(blue canary\) ALARM/);
    const aborted = release('advance', 'e2e');
    expect(aborted.code).toBe(1);
    expect(aborted.stdout).toMatch(
      /rollout aborted at step 2 of 3 \(50% to slot blue\): alarm "e2e-roll-blue-5xx-rate" of the canary slot blue is in ALARM/,
    );
    expect(file()).toMatchObject({
      active: 'green',
      canary: 0,
      slots: { blue: { image: amis[2], rolledBackAt: expect.any(String) } },
      rollout: { status: 'aborted', step: 1, abort: { by: 'alarm', alarm: 'e2e-roll-blue-5xx-rate', reason } },
    });
    await deploy('after the abort', { [LISTENER]: 'update' });
    expect(await servedWeights()).toEqual({ green: 100, blue: 0 });
    // the next advance sees the abort served and records when; a second is refused, nothing written
    expect(releaseOk('advance', 'e2e').stdout).toMatch(/the load balancer serves it since/);
    expect(file().rollout.abort.servedAt).toEqual(expect.any(String));
    const written = readFileSync(releaseFile, 'utf8');
    expect(release('advance', 'e2e').code).toBe(1);
    expect(readFileSync(releaseFile, 'utf8')).toBe(written);
  },
  15 * 60 * 1000,
);

test(
  'scenario 3: release run loops advance -> deploy -> wait with a real deploy command until the rollout completes',
  async () => {
    // a fixed release in blue, then run drives the whole rollout: synth + tofu apply as its deploy command
    releaseOk('stage', 'e2e', '--image', amis[0]);
    await deploy('stage D in blue');
    releaseOk(
      'promote',
      'e2e',
      '--steps',
      '10,50,100',
      '--bake',
      `${BAKE}s`,
      '--alarm',
      'e2e-roll-blue-5xx-rate',
      '--fleet-tag',
      'e2e-roll',
    );
    await cloudWatch.send(
      new SetAlarmStateCommand({ AlarmName: 'e2e-roll-blue-5xx-rate', StateValue: 'OK', StateReason: 'e2e: fixed' }),
    );
    const outdir = join(work, 'out');
    const app = join(ROOT, 'test', 'e2e', 'apps', 'app.ts');
    const deployCommand = `E2E_STACK=rollout E2E_FLEET_ALARMS=0 CDKTF_OUTDIR=${outdir} E2E_RELEASE_FILE=${releaseFile} ${process.execPath} --require ${RUNNER} ${app} && cd ${dir} && ${process.env.TOFU_BIN} apply -input=false -no-color -auto-approve`;
    const begun = Date.now();
    const result = spawnSync(
      process.execPath,
      [BUILT_CLI, 'release', 'run', 'e2e', '--dir', releases, '--deploy', deployCommand, '--interval', '5s'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, ...moto.env, TF_IN_AUTOMATION: '1' },
        timeout: 10 * 60 * 1000,
      },
    );
    timings.push(`release run (3 steps, 3 deploys): ${((Date.now() - begun) / 1000).toFixed(1)}s`);
    console.log(
      `[e2e] release run:\n${result.stdout
        .split('\n')
        .filter((line) => /^e2e: |^\$ |Apply complete/.test(line))
        .join('\n')}\n${result.stderr}`,
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/advanced to step 2 of 3: 50% to slot blue/);
    expect(result.stdout).toMatch(/e2e: rollout complete and deployed\./);
    expect(file()).toMatchObject({
      active: 'blue',
      previous: 'green',
      canary: 0,
      rollout: { status: 'complete', step: 2 },
    });
    expect(await servedWeights()).toEqual({ blue: 100, green: 0 });
  },
  15 * 60 * 1000,
);
