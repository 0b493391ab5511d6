import { readFileSync } from 'fs';
import { sourceFiles } from '../support/source-files';
import { join, resolve } from 'path';

/** The public API is deliberate: lib/index.ts, the README's API section and the runtime exports agree. */
const ROOT = resolve(__dirname, '../..');

/** Names of `export { … }` / `export type { … }` statements in an index file. */
function exportedNames(file: string): { values: string[]; types: string[] } {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const values: string[] = [];
  const types: string[] = [];
  for (const m of text.matchAll(/export (type )?\{([^}]*)\}/g)) {
    const names = m[2]
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    (m[1] ? types : values).push(...names);
  }
  return { values, types };
}

/** The README's API section: each bold room heading with the backticked names under it. */
function readmeGroups(): Map<string, string[]> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = /\n## API\n([\s\S]*?)\n## /.exec(readme);
  if (!section) {
    throw new Error('README.md has no "## API" section');
  }
  const groups = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of section[1].split('\n')) {
    const heading = /^- \*\*(.+)\*\*$/.exec(line);
    if (heading) {
      current = [];
      groups.set(heading[1], current);
    } else if (current && /^ {2}- /.test(line)) {
      current.push(...[...line.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)`/g)].map((m) => m[1]));
    } else if (line.trim() === '') {
      current = undefined;
    }
  }
  return groups;
}

const sorted = (names: Iterable<string>) => [...names].sort();

describe('public API', () => {
  const index = exportedNames('lib/index.ts');
  const all = [...index.values, ...index.types];

  test('lib/index.ts names each export once', () => {
    expect(all.length).toBeGreaterThan(100);
    expect(new Set(all).size).toBe(all.length);
  });

  test("the README's API section lists exactly the names of lib/index.ts (and, in their own groups, of cdktf-immutable/docker and /names)", () => {
    const listed = [...readmeGroups()]
      .filter(([heading]) => !heading.includes('cdktf-immutable/docker') && !heading.includes('cdktf-immutable/names'))
      .flatMap(([, names]) => names);
    expect(sorted(listed)).toEqual(sorted(all));
  });

  test('the Docker names are exported by cdktf-immutable/docker only, never by the main entry point', () => {
    const docker = exportedNames('lib/docker/index.ts');
    const names = [...docker.values, ...docker.types];
    expect(names).toEqual(expect.arrayContaining(['DockerImagePipeline', 'DockerImageSource', 'hashDockerContext']));
    expect(all.filter((name) => names.includes(name))).toEqual([]);
  });

  test.each([
    ['release', 'lib/release/index.ts'],
    ['review', 'lib/review/index.ts'],
    ['docker', 'lib/docker/index.ts'],
    ['names', 'lib/names/index.ts'],
  ])('the README lists the cdktf-immutable/%s subpath with the names of its index', (room, file) => {
    const group = [...readmeGroups()].find(([heading]) => heading.includes(`cdktf-immutable/${room}`));
    expect(group).toBeDefined();
    const names = exportedNames(file);
    expect(sorted(group![1])).toEqual(sorted([...names.values, ...names.types]));
  });

  test('at run time the package exports exactly the value names of lib/index.ts', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const runtime = Object.keys(require('../../lib') as object).filter((k) => k !== '__esModule');
    expect(sorted(runtime)).toEqual(sorted(index.values));
  });

  test('no exported name is declared @internal or lives in a private folder', () => {
    const leaks: string[] = [];
    for (const file of sourceFiles(join(ROOT, 'lib'))) {
      const text = readFileSync(file, 'utf8');
      for (const name of all) {
        const declaration = new RegExp(
          `(/\\*\\*(?:(?!\\*/)[\\s\\S])*\\*/\\s*)?export (?:declare )?(?:abstract )?(?:class|interface|type|function|const|enum) ${name}\\b`,
        ).exec(text);
        if (!declaration) {
          continue;
        }
        if (declaration[1]?.includes('@internal')) {
          leaks.push(`${name} is @internal in ${file}`);
        }
        if (
          /[\\/]private[\\/]/.test(file.slice(ROOT.length)) &&
          !['ValidationError', 'suppressCheckov'].includes(name)
        ) {
          leaks.push(`${name} is declared in a private folder: ${file}`);
        }
      }
    }
    expect(leaks).toEqual([]);
  });
});
