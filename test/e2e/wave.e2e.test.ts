/**
 * A wave on the real engine: one fleet released per region (two stacks, eu-west-1 and
 * us-east-1, on one moto), its release files in the per-fleet layout
 * (releases/web/<region>/prod.json). `release stage --from-pipeline --regions` takes each
 * region's AMI id from that region's SSM parameter (as the pipeline's distribution
 * publishes it) and records each; `release promote --steps --regions` starts one rollout
 * in both files; `release advance --regions` moves both in lock step (a step starts only
 * once every region served and baked the previous one); an alarm in ALARM in us-east-1
 * alone aborts both regions, and the next apply of each stack puts its listener back.
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { MotoServer, startMoto } from './harness/moto';
import { apply, cli, cliOk, init, logPlan, planActions, savedPlan, synthE2eApp } from './harness/tofu';

const REGIONS = ['eu-west-1', 'us-east-1'] as const;
type Region = (typeof REGIONS)[number];
const work = mkdtempSync(join(tmpdir(), 'e2e-wave-'));
const releases = join(work, 'releases');
const BAKE = 2;
const ALARM = 'e2e-wave-green-5xx-rate';
let moto: MotoServer;
/** Two AMIs per region, none shared between regions (moto ships different images per region, as AWS does). */
const images = {} as Record<Region, [string, string]>;
const dirs = new Map<Region, string>();
const clients = new Map<
  Region,
  { elbv2: ElasticLoadBalancingV2Client; cloudWatch: CloudWatchClient; ssm: SSMClient; ec2: EC2Client }
>();
const started = Date.now();

const wave = ['--fleet', 'web', '--regions', REGIONS.join(',')];
const release = (...args: string[]) => cli(['release', ...args, '--dir', releases], moto.env);
const releaseOk = (...args: string[]) => cliOk(['release', ...args, '--dir', releases], moto.env);
const file = (region: Region): any => JSON.parse(readFileSync(join(releases, 'web', region, 'prod.json'), 'utf8'));

/** Synth + plan + apply of one region's stack; the plan touches `expected` only. */
async function deploy(region: Region, step: string, expected?: Record<string, string>): Promise<void> {
  const dir = synthE2eApp('wave', join(work, `out-${region}`), { E2E_RELEASES: releases, E2E_WAVE_REGION: region });
  if (!dirs.has(region)) {
    await init(dir, moto.env);
    dirs.set(region, dir);
  }
  const plan = await savedPlan(dir, `${region}-${step}`, { ...moto.env, AWS_REGION: region });
  logPlan(`${region} ${step}`, plan.json);
  if (expected) {
    expect(planActions(plan.json)).toEqual(expected);
  }
  await apply(dir, { ...moto.env, AWS_REGION: region }, plan.file);
}

/**
 * Both regions deployed at once (each waits about a minute for its new load balancer);
 * the first time, the stacks are initialized one after the other (two `tofu init` at once
 * race on the shared plugin cache).
 */
async function deployBoth(step: string, expected?: Record<string, string>): Promise<void> {
  for (const region of REGIONS.filter((r) => !dirs.has(r))) {
    const dir = synthE2eApp('wave', join(work, `out-${region}`), { E2E_RELEASES: releases, E2E_WAVE_REGION: region });
    await init(dir, moto.env);
    dirs.set(region, dir);
  }
  await Promise.all(REGIONS.map((region) => deploy(region, step, expected)));
}

/** The weights a region's listener serves, read through the SDK. */
async function servedWeights(region: Region): Promise<Record<string, number>> {
  const { elbv2 } = clients.get(region)!;
  const lbs = await elbv2.send(new DescribeLoadBalancersCommand({ Names: ['e2e-wave'] }));
  const listeners = await elbv2.send(
    new DescribeListenersCommand({ LoadBalancerArn: lbs.LoadBalancers![0].LoadBalancerArn }),
  );
  const groups = await elbv2.send(new DescribeTargetGroupsCommand({ Names: ['e2e-wave-blue', 'e2e-wave-green'] }));
  const slotOf = new Map(groups.TargetGroups!.map((g) => [g.TargetGroupArn!, g.TargetGroupName!.slice(9)]));
  const forward = listeners.Listeners![0].DefaultActions!.find((a) => a.Type === 'forward')!;
  return Object.fromEntries(
    forward.ForwardConfig!.TargetGroups!.map((t) => [slotOf.get(t.TargetGroupArn!)!, t.Weight!]),
  );
}

const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const LISTENER = 'aws_lb_listener.Web_Listener_8E68D58A';

beforeAll(async () => {
  moto = await startMoto(work);
  mkdirSync(releases, { recursive: true });
  const taken = new Set<string>();
  for (const region of REGIONS) {
    const config = {
      region,
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    };
    clients.set(region, {
      elbv2: new ElasticLoadBalancingV2Client(config),
      cloudWatch: new CloudWatchClient(config),
      ssm: new SSMClient(config),
      ec2: new EC2Client(config),
    });
    const listed = await clients.get(region)!.ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
    const ids = [...new Set(listed.Images!.map((image) => image.ImageId!))]
      .filter((id) => /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/.test(id) && !taken.has(id))
      .sort();
    if (ids.length < 2) {
      throw new Error(`moto serves ${ids.length} AMIs of its own in ${region}; the test needs 2.`);
    }
    images[region] = [ids[0], ids[1]];
    ids.forEach((id) => taken.add(id));
  }
});

afterAll(async () => {
  clients.forEach((c) => Object.values(c).forEach((client) => client.destroy()));
  await moto?.stop();
  console.log(`[e2e] wave: ${((Date.now() - started) / 1000).toFixed(0)}s, work folder ${work}`);
});

