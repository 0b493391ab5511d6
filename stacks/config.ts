/**
 * Typed configuration of the stacks in this repository: one images stack and one
 * service stack per environment. Edit ENVIRONMENTS to add an environment; the release
 * file releases/<name>.json says which images its slots run.
 */
import { StateBackend } from '../lib';

/** Networking of an environment: an existing VPC, or one that the stack creates. */
export type NetworkConfig =
  | {
      readonly kind: 'existing';
      readonly vpcId: string;
      /** Subnets of the load balancer (public for an internet-facing one), two AZs at least. */
      readonly loadBalancerSubnetIds: readonly string[];
      /** Subnets of the instances (private). */
      readonly instanceSubnetIds: readonly string[];
    }
  | {
      readonly kind: 'created';
      /** CIDR of the VPC, a /16 to /20. */
      readonly cidr: string;
      /** Availability zones to spread over (2 or 3). */
      readonly availabilityZones: readonly string[];
    };

/** Instance size and capacity per environment. */
export interface SizeConfig {
  readonly instanceType: string;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly desiredCapacity: number;
}

/** One environment. */
export interface EnvironmentConfig {
  /** Name: the release file is releases/<name>.json and the stack service-<name>. */
  readonly name: string;
  readonly region: string;
  readonly network: NetworkConfig;
  readonly size: SizeConfig;
  /** Where the stack's state lives: `StateBackend.local()` or `StateBackend.s3({ bucket, region, keyPrefix })`. */
  readonly backend: StateBackend;
  /** ACM certificate for HTTPS on the load balancer (HTTP redirects to HTTPS). */
  readonly certificateArn: string;
  /** Existing S3 bucket for the load balancer's access logs. */
  readonly accessLogsBucket: string;
  /** Existing S3 bucket ARN (with prefix) for the VPC flow logs of a created network. */
  readonly flowLogsDestinationArn: string;
  /** Existing S3 bucket ARN for the web ACL's request logs (its name must start with aws-waf-logs-). */
  readonly firewallLogsDestinationArn: string;
}

/** The images stack: where the AMI pipeline runs and publishes. */
export interface ImagesConfig {
  readonly region: string;
  /** Where the stack's state lives. */
  readonly backend: StateBackend;
  /** SSM parameter the pipeline publishes the newest AMI id to. */
  readonly amiParameterName: string;
  /** Customer managed KMS key for component documents, volumes and AMIs. */
  readonly kmsKeyArn: string;
}

export const IMAGES: ImagesConfig = {
  region: 'eu-west-1',
  backend: StateBackend.local(),
  amiParameterName: '/images/web/ami-id',
  kmsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
};

/** Account-wide resources the environments use (created outside these stacks). */
const SHARED = {
  accessLogsBucket: 'acme-alb-access-logs',
  flowLogsDestinationArn: 'arn:aws:s3:::acme-vpc-flow-logs/web/',
  firewallLogsDestinationArn: 'arn:aws:s3:::aws-waf-logs-acme-web',
};
const certificate = (account: string, id: string) => `arn:aws:acm:eu-west-1:${account}:certificate/${id}`;

export const ENVIRONMENTS: readonly EnvironmentConfig[] = [
  {
    name: 'dev',
    region: 'eu-west-1',
    network: { kind: 'created', cidr: '10.10.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'] },
    size: { instanceType: 't3.micro', minCapacity: 1, maxCapacity: 2, desiredCapacity: 1 },
    backend: StateBackend.local(),
    certificateArn: certificate('111111111111', '1d2c3b4a-5f6e-4d7c-8b9a-0f1e2d3c4b5a'),
    ...SHARED,
  },
  {
    name: 'staging',
    region: 'eu-west-1',
    network: { kind: 'created', cidr: '10.20.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'] },
    size: { instanceType: 't3.small', minCapacity: 2, maxCapacity: 4, desiredCapacity: 2 },
    backend: StateBackend.local(),
    certificateArn: certificate('111111111111', '2e3d4c5b-6a7f-4e8d-9cab-1f2e3d4c5b6a'),
    ...SHARED,
  },
  {
    name: 'prod',
    region: 'eu-west-1',
    network: {
      kind: 'existing',
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      loadBalancerSubnetIds: ['subnet-0a1b2c3d4e5f60701', 'subnet-0a1b2c3d4e5f60702', 'subnet-0a1b2c3d4e5f60703'],
      instanceSubnetIds: ['subnet-0a1b2c3d4e5f60711', 'subnet-0a1b2c3d4e5f60712', 'subnet-0a1b2c3d4e5f60713'],
    },
    size: { instanceType: 'm7i.large', minCapacity: 3, maxCapacity: 12, desiredCapacity: 3 },
    // Switch to StateBackend.s3({ bucket: 'my-org-terraform-state', region: 'eu-west-1', keyPrefix: 'web' })
    // once the bucket exists (key web/service-prod.tfstate, encrypted, S3 native locking);
    // S3 state needs credentials even for `cdktf diff`.
    backend: StateBackend.local(),
    certificateArn: certificate('111111111111', '3f4e5d6c-7b8a-4f9e-8dbc-2a3b4c5d6e7f'),
    ...SHARED,
  },
];
