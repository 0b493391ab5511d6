import { BlueGreenFleetProps, FleetScaling, ImageSource, InstanceType, UserData } from '../../lib';
import { address, compare, fromRelease, Release, resource, synthBlueGreen } from './fleet-helpers';
import { AMI_1, AMI_2, AMI_3, Json } from '../support/synth';

// Behaviour across a change: synthesize before and after, and state which Terraform
// addresses a plan would create, destroy, update or replace. An address whose name
// changed is replaced (names force replacement); an address whose JSON is identical
// is untouched.

const synth = (release: Release, extra: Partial<BlueGreenFleetProps> = {}) =>
  synthBlueGreen(fromRelease(release, extra)).json;
const lt = (json: Json, slot: 'Blue' | 'Green') => address(json, 'aws_launch_template', slot);
const asg = (json: Json, slot: 'Blue' | 'Green') => address(json, 'aws_autoscaling_group', slot);
const mark = (json: Json, slot: 'Blue' | 'Green') => address(json, 'aws_ec2_tag', slot);
/** The slot's release marker (terraform_data): updated in place when a new image is staged into the slot. */
const marker = (json: Json, slot: 'Blue' | 'Green') => address(json, 'terraform_data', slot);
const listener = (json: Json) => address(json, 'aws_lb_listener', 'Listener');
const localOf = (json: Json) => JSON.stringify(json.locals);
const localRef = (json: Json) => `local.${Object.keys(json.locals)[0]}`;

