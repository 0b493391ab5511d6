import { randomBytes } from 'crypto';
import {
  closeSync,
  existsSync,
  fchmodSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  Stats,
  statSync,
  unlinkSync,
} from 'fs';
import { hostname } from 'os';
import { basename, dirname, join, resolve } from 'path';
import { REGION } from '../private/aws-ids';
import {
  closeQuietly,
  codeOf,
  fileKind,
  linkTarget,
  readBoundedFile,
  removeIfPresent,
  syncDirectory,
  verifyFailure,
  writeFully,
  writeNewFile,
} from './private/files';
import {
  emptyRelease,
  ENVIRONMENT_PATTERN,
  formatReleaseFile,
  loadReleaseFile,
  parseReleaseFile,
  ReleaseArchitecture,
  ReleaseFile,
  ReleaseFileError,
  VETO_FILE_ENVIRONMENT,
} from './release-file';
import { ReleaseLayout, releaseArguments, VETO_FILE } from './release-layout';
import { recordIdle, recordServed } from './transitions';
import { emptyVetoFile, formatVetoFile, parseVetoFile, VetoFile } from './veto-file';

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
  /**
   * The releases folder, when `directory` is the folder of one fleet (or of a fleet's
   * region) inside it: the shared list of vetoed images lives there.
   * @default - `directory` itself
   */
  readonly root?: string;
  /**
   * The fleet whose files `directory` holds (the per-fleet layout).
   * @default - the one-fleet layout
   */
  readonly fleet?: string;
  /**
   * The region whose files `directory` holds (a fleet released per region).
   * @default - a fleet in one region
   */
  readonly region?: string;
}

/** Which files of a releases folder a command works on: `--fleet` and `--region`/`--regions`. */
export interface ReleaseScope {
  /**
   * The fleet.
   * @default - the only fleet, or the one-fleet layout
   */
  readonly fleet?: string;
  /**
   * One region (`--region`): for a fleet released per region, the region whose file is
   * meant; for any other fleet only the AWS region, which does not select a file. With
   * `create`, a region of a new fleet makes it a fleet released per region.
   * @default - none
   */
  readonly region?: string;
  /**
   * The regions of a wave (`--regions`), for a fleet released per region.
   * @default - none
   */
  readonly regions?: readonly string[];
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
 * (`releases/<env>.json`). Writes are atomic and exclusive, so an interrupted or
 * concurrent command never leaves a partial file, and the loser of a race gets a clear
 * error instead of overwriting the winner: the new text is checked to load, written to a
 * temporary file in the same folder until every byte is written (a nearly full disk
 * writes less than asked), flushed, read back and compared, and only then renamed over
 * the file; on any failure (ENOSPC, EDQUOT, EIO, a read-only folder) the temporary file
 * is removed, the original is untouched and the error says why. A release file that is
 * a symbolic link is written through: the file it points to gets the new text (with its
 * permissions kept) and the link stays. Temporary files left by a command that was
 * killed are removed by the next command that holds the lock.
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
  private readonly options: ReleaseStoreOptions;
  /** The releases folder (the top, where `vetoed.json` lives). */
  public readonly root: string;
  /** The fleet whose files this store holds, in the per-fleet layout. */
  public readonly fleet?: string;
  /** The region whose files this store holds, for a fleet released per region. */
  public readonly region?: string;

  constructor(
    public readonly directory: string,
    options: ReleaseStoreOptions = {},
  ) {
    this.options = options;
    this.now = options.now ?? (() => new Date());
    this.warn = options.warn ?? ((message) => process.stderr.write(`${message}\n`));
    this.root = options.root ?? directory;
    this.fleet = options.fleet;
    this.region = options.region;
  }

  /** The layout of the releases folder (read now). Throws a {@link ReleaseFileError} on a mix of layouts. */
  public layout(): ReleaseLayout {
    return ReleaseLayout.read(this.root);
  }

  /**
   * The stores of the files a command works on, one per region (one store when the fleet
   * is not released per region), resolved through the layout: `--fleet` is required when
   * the folder has several fleets (refused with their list), refused in the one-fleet
   * layout, and a fleet released per region needs its regions. With `create` (`release
   * init`) a new fleet or region may be named: its folder is created by the first file.
   */
  public select(scope: ReleaseScope, create = false): ReleaseStore[] {
    if (scope.region !== undefined && scope.regions !== undefined) {
      throw new ReleaseFileError('give --region <region> (one file) or --regions <a,b> (a wave), not both.');
    }
    const layout = this.layout();
    const fleet = resolveFleet(layout, scope.fleet, create);
    const regional = fleet === undefined ? undefined : layout.fleet(fleet)?.regions;
    const fileRegion =
      scope.region !== undefined && fleet !== undefined && (regional !== undefined || (create && !layout.fleet(fleet)))
        ? [scope.region]
        : undefined;
    return this.selectRegions(layout, fleet, scope.regions ?? fileRegion, create);
  }

