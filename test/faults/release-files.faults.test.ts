/**
 * Release files under faults: every release command against a full filesystem (a real
 * tmpfs of a few pages where `mount -t tmpfs` works, and always the shim that runs out of
 * space at each byte boundary), a read-only folder, non-regular files, symbolic links,
 * huge and truncated files. Each case asserts the exit code, the message, that every
 * release file is byte-identical to before or fully the new one, and that no temporary
 * or lock file is left.
 */
import { spawnSync } from 'child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statfsSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'fs';
import { createServer, Server } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { formatReleaseFile } from '../../lib/release';
import {
  codes,
  Command,
  COMMANDS,
  entries,
  expectedAfter,
  fileState,
  FileState,
  Run,
  runBuilt,
  runInProcess,
  setUp,
  staged,
  faultSuite,
  withShim,
} from './support';

const { table, fresh } = faultSuite('faults-', 'release file faults');

/** The state of a command's file after a run, checked (before or new), and the folder's entries. */
function check(dir: string, command: Command, before: Buffer | undefined, expected: string | undefined): FileState {
  if (command.file === undefined) {
    return 'before';
  }
  return fileState(join(dir, command.file), before, expected);
}

/** The entries a command's folder must hold after a run: its release file(s) and nothing else. */
function expectedEntries(command: Command, state: FileState): string[] {
  const files = new Set<string>();
  if (command.before) {
    files.add(`${command.before.environment}.json`);
  }
  if (command.file && state === 'new') {
    files.add(command.file);
  }
  return [...files].sort();
}

const WRITERS = COMMANDS.filter((command) => command.file !== undefined);
const STATUS = COMMANDS.find((command) => command.name === 'release status')!;

describe('a full filesystem: the shim runs out of space at each byte boundary', () => {
  test.each(WRITERS.map((command) => [command.name, command] as const))('%s', (_name, command) => {
    const expected = expectedAfter(fresh('expected'), command);
    // byte boundaries over the lock file and the release file (5 to 10 KB): the first 300
    // bytes one by one (the lock file and the start of the release file), then every 11th,
    // and each byte around the 4 KB and 8 KB page boundaries
    const total = 120 + Buffer.byteLength(expected ?? '');
    const budgets = [
      ...new Set([
        ...Array(300).keys(),
        ...range(300, total + 8, 11),
        ...range(4086, 4106, 1),
        ...range(8182, 8202, 1),
      ]),
    ].filter((bytes) => bytes <= total + 8);
    const seen: number[] = [];
    const states = new Set<FileState>();
    for (const code of ['ENOSPC', 'EDQUOT', 'EIO']) {
      // every boundary for ENOSPC; every 11th for the other codes (the same path, another errno)
      for (const bytes of code === 'ENOSPC' ? budgets : budgets.filter((_b, i) => i % 11 === 0)) {
        const dir = fresh('shim');
        setUp(dir, command);
        const before = command.file ? readOrUndefined(join(dir, command.file)) : undefined;
        const run = withShim(dir, { kind: 'budget', bytes, code }, () => runInProcess(dir, command.args));
        seen.push(run.code!);
        const state = check(dir, command, before, expected);
        states.add(state);
        if (run.code === 0) {
          expect(state).toBe('new');
        } else {
          expect(run.code).toBe(2);
          expect(run.stderr).toMatch(
            new RegExp(
              `(cannot be written .*\\(${code}: .*\\); the file was not changed and no temporary file was left|` +
                `cannot create the lock file \\(${code}: .*\\); nothing was changed)`,
            ),
          );
          expect(state).toBe(command.file === 'qa.json' ? 'absent' : 'before');
        }
        expect(entries(dir)).toEqual(expectedEntries(command, state));
      }
    }
    expect(new Set(seen)).toEqual(new Set([0, 2]));
    table.add({
      case: `full disk (shim, ${budgets.length} byte boundaries, ENOSPC; EDQUOT, EIO): ${command.name}`,
      exit: codes(seen),
      intact: `yes (${[...states].sort().join(' or ')}), no temporary file left`,
    });
  });

  test('release status only reads: it works on a full filesystem', () => {
    const dir = fresh('status');
    setUp(dir, STATUS);
    const before = readFileSync(join(dir, 'dev.json'));
    const run = withShim(dir, { kind: 'budget', bytes: 0, code: 'ENOSPC' }, () => runInProcess(dir, STATUS.args));
    expect(run.code).toBe(0);
    expect(readFileSync(join(dir, 'dev.json')).equals(before)).toBe(true);
    table.add({ case: 'full disk (shim): release status', exit: String(run.code), intact: 'yes (before)' });
  });
});

