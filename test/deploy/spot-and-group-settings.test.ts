import { TerraformVariable } from 'cdktf';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { BlueGreenFleet, BlueGreenFleetProps, InstanceType, ResourcePolicy, SpotOptions, UserData } from '../../lib';
import { ValidationError } from '../../lib/private/validation';
import { guardPlan, hasViolations, previewChanges, PreviewResource } from '../../lib/review';
import { annotations, AMI_1, AMI_2, Json, newStack, synthWithMetadata } from '../support/synth';
import { compare, fromRelease, resource, synthBlueGreen, synthReplace } from './fleet-helpers';

// Spot and mixed instances per slot (part of the generation), and the group settings
// teams expect (operational): max instance lifetime, termination policies, enabled
// metrics, an instance Name tag.

const live = { blue: AMI_1, green: AMI_2, active: 'blue' as const, staged: 'green' as const };
const synth = (extra: Partial<BlueGreenFleetProps> = {}) => synthBlueGreen(fromRelease(live, extra));
const group = (json: Json, slot: 'Blue' | 'Green') => resource(json, 'aws_autoscaling_group', slot);
const SPOT: SpotOptions = {
  onDemandBase: 1,
  spotPercentage: 70,
  allocationStrategy: 'capacity-optimized',
  maxPrice: '0.05',
  capacityRebalance: false,
};
const TYPES = InstanceType.oneOf('m7i.large', 'm6i.large', 'm5.large');

