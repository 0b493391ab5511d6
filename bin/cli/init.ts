import { randomUUID } from 'crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'path';
import { ReleaseStore } from 'cdktf-immutable/release';
import { optionValue, parseArgs } from './args';
import { CliError, EXIT_OK, EXIT_REFUSED } from './errors';
import type { CliIo } from './io';
import { PackageInfo, packageInfo } from './package-info';

export const INIT_USAGE =
  'Usage: cdktf-immutable init [dir] [--services <a,b>] [--force [--overwrite]] [--from <spec>]...\n' +
  `
Scaffolds an IaC repository in <dir> (default: the current folder): package.json that
depends on cdktf-immutable (the constructs) and, as a devDependency, cdktf-immutable-cli
(this command line), both at this version, with the peers pinned; cdktf.json running the
app through cdktf-immutable-cli/register; an images stack and one stack per environment
from src/config.ts, releases/<env>.json, jest tests (snapshots from fixture release
files), .gitignore, GitHub Actions workflows (.github/workflows: pull request, deploy on
merge, rollout timer) and the same for GitLab CI (.gitlab-ci.yml). Needs no network; run
"npm install" afterwards.

Options:
  --services <a,b>
                  the services (default: web): each one an AMI pipeline in the shared
                  images stack (images/install-<service>.yml) and a stack per
                  environment (<service>-<env>); with several, the release files are
                  releases/<service>/<env>.json and every release command takes
                  --fleet <service>. Lowercase letters, digits and "-", up to 20 characters
  --force         write into a folder that is not empty: new files are added, files equal
                  to the scaffold's are left alone, release files are kept; a file that
                  differs from the scaffold's is not overwritten: init lists them and
                  writes nothing
  --overwrite     with --force: overwrite the files that differ (listed); commit first
  --from <spec>   where package.json takes the two packages from (default: ^<this version>
                  for both); may be given twice:
                    a folder       both tarballs that "npm run pack" wrote into it
                                   (cdktf-immutable-<version>.tgz, cdktf-immutable-cli-<version>.tgz)
                    a tarball      the package it holds, told by its file name
                                   (cdktf-immutable-cli-*.tgz is the command line)
                    a version      a version or range, for both packages
                    a git URL      the constructs (a URL holds ":" or "/"); the command
                                   line stays at ^<this version>
                  A tarball is copied into the repository's vendor/ folder and package.json
                  depends on it there (file:vendor/<name>.tgz), so "npm ci" works in CI.
`;

/** The environments of the scaffold's src/config.ts: one release file each. */
export const SCAFFOLD_ENVIRONMENTS = ['dev', 'prod'];

/** Template files whose published names npm would drop or rename, and their names in the scaffold. */
const RENAMED: Record<string, string> = {
  gitignore: '.gitignore',
  github: '.github',
  'gitlab-ci.yml': '.gitlab-ci.yml',
};

/**
 * The peers and tools the scaffold pins, at the versions the construct package is built
 * and tested with (its package.json's devDependencies).
 */
const DEPENDENCIES = ['cdktf', 'constructs', '@cdktf/provider-aws'];
const DEV_DEPENDENCIES = ['cdktf-cli', 'ts-node', 'typescript', 'jest', 'ts-jest', '@types/jest', '@types/node'];

/** A service name of `--services`: a fleet name, a stack id prefix and part of AWS names (<service>-<env>). */
const SERVICE_NAME = /^[a-z](?:[a-z0-9-]{0,18}[a-z0-9])?$/;

