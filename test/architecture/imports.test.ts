import { readFileSync, statSync } from 'fs';
import { sourceFiles } from '../support/source-files';
import { dirname, join, relative, resolve } from 'path';

/**
 * The layout rules of ARCHITECTURE.md ("Which room may import which"), checked over the
 * source: each room keeps its own internals, imports run one way (down), lib/private
 * holds only leaves, no cycles, and the command line (bin/, the cdktf-immutable-cli
 * package) reaches the library only by its package name.
 */
const ROOT = resolve(__dirname, '../..');

/**
 * Rooms in dependency order: a room may import the public files of rooms before it.
 * `docker` (the `cdktf-immutable/docker` entry point) names Docker code of lib/image; it
 * sits above image so that nothing below it can reach @cdktf/provider-docker through it.
 */
const ROOM_ORDER = ['immutability', 'image', 'docker', 'compute', 'deploy'];
/** Rooms outside the order and the only lib/ folders each may import besides itself and lib/private leaves. */
const STANDALONE: Record<string, readonly string[]> = {
  release: [],
  review: ['immutability'],
  names: ['release'],
};

/** The library's entry points that the command line may import: none of them loads cdktf. */
const CLI_ENTRY_POINTS = ['cdktf-immutable/release', 'cdktf-immutable/review', 'cdktf-immutable/names'];

interface Import {
  readonly specifier: string;
  /** Project-relative path of the imported file, for relative imports and the package's own name. */
  readonly target?: string;
}

