import { createHash } from 'crypto';
import { Token } from 'cdktf';
import { isLiteral, Validator } from '../private/validation';
import { Generation } from './generation';

/**
 * `fixedName(rule, base, suffix?, maxLength?)`: a name that does not change with the
 * generation (`<base>-<suffix>`), within the rule's limits, for resources updated in
 * place (target groups, the load balancer, role and security group prefixes).
 * For the image, compute and deploy rooms.
 * @internal
 */
export { fixedName } from './private/fixed-name';

/**
 * The naming rules of one AWS (or Docker) API: maximum length and accepted
 * characters. Use the static members; {@link NameRule.custom} covers anything else.
 */
export class NameRule {
  /** ELBv2 target group: 32 characters, letters, digits and hyphens, no hyphen at either end. */
  public static readonly TARGET_GROUP = new NameRule('target group', 32, /[^A-Za-z0-9-]+/g, '-', true);
  /** ELBv2 load balancer: 32 characters, letters, digits and hyphens, no hyphen at either end. */
  public static readonly LOAD_BALANCER = new NameRule('load balancer', 32, /[^A-Za-z0-9-]+/g, '-', true);
  /** EC2 launch template: 128 characters of letters, digits and `( ) . / _ -`. */
  public static readonly LAUNCH_TEMPLATE = new NameRule('launch template', 128, /[^A-Za-z0-9()./_-]+/g, '-', false);
  /** Auto Scaling group: 255 characters (restricted here to letters, digits and `. _ -`). */
  public static readonly AUTOSCALING_GROUP = new NameRule('auto scaling group', 255, /[^A-Za-z0-9._-]+/g, '-', false);
  /** EC2 Image Builder resources: 128 characters of letters, digits, `_` and `-`. */
  public static readonly IMAGE_BUILDER = new NameRule('Image Builder', 128, /[^A-Za-z0-9_-]+/g, '-', false);
  /** IAM role: 64 characters of letters, digits and `+ = , . @ _ -`. */
  public static readonly IAM_ROLE = new NameRule('IAM role', 64, /[^A-Za-z0-9+=,.@_-]+/g, '-', false);
  /** IAM instance profile: 128 characters of letters, digits and `+ = , . @ _ -`. */
  public static readonly IAM_INSTANCE_PROFILE = new NameRule(
    'IAM instance profile',
    128,
    /[^A-Za-z0-9+=,.@_-]+/g,
    '-',
    false,
  );
  /** EC2 security group: 255 characters (restricted here to letters, digits and `. _ -`). */
  public static readonly SECURITY_GROUP = new NameRule('security group', 255, /[^A-Za-z0-9._-]+/g, '-', true);
  /** Docker image tag: 128 characters of letters, digits, `_ . -`, not starting with `.` or `-`. */
  public static readonly DOCKER_TAG = new NameRule('Docker tag', 128, /[^A-Za-z0-9_.-]+/g, '-', true);
  /**
   * SSM parameter name: a path of `/`-separated segments of letters, digits and
   * `_ . -`, at most 1011 characters and 15 levels, not starting with `aws` or `ssm`.
   * Parts are joined with `/` instead of `-`.
   */
  public static readonly SSM_PARAMETER = new NameRule('SSM parameter', 1011, /[^A-Za-z0-9_./-]+/g, '/', false);

  /** A rule of your own. `illegal` must be a global regular expression of characters to replace. */
  public static custom(props: {
    readonly description: string;
    readonly maxLength: number;
    readonly illegal: RegExp;
    readonly trimHyphens?: boolean;
  }): NameRule {
    const check = new Validator('NameRule.custom');
    if (!props.illegal.global) {
      check.fail(`illegal (${props.illegal}) must have the g flag so that every illegal character is replaced; add g.`);
    }
    if (isLiteral(props.maxLength) && (!Number.isInteger(props.maxLength) || props.maxLength < 1)) {
      check.fail(`maxLength (${props.maxLength}) must be a positive integer: the API's limit in characters.`);
    }
    return new NameRule(props.description, props.maxLength, props.illegal, '-', props.trimHyphens ?? false);
  }

  private constructor(
    /** What the name is for, used in error messages. */
    public readonly description: string,
    /** Maximum length in characters. */
    public readonly maxLength: number,
    private readonly illegal: RegExp,
    /** Separator between base, slot and generation. */
    public readonly separator: '-' | '/',
    private readonly trimHyphens: boolean,
  ) {}

