import { analyze } from './analysis';

/** The analysis behind the mutation matrix, on hand-written synth outputs: it must see the holes. */
const stack = (
  resources: Record<string, Record<string, Record<string, unknown>>>,
  data: Record<string, Record<string, Record<string, unknown>>> = {},
) => ({ resource: resources, data });

const base = () => ({
  aws_launch_template: {
    lt: {
      name: 'web-1111111111',
      image_id: 'ami-0123456789abcdef0',
      iam_instance_profile: { name: '${aws_iam_instance_profile.p.name}' },
    },
  },
  aws_autoscaling_group: {
    asg: {
      name: 'web-1111111111',
      min_size: 1,
      launch_template: { id: '${aws_launch_template.lt.id}' },
      lifecycle: { replace_triggered_by: ['aws_launch_template.lt.id'] },
    },
  },
  aws_iam_instance_profile: { p: { name_prefix: 'web-', role: '${aws_iam_role.r.name}' } },
  aws_iam_role: { r: { name_prefix: 'web-', assume_role_policy: '{}' } },
});

describe('analyze', () => {
  test('a launch template changed under the same name is an in-place change (the hole the matrix exists for)', () => {
    const after = base();
    after.aws_launch_template.lt.image_id = 'ami-0fedcba9876543210';
    const result = analyze(stack(base()), stack(after));
    expect(result.inPlace).toEqual(['aws_launch_template.lt: image_id (changed)']);
    expect(result.immutableReplaced).toEqual([]);
  });

  test('a new name replaces the template, and replace_triggered_by the group that follows it', () => {
    const after = base();
    after.aws_launch_template.lt = {
      ...after.aws_launch_template.lt,
      name: 'web-2222222222',
      image_id: 'ami-0fedcba9876543210',
    };
    const result = analyze(stack(base()), stack(after));
    expect(result.inPlace).toEqual([]);
    expect([...result.immutableReplaced].sort()).toEqual(['aws_autoscaling_group.asg', 'aws_launch_template.lt']);
    // the group kept its fixed name: its create-before-destroy replacement would collide
    expect(result.collisions).toEqual(['aws_autoscaling_group.asg: name = "web-1111111111"']);
    // with a name the API makes unique (name_prefix), no collision
    const prefixed = (json: ReturnType<typeof base>) => {
      const { name: _name, ...rest } = json.aws_autoscaling_group.asg;
      return { ...json, aws_autoscaling_group: { asg: { ...rest, name_prefix: 'web-' } } };
    };
    expect(analyze(stack(prefixed(base())), stack(prefixed(after))).collisions).toEqual([]);
  });

  test('a replaced profile behind an unchanged template name changes the template in place', () => {
    const after = base();
    after.aws_iam_instance_profile.p.name_prefix = 'api-';
    const result = analyze(stack(base()), stack(after));
    expect(result.replaced.has('aws_iam_instance_profile.p')).toBe(true);
    expect(result.inPlace).toEqual(['aws_launch_template.lt: iam_instance_profile (refers to a replaced resource)']);
  });

  test('an operational attribute changes in place without a finding', () => {
    const after = base();
    after.aws_autoscaling_group.asg.min_size = 3;
    const result = analyze(stack(base()), stack(after));
    expect(result.inPlace).toEqual([]);
    expect(result.immutableReplaced).toEqual([]);
  });

  test('a recipe replaced under the same name and version is a collision', () => {
    const recipe = (tags: Record<string, string>) =>
      stack({
        aws_imagebuilder_image_recipe: {
          r: { name: 'web', version: '1.0.1', ami_tags: tags, parent_image: 'ami-0123456789abcdef0' },
        },
      });
    const result = analyze(recipe({ team: 'web' }), recipe({ team: 'api' }));
    expect(result.immutableReplaced).toEqual(['aws_imagebuilder_image_recipe.r']);
    expect(result.collisions).toEqual(['aws_imagebuilder_image_recipe.r: name = "web", version = "1.0.1"']);
  });

  test('a data source with another query changes what refers to it: a name built from it is a new name at apply', () => {
    const make = (parameter: string) =>
      stack(
        {
          aws_launch_template: {
            lt: {
              name: 'web-${substr(sha256(data.aws_ssm_parameter.ami.insecure_value), 0, 10)}',
              image_id: '${data.aws_ssm_parameter.ami.insecure_value}',
            },
          },
        },
        { aws_ssm_parameter: { ami: { name: parameter } } },
      );
    const result = analyze(make('/images/web'), make('/images/api'));
    expect(result.immutableReplaced).toEqual(['aws_launch_template.lt']);
    expect(result.inPlace).toEqual([]);
  });
});
