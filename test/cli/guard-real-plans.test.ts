/**
 * The built `cdktf-immutable guard` on real plans: test/fixtures/plans/e2e-*.json are
 * `tofu show -json` outputs saved by the end-to-end tests (test/e2e/, OpenTofu with the
 * real AWS provider against moto), untrimmed. Regenerate them with `npm run test:e2e`.
 * (`preview` compares synth outputs, not plans, so it does not apply to these files.)
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { runCli } from './run-cli';

const PLANS = join(__dirname, '..', 'fixtures', 'plans');
const plan = (name: string) => join(PLANS, `e2e-${name}.json`);

/**
 * The e2e fleets scale (a target-tracking policy per group), and moto's DescribePolicies
 * answers make every plan update each existing policy in place (a known emulator
 * artifact, test/e2e/harness/emulator-artifacts.ts); scaling policies are mutable by
 * design, so the guard lists these updates and passes them.
 */
const BLUE_POLICY = 'aws_autoscaling_policy.Web_Blue_ScalingPolicy_05CE0E9F';
const GREEN_POLICY = 'aws_autoscaling_policy.Web_Green_ScalingPolicy_D396726B';

function guardJson(file: string): { code: number | null; report: any } {
  const result = runCli(['guard', file, '--json']);
  return { code: result.code, report: JSON.parse(result.stdout) };
}

describe('guard on real OpenTofu plans of pinned slots (test/e2e/pinning.e2e.test.ts)', () => {
  test('the fleet-wide user data changed with both slots pinned: nothing to do, and the check failed in the plan', () => {
    const { code, report } = guardJson(plan('pinned-settings'));
    expect(code).toBe(0);
    expect(report.changes).toEqual([]);
    const json = JSON.parse(readFileSync(plan('pinned-settings'), 'utf8'));
    expect(json.checks.find((c: any) => c.address.to_display === 'check.e2e_pin_green_pinned').status).toBe('fail');
  });

  test('the same change with pinning switched off replaces the serving slot: exit 1, naming the command', () => {
    const { code, report } = guardJson(plan('pinned-unpinned'));
    expect(code).toBe(1);
    expect(report.violations.map((v: any) => `${v.kind} ${v.address}`)).toEqual([
      'serving-slot-changed aws_autoscaling_group.Web_Green_AutoScalingGroup_70F3CBBA',
      'serving-slot-changed aws_launch_template.Web_Green_LaunchTemplate_79031D5E',
    ]);
    expect(report.violations[0].message).toMatch(/serves 100% of the traffic .*release stage <env> --same-image/);
    // the rollback slot (blue, weight 0) is replaced too, which is no violation of its own
    expect(report.changes.map((c: any) => c.address)).toContain('aws_launch_template.Web_Blue_LaunchTemplate_0CDF2054');
  });

  test.each([
    ['pinned-same-image', 4],
    ['pinned-rollback', 1],
  ])('%s: passes', (name, changes) => {
    const { code, report } = guardJson(plan(name));
    expect(code).toBe(0);
    expect(report.violations).toEqual([]);
    expect(report.changes).toHaveLength(changes);
  });
});

describe('guard on real OpenTofu plans', () => {
  test("stage: green's launch template, group, scaling policy and in-use mark replaced create-before-destroy pass", () => {
    const result = runCli(['guard', plan('stage')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Plan actions: \d+ no-op, 4 create,delete, 1 update/); // green's template, group, policy and in-use mark; blue's policy (emulator artifact)
    expect(result.stdout).toMatch(/guard: ok/);
    const { report } = guardJson(plan('stage'));
    expect(report.violations).toEqual([]);
    expect(report.changes.map((c: any) => [c.address, c.actions.join(',')]).sort()).toEqual([
      ['aws_autoscaling_group.Web_Green_AutoScalingGroup_70F3CBBA', 'create,delete'],
      [BLUE_POLICY, 'update'],
      [GREEN_POLICY, 'create,delete'],
      ['aws_ec2_tag.Web_Green_InUse_FADA0A6B', 'create,delete'],
      ['aws_launch_template.Web_Green_LaunchTemplate_79031D5E', 'create,delete'],
    ]);
  });

  test.each(['promote', 'rollback'])('%s: only the listener is updated, and passes', (name) => {
    const { code, report } = guardJson(plan(name));
    expect(code).toBe(0);
    expect(report.violations).toEqual([]);
    expect(report.changes).toEqual([
      { address: BLUE_POLICY, type: 'aws_autoscaling_policy', actions: ['update'] },
      { address: GREEN_POLICY, type: 'aws_autoscaling_policy', actions: ['update'] },
      { address: 'aws_lb_listener.Web_Listener_8E68D58A', type: 'aws_lb_listener', actions: ['update'] },
    ]);
  });

  test('replace strategy: the new generation replaces the old create-before-destroy and passes', () => {
    const { code, report } = guardJson(plan('replace'));
    expect(code).toBe(0);
    expect(report.violations).toEqual([]);
    expect(report.changes.map((c: any) => `${c.type} ${c.actions.join(',')}`).sort()).toEqual([
      'aws_autoscaling_group create,delete',
      'aws_autoscaling_policy create,delete',
      'aws_launch_template create,delete',
    ]);
  });

  test('violation: a fixed-name launch template updated in place fails, naming it and the image', () => {
    const result = runCli(['guard', plan('violation')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /FAIL aws_launch_template\.Mutable: immutable aws_launch_template updated in place \(image_id, latest_version\)/,
    );
    expect(result.stderr).toMatch(/1 violation/);
  });

  test('forget and moved: a real OpenTofu 1.11 plan with a removed block (destroy = false) and a moved block exits 0', () => {
    // tofu-forget-moved.json: terraform_data resources, planned and shown by the
    // toolchain's OpenTofu 1.11.7 (`removed { lifecycle { destroy = false } }` and `moved`).
    const file = join(PLANS, 'tofu-forget-moved.json');
    const { code, report } = guardJson(file);
    expect(code).toBe(0);
    expect(report.actions).toEqual({ forget: 1, 'no-op': 1 });
    expect(report.forgotten).toEqual(['terraform_data.a']);
    expect(report.moved).toEqual([{ address: 'terraform_data.d', previousAddress: 'terraform_data.c' }]);
  });

  test('the stage plan turned delete-before-create fails on both resources', () => {
    const json = JSON.parse(readFileSync(plan('stage'), 'utf8'));
    for (const rc of json.resource_changes) {
      if (rc.change.actions.join(',') === 'create,delete') {
        rc.change.actions = ['delete', 'create'];
      }
    }
    const file = join(mkdtempSync(join(tmpdir(), 'guard-real-')), 'dbc.json');
    writeFileSync(file, JSON.stringify(json));
    const { code, report } = guardJson(file);
    expect(code).toBe(1);
    expect(report.violations.map((v: any) => `${v.address} ${v.kind}`).sort()).toEqual([
      'aws_autoscaling_group.Web_Green_AutoScalingGroup_70F3CBBA delete-before-create',
      'aws_launch_template.Web_Green_LaunchTemplate_79031D5E delete-before-create',
    ]);
  });
});
