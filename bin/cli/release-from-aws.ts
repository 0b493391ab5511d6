/**
 * `release stage` with AWS: `--from-ssm <parameter>` and `--from-pipeline <name>` read the
 * AMI id from an SSM parameter (an AMI pipeline publishes every build's AMI id to one),
 * and every stage checks the AMI with EC2 `DescribeImages` when it can: it exists, is
 * available in the environment's region, and has the fleet's architecture when the
 * release file records it. The AWS SDK is loaded only when a check runs (required here,
 * inside the functions).
 */
import { sdkClientConfig } from './aws-sdk-config';
import { CliError, EXIT_BAD_INPUT, EXIT_REFUSED } from './errors';
import {
  AMI_ID,
  defaultAmiParameterName,
  PIPELINE_NAME,
  PIPELINE_NAME_RULE,
  REGION,
  SSM_PARAMETER_NAME,
} from 'cdktf-immutable/names';

/** What the command sends: the request's input and the SDK command's name. */
export interface AwsCommand {
  readonly input: object;
  readonly constructor: { readonly name: string };
}

/** One image of a DescribeImages answer, as far as the command reads it. */
export interface AwsImage {
  readonly ImageId?: string;
  readonly State?: string;
  readonly Architecture?: string;
}

/** What the command reads of the answers: GetParameter's `Parameter` and DescribeImages' `Images`. */
export interface AwsAnswer {
  readonly Parameter?: { readonly Value?: string };
  readonly Images?: ReadonlyArray<AwsImage>;
}

/** The one method of an SDK v3 client that the command uses. */
export interface AwsClient {
  send(command: AwsCommand): Promise<AwsAnswer | undefined>;
}

/** The clients for `region`: SSM and EC2 of the AWS SDK v3 unless a test gives its own. */
export interface AwsClients {
  readonly ssm: AwsClient;
  readonly ec2: AwsClient;
  readonly commands: {
    getParameter(input: { Name: string }): AwsCommand;
    describeImages(input: { ImageIds: string[] }): AwsCommand;
  };
}

/** Where the image comes from: the parameter to read and the `source` the release file records. */
export interface AwsImageSource {
  readonly parameter: string;
  /** `ssm:<parameter>` or `pipeline:<name>`. */
  readonly source: string;
  /** The option as the user gave it, for messages. */
  readonly option: string;
}

/** `--from-ssm <parameter>` or `--from-pipeline <name>` (exactly one is given). */
export function awsImageSource(fromSsm: string | undefined, fromPipeline: string | undefined): AwsImageSource {
  if (fromSsm !== undefined) {
    if (!SSM_PARAMETER_NAME.test(fromSsm) || fromSsm.length > 2048) {
      throw new CliError(
        `release stage: --from-ssm "${fromSsm}" is not an SSM parameter name; expected a path such as ` +
          `/images/web/ami-id.`,
      );
    }
    return { parameter: fromSsm, source: `ssm:${fromSsm}`, option: `--from-ssm ${fromSsm}` };
  }
  const pipeline = fromPipeline!;
  if (!PIPELINE_NAME.test(pipeline)) {
    throw new CliError(
      `release stage: --from-pipeline "${pipeline}" is not an AMI pipeline name; expected ${PIPELINE_NAME_RULE} ` +
        `(the AmiPipeline's name).`,
    );
  }
  const parameter = defaultAmiParameterName(pipeline);
  return { parameter, source: `pipeline:${pipeline}`, option: `--from-pipeline ${pipeline} (parameter ${parameter})` };
}

/** The region of the environment: --region, else AWS_REGION, else AWS_DEFAULT_REGION. */
export function awsRegion(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const region = option ?? (env.AWS_REGION || undefined) ?? (env.AWS_DEFAULT_REGION || undefined);
  if (region === undefined) {
    throw new CliError(
      "release stage: no AWS region; pass --region <region> (the environment's region, e.g. eu-west-1) or set " +
        'AWS_REGION.',
    );
  }
  if (!REGION.test(region)) {
    throw new CliError(`release stage: region "${region}" is not an AWS region name such as eu-west-1.`);
  }
  return region;
}

