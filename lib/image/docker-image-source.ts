import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { IMAGE_DIGEST_REFERENCE } from '../private/aws-ids';
import { Validator } from '../private/validation';
import { producerTriggers } from './private/image-producers';
import type { DockerImagePipeline } from './docker-image-pipeline';

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
   * The image a {@link DockerImagePipeline} builds (and pushes): its `repo@sha256:`
   * reference, with replace_triggered_by on the pushed (or built) image for consumers
   * in the same stack.
   */
  public static fromPipeline(pipeline: DockerImagePipeline): DockerImageSource {
    return new DockerImageSource((scope) => ({
      imageReference: pipeline.imageReference,
      replaceTriggeredBy: producerTriggers(pipeline, scope, 'DockerImageSource.fromPipeline'),
      description: `docker-pipeline:${pipeline.repository}`,
    }));
  }

  private constructor(private readonly produce: (scope: Construct) => DockerImageSourceConfig) {}

  /** Called once per consumer. */
  public bind(scope: Construct): DockerImageSourceConfig {
    return this.produce(scope);
  }
}
