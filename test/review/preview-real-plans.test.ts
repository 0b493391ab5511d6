/**
 * The offline preview checked against real plans: each folder of
 * test/fixtures/plans/preview/ holds a stack's Terraform JSON before and after a change
 * and the plan OpenTofu made of that change against moto (saved by
 * test/review/save-preview-plans.ts; how each was made: test/fixtures/plans/README.md).
 *
 * Preview must agree with the plan wherever it decides (unchanged is a no-op, replaced a
 * create-before-destroy, updated an update), may say `unknown` only where the plan does
 * something, and must never call a stack unchanged whose plan changes anything.
 */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { previewChanges, PreviewResource, StackPreview } from '../../lib/review';

const FIXTURES = join(__dirname, '..', 'fixtures', 'plans', 'preview');

interface Plan {
  resource_changes?: Array<{ address: string; mode?: string; change: { actions: string[] } }>;
  output_changes?: Record<string, { actions: string[] }>;
}

function read(name: string, file: string): any {
  return JSON.parse(readFileSync(join(FIXTURES, name, file), 'utf8'));
}

function previewOf(name: string): { stack: StackPreview; byAddress: Map<string, PreviewResource>; plan: Plan } {
  const [stack] = previewChanges(
    new Map([['stack', read(name, 'before.tf.json')]]),
    new Map([['stack', read(name, 'after.tf.json')]]),
  );
  return { stack, byAddress: new Map(stack.resources.map((r) => [r.address, r])), plan: read(name, 'plan.json') };
}

/** The managed resources' plan actions by address. */
function planActions(plan: Plan): Map<string, string> {
  return new Map(
    (plan.resource_changes ?? [])
      .filter((rc) => rc.mode !== 'data')
      .map((rc) => [rc.address, rc.change.actions.join(',')]),
  );
}

/** What preview may say for a plan action. */
function agrees(resource: PreviewResource, actions: string): boolean {
  switch (actions) {
    case 'no-op':
      return resource.action === 'unchanged' || resource.action === 'waits-for-release';
    case 'create,delete':
    case 'delete,create':
      return resource.action === 'replaced' || (resource.action === 'unknown' && resource.ifChanged !== 'updated');
    case 'update':
      return resource.action === 'updated' || (resource.action === 'unknown' && resource.ifChanged !== 'replaced');
    case 'create':
      return resource.action === 'created';
    case 'delete':
      return resource.action === 'destroyed';
    default:
      return resource.action === 'unknown';
  }
}

const CASES = readdirSync(FIXTURES).sort();

test('the fixtures hold the four blind spots, the dependency bump, ignore_changes and default_tags', () => {
  expect(CASES).toEqual([
    'data-source-argument',
    'default-tags',
    'dependency',
    'ignore-changes',
    'local',
    'provider-region',
    'variable-default',
  ]);
});

describe.each(CASES)('%s: preview agrees with the real plan', (name) => {
  const { stack, byAddress, plan } = previewOf(name);
  const actions = planActions(plan);

  test('every resource of the plan, with the action preview gives it', () => {
    expect([...byAddress.keys()].sort()).toEqual([...actions.keys()].sort());
    const disagreements = [...actions].filter(([address, action]) => !agrees(byAddress.get(address)!, action));
    expect(
      disagreements.map(([address, action]) => `${address}: plan ${action}, preview ${byAddress.get(address)!.action}`),
    ).toEqual([]);
  });

  test('the stack is changed exactly when the plan changes anything; outputs agree', () => {
    const planChanges =
      [...actions.values()].some((a) => a !== 'no-op') ||
      Object.values(plan.output_changes ?? {}).some((o) => o.actions.join(',') !== 'no-op');
    expect(stack.changed).toBe(planChanges);
    const planOutputs = Object.entries(plan.output_changes ?? {})
      .filter(([, o]) => o.actions.join(',') !== 'no-op')
      .map(([output]) => output)
      .sort();
    expect(stack.outputs.map((o) => o.name).sort()).toEqual(planOutputs);
  });
});

const TEMPLATES = ['aws_launch_template.BlueTemplate_7602D9A3', 'aws_launch_template.GreenTemplate_0DB883BF'];

describe('the four blind spots', () => {
  test("a local's value: both slots' launch templates replaced, following the local", () => {
    const { byAddress } = previewOf('local');
    for (const address of TEMPLATES) {
      expect(byAddress.get(address)).toMatchObject({
        action: 'replaced',
        reason: 'name follows local.ami, which changes (its expression changes)',
      });
    }
  });

  test("a variable's default: both slots' launch templates replaced, following the variable", () => {
    const { byAddress } = previewOf('variable-default');
    for (const address of TEMPLATES) {
      expect(byAddress.get(address)).toMatchObject({
        action: 'replaced',
        reason: 'name follows var.ami, which changes (its default changes)',
      });
    }
  });

  test("a data source's argument: unknown (run a plan), replaced if its value changes", () => {
    const { stack, byAddress } = previewOf('data-source-argument');
    for (const address of TEMPLATES) {
      expect(byAddress.get(address)).toMatchObject({
        action: 'unknown',
        ifChanged: 'replaced',
        reason: expect.stringMatching(
          /^name follows data\.aws_ssm_parameter\.\w+\.insecure_value, which preview cannot decide \(its arguments change \(name\), and its value is read at plan\)$/,
        ),
      });
    }
    expect(stack.outputs.map((o) => o.action)).toEqual(['unknown', 'unknown']);
  });

  test("the provider's region: the data sources are read in the new region, so unknown; a note for the rest", () => {
    const { stack, byAddress } = previewOf('provider-region');
    for (const address of TEMPLATES) {
      expect(byAddress.get(address)).toMatchObject({
        action: 'unknown',
        ifChanged: 'replaced',
        reason: expect.stringMatching(
          /is read in another region \(provider aws: its region changes \(eu-west-1 → eu-central-1\)\)/,
        ),
      });
    }
    // The instance profiles stay where they are: the AWS provider 6 keeps a resource's region.
    expect(byAddress.get('aws_iam_role.BlueTemplate_InstanceProfile_Role_47CCA4BA')?.action).toBe('unchanged');
    expect(stack.notes).toEqual([
      expect.stringMatching(
        /^provider aws: its region changes \(eu-west-1 → eu-central-1\): the AWS provider \(6 or later\) keeps/,
      ),
    ]);
  });
});

describe('ignore_changes and default_tags', () => {
  test("an ignored argument is no update; a pinned slot's ignored change waits for a release", () => {
    const { stack, byAddress } = previewOf('ignore-changes');
    expect(byAddress.get('aws_ssm_parameter.ami')).toEqual(
      expect.objectContaining({ action: 'unchanged', changed: [], ignored: ['value'] }),
    );
    expect(byAddress.get('aws_ssm_parameter.ami')?.waitsForRelease).toBeUndefined();
    expect(byAddress.get('aws_launch_template.blue')).toMatchObject({
      action: 'waits-for-release',
      changed: ['image_id'],
      ignored: ['image_id'],
      reason: 'blue serves prod; its definition changes with cdktf-immutable release stage prod --same-image',
      waitsForRelease: true,
      violation: false,
    });
    expect(stack.changed).toBe(false);
  });

  test("the provider's default_tags: tags_all updated in place, no violation", () => {
    const { byAddress } = previewOf('default-tags');
    expect(byAddress.get('aws_launch_template.web')).toMatchObject({
      action: 'updated',
      changed: ['tags_all'],
      violation: false,
    });
    expect(byAddress.get('aws_ssm_parameter.ami')).toMatchObject({ action: 'updated', changed: ['tags_all'] });
  });
});
