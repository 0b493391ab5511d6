import { Testing, TerraformStack, TerraformVariable } from 'cdktf';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { ImmutableLaunchTemplate, InstanceProfile, InstanceProfileProps } from '../../lib/compute';
import { BlueGreenFleet, ReplaceFleet, ReplaceFleetProps } from '../../lib/deploy';
import { ImageSource } from '../../lib/image/image-source';
import { UserData } from '../../lib/compute/user-data';
import {
  forceNewArguments,
  forceNewIdentity,
  registerStableReference,
  withStableReferences,
} from '../../lib/immutability/private/stable-identity';
import { AMI_1 as AMI, Json, newStack, onlyResource, SUBNETS, synthJson, synthStack, VPC } from '../support/synth';

/** A stack with a provider, so that synth can run the validations. */
const stackWithProvider = (id: string): TerraformStack => {
  const stack = newStack(id);
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  return stack;
};

describe('owned instance profile: hashed by its identity, not its runtime name', () => {
  // GIVEN a launch template with an owned profile passed in, WHEN the profile changes
  const templateWithProfile = (profileProps: InstanceProfileProps, tweak?: (profile: InstanceProfile) => void) => {
    const stack = stackWithProvider('web');
    const profile = new InstanceProfile(stack, 'Profile', profileProps);
    tweak?.(profile);
    const template = new ImmutableLaunchTemplate(stack, 'Server', {
      image: ImageSource.fromAmiId(AMI),
      name: 'web',
      instanceProfile: profile,
    });
    // synthesized with validations, which check the identities hashed at construction
    return { template, json: JSON.parse(Testing.synth(stack, true)) as Json };
  };
  const base = templateWithProfile({ namePrefix: 'web-v1' });

  test('the generation stays literal (no plan-time hash) and names the profile by a reference', () => {
    expect(base.template.generation.isResolved).toBe(true);
    expect(onlyResource(base.json, 'aws_launch_template').iam_instance_profile.name).toMatch(
      /^\$\{aws_iam_instance_profile\./,
    );
  });

  test.each<[string, InstanceProfileProps, ((p: InstanceProfile) => void) | undefined]>([
    ['namePrefix (replaces the role and the profile)', { namePrefix: 'web-v2' }, undefined],
    ['the profile path (override)', { namePrefix: 'web-v1' }, (p) => p.resource.addOverride('path', '/apps/')],
    ['the role path (override)', { namePrefix: 'web-v1' }, (p) => p.role.addOverride('path', '/apps/')],
    ['the role name_prefix (override)', { namePrefix: 'web-v1' }, (p) => p.role.addOverride('name_prefix', 'other-')],
  ])('THEN a change of %s is a new generation', (_what, props, tweak) => {
    const after = templateWithProfile(props, tweak);
    expect(after.template.generation.hash).not.toBe(base.template.generation.hash);
    expect(onlyResource(after.json, 'aws_launch_template').name).not.toBe(
      onlyResource(base.json, 'aws_launch_template').name,
    );
  });

  test.each<[string, InstanceProfileProps]>([
    [
      'managedPolicyArns',
      {
        namePrefix: 'web-v1',
        managedPolicyArns: [
          'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
          'arn:aws:iam::123456789012:policy/app-read',
        ],
      },
    ],
    [
      'permissionsBoundaryArn',
      { namePrefix: 'web-v1', permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/boundary' },
    ],
  ])('THEN a change of %s (applied in place) keeps the generation', (_what, props) => {
    expect(templateWithProfile(props).template.generation.hash).toBe(base.template.generation.hash);
  });

  test('a force-new argument changed after the template hashed it fails synth, naming the resource', () => {
    const stack = stackWithProvider('web');
    const profile = new InstanceProfile(stack, 'Profile', { namePrefix: 'web-v1' });
    new ImmutableLaunchTemplate(stack, 'Server', {
      image: ImageSource.fromAmiId(AMI),
      name: 'web',
      instanceProfile: profile,
    });
    profile.role.addOverride('path', '/late/');
    expect(() => Testing.synth(stack, true)).toThrow(
      /web\/Profile\/Role: an argument that replaces this aws_iam_role \(one of name, name_prefix, path\) changed after a launch template hashed it/,
    );
  });
});

describe('fleet security group and target groups: hashed by their identity', () => {
  const replace = (props: Partial<ReplaceFleetProps> = {}) => {
    const stack = stackWithProvider('prod');
    const fleet = new ReplaceFleet(stack, 'Api', {
      name: 'api',
      vpcId: VPC,
      subnetIds: SUBNETS,
      image: ImageSource.fromAmiId(AMI),
      ...props,
    });
    return { fleet, stack };
  };
  const generation = (props: Partial<ReplaceFleetProps> = {}) => replace(props).fleet.generation.hash;
  const base = generation();

  test('the default generation is literal', () => {
    expect(replace().fleet.generation.isResolved).toBe(true);
  });

  test.each<[string, Partial<ReplaceFleetProps>]>([
    ['name (security group name_prefix and description, target group name)', { name: 'api2' }],
    ['vpcId (security group and target group vpc_id)', { vpcId: 'vpc-0fedcba9876543210' }],
    ['port (target group port)', { port: 8080 }],
  ])('a change of %s, which replaces them, is a new generation', (_what, change) => {
    expect(generation(change)).not.toBe(base);
  });

  test.each<[string, Partial<ReplaceFleetProps>]>([
    ['allowAllOutbound (a security group rule)', { allowAllOutbound: true }],
    ['healthCheck.path (target group health check, in place)', { healthCheck: { path: '/health' } }],
    ['healthCheck.matcher', { healthCheck: { matcher: '200-299' } }],
    ['deregistrationDelaySeconds (in place)', { deregistrationDelaySeconds: 60 }],
  ])('a change of %s, applied in place, keeps the generation', (_what, change) => {
    expect(generation(change)).toBe(base);
  });

  test('a token VPC id makes the generation a Terraform expression that includes it', () => {
    const stack = newStack('prod');
    const vpc = new TerraformVariable(stack, 'vpc', { type: 'string' }).stringValue;
    const fleet = new ReplaceFleet(stack, 'Api', {
      name: 'api',
      vpcId: vpc,
      subnetIds: SUBNETS,
      image: ImageSource.fromAmiId(AMI),
    });
    expect(fleet.generation.isResolved).toBe(false);
    expect(onlyResource(synthJson(stack), 'aws_launch_template').name).toContain('jsonencode(var.vpc)');
  });

  test('an override of the instance security group after construction fails synth', () => {
    const { fleet, stack } = replace();
    (fleet.node.findChild('InstanceSecurityGroup') as SecurityGroup).addOverride('description', 'changed');
    expect(() => Testing.synth(stack, true)).toThrow(
      /prod\/Api\/InstanceSecurityGroup: an argument that replaces this aws_security_group/,
    );
  });

  test('each blue/green slot is hashed with its own target group', () => {
    const stack = newStack('prod');
    const slot = { image: ImageSource.fromAmiId(AMI) };
    const fleet = new BlueGreenFleet(stack, 'Web', {
      name: 'web',
      vpcId: VPC,
      subnetIds: SUBNETS,
      slots: { blue: slot, green: slot },
      active: 'blue',
    });
    expect(fleet.slots.blue.generation!.isResolved).toBe(true);
    expect(fleet.slots.blue.generation!.hash).not.toBe(fleet.slots.green.generation!.hash);
  });
});

describe('forceNewIdentity', () => {
  test('reads the force-new arguments as synthesized, overrides included, and nothing else', () => {
    const stack = newStack('s');
    const group = new LbTargetGroup(stack, 'tg', {
      name: 'web',
      port: 80,
      protocol: 'HTTP',
      vpcId: VPC,
      deregistrationDelay: '30',
      healthCheck: { path: '/' },
    });
    group.addOverride('port', 8080);
    expect(forceNewIdentity(group)).toEqual({
      type: 'aws_lb_target_group',
      name: 'web',
      port: 8080,
      protocol: 'HTTP',
      vpc_id: VPC,
    });
    const role = new IamRole(stack, 'r', { namePrefix: 'x-', assumeRolePolicy: '{}' });
    expect(forceNewIdentity(role)).toEqual({ type: 'aws_iam_role', name_prefix: 'x-' });
  });

  test('a reference to a type without a force-new list cannot be registered', () => {
    const stack = newStack('s');
    const topic = new SnsTopic(stack, 't', { name: 'x' });
    expect(() => registerStableReference(topic.arn, 'topic', [topic])).toThrow(
      /^SnsTopic s\/t: aws_sns_topic has no force-new argument list, so a reference to it cannot be hashed by identity/,
    );
  });

  test("the owned types hash the force-new arguments of the policy's table (AWS provider 6.x schemas)", () => {
    expect(forceNewArguments('aws_iam_instance_profile')).toEqual(['name', 'name_prefix', 'path']);
    expect(forceNewArguments('aws_iam_role')).toEqual(['name', 'name_prefix', 'path']);
    expect(forceNewArguments('aws_security_group')).toEqual(
      expect.arrayContaining(['name', 'name_prefix', 'description', 'vpc_id']),
    );
    expect(forceNewArguments('aws_lb_target_group')).toEqual(
      expect.arrayContaining(['name', 'port', 'protocol', 'target_type', 'vpc_id']),
    );
    // nothing that changes in place
    expect(forceNewArguments('aws_security_group')).not.toContain('ingress');
    expect(forceNewArguments('aws_lb_target_group')).not.toContain('health_check');
  });
});

describe('sensitive inputs', () => {
  test('a token from a sensitive variable leaves the generation output non-sensitive (nonsensitive() around the hash)', () => {
    // GIVEN user data from a sensitive variable
    const stack = newStack('prod');
    const secret = new TerraformVariable(stack, 'secret', { type: 'string', sensitive: true });
    // WHEN
    const fleet = new ReplaceFleet(stack, 'Api', {
      name: 'api',
      vpcId: VPC,
      subnetIds: SUBNETS,
      image: ImageSource.fromAmiId(AMI),
      server: { userData: UserData.fromString(secret.stringValue) },
    });
    const json = synthJson(stack);
    // THEN the output (and the names) hold the hash through nonsensitive(), and are not marked sensitive
    expect(fleet.generation.isResolved).toBe(false);
    expect(json.output.api_generation.value).toMatch(
      /^\$\{nonsensitive\(substr\(sha256\(join\("\|", \["[0-9a-f]{10}", jsonencode\(base64encode\(var\.secret\)\)\]\)\), 0, 10\)\)\}$/,
    );
    expect(json.output.api_generation.sensitive).toBeUndefined();
    expect(onlyResource(json, 'aws_autoscaling_group').name).toContain('nonsensitive(');
  });
});

describe('state per app', () => {
  test('what an app registers is kept on that app; another app in the same process does not see it', () => {
    // GIVEN two apps in one process, the first with an owned instance profile
    const first = newStack('web');
    const profile = new InstanceProfile(first, 'Profile');
    const second = newStack('web');
    // THEN the first app hashes the profile's reference by its identity
    expect(withStableReferences(first, { profile: profile.instanceProfileName })).toEqual({
      profile: {
        owned: 'instance-profile:web/Profile',
        identity: [
          { type: 'aws_iam_instance_profile', name_prefix: 'web-Profile-' },
          { type: 'aws_iam_role', name_prefix: 'web-Profile-' },
        ],
      },
    });
    // and the second app knows nothing of it (no registry shared by the process)
    expect(withStableReferences(second, { profile: profile.instanceProfileName })).toEqual({
      profile: profile.instanceProfileName,
    });
    // the state is a child of the first app, so it goes when the app goes
    const state = (stack: TerraformStack) => stack.node.root.node.tryFindChild('cdktf-immutable.StableReferences');
    expect(state(first)).toBeDefined();
    expect(state(second)).toBeUndefined();
  });

  test('the same app built twice in one process gives the same output', () => {
    const build = () =>
      synthStack(
        (stack) =>
          new ReplaceFleet(stack, 'Api', {
            name: 'api',
            vpcId: VPC,
            subnetIds: SUBNETS,
            image: ImageSource.fromAmiId(AMI),
          }),
        'prod',
      ).text;
    expect(build()).toBe(build());
  });
});
