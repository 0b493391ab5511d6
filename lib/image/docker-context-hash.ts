import { statSync } from 'fs';
import { resolve } from 'path';
import { show, Validator } from '../private/validation';
import { hashCheckedContext } from './private/context-hash';
import { dockerfileInContext } from './private/docker-files';

/** Options of {@link hashDockerContext}. */
export interface DockerContextHashOptions {
  /**
   * Path of the Dockerfile, relative to the context folder. It is always hashed, even
   * when `.dockerignore` excludes it (Docker always sends it to the builder).
   * @default 'Dockerfile'
   */
  readonly dockerfile?: string;
}

/** The result of {@link hashDockerContext}. */
export interface DockerContextHash {
  /** Lowercase hex SHA-256 of the context (64 characters). */
  readonly hash: string;
  /**
   * Every file and symbolic link that was hashed: paths relative to the context with
   * `/` separators, Unicode NFC, sorted. The Dockerfile and `.dockerignore` are always
   * in it.
   */
  readonly files: readonly string[];
}

/**
 * Hashes a Docker build context the way `docker build` sees it: every file that
 * `.dockerignore` (at the context root) does not exclude, plus the Dockerfile and the
 * `.dockerignore` itself.
 *
 * The hash covers, for each entry in sorted order, its relative path (`/` separators,
 * Unicode NFC), whether it is executable (any execute bit) and its bytes; symbolic
 * links are hashed by their target text and never followed. Modification times,
 * owners, other permission bits, the order in which files were created and empty
 * directories do not count, so the hash is the same on every machine that checked out
 * the same commit (on Windows, which has no execute bit, executables hash as plain files).
 *
 * Synchronous and single-pass: one directory listing per folder (no per-file stat), and
 * one open / fstat / read / close per file into a shared buffer feeding one SHA-256.
 * Excluded folders are not read unless a `!` pattern could re-include something in them.
 *
 * @param contextDir the build context folder
 * @throws ValidationError when the folder, the Dockerfile or a `.dockerignore` pattern
 *   is invalid, or a file cannot be read
 */
export function hashDockerContext(contextDir: string, options: DockerContextHashOptions = {}): DockerContextHash {
  const check = new Validator('hashDockerContext');
  const root = resolve(contextDir);
  const stat = statSync(root, { throwIfNoEntry: false });
  if (!stat || !stat.isDirectory()) {
    check.fail(
      `contextDir (${show(contextDir)}) ${stat ? 'is not a folder' : 'does not exist'}; pass the folder that holds ` +
        `the Dockerfile and the files it copies.`,
    );
  }
  const dockerfile = options.dockerfile ?? 'Dockerfile';
  const relative = check.reportAs(`dockerfile (${show(dockerfile)}) `, () => dockerfileInContext(root, dockerfile));
  return check.reportAs('', () => hashCheckedContext(root, relative));
}
