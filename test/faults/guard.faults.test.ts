/**
 * guard fails closed: state JSON, partial plans, both engines' plan formats and fuzzed
 * plan shapes. Anything that is not a whole plan exits 2 saying what was given; a plan
 * exits 0 or 1 by its changes; nothing crashes, and the plan file is never changed.
 */
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import fc from 'fast-check';
import { main } from '../../bin/cli/main';
import { guardPlan, PlanFileError } from '../../lib/review';
import { codes, faultSuite, Run } from './support';

const { table, fresh } = faultSuite('faults-guard-', 'guard faults');
const PLANS = join(__dirname, '..', 'fixtures', 'plans');
/** A real OpenTofu 1.11 plan (a blue/green stage against moto, saved by the e2e tests). */
const TOFU_PLAN = readFileSync(join(PLANS, 'e2e-stage.json'), 'utf8');

/** `cdktf-immutable guard <file>` in this process, on `text` written to a file; the file must be unchanged after. */
function guard(text: string): Run {
  const file = `${fresh('plan')}.json`;
  writeFileSync(file, text);
  let stdout = '';
  let stderr = '';
  const code = main(['guard', file], {
    out: (t) => {
      stdout += t;
    },
    err: (t) => {
      stderr += t;
    },
  }) as number;
  expect(readFileSync(file, 'utf8')).toBe(text);
  return { code, stdout, stderr };
}

const plan = () => JSON.parse(TOFU_PLAN) as Record<string, unknown>;

describe('not a plan: exit 2, saying what was given', () => {
  test.each<[string, () => unknown, RegExp]>([
    [
      'state JSON (show -json without the plan file)',
      () => ({
        format_version: '1.0',
        terraform_version: '1.11.7',
        values: (plan().prior_state as { values: unknown }).values,
      }),
      /this is state JSON \("values", no "planned_values"\): the output of "tofu show -json" without a plan file/,
    ],
    [
      'the state JSON of an empty state',
      () => ({ format_version: '1.0' }),
      /has no "planned_values", so it is not the JSON of a plan \(it holds only format_version;/,
    ],
    ['{"format_version":"1.2"}', () => ({ format_version: '1.2' }), /has no "planned_values"/],
    ['a plan without planned_values', () => ({ ...plan(), planned_values: undefined }), /has no "planned_values"/],
    ['a plan that errored', () => ({ ...plan(), errored: true }), /the plan errored \("errored": true\)/],
    [
      'a Terraform plan with deferred changes',
      () => ({ ...plan(), complete: false, applyable: false }),
      /the plan is not complete \("complete": false/,
    ],
    ['a format version 2', () => ({ ...plan(), format_version: '2.0' }), /"format_version" is "2\.0"/],
    [
      'a change without actions',
      () => {
        const p = plan() as { resource_changes: Array<{ change: Record<string, unknown> }> };
        delete p.resource_changes[0].change.actions;
        return p;
      },
      /"change\.actions" is not a list of plan actions/,
    ],
  ])('%s', (name, make, message) => {
    const run = guard(JSON.stringify(make()));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    table.add({ case: `guard: ${name}`, exit: String(run.code), intact: 'plan file unchanged' });
  });

  test('a plan cut at every 500th byte: exit 2 (not valid JSON, or empty)', () => {
    const seen: number[] = [];
    for (let cut = 0; cut < TOFU_PLAN.length - 1; cut += 500) {
      const run = guard(TOFU_PLAN.slice(0, cut));
      seen.push(run.code!);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(cut === 0 ? /is empty/ : /is not valid JSON/);
    }
    table.add({ case: `guard: a plan cut at ${seen.length} points`, exit: codes(seen), intact: 'plan file unchanged' });
  });
});

describe('plans of both engines', () => {
  test.each<[string, () => unknown, number]>([
    ['an OpenTofu 1.11 plan (a stage, create-before-destroy)', plan, 0],
    [
      'the same plan in Terraform 1.14 form (applyable, complete, checks, relevant_attributes)',
      () => ({ ...plan(), terraform_version: '1.14.0', applyable: true, complete: true, checks: [] }),
      0,
    ],
    [
      'an OpenTofu plan with no changes (no resource_changes)',
      () => {
        const { resource_changes: _changes, resource_drift: _drift, ...rest } = plan();
        return rest;
      },
      0,
    ],
    [
      'a plan that updates a launch template in place',
      () => JSON.parse(readFileSync(join(PLANS, 'launch-template-updated-in-place.json'), 'utf8')),
      1,
    ],
  ])('%s', (name, make, code) => {
    const run = guard(JSON.stringify(make()));
    expect(run.code).toBe(code);
    if (code === 0) {
      // nothing but notes (the lifecycle check needs --config, which these cases do not give)
      expect(run.stderr).toMatch(/^(guard: note: [^\n]*\n)*$/);
    }
    table.add({ case: `guard: ${name}`, exit: String(run.code), intact: 'plan file unchanged' });
  });
});

describe('fuzzed plan shapes', () => {
  /** A random edit of the real plan at a random path: delete it, or put a random JSON value there. */
  const edit = fc.record({
    path: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
    action: fc.constantFrom('delete', 'replace'),
    value: fc.jsonValue({ maxDepth: 3 }),
  });

  function apply(target: unknown, path: number[], action: string, value: unknown): void {
    let node = target as Record<string, unknown>;
    for (let i = 0; i < path.length; i++) {
      if (node === null || typeof node !== 'object') {
        return;
      }
      const keys = Object.keys(node);
      if (keys.length === 0) {
        return;
      }
      const key = keys[path[i] % keys.length];
      if (i === path.length - 1 || node[key] === null || typeof node[key] !== 'object') {
        if (action === 'delete') {
          delete node[key];
        } else {
          node[key] = value;
        }
        return;
      }
      node = node[key] as Record<string, unknown>;
    }
  }

  test('5,000 edited plans: guard reports, or refuses with a PlanFileError; it never crashes or passes a non-plan', () => {
    const seen: number[] = [];
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        const edited = plan();
        for (const e of edits) {
          apply(edited, e.path, e.action, e.value);
        }
        let code: number;
        try {
          code = guardPlan(edited, 'plan.json').violations.length > 0 ? 1 : 0;
        } catch (error) {
          expect(error).toBeInstanceOf(PlanFileError);
          code = 2;
        }
        seen.push(code);
        const isPlan =
          typeof edited.format_version === 'string' &&
          /^1\.\d+$/.test(edited.format_version) &&
          edited.planned_values !== null &&
          typeof edited.planned_values === 'object' &&
          !Array.isArray(edited.planned_values);
        if (!isPlan) {
          expect(code).toBe(2);
        }
      }),
      { numRuns: 5000, seed: 27 },
    );
    expect(new Set(seen)).toEqual(new Set([0, 1, 2]));
    table.add({
      case: 'guard: 5,000 fuzzed plan shapes (edits of a real plan)',
      exit: codes(seen),
      intact: 'no crash; a non-plan never passes',
    });
  });

  test('random JSON documents through the command: exit 2 for every one that is not a plan', () => {
    const seen: number[] = [];
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const run = guard(JSON.stringify(value));
        seen.push(run.code!);
        expect([0, 1, 2]).toContain(run.code);
        if (run.code === 0) {
          expect((value as { planned_values?: unknown }).planned_values).toBeDefined();
        }
      }),
      { numRuns: 300, seed: 27 },
    );
    table.add({ case: 'guard: 300 random JSON documents', exit: codes(seen), intact: 'plan file unchanged' });
  });
});
