import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { TerraformStack } from 'cdktf';
import {
  AmiPipeline,
  BlueGreenFleet,
  BlueGreenFleetProps,
  FleetLoadBalancer,
  generationName,
  ImageComponent,
  ImageSchedule,
  ImageSource,
  ImmutableLaunchTemplate,
  InstanceType,
  NameRule,
  ParentImage,
  parseReleaseFile,
  ReplaceFleet,
  UserData,
} from '../../lib';
import { DockerImagePipeline } from '../../lib/docker';
import { runCli } from '../cli/run-cli';
import { AMI_1, newStack, SUBNETS, VPC } from '../support/synth';

/**
 * Bad input across the three surfaces a user touches: construct props (errors at
 * construction), release files (errors at synth and in every command) and CLI
 * arguments (exit codes). Every case asserts that the message names the field and
 * shows the offending value, so the user can find and fix it without reading code.
 */
interface Case {
  readonly what: string;
  /** Text that must appear: the field. */
  readonly field: string;
  /** Text that must appear: the value as shown. */
  readonly value: string;
}

function fleet(overrides: Partial<BlueGreenFleetProps>): () => void {
  return () => {
    const stack = newStack('prod');
    new BlueGreenFleet(stack, 'Web', {
      name: 'web',
      vpcId: VPC,
      subnetIds: SUBNETS,
      active: 'blue',
      slots: { blue: { image: ImageSource.fromAmiId(AMI_1) }, green: {} },
      ...overrides,
    });
  };
}

function inStack(build: (stack: TerraformStack) => void): () => void {
  return () => build(newStack('prod'));
}

const pipeline = (overrides: Record<string, unknown>) =>
  inStack(
    (s) =>
      new AmiPipeline(s, 'Web', {
        name: 'web',
        parentImage: ParentImage.fromAmiId(AMI_1),
        components: [
          ImageComponent.fromInline(
            'a',
            'schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Hello\n        action: ExecuteBash\n        inputs:\n          commands: [echo hello]\n',
          ),
        ],
        ...overrides,
      }),
  );

