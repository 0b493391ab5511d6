import { cleanPath, DockerIgnore } from '../../lib/image/private/dockerignore';

/** Docker's .dockerignore semantics, case by case (moby/patternmatcher, MatchesOrParentMatches). */
describe('DockerIgnore', () => {
  test.each<[string, string, boolean]>([
    // root-anchored: no implicit "**/" as in .gitignore
    ['*.md', 'README.md', true],
    ['*.md', 'docs/guide.md', false],
    ['**/*.md', 'docs/guide.md', true],
    ['**/*.md', 'README.md', true],
    ['docs/*.md', 'docs/guide.md', true],
    ['docs/*.md', 'docs/deep/guide.md', false],
    ['docs/**/*.md', 'docs/deep/er/guide.md', true],
    // a directory match covers everything below it
    ['node_modules', 'node_modules/left-pad/index.js', true],
    ['node_modules', 'src/node_modules/x.js', false],
    ['**/node_modules', 'src/node_modules/x.js', true],
    // cleaning: trailing slash, leading slash, "./", "a/../b"
    ['build/', 'build/out.js', true],
    ['/build', 'build/out.js', true],
    ['./build', 'build/out.js', true],
    ['tmp/../build', 'build/out.js', true],
    // "?" is one character but never "/"
    ['file?.txt', 'file1.txt', true],
    ['file?.txt', 'file10.txt', false],
    ['a?b', 'a/b', false],
    // "*" never crosses "/"
    ['src/*', 'src/a/b.js', true], // through the parent src/a
    ['*', 'anything/at/all', true],
    // "**" forms
    ['**', 'a/b/c', true],
    ['foo/**', 'foo/x', true],
    ['foo/**', 'foo', false],
    ['foo**', 'foobar/x', true],
    ['**/foo', 'foo', true],
    ['**/foo', 'a/b/foo', true],
    ['**/foo', 'a/xfoo', false],
    // character classes and escapes
    ['[ab].txt', 'a.txt', true],
    ['[ab].txt', 'c.txt', false],
    ['[^ab].txt', 'c.txt', true],
    ['\\*.txt', '*.txt', true],
    ['\\*.txt', 'a.txt', false],
    ['a.b', 'axb', false], // "." is literal
    ['a+b(c)', 'a+b(c)', true],
  ])('"%s" applied to %s: excluded %s', (pattern, path, excluded) => {
    expect(DockerIgnore.parse(pattern, '.dockerignore').excludes(path)).toBe(excluded);
  });

  test('comments, blank lines, surrounding spaces, CRLF and a BOM', () => {
    const ignore = DockerIgnore.parse(
      '\ufeff# a comment\r\n\r\n   *.log   \r\n  # not a comment (it does not start the line)\n',
      '.dockerignore',
    );
    expect(ignore.size).toBe(2);
    expect(ignore.excludes('a.log')).toBe(true);
    expect(ignore.excludes('# a comment')).toBe(false);
    expect(ignore.excludes('# not a comment (it does not start the line)')).toBe(true);
  });

  test('whitespace is trimmed as Go trims it: U+0085 and U+00A0 are trimmed, a BOM after the first line is kept', () => {
    // U+0085 (NEL) is White_Space to Go: Docker trims it, as JavaScript's trim() does not
    expect(DockerIgnore.parse('secret.txt\u0085\n', '.dockerignore').excludes('secret.txt')).toBe(true);
    expect(DockerIgnore.parse('\u00a0secret.txt\u3000\n', '.dockerignore').excludes('secret.txt')).toBe(true);
    // U+FEFF is not: Docker keeps it on any line but the first, so the pattern names another file
    const bom = DockerIgnore.parse('a.txt\n\ufeffsecret.txt\n', '.dockerignore');
    expect(bom.excludes('secret.txt')).toBe(false);
    expect(bom.excludes('\ufeffsecret.txt')).toBe(true);
    expect(DockerIgnore.parse('\ufeffsecret.txt\n', '.dockerignore').excludes('secret.txt')).toBe(true);
  });

  test('the matcher trims and cleans the read pattern again, with its "!"', () => {
    // "a/../ b" reads as " b" (cleaned after trimming); patternmatcher.New trims it to "b"
    expect(DockerIgnore.parse('a/../ b\n', '.dockerignore').excludes('b')).toBe(true);
    // "!a/../ b" reads as "! b": New trims the whole, keeps " b" (with its space) as the exclusion
    const negated = DockerIgnore.parse('*\n!a/../ b\n', '.dockerignore');
    expect(negated.excludes('b')).toBe(true);
    expect(negated.excludes(' b')).toBe(false);
  });

  test('the last matching pattern decides: negation re-includes, a later exclusion wins again', () => {
    const ignore = DockerIgnore.parse('*.log\n!keep.log\n', '.dockerignore');
    expect(ignore.excludes('a.log')).toBe(true);
    expect(ignore.excludes('keep.log')).toBe(false);
    expect(DockerIgnore.parse('!keep.log\n*.log\n', '.dockerignore').excludes('keep.log')).toBe(true);
    expect(DockerIgnore.parse('*.log\n! keep.log\n', '.dockerignore').excludes('keep.log')).toBe(false);
  });

  test('a negation re-includes a file below an excluded folder', () => {
    const ignore = DockerIgnore.parse('vendor\n!vendor/keep\n', '.dockerignore');
    expect(ignore.excludes('vendor/drop.txt')).toBe(true);
    expect(ignore.excludes('vendor/keep/file.txt')).toBe(false);
  });

  test('an excluded folder is pruned only when no negation could re-include something below it', () => {
    expect(DockerIgnore.parse('node_modules\n', '.dockerignore').canPrune('node_modules')).toBe(true);
    expect(DockerIgnore.parse('vendor\n!vendor/keep\n', '.dockerignore').canPrune('vendor')).toBe(false);
    expect(DockerIgnore.parse('vendor\n!vendor/keep\n', '.dockerignore').canPrune('node_modules')).toBe(true);
    expect(DockerIgnore.parse('vendor\n!*/keep\n', '.dockerignore').canPrune('vendor')).toBe(false);
    expect(DockerIgnore.parse('vendor\n!keep\n', '.dockerignore').canPrune('vendor')).toBe(true);
    expect(DockerIgnore.parse('vendor\n!**/keep\n', '.dockerignore').canPrune('vendor')).toBe(false);
  });

  test('"!" alone is an error naming the line', () => {
    expect(() => DockerIgnore.parse('a\n!\n', '/ctx/.dockerignore')).toThrow('/ctx/.dockerignore: line 2 is "!" alone');
  });

  test('a character class Docker cannot compile is an error naming the line and pattern, when Docker meets it', () => {
    // Docker compiles a pattern at its first use: the error comes with the first path it is tried on
    const ignore = DockerIgnore.parse('ok\n[z-a]\n', '.dockerignore');
    expect(() => ignore.excludes('x')).toThrow(
      /\.dockerignore: line 2 \("\[z-a\]"\) has a class range out of order, which Docker refuses/,
    );
    // a negation is tried only once something is excluded: until then it fails nothing
    expect(DockerIgnore.parse('![z-a]\n', '.dockerignore').excludes('x')).toBe(false);
  });

  test('syntax Go refuses when the file is read: an unclosed class, a trailing backslash', () => {
    for (const bad of ['[ab', 'a\\', '[]a]', '[a-]']) {
      expect(() => DockerIgnore.parse(`${bad}\n`, '.dockerignore')).toThrow(
        /is not a valid pattern \(Docker: "syntax error in pattern"\)/,
      );
    }
  });

  test('backslash escapes as Go regexp reads them', () => {
    expect(DockerIgnore.parse('a\\-b\n', '.dockerignore').excludes('a-b')).toBe(true);
    expect(DockerIgnore.parse('\\]\n', '.dockerignore').excludes(']')).toBe(true);
    expect(DockerIgnore.parse('x]\n', '.dockerignore').excludes('x]')).toBe(true); // a lone "]" is literal
    expect(DockerIgnore.parse('file\\d\n', '.dockerignore').excludes('file7')).toBe(true);
    expect(DockerIgnore.parse('\\a\n', '.dockerignore').excludes('a')).toBe(false); // "\\a" is the bell character
    expect(() => DockerIgnore.parse('\\\u00e9\n', '.dockerignore').excludes('x')).toThrow(
      /has "\\é", which Docker reads as a regular expression escape and refuses \("invalid escape sequence"\)/,
    );
    expect(() => DockerIgnore.parse('\\pL\n', '.dockerignore').excludes('x')).toThrow(/this library does not follow/);
  });

  test.each([
    ['a//b/../c/', 'a/c'],
    ['/a/./b', '/a/b'],
    ['../a', '../a'],
    ['/../a', '/a'],
    ['', '.'],
    ['./', '.'],
  ])('cleanPath("%s") is "%s" like Go filepath.Clean', (input, output) => {
    expect(cleanPath(input)).toBe(output);
  });
});
