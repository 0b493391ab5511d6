import { createHash, Hash } from 'crypto';
import { closeSync, Dirent, fstatSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, statSync } from 'fs';
import { join, resolve } from 'path';
import { dockerfileInContext } from '../private/docker-files';
import { DockerIgnore } from '../private/dockerignore';

/** Options of {@link hashDockerContext}. */
export interface DockerContextHashOptions {
  /**
   * Path of the Dockerfile, relative to the context folder. It is always hashed, even
   * when `.dockerignore` excludes it (Docker always sends it to the builder).
   * @default 'Dockerfile'
   */
  readonly dockerfile?: string;
}

/** The result of {@link hashDockerContext}. */
export interface DockerContextHash {
  /** Lowercase hex SHA-256 of the context (64 characters). */
  readonly hash: string;
  /**
   * Every file and symbolic link that was hashed: paths relative to the context with
   * `/` separators, Unicode NFC, sorted. The Dockerfile and `.dockerignore` are always
   * in it.
   */
  readonly files: readonly string[];
}

/** Bumped when the hashed form changes, so that old and new hashes never mix. */
const FORMAT = 'cdktf-immutable docker context v1\n';
const CHUNK = 1 << 20;

/**
 * Hashes a Docker build context the way `docker build` sees it: every file that
 * `.dockerignore` (at the context root) does not exclude, plus the Dockerfile and the
 * `.dockerignore` itself.
 *
 * The hash covers, for each entry in sorted order, its relative path (`/` separators,
 * Unicode NFC), whether it is executable (any execute bit) and its bytes; symbolic
 * links are hashed by their target text and never followed. Modification times,
 * owners, other permission bits, the order in which files were created and empty
 * directories do not count, so the hash is the same on every machine that checked out
 * the same commit (on Windows, which has no execute bit, executables hash as plain files).
 *
 * Synchronous and single-pass: one directory listing per folder (no per-file stat), and
 * one open / fstat / read / close per file into a shared buffer feeding one SHA-256.
 * Excluded folders are not read unless a `!` pattern could re-include something in them.
 *
 * @param contextDir the build context folder
 * @throws when the folder, the Dockerfile or a `.dockerignore` pattern is invalid
 */
export function hashDockerContext(contextDir: string, options: DockerContextHashOptions = {}): DockerContextHash {
  const root = resolve(contextDir);
  const rootStat = statOrUndefined(root);
  if (!rootStat || !rootStat.isDirectory()) {
    throw new Error(`hashDockerContext: contextDir ("${contextDir}") ${rootStat ? 'is not a folder' : 'does not exist'}; pass the folder that holds the Dockerfile and the files it copies.`);
  }
  const dockerfile = dockerfileInContext(root, options.dockerfile ?? 'Dockerfile', 'hashDockerContext: dockerfile');
  const ignorePath = join(root, '.dockerignore');
  const ignoreStat = statOrUndefined(ignorePath);
  const ignore = ignoreStat?.isFile() ? DockerIgnore.parse(readFileSync(ignorePath, 'utf8'), ignorePath) : DockerIgnore.EMPTY;

  const entries = new Map<string, Entry>(); // normalised relative path -> entry
  walk(root, '', undefined, ignore, entries);
  // Docker always sends these two, whatever .dockerignore says.
  for (const always of ignoreStat?.isFile() ? [dockerfile, '.dockerignore'] : [dockerfile]) {
    if (!entries.has(always)) {
      const abs = join(root, ...always.split('/'));
      entries.set(always, { abs, link: lstatSync(abs).isSymbolicLink() });
    }
  }

  const files = [...entries.keys()].sort();
  const hash = createHash('sha256');
  hash.update(FORMAT);
  const buffer = Buffer.allocUnsafe(CHUNK);
  for (const file of files) {
    hashEntry(hash, file, entries.get(file)!, buffer);
  }
  return { hash: hash.digest('hex'), files };
}

interface Entry {
  readonly abs: string;
  readonly link: boolean;
}

function walk(dir: string, relDir: string, parentMatches: readonly boolean[] | undefined, ignore: DockerIgnore, out: Map<string, Entry>): void {
  let dirents: Dirent[];
  try {
    dirents = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new Error(`hashDockerContext: cannot read folder ${dir} (${(error as Error).message}).`);
  }
  for (const dirent of dirents) {
    const name = dirent.name.normalize('NFC');
    const rel = relDir === '' ? name : `${relDir}/${name}`;
    const abs = join(dir, dirent.name);
    const matches = ignore.size === 0 ? undefined : ignore.matchesWithParents(rel, parentMatches);
    const excluded = matches !== undefined && ignore.isExcluded(matches);
    let kind: 'file' | 'dir' | 'link' | 'other';
    if (dirent.isFile()) {
      kind = 'file';
    } else if (dirent.isDirectory()) {
      kind = 'dir';
    } else if (dirent.isSymbolicLink()) {
      kind = 'link';
    } else {
      kind = 'other'; // sockets, FIFOs, devices: not part of a build context
    }
    if (kind === 'dir') {
      if (!excluded || !ignore.canPrune(rel)) {
        walk(abs, rel, matches, ignore, out);
      }
    } else if ((kind === 'file' || kind === 'link') && !excluded) {
      out.set(rel, { abs, link: kind === 'link' });
    }
  }
}

function hashEntry(hash: Hash, rel: string, { abs, link }: Entry, buffer: Buffer): void {
  if (link) {
    const target = readlinkSync(abs);
    hash.update(`l\0${rel}\0${Buffer.byteLength(target)}\0`);
    hash.update(target);
    return;
  }
  const fd = openSync(abs, 'r');
  try {
    const stat = fstatSync(fd);
    const executable = (stat.mode & 0o111) !== 0 ? 'x' : '-';
    const size = stat.size;
    hash.update(`f${executable}\0${rel}\0${size}\0`);
    let total = 0;
    for (;;) {
      const read = readSync(fd, buffer, 0, CHUNK, null);
      if (read === 0) {
        break;
      }
      total += read;
      hash.update(read === CHUNK ? buffer : buffer.subarray(0, read));
    }
    if (total !== size) {
      throw new Error(`hashDockerContext: ${abs} changed while it was hashed (${size} bytes expected, ${total} read); run synth again.`);
    }
  } finally {
    closeSync(fd);
  }
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  return statSync(path, { throwIfNoEntry: false });
}
