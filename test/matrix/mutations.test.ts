/**
 * The mutation matrix: for every construct and every public prop, synthesize the
 * construct before and after one change of that prop, and check what Terraform would do
 * (see analysis.ts): every immutable resource that changes is replaced (a new name or
 * version, or a replace_triggered_by entry), never updated in place, and a replacement
 * never keeps a fixed name it would collide with.
 *
 * The props come from the TypeScript source (props.ts): every prop path of every root
 * Props interface. A prop without a row in MUTATIONS fails the test, so a new prop
 * cannot be added without saying what a change of it does. Each row says the effect:
 * `new generation` (some immutable resource is replaced, none is updated in place),
 * `operational` (nothing that runs is replaced; the prop is on the operational list
 * of docs/generation.md, checked below, and what it changes in place must be
 * operational for the resource policy, or guard would refuse the plan), `waits for a
 * release` (a change of a pinned slot's own definition: nothing is replaced or updated,
 * the slot keeps what it runs), or `refused` (synth fails naming the prop).
 *
 * The second column: for the blue/green fleet, whether the change reaches the serving
 * slot (green: active, pinned) — its launch template, group, target group and in-use
 * mark. It must not, except in place for operational props (capacity, scaling, the
 * listener's weights), and for the few fleet-wide props listed in REACHES_SERVING with
 * the guard rule that refuses the plan.
 *
 * Speed: one synthesis per row plus one base per root (shared by its rows), with cdktf's
 * per-token stack traces switched off while synthesizing.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { TerraformStack } from 'cdktf';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { invokeAspects } from 'cdktf/lib/synthesize/synthesizer';
import { ImmutableLaunchTemplate, InstanceProfile, InstanceType, UserData } from '../../lib/compute';
import { BlueGreenFleet, FleetLoadBalancer, FleetScaling, ReplaceFleet, SharedLoadBalancer } from '../../lib/deploy';
import {
  AmiPipeline,
  DistributionConfiguration,
  Image,
  ImageComponent,
  ImagePipeline,
  ImageRecipe,
  ImageRetention,
  ImageSchedule,
  ImageSource,
  InfrastructureConfiguration,
  LifecyclePolicy,
  ParentImage,
} from '../../lib/image';
import { DockerImagePipeline } from '../../lib/docker';
import { HELLO, SMOKE } from '../image/fixtures';
import { analyze, ChangeAnalysis, slotReach } from './analysis';
import { InterfaceInfo, PropPath, propPaths, readInterfaces, ROOT } from './props';
import { ResourcePolicy } from '../../lib/immutability';
import { AMI_1, AMI_2, Json, newStack, SUBNETS, VPC } from '../support/synth';

type Props = Record<string, any>;

const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const KEY_2 = 'arn:aws:kms:eu-west-1:123456789012:key/66666666-7777-8888-9999-000000000000';
const RECIPE_ARN = 'arn:aws:imagebuilder:eu-west-1:123456789012:image-recipe/web/1.0.1';
const INFRA_ARN = 'arn:aws:imagebuilder:eu-west-1:123456789012:infrastructure-configuration/web';
const DIST_ARN = 'arn:aws:imagebuilder:eu-west-1:123456789012:distribution-configuration/web';
const LISTENER =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/0123456789abcdef/0123456789abcdef';

// ---------------------------------------------------------------------------------
// The roots: each builds one construct (and what consumes its images) from props.

/** A value that needs the stack (a resource to depend on, a bound component). */
class InStack {
  constructor(public readonly make: (stack: TerraformStack) => unknown) {}
}
const inStack = (make: (stack: TerraformStack) => unknown) => new InStack(make);

/** `value` with every InStack made in `stack` (plain objects and arrays only). */
function resolveInStack(value: unknown, stack: TerraformStack): any {
  if (value instanceof InStack) {
    return value.make(stack);
  }
  if (Array.isArray(value)) {
    return value.map((v) => resolveInStack(v, stack));
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveInStack(v, stack)]));
  }
  return value;
}

interface RootDef {
  /** The Props / Options interface. */
  readonly props: string;
  /** Fresh base props: every optional prop that has nested props is set, so a row changes one value. */
  readonly base: () => Props;
  readonly build: (stack: TerraformStack, props: Props) => void;
  /** Interfaces not expanded here (their own root covers them). */
  readonly stop?: readonly string[];
}

