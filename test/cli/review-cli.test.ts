import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { runBuiltCli, runCli } from './run-cli';
import { BlueGreenFleet, ImageSource, UserData } from '../../lib';
import { AMI_1, AMI_2, newStack, SUBNETS, synthWithMetadata, VPC } from '../support/synth';
import {
  createBeforeDestroySameName,
  destroyUnreplaced,
  driftedLaunchTemplate,
  forgetGreenSlot,
  GREEN_ASG,
  GREEN_LT,
  movedBlueGroup,
  renamedWithoutMoved,
  writePlan,
} from '../review/plan-cases';

const PLANS = join(__dirname, '..', 'fixtures', 'plans');

describe('guard', () => {
  test('--config checks the lifecycle and lists what is acknowledged; without it a note says it was not checked', () => {
    const stack = newStack('prod');
    new BlueGreenFleet(stack, 'Web', {
      name: 'e2e-web',
      vpcId: VPC,
      subnetIds: SUBNETS,
      slots: { blue: { image: ImageSource.fromAmiId(AMI_1) }, green: { image: ImageSource.fromAmiId(AMI_2) } },
      active: 'blue',
      stagedSlot: 'green',
    });
    const dir = mkdtempSync(join(tmpdir(), 'guard-config-'));
    mkdirSync(join(dir, 'prod'));
    const config = join(dir, 'prod', 'cdk.tf.json');
    writeFileSync(config, JSON.stringify(synthWithMetadata(stack)));
    const checked = runCli(['guard', join(PLANS, 'e2e-stage.json'), '--config', config]);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toMatch(
      /ack aws_launch_template\.Web_Blue_LaunchTemplate_[0-9A-F]+: ignore-changes \(all\), acknowledged: pinned blue slot: /,
    );
    expect(checked.stderr).toBe('');
    const unchecked = runCli(['guard', join(PLANS, 'e2e-stage.json')]);
    expect(unchecked.code).toBe(0);
    expect(unchecked.stderr).toMatch(
      /guard: note: lifecycle not checked .*--config cdktf\.out\/stacks\/<stack>\/cdk\.tf\.json/,
    );
    expect(runCli(['guard', join(PLANS, 'e2e-stage.json'), '--config', join(dir, 'missing.json')])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/guard: --config .*missing\.json does not exist/),
    });
    // a config that holds none of the plan's resources is another stack's
    const other = join(dir, 'other.tf.json');
    writeFileSync(other, JSON.stringify({ resource: { aws_vpc: { other: {} } } }));
    expect(runCli(['guard', join(PLANS, 'e2e-stage.json'), '--config', other])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /guard: --config .*other\.tf\.json holds none of the plan's resources \(aws_autoscaling_group\.Web_Blue_AutoScalingGroup_EBAB4B97, \.\.\.\); pass the synthesized stack/,
      ),
    });
  });

  test('a create-before-destroy replacement of one slot passes', () => {
    const result = runCli(['guard', join(PLANS, 'stage-replace-cbd.json')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Plan actions: 2 create,delete, 2 no-op/);
    expect(result.stdout).toMatch(/guard: ok/);
  });

  test('an immutable resource updated in place fails, naming it and the attribute', () => {
    // the built command: exit 1 as the shell sees it
    const result = runBuiltCli(['guard', join(PLANS, 'launch-template-updated-in-place.json')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /FAIL aws_launch_template\.fleet_green: immutable aws_launch_template updated in place \(image_id, latest_version\)/,
    );
    expect(result.stderr).toMatch(/1 violation/);
  });

  test('operational updates (ASG capacity, tags) pass', () => {
    const result = runCli(['guard', join(PLANS, 'operational-only.json')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /ok {2}aws_autoscaling_group\.fleet_blue: operational update \(desired_capacity, max_size\)/,
    );
    expect(result.stdout).toMatch(/ok {2}aws_launch_template\.fleet_blue: operational update \(tags\)/);
  });

  test('a delete-before-create replacement of an immutable resource fails', () => {
    const result = runCli(['guard', join(PLANS, 'delete-before-create.json')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL aws_autoscaling_group\.fleet_green: .*replaced delete-before-create/);
  });

  test('a listener update (mutable by design) passes; --json reports the same', () => {
    expect(runCli(['guard', join(PLANS, 'promote-listener-only.json')]).code).toBe(0);
    const json = JSON.parse(
      runCli(['guard', join(PLANS, 'launch-template-updated-in-place.json'), '--json']).stdout,
    ) as { ok: boolean; violations: Array<{ address: string; kind: string; attributes: string[] }> };
    expect(json.ok).toBe(false);
    expect(json.violations).toEqual([
      expect.objectContaining({
        address: 'aws_launch_template.fleet_green',
        kind: 'update-in-place',
        attributes: ['image_id', 'latest_version'],
      }),
    ]);
  });

  describe('every guard case and its exit code', () => {
    test.each([
      [
        'forget (removed block, destroy = false)',
        forgetGreenSlot,
        [],
        0,
        /ok {2}aws_autoscaling_group\.Web_Green_AutoScalingGroup_70F3CBBA: forgotten \(removed from the state, not destroyed\)/,
      ],
      [
        'moved',
        movedBlueGroup,
        [],
        0,
        /ok {2}aws_autoscaling_group\.Web_Blue_Group_9A8B7C6D: moved from aws_autoscaling_group\.Web_Blue_AutoScalingGroup_EBAB4B97/,
      ],
      [
        'destroy with no replacement',
        destroyUnreplaced,
        [],
        1,
        /FAIL aws_autoscaling_group\.Web_Green_AutoScalingGroup_70F3CBBA: immutable aws_autoscaling_group destroyed with no replacement at its address\. If the destroy is intended, pass --allow-destroy aws_autoscaling_group\.Web_Green_AutoScalingGroup_70F3CBBA\./,
      ],
      [
        'destroy allowed by --allow-destroy (repeated, address and glob)',
        destroyUnreplaced,
        ['--allow-destroy', GREEN_ASG, `--allow-destroy=aws_launch_template.*`],
        0,
        /ok {2}aws_launch_template\.Web_Green_LaunchTemplate_79031D5E: destroyed, allowed by --allow-destroy/,
      ],
      [
        'renamed without a moved block',
        renamedWithoutMoved,
        [],
        1,
        /FAIL .*created at another address: if the construct was renamed, add a moved block/,
      ],
      [
        'drift of an immutable resource',
        driftedLaunchTemplate,
        [],
        1,
        /FAIL aws_launch_template\.Web_Blue_LaunchTemplate_0CDF2054: .*resource_drift: default_version, image_id, latest_version/,
      ],
      [
        'create-before-destroy keeping a fixed name',
        createBeforeDestroySameName,
        [],
        1,
        /FAIL aws_autoscaling_group\.Web_Green_AutoScalingGroup_70F3CBBA: .*already exists/,
      ],
    ] as Array<[string, () => unknown, string[], number, RegExp]>)('%s', (name, make, flags, code, output) => {
      const result = runCli(['guard', writePlan(name.replace(/\W+/g, '-'), make()), ...flags]);
      expect(result.code).toBe(code);
      expect(result.stdout).toMatch(output);
    });

    test('a forbidden attribute (Image Builder launch_template_configuration) exits 1', () => {
      const result = runCli(['guard', join(PLANS, 'distribution-launch-template-configuration.json')]);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(
        /FAIL aws_imagebuilder_distribution_configuration\.Web_Distribution_6159A101: aws_imagebuilder_distribution_configuration sets distribution\.launch_template_configuration/,
      );
    });

    test('--allow-destroy that matches nothing is a note, not an error; without a value it is bad input', () => {
      const noted = runCli(['guard', join(PLANS, 'stage-replace-cbd.json'), '--allow-destroy', 'aws_instance.gone']);
      expect(noted.code).toBe(0);
      expect(noted.stderr).toMatch(/--allow-destroy aws_instance\.gone matched no destroyed resource/);
      expect(runCli(['guard', join(PLANS, 'stage-replace-cbd.json'), '--allow-destroy'])).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/--allow-destroy needs an address or a glob/),
      });
      const json = JSON.parse(
        runCli(['guard', writePlan('d', destroyUnreplaced()), '--json', '--allow-destroy', GREEN_LT]).stdout,
      );
      expect(json).toMatchObject({
        ok: false,
        allowedDestroys: [GREEN_LT],
        violations: [expect.objectContaining({ address: GREEN_ASG, kind: 'destroy' })],
      });
    });
  });

  describe('bad plan files (exit 2)', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'plans-'));
    });
    const cases: Array<[string, string, RegExp]> = [
      [
        'truncated JSON',
        '{"format_version":"1.2","resource_changes":[{"address":',
        /is not valid JSON .*not the binary plan/,
      ],
      ['an empty file', '', /is empty/],
      ['a binary plan', 'PK\u0003\u0004\u0000garbage', /is not valid JSON/],
      ['no format_version', '{"resource_changes":[]}', /"format_version" is missing; this is not the JSON of a plan/],
      [
        'resource_changes not a list',
        '{"format_version":"1.2","planned_values":{},"resource_changes":{}}',
        /"resource_changes" is not a list/,
      ],
      [
        'a change without actions',
        '{"format_version":"1.2","planned_values":{},"resource_changes":[{"address":"aws_x.y","type":"aws_x","change":{}}]}',
        /resource_changes\[0\] \(aws_x\.y\) "change\.actions" is not a list of plan actions/,
      ],
      [
        'an unknown action',
        '{"format_version":"1.2","planned_values":{},"resource_changes":[{"address":"aws_x.y","type":"aws_x","change":{"actions":["explode"]}}]}',
        /"change\.actions" is not a list of plan actions/,
      ],
      [
        'a change without an address',
        '{"format_version":"1.2","planned_values":{},"resource_changes":[{"type":"aws_x","change":{"actions":["create"]}}]}',
        /resource_changes\[0\] has no "address" or "type"/,
      ],
      ['a top-level array', '[]', /the top level is not an object/],
      [
        'state JSON (show -json without the plan file)',
        '{"format_version":"1.0","terraform_version":"1.11.7","values":{"root_module":{}}}',
        /this is state JSON \("values", no "planned_values"\): the output of "tofu show -json" without a plan file\. guard checks a plan: run show -json <planfile>/,
      ],
      [
        'only a format_version',
        '{"format_version":"1.2"}',
        /has no "planned_values", so it is not the JSON of a plan \(it holds only format_version; /,
      ],
      [
        'a plan that errored',
        '{"format_version":"1.2","planned_values":{},"errored":true}',
        /the plan errored \("errored": true\), so it is incomplete/,
      ],
      [
        'an incomplete plan (deferred changes)',
        '{"format_version":"1.2","planned_values":{},"complete":false}',
        /the plan is not complete \("complete": false/,
      ],
      [
        'a format version guard does not know',
        '{"format_version":"2.0","planned_values":{}}',
        /"format_version" is "2\.0"/,
      ],
    ];
    test.each(cases)('%s', (_name, content, message) => {
      const file = join(dir, `${_name.replace(/\W+/g, '-')}.json`);
      writeFileSync(file, content);
      const result = runCli(['guard', file]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
    });

    test('a missing file and bad arguments', () => {
      expect(runCli(['guard', join(dir, 'nope.json')])).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/nope\.json: cannot be read \(ENOENT\)/),
      });
      expect(runCli(['guard'])).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/expected one plan JSON file/),
      });
      expect(runCli(['guard', 'a.json', 'b.json'])).toMatchObject({ code: 2 });
      expect(runCli(['guard', 'a.json', '--strict'])).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/unknown option "--strict"/),
      });
    });
  });
});

