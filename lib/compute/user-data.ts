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
   * The content of a file, read now (at synth), byte for byte: its exact bytes are
   * base64-encoded into the launch template and hashed into the generation, so a
   * change of any byte (in any encoding) is a new generation. A gzip-compressed file
   * stays compressed (cloud-init decompresses gzip user data at boot), and EC2's 16 KB
   * limit applies to the bytes of the file as they are. A relative path is relative to
   * the working directory of the synth.
   */
  public static fromFile(path: string): UserData {
    const check: Validator = new Validator('UserData.fromFile');
    let content: Buffer;
    try {
      content = readFileSync(path);
    } catch (err) {
      check.fail(`path (${show(path)}) cannot be read (${(err as Error).message}); pass a path to an existing file.`);
    }
    return new UserData(encodeBytes(check, `the file at path (${show(path)})`, content), `file:${path}`);
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
   * An image reference or an environment value that is a token (a pipeline's
   * `imageReference`, a reference to another resource) is known only at deploy: the
   * script's text is then joined with it by Terraform (`join`), each literal part
   * carried base64-encoded (`base64decode`), so no character of the script needs
   * escaping in the expression. Such values reach the server base64-encoded too, so that
   * none can end the env file or the script early: at boot the script refuses (exits
   * before starting the container, so the slot never becomes healthy) an environment
   * value that holds a line break, and an image that is not pinned by digest.
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
    const o = { ...options, name, port, containerPort: options.containerPort ?? port };
    const deferred =
      Token.isUnresolved(o.image) || Object.values(o.environment ?? {}).some((value) => Token.isUnresolved(value));
    if (!deferred) {
      return new UserData(encode(check, 'the container script', containerScript(o)), `container:${options.image}`);
    }
    return new UserData(Fn.base64encode(deferredContainerScript(check, o)), 'container (token)');
  }

  private constructor(
    /** The user data as the launch template takes it (base64, or a Terraform expression). */
    public readonly base64: string,
    /** Where it came from, for messages. */
    public readonly origin: string,
  ) {}
}

function encode(check: Validator, what: string, text: string): string {
  return encodeBytes(check, what, Buffer.from(text, 'utf8'));
}

/** The bytes base64-encoded, after checking that there are some and no more than EC2 takes. */
function encodeBytes(check: Validator, what: string, content: Buffer): string {
  const bytes = content.length;
  if (bytes === 0) {
    check.fail(`${what} is empty; omit userData instead of passing an empty script.`);
  }
  if (bytes > MAX_USER_DATA_BYTES) {
    check.fail(
      `${what} is ${bytes} bytes, more than EC2's limit of ${MAX_USER_DATA_BYTES} bytes before encoding; move the ` +
        `bulk into the image or fetch it at boot.`,
    );
  }
  return content.toString('base64');
}

/** What {@link containerScript} renders: the options, checked, with their defaults. */
type ContainerScriptOptions = ContainerUserDataOptions & {
  readonly name: string;
  readonly port: number;
  readonly containerPort: number;
};

/**
 * The script of {@link UserData.forContainer}, its inputs checked and known at synth.
 * `deferred` renders the parts known only at deploy (see {@link deferredContainerScript}):
 * the image as the shell variable its prelude sets, and the environment lines it appends.
 */
