import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  lstatSync,
  openSync,
  readlinkSync,
  readSync,
  Stats,
  unlinkSync,
  writeSync,
} from 'fs';

/** Why a file could not be read (see {@link readBoundedFile}). */
export type ReadProblem =
  | { readonly kind: 'missing' }
  | { readonly kind: 'dangling-link'; readonly target: string }
  | { readonly kind: 'not-regular'; readonly what: string }
  | { readonly kind: 'too-large'; readonly size: number; readonly limit: number }
  | { readonly kind: 'unreadable'; readonly code: string };

/**
 * Reads a regular file of at most `limit` bytes, without ever blocking or reading more:
 * the file is opened non-blocking (a FIFO does not wait for a writer), its type and
 * size are checked on the open descriptor before any byte is read (a FIFO, a device, a
 * socket or a directory is refused, whatever a symbolic link points at), and at most
 * `limit + 1` bytes are read (a file that grows while it is read is refused too). A
 * symbolic link is followed.
 */
export function readBoundedFile(path: string, limit: number): { text: string } | { problem: ReadProblem } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  } catch (error) {
    return { problem: openProblem(path, error) };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      return { problem: { kind: 'not-regular', what: fileKind(stats) } };
    }
    if (stats.size > limit) {
      return { problem: { kind: 'too-large', size: stats.size, limit } };
    }
    const buffer = Buffer.alloc(limit + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) {
        break;
      }
      length += read;
      if (length > limit) {
        return { problem: { kind: 'too-large', size: Math.max(stats.size, length), limit } };
      }
    }
    return { text: buffer.toString('utf8', 0, length) };
  } catch (error) {
    return { problem: { kind: 'unreadable', code: codeOf(error) } };
  } finally {
    closeSync(fd);
  }
}

/** What a path that could not be opened is: missing, a dangling link, a socket, or unreadable. */
function openProblem(path: string, error: unknown): ReadProblem {
  let stats: Stats | undefined;
  try {
    stats = lstatSync(path);
  } catch {
    stats = undefined;
  }
  if (stats?.isSymbolicLink() && codeOf(error) === 'ENOENT') {
    return { kind: 'dangling-link', target: linkTarget(path) };
  }
  if (stats !== undefined && !stats.isFile() && !stats.isSymbolicLink()) {
    return { kind: 'not-regular', what: fileKind(stats) };
  }
  return codeOf(error) === 'ENOENT' ? { kind: 'missing' } : { kind: 'unreadable', code: codeOf(error) };
}

/** The target a symbolic link names, as written in the link. */
export function linkTarget(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '(unreadable)';
  }
}

/** What kind of file `stats` describes, for messages: "a FIFO (named pipe)", "a directory"... */
export function fileKind(stats: Stats): string {
  if (stats.isDirectory()) {
    return 'a directory';
  }
  if (stats.isFIFO()) {
    return 'a FIFO (named pipe)';
  }
  if (stats.isCharacterDevice()) {
    return 'a character device';
  }
  if (stats.isBlockDevice()) {
    return 'a block device';
  }
  if (stats.isSocket()) {
    return 'a socket';
  }
  if (stats.isSymbolicLink()) {
    return 'a symbolic link';
  }
  return 'a regular file';
}

/** The errno code of a filesystem error (`ENOSPC`), or its message. */
export function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? (error as Error)?.message ?? String(error);
}

/** An error with an errno-style code, for the failures this module detects itself. */
function failure(code: string, message: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(message);
  error.code = code;
  return error;
}

/**
 * Writes every byte of `bytes` to `fd`: `writeSync` may write fewer bytes than asked (a
 * filesystem that is nearly full writes what fits, then fails), so it is called again for
 * the rest until all are written or it throws (ENOSPC, EDQUOT, EIO...).
 */
export function writeFully(fd: number, bytes: Buffer): void {
  let offset = 0;
  while (offset < bytes.length) {
    const written = writeSync(fd, bytes, offset, bytes.length - offset);
    if (written <= 0) {
      throw failure('EIO', `wrote ${offset} of ${bytes.length} bytes, then nothing more`);
    }
    offset += written;
  }
}

/**
 * Creates `path` (failing when it exists), writes `text` whole and flushes it. On any
 * failure the half-written file is removed, so a full disk leaves nothing behind.
 */
export function writeNewFile(path: string, text: string, mode = 0o644): void {
  const fd = openSync(path, 'wx', mode);
  try {
    writeFully(fd, Buffer.from(text, 'utf8'));
    fsyncSync(fd);
  } catch (error) {
    closeQuietly(fd);
    removeIfPresent(path);
    throw error;
  }
  closeSync(fd);
}

/** Closes a descriptor, ignoring an error (the caller is already reporting one). */
export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already failing: the first error is the one to report
  }
}

/** Removes a file; false when it was not there (never created, or already removed by its owner). */
export function removeIfPresent(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Flushes a folder's entries (a rename is durable only once its folder is), where the
 * platform allows it; a folder that cannot be opened or flushed (Windows, some network
 * filesystems) is left as it is: the rename itself already happened.
 */
export function syncDirectory(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    fsyncSync(fd);
  } catch {
    // not supported here: the rename is still atomic
  } finally {
    if (fd !== undefined) {
      closeQuietly(fd);
    }
  }
}

/** An error for bytes that read back differently from what was written. */
export function verifyFailure(path: string, expected: number, found: number): NodeJS.ErrnoException {
  return failure('EVERIFY', `${path} read back ${found} bytes that differ from the ${expected} bytes written`);
}
