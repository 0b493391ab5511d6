import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  emptyRelease,
  formatReleaseFile,
  parseReleaseFile,
  promoteRelease,
  recordServed,
  ReleaseFile,
  ReleaseStore,
  releaseWeights,
  rollbackRelease,
  stageRelease,
} from '../../lib/release';

const AMI_1 = 'ami-0123456789abcdef0';
const AMI_2 = 'ami-0fedcba9876543210';
const AMI_3 = 'ami-0aaaaaaaaaaaaaaaa';
const NOW = new Date('2026-01-02T03:04:05Z');
const stage = (release: ReleaseFile, image: string) => stageRelease(release, { image, source: '--image', now: NOW });
/** blue serves AMI_1, AMI_2 staged in green. */
const staged = stage(stage(emptyRelease('dev'), AMI_1), AMI_2);

describe('releaseWeights', () => {
  test('no image: nothing served; active 100 - canary, idle the canary', () => {
    expect(releaseWeights(emptyRelease('dev'))).toEqual({ blue: 0, green: 0 });
    expect(releaseWeights(staged)).toEqual({ blue: 100, green: 0 });
    expect(releaseWeights(promoteRelease(staged, 10))).toEqual({ blue: 90, green: 10 });
    expect(releaseWeights(promoteRelease(staged))).toEqual({ blue: 0, green: 100 });
  });
});

describe('recordServed', () => {
  test('a change that moves traffic records the weights before it', () => {
    expect(recordServed(staged, promoteRelease(staged)).served).toEqual({ blue: 100, green: 0 });
    const canary = recordServed(staged, promoteRelease(staged, 10));
    expect(canary.served).toEqual({ blue: 100, green: 0 });
    const promoted = recordServed(canary, promoteRelease(canary));
    expect(promoted.served).toEqual({ blue: 90, green: 10 });
    expect(recordServed(promoted, rollbackRelease(promoted, { now: NOW })).served).toEqual({ blue: 0, green: 100 });
  });

  test('the first image of an empty environment records that nothing was served', () => {
    const empty = emptyRelease('dev');
    expect(recordServed(empty, stage(empty, AMI_1)).served).toEqual({ blue: 0, green: 0 });
  });

  test('a stage keeps what the file recorded, and records nothing when the file had nothing', () => {
    const promoted = recordServed(staged, promoteRelease(staged));
    const next = recordServed(promoted, stage(promoted, AMI_3));
    expect(next.served).toEqual({ blue: 100, green: 0 });
    const withoutServed = stage(emptyRelease('dev'), AMI_1);
    expect('served' in recordServed(withoutServed, stage(withoutServed, AMI_2))).toBe(false);
  });
});

describe('the served field in the file', () => {
  test('written only when set, after previous, and read back', () => {
    expect(formatReleaseFile(staged)).not.toContain('served');
    const promoted = recordServed(staged, promoteRelease(staged));
    const text = formatReleaseFile(promoted);
    expect(text).toContain('"previous": "blue",\n  "served": {\n    "blue": 100,\n    "green": 0\n  },\n  "slots"');
    expect(parseReleaseFile(text, 'dev.json')).toEqual(promoted);
  });

  test.each([
    ['not an object', 'true', '"served" is true'],
    ['an unknown slot', '{"blue": 100, "green": 0, "red": 0}', '"served.red" is not a slot'],
    ['a missing slot', '{"blue": 100}', '"served.green" is missing'],
    ['a fraction', '{"blue": 99.5, "green": 0.5}', '"served.blue" is 99.5'],
    ['above 100', '{"blue": 101, "green": -1}', '"served.blue" is 101'],
    ['a sum other than 100 or 0', '{"blue": 50, "green": 20}', '"served" adds up to 70%'],
  ])('%s is refused with the field, the value and the fix', (_name, value, problem) => {
    const text = formatReleaseFile(staged).replace('"slots"', `"served": ${value},\n  "slots"`);
    expect(() => parseReleaseFile(text, 'releases/dev.json')).toThrow(
      new RegExp(`^releases/dev\\.json: ${problem.replace(/[.*+?()[\]{}]/g, '\\$&')}; set it to the weights`),
    );
  });
});

describe('every write of the release store records served', () => {
  test('stage, promote, stage, rollback', () => {
    const dir = mkdtempSync(join(tmpdir(), 'served-'));
    const store = new ReleaseStore(dir);
    store.init('dev');
    const served = () => JSON.parse(readFileSync(store.pathOf('dev'), 'utf8')).served;
    store.update('dev', (release) => stage(release, AMI_1));
    expect(served()).toEqual({ blue: 0, green: 0 });
    store.update('dev', (release) => stage(release, AMI_2));
    expect(served()).toEqual({ blue: 0, green: 0 });
    store.update('dev', (release) => promoteRelease(release));
    expect(served()).toEqual({ blue: 100, green: 0 });
    store.update('dev', (release) => rollbackRelease(release, { now: NOW }));
    expect(served()).toEqual({ blue: 0, green: 100 });
  });

  test('a file written before the field existed keeps its shape until traffic moves', () => {
    const dir = mkdtempSync(join(tmpdir(), 'served-'));
    writeFileSync(join(dir, 'dev.json'), formatReleaseFile(stage(emptyRelease('dev'), AMI_1)));
    const store = new ReleaseStore(dir);
    store.update('dev', (release) => stage(release, AMI_2));
    expect(readFileSync(store.pathOf('dev'), 'utf8')).not.toContain('served');
  });
});
