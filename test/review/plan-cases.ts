/**
 * Plans for the guard's cases, derived from a real OpenTofu plan: e2e-stage.json
 * (`tofu show -json` of a blue/green stage against moto, saved by the end-to-end
 * tests). Each case changes only what the scenario changes, in the shape Terraform
 * and OpenTofu write it (actions, action_reason, previous_address, resource_drift).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

export const PLANS = join(__dirname, '..', 'fixtures', 'plans');

export const BLUE_ASG = 'aws_autoscaling_group.Web_Blue_AutoScalingGroup_EBAB4B97';
export const GREEN_ASG = 'aws_autoscaling_group.Web_Green_AutoScalingGroup_70F3CBBA';
export const BLUE_LT = 'aws_launch_template.Web_Blue_LaunchTemplate_0CDF2054';
export const GREEN_LT = 'aws_launch_template.Web_Green_LaunchTemplate_79031D5E';
export const GREEN_MARK = 'aws_ec2_tag.Web_Green_InUse_FADA0A6B';

type Plan = { resource_changes: any[]; resource_drift: any[]; [key: string]: unknown };

export function stagePlan(): Plan {
  return JSON.parse(readFileSync(join(PLANS, 'e2e-stage.json'), 'utf8'));
}

function find(list: any[], address: string): any {
  const found = list.find((rc) => rc.address === address);
  if (!found) {
    throw new Error(`${address} is not in the stage plan`);
  }
  return found;
}

/** The change as Terraform plans it when the resource's configuration is gone. */
function toRemoval(rc: any, action: 'delete' | 'forget'): void {
  const { before, before_sensitive } = rc.change;
  rc.change = { actions: [action], before, after: null, after_unknown: {}, before_sensitive, after_sensitive: false };
  rc.action_reason = 'delete_because_no_resource_config';
}

/** The green slot (launch template and group) removed from the configuration. */
export function destroyUnreplaced(): Plan {
  const plan = stagePlan();
  toRemoval(find(plan.resource_changes, GREEN_ASG), 'delete');
  toRemoval(find(plan.resource_changes, GREEN_LT), 'delete');
  return plan;
}

/** The green group's construct renamed without a moved block: delete at the old address, create at the new. */
export const RENAMED_GREEN_ASG = 'aws_autoscaling_group.Web_Green_Group_5D1C2B3A';
export function renamedWithoutMoved(): Plan {
  const plan = stagePlan();
  const old = find(plan.resource_changes, GREEN_ASG);
  const created = JSON.parse(JSON.stringify(old));
  toRemoval(old, 'delete');
  const { after, after_unknown, after_sensitive } = created.change;
  created.address = RENAMED_GREEN_ASG;
  created.name = RENAMED_GREEN_ASG.split('.')[1];
  created.change = {
    actions: ['create'],
    before: null,
    after,
    after_unknown,
    before_sensitive: false,
    after_sensitive,
  };
  delete created.action_reason;
  plan.resource_changes.push(created);
  return plan;
}

/** `removed { from = <green slot>; lifecycle { destroy = false } }`: forget, not destroy. */
export function forgetGreenSlot(): Plan {
  const plan = stagePlan();
  toRemoval(find(plan.resource_changes, GREEN_ASG), 'forget');
  toRemoval(find(plan.resource_changes, GREEN_LT), 'forget');
  return plan;
}

/** `moved { from = <blue group>, to = <new address> }`: a no-op at the new address. */
export const MOVED_BLUE_ASG = 'aws_autoscaling_group.Web_Blue_Group_9A8B7C6D';
export function movedBlueGroup(): Plan {
  const plan = stagePlan();
  const rc = find(plan.resource_changes, BLUE_ASG);
  rc.previous_address = BLUE_ASG;
  rc.address = MOVED_BLUE_ASG;
  rc.name = MOVED_BLUE_ASG.split('.')[1];
  return plan;
}

/**
 * The blue launch template got a new image by hand (a new version, made the default);
 * the plan itself stays a no-op for it (say the configuration ignores image_id). The
 * blue group's desired capacity drifted too (a scaling policy: operational).
 */
export function driftedLaunchTemplate(): Plan {
  const plan = stagePlan();
  const after = find(plan.resource_drift, BLUE_LT).change.after;
  after.image_id = 'ami-0f00dbadc0ffee123';
  after.latest_version = 2;
  after.default_version = 2;
  find(plan.resource_drift, BLUE_ASG).change.after.desired_capacity = 2;
  return plan;
}

/** The blue launch template deleted outside Terraform: drift with a delete action. */
export function deletedByHand(): Plan {
  const plan = stagePlan();
  const drift = find(plan.resource_drift, BLUE_LT);
  drift.change = {
    actions: ['delete'],
    before: drift.change.before,
    after: null,
    after_unknown: {},
    before_sensitive: drift.change.before_sensitive,
    after_sensitive: false,
  };
  return plan;
}

/**
 * The green group with a fixed name (no generation): its create-before-destroy
 * replacement keeps "e2e-web-green". The green launch template uses name_prefix, so
 * its new name is unknown until apply and cannot collide.
 */
export function createBeforeDestroySameName(): Plan {
  const plan = stagePlan();
  const asg = find(plan.resource_changes, GREEN_ASG).change;
  asg.before.name = 'e2e-web-green';
  asg.before.id = 'e2e-web-green';
  asg.after.name = 'e2e-web-green';
  const lt = find(plan.resource_changes, GREEN_LT).change;
  lt.before.name = 'e2e-web-green-20261122034343851800000003';
  lt.before.name_prefix = 'e2e-web-green-';
  delete lt.after.name;
  lt.after.name_prefix = 'e2e-web-green-';
  lt.after_unknown.name = true;
  delete lt.after_unknown.name_prefix;
  return plan;
}

/**
 * Green's in-use mark tainted (an apply interrupted while the provider read the new tag
 * back, as the e2e's SIGINT can): the next plan replaces it create-before-destroy on the
 * same AMI and key, as Terraform and OpenTofu write it.
 */
export function taintedMark(): Plan {
  const plan = stagePlan();
  const rc = find(plan.resource_changes, GREEN_MARK);
  rc.change.before = { ...rc.change.after, id: `${rc.change.after.resource_id},${rc.change.after.key}` };
  rc.change.actions = ['create', 'delete'];
  rc.change.after_unknown = { id: true };
  rc.action_reason = 'replace_because_tainted';
  return plan;
}

/** Writes `plan` to a temporary file and returns its path. */
export function writePlan(name: string, plan: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'guard-case-')), `${name}.json`);
  writeFileSync(file, JSON.stringify(plan));
  return file;
}
