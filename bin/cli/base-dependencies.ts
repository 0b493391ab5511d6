/**
 * The node_modules that `preview --base` synthesizes the base commit with: the base's own
 * dependencies, so that a pull request that upgrades cdktf-immutable, cdktf or a provider
 * previews what the upgrade changes.
 *
 * The base's package-lock.json is installed with `npm ci` into a cache folder keyed by the
 * hash of everything that install reads (the lockfile, package.json, .npmrc, the folders
 * the lockfile links, the tarballs it names, the platform), under
 * `$CDKTF_IMMUTABLE_CACHE/preview-deps/<hash>` (default `~/.cache/cdktf-immutable`), and
 * reused while that hash is unchanged. The base worktree's node_modules is a link to it.
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { homedir } from 'os';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'path';
import { CliError } from './errors';

/** The lockfiles `npm ci` installs from, in the order npm prefers them. */
const LOCKFILES = ['npm-shrinkwrap.json', 'package-lock.json'];

/** What the base worktree was given, and what to undo before the worktree is removed. */
export interface BaseDependencies {
  /** One line for stderr: where the base's dependencies come from. */
  readonly note: string;
  /** Symbolic links made inside the worktree (removed first, so that removing the worktree never follows them). */
  readonly links: readonly string[];
}

/** Where the base is checked out and where the working tree is. */
export interface BaseLayout {
  /** The base commit. */
  readonly commit: string;
  /** The root of the temporary worktree of the base. */
  readonly tree: string;
  /** The folder of cdktf.json inside that worktree. */
  readonly baseDir: string;
  /** The root of the repository's working tree. */
  readonly root: string;
  /** The folder of cdktf.json in the working tree. */
  readonly cwd: string;
  /** Makes the error to throw when a child process was stopped by `signal`. */
  readonly interrupted: (signal: string) => Error;
}

/** The cache root: `$CDKTF_IMMUTABLE_CACHE`, or `~/.cache/cdktf-immutable`. */
export function cacheRoot(): string {
  return process.env.CDKTF_IMMUTABLE_CACHE || join(homedir(), '.cache', 'cdktf-immutable');
}

/** The nearest folder from `from` up to `top` that holds a lockfile, and the lockfile's name. */
function findLockfile(from: string, top: string): { dir: string; file: string } | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = LOCKFILES.find((name) => existsSync(join(dir, name)));
    if (file) {
      return { dir, file };
    }
    if (dir === top || dirname(dir) === dir || relative(top, dir).startsWith('..')) {
      return undefined;
    }
  }
}

function readIfExists(path: string): Buffer | undefined {
  return existsSync(path) ? readFileSync(path) : undefined;
}

/** The folders the lockfile links (workspaces, `file:` folders) and the tarballs it installs from, relative to it. */
function lockfileInputs(lockfile: string, text: string): { links: string[]; tarballs: string[] } {
  let lock: { packages?: Record<string, { link?: boolean; resolved?: string }> };
  try {
    lock = JSON.parse(text);
  } catch (error) {
    throw new CliError(
      `preview --base: the base's ${lockfile} is not valid JSON (${(error as Error).message}); fix it on the base ` +
        'branch, or pass two synth outputs: preview <before> <after>.',
    );
  }
  const links: string[] = [];
  const tarballs: string[] = [];
  for (const [key, entry] of Object.entries(lock.packages ?? {})) {
    const installed = key.startsWith('node_modules/') || key.includes('/node_modules/');
    if (key !== '' && !installed) {
      links.push(key);
    } else if (installed && !entry?.link && typeof entry?.resolved === 'string') {
      const resolved = entry.resolved;
      if (resolved.startsWith('file:')) {
        tarballs.push(resolved.slice('file:'.length));
      }
    }
  }
  return { links: links.sort(), tarballs: [...new Set(tarballs)].sort() };
}

function escapes(path: string): boolean {
  return isAbsolute(path) || normalize(path).split(sep)[0] === '..';
}

/**
 * Gives the base worktree its dependencies: the working tree's node_modules when the base
 * has the same lockfile and package.json and links no folder; else the base's lockfile
 * installed into the cache (or, for a lockfile that links folders outside its own, into
 * the worktree itself). Without a lockfile in the base, the working tree's node_modules,
 * with a note that a dependency change does not show.
 */
