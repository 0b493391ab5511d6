import { spawn } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { createServer, IncomingMessage, Server } from 'http';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { basename, dirname, join } from 'path';
import { builtCli, runCli } from './run-cli';
import { parseReleaseFile, ReleaseFile } from '../../lib/release';

const AMI_1 = 'ami-0123456789abcdef0';
const AMI_2 = 'ami-0fedcba9876543210';

let dir: string;
const release = (...args: string[]) => runCli(['release', ...args, '--dir', dir]);
const raw = () => readFileSync(join(dir, 'prod.json'), 'utf8');
const read = (): ReleaseFile => parseReleaseFile(raw(), 'prod.json');

/** No AWS at all: nothing listens on port 1, credentials are given. */
const OFFLINE = {
  AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
  AWS_ACCESS_KEY_ID: 'x',
  AWS_SECRET_ACCESS_KEY: 'y',
  AWS_REGION: 'eu-west-1',
  AWS_EC2_METADATA_DISABLED: 'true',
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollout-cli-'));
  release('init', 'prod');
  release('stage', 'prod', '--image', AMI_1);
  release('stage', 'prod', '--image', AMI_2);
});

/** Records the current step as served just now (what the first advance that sees it served writes). */
function markServed(): void {
  const data = JSON.parse(raw());
  data.rollout.stepServedAt = new Date().toISOString();
  writeFileSync(join(dir, 'prod.json'), JSON.stringify(data));
}

function startRollout(...extra: string[]) {
  return release(
    'promote',
    'prod',
    '--steps',
    '10,50,100',
    '--bake',
    '1m',
    '--alarm',
    'web-green-5xx-rate',
    '--fleet-tag',
    'web',
    ...extra,
  );
}

describe('release promote --steps: bad input exits 2 with the fix, nothing written', () => {
  test.each([
    [
      ['--steps', '10,50'],
      /--steps "10,50" ends at 50, not 100; end with 100 so that the rollout completes, such as 10,50,100\./,
    ],
    [['--steps', '50,10,100'], /--steps "50,10,100" is not strictly increasing \(50 then 10\)/],
    [['--steps', '0,100'], /--steps "0,100" has 0; every step must be a whole percentage from 1 to 100/],
    [
      ['--steps', '10,50,100', '--bake', '2d'],
      /--bake "2d" is not a duration; use a number with a unit, such as 30s, 10m, 1h or 1h30m \(0s to 24h\)\./,
    ],
    [['--steps', '10,50,100', '--bake', '25h'], /--bake "25h" is 90000s, more than 24h/],
    [
      ['--steps', '10,100', '--canary', '10'],
      /--canary cannot be combined with --steps; a rollout sets the canary weight itself/,
    ],
    [['--steps', '10,100'], /no fleet: give --fleet-tag <name>/],
    [['--steps', '10,100', '--fleet-tag', 'Web Prod'], /--fleet-tag "Web Prod" is not a fleet name/],
    [
      ['--steps', '10,100', '--fleet-tag', 'web', '--alarm', 'a', '--alarm', 'a'],
      /--alarm "a" is given twice; name each alarm once\./,
    ],
  ])('%j', (args, message) => {
    const before = raw();
    const result = release('promote', 'prod', ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(raw()).toBe(before);
  });
});

describe('release promote --analysis', () => {
  const ANALYSIS_YAML = [
    'version: 1',
    'checks:',
    '  - name: canary-5xx-rate',
    '    queries:',
    '      - { Id: rate, MetricStat: { Metric: { Namespace: Custom, MetricName: Rate }, Period: 60, Stat: Average } }',
    '    condition: "< 1"',
    '',
  ].join('\n');
  const promote = (analysis: string) =>
    runCli(
      ['release', 'promote', 'prod', '--steps', '10,100', '--fleet-tag', 'web', '--analysis', analysis, '--dir', dir],
      {
        cwd: dirname(dir),
      },
    );

  test('a YAML file given from the working folder is recorded relative to the release files', () => {
    writeFileSync(join(dir, 'analysis.yaml'), ANALYSIS_YAML);
    expect(promote(join(basename(dir), 'analysis.yaml'))).toMatchObject({ code: 0 });
    expect(read().rollout).toMatchObject({ status: 'running', analysis: { file: 'analysis.yaml' } });
  });

  test('a missing or bad analysis file: exit 2 naming the file, the field and the fix; nothing written', () => {
    const before = raw();
    expect(promote(join(basename(dir), 'none.json'))).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--analysis ".*none\.json" does not exist/),
    });
    writeFileSync(join(dir, 'bad.yml'), ANALYSIS_YAML.replace('condition: "< 1"', 'condition: "about 1"'));
    expect(promote(join(basename(dir), 'bad.yml'))).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/bad\.yml: "checks\[0\]\.condition" is "about 1"; write an operator and a number/),
    });
    writeFileSync(join(dir, 'broken.yaml'), 'checks: [');
    expect(promote(join(basename(dir), 'broken.yaml'))).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/broken\.yaml: is not valid YAML .*; fix the syntax/),
    });
    expect(raw()).toBe(before);
  });
});

