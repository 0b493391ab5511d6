import { spawn, spawnSync } from 'child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  statSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'fs';
import { hostname, tmpdir } from 'os';
import { join } from 'path';
import {
  emptyRelease,
  formatReleaseFile,
  loadReleaseFile,
  parseReleaseFile,
  ReleaseFile,
  ReleaseFileError,
  ReleaseLockedError,
  ReleaseStore,
  stageRelease,
} from '../../lib/release';

// the module object itself (an `import * as` copy cannot be spied on): the store's calls go through it
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fs = require('fs') as typeof import('fs');

const AMI_1 = 'ami-0123456789abcdef0';
const CLOCK = new Date('2026-04-01T08:30:00.000Z');

let dir: string;
let warnings: string[];
let store: ReleaseStore;
const lock = () => join(dir, '.dev.json.lock');
const stage = (release: ReleaseFile) => stageRelease(release, { image: AMI_1, source: '--image', now: CLOCK });

/** The pid of a process that has exited (and been reaped): nothing runs under it. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  expect(child.status).toBe(0);
  return child.pid!;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'store-'));
  warnings = [];
  store = new ReleaseStore(dir, { now: () => CLOCK, warn: (message) => warnings.push(message) });
  store.init('dev');
});

describe('the lock records its holder', () => {
  test('pid, host and the time from the injected clock, and it is gone afterwards', () => {
    let seen = '';
    store.update('dev', (release) => {
      seen = readFileSync(lock(), 'utf8');
      return stage(release);
    });
    expect(JSON.parse(seen)).toEqual({ pid: process.pid, host: hostname(), since: '2026-04-01T08:30:00.000Z' });
    expect(readdirSync(dir)).toEqual(['dev.json']);
  });

  test('a second update while the first holds the lock is refused (the holder is running), and the first still writes', () => {
    const inner = new ReleaseStore(dir, { now: () => CLOCK, warn: (message) => warnings.push(message) });
    let refused: unknown;
    store.update('dev', (release) => {
      try {
        inner.update('dev', stage);
      } catch (error) {
        refused = error;
      }
      return stage(release);
    });
    expect(refused).toBeInstanceOf(ReleaseLockedError);
    expect((refused as Error).message).toBe(
      `dev: another release command is changing ${join(dir, 'dev.json')} (lock ${lock()}, held by process ${process.pid} on this host (${hostname()}) since 2026-04-01T08:30:00.000Z, which is still running); retry when it is done. If process ${process.pid} is not a cdktf-immutable command (its pid was reused), the lock is stale: delete it ("rm ${lock()}").`,
    );
    expect(store.load('dev').slots.blue.image).toBe(AMI_1);
    expect(warnings).toEqual([]);
  });
});

describe('a stale lock', () => {
  test('of a process that is gone on this host is taken over, with a warning', () => {
    const pid = deadPid();
    writeFileSync(lock(), JSON.stringify({ pid, host: hostname(), since: '2026-01-01T00:00:00.000Z' }));
    store.update('dev', stage);
    expect(store.load('dev').slots.blue.image).toBe(AMI_1);
    expect(warnings).toEqual([
      `cdktf-immutable: taking over the lock ${lock()} of process ${pid} on this host (${hostname()}), locked since 2026-01-01T00:00:00.000Z: that process is no longer running.`,
    ]);
    expect(readdirSync(dir)).toEqual(['dev.json']);
  });

  test('of a running process keeps refusing, and the lock and the file are untouched', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      const text = JSON.stringify({ pid: child.pid, host: hostname(), since: '2026-01-01T00:00:00.000Z' });
      writeFileSync(lock(), text);
      const before = readFileSync(join(dir, 'dev.json'), 'utf8');
      expect(() => store.update('dev', stage)).toThrow(
        new ReleaseLockedError(
          `dev: another release command is changing ${join(dir, 'dev.json')} (lock ${lock()}, held by process ${child.pid} on this host (${hostname()}) since 2026-01-01T00:00:00.000Z, which is still running); retry when it is done. If process ${child.pid} is not a cdktf-immutable command (its pid was reused), the lock is stale: delete it ("rm ${lock()}").`,
        ),
      );
      expect(readFileSync(lock(), 'utf8')).toBe(text);
      expect(readFileSync(join(dir, 'dev.json'), 'utf8')).toBe(before);
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });

  test('on another host keeps refusing and says how to remove it', () => {
    writeFileSync(lock(), JSON.stringify({ pid: deadPid(), host: 'ci-runner-7', since: '2026-01-01T00:00:00.000Z' }));
    expect(() => store.update('dev', stage)).toThrow(
      /held by process \d+ on host ci-runner-7 since 2026-01-01T00:00:00\.000Z\); this host cannot tell whether that process still runs\. Retry when it is done; if no release command is running on ci-runner-7, delete the lock \("rm .*\.dev\.json\.lock"\) and retry\./,
    );
    expect(warnings).toEqual([]);
  });

  test.each([
    ['garbage', 'not a lock'],
    ['a pid of 0 (which would mean the process group)', JSON.stringify({ pid: 0, host: hostname() })],
    ['a negative pid', JSON.stringify({ pid: -1, host: hostname() })],
  ])('that does not name a process (%s) keeps refusing, naming the lock', (_name, text) => {
    writeFileSync(lock(), text);
    expect(() => store.update('dev', stage)).toThrow(
      /dev\.json is locked by .*\.dev\.json\.lock, which does not say which process holds it; if no release command is running, delete it \("rm /,
    );
    expect(readFileSync(lock(), 'utf8')).toBe(text);
  });

  test('being taken over by another command right now (a fresh takeover guard) is refused', () => {
    writeFileSync(lock(), JSON.stringify({ pid: deadPid(), host: hostname() }));
    writeFileSync(`${lock()}.takeover`, '');
    expect(() => store.update('dev', stage)).toThrow(
      /another release command is taking over the stale lock .* right now; retry when it is done/,
    );
    expect(existsSync(lock())).toBe(true);
  });

  test('a takeover guard left by a command that died is removed, and the takeover proceeds', () => {
    writeFileSync(lock(), JSON.stringify({ pid: deadPid(), host: hostname() }));
    writeFileSync(`${lock()}.takeover`, '');
    const old = new Date(Date.now() - 120_000);
    utimesSync(`${lock()}.takeover`, old, old);
    store.update('dev', stage);
    expect(warnings).toEqual([
      expect.stringMatching(
        /removed .*\.dev\.json\.lock\.takeover, left by a command that stopped while taking over a lock/,
      ),
      expect.stringMatching(/taking over the lock .* no longer running/),
    ]);
    expect(readdirSync(dir)).toEqual(['dev.json']);
  });

  test('a refused change leaves no lock and no temporary file behind', () => {
    expect(() =>
      store.update('dev', () => {
        throw new Error('refused');
      }),
    ).toThrow('refused');
    expect(readdirSync(dir)).toEqual(['dev.json']);
  });
});

describe('finding releases/ as git finds .git', () => {
  let repo: string;
  beforeEach(() => {
    repo = mkdtempSync(join(tmpdir(), 'repo-'));
    mkdirSync(join(repo, '.git'));
    mkdirSync(join(repo, 'infra', 'stacks', 'deep'), { recursive: true });
  });

  test('the nearest releases/ from a subfolder', () => {
    mkdirSync(join(repo, 'releases'));
    expect(ReleaseStore.find(join(repo, 'infra', 'stacks', 'deep')).directory).toBe(join(repo, 'releases'));
    mkdirSync(join(repo, 'infra', 'releases'));
    expect(ReleaseStore.find(join(repo, 'infra', 'stacks', 'deep')).directory).toBe(join(repo, 'infra', 'releases'));
    // inside releases/ itself
    expect(ReleaseStore.find(join(repo, 'releases')).directory).toBe(join(repo, 'releases'));
  });

  test('stops at the repository root, naming every folder it looked in', () => {
    const outer = mkdtempSync(join(tmpdir(), 'outer-'));
    mkdirSync(join(outer, 'releases'));
    mkdirSync(join(outer, 'repo', '.git'), { recursive: true });
    mkdirSync(join(outer, 'repo', 'sub'));
    expect(() => ReleaseStore.find(join(outer, 'repo', 'sub'))).toThrow(
      new ReleaseFileError(
        `no releases folder found: looked for releases/ in ${join(outer, 'repo', 'sub')}, ${join(outer, 'repo')} (up to the git repository root ${join(outer, 'repo')}); run the command inside the repository that holds releases/, pass --dir <folder>, or create the first release file with "cdktf-immutable release init <env>".`,
      ),
    );
  });

  test('a releases file (not a folder) is not taken for the folder', () => {
    writeFileSync(join(repo, 'infra', 'releases'), '');
    expect(() => ReleaseStore.find(join(repo, 'infra', 'stacks'))).toThrow(
      /looked for releases\/ in .*infra\/stacks, .*infra, /,
    );
  });

  test('findOrDefault: the repository root when there is no releases/ yet', () => {
    expect(ReleaseStore.findOrDefault(join(repo, 'infra', 'stacks')).directory).toBe(join(repo, 'releases'));
    mkdirSync(join(repo, 'infra', 'releases'));
    expect(ReleaseStore.findOrDefault(join(repo, 'infra', 'stacks')).directory).toBe(join(repo, 'infra', 'releases'));
  });
});

describe('files that are not release files are refused before anything is read', () => {
  const file = () => join(dir, 'dev.json');
  const replaceBy = (make: (path: string) => void) => {
    unlinkSync(file());
    make(file());
  };

  test('a FIFO (named pipe) is refused at once: no command waits for a writer', () => {
    replaceBy((path) => expect(spawnSync('mkfifo', [path]).status).toBe(0));
    expect(() => store.load('dev')).toThrow(
      new ReleaseFileError(
        `${file()}: is a FIFO (named pipe), not a regular file, so it was not read; replace it by the release file (restore it from git) or remove it.`,
      ),
    );
    expect(() => store.update('dev', stage)).toThrow(/is a FIFO \(named pipe\), not a regular file/);
    expect(readdirSync(dir)).toEqual(['dev.json']);
  });

  test('a symbolic link to a device (/dev/zero) is refused without reading a byte', () => {
    replaceBy((path) => symlinkSync('/dev/zero', path));
    expect(() => loadReleaseFile(file())).toThrow(/dev\.json: is a character device, not a regular file/);
  });

  test('a directory is refused', () => {
    replaceBy((path) => mkdirSync(path));
    expect(() => store.load('dev')).toThrow(/dev\.json: is a directory, not a regular file/);
  });

  test('a file over the limit is refused by its size, with the size and the limit (not "create it")', () => {
    replaceBy((path) => {
      writeFileSync(path, '');
      truncateSync(path, 600 * 1024 * 1024); // sparse: nothing is allocated, and nothing must be read
    });
    expect(() => store.load('dev')).toThrow(
      new ReleaseFileError(
        `${file()}: is 629145600 bytes; the limit is 65536 (a release file holds a few hundred); it is not a release file: restore it from git ("git checkout -- ${file()}") or remove it.`,
      ),
    );
  });

  test('a link to nothing says so, and init does not replace it', () => {
    replaceBy((path) => symlinkSync(join(dir, 'gone.json'), path));
    expect(() => store.load('dev')).toThrow(
      `${file()}: is a symbolic link to ${join(dir, 'gone.json')}, which does not exist; restore the file it points to, or replace the link by the release file.`,
    );
    expect(() => store.init('dev')).toThrow(
      /is a symbolic link to .*gone\.json, which does not exist; it was not changed/,
    );
    expect(lstatSync(file()).isSymbolicLink()).toBe(true);
  });

  test('an unreadable file names its permissions as the fix', () => {
    const read = jest.spyOn(fs, 'openSync').mockImplementationOnce(() => {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    });
    try {
      expect(() => store.load('dev')).toThrow(`${file()}: cannot be read (EACCES); check its permissions.`);
    } finally {
      read.mockRestore();
    }
  });
});

describe('writes: every byte, checked, or nothing', () => {
  const file = () => join(dir, 'dev.json');

  test('short writes (one byte per call) are completed: the file is whole', () => {
    const real = fs.writeSync;
    const write = jest
      .spyOn(fs, 'writeSync')
      .mockImplementation((fd: number, buffer: any, offset?: any, length?: any, position?: any) =>
        typeof offset === 'number' && typeof length === 'number' && length > 1
          ? real(fd, buffer, offset, 1, position)
          : real(fd, buffer, offset, length, position),
      );
    try {
      store.update('dev', stage);
    } finally {
      write.mockRestore();
    }
    expect(store.load('dev').slots.blue.image).toBe(AMI_1);
    // whole: every byte of the text the store formats, and nothing after it
    expect(readFileSync(file(), 'utf8')).toBe(formatReleaseFile(store.load('dev')));
  });

  test.each([
    ['ENOSPC', 'the filesystem is full', 'Free some space on the filesystem of'],
    ['EDQUOT', 'the disk quota is exceeded', 'Free some space on the filesystem of'],
    ['EIO', 'an input/output error', 'Check the disk that holds'],
  ])(
    '%s after a partial write: exit 2 (a ReleaseFileError), the original intact, no temporary file',
    (code, reason, fix) => {
      const before = readFileSync(file());
      const real = fs.writeSync;
      let calls = 0;
      const write = jest
        .spyOn(fs, 'writeSync')
        .mockImplementation((fd: number, buffer: any, offset?: any, length?: any, position?: any) => {
          if (!String(buffer).includes('"version"')) {
            return real(fd, buffer, offset, length, position); // the lock file
          }
          calls++;
          if (calls === 1 && typeof length === 'number') {
            return real(fd, buffer, offset, Math.min(length, 10), position); // what fits
          }
          throw Object.assign(new Error(`${code}: injected`), { code });
        });
      try {
        expect(() => store.update('dev', stage)).toThrow(
          new RegExp(
            `dev\\.json: cannot be written \\(${code}: ${reason}\\); the file was not changed and no temporary file was left\\. ${fix}`,
          ),
        );
      } finally {
        write.mockRestore();
      }
      expect(readFileSync(file()).equals(before)).toBe(true);
      expect(readdirSync(dir)).toEqual(['dev.json']);
    },
  );

  test('a full disk while the lock is created leaves no temporary lock file', () => {
    const write = jest.spyOn(fs, 'writeSync').mockImplementation(() => {
      throw Object.assign(new Error('ENOSPC: injected'), { code: 'ENOSPC' });
    });
    try {
      expect(() => store.update('dev', stage)).toThrow(
        new ReleaseFileError(
          `${dir}: cannot create the lock file (ENOSPC: the filesystem is full); nothing was changed. Free some space on the filesystem of ${dir} and run the command again.`,
        ),
      );
    } finally {
      write.mockRestore();
    }
    expect(readdirSync(dir)).toEqual(['dev.json']);
  });

  test('bytes that read back differently are not renamed into place', () => {
    const before = readFileSync(file());
    const real = fs.readFileSync;
    const read = jest
      .spyOn(fs, 'readFileSync')
      .mockImplementation(((path: any, options?: any) =>
        String(path).endsWith('.tmp') ? Buffer.from('{"version": 1') : real(path, options)) as typeof fs.readFileSync);
    try {
      expect(() => store.update('dev', stage)).toThrow(
        /cannot be written \(EVERIFY: the bytes read back differ from the bytes written\); the file was not changed/,
      );
    } finally {
      read.mockRestore();
    }
    expect(readFileSync(file()).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['dev.json']);
  });

  test('a symbolic link is written through: the target gets the update, keeps its permissions, the link stays', () => {
    const shared = mkdtempSync(join(tmpdir(), 'shared-'));
    const target = join(shared, 'dev-release.json');
    renameSync(file(), target);
    chmodSync(target, 0o600);
    symlinkSync(target, file());
    store.update('dev', stage);
    expect(lstatSync(file()).isSymbolicLink()).toBe(true);
    expect(readlinkSync(file())).toBe(target);
    expect(parseReleaseFile(readFileSync(target, 'utf8'), 'dev.json').slots.blue.image).toBe(AMI_1);
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(readdirSync(shared)).toEqual(['dev-release.json']);
  });

  test('a temporary file left by a killed command is removed by the next one, with a warning', () => {
    const leftover = join(dir, `.dev.json.${deadPid()}.0123456789ab.tmp`);
    writeFileSync(leftover, '{"version": 1, "half');
    store.update('dev', stage);
    expect(readdirSync(dir)).toEqual(['dev.json']);
    expect(warnings).toEqual([expect.stringMatching(/^cdktf-immutable: removed .*\.tmp, left by a release command/)]);
  });

  test('a temporary lock file of a dead process is removed: at once when it names this host or nothing', () => {
    const pid = deadPid();
    const empty = join(dir, `.dev.json.lock.${pid}.0123456789ab.tmp`);
    const ours = join(dir, `.dev.json.lock.${pid}.0123456789ac.tmp`);
    writeFileSync(empty, '');
    writeFileSync(ours, JSON.stringify({ pid, host: hostname(), since: '2026-01-01T00:00:00.000Z' }));
    store.update('dev', stage);
    expect(readdirSync(dir)).toEqual(['dev.json']);
    expect(warnings).toHaveLength(2);
  });

  test('one that names another host (a shared folder) is left for a minute: its command may be linking it', () => {
    const leftover = join(dir, `.dev.json.lock.${deadPid()}.0123456789ab.tmp`);
    writeFileSync(leftover, JSON.stringify({ pid: 1, host: 'ci-runner-7' }));
    store.update('dev', stage);
    expect(existsSync(leftover)).toBe(true);
    const old = new Date(Date.now() - 120_000);
    utimesSync(leftover, old, old);
    store.update('dev', (release) => ({ ...release, canary: 0 }));
    expect(readdirSync(dir)).toEqual(['dev.json']);
  });
});

describe('the fleet architecture in the release file', () => {
  test('init records it, every transition keeps it, and it is written after the slots', () => {
    const arm = new ReleaseStore(mkdtempSync(join(tmpdir(), 'arch-')), { now: () => CLOCK });
    arm.init('prod', 'arm64');
    const { after } = arm.update('prod', stage);
    expect(after.architecture).toBe('arm64');
    const text = readFileSync(arm.pathOf('prod'), 'utf8');
    expect(text).toMatch(/"slots": \{[\s\S]*\},\n {2}"architecture": "arm64"\n\}\n$/);
    expect(parseReleaseFile(text, 'prod.json').architecture).toBe('arm64');
  });

  test('a file without it stays valid and is written without it', () => {
    expect(readFileSync(join(dir, 'dev.json'), 'utf8')).not.toContain('architecture');
  });

  test('another value is refused, naming the two it may be', () => {
    const text = formatReleaseFile({ ...emptyRelease('dev'), architecture: 'sparc' as never });
    expect(() => parseReleaseFile(text, 'dev.json')).toThrow(
      new ReleaseFileError(
        `dev.json: "architecture" is "sparc"; set it to "x86_64" or "arm64" (the architecture of the fleet's instance type), or remove it.`,
      ),
    );
  });
});