  private selectRegions(
    layout: ReleaseLayout,
    fleet: string | undefined,
    regions: readonly string[] | undefined,
    create: boolean,
  ): ReleaseStore[] {
    const scope = { regions };
    if (fleet === undefined) {
      if (scope.regions !== undefined) {
        throw new ReleaseFileError(
          `${this.root} holds the one-fleet layout (releases/<env>.json), which has no region folders; --region ` +
            'there only names the AWS region. A fleet released per region lives in ' +
            'releases/<fleet>/<region>/<env>.json (--fleet <fleet> --region <region>).',
        );
      }
      return [this];
    }
    const known = layout.fleet(fleet);
    const regional = known?.regions;
    if (scope.regions === undefined) {
      if (regional !== undefined) {
        throw new ReleaseFileError(
          `fleet ${fleet} is released per region (${regional.join(', ')}); name the region with --region <region>, ` +
            `or every region of a wave with --regions ${regional.join(',')}.`,
        );
      }
      return [this.scoped(layout, fleet, undefined)];
    }
    if (known !== undefined && regional === undefined) {
      throw new ReleaseFileError(
        `fleet ${fleet} is released in one region (releases/${fleet}/<env>.json): leave out --regions; --region ` +
          'there only names the AWS region.',
      );
    }
    for (const region of scope.regions) {
      if (!REGION.test(region)) {
        throw new ReleaseFileError(`region "${region}" is not an AWS region name such as eu-west-1.`);
      }
      if (!create && !(regional ?? []).includes(region)) {
        throw new ReleaseFileError(
          `fleet ${fleet} has no region ${region} (regions: ${(regional ?? []).join(', ') || 'none'}); create its ` +
            `first file with "cdktf-immutable release init <env> --fleet ${fleet} --region ${region}".`,
        );
      }
    }
    return [...new Set(scope.regions)].sort().map((region) => this.scoped(layout, fleet, region));
  }

  /** A file of a fleet's folder names its fleet and region once a command writes it. */
  private withPlace(release: ReleaseFile): ReleaseFile {
    if (this.fleet === undefined || (release.fleet === this.fleet && release.region === this.region)) {
      return release;
    }
    const { environment, fleet: _fleet, region: _region, ...rest } = release;
    return {
      environment,
      fleet: this.fleet,
      ...(this.region !== undefined ? { region: this.region } : {}),
      ...rest,
    };
  }

  private scoped(layout: ReleaseLayout, fleet: string, region: string | undefined): ReleaseStore {
    return new ReleaseStore(layout.folderOf({ fleet, region }), { ...this.options, root: this.root, fleet, region });
  }

  /**
   * The command-line arguments that name an environment of this store:
   * `prod --fleet web --region eu-west-1`.
   */
  public argumentsOf(environment: string): string {
    return releaseArguments({ environment, fleet: this.fleet, region: this.region });
  }

