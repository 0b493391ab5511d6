import { randomBytes } from 'crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'fs';
import { hostname } from 'os';
import { basename, dirname, join, resolve } from 'path';
import {
  emptyRelease,
  ENVIRONMENT_PATTERN,
  formatReleaseFile,
  loadReleaseFile,
  ReleaseFile,
  ReleaseFileError,
} from './release-file';
import { recordIdle, recordServed } from './transitions';

/** Another release command holds the lock of an environment. */
export class ReleaseLockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReleaseLockedError';
  }
}

/** Options of {@link ReleaseStore}. */
export interface ReleaseStoreOptions {
  /**
   * The clock: the time recorded in lock files (and by the command line in the release
   * files it writes). Tests inject a fixed one.
   * @default - the system clock
   */
  readonly now?: () => Date;
  /**
   * Where the store reports what the user should know but that does not stop the
   * command: a lock taken over from a process that is no longer running.
   * @default - a line on standard error
   */
  readonly warn?: (message: string) => void;
}

/** What a lock file says about its holder. */
interface LockHolder {
  /** The exact text of the lock file, to recognise it again. */
  readonly text: string;
  readonly pid?: number;
  readonly host?: string;
  readonly since?: string;
}

/**
 * A takeover guard older than this belongs to a command that died in the few
 * microseconds between creating and removing it.
 */
const STALE_GUARD_MS = 60_000;

/**
 * The release files of a repository, one per environment in one folder
 * (`releases/<env>.json`). Writes are atomic (a temporary file in the same folder,
 * fsync, rename) and exclusive (a lock file per environment), so an interrupted or
 * concurrent command never leaves a partial file, and the loser of a race gets a clear
 * error instead of overwriting the winner.
 *
 * The lock file (`.<env>.json.lock`) records the pid and host of its holder and the time
 * it was taken. It appears whole (written to a temporary file, then hard-linked into
 * place, which fails when the lock exists). A lock whose process is no longer running
 * on this host is taken over, with a warning; a lock held by a running process, by a
 * process on another host (this host cannot tell whether it runs) or in a format this
 * version does not know keeps refusing, with the holder and how to remove a stale lock.
 */
export class ReleaseStore {
  /**
   * The nearest `releases/` folder, found the way git finds `.git`: the folder `start`,
   * then each parent in turn, up to and including the git repository root (the first
   * folder with a `.git`) or the filesystem root. Throws a {@link ReleaseFileError}
   * naming every folder it looked in.
   */
  public static find(start: string, options: ReleaseStoreOptions = {}): ReleaseStore {
    const search = searchReleases(start);
    if (search.found === undefined) {
      const where =
        search.repositoryRoot === undefined
          ? ' (no git repository found, so up to the filesystem root)'
          : ` (up to the git repository root ${search.repositoryRoot})`;
      throw new ReleaseFileError(
        `no releases folder found: looked for releases/ in ${search.searched.join(', ')}${where}; ` +
          'run the command inside the repository that holds releases/, pass --dir <folder>, ' +
          'or create the first release file with "cdktf-immutable release init <env>".',
      );
    }
    return new ReleaseStore(search.found, options);
  }

  /**
   * The nearest `releases/` folder as {@link ReleaseStore.find} finds it, or, when there
   * is none yet, `releases/` at the git repository root (or in `start` outside a
   * repository): where `release init` creates the first file.
   */
  public static findOrDefault(start: string, options: ReleaseStoreOptions = {}): ReleaseStore {
    const search = searchReleases(start);
    return new ReleaseStore(search.found ?? join(search.repositoryRoot ?? resolve(start), 'releases'), options);
  }

  private readonly now: () => Date;
  private readonly warn: (message: string) => void;

  constructor(
    public readonly directory: string,
    options: ReleaseStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.warn = options.warn ?? ((message) => process.stderr.write(`${message}\n`));
  }

  /** The environments that have a release file, sorted. */
  public environments(): string[] {
    if (!existsSync(this.directory)) {
      return [];
    }
    return readdirSync(this.directory)
      .filter((name) => name.endsWith('.json') && ENVIRONMENT_PATTERN.test(name.slice(0, -5)))
      .map((name) => name.slice(0, -5))
      .sort();
  }

  /** The path of an environment's file. */
  public pathOf(environment: string): string {
    return join(this.directory, `${environment}.json`);
  }

  /** The path of an environment's lock file. */
  private lockOf(environment: string): string {
    return join(this.directory, `.${environment}.json.lock`);
  }

  /** Loads an environment, with an error listing the known ones when it is unknown. */
  public load(environment: string): ReleaseFile {
    this.checkName(environment);
    const path = this.pathOf(environment);
    if (!existsSync(path)) {
      const known = this.environments();
      throw new ReleaseFileError(
        `unknown environment "${environment}": ${path} does not exist ` +
          `(known: ${known.length ? known.join(', ') : 'none'}); ` +
          `create it with "cdktf-immutable release init ${environment}".`,
      );
    }
    return loadReleaseFile(path);
  }

