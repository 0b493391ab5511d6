/**
 * The offline preview: references and replace_triggered_by followed to a fixed point,
 * force-new attributes of every type, forbidden attributes.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import {
  AmiPipeline,
  BlueGreenFleet,
  FleetLoadBalancer,
  ImageComponent,
  ImageSource,
  InstanceType,
  ParentImage,
  UserData,
} from '../../lib';
import { hasViolations, PREVIEW_LABELS, previewChanges, PreviewResource } from '../../lib/review';
import { AMI_1, AMI_2, newStack, SUBNETS, synthStack, synthWithMetadata, VPC } from '../support/synth';

type Resources = Record<string, Record<string, Record<string, unknown>>>;

function preview(before: Resources, after: Resources): Map<string, PreviewResource> {
  const [stack] = previewChanges(new Map([['s', { resource: before }]]), new Map([['s', { resource: after }]]));
  return new Map(stack.resources.map((r) => [r.address, r]));
}

const cbd = (extra: Record<string, unknown> = {}) => ({ lifecycle: { create_before_destroy: true, ...extra } });

describe('an AmiPipeline feeding a blue/green fleet in one stack', () => {
  /** The stack's resources, with `command` in the image's one component. */
  function pipelineAndFleet(command: string): Resources {
    const { json } = synthStack((stack) => {
      new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
      const pipeline = new AmiPipeline(stack, 'Image', {
        name: 'web',
        parentImage: ParentImage.fromManagedImage('amazon-linux-2023-x86'),
        components: [
          ImageComponent.fromInline(
            'app',
            `schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Install\n        action: ExecuteBash\n        inputs:\n          commands:\n            - ${command}\n`,
          ),
        ],
      });
      new BlueGreenFleet(stack, 'Web', {
        name: 'web',
        vpcId: VPC,
        subnetIds: SUBNETS,
        loadBalancer: FleetLoadBalancer.create({}),
        capacity: { min: 1, max: 2 },
        server: { instanceType: InstanceType.of('t3.micro') },
        slots: {
          blue: { image: ImageSource.fromAmiId(AMI_1) },
          green: { image: ImageSource.fromPipeline(pipeline) },
        },
        active: 'blue',
      });
    }, 'web');
    return json.resource as Resources;
  }

  test("changing one component replaces the image, then the slot's launch template and group; the other slot and the listener stay", () => {
    // GIVEN two synths that differ by one component's command
    const before = pipelineAndFleet('dnf install -y nginx');
    const after = pipelineAndFleet('dnf install -y nginx-1.24');
    // WHEN
    const result = preview(before, after);
    // THEN
    const byType = (type: string, slot?: string) =>
      [...result.values()].filter((r) => r.type === type && (!slot || r.address.includes(`_${slot}_`)));
    expect(byType('aws_imagebuilder_component').map((r) => r.action)).toEqual(['replaced']);
    expect(byType('aws_imagebuilder_image').map((r) => r.action)).toEqual(['replaced']);
    const [greenTemplate] = byType('aws_launch_template', 'Green');
    const [greenGroup] = byType('aws_autoscaling_group', 'Green');
    expect(greenTemplate).toMatchObject({ action: 'replaced', violation: false });
    expect(greenGroup).toMatchObject({ action: 'replaced', violation: false });
    expect(greenTemplate.reason).toMatch(/aws_imagebuilder_image\./);
    expect(byType('aws_launch_template', 'Blue').map((r) => r.action)).toEqual(['unchanged']);
    expect(byType('aws_autoscaling_group', 'Blue').map((r) => r.action)).toEqual(['unchanged']);
    expect(byType('aws_lb_listener').map((r) => r.action)).toEqual(['unchanged']);
    // the slot's in-use mark moves to the new AMI (resource_id forces a new tag)
    expect(byType('aws_ec2_tag', 'Green').map((r) => r.action)).toEqual(['replaced']);
    expect(byType('aws_ec2_tag', 'Blue').map((r) => r.action)).toEqual(['unchanged']);
    // In place: only the resources that follow the new image without running it: the
    // recipe version tag of the distributed AMIs, the retention rule's recipe version, and
    // the green slot's release marker (green is staged: it follows the code anyway).
    // (The published AMI id parameter ignores its value, which Image Builder owns: as in
    // Terraform, preview honours ignore_changes.)
    expect(
      [...result.values()]
        .filter((r) => r.action === 'updated')
        .map((r) => `${r.type} ${r.changed.join(',')}`)
        .sort(),
    ).toEqual([
      'aws_imagebuilder_distribution_configuration distribution[0].ami_distribution_configuration.ami_tags.cdktf-immutable:recipe-version',
      'aws_imagebuilder_lifecycle_policy resource_selection[0].recipe[0].semantic_version',
      'terraform_data input.image',
    ]);
    expect([...result.values()].some((r) => r.violation)).toBe(false);
  });
});

