import {
  Fn,
  IResolvable,
  IResolveContext,
  ListTerraformIterator,
  Op,
  TerraformIterator,
  TerraformLocal,
  Token,
} from 'cdktf';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { DataAwsAutoscalingGroup } from '@cdktf/provider-aws/lib/data-aws-autoscaling-group';

/**
 * Every Terraform expression of the fleets, in one place: built on cdktf's `Fn`, `Op`,
 * `TerraformIterator` and the elements' `fqn`, so that no other file of lib/deploy
 * writes an interpolation by hand (test/architecture/expressions.test.ts checks it).
 *
 * Where `Fn` and `Op` would render another text than the synthesized JSON holds, the
 * expression keeps its text here, written with {@link hcl}: its operands are still
 * cdktf values (references from `fqn` or `Fn.lookupNested`), only the operators are
 * text. `Op` puts every operation in parentheses (`ceil(((a * b) / 100))`) and renders a
 * literal `0` operand as `undefined`; and a `for` expression from `TerraformIterator`
 * reads `[ for key, val in x: val.y]`. Another text is another synthesized JSON: every
 * user's snapshots and reviewed plans would change for nothing.
 */

/**
 * An expression as HCL text with cdktf values as operands. It renders as one
 * interpolation (`${a == 0 || (b > 0)}`), or, inside another expression, as its bare
 * text, the way cdktf's own expressions do (`suppressBraces`).
 */
class HclExpression implements IResolvable {
  public readonly creationStack: string[] = [];

  constructor(
    private readonly strings: readonly string[],
    private readonly operands: readonly unknown[],
  ) {}

  public resolve(context: IResolveContext): string {
    const suppressBraces = context.suppressBraces;
    context.suppressBraces = true;
    const text = this.strings.reduce((out, next, i) => `${out}${operandText(context, this.operands[i - 1])}${next}`);
    context.suppressBraces = suppressBraces;
    return suppressBraces ? text : interpolation(text);
  }

  public toString(): string {
    return Token.asString(this);
  }
}

/** `text` as one interpolation; the only place in lib/deploy that writes `${`. */
function interpolation(text: string): string {
  return '${' + text + '}';
}

/** An operand as HCL text: a reference bare (`local.x.y`), a literal as an HCL literal. */
function operandText(context: IResolveContext, operand: unknown): string {
  const resolved = context.resolve(operand);
  if (Token.isUnresolved(operand) || operand instanceof HclExpression) {
    return String(resolved);
  }
  return JSON.stringify(resolved);
}

/** A tagged template: `` hcl`${a} == 0` `` with `a` a cdktf value. */
function hcl(strings: TemplateStringsArray, ...operands: unknown[]): HclExpression {
  return new HclExpression([...strings], operands);
}

// ---------------------------------------------------------------------------------
// The traffic plan: the `Traffic` local and the listener's preconditions on it.

/** A value of the `Traffic` local (`local.<Traffic>.blue.weight`), read by path. */
export function trafficValue(traffic: TerraformLocal, path: readonly string[]): number {
  return Token.asNumber(Fn.lookupNested(traffic.asAnyMap, [...path]));
}

/**
 * A slot's share of the traffic plan, as references into the `Traffic` local. They are
 * string tokens, also the numbers: a number token in a message would swallow the
 * period after it (`... is ${local.t.blue.max_size}. Raise` would lose its period).
 */
export interface SlotPlan {
  readonly weight: string;
  readonly minSize: string;
  readonly maxSize: string;
  readonly imageId: string;
  readonly running: string;
}

/** The references of one slot (or of the only group: `path` empty) into the `Traffic` local. */
export function slotPlan(traffic: TerraformLocal, path: readonly string[] = []): SlotPlan {
  const at = (key: string) => Token.asString(Fn.lookupNested(traffic.asAnyMap, [...path, key]));
  return {
    weight: at('weight'),
    minSize: at('min_size'),
    maxSize: at('max_size'),
    imageId: at('image_id'),
    running: at('running'),
  };
}

