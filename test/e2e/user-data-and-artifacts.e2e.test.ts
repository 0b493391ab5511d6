/**
 * Two findings of the fault review, on the real engine:
 *
 * 1. `UserData.forContainer` with tokens (a pipeline's image reference, a reference in
 *    `environment`): a fleet stack that uses them passes `tofu validate`, and the user
 *    data Terraform renders from it is a script bash runs: the env file holds each value
 *    on its line, a value with a line break stops the script before the container starts,
 *    and so does an image not pinned by digest.
 * 2. A launch template with tags: the review saw the first plan after the apply update it
 *    in place (`tag_specifications` with one more "launch-template" block, `latest_version`
 *    unknown) and guard exit 1. That was moto's: it copies a template's own tags into its
 *    version data, which AWS does not (harness/moto-server.py corrects it, checked by
 *    moto-fidelity.e2e.test.ts). With AWS's answer the library's template plans nothing
 *    after its apply, and guard passes the plan.
 */
import { spawnSync } from 'child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { FleetLoadBalancer, ImageSource, ReplaceFleet, UserData } from '../../lib';
import { MotoServer, motoAmiIds, startMoto } from './harness/moto';
import { apply, cli, init, keepStateIn, logPlan, noOpViolations, savedPlan, tofuOk } from './harness/tofu';

