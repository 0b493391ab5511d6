/**
 * Instance type names are checked at synth against the EC2 API model's list
 * (lib/private/instance-type-data.ts, generated from @aws-sdk/client-ec2 by
 * scripts/instance-types.js): an unknown name is a warning naming the closest known
 * ones, never an error (the list is one SDK release's; newer types must synthesize).
 */
import { spawnSync } from 'child_process';
import { join } from 'path';
import { AnnotationMetadataEntryType, TerraformStack, TerraformVariable } from 'cdktf';
import { IConstruct } from 'constructs';
import {
  AmiPipeline,
  BlueGreenFleet,
  ImageComponent,
  ImageSource,
  ImmutableLaunchTemplate,
  InstanceType,
  ParentImage,
} from '../../lib';
import { INSTANCE_TYPE_SIZES, INSTANCE_TYPE_SOURCE } from '../../lib/private/instance-type-data';
import { unknownInstanceType, unknownInstanceTypePattern } from '../../lib/private/instance-type-names';
import { newStack } from '../support/synth';

const ROOT = join(__dirname, '..', '..');
const AMI = ImageSource.fromAmiId('ami-0123456789abcdef0');
const NETWORK = { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'] };

function warnings(scope: IConstruct): string[] {
  return scope.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN).map((m) => m.data as string);
}

describe('the list', () => {
  test('is current with the AWS SDK for EC2 in node_modules (scripts/instance-types.js --check)', () => {
    const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'instance-types.js'), '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(`${result.stdout}${result.stderr}`).toContain(
      'lib/private/instance-type-data.ts is current with @aws-sdk/client-ec2',
    );
    expect(result.status).toBe(0);
  });

  test('holds the common families and sizes, and names its source', () => {
    expect(INSTANCE_TYPE_SIZES.t3.split(' ')).toEqual(
      expect.arrayContaining(['nano', 'micro', 'small', 'medium', 'large', 'xlarge', '2xlarge']),
    );
    expect(INSTANCE_TYPE_SIZES.m7g.split(' ')).toContain('large');
    expect(INSTANCE_TYPE_SOURCE).toMatch(/^@aws-sdk\/client-ec2 \d+\.\d+\.\d+$/);
  });
});

describe('unknownInstanceType', () => {
  test('a known type: nothing to say', () => {
    for (const name of ['t3.micro', 'm7g.large', 'c7gn.16xlarge', 'u-6tb1.metal', 'mac2-m2pro.metal']) {
      expect(unknownInstanceType(name)).toBeUndefined();
    }
  });

  test("a typo in the size: the family's sizes and the closest name", () => {
    expect(unknownInstanceType('t3.smal')).toBe(
      'is not a size of the t3 family in ' +
        INSTANCE_TYPE_SOURCE +
        "'s list of EC2 instance types " +
        '(t3: 2xlarge, large, medium, micro, nano, small, xlarge). Did you mean "t3.small"? ' +
        'Fix the name; if it is an instance type newer than that list, ignore this warning.',
    );
  });

  test('an unknown family: the closest names, those sharing the longest prefix first', () => {
    expect(unknownInstanceType('m7.large')).toContain(
      '(no family "m7"). Did you mean "m7a.large", "m7g.large" or "m7i.large"?',
    );
    expect(unknownInstanceType('t3a.mirco')).toContain('Did you mean "t3a.micro"?');
  });

  test('nothing near: no suggestion, still the fix', () => {
    expect(unknownInstanceType('zzzzzzzzzzzz.qqqqqqqq')).toBe(
      `is not in ${INSTANCE_TYPE_SOURCE}'s list of EC2 instance types (no family "zzzzzzzzzzzz"). Fix the name; if it is an instance type newer than that list, ignore this warning.`,
    );
  });

  test('patterns of attribute-based selection: those that match a known type pass', () => {
    expect(unknownInstanceTypePattern('m7i.*')).toBeUndefined();
    expect(unknownInstanceTypePattern('c7*')).toBeUndefined();
    expect(unknownInstanceTypePattern('*.metal')).toBeUndefined();
    expect(unknownInstanceTypePattern('m7x.*')).toContain(
      'matches no instance type in ' +
        INSTANCE_TYPE_SOURCE +
        '\'s list of EC2 instance types. Did you mean "m7a.*", "m7g.*" or "m7i.*"?',
    );
    expect(unknownInstanceTypePattern('t3.smal')).toContain('Did you mean "t3.small"?');
  });
});

