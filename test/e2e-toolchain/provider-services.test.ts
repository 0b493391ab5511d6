/**
 * The e2e AWS provider is built with only the service packages of
 * scripts/e2e-provider-services.txt. These tests run without the toolchain:
 *  - scripts/e2e-toolchain.sh names the toolchain after the set (comments and order aside);
 *  - scripts/e2e-provider-services.js fails on a type outside the set, naming the type,
 *    its service package and the file to edit;
 *  - scripts/e2e-provider-prune.go, on a miniature provider tree laid out like the real
 *    one, keeps the listed packages plus what they import or ask API clients of, and
 *    drops the rest from both generated lists.
 */
import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';

const ROOT = join(__dirname, '..', '..');
const TOOLCHAIN = join(ROOT, 'scripts', 'e2e-toolchain.sh');
const CHECK = join(ROOT, 'scripts', 'e2e-provider-services.js');
const PRUNE = join(ROOT, 'scripts', 'e2e-provider-prune.go');
const work = mkdtempSync(join(tmpdir(), 'e2e-provider-services-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function write(file: string, text: string): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('scripts/e2e-toolchain.sh --print-key', () => {
  const key = (services: string) =>
    run('bash', [TOOLCHAIN, '--print-key'], {
      E2E_PROVIDER_SERVICES_FILE: write(join(work, 'keys', `${Math.random()}.txt`), services),
    });

  test('names the service set: order and comments do not matter, the packages do', () => {
    const base = key('ec2\niam\n');
    expect(base.code).toBe(0);
    expect(base.stdout).toMatch(/-aws[0-9.]+\.[0-9a-f]+\.svc[0-9a-f]{10}-/);
    expect(key('# the set\niam   # roles\n\nec2\n').stdout).toBe(base.stdout);
    expect(key('ec2\niam\nssm\n').stdout).not.toBe(base.stdout);
  });

  test('the committed set gives the default key', () => {
    const committed = readFileSync(join(ROOT, 'scripts', 'e2e-provider-services.txt'), 'utf8');
    expect(key(committed).stdout).toBe(
      run('bash', [TOOLCHAIN, '--print-key'], { E2E_PROVIDER_SERVICES_FILE: '' }).stdout,
    );
  });

  test('an empty set is refused', () => {
    const result = key('# nothing\n');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/lists no service package/);
  });
});

