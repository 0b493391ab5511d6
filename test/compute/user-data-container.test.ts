import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { gunzipSync, gzipSync } from 'zlib';
import { TerraformStack, TerraformVariable } from 'cdktf';
import { ImageSource, ReplaceFleet, UserData } from '../../lib';
import { ValidationError } from '../../lib/private/validation';
import { address, compare, resource } from '../deploy/fleet-helpers';
import { AMI_1 as AMI, Json, newStack, SUBNETS, synthJson, VPC } from '../support/synth';

const DIGEST_A = `registry.example.com/web@sha256:${'a'.repeat(64)}`;
const DIGEST_B = `registry.example.com/web@sha256:${'b'.repeat(64)}`;

const script = (userData: UserData) => Buffer.from(userData.base64, 'base64').toString('utf8');

/** A replace fleet whose servers run `userData`, synthesized; with everything cdktf wrote to the console. */
function synthFleet(userData: (stack: TerraformStack) => UserData): { json: Json; console: string } {
  const stack = newStack('prod');
  const printed: string[] = [];
  const spies = (['log', 'warn', 'error'] as const).map((method) =>
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      printed.push(args.join(' '));
    }),
  );
  try {
    new ReplaceFleet(stack, 'Web', {
      name: 'web',
      vpcId: VPC,
      subnetIds: SUBNETS,
      image: ImageSource.fromAmiId(AMI),
      port: 8080,
      server: { userData: userData(stack) },
    });
    return { json: synthJson(stack), console: printed.join('\n') };
  } finally {
    spies.forEach((spy) => spy.mockRestore());
  }
}