  /** Creates an empty release file; refuses to overwrite one. */
  public init(environment: string): ReleaseFile {
    this.checkName(environment);
    mkdirSync(this.directory, { recursive: true });
    const release = emptyRelease(environment);
    return this.withLock(environment, () => {
      if (existsSync(this.pathOf(environment))) {
        throw new ReleaseFileError(`${this.pathOf(environment)} already exists; it was not changed.`);
      }
      this.writeAtomically(environment, release);
      return release;
    });
  }

  /**
   * Reads the file under the lock, applies `change` and writes the result atomically,
   * with `served` recorded (`recordServed`: the weights the load balancer should serve
   * before the change). When `change` throws, the file is untouched.
   */
  public update(
    environment: string,
    change: (release: ReleaseFile) => ReleaseFile,
  ): { before: ReleaseFile; after: ReleaseFile } {
    this.checkName(environment);
    return this.withLock(environment, () => {
      const before = this.load(environment);
      const after = recordIdle(before, recordServed(before, change(before)), this.now());
      this.writeAtomically(environment, after);
      return { before, after };
    });
  }

  private checkName(environment: string): void {
    if (!ENVIRONMENT_PATTERN.test(environment)) {
      throw new ReleaseFileError(
        `environment "${environment}" is not a valid name; ` +
          'use lowercase letters, digits and hyphens, starting with a letter (at most 32).',
      );
    }
  }

  private withLock<T>(environment: string, fn: () => T): T {
    const lock = this.lockOf(environment);
    const text = `${JSON.stringify({ pid: process.pid, host: hostname(), since: this.now().toISOString() })}\n`;
    this.acquire(environment, lock, text);
    try {
      return fn();
    } finally {
      // release only our own lock: never one that another command holds now
      if (readText(lock) === text) {
        removeIfPresent(lock);
      }
    }
  }