describe('BlueGreenFleet across changes', () => {
  const live: Release = { blue: AMI_1, green: AMI_1, active: 'blue' };

  test('unchanged inputs synthesize byte-identical output', () => {
    expect(JSON.stringify(synth(live))).toBe(JSON.stringify(synth(live)));
  });

  test("a new image in the idle slot replaces exactly that slot's launch template and group; the listener is untouched", () => {
    // GIVEN blue active, green idle with the previous image
    const before = synth(live);
    // WHEN the new image is staged in green
    const after = synth({ ...live, green: AMI_2 });
    // THEN
    const diff = compare(before, after);
    expect(diff.created).toEqual([]);
    expect(diff.destroyed).toEqual([]);
    expect(diff.changed.sort()).toEqual([asg(after, 'Green'), lt(after, 'Green'), marker(after, 'Green')].sort());
    // the in-use mark follows the template's image_id: Terraform moves it with the template
    expect(resource(after, 'aws_ec2_tag', 'Green').resource_id).toBe(`\${${lt(after, 'Green')}.image_id}`);
    for (const type of ['aws_launch_template', 'aws_autoscaling_group']) {
      const a = resource(before, type, 'Green');
      const b = resource(after, type, 'Green');
      expect(b.name).not.toBe(a.name); // a new name: Terraform must replace, create-before-destroy
      expect(b.name).toMatch(/^web-green-[0-9a-f]{10}$/);
      expect(b.lifecycle.create_before_destroy).toBe(true);
    }
    expect(resource(after, 'aws_launch_template', 'Green').image_id).toBe(AMI_2);
    // no traffic moves: listener, target groups, blue slot, load balancer byte-identical
    expect(diff.unchanged).toContain(listener(after));
    expect(JSON.stringify(resource(after, 'aws_lb_listener', 'Listener'))).toBe(
      JSON.stringify(resource(before, 'aws_lb_listener', 'Listener')),
    );
    expect(localOf(after)).toBe(localOf(before));
    // the outputs read what runs from the resources: none of their expressions changes
    expect(
      Object.keys(after.output).filter((k) => JSON.stringify(after.output[k]) !== JSON.stringify(before.output[k])),
    ).toEqual([]);
  });

  test('staging into an empty idle slot creates its launch template and group; the listener only gains a dependency on it', () => {
    const before = synth({ blue: AMI_1, green: null, active: 'blue' });
    const after = synth({ blue: AMI_1, green: AMI_2, active: 'blue' });
    const diff = compare(before, after);
    expect(diff.created.sort()).toEqual(
      [asg(after, 'Green'), mark(after, 'Green'), lt(after, 'Green'), marker(after, 'Green')].sort(),
    );
    // depends_on and preconditions are no attributes: Terraform plans no change of the
    // listener for them. The listener now waits for green's group, and blue (active)
    // must be able to relieve green's running size.
    expect(diff.changed).toEqual([listener(after)]);
    const {
      depends_on: dependsBefore,
      lifecycle: lifecycleBefore,
      ...listenerBefore
    } = resource(before, 'aws_lb_listener', 'Listener');
    const {
      depends_on: dependsAfter,
      lifecycle: lifecycleAfter,
      ...listenerAfter
    } = resource(after, 'aws_lb_listener', 'Listener');
    expect(listenerAfter).toEqual(listenerBefore);
    const conditions = (lifecycle: Json) => lifecycle.precondition.map((p: Json) => p.condition);
    expect(conditions(lifecycleAfter).filter((c: string) => !conditions(lifecycleBefore).includes(c))).toEqual([
      expect.stringMatching(
        /^\$\{ceil\(local\.Web_Traffic_[0-9A-F]+\.blue\.weight \* local\.Web_Traffic_[0-9A-F]+\.green\.running \/ 100\) <= /,
      ),
    ]);
    expect(dependsBefore).toEqual([asg(before, 'Blue')]);
    expect(dependsAfter).toEqual([asg(after, 'Blue'), asg(after, 'Green')]);
    expect(diff.destroyed).toEqual([]);
  });

  test('flipping active changes only the listener; flipping back restores it exactly', () => {
    // GIVEN green staged (as the release file says after "release stage")
    const staged = synth({ blue: AMI_1, green: AMI_2, active: 'blue', staged: 'green' });
    // WHEN promoted (the release file clears "staged": both slots are pinned)
    const promoted = synth({ blue: AMI_1, green: AMI_2, active: 'green', staged: 'none' });
    // THEN only the listener changes (weights 0/100), nothing is created or destroyed;
    // green's resources only gain the pinned lifecycle, which plans no action
    const diff = compare(staged, promoted);
    expect(diff).toMatchObject({ created: [], destroyed: [] });
    expect(diff.changed.sort()).toEqual(
      [
        listener(promoted),
        lt(promoted, 'Green'),
        asg(promoted, 'Green'),
        address(promoted, 'aws_lb_target_group', 'Green'),
      ].sort(),
    );
    for (const changed of diff.changed.filter((a) => a !== listener(promoted))) {
      const [type, name] = changed.split('.');
      const { lifecycle: _a, ...was } = staged.resource[type][name];
      const { lifecycle: _b, ...now } = promoted.resource[type][name];
      expect(now).toEqual(was);
    }
    expect(
      resource(promoted, 'aws_lb_listener', 'Listener').default_action[0].forward.target_group.map(
        (t: Json) => t.weight,
      ),
    ).toEqual([0, 100]);
    expect(promoted.output.web_active_slot.value).toBe('green');
    // WHEN rolled back (green is marked rolled back: nothing is staged)
    const rolledBack = synth({ blue: AMI_1, green: AMI_2, active: 'blue', staged: 'none' });
    // THEN only the listener changes, back to the weights it had before the promote (its
    // preconditions now also check green's image, as green is pinned: no action)
    expect(compare(promoted, rolledBack)).toMatchObject({
      created: [],
      destroyed: [],
      changed: [listener(rolledBack)],
    });
    const { lifecycle: _a, ...listenerRolledBack } = resource(rolledBack, 'aws_lb_listener', 'Listener');
    const { lifecycle: _b, ...listenerStaged } = resource(staged, 'aws_lb_listener', 'Listener');
    expect(listenerRolledBack).toEqual(listenerStaged);
    // and both slots keep the launch templates and groups they had before the promote
    for (const slot of ['Blue', 'Green'] as const) {
      expect(resource(rolledBack, 'aws_launch_template', slot).name).toBe(
        resource(staged, 'aws_launch_template', slot).name,
      );
    }
  });

  test('a canary changes only the listener weights', () => {
    const staged = synth({ blue: AMI_1, green: AMI_2, active: 'blue' });
    const canary = synth({ blue: AMI_1, green: AMI_2, active: 'blue', canary: 10 });
    expect(compare(staged, canary)).toMatchObject({ created: [], destroyed: [], changed: [listener(canary)] });
    expect(
      resource(canary, 'aws_lb_listener', 'Listener').default_action[0].forward.target_group.map((t: Json) => t.weight),
    ).toEqual([90, 10]);
  });

  test('the next release after a promote replaces the now idle slot only', () => {
    const promoted = synth({ blue: AMI_1, green: AMI_2, active: 'green' });
    const next = synth({ blue: AMI_3, green: AMI_2, active: 'green' });
    expect(compare(promoted, next)).toMatchObject({
      created: [],
      destroyed: [],
      changed: [asg(next, 'Blue'), lt(next, 'Blue'), marker(next, 'Blue')].sort(),
    });
  });

  test.each<[string, Partial<BlueGreenFleetProps>['slots']]>([
    ['user data', { blue: {}, green: { userData: UserData.fromString('#!/bin/sh\necho v2') } }],
    ['instance type', { blue: {}, green: { instanceType: InstanceType.of('t3.small') } }],
    ['security groups', { blue: {}, green: { securityGroupIds: ['sg-0123456789abcdef0'] } }],
    ['image', { blue: {}, green: { image: ImageSource.fromAmiId(AMI_3) } }],
    ['block devices', { blue: {}, green: { blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: 40 }] } }],
  ])("a change of a slot's %s replaces that slot's launch template and group only", (what, slots) => {
    const before = synth(live);
    const after = synth(live, { slots });
    const diff = compare(before, after);
    expect(diff).toMatchObject({ created: [], destroyed: [] });
    // the in-use mark reads the template's image_id: only a new AMI moves it, at plan;
    // only a new AMI changes the slot's release marker
    const markers = what === 'image' ? [marker(after, 'Green')] : [];
    expect(diff.changed.sort()).toEqual([asg(after, 'Green'), lt(after, 'Green'), ...markers].sort());
    expect(resource(after, 'aws_ec2_tag', 'Green').resource_id).toBe(`\${${lt(after, 'Green')}.image_id}`);
    expect(resource(after, 'aws_launch_template', 'Green').name).not.toBe(
      resource(before, 'aws_launch_template', 'Green').name,
    );
    expect(resource(after, 'aws_autoscaling_group', 'Green').name).not.toBe(
      resource(before, 'aws_autoscaling_group', 'Green').name,
    );
  });

  test.each<[string, Partial<BlueGreenFleetProps>]>([
    ['server settings', { server: { userData: UserData.fromString('#!/bin/sh\necho v2') } }],
    ['subnets', { subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef2'], loadBalancer: undefined }],
  ])(
    "a change of the fleet's %s gives both slots a new generation in code; only the staged one follows it",
    (_what, extra) => {
      const before = synth(live);
      const after = synth(live, extra);
      const renamed = [asg(after, 'Blue'), asg(after, 'Green'), lt(after, 'Blue'), lt(after, 'Green')];
      for (const a of renamed) {
        const [type, name] = a.split('.');
        expect(after.resource[type][name].name).not.toBe(before.resource[type][name].name);
      }
      // blue is active and pinned: its template and group ignore the new definition
      expect(resource(after, 'aws_launch_template', 'Blue').lifecycle.ignore_changes).toBe('all');
      expect(resource(after, 'aws_autoscaling_group', 'Blue').lifecycle.ignore_changes).toEqual(
        expect.arrayContaining(['name', 'launch_template', 'vpc_zone_identifier']),
      );
      expect(resource(after, 'aws_launch_template', 'Green').lifecycle.ignore_changes).toBeUndefined();
    },
  );

  test('a change of the grace period keeps both generations: the groups update in place', () => {
    // GIVEN both slots running
    const before = synth(live);
    // WHEN the health check grace period changes
    const after = synth(live, { healthCheck: { gracePeriodSeconds: 300 } });
    // THEN both groups keep their names and only health_check_grace_period differs
    const diff = compare(before, after);
    expect(diff).toMatchObject({ created: [], destroyed: [] });
    expect(diff.changed.sort()).toEqual([asg(after, 'Blue'), asg(after, 'Green')].sort());
    for (const slot of ['Blue', 'Green'] as const) {
      const a = resource(before, 'aws_autoscaling_group', slot);
      const b = resource(after, 'aws_autoscaling_group', slot);
      expect(b.name).toBe(a.name);
      expect(Object.keys({ ...a, ...b }).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))).toEqual([
        'health_check_grace_period',
      ]);
      expect(b.health_check_grace_period).toBe(300);
      expect(resource(after, 'aws_launch_template', slot)).toEqual(resource(before, 'aws_launch_template', slot));
    }
  });

  test('a capacity change does not replace: same names, the group updates in place', () => {
    // GIVEN
    const before = synth(live);
    // WHEN green's capacity changes
    const after = synth(live, { slots: { blue: {}, green: { capacity: { min: 1, max: 6, desired: 3 } } } });
    // THEN only the green group changes, with the same name; the launch template is untouched
    const diff = compare(before, after);
    expect(diff).toMatchObject({ created: [], destroyed: [], changed: [asg(after, 'Green')] });
    const a = resource(before, 'aws_autoscaling_group', 'Green');
    const b = resource(after, 'aws_autoscaling_group', 'Green');
    expect(b.name).toBe(a.name);
    const required = `ceil(((${localRef(after)}.green.weight * ${localRef(after)}.blue.running) / 100))`;
    expect(b).toMatchObject({
      min_size: `\${max(1, ${required})}`,
      max_size: 6,
      desired_capacity: `\${max(3, ${required})}`,
    });
    // every attribute that differs is one the resource policy calls operational
    const changedAttributes = Object.keys({ ...a, ...b })
      .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
      .sort();
    expect(changedAttributes).toEqual([
      'desired_capacity',
      'max_size',
      'min_elb_capacity',
      'min_size',
      'wait_for_elb_capacity',
    ]);
  });

  test('a fleet-wide capacity change keeps every name', () => {
    const before = synth(live);
    const after = synth(live, { capacity: { min: 4, max: 8 } });
    for (const slot of ['Blue', 'Green'] as const) {
      expect(resource(after, 'aws_autoscaling_group', slot).name).toBe(
        resource(before, 'aws_autoscaling_group', slot).name,
      );
      expect(resource(after, 'aws_launch_template', slot)).toEqual(resource(before, 'aws_launch_template', slot));
    }
  });

  test('adding scaling keeps the generations; the groups stop managing desired capacity', () => {
    const before = synth(live, { capacity: { min: 2, max: 6, desired: 2 } });
    const after = synth(live, { capacity: { min: 2, max: 6, desired: 2 }, scaling: FleetScaling.cpuUtilization(50) });
    for (const slot of ['Blue', 'Green'] as const) {
      expect(resource(after, 'aws_autoscaling_group', slot).name).toBe(
        resource(before, 'aws_autoscaling_group', slot).name,
      );
      // the policy owns the desired size; blue (active, pinned) also ignores its definition
      expect(resource(after, 'aws_autoscaling_group', slot).lifecycle.ignore_changes.slice(0, 2)).toEqual([
        'desired_capacity',
        'min_elb_capacity',
      ]);
    }
    expect(resource(after, 'aws_autoscaling_group', 'Green').lifecycle.ignore_changes).toHaveLength(2);
    expect(compare(before, after).created).toHaveLength(2); // one policy per generation
  });

  test('load balancer and health check settings change in place and keep the generations', () => {
    const before = synth(live);
    const after = synth(live, { healthCheck: { path: '/ready', matcher: '200-299' }, deregistrationDelaySeconds: 60 });
    const diff = compare(before, after);
    expect(diff).toMatchObject({ created: [], destroyed: [] });
    expect(diff.changed.every((a) => a.startsWith('aws_lb_target_group.'))).toBe(true);
    expect(diff.changed).toHaveLength(2);
  });
});
