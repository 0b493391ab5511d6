import { LocalBackend, S3Backend, TerraformBackend, TerraformStack, Token } from 'cdktf';
import { BUCKET_NAME, REGION } from '../private/aws-ids';
import { show, Validator } from '../private/validation';

/** Options of {@link StateBackend.s3}. */
export interface S3StateBackendOptions {
  /** The existing S3 bucket that holds the state (versioning on, public access blocked). */
  readonly bucket: string;
  /** The bucket's region, such as `eu-west-1`. */
  readonly region: string;
  /**
   * Folder of the state objects in the bucket: a stack's state is `<keyPrefix>/<stack>.tfstate`.
   * @default - none: `<stack>.tfstate` at the top of the bucket
   */
  readonly keyPrefix?: string;
  /**
   * A customer managed KMS key (ARN, alias ARN or key id) for the state object.
   * @default - the bucket's default encryption (SSE-S3), with `encrypt = true`
   */
  readonly kmsKeyId?: string;
}

/** A key prefix: `/`-separated segments of letters, digits and `!-_.*'()`, no leading or trailing `/`. */
const KEY_PREFIX = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/;

/**
 * Where a stack keeps its Terraform state, one choice per repository or environment:
 *
 * - `StateBackend.local()` (the default of a scaffolded repository): `terraform.<stack>.tfstate`
 *   in the stack's folder (`cdktf.out/stacks/<stack>`), a path relative to it so the
 *   synthesized JSON is the same on every machine. `cdktf synth` and `cdktf diff` need no
 *   credentials.
 * - `StateBackend.s3({ bucket, region, keyPrefix })`: the key `<keyPrefix>/<stack>.tfstate`
 *   derived from the stack name, `encrypt = true`, and native S3 state locking
 *   (`use_lockfile`, Terraform >= 1.10 or OpenTofu >= 1.10; no DynamoDB table).
 *
 * `backend.applyTo(stack)` adds it to a stack; the stack name is its construct id (what
 * `cdktf deploy <stack>` takes).
 */
export class StateBackend {
  /** State in a local file next to the stack's synthesized JSON. */
  public static local(): StateBackend {
    return new StateBackend((stack) => new LocalBackend(stack, { path: `terraform.${stack.node.id}.tfstate` }));
  }

  /**
   * State in S3, encrypted, with native locking; the key is derived from the stack name.
   * The options are checked when the backend is added to a stack, so that an error
   * names the stack (`TerraformStack service-prod: StateBackend.s3: bucket ...`).
   */
  public static s3(options: S3StateBackendOptions): StateBackend {
    return new StateBackend((stack) => {
      checkS3Options(new Validator(stack), 'StateBackend.s3: ', options);
      const name = stack.node.id;
      const backend = new S3Backend(stack, {
        bucket: options.bucket,
        key: options.keyPrefix ? `${options.keyPrefix}/${name}.tfstate` : `${name}.tfstate`,
        region: options.region,
        encrypt: true,
        kmsKeyId: options.kmsKeyId,
      });
      // cdktf 0.21's S3Backend has no useLockfile: native S3 locking is set through an
      // override (relative to the backend block, so it renders as
      // terraform.backend.s3.use_lockfile); no DynamoDB table is needed.
      backend.addOverride('use_lockfile', true);
      return backend;
    });
  }

  private constructor(private readonly create: (stack: TerraformStack) => TerraformBackend) {}

  /** Adds this backend to `stack` (a stack has one backend) and returns it. */
  public applyTo(stack: TerraformStack): TerraformBackend {
    return this.create(stack);
  }
}

/** Checks the options of {@link StateBackend.s3}; `at` starts each message. */
function checkS3Options(check: Validator, at: string, options: S3StateBackendOptions): void {
  check.pattern(
    `${at}bucket`,
    options.bucket,
    BUCKET_NAME,
    'an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, ' +
      'starting and ending with a letter or digit',
  );
  check.pattern(`${at}region`, options.region, REGION, 'an AWS region such as eu-west-1');
  check.pattern(
    `${at}keyPrefix`,
    options.keyPrefix,
    KEY_PREFIX,
    'a folder such as "terraform/web": segments separated by "/", without a leading or trailing "/"',
  );
  if (options.kmsKeyId !== undefined && !Token.isUnresolved(options.kmsKeyId) && options.kmsKeyId.trim() === '') {
    check.fail(
      `${at}kmsKeyId (${show(options.kmsKeyId)}) must be a KMS key ARN, alias ARN or key id; ` +
        "leave it out to use the bucket's default encryption.",
    );
  }
}
