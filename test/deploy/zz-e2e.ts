import { readFileSync } from 'fs';
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { BlueGreenFleet, FleetScaling, ImageSource } from '../../lib';

const ids = JSON.parse(readFileSync('/tmp/scratch/e2e/ids.json', 'utf8'));
const release = JSON.parse(process.env.RELEASE!);
const url = 'http://127.0.0.1:5055';
const app = new App({ outdir: process.env.OUT! });
const stack = new TerraformStack(app, 'e2e');
new AwsProvider(stack, 'aws', {
  region: 'eu-west-1', accessKey: 'test', secretKey: 'test',
  skipCredentialsValidation: true, skipRequestingAccountId: true, skipMetadataApiCheck: 'true',
  endpoints: [{ ec2: url, elbv2: url, autoscaling: url, iam: url, sts: url, ssm: url }],
});
const slot = (i: number | null) => (i === null ? {} : { image: ImageSource.fromAmiId(ids.amis[i]) });
new BlueGreenFleet(stack, 'Web', {
  name: 'web', vpcId: ids.vpc, subnetIds: ids.subnets,
  capacity: { min: 1, max: 2 },
  healthCheck: { gateTimeout: '2m' },
  scaling: release.scaling ? FleetScaling.cpuUtilization(50) : undefined,
  slots: { blue: slot(release.blue), green: slot(release.green) },
  active: release.active, canaryPercent: release.canary ?? 0,
});
app.synth();