describe('spot and mixed instances', () => {
  test('defaults: one instance type, on demand, no mixed instances policy or capacity rebalance', () => {
    const { json } = synth();
    for (const slot of ['Blue', 'Green'] as const) {
      const asg = group(json, slot);
      expect(asg.launch_template).toBeDefined();
      expect(asg.mixed_instances_policy).toBeUndefined();
      expect(asg.capacity_rebalance).toBeUndefined();
    }
  });

  test('all properties: several types and a Spot share, in the mixed instances policy of every slot', () => {
    const { json } = synth({ server: { instanceType: TYPES }, spot: SPOT });
    for (const slot of ['Blue', 'Green'] as const) {
      const asg = group(json, slot);
      expect(asg.launch_template).toBeUndefined();
      expect(asg.capacity_rebalance).toBe(false);
      const policy = asg.mixed_instances_policy;
      expect(policy.launch_template.override).toEqual([
        { instance_type: 'm7i.large' },
        { instance_type: 'm6i.large' },
        { instance_type: 'm5.large' },
      ]);
      expect(policy.launch_template.launch_template_specification.launch_template_id).toMatch(/aws_launch_template/);
      expect(policy.instances_distribution).toEqual({
        on_demand_base_capacity: 1,
        on_demand_percentage_above_base_capacity: 30,
        spot_allocation_strategy: 'capacity-optimized',
        spot_max_price: '0.05',
      });
      // the launch template names the first type
      expect(resource(json, 'aws_launch_template', slot).instance_type).toBe('m7i.large');
    }
  });

  test('Spot defaults: all above a base of 0 on Spot, price-capacity-optimized, capacity rebalancing on', () => {
    const { json } = synth({ server: { instanceType: TYPES }, spot: {} });
    const asg = group(json, 'Green');
    expect(asg.capacity_rebalance).toBe(true);
    expect(asg.mixed_instances_policy.instances_distribution).toEqual({
      on_demand_base_capacity: 0,
      on_demand_percentage_above_base_capacity: 0,
      spot_allocation_strategy: 'price-capacity-optimized',
    });
  });

  test('instance requirements with Spot: the requirements override and the distribution together', () => {
    const requirements = InstanceType.fromRequirements({ vcpuCount: { min: 2, max: 4 }, memoryMiB: { min: 4096 } });
    const { json } = synth({ server: { instanceType: requirements }, spot: { spotPercentage: 50 } });
    const policy = group(json, 'Green').mixed_instances_policy;
    expect(policy.launch_template.override[0].instance_requirements.vcpu_count).toEqual({ min: 2, max: 4 });
    expect(policy.instances_distribution.on_demand_percentage_above_base_capacity).toBe(50);
  });

  test('a slot sets its own Spot options over the fleet’s', () => {
    const { json } = synth({
      server: { instanceType: TYPES },
      spot: { spotPercentage: 100 },
      slots: { blue: {}, green: { spot: { onDemandBase: 2, spotPercentage: 25 } } },
    });
    expect(
      group(json, 'Blue').mixed_instances_policy.instances_distribution.on_demand_percentage_above_base_capacity,
    ).toBe(0);
    const green = group(json, 'Green').mixed_instances_policy.instances_distribution;
    expect(green).toMatchObject({ on_demand_base_capacity: 2, on_demand_percentage_above_base_capacity: 75 });
  });

  test('several types alone (no Spot): a mixed instances policy without a distribution', () => {
    const { json } = synth({ server: { instanceType: TYPES } });
    const asg = group(json, 'Green');
    expect(asg.mixed_instances_policy.instances_distribution).toBeUndefined();
    expect(asg.mixed_instances_policy.launch_template.override).toHaveLength(3);
    expect(asg.capacity_rebalance).toBeUndefined();
  });

  test('a replace fleet takes Spot and several types too', () => {
    const { json } = synthReplace({ server: { instanceType: TYPES }, spot: { onDemandBase: 1 } });
    const asg = Object.values(json.resource.aws_autoscaling_group)[0] as Json;
    expect(asg.mixed_instances_policy.instances_distribution.on_demand_base_capacity).toBe(1);
  });

  test('Spot options are part of the generation: a change renames the staged slot, the pinned one ignores it', () => {
    // GIVEN blue serving (pinned) and green staged, both with several types and Spot
    const before = synth({ server: { instanceType: TYPES }, spot: { spotPercentage: 50 } }).json;
    // WHEN the Spot share changes
    const after = synth({ server: { instanceType: TYPES }, spot: { spotPercentage: 80 } }).json;
    // THEN green's template and group get new names (a new generation); blue's keep theirs
    expect(group(after, 'Green').name).not.toBe(group(before, 'Green').name);
    expect(resource(after, 'aws_launch_template', 'Green').name).not.toBe(
      resource(before, 'aws_launch_template', 'Green').name,
    );
    // blue is pinned: its group ignores its mixed instances policy (and its name), so nothing changes for Terraform
    const blue = group(after, 'Blue');
    expect(blue.lifecycle.ignore_changes).toEqual(expect.arrayContaining(['mixed_instances_policy', 'name']));
    expect(blue.lifecycle.ignore_changes).not.toContain('capacity_rebalance');
  });

  test('several types are part of the generation; one type keeps the generation it had', () => {
    const one = synth({ server: { instanceType: InstanceType.of('m7i.large') } }).json;
    const several = synth({ server: { instanceType: InstanceType.oneOf('m7i.large', 'm6i.large') } }).json;
    const reordered = synth({ server: { instanceType: InstanceType.oneOf('m6i.large', 'm7i.large') } }).json;
    const names = [one, several, reordered].map((json) => group(json, 'Green').name);
    expect(new Set(names).size).toBe(3);
  });

  test('capacity rebalancing is operational: changed in place, no new generation', () => {
    const before = synth({ server: { instanceType: TYPES }, spot: { capacityRebalance: true } }).json;
    const after = synth({ server: { instanceType: TYPES }, spot: { capacityRebalance: false } }).json;
    expect(group(after, 'Green').name).toBe(group(before, 'Green').name);
    expect(compare(before, after).changed.filter((a) => !a.startsWith('aws_autoscaling_group.'))).toEqual([]);
  });

  test('tokens are not validated', () => {
    const stack = newStack('prod');
    const share = new TerraformVariable(stack, 'spot_share', { type: 'number' });
    const base = new TerraformVariable(stack, 'base', { type: 'number' });
    new BlueGreenFleet(
      stack,
      'Web',
      fromRelease(live, {
        server: { instanceType: TYPES },
        spot: { spotPercentage: share.numberValue, onDemandBase: base.numberValue },
      }),
    );
    const json = synthWithMetadata(stack);
    const distribution = group(json, 'Green').mixed_instances_policy.instances_distribution;
    expect(distribution.on_demand_percentage_above_base_capacity).toBe('${(100 - var.spot_share)}');
    expect(distribution.on_demand_base_capacity).toBe('${var.base}');
  });

  describe('validation', () => {
    const refused = (extra: Partial<BlueGreenFleetProps>, message: RegExp) =>
      expect(() => synth({ server: { instanceType: TYPES }, ...extra })).toThrow(message);

    test.each([
      [{ onDemandBase: -1 }, /spot\.onDemandBase \(-1\) must be an integer from 0 to 10000/],
      [{ spotPercentage: 101 }, /spot\.spotPercentage \(101\) must be an integer from 0 to 100/],
      [
        { allocationStrategy: 'cheapest' as never },
        /spot\.allocationStrategy \("cheapest"\) must be one of price-capacity-optimized/,
      ],
      [{ maxPrice: '5 dollars' }, /spot\.maxPrice \("5 dollars"\) must be a price in US dollars/],
      [{ maxPrice: '0' }, /spot\.maxPrice \("0"\) must be above 0/],
    ])('spot %j is refused, naming the prop', (spot, message) => {
      refused({ spot }, message);
      refused({ slots: { blue: {}, green: { spot } } }, new RegExp(`slots\\.green\\.${message.source}`));
    });

    test('a warm pool with Spot is refused (Auto Scaling does not allow one with a mixed instances policy)', () => {
      expect(() => synth({ spot: {}, warmPool: {} })).toThrow(
        /warmPool is set, but spot is set: a mixed instances policy, which Auto Scaling does not allow with a warm pool; remove warmPool, or spot\./,
      );
      expect(() => synth({ warmPool: {}, slots: { blue: {}, green: { spot: {} } } })).toThrow(
        /warmPool is set, but slots\.green\.spot is set/,
      );
      expect(() => synth({ spot: {}, slots: { blue: {}, green: { warmPool: {} } } })).toThrow(
        /slots\.green\.warmPool is set, but spot is set/,
      );
    });

    test('a warm pool with several instance types is refused', () => {
      expect(() => synth({ server: { instanceType: TYPES }, warmPool: {} })).toThrow(
        /warmPool is set, but server\.instanceType lists several instance types \(InstanceType\.oneOf\)/,
      );
    });

    test('InstanceType.oneOf: empty, repeated, too many or a bad name is refused', () => {
      const bad = (instanceType: InstanceType, message: RegExp) =>
        expect(() => synth({ server: { instanceType } })).toThrow(message);
      bad(InstanceType.oneOf(), /server\.instanceType \(InstanceType\.oneOf\(\)\) must list 1 to 40 instance types/);
      bad(InstanceType.oneOf('m5.large', 'm5.large'), /lists "m5\.large" twice; list each instance type once/);
      bad(
        InstanceType.oneOf(...Array.from({ length: 41 }, (_, i) => `m5.${i}xlarge`)),
        /must list 1 to 40 instance types/,
      );
      bad(
        InstanceType.oneOf('m5.large', 'M5 large'),
        /InstanceType\.oneOf\(\.\.\.\), type 2: "M5 large"\) must be an instance type/,
      );
    });

    test('Spot with one instance type is accepted, with a warning naming the fix', () => {
      const { fleet } = synthBlueGreen(fromRelease(live, { spot: {} }));
      expect(annotations(fleet).warnings.join('\n')).toMatch(
        /spot runs instances on Spot with one instance type \("t3\.micro"\).*InstanceType\.oneOf/,
      );
      const { fleet: several } = synthBlueGreen(fromRelease(live, { spot: {}, server: { instanceType: TYPES } }));
      expect(annotations(several).warnings.join('\n')).not.toMatch(/one instance type/);
    });

    test('errors are ValidationErrors naming the fleet', () => {
      try {
        synth({ spot: { spotPercentage: 500 } });
        throw new Error('not refused');
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as Error).message).toMatch(/^BlueGreenFleet prod\/Web: spot\.spotPercentage/);
      }
    });
  });
});

