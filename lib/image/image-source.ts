import { Token } from 'cdktf';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { Construct } from 'constructs';

/** What a launch template needs to know about its image. */
export interface ImageSourceConfig {
  /** The AMI id: a literal `ami-...` or a token (reference, SSM parameter value). */
  readonly imageId: string;
  /**
   * Bare Terraform references (see `bareReference`) to managed resources whose change
   * must replace the consumer through replace_triggered_by. Empty for literal ids and
   * data sources (a data source cannot be a trigger; its value is part of the
   * generation instead).
   */
  readonly replaceTriggeredBy: readonly string[];
  /** Human-readable origin for outputs and errors, e.g. `ami-0123...` or `ssm:/images/web`. */
  readonly description: string;
}

/** An image that launch templates and fleets can run. */
export interface IImageSource {
  /** Called once per consumer; may add data sources to `scope`. */
  bind(scope: Construct): ImageSourceConfig;
}

const AMI_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;
const SSM_NAME = /^(\/[A-Za-z0-9_.-]+)+$|^[A-Za-z0-9_.-]+$/;

/** The single way launch templates and fleets receive images. */
export class ImageSource {
  /** A pinned AMI id (`ami-` and 8 or 17 hex digits), or a token. */
  public static fromAmiId(amiId: string): IImageSource {
    if (!Token.isUnresolved(amiId) && !AMI_ID.test(amiId)) {
      throw new Error(`ImageSource.fromAmiId: amiId ("${amiId}") is not an AMI id; expected "ami-" followed by 8 or 17 lowercase hex digits, e.g. ami-0123456789abcdef0.`);
    }
    return { bind: () => ({ imageId: amiId, replaceTriggeredBy: [], description: Token.isUnresolved(amiId) ? 'ami (token)' : amiId }) };
  }

  /**
   * The AMI id held by an SSM parameter (for example one published by an image
   * pipeline, or `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64`).
   * The value is read at plan time and is part of the generation: a new value is a new
   * generation.
   */
  public static fromSsmParameter(parameterName: string): IImageSource {
    if (!Token.isUnresolved(parameterName) && (!SSM_NAME.test(parameterName) || parameterName.length > 2048)) {
      throw new Error(`ImageSource.fromSsmParameter: parameterName ("${parameterName}") is not an SSM parameter name; use a path such as /images/web/ami-id (letters, digits, "_", ".", "-" between "/").`);
    }
    return {
      bind: (scope: Construct) => {
        const parameter = new DataAwsSsmParameter(scope, 'ImageParameter', { name: parameterName });
        return { imageId: parameter.insecureValue, replaceTriggeredBy: [], description: `ssm:${parameterName}` };
      },
    };
  }

  private constructor() {}
}
