import { TerraformStack, Token } from 'cdktf';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { registerStableReference } from '../immutability/generation';
import { ImmutabilityAspect } from '../immutability/immutability-aspect';
import { fixedName, NameRule } from '../immutability/naming';
import { show, Validator } from '../private/validation';

/** An IAM instance profile that launch templates can give their instances. */
export interface IInstanceProfile {
  /** The instance profile's name (what the launch template refers to). */
  readonly instanceProfileName: string;
}

/**
 * The AWS managed policy that lets SSM manage the instance (Session Manager, Run Command, patching).
 *
 * Its ARN is in the `aws` partition, written out rather than looked up, unlike
 * `AmiPipeline`, which reads the partition from an `aws_partition` data source: a
 * literal keeps the default instance profile free of a data source, and its policy
 * attachment known at plan. In the China and GovCloud partitions, pass the policy's ARN
 * of that partition in `managedPolicyArns`.
 */
export const SSM_MANAGED_INSTANCE_CORE = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';

/** Props of {@link InstanceProfile}. */
export interface InstanceProfileProps {
  /**
   * Managed policies attached to the instance role. Add your application's own
   * least-privilege policies here (or attach them to {@link InstanceProfile.role}).
   * For partitions other than `aws` (China, GovCloud), pass the policy ARN of that
   * partition.
   * @default [SSM_MANAGED_INSTANCE_CORE]: Session Manager access and nothing else
   */
  readonly managedPolicyArns?: readonly string[];
  /**
   * Permissions boundary of the instance role.
   * @default - none
   */
  readonly permissionsBoundaryArn?: string;
  /**
   * Prefix of the role and profile names (Terraform appends a unique suffix).
   * @default - `<stack>-<id>` shortened to 32 characters
   */
  readonly namePrefix?: string;
}

const POLICY_ARN = /^arn:aws[a-z-]*:iam::(aws|[0-9]{12}):policy\/[A-Za-z0-9+=,.@_/-]+$/;
const PROFILE_NAME = /^[A-Za-z0-9+=,.@_-]{1,128}$/;

/**
 * A least-privilege instance role and profile: EC2 may assume the role, and by
 * default it carries only `AmazonSSMManagedInstanceCore`, so operators reach
 * instances through Session Manager instead of SSH.
 *
 * The profile is shared by every generation and updated in place (permissions are
 * not what runs on the server); it is hashed into a launch template's generation by
 * its identity, not by its runtime name: its construct path and the arguments that
 * make Terraform replace the profile or its role (`namePrefix`, and a `path` or
 * `name` set through an override). A change of one of them is a new generation; a
 * change of `managedPolicyArns` or `permissionsBoundaryArn` is applied in place.
 */
export class InstanceProfile extends Construct implements IInstanceProfile {
  /** An existing instance profile, by name. */
  public static fromName(instanceProfileName: string): IInstanceProfile {
    const check = new Validator('InstanceProfile.fromName');
    if (typeof instanceProfileName !== 'string') {
      check.fail(
        `instanceProfileName (${show(instanceProfileName)}) must be the name of an existing instance profile.`,
      );
    }
    check.pattern(
      'instanceProfileName',
      instanceProfileName,
      PROFILE_NAME,
      'an instance profile name: 1 to 128 letters, digits and + = , . @ _ -',
    );
    return { instanceProfileName };
  }

  /** The instance role. */
  public readonly role: IamRole;
  /** The instance profile resource. */
  public readonly resource: IamInstanceProfile;
  /** The instance profile's name. */
  public readonly instanceProfileName: string;
  /** The instance profile's ARN. */
  public readonly instanceProfileArn: string;

  constructor(scope: Construct, id: string, props: InstanceProfileProps = {}) {
    super(scope, id);
    ImmutabilityAspect.enable(this);
    const check = new Validator(this);
    const policies = props.managedPolicyArns ?? [SSM_MANAGED_INSTANCE_CORE];
    check.eachPattern(
      'managedPolicyArns',
      policies,
      POLICY_ARN,
      'an IAM policy ARN such as arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
    );
    check.pattern('permissionsBoundaryArn', props.permissionsBoundaryArn, POLICY_ARN, 'an IAM policy ARN');
    if (props.namePrefix !== undefined && Token.isUnresolved(props.namePrefix)) {
      check.fail(
        `namePrefix (${props.namePrefix}) is a token; pass a literal prefix so that its length can be checked at ` +
          `synth.`,
      );
    }
    check.pattern(
      'namePrefix',
      props.namePrefix,
      /^[A-Za-z0-9+=,.@_-]{1,32}$/,
      '1 to 32 letters, digits and + = , . @ _ -',
    );
    const defaultPrefix = () => fixedName(NameRule.IAM_ROLE, `${TerraformStack.of(this).node.id}-${id}`, undefined, 31);
    const prefix = `${props.namePrefix ?? defaultPrefix()}-`;

    this.role = new IamRole(this, 'Role', {
      namePrefix: prefix,
      description: `Instance role of ${this.node.path} (cdktf-immutable)`,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
      permissionsBoundary: props.permissionsBoundaryArn,
    });
    policies.forEach((policyArn, i) => {
      // keyed by the policy's name, so that adding or removing one leaves the others alone
      const key = Token.isUnresolved(policyArn) ? `Policy${i}` : `Policy-${policyArn.split('/').pop()}`;
      new IamRolePolicyAttachment(this, key, { role: this.role.name, policyArn });
    });
    this.resource = new IamInstanceProfile(this, 'Resource', { namePrefix: prefix, role: this.role.name });
    this.instanceProfileName = this.resource.name;
    this.instanceProfileArn = this.resource.arn;
    // hashed by identity: a change that replaces the profile or its role (name prefix,
    // path) is a new generation; policies change in place and are not part of it
    registerStableReference(this.instanceProfileName, `instance-profile:${this.node.path}`, [this.resource, this.role]);
  }
}
