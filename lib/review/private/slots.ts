import { ResourcePolicy } from '../../immutability/resource-policy';
import { isObject } from './diff';

/**
 * The plan rules that protect the slots of a fleet, read from the `before` and `after`
 * values of a plan's resource changes: which slot serves traffic before the apply, what
 * a kept (not replaced) launch template or auto scaling group still uses, and which
 * changes would take it away. Pure functions over plan JSON.
 */

/** The part of a resource change these rules read. */
export interface SlotChange {
  readonly address: string;
  readonly type: string;
  readonly deposed?: string;
  readonly change: { readonly actions: readonly string[]; readonly before: unknown; readonly after: unknown };
}

/** One finding: what is wrong, with the attributes concerned. */
export interface SlotFinding {
  readonly address: string;
  readonly type: string;
  readonly actions: readonly string[];
  readonly kind: 'serving-slot-changed' | 'in-use-destroyed' | 'delete-before-create';
  readonly attributes: readonly string[];
  readonly message: string;
}

const LISTENER_TYPES = ['aws_lb_listener', 'aws_alb_listener'];
const RULE_TYPES = ['aws_lb_listener_rule', 'aws_alb_listener_rule'];
const TARGET_GROUP_TYPES = ['aws_lb_target_group', 'aws_alb_target_group'];
const SECURITY_GROUP_RULE_TYPES = [
  'aws_security_group_rule',
  'aws_vpc_security_group_ingress_rule',
  'aws_vpc_security_group_egress_rule',
];
const FLEET_TAG = 'cdktf-immutable:fleet';
const SLOT_TAG = 'cdktf-immutable:slot';
/** Attributes of a kept resource that hold its own identity or tags, not references to others. */
const NOT_REFERENCES = [
  'id',
  'arn',
  'name',
  'name_prefix',
  'latest_version',
  'default_version',
  'tags',
  'tags_all',
  'tag',
  'tag_specifications',
];

const deletes = (rc: SlotChange) => rc.change.actions.includes('delete');
const objectOf = (value: unknown): Record<string, unknown> => (isObject(value) ? value : {});
const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const stringOf = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** The target groups a listener's or rule's `before` forwards to with weight > 0, and the weights. */
function servingTargetGroups(changes: readonly SlotChange[]): Map<string, number> {
  const serving = new Map<string, number>();
  for (const rc of changes) {
    const field = LISTENER_TYPES.includes(rc.type) ? 'default_action' : RULE_TYPES.includes(rc.type) ? 'action' : '';
    if (!field || !isObject(rc.change.before)) {
      continue;
    }
    for (const action of listOf(rc.change.before[field]).map(objectOf)) {
      if (action.type !== 'forward') {
        continue;
      }
      const groups = listOf(action.forward).flatMap((forward) => listOf(objectOf(forward).target_group));
      if (groups.length === 0 && stringOf(action.target_group_arn)) {
        serving.set(action.target_group_arn as string, 100);
      }
      for (const group of groups.map(objectOf)) {
        const arn = stringOf(group.arn);
        const weight = typeof group.weight === 'number' ? group.weight : 0;
        if (arn && weight > 0) {
          serving.set(arn, Math.max(weight, serving.get(arn) ?? 0));
        }
      }
    }
  }
  return serving;
}

/** The fleet and slot tags of a target group's or auto scaling group's value. */
function slotTags(type: string, value: unknown): { fleet?: string; slot?: string } {
  const body = objectOf(value);
  if (TARGET_GROUP_TYPES.includes(type)) {
    const tags = objectOf(body.tags);
    return { fleet: stringOf(tags[FLEET_TAG]), slot: stringOf(tags[SLOT_TAG]) };
  }
  const tags = listOf(body.tag).map(objectOf);
  const value_ = (key: string) => stringOf(tags.find((tag) => tag.key === key)?.value);
  return { fleet: value_(FLEET_TAG), slot: value_(SLOT_TAG) };
}

