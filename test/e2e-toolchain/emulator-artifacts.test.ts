/**
 * The e2e no-op check tolerates the known emulator artifacts of
 * test/e2e/harness/emulator-artifacts.ts by type, attribute and values, and nothing else.
 * These run without the toolchain, on plan changes shaped like `tofu show -json`'s.
 */
import {
  artifactsOf,
  changedAttributes,
  EMULATOR_ARTIFACTS,
  PlannedChange,
  toleratedChanges,
} from '../e2e/harness/emulator-artifacts';
import { noOpViolations, planActions, PlanJson, SavedPlan } from '../e2e/harness/tofu';

const POLICY = {
  name: 'web-blue-0123456789-cpu-target-tracking',
  autoscaling_group_name: 'web-blue-0123456789',
  policy_type: 'TargetTrackingScaling',
  target_tracking_configuration: [{ target_value: 60 }],
};

function update(
  type: string,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  address = `${type}.x`,
): PlannedChange {
  return { address, type, mode: 'managed', change: { actions: ['update'], before, after, after_unknown: {} } };
}

const motoPolicy = update(
  'aws_autoscaling_policy',
  { ...POLICY, enabled: false },
  { ...POLICY, enabled: true },
  'aws_autoscaling_policy.Web_Blue_ScalingPolicy',
);
const EMPTY_PREDICTIVE = [
  {
    max_capacity_breach_behavior: '',
    max_capacity_buffer: '',
    metric_specification: [],
    mode: '',
    scheduling_buffer_time: '',
  },
];
/** What moto 5.2.5 really gives after an apply (both listed artifacts on one policy). */
const motoPolicyAsSeen = update(
  'aws_autoscaling_policy',
  { ...POLICY, enabled: false, predictive_scaling_configuration: EMPTY_PREDICTIVE },
  { ...POLICY, enabled: true, predictive_scaling_configuration: [] },
  'aws_autoscaling_policy.Web_Green_ScalingPolicy',
);

function saved(
  changes: PlannedChange[],
  exitCode: number,
  outputs: Record<string, { actions: string[] }> = {},
): SavedPlan {
  const json: PlanJson = { resource_changes: changes as PlanJson['resource_changes'], output_changes: outputs };
  return { file: 'plan.tfplan', jsonFile: 'plan.json', json, exitCode };
}

describe('the list', () => {
  test('every entry names a type, an attribute, both values and why', () => {
    expect(EMULATOR_ARTIFACTS.length).toBeGreaterThan(0);
    for (const artifact of EMULATOR_ARTIFACTS) {
      expect(artifact.type).toMatch(/^aws_[a-z0-9_]+$/);
      expect(artifact.attribute).toMatch(/^[a-z0-9_]+$/);
      expect('from' in artifact && 'to' in artifact).toBe(true);
      expect(artifact.why.length).toBeGreaterThan(40);
    }
  });

  test("holds the two scaling policy artifacts and the Lambda function's dead-letter config of moto 5.2.5", () => {
    expect(EMULATOR_ARTIFACTS.map((a) => `${a.type}.${a.attribute}`)).toEqual([
      'aws_autoscaling_policy.enabled',
      'aws_autoscaling_policy.predictive_scaling_configuration',
      'aws_lambda_function.dead_letter_config',
    ]);
    expect(EMULATOR_ARTIFACTS[0]).toEqual(expect.objectContaining({ from: false, to: true }));
  });
});

