import { Fn, Lazy, TerraformStack, Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { resolveInScope } from '../private/resolve';
import { GENERATION_HASH_LENGTH, hashFor } from './canonical-hash';
import { registerGeneratedName, registerGenerationHash } from './private/generated-names';

/**
 * Hashes the long-lived references that the library owns (a fleet's instance
 * security group and target groups, a template's own instance profile) by their
 * identity, the construct path plus the force-new arguments of the resources behind
 * them: `registerStableReference(reference, key, resources)` records one, and
 * `withStableReferences(scope, inputs)` replaces them in inputs before `Generation.of`.
 * For compute and deploy, which own such resources.
 * @internal
 */
export { registerStableReference, withStableReferences } from './private/stable-identity';

/**
 * The identity of one generation of the servers a construct runs: a short content
 * hash of every input that defines what runs on them.
 *
 * When every input is known at synth time the hash is a plain string. When some
 * inputs are still tokens (a reference to an AMI built in the same stack, an SSM
 * parameter, a variable) the hash is a Terraform expression,
 * `nonsensitive(substr(sha256(join("|", [<static>, jsonencode(<token>)...])), 0, 10))`, where
 * `<static>` is the hash of every input with tokens replaced by their Terraform
 * expressions (`${aws_ami.base.id}`, stable from one synth to the next). A new value
 * behind a token is then a new generation with a new name (known at plan for data
 * sources, after apply for resources). The tokens are listed in
 * {@link Generation.unresolved}; constructs also add replace_triggered_by for the
 * managed resources behind them.
 *
 * Sensitive inputs: when a token is sensitive (a `sensitive` variable, a sensitive
 * attribute), Terraform would mark the hash sensitive too, and with it the names that
 * carry it and the fleets' generation outputs, which then fail the plan ("Output refers
 * to sensitive values"). The expression is therefore wrapped in `nonsensitive()`: the
 * generation is 40 bits of SHA-256 over the secret and the other inputs, which
 * reveals nothing usable about a secret with more entropy than that (a random token,
 * a password), so it is shown in plans and outputs like any other generation. A weak
 * secret (a short PIN) could be confirmed by trying every value against the hash: do
 * not pass such secrets as server inputs (fetch them at boot instead). `nonsensitive()`
 * on a value that is not sensitive needs Terraform >= 1.7 or OpenTofu >= 1.6.
 */
export class Generation {
  /**
   * Computes the generation of `inputs` in the context of `scope` (used to resolve
   * tokens to their Terraform expressions at synth time, and named in errors about
   * inputs that cannot be hashed, such as functions or cycles).
   */
  public static of(scope: IConstruct, inputs: unknown): Generation {
    const eager = hashFor(scope, inputs);
    if (eager.unresolved.length === 0) {
      return new Generation(scope, eager.hash, []);
    }
    const stack = TerraformStack.of(scope);
    // Terraform finishes the hash with the values behind the tokens, so that a new
    // value (a new AMI id behind the same SSM parameter or image resource) is a new
    // generation with a new name, and its create-before-destroy replacement cannot
    // collide with the running generation. The expression is built at synth, when the
    // static part (tokens replaced by their Terraform expressions) can be computed and
    // rendered as a quoted string.
    let expression: string | undefined;
    const runtime = Lazy.stringValue({
      produce: () => {
        if (expression === undefined) {
          const staticHash = hashFor(scope, inputs, { resolveToken: (token) => resolveInScope(stack, token) }).hash;
          // nonsensitive: a hash of a secret is not the secret (see the class comment);
          // without it, one sensitive input would make every name and output that
          // carries the generation sensitive, and outputs fail the plan.
          expression = Token.asString(
            Fn.nonsensitive(
              Fn.substr(
                Fn.sha256(Fn.join('|', [staticHash, ...eager.unresolved.map((value) => Fn.jsonencode(value))])),
                0,
                Generation.HASH_LENGTH,
              ),
            ),
          );
        }
        return expression;
      },
    });
    return new Generation(scope, runtime, eager.unresolved);
  }

  /**
   * Length in hex characters of every generation hash (the first 10 of SHA-256, 40 bits).
   *
   * A collision only matters between generations of the same logical resource that
   * exist at the same time (the running one and its replacement under
   * create_before_destroy), so the risk per change is 1 in 2^40 (about 1 in 10^12).
   * Even across every generation a resource ever has, the birthday bound for 10,000
   * generations is about 5 in 10^5, and a collision there is harmless because the
   * older generation no longer exists.
   */
  public static readonly HASH_LENGTH = GENERATION_HASH_LENGTH;

  /** The hash (a lazy string token when {@link unresolved} is not empty). */
  public readonly hash: string;

  /** Inputs that were tokens at construction: add replace_triggered_by for them. */
  public readonly unresolved: readonly unknown[];

  /**
   * The construct whose inputs were hashed; its app records the hash (see
   * `ImmutabilityAspect`). A private field, so that a generation hashed as an input
   * still hashes as its `hash` and `unresolved` only.
   */
  readonly #scope: IConstruct;

  private constructor(scope: IConstruct, hash: string, unresolved: unknown[]) {
    this.#scope = scope;
    this.hash = hash;
    this.unresolved = unresolved;
    registerGenerationHash(scope, hash);
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
    const version = this.isResolved
      ? `1.0.${parseInt(this.hash.slice(0, 7), 16)}`
      : `1.0.${Token.asString(Fn.parseint(Fn.substr(this.hash, 0, 7), 16))}`;
    registerGeneratedName(this.#scope, version);
    return version;
  }

  public toString(): string {
    return this.hash;
  }
}
