import { BlueGreenFleet, BlueGreenFleetProps, ImageSource, ReplaceFleet, ReplaceFleetProps } from '../../lib';
import { AMI_1, Json, resourcesByAddress, SUBNETS, synthStack, VPC } from '../support/synth';

/**
 * Fleet builders shared by the fleet tests (not a test file). Synthesizing, the `Json`
 * type and the fixed ids come from the shared module, test/support/synth.ts; they are
 * re-exported here for the tests outside test/deploy that still import them from here.
 */
export { AMI_1, AMI_2, AMI_3, SUBNETS, VPC } from '../support/synth';
export type { Json } from '../support/synth';

/** A release as the release files record it. */
export interface Release {
  readonly blue: string | null;
  readonly green: string | null;
  readonly active: 'blue' | 'green';
  readonly canary?: number;
  /** The staged slot as the release file records it (`stagedSlot`); unset: the fleet's default (the idle slot). */
  readonly staged?: 'blue' | 'green' | 'none';
}

/** Fleet props from a release, the way a stack maps a release file onto the fleet. */
export function fromRelease(release: Release, extra: Partial<BlueGreenFleetProps> = {}): BlueGreenFleetProps {
  const slot = (image: string | null) => (image ? { image: ImageSource.fromAmiId(image) } : {});
  return {
    name: 'web',
    vpcId: VPC,
    subnetIds: SUBNETS,
    active: release.active,
    canaryPercent: release.canary ?? 0,
    ...(release.staged !== undefined ? { stagedSlot: release.staged } : {}),
    ...extra,
    slots: {
      blue: { ...slot(release.blue), ...extra.slots?.blue },
      green: { ...slot(release.green), ...extra.slots?.green },
    },
  };
}

/** A blue/green fleet `Web` in stack `prod`, synthesized. */
export function synthBlueGreen(props: BlueGreenFleetProps): { json: Json; text: string; fleet: BlueGreenFleet } {
  const { json, text, built } = synthStack((stack) => new BlueGreenFleet(stack, 'Web', props), 'prod');
  return { json, text, fleet: built };
}

/** A replace fleet `Api` (name `api`, image AMI_1 unless `props` say otherwise) in stack `prod`, synthesized. */
export function synthReplace(props: Partial<ReplaceFleetProps> = {}): {
  json: Json;
  text: string;
  fleet: ReplaceFleet;
} {
  const { json, text, built } = synthStack(
    (stack) =>
      new ReplaceFleet(stack, 'Api', {
        name: 'api',
        vpcId: VPC,
        subnetIds: SUBNETS,
        image: ImageSource.fromAmiId(AMI_1),
        ...props,
      }),
    'prod',
  );
  return { json, text, fleet: built };
}

/** Every resource as `type.name` -> its JSON text. */
export function addresses(json: Json): Map<string, string> {
  return new Map([...resourcesByAddress(json)].map(([address, config]) => [address, JSON.stringify(config)]));
}

/** What a plan from `before` to `after` would touch, by Terraform address. */
export function compare(
  before: Json,
  after: Json,
): { created: string[]; destroyed: string[]; changed: string[]; unchanged: string[] } {
  const a = addresses(before);
  const b = addresses(after);
  const result = {
    created: [] as string[],
    destroyed: [] as string[],
    changed: [] as string[],
    unchanged: [] as string[],
  };
  for (const [address, text] of b) {
    if (!a.has(address)) {
      result.created.push(address);
    } else if (a.get(address) !== text) {
      result.changed.push(address);
    } else {
      result.unchanged.push(address);
    }
  }
  for (const address of a.keys()) {
    if (!b.has(address)) {
      result.destroyed.push(address);
    }
  }
  return result;
}

/** The single resource of `type` whose address contains `part`. */
export function resource(json: Json, type: string, part: string): Json {
  const matches = Object.entries(json.resource[type] ?? {}).filter(([name]) => name.includes(part));
  if (matches.length !== 1) {
    throw new Error(`expected one ${type} matching ${part}, found ${matches.map(([n]) => n).join(', ') || 'none'}`);
  }
  return matches[0][1] as Json;
}

/** The address (`type.name`) of the single resource of `type` whose name contains `part`. */
export function address(json: Json, type: string, part: string): string {
  const names = Object.keys(json.resource[type] ?? {}).filter((name) => name.includes(part));
  if (names.length !== 1) {
    throw new Error(`expected one ${type} matching ${part}, found ${names.join(', ') || 'none'}`);
  }
  return `${type}.${names[0]}`;
}
