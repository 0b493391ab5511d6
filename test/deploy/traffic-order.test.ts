import 'cdktf/lib/testing/adapters/jest';
import { TerraformVariable } from 'cdktf';
import { DataAwsAutoscalingGroup } from '@cdktf/provider-aws/lib/data-aws-autoscaling-group';
import { DataAwsAutoscalingGroups } from '@cdktf/provider-aws/lib/data-aws-autoscaling-groups';
import { BlueGreenFleet, FleetLoadBalancer, FleetScaling, ImageSource } from '../../lib';
import { address, compare, fromRelease, Release, resource, synthBlueGreen, synthReplace } from './fleet-helpers';
import { AMI_1, AMI_2, AMI_3, Json, newStack, synthJson } from '../support/synth';

// Ordering: the weighted listener (or listener rule) is applied after every slot group
// that can carry weight. Capacity: a slot that takes weight runs at least its share of
// the other slot's size, read at plan time.

const synth = (release: Release, extra = {}) => synthBlueGreen(fromRelease(release, extra));
const asg = (json: Json, slot: 'Blue' | 'Green') => address(json, 'aws_autoscaling_group', slot);
const localRef = (json: Json) => `local.${Object.keys(json.locals)[0]}`;
const traffic = (json: Json) => json.locals[Object.keys(json.locals)[0]];
const dataNames = (json: Json, type: string) => Object.keys(json.data?.[type] ?? {});
const LISTENER_RULE = FleetLoadBalancer.fromListener({
  listenerArn:
    'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/0123456789abcdef/0123456789abcdef',
  securityGroupId: 'sg-0123456789abcdef0',
  priority: 10,
});

