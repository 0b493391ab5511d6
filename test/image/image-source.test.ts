import { Testing, TerraformStack, TerraformVariable } from 'cdktf';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Construct } from 'constructs';
import { AmiPipeline, ImageComponent, ImageSource, ParentImage } from '../../lib';
import { ValidationError } from '../../lib/private/validation';
import { HELLO } from './fixtures';

// DockerImageSource (cdktf-immutable/docker) is tested in test/docker/docker-image-source.test.ts.
describe('ImageSource', () => {
  test('fromAmiId passes a pinned id through', () => {
    const stack = new TerraformStack(Testing.app(), 's');
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
    const stack = new TerraformStack(Testing.app(), 's');
    const variable = new TerraformVariable(stack, 'ami', { type: 'string' });
    expect(ImageSource.fromAmiId(variable.stringValue).bind(stack).description).toBe('ami (token)');
  });

  test('fromSsmParameter reads the parameter in the consumer scope', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    const consumer = new Construct(stack, 'web');
    const config = ImageSource.fromSsmParameter('/images/web/ami-id').bind(consumer);
    expect(config.description).toBe('ssm:/images/web/ami-id');
    const synth = JSON.parse(Testing.synth(stack)) as { data: { aws_ssm_parameter: Record<string, { name: string }> } };
    expect(Object.values(synth.data.aws_ssm_parameter)).toEqual([
      expect.objectContaining({ name: '/images/web/ami-id' }),
    ]);
  });

  test('fromSsmParameter accepts a token without validating it', () => {
    const stack = new TerraformStack(Testing.app(), 's');
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

  test('rejects a construct that is not an image pipeline', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    const notAPipeline = new Construct(stack, 'NotAPipeline') as unknown as AmiPipeline;
    expect(() => ImageSource.fromPipeline(notAPipeline).bind(stack)).toThrow(
      'ImageSource.fromPipeline: pipeline (s/NotAPipeline) is not an image pipeline of this library; pass an AmiPipeline or a DockerImagePipeline.',
    );
    expect(() => ImageSource.fromPipeline(notAPipeline).bind(stack)).toThrow(ValidationError);
  });

  test('gives no replace_triggered_by to a consumer in another stack (it cannot cross states)', () => {
    const { app, pipeline } = pipelineStack();
    const other = new TerraformStack(app, 'web-prod');
    expect(ImageSource.fromPipeline(pipeline).bind(other).replaceTriggeredBy).toEqual([]);
  });
});
