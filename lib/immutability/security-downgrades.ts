import { Aspects, IAspect, TerraformResource, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { recordAcknowledgement } from '../private/acknowledgements';
import { show, ValidationError, Validator } from '../private/validation';

/**
 * A prop value that weakens one of the library's secure defaults. Each one is a synth
 * warning that names the prop and the safer value, until it is acknowledged with a
 * reason ({@link acknowledgeSecurityDowngrade}):
 * - `legacy-tls`: an `sslPolicy` of the load balancer that allows TLS 1.0 or 1.1;
 * - `imdsv1`: `metadataOptions.httpTokens: 'optional'` (IMDSv1 allowed);
 * - `imds-hop-limit`: `metadataOptions.hopLimit` above 2;
 * - `unencrypted-volume`: a launch template volume with `encrypted: false`;
 * - `public-plain-http`: plain HTTP on an internet-facing load balancer that
 *   `ingressCidrs` opens to the whole internet (`0.0.0.0/0`, the default).
 */
export type SecurityDowngrade = 'legacy-tls' | 'imdsv1' | 'imds-hop-limit' | 'unencrypted-volume' | 'public-plain-http';

/** What each downgrade does, for the warning. */
const EFFECTS: Readonly<Record<SecurityDowngrade, string>> = {
  'legacy-tls':
    'lets clients connect with TLS 1.0 or 1.1, deprecated protocols with known weaknesses that PCI DSS and most ' +
    'audits forbid',
  imdsv1:
    'allows IMDSv1, whose unauthenticated requests let a server-side request forgery in any process read the ' +
    "instance role's credentials",
  'imds-hop-limit':
    'lets instance metadata responses (with the role credentials) travel further than the containers on the host',
  'unencrypted-volume': 'leaves the volume and its snapshots unencrypted at rest',
  'public-plain-http':
    'serves plain HTTP to the whole internet: requests, cookies and responses travel unencrypted and can be read ' +
    'or changed on the way',
};

const DOWNGRADES = Object.keys(EFFECTS) as SecurityDowngrade[];

/** The node metadata type under which {@link acknowledgeSecurityDowngrade} keeps an acknowledgement until synth. */
const ACKNOWLEDGE = 'cdktf-immutable:acknowledge-security-downgrade';

/**
 * Accepts a security downgrade for `scope` and everything below it (a fleet, a launch
 * template, a stack, or one resource), with the reason. At synth the downgrade's
 * warning is not printed, and the reason is recorded in the `//` metadata of each
 * resource that carries the downgrade, among the library's acknowledgements
 * (`"cdktf-immutable": { "acknowledged": { "imdsv1": "..." } }`, the mechanism of
 * `ImmutabilityAspect.allowFixedName` and `acknowledgeLifecycle`), where reviewers of the
 * synthesized output and of snapshots read it. An acknowledgement that matches no
 * downgrade below its scope is a warning itself: left in place, it would silently
 * accept the next one.
 * @param scope the construct whose downgrades (at it and below it) are accepted
 * @param downgrade which downgrade, such as `'imdsv1'`
 * @param reason why it is needed here, at least 10 characters
 */
export function acknowledgeSecurityDowngrade(scope: IConstruct, downgrade: SecurityDowngrade, reason: string): void {
  if (!DOWNGRADES.includes(downgrade)) {
    throw new ValidationError(
      `acknowledgeSecurityDowngrade downgrade (${show(downgrade)}) must be one of ${DOWNGRADES.join(', ')}.`,
      scope,
    );
  }
  if (typeof reason !== 'string' || reason.trim().length < 10) {
    throw new ValidationError(
      `acknowledgeSecurityDowngrade reason for ${downgrade} (${show(reason)}) must say why the downgrade is needed ` +
        'here, in at least 10 characters; it is recorded in the synthesized output.',
      scope,
    );
  }
  scope.node.addMetadata(ACKNOWLEDGE, { id: downgrade, reason });
  for (const stack of stacksOf(scope)) {
    DowngradeCheck.of(stack);
  }
}

/**
 * A downgrade found where a prop entered a construct: the construct that warns, the
 * resource that carries it, the prop path and value, and the safer value.
 * @internal
 */
export interface DowngradeReport {
  readonly construct: IConstruct;
  readonly resource: TerraformResource;
  readonly downgrade: SecurityDowngrade;
  /** The prop path as the user wrote it (`server.metadataOptions.httpTokens`). */
  readonly prop: string;
  readonly value: unknown;
  /** The safer value, with what it means (`"required" (IMDSv2, the default)`). */
  readonly safer: string;
}

/**
 * Reports a downgrade: checked at synth against the acknowledgements of its resource
 * and the constructs above it.
 * @internal
 */
export function reportSecurityDowngrade(report: DowngradeReport): void {
  DowngradeCheck.of(TerraformStack.of(report.construct)).add(report);
}

/** The stacks that `scope` is in or holds. */
function stacksOf(scope: IConstruct): TerraformStack[] {
  const below = scope.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c));
  if (below.length > 0) {
    return below;
  }
  try {
    return [TerraformStack.of(scope)];
  } catch {
    return [];
  }
}