/** The launch template ids a group's value runs (launch_template or mixed_instances_policy). */
function templateIds(group: unknown): string[] {
  const body = objectOf(group);
  const direct = listOf(body.launch_template).map((t) => stringOf(objectOf(t).id));
  const mixed = listOf(body.mixed_instances_policy)
    .flatMap((policy) => listOf(objectOf(policy).launch_template))
    .flatMap((template) => listOf(objectOf(template).launch_template_specification))
    .map((spec) => stringOf(objectOf(spec).launch_template_id));
  return [...direct, ...mixed].filter((id): id is string => id !== undefined);
}

/** A served slot: its fleet and slot name, and its share of the traffic before the apply. */
interface ServedSlot {
  readonly fleet: string;
  readonly slot: string;
  readonly weight: number;
}

/**
 * The launch templates and auto scaling groups of the blue/green slots that serve
 * traffic before the apply (weight > 0 in a listener's or rule's `before`, on a target
 * group tagged with the fleet and the slot), by address: a group is attached to a
 * serving target group (`target_group_arns`) or carries the fleet and slot tags of
 * one; a template is one that such a group runs.
 */
function servingResources(changes: readonly SlotChange[]): Map<string, ServedSlot> {
  const weights = servingTargetGroups(changes);
  const servedByArn = new Map<string, ServedSlot>();
  const servedByTags = new Map<string, ServedSlot>();
  for (const rc of changes.filter((c) => TARGET_GROUP_TYPES.includes(c.type) && isObject(c.change.before))) {
    const before = rc.change.before as Record<string, unknown>;
    const arn = stringOf(before.arn);
    const { fleet, slot } = slotTags(rc.type, before);
    // only the slots of a blue/green fleet (tagged with both): a replace fleet's one
    // group is replaced by design
    if (arn && weights.has(arn) && fleet && slot) {
      const served = { fleet, slot, weight: weights.get(arn)! };
      servedByArn.set(arn, served);
      servedByTags.set(`${fleet}/${slot}`, served);
    }
  }
  const serving = new Map<string, ServedSlot>();
  const templates = new Map<string, ServedSlot>();
  for (const rc of changes.filter((c) => c.type === 'aws_autoscaling_group' && isObject(c.change.before))) {
    const before = rc.change.before as Record<string, unknown>;
    const { fleet, slot } = slotTags(rc.type, before);
    const byArn = listOf(before.target_group_arns)
      .map((arn) => servedByArn.get(String(arn)))
      .find((served) => served !== undefined);
    const served = byArn ?? (fleet && slot ? servedByTags.get(`${fleet}/${slot}`) : undefined);
    if (served) {
      serving.set(rc.address, served);
      templateIds(before).forEach((id) => templates.set(id, served));
    }
  }
  for (const rc of changes.filter((c) => c.type === 'aws_launch_template' && isObject(c.change.before))) {
    const id = stringOf((rc.change.before as Record<string, unknown>).id);
    if (id && templates.has(id)) {
      serving.set(rc.address, templates.get(id)!);
    }
  }
  return serving;
}

/**
 * Rule (a): a plan that replaces, destroys or updates beyond operational attributes
 * the launch template or auto scaling group of a slot that serves traffic before the
 * apply. `changedAttributes` gives an update's changed top-level attributes; `allowed`
 * says whether an `--allow-destroy` pattern names a plain destroy.
 */
export function servingSlotFindings<T extends SlotChange>(
  changes: readonly T[],
  changedAttributes: (rc: T) => string[],
  allowed: (address: string) => boolean,
): SlotFinding[] {
  const serving = servingResources(changes);
  const findings: SlotFinding[] = [];
  for (const rc of changes) {
    const served = serving.get(rc.address);
    if (!served || typeof rc.deposed === 'string') {
      continue;
    }
    const key = rc.change.actions.join(',');
    const substantive =
      key === 'update'
        ? changedAttributes(rc).filter((attr) => !ResourcePolicy.isOperationalAttribute(rc.type, attr))
        : [];
    const what =
      key === 'delete' && !allowed(rc.address)
        ? 'destroys it'
        : key === 'create,delete' || key === 'delete,create'
          ? 'replaces it'
          : substantive.length > 0
            ? `updates it in place (${substantive.join(', ')})`
            : undefined;
    if (what === undefined) {
      continue;
    }
    findings.push({
      address: rc.address,
      type: rc.type,
      actions: rc.change.actions,
      kind: 'serving-slot-changed',
      attributes: substantive,
      message:
        `${rc.type} of the ${served.slot} slot of fleet ${served.fleet}, which serves ${served.weight}% of the ` +
        `traffic before this apply: the plan ${what} outside a release. A serving slot is pinned to what it runs; ` +
        'ship a change of its server settings as a release: "cdktf-immutable release stage <env> --same-image", ' +
        'deploy, then promote (is the context key cdktf-immutable:pinning set to false?).',
    });
  }
  return findings;
}