describe('ordering: the listener waits for the slot groups', () => {
  test('a blue/green listener depends on both slot groups', () => {
    const { json } = synth({ blue: AMI_1, green: AMI_2, active: 'blue' });
    expect(resource(json, 'aws_lb_listener', 'Listener').depends_on).toEqual([asg(json, 'Blue'), asg(json, 'Green')]);
  });

  test('a listener rule on an existing listener depends on both slot groups', () => {
    const { json } = synth({ blue: AMI_1, green: AMI_2, active: 'green', canary: 10 }, { loadBalancer: LISTENER_RULE });
    expect(resource(json, 'aws_lb_listener_rule', 'ListenerRule').depends_on).toEqual([
      asg(json, 'Blue'),
      asg(json, 'Green'),
    ]);
  });

  test('an empty slot has no group to wait for', () => {
    const { json } = synth({ blue: null, green: AMI_1, active: 'green' });
    expect(resource(json, 'aws_lb_listener', 'Listener').depends_on).toEqual([asg(json, 'Green')]);
  });

  test("a replace fleet's listener depends on its group", () => {
    const { json } = synthReplace();
    expect(resource(json, 'aws_lb_listener', 'Listener').depends_on).toEqual([
      address(json, 'aws_autoscaling_group', 'AutoScalingGroup'),
    ]);
  });

  test('with request-count scaling the policies wait for the listener, which waits for the groups: no cycle', () => {
    const { json } = synth(
      { blue: AMI_1, green: AMI_2, active: 'blue' },
      { scaling: FleetScaling.requestsPerTarget(500) },
    );
    const listener = address(json, 'aws_lb_listener', 'Listener');
    for (const slot of ['Blue', 'Green'] as const) {
      expect(resource(json, 'aws_autoscaling_policy', slot).depends_on).toEqual([listener]);
      expect(JSON.stringify(resource(json, 'aws_autoscaling_group', slot))).not.toContain('aws_lb_listener');
    }
  });

  test("stage + canary in one change: green is replaced and the listener, applied after green's group, changes its weights only", () => {
    // GIVEN blue active, green idle and staged (a canary keeps it staged: it follows the code)
    const release = { blue: AMI_1, active: 'blue' as const, staged: 'green' as const };
    const before = synth({ ...release, green: AMI_1 }).json;
    // WHEN a new image is staged in green and a canary starts, one synth (one apply)
    const after = synth({ ...release, green: AMI_3, canary: 10 }).json;
    // THEN green's group is replaced (new name, same address) and the listener, which
    // depends on that address, moves the weights after it
    const diff = compare(before, after);
    expect(diff.created).toEqual([]);
    expect(diff.destroyed).toEqual([]);
    expect(diff.changed.sort()).toEqual(
      [
        asg(after, 'Green'),
        address(after, 'aws_launch_template', 'Green'),
        address(after, 'aws_lb_listener', 'Listener'),
        address(after, 'terraform_data', 'Green'),
      ].sort(),
    );
    expect(resource(after, 'aws_autoscaling_group', 'Green').name).not.toBe(
      resource(before, 'aws_autoscaling_group', 'Green').name,
    );
    const listenerBefore = resource(before, 'aws_lb_listener', 'Listener');
    const listenerAfter = resource(after, 'aws_lb_listener', 'Listener');
    expect(listenerAfter.depends_on).toEqual([asg(after, 'Blue'), asg(after, 'Green')]);
    expect(listenerAfter.default_action[0].forward.target_group.map((t: Json) => t.weight)).toEqual([90, 10]);
    const { default_action: _a, lifecycle: _la, ...restAfter } = listenerAfter;
    const { default_action: _b, lifecycle: _lb, ...restBefore } = listenerBefore;
    expect(restAfter).toEqual(restBefore);
  });

  test('a release staged and promoted without a deploy in between is refused at plan: the new active slot is pinned to its old image', () => {
    // GIVEN the release file after "stage" then "promote" with no deploy: green active,
    // nothing staged (both pinned), green naming the new image it never received
    const { json } = synth({ blue: AMI_1, green: AMI_3, active: 'green', staged: 'none' });
    // THEN green keeps what it runs (pinned), and the listener refuses to send it traffic
    // unless its template runs the image the code names
    expect(resource(json, 'aws_launch_template', 'Green').lifecycle.ignore_changes).toBe('all');
    const l = localRef(json);
    const listener = resource(json, 'aws_lb_listener', 'Listener');
    const guard = listener.lifecycle.precondition.find((p: Json) => p.condition.includes(AMI_3));
    expect(guard.condition).toBe(`\${${l}.green.weight == 0 || ${l}.green.image_id == "${AMI_3}"}`);
    expect(guard.error_message).toContain('the green slot would receive traffic, but it is pinned and runs');
    expect(guard.error_message).toContain('deploy the stage first');
    // the traffic plan reads green's image from its template: the state's, as it is pinned
    expect(json.locals[Object.keys(json.locals)[0]].green.image_id).toBe(
      `\${${address(json, 'aws_launch_template', 'Green')}.image_id}`,
    );
  });

  test('a group waits for load balancer health when its target group is in use: at creation and when it grows in place', () => {
    const { json } = synth({ blue: AMI_1, green: AMI_2, active: 'blue' });
    const l = localRef(json);
    for (const [slot, lower, other] of [
      ['Blue', 'blue', 'green'],
      ['Green', 'green', 'blue'],
    ] as const) {
      const group = resource(json, 'aws_autoscaling_group', slot);
      const targetGroup = address(json, 'aws_lb_target_group', slot);
      expect(group.min_elb_capacity).toBe(
        `\${(length(tolist(${targetGroup}.load_balancer_arns)) >= 1) ? max(2, ceil(((${l}.${lower}.weight * ${l}.${other}.running) / 100))) : 0}`,
      );
      // (blue, active and pinned, also ignores its definition)
      expect(group.lifecycle.ignore_changes[0]).toBe('min_elb_capacity');
      // on update, only a group that grows above its own size (a promote, rollback or canary step) waits, for
      // exactly that many healthy targets, before the listener (which depends on the group) moves; otherwise
      // it is unset (null, as a group an earlier release deployed has it); never ignored
      const required = `ceil(((${l}.${lower}.weight * ${l}.${other}.running) / 100))`;
      expect(group.wait_for_elb_capacity).toBe(
        `\${((length(tolist(${targetGroup}.load_balancer_arns)) >= 1) && (${required} > 2)) ? ${required} : null}`,
      );
      expect(group.lifecycle.ignore_changes).not.toContain('wait_for_elb_capacity');
      expect(resource(json, 'aws_lb_listener', 'Listener').depends_on).toContain(
        address(json, 'aws_autoscaling_group', slot),
      );
    }
    expect(resource(json, 'aws_autoscaling_group', 'Green').lifecycle.ignore_changes).toEqual(['min_elb_capacity']);
  });
});