/** An acknowledgement as kept on a construct until synth. */
interface Kept {
  readonly id: SecurityDowngrade;
  readonly reason: string;
}

/**
 * The check of a stack's downgrades, an aspect on the stack (found again by
 * {@link DowngradeCheck.of}): when the aspects run, it warns about each downgrade that
 * no construct at or above its resource acknowledges, records the reason on each that
 * one does, and warns about acknowledgements that matched nothing.
 */
class DowngradeCheck implements IAspect {
  public static of(stack: TerraformStack): DowngradeCheck {
    const found = Aspects.of(stack).all.find((aspect): aspect is DowngradeCheck => aspect instanceof DowngradeCheck);
    if (found) {
      return found;
    }
    const check = new DowngradeCheck();
    Aspects.of(stack).add(check);
    return check;
  }

  private readonly reports: DowngradeReport[] = [];
  private done = false;

  public add(report: DowngradeReport): void {
    this.reports.push(report);
  }

  public visit(node: IConstruct): void {
    if (this.done || !TerraformStack.isStack(node)) {
      return;
    }
    this.done = true;
    const used = new Set<object>();
    for (const report of this.reports) {
      const acknowledged = nearestAcknowledgement(report.resource, report.downgrade);
      if (acknowledged) {
        used.add(acknowledged);
        recordAcknowledgement(report.resource, { id: report.downgrade, reason: acknowledged.reason });
      } else {
        new Validator(report.construct).warn(warning(report));
      }
    }
    for (const construct of node.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type === ACKNOWLEDGE && !used.has(entry.data as object)) {
          const { id } = entry.data as Kept;
          new Validator(construct).warn(
            `acknowledgeSecurityDowngrade(${construct.node.path || 'the app'}, '${id}', ...) matches no ${id} ` +
              'downgrade at or below it; remove it, or it would silently accept the next one.',
          );
        }
      }
    }
  }
}

/** The acknowledgement of `downgrade` on `resource` or the nearest construct above it. */
function nearestAcknowledgement(resource: TerraformResource, downgrade: SecurityDowngrade): Kept | undefined {
  for (const scope of [...resource.node.scopes].reverse()) {
    const entry = scope.node.metadata.find((m) => m.type === ACKNOWLEDGE && (m.data as Kept).id === downgrade);
    if (entry) {
      return entry.data as Kept;
    }
  }
  return undefined;
}

function warning(report: DowngradeReport): string {
  const value = report.value === undefined ? 'not set' : show(report.value);
  return (
    `${report.prop} (${value}) ${EFFECTS[report.downgrade]}; use ${report.safer}, or accept it with ` +
    `a reason recorded in the output: acknowledgeSecurityDowngrade(<this construct or one above it>, ` +
    `'${report.downgrade}', '<why>').`
  );
}