describe('scripts/e2e-provider-services.js check', () => {
  const types = write(
    join(work, 'check', 'types.tsv'),
    [
      'aws_vpc\tresource\tec2',
      'aws_vpc\tdata\tec2',
      'aws_region\tdata\tmeta',
      'aws_wafv2_web_acl\tresource\twafv2',
      'aws_s3_bucket\tresource\ts3',
    ].join('\n') + '\n',
  );
  const services = write(join(work, 'check', 'services.txt'), '# test set\nec2\nmeta\n');
  const stack = (name: string, json: object) =>
    write(join(work, 'check', name, 'stacks', 'web', 'cdk.tf.json'), JSON.stringify(json));
  const check = (dir: string, extra: string[] = []) =>
    run(process.execPath, [CHECK, 'check', '--synth-dir', dir, '--types', types, '--services', services, ...extra]);

  test('passes when every aws type belongs to a listed service package (other providers ignored)', () => {
    stack('ok', { resource: { aws_vpc: {}, docker_image: {} }, data: { aws_region: {}, aws_vpc: {} } });
    const result = check(join(work, 'check', 'ok'));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/1 synthesized stacks use 2 aws types from 2 service packages/);
  });

  test('fails on a type of an unlisted package, naming the type, the package and the file to edit', () => {
    const file = stack('waf', { resource: { aws_vpc: {}, aws_wafv2_web_acl: {} } });
    const result = check(join(work, 'check', 'waf'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('resource aws_wafv2_web_acl');
    expect(result.stderr).toContain(`used by ${file}`);
    expect(result.stderr).toContain('service package "wafv2"');
    expect(result.stderr).toContain(`Add a line "wafv2" to ${services}`);
    expect(result.stderr).not.toContain('aws_vpc');
  });

  test('fails on a type the provider does not have', () => {
    stack('typo', { data: { aws_vpcs_typo: {} } });
    const result = check(join(work, 'check', 'typo'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /data source type aws_vpcs_typo is not a data source type of the hashicorp\/aws provider/,
    );
  });

  test('derive lists the packages in use and the unused margin', () => {
    stack('derive', { resource: { aws_vpc: {}, aws_s3_bucket: {} } });
    const result = run(process.execPath, [
      CHECK,
      'derive',
      '--synth-dir',
      join(work, 'check', 'derive'),
      '--types',
      types,
      '--services',
      services,
    ]);
    expect(result.code).toBe(1); // s3 is used but not listed
    expect(result.stdout).toContain('ec2\taws_vpc\n');
    expect(result.stdout).toContain('s3   (NOT LISTED)\taws_s3_bucket\n');
    expect(result.stdout).toContain('unused (margin): meta');
  });

  test('a malformed service list is refused with its line', () => {
    const bad = write(join(work, 'check', 'bad.txt'), 'ec2\nEC2-Typo\n');
    const result = run(process.execPath, [
      CHECK,
      'check',
      '--synth-dir',
      join(work, 'check', 'ok'),
      '--types',
      types,
      '--services',
      bad,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${bad}:2: "EC2-Typo" is not a service package name`);
  });

  test('a missing type table says to build the toolchain', () => {
    const result = check(join(work, 'check', 'ok'), ['--types', join(work, 'nowhere.tsv')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/does not exist: build the e2e toolchain first/);
  });
});

/**
 * A provider tree with the real one's layout: ec2 imports organizations, organizations
 * calls the IAM client, foo is referenced by nothing but a test file.
 */
function miniProvider(dir: string): void {
  const mod = 'github.com/hashicorp/terraform-provider-aws';
  write(join(dir, 'go.mod'), `module ${mod}\n\ngo 1.22\n`);
  write(join(dir, 'main.go'), `package main\n\nimport _ "${mod}/internal/provider/sdkv2"\n\nfunc main() {}\n`);
  write(
    join(dir, 'names', 'consts_gen.go'),
    'package names\n\nconst (\n\tEC2 = "ec2"\n\tFoo = "foo"\n\tIAM = "iam"\n\tOrganizations = "organizations"\n)\n',
  );
  const services = ['ec2', 'foo', 'iam', 'organizations'];
  const client = (s: string) =>
    (({ ec2: 'EC2', foo: 'Foo', iam: 'IAM', organizations: 'Organizations' }) as Record<string, string>)[s];
  write(
    join(dir, 'internal', 'conns', 'awsclient_gen.go'),
    [
      '// Code generated by internal/generate/awsclient/main.go; DO NOT EDIT.',
      'package conns',
      '',
      'import (',
      '\t"context"',
      '',
      ...services.map((s) => `\t"github.com/aws/aws-sdk-go-v2/service/${s}"`),
      '\t"github.com/hashicorp/terraform-provider-aws/names"',
      ')',
      '',
      ...services.map(
        (s) =>
          `func (c *AWSClient) ${client(s)}Client(ctx context.Context) *${s}.Client {\n\treturn errs.Must(client[*${s}.Client](ctx, c, names.${client(s)}, make(map[string]any)))\n}\n`,
      ),
    ].join('\n'),
  );
  write(
    join(dir, 'internal', 'provider', 'sdkv2', 'service_packages_gen.go'),
    [
      '// Code generated by internal/generate/servicepackages/main.go; DO NOT EDIT.',
      '',
      'package sdkv2',
      '',
      'import (',
      '\t"context"',
      '',
      `\t"${mod}/internal/conns"`,
      ...services.map((s) => `\t"${mod}/internal/service/${s}"`),
      ')',
      '',
      'func servicePackages(ctx context.Context) []conns.ServicePackage {',
      '\tv := []conns.ServicePackage{',
      ...services.map((s) => `\t\t${s}.ServicePackage(ctx),`),
      '\t}',
      '',
      '\treturn v',
      '}',
      '',
    ].join('\n'),
  );
  for (const s of services) {
    write(
      join(dir, 'internal', 'service', s, 'service_package_gen.go'),
      [
        `package ${s}`,
        '',
        'func (p *servicePackage) SDKResources(ctx context.Context) []*inttypes.ServicePackageSDKResource {',
        `\treturn []*inttypes.ServicePackageSDKResource{\n\t\t{\n\t\t\tTypeName: "aws_${s}_thing",\n\t\t},\n\t}`,
        '}',
        '',
        'func (p *servicePackage) SDKDataSources(ctx context.Context) []*inttypes.ServicePackageSDKDataSource {',
        `\treturn []*inttypes.ServicePackageSDKDataSource{\n\t\t{\n\t\t\tTypeName: "aws_${s}_things",\n\t\t},\n\t}`,
        '}',
        '',
      ].join('\n'),
    );
  }
  write(
    join(dir, 'internal', 'service', 'ec2', 'vpc.go'),
    `package ec2\n\nimport (\n\t"${mod}/internal/conns"\n\t"${mod}/internal/service/organizations"\n)\n\nfunc read(c *conns.AWSClient) { c.EC2Client(ctx); organizations.X() }\n`,
  );
  write(
    join(dir, 'internal', 'service', 'ec2', 'vpc_test.go'),
    `package ec2\n\nimport "${mod}/internal/service/foo"\n\nfunc t(c *conns.AWSClient) { c.FooClient(ctx); foo.X() }\n`,
  );
  write(
    join(dir, 'internal', 'service', 'organizations', 'account.go'),
    'package organizations\n\nfunc X(c *conns.AWSClient) { c.IAMClient(ctx) }\n',
  );
  write(join(dir, 'internal', 'conns', 'conns.go'), 'package conns\n\ntype AWSClient struct{}\n');
}

describe('scripts/e2e-provider-prune.go (needs go, as the toolchain does)', () => {
  const bin = join(work, 'prune');
  beforeAll(() => {
    const built = run('go', ['build', '-o', bin, PRUNE], {
      GOWORK: 'off',
      GOTOOLCHAIN: 'local',
      GOFLAGS: '-buildvcs=false',
    });
    if (built.code !== 0) {
      throw new Error(`go build ${PRUNE} failed: ${built.stderr}`);
    }
  });

  test('types lists every type with its kind and service package', () => {
    const dir = join(work, 'mini-types');
    miniProvider(dir);
    const result = run(bin, ['types', dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('aws_ec2_thing\tresource\tec2\n');
    expect(result.stdout).toContain('aws_iam_things\tdata\tiam\n');
    expect(result.stdout.trim().split('\n')).toHaveLength(8);
  });

  test('prune keeps the listed packages plus what they import or ask clients of', () => {
    const dir = join(work, 'mini-prune');
    miniProvider(dir);
    const list = write(join(work, 'mini-prune.txt'), '# only ec2\nec2\n');
    const result = run(bin, ['prune', dir, list]);
    expect(result.stderr).toContain('adding organizations (compiled: internal/service/organizations)');
    expect(result.stderr).toContain('adding iam (internal/service/organizations/account.go calls IAMClient)');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('ec2\niam\norganizations\n');
    const registered = readFileSync(join(dir, 'internal', 'provider', 'sdkv2', 'service_packages_gen.go'), 'utf8');
    expect(registered).toMatch(/ec2\.ServicePackage\(ctx\)/);
    expect(registered).toMatch(/organizations\.ServicePackage\(ctx\)/);
    expect(registered).not.toMatch(/foo/);
    expect(registered).toMatch(/DO NOT EDIT/);
    const clients = readFileSync(join(dir, 'internal', 'conns', 'awsclient_gen.go'), 'utf8');
    expect(clients).toMatch(/func \(c \*AWSClient\) IAMClient/);
    expect(clients).not.toMatch(/FooClient|service\/foo"/);
    expect(clients).not.toMatch(/OrganizationsClient|service\/organizations"/); // nothing calls it
  });

  test('prune refuses a package the provider does not have', () => {
    const dir = join(work, 'mini-missing');
    miniProvider(dir);
    const result = run(bin, ['prune', dir, write(join(work, 'mini-missing.txt'), 'ec2\nnosuch\n')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/lists nosuch, which the provider source has no service package for/);
  });
});
