import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
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

interface Claim extends FleetFixedName {
  readonly fleet: Construct;
}

/**
 * The fixed names claimed per stack. A fleet's resources use the stack's default AWS
 * provider, so one stack is one account and region, where load balancer and target
 * group names must be unique (AWS compares them without case).
 */
const claimed = new WeakMap<TerraformStack, Map<string, Claim>>();

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
 * Records that `fleet` uses `fixed.name` in its stack, and fails with a
 * `ValidationError` naming both fleets when another fleet of the stack already does.
 * ELBv2 refuses a second load balancer or target group of one name with other settings
 * (DuplicateLoadBalancerName, DuplicateTargetGroupName) at apply, and for the same
 * settings returns the existing one, so that two Terraform resources would share it
 * and destroying one would break the other fleet.
 */
export function claimFleetName(fleet: Construct, check: Validator, fixed: FleetFixedName, nameProp: string): void {
  const stack = TerraformStack.of(fleet);
  let names = claimed.get(stack);
  if (!names) {
    names = new Map();
    claimed.set(stack, names);
  }
  const key = `${fixed.kind}:${fixed.name.toLowerCase()}`;
  const other = names.get(key);
  if (other && other.fleet !== fleet) {
    // different full names that meet only once shortened to 32 characters
    const shortened =
      other.full !== fixed.full
        ? ` (shortened to 32 characters from "${fixed.full}"; the other from "${other.full}")`
        : '';
    check.fail(
      `${nameProp} gives the ${fixed.kind} name "${fixed.name}"${shortened}, which ${other.fleet.constructor.name} ${other.fleet.node.path} already uses in stack ${stack.node.id}; ` +
        `${fixed.kind} names must be unique per account and region, and every fleet of a stack runs in the stack's region: give each fleet its own name prop.`,
    );
  }
  names.set(key, { ...fixed, fleet });
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
      `The 4-character digest of the full name keeps the names unique but hard to read; use a name of at most ${fits} characters.`,
  );
}