describe('force-new attributes of mutable-by-design types are replacements', () => {
  test.each([
    [
      'aws_autoscaling_policy',
      { name: 'web-blue-cpu', autoscaling_group_name: 'g', policy_type: 'TargetTrackingScaling' },
      { name: 'web-blue-cpu-2' },
      'name forces a new resource',
    ],
    [
      'aws_lb_target_group',
      { name: 'web-blue', port: 80, protocol: 'HTTP', vpc_id: 'vpc-1' },
      { port: 8080 },
      'port forces a new resource',
    ],
    [
      'aws_lb_target_group',
      { name: 'web-blue', port: 80, protocol: 'HTTP', vpc_id: 'vpc-1' },
      { name: 'web-b' },
      'name forces a new resource',
    ],
    [
      'aws_security_group',
      { name: 'web', vpc_id: 'vpc-1', description: 'd' },
      { vpc_id: 'vpc-2' },
      'vpc_id forces a new resource',
    ],
    [
      'aws_security_group',
      { name: 'web', vpc_id: 'vpc-1', description: 'd' },
      { name: 'web-2', description: 'e' },
      'description, name force a new resource',
    ],
    ['aws_iam_role', { name: 'r', assume_role_policy: '{}' }, { path: '/x/' }, 'path forces a new resource'],
  ])('%s: %j changed by %j is replaced', (type, body, change, reason) => {
    const result = preview({ [type]: { x: body } }, { [type]: { x: { ...body, ...change } } });
    expect(result.get(`${type}.x`)).toMatchObject({ action: 'replaced', reason, violation: false });
  });

  test('in-place attributes stay updates: health check, ingress rules, listener weights', () => {
    const result = preview(
      {
        aws_lb_target_group: { x: { name: 'a', port: 80, health_check: { path: '/' } } },
        aws_lb_listener: {
          l: {
            port: 80,
            default_action: [{ type: 'forward', forward: { target_group: [{ arn: 'a', weight: 100 }] } }],
          },
        },
      },
      {
        aws_lb_target_group: { x: { name: 'a', port: 80, health_check: { path: '/health' } } },
        aws_lb_listener: {
          l: { port: 80, default_action: [{ type: 'forward', forward: { target_group: [{ arn: 'a', weight: 0 }] } }] },
        },
      },
    );
    expect(result.get('aws_lb_target_group.x')).toMatchObject({ action: 'updated', changed: ['health_check.path'] });
    expect(result.get('aws_lb_listener.l')).toMatchObject({ action: 'updated' });
  });

  test("a nested force-new attribute: an Image Builder recipe's block device size", () => {
    const recipe = (size: number) => ({
      name: 'web',
      version: '1.0.1',
      block_device_mapping: [{ device_name: '/dev/xvda', ebs: { volume_size: size } }],
    });
    const result = preview(
      { aws_imagebuilder_image_recipe: { r: recipe(20) } },
      { aws_imagebuilder_image_recipe: { r: recipe(40) } },
    );
    expect(result.get('aws_imagebuilder_image_recipe.r')).toMatchObject({
      action: 'replaced',
      reason: 'block_device_mapping forces a new resource',
    });
  });
});

