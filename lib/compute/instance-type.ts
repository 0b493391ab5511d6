import { Token } from 'cdktf';

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
 * An instance type name: family with a digit, a dot and a size, in lowercase
 * (`t3.micro`, `m7i-flex.large`, `c6gn.16xlarge`, `u-6tb1.metal`).
 */
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\.[a-z0-9-]+$/;
/** Like {@link INSTANCE_TYPE} but `*` may stand for any part. */
const INSTANCE_TYPE_PATTERN = /^[a-z0-9*][a-z0-9*-]*(\.[a-z0-9*-]+)?$/;

/** What the servers run on: one instance type, or attribute-based requirements. */
export class InstanceType {
  /** One instance type, e.g. `InstanceType.of('t3.micro')`. */
  public static of(name: string): InstanceType {
    if (!Token.isUnresolved(name) && (typeof name !== 'string' || !INSTANCE_TYPE.test(name))) {
      throw new Error(`InstanceType.of: name (${JSON.stringify(name)}) is not an instance type; expected lowercase family and size such as "t3.micro" or "m7g.large".`);
    }
    return new InstanceType(name, undefined);
  }

  /** Any instance type that meets `requirements` (attribute-based selection). */
  public static fromRequirements(requirements: InstanceRequirements): InstanceType {
    checkRange('vcpuCount', requirements.vcpuCount, 1);
    checkRange('memoryMiB', requirements.memoryMiB, 1);
    for (const prop of ['allowedInstanceTypes', 'excludedInstanceTypes'] as const) {
      (requirements[prop] ?? []).forEach((value, i) => {
        if (!Token.isUnresolved(value) && !INSTANCE_TYPE_PATTERN.test(value)) {
          throw new Error(`InstanceType.fromRequirements: ${prop}[${i}] (${JSON.stringify(value)}) is not an instance type or pattern; use names such as "m7i.large" or "m7i.*".`);
        }
      });
    }
    if (requirements.allowedInstanceTypes?.length && requirements.excludedInstanceTypes?.length) {
      throw new Error('InstanceType.fromRequirements: allowedInstanceTypes and excludedInstanceTypes cannot both be set (EC2 rejects it); keep one of them.');
    }
    return new InstanceType(undefined, requirements);
  }

  private constructor(
    /** The instance type name, when one type was chosen. */
    public readonly name: string | undefined,
    /** The requirements, when attribute-based selection was chosen. */
    public readonly requirements: InstanceRequirements | undefined,
  ) {}
}

function checkRange(prop: string, range: Range, least: number): void {
  const { min, max } = range;
  if (!Token.isUnresolved(min) && (!Number.isInteger(min) || min < least)) {
    throw new Error(`InstanceType.fromRequirements: ${prop}.min (${min}) must be an integer >= ${least}.`);
  }
  if (max !== undefined && !Token.isUnresolved(max)) {
    if (!Number.isInteger(max) || max < least) {
      throw new Error(`InstanceType.fromRequirements: ${prop}.max (${max}) must be an integer >= ${least}.`);
    }
    if (!Token.isUnresolved(min) && min > max) {
      throw new Error(`InstanceType.fromRequirements: ${prop}.min (${min}) must be <= ${prop}.max (${max}); lower min or raise max.`);
    }
  }
}
