import { readFileSync } from 'fs';
import { join, relative, resolve } from 'path';
import { sourceFiles } from '../support/source-files';

/**
 * State lives on constructs or in typed values, never in module-level registries: a
 * registry keyed by object identity or by token text outlives the app that filled it
 * (every resource of every synth stays alive in a jest worker or a long-running program)
 * and is shared by every app of the process.
 */
const ROOT = resolve(__dirname, '../..');
const ROOMS = ['lib/compute', 'lib/image', 'lib/immutability', 'lib/private'];

/** Module-level `let`s that are allowed, and why. */
const ALLOWED_LETS: Readonly<Record<string, string>> = {
  'lib/private/instance-type-names.ts known':
    'a lazily built set of the static instance type list: the same for every app, bounded, never keyed by an app',
};

interface Binding {
  readonly file: string;
  readonly name: string;
  readonly kind: string;
  readonly text: string;
}

function moduleLevelBindings(): Binding[] {
  return ROOMS.flatMap((room) => sourceFiles(join(ROOT, room))).flatMap((path) => {
    const text = readFileSync(path, 'utf8');
    const file = relative(ROOT, path);
    return [...text.matchAll(/^(?:export )?(const|let) (\w+)\b[^=\n;]*(?:=\s*([^\n]*))?/gm)].map((m) => {
      const created = /^new (WeakMap|WeakSet|Map|Set)\b/.exec(m[3] ?? '');
      return { file, name: m[2], kind: m[1] === 'let' ? 'let' : created ? `new ${created[1]}` : 'const', text };
    });
  });
}

describe('module-level state in lib/compute, lib/image, lib/immutability and lib/private', () => {
  const bindings = moduleLevelBindings();

  test('the scan finds the module-level bindings', () => {
    expect(bindings.length).toBeGreaterThan(50);
    expect(bindings).toContainEqual(expect.objectContaining({ name: 'IMMUTABLE_BY_TYPE', kind: 'new Map' }));
  });

  test('no module-level WeakMap or WeakSet', () => {
    expect(bindings.filter((b) => /Weak/.test(b.kind)).map((b) => `${b.file} ${b.name}`)).toEqual([]);
  });

  test('a module-level Map or Set is a constant table: nothing adds to it, deletes from it or clears it', () => {
    const mutated = bindings
      .filter((b) => b.kind === 'new Map' || b.kind === 'new Set')
      .filter((b) => new RegExp(`\\b${b.name}\\.(set|add|delete|clear)\\(`).test(b.text))
      .map((b) => `${b.file} ${b.name}`);
    expect(mutated).toEqual([]);
  });

  test('a module-level let is listed with its reason', () => {
    const lets = bindings.filter((b) => b.kind === 'let').map((b) => `${b.file} ${b.name}`);
    expect(lets.sort()).toEqual(Object.keys(ALLOWED_LETS).sort());
  });
});
