/**
 * The upgrade e2e app: one blue/green fleet written against the public API that both the
 * baseline release of the library and this one have, so that the same app can be
 * synthesized with either. The library comes from UPGRADE_LIB (a path to a `lib` folder:
 * this repository's, or the baseline's, extracted by test/e2e/upgrade.e2e.test.ts).
 *
 * Inputs (environment):
 *   UPGRADE_LIB       the library folder to load
 *   E2E_RELEASE_FILE  the release file (in the format both versions read)
 *   CDKTF_OUTDIR      where to synthesize (cdktf's own variable)
 */
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Construct } from 'constructs';

type Library = typeof import('../../../lib');

function env(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`test/e2e/apps/upgrade-app.ts: ${name} is not set`);
  }
  return value;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = require(env('UPGRADE_LIB')) as Library;

class UpgradeStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const vpc = new Vpc(this, 'Vpc', { cidrBlock: '10.70.0.0/16' });
    const subnets = ['a', 'b'].map(
      (zone, i) =>
        new Subnet(this, `Subnet${zone.toUpperCase()}`, {
          vpcId: vpc.id,
          cidrBlock: `10.70.${i}.0/24`,
          availabilityZone: `eu-west-1${zone}`,
        }),
    );
    new lib.BlueGreenFleet(this, 'Web', {
      name: 'e2e-upgrade',
      vpcId: vpc.id,
      subnetIds: subnets.map((subnet) => subnet.id),
      capacity: { min: 1, max: 2 },
      healthCheck: { gateTimeout: '3m' },
      // moto cannot size a root volume from the AMI's snapshot: give it a size
      server: {
        userData: lib.UserData.fromString('#!/bin/bash\necho upgrade\n'),
        blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: 8 }],
      },
      ...lib.fromRelease(lib.loadReleaseFile(env('E2E_RELEASE_FILE'))),
    });
  }
}

const app = new App();
new UpgradeStack(app, 'e2e-upgrade');
app.synth();
