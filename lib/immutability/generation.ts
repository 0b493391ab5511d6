import { Lazy, TerraformStack } from 'cdktf';
import { resolveInScope } from '../private/resolve';
import { IConstruct } from 'constructs';
import { ContentHash, contentHash, GENERATION_HASH_LENGTH } from './canonical-hash';
import { registerGeneratedName } from '../private/generated-names';

/**
 * The identity of one generation of the servers a construct runs: a short content
 * hash of every input that defines what runs on them.
 *
 * When every input is known at synth time the hash is a plain string. When some
 * inputs are still tokens (a reference to an AMI built in the same stack, a variable)
 * the hash is a lazy value computed at synth from their Terraform expressions
 * (`${aws_ami.base.id}`), which are stable from one synth to the next; the tokens are
 * listed in {@link Generation.unresolved} so that the caller adds replace_triggered_by
 * for them: the expression text cannot change when the value behind it does.
 */
export class Generation {
  /**
   * Computes the generation of `inputs` in the context of `scope` (used to resolve
   * tokens to their Terraform expressions at synth time).
   */
  public static of(scope: IConstruct, inputs: unknown): Generation {
    const eager = contentHash(inputs);
    if (eager.unresolved.length === 0) {
      return new Generation(eager.hash, () => eager.hash, [], eager.canonical);
    }
    const stack = TerraformStack.of(scope);
    let resolved: ContentHash | undefined;
    const produce = (): string => {
      resolved ??= contentHash(inputs, { resolveToken: (token) => resolveInScope(stack, token) });
      return resolved.hash;
    };
    return new Generation(Lazy.stringValue({ produce }), produce, eager.unresolved, undefined);
  }

  /** Length in characters of every generation hash. */
  public static readonly HASH_LENGTH = GENERATION_HASH_LENGTH;

  /** The hash (a lazy string token when {@link unresolved} is not empty). */
  public readonly hash: string;

  /** Inputs that were tokens at construction: add replace_triggered_by for them. */
  public readonly unresolved: readonly unknown[];

  /** The canonical text that was hashed, when every input was resolved. */
  public readonly canonical?: string;

  private readonly produce: () => string;

  private constructor(hash: string, produce: () => string, unresolved: unknown[], canonical: string | undefined) {
    this.hash = hash;
    this.produce = produce;
    this.unresolved = unresolved;
    this.canonical = canonical;
  }

  /** True when the hash is known now (no input was a token). */
  public get isResolved(): boolean {
    return this.unresolved.length === 0;
  }

  /**
   * The generation as a semantic version `1.0.<n>` (n = the first 7 hex digits as an
   * integer, below Image Builder's 2^30 limit per part), for APIs that identify
   * content by name and version (Image Builder components and recipes). Registered
   * as generation-derived for the immutability aspect.
   */
  public get semanticVersion(): string {
    const fromHash = (hash: string) => `1.0.${parseInt(hash.slice(0, 7), 16)}`;
    const version = this.isResolved
      ? fromHash(this.hash)
      : Lazy.stringValue({ produce: () => fromHash(this.produce()) });
    registerGeneratedName(version);
    return version;
  }

  public toString(): string {
    return this.hash;
  }
}
