/**
 * The settings every AWS SDK v3 client of the command line is created with (`release
 * stage`, `release promote --steps`, `advance`, `run` and `status`), and whether
 * credentials are configured. The SDK itself is loaded by the callers, only when they run.
 */
import { existsSync } from 'fs';
import { homedir } from 'os';
import { join } from 'path';

/** Client settings: the region, two attempts and short timeouts, so that an unreachable endpoint fails in seconds. */
export interface SdkClientConfig {
  readonly region: string | undefined;
  readonly maxAttempts: number;
  readonly requestHandler: { readonly connectionTimeout: number; readonly requestTimeout: number };
  /** Credentials of an assumed role (`policy.roleArn`); absent: the SDK's default chain. */
  readonly credentials?: () => Promise<AssumedCredentials>;
}

/** Temporary credentials of an assumed role, as the SDK's credential providers return them. */
export interface AssumedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/**
 * The client settings for `region` (undefined: the SDK's own lookup). The SDK reads
 * credentials through its default chain and honours AWS_ENDPOINT_URL (and the
 * per-service AWS_ENDPOINT_URL_<SERVICE>).
 *
 * It also quiets the SDK's notice, printed on every run under node 20, that its releases
 * after January 2027 need node 22: this package supports node 20, so the notice is noise
 * in each CI log. An explicit setting of the variable wins.
 */
export function sdkClientConfig(region: string | undefined, roleArn?: string): SdkClientConfig {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const base = { region, maxAttempts: 2, requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 } };
  return roleArn === undefined ? base : { ...base, credentials: assumeRole(roleArn, base) };
}

/**
 * A credential provider that assumes `roleArn` with STS (AssumeRole), calling STS with
 * the default credential chain, and keeps the credentials until five minutes before
 * they expire. The role's trust policy must allow the caller; a refusal names the role.
 */
export function assumeRole(
  roleArn: string,
  config: Omit<SdkClientConfig, 'credentials'>,
  sts?: { send(command: unknown): Promise<unknown> },
): () => Promise<AssumedCredentials> {
  let cached: AssumedCredentials | undefined;
  return async () => {
    if (cached?.expiration && cached.expiration.getTime() - Date.now() > 5 * 60_000) {
      return cached;
    }
    const { AssumeRoleCommand, STSClient } = require('@aws-sdk/client-sts') as typeof import('@aws-sdk/client-sts');
    const client = sts ?? new STSClient(config);
    let answer: import('@aws-sdk/client-sts').AssumeRoleCommandOutput;
    try {
      answer = (await client.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: `cdktf-immutable-${process.pid}`,
          DurationSeconds: 3600,
        }),
      )) as import('@aws-sdk/client-sts').AssumeRoleCommandOutput;
    } catch (error) {
      throw new Error(
        `could not assume the role ${roleArn} ("policy.roleArn") with the default credentials: ` +
          `${(error as Error).name}: ${(error as Error).message}. Check that the role's trust policy allows the ` +
          'caller (aws sts get-caller-identity).',
        { cause: error },
      );
    }
    const credentials = answer.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
      throw new Error(`STS returned no credentials for the role ${roleArn} ("policy.roleArn").`);
    }
    cached = {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      expiration: credentials.Expiration,
    };
    return cached;
  };
}

/**
 * Whether AWS credentials are configured where the command can see them without asking
 * a network service: access keys, a profile, a web identity token or a container
 * credentials endpoint in the environment, or a shared credentials or config file. The
 * release commands check the AMI and the alarms with AWS when this is true (or when
 * `--verify` asks for the SDK's whole chain, instance roles included), and say that they
 * did not when it is false: looking for an instance role would stall every offline run.
 */
export function credentialsConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  const set = (name: string) => (env[name] ?? '') !== '';
  if (
    set('AWS_ACCESS_KEY_ID') ||
    set('AWS_PROFILE') ||
    set('AWS_WEB_IDENTITY_TOKEN_FILE') ||
    set('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI') ||
    set('AWS_CONTAINER_CREDENTIALS_FULL_URI')
  ) {
    return true;
  }
  const home = env.HOME || env.USERPROFILE || homedir();
  const files = [
    env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'),
    env.AWS_CONFIG_FILE || join(home, '.aws', 'config'),
  ];
  return files.some((file) => existsSync(file));
}
