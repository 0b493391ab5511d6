/**
 * AWS identifier patterns (and the container image reference), each defined once for the whole package. This module
 * imports nothing, so the release CLI can use it without loading cdktf.
 */

/** `ami-` and 8 or 17 lowercase hex digits. */
export const AMI_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** `vpc-` and 8 or 17 lowercase hex digits. */
export const VPC_ID = /^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** `subnet-` and 8 or 17 lowercase hex digits. */
export const SUBNET_ID = /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** `sg-` and 8 or 17 lowercase hex digits. */
export const SECURITY_GROUP_ID = /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** An SSM parameter name: a path of `/`-separated segments, or a plain name. */
export const SSM_PARAMETER_NAME = /^(\/[A-Za-z0-9_.-]+)+$|^[A-Za-z0-9_.-]+$/;
/** An EC2 instance type: family with a generation digit, then the size (`t3.micro`, `m7g.large`, `u-6tb1.metal`). */
export const INSTANCE_TYPE = /^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\.[a-z0-9-]+$/;
/** An IPv4 CIDR block such as `10.0.0.0/8`: four octets of 0 to 255, then a prefix length up to 32. */
export const IPV4_CIDR =
  /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;
/** An IPv6 CIDR block such as `2001:db8::/32` (hex groups and colons, then a prefix length up to 128). */
export const IPV6_CIDR = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*\/(12[0-8]|1[01]\d|[1-9]?\d)$/;
/** `pl-` and 8 or 17 lowercase hex digits: a managed prefix list. */
export const PREFIX_LIST_ID = /^pl-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** A commercial, China, GovCloud or ISO region name such as `eu-west-1`. */
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** A 12-digit AWS account id. */
export const ACCOUNT_ID = /^\d{12}$/;
/** S3 bucket name (the common rules: 3-63 lowercase letters, digits, dots and hyphens). */
export const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/**
 * An Image Builder ARN of a versioned `component` or `image` of AWS, the Marketplace or
 * an account: `arn:aws:imagebuilder:<region>:<owner>:<kind>/<name>/<x.y.z>[/<build>]`,
 * where a version part may be `x`.
 */
export function imageBuilderVersionedArn(kind: 'component' | 'image'): RegExp {
  const owner = '(aws|aws-marketplace|\\d{12})';
  const version = '(\\d+|x)\\.(\\d+|x)\\.(\\d+|x)(\\/\\d+)?';
  return new RegExp(`^arn:aws[a-z-]*:imagebuilder:[a-z0-9-]+:${owner}:${kind}\\/[a-z0-9_-]+\\/${version}$`);
}
/** A container image pinned by digest: `repo@sha256:` and 64 lowercase hex digits (a tag before the `@` is allowed). */
export const IMAGE_DIGEST_REFERENCE = /^[^\s@]+@sha256:[0-9a-f]{64}$/;
