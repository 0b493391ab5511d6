import { FLEET_NAME, inUseTagKeys } from '../private/image-names';
import { show, Validator } from '../private/validation';
import { TAG_KEY, TAG_KEY_RULE } from './private/patterns';
import { IMAGE_TAG_KEYS, ImageTag } from './image-tags';

/** Options of {@link ImageRetention.keepLast}. */
export interface ImageRetentionOptions {
  /**
   * Images (and AMIs) with this tag are never deleted, whatever their age or rank. The
   * image Terraform builds carries it; put it on any AMI you want to keep by hand.
   * @default - key `cdktf-immutable:in-use`, value `true`
   */
  readonly inUseTag?: ImageTag;
  /**
   * Names of the fleets (`BlueGreenFleet` / `ReplaceFleet` `name`, one per environment)
   * whose in-use marks protect an AMI: every slot of these fleets tags the AMI it runs
   * with `cdktf-immutable:in-use:<fleet>:<slot>` = `true` (an `aws_ec2_tag` in the
   * environment's stack), and the lifecycle policy excludes every AMI that carries any of
   * these keys. A lifecycle policy matches tags by exact key and value, so it can only
   * honour the fleets listed here: list every fleet that runs this pipeline's AMIs.
   * At most 16 (Image Builder allows 50 exclusion tags; each fleet has 3 keys).
   * @default - none: only `inUseTag` and the `count` newest images are kept
   */
  readonly inUseByFleets?: readonly string[];
}

/** Fleets whose marks fit in a lifecycle policy's 50 exclusion tags (3 keys each, plus the in-use tag). */
const MAX_FLEETS = 16;

/**
 * How many built images an AMI pipeline keeps: an Image Builder lifecycle policy that
 * deletes older images (their AMIs and snapshots) of the pipeline's current recipe
 * version, that is the scheduled patch rebuilds, never the image Terraform manages.
 */
export class ImageRetention {
  /**
   * Keeps at least the `count` newest images of the current recipe version, every image
   * or AMI tagged with `inUseTag`, and every AMI that a slot of a fleet of
   * `inUseByFleets` marks as in use (the fleets tag the AMIs they run; nothing else
   * does); deletes the others with their AMIs and snapshots.
   * @param count 1 to 1000; the default keeps the three newest builds, so the newest
   *   scheduled rebuild is still there when it is staged; running and rollback AMIs are
   *   kept by their in-use marks, not by the count
   */
  public static keepLast(count = 3, options: ImageRetentionOptions = {}): ImageRetention {
    const check = new Validator('ImageRetention.keepLast');
    check.integer('count', count, 1, 1000, 'use at least 3 to keep the images of both slots plus the newest build');
    const inUseTag = options.inUseTag ?? { key: IMAGE_TAG_KEYS.inUse, value: 'true' };
    check.pattern('inUseTag.key', inUseTag.key, TAG_KEY, TAG_KEY_RULE);
    if (typeof inUseTag.value === 'string' && inUseTag.value.length > 256) {
      check.fail(
        `inUseTag.value (${show(inUseTag.value)}) has ${inUseTag.value.length} characters; a tag value has at most ` +
          `256.`,
      );
    }
    const fleets = options.inUseByFleets ?? [];
    fleets.forEach((fleet, i) =>
      check.pattern(
        `inUseByFleets[${i}]`,
        fleet,
        FLEET_NAME,
        "a fleet name (letters, digits and hyphens, at most 64), as given to the fleet's name prop",
      ),
    );
    if (fleets.length > MAX_FLEETS) {
      check.fail(
        `inUseByFleets lists ${fleets.length} fleets; a lifecycle policy takes at most 50 exclusion tags (3 per ` +
          `fleet and the in-use tag): list at most ${MAX_FLEETS}, or split the images across pipelines.`,
      );
    }
    const inUseMarks = [...new Set(fleets)]
      .flatMap((fleet) => inUseTagKeys(fleet))
      .map((key) => ({ key, value: 'true' }));
    return new ImageRetention(count, inUseTag, inUseMarks);
  }

  /** Keeps every image: no lifecycle policy (AMIs accumulate until you delete them). */
  public static keepAll(): ImageRetention {
    return new ImageRetention(undefined, undefined, []);
  }

  private constructor(
    /** Images kept, or undefined to keep all. */
    public readonly count: number | undefined,
    /** The tag that protects images in use, or undefined to keep all. */
    public readonly inUseTag: ImageTag | undefined,
    /** The in-use marks of the fleets of `inUseByFleets`: every key a slot of theirs may put on an AMI. */
    public readonly inUseMarks: readonly ImageTag[],
  ) {}
}
