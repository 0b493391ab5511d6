/**
 * References in Terraform JSON: the expressions inside `${...}` and `%{...}` of any
 * string (also inside function calls and `for` expressions), and the bare references of
 * `lifecycle.replace_triggered_by` (`aws_x.y.id`, `aws_x.y`).
 */

/** One resource reference: the resource address it names and the attribute it reads, if any. */
export interface ResourceReference {
  /** `aws_launch_template.web`. */
  readonly address: string;
  /** The first attribute read (`id`, `output_resources`), or undefined for the whole resource. */
  readonly attribute?: string;
}

/** What a reference names. */
export type ReferenceKind = 'resource' | 'data' | 'var' | 'local' | 'module';

/** One reference of any kind, with the path it reads below what it names. */
export interface Reference {
  readonly kind: ReferenceKind;
  /** `aws_x.y`, `data.aws_x.y`, `var.x`, `local.x` or `module.x`. */
  readonly address: string;
  /**
   * The traversal after the address (a resource's or data source's instance key left
   * out): attribute names, map keys and list indexes; `*` for a splat or a key that is
   * itself an expression.
   */
  readonly path: readonly string[];
  /** The reference as written, for messages. */
  readonly text: string;
}

const IDENT = '[A-Za-z_][A-Za-z0-9_-]*';
// Not preceded by a word character, a dot or a hyphen: `data.aws_x.y` is no resource
// `aws_x.y`, and `foo-aws_x.y` is no reference at all.
const ROOT = new RegExp(
  `(?<![\\w.$-])(?:data\\.(${IDENT})\\.(${IDENT})|(var|local|module)\\.(${IDENT})` +
    `|([a-z][a-z0-9]*_[A-Za-z0-9_]+)\\.(${IDENT}))`,
  'g',
);

/** The `${...}` and `%{...}` parts of a string (an expression may hold nested braces); `$${` and `%%{` are literal. */
export function interpolations(text: string): string[] {
  const out: string[] = [];
  const start = /(?<![$%])[$%]\{/g;
  let match: RegExpExecArray | null;
  while ((match = start.exec(text)) !== null) {
    let depth = 0;
    let j = match.index + 1;
    for (; j < text.length; j++) {
      if (text[j] === '{') {
        depth++;
      } else if (text[j] === '}') {
        depth--;
        if (depth === 0) {
          break;
        }
      }
    }
    out.push(text.slice(match.index + 2, j));
    start.lastIndex = j;
  }
  return out;
}

/** The index of the `]` that closes the `[` at `open`, or -1. */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '[') {
      depth++;
    } else if (text[i] === ']') {
      depth--;
      if (depth === 0) {
        return i;
      }
    }
  }
  return -1;
}

/**
 * The traversal after a root, from `from`: `.name`, `.0`, `.*`, `["key"]`, `[0]`, `[*]`,
 * `[expression]` (a `*`, and the references of the expression are collected too).
 */
function traversal(text: string, from: number, inner: Reference[]): { steps: string[]; end: number } {
  const steps: string[] = [];
  let i = from;
  for (;;) {
    const dot = /^\.([A-Za-z_][A-Za-z0-9_-]*|\d+|\*)/.exec(text.slice(i));
    if (dot) {
      steps.push(dot[1]);
      i += dot[0].length;
      continue;
    }
    if (text[i] === '[') {
      const end = closing(text, i);
      if (end === -1) {
        break;
      }
      const key = text.slice(i + 1, end).trim();
      const literal = /^"([^"\\]*)"$/.exec(key) ?? /^(\d+|\*)$/.exec(key);
      if (literal) {
        steps.push(literal[1]);
      } else {
        steps.push('*');
        inner.push(...expressionReferences(key));
      }
      i = end + 1;
      continue;
    }
    break;
  }
  return { steps, end: i };
}

/** Every reference in one expression (the text inside `${...}`). */
export function expressionReferences(expression: string): Reference[] {
  const out: Reference[] = [];
  for (const m of expression.matchAll(ROOT)) {
    const inner: Reference[] = [];
    const { steps, end } = traversal(expression, m.index! + m[0].length, inner);
    const text = expression.slice(m.index!, end);
    if (m[1] !== undefined) {
      out.push({ kind: 'data', address: `data.${m[1]}.${m[2]}`, path: withoutInstanceKey(expression, m, steps), text });
    } else if (m[3] !== undefined) {
      out.push({ kind: m[3] as ReferenceKind, address: `${m[3]}.${m[4]}`, path: steps, text });
    } else {
      out.push({ kind: 'resource', address: `${m[5]}.${m[6]}`, path: withoutInstanceKey(expression, m, steps), text });
    }
    out.push(...inner);
  }
  return out;
}

/** A resource's or data source's traversal without its instance key (`[0]`, `["a"]`, `[*]`, `.*`). */
function withoutInstanceKey(expression: string, m: RegExpMatchArray, steps: string[]): string[] {
  const next = expression[m.index! + m[0].length];
  const keyed = next === '[' || (next === '.' && steps[0] === '*');
  return keyed ? steps.slice(1) : steps;
}

/** Every reference in a string value: the references of each of its `${...}` and `%{...}` parts. */
export function valueReferences(text: string): Reference[] {
  return interpolations(text).flatMap(expressionReferences);
}

/** References of a string value of an argument to resources for which `isResource` holds. */
export function referencesInValue(text: string, isResource: (address: string) => boolean): ResourceReference[] {
  return valueReferences(text)
    .filter((ref) => ref.kind === 'resource' && isResource(ref.address))
    .map((ref) => ({ address: ref.address, attribute: ref.path[0] === '*' ? undefined : ref.path[0] }));
}

/**
 * A meta-argument's expression without its `${...}` wrapping: `replace_triggered_by`,
 * `ignore_changes`, `depends_on` and `provider` entries are bare expressions, which cdktf
 * or a hand-written file may also wrap.
 */
export function bareExpression(text: string): string {
  const trimmed = text.trim();
  return trimmed.startsWith('${') && trimmed.endsWith('}') ? trimmed.slice(2, -1).trim() : trimmed;
}

/** True when a string holds an expression (`${...}` or `%{...}`), not only a literal. */
export function hasExpression(text: string): boolean {
  return interpolations(text).length > 0;
}

/** The reference of one `replace_triggered_by` entry (a bare expression, or `${...}`). */
export function triggerReference(
  trigger: string,
  isResource: (address: string) => boolean,
): ResourceReference | undefined {
  const ref = expressionReferences(bareExpression(trigger)).find((r) => r.kind === 'resource' && isResource(r.address));
  return ref ? { address: ref.address, attribute: ref.path[0] === '*' ? undefined : ref.path[0] } : undefined;
}

/** One string value of a JSON value: its path as text (`a.b[0].c`), as segments, and the string. */
export interface StringLeaf {
  readonly path: string;
  readonly segments: readonly string[];
  readonly text: string;
}

/** Every string value of a JSON value with its path, skipping `skip` top-level keys. */
export function stringLeaves(value: unknown, skip: readonly string[] = []): StringLeaf[] {
  const out: StringLeaf[] = [];
  const walk = (node: unknown, path: string, segments: string[]): void => {
    if (typeof node === 'string') {
      out.push({ path, segments, text: node });
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${path}[${i}]`, [...segments, String(i)]));
    } else if (node !== null && typeof node === 'object') {
      for (const [key, item] of Object.entries(node as Record<string, unknown>)) {
        if (segments.length === 0 && skip.includes(key)) {
          continue;
        }
        walk(item, path ? `${path}.${key}` : key, [...segments, key]);
      }
    }
  };
  walk(value, '', []);
  return out;
}
