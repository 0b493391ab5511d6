import { createHash } from 'crypto';
import { deterministicZip } from '../../../private/deterministic-zip';
import { WATCHDOG_HANDLER_SOURCE } from './handler-code';

/**
 * The canary watchdog function's package and settings, for the construct that deploys it.
 *
 * How the construct ships the code: as a cdktf `TerraformAsset` of type FILE. The AWS
 * provider's `aws_lambda_function` takes code only from a zip file (`filename`), S3 or an
 * image; it has no inline field (CloudFormation's `ZipFile` has no Terraform counterpart),
 * so base64 text is not an option for the function itself. The construct writes
 * {@link watchdogPackage}`().zip` to a file named by its hash (`fileName`), registers it
 * as a FILE asset (cdktf copies it into the stack's output under a folder named by the
 * content's hash, so the synthesized JSON is the same on every machine), and sets
 * `source_code_hash` to `sha256` computed here, rather than `filebase64sha256()` at plan
 * time. cdktf's own ARCHIVE assets are not used: they zip a folder with each file's
 * modification time, so a fresh checkout would change the bytes and redeploy the function.
 */

/** The function's handler: `index.js`, export `handler`. */
export const WATCHDOG_HANDLER = 'index.handler';

/** The runtime: Node.js 22, whose AWS SDK v3 provides the ELBv2, SSM and SNS clients (nodejs20.x works too). */
export const WATCHDOG_RUNTIME = 'nodejs22.x';

/** The environment variables the handler reads, by meaning. */
export const WATCHDOG_ENVIRONMENT = {
  /** The listener whose default action forwards to both slots (or set `ruleArn`). */
  listenerArn: 'WATCHDOG_LISTENER_ARN',
  /** The listener rule whose action forwards to both slots (or set `listenerArn`). */
  ruleArn: 'WATCHDOG_RULE_ARN',
  /** The blue slot's target group ARN. */
  blueTargetGroupArn: 'WATCHDOG_BLUE_TARGET_GROUP_ARN',
  /** The green slot's target group ARN. */
  greenTargetGroupArn: 'WATCHDOG_GREEN_TARGET_GROUP_ARN',
  /** The stable (active) slot: `blue` or `green`; the other one is the canary. */
  activeSlot: 'WATCHDOG_ACTIVE_SLOT',
  /** JSON object of alarm name to the slot it watches, such as `{"web-green-5xx-rate": "green"}`. */
  alarms: 'WATCHDOG_ALARMS',
  /** The SSM parameter (String) of the abort record. */
  recordParameter: 'WATCHDOG_RECORD_PARAMETER',
  /** Optional: the SNS topic ARN to notify of an abort. */
  snsTopicArn: 'WATCHDOG_SNS_TOPIC_ARN',
  /** Optional: the http(s) URL to POST the abort to (JSON). */
  webhookUrl: 'WATCHDOG_WEBHOOK_URL',
  /** Optional: the fleet's name, for the record, the logs and the notification. */
  fleet: 'WATCHDOG_FLEET',
} as const;

/** The function's zip, ready to write as a FILE asset. */
export interface WatchdogPackage {
  /** The zip's bytes: `index.js` only, deterministic (see `deterministicZip`). */
  readonly zip: Buffer;
  /** Base64 SHA-256 of `zip`, the function's `source_code_hash`. */
  readonly sha256: string;
  /** A file name for the zip that changes with its content: `watchdog-<12 hex digits>.zip`. */
  readonly fileName: string;
}

/** The handler's source text (`index.js`). */
export function watchdogHandlerSource(): string {
  return WATCHDOG_HANDLER_SOURCE;
}

/** The function's package: a deterministic zip of `index.js`, its hash and a file name. */
export function watchdogPackage(): WatchdogPackage {
  const zip = deterministicZip({ 'index.js': WATCHDOG_HANDLER_SOURCE });
  const digest = createHash('sha256').update(zip).digest();
  return { zip, sha256: digest.toString('base64'), fileName: `watchdog-${digest.toString('hex').slice(0, 12)}.zip` };
}
