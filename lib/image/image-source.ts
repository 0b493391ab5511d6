import { Token } from 'cdktf';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { Construct, IConstruct } from 'constructs';
import { AMI_ID } from '../private/aws-ids';
import { Validator } from '../private/validation';
import { BlockDevice } from './block-device';
import { validateSsmParameterName } from './private/ssm-parameter-name';

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
  /**
   * The image's root device name, when the source knows it (an `AmiPipeline`:
   * `/dev/sda1` on Windows, else its root volume's name). Launch templates put their
   * default root volume there.
   * @default - unknown: launch templates use `/dev/xvda` (Amazon Linux)
   */
  readonly rootDeviceName?: string;
  /**
   * The image's volumes as far as the source knows them at synth (an `AmiPipeline`'s
   * `blockDevices`). A launch template gives a volume of the same device name without
   * a size the image's size, and refuses a size smaller than the image's.
   * @default - unknown: EC2 takes each snapshot's size for a volume without one
   */
  readonly volumes?: readonly BlockDevice[];
}

/** An image that launch templates and fleets can run. */
export interface IImageSource {
  /** Called once per consumer; may add data sources to `scope`. */
  bind(scope: Construct): ImageSourceConfig;
}

/**
 * An AMI pipeline whose images launch templates and fleets can run, through
 * `ImageSource.fromPipeline(pipeline)`: an `AmiPipeline`, or one defined elsewhere
 * and imported with `AmiPipeline.fromAmiPipelineAttributes`.
 */
export interface IAmiPipeline extends IConstruct {
  /** The pipeline name. */
  readonly name: string;
  /** AMI id of the pipeline's image (a token). */
  readonly amiId: string;
  /** Name of the SSM parameter holding the AMI id of the newest build. */
  readonly amiParameterName: string;
  /**
   * What a consumer in `scope` learns about the image (`ImageSource.fromPipeline` calls
   * it once per consumer): the AMI id, the replace_triggered_by references that replace
   * the consumer with each new image (only in the stack of the pipeline: a trigger cannot
   * cross states), and the image's root device name and volumes.
   */
  bindImage(scope: Construct): ImageSourceConfig;
}

/** The single way launch templates and fleets receive images. */
export class ImageSource {
  /** A pinned AMI id (`ami-` and 8 or 17 hex digits), or a token. */
  public static fromAmiId(amiId: string): IImageSource {
    new Validator('ImageSource.fromAmiId').pattern(
      'amiId',
      amiId,
      AMI_ID,
      'an AMI id: "ami-" followed by 8 or 17 lowercase hex digits, such as ami-0123456789abcdef0',
    );
    return {
      bind: () => ({
        imageId: amiId,
        replaceTriggeredBy: [],
        description: Token.isUnresolved(amiId) ? 'ami (token)' : amiId,
      }),
    };
  }

  /**
   * The AMI id held by an SSM parameter (for example one published by an image
   * pipeline, or `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64`).
   * The value is read at plan time and is part of the generation: a new value is a new
   * generation.
   */
  public static fromSsmParameter(parameterName: string): IImageSource {
    validateSsmParameterName(new Validator('ImageSource.fromSsmParameter'), parameterName, '/images/web/ami-id');
    return {
      bind: (scope: Construct) => {
        const parameter = new DataAwsSsmParameter(scope, 'ImageParameter', { name: parameterName });
        return { imageId: parameter.insecureValue, replaceTriggeredBy: [], description: `ssm:${parameterName}` };
      },
    };
  }

  /**
   * The AMI that an AMI pipeline builds: for an `AmiPipeline`, its id (a token, known
   * after the image is built during apply). A consumer in the same stack also gets
   * replace_triggered_by on the image resource, so it is replaced whenever a new image
   * replaces the old one. In another stack the id arrives through cdktf's cross-stack
   * outputs and is part of the consumer's generation instead (replace_triggered_by
   * cannot cross states). The pipeline's root device name and volume sizes go with it,
   * so that a launch template sizes its root volume like the image. An imported pipeline
   * (`AmiPipeline.fromAmiPipelineAttributes`) gives the AMI id its SSM parameter holds.
   */
  public static fromPipeline(pipeline: IAmiPipeline): IImageSource {
    if (!pipeline || typeof (pipeline as { bindImage?: unknown }).bindImage !== 'function') {
      new Validator('ImageSource.fromPipeline').fail(
        `pipeline (${String(pipeline)}) must be an AMI pipeline: an AmiPipeline, or ` +
          'AmiPipeline.fromAmiPipelineAttributes(scope, id, { name }) for one defined elsewhere.',
      );
    }
    return { bind: (scope: Construct) => pipeline.bindImage(scope) };
  }

  private constructor() {}
}
