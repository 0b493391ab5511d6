/**
 * A VPC given by its id, for a VPC that is neither a `Vpc` resource nor a `DataAwsVpc`
 * data source of this app (a VPC of another stack, a module's output).
 */
export interface IVpc {
  /** The VPC id, `vpc-...` (or a token). */
  readonly vpcId: string;
}

/** A subnet given by its id, for a subnet that is neither a `Subnet` resource nor a `DataAwsSubnet` data source. */
export interface ISubnet {
  /** The subnet id, `subnet-...` (or a token). */
  readonly subnetId: string;
}

/**
 * A security group given by its id, for a group that is neither a `SecurityGroup`
 * resource nor a `DataAwsSecurityGroup` data source.
 */
export interface ISecurityGroup {
  /** The security group id, `sg-...` (or a token). */
  readonly securityGroupId: string;
}
