import { Token } from 'cdktf';
import { otherSlot, SlotName } from '../../release/release-file';
import { remainderOf100 } from './expressions';

/** Listener weights (percent of requests) per slot; they sum to 100. */
export interface TrafficWeights {
  /** Weight of the blue slot's target group. */
  readonly blue: number;
  /** Weight of the green slot's target group. */
  readonly green: number;
}

/**
 * The listener weights for an `active` slot and a canary percentage sent to the
 * other (idle) slot: `active` gets `100 - canaryPercent`, the idle slot
 * `canaryPercent`. A token canary yields token weights (`100 - var.canary`).
 *
 * Takes checked values: {@link BlueGreenFleet} validates `active` and `canaryPercent`
 * where they enter, and the listener's preconditions check a token canary at plan.
 * @internal
 */
export function trafficWeights(active: SlotName, canaryPercent: number = 0): TrafficWeights {
  const idle = otherSlot(active);
  const activeWeight = Token.isUnresolved(canaryPercent) ? remainderOf100(canaryPercent) : 100 - canaryPercent;
  const weights = { [active]: activeWeight, [idle]: canaryPercent };
  return { blue: weights.blue, green: weights.green };
}
