/**
 * Shared pieces of the fault-injection suite (`npm run test:faults`, test/faults): the
 * release files each case starts from, the command runs (in this process through
 * `main`, or the built command in a process of its own), the check that a release file
 * is byte-identical to before or fully the new one, the in-process filesystem shim, and
 * the table of results that scripts/faults.js prints at the end.
 */
import { spawn, spawnSync } from 'child_process';
import {
  appendFileSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  Mode,
  OpenMode,
  PathLike,
  readdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { main } from '../../bin/cli/main';
import { emptyRelease, formatReleaseFile, parseReleaseFile, ReleaseFile } from '../../lib/release';
import { BUILT_CLI, FS_FAULTS, requireBuiltDist } from '../support/built-dist';

// the module object itself, so that the shim's spies reach the calls of lib/ and bin/
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const fs = require('fs') as typeof import('fs');

export const AMI_1 = 'ami-0123456789abcdef0';
export const AMI_2 = 'ami-0fedcba9876543210';
export const AMI_3 = 'ami-0aaaaaaaaaaaaaaaa';

/** The result of one command run. */
export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

// ---- the release files a case starts from --------------------------------------------

/**
 * A policy with many alarm names: the release file is then over one 4 KB page (about
 * 5 KB), so a nearly full filesystem can take the first page of a write and refuse the
 * rest, as it did when the write ignored short counts. They are the fleet's own alarms
 * of the green slot (`web-green-...`), so a rollout binds them to that slot by name.
 */
const POLICY = {
  alarms: Array.from({ length: 90 }, (_, i) => `web-green-alarm-${String(i).padStart(3, '0')}-target-5xx-error-rate`),
  fleet: 'web',
};

/** Blue serves AMI_1, green has AMI_2 staged: ready to promote. */
export function staged(environment = 'dev'): ReleaseFile {
  const stamp = '2026-01-01T00:00:00.000Z';
  return {
    ...emptyRelease(environment),
    slots: {
      blue: { image: AMI_1, stagedAt: stamp, source: '--image' },
      green: { image: AMI_2, stagedAt: stamp, source: '--image' },
    },
    policy: POLICY,
  };
}

/** Green serves AMI_2 after a promote; blue (AMI_1) is the rollback target. */
export function promoted(environment = 'dev'): ReleaseFile {
  return { ...staged(environment), active: 'green', previous: 'blue' };
}

/** A release command of the suite: the file it starts from and its arguments. */
export interface Command {
  readonly name: string;
  /** The environment file it changes (`undefined`: it changes none). */
  readonly file?: string;
  /** The file it starts from (`undefined`: none, for init). */
  readonly before?: ReleaseFile;
  readonly args: readonly string[];
}

/** Every release command that writes, and status, which only reads. */
export const COMMANDS: readonly Command[] = [
  { name: 'release init', file: 'qa.json', args: ['init', 'qa'] },
  {
    name: 'release stage',
    file: 'dev.json',
    before: staged(),
    args: ['stage', 'dev', '--image', AMI_3, '--no-verify'],
  },
  { name: 'release promote', file: 'dev.json', before: staged(), args: ['promote', 'dev'] },
  {
    name: 'release promote --steps',
    file: 'dev.json',
    before: staged(),
    args: ['promote', 'dev', '--steps', '10,50,100', '--no-check-alarms'],
  },
  { name: 'release rollback', file: 'dev.json', before: promoted(), args: ['rollback', 'dev'] },
  { name: 'release status', before: staged(), args: ['status'] },
];

/** Writes the files a command starts from into `dir` (created). */
export function setUp(dir: string, command: Command): void {
  mkdirSync(dir, { recursive: true });
  if (command.before) {
    writeFileSync(join(dir, `${command.before.environment}.json`), formatReleaseFile(command.before));
  }
}

// ---- running commands -----------------------------------------------------------------

/**
 * Runs `cdktf-immutable release <args> --dir <dir>` in this process (`main`), so that
 * the filesystem shim's spies reach it; about a millisecond a run.
 */
export function runInProcess(dir: string, args: readonly string[]): Run {
  let stdout = '';
  let stderr = '';
  const code = main(['release', ...args, '--dir', dir], {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
  });
  if (typeof code !== 'number') {
    throw new Error(`release ${args.join(' ')} is asynchronous: run it with runBuilt`);
  }
  return { code, stdout, stderr };
}

/** Runs the built command in a process of its own, with `env` added (the fault injector's, for one). */
export function runBuilt(args: readonly string[], env: Record<string, string> = {}, preload = false): Run {
  requireBuiltDist();
  const result = spawnSync(process.execPath, [...(preload ? ['--require', FS_FAULTS] : []), BUILT_CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 20_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts the built command with the fault injector preloaded; resolves when it exits. */
export function startBuilt(
  args: readonly string[],
  env: Record<string, string>,
): { child: ReturnType<typeof spawn>; exit: Promise<Run> } {
  requireBuiltDist();
  const child = spawn(process.execPath, ['--require', FS_FAULTS, BUILT_CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const exit = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, exit };
}

// ---- the state of the release files --------------------------------------------------

/** ISO times written by the commands (stagedAt, startedAt...), which differ from run to run. */
const TIMES = /"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"/g;

/** A release file's text with its times replaced, to compare a result with the expected one. */
export function withoutTimes(text: string): string {
  return text.replace(TIMES, '"<time>"');
}

/** What a check found a release file to be. */
export type FileState = 'before' | 'new' | 'absent';

/**
 * Checks that the file is byte-identical to `before` (its bytes, or absent) or fully the
 * `expected` new text (times aside); throws otherwise. Returns which one it is.
 */
export function fileState(path: string, before: Buffer | undefined, expected: string | undefined): FileState {
  if (!existsSync(path)) {
    if (before !== undefined) {
      throw new Error(`${path} is gone; it held ${before.length} bytes before`);
    }
    return 'absent';
  }
  const stats = lstatSync(path);
  const now = stats.isFile() ? readFileSync(path) : undefined;
  if (before !== undefined && now !== undefined && now.equals(before)) {
    return 'before';
  }
  if (now !== undefined && expected !== undefined && withoutTimes(now.toString('utf8')) === withoutTimes(expected)) {
    parseReleaseFile(now.toString('utf8'), `${path} (new)`); // fully the new one: it loads
    return 'new';
  }
  throw new Error(
    `${path} is neither byte-identical to before nor the new file:\n${now?.toString('utf8').slice(0, 400) ?? '(not a file)'}`,
  );
}

/** The entries of a folder, sorted, to assert that nothing (temporary files, locks) was left. */
export function entries(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** The file a command writes, in a clean copy of its starting state, times aside: the "new" state. */
export function expectedAfter(scratch: string, command: Command): string | undefined {
  setUp(scratch, command);
  const run = runInProcess(scratch, command.args);
  if (run.code !== 0) {
    throw new Error(`${command.name} fails without faults: ${run.stderr}`);
  }
  return command.file ? readFileSync(join(scratch, command.file), 'utf8') : undefined;
}

// ---- the in-process filesystem shim ---------------------------------------------------

/** What the shim does to the calls that touch files under `under`. */
export type Shim =
  { readonly kind: 'budget'; readonly bytes: number; readonly code: string } | { readonly kind: 'read-only' };

function errno(code: string, call: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected, ${call} '${path}'`), { code, syscall: call, path });
}

/**
 * Runs `fn` with node's fs calls under `under` faulted, then restores them:
 * - `budget`: every write to a file there counts against `bytes`; the write that does not
 *   fit writes what fits and returns that count (a short write), later ones fail with
 *   `code` (ENOSPC, EDQUOT, EIO): a filesystem that fills up at that byte;
 * - `read-only`: opening a file there for writing, creating, linking, renaming or removing
 *   one fails with EROFS.
 */
export function withShim<T>(under: string, shim: Shim, fn: () => T): T {
  const real = {
    openSync: fs.openSync,
    writeSync: fs.writeSync,
    closeSync: fs.closeSync,
    renameSync: fs.renameSync,
    linkSync: fs.linkSync,
    unlinkSync: fs.unlinkSync,
    mkdirSync: fs.mkdirSync,
  };
  const paths = new Map<number, string>();
  let budget = shim.kind === 'budget' ? shim.bytes : Infinity;
  const inside = (path: unknown) => String(path).startsWith(under);
  const writes = (flags: unknown) =>
    typeof flags === 'string'
      ? /[wa+x]/.test(flags)
      : typeof flags === 'number' && (flags & (constants.O_WRONLY | constants.O_RDWR)) !== 0;
  const spies = [
    jest.spyOn(fs, 'openSync').mockImplementation(((path: PathLike, flags?: OpenMode, mode?: Mode) => {
      if (shim.kind === 'read-only' && inside(path) && writes(flags)) {
        throw errno('EROFS', 'open', String(path));
      }
      const fd = real.openSync(path, flags ?? 'r', mode);
      paths.set(fd, String(path));
      return fd;
    }) as typeof fs.openSync) as jest.SpyInstance,
    jest.spyOn(fs, 'closeSync').mockImplementation((fd: number) => {
      paths.delete(fd);
      return real.closeSync(fd);
    }) as jest.SpyInstance,
    jest.spyOn(fs, 'writeSync').mockImplementation(((
      fd: number,
      buffer: any,
      offset?: any,
      length?: any,
      position?: any,
    ) => {
      const path = paths.get(fd) ?? '';
      if (shim.kind !== 'budget' || !inside(path)) {
        return real.writeSync(fd, buffer, offset, length, position);
      }
      const bytes = typeof buffer === 'string' ? Buffer.from(buffer) : (buffer as Buffer);
      const start = typeof offset === 'number' ? offset : 0;
      const size = typeof length === 'number' ? length : bytes.length - start;
      if (budget <= 0) {
        throw errno(shim.code, 'write', path);
      }
      const fits = Math.min(size, budget);
      budget -= fits;
      return real.writeSync(fd, bytes, start, fits, position);
    }) as typeof fs.writeSync) as jest.SpyInstance,
  ];
  if (shim.kind === 'read-only') {
    for (const name of ['renameSync', 'linkSync', 'unlinkSync', 'mkdirSync'] as const) {
      spies.push(
        jest.spyOn(fs, name).mockImplementation(((path: unknown, ...rest: unknown[]) => {
          const creates = name !== 'mkdirSync' || !existsSync(String(path));
          if (creates && (inside(path) || (name !== 'mkdirSync' && name !== 'unlinkSync' && inside(rest[0])))) {
            throw errno('EROFS', name.replace('Sync', ''), String(path));
          }
          return (real[name] as (...args: unknown[]) => unknown)(path, ...rest);
        }) as never) as jest.SpyInstance,
      );
    }
  }
  try {
    return fn();
  } finally {
    spies.forEach((spy) => spy.mockRestore());
  }
}

// ---- the table --------------------------------------------------------------------------

/** One row of the table that scripts/faults.js prints: the case, its exit code, whether every file is intact. */
export interface Row {
  readonly case: string;
  readonly exit: string;
  readonly intact: string;
}

/** The rows of one test file, written at its end (afterAll) to $FAULTS_TABLE (JSON lines) and printed. */
export class Table {
  private readonly rows: Row[] = [];

  public add(row: Row): void {
    this.rows.push(row);
  }

  /** Appends the rows to $FAULTS_TABLE, when scripts/faults.js set it, and returns them as text. */
  public flush(): string {
    const file = process.env.FAULTS_TABLE;
    if (file) {
      appendFileSync(file, this.rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
    }
    return formatTable(this.rows);
  }
}

/**
 * What each fault file sets up the same way: a work folder made before its tests and
 * removed after them, a new path in it per use (`fresh`), and the table of its cases,
 * printed at the end under `title` (unless scripts/faults.js collects it).
 */
export function faultSuite(prefix: string, title: string): { table: Table; fresh: (name: string) => string } {
  const table = new Table();
  let work = '';
  let count = 0;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => {
    const text = table.flush();
    if (!process.env.FAULTS_TABLE) {
      console.log(`${title}:\n${text}`);
    }
    rmSync(work, { recursive: true, force: true });
  });
  return { table, fresh: (name) => join(work, `${name}-${++count}`) };
}

/** The rows as a text table. */
export function formatTable(rows: readonly Row[]): string {
  const header: Row = { case: 'case', exit: 'exit', intact: 'file intact' };
  const all = [header, ...rows];
  const width = (key: keyof Row) => Math.max(...all.map((row) => row[key].length));
  const line = (row: Row) => `${row.case.padEnd(width('case'))}  ${row.exit.padEnd(width('exit'))}  ${row.intact}`;
  return [line(header), '-'.repeat(width('case') + width('exit') + 4 + width('intact')), ...rows.map(line)].join('\n');
}

/** Summarizes exit codes seen over many runs of one case: `0, 2` or `2`. */
export function codes(seen: Iterable<number | null>): string {
  return [...new Set(seen)].sort().join(', ');
}
