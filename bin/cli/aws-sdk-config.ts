/**
 * The settings every AWS SDK v3 client of the command line is created with (`release
 * stage --from-ssm/--from-pipeline`, `release advance`, `run` and `status`). Type-only
 * imports here: the SDK itself is loaded by the callers, only when they run.
 */

/** Client settings: the region, two attempts and short timeouts, so that an unreachable endpoint fails in seconds. */
export interface SdkClientConfig {
  readonly region: string | undefined;
  readonly maxAttempts: number;
  readonly requestHandler: { readonly connectionTimeout: number; readonly requestTimeout: number };
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
export function sdkClientConfig(region: string | undefined): SdkClientConfig {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return { region, maxAttempts: 2, requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 } };
}
