import { App, TerraformStack } from 'cdktf';
import {
  AmiPipeline,
  ImageComponent,
  ImageRetention,
  ImageSource,
  ParentImage,
  ReplaceFleet,
  ResourcePolicy,
} from '../../lib';
import { address, compare, fromRelease, resource, synthBlueGreen, synthReplace } from './fleet-helpers';
import { AMI_1, AMI_2, AMI_3, Json, SUBNETS, synthJson, VPC } from '../support/synth';

// In-use marks: each fleet slot tags the AMI it runs with a key of its own
// (cdktf-immutable:in-use:<fleet>[:<slot>]), and an image pipeline's retention that lists
// the fleet excludes every AMI that carries one of those keys.

const marks = (json: Json): Json[] => Object.values(json.resource.aws_ec2_tag ?? {});

/**
 * The AMI a mark names: its `resource_id` reads the `image_id` of the slot's launch
 * template (what the template runs, which is the code's image unless the slot is
 * pinned), resolved here from the template's configuration.
 */
function markedImage(json: Json, mark: Json): string {
  const match = /^\$\{aws_launch_template\.([A-Za-z0-9_]+)\.image_id\}$/.exec(mark.resource_id);
  if (!match) {
    throw new Error(`the mark does not read a launch template's image_id: ${mark.resource_id}`);
  }
  return json.resource.aws_launch_template[match[1]].image_id;
}

