/**
 * Patterns that several Image Builder constructs of this room check. AWS id patterns
 * shared across rooms live in lib/private/aws-ids.ts instead.
 */

/**
 * The name of an Image Builder recipe, component, infrastructure or distribution
 * configuration, pipeline or lifecycle policy: 3 to 128 letters, digits, `_`, `-` or
 * spaces, not starting or ending with a space.
 */
export const IMAGE_BUILDER_NAME = /^[-_A-Za-z0-9][-_A-Za-z0-9 ]{1,126}[-_A-Za-z0-9]$/;

/** What {@link IMAGE_BUILDER_NAME} accepts, for error messages. */
export const IMAGE_BUILDER_NAME_RULE =
  '3 to 128 letters, digits, "_", "-" or spaces, not starting or ending with a space';

/** A tag key Image Builder accepts on AMIs: 1 to 128 characters, not starting with `aws:`. */
export const TAG_KEY = /^(?!aws:)[a-zA-Z0-9\s_.:/=+\-@]{1,128}$/;

/** What {@link TAG_KEY} accepts, for error messages. */
export const TAG_KEY_RULE = '1 to 128 letters, digits, spaces or _ . : / = + - @, not starting with "aws:"';
