import { InputError } from '../../private/validation';
/**
 * `.dockerignore` semantics, as implemented by Docker (moby/patternmatcher and
 * moby/patternmatcher/ignorefile), reimplemented here so that the context hash sees
 * exactly the files that `docker build` sends:
 *
 * - lines end at `\n` (a `\r` before it is dropped); a UTF-8 byte order mark is dropped
 *   from the first line only;
 * - a line starting with `#` (before any trimming) is a comment; blank lines are skipped;
 * - surrounding whitespace is trimmed as Go's `strings.TrimSpace` trims it (Unicode
 *   White_Space: tab, line feed, vertical tab, form feed, carriage return, space, U+0085,
 *   U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000; not U+FEFF,
 *   which JavaScript's `trim` drops); `!` negates (re-includes); the pattern is cleaned
 *   like Go's filepath.Clean (`a//b/../c/` is `a/c`) and a leading `/` is dropped; then
 *   the matcher trims and cleans each pattern once more (with its `!`), as
 *   `patternmatcher.New` does;
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
  /**
   * Whether `path` matches. The pattern is compiled at its first use, as
   * patternmatcher compiles it: a pattern that Docker cannot compile fails (an
   * InputError) only when Docker would evaluate it.
   */
  readonly match: (path: string) => boolean;
}

/**
 * The per-pattern results of a directory, which its children start from (Go's
 * `MatchInfo`): `undefined` for a path with no known parent results.
 */
export type ParentMatches = readonly boolean[] | undefined;