describe('references are followed to a fixed point', () => {
  const template = (name: string, image: string) => ({ name, image_id: image, ...cbd() });
  const group = (extra: Record<string, unknown> = {}) => ({
    name: 'web-1111111111',
    launch_template: { id: '${aws_launch_template.web.id}', version: '${aws_launch_template.web.latest_version}' },
    target_group_arns: ['${aws_lb_target_group.web.arn}'],
    ...cbd(),
    ...extra,
  });
  const targetGroup = (port: number) => ({ name: 'web', port, protocol: 'HTTP', vpc_id: 'vpc-1' });

  test("a launch template updated in place changes the group's launch_template.version in place: two violations", () => {
    const result = preview(
      {
        aws_launch_template: { web: template('web', 'ami-1') },
        aws_autoscaling_group: { web: group() },
        aws_lb_target_group: { web: targetGroup(80) },
      },
      {
        aws_launch_template: { web: template('web', 'ami-2') },
        aws_autoscaling_group: { web: group() },
        aws_lb_target_group: { web: targetGroup(80) },
      },
    );
    expect(result.get('aws_launch_template.web')).toMatchObject({ action: 'updated', violation: true });
    expect(result.get('aws_autoscaling_group.web')).toMatchObject({
      action: 'updated',
      changed: ['launch_template.version'],
      violation: true,
      reason: 'launch_template.version follows aws_launch_template.web.latest_version, which changes',
    });
  });

  test("a replaced target group changes the group's target_group_arns in place (a violation), and its unchanged name reads the same", () => {
    const result = preview(
      {
        aws_lb_target_group: { web: targetGroup(80) },
        aws_autoscaling_group: { web: group({ tag: [{ key: 'tg', value: '${aws_lb_target_group.web.name}' }] }) },
      },
      {
        aws_lb_target_group: { web: targetGroup(8080) },
        aws_autoscaling_group: { web: group({ tag: [{ key: 'tg', value: '${aws_lb_target_group.web.name}' }] }) },
      },
    );
    expect(result.get('aws_lb_target_group.web')).toMatchObject({ action: 'replaced' });
    expect(result.get('aws_autoscaling_group.web')).toMatchObject({
      action: 'updated',
      changed: ['target_group_arns[0]'],
      violation: true,
    });
  });

  test('a force-new attribute that references a replaced resource replaces its resource, through a chain', () => {
    const result = preview(
      {
        aws_imagebuilder_component: { c: { name: 'web-app', version: '1.0.1', platform: 'Linux', data: 'a' } },
        aws_imagebuilder_image_recipe: {
          r: {
            name: 'web',
            version: '1.0.9',
            parent_image: 'p',
            component: [{ component_arn: '${aws_imagebuilder_component.c.arn}' }],
          },
        },
        aws_imagebuilder_image: {
          i: { image_recipe_arn: '${aws_imagebuilder_image_recipe.r.arn}', infrastructure_configuration_arn: 'x' },
        },
        aws_launch_template: {
          web: template(
            'web-${substr(sha256(jsonencode(aws_imagebuilder_image.i.output_resources)), 0, 10)}',
            '${aws_imagebuilder_image.i.output_resources[0].amis[0].image}',
          ),
        },
        aws_autoscaling_group: {
          web: { name: 'web', ...cbd({ replace_triggered_by: ['aws_launch_template.web.id'] }) },
        },
      },
      {
        aws_imagebuilder_component: { c: { name: 'web-app', version: '1.0.2', platform: 'Linux', data: 'b' } },
        aws_imagebuilder_image_recipe: {
          r: {
            name: 'web',
            version: '1.0.9',
            parent_image: 'p',
            component: [{ component_arn: '${aws_imagebuilder_component.c.arn}' }],
          },
        },
        aws_imagebuilder_image: {
          i: { image_recipe_arn: '${aws_imagebuilder_image_recipe.r.arn}', infrastructure_configuration_arn: 'x' },
        },
        aws_launch_template: {
          web: template(
            'web-${substr(sha256(jsonencode(aws_imagebuilder_image.i.output_resources)), 0, 10)}',
            '${aws_imagebuilder_image.i.output_resources[0].amis[0].image}',
          ),
        },
        aws_autoscaling_group: {
          web: { name: 'web', ...cbd({ replace_triggered_by: ['aws_launch_template.web.id'] }) },
        },
      },
    );
    expect(result.get('aws_imagebuilder_component.c')).toMatchObject({ action: 'replaced', reason: 'new version' });
    expect(result.get('aws_imagebuilder_image_recipe.r')).toMatchObject({
      action: 'replaced',
      reason: 'component follows aws_imagebuilder_component.c.arn, which changes',
    });
    expect(result.get('aws_imagebuilder_image.i')).toMatchObject({
      action: 'replaced',
      reason: 'image_recipe_arn follows aws_imagebuilder_image_recipe.r.arn, which changes',
    });
    expect(result.get('aws_launch_template.web')).toMatchObject({
      action: 'replaced',
      reason: 'name follows aws_imagebuilder_image.i.output_resources, which changes',
    });
    expect(result.get('aws_autoscaling_group.web')).toMatchObject({
      action: 'replaced',
      reason: 'replace_triggered_by aws_launch_template.web.id',
    });
  });

  test('replace_triggered_by a whole resource fires on an update; on an attribute, only when that attribute changes', () => {
    const before = {
      aws_ssm_parameter: { p: { name: '/web/ami', value: 'ami-1', description: 'a' } },
      aws_launch_template: {
        whole: { name: 'w', ...cbd({ replace_triggered_by: ['aws_ssm_parameter.p'] }) },
        value: { name: 'v', ...cbd({ replace_triggered_by: ['aws_ssm_parameter.p.value'] }) },
      },
    };
    const after = JSON.parse(JSON.stringify(before));
    after.aws_ssm_parameter.p.description = 'b';
    const result = preview(before, after);
    expect(result.get('aws_ssm_parameter.p')).toMatchObject({ action: 'updated' });
    expect(result.get('aws_launch_template.whole')).toMatchObject({
      action: 'replaced',
      reason: 'replace_triggered_by aws_ssm_parameter.p',
    });
    expect(result.get('aws_launch_template.value')).toMatchObject({ action: 'unchanged' });
  });

  test('data sources, variables and locals are not resources of the stack', () => {
    const lt = { name: 'web', image_id: '${data.aws_ami.web.id}', user_data: '${var.x}${local.y}', ...cbd() };
    const result = preview(
      { aws_ami: { web: { name: 'a', root_device_name: '/dev/xvda' } }, aws_launch_template: { web: lt } },
      { aws_ami: { web: { name: 'b', root_device_name: '/dev/xvda' } }, aws_launch_template: { web: lt } },
    );
    expect(result.get('aws_ami.web')).toMatchObject({ action: 'replaced' });
    expect(result.get('aws_launch_template.web')).toMatchObject({ action: 'unchanged' });
  });
});