describe('where instance types enter the constructs', () => {
  let stack: TerraformStack;
  beforeAll(() => {
    stack = newStack('prod');
  });

  test("a fleet's server.instanceType: a warning on the fleet naming the prop, the value and the closest match; synth goes on", () => {
    const fleet = new BlueGreenFleet(stack, 'Web', {
      ...NETWORK,
      name: 'web',
      server: { instanceType: InstanceType.of('t3.smal') },
      slots: { blue: { image: AMI }, green: {} },
      active: 'blue',
      stagedSlot: 'none',
    });
    expect(warnings(fleet)).toEqual([
      expect.stringMatching(
        /^BlueGreenFleet: server\.instanceType \("t3\.smal"\) is not a size of the t3 family .* Did you mean "t3\.small"\?/,
      ),
    ]);
  });

  test("a slot's instanceType names the slot's prop", () => {
    const fleet = new BlueGreenFleet(stack, 'Api', {
      ...NETWORK,
      name: 'api',
      slots: { blue: { image: AMI, instanceType: InstanceType.of('m7g.lage') }, green: {} },
      active: 'blue',
      stagedSlot: 'none',
    });
    expect(warnings(fleet)).toEqual([
      expect.stringContaining('slots.blue.instanceType ("m7g.lage") is not a size of the m7g family'),
    ]);
    expect(warnings(fleet)[0]).toContain('Did you mean "m7g.large"?');
  });

  test("a launch template's instanceType and its requirements' patterns", () => {
    const template = new ImmutableLaunchTemplate(stack, 'Template', {
      image: AMI,
      instanceType: InstanceType.of('c7.large'),
    });
    expect(warnings(template)).toEqual([
      expect.stringContaining('ImmutableLaunchTemplate: instanceType ("c7.large") is not in'),
    ]);
    const flexible = new ImmutableLaunchTemplate(stack, 'Flexible', {
      image: AMI,
      instanceType: InstanceType.fromRequirements({
        vcpuCount: { min: 2 },
        memoryMiB: { min: 4096 },
        allowedInstanceTypes: ['m7i.*', 'm7x.*'],
      }),
    });
    expect(warnings(flexible)).toEqual([
      expect.stringContaining('instanceType requirements allowedInstanceTypes[1] ("m7x.*") matches no instance type'),
    ]);
  });

  test("an AMI pipeline's build instance types (on its Infrastructure)", () => {
    const pipeline = new AmiPipeline(stack, 'Images', {
      name: 'web',
      parentImage: ParentImage.fromAmiId('ami-0123456789abcdef0'),
      components: [ImageComponent.fromManagedArn('arn:aws:imagebuilder:eu-west-1:aws:component/update-linux/x.x.x')],
      buildInfrastructure: { instanceTypes: ['t3.medium', 't3.meduim'] },
    });
    expect(warnings(pipeline.node.findChild('Infrastructure'))).toEqual([
      expect.stringContaining(
        'InfrastructureConfiguration: instanceTypes[1] ("t3.meduim") is not a size of the t3 family',
      ),
    ]);
  });

  test('known types and tokens give no warning', () => {
    const variable = new TerraformVariable(stack, 'type', { type: 'string' });
    const known = new ImmutableLaunchTemplate(stack, 'Known', {
      image: AMI,
      instanceType: InstanceType.of('t3.small'),
    });
    const token = new ImmutableLaunchTemplate(stack, 'Token', {
      image: AMI,
      instanceType: InstanceType.of(variable.stringValue),
    });
    expect(warnings(known)).toEqual([]);
    expect(warnings(token)).toEqual([]);
  });
});
