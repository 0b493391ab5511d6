import { join } from 'path';
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { BlueGreenFleet, FleetLoadBalancer, fromRelease, loadReleaseFile, ReleaseFile } from 'cdktf-immutable';

/**
 * A canary: the release file sends 10 % of the requests to the idle slot (green) while
 * blue keeps 90 %, step 1 of a rollout (10 -> 50 -> 100) that `release advance` moves
 * on or aborts on the fleet's own alarms; the fleet's watchdog aborts it in AWS as soon
 * as a canary alarm fires. fromRelease maps the release file onto the fleet's slots,
 * active slot and canary percentage.
 */
export class CanaryStack extends TerraformStack {
  constructor(scope: Construct, id: string, release: ReleaseFile) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });

    new BlueGreenFleet(this, 'Shop', {
      name: 'shop',
      vpcId: 'vpc-0123456789abcdef0',
      subnetIds: ['subnet-0a00000000000000a', 'subnet-0b00000000000000b'],
      loadBalancer: FleetLoadBalancer.create({
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-4000-8000-000000000000',
        deletionProtection: true,
        accessLogs: { bucket: 'example-alb-access-logs', prefix: 'shop' },
      }),
      healthCheck: { path: '/health', matcher: '200-299' },
      ...fromRelease(release, { environment: 'prod' }),
      // shop-<slot>-5xx-rate and shop-<slot>-unhealthy-hosts, named in the release file's policy
      alarms: { targetErrorRatePercent: 5, unhealthyHosts: 1 },
      // in AWS, without waiting for release advance: an alarm of the canary slot going to
      // ALARM puts the listener back at 100 % to the active slot within seconds
      watchdog: {},
    });
  }
}

export function build(app: App): void {
  // validated like any release file: errors name the file, the field and the fix
  const release = loadReleaseFile(join(__dirname, 'prod.json'));
  new CanaryStack(app, 'shop-prod', release);
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
