import { createHash } from 'crypto';

/**
 * A prefix for a name that must fit `maxLength` (IAM `name_prefix` is limited to 38
 * characters): `<base><suffix>`, with the base cut and given a 4-character digest of
 * the full base when too long. Characters matched by `disallowed` (a global regex)
 * become `-`.
 */
export function fitPrefix(base: string, suffix: string, maxLength: number, disallowed: RegExp): string {
  const clean = base.replace(disallowed, '-').replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '');
  if (clean.length + suffix.length <= maxLength) {
    return clean + suffix;
  }
  const digest = createHash('sha256').update(base, 'utf8').digest('hex').slice(0, 4);
  const cut = clean.slice(0, maxLength - suffix.length - digest.length - 1).replace(/-+$/, '');
  return `${cut}-${digest}${suffix}`;
}
