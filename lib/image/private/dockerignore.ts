import { InputError } from '../../private/validation';
/**
 * `.dockerignore` semantics, as implemented by Docker (moby/patternmatcher and
 * moby/patternmatcher/ignorefile), reimplemented here so that the context hash sees
 * exactly the files that `docker build` sends:
 *
 * - a line starting with `#` (before any trimming) is a comment; blank lines are skipped;
 * - surrounding whitespace is trimmed; `!` negates (re-includes); the pattern is cleaned
 *   like Go's filepath.Clean (`a//b/../c/` is `a/c`) and a leading `/` is dropped;
 * - patterns match the whole path relative to the context root (`*.md` matches
 *   `README.md`, not `docs/x.md`; use `**` for any depth): `*` and `?` never match `/`,
 *   `**` matches any number of directories (including none), `[...]` is a character
 *   class, `\` escapes the next character;
 * - a pattern that matches a directory matches everything below it;
 * - the last matching pattern decides (a negation after an exclusion re-includes).
 */

/** One parsed pattern. */
interface Pattern {
  /** The pattern as cleaned, without the `!`. */
  readonly cleaned: string;
  readonly negation: boolean;
  /** 1-based line in the ignore file, for error messages. */
  readonly line: number;
  readonly match: (path: string) => boolean;
}

/** A parsed `.dockerignore`. */
export class DockerIgnore {
  /** Parses the text of a `.dockerignore` file; `source` names it in errors. */
  public static parse(text: string, source: string): DockerIgnore {
    const patterns: Pattern[] = [];
    const lines = text.split('\n');
    lines.forEach((raw, index) => {
      let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (index === 0 && line.charCodeAt(0) === 0xfeff) {
        line = line.slice(1);
      }
      if (line.startsWith('#')) {
        return;
      }
      let pattern = line.trim();
      if (pattern === '') {
        return;
      }
      const negation = pattern.startsWith('!');
      if (negation) {
        pattern = pattern.slice(1).trim();
      }
      if (pattern.length > 0) {
        pattern = cleanPath(pattern);
        if (pattern.length > 1 && pattern.startsWith('/')) {
          pattern = pattern.slice(1);
        }
      }
      if (negation && pattern === '') {
        throw new InputError(
          `${source}: line ${index + 1} is "!" alone, which Docker rejects ("illegal exclusion pattern"); write the ` +
            `path to re-include after "!".`,
        );
      }
      patterns.push({ cleaned: pattern, negation, line: index + 1, match: compile(pattern, source, index + 1) });
    });
    return new DockerIgnore(patterns);
  }

  /** An ignore file with no patterns: nothing is excluded. */
  public static readonly EMPTY = new DockerIgnore([]);

  private readonly negations: readonly Pattern[];

  private constructor(private readonly patterns: readonly Pattern[]) {
    this.negations = patterns.filter((p) => p.negation);
  }

  /** Number of patterns. */
  public get size(): number {
    return this.patterns.length;
  }

  /**
   * For each pattern, whether it matches `path` itself or (through `parentMatches`,
   * the result of this method for the parent directory) any directory above it.
   */
  public matchesWithParents(path: string, parentMatches: readonly boolean[] | undefined): boolean[] {
    return this.patterns.map((pattern, i) => (parentMatches !== undefined && parentMatches[i]) || pattern.match(path));
  }

  /** True when `matches` (from {@link matchesWithParents}) excludes the path: the last matching pattern decides. */
  public isExcluded(matches: readonly boolean[]): boolean {
    for (let i = this.patterns.length - 1; i >= 0; i--) {
      if (matches[i]) {
        return !this.patterns[i].negation;
      }
    }
    return false;
  }

