/**
 * `cdktf-immutable deploy` step by step, on a small app and a stand-in for the Terraform
 * binary (test/support/fake-terraform.js, which logs each call): the order of the steps,
 * that the plan file the guard checked is the one applied, and every refusal before
 * apply. The same path on OpenTofu, the real cdktf CLI and moto:
 * test/e2e/deploy-path.e2e.test.ts.
 */
import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { parseArgs } from '../../bin/cli/args';
import { deployCommand, DeployDeps } from '../../bin/cli/deploy';
import { deployStep } from '../../bin/cli/rollout';
import type { LiveReader, LiveReading } from '../../bin/cli/live-check';
import {
  emptyRelease,
  formatReleaseFile,
  promoteRelease,
  recordServed,
  ReleaseFile,
  ReleaseStore,
  stageRelease,
} from '../../lib/release';

const FAKE_TF = resolve(__dirname, '..', 'support', 'fake-terraform.js');
const PLANS = resolve(__dirname, '..', 'fixtures', 'plans');
const AMI_1 = 'ami-0123456789abcdef0';
const AMI_2 = 'ami-0fedcba9876543210';
const NOW = new Date('2026-01-02T03:04:05Z');

/** The app: one stack web-dev whose listener forwards with the weights of releases/dev.json. */
const APP = `
const { mkdirSync, readFileSync, writeFileSync } = require('fs');
const { join } = require('path');
const out = process.env.CDKTF_OUTDIR;
const release = JSON.parse(readFileSync('releases/dev.json', 'utf8'));
const active = release.active, idle = active === 'blue' ? 'green' : 'blue';
const weights = { [active]: 100 - release.canary, [idle]: release.canary };
const group = (slot) => ({ name: 'web-dev-' + slot, tags: { 'cdktf-immutable:fleet': 'web-dev', 'cdktf-immutable:slot': slot } });
const stack = {
  provider: { aws: [{ region: 'eu-west-1' }] },
  resource: {
    aws_lb_target_group: { Web_Blue_TargetGroup_1: group('blue'), Web_Green_TargetGroup_2: group('green') },
    aws_lb_listener: { Web_Listener_3: { default_action: [{ type: 'forward', forward: { target_group: [
      { arn: '\${aws_lb_target_group.Web_Blue_TargetGroup_1.arn}', weight: weights.blue },
      { arn: '\${aws_lb_target_group.Web_Green_TargetGroup_2.arn}', weight: weights.green },
    ] } }] } },
  },
};
mkdirSync(join(out, 'stacks', 'web-dev'), { recursive: true });
writeFileSync(join(out, 'stacks', 'web-dev', 'cdk.tf.json'), JSON.stringify(stack, null, 2));
writeFileSync(join(out, 'manifest.json'), JSON.stringify({ version: '0.21.0', stacks: { 'web-dev': {
  name: 'web-dev', workingDirectory: 'stacks/web-dev', synthesizedStackPath: 'stacks/web-dev/cdk.tf.json' } } }));
console.error(process.env.SYNTH_NOTE || 'synthesized');
`;

interface Project {
  readonly dir: string;
  readonly log: string;
  readonly state: string;
}

/** A project folder (a git repository) with the app, cdktf.json and releases/dev.json. */
function project(release: ReleaseFile): Project {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-'));
  writeFileSync(join(dir, 'cdktf.json'), JSON.stringify({ app: 'node app.js', output: 'cdktf.out' }));
  writeFileSync(join(dir, 'app.js'), APP);
  mkdirSync(join(dir, 'releases'));
  writeFileSync(join(dir, 'releases', 'dev.json'), formatReleaseFile(release));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  git('add', '.');
  git('-c', 'user.name=Ann', '-c', 'user.email=ann@example.com', 'commit', '-q', '-m', 'dev: promote green');
  return { dir, log: join(dir, 'tf.log'), state: join(dir, 'state.txt') };
}

const blueServes = stageRelease(stageRelease(emptyRelease('dev'), { image: AMI_1, source: '--image', now: NOW }), {
  image: AMI_2,
  source: '--image',
  now: NOW,
});
/** green promoted in the file (served: blue 100), not deployed yet. */
const promoted = recordServed(blueServes, promoteRelease(blueServes));

const reader = (reading: LiveReading, fleets: string[] = ['web-dev']): LiveReader & { calls: string[] } => {
  const calls: string[] = [];
  return {
    calls,
    readWeights: async (fleet) => {
      calls.push(fleet);
      return reading;
    },
    fleets: async () => fleets,
  };
};
const serves = (blue: number, green: number): LiveReading => ({
  kind: 'served',
  weights: { blue, green },
  forwarder: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web-dev/1/2',
});

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The Terraform commands run, in order. */
  readonly calls: Array<{ command: string; args: string[]; cwd: string }>;
  readonly applied: string[];
}

