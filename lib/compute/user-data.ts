import { readFileSync } from 'fs';
import { Fn, Token } from 'cdktf';
import { show, Validator } from '../private/validation';

/** EC2 accepts at most 16 KB of user data before base64 encoding. */
const MAX_USER_DATA_BYTES = 16 * 1024;

/**
 * The script (or cloud-init document) instances run at first boot. The launch
 * template needs it base64-encoded; this class does the encoding, so pass the plain
 * text. Its content is part of the generation: any change replaces the servers.
 */
export class UserData {
  /** Plain text, e.g. a `#!/bin/bash` script or a `#cloud-config` document; may be a token. */
  public static fromString(script: string): UserData {
    if (Token.isUnresolved(script)) {
      return new UserData(Fn.base64encode(script), 'token');
    }
    const check = new Validator('UserData.fromString');
    if (typeof script !== 'string') {
      check.fail(`script (${show(script)}) must be the text of a script or cloud-init document.`);
    }
    return new UserData(encode(check, 'script', script), 'inline');
  }

  /**
   * The content of a file, read now (at synth), so that its bytes are hashed into the
   * generation. A relative path is relative to the working directory of the synth.
   */
  public static fromFile(path: string): UserData {
    const check: Validator = new Validator('UserData.fromFile');
    let content: string;
    try {
      content = readFileSync(path, 'utf8');
    } catch (err) {
      check.fail(`path (${show(path)}) cannot be read (${(err as Error).message}); pass a path to an existing file.`);
    }
    return new UserData(encode(check, `the file at path (${show(path)})`, content), `file:${path}`);
  }

  private constructor(
    /** The user data as the launch template takes it (base64, or a Terraform expression). */
    public readonly base64: string,
    /** Where it came from, for messages. */
    public readonly origin: string,
  ) {}
}

function encode(check: Validator, what: string, text: string): string {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes === 0) {
    check.fail(`${what} is empty; omit userData instead of passing an empty script.`);
  }
  if (bytes > MAX_USER_DATA_BYTES) {
    check.fail(`${what} is ${bytes} bytes, more than EC2's limit of ${MAX_USER_DATA_BYTES} bytes before encoding; move the bulk into the image or fetch it at boot.`);
  }
  return Buffer.from(text, 'utf8').toString('base64');
}
