import { spawn, spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { builtCli, runCli } from './run-cli';
import {
  AwsAnswer,
  awsImageSource,
  AwsClients,
  AwsCommand,
  awsRegion,
  resolveAwsImage,
} from '../../bin/cli/release-from-aws';
import { CliError } from '../../bin/cli/errors';
import { parseReleaseFile } from '../../lib/release';

const AMI = 'ami-0123456789abcdef0';

/** Fake SDK clients at the client boundary: each `send` returns or throws what the test says, and records the command. */
function fakeClients(answers: { ssm: () => unknown; ec2: () => unknown }): {
  clients: AwsClients;
  sent: Array<{ command: string; input: object }>;
} {
  const sent: Array<{ command: string; input: object }> = [];
  const command =
    (name: string) =>
    (input: object): AwsCommand =>
      ({ input, constructor: { name } }) as AwsCommand;
  const client = (answer: () => unknown) => ({
    send: async (c: AwsCommand) => {
      sent.push({ command: c.constructor.name, input: c.input });
      return answer() as AwsAnswer;
    },
  });
  return {
    clients: {
      ssm: client(answers.ssm),
      ec2: client(answers.ec2),
      commands: { getParameter: command('GetParameterCommand'), describeImages: command('DescribeImagesCommand') },
    },
    sent,
  };
}
const fail =
  (name: string, message = name) =>
  () => {
    throw Object.assign(new Error(message), { name });
  };
const parameter = (value: string) => () => ({ Parameter: { Name: '/images/web/ami-id', Value: value } });
const images =
  (...list: Array<{ ImageId: string; State: string }>) =>
  () => ({ Images: list });

describe('release stage --from-ssm / --from-pipeline: resolving the AMI (SDK mocked at the client)', () => {
  const fromPipeline = awsImageSource(undefined, 'web');

  test("--from-pipeline reads the pipeline's parameter by the same rule AmiPipeline publishes it under", () => {
    expect(fromPipeline).toEqual({
      parameter: '/images/web/ami-id',
      source: 'pipeline:web',
      option: '--from-pipeline web (parameter /images/web/ami-id)',
    });
    expect(awsImageSource('/platform/api/ami', undefined)).toMatchObject({
      parameter: '/platform/api/ami',
      source: 'ssm:/platform/api/ami',
    });
  });

  test('an available AMI: GetParameter, then DescribeImages of that id', async () => {
    const { clients, sent } = fakeClients({ ssm: parameter(AMI), ec2: images({ ImageId: AMI, State: 'available' }) });
    await expect(resolveAwsImage(fromPipeline, 'eu-west-1', clients)).resolves.toBe(AMI);
    expect(sent).toEqual([
      { command: 'GetParameterCommand', input: { Name: '/images/web/ami-id' } },
      { command: 'DescribeImagesCommand', input: { ImageIds: [AMI] } },
    ]);
  });

  test.each<[string, { ssm: () => unknown; ec2: () => unknown }, number, RegExp]>([
    [
      'a deregistered AMI',
      { ssm: parameter(AMI), ec2: images() },
      1,
      /refused: --from-pipeline web .*the AMI ami-0123456789abcdef0 does not exist in eu-west-1.*nothing was staged/,
    ],
    [
      'an unknown AMI id (EC2 error)',
      { ssm: parameter(AMI), ec2: fail('InvalidAMIID.NotFound') },
      1,
      /the AMI ami-0123456789abcdef0 does not exist in eu-west-1/,
    ],
    [
      'a pending AMI',
      { ssm: parameter(AMI), ec2: images({ ImageId: AMI, State: 'pending' }) },
      1,
      /the AMI ami-0123456789abcdef0 in eu-west-1 is pending, not available/,
    ],
    [
      'a parameter that holds no AMI id',
      { ssm: parameter('latest'), ec2: images() },
      1,
      /holds "latest", not an AMI id/,
    ],
    [
      'a missing parameter',
      { ssm: fail('ParameterNotFound'), ec2: images() },
      2,
      /the SSM parameter \/images\/web\/ami-id does not exist in eu-west-1; check the name and the region/,
    ],
    [
      'no credentials',
      { ssm: fail('CredentialsProviderError', 'Could not load credentials from any providers'), ec2: images() },
      2,
      /no AWS credentials to read the SSM parameter .* configure credentials/,
    ],
    [
      'access denied',
      { ssm: fail('AccessDeniedException', 'not authorized to perform ssm:GetParameter'), ec2: images() },
      2,
      /could not read the SSM parameter \/images\/web\/ami-id in eu-west-1: AccessDeniedException: not authorized/,
    ],
  ])('%s: the exit code and message name it', async (_what, answers, code, message) => {
    const { clients } = fakeClients(answers);
    const error = await resolveAwsImage(fromPipeline, 'eu-west-1', clients).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(code);
    expect((error as CliError).message).toMatch(message);
  });

  test('the region: --region, else AWS_REGION, else AWS_DEFAULT_REGION; none is bad input naming the fix', () => {
    expect(awsRegion('eu-central-1', { AWS_REGION: 'eu-west-1' })).toBe('eu-central-1');
    expect(awsRegion(undefined, { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-east-1' })).toBe('eu-west-1');
    expect(awsRegion(undefined, { AWS_DEFAULT_REGION: 'us-east-1' })).toBe('us-east-1');
    expect(() => awsRegion(undefined, {})).toThrow(/no AWS region; pass --region <region>/);
    expect(() => awsRegion('Europe', {})).toThrow(/region "Europe" is not an AWS region name/);
  });

  test('bad parameter and pipeline names are refused before any call', () => {
    expect(() => awsImageSource('/a//b', undefined)).toThrow(/--from-ssm "\/a\/\/b" is not an SSM parameter name/);
    expect(() => awsImageSource(undefined, 'w')).toThrow(/--from-pipeline "w" is not an AMI pipeline name/);
  });
});

// ---------------------------------------------------------------------------------
// The built command with the real SDK, against a local endpoint (AWS_ENDPOINT_URL)
// that answers GetParameter (JSON) and DescribeImages (EC2 query XML) like AWS.

interface Fake {
  parameter?: string;
  /** The parameter's value per region (the region of the request's signature), over `parameter`. */
  perRegion?: Record<string, string>;
  state?: string;
  architecture?: string;
  /** The alarms DescribeAlarms knows. */
  alarms?: string[];
  calls: string[];
  /** Each request's action and the access key that signed it, e.g. "AssumeRole by testing". */
  signed?: string[];
  /** How STS answers AssumeRole: temporary credentials (ASIA...), or AccessDenied. */
  assume?: 'ok' | 'denied';
}

const ASSUMED_KEY = 'ASIAFAKEASSUMEDKEY01';

function fakeAws(fake: Fake): Promise<{ server: Server; url: string }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const action = target.split('.')[1] ?? new URLSearchParams(body).get('Action') ?? '?';
      const key = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? 'nobody';
      fake.signed?.push(`${action} by ${key}`);
      if (action === 'AssumeRole') {
        const form = new URLSearchParams(body);
        fake.calls.push(`AssumeRole ${form.get('RoleArn')}`);
        if (fake.assume !== 'ok') {
          res.writeHead(403, { 'content-type': 'text/xml' });
          res.end(
            '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>' +
              '<Code>AccessDenied</Code><Message>User testing is not authorized to perform: sts:AssumeRole</Message>' +
              '</Error><RequestId>1</RequestId></ErrorResponse>',
          );
          return;
        }
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>' +
            `<AccessKeyId>${ASSUMED_KEY}</AccessKeyId><SecretAccessKey>assumed-secret</SecretAccessKey>` +
            '<SessionToken>assumed-token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>' +
            `<AssumedRoleUser><Arn>${form.get('RoleArn')}/s</Arn><AssumedRoleId>AROAFAKE:s</AssumedRoleId></AssumedRoleUser>` +
            '</AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>',
        );
        return;
      }
      const region = /Credential=[^/]+\/[^/]+\/([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? '?';
      if (target.endsWith('.DescribeAlarms')) {
        const names: string[] = JSON.parse(body).AlarmNames ?? [];
        fake.calls.push(`DescribeAlarms ${names.join(',')}`);
        const known = names.filter((name) => (fake.alarms ?? []).includes(name));
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(
          JSON.stringify({
            MetricAlarms: known.map((name) => ({ AlarmName: name, StateValue: 'OK', StateReason: 'fine' })),
            CompositeAlarms: [],
          }),
        );
        return;
      }
      if (target === 'AmazonSSM.GetParameter') {
        fake.calls.push(`GetParameter ${JSON.parse(body).Name}${fake.perRegion ? ` in ${region}` : ''}`);
        const value = fake.perRegion?.[region] ?? fake.parameter;
        if (value === undefined) {
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify({ __type: 'ParameterNotFound', message: 'not found' }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(
          JSON.stringify({
            Parameter: { Name: JSON.parse(body).Name, Type: 'String', Value: value, Version: 1 },
          }),
        );
        return;
      }
      const form = new URLSearchParams(body);
      if (form.get('Action') === 'DescribeImages') {
        const id = form.get('ImageId.1')!;
        fake.calls.push(`DescribeImages ${id}${fake.perRegion ? ` in ${region}` : ''}`);
        const architecture = fake.architecture ? `<architecture>${fake.architecture}</architecture>` : '';
        const items = fake.state
          ? `<item><imageId>${id}</imageId><imageState>${fake.state}</imageState>${architecture}</item>`
          : '';
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          `<DescribeImagesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>1</requestId><imagesSet>${items}</imagesSet></DescribeImagesResponse>`,
        );
        return;
      }
      res.writeHead(400);
      res.end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

/** The built command, asynchronously (the fake endpoint runs in this process). */
function cliAsync(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [builtCli(), ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('release stage --from-ssm / --from-pipeline: the built command', () => {
  const creds = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' };
  let dir: string;
  let fake: Fake;
  let aws: { server: Server; url: string };
  beforeAll(async () => {
    fake = { calls: [] };
    aws = await fakeAws(fake);
  });
  afterAll(() => new Promise<void>((resolve) => aws.server.close(() => resolve())));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'releases-aws-'));
    expect(runCli(['release', 'init', 'dev', '--dir', dir]).code).toBe(0);
    fake.calls = [];
  });
  const file = () => readFileSync(join(dir, 'dev.json'), 'utf8');

  test("--from-pipeline stages the AMI of the pipeline's parameter and records where it came from", async () => {
    fake.parameter = AMI;
    fake.state = 'available';
    const result = await cliAsync(['release', 'stage', 'dev', '--from-pipeline', 'web', '--dir', dir], {
      ...creds,
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: aws.url,
    });
    // nothing on stderr: no error, and not the SDK's node-version notice (sdkClientConfig quiets it)
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/staged ami-0123456789abcdef0 in slot blue/);
    expect(fake.calls).toEqual(['GetParameter /images/web/ami-id', `DescribeImages ${AMI}`]);
    expect(parseReleaseFile(file(), 'dev.json').slots.blue).toMatchObject({ image: AMI, source: 'pipeline:web' });
  });

  test('--from-ssm with --region records ssm:<parameter>', async () => {
    fake.parameter = AMI;
    fake.state = 'available';
    const result = await cliAsync(
      ['release', 'stage', 'dev', '--from-ssm', '/platform/api/ami', '--region', 'eu-central-1', '--dir', dir],
      { ...creds, AWS_ENDPOINT_URL: aws.url },
    );
    expect(result.code).toBe(0);
    expect(parseReleaseFile(file(), 'dev.json').slots.blue).toMatchObject({
      image: AMI,
      source: 'ssm:/platform/api/ami',
    });
  });

  test.each<[string, Partial<Fake>, number, RegExp]>([
    [
      'an AMI that does not exist: refused',
      { parameter: AMI, state: undefined },
      1,
      /refused: --from-ssm \/images\/web\/ami-id: the AMI ami-0123456789abcdef0 does not exist in eu-west-1/,
    ],
    [
      'an AMI that is not available: refused',
      { parameter: AMI, state: 'failed' },
      1,
      /the AMI ami-0123456789abcdef0 in eu-west-1 is failed, not available/,
    ],
    [
      'a missing parameter: bad input',
      { parameter: undefined },
      2,
      /the SSM parameter \/images\/web\/ami-id does not exist in eu-west-1/,
    ],
  ])('%s, the file untouched', async (_what, state, code, message) => {
    Object.assign(fake, { parameter: undefined, state: undefined }, state);
    const before = file();
    const result = await cliAsync(['release', 'stage', 'dev', '--from-ssm', '/images/web/ami-id', '--dir', dir], {
      ...creds,
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: aws.url,
    });
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(file()).toBe(before);
  });

  test('an unreachable endpoint: exit 2, nothing written', async () => {
    const before = file();
    const result = await cliAsync(['release', 'stage', 'dev', '--from-pipeline', 'web', '--dir', dir], {
      ...creds,
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /could not read the SSM parameter \/images\/web\/ami-id in eu-west-1 at http:\/\/127\.0\.0\.1:9: .*Nothing was staged/,
    );
    expect(file()).toBe(before);
  });

  test('no credentials: exit 2, nothing written', async () => {
    const before = file();
    const none = join(dir, 'none');
    const result = await cliAsync(['release', 'stage', 'dev', '--from-pipeline', 'web', '--dir', dir], {
      AWS_REGION: 'eu-west-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: none,
      AWS_SHARED_CREDENTIALS_FILE: none,
      AWS_ENDPOINT_URL: aws.url,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no AWS credentials to read the SSM parameter \/images\/web\/ami-id in eu-west-1/);
    expect(file()).toBe(before);
  });

  test('a stage that does not check the AMI (no credentials) never loads the AWS SDK', () => {
    const main = join(builtCli(), '..', 'cli', 'main.js');
    const script = `const io = { out() {}, err() {} };
      const code = require(${JSON.stringify(main)}).main(['release', 'stage', 'dev', '--image', '${AMI}', '--dir', ${JSON.stringify(dir)}], io);
      console.log(code, Object.keys(require.cache).filter((k) => k.includes('@aws-sdk')).length);`;
    const none = join(dir, 'none');
    const result = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: dir, AWS_CONFIG_FILE: none, AWS_SHARED_CREDENTIALS_FILE: none },
    });
    expect(result.stdout.trim()).toBe('0 0');
  });

  test.each<[string, string[], RegExp]>([
    [
      'two sources',
      ['--from-pipeline', 'web', '--image', AMI],
      /give exactly one of --image <ami-id>, --from <other-env>, --from-ssm <parameter>, --from-pipeline <name> or --same-image/,
    ],
    [
      '--region with --no-verify',
      ['--image', AMI, '--region', 'eu-west-1', '--no-verify'],
      /--region names the region the AMI is checked in, and --no-verify skips the check; give one/,
    ],
    [
      '--verify with --no-verify',
      ['--image', AMI, '--verify', '--no-verify'],
      /give --verify or --no-verify, not both/,
    ],
    [
      '--no-verify with --from-ssm',
      ['--from-ssm', '/images/web/ami-id', '--no-verify'],
      /--no-verify is for --image and --from; --from-ssm and --from-pipeline read the AMI from AWS/,
    ],
    ['no region', ['--from-pipeline', 'web'], /no AWS region; pass --region <region>/],
    [
      'a bad pipeline name',
      ['--from-pipeline', 'a b', '--region', 'eu-west-1'],
      /--from-pipeline "a b" is not an AMI pipeline name/,
    ],
  ])('%s: exit 2 before any call', async (_what, args, message) => {
    const result = await cliAsync(['release', 'stage', 'dev', ...args, '--dir', dir], {
      ...creds,
      AWS_ENDPOINT_URL: aws.url,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(fake.calls).toEqual([]);
  });
});

describe('release stage --image / --from and promote --steps: checked with AWS when credentials are there', () => {
  const creds = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' };
  const AMI_2 = 'ami-0fedcba9876543210';
  let dir: string;
  let fake: Fake;
  let aws: { server: Server; url: string };
  beforeAll(async () => {
    fake = { calls: [] };
    aws = await fakeAws(fake);
  });
  afterAll(() => new Promise<void>((resolve) => aws.server.close(() => resolve())));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'releases-verify-'));
    Object.assign(fake, { calls: [], parameter: undefined, state: 'available', architecture: 'x86_64', alarms: [] });
  });
  const file = (env = 'dev') => readFileSync(join(dir, `${env}.json`), 'utf8');
  const online = () => ({ ...creds, AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: aws.url });
  const stage = (args: string[], env: Record<string, string>) =>
    cliAsync(['release', 'stage', 'dev', ...args, '--dir', dir], env);

  test('an available AMI of the fleet architecture is staged, and the output says it was checked', async () => {
    expect(runCli(['release', 'init', 'dev', '--architecture', 'x86_64', '--dir', dir]).code).toBe(0);
    const result = await stage(['--image', AMI], online());
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(
      `dev: staged ${AMI} in slot blue (the environment was empty: this slot is active).\n  AMI checked with AWS: ${AMI} is available in eu-west-1 (x86_64, the fleet's architecture).\n`,
    );
    expect(fake.calls).toEqual([`DescribeImages ${AMI}`]);
    expect(parseReleaseFile(file(), 'dev.json')).toMatchObject({
      architecture: 'x86_64',
      slots: { blue: { image: AMI } },
    });
  });

  test.each<[string, Partial<Fake>, RegExp]>([
    [
      'an AMI that does not exist',
      { state: undefined },
      /refused: --image ami-0123456789abcdef0: the AMI ami-0123456789abcdef0 does not exist in eu-west-1 .*nothing was staged/,
    ],
    [
      'an AMI that is not available',
      { state: 'pending' },
      /the AMI ami-0123456789abcdef0 in eu-west-1 is pending, not available/,
    ],
    [
      'an AMI of another architecture than the fleet',
      { architecture: 'arm64' },
      /the AMI ami-0123456789abcdef0 in eu-west-1 is arm64, but the release file says the fleet runs x86_64 \("architecture"\): its instances could not boot it; nothing was staged/,
    ],
  ])('%s is refused (exit 1), the file untouched', async (_what, answer, message) => {
    expect(runCli(['release', 'init', 'dev', '--architecture', 'x86_64', '--dir', dir]).code).toBe(0);
    Object.assign(fake, answer);
    const before = file();
    const result = await stage(['--image', AMI], online());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(file()).toBe(before);
  });

  test("--from checks the other environment's image in this environment's region", async () => {
    for (const env of ['dev', 'prod']) {
      expect(runCli(['release', 'init', env, '--dir', dir]).code).toBe(0);
    }
    expect(runCli(['release', 'stage', 'dev', '--image', AMI, '--no-verify', '--dir', dir]).code).toBe(0);
    const result = await cliAsync(
      ['release', 'stage', 'prod', '--from', 'dev', '--region', 'eu-central-1', '--dir', dir],
      {
        ...creds,
        AWS_ENDPOINT_URL: aws.url,
      },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`AMI checked with AWS: ${AMI} is available in eu-central-1 (x86_64).`);
    expect(fake.calls).toEqual([`DescribeImages ${AMI}`]);
  });

  test('offline (an unreachable endpoint): staged, and the output says the AMI was not checked', async () => {
    expect(runCli(['release', 'init', 'dev', '--dir', dir]).code).toBe(0);
    const result = await stage(['--image', AMI], { ...online(), AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /\n {2}AMI not checked with AWS: EC2 at http:\/\/127\.0\.0\.1:9 cannot be reached \(ECONNREFUSED\): offline\. Check it before the deploy, or pass --no-verify/,
    );
    expect(parseReleaseFile(file(), 'dev.json').slots.blue.image).toBe(AMI);
  });

  test('--verify makes an unreachable endpoint an error (exit 2): nothing is staged', async () => {
    expect(runCli(['release', 'init', 'dev', '--dir', dir]).code).toBe(0);
    const before = file();
    const result = await stage(['--image', AMI, '--verify'], { ...online(), AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /could not check the AMI ami-0123456789abcdef0 in eu-west-1 at http:\/\/127\.0\.0\.1:9: .*Nothing was staged/,
    );
    expect(file()).toBe(before);
  });

  test('--no-verify stages without calling AWS, and says so', async () => {
    expect(runCli(['release', 'init', 'dev', '--dir', dir]).code).toBe(0);
    const result = await stage(['--image', AMI, '--no-verify'], online());
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('\n  AMI not checked with AWS (--no-verify).\n');
    expect(fake.calls).toEqual([]);
  });

  test('no credentials configured: staged (in process, no AWS), and the output says the AMI was not checked', () => {
    expect(runCli(['release', 'init', 'dev', '--dir', dir]).code).toBe(0);
    const result = runCli(['release', 'stage', 'dev', '--image', AMI, '--dir', dir]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(
      '\n  AMI not checked with AWS: no AWS credentials are configured (environment, ~/.aws). Pass --verify to check it with the default credential chain (an instance or task role), or --no-verify to skip the check on purpose.\n',
    );
  });

  test('init --architecture takes x86_64 or arm64 only', () => {
    expect(runCli(['release', 'init', 'dev', '--architecture', 'aarch64', '--dir', dir])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--architecture "aarch64" must be x86_64 or arm64/),
    });
    expect(runCli(['release', 'init', 'dev', '--architecture', 'arm64', '--dir', dir]).stdout).toMatch(
      /both slots empty, blue active, architecture arm64\./,
    );
  });

  test('a stage the release file refuses calls no AWS', async () => {
    expect(runCli(['release', 'init', 'dev', '--dir', dir]).code).toBe(0);
    expect(runCli(['release', 'stage', 'dev', '--image', AMI, '--no-verify', '--dir', dir]).code).toBe(0);
    expect(runCli(['release', 'stage', 'dev', '--image', AMI_2, '--no-verify', '--dir', dir]).code).toBe(0);
    const result = await stage(['--image', AMI_2], online());
    expect(result.code).toBe(1);
    expect(fake.calls).toEqual([]);
  });

  describe('promote --steps: the alarms', () => {
    beforeEach(() => {
      expect(runCli(['release', 'init', 'dev', '--dir', dir]).code).toBe(0);
      expect(runCli(['release', 'stage', 'dev', '--image', AMI, '--no-verify', '--dir', dir]).code).toBe(0);
      expect(runCli(['release', 'stage', 'dev', '--image', AMI_2, '--no-verify', '--dir', dir]).code).toBe(0);
    });
    const promote = (alarms: string[], env: Record<string, string>, extra: string[] = []) =>
      cliAsync(
        [
          'release',
          'promote',
          'dev',
          '--steps',
          '10,100',
          '--fleet-tag',
          'web',
          ...alarms.flatMap((a) => ['--alarm', a]),
          ...extra,
          '--dir',
          dir,
        ],
        env,
      );

    test('that exist: the rollout starts, and the output says they were checked', async () => {
      fake.alarms = ['web-green-5xx-rate', 'web-latency'];
      const result = await promote(['web-green-5xx-rate', 'web-latency@canary'], online());
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toContain('\n  alarms checked with AWS: web-green-5xx-rate, web-latency exist.\n');
      expect(fake.calls).toEqual(['DescribeAlarms web-green-5xx-rate,web-latency']);
      expect(parseReleaseFile(file(), 'dev.json').rollout).toMatchObject({ status: 'running', step: 0 });
    });

    test('a misspelled alarm is refused (exit 1) before anything is written', async () => {
      fake.alarms = ['web-green-5xx-rate'];
      const before = file();
      const result = await promote(['web-green-5xx-rate', 'web-gren-latency@canary'], online());
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /refused: the alarm "web-gren-latency" does not exist in eu-west-1 \(CloudWatch DescribeAlarms found web-green-5xx-rate\); nothing was written\. Fix the name/,
      );
      expect(file()).toBe(before);
    });

    test('offline: the rollout starts, and the output says the alarms were not checked', async () => {
      const result = await promote(['web-green-5xx-rate'], { ...online(), AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(
        /\n {2}alarms not checked with AWS \(CloudWatch DescribeAlarms: cannot reach the AWS endpoint/,
      );
      expect(parseReleaseFile(file(), 'dev.json').rollout?.alarms).toEqual(['web-green-5xx-rate']);
    });

    test('no credentials: in process, and the output says the alarms were not checked', () => {
      const result = runCli([
        'release',
        'promote',
        'dev',
        '--steps',
        '10,100',
        '--fleet-tag',
        'web',
        '--alarm',
        'a@canary',
        '--dir',
        dir,
      ]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('\n  alarms not checked with AWS: no AWS credentials are configured');
    });
  });
});

describe('policy.roleArn: the AWS calls of an environment run as its role, assumed with the default chain', () => {
  const creds = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' };
  const ROLE = 'arn:aws:iam::210987654321:role/prod-release';
  let dir: string;
  let fake: Fake;
  let aws: { server: Server; url: string };
  beforeAll(async () => {
    fake = { calls: [], parameter: AMI, state: 'available' };
    aws = await fakeAws(fake);
  });
  afterAll(() => new Promise<void>((resolve) => aws.server.close(() => resolve())));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'releases-role-'));
    for (const env of ['dev', 'prod']) {
      expect(runCli(['release', 'init', env, '--dir', dir]).code).toBe(0);
    }
    const prod = JSON.parse(readFileSync(join(dir, 'prod.json'), 'utf8'));
    writeFileSync(join(dir, 'prod.json'), JSON.stringify({ ...prod, policy: { ...prod.policy, roleArn: ROLE } }));
    Object.assign(fake, { calls: [], signed: [], assume: 'ok' });
  });
  const stage = (env: string) =>
    cliAsync(['release', 'stage', env, '--from-pipeline', 'web', '--dir', dir], {
      ...creds,
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: aws.url,
    });

  test("prod's calls are signed with the assumed role's credentials, dev's with the default chain", async () => {
    const prod = await stage('prod');
    expect(prod.stderr).toBe('');
    expect(prod.code).toBe(0);
    expect(fake.calls).toEqual([`AssumeRole ${ROLE}`, 'GetParameter /images/web/ami-id', `DescribeImages ${AMI}`]);
    // STS is called with the default chain (the environment's keys); SSM and EC2 with the role's keys
    expect(fake.signed).toEqual([
      'AssumeRole by testing',
      `GetParameter by ${ASSUMED_KEY}`,
      `DescribeImages by ${ASSUMED_KEY}`,
    ]);
    expect(parseReleaseFile(readFileSync(join(dir, 'prod.json'), 'utf8'), 'prod.json').slots.blue?.image).toBe(AMI);

    Object.assign(fake, { calls: [], signed: [] });
    const dev = await stage('dev');
    expect(dev.code).toBe(0);
    expect(fake.signed).toEqual(['GetParameter by testing', 'DescribeImages by testing']);
  });

  test('a role the caller may not assume: exit 2 naming the role and the field, nothing written', async () => {
    fake.assume = 'denied';
    const before = readFileSync(join(dir, 'prod.json'), 'utf8');
    const result = await stage('prod');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `could not assume the role ${ROLE} ("policy.roleArn") with the default credentials`,
    );
    expect(result.stderr).toMatch(/AccessDenied/);
    expect(fake.signed).toEqual(['AssumeRole by testing']);
    expect(readFileSync(join(dir, 'prod.json'), 'utf8')).toBe(before);
  });
});