const work = mkdtempSync(join(tmpdir(), 'cdktf-immutable-matrix-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
function folder(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    writeFileSync(join(dir, file), content);
  }
  return dir;
}
const contextA = folder('context-a', {
  Dockerfile: 'FROM alpine AS build\nFROM alpine AS runtime\nCOPY app.sh /\n',
  'Dockerfile.dev': 'FROM alpine\n',
  'app.sh': 'echo a\n',
});
const contextB = folder('context-b', {
  Dockerfile: 'FROM alpine AS build\nFROM alpine AS runtime\nCOPY app.sh /\n',
  'app.sh': 'echo b\n',
});
const componentFile = join(folder('components', { 'hello.yml': HELLO }), 'hello.yml');

/** Server settings with every nested object present. */
const richServer = (securityGroupId = 'sg-01234567'): Props => ({
  instanceType: InstanceType.of('t3.micro'),
  userData: UserData.fromString('#!/bin/sh\necho v1\n'),
  securityGroupIds: [securityGroupId],
  instanceProfile: InstanceProfile.fromName('web-profile'),
  keyName: 'ops',
  // iops and throughput unset, so that the volume type can change alone
  blockDevices: [
    {
      deviceName: '/dev/xvda',
      volumeSizeGiB: 8,
      volumeType: 'gp3',
      encrypted: true,
      kmsKeyId: KEY,
      deleteOnTermination: true,
    },
  ],
  metadataOptions: { httpTokens: 'required', hopLimit: 1, instanceMetadataTags: false },
  detailedMonitoring: false,
  tags: { team: 'web' },
});
const warmUp = (): Props => ({
  deregistrationDelaySeconds: 30,
  slowStartSeconds: 0,
  instanceWarmupSeconds: 60,
  lifecycleHooks: [
    {
      name: 'boot',
      transition: 'launching',
      heartbeatTimeoutSeconds: 300,
      defaultResult: 'ABANDON',
      notificationTargetArn: 'arn:aws:sns:eu-west-1:123456789012:hooks',
      roleArn: 'arn:aws:iam::123456789012:role/hooks',
      notificationMetadata: '{"app":"web"}',
    },
  ],
  warmPool: { minSize: 0, maxGroupPreparedCapacity: 4, poolState: 'Stopped', reuseOnScaleIn: false },
});
const fleetBase = (): Props => ({
  name: 'web',
  vpcId: VPC,
  subnetIds: SUBNETS,
  loadBalancer: FleetLoadBalancer.create(),
  port: 80,
  healthCheck: {
    path: '/',
    matcher: '200',
    healthyThreshold: 2,
    unhealthyThreshold: 3,
    intervalSeconds: 15,
    timeoutSeconds: 5,
    gracePeriodSeconds: 120,
    gateTimeout: '10m',
  },
  capacity: { min: 2, max: 4, desired: 2 },
  server: richServer(),
  allowAllOutbound: false,
  ...warmUp(),
  maxInstanceLifetimeDays: 7,
  terminationPolicies: ['OldestInstance'],
  enabledMetrics: ['GroupInServiceInstances'],
  instanceName: 'web',
});
const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/abc';
const CERT_2 = 'arn:aws:acm:eu-west-1:123456789012:certificate/def';
/** A shared load balancer with every prop set (the shared roots). */
const sharedBase = (): Props => ({
  name: 'front',
  vpcId: VPC,
  subnetIds: SUBNETS,
  scheme: 'internal',
  certificateArn: CERT,
  additionalCertificateArns: [CERT_2],
  sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
  ingressCidrs: ['10.0.0.0/8'],
  deletionProtection: false,
  accessLogs: { bucket: 'logs', prefix: 'front' },
  idleTimeoutSeconds: 60,
  defaultResponse: { statusCode: 404, contentType: 'text/plain', messageBody: 'Not found' },
});
/** A fleet attached to a shared load balancer (the shared roots). */
function attachedFleet(stack: TerraformStack, shared: SharedLoadBalancer, options: Props): ReplaceFleet {
  return new ReplaceFleet(stack, 'Api', {
    name: 'api',
    vpcId: VPC,
    subnetIds: SUBNETS,
    image: ImageSource.fromAmiId(AMI_1),
    loadBalancer: FleetLoadBalancer.fromShared(shared, options as never),
  });
}
const pipelineBase = (): Props => ({
  name: 'web',
  parentImage: ParentImage.fromAmiId(AMI_1),
  components: [ImageComponent.fromInline('hello', HELLO)],
  platform: 'Linux',
  blockDevices: [
    { deviceName: '/dev/xvda', volumeSizeGiB: 8, volumeType: 'gp3', kmsKeyId: KEY, deleteOnTermination: true },
  ],
  buildInfrastructure: {
    instanceTypes: ['t3.medium'],
    subnetId: 'subnet-0123456789abcdef0',
    securityGroupIds: ['sg-01234567'],
    logging: { bucketName: 'build-logs', keyPrefix: 'web' },
    terminateInstanceOnFailure: true,
  },
  distribution: {
    regions: ['eu-west-1'],
    amiName: 'web',
    amiTags: { team: 'web' },
    launchPermissionAccountIds: ['123456789012'],
    launchPermissionOrganizationArns: ['arn:aws:organizations::123456789012:organization/o-abcdefghij'],
    launchPermissionOrganizationalUnitArns: ['arn:aws:organizations::123456789012:ou/o-abcdefghij/ou-ab12-cdefgh34'],
    kmsKeyId: KEY,
  },
  amiParameterName: '/images/web/ami-id',
  retention: ImageRetention.keepLast(3),
  kmsKeyId: KEY,
  sourceCommit: 'abc123',
  buildTimeoutMinutes: 120,
  tags: { team: 'web' },
});
/** A consumer of the pipeline's AMI_1, as a fleet's launch template is. */
function withConsumer(stack: TerraformStack, pipeline: AmiPipeline): void {
  new ImmutableLaunchTemplate(stack, 'Server', { name: 'web', image: ImageSource.fromPipeline(pipeline) });
}

const ROOTS: readonly RootDef[] = [
  {
    props: 'ImmutableLaunchTemplateProps',
    base: () => ({
      ...richServer(),
      image: ImageSource.fromAmiId(AMI_1),
      name: 'web',
      slot: 'blue',
      generationInputs: { health_check_grace_period: 120 },
    }),
    build: (stack, props) => new ImmutableLaunchTemplate(stack, 'Server', props as never),
  },
  {
    // green is active (serving, pinned) and inherits the fleet's settings; blue is idle
    // and staged (it follows the code) and overrides every setting
    props: 'BlueGreenFleetProps',
    base: () => ({
      ...fleetBase(),
      slots: {
        blue: {
          image: ImageSource.fromAmiId(AMI_1),
          capacity: { min: 2, max: 4, desired: 2 },
          ...richServer('sg-0aaaaaaa'),
          ...warmUp(),
        },
        green: { image: ImageSource.fromAmiId(AMI_2) },
      },
      active: 'green',
      canaryPercent: 0,
      alarms: { targetErrorRatePercent: 5, unhealthyHosts: 1, periodSeconds: 60, evaluationPeriods: 2 },
      // blue went idle (it is staged too: the fleet accepts both) and is scaled in after 2h
      idleCapacity: { after: '2h', min: 0 },
    }),
    build: (stack, props) => {
      // blue is idle while it takes no traffic, as the release file records it
      const idle = props.active === 'green' && !props.canaryPercent;
      const { blue, ...slots } = props.slots;
      new BlueGreenFleet(stack, 'Web', {
        ...props,
        slots: { ...slots, blue: { ...(idle ? { idleSince: '2026-01-01T00:00:00Z' } : {}), ...blue } },
      } as never);
    },
    // a warm pool is set: Spot needs a mixed instances policy (the SpotOptions root covers it)
    stop: ['SpotOptions'],
  },
  {
    props: 'ReplaceFleetProps',
    base: () => ({ ...fleetBase(), image: ImageSource.fromAmiId(AMI_1) }),
    build: (stack, props) => new ReplaceFleet(stack, 'Api', props as never),
    stop: ['SpotOptions'],
  },
  {
    // Spot for the whole blue/green fleet: green serves (pinned), blue is staged
    props: 'SpotOptions',
    base: () => ({
      onDemandBase: 1,
      spotPercentage: 70,
      allocationStrategy: 'capacity-optimized',
      maxPrice: '0.05',
      capacityRebalance: true,
    }),
    build: (stack, props) =>
      new BlueGreenFleet(stack, 'Web', {
        name: 'web',
        vpcId: VPC,
        subnetIds: SUBNETS,
        server: { instanceType: InstanceType.oneOf('m7i.large', 'm6i.large') },
        spot: props,
        slots: { blue: { image: ImageSource.fromAmiId(AMI_1) }, green: { image: ImageSource.fromAmiId(AMI_2) } },
        active: 'green',
        stagedSlot: 'blue',
      }),
  },
  {
    props: 'SharedLoadBalancerProps',
    base: sharedBase,
    build: (stack, props) =>
      attachedFleet(stack, new SharedLoadBalancer(stack, 'Front', props as never), { priority: 10 }),
  },
  {
    props: 'SharedListenerOptions',
    base: () => ({ priority: 10, pathPatterns: ['/api/*'], hostHeaders: ['api.example.com'] }),
    build: (stack, props) => attachedFleet(stack, new SharedLoadBalancer(stack, 'Front', sharedBase() as never), props),
  },
  {
    props: 'ContainerUserDataOptions',
    base: () => ({
      image: `registry.example.com/web@sha256:${'a'.repeat(64)}`,
      port: 8080,
      containerPort: 3000,
      environment: { MODE: 'a' },
      name: 'web',
    }),
    build: (stack, props) =>
      new ReplaceFleet(stack, 'Api', {
        ...fleetBase(),
        image: ImageSource.fromAmiId(AMI_1),
        server: { userData: UserData.forContainer(props as never) },
      } as never),
  },
  {
    props: 'ApplicationLoadBalancerOptions',
    base: () => ({
      scheme: 'internal',
      subnetIds: SUBNETS,
      certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
      sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      ingressCidrs: ['10.0.0.0/8'],
      deletionProtection: false,
      accessLogs: { bucket: 'logs', prefix: 'web' },
      idleTimeoutSeconds: 60,
    }),
    build: (stack, props) =>
      new ReplaceFleet(stack, 'Api', {
        name: 'api',
        vpcId: VPC,
        subnetIds: SUBNETS,
        image: ImageSource.fromAmiId(AMI_1),
        loadBalancer: FleetLoadBalancer.create(props),
      }),
  },
  {
    props: 'ExistingListenerOptions',
    base: () => ({
      listenerArn: LISTENER,
      securityGroupId: 'sg-0aaaaaaaaaaaaaaaa',
      priority: 10,
      pathPatterns: ['/api/*'],
      hostHeaders: ['api.example.com'],
      dnsName: 'shared.example.com',
      addEgressRule: false,
    }),
    build: (stack, props) =>
      new ReplaceFleet(stack, 'Api', {
        name: 'api',
        vpcId: VPC,
        subnetIds: SUBNETS,
        image: ImageSource.fromAmiId(AMI_1),
        loadBalancer: FleetLoadBalancer.fromListener(props as never),
      }),
  },
  {
    props: 'InstanceProfileProps',
    base: () => ({
      managedPolicyArns: ['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore'],
      permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/boundary',
      namePrefix: 'web-v1',
    }),
    build: (stack, props) =>
      new ReplaceFleet(stack, 'Api', {
        name: 'api',
        vpcId: VPC,
        subnetIds: SUBNETS,
        image: ImageSource.fromAmiId(AMI_1),
        server: { instanceProfile: new InstanceProfile(stack, 'Profile', props) },
      }),
  },
  {
    props: 'AmiPipelineProps',
    base: pipelineBase,
    build: (stack, props) => withConsumer(stack, new AmiPipeline(stack, 'Image', props as never)),
  },
  {
    props: 'ImageComponentFileOptions',
    base: () => ({ parameters: { greeting: 'hello' }, description: 'says hello', name: 'hello' }),
    build: (stack, props) =>
      withConsumer(
        stack,
        new AmiPipeline(stack, 'Image', {
          ...pipelineBase(),
          components: [ImageComponent.fromFile(componentFile, props)],
        } as never),
      ),
  },
  {
    props: 'ImageComponentOptions',
    base: () => ({ parameters: { level: 'security' } }),
    build: (stack, props) =>
      withConsumer(
        stack,
        new AmiPipeline(stack, 'Image', {
          ...pipelineBase(),
          components: [
            ImageComponent.fromInline('hello', HELLO),
            ImageComponent.fromManagedArn('arn:aws:imagebuilder:eu-west-1:aws:component/update-linux/x.x.x', props),
          ],
        } as never),
      ),
  },
  {
    props: 'ImageScheduleOptions',
    base: () => ({ onlyWhenDependenciesUpdated: true, timezone: 'Etc/UTC' }),
    build: (stack, props) =>
      withConsumer(
        stack,
        new AmiPipeline(stack, 'Image', {
          ...pipelineBase(),
          schedule: ImageSchedule.cron('cron(0 3 ? * sun *)', props),
        } as never),
      ),
  },
  {
    props: 'ImageRetentionOptions',
    base: () => ({ inUseTag: { key: 'in-use', value: 'yes' } }),
    build: (stack, props) =>
      withConsumer(
        stack,
        new AmiPipeline(stack, 'Image', { ...pipelineBase(), retention: ImageRetention.keepLast(3, props) } as never),
      ),
  },
  {
    props: 'ManagedParentImageOptions',
    base: () => ({ version: 'x.x.x' }),
    build: (stack, props) =>
      withConsumer(
        stack,
        new AmiPipeline(stack, 'Image', {
          ...pipelineBase(),
          parentImage: ParentImage.fromManagedImage('amazon-linux-2023-x86', props),
        } as never),
      ),
  },
  {
    props: 'ImageRecipeProps',
    base: () => ({
      // no blockDevices: the default root follows platform and kmsKeyId (the rows start from a template)
      name: 'web',
      parentImage: AMI_1,
      platform: 'Linux',
      kmsKeyId: KEY,
      description: 'web recipe',
      amiTags: { team: 'web' },
      tags: { team: 'web' },
      // the configs ImageComponent.bind produces; the components[] rows change them
      components: inStack((stack) => [
        {
          ...ImageComponent.fromInline('hello', HELLO, { parameters: { greeting: 'hi' } }).bind(stack, {
            pipelineName: 'web',
          }),
        },
      ]),
    }),
    build: (stack, props) => new ImageRecipe(stack, 'Recipe', props as never),
  },
  {
    props: 'ImageProps',
    base: () => ({
      imageRecipeArn: RECIPE_ARN,
      infrastructureConfigurationArn: INFRA_ARN,
      distributionConfigurationArn: DIST_ARN,
      buildTimeoutMinutes: 120,
      tags: { team: 'web' },
      dependsOn: [],
    }),
    build: (stack, props) => new Image(stack, 'Image', props as never),
  },
  {
    props: 'InfrastructureConfigurationProps',
    base: () => ({
      ...pipelineBase().buildInfrastructure,
      name: 'web',
      instanceProfileName: 'build-profile',
      description: 'build',
      tags: { team: 'web' },
    }),
    build: (stack, props) => new InfrastructureConfiguration(stack, 'Infrastructure', props as never),
  },
  {
    props: 'DistributionConfigurationProps',
    base: () => ({
      ...pipelineBase().distribution,
      name: 'web',
      amiDescription: 'web AMI_1',
      description: 'distribution',
      tags: { team: 'web' },
    }),
    build: (stack, props) => new DistributionConfiguration(stack, 'Distribution', props as never),
  },
  {
    props: 'ImagePipelineProps',
    base: () => ({
      name: 'web',
      imageRecipeArn: RECIPE_ARN,
      infrastructureConfigurationArn: INFRA_ARN,
      distributionConfigurationArn: DIST_ARN,
      schedule: ImageSchedule.cron('cron(0 3 ? * sun *)'),
      description: 'patch rebuilds',
      tags: { team: 'web' },
      dependsOn: [],
    }),
    build: (stack, props) => new ImagePipeline(stack, 'Pipeline', props as never),
  },
  {
    props: 'LifecyclePolicyProps',
    base: () => ({
      name: 'web',
      retention: ImageRetention.keepLast(3),
      executionRoleArn: 'arn:aws:iam::123456789012:role/lifecycle',
      recipeName: 'web',
      recipeVersion: '1.0.1',
      description: 'retention',
      tags: { team: 'web' },
      dependsOn: [],
    }),
    build: (stack, props) => new LifecyclePolicy(stack, 'Lifecycle', props as never),
  },
  {
    props: 'DockerImagePipelineProps',
    base: () => ({
      repository: 'registry.example.com/web',
      contextPath: contextA,
      dockerfile: 'Dockerfile',
      buildArgs: { MODE: 'prod' },
      target: 'runtime',
      platform: 'linux/amd64',
      push: false,
      labels: { team: 'web' },
    }),
    build: (stack, props) => new DockerImagePipeline(stack, 'Web', props as never),
  },
];

/**
 * Exported Props/Options interfaces that are not roots, and why. Every other one must be
 * a root or reachable from one.
 */
const NOT_CONSTRUCT_INPUTS: Readonly<Record<string, string>> = {
  FleetWatchdogProps:
    'FleetWatchdog on its own: a BlueGreenFleet fills in its fleet, listener, target groups and active slot, and its ' +
    'options are the FleetWatchdogOptions rows',
  GenerationNameProps: 'options of the generationName function; names are checked by the naming tests',
  ContentHashOptions: 'options of the contentHash function',
  DockerContextHashOptions: 'options of the hashDockerContext function',
  FromReleaseOptions: 'options of the fromRelease function (an environment check, no resource)',
  ReleaseFleetProps:
    'what fromRelease returns: BlueGreenFleetProps.slots, active and canaryPercent, covered by those rows',
  S3StateBackendOptions:
    'options of StateBackend.s3: the state backend, not a resource; checked by test/deploy/state-backend.test.ts',
  ImageComponentBindOptions:
    'what AmiPipeline passes from its own props (name, platform, kmsKeyId, tags), covered by the AmiPipelineProps rows',
};

// ---------------------------------------------------------------------------------
// The table: what a change of each interface member does. Keyed by the member
// (`<interface>.<member>`), so one row covers the member wherever it appears.

type Effect = 'new generation' | 'operational' | 'waits for a release' | 'refused';
interface Mutation {
  readonly effect: Effect;
  /** The new value, from the old one. */
  readonly to: (old: any) => unknown;
  /** For `refused`: the error that names the prop (synth must fail with it). */
  readonly error?: RegExp;
}

const gen = (to: (old: any) => unknown): Mutation => ({ effect: 'new generation', to });
const op = (to: (old: any) => unknown): Mutation => ({ effect: 'operational', to });
const refused = (to: (old: any) => unknown, error: RegExp): Mutation => ({ effect: 'refused', to, error });
const waits = (to: (old: any) => unknown): Mutation => ({ effect: 'waits for a release', to });

/**
 * A member whose change means something else at one path, with the reason:
 * `<root>:<path>` -> mutation.
 */
const AT_PATH: Readonly<Record<string, Mutation>> = {
  // green serves: it cannot be idle
  'BlueGreenFleetProps:slots.green.idleSince': refused(
    () => '2026-02-01T00:00:00Z',
    /slots\.green\.idleSince \("2026-02-01T00:00:00Z"\) is set on the active slot/,
  ),
  // AMI_1 volumes are always encrypted: the only other value is refused
  'AmiPipelineProps:blockDevices[].encrypted': refused(
    () => false,
    /blockDevices\[0\]\.encrypted \(false\) is refused/,
  ),
  'ImageRecipeProps:blockDevices[].encrypted': refused(
    () => false,
    /blockDevices\[0\]\.encrypted \(false\) is refused/,
  ),
};

const SERVER_SETTINGS: Record<string, Mutation> = {
  'ServerSettings.instanceType': gen(() => InstanceType.of('t3.small')),
  'ServerSettings.userData': gen(() => UserData.fromString('#!/bin/sh\necho v2\n')),
  'ServerSettings.securityGroupIds': gen((old) => [...(old ?? []), 'sg-89abcdef']),
  'ServerSettings.instanceProfile': gen(() => InstanceProfile.fromName('web-profile-2')),
  'ServerSettings.keyName': gen(() => 'ops-2'),
  'BlockDevice.deviceName': gen(() => '/dev/xvdb'),
  'BlockDevice.volumeSizeGiB': gen((old) => (old ?? 8) + 8),
  'BlockDevice.volumeType': gen(() => 'io2'),
  'BlockDevice.encrypted': gen(() => false),
  'BlockDevice.kmsKeyId': gen(() => KEY_2),
  'BlockDevice.iops': gen(() => 4000),
  'BlockDevice.throughputMiBps': gen(() => 250),
  'BlockDevice.deleteOnTermination': gen(() => false),
  'MetadataOptions.httpTokens': gen(() => 'optional'),
  'MetadataOptions.hopLimit': gen(() => 2),
  'MetadataOptions.instanceMetadataTags': gen(() => true),
  'ServerSettings.detailedMonitoring': gen(() => true),
  'ServerSettings.tags': gen(() => ({ team: 'api' })),
};

const MUTATIONS: Readonly<Record<string, Mutation>> = {
  ...SERVER_SETTINGS,
  'ImmutableLaunchTemplateProps.image': gen(() => ImageSource.fromAmiId(AMI_2)),
  'ImmutableLaunchTemplateProps.name': gen(() => 'web2'),
  'ImmutableLaunchTemplateProps.slot': gen(() => 'green'),
  'ImmutableLaunchTemplateProps.generationInputs': gen(() => ({ health_check_grace_period: 60 })),

  'FleetBaseProps.name': gen(() => 'web2'),
  'FleetBaseProps.vpcId': gen(() => 'vpc-0fedcba9876543210'),
  'FleetBaseProps.subnetIds': gen(() => [...SUBNETS, 'subnet-0123456789abcdef2']),
  // the base gives the ids; the same VPC or subnets as objects beside them are refused
  // (test/deploy/fleet-network.test.ts shows that objects alone synthesize the same)
  'FleetBaseProps.vpc': refused(() => ({ vpcId: VPC }), /vpcId and vpc are both set/),
  'FleetBaseProps.subnets': refused(
    () => SUBNETS.map((subnetId) => ({ subnetId })),
    /subnetIds and subnets are both set/,
  ),
  'FleetBaseProps.loadBalancer': op(() => FleetLoadBalancer.create({ scheme: 'internet-facing' })),
  'FleetBaseProps.port': gen(() => 8080),
  'HealthCheck.path': op(() => '/health'),
  'HealthCheck.matcher': op(() => '200-299'),
  'HealthCheck.healthyThreshold': op(() => 3),
  'HealthCheck.unhealthyThreshold': op(() => 2),
  'HealthCheck.intervalSeconds': op(() => 30),
  'HealthCheck.timeoutSeconds': op(() => 10),
  // operational since issue 13: changed in place, never a new generation
  'HealthCheck.gracePeriodSeconds': op(() => 300),
  'HealthCheck.gateTimeout': op(() => '20m'),
  'Capacity.min': op(() => 1),
  'Capacity.max': op(() => 6),
  'Capacity.desired': op(() => 3),
  'FleetBaseProps.scaling': op(() => FleetScaling.cpuUtilization(60)),
  'FleetBaseProps.allowAllOutbound': op(() => true),
  // Spot with the base's warm pool is refused; the SpotOptions root shows what each option does
  'FleetBaseProps.spot': refused(() => ({}), /warmPool is set, but spot is set/),
  'FleetSlotProps.spot': refused(() => ({}), /warmPool is set, but slots\.(blue|green)\.spot is set/),
  'SpotOptions.onDemandBase': gen(() => 2),
  'SpotOptions.spotPercentage': gen(() => 50),
  'SpotOptions.allocationStrategy': gen(() => 'price-capacity-optimized'),
  'SpotOptions.maxPrice': gen(() => '0.08'),
  'SpotOptions.capacityRebalance': op(() => false),
  'GroupSettings.maxInstanceLifetimeDays': op(() => 14),
  'GroupSettings.terminationPolicies': op(() => ['NewestInstance']),
  'GroupSettings.enabledMetrics': op(() => ['GroupDesiredCapacity']),
  'GroupSettings.instanceName': op(() => 'web-2'),
  // when the idle slot is scaled in: its schedule and its sizes' expressions change in place
  'IdleCapacity.after': op(() => '30m'),
  'IdleCapacity.min': op(() => 1),
  'FleetSlotProps.idleSince': op(() => '2026-02-01T00:00:00Z'),
  'WarmUpAndDraining.deregistrationDelaySeconds': op(() => 60),
  'WarmUpAndDraining.slowStartSeconds': op(() => 60),
  'WarmUpAndDraining.instanceWarmupSeconds': op(() => 120),
  'LifecycleHook.name': gen(() => 'boot-2'),
  'LifecycleHook.transition': gen(() => 'terminating'),
  'LifecycleHook.heartbeatTimeoutSeconds': gen(() => 600),
  'LifecycleHook.defaultResult': gen(() => 'CONTINUE'),
  'LifecycleHook.notificationTargetArn': gen(() => 'arn:aws:sns:eu-west-1:123456789012:hooks-2'),
  'LifecycleHook.roleArn': gen(() => 'arn:aws:iam::123456789012:role/hooks-2'),
  'LifecycleHook.notificationMetadata': gen(() => '{"app":"api"}'),
  'WarmPool.minSize': op(() => 1),
  'WarmPool.maxGroupPreparedCapacity': op(() => 6),
  'WarmPool.poolState': op(() => 'Running'),
  'WarmPool.reuseOnScaleIn': op(() => true),
  'FleetSlotProps.image': gen(() => ImageSource.fromAmiId('ami-0aaaaaaaaaaaaaaaa')),
  'BlueGreenFleetProps.active': op(() => 'blue'),
  'BlueGreenFleetProps.canaryPercent': op(() => 10),
  // which slot follows the code: only the lifecycle of the slots' resources changes
  'BlueGreenFleetProps.stagedSlot': op(() => 'none'),
  'BlueGreenFleetProps.releaseEnvironment': op(() => 'prod'),
  // alarms are operational: thresholds and periods change the alarms in place
  'FleetAlarms.targetErrorRatePercent': op(() => 10),
  'FleetAlarms.unhealthyHosts': op(() => 2),
  'FleetAlarms.periodSeconds': op(() => 300),
  'FleetAlarms.evaluationPeriods': op(() => 3),
  // the canary watchdog and the test route act on the listener, never on what runs: in place
  'FleetWatchdogOptions.alarms': op(() => ({ 'web-green-latency': 'green' })),
  'FleetWatchdogOptions.notificationTopicArn': op(() => 'arn:aws:sns:eu-west-1:123456789012:releases-2'),
  'FleetWatchdogOptions.webhookUrl': op(() => 'https://hooks.example.com/releases-2'),
  'FleetWatchdogOptions.logRetentionDays': op(() => 30),
  'FleetWatchdogOptions.maxEventAgeSeconds': op(() => 600),
  'FleetWatchdogOptions.retryAttempts': op(() => 0),
  'FleetTestRoute.priority': op(() => 7),
  'FleetTestRoute.header': op(() => 'X-Test-Slot'),
  'ReplaceFleetProps.image': gen(() => ImageSource.fromAmiId(AMI_2)),

  'ApplicationLoadBalancerOptions.scheme': op(() => 'internet-facing'),
  'ApplicationLoadBalancerOptions.subnetIds': op(() => ['subnet-0c00000000000000c', 'subnet-0d00000000000000d']),
  'ApplicationLoadBalancerOptions.subnets': refused(
    () => SUBNETS.map((subnetId) => ({ subnetId })),
    /loadBalancer: FleetLoadBalancer\.create: subnetIds and subnets are both set/,
  ),
  'ApplicationLoadBalancerOptions.certificateArn': op(() => 'arn:aws:acm:eu-west-1:123456789012:certificate/def'),
  'ApplicationLoadBalancerOptions.sslPolicy': op(() => 'ELBSecurityPolicy-TLS13-1-3-2021-06'),
  'ApplicationLoadBalancerOptions.ingressCidrs': op(() => ['10.1.0.0/16']),
  'ApplicationLoadBalancerOptions.deletionProtection': op(() => true),
  'AccessLogs.bucket': op(() => 'logs-2'),
  'AccessLogs.prefix': op(() => 'api'),
  'ApplicationLoadBalancerOptions.idleTimeoutSeconds': op(() => 120),
  'ExistingListenerOptions.listenerArn': op(() => LISTENER.replace('shared', 'other')),
  'ExistingListenerOptions.securityGroupId': op(() => 'sg-0bbbbbbbbbbbbbbbb'),
  'ExistingListenerOptions.securityGroup': refused(
    () => ({ securityGroupId: 'sg-0bbbbbbbbbbbbbbbb' }),
    /loadBalancer: FleetLoadBalancer\.fromListener: securityGroupId and securityGroup are both set/,
  ),
  'ExistingListenerOptions.priority': op(() => 20),
  'ExistingListenerOptions.pathPatterns': op(() => ['/v2/*']),
  'ExistingListenerOptions.hostHeaders': op(() => ['api2.example.com']),
  'ExistingListenerOptions.dnsName': op(() => 'other.example.com'),
  'ExistingListenerOptions.addEgressRule': op(() => true),
  'SharedListenerOptions.priority': op(() => 20),
  'SharedListenerOptions.pathPatterns': op(() => ['/v2/*']),
  'SharedListenerOptions.hostHeaders': op(() => ['api2.example.com']),
  'SharedLoadBalancerProps.name': op(() => 'front-2'),
  'SharedLoadBalancerProps.vpcId': op(() => 'vpc-0fedcba9876543210'),
  'SharedLoadBalancerProps.vpc': refused(() => ({ vpcId: VPC }), /vpcId and vpc are both set/),
  'SharedLoadBalancerProps.subnetIds': op(() => ['subnet-0c00000000000000c', 'subnet-0d00000000000000d']),
  'SharedLoadBalancerProps.subnets': refused(
    () => SUBNETS.map((subnetId) => ({ subnetId })),
    /subnetIds and subnets are both set/,
  ),
  'SharedLoadBalancerProps.scheme': op(() => 'internet-facing'),
  'SharedLoadBalancerProps.certificateArn': op(() => 'arn:aws:acm:eu-west-1:123456789012:certificate/ghi'),
  'SharedLoadBalancerProps.additionalCertificateArns': op(() => [
    CERT_2,
    'arn:aws:acm:eu-west-1:123456789012:certificate/jkl',
  ]),
  'SharedLoadBalancerProps.sslPolicy': op(() => 'ELBSecurityPolicy-TLS13-1-3-2021-06'),
  'SharedLoadBalancerProps.ingressCidrs': op(() => ['10.1.0.0/16']),
  'SharedLoadBalancerProps.deletionProtection': op(() => true),
  'SharedLoadBalancerProps.idleTimeoutSeconds': op(() => 120),
  'FixedResponse.statusCode': op(() => 503),
  'FixedResponse.contentType': op(() => 'application/json'),
  'FixedResponse.messageBody': op(() => '{"error":"not found"}'),

  'InstanceProfileProps.managedPolicyArns': op(() => [
    'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
    'arn:aws:iam::123456789012:policy/app-read',
  ]),
  'InstanceProfileProps.permissionsBoundaryArn': op(() => 'arn:aws:iam::123456789012:policy/boundary-2'),
  'InstanceProfileProps.namePrefix': gen(() => 'web-v2'),

  'AmiPipelineProps.name': gen(() => 'web2'),
  'AmiPipelineProps.parentImage': gen(() => ParentImage.fromAmiId(AMI_2)),
  'AmiPipelineProps.components': gen((old) => [...old, ImageComponent.fromInline('smoke', SMOKE)]),
  'AmiPipelineProps.platform': gen(() => 'Windows'),
  'AmiPipelineProps.workingDirectory': gen(() => '/opt/build'),
  'AmiBuildInfrastructureProps.instanceTypes': op(() => ['m7i.large']),
  'AmiBuildInfrastructureProps.subnetId': op(() => 'subnet-0123456789abcdef1'),
  'AmiBuildInfrastructureProps.securityGroupIds': op(() => ['sg-89abcdef']),
  'AmiBuildInfrastructureProps.instanceProfileName': op(() => 'build-profile-2'),
  'AmiBuildLogging.bucketName': op(() => 'build-logs-2'),
  'AmiBuildLogging.keyPrefix': op(() => 'web2'),
  'AmiBuildInfrastructureProps.terminateInstanceOnFailure': op(() => false),
  'AmiDistributionProps.regions': op(() => ['eu-west-1', 'eu-central-1']),
  'AmiDistributionProps.amiName': op(() => 'web2'),
  'AmiDistributionProps.amiTags': op(() => ({ team: 'api' })),
  'AmiDistributionProps.launchPermissionAccountIds': op(() => ['210987654321']),
  'AmiDistributionProps.launchPermissionOrganizationArns': op(() => []),
  'AmiDistributionProps.launchPermissionOrganizationalUnitArns': op(() => []),
  'AmiDistributionProps.kmsKeyId': op(() => KEY_2),
  'AmiPipelineProps.amiParameterName': op(() => '/images/web/ami-id-2'),
  'AmiPipelineProps.schedule': op(() => ImageSchedule.cron('cron(0 4 ? * sun *)')),
  'AmiPipelineProps.retention': op(() => ImageRetention.keepLast(5)),
  'AmiPipelineProps.kmsKeyId': gen(() => KEY_2),
  'AmiPipelineProps.sourceCommit': op(() => 'def456'),
  'AmiPipelineProps.buildTimeoutMinutes': op(() => 240),
  'AmiPipelineProps.tags': op(() => ({ team: 'api' })),
  'ImageComponentOptions.parameters': gen(() => ({ level: 'all' })),
  'OwnedImageComponentOptions.description': gen(() => 'says hello twice'),
  'ImageComponentFileOptions.name': gen(() => 'greeting'),
  'ImageScheduleOptions.onlyWhenDependenciesUpdated': op(() => false),
  'ImageScheduleOptions.timezone': op(() => 'Europe/Paris'),
  'ImageTag.key': op(() => 'pinned'),
  'ImageTag.value': op(() => 'true'),
  'ImageRetentionOptions.inUseByFleets': op(() => ['web-dev', 'web-prod']),
  'ContainerUserDataOptions.image': gen(() => `registry.example.com/web@sha256:${'b'.repeat(64)}`),
  'ContainerUserDataOptions.port': gen(() => 9090),
  'ContainerUserDataOptions.containerPort': gen(() => 4000),
  'ContainerUserDataOptions.environment': gen(() => ({ MODE: 'b' })),
  'ContainerUserDataOptions.name': gen(() => 'api'),
  'ManagedParentImageOptions.version': gen(() => '2023.x.x'),

  'ImageRecipeProps.name': gen(() => 'web2'),
  'ImageRecipeProps.parentImage': gen(() => AMI_2),
  'ImageComponentConfig.componentArn': gen(() => 'arn:aws:imagebuilder:eu-west-1:aws:component/update-linux/1.0.0'),
  'ImageComponentParameter.name': gen(() => 'salutation'),
  'ImageComponentParameter.value': gen(() => 'hey'),
  'ImageComponentConfig.name': gen(() => 'web-hello-2'),
  'ImageComponentConfig.version': gen(() => '1.0.2'),
  'ImageRecipeProps.platform': gen(() => 'Windows'),
  'ImageRecipeProps.kmsKeyId': gen(() => KEY_2),
  'ImageRecipeProps.workingDirectory': gen(() => '/opt/build'),
  'ImageRecipeProps.description': gen(() => 'web recipe 2'),
  'ImageRecipeProps.amiTags': gen(() => ({ team: 'api' })),
  'ImageRecipeProps.tags': op(() => ({ team: 'api' })),

  'ImageProps.imageRecipeArn': gen(() => RECIPE_ARN.replace('1.0.1', '1.0.2')),
  'ImageProps.infrastructureConfigurationArn': gen(() => `${INFRA_ARN}-2`),
  'ImageProps.distributionConfigurationArn': gen(() => `${DIST_ARN}-2`),
  'ImageProps.buildTimeoutMinutes': op(() => 240),
  'ImageProps.tags': op(() => ({ team: 'api' })),
  'ImageProps.executionRoleArn': gen(() => 'arn:aws:iam::123456789012:role/image-builder'),
  'ImageProps.dependsOn': op(() => inStack((stack) => [dependency(stack)])),

  'InfrastructureConfigurationProps.name': op(() => 'web2'),
  'InfrastructureConfigurationProps.instanceProfileName': op(() => 'build-profile-2'),
  'InfrastructureConfigurationProps.description': op(() => 'build 2'),
  'InfrastructureConfigurationProps.tags': op(() => ({ team: 'api' })),
  'DistributionConfigurationProps.name': op(() => 'web2'),
  'DistributionConfigurationProps.regions': op(() => ['eu-central-1']),
  'DistributionConfigurationProps.amiTags': op(() => ({ team: 'api' })),
  'DistributionConfigurationProps.amiName': op(() => 'web2'),
  'DistributionConfigurationProps.amiDescription': op(() => 'web AMI_1 2'),
  'DistributionConfigurationProps.description': op(() => 'distribution 2'),
  'DistributionConfigurationProps.tags': op(() => ({ team: 'api' })),
  'DistributionConfigurationProps.amiParameterName': op(() => '/images/web/ami-id'),
  'ImagePipelineProps.name': op(() => 'web2'),
  'ImagePipelineProps.imageRecipeArn': op(() => RECIPE_ARN.replace('1.0.1', '1.0.2')),
  'ImagePipelineProps.infrastructureConfigurationArn': op(() => `${INFRA_ARN}-2`),
  'ImagePipelineProps.distributionConfigurationArn': op(() => `${DIST_ARN}-2`),
  'ImagePipelineProps.schedule': op(() => ImageSchedule.cron('cron(0 4 ? * sun *)')),
  'ImagePipelineProps.description': op(() => 'patch rebuilds 2'),
  'ImagePipelineProps.tags': op(() => ({ team: 'api' })),
  'ImagePipelineProps.executionRoleArn': op(() => 'arn:aws:iam::123456789012:role/image-builder'),
  'ImagePipelineProps.dependsOn': op(() => inStack((stack) => [dependency(stack)])),
  'LifecyclePolicyProps.name': op(() => 'web2'),
  'LifecyclePolicyProps.retention': op(() => ImageRetention.keepLast(5)),
  'LifecyclePolicyProps.executionRoleArn': op(() => 'arn:aws:iam::123456789012:role/lifecycle-2'),
  'LifecyclePolicyProps.recipeName': op(() => 'web2'),
  'LifecyclePolicyProps.recipeVersion': op(() => '1.0.2'),
  'LifecyclePolicyProps.description': op(() => 'retention 2'),
  'LifecyclePolicyProps.tags': op(() => ({ team: 'api' })),
  'LifecyclePolicyProps.dependsOn': op(() => inStack((stack) => [dependency(stack)])),

  'DockerImagePipelineProps.repository': gen(() => 'registry.example.com/api'),
  'DockerImagePipelineProps.contextPath': gen(() => contextB),
  'DockerImagePipelineProps.dockerfile': gen(() => 'Dockerfile.dev'),
  'DockerImagePipelineProps.buildArgs': gen(() => ({ MODE: 'dev' })),
  'DockerImagePipelineProps.target': gen(() => 'build'),
  'DockerImagePipelineProps.platform': gen(() => 'linux/arm64'),
  'DockerImagePipelineProps.push': op(() => true),
  'DockerImagePipelineProps.labels': gen(() => ({ team: 'api' })),
};

/** A resource to depend on (the dependsOn rows). */
function dependency(stack: TerraformStack): SsmParameter {
  return new SsmParameter(stack, 'Dependency', { name: '/matrix/dependency', type: 'String', value: 'x' });
}

/** Templates for a nested object or list a base does not have (the inheriting green slot). */
const TEMPLATES: Readonly<Record<string, () => unknown>> = {
  blockDevices: () => [{ deviceName: '/dev/xvda', volumeSizeGiB: 8 }],
  metadataOptions: () => ({}),
  lifecycleHooks: () => [
    {
      name: 'boot',
      transition: 'launching',
      notificationTargetArn: 'arn:aws:sns:eu-west-1:123456789012:hooks',
      roleArn: 'arn:aws:iam::123456789012:role/hooks',
    },
  ],
  warmPool: () => ({}),
  capacity: () => ({ min: 2, max: 4 }),
  components: () => [ImageComponent.fromInline('hello', HELLO, { parameters: { greeting: 'hi' } })],
  parameters: () => [{ name: 'greeting', value: 'hi' }],
  inUseTag: () => ({ key: 'in-use', value: 'yes' }),
  watchdog: () => ({}),
  testRoute: () => ({}),
};

// ---------------------------------------------------------------------------------

/** Sets `path` (`a.b[].c`) in a copy of `props` to `mutation.to(old)`; `[]` is the first element. */
function mutate(props: Props, path: string, to: (old: any) => unknown): Props {
  const [head, ...rest] = path.split('.');
  const array = head.endsWith('[]');
  const key = array ? head.slice(0, -2) : head;
  const copy: Props = { ...props };
  if (rest.length === 0) {
    copy[key] = to(props[key]);
    return copy;
  }
  let child = props[key] ?? TEMPLATES[key]?.();
  if (child === undefined) {
    throw new Error(`no base value or template for ${key} (path ${path})`);
  }
  if (array) {
    const list = [...(child as unknown[])];
    list[0] = mutate(list[0] as Props, rest.join('.'), to);
    child = list;
  } else {
    child = mutate(child as Props, rest.join('.'), to);
  }
  copy[key] = child;
  return copy;
}

/** Synthesizes `root` from its base props, changed at `path` when given. */
function synthRow(root: RootDef, path?: string, to?: (old: any) => unknown): Json {
  // cdktf records a full stack trace for every token and construct (Error.captureStackTrace
  // with no depth limit); capturing and formatting them through jest's source maps is
  // most of the synth time, and nothing here reads them.
  const saved = { prepare: Error.prepareStackTrace, capture: Error.captureStackTrace };
  Error.prepareStackTrace = () => '';
  Error.captureStackTrace = () => undefined;
  try {
    const stack = newStack('m');
    let props = resolveInStack(root.base(), stack);
    if (path !== undefined) {
      props = resolveInStack(mutate(props, path, to!), stack);
    }
    root.build(stack, props);
    // what Testing.synth does, without its sorted pretty-printing (most of its time):
    // the analysis reads the configuration as objects
    invokeAspects(stack);
    return stack.toTerraform() as Json;
  } finally {
    Error.prepareStackTrace = saved.prepare;
    Error.captureStackTrace = saved.capture;
  }
}

interface Row {
  readonly root: RootDef;
  readonly prop: PropPath;
  readonly mutation: Mutation | undefined;
}

const started = Date.now();
const interfaces = readInterfaces();
const parseSeconds = (Date.now() - started) / 1000;
/**
 * In the blue/green root, green serves and is pinned, and blue, the staged slot,
 * overrides every server setting and warm-up setting of the fleet: a change of green's
 * own definition, or of a fleet setting that only green inherits, reaches nothing that
 * runs. It waits for a release (`release stage --same-image`), which the same change of
 * blue's settings shows: a new generation. Green's own image is its release marker: a
 * new image is a release of green.
 */
function pinnedGreen(root: RootDef, path: string, mutation: Mutation | undefined): Mutation | undefined {
  const release = path === 'slots.green.image';
  const inheritedOnlyByGreen =
    (path.startsWith('slots.green.') && !release) ||
    (path.startsWith('server.') && path !== 'server.securityGroupIds') ||
    path.startsWith('lifecycleHooks[]');
  return root.props === 'BlueGreenFleetProps' && mutation?.effect === 'new generation' && inheritedOnlyByGreen
    ? waits(mutation.to)
    : mutation;
}

const rows: Row[] = ROOTS.flatMap((root) =>
  propPaths(interfaces, root.props, new Set(root.stop ?? [])).map((prop) => ({
    root,
    prop,
    mutation: pinnedGreen(root, prop.path, AT_PATH[`${root.props}:${prop.path}`] ?? MUTATIONS[prop.member]),
  })),
);
const bases = new Map<RootDef, Json>();
const baseOf = (root: RootDef): Json => {
  if (!bases.has(root)) {
    bases.set(root, synthRow(root));
  }
  return bases.get(root)!;
};

describe('the table covers every public prop', () => {
  test('the props were read from the TypeScript source quickly', () => {
    expect(parseSeconds).toBeLessThan(3);
    expect(rows.length).toBeGreaterThan(250);
  });

  test('every prop path of every root has a row', () => {
    expect(
      rows.filter((row) => !row.mutation).map((row) => `${row.root.props}.${row.prop.path} (${row.prop.member})`),
    ).toEqual([]);
  });

  test('every row of the table is used (no stale rows)', () => {
    const used = new Set(rows.map((row) => row.prop.member));
    expect(Object.keys(MUTATIONS).filter((member) => !used.has(member))).toEqual([]);
  });

  test('every exported Props/Options interface of the constructs is a root, nested in one, or listed with a reason', () => {
    const reachable = new Set<string>();
    const visit = (name: string) => {
      const info: InterfaceInfo | undefined = interfaces.get(name);
      if (!info || reachable.has(name)) {
        return;
      }
      reachable.add(name);
      info.extends.forEach(visit);
      for (const member of info.own) {
        for (const word of member.typeText.match(/[A-Z][A-Za-z]+/g) ?? []) {
          visit(word);
        }
      }
    };
    ROOTS.forEach((root) => visit(root.props));
    const missing = [...interfaces.values()]
      .filter((info) => info.exported && /(Props|Options)$/.test(info.name) && !info.file.includes('/private/'))
      .filter((info) => /^lib\/(immutability|image|compute|deploy|docker)\//.test(info.file))
      .filter((info) => !reachable.has(info.name) && !(info.name in NOT_CONSTRUCT_INPUTS))
      .map((info) => info.name);
    expect(missing).toEqual([]);
  });
});

describe('every change of every prop replaces what runs, or is operational', () => {
  const table = rows.filter((row) => row.mutation).map((row) => [`${row.root.props}.${row.prop.path}`, row] as const);
  test.each(table)('%s', (_name, row) => {
    const before = baseOf(row.root);
    if (row.mutation!.effect === 'refused') {
      expect(() => synthRow(row.root, row.prop.path, row.mutation!.to)).toThrow(row.mutation!.error!);
      return;
    }
    const after = synthRow(row.root, row.prop.path, row.mutation!.to);
    expect(JSON.stringify(after)).not.toBe(JSON.stringify(before));
    const result: ChangeAnalysis = analyze(before, after);
    // no replacement keeps its fixed name
    expect(result.collisions).toEqual([]);
    if (row.root.props === 'BlueGreenFleetProps') {
      servingColumn.set(`${row.root.props}.${row.prop.path}`, {
        member: row.prop.member,
        effect: row.mutation!.effect,
        reach: slotReach(result, after, 'Green'),
      });
    }
    if (row.mutation!.effect === 'new generation') {
      // what runs is replaced, and nothing immutable is updated in place
      expect(result.immutableReplaced).not.toEqual([]);
      expect(result.inPlace).toEqual([]);
    } else if (row.mutation!.effect === 'waits for a release') {
      // a pinned slot's own definition: nothing that runs is replaced or updated
      expect(result.immutableReplaced).toEqual([]);
      expect(result.inPlace).toEqual([]);
    } else {
      // an operational prop (docs/generation.md's list) replaces nothing that runs; what it changes
      // in place must be operational for the resource policy too, or guard would refuse
      // the plan: collected below
      expect(result.immutableReplaced).toEqual([]);
      result.inPlace.forEach((entry) =>
        policyGaps.add(`${row.prop.member}: ${entry.replace(/^[^.]+\.[^:]+: /, `${entry.split('.')[0]}: `)}`),
      );
    }
  });
});

/** In-place changes of operational props that the resource policy does not call operational. */
const policyGaps = new Set<string>();

/** The serving-slot column of the blue/green fleet's rows: what each change reaches of the serving slot. */
const servingColumn = new Map<string, { member: string; effect: Effect; reach: string[] }>();

/**
 * Fleet-wide props whose change reaches the serving slot, with the guard rule that
 * refuses the plan: they change the front end every slot shares, which a pinned slot
 * cannot follow (a new fleet is the way to change them; docs/fleets.md).
 */
const REACHES_SERVING: Readonly<Record<string, string>> = {
  'FleetBaseProps.name':
    'renames the fleet: its security groups (name_prefix) are replaced while the pinned slot uses them ' +
    '(guard: in-use-destroyed), its in-use mark moves to the new key',
  'FleetBaseProps.port':
    "replaces the rules that let the load balancer reach the instances' port, cutting the pinned slot " +
    "(guard: in-use-destroyed); the staged slot's target group is replaced delete-before-create (guard)",
  'FleetBaseProps.vpcId':
    'replaces the security groups the pinned slot uses (guard: in-use-destroyed): a fleet moves VPC as a new fleet',
  'FleetSlotProps.image':
    'a new image written by hand for the serving slot is a release of it (its release marker replaces it in one ' +
    'apply, no canary); release files never do that (stage goes to the idle slot) and guard refuses the plan ' +
    '(serving-slot-changed)',
};

describe('the serving slot is pinned: a change reaches it only in place, for operational props', () => {
  test('every blue/green row: the serving slot untouched, or changed in place by an operational prop', () => {
    const reached = [...servingColumn].filter(([, row]) => {
      if (row.reach.length === 0 || REACHES_SERVING[row.member] !== undefined) {
        return false;
      }
      if (row.effect !== 'operational') {
        return true;
      }
      // in place, and only attributes the resource policy calls operational (the target
      // group is mutable by design: its settings are operational)
      return row.reach.some((entry) => {
        const [address, attributes] = entry.split(': ');
        const type = address.split('.')[0];
        return (
          attributes.startsWith('replaced') ||
          attributes.split(', ').some((a) => !ResourcePolicy.isOperationalAttribute(type, a))
        );
      });
    });
    expect(reached.map(([path, row]) => `${path} (${row.effect}): ${row.reach.join('; ')}`)).toEqual([]);
    // the column covers every blue/green row that was synthesized
    expect(servingColumn.size).toBeGreaterThan(60);
  });

  test('the listed exceptions are used', () => {
    const members = new Set([...servingColumn.values()].filter((row) => row.reach.length > 0).map((row) => row.member));
    expect(Object.keys(REACHES_SERVING).filter((member) => !members.has(member))).toEqual([]);
  });
});

describe('guard accepts the operational changes', () => {
  test('every attribute an operational prop changes in place is operational in ResourcePolicy', () => {
    expect([...policyGaps].sort()).toEqual([]);
  });
});

describe('docs/generation.md documents the operational props', () => {
  test('the list under "Operational props" is exactly the rows marked operational', () => {
    const page = readFileSync(join(ROOT, 'docs', 'generation.md'), 'utf8');
    const section = page.split('\n## Operational props\n')[1]?.split(/\n#+ /)[0] ?? '';
    const documented = new Set([...section.matchAll(/`([A-Za-z]+\.[A-Za-z]+)`/g)].map((m) => m[1]));
    const operational = new Set(
      Object.entries(MUTATIONS)
        .filter(([, m]) => m.effect === 'operational')
        .map(([member]) => member),
    );
    expect([...operational].filter((m) => !documented.has(m)).sort()).toEqual([]);
    expect([...documented].filter((m) => !operational.has(m)).sort()).toEqual([]);
  });
});
