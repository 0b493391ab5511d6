import * as path from 'path';
import { TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { AmiPipeline, ImageComponent, ImageRetention, ImageSchedule, ParentImage } from 'cdktf-immutable';
import { ImagesConfig } from './config';

/**
 * The AMI of each service's servers, built once by EC2 Image Builder and promoted unchanged
 * from dev to prod: `npx cdktf-immutable deploy images` builds them and publishes each id to
 * the SSM parameter /images/<service>/ami-id; `npx cdktf-immutable release stage dev
 * --from-pipeline <service>` (or `--image <id>`) puts it into an environment.
 */
export class ImagesStack extends TerraformStack {
  /** The AMI pipeline of each service, by service name. */
  public readonly amis: Readonly<Record<string, AmiPipeline>>;

  constructor(scope: Construct, id: string, config: ImagesConfig) {
    super(scope, id);
    config.backend.applyTo(this);
    new AwsProvider(this, 'aws', { region: config.region });
    this.amis = Object.fromEntries(
      config.services.map((service) => [
        service,
        new AmiPipeline(this, `${pascal(service)}Ami`, {
          name: service,
          parentImage: ParentImage.fromManagedImage('amazon-linux-2023-x86'),
          components: [
            ImageComponent.fromManagedArn(`arn:aws:imagebuilder:${config.region}:aws:component/update-linux/x.x.x`),
            ImageComponent.fromFile(path.join(__dirname, '..', 'images', `install-${service}.yml`)),
          ],
          blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: 16 }],
          buildInfrastructure: { instanceTypes: ['t3.medium'] },
          schedule: ImageSchedule.cron('cron(0 3 ? * SUN *)'),
          retention: ImageRetention.keepLast(3),
          sourceCommit: config.sourceCommit,
        }),
      ]),
    );
  }
}

/** `web` -> `Web`, `web-api` -> `WebApi`: the construct id of a service's pipeline. */
function pascal(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
