import { Fn, Token } from 'cdktf';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { Construct } from 'constructs';
import { AMI_ID } from '../private/aws-ids';
import { Validator } from '../private/validation';
import { validateSsmParameterName } from './private/ssm-parameter-name';

/** What a recipe needs to know about its parent image. */
export interface ParentImageConfig {
  /** The `parent_image` argument: an AMI id or an Image Builder image ARN (literal or token). */
  readonly parentImage: string;
  /** Human-readable origin, e.g. `ami-0123...`, `ssm:/aws/service/...` or `managed:amazon-linux-2023-x86/x.x.x`. */
  readonly description: string;
}

/** Options of {@link ParentImage.fromManagedImage}. */
export interface ManagedParentImageOptions {
  /**
   * Semantic version of the managed image, with `x` wildcards. A wildcard follows new
   * releases: scheduled rebuilds that wait for updated dependencies start when AWS
   * publishes a new version.
   * @default 'x.x.x'
   */
  readonly version?: string;
}

const MANAGED_NAME = /^[a-z0-9][a-z0-9-]{0,126}$/;
const WILDCARD_VERSION = /^(\d+|x)\.(\d+|x)\.(\d+|x)$/;

/** The image an AMI recipe starts from. */
export class ParentImage {
  /** A pinned AMI id (`ami-` and 8 or 17 hex digits), or a token. */
  public static fromAmiId(amiId: string): ParentImage {
    new Validator('ParentImage.fromAmiId').pattern(
      'amiId',
      amiId,
      AMI_ID,
      'an AMI id: "ami-" followed by 8 or 17 lowercase hex digits, such as ami-0123456789abcdef0',
    );
    return new ParentImage(() => ({
      parentImage: amiId,
      description: Token.isUnresolved(amiId) ? 'ami (token)' : amiId,
    }));
  }

  /**
   * The AMI id held by an SSM parameter, such as
   * `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64`.
   *
   * The value is read by Terraform at plan time (a data source) and recorded in the
   * recipe, so the recipe says exactly which AMI it starts from, and a new value is a
   * new recipe version and a new image on the next apply. (Image Builder's own `ssm:`
   * parent reference would resolve at build time instead, behind an unchanged recipe.)
   */
  public static fromSsmParameter(parameterName: string): ParentImage {
    validateSsmParameterName(
      new Validator('ParentImage.fromSsmParameter'),
      parameterName,
      '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    );
    return new ParentImage((scope) => {
      const parameter = new DataAwsSsmParameter(scope, 'ParentImageParameter', { name: parameterName });
      return { parentImage: parameter.insecureValue, description: `ssm:${parameterName}` };
    });
  }

  /**
   * An image that Image Builder publishes (`aws` owner), e.g. `amazon-linux-2023-x86`
   * or `ubuntu-server-22-lts-x86`, in the region of the AWS provider. With a wildcard
   * version, a scheduled pipeline that waits for updated dependencies rebuilds when AWS
   * releases a patched version: the usual patch-rebuild setup.
   * @param imageName the managed image's name (lowercase letters, digits, `-`)
   */
  public static fromManagedImage(imageName: string, options: ManagedParentImageOptions = {}): ParentImage {
    const check = new Validator('ParentImage.fromManagedImage');
    check.pattern(
      'imageName',
      imageName,
      MANAGED_NAME,
      'the name of an Image Builder managed image such as "amazon-linux-2023-x86" (lowercase letters, digits, "-")',
    );
    const version = options.version ?? 'x.x.x';
    check.pattern(
      'version',
      version,
      WILDCARD_VERSION,
      'a semantic version with optional x wildcards, such as "x.x.x" or "2023.x.x"',
    );
    return new ParentImage((scope) => {
      const partition = new DataAwsPartition(scope, 'ParentImagePartition', {});
      const region = new DataAwsRegion(scope, 'ParentImageRegion', {});
      const arn = Fn.join('', [
        'arn:',
        partition.partition,
        ':imagebuilder:',
        region.region,
        `:aws:image/${imageName}/${version}`,
      ]);
      return { parentImage: arn, description: `managed:${imageName}/${version}` };
    });
  }

  private constructor(private readonly produce: (scope: Construct) => ParentImageConfig) {}

  /** Called once by the recipe that uses this parent; may add data sources to `scope`. */
  public bind(scope: Construct): ParentImageConfig {
    return this.produce(scope);
  }
}
