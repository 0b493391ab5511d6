import { Op, Token } from 'cdktf';
import { otherSlot, SlotName } from '../release/release-file';

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
 */
export function trafficWeights(active: SlotName, canaryPercent: number = 0): TrafficWeights {
  if (active !== 'blue' && active !== 'green') {
    throw new Error(`trafficWeights: active (${JSON.stringify(active)}) must be "blue" or "green".`);
  }
  const idle = otherSlot(active);
  if (Token.isUnresolved(canaryPercent)) {
    const weights = { [active]: Token.asNumber(Op.sub(100, canaryPercent)), [idle]: canaryPercent };
    return { blue: weights.blue, green: weights.green };
  }
  if (!Number.isInteger(canaryPercent) || canaryPercent < 0 || canaryPercent > 100) {
    throw new Error(`trafficWeights: canaryPercent (${canaryPercent}) must be an integer from 0 to 100.`);
  }
  const weights = { [active]: 100 - canaryPercent, [idle]: canaryPercent };
  return { blue: weights.blue, green: weights.green };
}