describe('preview', () => {
  let dir: string;
  const lt = (name: string, image: string) => ({
    name,
    image_id: image,
    instance_type: 't3.micro',
    lifecycle: { create_before_destroy: true },
  });
  const asg = (name: string, max: number, trigger?: string) => ({
    name,
    min_size: 1,
    max_size: max,
    lifecycle: { create_before_destroy: true, ...(trigger ? { replace_triggered_by: [trigger] } : {}) },
  });
  const listener = (blue: number) => ({
    port: 80,
    default_action: [
      {
        type: 'forward',
        forward: {
          target_group: [
            { arn: 'b', weight: blue },
            { arn: 'g', weight: 100 - blue },
          ],
        },
      },
    ],
  });

  function writeOut(name: string, stacks: Record<string, object>): string {
    const out = join(dir, name);
    const manifest: { version: string; stacks: Record<string, object> } = { version: '0.21.0', stacks: {} };
    for (const [stack, json] of Object.entries(stacks)) {
      mkdirSync(join(out, 'stacks', stack), { recursive: true });
      writeFileSync(join(out, 'stacks', stack, 'cdk.tf.json'), JSON.stringify(json));
      manifest.stacks[stack] = {
        name: stack,
        synthesizedStackPath: `stacks/${stack}/cdk.tf.json`,
        workingDirectory: `stacks/${stack}`,
      };
    }
    writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest));
    return out;
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'preview-'));
  });

  test('classifies replaced, updated in place, created, destroyed and unchanged per stack', () => {
    const before = writeOut('before', {
      dev: {
        resource: {
          aws_launch_template: {
            green: { '//': { metadata: {} }, ...lt('web-green-1111111111', 'ami-1') },
            blue: lt('web-blue-3333333333', 'ami-3'),
          },
          aws_autoscaling_group: { green: asg('web-green-1111111111', 2) },
          aws_lb_listener: { main: listener(100) },
          aws_s3_bucket: { old: { bucket: 'x' } },
        },
      },
    });
    const after = writeOut('after', {
      dev: {
        resource: {
          aws_launch_template: { green: lt('web-green-2222222222', 'ami-2'), blue: lt('web-blue-3333333333', 'ami-3') },
          aws_autoscaling_group: { green: asg('web-green-2222222222', 4) },
          aws_lb_listener: { main: listener(0) },
          aws_ssm_parameter: { new: { name: '/x', value: 'y' } },
        },
      },
      prod: { resource: { aws_vpc: { main: { cidr_block: '10.0.0.0/16' } } } },
    });
    const result = runCli(['preview', before, after]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Stack dev/);
    expect(result.stdout).toMatch(/replaced +aws_autoscaling_group\.green +\(new name\)/);
    expect(result.stdout).toMatch(/replaced +aws_launch_template\.green +\(new name\)/);
    expect(result.stdout).toMatch(
      /updated in place +aws_lb_listener\.main +default_action\[0\]\.forward\.target_group\[0\]\.weight, default_action\[0\]\.forward\.target_group\[1\]\.weight/,
    );
    expect(result.stdout).toMatch(/created +aws_ssm_parameter\.new/);
    expect(result.stdout).toMatch(/destroyed +aws_s3_bucket\.old/);
    expect(result.stdout).toMatch(/Stack prod\n +created +aws_vpc\.main/);
    expect(result.stdout).toMatch(
      /Summary: 2 stack\(s\): 2 replaced, 1 updated in place, 2 created, 1 destroyed, 1 unchanged/,
    );
    const json = JSON.parse(runCli(['preview', before, after, '--json']).stdout) as {
      violations: boolean;
      stacks: Array<{ stack: string; resources: Array<{ address: string; action: string }> }>;
    };
    expect(json.violations).toBe(false);
    expect(json.stacks[0].resources.find((r) => r.address === 'aws_launch_template.blue')?.action).toBe('unchanged');
  });

  test('an immutable resource updated in place exits 1 and is marked', () => {
    const before = join(dir, 'a.json');
    const after = join(dir, 'b.json');
    writeFileSync(
      before,
      JSON.stringify({ resource: { aws_launch_template: { web: lt('web-1111111111', 'ami-1') } } }),
    );
    writeFileSync(after, JSON.stringify({ resource: { aws_launch_template: { web: lt('web-1111111111', 'ami-2') } } }));
    const result = runCli(['preview', before, after]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /updated in place +aws_launch_template\.web +image_id +!! immutable resource updated in place/,
    );
    expect(result.stderr).toMatch(/make the change produce a new generation/);
  });

  test('capacity changes are operational; replace_triggered_by propagates a replacement', () => {
    const before = join(dir, 'c.json');
    const after = join(dir, 'd.json');
    writeFileSync(
      before,
      JSON.stringify({
        resource: {
          aws_imagebuilder_image: { base: { image_recipe_arn: 'r1' } },
          aws_autoscaling_group: { web: asg('web-1111111111', 2, 'aws_imagebuilder_image.base.id') },
        },
      }),
    );
    writeFileSync(
      after,
      JSON.stringify({
        resource: {
          aws_imagebuilder_image: { base: { image_recipe_arn: 'r2' } },
          aws_autoscaling_group: { web: asg('web-1111111111', 6, 'aws_imagebuilder_image.base.id') },
        },
      }),
    );
    const result = runCli(['preview', before, after, '--json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as {
      stacks: Array<{ resources: Array<{ address: string; action: string; reason?: string }> }>;
    };
    expect(json.stacks[0].resources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ address: 'aws_imagebuilder_image.base', action: 'replaced' }),
        expect.objectContaining({
          address: 'aws_autoscaling_group.web',
          action: 'replaced',
          reason: 'replace_triggered_by aws_imagebuilder_image.base.id',
        }),
      ]),
    );
  });

  test('a settings change on pinned slots reads "waits for a release", with the command', () => {
    const fleet = (userData: string) => {
      const stack = newStack('prod');
      new BlueGreenFleet(stack, 'Web', {
        name: 'web',
        vpcId: VPC,
        subnetIds: SUBNETS,
        server: { userData: UserData.fromString(userData) },
        slots: { blue: { image: ImageSource.fromAmiId(AMI_1) }, green: {} },
        active: 'blue',
        stagedSlot: 'none',
        releaseEnvironment: 'prod',
      });
      return JSON.stringify(synthWithMetadata(stack));
    };
    const before = join(dir, 'pinned-before.tf.json');
    const after = join(dir, 'pinned-after.tf.json');
    writeFileSync(before, fleet('#!/bin/sh\necho v1\n'));
    writeFileSync(after, fleet('#!/bin/sh\necho v2\n'));
    const result = runCli(['preview', before, after]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /waits for a release aws_launch_template\.Web_Blue_LaunchTemplate_[0-9A-F]+ +name, user_data \(the blue slot serves .*cdktf-immutable release stage prod --same-image/,
    );
    expect(result.stdout).toMatch(/waits for a release aws_autoscaling_group\.Web_Blue_AutoScalingGroup_/);
    expect(result.stdout).toMatch(/Summary: 1 stack\(s\): 0 replaced, .*, 2 pinned \(waits for a release\)/);
  });

  test('unknown, waits for a release, outputs, stack notes: labels, summary, changed stacks and --detailed-exitcode', () => {
    const PREVIEW = join(PLANS, 'preview');
    const pair = (name: string) => [join(PREVIEW, name, 'before.tf.json'), join(PREVIEW, name, 'after.tf.json')];
    const data = runCli(['preview', ...pair('data-source-argument')]);
    expect(data.code).toBe(0);
    expect(data.stdout).toMatch(
      /unknown: run a plan aws_launch_template\.BlueTemplate_7602D9A3 +\(name follows data\.aws_ssm_parameter\.\w+\.insecure_value, which preview cannot decide \(its arguments change \(name\), and its value is read at plan\); replaced if it changes\)/,
    );
    expect(data.stdout).toMatch(
      /unknown: run a plan output\.blue_template_name +\(aws_launch_template\.BlueTemplate_7602D9A3 is undecided\)/,
    );
    expect(data.stdout).toMatch(
      /Summary: 1 stack\(s\): 0 replaced, 0 updated in place, 0 created, 0 destroyed, 6 unchanged, 2 unknown\n/,
    );
    expect(data.stdout).toMatch(/Changed stacks: after\n/);
    expect(data.stderr).toMatch(
      /cannot be decided offline \(unknown: run a plan\); the stacks that hold them count as changed/,
    );
    // --detailed-exitcode: 3 when a stack changes or holds an unknown, 0 when nothing changes.
    expect(runCli(['preview', ...pair('data-source-argument'), '--detailed-exitcode']).code).toBe(3);
    expect(runCli(['preview', ...pair('local'), '--detailed-exitcode']).code).toBe(3);
    const ignored = runCli(['preview', ...pair('ignore-changes'), '--detailed-exitcode']);
    expect(ignored.code).toBe(0);
    expect(ignored.stdout).toMatch(
      /waits for a release aws_launch_template\.blue +image_id \(blue serves prod; its definition changes with cdktf-immutable release stage prod --same-image\)/,
    );
    expect(ignored.stdout).toMatch(
      /unchanged +aws_ssm_parameter\.ami +\(no action: value ignored by lifecycle\.ignore_changes\)/,
    );
    expect(ignored.stdout).toMatch(/1 unchanged, 0 unknown, 1 pinned \(waits for a release\)\nChanged stacks: none\n/);
    const region = runCli(['preview', ...pair('provider-region')]);
    expect(region.stdout).toMatch(
      /note +provider aws: its region changes \(eu-west-1 → eu-central-1\): the AWS provider/,
    );
  });

  test('--json adds changedStacks, unknown, and per stack changed, outputs, unknown and notes', () => {
    const before = join(dir, 'j1.json');
    const after = join(dir, 'j2.json');
    const stack = (version: string, value: string) => ({
      output: { v: { value } },
      resource: { aws_ssm_parameter: { p: { name: '/p', value: 'v' } } },
      terraform: { required_providers: { aws: { source: 'aws', version } } },
    });
    writeFileSync(before, JSON.stringify(stack('6.25.0', 'a')));
    writeFileSync(after, JSON.stringify(stack('6.30.0', 'b')));
    const result = runCli(['preview', before, after, '--json', '--detailed-exitcode']);
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toEqual({
      stacks: [
        {
          stack: 'j2',
          resources: [
            {
              address: 'aws_ssm_parameter.p',
              type: 'aws_ssm_parameter',
              action: 'unchanged',
              changed: [],
              violation: false,
            },
          ],
          changed: true,
          outputs: [{ name: 'v', action: 'updated', reason: 'output v: its expression changes' }],
          unknown: [
            'terraform.required_providers.aws changes (aws 6.25.0 → aws 6.30.0): another provider version may plan ' +
              'differently',
          ],
          notes: [],
        },
      ],
      violations: false,
      changedStacks: ['j2'],
      unknown: true,
    });
    // Violations take precedence over changes: exit 1.
    const a = join(dir, 'v1.json');
    const b = join(dir, 'v2.json');
    writeFileSync(a, JSON.stringify({ resource: { aws_launch_template: { web: lt('web-1111111111', 'ami-1') } } }));
    writeFileSync(b, JSON.stringify({ resource: { aws_launch_template: { web: lt('web-1111111111', 'ami-2') } } }));
    expect(runCli(['preview', a, b, '--detailed-exitcode']).code).toBe(1);
  });

  test('bad inputs are exit 2 naming the path', () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"resource": {');
    expect(runCli(['preview', broken, broken])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/broken\.json: is not valid JSON/),
    });
    expect(runCli(['preview', join(dir, 'missing'), broken])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/missing does not exist; pass a cdktf\.out folder/),
    });
    const notTf = join(dir, 'not-tf.json');
    writeFileSync(notTf, '{"resource": []}');
    expect(runCli(['preview', notTf, notTf])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/"resource" is not an object/),
    });
    mkdirSync(join(dir, 'empty-folder'));
    expect(runCli(['preview', join(dir, 'empty-folder'), notTf])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/has neither manifest\.json nor cdk\.tf\.json/),
    });
    expect(runCli(['preview', broken])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/expected <before> and <after>/),
    });
  });
});
