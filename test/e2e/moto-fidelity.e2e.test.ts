/**
 * The moto the e2e files start (harness/moto-server.py) answers as AWS where moto 5.2.5
 * does not and the AWS provider depends on the answer. Each correction is checked here
 * against the running server.
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

/** The error code of an EC2 query call that must fail. */
async function errorCode(params: Record<string, string>): Promise<string> {
  try {
    await awsQuery(moto.endpoint, 'ec2', { Version: '2016-11-15', ...params });
  } catch (error) {
    return /<Code>([^<]+)<\/Code>/.exec(String(error))?.[1] ?? `no <Code> in: ${String(error)}`;
  }
  throw new Error(`${params.Action} succeeded; expected an error`);
}

test('DeleteLaunchTemplate of a deleted template id answers InvalidLaunchTemplateId.NotFound (AWS\'s code, which the provider treats as already deleted)', async () => {
  const created = await awsQuery(moto.endpoint, 'ec2', {
    Action: 'CreateLaunchTemplate', Version: '2016-11-15', LaunchTemplateName: 'fidelity', 'LaunchTemplateData.InstanceType': 't3.micro',
  });
  const id = /<launchTemplateId>(lt-[0-9a-f]+)<\/launchTemplateId>/.exec(created)?.[1];
  expect(id).toMatch(/^lt-/);
  // the first delete succeeds; the same delete again is the retry that failed an apply
  await awsQuery(moto.endpoint, 'ec2', { Action: 'DeleteLaunchTemplate', Version: '2016-11-15', LaunchTemplateId: id! });
  const listed = await awsQuery(moto.endpoint, 'ec2', { Action: 'DescribeLaunchTemplates', Version: '2016-11-15' });
  expect(listed).not.toContain(id!);
  expect(await errorCode({ Action: 'DeleteLaunchTemplate', LaunchTemplateId: id! })).toBe('InvalidLaunchTemplateId.NotFound');
});