/** Whether a tmpfs can be mounted here (as root on Linux); the shim covers the other machines. */
function canMountTmpfs(): boolean {
  const probe = mkdtempSync(join(tmpdir(), 'faults-probe-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', probe]).status === 0;
  if (mounted) {
    spawnSync('umount', [probe]);
  }
  rmSync(probe, { recursive: true, force: true });
  return mounted;
}

const TMPFS = process.platform === 'linux' && canMountTmpfs();

describe('a full filesystem: a real 32 KB tmpfs, nearly full (where mount -t tmpfs is permitted)', () => {
  let mount: string;
  beforeAll(() => {
    mount = mkdtempSync(join(tmpdir(), 'faults-tmpfs-'));
    if (TMPFS) {
      expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=32k', 'tmpfs', mount]).status).toBe(0);
    }
  });
  afterAll(() => {
    if (TMPFS) {
      spawnSync('umount', [mount]);
    }
    rmSync(mount, { recursive: true, force: true });
  });

  test.each(WRITERS.map((command) => [command.name, command] as const))('%s', (_name, command) => {
    if (!TMPFS) {
      // this machine may not mount a filesystem: the shim above covers the same byte boundaries
      table.add({ case: `full disk (tmpfs): ${command.name}`, exit: '-', intact: 'not run: no mount permission' });
      return;
    }
    const expected = expectedAfter(fresh('expected'), command);
    const seen: number[] = [];
    const states = new Set<FileState>();
    // free space from none to more than the file needs, a page at a time (tmpfs allocates pages)
    for (let free = 0; free <= 24 * 1024; free += 4096) {
      rmSync(join(mount, 'releases'), { recursive: true, force: true });
      rmSync(join(mount, 'filler'), { force: true });
      const dir = join(mount, 'releases');
      setUp(dir, command);
      fill(mount, free);
      const before = readOrUndefined(join(dir, command.file!));
      const run = runBuilt(['release', ...command.args, '--dir', dir]);
      seen.push(run.code!);
      const state = check(dir, command, before, expected);
      states.add(state);
      if (run.code !== 0) {
        expect({ code: run.code, stderr: run.stderr }).toEqual({
          code: 2,
          stderr: expect.stringMatching(
            /\(ENOSPC: the filesystem is full\); (the file was not changed|nothing was changed)/,
          ),
        });
      }
      expect(entries(dir)).toEqual(expectedEntries(command, state));
    }
    expect(seen).toContain(2);
    expect(seen).toContain(0);
    table.add({
      case: `full disk (32 KB tmpfs, 0 to 24 KB free): ${command.name}`,
      exit: codes(seen),
      intact: `yes (${[...states].sort().join(' or ')}), no temporary file left`,
    });
  });
});

/** Fills the filesystem of `mount` until at most `free` bytes are left. */
function fill(mount: string, free: number): void {
  const statfs = statfsSync(mount);
  const available = Number(statfs.bavail) * Number(statfs.bsize);
  const size = Math.max(0, available - free);
  if (size > 0) {
    try {
      writeFileSync(join(mount, 'filler'), Buffer.alloc(size));
    } catch {
      // full before the end: as full as it gets
    }
  }
}

function readOrUndefined(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i += step) {
    out.push(i);
  }
  return out;
}

