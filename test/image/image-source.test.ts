import { Testing, TerraformStack, TerraformVariable } from 'cdktf';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Construct } from 'constructs';
import { AmiPipeline, IAmiPipeline, ImageComponent, ImageSource, ParentImage } from '../../lib';
import { ValidationError } from '../../lib/private/validation';
import { HELLO } from './fixtures';
import { dataSources, newStack, synthJson } from '../support/synth';

// DockerImageSource (cdktf-immutable/docker) is tested in test/docker/docker-image-source.test.ts.
describe('ImageSource', () => {
  test('fromAmiId passes a pinned id through', () => {
    const stack = newStack('s');
    expect(ImageSource.fromAmiId('ami-0123456789abcdef0').bind(stack)).toEqual({
      imageId: 'ami-0123456789abcdef0',
      replaceTriggeredBy: [],
      description: 'ami-0123456789abcdef0',
    });
    expect(ImageSource.fromAmiId('ami-01234567').bind(stack).imageId).toBe('ami-01234567');
  });

  test.each(['ami-123', 'AMI-0123456789abcdef0', 'ami-0123456789ABCDEF0', 'i-0123456789abcdef0', ''])(
    'fromAmiId rejects "%s" naming the value and the form',
    (bad) => {
      expect(() => ImageSource.fromAmiId(bad)).toThrow(
        `ImageSource.fromAmiId: amiId ("${bad}") must be an AMI id: "ami-" followed by 8 or 17 lowercase hex digits`,
      );
    },
  );

  test('fromAmiId accepts a token without validating it', () => {
    const stack = newStack('s');
    const variable = new TerraformVariable(stack, 'ami', { type: 'string' });
    expect(ImageSource.fromAmiId(variable.stringValue).bind(stack).description).toBe('ami (token)');
  });

  test('fromSsmParameter reads the parameter in the consumer scope', () => {
    const stack = newStack('s');
    const consumer = new Construct(stack, 'web');
    const config = ImageSource.fromSsmParameter('/images/web/ami-id').bind(consumer);
    expect(config.description).toBe('ssm:/images/web/ami-id');
    expect(Object.values(dataSources(synthJson(stack), 'aws_ssm_parameter'))).toEqual([
      expect.objectContaining({ name: '/images/web/ami-id' }),
    ]);
  });

  test('fromSsmParameter accepts a token without validating it', () => {
    const stack = newStack('s');
    const name = new TerraformVariable(stack, 'name', { type: 'string' }).stringValue;
    expect(() => ImageSource.fromSsmParameter(name)).not.toThrow();
  });

  test.each(['/images//web', 'images web', '/images/web/'])('fromSsmParameter rejects "%s"', (bad) => {
    expect(() => ImageSource.fromSsmParameter(bad)).toThrow(
      `ImageSource.fromSsmParameter: parameterName ("${bad}") must be an SSM parameter name, a path such as /images/web/ami-id`,
    );
  });
});

describe('ImageSource.fromPipeline', () => {
  function pipelineStack() {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'images');
    const pipeline = new AmiPipeline(stack, 'Web', {
      name: 'web',
      parentImage: ParentImage.fromAmiId('ami-0123456789abcdef0'),
      components: [ImageComponent.fromInline('nginx', HELLO)],
    });
    return { app, stack, pipeline };
  }

  test('gives the AMI id and replace_triggered_by on the image to a consumer in the same stack', () => {
    const { stack, pipeline } = pipelineStack();
    const config = ImageSource.fromPipeline(pipeline).bind(new Construct(stack, 'consumer'));
    expect(config.imageId).toBe(pipeline.amiId);
    expect(config.description).toBe('pipeline:web');
    new LaunchTemplate(stack, 'lt', {
      namePrefix: 'web-',
      imageId: config.imageId,
      lifecycle: { replaceTriggeredBy: [...config.replaceTriggeredBy] },
    });
    const synth = Testing.synth(stack);
    expect(synth).toHaveResourceWithProperties(LaunchTemplate, {
      image_id: expect.stringContaining('aws_imagebuilder_image.Web_3C8945DB.output_resources[0].amis'),
      lifecycle: { create_before_destroy: true, replace_triggered_by: ['aws_imagebuilder_image.Web_3C8945DB.id'] },
    });
  });

  test('takes an AMI pipeline only: TypeScript refuses another construct, and so does the factory at run time', () => {
    const stack = newStack('s');
    const notAPipeline = new Construct(stack, 'NotAPipeline');
    // @ts-expect-error a construct that is not an IAmiPipeline
    expect(() => ImageSource.fromPipeline(notAPipeline)).toThrow(
      'ImageSource.fromPipeline: pipeline (s/NotAPipeline) must be an AMI pipeline: an AmiPipeline, or ' +
        'AmiPipeline.fromAmiPipelineAttributes(scope, id, { name }) for one defined elsewhere.',
    );
    expect(() => ImageSource.fromPipeline(notAPipeline as unknown as IAmiPipeline)).toThrow(ValidationError);
  });

  test('takes any IAmiPipeline: what its bindImage returns is what the consumer gets', () => {
    const stack = newStack('s');
    class Custom extends Construct implements IAmiPipeline {
      public readonly name = 'custom';
      public readonly amiId = 'ami-0123456789abcdef0';
      public readonly amiParameterName = '/images/custom/ami-id';
      public bindImage() {
        return { imageId: this.amiId, replaceTriggeredBy: [], description: 'custom', rootDeviceName: '/dev/sda1' };
      }
    }
    const config = ImageSource.fromPipeline(new Custom(stack, 'Custom')).bind(stack);
    expect(config).toEqual({
      imageId: 'ami-0123456789abcdef0',
      replaceTriggeredBy: [],
      description: 'custom',
      rootDeviceName: '/dev/sda1',
    });
  });

  test('gives no replace_triggered_by to a consumer in another stack (it cannot cross states)', () => {
    const { app, pipeline } = pipelineStack();
    const other = new TerraformStack(app, 'web-prod');
    expect(ImageSource.fromPipeline(pipeline).bind(other).replaceTriggeredBy).toEqual([]);
  });
});