describe('group settings', () => {
  test('defaults: none written', () => {
    const asg = group(synth().json, 'Green');
    for (const attribute of [
      'max_instance_lifetime',
      'termination_policies',
      'enabled_metrics',
      'metrics_granularity',
    ]) {
      expect(asg[attribute]).toBeUndefined();
    }
    expect(asg.tag.map((t: Json) => t.key)).not.toContain('Name');
  });

  test('all properties: lifetime, termination order, metrics and the instances’ Name tag on every group', () => {
    const { json } = synth({
      maxInstanceLifetimeDays: 14,
      terminationPolicies: ['OldestLaunchTemplate', 'OldestInstance'],
      enabledMetrics: ['GroupInServiceInstances', 'GroupDesiredCapacity'],
      instanceName: 'web-prod',
    });
    for (const slot of ['Blue', 'Green'] as const) {
      const asg = group(json, slot);
      expect(asg.max_instance_lifetime).toBe(14 * 86400);
      expect(asg.termination_policies).toEqual(['OldestLaunchTemplate', 'OldestInstance']);
      expect(asg.enabled_metrics).toEqual(['GroupInServiceInstances', 'GroupDesiredCapacity']);
      expect(asg.metrics_granularity).toBe('1Minute');
      expect(asg.tag).toContainEqual({ key: 'Name', value: 'web-prod', propagate_at_launch: true });
    }
  });

  test('each is operational for the resource policy: changed in place on every slot, no new generation', () => {
    for (const attribute of [
      'max_instance_lifetime',
      'termination_policies',
      'enabled_metrics',
      'metrics_granularity',
      'capacity_rebalance',
      'tag',
    ]) {
      expect(ResourcePolicy.isOperationalAttribute('aws_autoscaling_group', attribute)).toBe(true);
    }
    // the purchase options are what runs: part of the generation, never changed in place
    expect(ResourcePolicy.isOperationalAttribute('aws_autoscaling_group', 'mixed_instances_policy')).toBe(false);
    const before = synth({ maxInstanceLifetimeDays: 7, terminationPolicies: ['OldestInstance'] }).json;
    const after = synth({
      maxInstanceLifetimeDays: 30,
      terminationPolicies: ['NewestInstance'],
      enabledMetrics: ['GroupMaxSize'],
    }).json;
    const { changed, created, destroyed } = compare(before, after);
    expect([created, destroyed]).toEqual([[], []]);
    expect(changed.every((a) => a.startsWith('aws_autoscaling_group.'))).toBe(true);
    for (const slot of ['Blue', 'Green'] as const) {
      expect(group(after, slot).name).toBe(group(before, slot).name);
      // the pinned slot takes them in place too (operational), but keeps its tags until a release
      expect(group(after, slot).lifecycle.ignore_changes).not.toEqual(
        expect.arrayContaining(['max_instance_lifetime']),
      );
    }
    expect(group(after, 'Blue').lifecycle.ignore_changes).toContain('tag');
  });

  test('tokens are not validated', () => {
    const stack = newStack('prod');
    const days = new TerraformVariable(stack, 'days', { type: 'number' });
    new BlueGreenFleet(stack, 'Web', fromRelease(live, { maxInstanceLifetimeDays: days.numberValue }));
    expect(group(synthWithMetadata(stack), 'Green').max_instance_lifetime).toBe('${(var.days * 86400)}');
  });

  test.each([
    [
      { maxInstanceLifetimeDays: 0 },
      /maxInstanceLifetimeDays \(0\) must be an integer from 1 to 365; omit it to keep instances/,
    ],
    [{ maxInstanceLifetimeDays: 400 }, /maxInstanceLifetimeDays \(400\) must be an integer from 1 to 365/],
    [{ terminationPolicies: [] }, /terminationPolicies \(\[\]\) must list at least one value; omit it for the default/],
    [
      { terminationPolicies: ['Oldest' as never] },
      /terminationPolicies\[0\] \("Oldest"\) must be one of Default, AllocationStrategy/,
    ],
    [
      { terminationPolicies: ['OldestInstance', 'OldestInstance'] },
      /terminationPolicies\[1\] \("OldestInstance"\) is listed twice/,
    ],
    [{ enabledMetrics: ['CpuUsage' as never] }, /enabledMetrics\[0\] \("CpuUsage"\) must be one of GroupMinSize/],
    [{ instanceName: '' }, /instanceName \(""\) must be 1 to 256 letters, digits, spaces/],
    [{ instanceName: 'web#prod' }, /instanceName \("web#prod"\) must be 1 to 256 letters/],
  ])('%j is refused, naming the prop and the fix', (extra, message) => {
    expect(() => synth(extra as Partial<BlueGreenFleetProps>)).toThrow(message);
  });
});

