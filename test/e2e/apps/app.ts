/**
 * The end-to-end app: small stacks built with the library's constructs exactly as a
 * user would write them, each with its own VPC, deployed by the e2e tests with OpenTofu
 * against a moto server. The provider is pointed at moto by the environment only
 * (AWS_ENDPOINT_URL etc., see test/e2e/harness/env.ts); nothing here knows about moto.
 *
 * Inputs (environment):
 *   E2E_STACK         which stack to build: blue-green | replace | mutable | traffic-order | mutations | rollout | image-loop
 *                     | pinning | shared-lb | idle | wave | watchdog
 *   E2E_FLEET_ALARMS  rollout: "1" adds the fleet's own alarms (planned only: the AWS provider calls
 *                     CloudWatch with the RPCv2 CBOR protocol, which moto 5.2.5 does not serve)
 *   E2E_RELEASE_FILE  blue-green, traffic-order, rollout, watchdog: the release file (written by `cdktf-immutable release`)
 *   E2E_IMAGE         replace / mutable: the AMI id
 *   E2E_USER_DATA     replace: the user data script
 *   E2E_MUTATION      mutations: JSON { profilePrefix, extraSecurityGroup, userData, rootVolumeGiB, maxCapacity }
 *                     (the image comes from the SSM parameter /e2e/mutations/ami-id)
 *   E2E_LOOP_ENV      image-loop: the environment (dev: its own load balancer; prod: a rule on
 *                     dev's listener, from E2E_LOOP_SHARED = JSON { vpcId, subnetIds,
 *                     listenerArn, securityGroupId }, dev's outputs)
 *   E2E_CONTAINER     image-loop (dev): the container image the servers run, by digest
 *   E2E_USER_DATA     pinning: the fleet-wide user data (the fleet comes from the release file, fromRelease)
 *   E2E_IGNORE        pinning: "1" adds lifecycle.ignore_changes = all to the staged slot's launch template
 *   E2E_RELEASES      wave: the releases folder (per-fleet layout, fleet "web" released per region)
 *   E2E_WAVE_REGION   wave: the region of the stack (e2e-wave-<region>), whose release file it reads
 *                     by override, "ack" also acknowledges it (ImmutabilityAspect.acknowledgeLifecycle)
 *   E2E_WEB_RELEASE_FILE, E2E_API_RELEASE_FILE
 *                     shared-lb: the release files of the two fleets behind one shared load balancer
 *   E2E_IDLE_AFTER    idle: idleCapacity.after of the fleet (the release file is E2E_RELEASE_FILE)
 *   CDKTF_OUTDIR      where to synthesize (cdktf's own variable)
 */
import { App, Fn, TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Construct } from 'constructs';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { InstanceProfile } from '../../../lib';
import {
  BlueGreenFleet,
  FleetLoadBalancer,
  FleetScaling,
  fromRelease,
  ImageSource,
  ImmutabilityAspect,
  loadReleaseFile,
  ReplaceFleet,
  SharedLoadBalancer,
  UserData,
} from '../../../lib';

/**
 * moto 5.2.5 cannot take a volume's size from the AMI's snapshot (EC2 does), so it
 * refuses a group whose launch template maps the root device without a size
 * ("MissingParameter: size/snapshot"). The e2e fleets give the root volume a size.
 */
const MOTO_ROOT_VOLUME = [{ deviceName: '/dev/xvda', volumeSizeGiB: 8 }];

function env(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`test/e2e/apps/app.ts: ${name} is not set`);
  }
  return value;
}

/** A VPC with two subnets in two zones (an application load balancer needs two). */
function network(scope: Construct, cidr: string): { vpcId: string; subnetIds: string[] } {
  const vpc = new Vpc(scope, 'Vpc', { cidrBlock: `${cidr}.0.0/16`, tags: { Name: `${scope.node.id}-vpc` } });
  const subnets = ['a', 'b'].map(
    (zone, i) =>
      new Subnet(scope, `Subnet${zone.toUpperCase()}`, {
        vpcId: vpc.id,
        cidrBlock: `${cidr}.${i}.0/24`,
        availabilityZone: `eu-west-1${zone}`,
      }),
  );
  return { vpcId: vpc.id, subnetIds: subnets.map((s) => s.id) };
}

class BlueGreenStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const release = loadReleaseFile(env('E2E_RELEASE_FILE'));
    const { vpcId, subnetIds } = network(this, '10.10');
    const slot = (image: string | null) => (image ? { image: ImageSource.fromAmiId(image) } : {});
    new BlueGreenFleet(this, 'Web', {
      name: 'e2e-web',
      vpcId,
      subnetIds,
      capacity: { min: 1, max: 2 },
      // as the project's own stacks do (stacks/service-stack.ts): one policy per generation
      scaling: FleetScaling.cpuUtilization(60),
      healthCheck: { gateTimeout: '3m' },
      server: { userData: UserData.fromString('#!/bin/bash\necho blue-green\n'), blockDevices: MOTO_ROOT_VOLUME },
      slots: { blue: slot(release.slots.blue.image), green: slot(release.slots.green.image) },
      active: release.active,
      canaryPercent: release.canary,
    });
  }
}

/**
 * Blue/green with room to grow (max 4), for the ordering and capacity test: the
 * listener waits for the slot groups, and a slot that takes weight runs at least the
 * other slot's current size.
 */
class TrafficOrderStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const release = loadReleaseFile(env('E2E_RELEASE_FILE'));
    const { vpcId, subnetIds } = network(this, '10.30');
    const slot = (image: string | null) => (image ? { image: ImageSource.fromAmiId(image) } : {});
    new BlueGreenFleet(this, 'Web', {
      name: 'e2e-order',
      vpcId,
      subnetIds,
      capacity: { min: 1, max: 4 },
      healthCheck: { gateTimeout: '3m' },
      // an explicit root size: moto refuses a root mapping without one
      server: { userData: UserData.fromString('#!/bin/bash\necho traffic-order\n'), blockDevices: MOTO_ROOT_VOLUME },
      slots: { blue: slot(release.slots.blue.image), green: slot(release.slots.green.image) },
      active: release.active,
      canaryPercent: release.canary,
    });
  }
}

/**
 * Blue/green for the rollout test: `release promote --steps`, `release advance` and the
 * abort on an alarm. With E2E_FLEET_ALARMS=1 it has the fleet's own 5xx-rate alarm per
 * slot (planned by the test, not applied: see above; the test creates the same alarms
 * through the SDK).
 */
class RolloutStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const release = loadReleaseFile(env('E2E_RELEASE_FILE'));
    const { vpcId, subnetIds } = network(this, '10.50');
    const slot = (image: string | null) => (image ? { image: ImageSource.fromAmiId(image) } : {});
    new BlueGreenFleet(this, 'Web', {
      name: 'e2e-roll',
      vpcId,
      subnetIds,
      capacity: { min: 1, max: 2 },
      healthCheck: { gateTimeout: '3m' },
      server: { userData: UserData.fromString('#!/bin/bash\necho rollout\n'), blockDevices: MOTO_ROOT_VOLUME },
      slots: { blue: slot(release.slots.blue.image), green: slot(release.slots.green.image) },
      active: release.active,
      canaryPercent: release.canary,
      alarms: process.env.E2E_FLEET_ALARMS === '1' ? { targetErrorRatePercent: 5 } : undefined,
    });
  }
}

/**
 * One region of a fleet released per region, for the wave test: stack
 * e2e-wave-<region> in that region, its release file
 * releases/web/<region>/prod.json (read by place with loadReleaseFile, checked by
 * fromRelease), the same fleet name in every region.
 */