/** Rule (b): a target group replaced delete-before-create: its slot loses its group while it is used. */
export function targetGroupFindings<T extends SlotChange>(
  changes: readonly T[],
  changedAttributes: (rc: T) => string[],
): SlotFinding[] {
  return changes
    .filter((rc) => TARGET_GROUP_TYPES.includes(rc.type) && rc.change.actions.join(',') === 'delete,create')
    .map((rc): SlotFinding => {
      const forceNew = changedAttributes(rc).filter((attr) => ResourcePolicy.isForceNewAttribute(rc.type, attr));
      return {
        address: rc.address,
        type: rc.type,
        actions: rc.change.actions,
        kind: 'delete-before-create',
        attributes: forceNew,
        message:
          `target group replaced delete-before-create${forceNew.length ? ` (${forceNew.join(', ')})` : ''}: its ` +
          'slot and the listener lose it before a new one exists, and a fixed name cannot be replaced the other ' +
          "way. A slot's target group lives as long as the fleet; to change the port, run the new port in a new " +
          'fleet (docs/fleets.md, "Shared resources and changing the port").',
      };
    });
}

/** The identifiers (`id`, `arn`, `name`) of a destroyed object that its replacement does not keep. */
function destroyedIdentifiers(rc: SlotChange): Map<string, string> {
  const before = objectOf(rc.change.before);
  const after = objectOf(rc.change.after);
  const out = new Map<string, string>();
  for (const attribute of ['id', 'arn', 'name']) {
    const value = stringOf(before[attribute]);
    if (value && value !== after[attribute]) {
      out.set(value, attribute);
    }
  }
  return out;
}

/** Every string of a value with its top-level attribute, tag attributes skipped. */
function referencedStrings(value: unknown): Array<{ attribute: string; text: string }> {
  const out: Array<{ attribute: string; text: string }> = [];
  const walk = (item: unknown, attribute: string) => {
    if (typeof item === 'string') {
      out.push({ attribute, text: item });
    } else if (Array.isArray(item)) {
      item.forEach((inner) => walk(inner, attribute));
    } else if (isObject(item)) {
      Object.values(item).forEach((inner) => walk(inner, attribute));
    }
  };
  for (const [attribute, item] of Object.entries(objectOf(value))) {
    if (!NOT_REFERENCES.includes(attribute)) {
      walk(item, attribute);
    }
  }
  return out;
}

/** Launch templates and groups the plan keeps (no delete), with what they will hold after the apply. */
function keptServers(changes: readonly SlotChange[]): SlotChange[] {
  return changes.filter(
    (rc) =>
      (rc.type === 'aws_launch_template' || rc.type === 'aws_autoscaling_group') &&
      !deletes(rc) &&
      isObject(rc.change.after ?? rc.change.before),
  );
}

const afterOf = (rc: SlotChange): unknown => rc.change.after ?? rc.change.before;

/**
 * A destroyed resource whose id, ARN or name a kept launch template or auto scaling
 * group still uses (a pinned slot's security group, instance profile or target group),
 * and a destroyed security group rule that lets traffic reach a kept slot: one on a
 * security group that a kept template's instances use (or that names it as the
 * source), covering the port of a target group that a kept group is attached to, and
 * whose replacement, if any, does not cover it.
 */
