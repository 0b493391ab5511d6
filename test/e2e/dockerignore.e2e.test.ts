/**
 * The `.dockerignore` parser against Docker's own: a differential test. The oracle
 * (test/e2e/dockerignore-oracle, a small Go program) runs moby/patternmatcher v0.6.0 and
 * its ignorefile package, the code `docker build` runs to choose what it sends, on the
 * same ignore files and paths as lib/image/private/dockerignore.ts; every answer must be
 * the same: the paths excluded, or that both refuse the file. The cases are the
 * whitespace Docker trims and keeps (Unicode White_Space, U+0085, a BOM after the first
 * line, CRLF), negations, comments, cleaning, and thousands of random ignore files over
 * an alphabet of those characters and the pattern syntax (seeded, so a failure repeats).
 *
 * It needs Go (the e2e toolchain's); the module comes from the Go module cache, where the
 * toolchain's kreuzwerker/docker provider build put it, or from the Go module proxy.
 */
import { execFileSync, spawnSync } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import fc from 'fast-check';
import { DockerIgnore } from '../../lib/image/private/dockerignore';

interface Case {
  readonly ignore: string;
  readonly paths: readonly string[];
}

interface Answer {
  readonly excluded: readonly boolean[];
  readonly error?: string;
}

let work: string;
let oracle: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'e2e-dockerignore-'));
  oracle = join(work, 'oracle');
  const started = Date.now();
  execFileSync('go', ['build', '-o', oracle, '.'], {
    cwd: join(__dirname, 'dockerignore-oracle'),
    env: { ...process.env, GOFLAGS: '-mod=readonly -buildvcs=false' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  console.log(`[e2e] dockerignore oracle (moby/patternmatcher v0.6.0) built in ${Date.now() - started} ms`);
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Docker's answers for `cases`, in one run of the oracle. */
function docker(cases: readonly Case[]): Answer[] {
  const result = spawnSync(oracle, [], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 256 << 20 });
  if (result.status !== 0) {
    throw new Error(`the oracle failed: ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as Answer[];
}

/** The library's answers, in the oracle's shape: an error (any) or each path's exclusion. */
function library(c: Case): Answer {
  try {
    const ignore = DockerIgnore.parse(c.ignore, '.dockerignore');
    return { excluded: c.paths.map((path) => ignore.excludes(path)) };
  } catch (error) {
    return { excluded: [], error: (error as Error).message };
  }
}

/** Cases where the two disagree, shown with the ignore file and the answers. */
function disagreements(cases: readonly Case[]): string[] {
  const answers = docker(cases);
  return cases.flatMap((c, i) => {
    const ours = library(c);
    const theirs = answers[i];
    const same =
      (ours.error === undefined) === (theirs.error === undefined) &&
      JSON.stringify(ours.excluded) === JSON.stringify(theirs.excluded);
    return same
      ? []
      : [
          `${JSON.stringify(c)}: docker ${JSON.stringify(theirs)}, library ${JSON.stringify({
            excluded: ours.excluded,
            error: ours.error,
          })}`,
        ];
  });
}

/** The White_Space characters Go trims, and look-alikes it keeps (U+FEFF, U+200B, U+180E). */
const SPACES = [
  ' ',
  '\t',
  '\v',
  '\f',
  '\r',
  '\u0085',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u200a',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
  '\ufeff',
  '\u200b',
  '\u180e',
];

describe('.dockerignore: the library answers as Docker does', () => {
  test('whitespace, one character at a time, around a pattern and in a path', () => {
    const cases: Case[] = [];
    for (const space of SPACES) {
      const paths = ['secret.txt', `secret.txt${space}`, `${space}secret.txt`, `a${space}b`, 'ab', 'a'];
      cases.push(
        { ignore: `secret.txt${space}\n`, paths },
        { ignore: `${space}secret.txt\n`, paths },
        { ignore: `a.txt\n${space}secret.txt\n`, paths },
        { ignore: `${space}secret.txt`, paths },
        { ignore: `*\n!${space}secret.txt${space}\n`, paths },
        { ignore: `*\n${space}!secret.txt\n`, paths },
        { ignore: `${space}#secret.txt\n`, paths },
        { ignore: `a${space}b\n`, paths },
        { ignore: `a/../${space}secret.txt\n`, paths },
        { ignore: `*\n!a/../${space}secret.txt\n`, paths },
        { ignore: `${space}\n!${space}\n`, paths },
      );
    }
    cases.push(
      { ignore: '\ufeffsecret.txt\r\n# c\r\n!keep\r\n', paths: ['secret.txt', 'keep', '# c'] },
      { ignore: '\ufeff#secret.txt\n', paths: ['secret.txt', '#secret.txt'] },
      { ignore: 'a\n\ufeff\n', paths: ['a', '\ufeff'] },
    );
    expect(disagreements(cases)).toEqual([]);
    console.log(`[e2e] dockerignore whitespace: ${cases.length} ignore files agree with moby/patternmatcher`);
  });

  test('random ignore files and paths (seeded)', () => {
    const char = fc.constantFrom('a', 'b', '.', '/', '*', '?', '!', '#', '[', ']', '^', '-', '\\', ...SPACES);
    const line = fc.array(char, { maxLength: 8 }).map((chars) => chars.join(''));
    const ignore = fc
      .tuple(fc.array(line, { minLength: 1, maxLength: 5 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
      .map(([lines, eol, bom]) => `${bom ? '\ufeff' : ''}${lines.join(eol)}`);
    const segment = fc
      .array(
        fc.constantFrom('a', 'b', '.', ' ', '\u0085', '\ufeff', '*', '!', '#', ']', '-', '\\', '\r', '\n', '\u2028'),
        {
          minLength: 1,
          maxLength: 3,
        },
      )
      .map((chars) => chars.join(''))
      .filter((s) => s !== '.' && s !== '..');
    const path = fc.array(segment, { minLength: 1, maxLength: 3 }).map((segments) => segments.join('/'));
    const cases = fc.sample(fc.record({ ignore, paths: fc.array(path, { minLength: 1, maxLength: 6 }) }), {
      numRuns: 20000,
      seed: 27,
    });
    const found = disagreements(cases);
    expect(found.slice(0, 10)).toEqual([]);
    console.log(`[e2e] dockerignore random: ${cases.length} ignore files agree with moby/patternmatcher`);
  });
});
