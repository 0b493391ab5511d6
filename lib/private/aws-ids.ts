import { createHash } from 'crypto';
import { Token } from 'cdktf';

/** `ami-` and 8 or 17 lowercase hex digits. */
export const AMI_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** A commercial, China, GovCloud or ISO region name such as `eu-west-1`. */
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** A 12-digit AWS account id. */
export const ACCOUNT_ID = /^\d{12}$/;
/** `subnet-` and 8 or 17 hex digits. */
export const SUBNET_ID = /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** `sg-` and 8 or 17 hex digits. */
export const SECURITY_GROUP_ID = /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** EC2 instance type: family, optional generation/attributes, size (`t3.micro`, `m7g.large`, `u-6tb1.metal`). */
export const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;
/** S3 bucket name (the common rules: 3-63 lowercase letters, digits, dots and hyphens). */
export const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Throws `message(value)` when `value` is a literal that does not match `pattern`.
 * Tokens (references resolved by Terraform) are not validated.
 */
export function checkLiteral(value: string, pattern: RegExp, message: (value: string) => string): void {
  if (!Token.isUnresolved(value) && !pattern.test(value)) {
    throw new Error(message(value));
  }
}

/**
 * A prefix for a name that must fit `maxLength` (IAM `name_prefix` is limited to 38
 * characters): `<base><suffix>`, with the base cut and given a 4-character digest of
 * the full base when too long. Characters outside `allowed` become `-`.
 */
export function fitPrefix(base: string, suffix: string, maxLength: number, allowed: RegExp): string {
  const clean = base.replace(allowed, '-').replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '');
  if (clean.length + suffix.length <= maxLength) {
    return clean + suffix;
  }
  const digest = createHash('sha256').update(base, 'utf8').digest('hex').slice(0, 4);
  const cut = clean.slice(0, maxLength - suffix.length - digest.length - 1).replace(/-+$/, '');
  return `${cut}-${digest}${suffix}`;
}
