import { randomUUID } from 'crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'path';
import { ReleaseStore } from 'cdktf-immutable/release';
import { parseArgs } from './args';
import { CliError, EXIT_OK, EXIT_REFUSED } from './errors';
import type { CliIo } from './io';
import { PackageInfo, packageInfo } from './package-info';

export const INIT_USAGE = `Usage: cdktf-immutable init [dir] [--force] [--from <spec>]...

Scaffolds an IaC repository in <dir> (default: the current folder): package.json that
depends on cdktf-immutable (the constructs) and, as a devDependency, cdktf-immutable-cli
(this command line), both at this version, with the peers pinned; cdktf.json running the
app through cdktf-immutable-cli/register; an images stack and one stack per environment
from src/config.ts, releases/<env>.json, a jest snapshot test, .gitignore and
.github/workflows/pr.yml. Needs no network; run "npm install" afterwards.

Options:
  --force         write into a folder that is not empty (the scaffold's files are
                  overwritten; existing release files are kept)
  --from <spec>   where package.json takes the two packages from (default: ^<this version>
                  for both); may be given twice:
                    a folder       both tarballs that "npm run pack" wrote into it
                                   (cdktf-immutable-<version>.tgz, cdktf-immutable-cli-<version>.tgz)
                    a tarball      the package it holds, told by its file name
                                   (cdktf-immutable-cli-*.tgz is the command line)
                    a version      a version or range, for both packages
                    a git URL      the constructs (a URL holds ":" or "/"); the command
                                   line stays at ^<this version>
`;

/** The environments of the scaffold's src/config.ts: one release file each. */
export const SCAFFOLD_ENVIRONMENTS = ['dev', 'prod'];

/** Template files whose published names npm would drop or rename, and their names in the scaffold. */
const RENAMED: Record<string, string> = { gitignore: '.gitignore', github: '.github' };

/**
 * The peers and tools the scaffold pins, at the versions the construct package is built
 * and tested with (its package.json's devDependencies).
 */
const DEPENDENCIES = ['cdktf', 'constructs', '@cdktf/provider-aws'];
const DEV_DEPENDENCIES = ['cdktf-cli', 'ts-node', 'typescript', 'jest', 'ts-jest', '@types/jest', '@types/node'];

/** `cdktf-immutable init [dir] [--force] [--from <spec>]` */
export function initCommand(argv: readonly string[], io: CliIo): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(INIT_USAGE);
    return EXIT_OK;
  }
  const args = parseArgs(argv, { switches: ['force'], lists: ['from'] }, 'init');
  if (args.positionals.length > 1) {
    throw new CliError(
      `init: expected at most one folder, got ${args.positionals.length} (${args.positionals.join(' ')}).`,
    );
  }
  const target = resolve(args.positionals[0] ?? '.');
  if (existsSync(target) && !statSync(target).isDirectory()) {
    throw new CliError(`init: ${target} is a file, not a folder; pass a folder to scaffold into.`);
  }
  const existing = existsSync(target) ? readdirSync(target).filter((name) => name !== '.git') : [];
  if (existing.length > 0 && !args.options.has('force')) {
    throw new CliError(
      `init: ${target} is not empty (${existing.slice(0, 5).join(', ')}${existing.length > 5 ? ', ...' : ''}); ` +
        `scaffold into an empty folder, or pass --force to write the scaffold's files into it.`,
      EXIT_REFUSED,
    );
  }

  const pkg = packageInfo();
  const manifest = libraryManifest(pkg);
  const spec = dependencySpecs(args.lists.get('from') ?? [], target, pkg);
  const templates = join(pkg.root, 'templates', 'init');
  if (!existsSync(templates)) {
    throw new CliError(`init: the templates are missing from ${templates}; reinstall ${pkg.name}.`);
  }

  mkdirSync(target, { recursive: true });
  const written: string[] = [];
  const write = (file: string, content: string | Buffer) => {
    const path = join(target, file);
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, content);
    renameSync(tmp, path);
    written.push(file);
  };
  for (const file of templateFiles(templates)) {
    const to = file
      .split('/')
      .map((part, i) => (i === 0 && RENAMED[part]) || part)
      .join('/');
    const path = join(target, to);
    mkdirSync(dirname(path), { recursive: true });
    copyFileSync(join(templates, file), `${path}.${process.pid}.tmp`);
    renameSync(`${path}.${process.pid}.tmp`, path);
    written.push(to);
  }
  const pinned = (names: readonly string[]) =>
    Object.fromEntries(
      names.map((name) => {
        const version = manifest.devDependencies?.[name];
        if (!version) {
          throw new Error(
            `init: ${pkg.library}'s package.json has no devDependency "${name}" to pin; reinstall ${pkg.library}.`,
          );
        }
        return [name, version];
      }),
    );
  write(
    'package.json',
    `${JSON.stringify(
      {
        name: packageName(target),
        version: '0.1.0',
        private: true,
        scripts: {
          synth: 'cdktf synth',
          test: 'jest',
          typecheck: 'tsc -p tsconfig.json',
          preview: 'cdktf-immutable preview --base origin/main',
        },
        dependencies: { [pkg.library]: spec.library, ...pinned(DEPENDENCIES) },
        devDependencies: { [pkg.name]: spec.cli, ...pinned(DEV_DEPENDENCIES) },
      },
      null,
      2,
    )}\n`,
  );
  write(
    'cdktf.json',
    `${JSON.stringify(
      {
        language: 'typescript',
        app: `node --require ${pkg.name}/register main.ts`,
        output: 'cdktf.out',
        codeMakerOutput: '.gen',
        projectId: randomUUID(),
        sendCrashReports: 'false',
        terraformProviders: [],
        terraformModules: [],
        context: {},
      },
      null,
      2,
    )}\n`,
  );

  // Release files through the release store, as "release init" writes them; an existing
  // one (init --force over a repository) is a deployment record and is kept.
  const store = new ReleaseStore(join(target, 'releases'));
  const kept: string[] = [];
  for (const env of SCAFFOLD_ENVIRONMENTS) {
    if (existsSync(store.pathOf(env))) {
      kept.push(`releases/${env}.json`);
    } else {
      store.init(env);
      written.push(`releases/${env}.json`);
    }
  }

  const where = relative(process.cwd(), target) || '.';
  const from = `${pkg.library} from "${spec.library}", ${pkg.name} from "${spec.cli}"`;
  io.out(`scaffolded ${target}: ${written.length} files${kept.length ? ` (kept ${kept.join(', ')})` : ''}, ${from}.
Next:
${where === '.' ? '' : `  cd ${where}\n`}  export CHECKPOINT_DISABLE=1
  npm install
  npx cdktf synth
  npm test
  npx cdktf-immutable release stage dev --image <ami-id>   then   npx cdktf deploy web-dev
`);
  return EXIT_OK;
}

