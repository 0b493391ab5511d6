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
    // In place: only what follows the new image without running it: the recipe version
    // tag of the distributed AMIs, the retention rule's recipe version, and the green
    // slot's release marker (green is staged: it follows the code anyway). The published
    // AMI id follows the image too, but its value is under ignore_changes (the pipeline's
    // distribution writes it): no update.
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
    expect(byType('aws_ssm_parameter')).toEqual([
      expect.objectContaining({ action: 'unchanged', changed: [], ignored: ['value'] }),
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
    expect(hasViolations([{ resources: [...result.values()] }])).toBe(false);
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

/** Two stacks named `s` with these top-level blocks (resource, data, locals, variable...). */
function previewStacks(before: Record<string, unknown>, after: Record<string, unknown>) {
  const [stack] = previewChanges(new Map([['s', before]]), new Map([['s', after]]));
  return { stack, byAddress: new Map(stack.resources.map((r) => [r.address, r])) };
}

const AWS6 = { required_providers: { aws: { source: 'aws', version: '6.25.0' } } };
const lt = (extra: Record<string, unknown>) => ({ aws_launch_template: { web: { ...extra, ...cbd() } } });

describe('locals and variables are followed, at the path read', () => {
  const locals = (blue: number, green: number) => ({ traffic: { blue: { weight: blue }, green: { weight: green } } });
  const listener = (slot: string) => ({ port: 80, default_action: [{ weight: `\${local.traffic.${slot}.weight}` }] });

  test('a change of one member of a local reaches only what reads that member', () => {
    const resource = { aws_lb_listener: { blue: listener('blue'), green: listener('green') } };
    const { byAddress } = previewStacks({ locals: locals(100, 0), resource }, { locals: locals(0, 0), resource });
    expect(byAddress.get('aws_lb_listener.blue')).toMatchObject({
      action: 'updated',
      changed: ['default_action[0].weight'],
      reason: 'default_action[0].weight follows local.traffic.blue.weight, which changes (its expression changes)',
    });
    expect(byAddress.get('aws_lb_listener.green')?.action).toBe('unchanged');
  });

  test('a local that refers to a variable follows its default; a type change is undecided', () => {
    const stack = (variable: Record<string, unknown>) => ({
      variable: { ami: variable },
      locals: { ami: '${var.ami}' },
      resource: lt({ name: 'web-${substr(sha256(local.ami), 0, 8)}', image_id: '${local.ami}' }),
    });
    const replaced = previewStacks(
      stack({ type: 'string', default: 'ami-1' }),
      stack({ type: 'string', default: 'ami-2' }),
    );
    expect(replaced.byAddress.get('aws_launch_template.web')).toMatchObject({
      action: 'replaced',
      reason: 'name follows local.ami, which changes (var.ami: its default changes)',
    });
    const typed = previewStacks(stack({ type: 'string', default: 'ami-1' }), stack({ type: 'any', default: 'ami-1' }));
    expect(typed.byAddress.get('aws_launch_template.web')).toMatchObject({
      action: 'unknown',
      ifChanged: 'replaced',
      reason: 'name follows local.ami, which preview cannot decide (var.ami: its type changes)',
    });
  });

  test('a variable with no default (set from outside) is the same on both sides', () => {
    const stack = { variable: { ami: { type: 'string' } }, resource: lt({ name: 'web', image_id: '${var.ami}' }) };
    expect(previewStacks(stack, stack).stack.changed).toBe(false);
  });

  test('an escaped $${ is no reference; a %{ } directive is', () => {
    const stack = (text: string, ami: string) => ({
      variable: { ami: { default: ami } },
      resource: { aws_ssm_parameter: { p: { name: '/p', value: text } } },
    });
    expect(previewStacks(stack('$${var.ami}', 'a'), stack('$${var.ami}', 'b')).stack.changed).toBe(false);
    const directive = previewStacks(
      stack('%{ if var.ami == "a" }x%{ endif }', 'a'),
      stack('%{ if var.ami == "a" }x%{ endif }', 'b'),
    );
    expect(directive.byAddress.get('aws_ssm_parameter.p')?.action).toBe('updated');
  });

  test('count and for_each that follow a changing value are undecided: instances may come and go', () => {
    const stack = (n: number) => ({
      variable: { n: { default: n } },
      resource: { aws_ssm_parameter: { p: { name: '/p', value: 'v', count: '${var.n}' } } },
    });
    expect(previewStacks(stack(1), stack(2)).byAddress.get('aws_ssm_parameter.p')).toMatchObject({
      action: 'unknown',
      reason: 'count follows var.n, which changes: instances may be created or destroyed',
    });
  });
});

describe('data sources', () => {
  const stack = (data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    data: { aws_ami: { web: data } },
    resource: {
      ...lt({ name: 'web-${substr(sha256(data.aws_ami.web.id), 0, 8)}', image_id: '${data.aws_ami.web.id}' }),
      ...extra,
    },
  });

  test('unchanged arguments read the same value', () => {
    expect(previewStacks(stack({ owners: ['amazon'] }), stack({ owners: ['amazon'] })).stack.changed).toBe(false);
  });

  test('changed arguments: the value is read at plan, so what follows it is unknown', () => {
    const { byAddress } = previewStacks(stack({ owners: ['amazon'] }), stack({ owners: ['self'] }));
    expect(byAddress.get('aws_launch_template.web')).toMatchObject({ action: 'unknown', ifChanged: 'replaced' });
  });

  test('an argument that follows a new resource id defers the read to apply: what follows it changes', () => {
    const ssm = (name: string) => ({ aws_ssm_parameter: { p: { name, type: 'String', value: 'v' } } });
    const { byAddress } = previewStacks(
      stack({ filter: [{ name: 'tag:p', values: ['${aws_ssm_parameter.p.id}'] }] }, ssm('/a')),
      stack({ filter: [{ name: 'tag:p', values: ['${aws_ssm_parameter.p.id}'] }] }, ssm('/b')),
    );
    expect(byAddress.get('aws_launch_template.web')).toMatchObject({ action: 'replaced' });
    expect(byAddress.get('aws_launch_template.web')?.reason).toMatch(/is read during apply/);
  });

  test('depends_on a resource that changes defers the read to apply', () => {
    const ssm = (value: string) => ({ aws_ssm_parameter: { p: { name: '/p', type: 'String', value } } });
    const { byAddress } = previewStacks(
      stack({ owners: ['amazon'], depends_on: ['aws_ssm_parameter.p'] }, ssm('a')),
      stack({ owners: ['amazon'], depends_on: ['aws_ssm_parameter.p'] }, ssm('b')),
    );
    expect(byAddress.get('aws_launch_template.web')).toMatchObject({
      action: 'replaced',
      reason: expect.stringMatching(/it depends on aws_ssm_parameter\.p, which changes/),
    });
  });

  test('a new data source is undecided', () => {
    const after = stack({ owners: ['amazon'] });
    const { byAddress } = previewStacks({ resource: after.resource }, after);
    expect(byAddress.get('aws_launch_template.web')?.action).toBe('unknown');
  });
});

describe('providers', () => {
  const regional = (provider: Record<string, unknown>, terraform: Record<string, unknown> = AWS6) => ({
    provider: { aws: [provider, { alias: 'west', region: 'us-west-2' }] },
    data: { aws_region: { here: {} }, aws_partition: { here: {} } },
    resource: {
      aws_ssm_parameter: {
        region: { name: '/region', type: 'String', value: '${data.aws_region.here.region}' },
        partition: { name: '/partition', type: 'String', value: '${data.aws_partition.here.partition}' },
        plain: { name: '/plain', type: 'String', value: 'v' },
        west: { name: '/west', type: 'String', value: 'v', provider: 'aws.west' },
      },
    },
    terraform,
  });

  test('a region change: aws_region follows it, the partition stays, existing resources stay (AWS provider 6)', () => {
    const { stack, byAddress } = previewStacks(regional({ region: 'eu-west-1' }), regional({ region: 'eu-central-1' }));
    expect(byAddress.get('aws_ssm_parameter.region')).toMatchObject({
      action: 'updated',
      reason: 'value follows data.aws_region.here.region, which changes (eu-west-1 → eu-central-1)',
    });
    expect(byAddress.get('aws_ssm_parameter.partition')?.action).toBe('unchanged');
    expect(byAddress.get('aws_ssm_parameter.plain')?.action).toBe('unchanged');
    expect(byAddress.get('aws_ssm_parameter.west')?.action).toBe('unchanged');
    expect(stack.notes).toHaveLength(1);
    const china = previewStacks(regional({ region: 'eu-west-1' }), regional({ region: 'cn-north-1' }));
    expect(china.byAddress.get('aws_ssm_parameter.partition')?.action).toBe('updated');
  });

  test('without a required AWS provider of 6 or later, a region change leaves every resource undecided', () => {
    const { byAddress } = previewStacks(
      regional({ region: 'eu-west-1' }, {}),
      regional({ region: 'eu-central-1' }, {}),
    );
    expect(byAddress.get('aws_ssm_parameter.plain')).toMatchObject({ action: 'unknown', ifChanged: 'replaced' });
    expect(byAddress.get('aws_ssm_parameter.west')?.action).toBe('unchanged');
  });

  test('credentials or endpoints change: undecided; retries and proxies change nothing', () => {
    const base = { region: 'eu-west-1' };
    const role = previewStacks(
      regional(base),
      regional({ ...base, assume_role: [{ role_arn: 'arn:aws:iam::1:role/x' }] }),
    );
    expect(role.byAddress.get('aws_ssm_parameter.plain')).toMatchObject({
      action: 'unknown',
      reason: 'provider aws: assume_role changes',
    });
    expect(role.byAddress.get('aws_ssm_parameter.west')?.action).toBe('unchanged');
    expect(previewStacks(regional(base), regional({ ...base, max_retries: 10 })).stack.changed).toBe(false);
  });

  test('a resource moved to another provider configuration is undecided', () => {
    const stack = (provider?: string) => ({
      provider: { aws: [{ region: 'eu-west-1' }, { alias: 'west', region: 'us-west-2' }] },
      resource: { aws_ssm_parameter: { p: { name: '/p', value: 'v', ...(provider ? { provider } : {}) } } },
    });
    expect(previewStacks(stack(), stack('aws.west')).byAddress.get('aws_ssm_parameter.p')?.action).toBe('unknown');
  });
});

describe('triggers and ignore_changes', () => {
  test('replace_triggered_by a resource that is undecided is undecided, replaced if it changes', () => {
    const stack = (owners: string) => ({
      data: { aws_ami: { web: { owners: [owners] } } },
      resource: {
        aws_ssm_parameter: { ami: { name: '/ami', value: '${data.aws_ami.web.id}' } },
        aws_launch_template: { web: { name: 'web', ...cbd({ replace_triggered_by: ['aws_ssm_parameter.ami'] }) } },
      },
    });
    const { byAddress } = previewStacks(stack('amazon'), stack('self'));
    expect(byAddress.get('aws_ssm_parameter.ami')).toMatchObject({ action: 'unknown', ifChanged: 'updated' });
    expect(byAddress.get('aws_launch_template.web')).toMatchObject({ action: 'unknown', ifChanged: 'replaced' });
  });

  test('ignore_changes covers nested paths, force-new arguments and "all"', () => {
    const stack = (ami: string, name: string, ignore: unknown) => ({
      resource: {
        aws_launch_template: {
          web: {
            name,
            image_id: ami,
            tags: { Name: ami },
            lifecycle: { create_before_destroy: true, ignore_changes: ignore },
          },
        },
      },
    });
    const nested = previewStacks(
      stack('a', 'web', ['tags["Name"]', 'image_id']),
      stack('b', 'web', ['tags["Name"]', 'image_id']),
    );
    expect(nested.byAddress.get('aws_launch_template.web')).toMatchObject({
      action: 'unchanged',
      ignored: ['image_id', 'tags.Name'],
    });
    const named = previewStacks(stack('a', 'web-1', ['name']), stack('a', 'web-2', ['name']));
    expect(named.byAddress.get('aws_launch_template.web')?.action).toBe('unchanged');
    const all = previewStacks(stack('a', 'web-1', 'all'), stack('b', 'web-2', 'all'));
    expect(all.byAddress.get('aws_launch_template.web')).toMatchObject({ action: 'unchanged' });
    expect(all.stack.changed).toBe(false);
  });

  test('a pinned resource updated in place beyond what it ignores still waits for a release for the rest', () => {
    const stack = (ami: string, max: number) => ({
      resource: {
        aws_autoscaling_group: {
          blue: {
            '//': { 'cdktf-immutable': { pinned: { slot: 'blue' } } },
            name: 'web-blue-1111111111',
            max_size: max,
            launch_template: { id: ami },
            lifecycle: { create_before_destroy: true, ignore_changes: ['launch_template'] },
          },
        },
      },
    });
    const { byAddress } = previewStacks(stack('lt-1', 2), stack('lt-2', 4));
    expect(byAddress.get('aws_autoscaling_group.blue')).toMatchObject({
      action: 'updated',
      changed: ['max_size'],
      ignored: ['launch_template.id'],
      waitsForRelease: true,
      violation: false,
    });
  });
});

describe('outputs and cross-stack references', () => {
  test("an output that changes in one stack reaches the stack that reads it through cdktf's remote state", () => {
    const producer = (value: string) => ({
      resource: { aws_ssm_parameter: { p: { name: '/p', type: 'String', value } } },
      output: {
        'cross-stack-output-aws_ssm_parameterpvalue': { value: '${aws_ssm_parameter.p.value}', sensitive: true },
      },
    });
    const consumer = {
      data: {
        terraform_remote_state: {
          'cross-stack-reference-input-a': { backend: 'local', config: { path: '/x/terraform.a.tfstate' } },
        },
      },
      resource: {
        aws_ssm_parameter: {
          q: {
            name: '/q',
            type: 'String',
            value:
              '${data.terraform_remote_state.cross-stack-reference-input-a.outputs.cross-stack-output-aws_ssm_parameterpvalue}',
          },
        },
      },
    };
    const [a, b] = previewChanges(
      new Map<string, Record<string, unknown>>([
        ['a', producer('v1')],
        ['b', consumer],
      ]),
      new Map<string, Record<string, unknown>>([
        ['a', producer('v2')],
        ['b', consumer],
      ]),
    );
    expect(a.outputs).toEqual([
      {
        name: 'cross-stack-output-aws_ssm_parameterpvalue',
        action: 'updated',
        reason: 'aws_ssm_parameter.p.value changes',
      },
    ]);
    expect(b.resources[0]).toMatchObject({ address: 'aws_ssm_parameter.q', action: 'updated' });
    expect(b.changed).toBe(true);
  });
});

describe('what preview does not model makes the stack changed', () => {
  const base = {
    resource: { aws_ssm_parameter: { p: { name: '/p', value: 'v' } } },
    terraform: { ...AWS6, backend: { local: { path: '/a/terraform.s.tfstate' } } },
  };
  const withTerraform = (terraform: Record<string, unknown>) => ({
    ...base,
    terraform: { ...base.terraform, ...terraform },
  });

  test.each([
    [
      'a backend',
      withTerraform({ backend: { s3: { bucket: 'b', key: 'k' } } }),
      /^terraform\.backend changes: the plan reads another state$/,
    ],
    [
      'a provider version',
      withTerraform({ required_providers: { aws: { source: 'aws', version: '6.30.0' } } }),
      /^terraform\.required_providers\.aws changes \(aws 6\.25\.0 → aws 6\.30\.0\)/,
    ],
    [
      'a module',
      { ...base, module: { vpc: { source: 'terraform-aws-modules/vpc/aws', version: '5.0.0' } } },
      /^module\.vpc: its block changes/,
    ],
    ['import blocks', { ...base, import: [{ to: 'aws_ssm_parameter.p', id: '/p' }] }, /^import blocks change/],
  ])('%s', (_what, after, reason) => {
    const { stack } = previewStacks(base, after);
    expect(stack.unknown).toEqual([expect.stringMatching(reason)]);
    expect(stack.changed).toBe(true);
    expect(stack.resources.every((r) => r.action === 'unchanged')).toBe(true);
  });

  test('a module from a local folder is undecided even when its block is the same; check blocks change nothing', () => {
    const stack = { ...base, module: { app: { source: './modules/app' } } };
    expect(previewStacks(stack, stack).stack.unknown).toEqual([
      expect.stringMatching(/^module\.app: its source is a local folder/),
    ]);
    expect(
      previewStacks(base, { ...base, check: { health: { assert: [{ condition: 'true', error_message: 'x' }] } } }).stack
        .changed,
    ).toBe(false);
  });

  test("two checkouts: cdktf's default local backend shows the folders, and paths under them compare as the same", () => {
    const stack = (folder: string) => ({
      data: {
        terraform_remote_state: {
          'cross-stack-reference-input-net': { backend: 'local', config: { path: `${folder}/terraform.net.tfstate` } },
        },
      },
      resource: {
        aws_ssm_parameter: {
          p: { name: '/p', value: '${data.terraform_remote_state.cross-stack-reference-input-net.outputs.id}' },
        },
      },
      terraform: { ...AWS6, backend: { local: { path: `${folder}/terraform.s.tfstate` } } },
    });
    const [same] = previewChanges(new Map([['s', stack('/work/base')]]), new Map([['s', stack('/work/repo')]]));
    expect(same).toMatchObject({ changed: false, unknown: [] });
    expect(same.notes).toEqual([
      expect.stringMatching(/^the two sides were synthesized in different folders \(\/work\/base, \/work\/repo\)/),
    ]);
    // A state file of another name is another state.
    const renamed = withTerraform({ backend: { local: { path: '/a/other.tfstate' } } });
    expect(previewStacks(base, renamed).stack.unknown).toEqual([
      'terraform.backend changes: the plan reads another state',
    ]);
  });

  test('paths under the folder the before side was synthesized in are compared as the after side', () => {
    const moved = withTerraform({ backend: { local: { path: '/b/terraform.s.tfstate' } } });
    const [stack] = previewChanges(new Map([['s', base]]), new Map([['s', moved]]), {
      synthFolders: [{ before: '/a', after: '/b' }],
    });
    expect(stack.changed).toBe(false);
  });
});
