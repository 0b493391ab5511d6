import 'cdktf/lib/testing/adapters/jest';
import { Testing, TerraformStack, TerraformVariable } from 'cdktf';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Ami } from '@cdktf/provider-aws/lib/ami';
import { writeFileSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  ImmutableLaunchTemplate,
  ImmutableLaunchTemplateProps,
  InstanceProfile,
  InstanceType,
  ServerSettings,
  UserData,
} from '../../lib/compute';
import { CheckedLaunchTemplateInput } from '../../lib/compute/immutable-launch-template';
import * as serverSettings from '../../lib/compute/server-settings';
import { IImageSource, ImageSource } from '../../lib/image/image-source';
import { AmiPipeline, ImageComponent, ParentImage } from '../../lib/image';
import { BlockDevice } from '../../lib/image/block-device';
import { BlueGreenFleet, ReplaceFleet } from '../../lib/deploy';
import { HELLO } from '../image/fixtures';
import { bareReference, ImmutabilityAspect } from '../../lib/immutability';
import { ValidationError, Validator } from '../../lib/private/validation';
import { AMI_1 as AMI, Json, newStack, onlyResource, SUBNETS, synthJson, synthStack, VPC } from '../support/synth';

/** A launch template `Server` named `web` of {@link AMI} with `props`, in stack `web`, synthesized. */
function synthTemplate(props: Partial<ImmutableLaunchTemplateProps> = {}) {
  const {
    stack,
    json,
    built: template,
  } = synthStack(
    (stack) =>
      new ImmutableLaunchTemplate(stack, 'Server', { image: ImageSource.fromAmiId(AMI), name: 'web', ...props }),
    'web',
  );
  return { stack, json, template };
}

const onlyTemplate = (json: Json): Json => onlyResource(json, 'aws_launch_template');

