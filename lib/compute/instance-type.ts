import { Token } from 'cdktf';
import { INSTANCE_TYPE } from '../private/aws-ids';
import { isLiteral, show, Validator } from '../private/validation';

/** A minimum and optional maximum, both inclusive. */
export interface Range {
  /** Inclusive minimum. */
  readonly min: number;
  /**
   * Inclusive maximum.
   * @default - no maximum
   */
  readonly max?: number;
}

/** CPU makers accepted by attribute-based instance type selection. */
export type CpuManufacturer = 'intel' | 'amd' | 'amazon-web-services' | 'apple';

/**
 * Attribute-based instance type selection: EC2 Auto Scaling picks any instance type
 * that matches, which widens the capacity pool. The fleets apply the requirements
 * through the auto scaling group's mixed instances policy (Auto Scaling reads them
 * there, not from the launch template); they are part of the generation either way.
 */
export interface InstanceRequirements {
  /** Number of vCPUs. */
  readonly vcpuCount: Range;
  /** Memory in MiB. */
  readonly memoryMiB: Range;
  /**
   * CPU makers to choose from. Pick the one that matches your image's architecture
   * (`amazon-web-services` for Graviton/arm64 images).
   * @default - any
   */
  readonly cpuManufacturers?: readonly CpuManufacturer[];
  /**
   * Burstable (T) instance types.
   * @default 'excluded'
   */
  readonly burstablePerformance?: 'included' | 'excluded' | 'required';
  /**
   * Only these instance types (wildcards allowed, e.g. `m7i.*`).
   * @default - every type that matches the other requirements
   */
  readonly allowedInstanceTypes?: readonly string[];
  /**
   * Never these instance types (wildcards allowed).
   * @default - none excluded
   */
  readonly excludedInstanceTypes?: readonly string[];
}

/**
 * Like `INSTANCE_TYPE` (lib/private/aws-ids.ts) but `*` may stand for any part: the
 * wildcards of `allowedInstanceTypes`.
 */
const INSTANCE_TYPE_PATTERN = /^[a-z0-9*][a-z0-9*-]*(\.[a-z0-9*-]+)?$/;

const CPU_MANUFACTURERS: readonly CpuManufacturer[] = ['intel', 'amd', 'amazon-web-services', 'apple'];
const BURSTABLE_PERFORMANCE: readonly NonNullable<InstanceRequirements['burstablePerformance']>[] = [
  'included',
  'excluded',
  'required',
];

/**
 * What the servers run on: one instance type, or attribute-based requirements.
 *
 * The factories check nothing themselves: the construct that takes the value (a launch
 * template, a fleet's `server` or a slot) checks it where it enters, so that an error
 * names that construct's path and prop (`BlueGreenFleet prod/Web:
 * slots.blue.instanceType (InstanceType.of("t3micro")) must be ...`), which a static
 * factory cannot know, in a stack built in a loop over environments.
 */
export class InstanceType {
  /** One instance type, e.g. `InstanceType.of('t3.micro')`; may be a token. */
  public static of(name: string): InstanceType {
    return new InstanceType(name, undefined, 'of');
  }

  /** Any instance type that meets `requirements` (attribute-based selection). */
  public static fromRequirements(requirements: InstanceRequirements): InstanceType {
    return new InstanceType(undefined, requirements, 'fromRequirements');
  }

  /**
   * Several instance types, in order of preference, e.g.
   * `InstanceType.oneOf('m7i.large', 'm6i.large', 'm5.large')`: a fleet's auto scaling
   * group lists them in its mixed instances policy (on-demand instances launch in this
   * order; Spot instances, see `spot`, from the pools its allocation strategy picks), so
   * that one type running short does not stop a launch. The launch template names the
   * first. Up to 40 types; part of the generation like one type.
   */
  public static oneOf(...names: string[]): InstanceType {
    return new InstanceType(names[0], undefined, 'oneOf', [...names]);
  }

  private constructor(
    /** The instance type name, when one type was chosen; the first of several (`oneOf`). */
    public readonly name: string | undefined,
    /** The requirements, when attribute-based selection was chosen. */
    public readonly requirements: InstanceRequirements | undefined,
    /** The factory that made it, which says what to check. */
    private readonly factory: 'of' | 'fromRequirements' | 'oneOf',
    /** Every instance type, in order of preference, when several were given (`oneOf`). */
    public readonly names?: readonly string[],
  ) {}