export function inUseFindings(changes: readonly SlotChange[]): SlotFinding[] {
  const kept = keptServers(changes);
  const findings: SlotFinding[] = [];
  const users = new Map<string, Array<{ address: string; attribute: string }>>();
  for (const rc of kept) {
    for (const { attribute, text } of referencedStrings(afterOf(rc))) {
      users.set(text, [...(users.get(text) ?? []), { address: rc.address, attribute }]);
    }
  }
  for (const rc of changes.filter((c) => deletes(c) && typeof c.deposed !== 'string')) {
    for (const [identifier, attribute] of destroyedIdentifiers(rc)) {
      const using = users.get(identifier);
      if (!using) {
        continue;
      }
      findings.push({
        address: rc.address,
        type: rc.type,
        actions: rc.change.actions,
        kind: 'in-use-destroyed',
        attributes: [attribute],
        message:
          `${rc.type} is destroyed while ${using.map((u) => `${u.address} (${u.attribute})`).join(', ')} still ` +
          `uses its ${attribute} ${identifier}: a pinned slot keeps the shared resources it was deployed with. ` +
          'Keep the resource (a change that replaces it waits until no slot uses it), or ship the change to ' +
          'every slot first.',
      });
      break;
    }
  }
  findings.push(...ingressFindings(changes, kept));
  return findings;
}

/** The security groups kept templates' instances use, and the ports of the target groups kept groups serve. */
function keptPaths(
  changes: readonly SlotChange[],
  kept: readonly SlotChange[],
): { groups: Set<string>; ports: number[] } {
  const groups = new Set<string>();
  const arns = new Set<string>();
  for (const rc of kept) {
    const after = objectOf(afterOf(rc));
    if (rc.type === 'aws_launch_template') {
      listOf(after.vpc_security_group_ids).forEach((id) => groups.add(String(id)));
      listOf(after.network_interfaces).forEach((nic) =>
        listOf(objectOf(nic).security_groups).forEach((id) => groups.add(String(id))),
      );
    } else {
      listOf(after.target_group_arns).forEach((arn) => arns.add(String(arn)));
    }
  }
  const ports: number[] = [];
  for (const rc of changes.filter((c) => TARGET_GROUP_TYPES.includes(c.type))) {
    const before = objectOf(rc.change.before);
    const after = objectOf(afterOf(rc));
    if (arns.has(String(before.arn)) || arns.has(String(after.arn))) {
      const port = typeof after.port === 'number' ? after.port : before.port;
      if (typeof port === 'number') {
        ports.push(port);
      }
    }
  }
  return { groups, ports };
}

/** True when a security group rule's value lets `port` through, on or from one of `groups`. */
function rulePasses(rule: unknown, groups: Set<string>, port: number): boolean {
  const body = objectOf(rule);
  const onGroup = [body.security_group_id, body.source_security_group_id, body.referenced_security_group_id].some(
    (id) => typeof id === 'string' && groups.has(id),
  );
  if (!onGroup) {
    return false;
  }
  const protocol = String(body.protocol ?? body.ip_protocol ?? '');
  if (protocol === '-1' || protocol === 'all') {
    return true;
  }
  const from = Number(body.from_port);
  const to = Number(body.to_port);
  return (protocol === 'tcp' || protocol === '6') && from <= port && port <= to;
}

function ingressFindings(changes: readonly SlotChange[], kept: readonly SlotChange[]): SlotFinding[] {
  const { groups, ports } = keptPaths(changes, kept);
  const findings: SlotFinding[] = [];
  for (const rc of changes.filter((c) => SECURITY_GROUP_RULE_TYPES.includes(c.type) && deletes(c))) {
    const cut = ports.filter(
      (port) =>
        rulePasses(rc.change.before, groups, port) &&
        !(rc.change.actions.includes('create') && rulePasses(rc.change.after, groups, port)),
    );
    if (cut.length === 0) {
      continue;
    }
    findings.push({
      address: rc.address,
      type: rc.type,
      actions: rc.change.actions,
      kind: 'in-use-destroyed',
      attributes: ['from_port', 'to_port'],
      message:
        `security group rule destroyed that lets traffic reach port ${cut.join(', ')} of a kept (pinned) slot: ` +
        'its instances would stop receiving requests while the load balancer still sends them. A port change ' +
        'cannot reach a pinned slot; run the new port in a new fleet ' +
        '(docs/fleets.md, "Shared resources and changing the port").',
    });
  }
  return findings;
}
