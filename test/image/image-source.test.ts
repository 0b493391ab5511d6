import { Testing, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { ImageSource } from '../../lib';

describe('ImageSource', () => {
  test('fromAmiId passes a pinned id through', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    expect(ImageSource.fromAmiId('ami-0123456789abcdef0').bind(stack)).toEqual({
      imageId: 'ami-0123456789abcdef0', replaceTriggeredBy: [], description: 'ami-0123456789abcdef0',
    });
    expect(ImageSource.fromAmiId('ami-01234567').bind(stack).imageId).toBe('ami-01234567');
  });

  test.each(['ami-123', 'AMI-0123456789abcdef0', 'ami-0123456789ABCDEF0', 'i-0123456789abcdef0', ''])('fromAmiId rejects "%s" naming the value and the form', (bad) => {
    expect(() => ImageSource.fromAmiId(bad)).toThrow(new RegExp(`amiId \\("${bad}"\\) is not an AMI id; expected "ami-" followed by 8 or 17`));
  });

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
    expect(Object.values(synth.data.aws_ssm_parameter)).toEqual([expect.objectContaining({ name: '/images/web/ami-id' })]);
  });

  test.each(['/images//web', 'images web', '/images/web/'])('fromSsmParameter rejects "%s"', (bad) => {
    expect(() => ImageSource.fromSsmParameter(bad)).toThrow(/parameterName \(".*"\) is not an SSM parameter name/);
  });
});
