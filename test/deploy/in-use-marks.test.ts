import { App, TerraformStack } from 'cdktf';
import { AmiPipeline, ImageComponent, ImageRetention, ImageSource, ParentImage, ReplaceFleet } from '../../lib';
import { compare, fromRelease, resource, synthBlueGreen, synthReplace } from './fleet-helpers';
import { AMI_1, AMI_2, Json, SUBNETS, synthJson, VPC } from '../support/synth';

// In-use marks: each fleet slot tags the AMI it runs with a key of its own
// (cdktf-immutable:in-use:<fleet>[:<slot>]), and an image pipeline's retention that lists
// the fleet excludes every AMI that carries one of those keys.

const marks = (json: Json): Json[] => Object.values(json.resource.aws_ec2_tag ?? {});

describe('in-use marks', () => {
  let both: Json;
  beforeAll(() => {
    both = synthBlueGreen(fromRelease({ blue: AMI_1, green: AMI_2, active: 'blue' })).json;
  });

  test("each blue/green slot with an image marks its AMI with the fleet's and the slot's key", () => {
    expect(marks(both)).toEqual([
      {
        resource_id: AMI_1,
        key: 'cdktf-immutable:in-use:web:blue',
        value: 'true',
        lifecycle: { create_before_destroy: true },
      },
      {
        resource_id: AMI_2,
        key: 'cdktf-immutable:in-use:web:green',
        value: 'true',
        lifecycle: { create_before_destroy: true },
      },
    ]);
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
    expect(marks(json).map((m) => [m.resource_id, m.key])).toEqual([
      [AMI_1, 'cdktf-immutable:in-use:web:blue'],
      [AMI_1, 'cdktf-immutable:in-use:web:green'],
    ]);
  });

  test("a replace fleet marks its AMI with the fleet's key", () => {
    expect(marks(synthReplace().json)).toEqual([
      {
        resource_id: AMI_1,
        key: 'cdktf-immutable:in-use:api',
        value: 'true',
        lifecycle: { create_before_destroy: true },
      },
    ]);
  });

  test("an SSM parameter image is marked by the parameter's value (read at plan)", () => {
    const json = synthReplace({ image: ImageSource.fromSsmParameter('/images/web/ami-id') }).json;
    expect(marks(json)[0].resource_id).toMatch(
      /^\$\{data\.aws_ssm_parameter\.Api_LaunchTemplate_ImageParameter_[0-9A-F]+\.insecure_value\}$/,
    );
  });

  test("restaging one environment moves only its own mark: the other environment's mark on the shared AMI is another resource in another stack", () => {
    // GIVEN dev and prod (two stacks, two fleet names) both running AMI_1 in blue
    const env = (name: string, blue: string) =>
      synthBlueGreen(fromRelease({ blue, green: null, active: 'blue' }, { name })).json;
    const devBefore = env('web-dev', AMI_1);
    const prod = env('web-prod', AMI_1);
    expect([marks(devBefore)[0].key, marks(prod)[0].key]).toEqual([
      'cdktf-immutable:in-use:web-dev:blue',
      'cdktf-immutable:in-use:web-prod:blue',
    ]);
    // WHEN dev moves blue to AMI_2 (prod's stack is not even synthesized again)
    const devAfter = env('web-dev', AMI_2);
    // THEN dev's plan replaces dev's mark (create on AMI_2, then delete dev's key from AMI_1);
    // prod's key on AMI_1 is not in dev's state, so it stays
    const diff = compare(devBefore, devAfter);
    expect(diff.changed.filter((a) => a.startsWith('aws_ec2_tag.'))).toHaveLength(1);
    expect(marks(devAfter)[0]).toMatchObject({ resource_id: AMI_2, key: 'cdktf-immutable:in-use:web-dev:blue' });
    expect(resource(devAfter, 'aws_ec2_tag', 'Blue').lifecycle).toEqual({ create_before_destroy: true });
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
