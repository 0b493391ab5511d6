import * as path from 'path';
import { TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { AmiPipeline, ImageComponent, ImageRetention, ImageSchedule, ParentImage } from 'cdktf-immutable';
import { ImagesConfig } from './config';

/**
 * The AMI of the web servers, built once by EC2 Image Builder and promoted unchanged
 * from dev to prod: `npx cdktf-immutable deploy images` builds it and publishes its id to the SSM
 * parameter /images/web/ami-id; `npx cdktf-immutable release stage dev --image <id>`
 * puts it into an environment.
 */
export class ImagesStack extends TerraformStack {
  public readonly ami: AmiPipeline;

  constructor(scope: Construct, id: string, config: ImagesConfig) {
    super(scope, id);
    config.backend.applyTo(this);
    new AwsProvider(this, 'aws', { region: config.region });
    this.ami = new AmiPipeline(this, 'WebAmi', {
      name: 'web',
      parentImage: ParentImage.fromManagedImage('amazon-linux-2023-x86'),
      components: [
        ImageComponent.fromManagedArn(`arn:aws:imagebuilder:${config.region}:aws:component/update-linux/x.x.x`),
        ImageComponent.fromFile(path.join(__dirname, '..', 'images', 'install-web.yml')),
      ],
      blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: 16 }],
      buildInfrastructure: { instanceTypes: ['t3.medium'] },
      schedule: ImageSchedule.cron('cron(0 3 ? * SUN *)'),
      retention: ImageRetention.keepLast(3),
      sourceCommit: config.sourceCommit,
    });
  }
}