const constructCases: Array<Case & { readonly run: () => void }> = [
  { what: 'capacity min > max', run: fleet({ capacity: { min: 3, max: 2 } }), field: 'capacity.min', value: '(3)' },
  {
    what: 'desired above max',
    run: fleet({ capacity: { min: 1, max: 4, desired: 5 } }),
    field: 'capacity.desired',
    value: '(5)',
  },
  {
    what: 'desired below min',
    run: fleet({ capacity: { min: 2, max: 4, desired: 1 } }),
    field: 'capacity.desired',
    value: '(1)',
  },
  { what: 'fractional capacity', run: fleet({ capacity: { min: 1.5, max: 4 } }), field: 'capacity.min', value: '1.5' },
  { what: 'negative capacity', run: fleet({ capacity: { min: -1, max: 4 } }), field: 'capacity.min', value: '-1' },
  { what: 'canary over 100', run: fleet({ canaryPercent: 101 }), field: 'canaryPercent', value: '101' },
  { what: 'negative canary', run: fleet({ canaryPercent: -1 }), field: 'canaryPercent', value: '-1' },
  {
    what: 'canary to an empty idle slot',
    run: fleet({ canaryPercent: 10 }),
    field: 'slots.green.image',
    value: 'canaryPercent (10)',
  },
  { what: 'active slot with no image', run: fleet({ active: 'green' }), field: 'slots.green.image', value: '"green"' },
  { what: 'unknown active slot', run: fleet({ active: 'red' as 'blue' }), field: 'active', value: '"red"' },
  { what: 'no subnets', run: fleet({ subnetIds: [] }), field: 'subnetIds', value: '[]' },
  {
    what: 'malformed subnet id',
    run: fleet({ subnetIds: ['subnet-1', SUBNETS[1]] }),
    field: 'subnetIds[0]',
    value: '"subnet-1"',
  },
  {
    what: 'duplicate subnet',
    run: fleet({ subnetIds: [SUBNETS[0], SUBNETS[0]] }),
    field: 'subnetIds[1]',
    value: SUBNETS[0],
  },
  { what: 'malformed VPC id', run: fleet({ vpcId: 'vpc1' }), field: 'vpcId', value: '"vpc1"' },
  {
    what: 'health-check path without /',
    run: fleet({ healthCheck: { path: 'health' } }),
    field: 'healthCheck.path',
    value: '"health"',
  },
  {
    what: 'health-check matcher',
    run: fleet({ healthCheck: { matcher: 'ok' } }),
    field: 'healthCheck.matcher',
    value: '"ok"',
  },
  {
    what: 'healthy threshold',
    run: fleet({ healthCheck: { healthyThreshold: 1 } }),
    field: 'healthCheck.healthyThreshold',
    value: '(1)',
  },
  {
    what: 'health-check interval',
    run: fleet({ healthCheck: { intervalSeconds: 4 } }),
    field: 'healthCheck.intervalSeconds',
    value: '(4)',
  },
  {
    what: 'timeout not below interval',
    run: fleet({ healthCheck: { intervalSeconds: 10, timeoutSeconds: 10 } }),
    field: 'healthCheck.timeoutSeconds',
    value: '(10)',
  },
  { what: 'port out of range', run: fleet({ port: 70000 }), field: 'port', value: '70000' },
  {
    what: 'deregistration delay',
    run: fleet({ deregistrationDelaySeconds: 3601 }),
    field: 'deregistrationDelaySeconds',
    value: '3601',
  },
  { what: 'name with underscore', run: fleet({ name: 'web_shop' }), field: 'name', value: '"web_shop"' },
  {
    what: 'name starting with internal-',
    run: fleet({ name: 'internal-web' }),
    field: 'name',
    value: '"internal-web"',
  },
  {
    what: 'malformed security group',
    run: fleet({ server: { securityGroupIds: ['sg-x'] } }),
    field: 'server.securityGroupIds[0]',
    value: '"sg-x"',
  },
  {
    what: 'metadata hop limit',
    run: fleet({
      slots: { blue: { image: ImageSource.fromAmiId(AMI_1), metadataOptions: { hopLimit: 99 } }, green: {} },
    }),
    field: 'metadataOptions.hopLimit',
    value: '99',
  },
  {
    what: 'malformed instance type',
    run: fleet({ server: { instanceType: InstanceType.of('t3micro') } }),
    field: 'prod/Web: server.instanceType',
    value: '"t3micro"',
  },
  {
    what: 'load balancer scheme',
    run: fleet({ loadBalancer: FleetLoadBalancer.create({ scheme: 'public' as 'internal' }) }),
    field: 'loadBalancer: FleetLoadBalancer.create: scheme',
    value: '"public"',
  },
  { what: 'malformed AMI_1 id', run: () => ImageSource.fromAmiId('ami-123'), field: 'amiId', value: '"ami-123"' },
  {
    what: 'malformed SSM parameter name',
    run: () => ImageSource.fromSsmParameter('images web'),
    field: 'parameterName',
    value: '"images web"',
  },
  {
    what: 'user data file missing',
    run: () => UserData.fromFile('/nonexistent/boot.sh'),
    field: 'boot.sh',
    value: '/nonexistent',
  },
  {
    what: 'launch template without image',
    run: inStack((s) => new ImmutableLaunchTemplate(s, 'T', { name: 'web', image: undefined as never })),
    field: 'image',
    value: 'undefined',
  },
  {
    what: 'replace fleet capacity',
    run: inStack(
      (s) =>
        new ReplaceFleet(s, 'Api', {
          name: 'api',
          vpcId: VPC,
          subnetIds: SUBNETS,
          image: ImageSource.fromAmiId(AMI_1),
          capacity: { min: 5, max: 1 },
        }),
    ),
    field: 'capacity.min',
    value: '(5)',
  },
  {
    what: 'component document not YAML',
    run: () => ImageComponent.fromInline('bad', 'phases: [unclosed'),
    field: 'document',
    value: 'bad',
  },
  {
    what: 'component document without phases',
    run: () => ImageComponent.fromInline('nophases', 'schemaVersion: 1.0\n'),
    field: 'phases',
    value: 'nophases',
  },
  {
    what: 'component file missing',
    run: () => ImageComponent.fromFile('/nonexistent/component.yml'),
    field: 'component.yml',
    value: '/nonexistent',
  },
  { what: 'invalid cron', run: () => ImageSchedule.cron('every sunday'), field: 'cron', value: 'every sunday' },
  { what: 'parent AMI_1 id malformed', run: () => ParentImage.fromAmiId('ami-XYZ'), field: 'amiId', value: 'ami-XYZ' },
  {
    what: 'empty distribution regions',
    run: pipeline({ distribution: { regions: [] } }),
    field: 'Web/Distribution: regions',
    value: '([])',
  },
  {
    what: 'Docker context missing',
    run: inStack((s) => new DockerImagePipeline(s, 'D', { repository: 'r/web', contextPath: '/nonexistent/context' })),
    field: 'contextPath',
    value: '/nonexistent/context',
  },
  {
    what: 'generation name with a hand-made hash',
    run: () => generationName(NameRule.TARGET_GROUP, { base: 'web', generation: 'Not A Hash' }),
    field: 'generation',
    value: '"Not A Hash"',
  },
];

