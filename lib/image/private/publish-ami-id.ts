import { TerraformOutput } from 'cdktf';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { Construct } from 'constructs';
import { suppressCheckov } from '../../private/checkov';

/** An AMI pipeline's AMI id as an SSM parameter (`AmiParameter`) and a Terraform output (`AmiId`). */
export function publishAmiId(scope: Construct, name: string, parameterName: string, amiId: string, tags: { readonly [key: string]: string } | undefined): void {
  const parameter = new SsmParameter(scope, 'AmiParameter', {
    name: parameterName,
    description: `AMI id built by the ${name} image pipeline`,
    type: 'String',
    dataType: 'aws:ec2:image',
    value: amiId,
    tags,
  });
  suppressCheckov(parameter, 'CKV2_AWS_34', 'an AMI id is public metadata, not a secret, and SSM validates the aws:ec2:image data type only for String parameters (SecureString cannot carry it)');
  new TerraformOutput(scope, 'AmiId', { value: amiId, description: `AMI id built by the ${name} image pipeline` });
}
