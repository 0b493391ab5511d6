import { AMI_ID } from '../private/aws-ids';
import { describe, isPlainObject } from './private/json-values';
import { ReleaseFileError } from './release-file';

/** An image marked bad for the whole repository (`release veto <ami> --reason`). */
export interface VetoedImage {
  /** The AMI id. */
  readonly image: string;
  /** Why it is vetoed. */
  readonly reason: string;
  /** When it was vetoed (ISO 8601, UTC). */
  readonly vetoedAt: string;
}

/**
 * The shared list of vetoed images, `releases/vetoed.json`: `release stage`, `release
 * promote` (and `release advance`) refuse to put a vetoed image into a slot or give it
 * traffic, `stage --from` refuses to take one, and `release status` shows where one still
 * serves. One file for every fleet, environment and region of the repository.
 */
export interface VetoFile {
  /** Format version. Always 1. */
  readonly version: 1;
  /** The vetoed images, sorted by AMI id, each once. */
  readonly images: readonly VetoedImage[];
}

const TOP_FIELDS = ['version', 'images'];
const IMAGE_FIELDS = ['image', 'reason', 'vetoedAt'];
/** The longest reason kept: a sentence or two. */
const MAX_REASON = 500;
/** The largest veto file read. */
const MAX_VETO_FILE_BYTES = 1024 * 1024;

/** The empty list. */
export function emptyVetoFile(): VetoFile {
  return { version: 1, images: [] };
}

/** Parses and validates the text of `releases/vetoed.json`; `file` names it in errors. */
export function parseVetoFile(text: string, file: string): VetoFile {
  const fail = (problem: string, fix: string): never => {
    throw new ReleaseFileError(`${file}: ${problem}; ${fix}.`);
  };
  if (text.length > MAX_VETO_FILE_BYTES) {
    return fail(`is ${text.length} bytes; the limit is ${MAX_VETO_FILE_BYTES}`, 'restore it from git');
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return fail(`is not valid JSON (${(error as Error).message})`, 'restore it from git or fix the syntax');
  }
  if (!isPlainObject(data)) {
    return fail(`the top level is ${describe(data)}, not an object`, 'the file holds {"version": 1, "images": [...]}');
  }
  for (const field of Object.keys(data)) {
    if (!TOP_FIELDS.includes(field)) {
      fail(`field "${field}" is not a field of the veto file`, `remove it (fields: ${TOP_FIELDS.join(', ')})`);
    }
  }
  if (data.version !== 1) {
    return fail(`"version" is ${describe(data.version)}`, 'set it to 1');
  }
  if (!Array.isArray(data.images)) {
    return fail(`"images" is ${describe(data.images)}`, 'use a list of {"image", "reason", "vetoedAt"}');
  }
  const seen = new Set<string>();
  const images = data.images.map((entry, i) => {
    const field = `images[${i}]`;
    if (!isPlainObject(entry)) {
      return fail(`"${field}" is ${describe(entry)}`, 'use an object {"image", "reason", "vetoedAt"}');
    }
    for (const key of Object.keys(entry)) {
      if (!IMAGE_FIELDS.includes(key)) {
        fail(`"${field}.${key}" is not a field of a vetoed image`, `remove it (fields: ${IMAGE_FIELDS.join(', ')})`);
      }
    }
    if (typeof entry.image !== 'string' || !AMI_ID.test(entry.image)) {
      return fail(`"${field}.image" is ${describe(entry.image)}`, 'use an AMI id such as ami-0123456789abcdef0');
    }
    if (seen.has(entry.image)) {
      return fail(`"${field}.image" ${entry.image} is listed twice`, 'keep one entry per image');
    }
    seen.add(entry.image);
    if (typeof entry.reason !== 'string' || entry.reason.trim() === '') {
      return fail(`"${field}.reason" is ${describe(entry.reason)}`, 'say why the image is vetoed');
    }
    if (typeof entry.vetoedAt !== 'string' || Number.isNaN(Date.parse(entry.vetoedAt))) {
      return fail(`"${field}.vetoedAt" is ${describe(entry.vetoedAt)}`, 'use an ISO 8601 time');
    }
    return { image: entry.image, reason: entry.reason, vetoedAt: entry.vetoedAt };
  });
  return { version: 1, images: [...images].sort((a, b) => a.image.localeCompare(b.image)) };
}

/** The veto file as written: sorted by image, two-space indent, final newline. */
export function formatVetoFile(file: VetoFile): string {
  const images = [...file.images]
    .sort((a, b) => a.image.localeCompare(b.image))
    .map((entry) => ({ image: entry.image, reason: entry.reason, vetoedAt: entry.vetoedAt }));
  return `${JSON.stringify({ version: 1, images }, null, 2)}\n`;
}

/** The list with `image` vetoed (a second veto of the same image updates its reason). */
export function vetoImage(file: VetoFile, image: string, reason: string, now: Date): VetoFile {
  if (!AMI_ID.test(image)) {
    throw new ReleaseFileError(
      `"${image}" is not an AMI id; expected "ami-" and 8 or 17 lowercase hex digits, e.g. ami-0123456789abcdef0.`,
    );
  }
  const text = reason.trim();
  if (text === '' || text.length > MAX_REASON) {
    throw new ReleaseFileError(
      `--reason must say why ${image} is vetoed, in 1 to ${MAX_REASON} characters (got ${text.length}).`,
    );
  }
  const others = file.images.filter((entry) => entry.image !== image);
  return { version: 1, images: [...others, { image, reason: text, vetoedAt: now.toISOString() }] };
}

/** The list without `image` (the veto lifted). */
export function liftVeto(file: VetoFile, image: string): VetoFile {
  return { version: 1, images: file.images.filter((entry) => entry.image !== image) };
}

/** The veto of `image`, if any. */
export function vetoOf(file: VetoFile, image: string | null | undefined): VetoedImage | undefined {
  return image ? file.images.find((entry) => entry.image === image) : undefined;
}
