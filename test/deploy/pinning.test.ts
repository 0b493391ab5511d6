import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import {
  BlueGreenFleet,
  BlueGreenFleetProps,
  emptyRelease,
  fromRelease as fleetPropsOf,
  InstanceProfile,
  InstanceType,
  promoteRelease,
  stageRelease,
  stageSameImage,
  UserData,
} from '../../lib';
import { PINNED_GROUP_IGNORES } from '../../lib/deploy/private/pinning';
import { analyze, slotReach } from '../matrix/analysis';
import { fromRelease, Release } from './fleet-helpers';
import { AMI_1, AMI_2, AMI_3, annotations, Json, newStack, SUBNETS, synthWithMetadata, VPC } from '../support/synth';

// Pinned slots: only the staged slot follows the code. The serving and the rollback
// slot keep the definition they were deployed with (Terraform ignore_changes), so a
// change of the server settings in code never reaches them outside a release.

/** The fleet `Web` (name `web`) of a release, with `extra` props, synthesized with its `//` metadata. */
function synth(release: Release, extra: Partial<BlueGreenFleetProps> = {}): { json: Json; fleet: BlueGreenFleet } {
  const stack = newStack('prod');
  const fleet = new BlueGreenFleet(stack, 'Web', fromRelease(release, extra));
  return { json: synthWithMetadata(stack), fleet };
}

/** The one resource of `type` whose address holds `_<slot>_`. */
function of(json: Json, type: string, slot: 'Blue' | 'Green'): { address: string; body: Json } {
  const entries = Object.entries(json.resource[type] ?? {}).filter(([name]) => name.includes(`_${slot}_`));
  if (entries.length !== 1) {
    throw new Error(`expected one ${type} of ${slot}, found ${entries.length}`);
  }
  return { address: `${type}.${entries[0][0]}`, body: entries[0][1] as Json };
}

// After a promote: blue serves, green holds the previous release (rollback target); nothing is staged.
const promoted: Release = { blue: AMI_2, green: AMI_1, active: 'blue', staged: 'none' };
// After a stage: blue serves, green holds the new release and follows the code.
const staged: Release = { blue: AMI_2, green: AMI_1, active: 'blue', staged: 'green' };

