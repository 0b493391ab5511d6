/** The test route of a {@link BlueGreenFleet} (`testRoute`): a header rule to the idle slot. */
export interface FleetTestRoute {
  /**
   * Priority of the test route's listener rule (1 to 50000, unique per listener). On an
   * existing listener it must come before the fleet's own rule (a lower number than
   * `FleetLoadBalancer.fromListener`'s `priority`).
   * @default 1 on a load balancer the fleet creates; required on an existing listener
   */
  readonly priority?: number;
  /**
   * The header whose value `staged` sends a request to the idle slot.
   * @default 'X-Cdktf-Immutable-Slot'
   */
  readonly header?: string;
}

/** The header value that selects the idle slot. */
export const TEST_ROUTE_HEADER_VALUE = 'staged';

/** The default header of the test route. */
export const TEST_ROUTE_HEADER = 'X-Cdktf-Immutable-Slot';
