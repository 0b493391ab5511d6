// What a rollout runs besides AWS reads: the verification command (with the staged
// slot's test route in its environment) and the notifications (an SNS topic, a
// webhook). The AWS SDK is required inside the functions, only when they run.
import { spawn } from 'child_process';
import type { CliIo } from './io';
import { sdkClientConfig } from './aws-sdk-config';
import {
  otherSlot,
  type ReleaseFile,
  type RolloutNotifications,
  type SlotName,
  type VerifyResult,
} from 'cdktf-immutable/release';

/** How long a verification command may run before it is stopped and counts as failed. */
export const VERIFY_TIMEOUT_MS = 15 * 60_000;
/** Lines of the command's output kept for the abort's reason. */
const TAIL_LINES = 5;

/** The environment of the verification command: where the staged slot answers, and for which rollout. */
export function verifyEnvironment(
  release: ReleaseFile,
  fleet: string,
  route: { readonly url: string; readonly header?: string },
  weight: number,
): Record<string, string> {
  const slot: SlotName = otherSlot(release.active);
  return {
    CDKTF_IMMUTABLE_TEST_URL: route.url,
    CDKTF_IMMUTABLE_TEST_HEADER: route.header ?? '',
    CDKTF_IMMUTABLE_TEST_SLOT: slot,
    CDKTF_IMMUTABLE_ENVIRONMENT: release.environment,
    CDKTF_IMMUTABLE_FLEET: fleet,
    CDKTF_IMMUTABLE_NEXT_WEIGHT: String(weight),
  };
}

/**
 * Runs a verification command through the shell with `env` added to the environment,
 * its output passed through to `io`; it fails when it exits non-zero, is killed, or runs
 * longer than `timeoutMs` (then it gets SIGTERM). The reason names the command, the
 * exit and the last lines of its output.
 */
export function runVerify(
  command: string,
  env: Record<string, string>,
  io: CliIo,
  timeoutMs: number = VERIFY_TIMEOUT_MS,
): Promise<VerifyResult> {
  io.out(`$ ${command}   (verification, ${env.CDKTF_IMMUTABLE_TEST_URL})\n`);
  return new Promise((resolve) => {
    const child = spawn(command, { shell: true, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk: Buffer, write: (text: string) => void) => {
      const text = chunk.toString('utf8');
      write(text);
      tail = (tail + text)
        .split('\n')
        .slice(-(TAIL_LINES + 1))
        .join('\n');
    };
    child.stdout.on('data', (chunk: Buffer) => keep(chunk, (t) => io.out(t)));
    child.stderr.on('data', (chunk: Buffer) => keep(chunk, (t) => io.err(t)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, timeoutMs);
    const finish = (result: VerifyResult) => {
      clearTimeout(timer);
      resolve(result);
    };
    child.on('error', (error) => finish({ ok: false, reason: `"${command}" could not start: ${error.message}` }));
    child.on('close', (code, signal) => {
      const output = tail
        .trim()
        .replace(/\s*\n\s*/g, ' | ')
        .slice(-500);
      const said = output ? `: ${output}` : '';
      if (timedOut) {
        finish({ ok: false, reason: `"${command}" ran longer than ${timeoutMs / 1000}s and was stopped${said}` });
      } else if (code === 0) {
        finish({ ok: true, reason: `"${command}" exited 0` });
      } else {
        finish({ ok: false, reason: `"${command}" ${signal ? `was killed by ${signal}` : `exited ${code}`}${said}` });
      }
    });
  });
}

/** A rollout event, as the command line and the watchdog send it. */
export type RolloutEventName = 'started' | 'step-served' | 'aborted' | 'complete';

/** The JSON of an event: what happened, where, and the rollout's state after it. */
export function rolloutEvent(event: RolloutEventName, release: ReleaseFile, message: string): Record<string, unknown> {
  const rollout = release.rollout;
  return {
    event,
    source: 'cdktf-immutable',
    environment: release.environment,
    fleet: rollout?.fleet ?? release.policy?.fleet ?? null,
    active: release.active,
    canarySlot: otherSlot(release.active),
    weight: release.canary,
    step: rollout ? rollout.step + 1 : null,
    steps: rollout ? [...rollout.steps] : null,
    status: rollout?.status ?? null,
    abort: rollout?.abort ?? null,
    time: new Date().toISOString(),
    message,
  };
}

/**
 * Sends an event to the policy's targets: an SNS message (subject `cdktf-immutable:
 * <environment> rollout <event>`, the JSON as the body) and/or a POST of the JSON to the
 * webhook. A failed notification is a warning on stderr: the rollout goes on.
 */
export async function notify(
  targets: RolloutNotifications | undefined,
  body: Record<string, unknown>,
  io: CliIo,
  region: string | undefined,
): Promise<void> {
  if (!targets) {
    return;
  }
  const text = JSON.stringify(body);
  const sends: Array<[string, () => Promise<void>]> = [];
  if (targets.snsTopicArn) {
    const topic = targets.snsTopicArn;
    sends.push([
      `SNS topic ${topic}`,
      async () => {
        const sns = require('@aws-sdk/client-sns') as typeof import('@aws-sdk/client-sns');
        const topicRegion = topic.split(':')[3] || region;
        const client = new sns.SNSClient(sdkClientConfig(topicRegion));
        const subject = `cdktf-immutable: ${body.environment} rollout ${body.event}`.slice(0, 100);
        await client.send(new sns.PublishCommand({ TopicArn: topic, Subject: subject, Message: text }));
      },
    ]);
  }
  if (targets.webhookUrl) {
    const url = targets.webhookUrl;
    sends.push([
      `webhook ${new URL(url).host}`,
      async () => {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: text,
          signal: AbortSignal.timeout(5000),
        });
        if (!response.ok) {
          throw new Error(`HTTP ${response.status}`);
        }
      },
    ]);
  }
  for (const [target, send] of sends) {
    try {
      await send();
      io.out(`notified ${target}: ${body.event}\n`);
    } catch (error) {
      io.err(
        `cdktf-immutable: warning: the ${body.event} notification to ${target} failed (${(error as Error).message}); ` +
          'the rollout goes on.\n',
      );
    }
  }
}