describe("capacity: a slot that takes weight runs at least the other slot's size", () => {
  test("the active slot reads the idle slot's running size by the fleet's and the slot's tags; the idle slot reads nothing", () => {
    // GIVEN blue active, green idle
    const { json } = synth({ blue: AMI_1, green: AMI_2, active: 'blue' });
    // THEN every group carries the fleet's name and its slot as literal tags
    for (const slot of ['Blue', 'Green'] as const) {
      expect(resource(json, 'aws_autoscaling_group', slot).tag).toEqual(
        expect.arrayContaining([
          { key: 'cdktf-immutable:slot', value: slot.toLowerCase(), propagate_at_launch: false },
          { key: 'cdktf-immutable:fleet', value: 'web', propagate_at_launch: false },
        ]),
      );
    }
    // and only green's size is read (for blue)
    expect(dataNames(json, 'aws_autoscaling_groups')).toEqual([
      expect.stringMatching(/^Web_Green_RunningGroups_[0-9A-F]+$/),
    ]);
    expect(dataNames(json, 'aws_autoscaling_group')).toEqual([
      expect.stringMatching(/^Web_Green_RunningGroup_[0-9A-F]+$/),
    ]);
    const text = JSON.stringify(json);
    // the plural look-up does not fail when there is no group yet; one single look-up per group found
    expect(text).toHaveDataSourceWithProperties(DataAwsAutoscalingGroups, {
      filter: [
        { name: 'tag:cdktf-immutable:fleet', values: ['web'] },
        { name: 'tag:cdktf-immutable:slot', values: ['green'] },
      ],
    });
    const found = `data.aws_autoscaling_groups.${dataNames(json, 'aws_autoscaling_groups')[0]}`;
    expect(text).toHaveDataSourceWithProperties(DataAwsAutoscalingGroup, {
      for_each: `\${toset(${found}.names)}`,
      name: '${each.value}',
    });
    // the largest desired capacity of the groups found, 0 when none
    const single = `data.aws_autoscaling_group.${dataNames(json, 'aws_autoscaling_group')[0]}`;
    expect(traffic(json).green.running).toBe(
      `\${max(concat([0], [for group in values(${single}) : group.desired_capacity])...)}`,
    );
    expect(traffic(json).blue.running).toBe(0);
    // blue runs at least ceil(100% of green), green at least ceil(0% of blue) = its min
    const l = localRef(json);
    expect(resource(json, 'aws_autoscaling_group', 'Blue').min_size).toBe(
      `\${max(2, ceil(((${l}.blue.weight * ${l}.green.running) / 100)))}`,
    );
    expect(resource(json, 'aws_autoscaling_group', 'Green').min_size).toBe(
      `\${max(2, ceil(((${l}.green.weight * ${l}.blue.running) / 100)))}`,
    );
  });

  test('after a promote green reads blue; a rollback restores the reads exactly', () => {
    const staged = synth({ blue: AMI_1, green: AMI_2, active: 'blue', staged: 'green' }).json;
    const promoted = synth({ blue: AMI_1, green: AMI_2, active: 'green', staged: 'none' }).json;
    expect(dataNames(promoted, 'aws_autoscaling_group')).toEqual([expect.stringMatching(/^Web_Blue_RunningGroup_/)]);
    expect(traffic(promoted).green.running).toBe(0);
    expect(traffic(promoted).blue.running).toMatch(
      /^\$\{max\(concat\(\[0\], \[for group in values\(data\.aws_autoscaling_group\.Web_Blue_RunningGroup_[0-9A-F]+\) : group\.desired_capacity\]\)\.\.\.\)\}$/,
    );
    // the groups' arguments do not change with the promote: only the listener does (green's
    // group only gains the pinned lifecycle, which plans no action)
    const changed = compare(staged, promoted).changed.filter((a) => a.startsWith('aws_autoscaling_group.'));
    for (const group of changed) {
      const [type, name] = group.split('.');
      const { lifecycle: _a, ...was } = staged.resource[type][name];
      const { lifecycle: _b, ...now } = promoted.resource[type][name];
      expect(now).toEqual(was);
    }
    const rolledBack = synth({ blue: AMI_1, green: AMI_2, active: 'blue', staged: 'none' }).json;
    expect(JSON.stringify(rolledBack.data)).toBe(JSON.stringify(staged.data));
    expect(JSON.stringify(rolledBack.locals)).toBe(JSON.stringify(staged.locals));
  });

  test('a canary step sizes both slots proportionally: each reads the other', () => {
    const { json } = synth({ blue: AMI_1, green: AMI_2, active: 'blue', canary: 25 });
    expect(dataNames(json, 'aws_autoscaling_group').sort()).toEqual([
      expect.stringMatching(/^Web_Blue_RunningGroup_/),
      expect.stringMatching(/^Web_Green_RunningGroup_/),
    ]);
    expect(traffic(json)).toMatchObject({ blue: { weight: 75 }, green: { weight: 25 } });
    const l = localRef(json);
    // green: at least ceil(25 / 100 * blue running), at least its min
    expect(resource(json, 'aws_autoscaling_group', 'Green').min_size).toBe(
      `\${max(2, ceil(((${l}.green.weight * ${l}.blue.running) / 100)))}`,
    );
  });

  test('a token canary reads both slots (either may take weight)', () => {
    const stack = newStack('prod');
    const canary = new TerraformVariable(stack, 'canary', { type: 'number' }).numberValue;
    new BlueGreenFleet(
      stack,
      'Web',
      fromRelease({ blue: AMI_1, green: AMI_2, active: 'blue' }, { canaryPercent: canary }),
    );
    const json = synthJson(stack);
    expect(dataNames(json, 'aws_autoscaling_group')).toHaveLength(2);
    expect(traffic(json).green.weight).toBe('${var.canary}');
  });

  test('nothing is read when the other slot is empty (first deploy)', () => {
    const { json } = synth({ blue: AMI_1, green: null, active: 'blue' });
    expect(json.data).toBeUndefined();
    expect(traffic(json)).toMatchObject({ blue: { running: 0 }, green: { running: 0 } });
    expect(
      resource(json, 'aws_lb_listener', 'Listener')
        .lifecycle.precondition.map((p: Json) => p.condition)
        .join(' '),
    ).not.toContain('running');
  });

  test('a given desired capacity is raised too, and the new group waits for that many healthy instances', () => {
    const { json } = synth(
      { blue: AMI_1, green: AMI_2, active: 'green' },
      { slots: { blue: {}, green: { capacity: { min: 1, max: 8, desired: 3 } } } },
    );
    const l = localRef(json);
    const required = `ceil(((${l}.green.weight * ${l}.blue.running) / 100))`;
    const green = resource(json, 'aws_autoscaling_group', 'Green');
    expect(green).toMatchObject({
      min_size: `\${max(1, ${required})}`,
      desired_capacity: `\${max(3, ${required})}`,
      max_size: 8,
    });
    expect(green.min_elb_capacity).toContain(`? max(3, ${required}) : 0}`);
    // without a desired capacity, none is written: AWS starts the group at min_size
    expect(resource(json, 'aws_autoscaling_group', 'Blue').desired_capacity).toBeUndefined();
  });

  test('a plan-time guard stops the plan when the slot cannot grow enough, naming the prop and how to scale', () => {
    const { json } = synth(
      { blue: AMI_1, green: AMI_2, active: 'green' },
      { slots: { blue: {}, green: { capacity: { min: 1, max: 3 } } } },
    );
    const l = localRef(json);
    const guards = resource(json, 'aws_lb_listener', 'Listener').lifecycle.precondition as Json[];
    const guard = guards.find((p) => p.condition.includes('.green.max_size'))!;
    expect(guard.condition).toBe(`\${ceil(${l}.green.weight * ${l}.blue.running / 100) <= ${l}.green.max_size}`);
    const blueGroup = `join(", ", keys(data.aws_autoscaling_group.${dataNames(json, 'aws_autoscaling_group')[0]}))`;
    expect(guard.error_message).toBe(
      `prod/Web: the green slot takes \${${l}.green.weight}% of the traffic from the blue slot, whose group (\${${blueGroup}}) runs \${${l}.blue.running} instances now, ` +
        `so it needs at least \${ceil(${l}.green.weight * ${l}.blue.running / 100)} instances, but slots.green.capacity.max is \${${l}.green.max_size}. ` +
        `Raise slots.green.capacity.max to at least that, or first scale the blue group in: aws autoscaling set-desired-capacity --auto-scaling-group-name \${${blueGroup}} --desired-capacity <n>.`,
    );
    // the idle blue slot takes no weight: no guard for it
    expect(guards.filter((p) => p.condition.includes('.blue.max_size'))).toEqual([]);
  });

  test('a fleet-wide capacity names capacity.max in the guard', () => {
    const { json } = synth({ blue: AMI_1, green: AMI_2, active: 'blue' });
    const guard = (resource(json, 'aws_lb_listener', 'Listener').lifecycle.precondition as Json[]).find((p) =>
      p.condition.includes('max_size'),
    )!;
    expect(guard.error_message).toContain('but capacity.max is ${');
    expect(guard.error_message).toContain('Raise capacity.max to at least that');
  });

  test('the replace fleet keeps its literal capacity (one slot: nothing to relieve)', () => {
    const { json } = synthReplace({ capacity: { min: 2, max: 5 } });
    expect(resource(json, 'aws_autoscaling_group', 'AutoScalingGroup')).toMatchObject({ min_size: 2, max_size: 5 });
    expect(json.data).toBeUndefined();
  });

  test('a group whose name is not a literal (image from a token) is read all the same: the look-up uses literal tags', () => {
    // GIVEN blue active, green's generation (and name) a Terraform expression
    const stack = newStack('prod');
    const ami = new TerraformVariable(stack, 'ami', { type: 'string' }).stringValue;
    new BlueGreenFleet(stack, 'Web', {
      ...fromRelease({ blue: AMI_1, green: null, active: 'blue' }),
      slots: { blue: { image: ImageSource.fromAmiId(AMI_1) }, green: { image: ImageSource.fromAmiId(ami) } },
    });
    const json = synthJson(stack);
    // THEN green is read for blue, by tags that are known at plan even on the first deploy
    expect(resource(json, 'aws_autoscaling_group', 'Green').name).toContain('var.ami');
    const [found] = Object.values(json.data.aws_autoscaling_groups) as Json[];
    expect(JSON.stringify(found)).not.toContain('var.');
    expect(traffic(json).green.running).toContain('data.aws_autoscaling_group.Web_Green_RunningGroup_');
  });

  test('staging a new generation leaves the look-ups untouched (they do not name a generation)', () => {
    const before = synth({ blue: AMI_1, green: AMI_2, active: 'blue' }).json;
    const after = synth({ blue: AMI_1, green: AMI_3, active: 'blue' }).json;
    expect(JSON.stringify(after.data)).toBe(JSON.stringify(before.data));
    expect(JSON.stringify(after.locals)).toBe(JSON.stringify(before.locals));
  });
});