/** `cdktf-immutable init [dir] [--services <a,b>] [--force [--overwrite]] [--from <spec>]` */
export function initCommand(argv: readonly string[], io: CliIo): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(INIT_USAGE);
    return EXIT_OK;
  }
  const args = parseArgs(argv, { values: ['services'], switches: ['force', 'overwrite'], lists: ['from'] }, 'init');
  const services = parseServices(optionValue(args, 'services'));
  if (args.positionals.length > 1) {
    throw new CliError(
      `init: expected at most one folder, got ${args.positionals.length} (${args.positionals.join(' ')}).`,
    );
  }
  const overwrite = args.options.has('overwrite');
  if (overwrite && !args.options.has('force')) {
    throw new CliError('init: --overwrite goes with --force (init --force --overwrite).');
  }
  const target = resolve(args.positionals[0] ?? '.');
  if (existsSync(target) && !statSync(target).isDirectory()) {
    throw new CliError(`init: ${target} is a file, not a folder; pass a folder to scaffold into.`);
  }
  const existing = existsSync(target) ? readdirSync(target).filter((name) => name !== '.git') : [];
  if (existing.length > 0 && !args.options.has('force')) {
    throw new CliError(
      `init: ${target} is not empty (${existing.slice(0, 5).join(', ')}${existing.length > 5 ? ', ...' : ''}); ` +
        `scaffold into an empty folder, or pass --force to add the scaffold's files to it.`,
      EXIT_REFUSED,
    );
  }

  const pkg = packageInfo();
  const manifest = libraryManifest(pkg);
  const vendored: Array<{ from: string; to: string }> = [];
  const spec = dependencySpecs(args.lists.get('from') ?? [], pkg, vendored);
  const templates = join(pkg.root, 'templates', 'init');
  if (!existsSync(templates)) {
    throw new CliError(`init: the templates are missing from ${templates}; reinstall ${pkg.name}.`);
  }

  // Every file of the scaffold, before anything is written: the templates, the vendored
  // tarballs, package.json and cdktf.json.
  const files = new Map<string, Buffer>();
  for (const file of templateFiles(templates)) {
    const to = file
      .split('/')
      .map((part, i) => (i === 0 && RENAMED[part]) || part)
      .join('/');
    files.set(to, readFileSync(join(templates, file)));
  }
  if (services !== undefined) {
    forServices(files, services);
  }
  for (const { from, to } of vendored) {
    files.set(to, readFileSync(from));
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
  const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
  files.set(
    'package.json',
    json({
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
    }),
  );
  files.set(
    'cdktf.json',
    json({
      language: 'typescript',
      app: `node --require ${pkg.name}/register main.ts`,
      output: 'cdktf.out',
      codeMakerOutput: '.gen',
      // a scaffold written again keeps the project's id
      projectId: existingProjectId(join(target, 'cdktf.json')) ?? randomUUID(),
      sendCrashReports: 'false',
      terraformProviders: [],
      terraformModules: [],
      context: {},
    }),
  );

  const same: string[] = [];
  const differ: string[] = [];
  for (const [file, content] of files) {
    const path = join(target, file);
    if (existsSync(path)) {
      (readFileSync(path).equals(content) ? same : differ).push(file);
    }
  }
  differ.sort();
  if (differ.length > 0 && !overwrite) {
    throw new CliError(
      `init: ${differ.length} file(s) of ${target} differ from the scaffold's: ${differ.join(', ')}. Nothing was ` +
        'written. Keep yours, or compare them with a scaffold in an empty folder and pass --force --overwrite ' +
        'to replace them (commit first).',
      EXIT_REFUSED,
    );
  }
  mkdirSync(target, { recursive: true });
  const written: string[] = [];
  for (const [file, content] of files) {
    if (same.includes(file)) {
      continue;
    }
    const path = join(target, file);
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, content);
    renameSync(tmp, path);
    written.push(file);
  }

  // Release files through the release store, as "release init" writes them; an existing
  // one (init --force over a repository) is a deployment record and is kept.
  // With several services, one folder per service (releases/<service>/<env>.json).
  const root = new ReleaseStore(join(target, 'releases'));
  const fleets = services !== undefined && services.length > 1 ? services : [undefined];
  const kept: string[] = [];
  for (const fleet of fleets) {
    const store = fleet === undefined ? root : root.select({ fleet }, true)[0];
    for (const env of SCAFFOLD_ENVIRONMENTS) {
      const file = `releases/${fleet === undefined ? '' : `${fleet}/`}${env}.json`;
      if (existsSync(store.pathOf(env))) {
        kept.push(file);
      } else {
        store.init(env);
        written.push(file);
      }
    }
  }
  const first = fleets[0] === undefined ? '' : ` --fleet ${fleets[0]}`;
  const firstStack = `${(services ?? ['web'])[0]}-dev`;

  const where = relative(process.cwd(), target) || '.';
  const from = `${pkg.library} from "${spec.library}", ${pkg.name} from "${spec.cli}"`;
  const notes = [
    same.length ? `${same.length} unchanged` : '',
    differ.length ? `overwritten: ${differ.join(', ')}` : '',
    kept.length ? `kept ${kept.join(', ')}` : '',
  ].filter(Boolean);
  io.out(`scaffolded ${target}: ${written.length} files${notes.length ? ` (${notes.join('; ')})` : ''}, ${from}.
Next:
${where === '.' ? '' : `  cd ${where}\n`}  export CHECKPOINT_DISABLE=1
  npm install
  npx cdktf synth
  npm test
  npx cdktf-immutable release stage dev${first} --image <ami-id>   then   npx cdktf-immutable deploy ${firstStack}
`);
  return EXIT_OK;
}

