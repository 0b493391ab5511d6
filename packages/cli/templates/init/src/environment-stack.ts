import { TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Construct } from 'constructs';
import { BlueGreenFleet, FleetLoadBalancer, fromRelease, InstanceType, ReleaseFile, UserData } from 'cdktf-immutable';
import { EnvironmentConfig } from './config';

export interface EnvironmentStackProps {
  /** The service (SERVICES in src/config.ts): the fleet's name is <service>-<env>. */
  readonly service: string;
  readonly config: EnvironmentConfig;
  /** The release file of the service in the environment (releases/<env>.json or releases/<service>/<env>.json). */
  readonly release: ReleaseFile;
}

/**
 * One service in one environment: a blue/green fleet whose slots, active slot and canary
 * come from the release file. After each `npx cdktf-immutable release ...` command, `npx
 * cdktf-immutable deploy <service>-<env>` plans, checks and applies exactly the change the
 * release made.
 *
 * The AWS provider takes credentials and endpoints from the environment as usual
 * (AWS_PROFILE, AWS_ENDPOINT_URL for a local emulator such as moto).
 */
export class EnvironmentStack extends TerraformStack {
  public readonly fleet: BlueGreenFleet;

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id);
    const { service, config, release } = props;
    const name = `${service}-${config.name}`;
    config.backend.applyTo(this);
    new AwsProvider(this, 'aws', {
      region: config.region,
      defaultTags: [{ tags: { Environment: config.name, ManagedBy: 'cdktf-immutable' } }],
    });

    let vpcId: string;
    let subnetIds: readonly string[];
    if (config.network.kind === 'existing') {
      ({ vpcId, subnetIds } = config.network);
    } else {
      const vpc = new Vpc(this, 'Vpc', {
        cidrBlock: `${config.network.cidr16}.0.0/16`,
        tags: { Name: name },
      });
      const cidr16 = config.network.cidr16;
      vpcId = vpc.id;
      subnetIds = ['a', 'b'].map(
        (zone, i) =>
          new Subnet(this, `Subnet${zone.toUpperCase()}`, {
            vpcId: vpc.id,
            cidrBlock: `${cidr16}.${i}.0/24`,
            availabilityZone: `${config.region}${zone}`,
            tags: { Name: `${name}-${zone}` },
          }).id,
      );
    }

    this.fleet = new BlueGreenFleet(this, 'Web', {
      name,
      vpcId,
      subnetIds,
      loadBalancer: FleetLoadBalancer.create({ certificateArn: config.certificateArn }),
      healthCheck: { path: '/' },
      capacity: config.capacity,
      server: {
        instanceType: InstanceType.of(config.instanceType),
        userData: UserData.fromString(
          '#!/bin/bash\n# Everything is baked into the image; the server only starts.\nsystemctl start nginx\n',
        ),
        blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: config.rootVolumeGiB }],
      },
      // a release file of another service (releases/<other>/<env>.json) is refused
      ...fromRelease(release, { environment: config.name, fleet: service }),
    });
  }
}