  /**
   * Checks the value where a construct takes it, as `prop` (`instanceType`,
   * `server.instanceType`, `slots.blue.instanceType`).
   * @internal
   */
  public _validate(check: Validator, prop: string): void {
    if (this.factory === 'of') {
      validateName(check, prop, this.name);
    } else if (this.factory === 'oneOf') {
      validateNames(check, prop, this.names ?? []);
    } else {
      validateRequirements(check, `${prop} requirements`, this.requirements as InstanceRequirements);
    }
  }
}

/** The most instance types a mixed instances policy lists (its launch template overrides). */
const MAX_INSTANCE_TYPES = 40;

function validateNames(check: Validator, prop: string, names: readonly string[]): void {
  const shown = `${prop} (InstanceType.oneOf(${names.map(show).join(', ')}))`;
  if (names.length === 0 || names.length > MAX_INSTANCE_TYPES) {
    check.fail(`${shown} must list 1 to ${MAX_INSTANCE_TYPES} instance types, such as "m7i.large", "m6i.large".`);
  }
  const seen = new Set<string>();
  names.forEach((name, i) => {
    validateName(check, prop, name, `${prop} (InstanceType.oneOf(...), type ${i + 1}: ${show(name)})`);
    if (isLiteral(name)) {
      if (seen.has(name)) {
        check.fail(`${shown} lists "${name}" twice; list each instance type once.`);
      }
      seen.add(name);
    }
  });
}

function validateName(
  check: Validator,
  prop: string,
  name: string | undefined,
  shown = `${prop} (InstanceType.of(${show(name)}))`,
): void {
  if (typeof name !== 'string') {
    check.fail(`${shown} must be an instance type name such as "t3.micro".`);
  }
  if (isLiteral(name) && !INSTANCE_TYPE.test(name)) {
    check.fail(`${shown} must be an instance type: lowercase family and size such as "t3.micro" or "m7g.large".`);
  }
}

function validateRequirements(check: Validator, prop: string, requirements: InstanceRequirements): void {
  if (requirements === null || typeof requirements !== 'object') {
    check.fail(`${prop} (${show(requirements)}) must be an object with vcpuCount and memoryMiB.`);
  }
  checkRange(check, `${prop} vcpuCount`, requirements.vcpuCount, 1);
  checkRange(check, `${prop} memoryMiB`, requirements.memoryMiB, 1);
  if (requirements.cpuManufacturers !== undefined && !Token.isUnresolved(requirements.cpuManufacturers)) {
    requirements.cpuManufacturers.forEach((maker, i) =>
      check.oneOf(`${prop} cpuManufacturers[${i}]`, maker, CPU_MANUFACTURERS),
    );
  }
  check.oneOf(`${prop} burstablePerformance`, requirements.burstablePerformance, BURSTABLE_PERFORMANCE);
  for (const list of ['allowedInstanceTypes', 'excludedInstanceTypes'] as const) {
    const values = requirements[list];
    if (values !== undefined && !Token.isUnresolved(values)) {
      values.forEach((value, i) =>
        check.pattern(
          `${prop} ${list}[${i}]`,
          value,
          INSTANCE_TYPE_PATTERN,
          'an instance type or pattern such as "m7i.large" or "m7i.*"',
        ),
      );
    }
  }
  if (requirements.allowedInstanceTypes?.length && requirements.excludedInstanceTypes?.length) {
    check.fail(
      `${prop} allowedInstanceTypes and excludedInstanceTypes cannot both be set (EC2 rejects it); keep one of them.`,
    );
  }
}

function checkRange(check: Validator, prop: string, range: Range | undefined, least: number): void {
  if (range === undefined || range === null || typeof range !== 'object') {
    check.fail(`${prop} (${show(range)}) is required: pass { min } or { min, max }.`);
  }
  const { min, max } = range;
  // min is required, so undefined is an error too (only tokens are skipped)
  if (!Token.isUnresolved(min) && (!Number.isInteger(min) || min < least)) {
    check.fail(`${prop}.min (${show(min)}) must be an integer >= ${least}; use at least ${least}.`);
  }
  if (isLiteral(max)) {
    if (!Number.isInteger(max) || max < least) {
      check.fail(`${prop}.max (${show(max)}) must be an integer >= ${least}; raise it or omit it for no maximum.`);
    }
    if (!Token.isUnresolved(min) && min > max) {
      check.fail(`${prop}.min (${min}) must be <= ${prop}.max (${max}); lower min or raise max.`);
    }
  }
}