export function provideBaseDependencies(layout: BaseLayout): BaseDependencies {
  const { tree, baseDir, root } = layout;
  const found = findLockfile(baseDir, tree);
  if (!found) {
    return {
      note:
        `preview: note: the base has no package-lock.json; it is synthesized with the working tree's node_modules, ` +
        'so a change of dependencies does not show.\n',
      links: linkWorkingTree(layout),
    };
  }
  const lockRel = relative(tree, found.dir);
  const lockText = readFileSync(join(found.dir, found.file), 'utf8');
  const inputs = lockfileInputs(found.file, lockText);
  const working = join(root, lockRel);
  if (
    inputs.links.length === 0 &&
    existsSync(join(working, 'node_modules')) &&
    readIfExists(join(working, found.file))?.toString('utf8') === lockText &&
    readIfExists(join(working, 'package.json'))?.equals(
      readIfExists(join(found.dir, 'package.json')) ?? Buffer.alloc(0),
    )
  ) {
    return {
      note:
        `preview: the base has the working tree's ${found.file}: it is synthesized with the working tree's ` +
        'node_modules.\n',
      links: link(join(working, 'node_modules'), join(found.dir, 'node_modules')),
    };
  }
  const treeIds = inputs.links.map((target) => {
    const id = escapes(target) ? undefined : gitTreeId(tree, layout.commit, join(lockRel, target).split(sep).join('/'));
    return { target, id };
  });
  if (treeIds.some(({ id }) => id === undefined)) {
    // A linked folder outside the lockfile's folder, or not in git: install in place, uncached.
    npmCi(found.dir, layout, found.file);
    return {
      note:
        `preview: installed the base's ${found.file} in its worktree (npm ci; not cached: it links a folder ` +
        'outside its own folder or outside git).\n',
      links: [],
    };
  }
  const hash = createHash('sha256');
  const add = (label: string, content: Buffer | string | undefined) => {
    hash.update(`${label}\u0000${content === undefined ? '-' : createHash('sha256').update(content).digest('hex')}\n`);
  };
  add('format', 'cdktf-immutable preview-deps 1');
  add('platform', `${process.platform}-${process.arch}-node-abi-${process.versions.modules}`);
  add(found.file, lockText);
  add('package.json', readIfExists(join(found.dir, 'package.json')));
  add('.npmrc', readIfExists(join(found.dir, '.npmrc')));
  treeIds.forEach(({ target, id }) => add(`link ${target}`, id));
  inputs.tarballs.forEach((tarball) => add(`tarball ${tarball}`, readIfExists(join(found.dir, tarball))));
  const key = hash.digest('hex').slice(0, 32);
  const dir = join(cacheRoot(), 'preview-deps', key);
  let how: string;
  if (existsSync(join(dir, '.complete'))) {
    how = `reused ${dir}`;
  } else {
    installIntoCache(dir, found, inputs, layout);
    how = `installed into ${dir} (npm ci)`;
  }
  return {
    note: `preview: the base's dependencies (its ${found.file}): ${how}.\n`,
    links: link(join(dir, 'node_modules'), join(found.dir, 'node_modules')),
  };
}

/** The git tree id of a folder at a commit, or undefined when the folder is not in git there. */
function gitTreeId(cwd: string, commit: string, path: string): string | undefined {
  const result = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${commit}:${path}`], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/**
 * `npm ci` in a staging folder next to `dir` that holds what the install reads, then the
 * folder renamed to `dir` (with a `.complete` mark), so that a cache folder is whole or
 * absent; two previews installing the same hash at once both succeed.
 */
function installIntoCache(
  dir: string,
  found: { dir: string; file: string },
  inputs: { links: string[]; tarballs: string[] },
  layout: BaseLayout,
): void {
  const staging = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  try {
    for (const file of [found.file, 'package.json', '.npmrc']) {
      if (existsSync(join(found.dir, file))) {
        cpSync(join(found.dir, file), join(staging, file));
      }
    }
    for (const target of inputs.links) {
      cpSync(join(found.dir, target), join(staging, target), {
        recursive: true,
        filter: (source) => !/[\\/](node_modules|\.git)$/.test(source),
      });
    }
    for (const tarball of inputs.tarballs) {
      if (!escapes(tarball) && existsSync(join(found.dir, tarball))) {
        mkdirSync(dirname(join(staging, tarball)), { recursive: true });
        cpSync(join(found.dir, tarball), join(staging, tarball));
      }
    }
    npmCi(staging, layout, found.file);
    writeFileSync(
      join(staging, '.complete'),
      `${JSON.stringify({ commit: layout.commit, installedAt: new Date().toISOString() })}\n`,
    );
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another preview finished the same install first: use its folder.
      if (!existsSync(join(dir, '.complete'))) {
        throw error;
      }
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function npmCi(cwd: string, layout: BaseLayout, lockfile: string): void {
  const result = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
    shell: process.platform === 'win32',
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  if (result.signal || result.status === 130 || result.status === 143) {
    throw layout.interrupted(result.signal ?? 'SIGINT');
  }
  if (result.error || result.status !== 0) {
    const tail = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new CliError(
      `preview --base: installing the base's ${lockfile} (npm ci) failed ` +
        `(${result.error ? result.error.message : `exit ${result.status}`})${tail ? `:\n${tail}` : '.'}\n` +
        'The base is synthesized with its own dependencies; check that the registry is reachable and the lockfile ' +
        'is valid on the base branch, or pass two synth outputs: preview <before> <after>.',
    );
  }
}

/** The working tree's node_modules linked into the worktree (the project's and the repository root's). */
function linkWorkingTree(layout: BaseLayout): string[] {
  return [
    ...link(join(layout.cwd, 'node_modules'), join(layout.baseDir, 'node_modules')),
    ...link(join(layout.root, 'node_modules'), join(layout.tree, 'node_modules')),
  ];
}

/** Links `to` to `from` when `from` exists and `to` does not; the links made. */
function link(from: string, to: string): string[] {
  if (existsSync(from) && existsSync(dirname(to)) && !existsSync(to)) {
    symlinkSync(from, to, 'junction');
    return [to];
  }
  return [];
}