describe('preview: Spot and instance types have a supported route', () => {
  /** prod's fleet, blue serving (pinned), green staged, with `spot` for the whole fleet. */
  type Resources = Record<string, Record<string, Record<string, unknown>>>;
  function fleet(spot: SpotOptions): Resources {
    const stack = newStack('prod');
    new BlueGreenFleet(stack, 'Web', {
      ...fromRelease(live, { server: { instanceType: TYPES, userData: UserData.fromString('#!/bin/sh\n') } }),
      spot,
      releaseEnvironment: 'prod',
    });
    return synthWithMetadata(stack).resource as Resources;
  }
  const preview = (before: Resources, after: Resources) => {
    const [stack] = previewChanges(new Map([['s', { resource: before }]]), new Map([['s', { resource: after }]]));
    return stack.resources;
  };
  const actions = (resources: readonly PreviewResource[], slot: string) =>
    resources
      .filter((r) => r.address.includes(`_${slot}_`) && r.action !== 'unchanged')
      .map((r) => `${r.type} ${r.action}`)
      .sort();

  test('a change of the Spot share replaces the staged slot and waits for a release on the serving one, no violation', () => {
    const resources = preview(fleet({ spotPercentage: 50 }), fleet({ spotPercentage: 80 }));
    expect(actions(resources, 'Green')).toEqual(['aws_autoscaling_group replaced', 'aws_launch_template replaced']);
    // the serving slot's generation name moves with the code, which its pinned template and group ignore
    expect(actions(resources, 'Blue')).toEqual([
      'aws_autoscaling_group waits-for-release',
      'aws_launch_template waits-for-release',
    ]);
    expect(hasViolations([{ resources }])).toBe(false);
  });

  test('an override of mixed_instances_policy is a violation that names the supported route', () => {
    /** The fleet with several types; `onDemandPercent` overrides the staged group's distribution. */
    function overridden(onDemandPercent?: number): Resources {
      const stack = newStack('prod');
      const web = new BlueGreenFleet(stack, 'Web', {
        ...fromRelease(live, { server: { instanceType: TYPES, userData: UserData.fromString('#!/bin/sh\n') } }),
        releaseEnvironment: 'prod',
      });
      const green = web.node
        .findAll()
        .filter((c): c is AutoscalingGroup => c instanceof AutoscalingGroup && c.node.path.includes('/Green/'));
      expect(green).toHaveLength(1);
      if (onDemandPercent !== undefined) {
        green[0].addOverride(
          'mixed_instances_policy.instances_distribution.on_demand_percentage_above_base_capacity',
          onDemandPercent,
        );
      }
      return synthWithMetadata(stack).resource as Resources;
    }
    const resources = preview(overridden(), overridden(30));
    const changed = resources.filter((r) => r.action !== 'unchanged');
    expect(changed.map((r) => `${r.type} ${r.action} ${r.violation}`)).toEqual(['aws_autoscaling_group updated true']);
    expect(changed[0].violationReason).toMatch(
      /^immutable resource updated in place; for Spot and several instance types set the fleet's spot \(\{ onDemandBase, spotPercentage, .*InstanceType\.oneOf\(\.\.\.\)/,
    );
    expect(hasViolations([{ resources }])).toBe(true);
  });

  test('guard names the supported route for mixed_instances_policy, and only for it', () => {
    const plan = (before: object, after: object) => ({
      format_version: '1.2',
      planned_values: { root_module: {} },
      resource_changes: [
        {
          address: 'aws_autoscaling_group.web',
          mode: 'managed',
          type: 'aws_autoscaling_group',
          name: 'web',
          change: { actions: ['update'], before, after, after_unknown: {} },
        },
      ],
    });
    const distribution = (percent: number) => ({
      mixed_instances_policy: [{ instances_distribution: [{ on_demand_percentage_above_base_capacity: percent }] }],
    });
    const [mixed] = guardPlan(plan(distribution(100), distribution(30))).violations;
    expect(mixed.kind).toBe('update-in-place');
    expect(mixed.message).toMatch(
      /updated in place \(mixed_instances_policy\); make the change produce a new generation .*create-before-destroy; for Spot and several instance types set the fleet's spot .*through a release/,
    );
    const [other] = guardPlan(
      plan({ launch_template: [{ version: '1' }] }, { launch_template: [{ version: '2' }] }),
    ).violations;
    expect(other.message).not.toMatch(/spot/);
    expect(ResourcePolicy.supportedRoute('aws_autoscaling_group', 'mixed_instances_policy[0].override')).toBeDefined();
    expect(ResourcePolicy.supportedRoute('aws_autoscaling_group', 'launch_template')).toBeUndefined();
    expect(ResourcePolicy.supportedRoute('aws_lb', 'mixed_instances_policy')).toBeUndefined();
  });
});