  /** Convenience for one path: true when Docker would leave `path` out of the context. */
  public excludes(path: string): boolean {
    let parent: boolean[] | undefined;
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      parent = this.matchesWithParents(parts.slice(0, i).join('/'), parent);
    }
    return this.isExcluded(this.matchesWithParents(path, parent));
  }

  /**
   * True when an excluded directory can be skipped without reading it: no negation
   * pattern could match anything below it. Conservative: any negation with `**` keeps
   * every excluded directory open.
   */
  public canPrune(dirPath: string): boolean {
    if (this.negations.length === 0) {
      return true;
    }
    const dirSegments = dirPath.split('/');
    return this.negations.every((pattern) => {
      if (pattern.cleaned.includes('**')) {
        return false;
      }
      const segments = pattern.cleaned.split('/');
      if (segments.length <= dirSegments.length) {
        // `*`, `?` and classes never match `/`: such a pattern only matches paths with
        // as many segments, so nothing strictly below the directory.
        return true;
      }
      return !dirSegments.every((segment, i) => compileSegment(segments[i])(segment));
    });
  }
}

/** Go's filepath.Clean for `/`-separated paths. */
export function cleanPath(path: string): string {
  if (path === '') {
    return '.';
  }
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') {
      continue;
    }
    if (segment === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') {
        out.pop();
      } else if (!rooted) {
        out.push('..');
      }
      continue;
    }
    out.push(segment);
  }
  const joined = out.join('/');
  if (rooted) {
    return '/' + joined;
  }
  return joined === '' ? '.' : joined;
}

const REGEX_ESCAPED = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);
const REGEX_SYNTAX = new Set(['^', '$', '\\', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '/', '-']);

/** Compiles one cleaned pattern the way patternmatcher does (exact, prefix, suffix or regexp match). */
function compile(pattern: string, source: string, line: number): (path: string) => boolean {
  let regex = '^';
  type Kind = 'exact' | 'prefix' | 'suffix' | 'regexp';
  let kind: Kind = 'exact';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === '*') {
      if (chars[i + 1] === '*') {
        const first = i === 0;
        i++;
        if (chars[i + 1] === '/') {
          i++;
        }
        if (i + 1 >= chars.length) {
          if (kind === 'exact') {
            kind = 'prefix';
          } else {
            regex += '.*';
            kind = 'regexp';
          }
        } else {
          regex += '(.*/)?';
          kind = 'regexp';
        }
        if (first) {
          kind = 'suffix';
        }
      } else {
        regex += '[^/]*';
        kind = 'regexp';
      }
    } else if (ch === '?') {
      regex += '[^/]';
      kind = 'regexp';
    } else if (REGEX_ESCAPED.has(ch)) {
      regex += '\\' + ch;
    } else if (ch === '\\') {
      if (i + 1 < chars.length) {
        i++;
        const next = chars[i];
        regex += REGEX_SYNTAX.has(next) ? '\\' + next : next;
        kind = 'regexp';
      } else {
        regex += '\\\\';
      }
    } else if (ch === '[' || ch === ']') {
      regex += ch;
      kind = 'regexp';
    } else {
      regex += ch;
    }
  }
  let compiled: RegExp | undefined;
  try {
    compiled = new RegExp(regex + '$', 'u');
  } catch (error) {
    throw new InputError(
      `${source}: line ${line} ("${pattern}") is not a valid pattern (${(error as Error).message}); ` +
        'check its [ ] character classes.',
      { cause: error },
    );
  }
  switch (kind) {
    case 'exact':
      return (path) => path === pattern;
    case 'prefix': {
      const prefix = pattern.slice(0, -2);
      return (path) => path.startsWith(prefix);
    }
    case 'suffix': {
      const suffix = pattern.slice(2);
      return (path) => path.endsWith(suffix) || (suffix.startsWith('/') && path === suffix.slice(1));
    }
    default: {
      const re = compiled;
      return (path) => re.test(path);
    }
  }
}

/** Matches one path segment against one pattern segment (no `**`). */
function compileSegment(segment: string): (name: string) => boolean {
  return compile(segment, '.dockerignore', 0);
}
