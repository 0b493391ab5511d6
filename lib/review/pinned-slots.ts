import { pinnedMetadata } from '../immutability/lifecycle-metadata';
import { isObject } from './private/diff';

/** A pinned blue/green slot of a synthesized stack, as the fleet recorded it on its launch template. */
export interface PinnedSlot {
  /** The stack's name in the synth output. */
  readonly stack: string;
  /** The launch template's address (`aws_launch_template.Web_Blue_LaunchTemplate_...`). */
  readonly address: string;
  /** The fleet's name (the `cdktf-immutable:fleet` tag of its groups). */
  readonly fleet: string;
  /** `blue` or `green`. */
  readonly slot: string;
  /** The release file's environment, when the fleet was built from one. */
  readonly environment?: string;
  /**
   * The launch template name the code defines now (`<fleet>-<slot>-<generation>`); the
   * slot keeps running the one it was deployed with until a release replaces it.
   */
  readonly codeLaunchTemplateName: string;
}

/**
 * The pinned slots of synthesized stacks (`readSynthOutput`): each launch template that
 * carries the fleet's pinned metadata, with the name the code gives it. `release status
 * --live` compares that name with the one the slot's group runs in AWS.
 */
export function pinnedSlots(stacks: ReadonlyMap<string, unknown>): PinnedSlot[] {
  const out: PinnedSlot[] = [];
  for (const [stack, json] of stacks) {
    const templates = isObject(json) && isObject(json.resource) ? json.resource.aws_launch_template : undefined;
    for (const [name, body] of Object.entries(isObject(templates) ? templates : {})) {
      const pinned = pinnedMetadata(body);
      if (!pinned || !isObject(body) || typeof body.name !== 'string') {
        continue;
      }
      out.push({
        stack,
        address: `aws_launch_template.${name}`,
        fleet: pinned.fleet,
        slot: pinned.slot,
        ...(pinned.environment !== undefined ? { environment: pinned.environment } : {}),
        codeLaunchTemplateName: body.name,
      });
    }
  }
  return out;
}
