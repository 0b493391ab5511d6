/**
 * The end-to-end app: small stacks built with the library's constructs exactly as a
 * user would write them, each with its own VPC, deployed by the e2e tests with OpenTofu
 * against a moto server. The provider is pointed at moto by the environment only
 * (AWS_ENDPOINT_URL etc., see test/e2e/harness/env.ts); nothing here knows about moto.
 *
 * Inputs (environment):
 *   E2E_STACK         which stack to build: blue-green | replace | mutable
 *   E2E_RELEASE_FILE  blue-green: the release file (written by `cdktf-immutable release`)
 *   E2E_IMAGE         replace / mutable: the AMI id
 *   E2E_USER_DATA     replace: the user data script
 *   CDKTF_OUTDIR      where to synthesize (cdktf's own variable)
 */
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Construct } from 'constructs';
import { BlueGreenFleet, ImageSource, loadReleaseFile, ReplaceFleet, UserData } from '../../../lib';

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
  const subnets = ['a', 'b'].map((zone, i) => new Subnet(scope, `Subnet${zone.toUpperCase()}`, {
    vpcId: vpc.id,
    cidrBlock: `${cidr}.${i}.0/24`,
    availabilityZone: `eu-west-1${zone}`,
  }));
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
      healthCheck: { gateTimeout: '3m' },
      server: { userData: UserData.fromString('#!/bin/bash\necho blue-green\n') },
      slots: { blue: slot(release.slots.blue.image), green: slot(release.slots.green.image) },
      active: release.active,
      canaryPercent: release.canary,
    });
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
      healthCheck: { gateTimeout: '3m' },
      image: ImageSource.fromAmiId(env('E2E_IMAGE')),
      server: { userData: UserData.fromString(env('E2E_USER_DATA')) },
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

const app = new App();
const stack = env('E2E_STACK');
switch (stack) {
  case 'blue-green': new BlueGreenStack(app, 'e2e-blue-green'); break;
  case 'replace': new ReplaceStack(app, 'e2e-replace'); break;
  case 'mutable': new MutableStack(app, 'e2e-mutable'); break;
  default: throw new Error(`test/e2e/apps/app.ts: unknown E2E_STACK "${stack}"`);
}
app.synth();
