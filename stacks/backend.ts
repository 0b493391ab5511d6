import { LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import { BackendConfig } from './config';

/**
 * Configures the state backend of a stack. The local state path is relative to the
 * stack's working directory (cdktf.out/stacks/<stack>), so that the synthesized JSON
 * is the same on every machine.
 */
export function configureBackend(stack: TerraformStack, stackName: string, backend: BackendConfig): void {
  if (backend.kind === 'local') {
    new LocalBackend(stack, { path: `terraform.${stackName}.tfstate` });
    return;
  }
  const s3 = new S3Backend(stack, {
    bucket: backend.bucket,
    key: backend.key ?? `${stackName}/terraform.tfstate`,
    region: backend.region,
    encrypt: true,
    kmsKeyId: backend.kmsKeyId,
  });
  // cdktf 0.21's S3Backend has no useLockfile: native S3 locking (Terraform >= 1.10,
  // OpenTofu >= 1.10) is set through an override (relative to the backend block, so it
  // renders as terraform.backend.s3.use_lockfile); no DynamoDB table is needed.
  s3.addOverride('use_lockfile', true);
}