  /** The shared list of vetoed images (`<root>/vetoed.json`); empty when the file does not exist. */
  public vetoes(): VetoFile {
    const path = join(this.root, VETO_FILE);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return emptyVetoFile();
      }
      throw new ReleaseFileError(
        `${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); restore it ` +
          'from git.',
      );
    }
    return parseVetoFile(text, path);
  }

  /** Changes the list of vetoed images under its lock, atomically. */
  public updateVetoes(change: (vetoes: VetoFile) => VetoFile): { before: VetoFile; after: VetoFile } {
    const root =
      this.root === this.directory ? this : new ReleaseStore(this.root, { ...this.options, root: this.root });
    mkdirSync(this.root, { recursive: true });
    return root.withLock(VETO_FILE_ENVIRONMENT, () => {
      const before = root.vetoes();
      const after = change(before);
      root.writeTextAtomically(join(this.root, VETO_FILE), formatVetoFile(after));
      return { before, after };
    });
  }

  /**
   * Reads several files under their locks (taken in the order given), applies `change`
   * to all of them and writes each result atomically, in that order, with `served`
   * recorded; a file whose result is the object it was given is not written. When
   * `change` throws, nothing is written. A crash between two writes leaves the files
   * written so far whole and the others as they were: a wave's commands finish such a
   * wave when run again.
   */
  public static updateMany(
    entries: ReadonlyArray<{ readonly store: ReleaseStore; readonly environment: string }>,
    change: (releases: ReleaseFile[]) => ReleaseFile[],
  ): Array<{ before: ReleaseFile; after: ReleaseFile }> {
    const locked = (i: number): Array<{ before: ReleaseFile; after: ReleaseFile }> => {
      if (i < entries.length) {
        const { store, environment } = entries[i];
        store.checkName(environment);
        return store.withLock(environment, () => locked(i + 1));
      }
      const befores = entries.map(({ store, environment }) => store.load(environment));
      const afters = change(befores);
      return entries.map(({ store, environment }, j) => {
        const before = befores[j];
        if (afters[j] === before) {
          return { before, after: before };
        }
        const after = store.withPlace(recordServed(before, withoutOldOverride(before, afters[j])));
        store.writeAtomically(environment, after);
        return { before, after };
      });
    };
    return locked(0);
  }

  /** The environments that have a release file, sorted. */
  public environments(): string[] {
    if (!existsSync(this.directory)) {
      return [];
    }
    return readdirSync(this.directory)
      .filter((name) => name.endsWith('.json') && name !== VETO_FILE && ENVIRONMENT_PATTERN.test(name.slice(0, -5)))
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
    if (lstatOf(path) === undefined) {
      const known = this.environments();
      const fleets = this.fleet === undefined && known.length === 0 ? fleetsHint(this.root) : '';
      throw new ReleaseFileError(
        `unknown environment "${environment}": ${path} does not exist ` +
          `(known: ${known.length ? known.join(', ') : 'none'}); ${fleets}` +
          `create it with "cdktf-immutable release init ${this.argumentsOf(environment)}".`,
      );
    }
    return this.checkPlace(loadReleaseFile(path), path);
  }

  /** A file of a fleet (or region) folder that names another fleet (or region), or none in the wrong layout. */
  private checkPlace(release: ReleaseFile, path: string): ReleaseFile {
    if (this.region !== undefined && release.region === undefined) {
      throw new ReleaseFileError(
        `${path}: the file is in the folder of region ${this.region} but names no "region"; add ` +
          `"fleet": "${this.fleet}", "region": "${this.region}".`,
      );
    }
    if (this.fleet === undefined && release.fleet !== undefined) {
      throw new ReleaseFileError(
        `${path}: "fleet" is "${release.fleet}" but the file is in the one-fleet layout (releases/<env>.json); ` +
          'move it ' +
          `to releases/${release.fleet}/${basename(path)}, or remove "fleet".`,
      );
    }
    return release;
  }

  /**
   * Creates an empty release file (of this store's fleet and region, with the fleet's
   * `architecture` when given); refuses to overwrite one.
   */
  public init(environment: string, architecture?: ReleaseArchitecture): ReleaseFile {
    this.checkName(environment);
    mkdirSync(this.directory, { recursive: true });
    const release = emptyRelease(environment, { fleet: this.fleet, region: this.region }, architecture);
    return this.withLock(environment, () => {
      const path = this.pathOf(environment);
      const stats = lstatOf(path);
      if (stats?.isSymbolicLink() && !existsSync(path)) {
        throw new ReleaseFileError(
          `${path} is a symbolic link to ${linkTarget(path)}, which does not exist; it was not changed. ` +
            'Remove the link, or restore the file it points to.',
        );
      }
      if (stats !== undefined) {
        throw new ReleaseFileError(`${path} already exists; it was not changed.`);
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
      const changed = recordServed(before, withoutOldOverride(before, change(before)));
      const after = this.withPlace(recordIdle(before, changed, this.now()));
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
    if (environment === VETO_FILE_ENVIRONMENT) {
      throw new ReleaseFileError(
        `environment "${environment}" is reserved: releases/${VETO_FILE} is the shared list of vetoed images; name ` +
          'the environment otherwise.',
      );
    }
  }

  private withLock<T>(environment: string, fn: () => T): T {
    const lock = this.lockOf(environment);
    const text = `${JSON.stringify({ pid: process.pid, host: hostname(), since: this.now().toISOString() })}\n`;
    this.acquire(environment, lock, text);
    try {
      this.removeLeftovers(environment);
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
      // removes what it wrote when the write fails (a full disk): no temporary lock is left
      writeNewFile(temporary, text);
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
    const code = codeOf(error);
    return new ReleaseFileError(
      `${this.directory}: cannot create the lock file (${code}${reasonOf(code)}); nothing was changed. ` +
        `${fixOf(code, this.directory)}.`,
    );
  }

  /**
   * Removes what a command that was killed left in the folder: its temporary copies of
   * this environment's file (no other command writes one while this one holds the lock)
   * and its temporary lock files (see {@link isDeadLockTemporary}). Each removal is
   * reported as a warning.
   */
  private removeLeftovers(environment: string): void {
    const file = `${environment}.json`;
    let names: string[];
    try {
      names = readdirSync(this.directory);
    } catch {
      return;
    }
    const data = new RegExp(`^\\.${escapeRegExp(file)}\\.(\\d+)\\.[0-9a-f]{12}\\.tmp$`);
    const lockTemporary = new RegExp(`^\\.${escapeRegExp(file)}\\.lock\\.(\\d+)\\.[0-9a-f]{12}\\.tmp$`);
    for (const name of names) {
      const path = join(this.directory, name);
      const dataMatch = data.exec(name);
      const lockMatch = lockTemporary.exec(name);
      const pid = Number((dataMatch ?? lockMatch)?.[1]);
      const stale = dataMatch !== null ? pid !== process.pid : lockMatch !== null && isDeadLockTemporary(path, pid);
      if (stale && removeIfPresent(path)) {
        this.warn(`cdktf-immutable: removed ${path}, left by a release command (process ${pid}) that was stopped.`);
      }
    }
  }

  /**
   * Writes `release` as the environment's file: checks that the text loads, writes it to
   * a temporary file beside the file it replaces until every byte is written, flushes it,
   * reads it back and compares, then renames it over the file and flushes the folder. A
   * symbolic link is written through (the file it points to is replaced, the link stays),
   * and the permissions of the file replaced are kept. On failure the temporary file is
   * removed and the file is unchanged.
   */
  private writeAtomically(environment: string, release: ReleaseFile): void {
    const path = this.pathOf(environment);
    const text = formatReleaseFile(release);
    // never write a file that would not load (a bug in a transition fails here, closed)
    parseReleaseFile(text, path);
    this.writeTextAtomically(path, text);
  }

  /** Writes `text` to `path` as {@link writeAtomically} does (also the shared file of vetoed images). */
  private writeTextAtomically(path: string, text: string): void {
    const { target, mode } = writeTarget(path);
    const bytes = Buffer.from(text, 'utf8');
    const temporary = join(
      dirname(target),
      `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
    );
    let fd: number | undefined;
    let created = false;
    try {
      fd = openSync(temporary, 'wx', mode ?? 0o644);
      created = true;
      if (mode !== undefined) {
        fchmodSync(fd, mode);
      }
      writeFully(fd, bytes);
      fsyncSync(fd);
      closeSync(fd);
      fd = undefined;
      const written = readFileSync(temporary);
      if (!written.equals(bytes)) {
        throw verifyFailure(temporary, bytes.length, written.length);
      }
      renameSync(temporary, target);
      created = false;
      syncDirectory(dirname(target));
    } catch (error) {
      if (fd !== undefined) {
        closeQuietly(fd);
      }
      if (created) {
        removeIfPresent(temporary);
      }
      const code = codeOf(error);
      const through = target === path ? '' : ` (through the symbolic link, to ${target})`;
      throw new ReleaseFileError(
        `${path}: cannot be written${through} (${code}${reasonOf(code)}); the file was not changed and no ` +
          `temporary file was left. ${fixOf(code, dirname(target))}.`,
      );
    }
  }
}

/** What an errno code means, for messages: `: the filesystem is full`. */
function reasonOf(code: string): string {
  const reasons: Record<string, string> = {
    ENOSPC: 'the filesystem is full',
    EDQUOT: 'the disk quota is exceeded',
    EIO: 'an input/output error',
    EROFS: 'the filesystem is read-only',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EVERIFY: 'the bytes read back differ from the bytes written',
  };
  return reasons[code] ? `: ${reasons[code]}` : '';
}

/** What to do about an errno code when writing in `folder`. */
function fixOf(code: string, folder: string): string {
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return `Free some space on the filesystem of ${folder} and run the command again`;
  }
  if (code === 'EIO' || code === 'EVERIFY') {
    return `Check the disk that holds ${folder} and run the command again`;
  }
  return `Check that ${folder} exists and is writable, and run the command again`;
}

/**
 * Where the environment's file is written, and the permissions to keep: the file itself,
 * or, for a symbolic link, the regular file it points to. A link to nothing, or a path
 * (or link target) that is not a regular file, is refused: nothing is replaced.
 */
function writeTarget(path: string): { target: string; mode?: number } {
  const stats = lstatOf(path);
  if (stats === undefined) {
    return { target: path };
  }
  let target = path;
  if (stats.isSymbolicLink()) {
    try {
      target = realpathSync(path);
    } catch {
      throw new ReleaseFileError(
        `${path}: is a symbolic link to ${linkTarget(path)}, which does not exist; the file was not changed. ` +
          'Restore the file it points to, or replace the link by the release file.',
      );
    }
  }
  const targetStats = target === path ? stats : lstatOf(target);
  if (targetStats === undefined || !targetStats.isFile()) {
    throw new ReleaseFileError(
      `${path}: is ${targetStats ? fileKind(targetStats) : 'missing'}, not a regular file; it was not changed. ` +
        'Replace it by the release file (restore it from git) or remove it.',
    );
  }
  return { target, mode: targetStats.mode & 0o7777 };
}

/** The file's own status (a symbolic link is not followed), or undefined when nothing is there. */
function lstatOf(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `after` without the `freezeOverride` it carried over from `before`: the record says that
 * the change of this write was forced through a freeze, so only the write that forced it
 * keeps it.
 */
function withoutOldOverride(before: ReleaseFile, after: ReleaseFile): ReleaseFile {
  if (after.freezeOverride === undefined || after.freezeOverride !== before.freezeOverride) {
    return after;
  }
  const { freezeOverride: _old, ...rest } = after;
  return rest;
}

/** The fleet to work on: `--fleet`, else the only fleet; checked against the layout. */
function resolveFleet(layout: ReleaseLayout, fleet: string | undefined, create: boolean): string | undefined {
  const fleets = layout.fleets().map((f) => f.name);
  if (fleet === undefined) {
    if (layout.kind !== 'fleets') {
      return undefined;
    }
    if (fleets.length === 1) {
      return fleets[0];
    }
    throw new ReleaseFileError(
      `${layout.root} holds ${fleets.length} fleets (${fleets.join(', ')}); name one with --fleet <name>.`,
    );
  }
  if (!ENVIRONMENT_PATTERN.test(fleet)) {
    throw new ReleaseFileError(
      `--fleet "${fleet}" is not a fleet name; use the name of its folder under releases/: lowercase letters, ` +
        'digits and hyphens, starting with a letter (at most 32).',
    );
  }
  if (layout.kind === 'one-fleet') {
    const files = layout.environments();
    throw new ReleaseFileError(
      `--fleet ${fleet}: ${layout.root} holds the one-fleet layout (${files.map((f) => `${f}.json`).join(', ')}), ` +
        `which has no fleet folders; leave out --fleet, or move to the per-fleet layout first ("mkdir ` +
        `${join(layout.root, fleet)} && git mv ${join(layout.root, files[0])}.json ` +
        `${join(layout.root, fleet)}/", and ` +
        `add "fleet": "${fleet}" to each file). A rollout names the load balancer's fleet with --fleet-tag.`,
    );
  }
  if (!create && !fleets.includes(fleet)) {
    throw new ReleaseFileError(
      `--fleet ${fleet}: no such fleet in ${layout.root} (fleets: ${fleets.join(', ') || 'none'}); create its first ` +
        `file with "cdktf-immutable release init <env> --fleet ${fleet}".`,
    );
  }
  return fleet;
}

/** ` the releases folder holds fleets (web, api): name one with --fleet; ` when it does. */
function fleetsHint(root: string): string {
  try {
    const fleets = ReleaseLayout.read(root).fleets();
    return fleets.length ? `${root} holds fleet folders (${fleets.map((f) => f.name).join(', ')}): add --fleet; ` : '';
  } catch {
    return '';
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

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
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
    writeNewFile(lock, text);
  }
}

/**
 * The text of a lock file, or undefined when it is gone. A lock file is read like a
 * release file (a FIFO or a device in its place is never opened for a blocking read):
 * anything but a small regular file reads as a lock that names no holder.
 */
function readText(path: string): string | undefined {
  const read = readBoundedFile(path, 4096);
  if ('text' in read) {
    return read.text;
  }
  return read.problem.kind === 'missing' ? undefined : `(${read.problem.kind})`;
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

/**
 * Whether a temporary lock file was left by a command that is gone: its process (in its
 * name) no longer runs on this host, and its text names this host or nothing yet (a
 * command killed between creating and writing it). One that names another host (a
 * folder shared by several hosts) is left for a minute: its command may be linking it
 * right now.
 */
function isDeadLockTemporary(path: string, pid: number): boolean {
  if (pid === process.pid || isRunning(pid)) {
    return false;
  }
  const host = readHolder(path)?.host;
  return host === undefined || host === hostname() || (guardAge(path) ?? 0) > STALE_GUARD_MS;
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
