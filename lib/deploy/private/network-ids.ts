import type { DataAwsSecurityGroup } from '@cdktf/provider-aws/lib/data-aws-security-group';
import type { DataAwsSubnet } from '@cdktf/provider-aws/lib/data-aws-subnet';
import type { DataAwsVpc } from '@cdktf/provider-aws/lib/data-aws-vpc';
import type { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import type { Subnet } from '@cdktf/provider-aws/lib/subnet';
import type { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { ISecurityGroup, ISubnet, IVpc } from '../network';

/**
 * The id of a VPC as a prop takes it: the provider's resource or data source (its `id`),
 * or `{ vpcId }`. The provider types are imported for their types only, so reading them
 * loads nothing.
 */
export function vpcIdOf(vpc: Vpc | DataAwsVpc | IVpc): string {
  return 'vpcId' in vpc ? vpc.vpcId : vpc.id;
}

/**
 * The id of a subnet: the provider's resource or data source (its `id`), or `{ subnetId }`.
 */
export function subnetIdOf(subnet: Subnet | DataAwsSubnet | ISubnet): string {
  return 'subnetId' in subnet ? subnet.subnetId : subnet.id;
}

/**
 * The id of a security group: the provider's resource or data source (its `id`), or
 * `{ securityGroupId }`.
 */
export function securityGroupIdOf(group: SecurityGroup | DataAwsSecurityGroup | ISecurityGroup): string {
  return 'securityGroupId' in group ? group.securityGroupId : group.id;
}
