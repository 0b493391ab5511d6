import { Token } from 'cdktf';
import { ValidationError } from '../private/validation';

/** The metric a {@link FleetScaling} policy tracks. */
export type ScalingMetric = 'cpu' | 'requests-per-target';

/**
 * Target-tracking scaling, emitted for every generation (each auto scaling group gets
 * its own policy, replaced together with the group). With scaling, the fleets stop
 * managing the groups' desired capacity after creation (lifecycle ignore_changes),
 * so the next apply does not undo what the policy scaled.
 */
export class FleetScaling {
  /** Keep the group's average CPU utilization near `targetPercent` (1 to 100). */
  public static cpuUtilization(targetPercent: number): FleetScaling {
    if (!Token.isUnresolved(targetPercent) && !(targetPercent > 0 && targetPercent <= 100)) {
      throw new ValidationError(
        `targetPercent (${targetPercent}) must be above 0 and at most 100, e.g. 50.`,
        'FleetScaling.cpuUtilization',
      );
    }
    return new FleetScaling('cpu', targetPercent);
  }

  /**
   * Keep the load balancer requests per instance (per minute) near `requests`
   * (`ALBRequestCountPerTarget`).
   */
  public static requestsPerTarget(requests: number): FleetScaling {
    if (!Token.isUnresolved(requests) && !(Number.isFinite(requests) && requests >= 1)) {
      throw new ValidationError(
        `requests (${requests}) must be at least 1, e.g. 1000.`,
        'FleetScaling.requestsPerTarget',
      );
    }
    return new FleetScaling('requests-per-target', requests);
  }

  private constructor(
    /** The tracked metric. */
    public readonly metric: ScalingMetric,
    /** The target value of the metric. */
    public readonly targetValue: number,
  ) {}
}
