import { readFileSync } from 'fs';
import { Fn, Token } from 'cdktf';
import { IMAGE_DIGEST_REFERENCE } from '../private/aws-ids';
import { isLiteral, show, Validator } from '../private/validation';

/** A container that {@link UserData.forContainer} runs on every server of a slot. */
export interface ContainerUserDataOptions {
  /**
   * The image, pinned by digest: `repo@sha256:<64 hex digits>` (a tag before the `@` is
   * allowed), or a token such as `DockerImagePipeline.imageReference`. A tag alone is
   * refused: a tag can point at another image tomorrow, a digest cannot.
   */
  readonly image: string;
  /**
   * The host port the load balancer reaches (the fleet's `port`).
   * @default 80
   */
  readonly port?: number;
  /**
   * The port the container listens on.
   * @default - the same as `port`
   */
  readonly containerPort?: number;
  /**
   * Environment variables of the container (written to a root-only env file on the server).
   * Part of the generation like the rest of the user data: no secrets here; fetch them at
   * start from Secrets Manager or Parameter Store instead.
   * @default - none
   */
  readonly environment?: { readonly [name: string]: string };
  /**
   * Name of the systemd unit (`<name>.service`) and of the container.
   * @default 'app'
   */
  readonly name?: string;
}

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

  /**
   * A script that runs one container on each server, by digest: it writes a systemd unit
   * (`<name>.service`, restarted on failure and at boot) that pulls `image` with Docker and
   * runs it with `-p <port>:<containerPort>` and the environment file, then starts it. The
   * digest is part of the user data, so a new digest is a new generation: a new launch
   * template and auto scaling group, replaced create-before-destroy like a new AMI.
   *
   * The server's image must have Docker installed and enabled (bake it into the AMI), and
   * the instance profile must be allowed to pull from the registry (for ECR:
   * `AmazonEC2ContainerRegistryReadOnly` in `InstanceProfileProps.managedPolicyArns`; the
   * script logs in to an ECR registry with the instance's role when the image is in ECR).
   * An image reference that is a token (a pipeline's `imageReference`) is joined into the
   * script with Terraform's `join`, so cdktf needs no escape sequences.
   */
  public static forContainer(options: ContainerUserDataOptions): UserData {
    const check = new Validator('UserData.forContainer');
    const name = options.name ?? 'app';
    check.pattern(
      'image',
      options.image,
      IMAGE_DIGEST_REFERENCE,
      `pinned by digest: repo@sha256: followed by 64 lowercase hex digits (a tag can point at another image ` +
        `tomorrow, a digest cannot); resolve the tag with "docker buildx imagetools inspect <image>" or pass ` +
        `DockerImagePipeline.imageReference`,
    );
    check.integer('port', options.port, 1, 65535);
    check.integer('containerPort', options.containerPort, 1, 65535);
    check.pattern(
      'name',
      name,
      /^[a-z][a-z0-9-]{0,62}$/,
      'a lowercase unit name such as "web" (letters, digits and "-", starting with a letter)',
    );
    for (const [key, value] of Object.entries(options.environment ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
        check.fail(
          `environment key (${show(key)}) must be a variable name (letters, digits and "_", not starting with a ` +
            `digit).`,
        );
      }
      if (isLiteral(value) && /[\r\n]/.test(value)) {
        check.fail(
          `environment.${key} (${JSON.stringify(value)}) must be one line: an env file holds one variable per line.`,
        );
      }
    }
    const port = options.port ?? 80;
    // Tokens (the image reference of a pipeline, env values) become elements of a join,
    // never ${...} inside a string that a cdktf function would have to escape.
    const parts = withTokens({ ...options, name, port, containerPort: options.containerPort ?? port }, containerScript);
    if (parts.every((part) => !Token.isUnresolved(part))) {
      return new UserData(encode(check, 'the container script', parts.join('')), `container:${options.image}`);
    }
    return new UserData(Fn.base64encode(Fn.join('', parts)), 'container (token)');
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
    check.fail(
      `${what} is ${bytes} bytes, more than EC2's limit of ${MAX_USER_DATA_BYTES} bytes before encoding; move the ` +
        `bulk into the image or fetch it at boot.`,
    );
  }
  return Buffer.from(text, 'utf8').toString('base64');
}

/** The script of {@link UserData.forContainer}, its inputs checked. */
function containerScript(
  o: ContainerUserDataOptions & { readonly name: string; readonly port: number; readonly containerPort: number },
): string {
  const env = Object.entries(o.environment ?? {})
    .map(([key, value]) => `${key}=${value}\n`)
    .join('');
  const registry = `$(echo '${o.image}' | cut -d/ -f1)`;
  return [
    '#!/bin/bash',
    '# cdktf-immutable: run one container by digest (UserData.forContainer)',
    'set -euo pipefail',
    `install -m 600 /dev/null /etc/${o.name}.env`,
    `cat > /etc/${o.name}.env <<'CDKTF_IMMUTABLE_ENV'`,
    `${env}CDKTF_IMMUTABLE_ENV`,
    `cat > /etc/systemd/system/${o.name}.service <<'CDKTF_IMMUTABLE_UNIT'`,
    '[Unit]',
    `Description=${o.name} container, pinned by digest`,
    'After=docker.service network-online.target',
    'Requires=docker.service',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Restart=always',
    'RestartSec=5',
    `ExecStartPre=-/usr/bin/docker rm -f ${o.name}`,
    // pulled once, at the first start: the digest never changes under this unit
    `ExecStartPre=/bin/sh -c '/usr/bin/docker image inspect ${o.image} >/dev/null 2>&1 || /usr/bin/docker pull ` +
      `${o.image}'`,
    `ExecStart=/usr/bin/docker run --rm --name ${o.name} --env-file /etc/${o.name}.env -p ` +
      `${o.port}:${o.containerPort} ${o.image}`,
    `ExecStop=/usr/bin/docker stop ${o.name}`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    'CDKTF_IMMUTABLE_UNIT',
    '# an ECR registry: log in with the instance role',
    `if [[ "${registry}" == *.dkr.ecr.*.amazonaws.com* ]]; then`,
    `  aws ecr get-login-password --region "$(echo "${registry}" | cut -d. -f4)" | docker login --username AWS ` +
      `--password-stdin "${registry}"`,
    'fi',
    'systemctl daemon-reload',
    `systemctl enable --now ${o.name}.service`,
    '',
  ].join('\n');
}

/**
 * Renders `render` with every token among `values` replaced by a placeholder, then cuts
 * the text at the placeholders: literal strings and the tokens, in order.
 */
function withTokens<T extends Record<string, unknown>>(values: T, render: (values: T) => string): string[] {
  const tokens: string[] = [];
  const hide = (value: unknown): unknown => {
    if (typeof value === 'string' && Token.isUnresolved(value)) {
      tokens.push(value);
      return `\u0000${tokens.length - 1}\u0000`;
    }
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hide(v)]));
    }
    return value;
  };
  const text = render(hide(values) as T);
  return text
    .split('\u0000')
    .map((part, i) => (i % 2 === 1 ? tokens[Number(part)] : part))
    .filter((part) => part !== '');
}
