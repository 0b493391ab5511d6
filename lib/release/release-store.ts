import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'fs';
import { basename, dirname, join } from 'path';
import { emptyRelease, ENVIRONMENT_PATTERN, formatReleaseFile, loadReleaseFile, ReleaseFile, ReleaseFileError } from './release-file';

/** Another release command holds the lock of an environment. */
export class ReleaseLockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReleaseLockedError';
  }
}

/**
 * The release files of a repository, one per environment in one folder
 * (`releases/<env>.json`). Writes are atomic (a temporary file in the same folder,
 * fsync, rename) and exclusive (a lock file created with O_EXCL), so an interrupted or
 * concurrent command never leaves a partial file, and the loser of a race gets a clear
 * error instead of overwriting the winner.
 */
export class ReleaseStore {
  constructor(public readonly directory: string) {}

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

  /** Loads an environment, with an error listing the known ones when it is unknown. */
  public load(environment: string): ReleaseFile {
    this.checkName(environment);
    const path = this.pathOf(environment);
    if (!existsSync(path)) {
      const known = this.environments();
      throw new ReleaseFileError(`unknown environment "${environment}": ${path} does not exist (known: ${known.length ? known.join(', ') : 'none'}); create it with "cdktf-immutable release init ${environment}".`);
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
   * Reads the file under the lock, applies `change` and writes the result atomically.
   * When `change` throws, the file is untouched.
   */
  public update(environment: string, change: (release: ReleaseFile) => ReleaseFile): { before: ReleaseFile; after: ReleaseFile } {
    this.checkName(environment);
    return this.withLock(environment, () => {
      const before = this.load(environment);
      const after = change(before);
      this.writeAtomically(environment, after);
      return { before, after };
    });
  }

  private checkName(environment: string): void {
    if (!ENVIRONMENT_PATTERN.test(environment)) {
      throw new ReleaseFileError(`environment "${environment}" is not a valid name; use lowercase letters, digits and hyphens, starting with a letter (at most 32).`);
    }
  }

  private withLock<T>(environment: string, fn: () => T): T {
    const lock = join(this.directory, `.${environment}.json.lock`);
    let fd: number;
    try {
      fd = openSync(lock, 'wx');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        throw new ReleaseLockedError(`${environment}: another release command is changing ${this.pathOf(environment)} (lock ${lock}${describeLock(lock)}); retry when it is done, or delete the lock file if no command is running.`);
      }
      throw new ReleaseFileError(`${this.directory}: cannot create the lock file (${code ?? (error as Error).message}); check that the folder exists and is writable.`);
    }
    try {
      writeSync(fd, `${process.pid}\n`);
      return fn();
    } finally {
      closeSync(fd);
      try {
        unlinkSync(lock);
      } catch {
        // already gone: nothing to release
      }
    }
  }

  private writeAtomically(environment: string, release: ReleaseFile): void {
    const path = this.pathOf(environment);
    const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
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
      try {
        unlinkSync(temporary);
      } catch {
        // never created
      }
      const code = (error as NodeJS.ErrnoException).code;
      throw new ReleaseFileError(`${path}: cannot be written (${code ?? (error as Error).message}); the file was not changed. Check that ${dirname(path)} is writable.`);
    }
  }
}

function describeLock(lock: string): string {
  try {
    const pid = readFileSync(lock, 'utf8').trim();
    return pid ? `, held by process ${pid}` : '';
  } catch {
    return '';
  }
}