describe('release promote --steps and the rollout refusals (exit 1)', () => {
  test('starts a rollout, writes the first step; a second promote, a stage or ending the canary is refused naming advance and rollback', () => {
    const started = startRollout();
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(
      /prod: active blue \(90%\), canary green \(10%\)\. Rollout started: steps 10, 50, 100, bake 60s, alarms web-green-5xx-rate \(green\), fleet web/,
    );
    expect(started.stdout).toMatch(/cdktf-immutable release advance prod +after the deploy/);
    expect(read()).toMatchObject({ canary: 10, rollout: { status: 'running', step: 0, fleet: 'web' } });
    const before = raw();
    for (const args of [
      ['promote', 'prod', '--steps', '10,100', '--fleet-tag', 'web'],
      ['promote', 'prod'],
      ['promote', 'prod', '--canary', '0'],
      ['stage', 'prod', '--image', 'ami-0aaaaaaaaaaaaaaaa'],
    ]) {
      const refused = release(...args);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /a rollout is running \(step 1 of 3, 10% to slot green\), so (promote|stage) is refused and nothing was written\. Move it on with "cdktf-immutable release advance prod", or end it with "cdktf-immutable release rollback prod"\./,
      );
    }
    expect(raw()).toBe(before);
  });

  test('rollback during a rollout aborts it, marked as rolled back by hand', () => {
    startRollout();
    expect(release('rollback', 'prod').code).toBe(0);
    expect(read()).toMatchObject({
      canary: 0,
      active: 'blue',
      rollout: { status: 'aborted', abort: { by: 'rollback' } },
    });
    const status = release('status', 'prod');
    expect(status.stdout).toMatch(
      /last rollout: aborted at .*, step 1 of 3 \(rolled back by hand at step 1 of 3 \(10%\)\)/,
    );
  });

  test('a policy that requires a rollout refuses a plain promote; its defaults fill a bare promote', () => {
    const data = JSON.parse(raw());
    data.policy = { steps: [20, 100], bakeSeconds: 30, fleet: 'web', requireRollout: true };
    writeFileSync(join(dir, 'prod.json'), JSON.stringify(data));
    const plain = release('promote', 'prod', '--canary', '10');
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(
      /requires a rollout \("policy.requireRollout" is true\), so a --canary promote is refused/,
    );
    const noAlarm = release('promote', 'prod');
    expect(noAlarm.code).toBe(1);
    expect(noAlarm.stderr).toMatch(/requires alarms .* add --alarm <name>/);
    const ok = release('promote', 'prod', '--alarm', 'web-green-5xx-rate');
    expect(ok.code).toBe(0);
    expect(read()).toMatchObject({
      canary: 20,
      rollout: { steps: [20, 100], bakeSeconds: 30, alarms: ['web-green-5xx-rate'] },
    });
  });

  test('under a policy that requires a rollout, the hint after a stage is the promote that starts one', () => {
    for (const [policy, hint] of [
      [
        { steps: [20, 100], bakeSeconds: 600, fleet: 'web', alarms: ['web-green-5xx-rate'], requireRollout: true },
        /Then: cdktf-immutable release promote staging +starts a rollout to slot green \(policy\.requireRollout\): steps 20, 100, bake 10m, alarms web-green-5xx-rate\n/,
      ],
      [
        { steps: [20, 100], requireRollout: true },
        /Then: cdktf-immutable release promote staging --alarm <name> --fleet-tag <fleet> +starts a rollout to slot green \(policy\.requireRollout refuses a plain promote\)\n/,
      ],
    ] as const) {
      const staging = join(dir, 'staging.json');
      rmSync(staging, { force: true });
      expect(release('init', 'staging').code).toBe(0);
      expect(release('stage', 'staging', '--image', 'ami-0aaaaaaaaaaaaaaaa').code).toBe(0);
      writeFileSync(staging, JSON.stringify({ ...JSON.parse(readFileSync(staging, 'utf8')), policy }));
      const staged = release('stage', 'staging', '--from', 'prod');
      expect(staged.code).toBe(0);
      expect(staged.stdout).toMatch(hint);
      expect(staged.stdout).not.toMatch(/release stage staging --image/);
    }
  });

  test('a bad policy in the file exits 2 naming file, field, value and fix', () => {
    const data = JSON.parse(raw());
    data.policy = { steps: [10, 50] };
    writeFileSync(join(dir, 'prod.json'), JSON.stringify(data));
    const result = release('promote', 'prod');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/prod\.json: "policy\.steps" \(\[10,50\]\) ends at 50, not 100/);
  });
});