/** A parsed `.dockerignore`. */
export class DockerIgnore {
  /** Parses the text of a `.dockerignore` file; `source` names it in errors. */
  public static parse(text: string, source: string): DockerIgnore {
    const patterns: Pattern[] = [];
    const lines = text.split('\n');
    lines.forEach((raw, index) => {
      const read = readIgnoreLine(raw, index === 0);
      if (read === undefined) {
        return;
      }
      // patternmatcher.New: trimmed and cleaned again, with the "!"
      let pattern = cleanPath(goTrimSpace(read));
      const negation = pattern.startsWith('!');
      if (negation) {
        if (pattern.length === 1) {
          throw new InputError(
            `${source}: line ${index + 1} is "!" alone, which Docker rejects ("illegal exclusion pattern"); write ` +
              `the path to re-include after "!".`,
          );
        }
        pattern = pattern.slice(1);
      }
      if (!isGoMatchPattern(pattern)) {
        throw new InputError(
          `${source}: line ${index + 1} ("${pattern}") is not a valid pattern (Docker: "syntax error in pattern"); ` +
            'close each "[" with "]" and follow each "\\" with the character it escapes.',
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
   * Whether `path` is excluded, and the per-pattern results its children start from:
   * patternmatcher's `MatchesUsingParentResults`, step for step. A pattern that matched
   * a parent directory matches its children; a pattern is evaluated only while it can
   * change the result so far (an exclusion while nothing excludes the path, a negation
   * while something does), and a skipped pattern passes no result down. With no parent
   * results, the path's parent directories are tried too.
   */
  public match(path: string, parent: ParentMatches): { excluded: boolean; matches: boolean[] } {
    let excluded = false;
    const matches = this.patterns.map(() => false);
    this.patterns.forEach((pattern, i) => {
      let match = parent !== undefined && parent.length > 0 ? parent[i] : false;
      if (!match) {
        if (pattern.negation !== excluded) {
          return;
        }
        match = pattern.match(path);
        if (!match && (parent === undefined || parent.length === 0)) {
          match = parentDirectories(path).some((dir) => matchesQuietly(pattern, dir));
        }
      }
      matches[i] = match;
      if (match) {
        excluded = !pattern.negation;
      }
    });
    return { excluded, matches };
  }

  /** Convenience for one path: true when Docker would leave `path` out of the context. */
  public excludes(path: string): boolean {
    let parent: ParentMatches;
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      parent = this.match(parts.slice(0, i).join('/'), parent).matches;
    }
    return this.match(path, parent).excluded;
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

/**
 * One line as moby/patternmatcher's `ignorefile.ReadAll` returns it: undefined for a
 * comment or a blank line, else the pattern trimmed and cleaned (`!` kept in front).
 */
function readIgnoreLine(raw: string, first: boolean): string | undefined {
  let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (first && line.charCodeAt(0) === 0xfeff) {
    line = line.slice(1);
  }
  if (line.startsWith('#')) {
    return undefined;
  }
  let pattern = goTrimSpace(line);
  if (pattern === '') {
    return undefined;
  }
  const negation = pattern.startsWith('!');
  if (negation) {
    pattern = goTrimSpace(pattern.slice(1));
  }
  if (pattern.length > 0) {
    pattern = cleanPath(pattern);
    if (pattern.length > 1 && pattern.startsWith('/')) {
      pattern = pattern.slice(1);
    }
  }
  return negation ? `!${pattern}` : pattern;
}

/** The characters Go's `unicode.IsSpace` reports (Unicode White_Space), which `strings.TrimSpace` trims. */
const GO_SPACES = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const GO_SPACE = new RegExp(`^[${GO_SPACES}]+|[${GO_SPACES}]+$`, 'g');

/** Go's `strings.TrimSpace`: JavaScript's `trim` differs (it drops U+FEFF and keeps U+0085). */
export function goTrimSpace(text: string): string {
  return text.replace(GO_SPACE, '');
}

/**
 * Whether patternmatcher.New accepts `pattern`: it calls Go's `filepath.Match(pattern,
 * ".")` and refuses the file on `ErrBadPattern`. That call checks the syntax only as far
 * as it matches (a chunk between stars is read whole, even once it fails; the chunks
 * after the first that cannot match are not read), so this is a port of it, on the
 * pattern's UTF-8 bytes, matched against ".".
 */
function isGoMatchPattern(pattern: string): boolean {
  let rest: Buffer = Buffer.from(pattern, 'utf8');
  let name: Buffer = Buffer.from('.', 'utf8');
  for (;;) {
    if (rest.length === 0) {
      return true;
    }
    const { star, chunk, tail } = scanChunk(rest);
    rest = tail;
    if (star && chunk.length === 0) {
      return true;
    }
    const first = matchChunk(chunk, name);
    if (first === 'bad') {
      return false;
    }
    if (first !== undefined && (first.length === 0 || rest.length > 0)) {
      name = first;
      continue;
    }
    if (!star) {
      return true;
    }
    let advanced = false;
    for (let i = 0; i < name.length && name[i] !== 0x2f; i++) {
      const t = matchChunk(chunk, name.subarray(i + 1));
      if (t === 'bad') {
        return false;
      }
      if (t !== undefined) {
        if (rest.length === 0 && t.length > 0) {
          continue;
        }
        name = t;
        advanced = true;
        break;
      }
    }
    if (!advanced) {
      return true;
    }
  }
}

/** Go's filepath `scanChunk`: the stars, then the chunk up to the next star outside a class. */
function scanChunk(pattern: Buffer): { star: boolean; chunk: Buffer; tail: Buffer } {
  let star = false;
  while (pattern.length > 0 && pattern[0] === 0x2a) {
    pattern = pattern.subarray(1);
    star = true;
  }
  let inRange = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === 0x5c) {
      if (i + 1 < pattern.length) {
        i++;
      }
    } else if (c === 0x5b) {
      inRange = true;
    } else if (c === 0x5d) {
      inRange = false;
    } else if (c === 0x2a && !inRange) {
      return { star, chunk: pattern.subarray(0, i), tail: pattern.subarray(i) };
    }
  }
  return { star, chunk: pattern, tail: Buffer.alloc(0) };
}

/** Go's filepath `matchChunk`: the rest of `s` after the chunk, undefined when it does not match, or 'bad'. */
function matchChunk(chunk: Buffer, s: Buffer): Buffer | undefined | 'bad' {
  let failed = false;
  while (chunk.length > 0) {
    failed = failed || s.length === 0;
    const c = chunk[0];
    if (c === 0x5b) {
      let r = -1;
      if (!failed) {
        const decoded = decodeRune(s);
        r = decoded.rune;
        s = s.subarray(decoded.size);
      }
      chunk = chunk.subarray(1);
      let negated = false;
      if (chunk.length > 0 && chunk[0] === 0x5e) {
        negated = true;
        chunk = chunk.subarray(1);
      }
      let match = false;
      for (let ranges = 0; ; ranges++) {
        if (chunk.length > 0 && chunk[0] === 0x5d && ranges > 0) {
          chunk = chunk.subarray(1);
          break;
        }
        const lo = getEsc(chunk);
        if (lo === 'bad') {
          return 'bad';
        }
        chunk = lo.rest;
        let hi = lo.rune;
        if (chunk[0] === 0x2d) {
          const high = getEsc(chunk.subarray(1));
          if (high === 'bad') {
            return 'bad';
          }
          chunk = high.rest;
          hi = high.rune;
        }
        match = match || (lo.rune <= r && r <= hi);
      }
      failed = failed || match === negated;
    } else if (c === 0x3f) {
      if (!failed) {
        failed = s[0] === 0x2f;
        s = s.subarray(decodeRune(s).size);
      }
      chunk = chunk.subarray(1);
    } else {
      if (c === 0x5c) {
        chunk = chunk.subarray(1);
        if (chunk.length === 0) {
          return 'bad';
        }
      }
      if (!failed) {
        failed = chunk[0] !== s[0];
        s = s.subarray(1);
      }
      chunk = chunk.subarray(1);
    }
  }
  return failed ? undefined : s;
}

/** Go's filepath `getEsc`: one class character (possibly escaped), or 'bad'. */
function getEsc(chunk: Buffer): { rune: number; rest: Buffer } | 'bad' {
  if (chunk.length === 0 || chunk[0] === 0x2d || chunk[0] === 0x5d) {
    return 'bad';
  }
  if (chunk[0] === 0x5c) {
    chunk = chunk.subarray(1);
    if (chunk.length === 0) {
      return 'bad';
    }
  }
  const { rune, size, invalid } = decodeRune(chunk);
  const rest = chunk.subarray(size);
  return invalid || rest.length === 0 ? 'bad' : { rune, rest };
}

/** Go's `utf8.DecodeRuneInString` on bytes: the rune and its size (an invalid byte is U+FFFD of size 1). */
function decodeRune(bytes: Buffer): { rune: number; size: number; invalid: boolean } {
  if (bytes.length === 0) {
    return { rune: 0xfffd, size: 0, invalid: true };
  }
  const b = bytes[0];
  const size = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
  if (size === 0 || size > bytes.length) {
    return { rune: 0xfffd, size: 1, invalid: true };
  }
  const text = bytes.subarray(0, size).toString('utf8');
  const rune = text.codePointAt(0)!;
  return rune === 0xfffd && size !== 3 ? { rune, size: 1, invalid: true } : { rune, size, invalid: false };
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

/** The characters patternmatcher escapes for Go's regexp (`.+()|{}$`). */
const REGEX_ESCAPED = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);

/** How patternmatcher matches a pattern. */
type MatchKind = 'exact' | 'prefix' | 'suffix' | 'regexp';

/**
 * patternmatcher's `compile`, step for step: the Go regular expression it writes for a
 * cleaned pattern, and how it matches (exact, prefix, suffix or regexp). It reads the
 * pattern with text/scanner, which skips a leading byte order mark, and it does not know
 * `[...]` classes: a `*` or `?` inside one is written as `[^/]*` or `[^/]` all the same.
 */
function patternmatcherRegex(pattern: string): { regex: string; kind: MatchKind } {
  const chars = [...pattern.replace(/^\ufeff/, '')];
  let regex = '^';
  let kind: MatchKind = 'exact';
  for (let i = 0, step = 0; i < chars.length; i++, step++) {
    const ch = chars[i];
    if (ch === '*') {
      if (chars[i + 1] === '*') {
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
        if (step === 0) {
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
      regex += `\\${ch}`;
    } else if (ch === '\\') {
      if (i + 1 < chars.length) {
        regex += `\\${chars[++i]}`;
        kind = 'regexp';
      } else {
        regex += '\\';
      }
    } else if (ch === '[' || ch === ']') {
      regex += ch;
      kind = 'regexp';
    } else {
      regex += ch;
    }
  }
  return { regex: `${regex}$`, kind };
}

/** A character as a JavaScript regular expression (`u` flag) matches it literally, in or out of a class. */
function literal(ch: string): string {
  return /^[A-Za-z0-9_]$/.test(ch) ? ch : `\\u{${ch.codePointAt(0)!.toString(16)}}`;
}

/** Go's ASCII `\s` class, which JavaScript's `\s` is not (it is Unicode). */
const GO_SPACE_CLASS = '\\t\\n\\f\\r ';

/** Go's regexp escapes of letters that the translation follows, out of and in a class. */
const GO_ESCAPES: Readonly<Record<string, { readonly outside: string; readonly inside?: string }>> = {
  a: { outside: literal('\u0007'), inside: literal('\u0007') },
  f: { outside: literal('\f'), inside: literal('\f') },
  n: { outside: literal('\n'), inside: literal('\n') },
  r: { outside: literal('\r'), inside: literal('\r') },
  t: { outside: literal('\t'), inside: literal('\t') },
  v: { outside: literal('\v'), inside: literal('\v') },
  d: { outside: '[0-9]', inside: '0-9' },
  D: { outside: '[^0-9]', inside: '\\D' },
  s: { outside: `[${GO_SPACE_CLASS}]`, inside: GO_SPACE_CLASS },
  S: { outside: `[^${GO_SPACE_CLASS}]` },
  w: { outside: '[0-9A-Za-z_]', inside: '\\w' },
  W: { outside: '[^0-9A-Za-z_]', inside: '\\W' },
  b: { outside: '\\b' },
  B: { outside: '\\B' },
};

/** Why a Go regular expression could not be translated: Docker refuses it, or this library does not follow it. */
class Untranslatable extends Error {
  constructor(
    message: string,
    /** True when Go's regexp refuses it too (Docker fails the same way). */
    public readonly docker: boolean,
  ) {
    super(message);
  }
}

/**
 * The JavaScript regular expression (`u` flag) that matches what the Go regular
 * expression `go` (as patternmatcher writes it) matches: `.` is "not a line feed", every
 * literal is a code point escape, a class follows Go's rules (a `]` right after `[` or
 * `[^` is a member; `\` escapes), and an escape is read as Go reads it (punctuation or
 * space as itself; `\a \f \n \r \t \v` control characters; `\d \s \w` and their
 * negations as ASCII classes; `\b \B` word boundaries). Go's other escapes (`\pL`,
 * `\x41`, octal, `\A`, `\z`, `\Q...\E`) and POSIX classes are refused as not followed;
 * what Go's regexp refuses (another letter or digit escaped, a non-ASCII character
 * escaped, a class without its `]`, a range out of order, a trailing `\`) is refused
 * as Docker refuses it.
 */
function goRegexToJs(go: string): string {
  const chars = [...go];
  let out = '';
  let i = 0;
  const escape = (inClass: boolean): string => {
    const next = chars[++i];
    i++;
    if (next === undefined) {
      throw new Untranslatable('ends with "\\", which Docker refuses ("trailing backslash")', true);
    }
    if (next.codePointAt(0)! < 0x80 && !/[A-Za-z0-9]/.test(next)) {
      return literal(next);
    }
    const known = GO_ESCAPES[next];
    const regex = known && (inClass ? known.inside : known.outside);
    if (regex !== undefined) {
      return regex;
    }
    if (known || /[pPxQEAz0-7]/.test(next)) {
      throw new Untranslatable(
        `uses "\\${next}", which Docker reads as a regular expression escape that this library does not follow; ` +
          'write the characters to match instead',
        false,
      );
    }
    throw new Untranslatable(
      `has "\\${next}", which Docker reads as a regular expression escape and refuses ("invalid escape ` +
        'sequence"); write the character itself, or "\\\\" for a backslash',
      true,
    );
  };
  while (i < chars.length) {
    const ch = chars[i];
    if (ch === '\\') {
      out += escape(false);
    } else if (ch === '[') {
      out += goClass();
    } else if (ch === '.') {
      out += '[^\\n]';
      i++;
    } else if (ch === '^' || ch === '$' || ch === '*' || ch === '?' || ch === '(' || ch === ')') {
      out += ch;
      i++;
    } else {
      out += literal(ch);
      i++;
    }
  }
  return out;

  /** One Go class, from its `[` to its `]`. */
  function goClass(): string {
    i++;
    let js = '[';
    if (chars[i] === '^') {
      js += '^';
      i++;
    }
    let members = 0;
    for (;;) {
      const ch = chars[i];
      if (ch === undefined) {
        throw new Untranslatable('has a "[" class that Docker cannot close ("missing closing ]")', true);
      }
      if (ch === ']' && members > 0) {
        i++;
        return `${js}]`;
      }
      if (ch === '[' && chars[i + 1] === ':') {
        throw new Untranslatable('uses a POSIX class ("[:name:]"), which this library does not follow', false);
      }
      const lo = ch === '\\' ? classEscape() : (i++, { text: literal(ch), code: ch.codePointAt(0)! });
      if (chars[i] === '-' && chars[i + 1] !== undefined && chars[i + 1] !== ']') {
        i++;
        const hiChar = chars[i];
        const hi = hiChar === '\\' ? classEscape() : (i++, { text: literal(hiChar), code: hiChar.codePointAt(0)! });
        if (lo.code === undefined || hi.code === undefined) {
          throw new Untranslatable('has a class range between classes, which Docker refuses', true);
        }
        if (hi.code < lo.code) {
          throw new Untranslatable('has a class range out of order, which Docker refuses (not a valid pattern)', true);
        }
        js += `${lo.text}-${hi.text}`;
      } else {
        js += lo.text;
      }
      members++;
    }
  }

  /** An escape inside a class: its JavaScript and, for a single character, its code point. */
  function classEscape(): { text: string; code?: number } {
    const next = chars[i + 1];
    const text = escape(true);
    const single = next !== undefined && next.codePointAt(0)! < 0x80 && !/[A-Za-z0-9]/.test(next);
    const control: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };
    return { text, code: single ? next.codePointAt(0)! : control[next!] };
  }
}

/**
 * Compiles one cleaned pattern the way patternmatcher does: an exact, prefix or suffix
 * match (on the pattern's bytes, as Go slices it), or the regular expression it writes,
 * translated by {@link goRegexToJs}. Like patternmatcher, it compiles at the first use:
 * a pattern Go's regexp refuses fails (an InputError naming the line) only when Docker
 * would evaluate it.
 */
function compile(pattern: string, source: string, line: number): (path: string) => boolean {
  const { regex, kind } = patternmatcherRegex(pattern);
  switch (kind) {
    case 'exact':
      return (path) => path === pattern;
    case 'prefix': {
      const prefix = Buffer.from(pattern, 'utf8').subarray(0, -2);
      return (path) => Buffer.from(path, 'utf8').subarray(0, prefix.length).equals(prefix);
    }
    case 'suffix': {
      const suffix = Buffer.from(pattern, 'utf8').subarray(2);
      return (path) => {
        const bytes = Buffer.from(path, 'utf8');
        return (
          (bytes.length >= suffix.length && bytes.subarray(bytes.length - suffix.length).equals(suffix)) ||
          (suffix[0] === 0x2f && bytes.equals(suffix.subarray(1)))
        );
      };
    }
  }
  let compiled: RegExp | InputError | undefined;
  const compiledOnce = (): RegExp => {
    if (compiled === undefined) {
      try {
        compiled = new RegExp(goRegexToJs(regex), 'u');
      } catch (error) {
        const reason =
          error instanceof Untranslatable
            ? error.message
            : `is not a valid pattern (${(error as Error).message}); check its [ ] character classes`;
        compiled = new InputError(`${source}: line ${line} ("${pattern}") ${reason}.`, { cause: error });
      }
    }
    if (compiled instanceof InputError) {
      throw compiled;
    }
    return compiled;
  };
  return (path) => compiledOnce().test(path);
}

/** The parent directories of a path, from the top: `a/b/c` -> `a`, `a/b`. */
function parentDirectories(path: string): string[] {
  const parts = path.split('/');
  return parts.slice(0, -1).map((_part, i) => parts.slice(0, i + 1).join('/'));
}

/** A parent directory's match, where patternmatcher ignores an error. */
function matchesQuietly(pattern: Pattern, path: string): boolean {
  try {
    return pattern.match(path);
  } catch {
    return false;
  }
}

/** Matches one path segment against one pattern segment (no `**`). */
function compileSegment(segment: string): (name: string) => boolean {
  return compile(segment, '.dockerignore', 0);
}
