import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { ImagebuilderComponent } from '@cdktf/provider-aws/lib/imagebuilder-component';
import { ImagebuilderDistributionConfiguration } from '@cdktf/provider-aws/lib/imagebuilder-distribution-configuration';
import { ImagebuilderImagePipeline } from '@cdktf/provider-aws/lib/imagebuilder-image-pipeline';
import { ImagebuilderInfrastructureConfiguration } from '@cdktf/provider-aws/lib/imagebuilder-infrastructure-configuration';
import { ImagebuilderLifecyclePolicy } from '@cdktf/provider-aws/lib/imagebuilder-lifecycle-policy';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { AmiPipeline, AmiPipelineProps, ImageComponent, ImageRetention, ImageSchedule, ParentImage } from '../../lib';
import { ValidationError } from '../../lib/private/validation';
import { Json, newStack, onlyResource, resources, synthJson, synthStack } from '../support/synth';
import { HELLO, SMOKE } from './fixtures';

const UPDATE_LINUX = 'arn:aws:imagebuilder:eu-west-1:aws:component/update-linux/x.x.x';
const dir = mkdtempSync(join(tmpdir(), 'cdktf-immutable-ami-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function minimal(overrides: Partial<AmiPipelineProps> = {}): AmiPipelineProps {
  return {
    name: 'web',
    parentImage: ParentImage.fromAmiId('ami-0123456789abcdef0'),
    components: [ImageComponent.fromInline('nginx', HELLO)],
    ...overrides,
  };
}

function build(props: AmiPipelineProps): { stack: TerraformStack; pipeline: AmiPipeline } {
  const stack = newStack('images');
  return { stack, pipeline: new AmiPipeline(stack, 'Web', props) };
}

/** The JSON of stack `images` with the pipeline `Web` of `props`. */
function synthPipeline(props: AmiPipelineProps): Json {
  return synthStack((stack) => new AmiPipeline(stack, 'Web', props), 'images').json;
}

/** Top-level attributes of `b` that differ from `a`. */
function changedAttributes(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .sort();
}

describe('AmiPipeline', () => {
  test('defaults: content-versioned component and recipe, secure infrastructure, tested image, SSM parameter, retention', () => {
    const { stack, pipeline } = build(minimal());
    const synthText = Testing.synth(stack);
    const json = JSON.parse(synthText) as Json;

    expect(synthText).toHaveResourceWithProperties(ImagebuilderComponent, {
      name: 'web-nginx',
      platform: 'Linux',
      data: HELLO,
      version: expect.stringMatching(/^1\.0\.\d+$/),
      lifecycle: { create_before_destroy: true },
    });
    const recipe = onlyResource(json, 'aws_imagebuilder_image_recipe');
    expect(recipe).toMatchObject({
      name: 'web',
      version: pipeline.recipeVersion,
      parent_image: 'ami-0123456789abcdef0',
      component: [
        {
          component_arn: expect.stringMatching(
            /^\$\{aws_imagebuilder_component\.Web_Component-nginx_[0-9A-F]+\.arn\}$/,
          ),
        },
      ],
      block_device_mapping: [
        { device_name: '/dev/xvda', ebs: { encrypted: 'true', delete_on_termination: 'true', volume_type: 'gp3' } },
      ],
      ami_tags: { 'cdktf-immutable:generation': pipeline.generation.hash, 'cdktf-immutable:pipeline': 'web' },
      lifecycle: { create_before_destroy: true },
    });
    expect(pipeline.recipeVersion).toBe(`1.0.${parseInt(pipeline.generation.hash.slice(0, 7), 16)}`);
    expect(synthText).toHaveResourceWithProperties(ImagebuilderInfrastructureConfiguration, {
      name: 'web',
      instance_metadata_options: { http_tokens: 'required', http_put_response_hop_limit: 1 },
      terminate_instance_on_failure: true,
      instance_profile_name: expect.stringMatching(/^\$\{aws_iam_instance_profile\./),
    });
    expect(json.resource.aws_imagebuilder_infrastructure_configuration).not.toHaveProperty([
      Object.keys(json.resource.aws_imagebuilder_infrastructure_configuration)[0],
      'logging',
    ]);
    // least privilege: the build instances' two managed policies, the lifecycle policy's,
    // the execution role's, and one inline policy: PutParameter on exactly the AMI parameter
    const attachments = Object.values(resources(json, 'aws_iam_role_policy_attachment')).map((a) => a.policy_arn);
    expect(attachments).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/:iam::aws:policy\/EC2InstanceProfileForImageBuilder$/),
        expect.stringMatching(/:iam::aws:policy\/AmazonSSMManagedInstanceCore$/),
        expect.stringMatching(/:iam::aws:policy\/service-role\/EC2ImageBuilderLifecycleExecutionPolicy$/),
        expect.stringMatching(/:iam::aws:policy\/EC2ImageBuilderExecutionPolicy$/),
      ]),
    );
    expect(attachments).toHaveLength(4);
    const inline = onlyResource(json, 'aws_iam_role_policy');
    expect(inline.role).toMatch(/^\$\{aws_iam_role\.Web_ExecutionRole_[0-9A-F]+\.id\}$/);
    expect(inline.policy).toBe(
      '${jsonencode({"Version" = "2012-10-17", "Statement" = [{"Effect" = "Allow", "Action" = "ssm:PutParameter", "Resource" = ' +
        '["arn:${data.aws_partition.Web_Partition_75EABB35.partition}:ssm:${data.aws_region.Web_Region_95D6E423.region}:${data.aws_caller_identity.Web_Account_3724361A.account_id}:parameter/images/web/ami-id"]}, ' +
        '{"Effect" = "Allow", "Action" = "ec2:DescribeImages", "Resource" = "*"}]})}',
    );
    const roles = Object.values(resources(json, 'aws_iam_role'));
    expect(roles.map((r) => JSON.parse(r.assume_role_policy as string).Statement[0].Principal.Service).sort()).toEqual([
      'ec2.amazonaws.com',
      'imagebuilder.amazonaws.com',
      'imagebuilder.amazonaws.com',
    ]);
    // the roles Image Builder assumes trust it only on behalf of this account (confused deputy);
    // the build instances' role, assumed by EC2 for an instance profile, carries no condition
    for (const role of roles) {
      const statement = JSON.parse(role.assume_role_policy as string).Statement[0];
      expect(statement.Condition).toEqual(
        statement.Principal.Service === 'imagebuilder.amazonaws.com'
          ? { StringEquals: { 'aws:SourceAccount': '${data.aws_caller_identity.Web_Account_3724361A.account_id}' } }
          : undefined,
      );
    }

    expect(synthText).toHaveResourceWithProperties(ImagebuilderDistributionConfiguration, {
      name: 'web',
      distribution: [
        {
          region: expect.stringMatching(/^\$\{data\.aws_region\.Web_Region_[0-9A-F]+\.region\}$/),
          ami_distribution_configuration: expect.objectContaining({
            name: 'web-{{ imagebuilder:buildDate }}',
            // every build's AMI says which recipe version it was built from, and when
            ami_tags: {
              'cdktf-immutable:pipeline': 'web',
              'cdktf-immutable:recipe-version': expect.stringMatching(
                /^\$\{aws_imagebuilder_image_recipe\.Web_Recipe_[0-9A-F]+\.version\}$/,
              ),
              'cdktf-immutable:built-at': '{{ imagebuilder:buildDate }}',
            },
          }),
          // every build, Terraform's and the scheduled ones, publishes its AMI id
          ssm_parameter_configuration: [{ parameter_name: '/images/web/ami-id', data_type: 'aws:ec2:image' }],
        },
      ],
    });
    const image = onlyResource(json, 'aws_imagebuilder_image');
    expect(image).toMatchObject({
      image_tests_configuration: { image_tests_enabled: true },
      enhanced_image_metadata_enabled: true,
      // the in-use tag keeps retention from deleting the image Terraform manages
      tags: {
        'cdktf-immutable:generation': pipeline.generation.hash,
        'cdktf-immutable:pipeline': 'web',
        'cdktf-immutable:in-use': 'true',
      },
      timeouts: { create: '120m' },
      lifecycle: { create_before_destroy: true },
      execution_role: expect.stringMatching(/^\$\{aws_iam_role\.Web_ExecutionRole_[0-9A-F]+\.arn\}$/),
      depends_on: expect.arrayContaining([
        expect.stringMatching(/^aws_iam_role_policy_attachment\./),
        expect.stringMatching(/^aws_iam_role_policy\.Web_PublishAmiIdPolicy_/),
      ]),
    });
    expect(Object.keys(json.resource.aws_imagebuilder_image)).toEqual(['Web_3C8945DB']); // the construct's "Resource"
    expect(synthText).toHaveResourceWithProperties(SsmParameter, {
      name: '/images/web/ami-id',
      type: 'String',
      data_type: 'aws:ec2:image',
      // Image Builder owns the value after the first build; Terraform never writes an older AMI back
      overwrite: true,
      lifecycle: { ignore_changes: ['value'] },
      value:
        '${element([ for key, val in toset(tolist(aws_imagebuilder_image.Web_3C8945DB.output_resources[0].amis)): val.image if val.region == aws_imagebuilder_image.Web_3C8945DB.region], 0)}',
    });
    expect(Object.values((json.output ?? {}) as Record<string, Json>).map((o) => o.value)).toContain(
      onlyResource(json, 'aws_ssm_parameter').value,
    );
    expect(synthText).toHaveResourceWithProperties(ImagebuilderLifecyclePolicy, {
      name: 'web',
      resource_type: 'AMI_IMAGE',
      status: 'ENABLED',
      resource_selection: [
        {
          recipe: [
            {
              name: expect.stringMatching(/^\$\{aws_imagebuilder_image_recipe\.Web_Recipe_[0-9A-F]+\.name\}$/),
              semantic_version: expect.stringMatching(
                /^\$\{aws_imagebuilder_image_recipe\.Web_Recipe_[0-9A-F]+\.version\}$/,
              ),
            },
          ],
        },
      ],
      policy_detail: [
        {
          action: [{ type: 'DELETE', include_resources: [{ amis: true, snapshots: true }] }],
          filter: [{ type: 'COUNT', value: 3 }],
          exclusion_rules: [
            {
              tag_map: { 'cdktf-immutable:in-use': 'true' },
              amis: [{ is_public: false, tag_map: { 'cdktf-immutable:in-use': 'true' } }],
            },
          ],
        },
      ],
    });
    expect(json.resource).not.toHaveProperty('aws_imagebuilder_image_pipeline');
    expect(pipeline.pipelineArn).toBeUndefined();
    expect(pipeline.amiParameterName).toBe('/images/web/ami-id');
  });

  test('the default name comes from the stack and the construct path', () => {
    const stack = newStack('images');
    const pipeline = new AmiPipeline(stack, 'Web', { ...minimal(), name: undefined });
    expect(pipeline.name).toBe('images-Web');
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ImagebuilderComponent, {
      name: 'images-Web-nginx',
    });
  });

  test('all properties', () => {
    const componentFile = join(dir, 'smoke-test.yml');
    writeFileSync(componentFile, SMOKE);
    const { stack, pipeline } = build({
      name: 'api',
      platform: 'Linux',
      parentImage: ParentImage.fromAmiId('ami-0fedcba9876543210'),
      components: [
        ImageComponent.fromManagedArn(UPDATE_LINUX),
        ImageComponent.fromInline('nginx', HELLO, {
          parameters: { Port: '8080', Mode: 'prod' },
          description: 'nginx server',
        }),
        ImageComponent.fromFile(componentFile),
      ],
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volumeSizeGiB: 30,
          volumeType: 'gp3',
          iops: 4000,
          throughputMiBps: 250,
          kmsKeyId: 'alias/ebs',
          encrypted: true,
        },
        { deviceName: '/dev/xvdb', volumeSizeGiB: 100, volumeType: 'st1', deleteOnTermination: false },
      ],
      workingDirectory: '/var/build',
      buildInfrastructure: {
        instanceTypes: ['m7i.large', 'm6i.large'],
        subnetId: 'subnet-0123456789abcdef0',
        securityGroupIds: ['sg-0123456789abcdef0'],
        logging: { bucketName: 'build-logs', keyPrefix: 'image-builder/api' },
        terminateInstanceOnFailure: false,
      },
      distribution: {
        regions: ['eu-west-1', 'eu-central-1'],
        amiName: 'api-server',
        amiTags: { Team: 'platform' },
        launchPermissionAccountIds: ['111122223333'],
        launchPermissionOrganizationArns: ['arn:aws:organizations::111122223333:organization/o-abcdefghij'],
        launchPermissionOrganizationalUnitArns: [
          'arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-cdefgh34',
        ],
        kmsKeyId: 'arn:aws:kms:eu-central-1:111122223333:key/abcd',
      },
      amiParameterName: '/platform/api/ami',
      schedule: ImageSchedule.cron('cron(0 3 ? * SUN *)', { timezone: 'Europe/Paris' }),
      retention: ImageRetention.keepLast(5, { inUseTag: { key: 'deploy:in-use', value: 'yes' } }),
      sourceCommit: '0123abc',
      buildTimeoutMinutes: 240,
      tags: { Owner: 'platform' },
    });
    const synthText = Testing.synth(stack);
    const json = JSON.parse(synthText) as Json;

    expect(
      Object.values(resources(json, 'aws_imagebuilder_component'))
        .map((c) => c.name)
        .sort(),
    ).toEqual(['api-nginx', 'api-smoke-test']);
    expect(synthText).toHaveResourceWithProperties(ImagebuilderComponent, {
      name: 'api-nginx',
      description: 'nginx server',
      tags: { Owner: 'platform' },
    });
    const recipe = onlyResource(json, 'aws_imagebuilder_image_recipe');
    expect(recipe).toMatchObject({
      name: 'api',
      parent_image: 'ami-0fedcba9876543210',
      working_directory: '/var/build',
      tags: { Owner: 'platform' },
      block_device_mapping: [
        {
          device_name: '/dev/xvda',
          ebs: {
            encrypted: 'true',
            delete_on_termination: 'true',
            volume_size: 30,
            volume_type: 'gp3',
            iops: 4000,
            throughput: 250,
            kms_key_id: 'alias/ebs',
          },
        },
        {
          device_name: '/dev/xvdb',
          ebs: { encrypted: 'true', delete_on_termination: 'false', volume_size: 100, volume_type: 'st1' },
        },
      ],
    });
    // components in order; parameters sorted by name
    const components = recipe.component as Array<{ component_arn: string; parameter?: unknown }>;
    expect(components.map((c) => c.component_arn)).toEqual([
      UPDATE_LINUX,
      expect.stringContaining('aws_imagebuilder_component.Web_Component-nginx_'),
      expect.stringContaining('aws_imagebuilder_component.Web_Component-smoke-test_'),
    ]);
    expect(components[1].parameter).toEqual([
      { name: 'Mode', value: 'prod' },
      { name: 'Port', value: '8080' },
    ]);

    expect(synthText).toHaveResourceWithProperties(ImagebuilderInfrastructureConfiguration, {
      instance_types: ['m7i.large', 'm6i.large'],
      subnet_id: 'subnet-0123456789abcdef0',
      security_group_ids: ['sg-0123456789abcdef0'],
      terminate_instance_on_failure: false,
      logging: { s3_logs: { s3_bucket_name: 'build-logs', s3_key_prefix: 'image-builder/api' } },
      resource_tags: { Owner: 'platform' },
    });
    expect(synthText).toHaveResourceWithProperties(IamRolePolicy, {
      policy: expect.stringContaining(
        '"Action":"s3:PutObject","Resource":"arn:${data.aws_partition.Web_Partition_75EABB35.partition}:s3:::build-logs/image-builder/api/*"',
      ),
    });
    const distribution = onlyResource(json, 'aws_imagebuilder_distribution_configuration');
    const amiConfig = {
      name: 'api-server-{{ imagebuilder:buildDate }}',
      description: 'api (cdktf-immutable)',
      ami_tags: {
        Team: 'platform',
        'cdktf-immutable:pipeline': 'api',
        'cdktf-immutable:source-commit': '0123abc',
        'cdktf-immutable:recipe-version': expect.stringMatching(/\.version\}$/),
        'cdktf-immutable:built-at': '{{ imagebuilder:buildDate }}',
      },
      kms_key_id: 'arn:aws:kms:eu-central-1:111122223333:key/abcd',
      launch_permission: {
        user_ids: ['111122223333'],
        organization_arns: ['arn:aws:organizations::111122223333:organization/o-abcdefghij'],
        organizational_unit_arns: ['arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-cdefgh34'],
      },
    };
    const ssm = [{ parameter_name: '/platform/api/ami', data_type: 'aws:ec2:image' }];
    expect(distribution.distribution).toEqual([
      { region: 'eu-west-1', ami_distribution_configuration: amiConfig, ssm_parameter_configuration: ssm },
      { region: 'eu-central-1', ami_distribution_configuration: amiConfig, ssm_parameter_configuration: ssm },
    ]);
    // the execution role may write exactly that parameter in both regions
    const publish = Object.values(resources(json, 'aws_iam_role_policy')).find(
      (policy) => policy.name === 'publish-ami-id',
    )!;
    expect(JSON.stringify(publish.policy)).toMatch(
      /"Resource\\" = \[\\"arn:[^"]*:ssm:eu-west-1:[^"]*:parameter\/platform\/api\/ami\\", \\"arn:[^"]*:ssm:eu-central-1:[^"]*:parameter\/platform\/api\/ami\\"\]/,
    );
    expect(json.data).not.toHaveProperty('aws_region');
    expect(onlyResource(json, 'aws_imagebuilder_image')).toMatchObject({
      timeouts: { create: '240m' },
      tags: { Owner: 'platform', 'deploy:in-use': 'yes' },
    });
    expect(synthText).toHaveResourceWithProperties(ImagebuilderImagePipeline, {
      name: 'api',
      status: 'ENABLED',
      image_recipe_arn: expect.stringMatching(/^\$\{aws_imagebuilder_image_recipe\.Web_Recipe_[0-9A-F]+\.arn\}$/),
      image_tests_configuration: { image_tests_enabled: true },
      schedule: {
        schedule_expression: 'cron(0 3 ? * SUN *)',
        pipeline_execution_start_condition: 'EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE',
        timezone: 'Europe/Paris',
      },
      tags: { Owner: 'platform', 'cdktf-immutable:pipeline': 'api' },
      // scheduled builds write the parameter with the same role as Terraform's
      execution_role: onlyResource(json, 'aws_imagebuilder_image').execution_role,
    });
    expect(pipeline.pipelineArn).toBeDefined();
    expect(synthText).toHaveResourceWithProperties(SsmParameter, { name: '/platform/api/ami' });
    expect(synthText).toHaveResourceWithProperties(ImagebuilderLifecyclePolicy, {
      policy_detail: [
        expect.objectContaining({
          filter: [{ type: 'COUNT', value: 5 }],
          exclusion_rules: [
            { tag_map: { 'deploy:in-use': 'yes' }, amis: [{ is_public: false, tag_map: { 'deploy:in-use': 'yes' } }] },
          ],
        }),
      ],
    });
  });

  test('an instance profile of your own replaces the owned role and profile', () => {
    const json = synthPipeline(
      minimal({ buildInfrastructure: { instanceProfileName: 'my-profile' }, retention: ImageRetention.keepAll() }),
    );
    expect(onlyResource(json, 'aws_imagebuilder_infrastructure_configuration').instance_profile_name).toBe(
      'my-profile',
    );
    // the only role left is Image Builder's execution role (the AMI parameter)
    expect(Object.keys(json.resource.aws_iam_role)).toEqual([expect.stringMatching(/^Web_ExecutionRole_/)]);
    expect(json.resource).not.toHaveProperty('aws_iam_instance_profile');
    expect(onlyResource(json, 'aws_imagebuilder_image').depends_on).toHaveLength(2); // the execution role's policies only
  });

  test('ImageRetention.keepAll creates no lifecycle policy', () => {
    const json = synthPipeline(minimal({ retention: ImageRetention.keepAll() }));
    expect(json.resource).not.toHaveProperty('aws_imagebuilder_lifecycle_policy');
    expect(onlyResource(json, 'aws_imagebuilder_image').tags).not.toHaveProperty(['cdktf-immutable:in-use']);
    expect(Object.keys(json.resource.aws_iam_role)).toHaveLength(2); // build instances, execution
  });

  test('Windows defaults the root volume to /dev/sda1', () => {
    const json = synthPipeline(minimal({ platform: 'Windows' }));
    expect(onlyResource(json, 'aws_imagebuilder_image_recipe').block_device_mapping).toEqual([
      { device_name: '/dev/sda1', ebs: { encrypted: 'true', delete_on_termination: 'true', volume_type: 'gp3' } },
    ]);
    expect(onlyResource(json, 'aws_imagebuilder_component').platform).toBe('Windows');
  });

  test('ParentImage.fromSsmParameter reads the parameter at plan and makes the recipe version a Terraform expression', () => {
    const json = synthPipeline(
      minimal({
        parentImage: ParentImage.fromSsmParameter(
          '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
        ),
      }),
    );
    expect(Object.values(json.data!.aws_ssm_parameter)).toEqual([
      { name: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64' },
    ]);
    const recipe = onlyResource(json, 'aws_imagebuilder_image_recipe');
    expect(recipe.parent_image).toMatch(
      /^\$\{data\.aws_ssm_parameter\.Web_ParentImageParameter_[0-9A-F]+\.insecure_value\}$/,
    );
    expect(recipe.version).toMatch(
      /^1\.0\.\$\{parseint\(substr\(nonsensitive\(substr\(sha256\(join\("\|", \["[0-9a-f]{10}", jsonencode\(data\.aws_ssm_parameter\./,
    );
    // the generation tag follows the value behind the parameter too
    expect((recipe.ami_tags as Record<string, string>)['cdktf-immutable:generation']).toMatch(
      /^\$\{nonsensitive\(substr\(sha256\(/,
    );
    // components do not depend on the parent: their versions stay literal
    expect(onlyResource(json, 'aws_imagebuilder_component').version).toMatch(/^1\.0\.\d+$/);
  });

  test('ParentImage.fromManagedImage builds the managed image ARN in the provider region', () => {
    const json = synthPipeline(
      minimal({ parentImage: ParentImage.fromManagedImage('amazon-linux-2023-x86', { version: '2023.x.x' }) }),
    );
    expect(onlyResource(json, 'aws_imagebuilder_image_recipe').parent_image).toMatch(
      /^\$\{join\("", \["arn:", data\.aws_partition\.Web_ParentImagePartition_[0-9A-F]+\.partition, ":imagebuilder:", data\.aws_region\.Web_ParentImageRegion_[0-9A-F]+\.region, ":aws:image\/amazon-linux-2023-x86\/2023\.x\.x"\]\)\}$/,
    );
  });

  describe('changes', () => {
    const props = (nginx: string, parent = 'ami-0123456789abcdef0'): AmiPipelineProps =>
      minimal({
        parentImage: ParentImage.fromAmiId(parent),
        components: [
          ImageComponent.fromManagedArn(UPDATE_LINUX),
          ImageComponent.fromInline('nginx', nginx),
          ImageComponent.fromInline('smoke', SMOKE),
        ],
        schedule: ImageSchedule.cron('cron(0 3 ? * SUN *)'),
      });

    test('unchanged inputs synthesize byte-identical output', () => {
      const a = build(props(HELLO)).stack;
      const b = build(props(HELLO)).stack;
      expect(Testing.synth(b)).toBe(Testing.synth(a));
    });

    test("changing one component's document changes that component's version, the recipe's version and the image, and nothing else", () => {
      const before: Record<string, Json> = synthPipeline(props(HELLO)).resource;
      const after: Record<string, Json> = synthPipeline(props(HELLO.replace('nginx -v', 'nginx -t'))).resource;
      // same resources at the same addresses: every change is a replacement in place of the same address
      expect(Object.fromEntries(Object.entries(after).map(([t, r]) => [t, Object.keys(r)]))).toEqual(
        Object.fromEntries(Object.entries(before).map(([t, r]) => [t, Object.keys(r)])),
      );
      const changed: Record<string, string[]> = {};
      for (const [type, byName] of Object.entries(before)) {
        for (const [address, attributes] of Object.entries(byName)) {
          const diff = changedAttributes(attributes, after[type][address]);
          if (diff.length > 0) {
            changed[`${type}.${address.replace(/_[0-9A-F]{8}$/, '')}`] = diff;
          }
        }
      }
      expect(changed).toEqual({
        'aws_imagebuilder_component.Web_Component-nginx': ['data', 'version'],
        'aws_imagebuilder_image_recipe.Web_Recipe': ['ami_tags', 'version'],
        'aws_imagebuilder_image.Web': ['tags'],
      });
      const [nginxBefore, nginxAfter] = [before, after].map((r) =>
        Object.values(r.aws_imagebuilder_component).find((c) => c.name === 'web-nginx')!,
      );
      expect(nginxAfter.version).not.toBe(nginxBefore.version);
      expect(nginxAfter.name).toBe(nginxBefore.name);
      expect(onlyResource({ resource: after }, 'aws_imagebuilder_image_recipe').version).not.toBe(
        onlyResource({ resource: before }, 'aws_imagebuilder_image_recipe').version,
      );
    });

    test('changing the parent image changes the recipe and the image only', () => {
      const before: Record<string, Json> = synthPipeline(props(HELLO)).resource;
      const after: Record<string, Json> = synthPipeline(props(HELLO, 'ami-0fedcba9876543210')).resource;
      expect(after.aws_imagebuilder_component).toEqual(before.aws_imagebuilder_component);
      expect(
        changedAttributes(
          onlyResource({ resource: before }, 'aws_imagebuilder_image_recipe'),
          onlyResource({ resource: after }, 'aws_imagebuilder_image_recipe'),
        ),
      ).toEqual(['ami_tags', 'parent_image', 'version']);
      expect(
        changedAttributes(
          onlyResource({ resource: before }, 'aws_imagebuilder_image'),
          onlyResource({ resource: after }, 'aws_imagebuilder_image'),
        ),
      ).toEqual(['tags']);
      expect(after.aws_imagebuilder_image_pipeline).toEqual(before.aws_imagebuilder_image_pipeline);
      expect(after.aws_imagebuilder_distribution_configuration).toEqual(
        before.aws_imagebuilder_distribution_configuration,
      );
    });

    test('reordering components is a new recipe version; component versions stay', () => {
      const a: Record<string, Json> = synthPipeline(props(HELLO)).resource;
      const b: Record<string, Json> = synthPipeline(
        minimal({
          components: [
            ImageComponent.fromInline('smoke', SMOKE),
            ImageComponent.fromManagedArn(UPDATE_LINUX),
            ImageComponent.fromInline('nginx', HELLO),
          ],
          schedule: ImageSchedule.cron('cron(0 3 ? * SUN *)'),
        }),
      ).resource;
      expect(b.aws_imagebuilder_component).toEqual(a.aws_imagebuilder_component);
      expect(onlyResource({ resource: b }, 'aws_imagebuilder_image_recipe').version).not.toBe(
        onlyResource({ resource: a }, 'aws_imagebuilder_image_recipe').version,
      );
    });

    test('infrastructure and distribution changes update those in place and rebuild nothing', () => {
      const a: Record<string, Json> = synthPipeline(props(HELLO)).resource;
      const b: Record<string, Json> = synthPipeline({
        ...props(HELLO),
        buildInfrastructure: { instanceTypes: ['c7i.large'] },
        distribution: { amiTags: { Team: 'x' } },
        sourceCommit: 'abc1234',
      }).resource;
      expect(b.aws_imagebuilder_component).toEqual(a.aws_imagebuilder_component);
      expect(b.aws_imagebuilder_image_recipe).toEqual(a.aws_imagebuilder_image_recipe);
      expect(b.aws_imagebuilder_image).toEqual(a.aws_imagebuilder_image);
      expect(b.aws_imagebuilder_infrastructure_configuration).not.toEqual(
        a.aws_imagebuilder_infrastructure_configuration,
      );
    });
  });

  test('tokens are not validated', () => {
    const stack = newStack('images');
    const v = (name: string) => new TerraformVariable(stack, name, { type: 'string' }).stringValue;
    new AmiPipeline(
      stack,
      'Web',
      minimal({
        parentImage: ParentImage.fromAmiId(v('ami')),
        components: [ImageComponent.fromInline('nginx', HELLO), ImageComponent.fromManagedArn(v('component'))],
        workingDirectory: v('dir'),
        buildInfrastructure: {
          instanceTypes: [v('type')],
          subnetId: v('subnet'),
          securityGroupIds: [v('sg')],
          logging: { bucketName: v('bucket'), keyPrefix: v('prefix') },
        },
        distribution: { regions: [v('region')], amiName: v('amiName'), launchPermissionAccountIds: [v('account')] },
        amiParameterName: v('parameter'),
        sourceCommit: v('commit'),
        schedule: ImageSchedule.cron(v('cron')),
      }),
    );
    const json = synthJson(stack);
    expect(onlyResource(json, 'aws_imagebuilder_image_recipe').version).toMatch(/^1\.0\.\$\{parseint\(/);
    expect(onlyResource(json, 'aws_ssm_parameter').name).toBe('${var.parameter}');
  });

  describe('validation', () => {
    const recipe = 'ImageRecipe images/Web/Recipe: ';
    const infrastructure = 'InfrastructureConfiguration images/Web/Infrastructure: ';
    const distribution = 'DistributionConfiguration images/Web/Distribution: ';
    // Each value is checked once, by the construct it enters: the pipeline's own props by
    // AmiPipeline, the others by the Image Builder construct that uses them, whose path
    // and prop the message names.
    test.each<[string, Partial<AmiPipelineProps>, string]>([
      [
        'bad name',
        { name: 'web server' },
        'AmiPipeline images/Web: name ("web server") must be 3 to 64 letters, digits, "_" or "-"',
      ],
      ['short name', { name: 'ab' }, 'AmiPipeline images/Web: name ("ab") must be 3 to 64'],
      [
        'no components',
        { components: [] },
        `${recipe}components ([]) must list at least one component; give at least one ImageComponent`,
      ],
      [
        'duplicate component',
        { components: [ImageComponent.fromInline('nginx', HELLO), ImageComponent.fromInline('nginx', SMOKE)] },
        'AmiPipeline images/Web: components[1] ("nginx") is listed twice; give every component a distinct name',
      ],
      [
        'duplicate managed component',
        { components: [ImageComponent.fromManagedArn(UPDATE_LINUX), ImageComponent.fromManagedArn(UPDATE_LINUX)] },
        `components[1] ("${UPDATE_LINUX}") is listed twice`,
      ],
      ['bad platform', { platform: 'Mac' as 'Linux' }, `${recipe}platform ("Mac") must be one of Linux, Windows`],
      [
        'empty block devices',
        { blockDevices: [] },
        `${recipe}blockDevices ([]) must list at least one device; omit it for the default encrypted gp3 root volume`,
      ],
      [
        'bad device name',
        { blockDevices: [{ deviceName: 'root volume' }] },
        `${recipe}blockDevices[0].deviceName ("root volume") must be a device name such as /dev/xvda`,
      ],
      [
        'duplicate device',
        { blockDevices: [{ deviceName: '/dev/xvda' }, { deviceName: '/dev/xvda' }] },
        'blockDevices[1].deviceName ("/dev/xvda") is used by another block device',
      ],
      [
        'bad volume size',
        { blockDevices: [{ deviceName: '/dev/xvda', volumeSizeGiB: 0 }] },
        'blockDevices[0].volumeSizeGiB (0) must be an integer from 1 to 65536',
      ],
      [
        'iops on gp2',
        { blockDevices: [{ deviceName: '/dev/xvda', volumeType: 'gp2', iops: 3000 }] },
        'blockDevices[0].iops (3000) can only be set for gp3, io1 and io2 volumes, not gp2',
      ],
      [
        'throughput on io2',
        { blockDevices: [{ deviceName: '/dev/xvda', volumeType: 'io2', throughputMiBps: 500 }] },
        'blockDevices[0].throughputMiBps (500) can only be set for gp3 volumes, not io2',
      ],
      [
        'unencrypted volume',
        { blockDevices: [{ deviceName: '/dev/xvda', encrypted: false }] },
        `${recipe}blockDevices[0].encrypted (false) is refused: AMI volumes are always encrypted`,
      ],
      [
        'relative working directory',
        { workingDirectory: 'build' },
        `${recipe}workingDirectory ("build") must be an absolute path on Linux`,
      ],
      [
        'empty instance types',
        { buildInfrastructure: { instanceTypes: [] } },
        `${infrastructure}instanceTypes ([]) must list at least one value`,
      ],
      [
        'bad instance type',
        { buildInfrastructure: { instanceTypes: ['large'] } },
        `${infrastructure}instanceTypes[0] ("large") must be an EC2 instance type`,
      ],
      [
        'bad subnet',
        { buildInfrastructure: { subnetId: 'subnet-1', securityGroupIds: ['sg-0123456789abcdef0'] } },
        `${infrastructure}subnetId ("subnet-1") must be a subnet id`,
      ],
      [
        'subnet without security groups',
        { buildInfrastructure: { subnetId: 'subnet-0123456789abcdef0' } },
        `${infrastructure}subnetId ("subnet-0123456789abcdef0") is set without securityGroupIds`,
      ],
      [
        'bad security group',
        { buildInfrastructure: { securityGroupIds: ['default'] } },
        `${infrastructure}securityGroupIds[0] ("default") must be a security group id`,
      ],
      [
        'bad log bucket',
        { buildInfrastructure: { logging: { bucketName: 'My_Bucket' } } },
        `${infrastructure}logging.bucketName ("My_Bucket") must be an S3 bucket name`,
      ],
      [
        'bad log prefix',
        { buildInfrastructure: { logging: { bucketName: 'logs', keyPrefix: '/x/' } } },
        `${infrastructure}logging.keyPrefix ("/x/") must be a non-empty key prefix`,
      ],
      [
        'empty regions',
        { distribution: { regions: [] } },
        `${distribution}regions ([]) must list at least one value; list at least the build region`,
      ],
      [
        'bad region',
        { distribution: { regions: ['Ireland'] } },
        `${distribution}regions[0] ("Ireland") must be a region name`,
      ],
      [
        'duplicate region',
        { distribution: { regions: ['eu-west-1', 'eu-west-1'] } },
        `${distribution}regions[1] ("eu-west-1") is listed twice`,
      ],
      ['bad AMI name', { distribution: { amiName: 'web:{x}' } }, `${distribution}amiName ("web:{x}") must be 3 to 100`],
      [
        'reserved tag key',
        { distribution: { amiTags: { 'aws:x': 'y' } } },
        `${distribution}amiTags key ("aws:x") must be 1 to 128`,
      ],
      [
        'too many AMI tags',
        { distribution: { amiTags: Object.fromEntries(Array.from({ length: 46 }, (_, i) => [`t${i}`, 'x'])) } },
        'AmiPipeline images/Web: distribution.amiTags has 46 tags; Image Builder allows 50 per AMI and the library adds up to 5: keep at most 45',
      ],
      [
        'bad account',
        { distribution: { launchPermissionAccountIds: ['1234'] } },
        `${distribution}launchPermissionAccountIds[0] ("1234") must be a 12-digit AWS account id`,
      ],
      [
        'bad organization',
        { distribution: { launchPermissionOrganizationArns: ['o-123'] } },
        `${distribution}launchPermissionOrganizationArns[0] ("o-123") must be an organization ARN`,
      ],
      [
        'bad OU',
        { distribution: { launchPermissionOrganizationalUnitArns: ['ou-123'] } },
        `${distribution}launchPermissionOrganizationalUnitArns[0] ("ou-123") must be an organizational unit ARN`,
      ],
      [
        'bad parameter name',
        { amiParameterName: 'images/web' },
        'AmiPipeline images/Web: amiParameterName ("images/web") must be an SSM parameter path',
      ],
      [
        'reserved parameter name',
        { amiParameterName: '/aws/web' },
        'amiParameterName ("/aws/web") must be an SSM parameter path',
      ],
      ['too deep parameter name', { amiParameterName: `${'/a'.repeat(16)}` }, 'at most 15 levels'],
      [
        'bad timeout',
        { buildTimeoutMinutes: 10 },
        'Image images/Web/Resource: buildTimeoutMinutes (10) must be an integer from 30 to 1440',
      ],
      [
        'empty source commit',
        { sourceCommit: ' ' },
        'AmiPipeline images/Web: sourceCommit (" ") must be a non-empty tag value',
      ],
    ])('%s', (_what, overrides, message) => {
      expect(() => build(minimal(overrides))).toThrow(message);
    });

    test('every error is a ValidationError', () => {
      expect(() => build(minimal({ name: 'ab' }))).toThrow(ValidationError);
      expect(() => build(minimal({ buildInfrastructure: { instanceTypes: ['large'] } }))).toThrow(ValidationError);
    });

    test.each([
      [
        'ParentImage.fromAmiId',
        () => ParentImage.fromAmiId('ami-123'),
        'ParentImage.fromAmiId: amiId ("ami-123") must be an AMI id: "ami-" followed by 8 or 17 lowercase hex digits',
      ],
      [
        'ParentImage.fromSsmParameter',
        () => ParentImage.fromSsmParameter('/a//b'),
        'ParentImage.fromSsmParameter: parameterName ("/a//b") must be an SSM parameter name',
      ],
      [
        'ParentImage.fromSsmParameter length',
        () => ParentImage.fromSsmParameter(`/${'a'.repeat(2048)}`),
        'has 2049 characters; an SSM parameter name has at most 2048',
      ],
      [
        'ParentImage.fromManagedImage name',
        () => ParentImage.fromManagedImage('Amazon Linux'),
        'ParentImage.fromManagedImage: imageName ("Amazon Linux") must be the name of an Image Builder managed image',
      ],
      [
        'ParentImage.fromManagedImage version',
        () => ParentImage.fromManagedImage('amazon-linux-2023-x86', { version: 'latest' }),
        'ParentImage.fromManagedImage: version ("latest") must be a semantic version',
      ],
      [
        'ImageRetention.keepLast',
        () => ImageRetention.keepLast(0),
        'ImageRetention.keepLast: count (0) must be an integer from 1 to 1000',
      ],
      [
        'ImageRetention in-use tag',
        () => ImageRetention.keepLast(3, { inUseTag: { key: 'aws:in-use', value: 'true' } }),
        'ImageRetention.keepLast: inUseTag.key ("aws:in-use") must be',
      ],
      [
        'ImageRetention in-use tag value',
        () => ImageRetention.keepLast(3, { inUseTag: { key: 'in-use', value: 'x'.repeat(257) } }),
        'ImageRetention.keepLast: inUseTag.value ("xxx',
      ],
    ])('%s', (_what, make, message) => {
      expect(make).toThrow(message);
    });
  });
});