describe('forbidden attributes', () => {
  test('an Image Builder distribution with launch_template_configuration is a violation, even when unchanged', () => {
    const body = {
      name: 'web',
      distribution: [
        { region: 'eu-west-1', launch_template_configuration: [{ launch_template_id: 'lt-1', default: true }] },
      ],
    };
    const [stack] = previewChanges(
      new Map([['s', { resource: { aws_imagebuilder_distribution_configuration: { d: body } } }]]),
      new Map([['s', { resource: { aws_imagebuilder_distribution_configuration: { d: body } } }]]),
    );
    expect(stack.resources[0]).toMatchObject({
      action: 'unchanged',
      violation: true,
      violationReason: expect.stringMatching(
        /^distribution\.launch_template_configuration is set: it rewrites the launch templates/,
      ),
    });
    expect(hasViolations([stack])).toBe(true);
  });
});

describe('meta-arguments', () => {
  test('a change of depends_on or lifecycle preconditions alone is no action', () => {
    const listener = (deps: string[], precondition: string) => ({
      port: 80,
      depends_on: deps,
      lifecycle: { precondition: [{ condition: precondition, error_message: 'x' }] },
    });
    const result = preview(
      { aws_lb_listener: { l: listener(['aws_autoscaling_group.a'], 'true') } },
      { aws_lb_listener: { l: listener(['aws_autoscaling_group.b'], 'false') } },
    );
    expect(result.get('aws_lb_listener.l')).toMatchObject({
      action: 'unchanged',
      changed: ['depends_on[0]', 'lifecycle.precondition[0].condition'],
      violation: false,
    });
  });

  test('a change of count is an update (it adds or removes instances)', () => {
    const result = preview(
      { aws_lb_listener: { l: { port: 80, count: 1 } } },
      { aws_lb_listener: { l: { port: 80, count: 2 } } },
    );
    expect(result.get('aws_lb_listener.l')).toMatchObject({ action: 'updated', changed: ['count'] });
  });
});

