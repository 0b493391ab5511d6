import { spawnSync } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { crc32, deterministicZip } from '../../lib/private/deterministic-zip';

interface ZipEntryRead {
  readonly name: string;
  readonly flags: number;
  readonly method: number;
  readonly time: number;
  readonly date: number;
  readonly mode: number;
  readonly data: Buffer;
}

/**
 * Reads a zip through its central directory (the way unzip does), checks each entry's
 * local header against it and its CRC, and returns the entries in directory order.
 */
function readZip(zip: Buffer): ZipEntryRead[] {
  const end = zip.length - 22;
  expect(zip.readUInt32LE(end)).toBe(0x06054b50);
  const count = zip.readUInt16LE(end + 10);
  const size = zip.readUInt32LE(end + 12);
  let at = zip.readUInt32LE(end + 16);
  expect(at + size).toBe(end);
  const entries: ZipEntryRead[] = [];
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30);
    const comment = zip.readUInt16LE(at + 32);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const local = zip.readUInt32LE(at + 42);
    expect(zip.readUInt32LE(local)).toBe(0x04034b50);
    const localName = zip.readUInt16LE(local + 26);
    const localExtra = zip.readUInt16LE(local + 28);
    const compressed = zip.readUInt32LE(at + 20);
    const start = local + 30 + localName + localExtra;
    const data = zip.subarray(start, start + compressed);
    expect(crc32(data)).toBe(zip.readUInt32LE(at + 16));
    expect(zip.readUInt32LE(local + 14)).toBe(zip.readUInt32LE(at + 16));
    entries.push({
      name,
      flags: zip.readUInt16LE(at + 8),
      method: zip.readUInt16LE(at + 10),
      time: zip.readUInt16LE(at + 12),
      date: zip.readUInt16LE(at + 14),
      mode: zip.readUInt32LE(at + 38) >>> 16,
      data: Buffer.from(data),
    });
    at += 46 + nameLength + extra + comment;
  }
  return entries;
}

describe('deterministicZip', () => {
  const files = { 'index.js': 'exports.handler = async () => 1;\n', 'lib/a.js': 'module.exports = "é";\n' };

  test('two builds of the same files are byte-identical, whatever the order of the keys', () => {
    const first = deterministicZip(files);
    const second = deterministicZip({ 'lib/a.js': files['lib/a.js'], 'index.js': files['index.js'] });
    expect(second.equals(first)).toBe(true);
    expect(deterministicZip({ ...files, 'index.js': 'changed' }).equals(first)).toBe(false);
  });

  test('entries are sorted, stored, dated 1980-01-01 00:00, mode 0644, with their exact bytes', () => {
    const entries = readZip(deterministicZip(files));
    expect(entries.map((e) => e.name)).toEqual(['index.js', 'lib/a.js']);
    for (const entry of entries) {
      expect(entry).toMatchObject({ method: 0, time: 0, date: 0x21, mode: 0o100644 });
    }
    expect(entries[1].data.toString('utf8')).toBe('module.exports = "é";\n');
  });

  test('unzip lists and extracts the archive, and finds no error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zip-'));
    const path = join(dir, 'a.zip');
    writeFileSync(path, deterministicZip(files));
    const unzip = spawnSync('unzip', ['-l', path], { encoding: 'utf8' });
    if (unzip.error) {
      // no unzip on this machine: the reader above (through the central directory, with CRCs) stands in
      expect(readZip(deterministicZip(files)).map((e) => e.name)).toEqual(['index.js', 'lib/a.js']);
      return;
    }
    expect(unzip.status).toBe(0);
    expect(unzip.stdout).toMatch(/\s33\s+1980-01-01 00:00\s+index\.js\n/);
    expect(unzip.stdout).toMatch(/lib\/a\.js\n/);
    const test = spawnSync('unzip', ['-t', path], { encoding: 'utf8' });
    expect(test.stdout).toContain('No errors detected');
    expect(spawnSync('unzip', ['-p', path, 'lib/a.js'], { encoding: 'utf8' }).stdout).toBe(files['lib/a.js']);
  });

  test('a name outside ASCII is written as UTF-8 and flagged so (general purpose bit 11)', () => {
    const entries = readZip(deterministicZip({ 'données/é.txt': 'x', 'a.txt': 'y' }));
    expect(entries.map((e) => [e.name, e.flags])).toEqual([
      ['a.txt', 0],
      ['données/é.txt', 0x800],
    ]);
  });

  test('crc32 is the IEEE CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });

  test.each(['', '/abs.js', '../up.js', 'a/../b.js', 'a//b.js', './a.js', 'win\\path.js'])(
    'the file name %j is refused',
    (name) => {
      expect(() => deterministicZip({ [name]: 'x' })).toThrow(
        `deterministicZip: file name ${JSON.stringify(name)} is not a relative path; ` +
          'use forward slashes and no "." or ".." parts, such as "index.js".',
      );
    },
  );

  test('an empty set of files is refused', () => {
    expect(() => deterministicZip({})).toThrow(
      'deterministicZip: files is empty; give at least one file, such as {"index.js": source}.',
    );
  });
});
