import { show, Validator } from '../private/validation';
import { TAG_KEY, TAG_KEY_RULE } from './private/patterns';
import { IMAGE_TAG_KEYS, ImageTag } from './image-tags';

/** Options of {@link ImageRetention.keepLast}. */
export interface ImageRetentionOptions {
  /**
   * Images (and AMIs) with this tag are never deleted, whatever their age or rank.
   * Release tooling tags the AMIs that environments run.
   * @default - key `cdktf-immutable:in-use`, value `true`
   */
  readonly inUseTag?: ImageTag;
}

/**
 * How many built images an AMI pipeline keeps: an Image Builder lifecycle policy that
 * deletes older images (their AMIs and snapshots) of the pipeline's current recipe
 * version, that is the scheduled patch rebuilds, never the image Terraform manages.
 */
export class ImageRetention {
  /**
   * Keeps at least the `count` newest images of the current recipe version and every
   * image or AMI tagged as in use; deletes the others with their AMIs and snapshots.
   * @param count 1 to 1000; the default covers both deployment slots plus one
   */
  public static keepLast(count = 3, options: ImageRetentionOptions = {}): ImageRetention {
    const check = new Validator('ImageRetention.keepLast');
    check.integer('count', count, 1, 1000, 'use at least 3 to keep the images of both slots plus the newest build');
    const inUseTag = options.inUseTag ?? { key: IMAGE_TAG_KEYS.inUse, value: 'true' };
    check.pattern('inUseTag.key', inUseTag.key, TAG_KEY, TAG_KEY_RULE);
    if (typeof inUseTag.value === 'string' && inUseTag.value.length > 256) {
      check.fail(`inUseTag.value (${show(inUseTag.value)}) has ${inUseTag.value.length} characters; a tag value has at most 256.`);
    }
    return new ImageRetention(count, inUseTag);
  }

  /** Keeps every image: no lifecycle policy (AMIs accumulate until you delete them). */
  public static keepAll(): ImageRetention {
    return new ImageRetention(undefined, undefined);
  }

  private constructor(
    /** Images kept, or undefined to keep all. */
    public readonly count: number | undefined,
    /** The tag that protects images in use, or undefined to keep all. */
    public readonly inUseTag: ImageTag | undefined,
  ) {}
}
