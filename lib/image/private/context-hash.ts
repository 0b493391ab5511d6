import { createHash, Hash } from 'crypto';
import {
  closeSync,
  Dirent,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  statSync,
} from 'fs';
import { join } from 'path';
import { InputError } from '../../private/validation';
import { DockerIgnore } from './dockerignore';

/** Bumped when the hashed form changes, so that old and new hashes never mix. */
const FORMAT = 'cdktf-immutable docker context v1\n';
const CHUNK = 1 << 20;

/**
 * Hashes the context folder `root` (absolute, checked to be a folder) with its
 * Dockerfile `dockerfile` (relative, checked by `dockerfileInContext`): see
 * `hashDockerContext` for what counts. Throws an InputError for a bad `.dockerignore`
 * or a file that cannot be read; the public caller reports it.
 */
export function hashCheckedContext(root: string, dockerfile: string): { hash: string; files: string[] } {
  const ignorePath = join(root, '.dockerignore');
  const ignoreStat = statSync(ignorePath, { throwIfNoEntry: false });
  const ignore = ignoreStat?.isFile()
    ? DockerIgnore.parse(readFileSync(ignorePath, 'utf8'), ignorePath)
    : DockerIgnore.EMPTY;

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

function walk(
  dir: string,
  relDir: string,
  parentMatches: readonly boolean[] | undefined,
  ignore: DockerIgnore,
  out: Map<string, Entry>,
): void {
  let dirents: Dirent[];
  try {
    dirents = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new InputError(`cannot read folder ${dir} (${(error as Error).message}).`, { cause: error });
  }
  for (const dirent of dirents) {
    const name = dirent.name.normalize('NFC');
    const rel = relDir === '' ? name : `${relDir}/${name}`;
    const abs = join(dir, dirent.name);
    const result = ignore.size === 0 ? undefined : ignore.match(rel, parentMatches);
    const matches = result?.matches;
    const excluded = result?.excluded === true;
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
      throw new InputError(
        `${abs} changed while it was hashed (${size} bytes expected, ${total} read); run synth again.`,
      );
    }
  } finally {
    closeSync(fd);
  }
}
