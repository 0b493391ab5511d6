/**
 * The policy list and the force-new table: complete for what the library creates and
 * for the provider families that decide what runs on a server, and free of typos.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { sourceFiles } from '../support/source-files';
import { join, resolve } from 'path';
import { SsmDocument } from '@cdktf/provider-aws/lib/ssm-document';
import { Service } from '@cdktf/provider-docker/lib/service';
import { ImmutabilityAspect, ResourcePolicy } from '../../lib/immutability';
import { newStack, resources, synthJson } from '../support/synth';

const ROOT = resolve(__dirname, '../..');
const PROVIDERS: Array<[prefix: string, dir: string]> = [
  ['aws_', join(ROOT, 'node_modules/@cdktf/provider-aws/lib')],
  ['docker_', join(ROOT, 'node_modules/@cdktf/provider-docker/lib')],
];

/** `lb-target-group` -> `aws_lb_target_group` (the cdktf folder of every provider resource). */
function providerTypes(): Map<string, string> {
  const types = new Map<string, string>();
  for (const [prefix, dir] of PROVIDERS) {
    for (const folder of readdirSync(dir)) {
      if (folder !== 'provider' && !folder.startsWith('data-') && statSync(join(dir, folder)).isDirectory()) {
        types.set(`${prefix}${folder.replace(/-/g, '_')}`, join(dir, folder, 'index.js'));
      }
    }
  }
  return types;
}

/** Resource types that lib/, stacks/ and examples/ create (their deep imports of provider resources). */
function createdTypes(): string[] {
  const types = new Set<string>();
  for (const file of ['lib', 'stacks', 'examples'].flatMap((dir) => sourceFiles(join(ROOT, dir)))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/from '@cdktf\/provider-(aws|docker)\/lib\/([a-z0-9-]+)'/g)) {
      if (m[2] !== 'provider' && !m[2].startsWith('data-')) {
        types.add(`${m[1]}_${m[2].replace(/-/g, '_')}`);
      }
    }
  }
  return [...types].sort();
}

const classified = (type: string) =>
  ResourcePolicy.classify(type) !== 'other' ||
  Object.prototype.hasOwnProperty.call(ResourcePolicy.reviewedOther(), type);

describe('the policy list', () => {
  const types = providerTypes();

  test('the providers are the reviewed ones: 1581 AWS and 11 Docker resource types', () => {
    expect([...types.keys()].filter((t) => t.startsWith('aws_')).length).toBeGreaterThanOrEqual(1581);
    expect([...types.keys()].filter((t) => t.startsWith('docker_'))).toHaveLength(11);
  });

  test('every type of the compute, container, image and configuration-management families has a class', () => {
    const families =
      /^(aws_(instance|launch_|autoscaling|ami|spot_|ec2_fleet|ec2_instance_|imagebuilder_|ssm_|ecs_|eks_|ecr|lb_|alb|security_group|vpc_security_group_(ingress|egress)_rule|iam_(role|instance_profile|policy$)|volume_attachment|network_interface_attachment|eip_association|placement_group|key_pair)|docker_)/;
    const inScope = [...types.keys()].filter((t) => families.test(t));
    expect(inScope.length).toBeGreaterThan(100);
    expect(inScope.filter((t) => !classified(t))).toEqual([]);
  });

  test('the types the issue names change what runs and are immutable', () => {
    for (const type of [
      'aws_ssm_association',
      'aws_ssm_document',
      'aws_eks_node_group',
      'docker_service',
      'docker_tag',
    ]) {
      expect([type, ResourcePolicy.classify(type)]).toEqual([type, 'immutable']);
    }
    expect(ResourcePolicy.classify('aws_imagebuilder_distribution_configuration')).toBe('mutable-by-design');
    expect(Object.keys(ResourcePolicy.forbiddenAttributes('aws_imagebuilder_distribution_configuration'))).toEqual([
      'distribution.launch_template_configuration',
    ]);
  });

  test('every listed type exists in the providers, and no type is in two classes', () => {
    const listed = [
      ...ResourcePolicy.immutableRules().map((r) => r.type),
      ...Object.keys(ResourcePolicy.mutableByDesign()),
      ...Object.keys(ResourcePolicy.reviewedOther()),
    ];
    expect(listed.filter((t) => !types.has(t))).toEqual([]);
    expect(new Set(listed).size).toBe(listed.length);
  });
});

