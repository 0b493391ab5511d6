import * as path from 'path';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { AmiPipeline, ImageComponent, ImageRetention, ImageSchedule, ParentImage } from '../lib';
import { DockerImagePipeline } from '../lib/docker';
import { ENVIRONMENTS, ImagesConfig } from './config';

/**
 * The images of the example service, built once and promoted unchanged from dev to
 * prod: the AMI (EC2 Image Builder, rebuilt weekly when AWS publishes a patched base
 * image) and the container image of the web service (Docker, tagged by content).
 */
export class ImagesStack extends TerraformStack {
  public readonly ami: AmiPipeline;
  public readonly container: DockerImagePipeline;

  constructor(scope: Construct, id: string, config: ImagesConfig) {
    super(scope, id);
    config.backend.applyTo(this);
    new AwsProvider(this, 'aws', { region: config.region });
    new DockerProvider(this, 'docker', {});

    this.ami = new AmiPipeline(this, 'WebAmi', {
      name: 'web',
      parentImage: ParentImage.fromManagedImage('amazon-linux-2023-x86'),
      components: [
        ImageComponent.fromManagedArn(`arn:aws:imagebuilder:${config.region}:aws:component/update-linux/x.x.x`),
        ImageComponent.fromFile(path.join(__dirname, 'web-image', 'install-web.yml')),
      ],
      blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: 16 }],
      buildInfrastructure: { instanceTypes: ['t3.medium'] },
      amiParameterName: config.amiParameterName,
      kmsKeyId: config.kmsKeyArn,
      schedule: ImageSchedule.cron('cron(0 3 ? * SUN *)'),
      // every environment's fleet marks the AMIs its slots run; retention never deletes them
      retention: ImageRetention.keepLast(3, { inUseByFleets: ENVIRONMENTS.map((env) => `web-${env.name}`) }),
    });

    this.container = new DockerImagePipeline(this, 'WebContainer', {
      repository: 'registry.example.internal/web',
      contextPath: path.join(__dirname, 'web-image', 'container'),
      platform: 'linux/amd64',
      push: false,
    });
    new TerraformOutput(this, 'web_container_tag', { value: this.container.tag });
  }
}