/** The group would serve: it has capacity and an image. */
export function servesCondition(plan: SlotPlan): IResolvable {
  return hcl`${plan.minSize} > 0 && ${plan.imageId} != ""`;
}

/** A slot without weight, or one that can serve it. */
export function weightServedCondition(plan: SlotPlan): IResolvable {
  return hcl`${plan.weight} == 0 || (${plan.minSize} > 0 && ${plan.imageId} != "")`;
}

/** A slot without weight, or one whose template runs `image` (a pinned slot's template keeps its own). */
export function runsImageCondition(plan: SlotPlan, image: string): IResolvable {
  return hcl`${plan.weight} == 0 || ${plan.imageId} == ${image}`;
}

/** Both weights are 0 to 100 and add up to 100. */
export function weightsAddUpCondition(blue: SlotPlan, green: SlotPlan): IResolvable {
  return hcl`${blue.weight} >= 0 && ${green.weight} >= 0 && ${blue.weight} + ${green.weight} == 100`;
}

/**
 * Instances a slot must run to take its weight from the other slot: `ceil(weight *
 * running / 100)`. The precondition writes it without Op's parentheses (see
 * {@link requiredInstances} for the same number as a cdktf value).
 */
function requiredText(slot: SlotPlan, other: SlotPlan): HclExpression {
  return hcl`ceil(${slot.weight} * ${other.running} / 100)`;
}

/** The instances the slot needs, as an interpolation for a message. */
export function requiredInstancesText(slot: SlotPlan, other: SlotPlan): string {
  return requiredText(slot, other).toString();
}

/** The slot's max size holds what it needs to relieve the other slot. */
export function requiredWithinMaxCondition(slot: SlotPlan, other: SlotPlan): IResolvable {
  return hcl`${requiredText(slot, other)} <= ${slot.maxSize}`;
}

/** `ceil(weight * running / 100)` as a cdktf value, for the group's sizes. */
export function requiredInstances(weight: number, running: number): number {
  return Token.asNumber(Fn.ceil(Op.div(Op.mul(weight, running), 100)));
}

/** The larger of `value` and `required`. */
export function atLeast(value: number, required: number): number {
  return Token.asNumber(Fn.max([value, required]));
}

/**
 * The group's `wait_for_elb_capacity`: `required` healthy targets when its target group
 * is in use by a load balancer and the slot grows to take its weight (`required` above
 * `floor`, its own configured size), else null. Null leaves it unset: a group that keeps
 * or lowers its size must not wait (the provider's update wait counts exactly), and a
 * group deployed by an earlier release, which never set it, plans no change.
 */
export function growthWait(loadBalancerArns: string[], required: number, floor: number): number {
  return Token.asNumber(
    Fn.conditional(Op.and(Op.gte(Fn.lengthOf(loadBalancerArns), 1), Op.gt(required, floor)), required, null),
  );
}

/** `100 - part`: a number for a literal part, an expression for a token (a token canary gives a token weight). */
export function remainderOf100(part: number): number {
  return Token.isUnresolved(part) ? Token.asNumber(Op.sub(100, part)) : 100 - part;
}

/** `days` in seconds: a number for a literal, an expression for a token. */
export function secondsOfDays(days: number): number {
  return Token.isUnresolved(days) ? Token.asNumber(Op.mul(days, 86400)) : days * 86400;
}

// ---------------------------------------------------------------------------------
// Idle capacity: a slot that stopped serving is scaled in at a time the release file
// fixes, compared with the plan's own time.

/**
 * The time a slot becomes idle long enough to scale in: `since + seconds`, as
 * `YYYY-MM-DDThh:mm:ssZ` (the format of a scheduled action's `start_time`). A literal
 * for a literal `since`, else `timeadd(since, "<seconds>s")`.
 */