function containerScript(
  o: ContainerScriptOptions,
  deferred?: { readonly image?: string; readonly prelude: string[]; readonly environment: string[] },
): string {
  const env = Object.entries(o.environment ?? {})
    .filter(([, value]) => !Token.isUnresolved(value))
    .map(([key, value]) => `${key}=${value}\n`)
    .join('');
  const image = deferred?.image ?? o.image;
  // a literal image goes into a quoted heredoc; the variable of a deferred one must expand
  const unit = deferred?.image ? 'CDKTF_IMMUTABLE_UNIT' : "'CDKTF_IMMUTABLE_UNIT'";
  const registry = deferred?.image ? `$(echo "${image}" | cut -d/ -f1)` : `$(echo '${image}' | cut -d/ -f1)`;
  return [
    '#!/bin/bash',
    '# cdktf-immutable: run one container by digest (UserData.forContainer)',
    'set -euo pipefail',
    ...(deferred?.prelude ?? []),
    `install -m 600 /dev/null /etc/${o.name}.env`,
    `cat > /etc/${o.name}.env <<'CDKTF_IMMUTABLE_ENV'`,
    `${env}CDKTF_IMMUTABLE_ENV`,
    ...(deferred?.environment ?? []),
    `cat > /etc/systemd/system/${o.name}.service <<${unit}`,
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
    `ExecStartPre=/bin/sh -c '/usr/bin/docker image inspect ${image} >/dev/null 2>&1 || /usr/bin/docker pull ` +
      `${image}'`,
    `ExecStart=/usr/bin/docker run --rm --name ${o.name} --env-file /etc/${o.name}.env -p ` +
      `${o.port}:${o.containerPort} ${image}`,
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

/** The shell variable that holds an image reference known only at deploy. */
const IMAGE_VARIABLE = '$CDKTF_IMMUTABLE_IMAGE';

/**
 * The script of {@link UserData.forContainer} when the image or an environment value is
 * a token: a Terraform expression that joins the script's literal text (each part
 * base64-encoded at synth and decoded by Terraform, so no character needs escaping in
 * the expression) with each token, base64-encoded by Terraform (`base64encode`) and
 * decoded on the server. The image is checked there to be pinned by digest; each
 * environment value to hold no line break (which would end its line of the env file
 * and start another variable); the script stops before the container starts otherwise.
 */
function deferredContainerScript(check: Validator, o: ContainerScriptOptions): string {
  const values: string[] = [];
  /** A placeholder for a token, replaced by its base64 (a Terraform expression) below. */
  const encoded = (token: string) => {
    values.push(Fn.base64encode(token));
    return `\u0000${values.length - 1}\u0000`;
  };
  const prelude: string[] = [];
  let image: string | undefined;
  if (Token.isUnresolved(o.image)) {
    image = IMAGE_VARIABLE;
    prelude.push(
      `CDKTF_IMMUTABLE_IMAGE="$(printf '%s' '${encoded(o.image)}' | base64 -d)"`,
      `if ! [[ "${IMAGE_VARIABLE}" =~ ^[^[:space:]@]+@sha256:[0-9a-f]{64}$ ]]; then`,
      `  echo "cdktf-immutable: the image (${IMAGE_VARIABLE}) is not pinned by digest (repo@sha256:...); ` +
        'the container is not started" >&2',
      '  exit 1',
      'fi',
    );
  }
  const tokens = Object.entries(o.environment ?? {}).filter(([, value]) => Token.isUnresolved(value));
  const environment =
    tokens.length === 0
      ? []
      : [
          '# values known only at deploy, base64-encoded: one line each, or the container is not started',
          'cdktf_immutable_env() {',
          `  if [ "$(printf '%s' "$2" | base64 -d | tr -cd '\\r\\n' | wc -c)" -ne 0 ]; then`,
          `    echo "cdktf-immutable: environment.$1 holds a line break, which would end its line of ` +
            `/etc/${o.name}.env; the container is not started" >&2`,
          '    exit 1',
          '  fi',
          `  { printf '%s=' "$1"; printf '%s' "$2" | base64 -d; printf '\\n'; } >> /etc/${o.name}.env`,
          '}',
          ...tokens.map(([key, value]) => `cdktf_immutable_env ${key} '${encoded(value)}'`),
        ];
  const text = containerScript(o, { image, prelude, environment });
  const pieces = text.split('\u0000');
  const literal = pieces.filter((_part, i) => i % 2 === 0).join('');
  if (Buffer.byteLength(literal, 'utf8') > MAX_USER_DATA_BYTES) {
    check.fail(
      `the container script is over ${MAX_USER_DATA_BYTES} bytes, EC2's limit before encoding; fewer or shorter ` +
        'environment values.',
    );
  }
  const parts = pieces
    .map((part, i) =>
      i % 2 === 1 ? values[Number(part)] : part === '' ? '' : Fn.base64decode(Buffer.from(part).toString('base64')),
    )
    .filter((part) => part !== '');
  return Fn.join('', parts);
}
