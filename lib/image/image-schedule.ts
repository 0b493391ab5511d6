import { Token } from 'cdktf';
import { show, Validator } from '../private/validation';
import { validateCronExpression } from './private/cron';

/** Options of {@link ImageSchedule.cron}. */
export interface ImageScheduleOptions {
  /**
   * Build only when a dependency has a newer version (a parent image or component
   * referenced with an `x` wildcard version): Image Builder's
   * EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE. When false, every tick builds
   * (EXPRESSION_MATCH_ONLY), which also picks up OS package updates that components
   * such as update-linux install.
   * @default true
   */
  readonly onlyWhenDependenciesUpdated?: boolean;

  /**
   * IANA time zone of the expression, e.g. `Europe/Paris`.
   * @default - UTC
   */
  readonly timezone?: string;
}

const TIMEZONE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/** When a scheduled pipeline rebuilds the image, for security patches. */
export class ImageSchedule {
  /**
   * An Image Builder cron expression: six fields, `minute hour day-of-month month
   * day-of-week year`, with `?` in exactly one of the two day fields, e.g.
   * `cron(0 3 ? * SUN *)` (Sundays 03:00). The `cron( )` wrapper is optional.
   */
  public static cron(expression: string, options: ImageScheduleOptions = {}): ImageSchedule {
    const check = new Validator('ImageSchedule.cron');
    let normalized = expression;
    if (!Token.isUnresolved(expression)) {
      normalized = check.reportAs(`expression (${show(expression)}) is not an Image Builder cron expression: `, () =>
        validateCronExpression(expression),
      );
    }
    check.pattern('timezone', options.timezone, TIMEZONE, 'an IANA time zone name such as "Etc/UTC" or "Europe/Paris"');
    return new ImageSchedule(normalized, options.onlyWhenDependenciesUpdated ?? true, options.timezone);
  }

  private constructor(
    /** The expression in its `cron(...)` form. */
    public readonly expression: string,
    /** True: build only when dependencies were updated. */
    public readonly onlyWhenDependenciesUpdated: boolean,
    /** IANA time zone, or undefined for UTC. */
    public readonly timezone: string | undefined,
  ) {}

  /** Image Builder's pipeline_execution_start_condition for this schedule. */
  public get startCondition(): 'EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE' | 'EXPRESSION_MATCH_ONLY' {
    return this.onlyWhenDependenciesUpdated
      ? 'EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE'
      : 'EXPRESSION_MATCH_ONLY';
  }
}
