import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import {
  BlueGreenFleet,
  FleetLoadBalancer,
  FleetScaling,
  fromRelease,
  InstanceType,
  ReleaseFile,
  UserData,
} from '../lib';
import { EnvironmentConfig } from './config';
import { ServiceNetwork } from './network';
import { WebFirewall } from './web-firewall';

export interface ServiceStackProps {
  readonly config: EnvironmentConfig;
  /** The environment's release record (releases/<env>.json). */
  readonly release: ReleaseFile;
}

/**
 * One environment of the example web service: a blue/green fleet whose slots and
 * active pointer come from the release file. `cdktf deploy service-<env>` after each
 * `cdktf-immutable release` command applies exactly the change the release made.
 */
export class ServiceStack extends TerraformStack {
  public readonly fleet: BlueGreenFleet;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id);
    const { config, release } = props;
    if (release.slots.blue.image === null && release.slots.green.image === null) {
      throw new Error(
        `releases/${config.name}.json: no slot has an image yet, so there is nothing to deploy; stage the first one with "cdktf-immutable release stage ${config.name} --image <ami-id>".`,
      );
    }
    config.backend.applyTo(this);
    new AwsProvider(this, 'aws', {
      region: config.region,
      defaultTags: [{ tags: { Environment: config.name, ManagedBy: 'cdktf-immutable' } }],
    });

    let vpcId: string;
    let loadBalancerSubnetIds: readonly string[];
    let instanceSubnetIds: readonly string[];
    if (config.network.kind === 'created') {
      const network = new ServiceNetwork(this, 'Network', {
        name: `web-${config.name}`,
        ...config.network,
        flowLogsDestinationArn: config.flowLogsDestinationArn,
      });
      vpcId = network.vpcId;
      loadBalancerSubnetIds = network.publicSubnetIds;
      instanceSubnetIds = network.privateSubnetIds;
    } else {
      ({ vpcId, loadBalancerSubnetIds, instanceSubnetIds } = config.network);
    }

    this.fleet = new BlueGreenFleet(this, 'Web', {
      name: `web-${config.name}`,
      vpcId,
      subnetIds: instanceSubnetIds,
      loadBalancer: FleetLoadBalancer.create({
        scheme: 'internet-facing',
        subnetIds: loadBalancerSubnetIds,
        certificateArn: config.certificateArn,
        deletionProtection: true,
        accessLogs: { bucket: config.accessLogsBucket, prefix: `web-${config.name}` },
      }),
      healthCheck: { path: '/health' },
      capacity: { min: config.size.minCapacity, max: config.size.maxCapacity, desired: config.size.desiredCapacity },
      scaling: FleetScaling.cpuUtilization(60),
      server: {
        instanceType: InstanceType.of(config.size.instanceType),
        userData: UserData.fromString(
          '#!/bin/bash\n# Everything is baked into the image; the server only starts.\nsystemctl start nginx\n',
        ),
      },
      ...fromRelease(release, { environment: config.name }),
    });
    new WebFirewall(this, 'Firewall', {
      name: `web-${config.name}`,
      loadBalancerArn: this.fleet.loadBalancer!.arn,
      logDestinationArn: config.firewallLogsDestinationArn,
    });
  }
}
