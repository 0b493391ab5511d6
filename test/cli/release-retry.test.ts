import { ChildProcess, spawn, spawnSync } from 'child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { hostname, tmpdir } from 'os';
import { join } from 'path';
import { builtCli, runBuiltCli, runCli } from './run-cli';
import { FS_FAULTS } from '../support/built-dist';
import { emptyRelease, formatReleaseFile, parseReleaseFile, ReleaseFile } from '../../lib/release';

/**
 * The release commands are safe to retry: each case of issue 13 ("Release commands are
 * safe to retry"). Commands run in this process (runCli); the built command line runs
 * where the process matters: a refusal's exit code, commands at once, a crash, a pipe.
 */
const AMI_1 = 'ami-0123456789abcdef0';
const AMI_2 = 'ami-0fedcba9876543210';
const AMI_3 = 'ami-0aaaaaaaaaaaaaaaa';

let dir: string;
const release = (...args: string[]) => runCli(['release', ...args, '--dir', dir]);
const raw = (env = 'dev') => readFileSync(join(dir, `${env}.json`), 'utf8');
const read = (env = 'dev'): ReleaseFile => parseReleaseFile(raw(env), `${env}.json`);
const ok = (...args: string[]) => {
  const result = release(...args);
  expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 0, stderr: '' });
  return result;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'releases-'));
});

describe('rollback and promote are safe to retry (exit 1, nothing written)', () => {
  beforeEach(() => {
    ok('init', 'dev');
    ok('stage', 'dev', '--image', AMI_1);
    ok('stage', 'dev', '--image', AMI_2);
    ok('promote', 'dev');
  });

  test('a second rollback is refused and says the state', () => {
    ok('rollback', 'dev');
    const before = raw();
    const again = runBuiltCli(['release', 'rollback', 'dev', '--dir', dir]);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(
      /^cdktf-immutable: release rollback: refused: dev: already rolled back: slot "blue" \(ami-0123456789abcdef0\) is active and slot "green" \(ami-0fedcba9876543210\) was rolled back at 20\d\d-[^ ]+Z\. A second rollback would send the traffic back to the release that was rolled back, so nothing was written\. To ship it again on purpose, run "cdktf-immutable release promote dev --force-rolled-back"\.\n$/,
    );
    expect(raw()).toBe(before);
  });

  test('a promote after the rollback is refused, naming --force-rolled-back; forced, it ships the release again', () => {
    ok('rollback', 'dev');
    const before = raw();
    for (const args of [
      ['promote', 'dev'],
      ['promote', 'dev', '--canary', '10'],
    ]) {
      const refused = release(...args);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /refused: dev: slot "green" runs ami-0fedcba9876543210, the release that was rolled back at .*; promoting it would ship it again, so nothing was written\. .*"cdktf-immutable release promote dev --force-rolled-back"/,
      );
      expect(raw()).toBe(before);
    }
    ok('promote', 'dev', '--force-rolled-back');
    expect(read()).toMatchObject({ active: 'green', previous: 'blue', slots: { green: { image: AMI_2 } } });
    expect(read().slots.green.rolledBackAt).toBeUndefined();
  });

  test('--force-rolled-back takes no value', () => {
    ok('rollback', 'dev');
    const result = release('promote', 'dev', '--force-rolled-back=yes');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--force-rolled-back takes no value/);
  });

  test('a second promote is refused (it would move the traffic back)', () => {
    const before = raw();
    const again = release('promote', 'dev');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /refused: dev: already promoted: slot "green" \(ami-0fedcba9876543210\) is active .* "cdktf-immutable release rollback dev"/,
    );
    expect(raw()).toBe(before);
  });

  test('staging a fixed image after a rollback clears the mark; that one promotes', () => {
    ok('rollback', 'dev');
    ok('stage', 'dev', '--image', AMI_3);
    ok('promote', 'dev');
    expect(read()).toMatchObject({ active: 'green', slots: { green: { image: AMI_3 } } });
  });
});

