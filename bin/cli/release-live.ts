// `release status --live`: what the pinned slots of an environment run in AWS (their
// groups' launch template) against the launch template the code defines now (the
// synthesized stack in cdktf.out). The AWS SDK is required inside the functions only.
import type { DescribeAutoScalingGroupsCommandOutput } from '@aws-sdk/client-auto-scaling';
import { join } from 'path';
import { CliError, EXIT_BAD_INPUT } from './errors';
import { sdkClientConfig } from './aws-sdk-config';
import type { AwsSdkClient } from './rollout-aws';
import { FLEET_TAG, SLOT_TAG } from 'cdktf-immutable/names';
import { otherSlot, ReleaseFile } from 'cdktf-immutable/release';
import { PinnedSlot, pinnedSlots, readSynthOutput, SynthOutputError } from 'cdktf-immutable/review';

/** The pinned slots of the synthesized stacks in `synthDir` (default `cdktf.out`). */
export function readPinnedSlots(synthDir: string | undefined): { slots: PinnedSlot[]; dir: string } {
  const dir = synthDir ?? join(process.cwd(), 'cdktf.out');
  try {
    return { slots: pinnedSlots(readSynthOutput(dir)), dir };
  } catch (error) {
    if (error instanceof SynthOutputError) {
      throw new CliError(
        `release status --live: ${error.message} The code's launch templates come from the synthesized ` +
          'stacks: run "cdktf synth" first, or pass --synth <cdktf.out folder>.',
        EXIT_BAD_INPUT,
      );
    }
    throw error;
  }
}

/** The launch template name each group of a fleet's slot runs, read from Auto Scaling. */
async function runningTemplates(client: AwsSdkClient, fleet: string, slot: string): Promise<string[]> {
  const { DescribeAutoScalingGroupsCommand } =
    require('@aws-sdk/client-auto-scaling') as typeof import('@aws-sdk/client-auto-scaling');
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = (await client.send(
      new DescribeAutoScalingGroupsCommand({
        Filters: [
          { Name: `tag:${FLEET_TAG}`, Values: [fleet] },
          { Name: `tag:${SLOT_TAG}`, Values: [slot] },
        ],
        NextToken: token,
      }),
    )) as DescribeAutoScalingGroupsCommandOutput;
    for (const group of page.AutoScalingGroups ?? []) {
      const name =
        group.LaunchTemplate?.LaunchTemplateName ??
        group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification?.LaunchTemplateName;
      if (name) {
        names.push(name);
      }
    }
    token = page.NextToken;
  } while (token);
  return names;
}

/** The generation at the end of a launch template name (`web-prod-blue-0a1b2c3d4e` -> `0a1b2c3d4e`). */
function generationOf(name: string): string {
  return name.slice(name.lastIndexOf('-') + 1);
}

/**
 * One line per pinned slot of `release`'s environment: the launch template its group
 * runs and the one the code defines, and, for the serving slot when they differ, the
 * command that ships the code's definition.
 */
export async function liveStatusLines(
  release: ReleaseFile,
  slots: readonly PinnedSlot[],
  dir: string,
  client: AwsSdkClient,
): Promise<string[]> {
  const env = release.environment;
  const own = slots.filter(
    (slot) => slot.environment === env && (release.fleet === undefined || slot.fleet.startsWith(`${release.fleet}-`)),
  );
  if (own.length === 0) {
    return [
      `    live: no pinned slot of ${env} in ${dir}; build the fleet with fromRelease(loadReleaseFile(...)) and run ` +
        '"cdktf synth".',
    ];
  }
  const lines: string[] = [];
  for (const pinned of own) {
    const running = await runningTemplates(client, pinned.fleet, pinned.slot);
    const role = pinned.slot === release.active ? 'serving' : pinned.slot === otherSlot(release.active) ? 'idle' : '';
    const code = pinned.codeLaunchTemplateName;
    const head = `    live: ${pinned.slot} (${role}, fleet ${pinned.fleet})`;
    if (running.length === 0) {
      lines.push(`${head}: no group found in AWS; the code defines ${code}.`);
    } else if (code.includes('${')) {
      const compare =
        role === 'serving'
          ? `compare with a plan: its check ${pinned.fleet.replace(/[^A-Za-z0-9_]+/g, '_')}_${pinned.slot}_pinned ` +
            `fails when the code differs (then ship it: cdktf-immutable release stage ${env} --same-image).`
          : 'the rollback slot keeps the previous definition until the next release replaces it.';
      lines.push(
        `${head} runs ${running.join(', ')} (generation ${running.map(generationOf).join(', ')}); the code's ` +
          `generation is computed at plan (it hashes values known only then): ${compare}`,
      );
    } else if (running.every((name) => name === code)) {
      lines.push(`${head} runs ${code}, the code's definition.`);
    } else {
      const ship =
        role === 'serving'
          ? ` Ship it: cdktf-immutable release stage ${env} --same-image, deploy, then promote.`
          : ' (the rollback slot keeps the previous definition until the next release replaces it).';
      lines.push(
        `${head} runs ${running.join(', ')} (generation ${running.map(generationOf).join(', ')}); the code ` +
          `defines ${code} (generation ${generationOf(code)}).${ship}`,
      );
    }
  }
  return lines;
}

/** An Auto Scaling client with the command line's settings (AWS_ENDPOINT_URL and the region honoured). */
export function autoScalingClient(region: string | undefined, roleArn?: string): AwsSdkClient {
  const { AutoScalingClient } =
    require('@aws-sdk/client-auto-scaling') as typeof import('@aws-sdk/client-auto-scaling');
  const resolved = region ?? (process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || undefined);
  return new AutoScalingClient(sdkClientConfig(resolved, roleArn));
}
