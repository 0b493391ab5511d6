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
import { ReleaseStore } from '../../lib/release/release-store';
import { optionValue, parseArgs } from './args';
import { CliError, EXIT_OK, EXIT_REFUSED } from './errors';
import type { CliIo } from './io';
import { packageInfo } from './package-info';

export const INIT_USAGE = `Usage: cdktf-immutable init [dir] [--force] [--from <spec>]

Scaffolds an IaC repository in <dir> (default: the current folder): package.json with
the peers pinned, cdktf.json running the app through cdktf-immutable/register, an images
stack and one stack per environment from src/config.ts, releases/<env>.json, a jest
snapshot test, .gitignore and .github/workflows/pr.yml. Needs no network; run
"npm install" afterwards.

Options:
  --force         write into a folder that is not empty (the scaffold's files are
                  overwritten; existing release files are kept)
  --from <spec>   how package.json depends on cdktf-immutable: a tarball path (from
                  "npm pack"), a git URL or a version range (default: ^<this version>)
`;

/** The environments of the scaffold's src/config.ts: one release file each. */
export const SCAFFOLD_ENVIRONMENTS = ['dev', 'prod'];

/** Template files whose published names npm would drop or rename, and their names in the scaffold. */
const RENAMED: Record<string, string> = { gitignore: '.gitignore', github: '.github' };

/** The peers and tools the scaffold pins, at this package's own (tested) versions. */
const DEPENDENCIES = ['cdktf', 'constructs', '@cdktf/provider-aws'];
const DEV_DEPENDENCIES = ['cdktf-cli', 'ts-node', 'typescript', 'jest', 'ts-jest', '@types/jest', '@types/node'];

/** `cdktf-immutable init [dir] [--force] [--from <spec>]` */
export function initCommand(argv: readonly string[], io: CliIo): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(INIT_USAGE);
    return EXIT_OK;
  }
  const args = parseArgs(argv, { switches: ['force'], values: ['from'] }, 'init');
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
      `init: ${target} is not empty (${existing.slice(0, 5).join(', ')}${existing.length > 5 ? ', ...' : ''}); scaffold into an empty folder, or pass --force to write the scaffold's files into it.`,
      EXIT_REFUSED,
    );
  }

  const pkg = packageInfo();
  const manifest = JSON.parse(readFileSync(join(pkg.root, 'package.json'), 'utf8')) as {
    devDependencies?: Record<string, string>;
  };
  const spec = dependencySpec(optionValue(args, 'from'), target, pkg.version);
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
            `init: ${pkg.name}'s package.json has no devDependency "${name}" to pin; reinstall ${pkg.name}.`,
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
        dependencies: { [pkg.name]: spec, ...pinned(DEPENDENCIES) },
        devDependencies: pinned(DEV_DEPENDENCIES),
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
  io.out(`scaffolded ${target}: ${written.length} files${kept.length ? ` (kept ${kept.join(', ')})` : ''}, ${pkg.name} from "${spec}".
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

/**
 * The dependency spec of cdktf-immutable: a local tarball or folder becomes `file:` relative
 * to the scaffold (so the repository can move), anything else (a git URL, a range) is kept.
 */
function dependencySpec(from: string | undefined, target: string, version: string): string {
  if (from === undefined) {
    return `^${version}`;
  }
  const local = from.startsWith('file:') ? from.slice(5) : from;
  const looksLocal = from.startsWith('file:') || from.startsWith('.') || isAbsolute(from) || from.endsWith('.tgz');
  if (looksLocal) {
    const path = resolve(local);
    if (!existsSync(path)) {
      throw new CliError(
        `init: --from ${from}: ${path} does not exist; pass the tarball "npm pack" wrote, a git URL or a version range.`,
      );
    }
    const rel = relative(target, path);
    return `file:${rel.startsWith('.') ? rel : `./${rel}`}`;
  }
  if (/\s/.test(from)) {
    throw new CliError(`init: --from "${from}" contains spaces; pass a tarball path, a git URL or a version range.`);
  }
  return from;
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
