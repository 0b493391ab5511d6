import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { FleetLoadBalancer, ImageSource, InstanceType, ReplaceFleet } from 'cdktf-immutable';

/**
 * An internal API that does not need two slots: every new image (or server setting) is
 * a new launch template and auto scaling group, created next to the running one and
 * healthy behind the load balancer before the old group is destroyed.
 */
export class ApiStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });

    new ReplaceFleet(this, 'Api', {
      name: 'orders-api',
      vpcId: 'vpc-0123456789abcdef0',
      subnetIds: ['subnet-0a00000000000000a', 'subnet-0b00000000000000b'],
      image: ImageSource.fromAmiId('ami-0123456789abcdef0'),
      loadBalancer: FleetLoadBalancer.create({
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-4000-8000-000000000000',
        deletionProtection: true,
        accessLogs: { bucket: 'example-alb-access-logs', prefix: 'orders-api' },
      }),
      healthCheck: { path: '/ping', gateTimeout: '15m' },
      // a new generation's instances get a growing share of requests over a minute
      slowStartSeconds: 60,
      capacity: { min: 2, max: 2 },
      server: { instanceType: InstanceType.of('t3.micro') },
    });
  }
}

export function build(app: App): void {
  new ApiStack(app, 'orders-api-staging');
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
