// What `deploy` reads from a synthesized stack (cdk.tf.json) before it plans: the
// blue/green fleets (their target groups carry the fleet and slot tags), the weights
// the stack's listener or listener rule gives each slot, and the AWS provider's region.
import { FLEET_TAG, SLOT_TAG } from 'cdktf-immutable/names';
import type { SlotName } from 'cdktf-immutable/release';

/** A blue/green fleet of a synthesized stack. */
export interface StackFleet {
  /** The fleet's name as its target groups are tagged (lowercased). */
  readonly fleet: string;
  /**
   * The weights the stack's forward action gives each slot, when both are literal
   * numbers; undefined when no listener or rule forwards to the slots, or a weight is an
   * expression.
   */
  readonly weights?: Readonly<Record<SlotName, number>>;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** The blue/green fleets of a stack's Terraform JSON, sorted by name. */
export function stackFleets(stack: unknown): StackFleet[] {
  const resources = isObject(stack) && isObject(stack.resource) ? stack.resource : {};
  const groups = isObject(resources.aws_lb_target_group) ? resources.aws_lb_target_group : {};
  // target group logical id -> fleet and slot
  const slots = new Map<string, { fleet: string; slot: SlotName }>();
  for (const [id, group] of Object.entries(groups)) {
    const tags = isObject(group) && isObject(group.tags) ? group.tags : {};
    const fleet = tags[FLEET_TAG];
    const slot = tags[SLOT_TAG];
    if (typeof fleet === 'string' && (slot === 'blue' || slot === 'green')) {
      slots.set(id, { fleet: fleet.toLowerCase(), slot });
    }
  }
  const fleets = new Map<string, StackFleet>();
  for (const { fleet } of slots.values()) {
    fleets.set(fleet, { fleet });
  }
  const forwarders = [
    ...Object.values(isObject(resources.aws_lb_listener) ? resources.aws_lb_listener : {}).map((listener) =>
      isObject(listener) ? listener.default_action : undefined,
    ),
    ...Object.values(isObject(resources.aws_lb_listener_rule) ? resources.aws_lb_listener_rule : {}).map((rule) =>
      isObject(rule) ? rule.action : undefined,
    ),
  ];
  for (const actions of forwarders) {
    for (const action of list(actions)) {
      const found = forwardedWeights(action, slots);
      if (found && fleets.has(found.fleet) && fleets.get(found.fleet)!.weights === undefined) {
        fleets.set(found.fleet, found);
      }
    }
  }
  return [...fleets.values()].sort((a, b) => a.fleet.localeCompare(b.fleet));
}

/** The weights of a forward action whose target groups are one fleet's slot groups, if literal. */
function forwardedWeights(
  action: unknown,
  slots: Map<string, { fleet: string; slot: SlotName }>,
): StackFleet | undefined {
  if (!isObject(action) || action.type !== 'forward') {
    return undefined;
  }
  const forward = list(action.forward)[0];
  const targets = isObject(forward) ? list(forward.target_group) : [];
  const weights: Record<SlotName, number> = { blue: 0, green: 0 };
  let fleet: string | undefined;
  for (const target of targets) {
    const arn = isObject(target) ? target.arn : undefined;
    const match = typeof arn === 'string' ? /^\$\{aws_lb_target_group\.([^.}]+)\.arn\}$/.exec(arn) : null;
    const slot = match ? slots.get(match[1]) : undefined;
    if (!slot || (fleet !== undefined && slot.fleet !== fleet)) {
      return undefined;
    }
    fleet = slot.fleet;
    const weight = (target as Json).weight ?? 1;
    if (typeof weight !== 'number') {
      return { fleet };
    }
    weights[slot.slot] += weight;
  }
  if (fleet === undefined) {
    return undefined;
  }
  const total = weights.blue + weights.green;
  if (total === 0) {
    return { fleet, weights };
  }
  const blue = Math.round((weights.blue / total) * 100);
  return { fleet, weights: { blue, green: 100 - blue } };
}

/** The region of the stack's (first) AWS provider, when it is a literal. */
export function stackRegion(stack: unknown): string | undefined {
  const providers = isObject(stack) && isObject(stack.provider) ? list(stack.provider.aws) : [];
  const region = isObject(providers[0]) ? providers[0].region : undefined;
  return typeof region === 'string' && !region.includes('${') ? region : undefined;
}
