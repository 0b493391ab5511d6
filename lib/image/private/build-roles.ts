import { Fn, ITerraformDependable, Token } from 'cdktf';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { fixedName, NameRule } from '../../immutability/naming';

/**
 * The IAM pieces of an AMI pipeline, created in the pipeline's scope with the ids they
 * always had. They take the pipeline's checked settings.
 */

const MANAGED_POLICIES = ['EC2InstanceProfileForImageBuilder', 'AmazonSSMManagedInstanceCore'];

/**
 * Partition-correct ARN prefix (`arn:<partition>`) for `scope`: the partition data
 * source (id `Partition`) is read only when a managed policy is attached.
 */
export function lazyArnPrefix(scope: Construct): () => string {
  let partition: DataAwsPartition | undefined;
  return () => `arn:${(partition ??= new DataAwsPartition(scope, 'Partition', {})).partition}`;
}

/**
 * The account id of `scope`'s stack: the caller identity data source (id `Account`) of
 * `scope`, created once and shared by the roles that need it.
 */
function accountId(scope: Construct): string {
  const existing = scope.node.tryFindChild('Account') as DataAwsCallerIdentity | undefined;
  return (existing ?? new DataAwsCallerIdentity(scope, 'Account', {})).accountId;
}

/** What {@link buildInstanceProfile} made. */
export interface BuiltInstanceProfile {
  readonly instanceProfileName: string;
  /** The role's policies: the image build must wait for them. */
  readonly dependencies: ITerraformDependable[];
}

/**
 * The least-privilege instance role and profile of the build and test instances: the
 * two managed policies Image Builder needs, and s3:PutObject on the log prefix.
 */
export function buildInstanceProfile(
  scope: Construct,
  name: string,
  logging: { readonly bucketName: string; readonly keyPrefix?: string } | undefined,
  tags: { readonly [key: string]: string } | undefined,
  arnPrefix: () => string,
): BuiltInstanceProfile {
  const dependencies: ITerraformDependable[] = [];
  const role = new IamRole(scope, 'InstanceRole', {
    namePrefix: iamPrefix(name, 'ib'),
    description: `Image Builder build and test instances of ${name}`,
    assumeRolePolicy: JSON.stringify(trustPolicy('ec2.amazonaws.com')),
    tags,
  });
  for (const policy of MANAGED_POLICIES) {
    dependencies.push(
      new IamRolePolicyAttachment(scope, policy, {
        role: role.name,
        policyArn: `${arnPrefix()}:iam::aws:policy/${policy}`,
      }),
    );
  }
  if (logging) {
    const prefix = logging.keyPrefix ?? name;
    dependencies.push(
      new IamRolePolicy(scope, 'LogPolicy', {
        role: role.id,
        name: 'build-logs',
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 's3:PutObject',
              Resource: `${arnPrefix()}:s3:::${logging.bucketName}/${prefix}/*`,
            },
          ],
        }),
      }),
    );
  }
  const instanceProfileName = new IamInstanceProfile(scope, 'InstanceProfile', {
    namePrefix: iamPrefix(name, 'ib'),
    role: role.name,
    tags,
  }).name;
  return { instanceProfileName, dependencies };
}

/** The role Image Builder assumes to run the lifecycle policy, and its policy attachment. */
export function buildLifecycleRole(
  scope: Construct,
  name: string,
  tags: { readonly [key: string]: string } | undefined,
  arnPrefix: () => string,
): { readonly roleArn: string; readonly attachment: IamRolePolicyAttachment } {
  const role = new IamRole(scope, 'LifecycleRole', {
    namePrefix: iamPrefix(name, 'lc'),
    description: `Image Builder lifecycle policy of ${name}`,
    assumeRolePolicy: JSON.stringify(trustPolicy('imagebuilder.amazonaws.com', accountId(scope))),
    tags,
  });
  const attachment = new IamRolePolicyAttachment(scope, 'LifecycleExecutionPolicy', {
    role: role.name,
    policyArn: `${arnPrefix()}:iam::aws:policy/service-role/EC2ImageBuilderLifecycleExecutionPolicy`,
  });
  return { roleArn: role.arn, attachment };
}

/**
 * The role Image Builder assumes to run the builds of the image and the pipeline
 * (their `execution_role`): the `EC2ImageBuilderExecutionPolicy` managed policy, and
 * `ssm:PutParameter` on exactly the AMI parameter in each distribution region (with
 * `ec2:DescribeImages`, which Parameter Store needs to validate an `aws:ec2:image`
 * value). Image Builder writes the parameter with this role during distribution.
 */
export function buildExecutionRole(
  scope: Construct,
  name: string,
  parameterName: string,
  regions: readonly string[],
  tags: { readonly [key: string]: string } | undefined,
  arnPrefix: () => string,
): { readonly roleArn: string; readonly dependencies: ITerraformDependable[] } {
  const role = new IamRole(scope, 'ExecutionRole', {
    namePrefix: iamPrefix(name, 'ex'),
    description: `Image Builder builds of ${name}: distribution and the AMI parameter`,
    assumeRolePolicy: JSON.stringify(trustPolicy('imagebuilder.amazonaws.com', accountId(scope))),
    tags,
  });
  const managed = new IamRolePolicyAttachment(scope, 'ExecutionPolicy', {
    role: role.name,
    policyArn: `${arnPrefix()}:iam::aws:policy/EC2ImageBuilderExecutionPolicy`,
  });
  const account = accountId(scope);
  // A parameter ARN has one "/" between "parameter" and a path name.
  const path = Token.isUnresolved(parameterName) ? Fn.trimprefix(parameterName, '/') : parameterName.replace(/^\//, '');
  const publish = new IamRolePolicy(scope, 'PublishAmiIdPolicy', {
    role: role.id,
    name: 'publish-ami-id',
    policy: Fn.jsonencode({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'ssm:PutParameter',
          Resource: regions.map((region) => `${arnPrefix()}:ssm:${region}:${account}:parameter/${path}`),
        },
        { Effect: 'Allow', Action: 'ec2:DescribeImages', Resource: '*' },
      ],
    }),
  });
  return { roleArn: role.arn, dependencies: [managed, publish] };
}

/**
 * The trust policy of a role `service` assumes. With `account`, only on behalf of that
 * account (`aws:SourceAccount`, against the confused deputy: another account's Image
 * Builder cannot be made to use the role). Image Builder does not document that it sets
 * `aws:SourceArn` when it assumes these roles, and a condition on a key that is not set
 * fails every assumption, so the roles carry `aws:SourceAccount` only. The build
 * instances' role (assumed by EC2 for an instance profile) carries neither: EC2 sets
 * neither key when it assumes an instance profile's role.
 */
function trustPolicy(service: string, account?: string): unknown {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: service },
        Action: 'sts:AssumeRole',
        ...(account ? { Condition: { StringEquals: { 'aws:SourceAccount': account } } } : {}),
      },
    ],
  };
}

/** An IAM `name_prefix` (at most 38 characters, Terraform adds 26): `<name>-<suffix>-`, cut like every fixed name. */
function iamPrefix(name: string, suffix: string): string {
  return `${fixedName(NameRule.IAM_ROLE, name, suffix, 37)}-`;
}