/**
 * The SDK's clients for `region` (AWS_ENDPOINT_URL and the usual credential chain apply;
 * undefined: the region of the AWS profile), with `roleArn` assumed when given.
 */
export function sdkClients(region: string | undefined, roleArn?: string): AwsClients {
  const ssm = require('@aws-sdk/client-ssm') as typeof import('@aws-sdk/client-ssm');
  const ec2 = require('@aws-sdk/client-ec2') as typeof import('@aws-sdk/client-ec2');
  const config = sdkClientConfig(region, roleArn);
  return {
    ssm: new ssm.SSMClient(config) as unknown as AwsClient,
    ec2: new ec2.EC2Client(config) as unknown as AwsClient,
    commands: {
      getParameter: (input) => new ssm.GetParameterCommand(input),
      describeImages: (input) => new ec2.DescribeImagesCommand(input),
    },
  };
}

/**
 * The AMI id in `from`'s parameter, after checking that the AMI exists and is
 * `available` in `region` (and has `architecture`, when given). Refusals (exit 1) name
 * the AMI, its state and the region; a missing parameter, missing credentials or an
 * unreachable endpoint are exit 2.
 */
export async function resolveAwsImage(
  from: AwsImageSource,
  region: string,
  clients: AwsClients,
  architecture?: string,
): Promise<string> {
  let value: string | undefined;
  try {
    const output = await clients.ssm.send(clients.commands.getParameter({ Name: from.parameter }));
    value = output?.Parameter?.Value;
  } catch (error) {
    if (nameOf(error) === 'ParameterNotFound') {
      throw new CliError(
        `release stage: ${from.option}: the SSM parameter ${from.parameter} does not exist in ${region}; check ` +
          `the name and the region (--region), or build the image first (an AMI pipeline publishes it with its ` +
          `first build).`,
        EXIT_BAD_INPUT,
      );
    }
    throw unreachable(error, `read the SSM parameter ${from.parameter}`, region);
  }
  if (value === undefined || !AMI_ID.test(value)) {
    throw new CliError(
      `release stage: refused: ${from.option}: the SSM parameter ${from.parameter} in ${region} holds ` +
        `${JSON.stringify(value ?? null)}, not an AMI id; nothing was staged.`,
      EXIT_REFUSED,
    );
  }
  let image: AwsImage | undefined;
  try {
    image = await describeImage(value, clients);
  } catch (error) {
    throw unreachable(error, `describe the AMI ${value}`, region);
  }
  checkImage(value, image, from.option, region, architecture);
  return value;
}

/** The image `id` as DescribeImages returns it, or undefined when EC2 does not know it. */
async function describeImage(id: string, clients: AwsClients): Promise<AwsImage | undefined> {
  try {
    const output = await clients.ec2.send(clients.commands.describeImages({ ImageIds: [id] }));
    return (output?.Images ?? []).find((i) => i.ImageId === id);
  } catch (error) {
    if (/^InvalidAMIID\./.test(nameOf(error) ?? '')) {
      return undefined;
    }
    throw error;
  }
}

/** Refuses (exit 1) an image that is missing, not available, or of another architecture than the fleet's. */
function checkImage(
  id: string,
  image: AwsImage | undefined,
  option: string,
  region: string,
  architecture: string | undefined,
): asserts image is AwsImage {
  if (!image) {
    throw new CliError(
      `release stage: refused: ${option}: the AMI ${id} does not exist in ${region} (deregistered, or ` +
        `built in another region); nothing was staged.`,
      EXIT_REFUSED,
    );
  }
  if (image.State !== 'available') {
    throw new CliError(
      `release stage: refused: ${option}: the AMI ${id} in ${region} is ` +
        `${image.State ?? 'in an unknown state'}, not available; nothing was staged. Stage it once it is available.`,
      EXIT_REFUSED,
    );
  }
  if (architecture !== undefined && image.Architecture !== undefined && image.Architecture !== architecture) {
    throw new CliError(
      `release stage: refused: ${option}: the AMI ${id} in ${region} is ${image.Architecture}, but the release ` +
        `file says the fleet runs ${architecture} ("architecture"): its instances could not boot it; nothing was ` +
        `staged. Stage a ${architecture} image, or set "architecture" to ${image.Architecture} in the release file ` +
        `when the fleet's instance type changes to it.`,
      EXIT_REFUSED,
    );
  }
}

