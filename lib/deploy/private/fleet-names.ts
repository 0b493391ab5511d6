import { TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { fixedName, NameRule } from '../../immutability/naming';
import { Validator } from '../../private/validation';

/** A fixed name (load balancer or target group) a fleet uses, before and after shortening. */
export interface FleetFixedName {
  readonly kind: 'load balancer' | 'target group';
  /** `<name>` or `<name>-<slot>` at full length (sanitized). */
  readonly full: string;
  /** The name given to AWS: `full`, or shortened to 32 characters. */
  readonly name: string;
}

/** A fleet as the name check sees it: a construct and the fixed names it uses. */
export interface FleetNames extends IConstruct {
  readonly _fixedNames: readonly FleetFixedName[];
}

/**
 * The fixed name of a fleet's load balancer (`suffix` undefined) or target group, within
 * 32 characters, with its full form for the shortening warning (see
 * {@link warnShortenedNames}).
 */
export function fleetFixedName(kind: FleetFixedName['kind'], base: string, suffix?: string): FleetFixedName {
  const rule = kind === 'load balancer' ? NameRule.LOAD_BALANCER : NameRule.TARGET_GROUP;
  return { kind, full: fixedName(rule, base, suffix, Number.MAX_SAFE_INTEGER), name: fixedName(rule, base, suffix) };
}

/**
 * The other constructs of the stack of `scope` that hold fixed names (the fleets, and the
 * shared load balancers): `scope` must not use theirs.
 */
export function otherNameHolders(scope: IConstruct): FleetNames[] {
  const stack = TerraformStack.of(scope);
  return stack.node
    .findAll()
    .filter((c): c is FleetNames => c !== scope && '_fixedNames' in c && TerraformStack.of(c) === stack);
}

/**
 * Fails with a `ValidationError` (through `check`, the fleet's) naming both fleets when
 * one of `others` already uses `fixed.name` (AWS compares the names without case). A fleet's
 * resources use the stack's default AWS provider, so one stack is one account and
 * region, where load balancer and target group names must be unique. ELBv2 refuses a
 * second load balancer or target group of one name with other settings
 * (DuplicateLoadBalancerName, DuplicateTargetGroupName) at apply, and for the same
 * settings returns the existing one, so that two Terraform resources would share it
 * and destroying one would break the other fleet.
 *
 * `others` are the other fleets of the stack: each keeps its own names (see
 * {@link FleetNames}), so nothing outlives the app.
 */
export function claimFleetName(
  others: readonly FleetNames[],
  check: Validator,
  fixed: FleetFixedName,
  nameProp: string,
): void {
  const key = nameKey(fixed);
  for (const other of others) {
    // a FleetBase subclassed outside the library holds no names
    const taken = (other._fixedNames ?? []).find((name) => nameKey(name) === key);
    if (taken) {
      check.fail(clashMessage(fixed, taken, other, TerraformStack.of(other), nameProp));
    }
  }
}

/** Names of one kind compare without case. */
function nameKey(fixed: FleetFixedName): string {
  return `${fixed.kind}:${fixed.name.toLowerCase()}`;
}

function clashMessage(
  fixed: FleetFixedName,
  taken: FleetFixedName,
  other: FleetNames,
  stack: TerraformStack,
  nameProp: string,
): string {
  // different full names that meet only once shortened to 32 characters
  const shortened =
    taken.full !== fixed.full
      ? ` (shortened to 32 characters from "${fixed.full}"; the other from "${taken.full}")`
      : '';
  return (
    `${nameProp} gives the ${fixed.kind} name "${fixed.name}"${shortened}, which ` +
    `${other.constructor.name} ${other.node.path} already uses in stack ${stack.node.id}; ` +
    `${fixed.kind} names must be unique per account and region, and every fleet of a stack runs in the stack's ` +
    'region: give each fleet its own name prop.'
  );
}

/**
 * One warning for every fixed name of the fleet that was shortened to fit 32
 * characters: it names the prop, the original, each shortened result and the longest
 * name that fits.
 */
export function warnShortenedNames(
  check: Validator,
  names: readonly FleetFixedName[],
  base: string,
  nameProp: string,
): void {
  const shortened = names.filter((n) => n.full !== n.name);
  if (shortened.length === 0) {
    return;
  }
  const longestSuffix = Math.max(
    ...names.map((n) => n.full.length - NameRule.TARGET_GROUP.sanitize(base).replace(/-+$/, '').length),
  );
  const fits = 32 - longestSuffix;
  check.warn(
    `${nameProp} is ${base.length} characters, too long for the fleet's fixed names (AWS allows 32 characters): ` +
      `${shortened.map((n) => `${n.kind} "${n.full}" was shortened to "${n.name}"`).join(', ')}. ` +
      'The 4-character digest of the full name keeps the names unique but hard to read; ' +
      `use a name of at most ${fits} characters.`,
  );
}
