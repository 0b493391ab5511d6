import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { hashDockerContext } from '../../lib/docker';
import { ValidationError } from '../../lib/private/validation';

type Files = Record<string, string | { readonly content: string; readonly mode: number }>;

const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A context folder in the temp dir, files created in the given order. */
function context(files: Files, order: string[] = Object.keys(files)): string {
  const dir = mkdtempSync(join(tmpdir(), 'cdktf-immutable-ctx-'));
  made.push(dir);
  for (const name of order) {
    const file = join(dir, ...name.split('/'));
    mkdirSync(dirname(file), { recursive: true });
    const spec = files[name];
    writeFileSync(file, typeof spec === 'string' ? spec : spec.content);
    chmodSync(file, typeof spec === 'string' ? 0o644 : spec.mode);
  }
  return dir;
}

const BASE: Files = {
  Dockerfile: 'FROM alpine:3.20\nCOPY . /app\n',
  '.dockerignore': '# build output\nnode_modules\n**/*.log\n!keep.log\n',
  'src/index.js': 'console.log("hello");\n',
  'src/lib/util.js': 'module.exports = 1;\n',
  'run.sh': { content: '#!/bin/sh\nexec node src/index.js\n', mode: 0o755 },
  'keep.log': 'kept\n',
};

describe('hashDockerContext', () => {
  test('returns a SHA-256 and the sorted, "/"-separated list of hashed files', () => {
    const result = hashDockerContext(context(BASE));
    expect(result.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(result.files).toEqual([
      '.dockerignore',
      'Dockerfile',
      'keep.log',
      'run.sh',
      'src/index.js',
      'src/lib/util.js',
    ]);
  });

  test('is stable when the files are created in another order', () => {
    const names = Object.keys(BASE);
    expect(hashDockerContext(context(BASE, [...names].reverse())).hash).toBe(
      hashDockerContext(context(BASE, names)).hash,
    );
  });

  test('is stable under touch (modification and access times are ignored)', () => {
    const dir = context(BASE);
    const before = hashDockerContext(dir).hash;
    for (const name of Object.keys(BASE)) {
      utimesSync(join(dir, name), new Date('2001-02-03T04:05:06Z'), new Date('2031-02-03T04:05:06Z'));
    }
    utimesSync(join(dir, 'src'), new Date(0), new Date(0));
    expect(hashDockerContext(dir).hash).toBe(before);
  });

  test('changes after a one-byte change of one file', () => {
    const before = hashDockerContext(context(BASE)).hash;
    expect(hashDockerContext(context({ ...BASE, 'src/lib/util.js': 'module.exports = 2;\n' })).hash).not.toBe(before);
  });

  test('changes when the executable bit changes, and only the execute bit counts', () => {
    const before = hashDockerContext(context(BASE)).hash;
    expect(
      hashDockerContext(context({ ...BASE, 'run.sh': { content: '#!/bin/sh\nexec node src/index.js\n', mode: 0o644 } }))
        .hash,
    ).not.toBe(before);
    // other permission bits are not part of the hash
    expect(
      hashDockerContext(context({ ...BASE, 'run.sh': { content: '#!/bin/sh\nexec node src/index.js\n', mode: 0o700 } }))
        .hash,
    ).toBe(before);
  });

  test('changes when a file is renamed, added or removed', () => {
    const before = hashDockerContext(context(BASE)).hash;
    const { 'src/index.js': index, ...rest } = BASE;
    expect(hashDockerContext(context({ ...rest, 'src/main.js': index })).hash).not.toBe(before);
    expect(hashDockerContext(context({ ...BASE, 'src/new.js': '' })).hash).not.toBe(before);
    expect(hashDockerContext(context(rest)).hash).not.toBe(before);
  });

  test('is unaffected by files that .dockerignore excludes', () => {
    const before = hashDockerContext(context(BASE)).hash;
    const withIgnored = context({
      ...BASE,
      'node_modules/left-pad/index.js': 'x',
      'src/debug.log': 'noise',
      'error.log': 'noise',
    });
    expect(hashDockerContext(withIgnored)).toEqual(hashDockerContext(context(BASE)));
    expect(hashDockerContext(withIgnored).hash).toBe(before);
  });

  test('ignores empty folders', () => {
    const dir = context(BASE);
    const before = hashDockerContext(dir).hash;
    mkdirSync(join(dir, 'empty', 'nested'), { recursive: true });
    expect(hashDockerContext(dir).hash).toBe(before);
  });

  test('always hashes the Dockerfile and .dockerignore, even when .dockerignore excludes them', () => {
    const files: Files = { ...BASE, '.dockerignore': 'Dockerfile\n.dockerignore\n' };
    const result = hashDockerContext(context(files));
    expect(result.files).toEqual(expect.arrayContaining(['Dockerfile', '.dockerignore']));
    expect(hashDockerContext(context({ ...files, Dockerfile: 'FROM alpine:3.21\nCOPY . /app\n' })).hash).not.toBe(
      result.hash,
    );
    expect(
      hashDockerContext(context({ ...files, '.dockerignore': 'Dockerfile\n.dockerignore\n# new comment\n' })).hash,
    ).not.toBe(result.hash);
  });

  test('hashes a Dockerfile in a sub-folder given by the dockerfile option', () => {
    const dir = context({ ...BASE, 'docker/app.Dockerfile': 'FROM scratch\n', '.dockerignore': 'docker\n' });
    const result = hashDockerContext(dir, { dockerfile: 'docker/app.Dockerfile' });
    expect(result.files).toContain('docker/app.Dockerfile');
  });

  test('re-includes a file under an excluded folder with a negation', () => {
    const dir = context({
      ...BASE,
      '.dockerignore': 'vendor\n!vendor/keep/me.txt\n',
      'vendor/keep/me.txt': 'a',
      'vendor/drop.txt': 'b',
    });
    expect(hashDockerContext(dir).files).toEqual([
      '.dockerignore',
      'Dockerfile',
      'keep.log',
      'run.sh',
      'src/index.js',
      'src/lib/util.js',
      'vendor/keep/me.txt',
    ]);
  });

  test('hashes a symbolic link by its target text without following it', () => {
    const dir = context(BASE);
    symlinkSync('src/index.js', join(dir, 'link.js'));
    const withLink = hashDockerContext(dir);
    expect(withLink.files).toContain('link.js');
    writeFileSync(join(dir, 'src/index.js'), 'changed');
    const targetChanged = hashDockerContext(dir);
    rmSync(join(dir, 'link.js'));
    symlinkSync('src/lib/util.js', join(dir, 'link.js'));
    expect(hashDockerContext(dir).hash).not.toBe(targetChanged.hash);
    expect(targetChanged.hash).not.toBe(withLink.hash); // the target file itself is hashed as a file
  });

  test('works without a .dockerignore', () => {
    const { '.dockerignore': _ignore, ...files } = BASE;
    const result = hashDockerContext(context({ ...files, 'error.log': 'x' }));
    expect(result.files).toContain('error.log');
    expect(result.files).not.toContain('.dockerignore');
  });

  test('names the folder when the context does not exist', () => {
    expect(() => hashDockerContext('/nonexistent/context')).toThrow(
      'hashDockerContext: contextDir ("/nonexistent/context") does not exist; pass the folder that holds the Dockerfile',
    );
  });

  test('rejects a file as context', () => {
    const dir = context(BASE);
    expect(() => hashDockerContext(join(dir, 'Dockerfile'))).toThrow(/contextDir \(".*Dockerfile"\) is not a folder/);
  });

  test('names the Dockerfile when it is missing', () => {
    const { Dockerfile: _dockerfile, ...files } = BASE;
    expect(() => hashDockerContext(context(files))).toThrow(
      /dockerfile \("Dockerfile"\) does not exist in the context folder .*; create it/,
    );
  });

  test('rejects a Dockerfile outside the context or given as an absolute path', () => {
    const dir = context(BASE);
    expect(() => hashDockerContext(dir, { dockerfile: '../Dockerfile' })).toThrow(
      'hashDockerContext: dockerfile ("../Dockerfile") is outside the context folder',
    );
    expect(() => hashDockerContext(dir, { dockerfile: join(dir, 'Dockerfile') })).toThrow(
      /must be a path relative to the context folder/,
    );
  });

  test('reports every error as a ValidationError', () => {
    expect(() => hashDockerContext('/nonexistent/context')).toThrow(ValidationError);
    expect(() => hashDockerContext(context({ ...BASE, '.dockerignore': '[z-a]\n' }))).toThrow(ValidationError);
  });

  test('rejects a .dockerignore line that is "!" alone, naming the line', () => {
    expect(() => hashDockerContext(context({ ...BASE, '.dockerignore': '*.log\n!\n' }))).toThrow(
      /\.dockerignore: line 2 is "!" alone/,
    );
  });
});
