/**
 * Address patterns of `guard --allow-destroy`: `*` matches any run of characters
 * (dots and brackets included), `?` one character; everything else is literal.
 */
export function addressPattern(pattern: string): RegExp {
  const source = [...pattern]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}
