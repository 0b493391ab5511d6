import { readdirSync } from 'fs';
import { join } from 'path';
import { App } from 'cdktf';
import { BlueGreenFleet, FleetLoadBalancer, ImageSource, StateBackend } from '../../lib';
import { build } from '../../stacks/main';
import { AMI_1, newStack, SUBNETS, synthesizeApp, synthJson, VPC } from '../support/synth';

type Resources = Record<string, Record<string, Record<string, any>>>;

/** Every resource of the app and of every example, by type. */
function everything(): Array<{ stack: string; resources: Resources }> {
  const out: Array<{ stack: string; resources: Resources }> = [];
  const add = (stacks: Record<string, string>) => {
    for (const [stack, json] of Object.entries(stacks)) {
      out.push({ stack, resources: (JSON.parse(json) as { resource?: Resources }).resource ?? {} });
    }
  };
  add(synthesizeApp((app) => build(app)));
  const examples = join(__dirname, '..', '..', 'examples');
  for (const name of readdirSync(examples)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    add(synthesizeApp((require(join(examples, name, 'main.ts')) as { build: (app: App) => void }).build));
  }
  return out;
}

const all = everything();
const ofType = (type: string) =>
  all.flatMap(({ stack, resources }) =>
    Object.entries(resources[type] ?? {}).map(([id, body]) => ({ stack, id, body })),
  );

