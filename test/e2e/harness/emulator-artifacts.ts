/**
 * Known emulator artifacts: plan changes that moto's answers cause and AWS's would not,
 * which the e2e checks tolerate by resource type, attribute and exact values, one entry
 * each, with the reason. Anything else in a plan (another attribute of the same type, the
 * same attribute with other values, another action than an in-place update) is a real
 * change and fails the check. Documented in docs/testing.md, "Known emulator artifacts".
 *
 * Kept free of the toolchain (no tofu, no moto) so that the unit tests can check it
 * (test/e2e-toolchain/emulator-artifacts.test.ts).
 */

/** One known artifact: an in-place update of `type`.`attribute` from `from` to `to`. */
export interface EmulatorArtifact {
  readonly type: string;
  readonly attribute: string;
  /** The value the provider reads back from the emulator (the plan's `before`). */
  readonly from: unknown;
  /** The value the configuration sets (the plan's `after`). */
  readonly to: unknown;
  /** Why the emulator causes it and why AWS would not. */
  readonly why: string;
}

export const EMULATOR_ARTIFACTS: readonly EmulatorArtifact[] = [
  {
    type: 'aws_autoscaling_policy',
    attribute: 'enabled',
    from: false,
    to: true,
    why:
      'moto 5.2.5 DescribePolicies omits "Enabled", which the provider reads as false, so every plan after an apply ' +
      'updates each scaling policy to enabled = true again; AWS returns Enabled = true for a policy created enabled.',
  },
  {
    type: 'aws_autoscaling_policy',
    attribute: 'predictive_scaling_configuration',
    from: [
      {
        max_capacity_breach_behavior: '',
        max_capacity_buffer: '',
        metric_specification: [],
        mode: '',
        scheduling_buffer_time: '',
      },
    ],
    to: [],
    why:
      'moto 5.2.5 PutScalingPolicy stores an empty PredictiveScalingConfiguration when none is given and DescribePolicies ' +
      'returns it, which the provider reads as one empty block; AWS returns none for a target-tracking policy.',
  },
  {
    type: 'aws_lambda_function',
    attribute: 'dead_letter_config',
    from: [],
    to: [{ target_arn: 'arn:aws:sqs:eu-west-1:123456789012:e2e-wd-watchdog-dlq' }],
    why:
      'moto 5.2.5 CreateFunction drops DeadLetterConfig and GetFunction returns none, which the provider reads as no ' +
      'block, so every plan after an apply updates the watchdog function (watchdog-fleet.e2e.test.ts, fleet e2e-wd) to ' +
      'its dead-letter queue again; AWS returns DeadLetterConfig.TargetArn as created.',
  },
];

/** The part of a `show -json` resource change these checks read. */
export interface PlannedChange {
  readonly address: string;
  readonly type: string;
  readonly mode?: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly before?: any;
    readonly after?: any;
    readonly after_unknown?: any;
  };
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(canonical);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** The top-level attributes an update changes: a different value, or one known only after apply. */
export function changedAttributes(change: PlannedChange['change']): string[] {
  const before = change.before ?? {};
  const after = change.after ?? {};
  const unknown = change.after_unknown ?? {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)]);
  return [...keys].filter((key) => !same(before[key], after[key]) || anyUnknown(unknown[key])).sort();
}

/** `after_unknown` mirrors the value's shape with `true` where a value is unknown. */
function anyUnknown(value: unknown): boolean {
  if (value === true) {
    return true;
  }
  return value !== null && typeof value === 'object' && Object.values(value).some(anyUnknown);
}

/**
 * The known artifacts that explain `rc` entirely, or undefined when it is a real change:
 * only an in-place update whose every changed attribute is listed for its type, with
 * exactly the listed values, is an artifact.
 */
export function artifactsOf(
  rc: PlannedChange,
  artifacts: readonly EmulatorArtifact[] = EMULATOR_ARTIFACTS,
): EmulatorArtifact[] | undefined {
  if (rc.mode === 'data' || rc.change.actions.join(',') !== 'update') {
    return undefined;
  }
  const changed = changedAttributes(rc.change);
  if (changed.length === 0) {
    return undefined;
  }
  const found: EmulatorArtifact[] = [];
  for (const attribute of changed) {
    const artifact = artifacts.find(
      (a) =>
        a.type === rc.type &&
        a.attribute === attribute &&
        same(rc.change.before?.[attribute], a.from) &&
        same(rc.change.after?.[attribute], a.to),
    );
    if (!artifact) {
      return undefined;
    }
    found.push(artifact);
  }
  return found;
}

/** `<address>: <attribute>, ... (known emulator artifacts)` for each tolerated change of `changes`. */
export function toleratedChanges(
  changes: readonly PlannedChange[],
  artifacts: readonly EmulatorArtifact[] = EMULATOR_ARTIFACTS,
): string[] {
  return changes.flatMap((rc) => {
    const found = artifactsOf(rc, artifacts);
    return found ? [`${rc.address}: ${found.map((a) => a.attribute).join(', ')} (known emulator artifacts)`] : [];
  });
}