describe('AmiPipeline.fromAmiPipelineAttributes', () => {
  test('imports a pipeline defined elsewhere: its AMI id from the parameter it publishes, its image layout', () => {
    // GIVEN an environment stack of another app that only knows the pipeline's name and volumes
    const stack = newStack('web-prod');
    const pipeline = AmiPipeline.fromAmiPipelineAttributes(stack, 'Images', {
      name: 'web',
      blockDevices: [{ deviceName: '/dev/sda1', volumeSizeGiB: 30 }],
    });
    // WHEN a consumer binds it
    const config = ImageSource.fromPipeline(pipeline).bind(new Construct(stack, 'consumer'));
    // THEN
    expect(pipeline.amiParameterName).toBe('/images/web/ami-id');
    expect(config).toEqual({
      imageId: pipeline.amiId,
      replaceTriggeredBy: [],
      description: 'pipeline:web',
      rootDeviceName: '/dev/sda1',
      volumes: [{ deviceName: '/dev/sda1', volumeSizeGiB: 30 }],
    });
    expect(Object.values(dataSources(synthJson(stack), 'aws_ssm_parameter'))).toEqual([{ name: '/images/web/ami-id' }]);
    expect(pipeline.amiId).toMatch(/^\$\{TfToken/);
  });

  test('defaults: a Linux root volume of unknown size; a parameter name of its own', () => {
    const stack = newStack('web-prod');
    const pipeline = AmiPipeline.fromAmiPipelineAttributes(stack, 'Images', {
      name: 'web',
      amiParameterName: '/base/web',
    });
    expect(pipeline.amiParameterName).toBe('/base/web');
    expect(pipeline.bindImage(stack)).toMatchObject({
      rootDeviceName: '/dev/xvda',
      volumes: [{ deviceName: '/dev/xvda' }],
    });
    expect(
      AmiPipeline.fromAmiPipelineAttributes(stack, 'Windows', { name: 'win', platform: 'Windows' }).bindImage(stack)
        .rootDeviceName,
    ).toBe('/dev/sda1');
  });

  test('validates the attributes with the construct path', () => {
    const stack = newStack('web-prod');
    expect(() => AmiPipeline.fromAmiPipelineAttributes(stack, 'A', { name: 'web server' })).toThrow(
      /^Import web-prod\/A: name \("web server"\) must be 3 to 64 letters/,
    );
    expect(() =>
      AmiPipeline.fromAmiPipelineAttributes(stack, 'B', { name: 'web', blockDevices: [{ deviceName: 'sd a' }] }),
    ).toThrow(/web-prod\/B: blockDevices\[0\]\.deviceName \("sd a"\) must be a device name/);
    expect(() =>
      AmiPipeline.fromAmiPipelineAttributes(stack, 'C', { name: 'web', platform: 'Mac' as 'Linux' }),
    ).toThrow(/web-prod\/C: platform \("Mac"\) must be one of Linux, Windows/);
  });
});