function releaseText(overrides: Record<string, unknown>): string {
  return JSON.stringify({
    version: 1,
    environment: 'dev',
    active: 'blue',
    canary: 0,
    previous: null,
    slots: {
      blue: { image: AMI_1, stagedAt: null, source: null },
      green: { image: null, stagedAt: null, source: null },
    },
    ...overrides,
  });
}

const releaseCases: Array<Case & { readonly text: string }> = [
  { what: 'truncated JSON', text: releaseText({}).slice(0, 30), field: 'not valid JSON', value: 'dev.json' },
  { what: 'canary as a string', text: releaseText({ canary: '10' }), field: '"canary"', value: '"10"' },
  { what: 'canary over 100', text: releaseText({ canary: 150 }), field: '"canary"', value: '150' },
  {
    what: 'unknown slot',
    text: releaseText({ slots: { blue: { image: AMI_1 }, green: { image: null }, red: { image: null } } }),
    field: '"slots.red"',
    value: 'red',
  },
  { what: 'unknown field', text: releaseText({ owner: 'me' }), field: 'field "owner"', value: 'owner' },
  {
    what: 'unknown slot field',
    text: releaseText({ slots: { blue: { image: AMI_1, ami: 'x' }, green: { image: null } } }),
    field: '"slots.blue.ami"',
    value: 'ami',
  },
  {
    what: 'image not an AMI_1 id',
    text: releaseText({ slots: { blue: { image: 'ubuntu' }, green: { image: null } } }),
    field: '"slots.blue.image"',
    value: '"ubuntu"',
  },
  { what: 'active slot empty', text: releaseText({ active: 'green' }), field: '"active"', value: '"green"' },
  { what: 'active not a slot', text: releaseText({ active: 'purple' }), field: '"active"', value: '"purple"' },
  { what: 'wrong version', text: releaseText({ version: 2 }), field: '"version"', value: '2' },
  { what: 'environment mismatch', text: releaseText({ environment: 'prod' }), field: '"environment"', value: '"prod"' },
  { what: 'slots as a list', text: releaseText({ slots: [] }), field: '"slots"', value: '[]' },
  { what: 'previous not a slot', text: releaseText({ previous: 'red' }), field: '"previous"', value: '"red"' },
  {
    what: 'stagedAt not a time',
    text: releaseText({ slots: { blue: { image: AMI_1, stagedAt: 'yesterday' }, green: { image: null } } }),
    field: '"slots.blue.stagedAt"',
    value: '"yesterday"',
  },
  { what: 'canary with an empty idle slot', text: releaseText({ canary: 5 }), field: '"canary"', value: '5' },
];

