import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Generation, generationName, ImmutabilityAspect, NameRule } from '../lib';

const app = new App();
const stack = new TerraformStack(app, 'foundation');
new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
ImmutabilityAspect.enable(stack);

const server = { imageId: 'ami-0123456789abcdef0', instanceType: 't3.micro' };
const generation = Generation.of(stack, server);
const template = new LaunchTemplate(stack, 'web', {
  name: generationName(NameRule.LAUNCH_TEMPLATE, { base: 'web', generation }),
  imageId: server.imageId,
  instanceType: server.instanceType,
  metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled' },
});
new TerraformOutput(stack, 'launch_template_name', { value: template.name });

app.synth();