describe('pinned slots keep what they run', () => {
  test("a pinned slot's template ignores everything, its group all but operational arguments, its target group what would replace it", () => {
    const { json } = synth(promoted);
    for (const slot of ['Blue', 'Green'] as const) {
      const template = of(json, 'aws_launch_template', slot).body;
      const group = of(json, 'aws_autoscaling_group', slot).body;
      const targetGroup = of(json, 'aws_lb_target_group', slot).body;
      // only the slot's release marker replaces the template, and the group goes with it
      const marker = `terraform_data.${Object.keys(json.resource.terraform_data).find((n) => n.includes(`_${slot}_`))}`;
      expect(template.lifecycle).toEqual({
        create_before_destroy: true,
        ignore_changes: 'all',
        replace_triggered_by: [marker],
      });
      expect(group.lifecycle).toEqual({
        create_before_destroy: true,
        ignore_changes: ['min_elb_capacity', ...PINNED_GROUP_IGNORES.filter((a) => a !== 'min_elb_capacity')],
        replace_triggered_by: [`${of(json, 'aws_launch_template', slot).address}.id`],
      });
      // capacity, the gate, the grace period, warm-up and the warm pool still change in place
      for (const operational of [
        'min_size',
        'max_size',
        'desired_capacity',
        'health_check_grace_period',
        'warm_pool',
      ]) {
        expect(group.lifecycle.ignore_changes).not.toContain(operational);
      }
      expect(group.lifecycle.ignore_changes).toEqual(
        expect.arrayContaining(['name', 'launch_template', 'vpc_zone_identifier', 'target_group_arns', 'tag']),
      );
      expect(targetGroup.lifecycle).toEqual({
        ignore_changes: [
          'name',
          'name_prefix',
          'port',
          'protocol',
          'protocol_version',
          'target_type',
          'target_control_port',
          'ip_address_type',
          'vpc_id',
          'region',
        ],
      });
    }
  });

  test('each pinned resource says in its metadata that the library pinned it, and why', () => {
    const { json } = synth(promoted, { releaseEnvironment: 'prod' });
    for (const type of ['aws_launch_template', 'aws_autoscaling_group', 'aws_lb_target_group']) {
      expect(of(json, type, 'Blue').body['//']['cdktf-immutable'].pinned).toEqual({
        fleet: 'web',
        slot: 'blue',
        environment: 'prod',
        reason:
          'the blue slot serves the traffic and is not staged: it keeps the definition it was deployed with until ' +
          'a release replaces it (cdktf-immutable release stage prod --same-image, then promote)',
      });
      expect(of(json, type, 'Green').body['//']['cdktf-immutable'].pinned.reason).toMatch(
        /^the green slot holds the rollback target and is not staged/,
      );
    }
  });

  test('the staged slot follows the code exactly as before: triggers, no ignore, triggers recorded in its metadata', () => {
    const { json } = synth(staged);
    const template = of(json, 'aws_launch_template', 'Green');
    const group = of(json, 'aws_autoscaling_group', 'Green');
    expect(template.body.lifecycle).toEqual({ create_before_destroy: true });
    expect(group.body.lifecycle).toEqual({
      create_before_destroy: true,
      ignore_changes: ['min_elb_capacity'],
      replace_triggered_by: [`${template.address}.id`],
    });
    expect(group.body['//']['cdktf-immutable']).toEqual({ triggers: [`${template.address}.id`] });
    expect(of(json, 'aws_lb_target_group', 'Green').body.lifecycle).toBeUndefined();
    // blue serves: pinned
    expect(of(json, 'aws_launch_template', 'Blue').body.lifecycle.ignore_changes).toBe('all');
  });

  describe.each<[string, Partial<BlueGreenFleetProps>]>([
    ['user data', { server: { userData: UserData.fromString('#!/bin/sh\necho v2\n') } }],
    ['instance type', { server: { instanceType: InstanceType.of('t3.small') } }],
    ['tags', { server: { tags: { team: 'web' } } }],
    ['security groups', { server: { securityGroupIds: ['sg-0123456789abcdef0'] } }],
    ['instance profile', { server: { instanceProfile: InstanceProfile.fromName('web-profile') } }],
    ['block devices', { server: { blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: 40 }] } }],
  ])('a fleet-wide change of the %s', (_what, change) => {
    test('reaches neither the serving nor the rollback slot when nothing is staged', () => {
      // GIVEN both slots pinned (after a promote), synthesized before and after the change
      const before = synth(promoted).json;
      const after = synth(promoted, change).json;
      // THEN the code's names change, but what Terraform does leaves both slots as they are
      expect(of(after, 'aws_launch_template', 'Blue').body.name).not.toBe(
        of(before, 'aws_launch_template', 'Blue').body.name,
      );
      const analysis = analyze(before, after);
      expect(analysis.immutableReplaced).toEqual([]);
      expect(analysis.inPlace).toEqual([]);
      expect(slotReach(analysis, after, 'Blue')).toEqual([]);
      expect(slotReach(analysis, after, 'Green')).toEqual([]);
    });

    test('replaces the staged slot only', () => {
      const before = synth(staged).json;
      const after = synth(staged, change).json;
      const analysis = analyze(before, after);
      expect([...analysis.immutableReplaced].sort()).toEqual(
        [of(after, 'aws_autoscaling_group', 'Green').address, of(after, 'aws_launch_template', 'Green').address].sort(),
      );
      expect(analysis.inPlace).toEqual([]);
      expect(slotReach(analysis, after, 'Blue')).toEqual([]);
    });
  });

  test('a settings-only release: stage --same-image puts the active image in the idle slot, which follows the code', () => {
    // GIVEN prod after a promote (green serves AMI_2, blue holds AMI_1), and new user data in code
    const base = promoteRelease(
      stageRelease(stageRelease(emptyRelease('prod'), { image: AMI_1, source: '--image', now: new Date(0) }), {
        image: AMI_2,
        source: '--image',
        now: new Date(1),
      }),
    );
    const common = { name: 'web', vpcId: VPC, subnetIds: SUBNETS };
    const userData = { server: { userData: UserData.fromString('#!/bin/sh\necho v2\n') } };
    const build = (release: typeof base, extra = {}) => {
      const stack = newStack('prod');
      new BlueGreenFleet(stack, 'Web', { ...common, ...fleetPropsOf(release), ...extra });
      return synthWithMetadata(stack);
    };
    const before = build(base);
    expect(fleetPropsOf(base).stagedSlot).toBe('none');
    const changedOnly = build(base, userData);
    expect(analyze(before, changedOnly).immutableReplaced).toEqual([]);
    // WHEN the settings-only release is staged
    const sameImage = stageSameImage(base, { now: new Date(2) });
    expect(fleetPropsOf(sameImage).stagedSlot).toBe('blue');
    const released = build(sameImage, userData);
    // THEN only the idle slot (blue: green was promoted) is replaced, with the active image
    const analysis = analyze(changedOnly, released);
    expect([...analysis.immutableReplaced].sort()).toEqual(
      [
        of(released, 'aws_autoscaling_group', 'Blue').address,
        of(released, 'aws_launch_template', 'Blue').address,
      ].sort(),
    );
    expect(of(released, 'aws_launch_template', 'Blue').body.image_id).toBe(AMI_2);
    expect(slotReach(analysis, released, 'Green')).toEqual([]);
  });

  test("each slot's release marker holds its image: only a new image changes it", () => {
    const { json } = synth(promoted);
    const markers = json.resource.terraform_data as Record<string, Json>;
    expect(Object.entries(markers).find(([n]) => n.startsWith('Web_Blue_Release_'))![1].input).toEqual({
      image: AMI_2,
    });
    expect(Object.entries(markers).find(([n]) => n.startsWith('Web_Green_Release_'))![1].input).toEqual({
      image: AMI_1,
    });
  });

  test('a release staged and promoted in one apply still reaches its slot: the new marker replaces the pinned slot', () => {
    // GIVEN blue serves AMI_2, green holds AMI_1 (both pinned after a promote)
    const before = synth(promoted).json;
    // WHEN AMI_3 is staged into green and promoted without a deploy in between (the
    // release file: green active, nothing staged, green's image and stagedAt new)
    const after = synth({ blue: AMI_2, green: AMI_3, active: 'green', staged: 'none' }).json;
    // THEN green (pinned) is replaced all the same, through its release marker; blue is untouched
    const analysis = analyze(before, after);
    expect([...analysis.immutableReplaced].sort()).toEqual(
      [of(after, 'aws_autoscaling_group', 'Green').address, of(after, 'aws_launch_template', 'Green').address].sort(),
    );
    expect(slotReach(analysis, after, 'Blue')).toEqual([]);
    expect(of(after, 'aws_launch_template', 'Green').body.image_id).toBe(AMI_3);
  });

  test('the in-use mark of a pinned slot names the AMI its template runs (its image_id), not the code', () => {
    const { json } = synth(promoted);
    const template = of(json, 'aws_launch_template', 'Blue');
    expect(of(json, 'aws_ec2_tag', 'Blue').body.resource_id).toBe(`\${${template.address}.image_id}`);
  });

  test("the outputs report what runs: the generation from the group's tag, the group's name", () => {
    const { json } = synth(promoted);
    const group = of(json, 'aws_autoscaling_group', 'Blue').address;
    expect(json.output.web_blue_generation.value).toBe(
      `\${one([for tag in ${group}.tag : tag.value if tag.key == "cdktf-immutable:generation"])}`,
    );
    expect(json.output.web_blue_asg_name.value).toBe(`\${${group}.name}`);
  });
});