describe('UserData.forContainer', () => {
  test('defaults: a systemd unit that runs the image by digest on port 80', () => {
    const text = script(UserData.forContainer({ image: DIGEST_A }));
    expect(text).toMatch(/^#!\/bin\/bash\n/);
    expect(text).toContain("cat > /etc/systemd/system/app.service <<'CDKTF_IMMUTABLE_UNIT'");
    expect(text).toContain(
      `ExecStart=/usr/bin/docker run --rm --name app --env-file /etc/app.env -p 80:80 ${DIGEST_A}`,
    );
    expect(text).toContain(
      `/usr/bin/docker image inspect ${DIGEST_A} >/dev/null 2>&1 || /usr/bin/docker pull ${DIGEST_A}`,
    );
    expect(text).toContain('Restart=always');
    expect(text).toContain('systemctl enable --now app.service');
    // the env file is root-only, and empty
    expect(text).toContain(
      "install -m 600 /dev/null /etc/app.env\ncat > /etc/app.env <<'CDKTF_IMMUTABLE_ENV'\nCDKTF_IMMUTABLE_ENV\n",
    );
  });

  test('all properties', () => {
    const text = script(
      UserData.forContainer({
        image: DIGEST_A,
        port: 8080,
        containerPort: 3000,
        name: 'web',
        environment: { NODE_ENV: 'production', PORT: '3000' },
      }),
    );
    expect(text).toContain(
      `ExecStart=/usr/bin/docker run --rm --name web --env-file /etc/web.env -p 8080:3000 ${DIGEST_A}`,
    );
    expect(text).toContain(
      "cat > /etc/web.env <<'CDKTF_IMMUTABLE_ENV'\nNODE_ENV=production\nPORT=3000\nCDKTF_IMMUTABLE_ENV\n",
    );
    expect(text).toContain('systemctl enable --now web.service');
  });

  test("a new digest is a new generation: the slot's launch template and group are replaced, nothing else", () => {
    // GIVEN a fleet running digest A
    const before = synthFleet(() => UserData.forContainer({ image: DIGEST_A, port: 8080 })).json;
    // WHEN the digest changes
    const after = synthFleet(() => UserData.forContainer({ image: DIGEST_B, port: 8080 })).json;
    // THEN exactly the launch template and the group are renamed (replaced); the AMI's mark stays
    const diff = compare(before, after);
    expect(diff).toMatchObject({ created: [], destroyed: [] });
    expect(diff.changed.sort()).toEqual(
      [
        address(after, 'aws_autoscaling_group', 'AutoScalingGroup'),
        address(after, 'aws_launch_template', 'LaunchTemplate'),
      ].sort(),
    );
    expect(resource(after, 'aws_launch_template', 'LaunchTemplate').name).not.toBe(
      resource(before, 'aws_launch_template', 'LaunchTemplate').name,
    );
    expect(resource(after, 'aws_autoscaling_group', 'AutoScalingGroup').name).not.toBe(
      resource(before, 'aws_autoscaling_group', 'AutoScalingGroup').name,
    );
  });

  test('an image reference that is a token is joined into the script: no cdktf escape warnings, the name follows the value', () => {
    const { json, console: printed } = synthFleet((stack) =>
      UserData.forContainer({
        image: new TerraformVariable(stack, 'image', { type: 'string' }).stringValue,
        environment: {
          RELEASE: new TerraformVariable(stack, 'release', { type: 'string' }).stringValue,
          QUOTED: 'say "hi" \\ %{x}',
        },
      }),
    );
    expect(printed).toBe('');
    const template = resource(json, 'aws_launch_template', 'LaunchTemplate');
    // literal parts travel base64-encoded, tokens as base64encode(token): nothing in the expression needs escaping
    expect(template.user_data).toMatch(
      /^\$\{base64encode\(join\("", \[base64decode\("[A-Za-z0-9+/=]+"\), base64encode\(var\.image\), base64decode\("[A-Za-z0-9+/=]+"\), base64encode\(var\.release\), base64decode\("[A-Za-z0-9+/=]+"\)\]\)\)\}$/,
    );
    const literal = [...String(template.user_data).matchAll(/base64decode\("([A-Za-z0-9+/=]+)"\)/g)]
      .map((m) => Buffer.from(m[1], 'base64').toString('utf8'))
      .join('<token>');
    expect(literal).toContain(`CDKTF_IMMUTABLE_IMAGE="$(printf '%s' '<token>' | base64 -d)"`);
    expect(literal).toContain('=~ ^[^[:space:]@]+@sha256:[0-9a-f]{64}$ ]]; then');
    expect(literal).toContain(
      `cat > /etc/app.env <<'CDKTF_IMMUTABLE_ENV'\nQUOTED=say "hi" \\ %{x}\nCDKTF_IMMUTABLE_ENV\n`,
    );
    expect(literal).toContain(`cdktf_immutable_env RELEASE '<token>'`);
    expect(literal).toContain(
      'ExecStart=/usr/bin/docker run --rm --name app --env-file /etc/app.env -p 80:80 $CDKTF_IMMUTABLE_IMAGE',
    );
    // the generation (in the name) is an expression over the script, so a new digest renames it
    expect(template.name).toMatch(/var\.image/);
  });

  test('a token in the environment alone keeps the literal image in a quoted heredoc', () => {
    const { json } = synthFleet((stack) =>
      UserData.forContainer({
        image: DIGEST_A,
        environment: { RELEASE: new TerraformVariable(stack, 'release', { type: 'string' }).stringValue },
      }),
    );
    const userData = String(resource(json, 'aws_launch_template', 'LaunchTemplate').user_data);
    const literal = [...userData.matchAll(/base64decode\("([A-Za-z0-9+/=]+)"\)/g)]
      .map((m) => Buffer.from(m[1], 'base64').toString('utf8'))
      .join('<token>');
    expect(literal).toContain("<<'CDKTF_IMMUTABLE_UNIT'");
    expect(literal).toContain(`-p 80:80 ${DIGEST_A}`);
    expect(literal).not.toContain('CDKTF_IMMUTABLE_IMAGE');
  });

  test('a literal script prints nothing either', () => {
    expect(synthFleet(() => UserData.forContainer({ image: DIGEST_A })).console).toBe('');
  });

  describe('validation', () => {
    test.each<[string, Parameters<typeof UserData.forContainer>[0], string]>([
      [
        'a tag, not a digest',
        { image: 'registry.example.com/web:1.2.3' },
        'UserData.forContainer: image ("registry.example.com/web:1.2.3") must be pinned by digest: repo@sha256: followed by 64 lowercase hex digits',
      ],
      ['a short digest', { image: 'web@sha256:abc' }, 'image ("web@sha256:abc") must be pinned by digest'],
      ['a bad port', { image: DIGEST_A, port: 0 }, 'port (0) must be an integer from 1 to 65535'],
      [
        'a bad container port',
        { image: DIGEST_A, containerPort: 70000 },
        'containerPort (70000) must be an integer from 1 to 65535',
      ],
      ['a bad unit name', { image: DIGEST_A, name: 'Web App' }, 'name ("Web App") must be a lowercase unit name'],
      [
        'a bad variable name',
        { image: DIGEST_A, environment: { 'NODE-ENV': 'x' } },
        'environment key ("NODE-ENV") must be a variable name',
      ],
      [
        'a multi-line value',
        { image: DIGEST_A, environment: { KEY: 'a\nb' } },
        'environment.KEY ("a\\nb") must be one line',
      ],
    ])('%s', (_what, options, message) => {
      expect(() => UserData.forContainer(options)).toThrow(message);
      expect(() => UserData.forContainer(options)).toThrow(ValidationError);
    });

    test('the tag-only refusal names the fix', () => {
      expect(() => UserData.forContainer({ image: 'web:latest' })).toThrow(
        /resolve the tag with "docker buildx imagetools inspect <image>" or pass DockerImagePipeline\.imageReference/,
      );
    });
  });
});

describe('UserData.fromFile keeps the bytes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'user-data-'));
  const file = (name: string, bytes: Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  test('files that differ only in bytes that are not UTF-8 give different user data and generations', () => {
    const a = file('a.sh', Buffer.from([0x23, 0x21, 0x0a, 0xff, 0x0a]));
    const b = file('b.sh', Buffer.from([0x23, 0x21, 0x0a, 0xfe, 0x0a]));
    expect(Buffer.from(UserData.fromFile(a).base64, 'base64')).toEqual(readFileSync(a));
    expect(UserData.fromFile(a).base64).not.toBe(UserData.fromFile(b).base64);
    const name = (path: string) =>
      resource(synthFleet(() => UserData.fromFile(path)).json, 'aws_launch_template', 'LaunchTemplate').name;
    expect(name(a)).not.toBe(name(b));
  });

  test('a gzip-compressed file stays compressed, byte for byte (cloud-init decompresses it)', () => {
    const compressed = gzipSync(Buffer.from('#cloud-config\nruncmd: [echo hi]\n'));
    const path = file('user-data.gz', compressed);
    const decoded = Buffer.from(UserData.fromFile(path).base64, 'base64');
    expect(decoded).toEqual(compressed);
    expect(gunzipSync(decoded).toString()).toBe('#cloud-config\nruncmd: [echo hi]\n');
  });

  test("the 16 KB limit applies to the file's bytes", () => {
    expect(() => UserData.fromFile(file('big.bin', Buffer.alloc(16 * 1024 + 1, 0xff)))).toThrow(
      /is 16385 bytes, more than EC2's limit of 16384 bytes before encoding/,
    );
    expect(() => UserData.fromFile(file('empty.sh', Buffer.alloc(0)))).toThrow(/is empty; omit userData/);
  });
});