describe('every "Next:" hint is right for the state it describes', () => {
  /** The release commands a command's output suggests, with <ami-id> made concrete. */
  const suggested = (stdout: string) =>
    [...stdout.matchAll(/^(?:Next|Then| {2}or): cdktf-immutable (release [^\n]*?)(?: {3}|$)/gm)].map((m) =>
      m[1].trim().replace('<ami-id>', 'ami-0bbbbbbbbbbbbbbbb').split(/\s+/),
    );

  /** Runs each suggested command on a copy of the current folder: every one must succeed. */
  function expectHintsWork(stdout: string): void {
    const commands = suggested(stdout);
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) {
      const copy = mkdtempSync(join(tmpdir(), 'hint-'));
      cpSync(dir, copy, { recursive: true });
      const result = runCli([...command, '--dir', copy]);
      expect({ after: stdout, command: command.join(' '), code: result.code, stderr: result.stderr }).toEqual({
        after: stdout,
        command: command.join(' '),
        code: 0,
        stderr: '',
      });
      rmSync(copy, { recursive: true, force: true });
    }
  }

  const steps: string[][] = [
    ['init', 'dev'],
    ['stage', 'dev', '--image', AMI_1], // first image: to the active slot
    ['stage', 'dev', '--image', AMI_2], // into the idle slot
    ['promote', 'dev', '--canary', '10'],
    ['promote', 'dev', '--canary', '0'], // ends the canary
    ['promote', 'dev', '--canary', '20'],
    ['rollback', 'dev'], // aborts the canary
    ['stage', 'dev', '--image', AMI_3],
    ['promote', 'dev'],
    ['rollback', 'dev'],
    ['promote', 'dev', '--force-rolled-back'],
  ];
  test('after each command of a release history', () => {
    for (const step of steps) {
      const result = ok(...step);
      expectHintsWork(result.stdout);
    }
  });

  test('after the first stage into an empty environment it suggests the deploy and the next stage, not a promote', () => {
    ok('init', 'dev');
    const first = ok('stage', 'dev', '--image', AMI_1);
    expect(first.stdout).not.toMatch(/promote/);
    expect(first.stdout).toMatch(
      /^Next: cdktf-immutable deploy <dev stack> \(the first deploy creates the fleet, slot blue takes the traffic\)$/m,
    );
    expect(first.stdout).toMatch(
      /^Then: cdktf-immutable release stage dev --image <ami-id> +the next release, into slot green$/m,
    );
  });

  test('after init it suggests the first stage and no deploy', () => {
    const init = ok('init', 'dev');
    expect(init.stdout).toMatch(
      /^Next: cdktf-immutable release stage dev --image <ami-id> +the first image, into slot blue\n$/m,
    );
    expect(init.stdout).not.toMatch(/cdktf deploy/);
  });
});

