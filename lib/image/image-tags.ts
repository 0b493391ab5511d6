/**
 * Tag keys that the image pipelines put on what they build, and that release tooling
 * reads or writes. Keys follow Image Builder's rules (no `aws:` prefix).
 */
export const IMAGE_TAG_KEYS = {
  /** The recipe generation (content hash) of an AMI; set through the recipe's AMI tags. */
  generation: 'cdktf-immutable:generation',
  /** The pipeline that built an AMI or image. */
  pipeline: 'cdktf-immutable:pipeline',
  /** The source commit of the configuration that distributed an AMI, when given. */
  sourceCommit: 'cdktf-immutable:source-commit',
  /** Marks an AMI (or Image Builder image) that an environment runs: never deleted by retention. */
  inUse: 'cdktf-immutable:in-use',
} as const;

/** A tag key and value. */
export interface ImageTag {
  /** Tag key. */
  readonly key: string;
  /** Tag value. */
  readonly value: string;
}