  /** Replaces every run of illegal characters with `-` and collapses repeats. */
  public sanitize(text: string): string {
    let out = text.replace(this.illegal, '-').replace(/-{2,}/g, '-');
    if (this.separator === '/') {
      out = out.replace(/\/{2,}/g, '/').replace(/\/$/, '');
    }
    if (this.trimHyphens) {
      out = out.replace(/^-+/, '').replace(/-+$/, '');
    }
    return out;
  }
}

/** Inputs of {@link generationName}. */
export interface GenerationNameProps {
  /** The logical name of the service or resource (sanitized to the rule's characters). */
  readonly base: string;
  /**
   * The deployment slot (`blue`, `green`) when there are several.
   * @default - no slot part
   */
  readonly slot?: string;
  /**
   * The generation: a {@link Generation} or its hash. The immutability aspect accepts
   * the name on an immutable resource when the hash is that of a `Generation.of` in
   * the same app (a hash computed otherwise, such as by `contentHash`, is a fixed name).
   */
  readonly generation: Generation | string;
}

const BASE_DIGEST_LENGTH = 4;

/**
 * `<base>-<slot>-<generation>` within the limits of `rule`. The generation (and slot)
 * are always kept whole; when the result is too long the base is cut and given a
 * 4-character digest of the full base, so that two long bases that share a prefix
 * still get different names. Names for the SSM rule are paths
 * (`/<base>/<slot>/<generation>`).
 *
 * The name ends with the generation, which is what the immutability aspect checks
 * before it accepts a name under create_before_destroy: it accepts a name that ends
 * with the hash of a generation computed by `Generation.of` in the same app.
 */
export function generationName(rule: NameRule, props: GenerationNameProps): string {
  const check = new Validator('generationName');
  const generation = typeof props.generation === 'string' ? props.generation : props.generation.hash;
  const generationLength = Token.isUnresolved(generation) ? Generation.HASH_LENGTH : generation.length;
  if (!Token.isUnresolved(generation) && !/^[a-z0-9]+$/.test(generation)) {
    check.fail(
      `generation ("${generation}") must be a lowercase hex hash as produced by Generation.of(); do not build it by ` +
        `hand.`,
    );
  }
  if (Token.isUnresolved(props.base)) {
    check.fail(
      `base (${props.base}) is a token; the base must be a literal so that the name's length can be checked at synth.`,
    );
  }
  const sep = rule.separator;
  const slot = props.slot === undefined ? undefined : rule.sanitize(props.slot);
  if (props.slot !== undefined && (!slot || /[/-]/.test(slot))) {
    check.fail(`slot ("${props.slot}") must be a short word of letters and digits such as "blue" or "green".`);
  }
  // the separator follows the base, so a trailing separator would double it
  let base = rule.sanitize(props.base).replace(/[-/]+$/, '');
  if (sep === '/') {
    base = '/' + base.replace(/^\/+/, '');
    if (/^\/(aws|ssm)/i.test(base)) {
      check.fail(
        `base ("${props.base}") starts with "aws" or "ssm", which SSM reserves; choose another first path segment.`,
      );
    }
  }
  if (!base || base === '/') {
    check.fail(`base ("${props.base}") has no character a ${rule.description} name accepts; use letters and digits.`);
  }
  const suffixLength = (slot ? slot.length + 1 : 0) + 1 + generationLength;
  const available = rule.maxLength - suffixLength;
  if (available < BASE_DIGEST_LENGTH + 1) {
    const next = slot ? `slot "${slot}" and the generation` : 'the generation';
    const fix = slot ? 'use a shorter slot' : 'use a rule with a higher maxLength';
    check.fail(
      `a ${rule.description} name is limited to ${rule.maxLength} characters, which leaves no room for a base ` +
        `next to ${next}; ${fix}.`,
    );
  }
  if (base.length > available) {
    const digest = createHash('sha256').update(props.base, 'utf8').digest('hex').slice(0, BASE_DIGEST_LENGTH);
    let cut = base.slice(0, available - BASE_DIGEST_LENGTH - 1).replace(/[-/]+$/, '');
    if (sep === '/' && cut === '') {
      cut = '/';
    }
    base = `${cut}${cut.endsWith('/') ? '' : '-'}${digest}`;
  }
  const name = [base, slot, generation].filter((part) => part !== undefined).join(sep);
  if (sep === '/' && name.split('/').length - 1 > 15) {
    check.fail(`SSM parameter name "${name}" has more than 15 levels; use a shorter path for base ("${props.base}").`);
  }
  return name;
}