describe('a read-only folder', () => {
  test.each(WRITERS.map((command) => [command.name, command] as const))(
    '%s: exit 2, nothing changed',
    (_name, command) => {
      const dir = fresh('ro');
      setUp(dir, command);
      const before = readOrUndefined(join(dir, command.file!));
      const run = withShim(dir, { kind: 'read-only' }, () => runInProcess(dir, command.args));
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /EROFS: the filesystem is read-only\); (nothing was changed|the file was not changed)/,
      );
      const state = check(dir, command, before, undefined);
      expect(entries(dir)).toEqual(expectedEntries(command, state));
      table.add({ case: `read-only folder: ${command.name}`, exit: String(run.code), intact: `yes (${state})` });
    },
  );

  test('release status reads a read-only folder', () => {
    const dir = fresh('ro-status');
    setUp(dir, STATUS);
    const run = withShim(dir, { kind: 'read-only' }, () => runInProcess(dir, STATUS.args));
    expect(run.code).toBe(0);
    table.add({ case: 'read-only folder: release status', exit: '0', intact: 'yes (before)' });
  });

  test('a read-only mount (tmpfs -o ro), the built command, where mount is permitted', () => {
    if (!TMPFS) {
      table.add({
        case: 'read-only mount (tmpfs -o ro): release stage',
        exit: '-',
        intact: 'not run: no mount permission',
      });
      return;
    }
    const mount = mkdtempSync(join(tmpdir(), 'faults-ro-'));
    const dir = join(mount, 'releases');
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount]).status).toBe(0);
    try {
      setUp(dir, COMMANDS[1]);
      const before = readFileSync(join(dir, 'dev.json'));
      expect(spawnSync('mount', ['-o', 'remount,ro', mount]).status).toBe(0);
      const run = runBuilt(['release', ...COMMANDS[1].args, '--dir', dir]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /cannot create the lock file \(EROFS: the filesystem is read-only\); nothing was changed/,
      );
      expect(readFileSync(join(dir, 'dev.json')).equals(before)).toBe(true);
      expect(entries(dir)).toEqual(['dev.json']);
      table.add({ case: 'read-only mount (tmpfs -o ro): release stage', exit: '2', intact: 'yes (before)' });
    } finally {
      spawnSync('umount', [mount]);
      rmSync(mount, { recursive: true, force: true });
    }
  });
});

describe('non-regular files in releases/', () => {
  const kinds: Array<[string, (path: string) => Promise<Server | void> | void, RegExp]> = [
    [
      'a FIFO',
      (path) => void expect(spawnSync('mkfifo', [path]).status).toBe(0),
      /is a FIFO \(named pipe\), not a regular file/,
    ],
    ['a link to /dev/zero', (path) => symlinkSync('/dev/zero', path), /is a character device, not a regular file/],
    ['a directory', (path) => mkdirSync(path), /is a directory, not a regular file/],
    [
      'a socket',
      (path) =>
        new Promise<Server>((resolve) => {
          const server = createServer();
          server.listen(path, () => resolve(server));
        }),
      /is a socket, not a regular file/,
    ],
  ];

  test.each(kinds)(
    '%s as dev.json: every command exits 2 at once, the file is left as it is',
    async (kind, make, message) => {
      const seen: number[] = [];
      for (const command of COMMANDS.filter((c) => c.before?.environment === 'dev')) {
        const dir = fresh('special');
        mkdirSync(dir);
        const server = await make(join(dir, 'dev.json'));
        try {
          const started = Date.now();
          const run = runBuilt(['release', ...command.args, '--dir', dir]);
          expect(Date.now() - started).toBeLessThan(10_000);
          seen.push(run.code!);
          expect(run.code).toBe(2);
          expect(run.stderr).toMatch(message);
          expect(entries(dir)).toEqual(['dev.json']);
          expect(lstatSync(join(dir, 'dev.json')).isFile()).toBe(false);
        } finally {
          server?.close();
        }
      }
      table.add({
        case: `${kind} as a release file: stage, promote, rollback, status`,
        exit: codes(seen),
        intact: 'yes (left as it was)',
      });
    },
  );

  test('a FIFO as the lock file: refused at once (exit 1), nothing changed', () => {
    const dir = fresh('lock-fifo');
    setUp(dir, COMMANDS[1]);
    const before = readFileSync(join(dir, 'dev.json'));
    expect(spawnSync('mkfifo', [join(dir, '.dev.json.lock')]).status).toBe(0);
    const run = runBuilt(['release', ...COMMANDS[1].args, '--dir', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/is locked by .*\.dev\.json\.lock, which does not say which process holds it/);
    expect(readFileSync(join(dir, 'dev.json')).equals(before)).toBe(true);
    table.add({ case: 'a FIFO as the lock file: release stage', exit: '1', intact: 'yes (before)' });
  });
});

describe('symbolic links', () => {
  test('a release file that is a link is written through: the target is updated, the link stays', () => {
    const dir = fresh('links');
    const shared = fresh('shared');
    mkdirSync(dir);
    mkdirSync(shared);
    const target = join(shared, 'dev-release.json');
    writeFileSync(target, formatReleaseFile(staged()));
    chmodSync(target, 0o640);
    symlinkSync(target, join(dir, 'dev.json'));
    const expected = expectedAfter(fresh('expected'), COMMANDS[1]);
    const run = runInProcess(dir, COMMANDS[1].args);
    expect(run.code).toBe(0);
    expect(readlinkSync(join(dir, 'dev.json'))).toBe(target);
    expect(fileState(target, undefined, expected)).toBe('new');
    expect(lstatSync(target).mode & 0o777).toBe(0o640);
    expect(entries(shared)).toEqual(['dev-release.json']);
    expect(entries(dir)).toEqual(['dev.json']);
    table.add({ case: 'a link to a release file: release stage', exit: '0', intact: 'yes (new, through the link)' });
  });

  test('a link to nothing: exit 2 naming it, for every command; init does not replace it', () => {
    const seen: number[] = [];
    for (const command of COMMANDS.filter((c) => c.before?.environment === 'dev')) {
      const dir = fresh('dangling');
      mkdirSync(dir);
      symlinkSync(join(dir, 'gone.json'), join(dir, 'dev.json'));
      const run = runInProcess(dir, command.args);
      seen.push(run.code!);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/dev\.json: is a symbolic link to .*gone\.json, which does not exist/);
      expect(lstatSync(join(dir, 'dev.json')).isSymbolicLink()).toBe(true);
    }
    const dir = fresh('dangling-init');
    mkdirSync(dir);
    symlinkSync(join(dir, 'gone.json'), join(dir, 'dev.json'));
    const init = runInProcess(dir, ['init', 'dev']);
    seen.push(init.code!);
    expect(init.code).toBe(2);
    expect(lstatSync(join(dir, 'dev.json')).isSymbolicLink()).toBe(true);
    table.add({
      case: 'a link to nothing: init, stage, promote, rollback, status',
      exit: codes(seen),
      intact: 'yes (link left)',
    });
  });
});