class WaveStack extends TerraformStack {
  constructor(scope: Construct, id: string, region: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region });
    const release = loadReleaseFile({ directory: env('E2E_RELEASES'), fleet: 'web', environment: 'prod', region });
    const vpc = new Vpc(this, 'Vpc', { cidrBlock: '10.60.0.0/16', tags: { Name: `${id}-vpc` } });
    const subnetIds = ['a', 'b'].map(
      (zone, i) =>
        new Subnet(this, `Subnet${zone.toUpperCase()}`, {
          vpcId: vpc.id,
          cidrBlock: `10.60.${i}.0/24`,
          availabilityZone: `${region}${zone}`,
        }).id,
    );
    new BlueGreenFleet(this, 'Web', {
      name: 'e2e-wave',
      vpcId: vpc.id,
      subnetIds,
      capacity: { min: 1, max: 2 },
      healthCheck: { gateTimeout: '3m' },
      server: { userData: UserData.fromString('#!/bin/bash\necho wave\n'), blockDevices: MOTO_ROOT_VOLUME },
      ...fromRelease(release, { environment: 'prod', fleet: 'web', region }),
    });
  }
}

/**
 * A canary fleet from the release file with the canary watchdog and the test route to the
 * idle slot. The watchdog watches two alarms named here, one per slot (the fleet's own
 * alarms are planned only on moto, see E2E_FLEET_ALARMS; the test creates these with the
 * SDK).
 */
class WatchdogStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const release = loadReleaseFile(env('E2E_RELEASE_FILE'));
    const { vpcId, subnetIds } = network(this, '10.70');
    new BlueGreenFleet(this, 'Web', {
      name: 'e2e-wd',
      vpcId,
      subnetIds,
      capacity: { min: 1, max: 2 },
      healthCheck: { gateTimeout: '3m' },
      server: { userData: UserData.fromString('#!/bin/bash\necho watchdog\n'), blockDevices: MOTO_ROOT_VOLUME },
      ...fromRelease(release, { environment: release.environment }),
      watchdog: {
        alarms: { 'e2e-wd-blue-5xx': 'blue', 'e2e-wd-green-5xx': 'green' },
        logRetentionDays: 14,
        retryAttempts: 1,
        maxEventAgeSeconds: 600,
      },
      testRoute: {},
    });
  }
}

/**
 * Blue/green built from the release file with fromRelease, as a user writes it: only the
 * staged slot follows the code; the serving and rollback slots are pinned. The user data
 * comes from E2E_USER_DATA, so the test changes the server settings without a release.
 */
class PinningStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const release = loadReleaseFile(env('E2E_RELEASE_FILE'));
    const { vpcId, subnetIds } = network(this, '10.60');
    const fleet = new BlueGreenFleet(this, 'Web', {
      name: 'e2e-pin',
      vpcId,
      subnetIds,
      capacity: { min: 1, max: 2 },
      healthCheck: { gateTimeout: '3m' },
      server: { userData: UserData.fromString(env('E2E_USER_DATA')), blockDevices: MOTO_ROOT_VOLUME },
      ...fromRelease(release, { environment: release.environment }),
    });
    const ignore = process.env.E2E_IGNORE;
    if (ignore === '1' || ignore === 'ack') {
      const staged = fleet.slots.blue.pinned ? fleet.slots.green : fleet.slots.blue;
      const template = staged.launchTemplate!.resource;
      template.addOverride('lifecycle.ignore_changes', 'all');
      if (ignore === 'ack') {
        ImmutabilityAspect.acknowledgeLifecycle(template, {
          id: 'ignore-changes',
          reason: 'e2e: an agent outside Terraform owns this template',
        });
      }
    }
  }
}

class ReplaceStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const { vpcId, subnetIds } = network(this, '10.20');
    new ReplaceFleet(this, 'Api', {
      name: 'e2e-api',
      vpcId,
      subnetIds,
      capacity: { min: 1, max: 2 },
      scaling: FleetScaling.cpuUtilization(60),
      healthCheck: { gateTimeout: '3m' },
      image: ImageSource.fromAmiId(env('E2E_IMAGE')),
      server: { userData: UserData.fromString(env('E2E_USER_DATA')), blockDevices: MOTO_ROOT_VOLUME },
    });
  }
}

