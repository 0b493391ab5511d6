import { BlueGreenFleet, guardPlan, ImageSource, PlanFileError } from '../../lib';
import { BLUE_ASG, BLUE_LT, GREEN_ASG, stagePlan } from './plan-cases';
import { AMI_1, AMI_2, Json, newStack, SUBNETS, synthWithMetadata, VPC } from '../support/synth';

// The guard's rules for pinned slots, on plans derived from a real OpenTofu plan
// (e2e-stage.json: blue serves 100%, green is replaced create-before-destroy): a change
// of the serving slot outside a release, a target group replaced delete-before-create,
// a destroy of what a kept slot uses, and (with --config) the lifecycle of the
// synthesized stack.

type Plan = ReturnType<typeof stagePlan>;

function find(plan: Plan, address: string): Json {
  const found = plan.resource_changes.find((rc: Json) => rc.address === address);
  if (!found) {
    throw new Error(`${address} is not in the plan`);
  }
  return found;
}

/** The change as Terraform plans a create-before-destroy replacement of the resource. */
function replaceCbd(plan: Plan, address: string, after: Json = {}): void {
  const rc = find(plan, address);
  rc.change = { ...rc.change, actions: ['create', 'delete'], after: { ...rc.change.before, ...after } };
}

function destroy(plan: Plan, address: string): void {
  const rc = find(plan, address);
  rc.change = { ...rc.change, actions: ['delete'], after: null };
}

const kinds = (plan: Plan, options = {}) =>
  guardPlan(plan, 'plan.json', options).violations.map((v) => `${v.kind} ${v.address}`);

const INGRESS = 'aws_security_group_rule.Web_InstanceIngressFromLoadBalancer_2A46BB72';
const LB_EGRESS = 'aws_security_group_rule.Web_LoadBalancerEgressToInstances_F0F3F8C8';
const INSTANCE_SG = 'aws_security_group.Web_InstanceSecurityGroup_FB051E74';
const BLUE_TG = 'aws_lb_target_group.Web_Blue_TargetGroup_786D8717';
const GREEN_TG = 'aws_lb_target_group.Web_Green_TargetGroup_3DF5EF75';

describe('guard: the serving slot changes only with a release', () => {
  test('a stage (the idle slot replaced) passes', () => {
    expect(kinds(stagePlan())).toEqual([]);
  });

  test('the serving slot replaced (pinning switched off, a settings change) is a violation naming the command', () => {
    const plan = stagePlan();
    replaceCbd(plan, BLUE_ASG, { name: 'e2e-web-blue-2222222222' });
    replaceCbd(plan, BLUE_LT, { name: 'e2e-web-blue-2222222222' });
    const report = guardPlan(plan);
    expect(report.violations.map((v) => `${v.kind} ${v.address}`)).toEqual([
      `serving-slot-changed ${BLUE_ASG}`,
      `serving-slot-changed ${BLUE_LT}`,
    ]);
    expect(report.violations[0].message).toBe(
      'aws_autoscaling_group of the blue slot of fleet e2e-web, which serves 100% of the traffic before this ' +
        'apply: the plan replaces it outside a release. A serving slot is pinned to what it runs; ship a change of ' +
        'its server settings as a release: "cdktf-immutable release stage <env> --same-image", deploy, then ' +
        'promote (is the context key cdktf-immutable:pinning set to false?).',
    );
  });

  test('an in-place update of the serving group: operational attributes pass, its definition does not', () => {
    const operational = stagePlan();
    const group = find(operational, BLUE_ASG);
    group.change = { ...group.change, actions: ['update'], after: { ...group.change.before, min_size: 3 } };
    expect(kinds(operational)).toEqual([]);
    const definition = stagePlan();
    const changed = find(definition, BLUE_ASG);
    changed.change = {
      ...changed.change,
      actions: ['update'],
      after: { ...changed.change.before, vpc_zone_identifier: ['subnet-0000000000000000f'] },
    };
    expect(kinds(definition)).toEqual([`update-in-place ${BLUE_ASG}`, `serving-slot-changed ${BLUE_ASG}`]);
  });

  test('a canary slot serves too: its replacement is a violation', () => {
    const plan = stagePlan();
    const listener = find(plan, 'aws_lb_listener.Web_Listener_8E68D58A');
    const targets = listener.change.before.default_action[0].forward[0].target_group;
    targets[0].weight = 90;
    targets[1].weight = 10;
    expect(kinds(plan)).toEqual([
      `serving-slot-changed ${GREEN_ASG}`,
      'serving-slot-changed aws_launch_template.Web_Green_LaunchTemplate_79031D5E',
    ]);
  });

  test('a listener rule on an existing listener is read the same way; groups are found by their tags too', () => {
    const plan = stagePlan();
    const listener = find(plan, 'aws_lb_listener.Web_Listener_8E68D58A');
    listener.type = 'aws_lb_listener_rule';
    listener.address = 'aws_lb_listener_rule.Web_ListenerRule_1';
    listener.change.before = { action: listener.change.before.default_action };
    replaceCbd(plan, BLUE_ASG, { name: 'e2e-web-blue-2222222222' });
    find(plan, BLUE_ASG).change.before.target_group_arns = [];
    expect(kinds(plan)).toEqual([`serving-slot-changed ${BLUE_ASG}`]);
  });

  test('a plain destroy of the serving slot is a violation unless --allow-destroy names it', () => {
    const plan = stagePlan();
    destroy(plan, BLUE_ASG);
    expect(kinds(plan)).toContain(`serving-slot-changed ${BLUE_ASG}`);
    expect(kinds(plan, { allowDestroy: [BLUE_ASG] })).not.toContain(`serving-slot-changed ${BLUE_ASG}`);
  });
});