describe('huge and truncated files', () => {
  test('a 600 MB file is refused by its size, without being read: "is N bytes; the limit is M"', () => {
    const seen: number[] = [];
    for (const command of COMMANDS.filter((c) => c.before?.environment === 'dev')) {
      const dir = fresh('huge');
      setUp(dir, command);
      truncateSync(join(dir, 'dev.json'), 600 * 1024 * 1024); // sparse: nothing is allocated
      const started = Date.now();
      const run = runBuilt(['release', ...command.args, '--dir', dir]);
      expect(Date.now() - started).toBeLessThan(10_000);
      seen.push(run.code!);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /dev\.json: is 629145600 bytes; the limit is 65536 \(a release file holds a few hundred\)/,
      );
      expect(run.stderr).not.toMatch(/release init/);
      expect(lstatSync(join(dir, 'dev.json')).size).toBe(600 * 1024 * 1024);
    }
    table.add({
      case: 'a 600 MB release file: stage, promote, rollback, status',
      exit: codes(seen),
      intact: 'yes (before)',
    });
  });

  test('a file cut at every point is refused (exit 2) and left as it is', () => {
    const full = formatReleaseFile(staged());
    const seen: number[] = [];
    for (let cut = 0; cut < full.length; cut += 97) {
      const dir = fresh('cut');
      mkdirSync(dir);
      writeFileSync(join(dir, 'dev.json'), full.slice(0, cut));
      const before = readFileSync(join(dir, 'dev.json'));
      const run: Run = runInProcess(dir, ['stage', 'dev', '--image', 'ami-0aaaaaaaaaaaaaaaa', '--no-verify']);
      seen.push(run.code!);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(cut === 0 ? /dev\.json: is empty/ : /dev\.json: is not valid JSON/);
      expect(readFileSync(join(dir, 'dev.json')).equals(before)).toBe(true);
      expect(entries(dir)).toEqual(['dev.json']);
    }
    table.add({
      case: `truncated release file (${seen.length} cut points): release stage`,
      exit: codes(seen),
      intact: 'yes (before)',
    });
  });
});
