import { StateBackend } from 'cdktf-immutable';

/**
 * Typed configuration: the images stack and one stack per service and environment. Add an
 * environment here and create its release file with
 * `npx cdktf-immutable release init <name>` (with several services, once per service:
 * `npx cdktf-immutable release init <name> --fleet <service>`).
 */

/**
 * The services: each one an image built by the images stack (images/install-<service>.yml,
 * its id published to the SSM parameter /images/<service>/ami-id) and a blue/green fleet
 * per environment (stack <service>-<env>). With one service the release files are
 * releases/<env>.json; with several, releases/<service>/<env>.json, and every release
 * command takes --fleet <service>.
 */
export const SERVICES: readonly string[] = ['web'];

/** An existing VPC, or a small one the stack creates (a VPC and two subnets, no internet access). */
export type NetworkConfig =
  | { readonly kind: 'existing'; readonly vpcId: string; readonly subnetIds: readonly string[] }
  | { readonly kind: 'created'; readonly cidr16: string };

export interface EnvironmentConfig {
  /** The environment: stack <service>-<name>, release file releases/<name>.json (one service) or releases/<service>/<name>.json. */
  readonly name: string;
  readonly region: string;
  readonly network: NetworkConfig;
  readonly instanceType: string;
  readonly capacity: { readonly min: number; readonly max: number };
  /** Size of the root volume (/dev/xvda): at least the image's, see images-stack.ts. */
  readonly rootVolumeGiB: number;
  /** An ACM certificate: HTTPS on 443 (HTTP redirects). Without one the load balancer serves HTTP on 80. */
  readonly certificateArn?: string;
  readonly backend: StateBackend;
}

export interface ImagesConfig {
  readonly region: string;
  /** One AMI pipeline per service, all in the images stack. */
  readonly services: readonly string[];
  readonly backend: StateBackend;
  /** The commit the AMI is built from, tagged on it; main.ts passes the last commit of images/. */
  readonly sourceCommit?: string;
}

/**
 * Where state lives. Local files by default, so synth and diff need no credentials.
 * Once the bucket exists:
 * StateBackend.s3({ bucket: 'my-org-terraform-state', region: 'eu-west-1', keyPrefix: 'web' })
 * (key web/<stack>.tfstate, encrypted, native S3 locking).
 */
const backend = StateBackend.local();

export const IMAGES: ImagesConfig = { region: 'eu-west-1', services: SERVICES, backend };

export const ENVIRONMENTS: readonly EnvironmentConfig[] = [
  {
    name: 'dev',
    region: 'eu-west-1',
    network: { kind: 'created', cidr16: '10.10' },
    instanceType: 't3.micro',
    capacity: { min: 1, max: 2 },
    rootVolumeGiB: 16,
    backend,
  },
  {
    name: 'prod',
    region: 'eu-west-1',
    network: { kind: 'created', cidr16: '10.20' },
    instanceType: 't3.small',
    capacity: { min: 2, max: 6 },
    rootVolumeGiB: 16,
    backend,
  },
];