export function idleAt(since: string, seconds: number): string {
  if (Token.isUnresolved(since)) {
    return Fn.timeadd(since, `${seconds}s`);
  }
  return new Date(Date.parse(since) + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * True at plan time once `at` is reached: `timecmp(plantimestamp(), at) >= 0`. The plan's
 * own time, fixed for the whole plan, so that a plan reads the same size from start to
 * end and the next plan after the time agrees with what the scheduled action did.
 */
function idleReached(at: string): HclExpression {
  return hcl`timecmp(plantimestamp(), ${at}) >= 0`;
}

/** `idleSize` once `at` is reached at plan time, else `size` (`null`: Terraform leaves the attribute as it is). */
export function sizeWhenIdle(at: string, idleSize: number, size: number | null): number {
  return Token.asNumber(hcl`${idleReached(at)} ? ${idleSize} : ${size}`);
}

/** The count of the scheduled action that scales the slot in: 1 while `at` is ahead of the plan, then 0. */
export function countUntil(at: string): number {
  return Token.asNumber(hcl`timecmp(plantimestamp(), ${at}) < 0 ? 1 : 0`);
}

// ---------------------------------------------------------------------------------
// The running groups of a slot, read at plan time.

/** An iterator over the names of the groups found (the `for_each` of the single look-up). */
export function eachName(names: string[]): ListTerraformIterator {
  return TerraformIterator.fromList(names);
}

/**
 * The largest desired capacity among the groups found, 0 when there is none:
 * `max(concat([0], [for group in values(<groups>) : group.desired_capacity])...)`.
 */
export function largestDesiredCapacity(groups: DataAwsAutoscalingGroup): string {
  return hcl`max(concat([0], [for group in values(${groups.fqn}) : group.desired_capacity])...)`.toString();
}

/** The names of the groups found, comma separated (for a message). */
export function groupNames(groups: DataAwsAutoscalingGroup): string {
  return Fn.join(', ', Token.asList(Fn.keys(groups.fqn)));
}

// ---------------------------------------------------------------------------------
// The load balancer and the groups.

/** `app/<name>/<id>` of the load balancer of a listener ARN (its metrics' `LoadBalancer` dimension). */
export function loadBalancerArnSuffixOf(listenerArn: string): string {
  return Token.isUnresolved(listenerArn)
    ? Fn.join('/', Fn.slice(Fn.split('/', listenerArn), 1, 4))
    : listenerArn.split('/').slice(1, 4).join('/');
}

/**
 * `gate` when the target group is in use by a load balancer (`load_balancer_arns` not
 * empty), else 0. Written `>= 1`: cdktf 0.21 renders a literal 0 operand of Op.gt as
 * "undefined".
 */
export function whenInUse(loadBalancerArns: string[], gate: number): number {
  return Token.asNumber(Fn.conditional(Op.gte(Fn.lengthOf(loadBalancerArns), 1), gate, 0));
}

/** The `resource_label` of request-count scaling: `<load balancer arn suffix>/<target group arn suffix>`. */
export function requestCountLabel(loadBalancerArnSuffix: string, targetGroupArnSuffix: string): string {
  return `${loadBalancerArnSuffix}/${targetGroupArnSuffix}`;
}

// ---------------------------------------------------------------------------------
// Pinned slots: what a slot runs, read from its resources.

/**
 * `a == b`: a pinned slot's template (its state) against the code's, for a `check`
 * block. A code value that mixes text and an expression (a generation computed at plan)
 * is compared as a string template (`format("%s", "web-blue-${...}")`).
 */
export function sameValueCondition(running: string, code: string): IResolvable {
  return hcl`${running} == ${Token.isUnresolved(code) ? Fn.format('%s', [code]) : code}`;
}

/**
 * The generation a group runs, from its tags (`tagKey`, the generation tag): the state's
 * value, so a pinned group reports what it runs, not what the code says.
 */
export function generationOfGroup(group: AutoscalingGroup, tagKey: string): string {
  return hcl`one([for tag in ${group.fqn}.tag : tag.value if tag.key == ${tagKey}])`.toString();
}
