/**
 * Release commands killed (SIGKILL) at each write and rename point, and run at once:
 * after each, every release file is byte-identical to before or fully the new one, the
 * next command reads it, and a retry cleans up what the killed command left (its lock,
 * taken over; its temporary files, removed).
 */
import { existsSync, mkdirSync, readFileSync } from 'fs';
import { join } from 'path';
import {
  AMI_1,
  AMI_2,
  AMI_3,
  codes,
  Command,
  COMMANDS,
  entries,
  expectedAfter,
  fileState,
  FileState,
  Run,
  runBuilt,
  setUp,
  startBuilt,
  faultSuite,
  withoutTimes,
} from './support';

const { table, fresh } = faultSuite('faults-kill-', 'kills and races');

const WRITERS = COMMANDS.filter((command) => command.file !== undefined);

/** The filesystem calls of a command that change something in `dir`, in order (from the fault injector's log). */
function points(command: Command): string[] {
  const dir = fresh('points');
  setUp(dir, command);
  const log = fresh('log');
  const fault = { action: 'log', path: dir, nth: 1e9, log };
  const run = runBuilt(
    ['release', ...command.args, '--dir', dir],
    {
      CDKTF_IMMUTABLE_FS_FAULT: JSON.stringify(fault),
    },
    true,
  );
  expect(run.code).toBe(0);
  return readFileSync(log, 'utf8').trim().split('\n');
}

async function waitFor(path: string, exit: Promise<Run>): Promise<boolean> {
  let exited = false;
  void exit.then(() => {
    exited = true;
  });
  for (let waited = 0; waited < 20_000; waited += 10) {
    if (existsSync(path)) {
      return true;
    }
    if (exited) {
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the command never reached ${path}`);
}

describe('SIGKILL at each write and rename point', () => {
  test.each(WRITERS.map((command) => [command.name, command] as const))('%s', async (_name, command) => {
    const expected = expectedAfter(fresh('expected'), command);
    const calls = points(command);
    expect(calls.some((call) => call.startsWith('renameSync'))).toBe(true);
    const states = new Set<FileState>();
    const retries: number[] = [];
    for (let nth = 1; nth <= calls.length; nth++) {
      const dir = fresh('kill');
      setUp(dir, command);
      const path = join(dir, command.file!);
      const before = existsSync(path) ? readFileSync(path) : undefined;
      const signal = fresh('signal');
      const fault = { action: 'pause', path: dir, nth, signal };
      const { child, exit } = startBuilt(['release', ...command.args, '--dir', dir], {
        CDKTF_IMMUTABLE_FS_FAULT: JSON.stringify(fault),
      });
      expect(await waitFor(signal, exit)).toBe(true);
      child.kill('SIGKILL');
      expect((await exit).code).toBeNull();
      // killed at this point: the file is whole, before or new
      const state = fileState(path, before, expected);
      states.add(state);
      // the next command reads it
      if (state !== 'absent') {
        const status = runBuilt(['release', 'status', '--dir', dir]);
        expect({ at: calls[nth - 1], code: status.code, stderr: status.stderr }).toEqual({
          at: calls[nth - 1],
          code: 0,
          stderr: expect.any(String),
        });
      }
      // a retry takes the lock over, removes the temporary files, and does or refuses the change
      const retry = runBuilt(['release', ...command.args, '--dir', dir]);
      retries.push(retry.code!);
      expect(retry.code === 0 || (retry.code === 1 && state === 'new') || (retry.code === 2 && state === 'new')).toBe(
        true,
      );
      expect(withoutTimes(readFileSync(path, 'utf8'))).toBe(withoutTimes(expected!));
      expect(entries(dir)).toEqual([...new Set([`${command.before?.environment ?? 'qa'}.json`, command.file!])].sort());
    }
    table.add({
      case: `SIGKILL at each of ${calls.length} write/rename points: ${command.name}`,
      exit: `killed; retry ${codes(retries)}`,
      intact: `yes (${[...states].sort().join(' or ')}); retry leaves nothing behind`,
    });
  });
});

describe('commands at once', () => {
  const start = (dir: string, args: string[]) => startBuilt(['release', ...args, '--dir', dir], {});

  test('eight promotes at once: exactly one promotes, the others are refused (exit 1)', async () => {
    const command = COMMANDS.find((c) => c.name === 'release promote')!;
    const dir = fresh('race-promote');
    setUp(dir, command);
    const expected = expectedAfter(fresh('expected'), command);
    const runs = await Promise.all(Array.from({ length: 8 }, () => start(dir, [...command.args]).exit));
    expect(runs.filter((run) => run.code === 0)).toHaveLength(1);
    for (const run of runs.filter((r) => r.code !== 0)) {
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        /refused: dev: (already promoted|another release command is changing|the lock .* keeps changing hands)/,
      );
    }
    expect(fileState(join(dir, 'dev.json'), undefined, expected)).toBe('new');
    expect(entries(dir)).toEqual(['dev.json']);
    table.add({ case: '8 x release promote at once', exit: codes(runs.map((r) => r.code)), intact: 'yes (new, once)' });
  });

  test('stage, promote, rollback, promote --steps and status at once: each whole or refused, the file always loads', async () => {
    const command = COMMANDS.find((c) => c.name === 'release stage')!;
    const dir = fresh('race-mixed');
    setUp(dir, command);
    const mixed = [
      ['stage', 'dev', '--image', AMI_3, '--no-verify'],
      ['promote', 'dev'],
      ['rollback', 'dev'],
      ['promote', 'dev', '--steps', '10,100', '--no-check-alarms'],
      ['stage', 'dev', '--image', AMI_1, '--no-verify'],
      ['status', 'dev'],
      ['promote', 'dev', '--canary', '20'],
      ['stage', 'dev', '--image', AMI_2, '--no-verify'],
    ];
    const runs = await Promise.all(mixed.map((args) => start(dir, args).exit));
    for (const run of runs) {
      expect([0, 1]).toContain(run.code);
      if (run.code === 1) {
        expect(run.stderr).toMatch(/refused: /);
      }
    }
    const status = runBuilt(['release', 'status', '--dir', dir]);
    expect(status.code).toBe(0);
    expect(entries(dir)).toEqual(['dev.json']);
    table.add({
      case: '8 mixed commands at once (stage, promote, rollback, rollout, status)',
      exit: codes(runs.map((r) => r.code)),
      intact: 'yes (each change whole; the file loads)',
    });
  });

  test('eight inits of the same environment at once: one creates it, the others are refused', async () => {
    const dir = fresh('race-init');
    mkdirSync(dir);
    const runs = await Promise.all(Array.from({ length: 8 }, () => start(dir, ['init', 'qa']).exit));
    expect(runs.filter((run) => run.code === 0)).toHaveLength(1);
    for (const run of runs.filter((r) => r.code !== 0)) {
      expect([1, 2]).toContain(run.code);
      expect(run.stderr).toMatch(
        /(already exists; it was not changed|another release command is changing|keeps changing hands)/,
      );
    }
    expect(entries(dir)).toEqual(['qa.json']);
    table.add({ case: '8 x release init at once', exit: codes(runs.map((r) => r.code)), intact: 'yes (created once)' });
  });
});
