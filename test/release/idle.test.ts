import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  emptyRelease,
  formatReleaseFile,
  parseReleaseFile,
  promoteRelease,
  recordIdle,
  ReleaseFile,
  ReleaseFileError,
  ReleaseStore,
  rollbackRelease,
  stageRelease,
  stageSameImage,
} from '../../lib/release';
import { startRollout } from '../../lib/release/rollout-advance';

// The release file records when each slot went idle (`slots.<slot>.idleSince`), for a
// fleet's idle capacity: set when the traffic moves off a slot, kept while it stays idle,
// removed when it serves again or a new release is staged into it.

const AMI_1 = 'ami-0123456789abcdef0';
const AMI_2 = 'ami-0fedcba9876543210';
const AMI_3 = 'ami-0aaaaaaaaaaaaaaaa';
const T0 = new Date('2026-03-01T10:00:00Z');
const T1 = new Date('2026-03-01T11:00:00Z');
const T2 = new Date('2026-03-01T12:00:00Z');
const stage = (release: ReleaseFile, image: string, now = T0) =>
  stageRelease(release, { image, source: '--image', now });
/** blue serves AMI_1, AMI_2 staged in green. */
const staged = stage(stage(emptyRelease('dev'), AMI_1), AMI_2);
/** What the release store writes: the change, with idleSince recorded at `now`. */
const write = (before: ReleaseFile, change: (r: ReleaseFile) => ReleaseFile, now: Date) =>
  recordIdle(before, change(before), now);

describe('recordIdle', () => {
  test('a promote marks the slot that stopped serving idle since now; the serving slot is never idle', () => {
    const promoted = write(staged, (r) => promoteRelease(r), T1);
    expect(promoted.slots.blue.idleSince).toBe(T1.toISOString());
    expect(promoted.slots.green.idleSince).toBeUndefined();
  });

  test('the mark stays while the slot stays idle with the same release', () => {
    const promoted = write(staged, (r) => promoteRelease(r), T1);
    // a later write that moves no traffic (the policy changes, say) keeps the time
    const later = write(promoted, (r) => ({ ...r, policy: { requireRollout: true } }), T2);
    expect(later.slots.blue.idleSince).toBe(T1.toISOString());
  });

  test('a rollback clears the slot rolled back to, and marks the slot rolled back from', () => {
    const promoted = write(staged, (r) => promoteRelease(r), T1);
    const back = write(promoted, (r) => rollbackRelease(r, { now: T2 }), T2);
    expect(back.active).toBe('blue');
    expect(back.slots.blue.idleSince).toBeUndefined();
    expect(back.slots.green).toMatchObject({ idleSince: T2.toISOString(), rolledBackAt: T2.toISOString() });
    // the file is valid as written
    expect(parseReleaseFile(formatReleaseFile(back), 'dev.json')).toEqual(back);
  });

  test('rollbackRelease alone never leaves the mark on the slot that serves again', () => {
    const promoted = write(staged, (r) => promoteRelease(r), T1);
    expect(rollbackRelease(promoted, { now: T2 }).slots.blue.idleSince).toBeUndefined();
  });

  test('a stage into the idle slot clears the mark: a new release keeps its full size until promoted', () => {
    const promoted = write(staged, (r) => promoteRelease(r), T1);
    expect(write(promoted, (r) => stage(r, AMI_3, T2), T2).slots.blue.idleSince).toBeUndefined();
    expect(write(promoted, (r) => stageSameImage(r, { now: T2 }), T2).slots.blue.idleSince).toBeUndefined();
  });

  test('a canary on the idle slot clears it; ending the canary marks it', () => {
    const promoted = write(staged, (r) => promoteRelease(r), T1);
    const again = write(promoted, (r) => stage(r, AMI_3, T1), T1);
    const canary = write(again, (r) => promoteRelease(r, 10), T1);
    expect(canary.slots.blue.idleSince).toBeUndefined();
    const ended = write(canary, (r) => promoteRelease(r, 0), T2);
    expect(ended.slots.blue.idleSince).toBe(T2.toISOString());
    const rolledBack = write(canary, (r) => rollbackRelease(r, { now: T2 }), T2);
    expect(rolledBack.slots.blue.idleSince).toBe(T2.toISOString());
  });

  test('a rollout that completes in one step marks the previous slot', () => {
    const rolled = write(
      staged,
      (r) => startRollout(r, { steps: [100], bakeSeconds: 0, alarms: [], fleet: 'web', now: T1 }),
      T1,
    );
    expect(rolled.active).toBe('green');
    expect(rolled.slots.blue.idleSince).toBe(T1.toISOString());
  });

  test('nothing changes for a file whose traffic does not move: the same object', () => {
    expect(recordIdle(staged, staged, T1)).toBe(staged);
  });
});

describe('the release file field', () => {
  const promoted = write(staged, (r) => promoteRelease(r), T1);
  const text = formatReleaseFile(promoted);

  test('written on the idle slot only when set, and read back', () => {
    expect(JSON.parse(text).slots.blue.idleSince).toBe(T1.toISOString());
    expect(JSON.parse(text).slots.green).not.toHaveProperty('idleSince');
    expect(parseReleaseFile(text, 'dev.json').slots.blue.idleSince).toBe(T1.toISOString());
    // files without it keep their shape
    expect(formatReleaseFile(staged)).not.toContain('idleSince');
  });

  test.each<[string, (file: any) => void, string]>([
    [
      'on the active slot',
      (file) => (file.slots.green.idleSince = T1.toISOString()),
      'dev.json: "slots.green.idleSince" is set but "green" is the active slot; remove it (a slot that takes traffic is not idle).',
    ],
    [
      'on a canary slot',
      (file) => (file.canary = 10),
      'dev.json: "slots.blue.idleSince" is set but "blue" takes the canary; remove it (a slot that takes traffic is not idle).',
    ],
    [
      'not a time',
      (file) => (file.slots.blue.idleSince = 'yesterday'),
      'dev.json: "slots.blue.idleSince" is "yesterday"; use an ISO 8601 time such as 2026-01-31T12:00:00Z, or null.',
    ],
    [
      'on an empty slot',
      (file) => {
        file.slots.blue = { image: null, stagedAt: null, source: null, idleSince: T1.toISOString() };
        file.previous = null;
      },
      'dev.json: "slots.blue.idleSince" is set but the slot has no image; remove it.',
    ],
  ])('%s is refused, naming the field and the fix', (_name, edit, message) => {
    const file = JSON.parse(text);
    edit(file);
    expect(() => parseReleaseFile(JSON.stringify(file), 'dev.json')).toThrow(ReleaseFileError);
    expect(() => parseReleaseFile(JSON.stringify(file), 'dev.json')).toThrow(message);
  });
});

describe('the release store records idleSince on every write', () => {
  test('promote then rollback, with the store clock', () => {
    let now = T0;
    const dir = mkdtempSync(join(tmpdir(), 'idle-'));
    const store = new ReleaseStore(dir, { now: () => now });
    store.init('dev');
    const slots = () => JSON.parse(readFileSync(store.pathOf('dev'), 'utf8')).slots;
    store.update('dev', (r) => stage(r, AMI_1));
    store.update('dev', (r) => stage(r, AMI_2));
    now = T1;
    store.update('dev', (r) => promoteRelease(r));
    expect(slots().blue.idleSince).toBe(T1.toISOString());
    now = T2;
    store.update('dev', (r) => rollbackRelease(r, { now: T2 }));
    expect(slots().blue).not.toHaveProperty('idleSince');
    expect(slots().green.idleSince).toBe(T2.toISOString());
  });
});
