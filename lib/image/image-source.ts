import { TerraformStack, Token } from 'cdktf';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { Construct } from 'constructs';
import { bareReference } from '../immutability/reference';
import { imageProducer } from '../private/image-producers';
import type { AmiPipeline } from './ami-pipeline';
import type { DockerImagePipeline } from './docker-image-pipeline';

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

  /**
   * The AMI that an {@link AmiPipeline} builds during apply: its id (a token, known
   * after the image is built). A consumer in the same stack also gets
   * replace_triggered_by on the image resource, so it is replaced whenever a new image
   * replaces the old one. In another stack the id arrives through cdktf's cross-stack
   * outputs and is part of the consumer's generation instead (replace_triggered_by
   * cannot cross states).
   */
  public static fromPipeline(pipeline: AmiPipeline): IImageSource {
    return {
      bind: (scope: Construct) => ({
        imageId: pipeline.amiId,
        replaceTriggeredBy: producerTriggers(pipeline, scope),
        description: `pipeline:${pipeline.name}`,
      }),
    };
  }

  private constructor() {}
}

/** What a container consumer needs to know about its Docker image. */
export interface DockerImageSourceConfig {
  /** The immutable reference `repo@sha256:<digest>`, a literal or a token. */
  readonly imageReference: string;
  /**
   * Bare Terraform references (see `bareReference`) to managed resources whose change
   * must replace the consumer through replace_triggered_by. Empty for literal references.
   */
  readonly replaceTriggeredBy: readonly string[];
  /** Human-readable origin for outputs and errors. */
  readonly description: string;
}

/** A Docker image that container consumers can run. */
export interface IDockerImageSource {
  /** Called once per consumer. */
  bind(scope: Construct): DockerImageSourceConfig;
}

const DIGEST_REFERENCE = /^[^\s@]+@sha256:[0-9a-f]{64}$/;

/** The single way container consumers receive Docker images: by digest, never by a mutable tag. */
export class DockerImageSource {
  /**
   * A pinned reference `repo@sha256:<64 hex digits>` (a tag before the `@` is allowed
   * and ignored by Docker), or a token.
   */
  public static fromReference(reference: string): IDockerImageSource {
    if (!Token.isUnresolved(reference) && !DIGEST_REFERENCE.test(reference)) {
      throw new Error(`DockerImageSource.fromReference: reference ("${reference}") is not pinned by digest; expected repo@sha256: followed by 64 lowercase hex digits (a tag can change, a digest cannot).`);
    }
    return {
      bind: () => ({
        imageReference: reference,
        replaceTriggeredBy: [],
        description: Token.isUnresolved(reference) ? 'docker image (token)' : reference,
      }),
    };
  }

  /**
   * The image a {@link DockerImagePipeline} builds (and pushes): its `repo@sha256:`
   * reference, with replace_triggered_by on the pushed (or built) image for consumers
   * in the same stack.
   */
  public static fromPipeline(pipeline: DockerImagePipeline): IDockerImageSource {
    return {
      bind: (scope: Construct) => ({
        imageReference: pipeline.imageReference,
        replaceTriggeredBy: producerTriggers(pipeline, scope),
        description: `docker-pipeline:${pipeline.repository}`,
      }),
    };
  }

  private constructor() {}
}

function producerTriggers(pipeline: Construct, scope: Construct): string[] {
  const resource = imageProducer(pipeline);
  if (!resource) {
    throw new Error(`${pipeline.node.path} is not an image pipeline of this library; pass an AmiPipeline or DockerImagePipeline.`);
  }
  return TerraformStack.of(scope) === TerraformStack.of(resource) ? [bareReference(resource, 'id', scope)] : [];
}