const cliCases: Array<Case & { readonly args: string[]; readonly exit: number }> = [
  { what: 'unknown command', args: ['apply'], exit: 2, field: 'command', value: '"apply"' },
  {
    what: 'malformed AMI_1 for stage',
    args: ['release', 'stage', 'dev', '--image', 'ami-1'],
    exit: 2,
    field: '--image',
    value: '"ami-1"',
  },
  {
    what: 'canary not a number',
    args: ['release', 'promote', 'dev', '--canary', 'ten'],
    exit: 2,
    field: '--canary',
    value: '"ten"',
  },
  {
    what: 'canary over 100',
    args: ['release', 'promote', 'dev', '--canary', '101'],
    exit: 2,
    field: '--canary',
    value: '"101"',
  },
  {
    what: 'bad slot',
    args: ['release', 'stage', 'dev', '--image', AMI_1, '--slot', 'red'],
    exit: 2,
    field: '--slot',
    value: '"red"',
  },
  { what: 'unknown option', args: ['release', 'status', '--verbose'], exit: 2, field: 'option', value: '"--verbose"' },
  {
    what: 'repeated option',
    args: ['release', 'stage', 'dev', '--image', AMI_1, '--image', AMI_1],
    exit: 2,
    field: '--image',
    value: 'twice',
  },
  { what: 'unknown environment', args: ['release', 'promote', 'qa'], exit: 2, field: 'environment', value: '"qa"' },
  {
    what: 'invalid environment name',
    args: ['release', 'status', 'Prod!'],
    exit: 2,
    field: 'environment',
    value: '"Prod!"',
  },
  { what: 'unknown subcommand', args: ['release', 'ship', 'dev'], exit: 2, field: 'subcommand', value: '"ship"' },
  { what: 'promote an empty slot', args: ['release', 'promote', 'dev'], exit: 1, field: 'idle slot', value: '"green"' },
  {
    what: 'stage onto the active slot',
    args: ['release', 'stage', 'dev', '--image', 'ami-0fedcba9876543210', '--slot', 'blue'],
    exit: 1,
    field: 'slot',
    value: '"blue"',
  },
  { what: 'guard without a file', args: ['guard'], exit: 2, field: 'plan JSON file', value: '0 argument' },
  {
    what: 'guard on a missing file',
    args: ['guard', '/nonexistent/plan.json'],
    exit: 2,
    field: '/nonexistent/plan.json',
    value: 'ENOENT',
  },
  {
    what: 'preview with one argument',
    args: ['preview', 'a'],
    exit: 2,
    field: '<before> and <after>',
    value: '1 argument',
  },
];

describe('bad input names the field and the value', () => {
  test('the table has at least 60 cases', () => {
    expect(constructCases.length + releaseCases.length + cliCases.length).toBeGreaterThanOrEqual(60);
  });

  test.each(constructCases.map((c) => [c.what, c] as const))('construct props: %s', (_what, c) => {
    let message = '';
    try {
      c.run();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toBe('');
    expect(message).toContain(c.field);
    expect(message).toContain(c.value);
  });

  test.each(releaseCases.map((c) => [c.what, c] as const))('release file: %s', (_what, c) => {
    const message = (() => {
      try {
        parseReleaseFile(c.text, 'releases/dev.json');
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toMatch(/^releases\/dev\.json: /);
    expect(message).toContain(c.field);
    expect(message).toContain(c.value);
  });

  describe('command line', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'bad-input-'));
      writeFileSync(join(dir, 'dev.json'), releaseText({}));
    });
    test.each(cliCases.map((c) => [c.what, c] as const))('%s', (_what, c) => {
      const args = c.args[0] === 'release' ? [...c.args, '--dir', dir] : c.args;
      const result = runCli(args);
      expect(result.code).toBe(c.exit);
      expect(result.stderr).toContain(c.field);
      expect(result.stderr).toContain(c.value);
    });
  });
});
