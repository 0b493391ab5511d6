import { createHash } from 'crypto';

/**
 * What {@link fixedName} needs of a `NameRule` (structural, so that this file does not
 * import naming.ts, which re-exports it).
 */
interface NameRuleShape {
  readonly maxLength: number;
  sanitize(text: string): string;
}

/**
 * A name that does NOT change with the generation (`<base>-<suffix>`), for resources
 * that live across generations and are updated in place: per-slot target groups,
 * the load balancer, role and profile prefixes. Sanitized to the rule's characters
 * and shortened to `maxLength` (default: the rule's limit) by cutting the base and
 * appending a 4-character digest of the full base, like `generationName`.
 */
export function fixedName(
  rule: NameRuleShape,
  base: string,
  suffix?: string,
  maxLength: number = rule.maxLength,
): string {
  const cleanBase = rule.sanitize(base).replace(/-+$/, '');
  const cleanSuffix = suffix === undefined ? undefined : rule.sanitize(suffix);
  const tail = cleanSuffix ? `-${cleanSuffix}` : '';
  let head = cleanBase;
  if (head.length + tail.length > maxLength) {
    const digest = createHash('sha256').update(base, 'utf8').digest('hex').slice(0, 4);
    const room = maxLength - tail.length - digest.length - 1;
    head = `${cleanBase.slice(0, Math.max(room, 0)).replace(/-+$/, '')}-${digest}`.replace(/^-/, '');
  }
  return `${head}${tail}`;
}
