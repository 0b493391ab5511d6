import { isLiteral, Validator } from '../private/validation';

/** The metric a {@link FleetScaling} policy tracks. */
export type ScalingMetric = 'cpu' | 'requests-per-target';

/**
 * Target-tracking scaling, emitted for every generation (each auto scaling group gets
 * its own policy, replaced together with the group). With scaling, the fleets stop
 * managing the groups' desired capacity after creation (lifecycle ignore_changes),
 * so the next apply does not undo what the policy scaled.
 *
 * The target is checked where a fleet uses it, so that an error names the fleet
 * (`ReplaceFleet prod/Api: scaling: FleetScaling.cpuUtilization: targetPercent ...`).
 */
export class FleetScaling {
  /** Keep the group's average CPU utilization near `targetPercent` (above 0, at most 100). */
  public static cpuUtilization(targetPercent: number): FleetScaling {
    return new FleetScaling('cpu', targetPercent);
  }

  /**
   * Keep the load balancer requests per instance (per minute) near `requests` (at least 1,
   * `ALBRequestCountPerTarget`).
   */
  public static requestsPerTarget(requests: number): FleetScaling {
    return new FleetScaling('requests-per-target', requests);
  }

  private constructor(
    /** The tracked metric. */
    public readonly metric: ScalingMetric,
    /** The target value of the metric. */
    public readonly targetValue: number,
  ) {}

  /**
   * Checks the target (unless a token) through `check` (the fleet's), with `prop`
   * (`scaling`) and the factory in front of the message.
   * @internal
   */
  public _check(check: Validator, prop: string): void {
    const value = this.targetValue;
    if (!isLiteral(value)) {
      return;
    }
    if (this.metric === 'cpu' && !(value > 0 && value <= 100)) {
      check.fail(
        `${prop}: FleetScaling.cpuUtilization: targetPercent (${value}) must be above 0 and at most 100, e.g. 50.`,
      );
    }
    if (this.metric === 'requests-per-target' && !(Number.isFinite(value) && value >= 1)) {
      check.fail(`${prop}: FleetScaling.requestsPerTarget: requests (${value}) must be at least 1, e.g. 1000.`);
    }
  }
}