const work = mkdtempSync(join(tmpdir(), 'e2e-user-data-'));
let moto: MotoServer;
const DIGEST = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/api@sha256:${'a'.repeat(64)}`;

beforeAll(async () => {
  moto = await startMoto(work);
});

afterAll(async () => {
  await moto?.stop();
});

/** Synthesizes one stack with cdktf into `work/<name>` and returns its folder (state kept there). */
function synthStack(name: string, build: (stack: TerraformStack) => void): string {
  const outdir = join(work, name);
  const app = new App({ outdir });
  const stack = new TerraformStack(app, name);
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  build(stack);
  app.synth();
  const dir = join(outdir, 'stacks', name);
  keepStateIn(dir, join(work, `${name}.tfstate`));
  return dir;
}

describe('UserData.forContainer with tokens', () => {
  test('a fleet with a token image and a token environment value passes tofu validate', async () => {
    const dir = synthStack('container-tokens', (stack) => {
      const image = new TerraformVariable(stack, 'image', { type: 'string' });
      const release = new TerraformVariable(stack, 'release', { type: 'string' });
      new ReplaceFleet(stack, 'Api', {
        name: 'api',
        vpcId: 'vpc-0123456789abcdef0',
        subnetIds: ['subnet-0a00000000000000a', 'subnet-0b00000000000000b'],
        image: ImageSource.fromAmiId('ami-0123456789abcdef0'),
        loadBalancer: FleetLoadBalancer.create({ scheme: 'internal' }),
        port: 8080,
        server: {
          userData: UserData.forContainer({
            image: image.stringValue,
            port: 8080,
            environment: { RELEASE: release.stringValue, GREETING: 'say "hi" \\ %{not} ${not}' },
          }),
        },
      });
    });
    await init(dir, moto.env, false);
    const validate = await tofuOk(dir, ['validate', '-no-color'], moto.env);
    console.log(`[e2e] tofu validate (container user data with tokens): ${validate.stdout.trim()}`);
    expect(validate.stdout).toMatch(/The configuration is valid/);
  });

  /** The script Terraform renders for these values (an output of the user data, applied with no resource). */
  async function rendered(image: string, release: string): Promise<string> {
    const name = `render-${Math.random().toString(36).slice(2, 8)}`;
    const dir = synthStack(name, (stack) => {
      const userData = UserData.forContainer({
        image: new TerraformVariable(stack, 'image', { type: 'string' }).stringValue,
        environment: {
          RELEASE: new TerraformVariable(stack, 'release', { type: 'string' }).stringValue,
          GREETING: 'say "hi" \\ %{not} ${not}',
        },
      });
      new TerraformOutput(stack, 'user_data', { value: userData.base64 });
    });
    writeFileSync(join(dir, 'values.auto.tfvars.json'), JSON.stringify({ image, release }));
    await init(dir, moto.env);
    await apply(dir, moto.env);
    const output = await tofuOk(dir, ['output', '-raw', 'user_data'], moto.env);
    return Buffer.from(output.stdout, 'base64').toString('utf8');
  }

  /** Runs the script with /etc in a folder of its own and docker, systemctl and aws stubbed. */
  function runScript(script: string): { code: number | null; stderr: string; env: string | undefined } {
    const root = mkdtempSync(join(work, 'server-'));
    const etc = join(root, 'etc');
    const bin = join(root, 'bin');
    mkdirSync(join(etc, 'systemd', 'system'), { recursive: true });
    mkdirSync(bin);
    for (const stub of ['systemctl', 'docker', 'aws']) {
      writeFileSync(join(bin, stub), '#!/bin/sh\nexit 0\n');
      chmodSync(join(bin, stub), 0o755);
    }
    const local = script.split('/etc/').join(`${etc}/`);
    const result = spawnSync('bash', ['--norc', '--noprofile', '-c', local], {
      encoding: 'utf8',
      env: { PATH: `${bin}:${process.env.PATH}`, HOME: root },
    });
    let env: string | undefined;
    try {
      env = readFileSync(join(etc, 'app.env'), 'utf8');
    } catch {
      env = undefined;
    }
    return { code: result.status, stderr: result.stderr, env };
  }

  test('the rendered script writes each value on its line, quotes and all', async () => {
    const script = await rendered(DIGEST, 'v1.2.3 "quoted" $HOME `uname`');
    const run = runScript(script);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.env).toBe('GREETING=say "hi" \\ %{not} ${not}\nRELEASE=v1.2.3 "quoted" $HOME `uname`\n');
  });

  test('a value with a line break stops the script before the container starts; so does an image without a digest', async () => {
    const broken = runScript(await rendered(DIGEST, 'v1\nINJECTED=1'));
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(
      /environment\.RELEASE holds a line break, which would end its line of .*app\.env; the container is not started/,
    );
    expect(broken.env).not.toMatch(/INJECTED/);
    const tag = runScript(await rendered('registry.example.com/api:latest', 'v1'));
    expect(tag.code).toBe(1);
    expect(tag.stderr).toMatch(/the image \(registry\.example\.com\/api:latest\) is not pinned by digest/);
  });
});

describe("a tagged launch template (the first-plan update the review saw was moto's)", () => {
  test('after its apply, a template with tags and tag specifications plans nothing, and guard passes the plan', async () => {
    const ami = (await motoAmiIds(moto.endpoint, 1))[0];
    const dir = join(work, 'tagged-template');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'main.tf.json'),
      JSON.stringify({
        terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: '6.25.0' } } },
        provider: { aws: { region: 'eu-west-1', default_tags: [{ tags: { owner: 'e2e' } }] } },
        resource: {
          aws_launch_template: {
            web: {
              name: 'e2e-tagged',
              image_id: ami,
              instance_type: 't3.micro',
              tags: { team: 'web' },
              tag_specifications: [{ resource_type: 'instance', tags: { team: 'web' } }],
            },
          },
        },
      }),
    );
    keepStateIn(dir, join(work, 'tagged.tfstate'));
    await init(dir, moto.env);
    await apply(dir, moto.env);
    const plan = await savedPlan(dir, 'after-apply', moto.env);
    logPlan('tagged launch template after apply', plan.json);
    expect(noOpViolations(plan)).toEqual([]);
    expect(plan.exitCode).toBe(0);
    const guard = cli(['guard', plan.jsonFile]);
    expect(`${guard.code} ${guard.stdout}${guard.stderr}`).toMatch(/^0 /);
  });
});