/** The projectId of an existing cdktf.json, if it has one. */
function existingProjectId(file: string): string | undefined {
  try {
    const id = (JSON.parse(readFileSync(file, 'utf8')) as { projectId?: unknown }).projectId;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
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
 * local tarball is added to `vendored` (copied to vendor/<name>) and becomes
 * `file:vendor/<name>`, so the repository holds what `npm ci` installs.
 */
function dependencySpecs(
  froms: readonly string[],
  pkg: PackageInfo,
  vendored: Array<{ from: string; to: string }>,
): DependencySpecs {
  const specs: { library?: string; cli?: string } = {};
  const set = (which: 'library' | 'cli', spec: string, from: string) => {
    if (specs[which] !== undefined) {
      const name = which === 'cli' ? pkg.name : pkg.library;
      throw new CliError(`init: --from ${from}: ${name} is already taken from "${specs[which]}"; give it once.`);
    }
    specs[which] = spec;
  };
  const local = (path: string) => {
    const to = `vendor/${basename(path)}`;
    vendored.push({ from: path, to });
    return `file:${to}`;
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

/** The services of `--services a,b` (undefined: the scaffold's one service, web); bad names are bad input. */
function parseServices(value: string | undefined): string[] | undefined {
  if (value === undefined) {
    return undefined;
  }
  const services = value.split(',').map((name) => name.trim());
  for (const name of services) {
    if (!SERVICE_NAME.test(name) || name === 'images' || name === 'vetoed') {
      throw new CliError(
        `init: --services "${value}": "${name}" is not a service name; use lowercase letters, digits and "-" ` +
          '(a letter first, up to 20 characters; not "images" or "vetoed"), e.g. --services web,api.',
      );
    }
  }
  const repeated = services.find((name, i) => services.indexOf(name) !== i);
  if (repeated !== undefined) {
    throw new CliError(`init: --services "${value}" names "${repeated}" twice; name each service once.`);
  }
  return services;
}

/**
 * The scaffold's files for `services` instead of the one service web: SERVICES in
 * src/config.ts, an image component per service (images/install-<service>.yml), the
 * deploy jobs of each service's stacks, and with several services the fixture release
 * files in one folder per service (test/fixtures/releases/<service>/<env>.json, naming
 * their fleet).
 */
function forServices(files: Map<string, Buffer>, services: readonly string[]): void {
  const text = (file: string) => {
    const content = files.get(file);
    if (content === undefined) {
      throw new Error(`init: the template ${file} is missing; reinstall the command line.`);
    }
    return content.toString('utf8');
  };
  const replace = (file: string, from: string, to: string) => {
    const before = text(file);
    if (!before.includes(from)) {
      throw new Error(`init: the template ${file} has no "${from.split('\n')[0]}"; reinstall the command line.`);
    }
    files.set(file, Buffer.from(before.split(from).join(to)));
  };
  replace(
    'src/config.ts',
    "export const SERVICES: readonly string[] = ['web'];",
    `export const SERVICES: readonly string[] = [${services.map((s) => `'${s}'`).join(', ')}];`,
  );
  const component = text('images/install-web.yml');
  files.delete('images/install-web.yml');
  for (const service of services) {
    files.set(
      `images/install-${service}.yml`,
      Buffer.from(component.replace('name: install-web', `name: install-${service}`)),
    );
  }
  const stacks = ['images', ...services.flatMap((s) => SCAFFOLD_ENVIRONMENTS.map((env) => `${s}-${env}`))];
  replace(
    'README.md',
    'Three stacks: `images`, `web-dev` and `web-prod`.',
    `Stacks: ${stacks.map((s) => `\`${s}\``).join(', ')}.`,
  );

  // GitHub: a dev job and a prod job per service (prod after its dev), all after images
  const deploy = text('.github/workflows/deploy.yml');
  const jobs = deploy.indexOf('\n  dev:\n');
  files.set(
    '.github/workflows/deploy.yml',
    Buffer.from(
      deploy.slice(0, jobs + 1) +
        services
          .map(
            (s) =>
              `  ${s}-dev:\n    needs: images\n    uses: ./.github/workflows/deploy-stack.yml\n    with:\n` +
              `      stack: ${s}-dev\n      environment: dev\n` +
              `  ${s}-prod:\n    needs: ${s}-dev\n    uses: ./.github/workflows/deploy-stack.yml\n    with:\n` +
              `      stack: ${s}-prod\n      environment: production\n`,
          )
          .join(''),
    ),
  );
  // GitLab: the deploy-dev and deploy-prod jobs once per service
  const gitlab = text('.gitlab-ci.yml');
  const start = gitlab.indexOf('\ndeploy-dev:\n') + 1;
  const end = gitlab.indexOf('\nrollout:\n') + 1;
  const perEnvironment = gitlab.slice(start, end);
  files.set(
    '.gitlab-ci.yml',
    Buffer.from(
      gitlab.slice(0, start) +
        services
          .map((s) =>
            perEnvironment
              .replace(/^deploy-(dev|prod):$/gm, `deploy-${s}-$1:`)
              .replace(/STACK: web-(dev|prod)$/gm, `STACK: ${s}-$1`),
          )
          .join('') +
        gitlab.slice(end),
    ),
  );

  if (services.length > 1) {
    for (const env of SCAFFOLD_ENVIRONMENTS) {
      const fixture = `test/fixtures/releases/${env}.json`;
      const { version, environment, ...rest } = JSON.parse(text(fixture)) as { version: number; environment: string };
      files.delete(fixture);
      for (const service of services) {
        files.set(
          `test/fixtures/releases/${service}/${env}.json`,
          Buffer.from(`${JSON.stringify({ version, environment, fleet: service, ...rest }, null, 2)}\n`),
        );
      }
    }
  }
}