describe('what is said about pinned slots', () => {
  test('a check on the serving slot warns at each plan when the code defines another template, naming the command', () => {
    const { json } = synth(promoted, { releaseEnvironment: 'prod' });
    const template = of(json, 'aws_launch_template', 'Blue');
    expect(Object.keys(json.check)).toEqual(['web_blue_pinned']);
    expect(json.check.web_blue_pinned.assert).toEqual([
      {
        condition: `\${${template.address}.name == "${template.body.name}"}`,
        error_message:
          `prod/Web: the blue slot serves traffic and is pinned: it runs the launch template ` +
          `\${${template.address}.name}, while the code defines ${template.body.name}. The change waits for a ` +
          'release: run "cdktf-immutable release stage prod --same-image", deploy, then promote.',
      },
    ]);
  });

  test('a generation computed at plan (a VPC that is a reference) is compared as a string template', () => {
    const stack = newStack('prod');
    const vpcId = new TerraformVariable(stack, 'vpc', { type: 'string' }).stringValue;
    new BlueGreenFleet(stack, 'Web', { ...fromRelease(promoted), vpcId });
    const check = synthWithMetadata(stack).check.web_blue_pinned.assert[0];
    expect(check.condition).toMatch(
      /^\$\{aws_launch_template\.Web_Blue_LaunchTemplate_[0-9A-F]+\.name == format\("%s", "web-blue-\$\{nonsensitive\(.*var\.vpc.*\)\}"\)\}$/,
    );
  });

  test('synth says which slots are pinned (info) and names the command', () => {
    const { fleet } = synth(promoted, { releaseEnvironment: 'prod' });
    const { infos, warnings } = annotations(fleet);
    expect(infos).toEqual([
      expect.stringMatching(/^the blue slot \(serving\) is pinned: .* cdktf-immutable release stage prod --same-image/),
      expect.stringMatching(/^the green slot \(rollback\) is pinned:/),
    ]);
    expect(warnings).toEqual([]);
  });

  test('a fleet built by hand without stagedSlot: the idle slot follows the code, the active one is pinned, and a warning says so', () => {
    const { json, fleet } = synth({ blue: AMI_2, green: AMI_1, active: 'blue' });
    expect(of(json, 'aws_launch_template', 'Blue').body.lifecycle.ignore_changes).toBe('all');
    expect(of(json, 'aws_launch_template', 'Green').body.lifecycle.ignore_changes).toBeUndefined();
    expect(fleet.slots.blue.pinned).toBe(true);
    expect(fleet.slots.green.pinned).toBe(false);
    expect(annotations(fleet).warnings).toEqual([
      expect.stringMatching(
        /stagedSlot is not set, so the idle slot "green" follows the code and the active slot "blue" is pinned.*a new image written for slots\.blue replaces the serving slot in one apply \(guard refuses that plan\).*fromRelease/,
      ),
    ]);
  });

  test('a new image written by hand for the active slot is never ignored: its marker replaces it (guard refuses that plan)', () => {
    // GIVEN blue serving AMI_1, pinned; WHEN its image is changed in code by hand
    const before = synth({ blue: AMI_1, green: AMI_1, active: 'blue' }).json;
    const after = synth({ blue: AMI_2, green: AMI_1, active: 'blue' }).json;
    // THEN Terraform replaces it (the in-use mark and the outputs then name what runs)
    const analysis = analyze(before, after);
    expect(analysis.immutableReplaced).toContain(of(after, 'aws_launch_template', 'Blue').address);
    // and the listener takes weight only for a slot that runs the image the code names
    const listener = Object.values(after.resource.aws_lb_listener)[0] as Json;
    const local = `local.${Object.keys(after.locals)[0]}`;
    expect(listener.lifecycle.precondition.map((p: Json) => p.condition)).toContain(
      `\${${local}.blue.weight == 0 || ${local}.blue.image_id == "${AMI_2}"}`,
    );
  });

  test('the context key cdktf-immutable:pinning = false switches pinning off: every slot follows the code, with a warning', () => {
    const app = Testing.app({ context: { 'cdktf-immutable:pinning': false } });
    const stack = new TerraformStack(app, 'prod');
    const fleet = new BlueGreenFleet(stack, 'Web', fromRelease(promoted));
    const json = synthWithMetadata(stack);
    for (const slot of ['Blue', 'Green'] as const) {
      expect(of(json, 'aws_launch_template', slot).body.lifecycle).toEqual({ create_before_destroy: true });
      expect(of(json, 'aws_autoscaling_group', slot).body.lifecycle.replace_triggered_by).toHaveLength(1);
    }
    expect(json.check).toBeUndefined();
    expect(annotations(fleet).warnings).toEqual([expect.stringContaining('pinning is switched off')]);
  });
});

describe('stagedSlot and releaseEnvironment are validated', () => {
  const build = (extra: Partial<BlueGreenFleetProps>) => () =>
    new BlueGreenFleet(newStack('prod'), 'Web', fromRelease({ blue: AMI_1, green: null, active: 'blue' }, extra));

  test('the active slot cannot be the staged one', () => {
    expect(build({ stagedSlot: 'blue' })).toThrow(
      'BlueGreenFleet prod/Web: stagedSlot ("blue") is the active slot, which serves the traffic and is pinned; a ' +
        'release is staged into the idle slot ("green"): set stagedSlot to "green" or "none".',
    );
  });

  test('a staged slot needs an image', () => {
    expect(build({ stagedSlot: 'green' })).toThrow(
      'stagedSlot ("green") names a slot without an image; stage an image into slots.green or set stagedSlot to "none".',
    );
  });

  test('an unknown value is refused', () => {
    expect(build({ stagedSlot: 'purple' as never })).toThrow(
      'stagedSlot ("purple") must be "blue", "green" or "none".',
    );
  });

  test('releaseEnvironment must be an environment name', () => {
    expect(build({ releaseEnvironment: 'Prod!' })).toThrow(/releaseEnvironment \("Prod!"\)/);
  });
});
