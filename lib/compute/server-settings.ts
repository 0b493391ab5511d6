import { IInstanceProfile } from './instance-profile';
import { InstanceType } from './instance-type';
import { UserData } from './user-data';

/** One EBS volume attached at launch. */
export interface BlockDevice {
  /**
   * Device name. The root volume's name depends on the image: `/dev/xvda` for Amazon
   * Linux, `/dev/sda1` for Ubuntu and most others.
   */
  readonly deviceName: string;
  /**
   * Size in GiB.
   * @default - the size of the image's snapshot (required for a volume without one)
   */
  readonly volumeSizeGiB?: number;
  /**
   * EBS volume type.
   * @default 'gp3'
   */
  readonly volumeType?: 'gp3' | 'gp2' | 'io1' | 'io2' | 'st1' | 'sc1' | 'standard';
  /**
   * Encrypt the volume.
   * @default true
   */
  readonly encrypted?: boolean;
  /**
   * KMS key for the encryption.
   * @default - the account's default EBS key
   */
  readonly kmsKeyId?: string;
  /**
   * Provisioned IOPS (gp3: 3000 to 16000; io1/io2: 100 to 256000).
   * @default - the volume type's baseline (3000 for gp3)
   */
  readonly iops?: number;
  /**
   * Throughput in MiB/s (gp3 only: 125 to 1000).
   * @default - 125 for gp3
   */
  readonly throughputMiBps?: number;
  /**
   * Delete the volume when the instance terminates.
   * @default true
   */
  readonly deleteOnTermination?: boolean;
}

/** The instance metadata service (IMDS). */
export interface MetadataOptions {
  /**
   * `required` enforces IMDSv2 (session tokens), which blocks the SSRF-style
   * credential theft IMDSv1 allows.
   * @default 'required'
   */
  readonly httpTokens?: 'required' | 'optional';
  /**
   * How many network hops an IMDS response may travel. 1 keeps credentials on the
   * host; set 2 when containers on the instance with bridge networking need IMDS.
   * @default 1
   */
  readonly hopLimit?: number;
  /**
   * Expose the instance's tags through IMDS.
   * @default false
   */
  readonly instanceMetadataTags?: boolean;
}

/**
 * Everything about a server except its image: what a launch template is made of.
 * Every field is part of the generation (a change yields a new launch template and
 * auto scaling group), except the instance profile's permissions, which change in
 * place.
 */
export interface ServerSettings {
  /**
   * Instance type, or attribute-based requirements.
   * @default InstanceType.of('t3.micro')
   */
  readonly instanceType?: InstanceType;
  /**
   * Script or cloud-init document run at first boot. Immutable servers get their
   * software from the image; keep this to configuration that must differ per
   * environment.
   * @default - none
   */
  readonly userData?: UserData;
  /**
   * Security groups of the instances (`sg-...` ids or references). The fleets add
   * their own instance security group (ingress from the load balancer only) in front.
   * @default - none besides the fleet's own (a standalone launch template without
   *   any gets the VPC's default security group)
   */
  readonly securityGroupIds?: readonly string[];
  /**
   * Instance profile of the instances.
   * @default - a new {@link InstanceProfile} with `AmazonSSMManagedInstanceCore` only
   */
  readonly instanceProfile?: IInstanceProfile;
  /**
   * EC2 key pair for SSH. Prefer Session Manager (enabled by the default profile).
   * @default - no key pair
   */
  readonly keyName?: string;
  /**
   * EBS volumes. When set, it replaces the default root volume, so include the root
   * device if you want to size or encrypt it.
   * @default - one encrypted 20 GiB gp3 root volume on `/dev/xvda` (the root device of
   *   Amazon Linux). Images with another root device (`/dev/sda1` for Ubuntu) or a
   *   snapshot above 20 GiB must set this.
   */
  readonly blockDevices?: readonly BlockDevice[];
  /**
   * Instance metadata service settings.
   * @default - IMDSv2 required, hop limit 1, no tags in IMDS
   */
  readonly metadataOptions?: MetadataOptions;
  /**
   * One-minute CloudWatch metrics (charged) instead of five-minute ones.
   * @default false
   */
  readonly detailedMonitoring?: boolean;
  /**
   * Tags of the instances, their volumes and network interfaces (and of the launch
   * template itself).
   * @default - none
   */
  readonly tags?: { readonly [key: string]: string };
}
