import { TerraformStack, Token } from 'cdktf';
import { StateBackend } from '../../lib';
import { ValidationError } from '../../lib/private/validation';
import { newApp, newStack, synthJson } from '../support/synth';

function backendOf(stackName: string, backend: StateBackend): Record<string, Record<string, unknown>> {
  const stack = newStack(stackName);
  backend.applyTo(stack);
  return synthJson(stack).terraform.backend;
}

describe('StateBackend', () => {
  test('local: a file named after the stack, relative to the stack folder', () => {
    expect(backendOf('service-dev', StateBackend.local())).toEqual({
      local: { path: 'terraform.service-dev.tfstate' },
    });
  });

  test('s3 defaults: key from the stack name, encrypted, native locking', () => {
    expect(backendOf('service-prod', StateBackend.s3({ bucket: 'acme-terraform-state', region: 'eu-west-1' }))).toEqual(
      {
        s3: {
          bucket: 'acme-terraform-state',
          key: 'service-prod.tfstate',
          region: 'eu-west-1',
          encrypt: true,
          use_lockfile: true,
        },
      },
    );
  });

  test('s3 all properties: key prefix and KMS key', () => {
    const backend = StateBackend.s3({
      bucket: 'acme-terraform-state',
      region: 'eu-central-1',
      keyPrefix: 'web/prod',
      kmsKeyId: 'arn:aws:kms:eu-central-1:111111111111:key/x',
    });
    expect(backendOf('service-prod', backend).s3).toEqual({
      bucket: 'acme-terraform-state',
      key: 'web/prod/service-prod.tfstate',
      region: 'eu-central-1',
      encrypt: true,
      kms_key_id: 'arn:aws:kms:eu-central-1:111111111111:key/x',
      use_lockfile: true,
    });
  });

  test('one backend serves every stack, each with its own key', () => {
    const backend = StateBackend.s3({ bucket: 'acme-terraform-state', region: 'eu-west-1', keyPrefix: 'web' });
    expect(backendOf('service-dev', backend).s3.key).toBe('web/service-dev.tfstate');
    expect(backendOf('images', backend).s3.key).toBe('web/images.tfstate');
  });

  test.each([
    [{ bucket: 'Acme_State', region: 'eu-west-1' }, 'StateBackend.s3: bucket ("Acme_State") must be an S3 bucket name'],
    [
      { bucket: 'acme-state', region: 'europe' },
      'StateBackend.s3: region ("europe") must be an AWS region such as eu-west-1.',
    ],
    [
      { bucket: 'acme-state', region: 'eu-west-1', keyPrefix: '/web/' },
      'StateBackend.s3: keyPrefix ("/web/") must be a folder such as "terraform/web"',
    ],
    [
      { bucket: 'acme-state', region: 'eu-west-1', kmsKeyId: ' ' },
      'StateBackend.s3: kmsKeyId (" ") must be a KMS key ARN',
    ],
  ])('refuses %j where it is added to a stack, naming the stack', (options, message) => {
    // GIVEN the backend: the factory alone does not fail
    const backend = StateBackend.s3(options);
    // WHEN it is added to a stack
    const apply = () => backend.applyTo(newStack('service-prod'));
    expect(apply).toThrow(ValidationError);
    expect(apply).toThrow(message);
    expect(apply).toThrow(`TerraformStack service-prod: ${message}`);
  });

  test('in stacks built in a loop over environments, the error names the stack', () => {
    const app = newApp();
    const backend = StateBackend.s3({ bucket: 'acme-state', region: 'europe' });
    const build = () => ['dev', 'prod'].forEach((env) => backend.applyTo(new TerraformStack(app, `service-${env}`)));
    expect(build).toThrow(/^TerraformStack service-dev: StateBackend\.s3: region \("europe"\)/);
  });

  test('tokens are not validated', () => {
    const backend = StateBackend.s3({
      bucket: Token.asString({ Ref: 'bucket' }),
      region: Token.asString({ Ref: 'region' }),
    });
    expect(() => backend.applyTo(newStack('service-prod'))).not.toThrow();
  });
});