describe('release advance and status without AWS', () => {
  test('advance with no rollout: exit 1 with a hint', () => {
    const result = runCli(['release', 'advance', 'prod', '--dir', dir], { env: OFFLINE });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /no rollout is running; nothing to advance\. Start one with "cdktf-immutable release promote prod --steps 10,50,100 --bake 10m --alarm <name>"/,
    );
  });

  test('an unreachable endpoint: exit 2, a clear error, nothing written', () => {
    startRollout();
    const before = raw();
    const result = runCli(['release', 'advance', 'prod', '--dir', dir], { env: OFFLINE });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /release advance: SSM GetParameter \(the watchdog record\): cannot reach the AWS endpoint \(AWS_ENDPOINT_URL is http:\/\/127\.0\.0\.1:1\)/,
    );
    expect(result.stderr).not.toMatch(/NodeVersionSupportWarning/);
    expect(raw()).toBe(before);
  });

  test('no credentials: exit 2, a clear error, nothing written', () => {
    startRollout();
    const before = raw();
    const home = mkdtempSync(join(tmpdir(), 'no-aws-'));
    const result = runCli(['release', 'advance', 'prod', '--dir', dir, '--region', 'eu-west-1'], {
      env: {
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        AWS_SESSION_TOKEN: '',
        AWS_PROFILE: '',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
        HOME: home,
        AWS_CONFIG_FILE: join(home, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
        AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
        AWS_WEB_IDENTITY_TOKEN_FILE: '',
      },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no AWS credentials .*set AWS_PROFILE, AWS_ACCESS_KEY_ID \/ AWS_SECRET_ACCESS_KEY/);
    expect(raw()).toBe(before);
  });

  test('a bad --region: exit 2', () => {
    startRollout();
    const result = runCli(['release', 'advance', 'prod', '--dir', dir, '--region', 'Mars'], { env: OFFLINE });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--region "Mars" is not an AWS region; use a name such as eu-west-1\./);
  });

  test('status of a running rollout offline: exit 0, step, weight, time left, "alarms: not read (reason)"', () => {
    startRollout();
    const result = runCli(['release', 'status', 'prod', '--dir', dir], { env: OFFLINE });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/rollout: running, step 1 of 3 \(10% to slot green\): \[10\] -> 50 -> 100/);
    expect(result.stdout).toMatch(/bake: (1m|\d+s) left of 1m; fleet web/);
    expect(result.stdout).toMatch(
      /alarms: not read \(CloudWatch DescribeAlarms: cannot reach the AWS endpoint.*\): web-green-5xx-rate/,
    );
    const json = JSON.parse(runCli(['release', 'status', 'prod', '--json', '--dir', dir], { env: OFFLINE }).stdout);
    expect(json[0].rollout).toMatchObject({
      status: 'running',
      weight: 10,
      step: 0,
      bakeSecondsLeft: expect.any(Number),
      alarmStates: { notRead: expect.stringMatching(/cannot reach/) },
    });
  });

  test('run deploys with the guarded deploy of a stack it can name, or a command, and a valid interval', () => {
    startRollout();
    // no --stack, no --deploy and no synth output to find the stack of prod in
    expect(runCli(['release', 'run', 'prod', '--dir', dir], { env: OFFLINE, cwd: dir })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /no readable cdktf\.json in .* to find the stack of prod; name the stack with --stack <stack> \(the guarded deploy/,
      ),
    });
    expect(
      runCli(['release', 'run', 'prod', '--dir', dir, '--deploy', 'true', '--stack', 'web-prod'], { env: OFFLINE }),
    ).toMatchObject({ code: 2, stderr: expect.stringMatching(/give --deploy "<command>" or --stack <stack>/) });
    expect(
      runCli(['release', 'run', 'prod', '--dir', dir, '--deploy', 'true', '--interval', '5'], { env: OFFLINE }),
    ).toMatchObject({ code: 2, stderr: expect.stringMatching(/--interval "5" is not a duration/) });
    for (const interval of ['0s', '1s', '4s']) {
      expect(
        runCli(['release', 'run', 'prod', '--dir', dir, '--deploy', 'true', '--interval', interval], { env: OFFLINE }),
      ).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(
          new RegExp(`--interval "${interval}" is below the minimum of 5s \\(each pass reads AWS\\); use 5s or more`),
        ),
      });
    }
  });
});

/** The watchdog's record of an abort of slot green of fleet web, just now. */
function watchdogRecord(status: 'restoring' | 'restored'): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    version: 1,
    by: 'watchdog',
    status,
    fleet: 'web',
    alarm: 'web-green-5xx-rate',
    slot: 'green',
    reason: 'Threshold Crossed',
    stateChangedAt: now,
    weightsBefore: { blue: 90, green: 10 },
    ...(status === 'restored' ? { restoredAt: now, weightsAfter: { blue: 100, green: 0 } } : {}),
  };
}

// ---- a fake AWS endpoint (CloudWatch JSON 1.0, ELBv2 and Auto Scaling query protocols) --

interface FakeWorld {
  alarm?: { name: string; state: string; reason: string };
  /** More alarms, by name. */
  alarms?: Array<{ name: string; state: string; reason: string }>;
  weights: { blue: number; green: number };
  /** The weights served once this file exists (a deploy command writes it). */
  afterDeploy?: { marker: string; weights: { blue: number; green: number } };
  /** The value of the fleet's watchdog record parameter (default: none, ParameterNotFound). */
  watchdogRecord?: Record<string, unknown>;
  /** Target states per slot (default: one healthy target each). */
  targets?: { blue: string[]; green: string[] };
  /** DesiredCapacity of each slot's auto scaling group (default: 1 each). */
  desired?: { blue: number; green: number };
}

const TG = (slot: string) =>
  `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-${slot}/000000000000000${slot === 'blue' ? 1 : 2}`;
const LB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/00000000000000aa';

function body(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => resolve(text));
  });
}

function elbAnswer(action: string, params: URLSearchParams, world: FakeWorld): string {
  const member = (inner: string) => `<member>${inner}</member>`;
  let result: string;
  switch (action) {
    case 'DescribeTargetGroups':
      result = `<TargetGroups>${['blue', 'green'].map((slot) => member(`<TargetGroupArn>${TG(slot)}</TargetGroupArn><LoadBalancerArns>${member(LB)}</LoadBalancerArns>`)).join('')}</TargetGroups>`;
      break;
    case 'DescribeTags': {
      const arns = [...params.entries()]
        .filter(([key]) => key.startsWith('ResourceArns.member'))
        .map(([, value]) => value);
      result = `<TagDescriptions>${arns.map((arn) => member(`<ResourceArn>${arn}</ResourceArn><Tags>${member('<Key>cdktf-immutable:fleet</Key><Value>web</Value>')}${member(`<Key>cdktf-immutable:slot</Key><Value>${arn.includes('blue') ? 'blue' : 'green'}</Value>`)}</Tags>`)).join('')}</TagDescriptions>`;
      break;
    }
    case 'DescribeTargetHealth': {
      const slot = params.get('TargetGroupArn') === TG('blue') ? 'blue' : 'green';
      const states = world.targets?.[slot] ?? ['healthy'];
      result = `<TargetHealthDescriptions>${states.map((state, i) => member(`<Target><Id>i-012345678${slot === 'blue' ? 'b' : 'c'}abcdef${i}</Id></Target><TargetHealth><State>${state}</State></TargetHealth>`)).join('')}</TargetHealthDescriptions>`;
      break;
    }
    case 'DescribeListeners': {
      const weights =
        world.afterDeploy && existsSync(world.afterDeploy.marker) ? world.afterDeploy.weights : world.weights;
      result = `<Listeners>${member(`<ListenerArn>${LB.replace('loadbalancer', 'listener')}/00000000000000bb</ListenerArn><DefaultActions>${member(`<Type>forward</Type><ForwardConfig><TargetGroups>${member(`<TargetGroupArn>${TG('blue')}</TargetGroupArn><Weight>${weights.blue}</Weight>`)}${member(`<TargetGroupArn>${TG('green')}</TargetGroupArn><Weight>${weights.green}</Weight>`)}</TargetGroups></ForwardConfig>`)}</DefaultActions>`)}</Listeners>`;
      break;
    }
    default:
      throw new Error(`fake ELB: unexpected ${action}`);
  }
  return `<${action}Response xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></${action}Response>`;
}

