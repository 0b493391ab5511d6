import { ValidationError } from './validation';

/**
 * A zip archive whose bytes depend only on the files' names and contents: entries sorted
 * by name, stored (not compressed), every time stamp 1980-01-01 00:00, Unix mode 0644, no
 * extra fields, no comments. The same files give the same bytes on every machine and
 * with every Node.js and zlib version, so a hash of the archive (a Lambda function's
 * `source_code_hash`) changes only when a file does. Stored rather than deflated because
 * deflate's output may change with the zlib build, and the archives this library writes
 * (a function's source of a few kilobytes) gain nothing from compression.
 *
 * `files` maps a relative path (`index.js`, `lib/util.js`: forward slashes, no `..`, no
 * leading `/`) to its content (a string is written as UTF-8). Throws a
 * {@link ValidationError} for a bad path, an empty set of files, or a file over 1 GiB.
 */
export function deterministicZip(files: Readonly<Record<string, string | Uint8Array>>): Buffer {
  const names = Object.keys(files).sort((a, b) => Buffer.from(a).compare(Buffer.from(b)));
  if (names.length === 0) {
    throw new ValidationError(
      'files is empty; give at least one file, such as {"index.js": source}.',
      'deterministicZip',
    );
  }
  const parts: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const name of names) {
    checkPath(name);
    const content = files[name];
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
    if (data.length > MAX_FILE_BYTES) {
      throw new ValidationError(`file "${name}" is ${data.length} bytes; the limit is 1 GiB.`, 'deterministicZip');
    }
    const fileName = Buffer.from(name, 'utf8');
    const fields = entryFields(name, fileName, data);
    parts.push(u32(0x04034b50), fields, fileName, data); // local file header, then the data
    directory.push(centralHeader(fields, fileName, offset));
    offset += 4 + fields.length + fileName.length + data.length;
  }
  const central = Buffer.concat(directory);
  if (offset + central.length > MAX_ARCHIVE_BYTES || names.length > 0xffff) {
    throw new ValidationError(
      'the archive would exceed 4 GiB or 65535 files (zip64 is not written).',
      'deterministicZip',
    );
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); // end of central directory signature
  end.writeUInt16LE(0, 4); // this disk
  end.writeUInt16LE(0, 6); // disk of the central directory
  end.writeUInt16LE(names.length, 8);
  end.writeUInt16LE(names.length, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20); // comment length
  return Buffer.concat([...parts, central, end]);
}

/**
 * The 26 bytes the local and the central header of an entry share: version needed, flags,
 * method (stored), time, date, CRC-32, both sizes, name length, extra field length (0).
 */
function entryFields(name: string, fileName: Buffer, data: Buffer): Buffer {
  const fields = Buffer.alloc(26);
  fields.writeUInt16LE(VERSION_NEEDED, 0);
  fields.writeUInt16LE(/^[\x20-\x7e]*$/.test(name) ? 0 : UTF8_NAMES, 2);
  fields.writeUInt16LE(0, 4); // method: stored
  fields.writeUInt16LE(DOS_TIME, 6);
  fields.writeUInt16LE(DOS_DATE, 8);
  fields.writeUInt32LE(crc32(data), 10);
  fields.writeUInt32LE(data.length, 14); // compressed size
  fields.writeUInt32LE(data.length, 18); // uncompressed size
  fields.writeUInt16LE(fileName.length, 22);
  fields.writeUInt16LE(0, 24); // extra field length
  return fields;
}

/** An entry's central directory header: made by Unix, mode 0644, no comment, its local header at `offset`. */
function centralHeader(fields: Buffer, fileName: Buffer, offset: number): Buffer {
  const tail = Buffer.alloc(14);
  tail.writeUInt16LE(0, 0); // comment length
  tail.writeUInt16LE(0, 2); // disk number
  tail.writeUInt16LE(0, 4); // internal attributes
  tail.writeUInt32LE(UNIX_FILE_0644, 6); // external attributes
  tail.writeUInt32LE(offset, 10);
  const madeBy = Buffer.alloc(2);
  madeBy.writeUInt16LE(VERSION_MADE_BY, 0);
  return Buffer.concat([u32(0x02014b50), madeBy, fields, tail, fileName]);
}

function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value, 0);
  return bytes;
}

/** The CRC-32 (IEEE 802.3, as zip uses) of the bytes. */
export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** 2.0: the version a reader needs for stored entries in folders. */
const VERSION_NEEDED = 20;
/** Made by Unix (3), version 2.0: readers then take the mode from the external attributes. */
const VERSION_MADE_BY = (3 << 8) | 20;
/** A regular file, rw-r--r--, in the high 16 bits. */
const UNIX_FILE_0644 = (0o100644 << 16) >>> 0;
/** 00:00:00. */
const DOS_TIME = 0;
/** 1980-01-01, the earliest date zip can hold: (year - 1980) << 9 | month << 5 | day. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
/** General purpose flag bit 11: names are UTF-8. */
const UTF8_NAMES = 1 << 11;
const MAX_FILE_BYTES = 1024 ** 3;
const MAX_ARCHIVE_BYTES = 0xffffffff;

const CRC_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    table[n] = c >>> 0;
  }
  return table;
})();

function checkPath(name: string): void {
  const parts = name.split('/');
  if (
    name === '' ||
    name.startsWith('/') ||
    name.includes('\\') ||
    parts.some((p) => p === '' || p === '.' || p === '..')
  ) {
    throw new ValidationError(
      `file name ${JSON.stringify(name)} is not a relative path; ` +
        'use forward slashes and no "." or ".." parts, such as "index.js".',
      'deterministicZip',
    );
  }
}
