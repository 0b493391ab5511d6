import { spawn, spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'fs';
import { hostname, tmpdir } from 'os';
import { join } from 'path';
import { ReleaseFile, ReleaseFileError, ReleaseLockedError, ReleaseStore, stageRelease } from '../../lib/release';

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