/** `cdktf-immutable` -> lib/index.ts, `cdktf-immutable/<entry>` -> lib/<entry>/index.ts (package.json "exports"). */
function ownPackageTarget(specifier: string): string | undefined {
  const match = /^cdktf-immutable(?:\/([a-z]+))?$/.exec(specifier);
  return match ? (match[1] ? `lib/${match[1]}/index.ts` : 'lib/index.ts') : undefined;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'/gms)].map((m) => m[1]);
  specifiers.push(...[...text.matchAll(/\brequire\('([^']+)'\)/g)].map((m) => m[1]));
  return specifiers.map((specifier) => {
    if (!specifier.startsWith('.')) {
      return { specifier, target: ownPackageTarget(specifier) };
    }
    const base = resolve(dirname(file), specifier);
    const candidates = [`${base}.ts`, join(base, 'index.ts')];
    const found = candidates.find((c) => {
      try {
        return statSync(c).isFile();
      } catch {
        return false;
      }
    });
    return { specifier, target: found ? relative(ROOT, found) : relative(ROOT, base) };
  });
}

const files = [...sourceFiles(join(ROOT, 'lib')), ...sourceFiles(join(ROOT, 'bin'))]
  .map((f) => relative(ROOT, f))
  .sort();
const graph = new Map(files.map((file) => [file, importsOf(join(ROOT, file))]));

/** `lib/<room>/...` -> room; `lib/private/...` -> 'private'; `lib/index.ts` -> ''. */
function roomOf(file: string): string | undefined {
  const parts = file.split('/');
  if (parts[0] !== 'lib') {
    return undefined;
  }
  return parts.length > 2 ? parts[1] : '';
}

function isInPrivate(file: string): boolean {
  return file.split('/').slice(2, -1).includes('private');
}

describe('layout', () => {
  test('the source tree was found', () => {
    expect(files.length).toBeGreaterThan(40);
    expect(files).toContain('lib/index.ts');
  });

  test('lib/private holds only leaves: it imports nothing from the rooms', () => {
    const bad = files
      .filter((f) => roomOf(f) === 'private')
      .flatMap((file) =>
        graph
          .get(file)!
          .filter((i) => i.target && roomOf(i.target) !== 'private')
          .map((i) => `${file} -> ${i.target}`),
      );
    expect(bad).toEqual([]);
  });

  test("no file imports another room's private folder", () => {
    const bad = files.flatMap((file) =>
      graph
        .get(file)!
        .filter((i) => i.target && isInPrivate(i.target) && roomOf(i.target) !== roomOf(file))
        .map((i) => `${file} -> ${i.target}`),
    );
    expect(bad).toEqual([]);
  });

  test('imports run one way: a room imports only rooms below it (and lib/private leaves)', () => {
    const bad: string[] = [];
    for (const file of files) {
      const room = roomOf(file);
      if (room === undefined || room === '' || room === 'private') {
        continue;
      }
      for (const i of graph.get(file)!) {
        const target = i.target && roomOf(i.target);
        if (target === undefined || target === room || target === 'private') {
          continue;
        }
        const allowed =
          room in STANDALONE
            ? STANDALONE[room]
            : ROOM_ORDER.slice(0, ROOM_ORDER.indexOf(room)).concat(room === 'deploy' ? ['release'] : []);
        if (!allowed.includes(target)) {
          bad.push(`${file} -> ${i.target}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  test('the release room loads nothing but aws-ids (the CLI never loads cdktf)', () => {
    const bad = files
      .filter((f) => roomOf(f) === 'release')
      .flatMap((file) =>
        graph
          .get(file)!
          .filter((i) =>
            i.target
              ? roomOf(i.target) !== 'release' && i.target !== 'lib/private/aws-ids.ts'
              : !['fs', 'path', 'os', 'crypto'].includes(i.specifier),
          )
          .map((i) => `${file} -> ${i.target ?? i.specifier}`),
      );
    expect(bad).toEqual([]);
  });

  test('bin/ imports the library by package name, only through entry points that load no cdktf, never by path', () => {
    const bin = files.filter((f) => f.startsWith('bin/'));
    const byPath = bin.flatMap((file) =>
      graph
        .get(file)!
        .filter((i) => i.specifier.startsWith('.') && i.target?.startsWith('lib/'))
        .map((i) => `${file} -> ${i.specifier}`),
    );
    const byName = bin.flatMap((file) =>
      graph
        .get(file)!
        .filter((i) => i.specifier.startsWith('cdktf-immutable'))
        .map((i) => i.specifier),
    );
    expect(byPath).toEqual([]);
    expect([...new Set(byName)].sort()).toEqual(CLI_ENTRY_POINTS.slice().sort());
    const entryPoints = CLI_ENTRY_POINTS.map((entry) => ownPackageTarget(entry)!);
    expect(entryPoints.every((file) => graph.has(file))).toBe(true);
  });

  test('the entry points the command line imports load neither cdktf nor constructs', () => {
    const loaded = (start: string): string[] => {
      const seen = new Set<string>();
      const found: string[] = [];
      const visit = (file: string): void => {
        if (seen.has(file)) {
          return;
        }
        seen.add(file);
        for (const i of graph.get(file) ?? []) {
          if (/^(cdktf|constructs|@cdktf\/)/.test(i.specifier) && !i.specifier.startsWith('cdktf-immutable')) {
            found.push(`${file} -> ${i.specifier}`);
          } else if (i.target) {
            visit(i.target);
          }
        }
      };
      visit(start);
      return found;
    };
    expect(CLI_ENTRY_POINTS.flatMap((entry) => loaded(ownPackageTarget(entry)!))).toEqual([]);
    // the check can fail: the main entry point loads cdktf
    expect(loaded('lib/index.ts')).not.toEqual([]);
  });

  test('there is no import cycle', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, stack: string[]): void => {
      if (state.get(file) === 'done') {
        return;
      }
      if (state.get(file) === 'open') {
        cycles.push([...stack.slice(stack.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const i of graph.get(file) ?? []) {
        if (i.target && graph.has(i.target)) {
          visit(i.target, [...stack, file]);
        }
      }
      state.set(file, 'done');
    };
    files.forEach((file) => visit(file, []));
    expect(cycles).toEqual([]);
  });

  test('every index.ts names its exports (no export *)', () => {
    const bad = files.filter((f) => f.endsWith('index.ts') && /export \*/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(bad).toEqual([]);
  });

  test('only lib/docker reaches @cdktf/provider-docker: the main entry point and every other index never load it', () => {
    const reaches = (start: string): string[] => {
      const seen = new Set<string>();
      const found: string[] = [];
      const visit = (file: string): void => {
        if (seen.has(file)) {
          return;
        }
        seen.add(file);
        for (const i of graph.get(file) ?? []) {
          if (i.specifier.startsWith('@cdktf/provider-docker')) {
            found.push(`${file} -> ${i.specifier}`);
          } else if (i.target) {
            visit(i.target);
          }
        }
      };
      visit(start);
      return found;
    };
    expect(reaches('lib/docker/index.ts')).not.toEqual([]);
    const entryPoints = files.filter(
      (f) => f.endsWith('index.ts') && f !== 'lib/docker/index.ts' && !f.startsWith('bin/'),
    );
    expect(entryPoints).toEqual(expect.arrayContaining(['lib/index.ts', 'lib/image/index.ts', 'lib/deploy/index.ts']));
    expect(entryPoints.flatMap(reaches)).toEqual([]);
    expect(files.filter((f) => f.startsWith('bin/')).flatMap(reaches)).toEqual([]);
  });

  test('provider resources are imported by deep path only', () => {
    const bad = files.flatMap((file) =>
      graph
        .get(file)!
        .filter((i) => /^@cdktf\/provider-[a-z]+$/.test(i.specifier))
        .map((i) => `${file} -> ${i.specifier}`),
    );
    expect(bad).toEqual([]);
  });
});
