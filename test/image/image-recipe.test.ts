import { TerraformVariable, Testing } from 'cdktf';
import { ImagebuilderImageRecipe } from '@cdktf/provider-aws/lib/imagebuilder-image-recipe';
import { Construct } from 'constructs';
import { ImageComponent, ImageComponentConfig, ImageRecipe, ImageRecipeProps } from '../../lib';
import { ValidationError } from '../../lib/private/validation';
import { HELLO } from './fixtures';
import { newStack } from '../support/synth';

const UPDATE_LINUX = 'arn:aws:imagebuilder:eu-west-1:aws:component/update-linux/x.x.x';
const MANAGED: ImageComponentConfig = { componentArn: UPDATE_LINUX, parameters: [] };

function recipe(scope: Construct, overrides: Partial<ImageRecipeProps> = {}): ImageRecipe {
  return new ImageRecipe(scope, 'Recipe', {
    name: 'web',
    parentImage: 'ami-0123456789abcdef0',
    components: [MANAGED],
    ...overrides,
  });
}

describe('ImageRecipe', () => {
  test('defaults: a content version, one encrypted gp3 root volume, the generation AMI tag, create before destroy', () => {
    // GIVEN a scope
    let made: ImageRecipe | undefined;
    // WHEN a recipe is created with only the required props
    const synth = Testing.synthScope((scope) => {
      made = recipe(scope);
    });
    // THEN
    expect(synth).toHaveResourceWithProperties(ImagebuilderImageRecipe, {
      name: 'web',
      description: 'AMI recipe of web (cdktf-immutable)',
      version: made!.recipeVersion,
      parent_image: 'ami-0123456789abcdef0',
      component: [{ component_arn: UPDATE_LINUX }],
      block_device_mapping: [
        { device_name: '/dev/xvda', ebs: { encrypted: 'true', delete_on_termination: 'true', volume_type: 'gp3' } },
      ],
      ami_tags: { 'cdktf-immutable:generation': made!.generation.hash },
      lifecycle: { create_before_destroy: true },
    });
    expect(made!.recipeVersion).toMatch(/^1\.0\.\d+$/);
    expect(made!.version).toMatch(/^\$\{TfToken/); // the resource's own attribute stays a reference
  });

  test('all properties', () => {
    // GIVEN an owned component bound in the same scope
    let made: ImageRecipe | undefined;
    const synth = Testing.synthScope((scope) => {
      const owned = ImageComponent.fromInline('nginx', HELLO, { parameters: { Port: '80' } }).bind(scope, {
        pipelineName: 'api',
      });
      // WHEN every prop is set
      made = new ImageRecipe(scope, 'Recipe', {
        name: 'api',
        parentImage: 'arn:aws:imagebuilder:eu-west-1:aws:image/windows-server-2022-english-full-base-x86/x.x.x',
        components: [MANAGED, owned],
        platform: 'Windows',
        blockDevices: [
          { deviceName: '/dev/sda1', volumeSizeGiB: 60, volumeType: 'io2', iops: 6000, deleteOnTermination: false },
          { deviceName: 'xvdb', volumeSizeGiB: 10, throughputMiBps: 300, kmsKeyId: 'alias/data' },
        ],
        kmsKeyId: 'alias/ami',
        workingDirectory: 'C:\\build',
        description: 'API server',
        amiTags: { Team: 'platform' },
        tags: { Owner: 'platform' },
      });
    });
    // THEN
    expect(synth).toHaveResourceWithProperties(ImagebuilderImageRecipe, {
      name: 'api',
      description: 'API server',
      parent_image: 'arn:aws:imagebuilder:eu-west-1:aws:image/windows-server-2022-english-full-base-x86/x.x.x',
      working_directory: 'C:\\build',
      component: [
        { component_arn: UPDATE_LINUX },
        {
          component_arn: '${aws_imagebuilder_component.Component-nginx.arn}',
          parameter: [{ name: 'Port', value: '80' }],
        },
      ],
      block_device_mapping: [
        {
          device_name: '/dev/sda1',
          ebs: {
            encrypted: 'true',
            delete_on_termination: 'false',
            volume_size: 60,
            volume_type: 'io2',
            iops: 6000,
            kms_key_id: 'alias/ami',
          },
        },
        {
          device_name: 'xvdb',
          ebs: {
            encrypted: 'true',
            delete_on_termination: 'true',
            volume_size: 10,
            volume_type: 'gp3',
            throughput: 300,
            kms_key_id: 'alias/data',
          },
        },
      ],
      ami_tags: { 'cdktf-immutable:generation': made!.generation.hash, Team: 'platform' },
      tags: { Owner: 'platform' },
    });
  });

  test('the Windows default root volume is /dev/sda1', () => {
    const synth = Testing.synthScope((scope) => {
      recipe(scope, { platform: 'Windows' });
    });
    expect(synth).toHaveResourceWithProperties(ImagebuilderImageRecipe, {
      block_device_mapping: [expect.objectContaining({ device_name: '/dev/sda1' })],
    });
  });

  test('the version follows the content, AMI tags included (they force a new recipe), and ignores tags', () => {
    const version = (overrides: Partial<ImageRecipeProps>) => recipe(newStack('s'), overrides).recipeVersion;
    const base = version({});
    expect(version({})).toBe(base);
    expect(version({ tags: { Owner: 'x' } })).toBe(base);
    expect(version({ amiTags: { Team: 'y' } })).not.toBe(base);
    expect(version({ amiTags: { Team: 'z' } })).not.toBe(version({ amiTags: { Team: 'y' } }));
    expect(version({ parentImage: 'ami-0fedcba9876543210' })).not.toBe(base);
    expect(version({ workingDirectory: '/var/build' })).not.toBe(base);
    expect(version({ components: [{ ...MANAGED, parameters: [{ name: 'a', value: 'b' }] }] })).not.toBe(base);
    // a component config with a name and version is hashed by them, and by its ARN when that is a literal
    const owned = {
      componentArn: 'arn:aws:imagebuilder:eu-west-1:123456789012:component/web-hello/1.0.1',
      name: 'web-hello',
      version: '1.0.1',
      parameters: [],
    };
    expect(version({ components: [owned] })).not.toBe(
      version({ components: [{ ...owned, componentArn: owned.componentArn.replace('web-hello', 'web-other') }] }),
    );
  });

  test('tokens are not validated', () => {
    const stack = newStack('s');
    const v = (name: string) => new TerraformVariable(stack, name, { type: 'string' }).stringValue;
    recipe(stack, {
      parentImage: v('parent'),
      workingDirectory: v('dir'),
      blockDevices: [
        {
          deviceName: v('device'),
          volumeSizeGiB: new TerraformVariable(stack, 'size', { type: 'number' }).numberValue,
        },
      ],
    });
    // the version of a recipe with a token parent is a Terraform expression over it
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ImagebuilderImageRecipe, {
      parent_image: '${var.parent}',
      working_directory: '${var.dir}',
      version: expect.stringMatching(/^1\.0\.\$\{parseint\(/),
    });
  });

  describe('validation', () => {
    test.each<[string, Partial<ImageRecipeProps>, string]>([
      ['bad name', { name: ' web' }, 'name (" web") must be 3 to 128 letters, digits, "_", "-" or spaces'],
      [
        'bad parent image',
        { parentImage: 'amazon-linux' },
        'parentImage ("amazon-linux") must be an AMI id such as ami-0123456789abcdef0 or an Image Builder image ARN',
      ],
      ['no components', { components: [] }, 'components ([]) must list at least one component'],
      ['bad platform', { platform: 'Mac' as 'Linux' }, 'platform ("Mac") must be one of Linux, Windows'],
      [
        'bad block device',
        { blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: 70000 }] },
        'blockDevices[0].volumeSizeGiB (70000) must be an integer from 1 to 65536',
      ],
      [
        'unencrypted volume',
        { blockDevices: [{ deviceName: '/dev/xvda' }, { deviceName: 'xvdb', encrypted: false }] },
        'blockDevices[1].encrypted (false) is refused: AMI volumes are always encrypted',
      ],
      [
        'relative working directory on Windows',
        { platform: 'Windows', workingDirectory: '/build' },
        'workingDirectory ("/build") must be an absolute path on Windows, such as C:\\build',
      ],
    ])('%s', (_what, overrides, message) => {
      const stack = newStack('s');
      expect(() => recipe(stack, overrides)).toThrow(`ImageRecipe s/Recipe: ${message}`);
      expect(() => recipe(newStack('s'), overrides)).toThrow(ValidationError);
    });
  });
});