test(
  "a two-region wave: each region's AMI from its parameter, lock-step steps, an alarm in one region aborts both",
  async () => {
    // each region's image: a different AMI per region, as a pipeline's distribution publishes them
    releaseOk('init', 'prod', ...wave);
    const first = releaseOk('stage', 'prod', ...wave, '--image', REGIONS.map((r) => `${r}=${images[r][0]}`).join(','));
    expect(first.stdout).toContain(`us-east-1: staged ${images['us-east-1'][0]} in slot blue`);
    for (const region of REGIONS) {
      await clients.get(region)!.ssm.send(
        new PutParameterCommand({
          Name: '/images/web/ami-id',
          Value: images[region][1],
          Type: 'String',
          DataType: 'aws:ec2:image',
          Overwrite: true,
        }),
      );
    }
    const second = releaseOk('stage', 'prod', ...wave, '--from-pipeline', 'web');
    expect(second.stdout).toContain(`eu-west-1: staged ${images['eu-west-1'][1]} in slot green`);
    expect(second.stdout).toContain(`us-east-1: staged ${images['us-east-1'][1]} in slot green`);
    for (const region of REGIONS) {
      expect(file(region)).toMatchObject({
        fleet: 'web',
        region,
        active: 'blue',
        slots: {
          blue: { image: images[region][0] },
          green: { image: images[region][1], source: 'pipeline:web' },
        },
      });
    }
    await deployBoth('deploy');
    for (const region of REGIONS) {
      expect(await servedWeights(region)).toEqual({ blue: 100, green: 0 });
      await clients.get(region)!.cloudWatch.send(
        new PutMetricAlarmCommand({
          AlarmName: ALARM,
          Namespace: 'AWS/ApplicationELB',
          MetricName: 'HTTPCode_Target_5XX_Count',
          Statistic: 'Sum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 5,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      );
    }

    releaseOk(
      'promote',
      'prod',
      ...wave,
      '--steps',
      '10,50,100',
      '--bake',
      `${BAKE}s`,
      '--alarm',
      ALARM,
      '--fleet-tag',
      'e2e-wave',
    );
    for (const region of REGIONS) {
      expect(file(region)).toMatchObject({
        canary: 10,
        rollout: { regions: [...REGIONS], step: 0, status: 'running' },
      });
    }
    // only eu-west-1 deployed: eu records its step served, us-east-1 waits for its deploy, nobody steps
    await deploy('eu-west-1', 'step 1', { [LISTENER]: 'update' });
    const partial = releaseOk('advance', 'prod', ...wave);
    expect(partial.stdout).toMatch(/eu-west-1: prod: step 1 served since/);
    expect(partial.stdout).toMatch(/us-east-1: prod: waiting at step 1 of 3 .* deploy the stack/);
    expect(partial.stdout).toMatch(/the wave stays at step 1/);
    expect(file('us-east-1').rollout.stepServedAt).toBeUndefined();
    await deploy('us-east-1', 'step 1', { [LISTENER]: 'update' });
    expect(releaseOk('advance', 'prod', ...wave).stdout).toMatch(/us-east-1: prod: step 1 served since/);
    await sleep(BAKE);
    const stepped = releaseOk('advance', 'prod', ...wave);
    expect(stepped.stdout).toMatch(
      /every region served and baked the step: the wave moves to the next step everywhere/,
    );
    expect(REGIONS.map((region) => file(region).canary)).toEqual([50, 50]);
    await deployBoth('step 2', { [LISTENER]: 'update' });
    for (const region of REGIONS) {
      expect(await servedWeights(region)).toEqual({ blue: 50, green: 50 });
    }

    // the release misbehaves in us-east-1 only: both regions are aborted
    const reason = 'e2e: 9% of requests answered 5xx in us-east-1';
    await clients
      .get('us-east-1')!
      .cloudWatch.send(new SetAlarmStateCommand({ AlarmName: ALARM, StateValue: 'ALARM', StateReason: reason }));
    const aborted = release('advance', 'prod', ...wave);
    expect(aborted.code).toBe(1);
    expect(aborted.stdout).toMatch(new RegExp(`wave aborted by alarm "${ALARM}" in us-east-1: ${reason}`));
    expect(aborted.stderr).toMatch(/wave aborted by alarm "e2e-wave-green-5xx-rate" in us-east-1/);
    expect(file('us-east-1').rollout).toMatchObject({
      status: 'aborted',
      abort: { by: 'alarm', alarm: ALARM, reason },
    });
    expect(file('eu-west-1')).toMatchObject({
      canary: 0,
      slots: { green: { image: images['eu-west-1'][1], rolledBackAt: expect.any(String) } },
      rollout: {
        status: 'aborted',
        abort: { by: 'alarm', alarm: ALARM, region: 'us-east-1', reason: expect.stringContaining('wave aborted') },
      },
    });
    await deployBoth('after the abort', { [LISTENER]: 'update' });
    for (const region of REGIONS) {
      expect(await servedWeights(region)).toEqual({ blue: 100, green: 0 });
    }
    // status shows both regions, one line each
    const status = releaseOk('status', '--fleet', 'web');
    expect(status.stdout).toMatch(/^web\/prod \(eu-west-1\) +active blue \(100%\) .* last rollout aborted$/m);
    expect(status.stdout).toMatch(/^web\/prod \(us-east-1\) +active blue \(100%\) .* last rollout aborted$/m);
  },
  20 * 60 * 1000,
);