describe('the force-new table', () => {
  const types = providerTypes();

  test('has a row for every type that lib/, stacks/ and examples/ create, and for every immutable type', () => {
    const created = createdTypes();
    expect(created).toEqual(
      expect.arrayContaining([
        'aws_launch_template',
        'aws_autoscaling_group',
        'aws_autoscaling_policy',
        'aws_lb_target_group',
        'aws_security_group',
        'docker_image',
      ]),
    );
    const needed = [...created, ...ResourcePolicy.immutableRules().map((r) => r.type)];
    expect(needed.filter((t) => ResourcePolicy.forceNewAttributes(t) === undefined)).toEqual([]);
  });

  test('names only attributes of the provider schema (the binding of each type)', () => {
    const wrong: string[] = [];
    for (const rule of [...types.keys()].filter((t) => ResourcePolicy.forceNewAttributes(t) !== undefined)) {
      const binding = readFileSync(types.get(rule)!, 'utf8');
      for (const path of ResourcePolicy.forceNewAttributes(rule)!.filter((p) => p !== '*')) {
        for (const segment of path.split('.')) {
          if (!new RegExp(`\\b${segment}: `).test(binding)) {
            wrong.push(`${rule} ${path} (${segment})`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  test('matches paths with list indexes, nested paths, and whole blocks', () => {
    expect(ResourcePolicy.isForceNewAttribute('aws_autoscaling_policy', 'name')).toBe(true);
    expect(
      ResourcePolicy.isForceNewAttribute('aws_autoscaling_policy', 'target_tracking_configuration[0].target_value'),
    ).toBe(false);
    expect(
      ResourcePolicy.isForceNewAttribute('aws_imagebuilder_image_recipe', 'block_device_mapping[0].ebs.volume_size'),
    ).toBe(true);
    expect(ResourcePolicy.isForceNewAttribute('aws_lb_target_group', 'health_check.path')).toBe(false);
    expect(ResourcePolicy.isForceNewAttribute('aws_instance', 'root_block_device[0].encrypted')).toBe(true);
    expect(ResourcePolicy.isForceNewAttribute('aws_instance', 'root_block_device[0].volume_size')).toBe(false);
    expect(ResourcePolicy.isForceNewAttribute('aws_instance', 'root_block_device')).toBe(true);
    expect(ResourcePolicy.isForceNewAttribute('docker_image', 'build.tag')).toBe(false);
    expect(ResourcePolicy.isForceNewAttribute('docker_image', 'build.context')).toBe(true);
    expect(ResourcePolicy.isForceNewAttribute('aws_s3_bucket', 'bucket')).toBe(false);
    expect(ResourcePolicy.forceNewAttributes('aws_launch_template')).toEqual(['name', 'name_prefix', 'region']);
    // '*': every argument but tags and the operational ones (types without update).
    expect(ResourcePolicy.isForceNewAttribute('docker_tag', 'target_image')).toBe(true);
    expect(ResourcePolicy.isForceNewAttribute('aws_ecs_task_definition', 'container_definitions')).toBe(true);
    expect(ResourcePolicy.isForceNewAttribute('aws_ecs_task_definition', 'tags.team')).toBe(false);
    expect(ResourcePolicy.isForceNewAttribute('aws_ecs_task_definition', 'skip_destroy')).toBe(false);
  });
});

describe('the immutability aspect on the new immutable types', () => {
  test('a fixed SSM document name or Swarm service name fails synth; create_before_destroy is set', () => {
    const stack = newStack('stack');
    ImmutabilityAspect.enable(stack);
    new SsmDocument(stack, 'doc', { name: 'deploy', documentType: 'Command', content: '{}' });
    expect(() => synthJson(stack)).toThrow(/aws_ssm_document has a fixed name "deploy"/);
    const other = newStack('other');
    ImmutabilityAspect.enable(other);
    const service = new Service(other, 'svc', { name: 'web', taskSpec: { containerSpec: { image: 'web:1' } } });
    ImmutabilityAspect.allowFixedName(service, 'a single Swarm service, replaced only by hand');
    expect(resources(synthJson(other), 'docker_service').svc.lifecycle).toEqual({ create_before_destroy: true });
  });
});

test('the provider folders exist (the test reads the installed bindings)', () => {
  expect(PROVIDERS.every(([, dir]) => existsSync(dir))).toBe(true);
});