/** How a release command checks with AWS: `--verify`, `--no-verify`, or when credentials are configured. */
export type VerifyMode = 'always' | 'never' | 'auto';

/**
 * Checks an AMI that `release stage --image` or `--from` is about to stage, and returns
 * the line that says how it was checked, or why not. A missing, unavailable or
 * wrong-architecture AMI is refused (exit 1). In `auto` mode an unreachable endpoint or
 * missing credentials skip the check (the line says so); with `--verify` they are exit 2.
 * Any other failure (access denied) is exit 2 with the fix.
 */
export async function verifyImage(
  id: string,
  option: string,
  region: string,
  mode: VerifyMode,
  clients: AwsClients,
  architecture?: string,
): Promise<string> {
  let image: AwsImage | undefined;
  try {
    image = await describeImage(id, clients);
  } catch (error) {
    const skipped = mode === 'auto' ? skipReason(error) : undefined;
    if (skipped !== undefined) {
      return (
        `not checked with AWS: ${skipped}. Check it before the deploy, or pass --no-verify to stage without ` +
        'checking on purpose.'
      );
    }
    throw unreachable(error, `check the AMI ${id}`, region, '; or pass --no-verify to stage it without checking');
  }
  checkImage(id, image, option, region, architecture);
  return (
    `checked with AWS: ${id} is available in ${region}` +
    `${image.Architecture ? ` (${image.Architecture}${architecture ? `, the fleet's architecture` : ''})` : ''}.`
  );
}

/** Why a check in `auto` mode is skipped rather than failed: no credentials, or AWS cannot be reached. */
function skipReason(error: unknown): string | undefined {
  const name = nameOf(error);
  const message = (error as Error)?.message ?? String(error);
  if (name === 'CredentialsProviderError' || /credential/i.test(message)) {
    return `no AWS credentials (${message})`;
  }
  const code = (error as { code?: string })?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  if (
    (code && /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH/.test(code)) ||
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|timed? ?out|socket hang up|EHOSTUNREACH|ENETUNREACH/i.test(message)
  ) {
    const endpoint = process.env.AWS_ENDPOINT_URL ? ` at ${process.env.AWS_ENDPOINT_URL}` : '';
    return `EC2${endpoint} cannot be reached (${code ?? message}): offline`;
  }
  return undefined;
}

function nameOf(error: unknown): string | undefined {
  return (
    (error as { name?: string; Code?: string } | undefined)?.name ?? (error as { Code?: string } | undefined)?.Code
  );
}

/** Missing credentials, an unreachable endpoint, a denied call: exit 2, nothing written. */
function unreachable(error: unknown, what: string, region: string, alternative = ''): CliError {
  const name = nameOf(error);
  const message = (error as Error)?.message ?? String(error);
  if (name === 'CredentialsProviderError') {
    return new CliError(
      `release stage: no AWS credentials to ${what} in ${region} (${message}); configure credentials ` +
        `(AWS_PROFILE, AWS_ACCESS_KEY_ID...) and run it again${alternative}. Nothing was staged.`,
      EXIT_BAD_INPUT,
    );
  }
  if (/region is missing/i.test(message)) {
    return new CliError(
      `release stage: no AWS region to ${what} in; pass --region <region> (the environment's region) or set ` +
        `AWS_REGION${alternative}. Nothing was staged.`,
      EXIT_BAD_INPUT,
    );
  }
  const endpoint = process.env.AWS_ENDPOINT_URL ? ` at ${process.env.AWS_ENDPOINT_URL}` : '';
  return new CliError(
    `release stage: could not ${what} in ${region}${endpoint}: ${name ? `${name}: ` : ''}${message}. Nothing was ` +
      `staged${alternative ? ` (check the permission ec2:DescribeImages and the region${alternative})` : ''}.`,
    EXIT_BAD_INPUT,
  );
}
