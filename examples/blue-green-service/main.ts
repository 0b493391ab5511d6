import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { BlueGreenFleet, FleetLoadBalancer, FleetScaling, ImageSource, InstanceType, UserData } from 'cdktf-immutable';

/**
 * A web service on two slots behind an internet-facing HTTPS load balancer. Blue runs
 * the current image and takes all traffic; green holds the next image, staged and
 * healthy behind the load balancer but without traffic. Promote by setting
 * `active: 'green'`; roll back by setting it to 'blue' again.
 */
export class WebStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });

    new BlueGreenFleet(this, 'Web', {
      name: 'web',
      vpcId: 'vpc-0123456789abcdef0',
      // private subnets for the instances
      subnetIds: ['subnet-0a00000000000000a', 'subnet-0b00000000000000b'],
      loadBalancer: FleetLoadBalancer.create({
        subnetIds: ['subnet-0c00000000000000c', 'subnet-0d00000000000000d'],
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-4000-8000-000000000000',
        deletionProtection: true,
        accessLogs: { bucket: 'example-alb-access-logs', prefix: 'web' },
      }),
      port: 8080,
      healthCheck: { path: '/health' },
      capacity: { min: 2, max: 6 },
      scaling: FleetScaling.cpuUtilization(50),
      // new instances count for scaling after two minutes; in-flight requests get a minute
      instanceWarmupSeconds: 120,
      deregistrationDelaySeconds: 60,
      server: {
        instanceType: InstanceType.of('t3.small'),
        userData: UserData.fromString('#!/bin/bash\nsystemctl enable --now web.service\n'),
        tags: { service: 'web' },
      },
      slots: {
        blue: { image: ImageSource.fromAmiId('ami-0123456789abcdef0') },
        green: { image: ImageSource.fromAmiId('ami-0fedcba9876543210') },
      },
      active: 'blue',
    });
  }
}

export function build(app: App): void {
  new WebStack(app, 'web-prod');
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
