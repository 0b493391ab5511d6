/**
 * The plan guard, case by case, on plans in the shape OpenTofu and Terraform write
 * (derived from the real e2e stage plan, see plan-cases.ts).
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { guardPlan } from '../../lib/review';
import {
  BLUE_ASG,
  BLUE_LT,
  createBeforeDestroySameName,
  deletedByHand,
  destroyUnreplaced,
  driftedLaunchTemplate,
  forgetGreenSlot,
  GREEN_ASG,
  GREEN_LT,
  GREEN_MARK,
  MOVED_BLUE_ASG,
  movedBlueGroup,
  PLANS,
  RENAMED_GREEN_ASG,
  renamedWithoutMoved,
  stagePlan,
  taintedMark,
} from './plan-cases';

const kinds = (report: ReturnType<typeof guardPlan>) => report.violations.map((v) => `${v.address} ${v.kind}`).sort();

describe('guard: destroys of immutable resources', () => {
  test('a delete with no create at the same address is a violation naming --allow-destroy and the address', () => {
    const report = guardPlan(destroyUnreplaced());
    expect(kinds(report)).toEqual([`${GREEN_ASG} destroy`, `${GREEN_LT} destroy`]);
    const asg = report.violations.find((v) => v.address === GREEN_ASG)!;
    expect(asg.message).toContain(`pass --allow-destroy ${GREEN_ASG}`);
    expect(asg.actions).toEqual(['delete']);
  });

  test('--allow-destroy by address and by glob allows them; unmatched patterns are reported', () => {
    const exact = guardPlan(destroyUnreplaced(), 'plan', { allowDestroy: [GREEN_ASG] });
    expect(kinds(exact)).toEqual([`${GREEN_LT} destroy`]);
    expect(exact.allowedDestroys).toEqual([GREEN_ASG]);
    const glob = guardPlan(destroyUnreplaced(), 'plan', { allowDestroy: ['aws_*.Web_Green_*', 'aws_lb.*'] });
    expect(glob.violations).toEqual([]);
    expect([...glob.allowedDestroys].sort()).toEqual([GREEN_ASG, GREEN_LT]);
    expect(glob.unusedAllowDestroy).toEqual(['aws_lb.*']);
  });

  test('a glob does not match more than it says: ? is one character, dots are literal', () => {
    expect(
      kinds(guardPlan(destroyUnreplaced(), 'plan', { allowDestroy: ['aws_autoscaling_group?Web_Green_*'] })),
    ).toEqual([`${GREEN_LT} destroy`]);
    expect(
      guardPlan(destroyUnreplaced(), 'plan', { allowDestroy: ['aws_autoscaling_groupXWeb_Green_*'] }).violations,
    ).toHaveLength(2);
  });

  test('a delete at one address and a create of the same type at another (renamed, no moved block) is a violation that suggests the moved block', () => {
    const report = guardPlan(renamedWithoutMoved());
    expect(kinds(report)).toEqual([`${GREEN_ASG} destroy`]);
    expect(report.violations[0].message).toContain(
      `${RENAMED_GREEN_ASG} of the same type is created at another address`,
    );
    expect(report.violations[0].message).toContain(`moved { from = ${GREEN_ASG}, to = ${RENAMED_GREEN_ASG} }`);
    expect(report.violations[0].message).toContain(`--allow-destroy ${GREEN_ASG}`);
  });

  test('a deposed object (left by an interrupted create-before-destroy apply) may be destroyed: its replacement is current', () => {
    const plan = stagePlan();
    const current = plan.resource_changes.find((rc: any) => rc.address === GREEN_LT);
    plan.resource_changes.push({
      ...current,
      deposed: '8f14e45f',
      change: {
        actions: ['delete'],
        before: current.change.before,
        after: null,
        after_unknown: {},
        before_sensitive: current.change.before_sensitive,
        after_sensitive: false,
      },
    });
    const report = guardPlan(plan);
    expect(report.violations).toEqual([]);
    expect(report.actions.delete).toBe(1);
  });

  test('a destroy of a mutable-by-design or other resource passes (when no kept server uses it)', () => {
    const plan = stagePlan();
    for (const rc of plan.resource_changes.filter((r: any) => r.type === 'aws_lb_listener' || r.type === 'aws_vpc')) {
      rc.change = {
        actions: ['delete'],
        before: rc.change.before,
        after: null,
        after_unknown: {},
        before_sensitive: rc.change.before_sensitive,
        after_sensitive: false,
      };
    }
    expect(guardPlan(plan).violations).toEqual([]);
  });
});

describe('guard: forget and moved', () => {
  test('forget (removed block with destroy = false) is a valid action and no violation', () => {
    const report = guardPlan(forgetGreenSlot());
    expect(report.violations).toEqual([]);
    expect(report.actions.forget).toBe(2);
    expect([...report.forgotten].sort()).toEqual([GREEN_ASG, GREEN_LT]);
  });

  test('create-then-forget (a replacement whose old object is kept) is no violation either', () => {
    const plan = stagePlan();
    plan.resource_changes.find((rc: any) => rc.address === GREEN_LT).change.actions = ['create', 'forget'];
    expect(guardPlan(plan).violations).toEqual([]);
  });

  test('a moved resource (previous_address) is no violation and is reported', () => {
    const report = guardPlan(movedBlueGroup());
    expect(report.violations).toEqual([]);
    expect(report.moved).toEqual([{ address: MOVED_BLUE_ASG, previousAddress: BLUE_ASG }]);
  });
});

describe('guard: drift', () => {
  test('drift of an immutable resource is a violation listing the drifted attributes; operational drift is not', () => {
    const report = guardPlan(driftedLaunchTemplate());
    expect(kinds(report)).toEqual([`${BLUE_LT} drift`]);
    expect(report.violations[0].attributes).toEqual(['default_version', 'image_id', 'latest_version']);
    expect(report.violations[0].message).toMatch(
      /changed outside Terraform \(resource_drift: default_version, image_id, latest_version\)/,
    );
  });

  test('the refresh normalisation of the real plan (null -> [] and {}) is no drift', () => {
    const plan = stagePlan();
    expect(plan.resource_drift.length).toBeGreaterThan(0);
    expect(guardPlan(plan).violations).toEqual([]);
  });

  test('an immutable resource deleted outside Terraform is drift', () => {
    const report = guardPlan(deletedByHand());
    expect(kinds(report)).toEqual([`${BLUE_LT} drift`]);
    expect(report.violations[0].message).toMatch(/deleted outside Terraform/);
  });

  test('drift of a mutable-by-design resource passes', () => {
    const plan = stagePlan();
    const listener = plan.resource_drift.find((d: any) => d.type === 'aws_lb_listener');
    listener.change.after.port = 8080;
    expect(guardPlan(plan).violations).toEqual([]);
  });
});

describe('guard: create-before-destroy with a fixed name', () => {
  test('a replacement that keeps its fixed name is reported (its apply fails with "already exists"); name_prefix is fine', () => {
    const report = guardPlan(createBeforeDestroySameName());
    expect(kinds(report)).toEqual([`${GREEN_ASG} name-collision`]);
    expect(report.violations[0].attributes).toEqual(['name']);
    expect(report.violations[0].message).toMatch(/same fixed name "e2e-web-green".*already exists.*name_prefix/);
  });

  test('the generation-named replacements of the real stage plan pass', () => {
    expect(guardPlan(stagePlan()).violations).toEqual([]);
  });
});

describe('guard: a tag replaced on itself', () => {
  test('a tainted in-use mark replaced on the same AMI and key is reported with the untaint fix', () => {
    const report = guardPlan(taintedMark());
    expect(kinds(report)).toEqual([`${GREEN_MARK} tag-replaced-on-itself`]);
    const [violation] = report.violations;
    expect(violation.attributes).toEqual(['resource_id', 'key']);
    expect(violation.message).toMatch(/^tainted, replaced create-before-destroy on the same resource "ami-/);
    expect(violation.message).toContain('"cdktf-immutable:in-use:e2e-web:green"');
    expect(violation.message).toContain(`terraform untaint ${GREEN_MARK}`);
  });

  test('a mark that moves to another AMI (the real stage plan) or whose AMI is unknown passes', () => {
    const plan = stagePlan();
    const mark = plan.resource_changes.find((rc: any) => rc.address === GREEN_MARK);
    expect(mark.change.actions).toEqual(['create', 'delete']);
    expect(mark.change.before.resource_id).not.toEqual(mark.change.after.resource_id);
    expect(guardPlan(plan).violations).toEqual([]);
    const unknown = taintedMark();
    const rc = unknown.resource_changes.find((c: any) => c.address === GREEN_MARK);
    delete rc.change.after.resource_id;
    rc.change.after_unknown.resource_id = true;
    expect(guardPlan(unknown).violations).toEqual([]);
  });
});

describe('guard: forbidden attributes', () => {
  test('an Image Builder distribution that sets launch_template_configuration is a violation', () => {
    const plan = JSON.parse(readFileSync(join(PLANS, 'distribution-launch-template-configuration.json'), 'utf8'));
    const report = guardPlan(plan);
    expect(report.violations).toEqual([
      expect.objectContaining({
        address: 'aws_imagebuilder_distribution_configuration.Web_Distribution_6159A101',
        kind: 'forbidden-attribute',
        attributes: ['distribution.launch_template_configuration'],
      }),
    ]);
    expect(report.violations[0].message).toMatch(/rewrites the launch templates/);
  });

  test('the same distribution without it passes', () => {
    const plan = JSON.parse(readFileSync(join(PLANS, 'distribution-launch-template-configuration.json'), 'utf8'));
    plan.resource_changes[0].change.after.distribution[0].launch_template_configuration = [];
    expect(guardPlan(plan).violations).toEqual([]);
  });
});

describe('guard: types that change what runs', () => {
  test.each([
    [
      'aws_ssm_association',
      { name: 'AWS-RunShellScript', parameters: { commands: 'systemctl restart app' } },
      { name: 'AWS-RunShellScript', parameters: { commands: 'rm -rf /srv/app' } },
    ],
    ['aws_ssm_document', { name: 'deploy', content: '{"a":1}' }, { name: 'deploy', content: '{"a":2}' }],
    [
      'aws_eks_node_group',
      { node_group_name: 'ng', release_version: '1.31.0-20250101' },
      { node_group_name: 'ng', release_version: '1.31.0-20250201' },
    ],
    [
      'docker_service',
      { name: 'web', task_spec: [{ container_spec: [{ image: 'web:1' }] }] },
      { name: 'web', task_spec: [{ container_spec: [{ image: 'web:2' }] }] },
    ],
  ])('%s updated in place is a violation', (type, before, after) => {
    const plan = {
      format_version: '1.2',
      planned_values: {},
      resource_changes: [
        {
          address: `${type}.x`,
          mode: 'managed',
          type,
          name: 'x',
          change: { actions: ['update'], before, after, after_unknown: {} },
        },
      ],
    };
    expect(kinds(guardPlan(plan))).toEqual([`${type}.x update-in-place`]);
  });

  test('an EKS node group scaling change is operational', () => {
    const plan = {
      format_version: '1.2',
      planned_values: {},
      resource_changes: [
        {
          address: 'aws_eks_node_group.x',
          mode: 'managed',
          type: 'aws_eks_node_group',
          name: 'x',
          change: {
            actions: ['update'],
            before: { scaling_config: [{ desired_size: 2 }] },
            after: { scaling_config: [{ desired_size: 4 }] },
            after_unknown: {},
          },
        },
      ],
    };
    const report = guardPlan(plan);
    expect(report.violations).toEqual([]);
    expect(report.operationalUpdates).toEqual([{ address: 'aws_eks_node_group.x', attributes: ['scaling_config'] }]);
  });
});

describe('guard: what counts as a plan, and as a change', () => {
  const groupUpdate = (before: Record<string, unknown>, after: Record<string, unknown>) => ({
    format_version: '1.2',
    planned_values: { root_module: {} },
    resource_changes: [
      {
        address: BLUE_ASG,
        mode: 'managed',
        type: 'aws_autoscaling_group',
        name: 'x',
        change: { actions: ['update'], before, after, after_unknown: {} },
      },
    ],
  });

  test('a group grown in place whose provider reads an unset block back as "" (moto) is an operational update', () => {
    const report = guardPlan(
      groupUpdate(
        { max_size: 2, capacity_reservation_specification: null },
        { max_size: 4, capacity_reservation_specification: '' },
      ),
    );
    expect(report.violations).toEqual([]);
    expect(report.operationalUpdates).toEqual([{ address: BLUE_ASG, attributes: ['max_size'] }]);
  });

  test('null, "", [] and {} are alike, but a value that becomes empty is a change', () => {
    expect(
      guardPlan(groupUpdate({ max_size: 2, launch_template: [] }, { max_size: 3, launch_template: null })).violations,
    ).toEqual([]);
    expect(kinds(guardPlan(groupUpdate({ launch_template: [{ id: 'lt-1' }] }, { launch_template: '' })))).toEqual([
      `${BLUE_ASG} update-in-place`,
    ]);
  });

  test('a plan with no changes (OpenTofu leaves resource_changes out) is a plan', () => {
    const report = guardPlan({
      format_version: '1.2',
      terraform_version: '1.11.7',
      planned_values: { root_module: {} },
      configuration: { root_module: {} },
      errored: false,
    });
    expect(report.changes).toEqual([]);
    expect(report.violations).toEqual([]);
  });

  test.each<[string, unknown, RegExp]>([
    [
      'state JSON',
      { format_version: '1.0', terraform_version: '1.11.7', values: { root_module: {} } },
      /this is state JSON/,
    ],
    ['the JSON of an empty state', { format_version: '1.0' }, /has no "planned_values"/],
    ['a plan that errored', { format_version: '1.2', planned_values: {}, errored: true }, /the plan errored/],
    [
      'a Terraform plan with deferred changes',
      { format_version: '1.2', planned_values: {}, complete: false },
      /not complete/,
    ],
  ])('%s is refused (PlanFileError: exit 2)', (_name, plan, message) => {
    expect(() => guardPlan(plan)).toThrow(message);
  });
});