describe('moved blocks', () => {
  test('a resource renamed with a moved block is compared at its new address, not destroyed and created', () => {
    const lt = { name: 'web-1111111111', image_id: 'ami-1', ...cbd() };
    const [stack] = previewChanges(
      new Map([['s', { resource: { aws_launch_template: { old: lt } } }]]),
      new Map([
        [
          's',
          {
            resource: { aws_launch_template: { renamed: lt } },
            moved: [{ from: 'aws_launch_template.old', to: 'aws_launch_template.renamed' }],
          },
        ],
      ]),
    );
    expect(stack.resources).toEqual([
      expect.objectContaining({ address: 'aws_launch_template.renamed', action: 'unchanged' }),
    ]);
  });

  test('without the moved block it is a destroy and a create', () => {
    const lt = { name: 'web-1111111111', image_id: 'ami-1', ...cbd() };
    const result = preview({ aws_launch_template: { old: lt } }, { aws_launch_template: { renamed: lt } });
    expect([...result.values()].map((r) => `${r.address} ${r.action}`)).toEqual([
      'aws_launch_template.old destroyed',
      'aws_launch_template.renamed created',
    ]);
  });
});

test('an immutable resource whose depends_on and a tag changed is an operational update, no violation', () => {
  const group = (dep: string, team: string) => ({
    name: 'web-1111111111',
    depends_on: [dep],
    tags: { team },
    ...cbd(),
  });
  const result = preview(
    { aws_autoscaling_group: { g: group('aws_lb.a', 'a') } },
    { aws_autoscaling_group: { g: group('aws_lb.b', 'b') } },
  );
  expect(result.get('aws_autoscaling_group.g')).toMatchObject({ action: 'updated', violation: false });
});

describe('pinned slots: a settings change waits for a release', () => {
  /** prod's fleet (blue serving and pinned, green the rollback slot or staged), synthesized with its metadata. */
  function fleet(stagedSlot: 'green' | 'none', userData: string): Resources {
    const stack = newStack('prod');
    new BlueGreenFleet(stack, 'Web', {
      name: 'web',
      vpcId: VPC,
      subnetIds: SUBNETS,
      server: { userData: UserData.fromString(userData) },
      slots: { blue: { image: ImageSource.fromAmiId(AMI_1) }, green: { image: ImageSource.fromAmiId(AMI_2) } },
      active: 'blue',
      stagedSlot,
      releaseEnvironment: 'prod',
    });
    return synthWithMetadata(stack).resource as Resources;
  }
  const actions = (result: Map<string, PreviewResource>, slot: string) =>
    [...result.values()]
      .filter((r) => r.address.includes(`_${slot}_`) && r.action !== 'unchanged')
      .map((r) => `${r.type} ${r.action}`)
      .sort();

  test('pinned slots: their template and group wait for a release, with the reason; nothing follows them', () => {
    const result = preview(fleet('none', '#!/bin/sh\necho v1\n'), fleet('none', '#!/bin/sh\necho v2\n'));
    for (const slot of ['Blue', 'Green']) {
      expect(actions(result, slot)).toEqual([
        'aws_autoscaling_group waits-for-release',
        'aws_launch_template waits-for-release',
      ]);
    }
    const template = [...result.values()].find((r) => r.address.includes('_Blue_LaunchTemplate_'))!;
    expect(template).toMatchObject({ violation: false, changed: expect.arrayContaining(['name', 'user_data']) });
    expect(template.reason).toMatch(/cdktf-immutable release stage prod --same-image/);
    expect(PREVIEW_LABELS['waits-for-release']).toBe('waits for a release');
    expect(hasViolations([{ stack: 's', resources: [...result.values()] }])).toBe(false);
  });

  test('the staged slot is replaced; the serving one waits', () => {
    const result = preview(fleet('green', '#!/bin/sh\necho v1\n'), fleet('green', '#!/bin/sh\necho v2\n'));
    expect(actions(result, 'Green')).toEqual(['aws_autoscaling_group replaced', 'aws_launch_template replaced']);
    expect(actions(result, 'Blue')).toEqual([
      'aws_autoscaling_group waits-for-release',
      'aws_launch_template waits-for-release',
    ]);
  });
});