describe('the lock', () => {
  const lock = () => join(dir, '.dev.json.lock');

  test('left by a dead process on this host is taken over, saying so on stderr (exit 0)', () => {
    ok('init', 'dev');
    const dead = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' }).pid!;
    writeFileSync(lock(), JSON.stringify({ pid: dead, host: hostname(), since: '2026-01-01T00:00:00.000Z' }));
    const result = release('stage', 'dev', '--image', AMI_1);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `cdktf-immutable: taking over the lock ${lock()} of process ${dead} on this host (${hostname()}), locked since 2026-01-01T00:00:00.000Z: that process is no longer running.\n`,
    );
    expect(read().slots.blue.image).toBe(AMI_1);
    expect(readdirSync(dir)).toEqual(['dev.json']);
  });

  test('held by a running process keeps refusing (exit 1) with its pid and host', async () => {
    ok('init', 'dev');
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeFileSync(lock(), JSON.stringify({ pid: holder.pid, host: hostname(), since: '2026-01-01T00:00:00.000Z' }));
      const before = raw();
      const result = release('stage', 'dev', '--image', AMI_1);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `refused: dev: another release command is changing ${join(dir, 'dev.json')} (lock ${lock()}, held by process ${holder.pid} on this host (${hostname()}) since 2026-01-01T00:00:00.000Z, which is still running); retry when it is done.`,
      );
      expect(raw()).toBe(before);
    } finally {
      await kill(holder);
    }
  });

  test('held on another host keeps refusing (exit 1) and says how to remove a stale one', () => {
    ok('init', 'dev');
    writeFileSync(lock(), JSON.stringify({ pid: 4242, host: 'build-agent-3', since: '2026-01-01T00:00:00.000Z' }));
    const result = release('promote', 'dev');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `held by process 4242 on host build-agent-3 since 2026-01-01T00:00:00.000Z); this host cannot tell whether that process still runs. Retry when it is done; if no release command is running on build-agent-3, delete the lock ("rm ${lock()}") and retry.`,
    );
  });

  /**
   * A command that holds the lock for as long as the test wants: the fault injector
   * (test/support/fs-faults.js, preloaded) stops it when it opens the release file to
   * read it, under the lock, until the test lets it go on (`resume`) or kills it.
   */
  async function startBlockedCommand(args: string[]): Promise<{
    child: ChildProcess;
    resume: () => void;
    exit: Promise<{ code: number | null; stdout: string; stderr: string }>;
  }> {
    const signal = join(mkdtempSync(join(tmpdir(), 'pause-')), 'reached');
    const fault = { action: 'pause', ops: ['openSync'], path: join(dir, 'dev.json'), nth: 1, signal };
    const child = spawn(process.execPath, ['--require', FS_FAULTS, builtCli(), 'release', ...args, '--dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CDKTF_IMMUTABLE_FS_FAULT: JSON.stringify(fault) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => {
      stdout += d;
    });
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      child.on('exit', (code) => resolve({ code, stdout, stderr })),
    );
    for (let waited = 0; !existsSync(signal) || !existsSync(lock()); waited += 20) {
      if (waited > 15_000) {
        child.kill('SIGKILL');
        throw new Error(`the first command never took the lock: ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { child, resume: () => writeFileSync(`${signal}.go`, ''), exit };
  }

  test('two commands at once: exactly one writes, the other is refused (exit 1) naming the holder', async () => {
    ok('init', 'dev');
    ok('stage', 'dev', '--image', AMI_1);
    const first = await startBlockedCommand(['stage', 'dev', '--image', AMI_2]);
    // the second runs to completion while the first holds the lock
    const second = release('stage', 'dev', '--image', AMI_3);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`held by process ${first.child.pid} on this host (${hostname()})`);
    expect(second.stderr).toMatch(
      /which is still running\); retry when it is done\. If process \d+ is not a cdktf-immutable command \(its pid was reused\), the lock is stale: delete it \("rm .*\.dev\.json\.lock"\)\.\n$/,
    );
    // the first goes on and writes
    first.resume();
    const result = await first.exit;
    expect(result.code).toBe(0);
    expect(read().slots).toMatchObject({ blue: { image: AMI_1 }, green: { image: AMI_2 } });
    expect(readdirSync(dir)).toEqual(['dev.json']);
  });

  test('many promotes at once: exactly one succeeds, the others are refused (by the lock or as already promoted)', async () => {
    ok('init', 'dev');
    ok('stage', 'dev', '--image', AMI_1);
    ok('stage', 'dev', '--image', AMI_2);
    const runs = await Promise.all(
      Array.from(
        { length: 6 },
        () =>
          new Promise<{ code: number | null; stderr: string }>((resolve) => {
            const child = spawn(process.execPath, [builtCli(), 'release', 'promote', 'dev', '--dir', dir], {
              stdio: ['ignore', 'ignore', 'pipe'],
            });
            let stderr = '';
            child.stderr.on('data', (d) => {
              stderr += d;
            });
            child.on('exit', (code) => resolve({ code, stderr }));
          }),
      ),
    );
    expect(runs.filter((r) => r.code === 0)).toHaveLength(1);
    for (const refused of runs.filter((r) => r.code !== 0)) {
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/refused: dev: (already promoted|another release command is changing)/);
    }
    expect(read()).toMatchObject({ active: 'green', previous: 'blue', canary: 0 });
    expect(readdirSync(dir)).toEqual(['dev.json']);
  });

  test('a stale lock found by many commands at once is taken over exactly once, and exactly one command writes', async () => {
    ok('init', 'dev');
    ok('stage', 'dev', '--image', AMI_1);
    ok('stage', 'dev', '--image', AMI_2);
    const dead = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' }).pid!;
    writeFileSync(lock(), JSON.stringify({ pid: dead, host: hostname(), since: '2026-01-01T00:00:00.000Z' }));
    const runs = await Promise.all(
      Array.from(
        { length: 6 },
        () =>
          new Promise<{ code: number | null; stderr: string }>((resolve) => {
            const child = spawn(process.execPath, [builtCli(), 'release', 'promote', 'dev', '--dir', dir], {
              stdio: ['ignore', 'ignore', 'pipe'],
            });
            let stderr = '';
            child.stderr.on('data', (d) => {
              stderr += d;
            });
            child.on('exit', (code) => resolve({ code, stderr }));
          }),
      ),
    );
    expect(runs.map((r) => r.code).sort()).toEqual([0, 1, 1, 1, 1, 1]);
    expect(runs.filter((r) => r.stderr.includes(`taking over the lock ${lock()} of process ${dead}`))).toHaveLength(1);
    expect(read()).toMatchObject({ active: 'green', previous: 'blue', canary: 0 });
    expect(readdirSync(dir)).toEqual(['dev.json']);
  });

  test('left by a crashed run (killed while holding it) is taken over by the next command', async () => {
    ok('init', 'dev');
    const crashed = await startBlockedCommand(['stage', 'dev', '--image', AMI_2]);
    const pid = crashed.child.pid!;
    expect(JSON.parse(readFileSync(lock(), 'utf8'))).toMatchObject({ pid, host: hostname() });
    crashed.child.kill('SIGKILL');
    expect((await crashed.exit).code).toBeNull();
    // the crash left the lock behind; the file itself was never replaced
    expect(existsSync(lock())).toBe(true);
    expect(read()).toEqual(emptyRelease('dev'));
    const next = release('stage', 'dev', '--image', AMI_1);
    expect(next.code).toBe(0);
    expect(next.stderr).toMatch(
      new RegExp(
        `^cdktf-immutable: taking over the lock .* of process ${pid} on this host .*: that process is no longer running\\.\\n$`,
      ),
    );
    expect(read().slots.blue.image).toBe(AMI_1);
    expect(readdirSync(dir)).toEqual(['dev.json']);
  });
});

describe('releases/ is found from a subfolder, as git finds .git', () => {
  let repo: string;
  const inRepo = (cwd: string, ...args: string[]) =>
    runCli(['release', ...args], { cwd, env: { CDKTF_IMMUTABLE_RELEASES: '' } });
  beforeEach(() => {
    repo = mkdtempSync(join(tmpdir(), 'repo-'));
    mkdirSync(join(repo, '.git'));
    mkdirSync(join(repo, 'infra', 'stacks'), { recursive: true });
  });

  test('init from a subfolder creates releases/ at the repository root; the other commands find it from anywhere below', () => {
    const sub = join(repo, 'infra', 'stacks');
    const init = inRepo(sub, 'init', 'dev');
    expect(init.code).toBe(0);
    expect(init.stdout).toContain(`created ${join(repo, 'releases', 'dev.json')}`);
    expect(inRepo(sub, 'stage', 'dev', '--image', AMI_1).code).toBe(0);
    expect(inRepo(join(repo, 'infra'), 'status', 'dev').stdout).toMatch(/^dev: active blue \(100%\)/);
    expect(inRepo(join(repo, 'releases'), 'status').code).toBe(0);
  });

  test('--dir still wins, relative to the current folder', () => {
    mkdirSync(join(repo, 'releases'));
    const sub = join(repo, 'infra');
    expect(inRepo(sub, 'init', 'dev', '--dir', 'other-releases').code).toBe(0);
    expect(existsSync(join(sub, 'other-releases', 'dev.json'))).toBe(true);
    expect(readdirSync(join(repo, 'releases'))).toEqual([]);
  });

  test('not found: exit 2, naming where it looked (up to the repository root)', () => {
    const result = inRepo(join(repo, 'infra', 'stacks'), 'status');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `cdktf-immutable: release status: no releases folder found: looked for releases/ in ${join(repo, 'infra', 'stacks')}, ${join(repo, 'infra')}, ${repo} (up to the git repository root ${repo}); run the command inside the repository that holds releases/, pass --dir <folder>, or create the first release file with "cdktf-immutable release init <env>".\n`,
    );
  });

  test('outside a repository it looks up to the filesystem root', () => {
    const plain = mkdtempSync(join(tmpdir(), 'plain-'));
    const result = inRepo(plain, 'promote', 'dev');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /looked for releases\/ in .*plain-[^,]+, .*, \/ \(no git repository found, so up to the filesystem root\)/,
    );
  });
});

describe('release status', () => {
  test('of all environments with one broken file: the healthy ones are shown, the broken file is named, exit 2', () => {
    for (const env of ['dev', 'prod', 'staging']) {
      ok('init', env);
    }
    ok('stage', 'staging', '--image', AMI_1);
    writeFileSync(join(dir, 'prod.json'), '{"version": 1, "environment": "prod", ');
    const text = release('status');
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/^dev +no image yet, no traffic +blue - +green empty$/m);
    expect(text.stdout).toMatch(/^staging +active blue \(100%\) +blue ami-/m);
    expect(text.stdout).not.toMatch(/prod/);
    expect(text.stderr).toMatch(
      new RegExp(
        `^cdktf-immutable: release status: ${join(dir, 'prod.json').replace(/[.]/g, '\\.')}: is not valid JSON`,
      ),
    );
    expect(text.stderr).toMatch(/1 of 3 release file\(s\) cannot be read; the others are shown above\.\n$/);

    const json = release('status', '--json');
    expect(json.code).toBe(2);
    expect((JSON.parse(json.stdout) as Array<{ environment: string }>).map((r) => r.environment)).toEqual([
      'dev',
      'staging',
    ]);
    expect(json.stderr).toMatch(/prod\.json: is not valid JSON/);
  });

  test('piped into a reader that stops early (| head -1) ends quietly: no stack trace, exit 0', () => {
    // enough output to fill the pipe, so that writes continue after head has exited
    for (let i = 0; i < 400; i++) {
      writeFileSync(join(dir, `e${i}.json`), formatReleaseFile(emptyRelease(`e${i}`)));
    }
    const shell = spawnSync(
      'bash',
      [
        '-c',
        `"${process.execPath}" "${builtCli()}" release status --dir "${dir}" | head -1; echo "cli-exit=\${PIPESTATUS[0]}" >&2`,
      ],
      { encoding: 'utf8' },
    );
    expect(shell.stdout).toMatch(/^e0 +no image yet, no traffic +blue - +green empty\n$/);
    expect(shell.stderr).toBe('cli-exit=0\n');
  });
});

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}