describe('guard: what a kept slot uses is never taken away', () => {
  test('a target group replaced delete-before-create is refused, naming the port and the way to change it', () => {
    const plan = stagePlan();
    const tg = find(plan, GREEN_TG);
    tg.change = { ...tg.change, actions: ['delete', 'create'], after: { ...tg.change.before, port: 8080 } };
    const violation = guardPlan(plan).violations.find((v) => v.address === GREEN_TG)!;
    expect(violation).toMatchObject({ kind: 'delete-before-create', attributes: ['port'] });
    expect(violation.message).toMatch(
      /run the new port in a new fleet \(docs\/fleets\.md, "Shared resources and changing the port"\)/,
    );
  });

  test("a security group destroyed while the pinned slot's template uses it", () => {
    const plan = stagePlan();
    replaceCbd(plan, INSTANCE_SG, { id: 'sg-0aaaaaaaaaaaaaaaa', arn: 'arn:new', name: 'e2e-web-instances-2' });
    const violation = guardPlan(plan).violations.find((v) => v.address === INSTANCE_SG)!;
    expect(violation.kind).toBe('in-use-destroyed');
    expect(violation.message).toMatch(
      new RegExp(`is destroyed while ${BLUE_LT.replace(/\./g, '\\.')} \\(network_interfaces\\) still uses its id sg-`),
    );
  });

  test("the ingress rule for the pinned slot's port destroyed (a port change) is refused; a replacement that keeps the port passes", () => {
    const cut = stagePlan();
    const rule = find(cut, INGRESS);
    rule.change = {
      ...rule.change,
      actions: ['delete', 'create'],
      after: { ...rule.change.before, from_port: 8080, to_port: 8080 },
    };
    const lbRule = find(cut, LB_EGRESS);
    lbRule.change = {
      ...lbRule.change,
      actions: ['delete', 'create'],
      after: { ...lbRule.change.before, from_port: 8080, to_port: 8080 },
    };
    expect(kinds(cut)).toEqual([`in-use-destroyed ${INGRESS}`, `in-use-destroyed ${LB_EGRESS}`]);
    expect(guardPlan(cut).violations[0].message).toMatch(/lets traffic reach port 80 of a kept \(pinned\) slot/);
    const kept = stagePlan();
    const same = find(kept, INGRESS);
    same.change = { ...same.change, actions: ['delete', 'create'], after: { ...same.change.before, description: 'x' } };
    expect(kinds(kept)).toEqual([]);
  });

  test('the egress rule (HTTPS out) destroyed does not cut the slot', () => {
    const plan = stagePlan();
    destroy(plan, 'aws_security_group_rule.Web_InstanceEgressHttps_1CEC3CFF');
    expect(kinds(plan)).toEqual([]);
  });

  test('the target group the pinned group is attached to destroyed', () => {
    const plan = stagePlan();
    destroy(plan, BLUE_TG);
    expect(kinds(plan)).toEqual([`in-use-destroyed ${BLUE_TG}`]);
  });
});