async function deploy(
  p: Project,
  args: string[],
  options: { live?: LiveReader; env?: Record<string, string>; deps?: Partial<DeployDeps>; plan?: string } = {},
): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const saved = process.cwd();
  process.chdir(p.dir);
  try {
    const code = await deployCommand(
      args,
      { out: (t) => (stdout += t), err: (t) => (stderr += t) },
      {
        liveReader: () => options.live ?? reader(serves(100, 0)),
        interactive: false,
        env: {
          ...process.env,
          TERRAFORM_BINARY_NAME: FAKE_TF,
          FAKE_TF_LOG: p.log,
          FAKE_TF_STATE: p.state,
          FAKE_TF_PLAN_JSON: join(PLANS, options.plan ?? 'e2e-promote.json'),
          ...options.env,
        },
        ...options.deps,
      },
    );
    const calls = existsSync(p.log)
      ? readFileSync(p.log, 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line))
      : [];
    const applied = existsSync(p.state) ? readFileSync(p.state, 'utf8').trim().split('\n') : [];
    return { code, stdout, stderr, calls, applied };
  } finally {
    process.chdir(saved);
  }
}

describe('deploy: the steps', () => {
  test('synth, live check, init, plan to a file, show -json, guard, then apply exactly that plan file', async () => {
    const p = project(promoted);
    const live = reader(serves(100, 0));
    const result = await deploy(p, ['web-dev', '--auto-approve'], { live });
    expect(result.stderr).toContain('synthesized');
    expect(result.code).toBe(0);
    const workdir = join(p.dir, 'cdktf.out', 'stacks', 'web-dev');
    expect(result.calls.map((c) => [c.command, ...c.args].join(' '))).toEqual([
      'init -input=false -no-color',
      'plan -input=false -detailed-exitcode -out=deploy.tfplan -no-color',
      'show -json deploy.tfplan',
      'apply -input=false -no-color deploy.tfplan',
    ]);
    expect(result.calls.every((c) => c.cwd === workdir)).toBe(true);
    expect(result.applied).toEqual(['applied deploy.tfplan']);
    // the plan JSON the guard read is kept beside the plan
    expect(JSON.parse(readFileSync(join(workdir, 'deploy.plan.json'), 'utf8'))).toEqual(
      JSON.parse(readFileSync(join(PLANS, 'e2e-promote.json'), 'utf8')),
    );
    // the live check read the fleet of the stack, and the file's served weights passed
    expect(live.calls).toEqual(['web-dev']);
    expect(result.stdout).toContain(
      'live check: fleet web-dev serves blue 100% / green 0%, what releases/dev.json served before its last change ' +
        '(blue 0% / green 100% once deployed).',
    );
    // the plan summary, then the guard's report, come before the apply
    const order = ['Plan: 2 to add', 'guard: ok', 'Apply complete!', 'deploy web-dev: applied the checked plan.'];
    const at = order.map((text) => result.stdout.indexOf(text));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  test('a guard violation stops before apply, with the report', async () => {
    const p = project(promoted);
    const result = await deploy(p, ['web-dev', '--auto-approve'], { plan: 'e2e-violation.json' });
    expect(result.code).toBe(1);
    expect(result.calls.map((c) => c.command)).toEqual(['init', 'plan', 'show']);
    expect(result.applied).toEqual([]);
    expect(result.stdout).toMatch(/FAIL aws_/);
    expect(result.stderr).toMatch(
      /deploy web-dev: refused before apply: the guard found \d+ violation\(s\) in the plan \(above\); nothing was applied/,
    );
  });

  test('--allow-destroy reaches the guard', async () => {
    const p = project(promoted);
    const result = await deploy(p, ['web-dev', '--plan-only', '--allow-destroy', 'nothing.matches']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('guard: note: --allow-destroy nothing.matches matched no destroyed resource.');
  });

  test('a stale release file is refused before anything is planned, naming the commit and the fix', async () => {
    // the load balancer serves green (a promote was deployed), the file still says blue
    const p = project(blueServes);
    const result = await deploy(p, ['web-dev', '--auto-approve'], { live: reader(serves(0, 100)) });
    expect(result.code).toBe(1);
    expect(result.calls).toEqual([]);
    expect(result.stderr).toContain(
      'refused before plan: live check: fleet web-dev serves blue 0% / green 100% (arn:aws:elasticloadbalancing:',
    );
    expect(result.stderr).toMatch(
      /but releases\/dev\.json asks for blue 100% \/ green 0% \(and records nothing about what was served before\)\. The file is not the one that was deployed: it was last changed by commit [0-9a-f]{7,} "dev: promote green" \(Ann, \d{4}-\d\d-\d\d\)\. Bring the checkout up to date \("git pull"\)/,
    );
    expect(result.stderr).toContain('--no-live-check "<reason>"');
  });

  test('--no-live-check <reason> skips the check and says why', async () => {
    const p = project(blueServes);
    const live = reader(serves(0, 100));
    const result = await deploy(p, ['web-dev', '--auto-approve', '--no-live-check', 'listener moved by hand'], {
      live,
    });
    expect(result.code).toBe(0);
    expect(live.calls).toEqual([]);
    expect(result.stdout).toContain('live check skipped (--no-live-check): listener moved by hand');
  });

  test('the first deploy (no target groups yet) and a fleet without a listener skip the check with a note', async () => {
    const p = project(promoted);
    const first = await deploy(p, ['web-dev', '--auto-approve'], { live: reader({ kind: 'no-target-groups' }) });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('live check skipped: fleet web-dev has no target groups in AWS yet (first deploy)');
    const none = await deploy(p, ['web-dev', '--auto-approve'], { live: reader({ kind: 'no-listener' }) });
    expect(none.stdout).toContain("no listener or listener rule forwards to fleet web-dev's target groups");
  });

  test('AWS that cannot be read stops the deploy (exit 2) with the way around', async () => {
    const p = project(promoted);
    const failing: LiveReader = {
      readWeights: async () => {
        throw new Error('Elastic Load Balancing: no AWS credentials; set AWS_PROFILE.');
      },
      fleets: async () => [],
    };
    const result = await deploy(p, ['web-dev', '--auto-approve'], { live: failing });
    expect(result.code).toBe(2);
    expect(result.calls).toEqual([]);
    expect(result.stderr).toContain('no AWS credentials; set AWS_PROFILE. To deploy without it, pass --no-live-check');
  });
});

describe('deploy: confirmation', () => {
  test('without a terminal and without --auto-approve, nothing is applied', async () => {
    const p = project(promoted);
    const result = await deploy(p, ['web-dev']);
    expect(result.code).toBe(1);
    expect(result.calls.map((c) => c.command)).toEqual(['init', 'plan', 'show']);
    expect(result.stderr).toContain('not applied: there is no terminal to confirm the plan on (CI?)');
  });

  test('in a terminal, "yes" applies and anything else does not', async () => {
    const p = project(promoted);
    const questions: string[] = [];
    const ask = (answer: string) => async (question: string) => {
      questions.push(question);
      return answer;
    };
    const no = await deploy(p, ['web-dev'], { deps: { interactive: true, ask: ask('y') } });
    expect([no.code, no.applied]).toEqual([1, []]);
    expect(no.stderr).toContain('not applied (answered "y"); the state is unchanged.');
    const yes = await deploy(p, ['web-dev'], { deps: { interactive: true, ask: ask('yes') } });
    expect([yes.code, yes.applied]).toEqual([0, ['applied deploy.tfplan']]);
    expect(questions).toEqual([
      '\nApply this plan to web-dev? Only "yes" applies it: ',
      '\nApply this plan to web-dev? Only "yes" applies it: ',
    ]);
  });

  test('--plan-only checks and applies nothing; a plan without changes applies nothing', async () => {
    const p = project(promoted);
    const planOnly = await deploy(p, ['web-dev', '--plan-only']);
    expect([planOnly.code, planOnly.applied]).toEqual([0, []]);
    expect(planOnly.stdout).toContain('--plan-only: not applied.');
    const unchanged = await deploy(p, ['web-dev', '--auto-approve'], { env: { FAKE_TF_PLAN_EXIT: '0' } });
    expect([unchanged.code, unchanged.applied]).toEqual([0, []]);
    expect(unchanged.stdout).toContain('deploy web-dev: no changes; nothing to apply.');
  });
});

describe('deploy: failures', () => {
  test('a failing plan or apply stops with its exit code named', async () => {
    const p = project(promoted);
    const plan = await deploy(p, ['web-dev', '--auto-approve'], { env: { FAKE_TF_PLAN_EXIT: '1' } });
    expect(plan.code).toBe(1);
    expect(plan.calls.map((c) => c.command)).toEqual(['init', 'plan']);
    expect(plan.stderr).toContain('plan failed (exit 1, output above). Nothing was applied;');
    const apply = await deploy(p, ['web-dev', '--auto-approve'], { env: { FAKE_TF_APPLY_EXIT: '1' } });
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('apply failed (exit 1, output above). The state holds what was applied before');
  });

  test('a missing binary names TERRAFORM_BINARY_NAME', async () => {
    const p = project(promoted);
    const result = await deploy(p, ['web-dev', '--auto-approve'], {
      env: { TERRAFORM_BINARY_NAME: join(p.dir, 'no-such-tofu') },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /cannot run .*no-such-tofu \(ENOENT\); install Terraform, or OpenTofu with TERRAFORM_BINARY_NAME=tofu/,
    );
  });

  test('a failing synth stops before anything else', async () => {
    const p = project(promoted);
    writeFileSync(join(p.dir, 'app.js'), 'process.exit(3)');
    const result = await deploy(p, ['web-dev', '--auto-approve']);
    expect(result.code).toBe(1);
    expect(result.calls).toEqual([]);
    expect(result.stderr).toContain('synth failed ("node app.js" exited 3); nothing was planned.');
  });

  test('an unknown stack lists the stacks', async () => {
    const p = project(promoted);
    const result = await deploy(p, ['web-prod', '--auto-approve']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the app has no stack "web-prod" (stacks: web-dev)');
  });

  test('a synth output not built from the release file is refused (exit 2)', async () => {
    const p = project(promoted);
    // synthesize, then change the release file without synthesizing again
    await deploy(p, ['web-dev', '--plan-only']);
    writeFileSync(join(p.dir, 'releases', 'dev.json'), formatReleaseFile(blueServes));
    const result = await deploy(p, ['web-dev', '--auto-approve', '--synth-dir', 'cdktf.out']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'the synthesized stack sends blue 0% / green 100% to fleet web-dev, but releases/dev.json asks for blue 100% / ' +
        'green 0%: the synth output was not built from this release file.',
    );
  });

  test('no release file for the stack: name it with --release, or skip the check with a reason', async () => {
    const p = project(promoted);
    const result = await deploy(p, ['web-dev', '--auto-approve', '--dir', join(p.dir, 'nowhere')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('live check: no release file in');
    expect(result.stderr).toContain('name it with --release <env or file>, or pass --no-live-check "<reason>"');
    const named = await deploy(p, ['web-dev', '--auto-approve', '--release', 'releases/dev.json']);
    expect(named.code).toBe(0);
  });

  test.each([
    [[], 'deploy: name one stack (got none)'],
    [['a', 'b'], 'deploy: name one stack (got "a b")'],
    [['web-dev', '--region', 'mars'], 'deploy: --region "mars" is not an AWS region'],
    [['web-dev', '--no-live-check', ''], 'deploy: --no-live-check needs a value.'],
    [['web-dev', '--no-live-check', 'x'], 'deploy: --no-live-check needs a reason'],
    [['web-dev', '--apply'], 'deploy: unknown option "--apply"'],
  ])('bad arguments %j: exit 2', async (args, message) => {
    const p = project(promoted);
    await expect(deploy(p, args)).rejects.toThrow(message);
  });
});

describe('release run: the guarded deploy by default', () => {
  const spec = { values: ['dir', 'region', 'deploy', 'stack', 'interval'] };

  test('--stack, or the stack of the last synth named <env> or *-<env>: deploy --auto-approve --release <env>', async () => {
    const p = project(promoted);
    const store = new ReleaseStore(join(p.dir, 'releases'));
    const named = deployStep(store, 'dev', parseArgs(['--stack', 'web-dev'], spec, 'run'));
    expect(named.shown).toBe(`cdktf-immutable deploy web-dev --auto-approve --release dev --dir ${store.directory}`);
    expect(named.argv!.slice(1)).toEqual([
      'deploy',
      'web-dev',
      '--auto-approve',
      '--release',
      'dev',
      '--dir',
      store.directory,
    ]);
    expect(named.argv![0]).toMatch(/cdktf-immutable\.js$/);
    await deploy(p, ['web-dev', '--plan-only']); // writes cdktf.out
    const saved = process.cwd();
    process.chdir(p.dir);
    try {
      expect(deployStep(store, 'dev', parseArgs([], spec, 'run')).argv!.slice(1, 3)).toEqual(['deploy', 'web-dev']);
      expect(() => deployStep(store, 'prod', parseArgs([], spec, 'run'))).toThrow(
        /no stack of cdktf\.out named prod or \*-prod; name the stack with --stack/,
      );
    } finally {
      process.chdir(saved);
    }
    expect(deployStep(store, 'dev', parseArgs(['--deploy', 'make deploy'], spec, 'run'))).toEqual({
      shown: 'make deploy',
    });
  });
});