describe('ImmutableLaunchTemplate', () => {
  test('defaults: IMDSv2, no public IP, encrypted gp3 root, least-privilege profile, generation name', () => {
    // GIVEN / WHEN
    const { stack, json, template } = synthTemplate();
    // THEN
    const synthText = Testing.synth(stack);
    expect(synthText).toHaveResourceWithProperties(LaunchTemplate, {
      image_id: AMI,
      instance_type: 't3.micro',
      metadata_options: {
        http_endpoint: 'enabled',
        http_tokens: 'required',
        http_put_response_hop_limit: 1,
        instance_metadata_tags: 'disabled',
      },
      network_interfaces: [{ device_index: 0, associate_public_ip_address: 'false', delete_on_termination: 'true' }],
      block_device_mappings: [
        { device_name: '/dev/xvda', ebs: { volume_type: 'gp3', encrypted: 'true', delete_on_termination: 'true' } },
      ],
      monitoring: { enabled: false },
      lifecycle: { create_before_destroy: true },
    });
    const lt = onlyTemplate(json);
    // no size: EC2 gives the root volume the size of the image's snapshot
    expect(lt.block_device_mappings[0].ebs.volume_size).toBeUndefined();
    expect(lt.name).toMatch(/^web-[0-9a-f]{10}$/);
    expect(lt.name).toBe(`web-${template.generation.hash}`);
    expect(lt.user_data).toBeUndefined();
    expect(lt.key_name).toBeUndefined();
    expect(lt.network_interfaces[0].security_groups).toBeUndefined();
    expect(lt.iam_instance_profile.name).toMatch(/^\$\{aws_iam_instance_profile\..+\.name\}$/);
    expect(Object.values(json.resource.aws_iam_role_policy_attachment)).toEqual([
      expect.objectContaining({ policy_arn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' }),
    ]);
    expect(template.generation.isResolved).toBe(true);
  });

  test('the default name base is <stack>-<id>', () => {
    const stack = newStack('prod');
    new ImmutableLaunchTemplate(stack, 'api', { image: ImageSource.fromAmiId(AMI) });
    expect(onlyTemplate(synthJson(stack)).name).toMatch(/^prod-api-[0-9a-f]{10}$/);
  });

  test('all properties', () => {
    // GIVEN
    const { json } = synthTemplate({
      slot: 'green',
      instanceType: InstanceType.of('m7g.large'),
      userData: UserData.fromString('#!/bin/sh\necho hello\n'),
      securityGroupIds: ['sg-0123456789abcdef0', 'sg-01234567'],
      instanceProfile: InstanceProfile.fromName('web-profile'),
      keyName: 'ops',
      blockDevices: [
        { deviceName: '/dev/sda1', volumeSizeGiB: 30, iops: 4000, throughputMiBps: 250, kmsKeyId: 'alias/ebs' },
        { deviceName: '/dev/sdf', volumeSizeGiB: 100, volumeType: 'st1', deleteOnTermination: false },
      ],
      metadataOptions: { httpTokens: 'required', hopLimit: 2, instanceMetadataTags: true },
      detailedMonitoring: true,
      tags: { team: 'web', env: 'prod' },
    });
    // THEN
    const lt = onlyTemplate(json);
    expect(lt.name).toMatch(/^web-green-[0-9a-f]{10}$/);
    expect(lt).toMatchObject({
      instance_type: 'm7g.large',
      user_data: Buffer.from('#!/bin/sh\necho hello\n').toString('base64'),
      key_name: 'ops',
      iam_instance_profile: { name: 'web-profile' },
      network_interfaces: [
        { associate_public_ip_address: 'false', security_groups: ['sg-0123456789abcdef0', 'sg-01234567'] },
      ],
      metadata_options: { http_put_response_hop_limit: 2, instance_metadata_tags: 'enabled', http_tokens: 'required' },
      monitoring: { enabled: true },
      block_device_mappings: [
        {
          device_name: '/dev/sda1',
          ebs: {
            volume_size: 30,
            volume_type: 'gp3',
            iops: 4000,
            throughput: 250,
            kms_key_id: 'alias/ebs',
            encrypted: 'true',
            delete_on_termination: 'true',
          },
        },
        {
          device_name: '/dev/sdf',
          ebs: { volume_size: 100, volume_type: 'st1', encrypted: 'true', delete_on_termination: 'false' },
        },
      ],
      tag_specifications: [
        { resource_type: 'instance', tags: { team: 'web', env: 'prod' } },
        { resource_type: 'volume', tags: { team: 'web', env: 'prod' } },
      ],
      tags: { team: 'web', env: 'prod' },
    });
    // a supplied profile: no IAM resources
    expect(json.resource.aws_iam_role).toBeUndefined();
  });

  test('attribute-based instance requirements leave instance_type unset (the group applies them)', () => {
    const { json, template } = synthTemplate({
      instanceType: InstanceType.fromRequirements({ vcpuCount: { min: 2, max: 4 }, memoryMiB: { min: 4096 } }),
    });
    expect(onlyTemplate(json).instance_type).toBeUndefined();
    expect(template.instanceType.requirements).toEqual({ vcpuCount: { min: 2, max: 4 }, memoryMiB: { min: 4096 } });
  });

  test('UserData.fromFile reads and encodes the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ud-'));
    try {
      const file = join(dir, 'boot.sh');
      writeFileSync(file, '#!/bin/sh\necho from file\n');
      const { json } = synthTemplate({ userData: UserData.fromFile(file) });
      expect(onlyTemplate(json).user_data).toBe(Buffer.from('#!/bin/sh\necho from file\n').toString('base64'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('validation', () => {
    const stackOf = () => newStack('web');
    const make = (props: Partial<ImmutableLaunchTemplateProps>) => () =>
      new ImmutableLaunchTemplate(stackOf(), 'Server', { image: ImageSource.fromAmiId(AMI), ...props });

    test.each([
      ['sg-123', /securityGroupIds\[0\] \("sg-123"\) must be a security group id/],
      ['default', /securityGroupIds\[0\] \("default"\) must be a security group id/],
    ])('security group id %s', (id, message) => {
      expect(make({ securityGroupIds: [id] })).toThrow(message);
    });
    test('a security group listed twice', () => {
      expect(make({ securityGroupIds: ['sg-01234567', 'sg-01234567'] })).toThrow(
        /securityGroupIds\[1\] \("sg-01234567"\) is listed twice/,
      );
    });
    test('hop limit out of range', () => {
      expect(make({ metadataOptions: { hopLimit: 0 } })).toThrow(
        /ImmutableLaunchTemplate web\/Server: metadataOptions.hopLimit \(0\) must be an integer from 1 to 64; use 1, or 2 for containers/,
      );
    });
    test('httpTokens not a choice', () => {
      expect(make({ metadataOptions: { httpTokens: 'v1' as 'required' } })).toThrow(
        /metadataOptions.httpTokens \("v1"\) must be "required" or "optional"/,
      );
    });
    test('empty block device list', () => {
      expect(make({ blockDevices: [] })).toThrow(
        /blockDevices \(\[\]\) must list at least one device; omit it for the default/,
      );
    });
    test('block device names', () => {
      expect(make({ blockDevices: [{ deviceName: 'xvda!' }] })).toThrow(
        /blockDevices\[0\].deviceName \("xvda!"\) must be a device name such as \/dev\/xvda/,
      );
      expect(make({ blockDevices: [{ deviceName: '/dev/sdf' }, { deviceName: '/dev/sdf' }] })).toThrow(
        /blockDevices\[1\].deviceName \("\/dev\/sdf"\) is used by another block device/,
      );
    });
    test('block device sizes and performance', () => {
      expect(make({ blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: 0 }] })).toThrow(
        /blockDevices\[0\].volumeSizeGiB \(0\) must be an integer from 1 to 65536/,
      );
      expect(make({ blockDevices: [{ deviceName: '/dev/xvda', iops: 100 }] })).toThrow(
        /blockDevices\[0\].iops \(100\) must be an integer from 3000 to 80000/,
      );
      expect(make({ blockDevices: [{ deviceName: '/dev/xvda', volumeType: 'gp2', iops: 3000 }] })).toThrow(
        /iops \(3000\) can only be set for gp3, io1 and io2 volumes, not gp2/,
      );
      expect(make({ blockDevices: [{ deviceName: '/dev/xvda', volumeType: 'io2', throughputMiBps: 200 }] })).toThrow(
        /throughputMiBps \(200\) can only be set for gp3 volumes, not io2/,
      );
      expect(make({ blockDevices: [{ deviceName: '/dev/xvda', volumeType: 'gp4' as 'gp3' }] })).toThrow(
        /volumeType \("gp4"\) must be one of gp3, gp2/,
      );
    });
    test('key pair name', () => {
      expect(make({ keyName: '' })).toThrow(/keyName \(""\) must be 1 to 255 printable ASCII characters/);
    });
    test('reserved tag keys and long values', () => {
      expect(make({ tags: { 'aws:owner': 'x' } })).toThrow(
        /tags key \("aws:owner"\) must be 1 to 128 characters and must not start with "aws:"/,
      );
      expect(make({ tags: { note: 'x'.repeat(257) } })).toThrow(
        /tags\["note"\] is 257 characters; tag values are limited to 256/,
      );
    });
    test('name and slot', () => {
      expect(make({ name: '-web' })).toThrow(/name \("-web"\) must be letters, digits/);
      expect(make({ slot: 'blue-1' })).toThrow(/slot \("blue-1"\) must be a short word/);
      const stack = stackOf();
      const variable = new TerraformVariable(stack, 'name', { type: 'string' });
      expect(
        () =>
          new ImmutableLaunchTemplate(stack, 'Server', {
            image: ImageSource.fromAmiId(AMI),
            name: variable.stringValue,
          }),
      ).toThrow(/name \(.*\) is a token; pass a literal base name/);
    });
    test.each(['t3', 'T3.micro', 't3.', 'micro', 't3 .micro', 'm.large'])('malformed instance type "%s"', (bad) => {
      // the factory checks nothing: the construct that takes the value does, naming its path and prop
      expect(() => InstanceType.of(bad)).not.toThrow();
      expect(make({ instanceType: InstanceType.of(bad) })).toThrow(
        new RegExp(
          `^ImmutableLaunchTemplate web/Server: instanceType \\(InstanceType.of\\("${bad.replace('.', '\\.')}"\\)\\) ` +
            'must be an instance type: lowercase family and size such as "t3.micro"',
        ),
      );
      expect(make({ instanceType: InstanceType.of(bad) })).toThrow(ValidationError);
    });
    test('an instance type that is not a string', () => {
      expect(make({ instanceType: InstanceType.of(undefined as unknown as string) })).toThrow(
        /^ImmutableLaunchTemplate web\/Server: instanceType \(InstanceType.of\(undefined\)\) must be an instance type name such as "t3.micro"/,
      );
    });
    test('a malformed instance type of a fleet names the fleet, its stack and the prop the value entered as', () => {
      // GIVEN one stack per environment, built in a loop, one of them with a bad type in a slot
      const app = Testing.app();
      const build = (env: string, instanceType: InstanceType) => () =>
        new BlueGreenFleet(new TerraformStack(app, env), 'Web', {
          vpcId: VPC,
          subnetIds: SUBNETS,
          active: 'blue',
          slots: { blue: { image: ImageSource.fromAmiId(AMI), instanceType }, green: {} },
        });
      expect(build('dev', InstanceType.of('t3.micro'))).not.toThrow();
      expect(build('prod', InstanceType.of('t3micro'))).toThrow(
        /^BlueGreenFleet prod\/Web: slots\.blue\.instanceType \(InstanceType\.of\("t3micro"\)\) must be an instance type/,
      );
    });
    test.each(['t3.micro', 'm7i-flex.large', 'c6gn.16xlarge', 'u-6tb1.metal', 'mac2-m2pro.metal', 'm7i.metal-24xl'])(
      'well-formed instance type "%s"',
      (good) => {
        expect(InstanceType.of(good).name).toBe(good);
        expect(make({ instanceType: InstanceType.of(good) })).not.toThrow();
      },
    );
    describe('instance requirements', () => {
      const req = { vcpuCount: { min: 1 }, memoryMiB: { min: 1024 } };
      const from = (extra: object) => make({ instanceType: InstanceType.fromRequirements({ ...req, ...extra }) });
      const at = '^ImmutableLaunchTemplate web/Server: instanceType requirements ';
      test('the factory checks nothing', () => {
        expect(() => InstanceType.fromRequirements({ ...req, vcpuCount: { min: 4, max: 2 } })).not.toThrow();
      });
      test('min above max', () => {
        expect(from({ vcpuCount: { min: 4, max: 2 } })).toThrow(
          new RegExp(
            `${at}vcpuCount.min \\(4\\) must be <= instanceType requirements vcpuCount.max \\(2\\); lower min or raise max`,
          ),
        );
      });
      test('min below the least', () => {
        expect(from({ vcpuCount: { min: 0 } })).toThrow(
          new RegExp(`${at}vcpuCount.min \\(0\\) must be an integer >= 1`),
        );
        expect(from({ memoryMiB: { min: 1.5 } })).toThrow(/memoryMiB.min \(1.5\) must be an integer >= 1/);
      });
      test('max below the least', () => {
        expect(from({ memoryMiB: { min: 1, max: 0 } })).toThrow(
          new RegExp(`${at}memoryMiB.max \\(0\\) must be an integer >= 1; raise it or omit it`),
        );
      });
      test('a missing range', () => {
        expect(make({ instanceType: InstanceType.fromRequirements({ vcpuCount: { min: 1 } } as never) })).toThrow(
          new RegExp(`${at}memoryMiB \\(undefined\\) is required: pass \\{ min \\}`),
        );
      });
      test('an unknown CPU maker', () => {
        expect(from({ cpuManufacturers: ['intel', 'ibm'] })).toThrow(
          new RegExp(`${at}cpuManufacturers\\[1\\] \\("ibm"\\) must be one of intel, amd, amazon-web-services, apple`),
        );
      });
      test('an unknown burstable performance', () => {
        expect(from({ burstablePerformance: 'sometimes' })).toThrow(
          new RegExp(`${at}burstablePerformance \\("sometimes"\\) must be one of included, excluded, required`),
        );
      });
      test('a malformed type pattern', () => {
        expect(from({ allowedInstanceTypes: ['M7.*'] })).toThrow(
          new RegExp(
            `${at}allowedInstanceTypes\\[0\\] \\("M7.\\*"\\) must be an instance type or pattern such as "m7i.large" or "m7i.\\*"`,
          ),
        );
        expect(from({ excludedInstanceTypes: ['t3.*', 'x y'] })).toThrow(
          /excludedInstanceTypes\[1\] \("x y"\) must be an instance type or pattern/,
        );
      });
      test('allowed and excluded types together', () => {
        expect(from({ allowedInstanceTypes: ['m7i.*'], excludedInstanceTypes: ['t3.*'] })).toThrow(
          new RegExp(`${at}allowedInstanceTypes and excludedInstanceTypes cannot both be set`),
        );
      });
      test('tokens are not validated', () => {
        const stack = stackOf();
        const num = new TerraformVariable(stack, 'n', { type: 'number' }).numberValue;
        const list = new TerraformVariable(stack, 'l', { type: 'list(string)' }).listValue;
        const type = InstanceType.fromRequirements({
          vcpuCount: { min: num, max: num },
          memoryMiB: { min: num },
          cpuManufacturers: list as never,
          allowedInstanceTypes: list,
        });
        expect(type.requirements?.vcpuCount.min).toBe(num);
        expect(
          () => new ImmutableLaunchTemplate(stack, 'Server', { image: ImageSource.fromAmiId(AMI), instanceType: type }),
        ).not.toThrow();
      });
    });
    test('user data: empty, too large, unreadable file, not text', () => {
      expect(() => UserData.fromString('')).toThrow(/^UserData.fromString: script is empty; omit userData/);
      expect(() => UserData.fromString('x'.repeat(16 * 1024 + 1))).toThrow(
        /^UserData.fromString: script is 16385 bytes, more than EC2's limit of 16384 bytes/,
      );
      expect(() => UserData.fromFile('/nonexistent/boot.sh')).toThrow(
        /^UserData.fromFile: path \("\/nonexistent\/boot.sh"\) cannot be read/,
      );
      expect(() => UserData.fromString(42 as unknown as string)).toThrow(
        /^UserData.fromString: script \(42\) must be the text of a script/,
      );
    });
    test('user data: an empty file', () => {
      const dir = mkdtempSync(join(tmpdir(), 'ud-'));
      try {
        const file = join(dir, 'empty.sh');
        writeFileSync(file, '');
        expect(() => UserData.fromFile(file)).toThrow(
          /^UserData.fromFile: the file at path \(".*empty.sh"\) is empty; omit userData/,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
    test('errors are ValidationErrors that name the construct path', () => {
      expect(make({ keyName: '' })).toThrow(ValidationError);
      expect(make({ keyName: '' })).toThrow(/^ImmutableLaunchTemplate web\/Server: keyName/);
    });
    test('a missing image', () => {
      expect(make({ image: undefined as unknown as IImageSource })).toThrow(
        /^ImmutableLaunchTemplate web\/Server: image \(undefined\) is required and must be an image source/,
      );
    });
  });

  describe('_fromCheckedSettings (internal: for fleets, which validate server settings where they enter)', () => {
    const checked = (settings: ServerSettings, prefix = '') =>
      serverSettings.validateServerSettings(new Validator('test'), settings, prefix);

    test('builds the same template as the constructor, from the checked settings, without checking them again', () => {
      // GIVEN settings a fleet already checked
      const build = (make: (stack: TerraformStack) => void) => {
        const stack = newStack('web');
        make(stack);
        return Testing.synth(stack);
      };
      const image = ImageSource.fromAmiId(AMI);
      const settings = checked({ keyName: 'ops' });
      const validate = jest.spyOn(serverSettings, 'validateServerSettings');
      try {
        // WHEN / THEN: same output as the constructor
        expect(
          build((stack) =>
            ImmutableLaunchTemplate._fromCheckedSettings(stack, 'Server', {
              image,
              name: 'web',
              slot: 'blue',
              settings,
            }),
          ),
        ).toBe(
          build(
            (stack) =>
              new ImmutableLaunchTemplate(stack, 'Server', { image, name: 'web', slot: 'blue', keyName: 'ops' }),
          ),
        );
        // the settings are checked by the constructor only, not a second time
        expect(validate).toHaveBeenCalledTimes(1);
      } finally {
        validate.mockRestore();
      }
    });

    test('still checks the image, name and slot, which enter here', () => {
      const stack = newStack('web');
      const settings = checked({});
      expect(() =>
        ImmutableLaunchTemplate._fromCheckedSettings(stack, 'A', {
          image: ImageSource.fromAmiId(AMI),
          slot: 'blue-1',
          settings,
        }),
      ).toThrow(/^ImmutableLaunchTemplate web\/A: slot \("blue-1"\) must be a short word/);
      expect(() =>
        ImmutableLaunchTemplate._fromCheckedSettings(stack, 'B', {
          image: ImageSource.fromAmiId(AMI),
          name: '-web',
          settings,
        }),
      ).toThrow(/name \("-web"\) must be letters, digits/);
      expect(() =>
        ImmutableLaunchTemplate._fromCheckedSettings(stack, 'C', { settings } as CheckedLaunchTemplateInput),
      ).toThrow(/image \(undefined\) is required/);
    });

    test('an error raised in the template names the prop each setting entered as', () => {
      const stack = newStack('web');
      const pipeline = new AmiPipeline(stack, 'Image', {
        name: 'web',
        parentImage: ParentImage.fromAmiId(AMI),
        components: [ImageComponent.fromInline('hello', HELLO)],
        blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: 40 }],
      });
      const small = { blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: 8 }] };
      // a slot's own setting keeps its path through the merge with the fleet's
      const merged = checked({ keyName: 'ops' }, 'server.').overlaidWith(checked(small, 'slots.green.'));
      expect(() =>
        ImmutableLaunchTemplate._fromCheckedSettings(stack, 'Green', {
          image: ImageSource.fromPipeline(pipeline),
          settings: merged,
        }),
      ).toThrow(
        /^ImmutableLaunchTemplate web\/Green: slots\.green\.blockDevices\[0\]\.volumeSizeGiB \(8\) must be at least 40/,
      );
      // and so does the fleet's, when the slot does not set it
      const inherited = checked(small, 'server.').overlaidWith(checked({ keyName: 'ops' }, 'slots.blue.'));
      expect(inherited.prop('keyName')).toBe('slots.blue.keyName');
      expect(() =>
        ImmutableLaunchTemplate._fromCheckedSettings(stack, 'Blue', {
          image: ImageSource.fromPipeline(pipeline),
          settings: inherited,
        }),
      ).toThrow(
        /^ImmutableLaunchTemplate web\/Blue: server\.blockDevices\[0\]\.volumeSizeGiB \(8\) must be at least 40/,
      );
    });
  });

  test('tokens are not validated and make the generation a Terraform expression', () => {
    // GIVEN
    const stack = newStack('web');
    const num = (name: string) => new TerraformVariable(stack, name, { type: 'number' }).numberValue;
    const str = (name: string) => new TerraformVariable(stack, name, { type: 'string' }).stringValue;
    // WHEN
    const template = new ImmutableLaunchTemplate(stack, 'Server', {
      image: ImageSource.fromAmiId(str('ami')),
      name: 'web',
      instanceType: InstanceType.of(str('type')),
      userData: UserData.fromString(str('script')),
      securityGroupIds: [str('sg')],
      keyName: str('key'),
      blockDevices: [{ deviceName: str('device'), volumeSizeGiB: num('size'), iops: num('iops') }],
      metadataOptions: { hopLimit: num('hops') },
    });
    // THEN
    const lt = onlyTemplate(synthJson(stack));
    expect(template.generation.isResolved).toBe(false);
    expect(lt.name).toMatch(/^web-\$\{nonsensitive\(substr\(sha256\(join\("\|", \["[0-9a-f]{10}", /);
    for (const name of ['ami', 'type', 'sg', 'key', 'device', 'size', 'iops', 'hops']) {
      expect(lt.name).toContain(`jsonencode(var.${name})`);
    }
    expect(lt.name).toContain('jsonencode(base64encode(var.script))');
    expect(lt.user_data).toBe('${base64encode(var.script)}');
    expect(lt.image_id).toBe('${var.ami}');
  });

  test('an image behind a managed resource adds replace_triggered_by with a bare reference', () => {
    // GIVEN an image source that points at an aws_ami resource of the same stack
    const stack = newStack('web');
    const ami = new Ami(stack, 'base', { name: 'base', virtualizationType: 'hvm', rootDeviceName: '/dev/xvda' });
    ImmutabilityAspect.allowFixedName(ami, 'test fixture, never replaced');
    const image: IImageSource = {
      bind: () => ({ imageId: ami.id, replaceTriggeredBy: [bareReference(ami, 'id')], description: 'ami resource' }),
    };
    // WHEN
    new ImmutableLaunchTemplate(stack, 'Server', { image, name: 'web' });
    // THEN
    const lt = onlyTemplate(synthJson(stack));
    expect(lt.lifecycle).toEqual({ create_before_destroy: true, replace_triggered_by: ['aws_ami.base.id'] });
  });

  test('an SSM parameter image reads the parameter and names by its value at plan', () => {
    const { json, template } = synthTemplate({ image: ImageSource.fromSsmParameter('/images/web/ami-id') });
    const lt = onlyTemplate(json);
    expect(template.generation.isResolved).toBe(false);
    expect(lt.image_id).toMatch(/^\$\{data\.aws_ssm_parameter\..+\.insecure_value\}$/);
    expect(lt.name).toContain('jsonencode(data.aws_ssm_parameter.');
    // a data source cannot be a trigger: the name carries the value instead
    expect(lt.lifecycle).toEqual({ create_before_destroy: true });
  });

  describe('generation', () => {
    const base: Partial<ImmutableLaunchTemplateProps> = {
      userData: UserData.fromString('#!/bin/sh\necho v1'),
      securityGroupIds: ['sg-01234567'],
      instanceProfile: InstanceProfile.fromName('web'),
    };
    const nameOf = (props: Partial<ImmutableLaunchTemplateProps>) =>
      onlyTemplate(synthTemplate({ ...base, ...props }).json).name;

    test('same inputs, same name; key order and defaults spelled out do not matter', () => {
      expect(nameOf({})).toBe(nameOf({}));
      expect(nameOf({ metadataOptions: { httpTokens: 'required', hopLimit: 1 } })).toBe(nameOf({}));
      expect(nameOf({ tags: { a: '1', b: '2' } })).toBe(nameOf({ tags: { b: '2', a: '1' } }));
    });

    test.each<[string, Partial<ImmutableLaunchTemplateProps>]>([
      ['the image', { image: ImageSource.fromAmiId('ami-0fedcba9876543210') }],
      ['the user data', { userData: UserData.fromString('#!/bin/sh\necho v2') }],
      ['the instance type', { instanceType: InstanceType.of('t3.small') }],
      ['the security groups', { securityGroupIds: ['sg-01234567', 'sg-89abcdef'] }],
      ['the instance profile', { instanceProfile: InstanceProfile.fromName('web-v2') }],
      ['the key pair', { keyName: 'ops' }],
      ['the block devices', { blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: 40 }] }],
      ['the metadata options', { metadataOptions: { hopLimit: 2 } }],
      ['detailed monitoring', { detailedMonitoring: true }],
      ['the instance tags', { tags: { team: 'web' } }],
      ['the group inputs', { generationInputs: { health_check_grace_period: 60 } }],
    ])('a change of %s is a new name', (_what, change) => {
      expect(nameOf(change)).not.toBe(nameOf({}));
      expect(nameOf(change)).toMatch(/^web-[0-9a-f]{10}$/);
    });

    test('the permissions of an owned instance profile are not part of the generation', () => {
      const nameWith = (policies: string[]) => {
        const stack = newStack('web');
        const profile = new InstanceProfile(stack, 'Profile', { managedPolicyArns: policies });
        new ImmutableLaunchTemplate(stack, 'Server', {
          image: ImageSource.fromAmiId(AMI),
          name: 'web',
          instanceProfile: profile,
        });
        return onlyTemplate(synthJson(stack)).name;
      };
      const a = nameWith(['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore']);
      const b = nameWith([
        'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
        'arn:aws:iam::123456789012:policy/app-read',
      ]);
      expect(a).toMatch(/^web-[0-9a-f]{10}$/);
      expect(b).toBe(a);
    });
  });
});

describe('root volume', () => {
  // GIVEN an AMI pipeline in the same app whose recipe sets (or not) the root volume
  const withPipeline = (
    pipeline: { platform?: 'Linux' | 'Windows'; blockDevices?: BlockDevice[] },
    template: Partial<ImmutableLaunchTemplateProps> = {},
  ) => {
    const stack = newStack('web');
    const ami = new AmiPipeline(stack, 'Image', {
      name: 'web',
      parentImage: ParentImage.fromAmiId(AMI),
      components: [ImageComponent.fromInline('hello', HELLO)],
      ...pipeline,
    });
    new ImmutableLaunchTemplate(stack, 'Server', { image: ImageSource.fromPipeline(ami), name: 'web', ...template });
    return onlyTemplate(synthJson(stack));
  };

  test('an AmiPipeline with a known root size: the default root volume carries it', () => {
    const lt = withPipeline({ blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: 40 }] });
    expect(lt.block_device_mappings).toEqual([
      {
        device_name: '/dev/xvda',
        ebs: { volume_type: 'gp3', volume_size: 40, encrypted: 'true', delete_on_termination: 'true' },
      },
    ]);
  });

  test("an AmiPipeline without a size: no size (the snapshot's), on the pipeline's root device", () => {
    expect(withPipeline({}).block_device_mappings).toEqual([
      { device_name: '/dev/xvda', ebs: { volume_type: 'gp3', encrypted: 'true', delete_on_termination: 'true' } },
    ]);
    expect(withPipeline({ platform: 'Windows' }).block_device_mappings[0].device_name).toBe('/dev/sda1');
    // an Ubuntu-style root listed in the pipeline's volumes is the root
    expect(
      withPipeline({
        blockDevices: [
          { deviceName: '/dev/sda1', volumeSizeGiB: 30 },
          { deviceName: '/dev/sdf', volumeSizeGiB: 100 },
        ],
      }).block_device_mappings,
    ).toEqual([
      {
        device_name: '/dev/sda1',
        ebs: { volume_type: 'gp3', volume_size: 30, encrypted: 'true', delete_on_termination: 'true' },
      },
    ]);
  });

  test("a template volume without a size takes the image's size for that device; a larger one is kept", () => {
    const lt = withPipeline(
      { blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: 40 }] },
      {
        blockDevices: [
          { deviceName: '/dev/xvda', volumeType: 'io2', iops: 1000 },
          { deviceName: '/dev/sdf', volumeSizeGiB: 10 },
        ],
      },
    );
    expect(lt.block_device_mappings[0].ebs).toMatchObject({ volume_size: 40, volume_type: 'io2', iops: 1000 });
    expect(lt.block_device_mappings[1].ebs.volume_size).toBe(10);
    expect(
      withPipeline(
        { blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: 40 }] },
        { blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: 64 }] },
      ).block_device_mappings[0].ebs.volume_size,
    ).toBe(64);
  });

  test("a known size smaller than the image's is refused at synth, naming the prop, the value and the image's size", () => {
    expect(() =>
      withPipeline(
        { blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: 40 }] },
        { blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: 20 }] },
      ),
    ).toThrow(
      /^ImmutableLaunchTemplate web\/Server: blockDevices\[0\]\.volumeSizeGiB \(20\) must be at least 40, the size in GiB of the image's \/dev\/xvda volume \(pipeline:web\): EC2 refuses to launch a smaller one\. Raise it, or omit volumeSizeGiB/,
    );
  });

  test("through a fleet, the error names the fleet's prop", () => {
    const stack = newStack('web');
    const ami = new AmiPipeline(stack, 'Image', {
      name: 'web',
      parentImage: ParentImage.fromAmiId(AMI),
      components: [ImageComponent.fromInline('hello', HELLO)],
      blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: 40 }],
    });
    expect(
      () =>
        new ReplaceFleet(stack, 'Api', {
          vpcId: 'vpc-0123456789abcdef0',
          subnetIds: ['subnet-0a00000000000000a', 'subnet-0b00000000000000b'],
          image: ImageSource.fromPipeline(ami),
          server: { blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: 8 }] },
        }),
    ).toThrow(
      /^ImmutableLaunchTemplate web\/Api\/LaunchTemplate: server\.blockDevices\[0\]\.volumeSizeGiB \(8\) must be at least 40/,
    );
  });

  test("through a blue/green fleet, the error names the slot's prop, or the fleet's for a setting the slot inherits", () => {
    const fleet = (env: string, slots: { blue?: ServerSettings; green?: ServerSettings }, server?: ServerSettings) => {
      const stack = newStack(env);
      const pipeline = new AmiPipeline(stack, 'Image', {
        name: 'web',
        parentImage: ParentImage.fromAmiId(AMI),
        components: [ImageComponent.fromInline('hello', HELLO)],
        blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: 40 }],
      });
      const image = ImageSource.fromPipeline(pipeline);
      return () =>
        new BlueGreenFleet(stack, 'Web', {
          vpcId: VPC,
          subnetIds: SUBNETS,
          active: 'blue',
          server,
          slots: { blue: { image, ...slots.blue }, green: { image, ...slots.green } },
        });
    };
    const small = { blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: 8 }] };
    expect(fleet('dev', { green: small })).toThrow(
      /^ImmutableLaunchTemplate dev\/Web\/Green\/LaunchTemplate: slots\.green\.blockDevices\[0\]\.volumeSizeGiB \(8\) must be at least 40/,
    );
    expect(fleet('prod', { blue: { keyName: 'ops' } }, small)).toThrow(
      /^ImmutableLaunchTemplate prod\/Web\/Blue\/LaunchTemplate: server\.blockDevices\[0\]\.volumeSizeGiB \(8\) must be at least 40/,
    );
  });

  test('an image source that knows nothing about the image: sizes are not checked, a token size is not checked', () => {
    const stack = newStack('web');
    const size = new TerraformVariable(stack, 'size', { type: 'number' }).numberValue;
    const image: IImageSource = {
      bind: () => ({
        imageId: AMI,
        replaceTriggeredBy: [],
        description: 'custom',
        volumes: [{ deviceName: '/dev/xvda', volumeSizeGiB: 40 }],
      }),
    };
    expect(
      () =>
        new ImmutableLaunchTemplate(stack, 'Server', {
          image,
          blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: size }],
        }),
    ).not.toThrow();
    expect(() => synthTemplate({ blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: 1 }] })).not.toThrow();
  });
});