describe('guard --config: the lifecycle of the synthesized stack', () => {
  /** The stack the e2e plan was made from (fleet Web, blue serving and pinned, green staged). */
  function config(): Json {
    const stack = newStack('prod');
    new BlueGreenFleet(stack, 'Web', {
      name: 'e2e-web',
      vpcId: VPC,
      subnetIds: SUBNETS,
      slots: { blue: { image: ImageSource.fromAmiId(AMI_1) }, green: { image: ImageSource.fromAmiId(AMI_2) } },
      active: 'blue',
      stagedSlot: 'green',
      releaseEnvironment: 'prod',
    });
    return synthWithMetadata(stack);
  }
  const one = (json: Json, type: string, part: string): Json =>
    Object.entries(json.resource[type]).find(([name]) => name.includes(part))![1] as Json;

  test('without it, the report says the lifecycle was not checked', () => {
    expect(guardPlan(stagePlan())).toMatchObject({ lifecycleChecked: false, acknowledged: [] });
  });

  test("the library's pinning is acknowledged and listed by name", () => {
    const report = guardPlan(stagePlan(), 'plan.json', { config: config() });
    expect(report.violations).toEqual([]);
    expect(report.lifecycleChecked).toBe(true);
    expect(report.acknowledged.map((a) => `${a.address} ${a.rule} ${a.subjects.join(',')}`).sort()).toEqual([
      expect.stringMatching(
        /^aws_autoscaling_group\.Web_Blue_AutoScalingGroup_[0-9A-F]+ ignore-changes availability_zone_distribution,/,
      ),
      expect.stringMatching(/^aws_launch_template\.Web_Blue_LaunchTemplate_[0-9A-F]+ ignore-changes all$/),
    ]);
    expect(report.acknowledged[0].reason).toMatch(/^pinned blue slot: the blue slot serves the traffic/);
  });

  test('ignore_changes without an acknowledgement is a violation; with one it is listed', () => {
    const json = config();
    one(json, 'aws_launch_template', '_Green_').lifecycle.ignore_changes = 'all';
    const report = guardPlan(stagePlan(), 'plan.json', { config: json });
    expect(report.violations).toEqual([
      expect.objectContaining({
        kind: 'ignore-changes',
        address: expect.stringMatching(/^aws_launch_template\.Web_Green_LaunchTemplate_/),
        actions: ['create', 'delete'],
        attributes: ['all'],
        message: expect.stringMatching(
          /acknowledge it with a reason in the construct: ImmutabilityAspect\.acknowledgeLifecycle/,
        ),
      }),
    ]);
    one(json, 'aws_launch_template', '_Green_')['//']['cdktf-immutable'] = {
      acknowledged: { 'ignore-changes': 'an agent updates it; OPS-123' },
    };
    const acknowledged = guardPlan(stagePlan(), 'plan.json', { config: json });
    expect(acknowledged.violations).toEqual([]);
    expect(acknowledged.acknowledged).toContainEqual(
      expect.objectContaining({ rule: 'ignore-changes', reason: 'an agent updates it; OPS-123' }),
    );
  });

  test('a removed replace_triggered_by is a violation', () => {
    const json = config();
    delete one(json, 'aws_autoscaling_group', '_Green_').lifecycle.replace_triggered_by;
    expect(kinds(stagePlan(), { config: json })).toEqual([
      expect.stringMatching(/^replace-triggered-by-removed aws_autoscaling_group\.Web_Green_AutoScalingGroup_/),
    ]);
  });

  test('a config that is not a stack is refused; a stack without resources has no lifecycle to break', () => {
    expect(() => guardPlan(stagePlan(), 'plan.json', { config: [] })).toThrow(
      new PlanFileError(
        'plan.json: the config is not the Terraform JSON of a stack; pass the synthesized stack the plan was made ' +
          'from (--config cdktf.out/stacks/<stack>/cdk.tf.json).',
      ),
    );
    expect(guardPlan(stagePlan(), 'plan.json', { config: {} })).toMatchObject({ lifecycleChecked: true });
  });
});
