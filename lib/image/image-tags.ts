import { IN_USE_TAG_KEY } from '../private/image-names';

/**
 * Tag keys that the image pipelines put on what they build, and that the fleets put on
 * the AMIs they run (the in-use marks). Keys follow Image Builder's rules (no `aws:` prefix).
 */
export const IMAGE_TAG_KEYS = {
  /** The recipe generation (content hash) of an AMI; set through the recipe's AMI tags. */
  generation: 'cdktf-immutable:generation',
  /** The pipeline that built an AMI or image. */
  pipeline: 'cdktf-immutable:pipeline',
  /** The source commit of the configuration that distributed an AMI, when given. */
  sourceCommit: 'cdktf-immutable:source-commit',
  /** The recipe version (`1.0.<n>`) an AMI was built from; set by the distribution. */
  recipeVersion: 'cdktf-immutable:recipe-version',
  /** When the AMI was built (Image Builder's `{{ imagebuilder:buildDate }}`); set by the distribution. */
  builtAt: 'cdktf-immutable:built-at',
  /**
   * Marks an AMI (or Image Builder image) in use: never deleted by retention. Fleet slots
   * mark the AMI they run with a key below it, `cdktf-immutable:in-use:<fleet>[:<slot>]`.
   */
  inUse: IN_USE_TAG_KEY,
} as const;

/** A tag key and value. */
export interface ImageTag {
  /** Tag key. */
  readonly key: string;
  /** Tag value. */
  readonly value: string;
}