/** Auto Scaling DescribeAutoScalingGroups: one group per slot, tagged like the fleet's, filtered by the fleet tag. */
function autoScalingAnswer(action: string, params: URLSearchParams, world: FakeWorld): string {
  if (action !== 'DescribeAutoScalingGroups') {
    throw new Error(`fake Auto Scaling: unexpected ${action}`);
  }
  const member = (inner: string) => `<member>${inner}</member>`;
  const fleetFilter =
    params.get('Filters.member.1.Name') === 'tag:cdktf-immutable:fleet'
      ? params.get('Filters.member.1.Values.member.1')
      : undefined;
  const groups = fleetFilter === 'web' ? (['blue', 'green'] as const) : [];
  const tag = (key: string, value: string, name: string) =>
    member(
      `<ResourceId>${name}</ResourceId><ResourceType>auto-scaling-group</ResourceType><Key>${key}</Key><Value>${value}</Value><PropagateAtLaunch>false</PropagateAtLaunch>`,
    );
  const result = `<AutoScalingGroups>${groups
    .map((slot) => {
      const name = `web-${slot}-0123abcd`;
      const desired = world.desired?.[slot] ?? 1;
      return member(
        `<AutoScalingGroupName>${name}</AutoScalingGroupName><MinSize>${desired}</MinSize><MaxSize>${desired}</MaxSize><DesiredCapacity>${desired}</DesiredCapacity><Tags>${tag('cdktf-immutable:fleet', 'web', name)}${tag('cdktf-immutable:slot', slot, name)}</Tags>`,
      );
    })
    .join('')}</AutoScalingGroups>`;
  return `<${action}Response xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></${action}Response>`;
}