describe('in-use marks', () => {
  let both: Json;
  beforeAll(() => {
    both = synthBlueGreen(fromRelease({ blue: AMI_1, green: AMI_2, active: 'blue' })).json;
  });

  test("each blue/green slot with an image marks its AMI with the fleet's and the slot's key", () => {
    expect(marks(both)).toEqual([
      {
        resource_id: expect.stringMatching(/^\$\{aws_launch_template\.Web_Blue_LaunchTemplate_[0-9A-F]+\.image_id\}$/),
        key: 'cdktf-immutable:in-use:web:blue',
        value: 'true',
        lifecycle: { create_before_destroy: true },
      },
      {
        resource_id: expect.stringMatching(/^\$\{aws_launch_template\.Web_Green_LaunchTemplate_[0-9A-F]+\.image_id\}$/),
        key: 'cdktf-immutable:in-use:web:green',
        value: 'true',
        lifecycle: { create_before_destroy: true },
      },
    ]);
    expect(marks(both).map((mark) => markedImage(both, mark))).toEqual([AMI_1, AMI_2]);
    expect(Object.keys(both.resource.aws_ec2_tag)).toEqual([
      expect.stringMatching(/^Web_Blue_InUse_/),
      expect.stringMatching(/^Web_Green_InUse_/),
    ]);
  });

  test('an empty slot marks nothing', () => {
    const json = synthBlueGreen(fromRelease({ blue: AMI_1, green: null, active: 'blue' })).json;
    expect(marks(json).map((m) => m.key)).toEqual(['cdktf-immutable:in-use:web:blue']);
  });

  test('both slots on one AMI: two marks, one per slot', () => {
    const json = synthBlueGreen(fromRelease({ blue: AMI_1, green: AMI_1, active: 'blue' })).json;
    expect(marks(json).map((m) => [markedImage(json, m), m.key])).toEqual([
      [AMI_1, 'cdktf-immutable:in-use:web:blue'],
      [AMI_1, 'cdktf-immutable:in-use:web:green'],
    ]);
  });

  test("a replace fleet marks its AMI with the fleet's key", () => {
    const json = synthReplace().json;
    expect(marks(json)).toEqual([
      {
        resource_id: expect.stringMatching(/^\$\{aws_launch_template\.Api_LaunchTemplate_[0-9A-F]+\.image_id\}$/),
        key: 'cdktf-immutable:in-use:api',
        value: 'true',
        lifecycle: { create_before_destroy: true },
      },
    ]);
    expect(markedImage(json, marks(json)[0])).toBe(AMI_1);
  });

  test("an SSM parameter image is marked by the parameter's value (read at plan, through the template)", () => {
    const json = synthReplace({ image: ImageSource.fromSsmParameter('/images/web/ami-id') }).json;
    expect(markedImage(json, marks(json)[0])).toMatch(
      /^\$\{data\.aws_ssm_parameter\.Api_LaunchTemplate_ImageParameter_[0-9A-F]+\.insecure_value\}$/,
    );
  });

  test('a pinned slot marks the AMI its template runs (the state), not the one the code names', () => {
    // GIVEN blue active and pinned (nothing staged)
    const json = synthBlueGreen(fromRelease({ blue: AMI_2, green: AMI_1, active: 'blue', staged: 'none' })).json;
    const blueTemplate = resource(json, 'aws_launch_template', 'Blue');
    // THEN the template ignores changes of its definition, and the mark reads the
    // template's image_id, which Terraform keeps at the AMI the slot runs until a release
    // replaces the template: the mark never moves to an AMI nothing runs
    expect(blueTemplate.lifecycle.ignore_changes).toBe('all');
    expect(resource(json, 'aws_ec2_tag', 'Blue').resource_id).toMatch(
      /^\$\{aws_launch_template\.Web_Blue_.*\.image_id\}$/,
    );
  });

  test("restaging one environment moves only its own mark: the other environment's mark on the shared AMI is another resource in another stack", () => {
    // GIVEN dev and prod (two stacks, two fleet names) both running AMI_1 in green (staged)
    const env = (name: string, green: string) =>
      synthBlueGreen(fromRelease({ blue: AMI_3, green, active: 'blue', staged: 'green' }, { name })).json;
    const devBefore = env('web-dev', AMI_1);
    const prod = env('web-prod', AMI_1);
    expect([marks(devBefore)[1].key, marks(prod)[1].key]).toEqual([
      'cdktf-immutable:in-use:web-dev:green',
      'cdktf-immutable:in-use:web-prod:green',
    ]);
    // WHEN dev stages AMI_2 into green (prod's stack is not even synthesized again)
    const devAfter = env('web-dev', AMI_2);
    // THEN dev's plan replaces dev's mark: its resource_id (force-new) reads green's template,
    // which is replaced with AMI_2 (create on AMI_2, then delete dev's key from AMI_1);
    // prod's key on AMI_1 is not in dev's state, so it stays
    const diff = compare(devBefore, devAfter);
    expect(diff.changed).toContain(address(devAfter, 'aws_launch_template', 'Green'));
    expect(markedImage(devAfter, marks(devAfter)[1])).toBe(AMI_2);
    expect(marks(devAfter)[1]).toMatchObject({ key: 'cdktf-immutable:in-use:web-dev:green' });
    expect(ResourcePolicy.isForceNewAttribute('aws_ec2_tag', 'resource_id')).toBe(true);
    expect(resource(devAfter, 'aws_ec2_tag', 'Green').lifecycle).toEqual({ create_before_destroy: true });
  });

  test('a pipeline whose retention lists the fleets excludes exactly the keys the fleets set', () => {
    // GIVEN one app: an image pipeline and two environments' fleets
    const app = new App();
    const images = new TerraformStack(app, 'images');
    new AmiPipeline(images, 'Web', {
      name: 'web',
      parentImage: ParentImage.fromAmiId(AMI_1),
      components: [ImageComponent.fromManagedArn('arn:aws:imagebuilder:eu-west-1:aws:component/update-linux/x.x.x')],
      retention: ImageRetention.keepLast(3, { inUseByFleets: ['web-dev', 'web-prod'] }),
    });
    const fleetKeys: string[] = [];
    for (const name of ['web-dev', 'web-prod']) {
      const stack = new TerraformStack(app, name);
      new ReplaceFleet(stack, 'Web', { name, vpcId: VPC, subnetIds: SUBNETS, image: ImageSource.fromAmiId(AMI_1) });
      fleetKeys.push(...marks(synthJson(stack)).map((m) => m.key));
      const blueGreen = synthBlueGreen(fromRelease({ blue: AMI_1, green: AMI_2, active: 'blue' }, { name })).json;
      fleetKeys.push(...marks(blueGreen).map((m) => m.key));
    }
    const policy = Object.values(synthJson(images).resource.aws_imagebuilder_lifecycle_policy)[0] as Json;
    const excluded = policy.policy_detail[0].exclusion_rules[0].amis[0].tag_map;
    // THEN every mark any of their slots can set is excluded, with the value the slots set
    for (const key of fleetKeys) {
      expect(excluded[key]).toBe('true');
    }
    expect(fleetKeys).toHaveLength(6);
  });
});