/**
 * A deliberately mutable launch template: a plain provider resource with a fixed name,
 * outside any library construct (so the immutability aspect does not apply), whose
 * image changes in place. The guard must refuse its plan.
 */
class MutableStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    new LaunchTemplate(this, 'Mutable', {
      name: 'e2e-mutable',
      imageId: env('E2E_IMAGE'),
      instanceType: 't3.micro',
    });
  }
}

/** What the mutations test changes, one at a time (test/e2e/mutations.e2e.test.ts). */
interface Mutation {
  readonly profilePrefix: string;
  readonly extraSecurityGroup: boolean;
  readonly userData: string;
  readonly rootVolumeGiB: number;
  /** capacity.max, an operational prop: the group grows in place. */
  readonly maxCapacity?: number;
}

/**
 * A replace fleet whose server inputs come from E2E_MUTATION: an owned instance profile,
 * an optional extra security group (always created, referenced or not), user data, the
 * root volume (sized: moto cannot take the size from the AMI's snapshot), and the image
 * from an SSM parameter that the test writes.
 */
class MutationsStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const mutation = JSON.parse(env('E2E_MUTATION')) as Mutation;
    const { vpcId, subnetIds } = network(this, '10.40');
    const extra = new SecurityGroup(this, 'Extra', {
      namePrefix: 'e2e-mut-extra-',
      description: 'extra group of the mutations test',
      vpcId,
    });
    new ReplaceFleet(this, 'Api', {
      name: 'e2e-mut',
      vpcId,
      subnetIds,
      capacity: { min: 1, max: mutation.maxCapacity ?? 2 },
      healthCheck: { gateTimeout: '3m' },
      image: ImageSource.fromSsmParameter('/e2e/mutations/ami-id'),
      server: {
        instanceProfile: new InstanceProfile(this, 'Profile', { namePrefix: mutation.profilePrefix }),
        securityGroupIds: mutation.extraSecurityGroup ? [extra.id] : [],
        userData: UserData.fromString(mutation.userData),
        blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: mutation.rootVolumeGiB }],
      },
    });
  }
}

/**
 * The image loop (test/e2e/image-loop.e2e.test.ts): one environment per stack, both
 * driven by their release files. dev owns the only load balancer and runs a container
 * by digest; prod adds a listener rule to dev's listener in dev's VPC.
 */
class ImageLoopStack extends TerraformStack {
  constructor(scope: Construct, id: string, environment: 'dev' | 'prod') {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const release = loadReleaseFile(env('E2E_RELEASE_FILE'));
    const slot = (image: string | null) => (image ? { image: ImageSource.fromAmiId(image) } : {});
    const common = {
      name: `e2e-loop-${environment}`,
      capacity: { min: 1, max: 2 },
      healthCheck: { gateTimeout: '3m' },
      slots: { blue: slot(release.slots.blue.image), green: slot(release.slots.green.image) },
      active: release.active,
      canaryPercent: release.canary,
    };
    if (environment === 'dev') {
      const { vpcId, subnetIds } = network(this, '10.50');
      const fleet = new BlueGreenFleet(this, 'Web', {
        ...common,
        vpcId,
        subnetIds,
        server: {
          userData: UserData.forContainer({ image: env('E2E_CONTAINER'), name: 'web' }),
          blockDevices: MOTO_ROOT_VOLUME,
        },
      });
      new TerraformOutput(this, 'shared', {
        value: {
          vpcId,
          subnetIds,
          listenerArn: fleet.listener.arn,
          securityGroupId: Fn.element(fleet.loadBalancer!.securityGroups, 0),
        },
      });
    } else {
      const shared = JSON.parse(env('E2E_LOOP_SHARED')) as {
        vpcId: string;
        subnetIds: string[];
        listenerArn: string;
        securityGroupId: string;
      };
      new BlueGreenFleet(this, 'Web', {
        ...common,
        vpcId: shared.vpcId,
        subnetIds: shared.subnetIds,
        loadBalancer: FleetLoadBalancer.fromListener({
          listenerArn: shared.listenerArn,
          securityGroupId: shared.securityGroupId,
          priority: 10,
          pathPatterns: ['/prod/*'],
        }),
        server: { userData: UserData.fromString('#!/bin/bash\necho prod\n'), blockDevices: MOTO_ROOT_VOLUME },
      });
    }
  }
}