describe('secure defaults, over every synthesized stack and example', () => {
  test('there is something to check', () => {
    expect(ofType('aws_launch_template').length).toBeGreaterThanOrEqual(8);
    expect(ofType('aws_lb').length).toBeGreaterThanOrEqual(5);
  });

  test('IMDSv2 is required on every launch template and Image Builder instance', () => {
    for (const { body } of ofType('aws_launch_template')) {
      expect(body.metadata_options).toMatchObject({ http_tokens: 'required', http_endpoint: 'enabled' });
      expect(body.metadata_options.http_put_response_hop_limit).toBeLessThanOrEqual(2);
    }
    for (const { body } of ofType('aws_imagebuilder_infrastructure_configuration')) {
      expect(body.instance_metadata_options).toMatchObject({ http_tokens: 'required' });
    }
  });

  test('every EBS volume is encrypted (launch templates and image recipes)', () => {
    for (const { body } of ofType('aws_launch_template')) {
      expect(body.block_device_mappings.length).toBeGreaterThan(0);
      for (const device of body.block_device_mappings) {
        expect(String(device.ebs.encrypted)).toBe('true');
        expect(device.ebs.volume_type).toBe('gp3');
      }
    }
    for (const { body } of ofType('aws_imagebuilder_image_recipe')) {
      for (const device of body.block_device_mapping) {
        expect(String(device.ebs.encrypted)).toBe('true');
      }
    }
  });

  test('no instance gets a public IP', () => {
    for (const { body } of ofType('aws_launch_template')) {
      expect(body.network_interfaces).toHaveLength(1);
      expect(String(body.network_interfaces[0].associate_public_ip_address)).toBe('false');
    }
    for (const { body } of ofType('aws_subnet')) {
      expect(body.map_public_ip_on_launch).toBe(false);
    }
  });

  test('instance security groups accept traffic only from the load balancer security group', () => {
    const instanceGroups = new Set(
      ofType('aws_launch_template').flatMap(({ body }) => body.network_interfaces[0].security_groups as string[]),
    );
    const ingress = ofType('aws_security_group_rule').filter(
      ({ body }) =>
        body.type === 'ingress' &&
        instanceGroups.has(`\${aws_security_group.${String(body.security_group_id).split('.')[1]}.id}`),
    );
    expect(ingress.length).toBeGreaterThan(0);
    for (const { body } of ingress) {
      expect(body.cidr_blocks).toBeUndefined();
      expect(body.ipv6_cidr_blocks).toBeUndefined();
      expect(String(body.source_security_group_id)).toMatch(/LoadBalancerSecurityGroup/);
    }
  });

  test('load balancers drop invalid header fields; HTTPS uses a TLS 1.2+ policy and HTTP redirects to it', () => {
    for (const { body } of ofType('aws_lb')) {
      expect(body.drop_invalid_header_fields).toBe(true);
    }
    const listeners = ofType('aws_lb_listener');
    const https = listeners.filter(({ body }) => body.protocol === 'HTTPS');
    expect(https.length).toBeGreaterThan(0);
    for (const { body } of https) {
      expect(body.ssl_policy).toBe('ELBSecurityPolicy-TLS13-1-2-2021-06');
      expect(body.certificate_arn).toMatch(/^arn:aws:acm:/);
    }
    for (const { body } of listeners.filter((l) => l.body.protocol === 'HTTP')) {
      expect(body.default_action[0]).toMatchObject({
        type: 'redirect',
        redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' },
      });
    }
  });

  test('instance profiles are least privilege: EC2 trust, Session Manager policy only', () => {
    const attachments = ofType('aws_iam_role_policy_attachment').filter(
      ({ id }) => !/ImageBuilder|Build|Lifecycle|Infrastructure|ExecutionPolicy/i.test(id),
    );
    expect(attachments.length).toBeGreaterThan(0);
    for (const { body } of attachments) {
      expect(String(body.policy_arn)).toMatch(/:policy\/AmazonSSMManagedInstanceCore$/);
    }
    for (const { id, body } of ofType('aws_iam_role').filter(({ id: roleId }) => /InstanceProfile/.test(roleId))) {
      const policy = JSON.parse(body.assume_role_policy) as { Statement: Array<{ Principal: { Service: string } }> };
      expect({ id, services: policy.Statement.map((s) => s.Principal.Service) }).toEqual({
        id,
        services: ['ec2.amazonaws.com'],
      });
    }
    // the only inline policies: an AMI pipeline's execution role may put exactly its AMI parameter, and a
    // canary watchdog's role may act on exactly its listener, record, log group and queue (checked below)
    for (const { id, body } of ofType('aws_iam_role_policy').filter(
      ({ id: policyId }) => !/_Watchdog_/.test(policyId),
    )) {
      expect(id).toMatch(/_PublishAmiIdPolicy_/);
      expect(body.policy).toMatch(
        /^\$\{jsonencode\(\{"Version" = "2012-10-17", "Statement" = \[\{"Effect" = "Allow", "Action" = "ssm:PutParameter", "Resource" = \["arn:[^"]*:ssm:[^"]*:parameter\/images\/web\/ami-id"\]\}, \{"Effect" = "Allow", "Action" = "ec2:DescribeImages", "Resource" = "\*"\}\]\}\)\}$/,
      );
    }
  });

  test("a canary watchdog's role: Lambda trust, each action on exactly its resource, Describe only on *", () => {
    const policies = ofType('aws_iam_role_policy').filter(({ id }) => /_Watchdog_/.test(id));
    expect(policies.length).toBeGreaterThan(0);
    for (const { body } of policies) {
      const statements = JSON.parse(body.policy).Statement as Array<{ Sid: string; Action: unknown; Resource: string }>;
      expect(statements.map((st) => st.Sid)).toEqual([
        'RestoreListener',
        'ReadForwarding',
        'Record',
        'Logs',
        'DeadLetters',
      ]);
      for (const statement of statements) {
        if (statement.Sid === 'ReadForwarding') {
          // Elastic Load Balancing's Describe actions take no resource ARN
          expect(statement).toMatchObject({
            Action: ['elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules'],
            Resource: '*',
          });
        } else {
          expect(statement.Resource).toMatch(/^\$\{aws_[a-z_]+\.[A-Za-z0-9_]+\.arn\}(:\*)?$/);
        }
      }
    }
    for (const { id, body } of ofType('aws_iam_role').filter(({ id: roleId }) => /_Watchdog_/.test(roleId))) {
      const policy = JSON.parse(body.assume_role_policy) as { Statement: Array<{ Principal: { Service: string } }> };
      expect({ id, services: policy.Statement.map((st) => st.Principal.Service) }).toEqual({
        id,
        services: ['lambda.amazonaws.com'],
      });
    }
    for (const { body } of ofType('aws_sqs_queue')) {
      expect(body.sqs_managed_sse_enabled ?? body.kms_master_key_id).toBeTruthy();
    }
  });

  test('a fleet without a certificate serves HTTP only and never opens HTTPS without one', () => {
    const stack = newStack('s');
    new BlueGreenFleet(stack, 'Web', {
      name: 'web',
      vpcId: VPC,
      subnetIds: SUBNETS,
      loadBalancer: FleetLoadBalancer.create({}),
      active: 'blue',
      slots: { blue: { image: ImageSource.fromAmiId(AMI_1) }, green: {} },
    });
    const json = synthJson(stack) as { resource: Resources };
    expect(Object.values(json.resource.aws_lb)[0].internal).toBe(true);
    expect(Object.values(json.resource.aws_lb_listener).map((l) => l.protocol)).toEqual(['HTTP']);
  });

  test('S3 state is encrypted and locked', () => {
    const stack = newStack('service-prod');
    StateBackend.s3({
      bucket: 'state',
      region: 'eu-west-1',
      kmsKeyId: 'arn:aws:kms:eu-west-1:111111111111:key/x',
    }).applyTo(stack);
    const backend = (synthJson(stack) as { terraform: { backend: { s3: Record<string, unknown> } } }).terraform.backend
      .s3;
    expect(backend).toMatchObject({
      encrypt: true,
      use_lockfile: true,
      kms_key_id: 'arn:aws:kms:eu-west-1:111111111111:key/x',
    });
  });
});
