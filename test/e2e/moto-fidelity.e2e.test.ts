/**
 * The moto the e2e files start (harness/moto-server.py) answers as AWS where moto 5.2.5
 * does not and the AWS provider depends on the answer: a request the provider's SDK
 * repeats because it lost the first answer. Each correction is checked here against the
 * running server; each check fails on plain moto.
 */
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { awsQuery, MotoServer, startMoto } from './harness/moto';

const work = mkdtempSync(join(tmpdir(), 'e2e-moto-fidelity-'));
let moto: MotoServer;

beforeAll(async () => {
  moto = await startMoto(work);
});

afterAll(async () => {
  await moto?.stop();
});

const ec2 = (params: Record<string, string>) => awsQuery(moto.endpoint, 'ec2', { Version: '2016-11-15', ...params });

/** The error code of an EC2 query call that must fail. */
async function errorCode(params: Record<string, string>): Promise<string> {
  try {
    await ec2(params);
  } catch (error) {
    return /<Code>([^<]+)<\/Code>/.exec(String(error))?.[1] ?? `no <Code> in: ${String(error)}`;
  }
  throw new Error(`${params.Action} succeeded; expected an error`);
}

async function createLaunchTemplate(name: string, clientToken?: string): Promise<string> {
  const xml = await ec2({
    Action: 'CreateLaunchTemplate',
    LaunchTemplateName: name,
    'LaunchTemplateData.InstanceType': 't3.micro',
    ...(clientToken ? { ClientToken: clientToken } : {}),
  });
  const id = /<launchTemplateId>(lt-[0-9a-f]+)<\/launchTemplateId>/.exec(xml)?.[1];
  if (!id) {
    throw new Error(`CreateLaunchTemplate answered no launchTemplateId: ${xml.slice(0, 500)}`);
  }
  return id;
}

test("CreateLaunchTemplate repeated with the same ClientToken returns the first call's template (AWS's idempotency); another token for the name is still refused", async () => {
  const first = await createLaunchTemplate('fidelity-create', 'token-1');
  // the SDK's retry of a call whose answer it lost: same token, same request
  expect(await createLaunchTemplate('fidelity-create', 'token-1')).toBe(first);
  const listed = await ec2({ Action: 'DescribeLaunchTemplates', 'LaunchTemplateName.1': 'fidelity-create' });
  expect(listed.match(/<launchTemplateId>/g)).toHaveLength(1);
  // a different request for a name in use is refused, as on AWS
  expect(
    await errorCode({
      Action: 'CreateLaunchTemplate',
      LaunchTemplateName: 'fidelity-create',
      'LaunchTemplateData.InstanceType': 't3.micro',
      ClientToken: 'token-2',
    }),
  ).toBe('InvalidLaunchTemplateName.AlreadyExistsException');
  expect(
    await errorCode({
      Action: 'CreateLaunchTemplate',
      LaunchTemplateName: 'fidelity-create',
      'LaunchTemplateData.InstanceType': 't3.micro',
    }),
  ).toBe('InvalidLaunchTemplateName.AlreadyExistsException');
});

test("DeleteLaunchTemplate of a deleted template id answers InvalidLaunchTemplateId.NotFound (AWS's code, which the provider treats as already deleted)", async () => {
  const id = await createLaunchTemplate('fidelity-delete');
  // the first delete succeeds; the same delete again is the retry that failed an apply
  await ec2({ Action: 'DeleteLaunchTemplate', LaunchTemplateId: id });
  expect(await ec2({ Action: 'DescribeLaunchTemplates' })).not.toContain(id);
  expect(await errorCode({ Action: 'DeleteLaunchTemplate', LaunchTemplateId: id })).toBe(
    'InvalidLaunchTemplateId.NotFound',
  );
});

test('CreateLaunchTemplate tags the template itself (TagSpecifications of resource type launch-template) without copying them into its LaunchTemplateData, as AWS does', async () => {
  const xml = await ec2({
    Action: 'CreateLaunchTemplate',
    LaunchTemplateName: 'fidelity-tags',
    'LaunchTemplateData.InstanceType': 't3.micro',
    'LaunchTemplateData.TagSpecification.1.ResourceType': 'instance',
    'LaunchTemplateData.TagSpecification.1.Tag.1.Key': 'Role',
    'LaunchTemplateData.TagSpecification.1.Tag.1.Value': 'web',
    'TagSpecification.1.ResourceType': 'launch-template',
    'TagSpecification.1.Tag.1.Key': 'Environment',
    'TagSpecification.1.Tag.1.Value': 'dev',
  });
  const id = /<launchTemplateId>(lt-[0-9a-f]+)<\/launchTemplateId>/.exec(xml)![1];
  const template = await ec2({ Action: 'DescribeLaunchTemplates', 'LaunchTemplateId.1': id });
  expect(template).toMatch(/<key>Environment<\/key>\s*<value>dev<\/value>/);
  const versions = await ec2({ Action: 'DescribeLaunchTemplateVersions', LaunchTemplateId: id });
  // the data keeps the instance tags it was given, and only those
  expect(versions).toMatch(/<resourceType>instance<\/resourceType>/);
  expect(versions).not.toMatch(/<resourceType>launch-template<\/resourceType>/);
  expect(versions).not.toContain('Environment');
});

test('a create without a client token repeated at once (the SDK retrying an answer moto dropped) gets the first answer again; later it is refused, as on AWS', async () => {
  const vpc = /<vpcId>(vpc-[0-9a-f]+)<\/vpcId>/.exec(await ec2({ Action: 'CreateVpc', CidrBlock: '10.90.0.0/16' }))![1];
  const create = { Action: 'CreateSubnet', VpcId: vpc, CidrBlock: '10.90.1.0/24' };
  const subnetId = (xml: string) => /<subnetId>(subnet-[0-9a-f]+)<\/subnetId>/.exec(xml)![1];
  const first = subnetId(await ec2(create));
  // the repeat within 3 seconds: the same answer, and still one subnet
  expect(subnetId(await ec2(create))).toBe(first);
  const listed = await ec2({ Action: 'DescribeSubnets', 'Filter.1.Name': 'vpc-id', 'Filter.1.Value.1': vpc });
  expect(listed.match(/<subnetId>/g)).toHaveLength(1);
  // a new request for the same range after that is refused, as on AWS
  await new Promise((resolve) => setTimeout(resolve, 3500));
  expect(await errorCode(create)).toBe('InvalidSubnet.Conflict');
});
