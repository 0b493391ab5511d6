import { Testing, TerraformStack } from 'cdktf';
import { BlueGreenFleet, BlueGreenFleetProps, ImageSource, ReplaceFleet, ReplaceFleetProps } from '../../lib';

/** Helpers shared by the fleet tests (not a test file). */

export type Json = Record<string, any>;

export const VPC = 'vpc-0123456789abcdef0';
export const SUBNETS = ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'];
export const AMI_1 = 'ami-0123456789abcdef0';
export const AMI_2 = 'ami-0fedcba9876543210';
export const AMI_3 = 'ami-0aaaaaaaaaaaaaaaa';

/** A release as the release files record it. */
export interface Release {
  readonly blue: string | null;
  readonly green: string | null;
  readonly active: 'blue' | 'green';
  readonly canary?: number;
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
    ...extra,
    slots: {
      blue: { ...slot(release.blue), ...extra.slots?.blue },
      green: { ...slot(release.green), ...extra.slots?.green },
    },
  };
}

export function synthBlueGreen(props: BlueGreenFleetProps): { json: Json; text: string; fleet: BlueGreenFleet } {
  const stack = new TerraformStack(Testing.app(), 'prod');
  const fleet = new BlueGreenFleet(stack, 'Web', props);
  const text = Testing.synth(stack);
  return { json: JSON.parse(text), text, fleet };
}

export function synthReplace(props: Partial<ReplaceFleetProps> = {}): {
  json: Json;
  text: string;
  fleet: ReplaceFleet;
} {
  const stack = new TerraformStack(Testing.app(), 'prod');
  const fleet = new ReplaceFleet(stack, 'Api', {
    name: 'api',
    vpcId: VPC,
    subnetIds: SUBNETS,
    image: ImageSource.fromAmiId(AMI_1),
    ...props,
  });
  const text = Testing.synth(stack);
  return { json: JSON.parse(text), text, fleet };
}

/** Every resource as `type.name` -> its JSON text. */
export function addresses(json: Json): Map<string, string> {
  const out = new Map<string, string>();
  for (const [type, byName] of Object.entries(json.resource ?? {})) {
    for (const [name, config] of Object.entries(byName as Json)) {
      out.set(`${type}.${name}`, JSON.stringify(config));
    }
  }
  return out;
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