describe('a wave: each region stages the AMI its own parameter names (the distribution to that region)', () => {
  const creds = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' };
  const EU = 'ami-0e0e0e0e0e0e0e0e1';
  const US = 'ami-0a0a0a0a0a0a0a0a2';
  let fake: Fake;
  let aws: { server: Server; url: string };
  beforeAll(async () => {
    fake = { calls: [], state: 'available', perRegion: { 'eu-west-1': EU, 'us-east-1': US } };
    aws = await fakeAws(fake);
  });
  afterAll(() => new Promise<void>((resolve) => aws.server.close(() => resolve())));

  test('--from-pipeline --regions records each region its AMI id, read in that region', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'releases-wave-'));
    const wave = ['--fleet', 'web', '--regions', 'eu-west-1,us-east-1', '--dir', dir];
    expect(runCli(['release', 'init', 'prod', ...wave]).code).toBe(0);
    const result = await cliAsync(['release', 'stage', 'prod', ...wave, '--from-pipeline', 'web'], {
      ...creds,
      AWS_ENDPOINT_URL: aws.url,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`eu-west-1: staged ${EU} in slot blue`);
    expect(result.stdout).toContain(`us-east-1: staged ${US} in slot blue`);
    expect([...fake.calls].sort()).toEqual([
      `DescribeImages ${US} in us-east-1`,
      `DescribeImages ${EU} in eu-west-1`,
      'GetParameter /images/web/ami-id in eu-west-1',
      'GetParameter /images/web/ami-id in us-east-1',
    ]);
    for (const [region, ami] of [
      ['eu-west-1', EU],
      ['us-east-1', US],
    ]) {
      const path = join(dir, 'web', region, 'prod.json');
      expect(parseReleaseFile(readFileSync(path, 'utf8'), path)).toMatchObject({
        fleet: 'web',
        region,
        slots: { blue: { image: ami, source: 'pipeline:web' } },
      });
    }
  });
});
