import * as path from 'path';
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { AmiPipeline, ImageComponent, ImageRetention, ImageSchedule, ParentImage } from 'cdktf-immutable';

const SMOKE_TEST = `schemaVersion: 1.0
phases:
  - name: test
    steps:
      - name: Serves
        action: ExecuteBash
        inputs:
          commands:
            - systemctl start nginx
            - curl -fsS http://localhost/ > /dev/null
`;

/**
 * An image stack: a content-versioned AMI pipeline with weekly patch rebuilds.
 * `sourceCommit` is passed in (the snapshot test passes none), never read from the
 * environment here, so the synthesized JSON is the same wherever CI sets GIT_COMMIT.
 */
export function build(app: App, sourceCommit?: string): void {
  const stack = new TerraformStack(app, 'ami-pipeline');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });

  new AmiPipeline(stack, 'Web', {
    name: 'web',
    kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
    // AWS publishes patched versions; the schedule below rebuilds when one appears.
    parentImage: ParentImage.fromManagedImage('amazon-linux-2023-x86'),
    components: [
      ImageComponent.fromManagedArn('arn:aws:imagebuilder:eu-west-1:aws:component/update-linux/x.x.x'),
      ImageComponent.fromFile(path.join(__dirname, 'components', 'install-nginx.yml')),
      ImageComponent.fromInline('smoke-test', SMOKE_TEST),
    ],
    blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: 16 }],
    buildInfrastructure: { instanceTypes: ['t3.medium'] },
    distribution: { amiTags: { Team: 'platform' } },
    schedule: ImageSchedule.cron('cron(0 3 ? * SUN *)'),
    retention: ImageRetention.keepLast(3),
    sourceCommit,
  });
}

if (require.main === module) {
  const app = new App();
  build(app, process.env.GIT_COMMIT);
  app.synth();
}