/**
 * Two blue/green fleets, web and api, behind one shared load balancer (host rules), each
 * from its own release file: staged and promoted independently.
 */
class SharedLbStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const { vpcId, subnetIds } = network(this, '10.60');
    const front = new SharedLoadBalancer(this, 'Front', { name: 'e2e-front', vpcId, subnetIds });
    const fleets: Array<[string, string, number]> = [
      ['Web', 'E2E_WEB_RELEASE_FILE', 10],
      ['Api', 'E2E_API_RELEASE_FILE', 20],
    ];
    for (const [id, file, priority] of fleets) {
      const name = id.toLowerCase();
      new BlueGreenFleet(this, id, {
        name: `e2e-${name}`,
        vpcId,
        subnetIds,
        loadBalancer: FleetLoadBalancer.fromShared(front, { priority, hostHeaders: [`${name}.example.com`] }),
        capacity: { min: 1, max: 2 },
        healthCheck: { gateTimeout: '3m' },
        server: { userData: UserData.fromString(`#!/bin/bash\necho ${name}\n`), blockDevices: MOTO_ROOT_VOLUME },
        ...fromRelease(loadReleaseFile(env(file))),
      });
    }
    new TerraformOutput(this, 'shared', { value: { securityGroupId: front.securityGroupId } });
  }
}

/** A blue/green fleet whose idle slot is scaled in (idleCapacity), from its release file. */
class IdleStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const { vpcId, subnetIds } = network(this, '10.70');
    new BlueGreenFleet(this, 'Web', {
      name: 'e2e-idle',
      vpcId,
      subnetIds,
      capacity: { min: 1, max: 3 },
      healthCheck: { gateTimeout: '3m' },
      idleCapacity: { after: env('E2E_IDLE_AFTER'), min: 0 },
      server: { userData: UserData.fromString('#!/bin/bash\necho idle\n'), blockDevices: MOTO_ROOT_VOLUME },
      ...fromRelease(loadReleaseFile(env('E2E_RELEASE_FILE'))),
    });
  }
}

const app = new App();
const stack = env('E2E_STACK');
switch (stack) {
  case 'blue-green':
    new BlueGreenStack(app, 'e2e-blue-green');
    break;
  case 'replace':
    new ReplaceStack(app, 'e2e-replace');
    break;
  case 'pinning':
    new PinningStack(app, 'e2e-pinning');
    break;
  case 'mutable':
    new MutableStack(app, 'e2e-mutable');
    break;
  case 'traffic-order':
    new TrafficOrderStack(app, 'e2e-traffic-order');
    break;
  case 'mutations':
    new MutationsStack(app, 'e2e-mutations');
    break;
  case 'rollout':
    new RolloutStack(app, 'e2e-rollout');
    break;
  case 'wave':
    new WaveStack(app, `e2e-wave-${env('E2E_WAVE_REGION')}`, env('E2E_WAVE_REGION'));
    break;
  case 'shared-lb':
    new SharedLbStack(app, 'e2e-shared-lb');
    break;
  case 'idle':
    new IdleStack(app, 'e2e-idle');
    break;
  case 'watchdog':
    new WatchdogStack(app, 'e2e-watchdog');
    break;
  case 'image-loop': {
    const environment = env('E2E_LOOP_ENV');
    if (environment !== 'dev' && environment !== 'prod') {
      throw new Error(`test/e2e/apps/app.ts: E2E_LOOP_ENV must be dev or prod, got "${environment}"`);
    }
    new ImageLoopStack(app, `e2e-loop-${environment}`, environment);
    break;
  }
  default:
    throw new Error(`test/e2e/apps/app.ts: unknown E2E_STACK "${stack}"`);
}
app.synth();