describe('artifactsOf', () => {
  test('the listed change alone is an artifact', () => {
    expect(changedAttributes(motoPolicy.change)).toEqual(['enabled']);
    expect(artifactsOf(motoPolicy)?.map((a) => `${a.type}.${a.attribute}`)).toEqual(['aws_autoscaling_policy.enabled']);
  });

  test('the plan moto 5.2.5 gives for a policy after apply (both listed attributes) is an artifact', () => {
    expect(changedAttributes(motoPolicyAsSeen.change)).toEqual(['enabled', 'predictive_scaling_configuration']);
    expect(artifactsOf(motoPolicyAsSeen)?.map((a) => a.attribute)).toEqual([
      'enabled',
      'predictive_scaling_configuration',
    ]);
  });

  test('a predictive scaling configuration that is not the empty block moto adds is a real change', () => {
    const real = update(
      'aws_autoscaling_policy',
      { ...POLICY, predictive_scaling_configuration: [{ ...EMPTY_PREDICTIVE[0], mode: 'ForecastOnly' }] },
      { ...POLICY, predictive_scaling_configuration: [] },
    );
    expect(artifactsOf(real)).toBeUndefined();
  });

  test('another attribute changed next to it makes it a real change', () => {
    const both = update(
      'aws_autoscaling_policy',
      { ...POLICY, enabled: false },
      { ...POLICY, enabled: true, target_tracking_configuration: [{ target_value: 70 }] },
    );
    expect(changedAttributes(both.change)).toEqual(['enabled', 'target_tracking_configuration']);
    expect(artifactsOf(both)).toBeUndefined();
  });

  test('the same attribute of another type is not on the list', () => {
    expect(artifactsOf(update('aws_lb_target_group', { enabled: false }, { enabled: true }))).toBeUndefined();
  });

  test('the same attribute with other values is not on the list (true -> false is a real change)', () => {
    expect(
      artifactsOf(update('aws_autoscaling_policy', { ...POLICY, enabled: true }, { ...POLICY, enabled: false })),
    ).toBeUndefined();
  });

  test('a replacement or a create is never an artifact', () => {
    expect(
      artifactsOf({ ...motoPolicy, change: { ...motoPolicy.change, actions: ['create', 'delete'] } }),
    ).toBeUndefined();
    expect(artifactsOf({ ...motoPolicy, change: { ...motoPolicy.change, actions: ['create'] } })).toBeUndefined();
  });

  test('an attribute known only after apply counts as changed', () => {
    const unknown: PlannedChange = { ...motoPolicy, change: { ...motoPolicy.change, after_unknown: { arn: true } } };
    expect(changedAttributes(unknown.change)).toEqual(['arn', 'enabled']);
    expect(artifactsOf(unknown)).toBeUndefined();
  });

  test('after_unknown without a true leaf (nested blocks all known) changes nothing', () => {
    const known: PlannedChange = {
      ...motoPolicy,
      change: {
        ...motoPolicy.change,
        after_unknown: { target_tracking_configuration: [{ customized_metric_specification: [] }] },
      },
    };
    expect(changedAttributes(known.change)).toEqual(['enabled']);
  });
});

describe('the no-op check (noOpViolations) and planActions', () => {
  test('a plan with only the listed artifact is a no-op although tofu exits 2; the artifact is reported as tolerated', () => {
    const plan = saved([motoPolicy, motoPolicyAsSeen], 2);
    expect(noOpViolations(plan)).toEqual([]);
    expect(planActions(plan.json)).toEqual({});
    expect(toleratedChanges(plan.json.resource_changes as PlannedChange[])).toEqual([
      'aws_autoscaling_policy.Web_Blue_ScalingPolicy: enabled (known emulator artifacts)',
      'aws_autoscaling_policy.Web_Green_ScalingPolicy: enabled, predictive_scaling_configuration (known emulator artifacts)',
    ]);
  });

  test('an artifact not on the list still fails the check, by address and action', () => {
    const drift = update('aws_autoscaling_group', { max_size: 2 }, { max_size: 4 }, 'aws_autoscaling_group.Web');
    expect(noOpViolations(saved([motoPolicy, drift], 2))).toEqual(['update aws_autoscaling_group.Web']);
    const notListed = update(
      'aws_autoscaling_policy',
      { ...POLICY, enabled: false, estimated_instance_warmup: 0 },
      { ...POLICY, enabled: true, estimated_instance_warmup: 300 },
      'aws_autoscaling_policy.P',
    );
    expect(noOpViolations(saved([notListed], 2))).toEqual(['update aws_autoscaling_policy.P']);
  });

  test('an output change fails it, and so does exit code 2 with nothing to show for it', () => {
    expect(noOpViolations(saved([], 2, { web_active_slot: { actions: ['update'] } }))).toEqual([
      'update output.web_active_slot',
    ]);
    expect(noOpViolations(saved([], 2))).toEqual([
      'plan -detailed-exitcode was 2 with no resource or output change (see plan.json)',
    ]);
    expect(noOpViolations(saved([], 0, { web_active_slot: { actions: ['no-op'] } }))).toEqual([]);
  });
});