async function fakeAws(world: FakeWorld): Promise<{ server: Server; env: Record<string, string> }> {
  const server = createServer(async (request, response) => {
    const text = await body(request);
    const target = request.headers['x-amz-target'];
    if (target === 'AmazonSSM.GetParameter') {
      const name: string = JSON.parse(text).Name;
      expect(name).toBe('/cdktf-immutable/watchdog/web');
      if (world.watchdogRecord) {
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ Parameter: { Name: name, Value: JSON.stringify(world.watchdogRecord) } }));
      } else {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ __type: 'ParameterNotFound', message: '' }));
      }
      return;
    }
    if (typeof target === 'string' && target.endsWith('.DescribeAlarms')) {
      const names: string[] = JSON.parse(text).AlarmNames ?? [];
      const alarms = [...(world.alarm ? [world.alarm] : []), ...(world.alarms ?? [])]
        .filter((alarm) => names.includes(alarm.name))
        .map((alarm) => ({ AlarmName: alarm.name, StateValue: alarm.state, StateReason: alarm.reason }));
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify({ MetricAlarms: alarms, CompositeAlarms: [] }));
      return;
    }
    const params = new URLSearchParams(text);
    const action = params.get('Action') ?? '';
    response.writeHead(200, { 'content-type': 'text/xml' });
    response.end(
      params.get('Version') === '2011-01-01'
        ? autoScalingAnswer(action, params, world)
        : elbAnswer(action, params, world),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { server, env: { ...OFFLINE, AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` } };
}

/** Runs the built command asynchronously (the fake endpoint lives in this process). */
function runAsync(
  args: readonly string[],
  env: Record<string, string>,
  onStdout?: (text: string, child: ReturnType<typeof spawn>) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [builtCli(), ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      onStdout?.(stdout, child);
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('release advance and run against a fake AWS endpoint', () => {
  let fake: { server: Server; env: Record<string, string> } | undefined;
  afterEach(() => {
    fake?.server.close();
    fake = undefined;
  });

  test('an unknown alarm: exit 2 naming it, nothing written', async () => {
    startRollout();
    const before = raw();
    fake = await fakeAws({ weights: { blue: 90, green: 10 } });
    const result = await runAsync(['release', 'advance', 'prod', '--dir', dir], fake.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /CloudWatch has no alarm named "web-green-5xx-rate" \(rollout.alarms\); nothing was written/,
    );
    expect(raw()).toBe(before);
  });

  test('waiting for the deploy, then baking: exit 0, nothing written', async () => {
    startRollout();
    const unserved = raw();
    fake = await fakeAws({
      alarm: { name: 'web-green-5xx-rate', state: 'OK', reason: 'fine' },
      weights: { blue: 100, green: 0 },
    });
    const waiting = await runAsync(['release', 'advance', 'prod', '--dir', dir], fake.env);
    expect(waiting).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(
        /the load balancer serves blue 100% \/ green 0% but the release file says blue 90% \/ green 10%; deploy the stack/,
      ),
    });
    expect(raw()).toBe(unserved);
    fake.server.close();
    fake = await fakeAws({
      alarm: { name: 'web-green-5xx-rate', state: 'OK', reason: 'fine' },
      weights: { blue: 90, green: 10 },
    });
    // the step already recorded as served (the next test shows advance writing it)
    markServed();
    const before = raw();
    const baking = await runAsync(['release', 'advance', 'prod', '--dir', dir], fake.env);
    expect(baking).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/baking step 1 of 3 \(10% to slot green\): (1m|\d+s) left of 1m/),
    });
    expect(raw()).toBe(before);
  });

  test('the first advance that sees the step served records stepServedAt (one write, exit 0)', async () => {
    startRollout();
    const unserved = raw();
    fake = await fakeAws({
      alarm: { name: 'web-green-5xx-rate', state: 'OK', reason: 'fine' },
      weights: { blue: 90, green: 10 },
    });
    const servedRun = await runAsync(['release', 'advance', 'prod', '--dir', dir], fake.env);
    expect(servedRun).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(
        /^prod: step 1 served since \d{4}-\d\d-\d\dT[\d:.]+Z; bake ends at \d{4}-\d\d-\d\dT[\d:.]+Z \(1m\)\./,
      ),
    });
    const servedAt = read().rollout!.stepServedAt!;
    expect(Date.now() - Date.parse(servedAt)).toBeLessThan(60_000);
    expect(raw()).toBe(unserved.replace(/("stepStartedAt": "[^"]+",\n)/, `$1    "stepServedAt": "${servedAt}",\n`));
  });

  test('status of a served step shows since when', () => {
    startRollout();
    markServed();
    const servedAt = read().rollout!.stepServedAt!;
    const status = runCli(['release', 'status', 'prod', '--dir', dir], { env: OFFLINE });
    expect(status.stdout).toMatch(
      new RegExp(
        `bake: (1m|\\d+s) left of 1m; fleet web; started .*; step served since ${servedAt.replace(/\./g, '\\.')}`,
      ),
    );
    expect(
      JSON.parse(runCli(['release', 'status', 'prod', '--json', '--dir', dir], { env: OFFLINE }).stdout)[0].rollout
        .stepServedAt,
    ).toBe(servedAt);
  });

  test('an alarm in ALARM: advance exits 1 and the file records the alarm and its reason', async () => {
    startRollout();
    fake = await fakeAws({
      alarm: { name: 'web-green-5xx-rate', state: 'ALARM', reason: 'Threshold Crossed' },
      weights: { blue: 90, green: 10 },
    });
    const result = await runAsync(['release', 'advance', 'prod', '--dir', dir], fake.env);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /rollout aborted at step 1 of 3 \(10% to slot green\): alarm "web-green-5xx-rate" of the canary slot green is in ALARM \(Threshold Crossed\)/,
    );
    expect(read()).toMatchObject({
      canary: 0,
      active: 'blue',
      rollout: { status: 'aborted', abort: { by: 'alarm', alarm: 'web-green-5xx-rate', reason: 'Threshold Crossed' } },
    });
  });

  test('run: an abort is deployed, then confirmed served; exit 1', async () => {
    startRollout();
    const marker = join(dir, 'deployed');
    fake = await fakeAws({
      alarm: { name: 'web-green-5xx-rate', state: 'ALARM', reason: 'Threshold Crossed' },
      weights: { blue: 90, green: 10 },
      afterDeploy: { marker, weights: { blue: 100, green: 0 } },
    });
    const deploy = `node -e "require('fs').appendFileSync(process.argv[1], 'x')" ${JSON.stringify(marker)}`;
    const result = await runAsync(
      ['release', 'run', 'prod', '--dir', dir, '--deploy', deploy, '--interval', '5s'],
      fake.env,
    );
    expect(result.code).toBe(1);
    expect(readFileSync(marker, 'utf8')).toBe('x');
    expect(result.stdout).toMatch(/the load balancer serves it since/);
    expect(result.stderr).toMatch(
      /rollout aborted \(alarm "web-green-5xx-rate": Threshold Crossed\); traffic is back on slot blue/,
    );
    expect(read().rollout).toMatchObject({ status: 'aborted', abort: { servedAt: expect.any(String) } });
  });

  test('run: a failed deploy of the abort leaves it recorded as not deployed; the next run deploys it', async () => {
    startRollout();
    const marker = join(dir, 'deployed');
    fake = await fakeAws({
      alarm: { name: 'web-green-5xx-rate', state: 'ALARM', reason: 'Threshold Crossed' },
      weights: { blue: 90, green: 10 },
      afterDeploy: { marker, weights: { blue: 100, green: 0 } },
    });
    const failed = await runAsync(
      ['release', 'run', 'prod', '--dir', dir, '--deploy', 'exit 4', '--interval', '5s'],
      fake.env,
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /the deploy command exited 4; .* holds blue 100%, with the abort recorded as not deployed yet: fix the deploy and run "cdktf-immutable release run prod" again/,
    );
    expect(read().rollout).toMatchObject({ status: 'aborted', abort: { by: 'alarm', servedAt: null } });
    // advance says so and exits 1; status names the command that deploys it
    const pending = await runAsync(['release', 'advance', 'prod', '--dir', dir], fake.env);
    expect(pending.code).toBe(1);
    expect(pending.stdout).toMatch(/the abort is not deployed yet\. Deploy the stack now/);
    expect(runCli(['release', 'status', 'prod', '--dir', dir], { env: OFFLINE }).stdout).toMatch(
      /the abort is NOT deployed yet: "cdktf-immutable release run prod" deploys it/,
    );
    // the advice, followed
    const deploy = `node -e "require('fs').appendFileSync(process.argv[1], 'x')" ${JSON.stringify(marker)}`;
    const again = await runAsync(['release', 'run', 'prod', '--dir', dir, '--deploy', deploy], fake.env);
    expect(again.code).toBe(1);
    expect(readFileSync(marker, 'utf8')).toBe('x');
    expect(again.stderr).toMatch(/traffic is back on slot blue/);
    expect(read().rollout).toMatchObject({ status: 'aborted', abort: { servedAt: expect.any(String) } });
  });

  test('an alarm of the stable slot holds: exit 1, nothing written', async () => {
    startRollout('--alarm', 'web-blue-5xx-rate');
    expect(read().rollout!.alarmSlots).toEqual({ 'web-green-5xx-rate': 'green', 'web-blue-5xx-rate': 'blue' });
    markServed();
    const before = raw();
    fake = await fakeAws({
      alarms: [
        { name: 'web-green-5xx-rate', state: 'OK', reason: 'fine' },
        { name: 'web-blue-5xx-rate', state: 'ALARM', reason: 'Threshold Crossed' },
      ],
      weights: { blue: 90, green: 10 },
    });
    const held = await runAsync(['release', 'advance', 'prod', '--dir', dir], fake.env);
    expect(held.code).toBe(1);
    expect(held.stdout).toMatch(
      /holding at step 1 of 3 \(10% to slot green\): alarm "web-blue-5xx-rate" \(Threshold Crossed\) of the stable slot blue is in ALARM/,
    );
    expect(held.stderr).toMatch(/the rollout holds/);
    expect(raw()).toBe(before);
  });

  test('--alarm <name>@stable binds an alarm the fleet does not name; a bad slot exits 2', () => {
    startRollout('--alarm', 'db-latency@stable', '--alarm', 'api-errors@canary');
    expect(read().rollout!.alarmSlots).toMatchObject({ 'db-latency': 'blue', 'api-errors': 'green' });
    release('rollback', 'prod');
    const bad = startRollout('--alarm', 'db-latency@blue', '--force-rolled-back');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/db-latency@blue/);
  });

  test("advance: the watchdog's record (restored) is written as an abort by the watchdog, already served", async () => {
    startRollout();
    fake = await fakeAws({
      alarm: { name: 'web-green-5xx-rate', state: 'ALARM', reason: 'Threshold Crossed' },
      weights: { blue: 100, green: 0 },
      watchdogRecord: watchdogRecord('restored'),
    });
    const result = await runAsync(['release', 'advance', 'prod', '--dir', dir], fake.env);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/the watchdog of fleet web restored the stable weights at/);
    expect(result.stderr).toMatch(/The load balancer already serves it\./);
    expect(read()).toMatchObject({
      canary: 0,
      rollout: {
        status: 'aborted',
        abort: {
          by: 'watchdog',
          alarm: 'web-green-5xx-rate',
          reason: 'Threshold Crossed',
          servedAt: expect.any(String),
        },
      },
    });
  });

  test("status writes the watchdog's abort; a record of an earlier canary changes nothing", async () => {
    startRollout();
    fake = await fakeAws({
      weights: { blue: 100, green: 0 },
      watchdogRecord: { ...watchdogRecord('restored'), stateChangedAt: '2020-01-01T00:00:00.000Z' },
    });
    const before = raw();
    const old = await runAsync(['release', 'status', 'prod', '--dir', dir], fake.env);
    expect(old.code).toBe(0);
    expect(raw()).toBe(before);
    fake.server.close();
    fake = await fakeAws({ weights: { blue: 100, green: 0 }, watchdogRecord: watchdogRecord('restored') });
    const status = await runAsync(['release', 'status', 'prod', '--dir', dir], fake.env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/watchdog: prod: the watchdog of fleet web restored the stable weights/);
    expect(status.stdout).toMatch(
      /last rollout: aborted at .*, step 1 of 3 \(the watchdog, on alarm "web-green-5xx-rate": Threshold Crossed\); served since/,
    );
    expect(read().rollout).toMatchObject({
      status: 'aborted',
      abort: { by: 'watchdog', servedAt: expect.any(String) },
    });
    // the listener still at the canary's weights (the watchdog failed after it wrote "restoring"): not served yet
    fake.server.close();
    startRollout('--force-rolled-back');
    fake = await fakeAws({ weights: { blue: 90, green: 10 }, watchdogRecord: watchdogRecord('restoring') });
    const failed = await runAsync(['release', 'status', 'prod', '--dir', dir], fake.env);
    expect(failed.stdout).toMatch(/did not record the end \(status "restoring"\): deploy the abort/);
    expect(failed.stdout).toMatch(/the abort is NOT deployed yet: "cdktf-immutable release run prod" deploys it/);
    expect(read().rollout).toMatchObject({ status: 'aborted', abort: { by: 'watchdog', servedAt: null } });
  });

  test("run: a record still 'restoring' with the canary weighted means the watchdog failed: run deploys the abort", async () => {
    startRollout();
    const marker = join(dir, 'deployed');
    fake = await fakeAws({
      weights: { blue: 90, green: 10 },
      afterDeploy: { marker, weights: { blue: 100, green: 0 } },
      watchdogRecord: watchdogRecord('restoring'),
    });
    const deploy = `node -e "require('fs').appendFileSync(process.argv[1], 'x')" ${JSON.stringify(marker)}`;
    const result = await runAsync(['release', 'run', 'prod', '--dir', dir, '--deploy', deploy], fake.env);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/did not record the end \(status "restoring"\): deploy the abort/);
    expect(readFileSync(marker, 'utf8')).toBe('x');
    expect(read().rollout).toMatchObject({
      status: 'aborted',
      abort: { by: 'watchdog', servedAt: expect.any(String) },
    });
  });

  test("advance waits for the group's desired count of healthy targets, saying so; nothing written", async () => {
    startRollout();
    const before = raw();
    fake = await fakeAws({
      alarm: { name: 'web-green-5xx-rate', state: 'OK', reason: 'fine' },
      weights: { blue: 90, green: 10 },
      targets: { blue: ['healthy'], green: ['healthy', 'initial', 'initial'] },
      desired: { blue: 1, green: 3 },
    });
    const waiting = await runAsync(['release', 'advance', 'prod', '--dir', dir], fake.env);
    expect(waiting.code).toBe(0);
    expect(waiting.stdout).toMatch(
      /waiting at step 1 of 3 \(10% to slot green\) for green: 1 of 3 targets healthy \(desired 3\); slot green has 1 healthy of 3 registered target\(s\)/,
    );
    expect(raw()).toBe(before);
    fake.server.close();
    fake = await fakeAws({
      alarm: { name: 'web-green-5xx-rate', state: 'OK', reason: 'fine' },
      weights: { blue: 90, green: 10 },
      targets: { blue: ['healthy'], green: ['healthy', 'healthy', 'unhealthy'] },
      desired: { blue: 1, green: 2 },
    });
    const unhealthy = await runAsync(['release', 'advance', 'prod', '--dir', dir], fake.env);
    expect(unhealthy.stdout).toMatch(/for green: 2 of 3 targets healthy \(desired 2\), 1 unhealthy/);
    expect(raw()).toBe(before);
  });

  test('status of an older rollout without stepServedAt: not yet served, the whole bake left', () => {
    startRollout();
    expect(raw()).not.toMatch(/stepServedAt/);
    const status = runCli(['release', 'status', 'prod', '--dir', dir], { env: OFFLINE });
    expect(status.stdout).toMatch(
      /bake: 1m left of 1m; fleet web; started .*; step not yet served \(the bake starts when "release advance" sees the load balancer serve it with healthy targets\)/,
    );
    const json = JSON.parse(runCli(['release', 'status', 'prod', '--json', '--dir', dir], { env: OFFLINE }).stdout);
    expect(json[0].rollout).toMatchObject({ stepServedAt: null, bakeSecondsLeft: 60 });
  });

  test('run: the first pass records the step served, writes once and deploys nothing', async () => {
    startRollout();
    fake = await fakeAws({
      alarm: { name: 'web-green-5xx-rate', state: 'OK', reason: 'fine' },
      weights: { blue: 90, green: 10 },
    });
    const marker = join(dir, 'deployed');
    let sent = false;
    const result = await runAsync(
      ['release', 'run', 'prod', '--dir', dir, '--deploy', `touch ${JSON.stringify(marker)}`, '--interval', '30s'],
      fake.env,
      (stdout, child) => {
        if (!sent && /step 1 served since/.test(stdout)) {
          sent = true;
          setTimeout(() => child.kill('SIGINT'), 200);
        }
      },
    );
    expect(sent).toBe(true);
    expect(result.code).toBe(130);
    expect(existsSync(marker)).toBe(false);
    expect(read().rollout).toMatchObject({ status: 'running', step: 0, stepServedAt: expect.any(String) });
  });

  test('run: Ctrl-C while waiting stops the loop between steps, exit 130, the file whole', async () => {
    startRollout();
    markServed();
    const before = raw();
    fake = await fakeAws({
      alarm: { name: 'web-green-5xx-rate', state: 'OK', reason: 'fine' },
      weights: { blue: 90, green: 10 },
    });
    const marker = join(dir, 'deployed');
    let sent = false;
    const result = await runAsync(
      ['release', 'run', 'prod', '--dir', dir, '--deploy', `touch ${JSON.stringify(marker)}`, '--interval', '30s'],
      fake.env,
      (stdout, child) => {
        if (!sent && /baking step 1 of 3/.test(stdout)) {
          sent = true;
          setTimeout(() => child.kill('SIGINT'), 200);
        }
      },
    );
    expect(sent).toBe(true);
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/release run: interrupted \(SIGINT\); the release file is consistent/);
    // baking: nothing to deploy, nothing written
    expect(existsSync(marker)).toBe(false);
    expect(raw()).toBe(before);
  });
});

describe('release promote --verify and the notifications', () => {
  let fake: { server: Server; env: Record<string, string> } | undefined;
  let hook: Server | undefined;
  afterEach(() => {
    fake?.server.close();
    hook?.close();
    fake = undefined;
    hook = undefined;
  });

  /** A webhook that records each POSTed JSON body; sets policy.notify.webhookUrl in the file. */
  async function webhook(): Promise<any[]> {
    const received: any[] = [];
    hook = createServer(async (request, response) => {
      received.push({ type: request.headers['content-type'], ...JSON.parse(await body(request)) });
      response.writeHead(204).end();
    });
    await new Promise<void>((resolve) => hook!.listen(0, '127.0.0.1', resolve));
    const data = JSON.parse(raw());
    data.policy = { notify: { webhookUrl: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook` } };
    writeFileSync(join(dir, 'prod.json'), JSON.stringify(data));
    return received;
  }

  const promoteArgs = (...extra: string[]) => [
    'release',
    'promote',
    'prod',
    '--dir',
    dir,
    '--steps',
    '10,50,100',
    '--bake',
    '1m',
    '--alarm',
    'web-green-5xx-rate',
    '--fleet-tag',
    'web',
    ...extra,
  ];

  test('a failing verification before the first step: exit 1, aborted by verify, no weight written, "aborted" sent', async () => {
    const received = await webhook();
    const result = await runAsync(
      promoteArgs(
        '--verify',
        'echo "url=$CDKTF_IMMUTABLE_TEST_URL slot=$CDKTF_IMMUTABLE_TEST_SLOT next=$CDKTF_IMMUTABLE_NEXT_WEIGHT"; exit 7',
        '--test-url',
        'http://127.0.0.1:9/health',
      ),
      OFFLINE,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/url=http:\/\/127\.0\.0\.1:9\/health slot=green next=10/);
    expect(result.stderr).toMatch(/the verification failed before the first step; .* Nothing to deploy/);
    expect(read()).toMatchObject({
      active: 'blue',
      canary: 0,
      rollout: { status: 'aborted', abort: { by: 'verify', reason: expect.stringMatching(/exited 7/) } },
    });
    expect(read().rollout!.abort!.servedAt).toEqual(expect.any(String));
    expect(received).toEqual([
      expect.objectContaining({
        type: 'application/json',
        event: 'aborted',
        source: 'cdktf-immutable',
        environment: 'prod',
        fleet: 'web',
        active: 'blue',
        canarySlot: 'green',
        weight: 0,
        status: 'aborted',
        abort: expect.objectContaining({ by: 'verify' }),
      }),
    ]);
  });

  test('a passing verification starts the rollout with the test URL recorded; "started" sent', async () => {
    const received = await webhook();
    const result = await runAsync(
      promoteArgs(
        '--verify',
        'test "$CDKTF_IMMUTABLE_TEST_URL" = http://127.0.0.1:9/health',
        '--test-url',
        'http://127.0.0.1:9/health',
      ),
      OFFLINE,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/verification passed before the first step/);
    expect(read()).toMatchObject({
      canary: 10,
      rollout: { status: 'running', testUrl: 'http://127.0.0.1:9/health', verify: expect.any(String) },
    });
    expect(received.map((event) => [event.event, event.weight, event.step])).toEqual([['started', 10, 1]]);
  });

  test('an SNS topic gets the event as the message; a topic it cannot reach is a warning, the rollout starts', async () => {
    const requests: Array<{ target: string; type: string; body: string }> = [];
    const sns = createServer(async (request, response) => {
      const text = await body(request);
      const type = String(request.headers['content-type'] ?? '');
      requests.push({ target: String(request.headers['x-amz-target'] ?? ''), type, body: text });
      if (type.includes('json')) {
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{"MessageId":"m-1"}');
      } else {
        response
          .writeHead(200, { 'content-type': 'text/xml' })
          .end(
            '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>' +
              '<MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId>' +
              '</ResponseMetadata></PublishResponse>',
          );
      }
    });
    hook = sns;
    await new Promise<void>((resolve) => sns.listen(0, '127.0.0.1', resolve));
    const topic = 'arn:aws:sns:eu-west-1:123456789012:rollouts';
    const data = JSON.parse(raw());
    data.policy = { notify: { snsTopicArn: topic } };
    writeFileSync(join(dir, 'prod.json'), JSON.stringify(data));
    const env = { ...OFFLINE, AWS_ENDPOINT_URL: `http://127.0.0.1:${(sns.address() as AddressInfo).port}` };
    const result = await runAsync(promoteArgs('--no-check-alarms'), env);
    expect(result).toMatchObject({ code: 0, stdout: expect.stringMatching(`notified SNS topic ${topic}: started`) });
    expect(requests).toHaveLength(1);
    const sent = requests[0].type.includes('json')
      ? JSON.parse(requests[0].body)
      : Object.fromEntries(new URLSearchParams(requests[0].body));
    expect(sent).toMatchObject({ TopicArn: topic, Subject: 'cdktf-immutable: prod rollout started' });
    expect(JSON.parse(sent.Message)).toMatchObject({ event: 'started', environment: 'prod', fleet: 'web', weight: 10 });

    // the same promote with the topic out of reach: a warning on stderr, the rollout written all the same
    release('rollback', 'prod');
    release('stage', 'prod', '--image', AMI_1);
    const unreachable = await runAsync(promoteArgs(), OFFLINE);
    expect(unreachable.code).toBe(0);
    expect(unreachable.stderr).toMatch(
      /warning: the started notification to SNS topic arn:aws:sns:eu-west-1:123456789012:rollouts failed .*; the rollout goes on/,
    );
    expect(read().rollout).toMatchObject({ status: 'running', step: 0 });
  });

  test('bad --test-url or --verify: exit 2, nothing written; no test URL and no AWS: exit 2', async () => {
    const before = raw();
    const badUrl = await runAsync(promoteArgs('--verify', 'true', '--test-url', 'ftp://x'), OFFLINE);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toMatch(/--test-url "ftp:\/\/x" is not an http:\/\/ or https:\/\/ URL/);
    const empty = await runAsync(promoteArgs('--verify', ' '), OFFLINE);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/--verify needs a command/);
    const noRoute = await runAsync(promoteArgs('--verify', 'true'), OFFLINE);
    expect(noRoute.code).toBe(2);
    expect(noRoute.stderr).toMatch(/test route|cannot reach/);
    expect(raw()).toBe(before);
  });

  test('a verification failing before a next step aborts the rollout at that step', async () => {
    expect(
      (await runAsync(promoteArgs('--verify', 'test ! -e "$MARK"', '--test-url', 'http://127.0.0.1:9/'), OFFLINE)).code,
    ).toBe(0);
    const data = JSON.parse(raw());
    data.rollout.stepServedAt = new Date(Date.now() - 120_000).toISOString();
    data.rollout.verify = 'echo "before step $CDKTF_IMMUTABLE_NEXT_WEIGHT"; exit 9';
    writeFileSync(join(dir, 'prod.json'), JSON.stringify(data));
    fake = await fakeAws({
      alarm: { name: 'web-green-5xx-rate', state: 'OK', reason: 'fine' },
      weights: { blue: 90, green: 10 },
    });
    const result = await runAsync(['release', 'advance', 'prod', '--dir', dir], fake.env);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/before step 50/);
    expect(read()).toMatchObject({
      canary: 0,
      rollout: { status: 'aborted', step: 0, abort: { by: 'verify', reason: expect.stringMatching(/exited 9/) } },
    });
  });
});
