/**
 * The fleets' Terraform expressions (lib/deploy/private/expressions.ts) render the exact
 * text the synthesized JSON holds: operands from cdktf values, bare inside an
 * expression, and the operator text where Op would add parentheses.
 */
import { TerraformLocal, TerraformOutput } from 'cdktf';
import { DataAwsAutoscalingGroup } from '@cdktf/provider-aws/lib/data-aws-autoscaling-group';
import {
  atLeast,
  groupNames,
  largestDesiredCapacity,
  requiredInstances,
  requiredInstancesText,
  requiredWithinMaxCondition,
  servesCondition,
  slotPlan,
  trafficValue,
  weightServedCondition,
  weightsAddUpCondition,
} from '../../lib/deploy/private/expressions';
import { newStack, synthJson } from '../support/synth';

/** Each value rendered as an output of one stack with a `Traffic` local and a group look-up. */
function render(values: (traffic: TerraformLocal, groups: DataAwsAutoscalingGroup) => Record<string, unknown>) {
  const stack = newStack('s');
  const traffic = new TerraformLocal(stack, 'Traffic', { blue: { weight: 90 }, green: { weight: 10 } });
  const groups = new DataAwsAutoscalingGroup(stack, 'Groups', { name: 'web' });
  for (const [id, value] of Object.entries(values(traffic, groups))) {
    new TerraformOutput(stack, id, { value });
  }
  const json = synthJson(stack);
  return Object.fromEntries(Object.keys(json.output).map((id) => [id, json.output[id].value]));
}

describe('fleet expressions', () => {
  const out = render((traffic, groups) => {
    const blue = slotPlan(traffic, ['blue']);
    const green = slotPlan(traffic, ['green']);
    return {
      serves: servesCondition(slotPlan(traffic)),
      weightServed: weightServedCondition(blue),
      addUp: weightsAddUpCondition(blue, green),
      withinMax: requiredWithinMaxCondition(blue, green),
      message: `needs ${requiredInstancesText(blue, green)} instances, but max is ${blue.maxSize}. Raise it`,
      sized: atLeast(2, requiredInstances(trafficValue(traffic, ['blue', 'weight']), 3)),
      running: largestDesiredCapacity(groups),
      names: `group (${groupNames(groups)})`,
    };
  });
  const l = 'local.Traffic';

  test('conditions: one interpolation, references bare, operators as written', () => {
    expect(out.serves).toBe(`\${${l}.min_size > 0 && ${l}.image_id != ""}`);
    expect(out.weightServed).toBe(`\${${l}.blue.weight == 0 || (${l}.blue.min_size > 0 && ${l}.blue.image_id != "")}`);
    expect(out.addUp).toBe(
      `\${${l}.blue.weight >= 0 && ${l}.green.weight >= 0 && ${l}.blue.weight + ${l}.green.weight == 100}`,
    );
  });

  test('a nested expression is inlined without braces', () => {
    expect(out.withinMax).toBe(`\${ceil(${l}.blue.weight * ${l}.green.running / 100) <= ${l}.blue.max_size}`);
  });

  test('in a message, each value is its own interpolation and the text around it is kept (the period too)', () => {
    expect(out.message).toBe(
      `needs \${ceil(${l}.blue.weight * ${l}.green.running / 100)} instances, but max is \${${l}.blue.max_size}. Raise it`,
    );
    expect(out.names).toBe('group (${join(", ", keys(data.aws_autoscaling_group.Groups))})');
  });

  test('sizes through Fn and Op; the running capacity with its for expression', () => {
    expect(out.sized).toBe(`\${max(2, ceil(((${l}.blue.weight * 3) / 100)))}`);
    expect(out.running).toBe(
      '${max(concat([0], [for group in values(data.aws_autoscaling_group.Groups) : group.desired_capacity])...)}',
    );
  });
});
