import { TerraformOutput } from 'cdktf';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { Construct } from 'constructs';
import { suppressCheckov } from '../../private/checkov';

/**
 * An AMI pipeline's AMI id as an SSM parameter (`AmiParameter`, in the provider's region)
 * and a Terraform output (`AmiId`: the image Terraform built).
 *
 * The parameter's value belongs to Image Builder: the distribution writes the AMI id of
 * every build to it, Terraform's and the scheduled ones. Terraform creates it with the
 * AMI of the image it built (`overwrite`, since that build's distribution may have
 * written it already) and ignores its value afterwards, so an apply never puts an older
 * AMI back over a newer scheduled build.
 */
export function publishAmiId(
  scope: Construct,
  name: string,
  parameterName: string,
  amiId: string,
  tags: { readonly [key: string]: string } | undefined,
): void {
  const parameter = new SsmParameter(scope, 'AmiParameter', {
    name: parameterName,
    description: `AMI id of the newest build of the ${name} image pipeline`,
    type: 'String',
    dataType: 'aws:ec2:image',
    value: amiId,
    overwrite: true,
    tags,
    lifecycle: { ignoreChanges: ['value'] },
  });
  suppressCheckov(
    parameter,
    'CKV2_AWS_34',
    'an AMI id is public metadata, not a secret, and SSM validates the aws:ec2:image data type only for String ' +
      'parameters (SecureString cannot carry it)',
  );
  new TerraformOutput(scope, 'AmiId', { value: amiId, description: `AMI id built by the ${name} image pipeline` });
}