/** Files under `dir`, relative, with `/` separators, sorted. */
function templateFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      return entry.isDirectory() ? templateFiles(join(dir, entry.name), rel) : [rel];
    });
}

/** The construct package's package.json: its devDependencies are the versions the scaffold pins. */
function libraryManifest(pkg: PackageInfo): { devDependencies?: Record<string, string> } {
  let file: string;
  try {
    file = require.resolve(`${pkg.library}/package.json`, { paths: [pkg.root] });
  } catch {
    throw new CliError(`init: ${pkg.library} is not installed beside ${pkg.name}; reinstall ${pkg.name}.`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as { devDependencies?: Record<string, string> };
}

/** How the scaffold's package.json depends on the construct package and on the command line. */
interface DependencySpecs {
  readonly library: string;
  readonly cli: string;
}

/**
 * The dependency specs of the two packages from the `--from` values (see INIT_USAGE). A
 * local tarball becomes `file:` relative to the scaffold (so the repository can move).
 */
function dependencySpecs(froms: readonly string[], target: string, pkg: PackageInfo): DependencySpecs {
  const specs: { library?: string; cli?: string } = {};
  const set = (which: 'library' | 'cli', spec: string, from: string) => {
    if (specs[which] !== undefined) {
      const name = which === 'cli' ? pkg.name : pkg.library;
      throw new CliError(`init: --from ${from}: ${name} is already taken from "${specs[which]}"; give it once.`);
    }
    specs[which] = spec;
  };
  const local = (path: string) => {
    const rel = relative(target, path);
    return `file:${rel.startsWith('.') ? rel : `./${rel}`}`;
  };
  for (const from of froms) {
    const path = resolve(from.startsWith('file:') ? from.slice(5) : from);
    const looksLocal =
      from.startsWith('file:') || from.startsWith('.') || isAbsolute(from) || from.endsWith('.tgz') || existsSync(path);
    if (looksLocal && existsSync(path) && statSync(path).isDirectory()) {
      for (const [which, name] of [
        ['library', pkg.library],
        ['cli', pkg.name],
      ] as const) {
        const tarball = join(path, `${name}-${pkg.version}.tgz`);
        if (!existsSync(tarball)) {
          throw new CliError(
            `init: --from ${from}: ${tarball} does not exist; pass the folder "npm run pack" wrote both tarballs into.`,
          );
        }
        set(which, local(tarball), from);
      }
    } else if (looksLocal) {
      if (!existsSync(path)) {
        throw new CliError(
          `init: --from ${from}: ${path} does not exist; ` +
            'pass the tarball "npm pack" wrote, a folder of both tarballs, a git URL or a version range.',
        );
      }
      set(basename(path).startsWith(`${pkg.name}-`) ? 'cli' : 'library', local(path), from);
    } else if (/\s/.test(from)) {
      throw new CliError(
        `init: --from "${from}" contains spaces; pass a tarball path, a folder, a git URL or a version range.`,
      );
    } else if (/[:/]/.test(from)) {
      set('library', from, from);
    } else {
      set('library', from, from);
      set('cli', from, from);
    }
  }
  return { library: specs.library ?? `^${pkg.version}`, cli: specs.cli ?? `^${pkg.version}` };
}

/** An npm package name from the folder's name (lowercase, URL-safe). */
function packageName(target: string): string {
  const name = basename(target)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+/, '')
    .slice(0, 214);
  return name || 'infrastructure';
}