  /** Creates the lock whole, or takes over a stale one once, or throws {@link ReleaseLockedError}. */
  private acquire(environment: string, lock: string, text: string): void {
    const temporary = `${lock}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      writeNew(temporary, text);
    } catch (error) {
      throw this.unwritable(error);
    }
    try {
      this.linkOrTakeOver(environment, lock, temporary, text);
    } finally {
      removeIfPresent(temporary);
    }
  }

  /**
   * Links the complete lock file into place. A lock that is there already is waited out
   * when it goes away in between, taken over (at most twice) when it is stale, and
   * otherwise refused with its holder.
   */
  private linkOrTakeOver(environment: string, lock: string, temporary: string, text: string): void {
    let takeovers = 0;
    for (let attempt = 0; attempt < 4; attempt++) {
      if (this.tryLink(temporary, lock, text)) {
        return;
      }
      const holder = readHolder(lock);
      if (holder === undefined) {
        continue; // released in between: try again
      }
      if (isStale(holder) && takeovers < 2) {
        this.takeOver(environment, lock, holder);
        takeovers++;
        continue;
      }
      throw new ReleaseLockedError(lockedMessage(environment, this.pathOf(environment), lock, holder));
    }
    throw new ReleaseLockedError(
      `${environment}: the lock ${lock} keeps changing hands; ` +
        'another release command is running, retry when it is done.',
    );
  }

  /** True when the lock was put in place; false when another lock is there (EEXIST). */
  private tryLink(temporary: string, lock: string, text: string): boolean {
    try {
      linkExclusive(temporary, lock, text);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw this.unwritable(error);
      }
      return false;
    }
  }

  /**
   * Removes a stale lock under a takeover guard, so that two commands that both found
   * it stale cannot both take it: the second finds the lock changed and competes for
   * the new one like any other command.
   */
  private takeOver(environment: string, lock: string, holder: LockHolder): void {
    const guard = `${lock}.takeover`;
    const fd = this.openGuard(environment, lock, guard);
    try {
      if (readText(lock) === holder.text) {
        unlinkSync(lock);
        this.warn(
          `cdktf-immutable: taking over the lock ${lock} of process ${holder.pid} on this host (${holder.host})` +
            `${holder.since ? `, locked since ${holder.since}` : ''}: that process is no longer running.`,
        );
      }
    } finally {
      closeSync(fd);
      removeIfPresent(guard);
    }
  }

  /** Creates the takeover guard; removes one left by a command that died holding it. */
  private openGuard(environment: string, lock: string, guard: string): number {
    for (let attempt = 0; ; attempt++) {
      try {
        return openSync(guard, 'wx');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw this.unwritable(error);
        }
      }
      const age = guardAge(guard);
      if (attempt > 0 || (age !== undefined && age < STALE_GUARD_MS)) {
        throw new ReleaseLockedError(
          `${environment}: another release command is taking over the stale lock ${lock} right now; ` +
            `retry when it is done (if none is running, delete ${guard}).`,
        );
      }
      // when its owner removed it in between, there is nothing to report
      if (removeIfPresent(guard)) {
        this.warn(`cdktf-immutable: removed ${guard}, left by a command that stopped while taking over a lock.`);
      }
    }
  }

  private unwritable(error: unknown): ReleaseFileError {
    const code = (error as NodeJS.ErrnoException).code;
    return new ReleaseFileError(
      `${this.directory}: cannot create the lock file (${code ?? (error as Error).message}); ` +
        'check that the folder exists and is writable.',
    );
  }

  private writeAtomically(environment: string, release: ReleaseFile): void {
    const path = this.pathOf(environment);
    const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    let fd: number | undefined;
    try {
      fd = openSync(temporary, 'wx');
      writeSync(fd, formatReleaseFile(release));
      fsyncSync(fd);
      closeSync(fd);
      fd = undefined;
      renameSync(temporary, path);
    } catch (error) {
      if (fd !== undefined) {
        closeSync(fd);
      }
      removeIfPresent(temporary);
      const code = (error as NodeJS.ErrnoException).code;
      throw new ReleaseFileError(
        `${path}: cannot be written (${code ?? (error as Error).message}); the file was not changed. ` +
          `Check that ${dirname(path)} is writable.`,
      );
    }
  }
}

/** Walks up from `start` looking for releases/, stopping at the git repository root. */
function searchReleases(start: string): { found?: string; searched: string[]; repositoryRoot?: string } {
  const searched: string[] = [];
  let dir = resolve(start);
  for (;;) {
    searched.push(dir);
    const candidate = join(dir, 'releases');
    if (isDirectory(candidate)) {
      return { found: candidate, searched };
    }
    if (existsSync(join(dir, '.git'))) {
      return { searched, repositoryRoot: dir };
    }
    const parent = dirname(dir);
    if (parent === dir) {
      return { searched };
    }
    dir = parent;
  }
}

/** Removes a file; false when it was not there (never created, or already removed by its owner). */
function removeIfPresent(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Writes a new file (failing if it exists) and flushes it. */
function writeNew(path: string, text: string): void {
  const fd = openSync(path, 'wx', 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Puts the complete lock file in place, failing with EEXIST when a lock exists. A hard
 * link is atomic and exclusive; on a filesystem without hard links, an exclusive create
 * followed by the write (a reader may then briefly see an empty lock, which it treats as
 * held).
 */
function linkExclusive(temporary: string, lock: string, text: string): void {
  try {
    linkSync(temporary, lock);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') {
      throw error;
    }
    writeNew(lock, text);
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The holder of a lock, or undefined when the lock is gone. A lock that holds only a number is that pid's. */
function readHolder(lock: string): LockHolder | undefined {
  const text = readText(lock);
  if (text === undefined) {
    return undefined;
  }
  if (/^\d+\n?$/.test(text)) {
    return { text, pid: Number(text.trim()) };
  }
  try {
    const data = JSON.parse(text) as Record<string, unknown>;
    const pid = Number.isSafeInteger(data.pid) && (data.pid as number) > 0 ? (data.pid as number) : undefined;
    const host = typeof data.host === 'string' && data.host !== '' ? data.host : undefined;
    const since = typeof data.since === 'string' ? data.since : undefined;
    return { text, pid, host, since };
  } catch {
    return { text };
  }
}

/** A lock is stale when it names a process on this host that is no longer running. */
function isStale(holder: LockHolder): boolean {
  return holder.pid !== undefined && holder.host === hostname() && !isRunning(holder.pid);
}

/** Signal 0 checks that a process exists without touching it; EPERM means it exists under another user. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function guardAge(path: string): number | undefined {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function lockedMessage(environment: string, file: string, lock: string, holder: LockHolder): string {
  const since = holder.since ? ` since ${holder.since}` : '';
  const remove = `("rm ${lock}")`;
  if (holder.pid === undefined) {
    return (
      `${environment}: ${file} is locked by ${lock}, which does not say which process holds it; ` +
      `if no release command is running, delete it ${remove} and retry.`
    );
  }
  if (holder.host === undefined) {
    return (
      `${environment}: another release command is changing ${file} ` +
      `(lock ${lock}, held by process ${holder.pid}${since}; the lock does not name its host); ` +
      `retry when it is done, or delete the lock ${remove} if no release command is running.`
    );
  }
  if (holder.host === hostname()) {
    return isRunning(holder.pid)
      ? `${environment}: another release command is changing ${file} ` +
          `(lock ${lock}, held by process ${holder.pid} on this host (${holder.host})${since}, ` +
          'which is still running); ' +
          `retry when it is done. If process ${holder.pid} is not a cdktf-immutable command (its pid was reused), ` +
          `the lock is stale: delete it ${remove}.`
      : `${environment}: the lock ${lock} of process ${holder.pid} on this host, which is no longer running, ` +
          'could not be taken over; retry.';
  }
  return (
    `${environment}: another release command is changing ${file} ` +
    `(lock ${lock}, held by process ${holder.pid} on host ${holder.host}${since}); ` +
    'this host cannot tell whether that process still runs. ' +
    `Retry when it is done; if no release command is running on ${holder.host}, delete the lock ${remove} and retry.`
  );
}
