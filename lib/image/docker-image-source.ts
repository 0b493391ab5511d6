import { Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { IMAGE_DIGEST_REFERENCE } from '../private/aws-ids';
import { Validator } from '../private/validation';

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

/**
 * A Docker image pipeline whose images container consumers can run, through
 * `DockerImageSource.fromPipeline(pipeline)`: a `DockerImagePipeline`.
 */
export interface IDockerImagePipeline extends IConstruct {
  /** The repository of the image. */
  readonly repository: string;
  /** The immutable reference `repo@sha256:<digest>` (a token, known after apply). */
  readonly imageReference: string;
  /**
   * What a consumer in `scope` learns about the image (`DockerImageSource.fromPipeline`
   * calls it once per consumer): the reference, and the replace_triggered_by references
   * that replace the consumer with each new image (only in the stack of the pipeline: a
   * trigger cannot cross states).
   */
  bindImage(scope: Construct): DockerImageSourceConfig;
}

/**
 * The single way container consumers receive Docker images: by digest, never by a
 * mutable tag. A choice class: build one with a static factory, then `bind` it once
 * per consumer.
 */
export class DockerImageSource {
  /**
   * A pinned reference `repo@sha256:<64 hex digits>` (a tag before the `@` is allowed
   * and ignored by Docker), or a token.
   */
  public static fromReference(reference: string): DockerImageSource {
    new Validator('DockerImageSource.fromReference').pattern(
      'reference',
      reference,
      IMAGE_DIGEST_REFERENCE,
      'pinned by digest: repo@sha256: followed by 64 lowercase hex digits (a tag can change, a digest cannot)',
    );
    return new DockerImageSource(() => ({
      imageReference: reference,
      replaceTriggeredBy: [],
      description: Token.isUnresolved(reference) ? 'docker image (token)' : reference,
    }));
  }

  /**
   * The image a `DockerImagePipeline` builds (and pushes): its `repo@sha256:`
   * reference, with replace_triggered_by on the pushed (or built) image for consumers
   * in the same stack.
   */
  public static fromPipeline(pipeline: IDockerImagePipeline): DockerImageSource {
    if (!pipeline || typeof (pipeline as { bindImage?: unknown }).bindImage !== 'function') {
      new Validator('DockerImageSource.fromPipeline').fail(
        `pipeline (${String(pipeline)}) must be a Docker image pipeline: a DockerImagePipeline.`,
      );
    }
    return new DockerImageSource((scope) => pipeline.bindImage(scope));
  }

  private constructor(private readonly produce: (scope: Construct) => DockerImageSourceConfig) {}

  /** Called once per consumer. */
  public bind(scope: Construct): DockerImageSourceConfig {
    return this.produce(scope);
  }
}
