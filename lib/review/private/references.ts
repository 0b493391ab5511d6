/**
 * References between resources in Terraform JSON: `${aws_x.y.attr}` inside any string
 * (also inside function calls and `for` expressions), and the bare references of
 * `lifecycle.replace_triggered_by` (`aws_x.y.id`, `aws_x.y`).
 */

/** One reference: the resource address it names and the attribute it reads, if any. */
export interface ResourceReference {
  /** `aws_launch_template.web`. */
  readonly address: string;
  /** The first attribute read (`id`, `output_resources`), or undefined for the whole resource. */
  readonly attribute?: string;
}

// A resource reference inside an expression: `type.name` then an optional index and
// `.attribute`. Not preceded by a word character or a dot (`data.aws_x.y`, `var.x`,
// `local.x`, `module.m.x` are not resources of this stack).
const REFERENCE =
  /(?<![\w.])([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)((?:\[[^\]]*\])?)(?:\.([A-Za-z_][A-Za-z0-9_-]*))?/g;

/** The `${...}` parts of a string (an interpolation may hold nested braces). */
function interpolations(text: string): string[] {
  const out: string[] = [];
  let i = text.indexOf('${');
  while (i !== -1) {
    let depth = 0;
    let j = i + 1;
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
    out.push(text.slice(i + 2, j));
    i = text.indexOf('${', j);
  }
  return out;
}

function referencesIn(expression: string, isResource: (address: string) => boolean): ResourceReference[] {
  const out: ResourceReference[] = [];
  for (const m of expression.matchAll(REFERENCE)) {
    const address = `${m[1]}.${m[2]}`;
    if (isResource(address)) {
      out.push({ address, attribute: m[4] });
    }
  }
  return out;
}

/** References of a string value of an argument (`${...}` interpolations only). */
export function referencesInValue(text: string, isResource: (address: string) => boolean): ResourceReference[] {
  return interpolations(text).flatMap((expression) => referencesIn(expression, isResource));
}

/** The reference of one `replace_triggered_by` entry (a bare expression, or `${...}`). */
export function triggerReference(
  trigger: string,
  isResource: (address: string) => boolean,
): ResourceReference | undefined {
  const expression = trigger.startsWith('${') && trigger.endsWith('}') ? trigger.slice(2, -1) : trigger;
  return referencesIn(expression, isResource)[0];
}

/** Every string value of a JSON value with its path (`a.b[0].c`), skipping `skip` top-level keys. */
export function stringLeaves(
  value: unknown,
  skip: readonly string[] = [],
  path = '',
): Array<{ path: string; text: string }> {
  if (typeof value === 'string') {
    return [{ path, text: value }];
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, i) => stringLeaves(item, [], `${path}[${i}]`));
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([key]) => path !== '' || !skip.includes(key))
      .flatMap(([key, item]) => stringLeaves(item, [], path ? `${path}.${key}` : key));
  }
  return [];
}
