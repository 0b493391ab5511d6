import fc from 'fast-check';
import { formatReleaseFile, parseReleaseFile, ReleaseFile, ReleaseFileError } from '../../lib/release';
import { guardPlan, PlanFileError } from '../../lib/review';
import { withoutEmpty } from '../../lib/review/private/diff';

/**
 * Random and mutated inputs for the two parsers that read files people edit by hand
 * or tools write: the release files and the plan JSON. Each must return a value or
 * throw its own error type with a message naming the file; nothing else, and quickly.
 * Runs are bounded (numRuns) and each property has a time budget (interruptAfterTimeLimit).
 */
const RUNS = { numRuns: 400, interruptAfterTimeLimit: 8_000 };

const valid: ReleaseFile = {
  version: 1,
  environment: 'dev',
  active: 'green',
  canary: 10,
  previous: 'blue',
  slots: {
    blue: { image: 'ami-0123456789abcdef0', stagedAt: '2026-01-01T00:00:00.000Z', source: '--image' },
    green: { image: 'ami-0fedcba9876543210', stagedAt: null, source: 'env:staging' },
  },
};
const validText = formatReleaseFile(valid);

function expectCleanRelease(text: string): void {
  try {
    const parsed = parseReleaseFile(text, 'releases/dev.json');
    // anything accepted must survive a round trip unchanged
    expect(parseReleaseFile(formatReleaseFile(parsed), 'releases/dev.json')).toEqual(parsed);
  } catch (error) {
    expect(error).toBeInstanceOf(ReleaseFileError);
    expect((error as Error).message).toMatch(/^releases\/dev\.json: /);
    expect((error as Error).message.length).toBeLessThan(400);
  }
}

function expectCleanPlan(value: unknown): void {
  try {
    const report = guardPlan(value, 'plan.json');
    expect(Array.isArray(report.violations)).toBe(true);
  } catch (error) {
    expect(error).toBeInstanceOf(PlanFileError);
    expect((error as Error).message).toMatch(/^plan\.json: /);
  }
}

/** Mutations of a JSON text: cut, splice random characters, duplicate a slice. */
const mutatedText = (base: string) =>
  fc
    .tuple(
      fc.nat(base.length),
      fc.nat(base.length),
      fc.string({ maxLength: 8 }),
      fc.constantFrom('cut', 'splice', 'dup'),
    )
    .map(([a, b, insert, how]) => {
      const [from, to] = a < b ? [a, b] : [b, a];
      if (how === 'cut') return base.slice(0, from);
      if (how === 'splice') return base.slice(0, from) + insert + base.slice(to);
      return base.slice(0, to) + base.slice(from, to) + base.slice(to);
    });

/** Structural mutations: replace one field (at any depth) with a random JSON value. */
function mutateField(object: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0 || object === null || typeof object !== 'object') {
    return value;
  }
  const [head, ...rest] = path;
  const copy: Record<string, unknown> = Array.isArray(object)
    ? ([...object] as unknown as Record<string, unknown>)
    : { ...(object as Record<string, unknown>) };
  copy[head] = mutateField(copy[head], rest, value);
  return copy;
}

const releasePaths = fc.constantFrom(
  ['version'],
  ['environment'],
  ['active'],
  ['canary'],
  ['previous'],
  ['slots'],
  ['slots', 'blue'],
  ['slots', 'green', 'image'],
  ['slots', 'blue', 'stagedAt'],
  ['slots', 'green', 'source'],
  ['extra'],
  ['slots', 'red'],
  ['slots', 'blue', 'extra'],
  ['slots', 'blue', 'rolledBackAt'],
  ['slots', 'green', 'rolledBackAt'],
);

describe('fuzz: release file parser', () => {
  test('random strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), expectCleanRelease), RUNS);
  });

  test('random JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => expectCleanRelease(JSON.stringify(value))),
      RUNS,
    );
  });

  test('textual mutations of a valid file', () => {
    fc.assert(fc.property(mutatedText(validText), expectCleanRelease), RUNS);
  });

  test('one field replaced by a random value', () => {
    fc.assert(
      fc.property(releasePaths, fc.jsonValue({ maxDepth: 2 }), (path, value) => {
        expectCleanRelease(JSON.stringify(mutateField(JSON.parse(validText), path, value)));
      }),
      RUNS,
    );
  });

  test('hostile but valid JSON: deep nesting, huge numbers, long strings', () => {
    for (const text of [
      '['.repeat(5000) + ']'.repeat(5000),
      JSON.stringify({ ...JSON.parse(validText), slots: JSON.parse('['.repeat(3000) + ']'.repeat(3000)) }),
      'x'.repeat(70_000),
      JSON.stringify({ ...JSON.parse(validText), canary: 1e308 }),
      JSON.stringify({ ...JSON.parse(validText), environment: 'd'.repeat(100_000) }),
      '{"__proto__": {"polluted": true}, "version": 1}',
    ]) {
      expectCleanRelease(text);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

const planChange = fc.record(
  {
    address: fc.oneof(fc.constant('aws_launch_template.web'), fc.string({ maxLength: 20 })),
    mode: fc.oneof(fc.constant('managed'), fc.constant('data'), fc.jsonValue()),
    type: fc.oneof(
      fc.constantFrom('aws_launch_template', 'aws_autoscaling_group', 'aws_lb_listener', 'aws_vpc'),
      fc.jsonValue(),
    ),
    change: fc.oneof(
      fc.record({
        actions: fc.oneof(
          fc.array(fc.constantFrom('no-op', 'create', 'read', 'update', 'delete'), { maxLength: 3 }),
          fc.jsonValue(),
        ),
        before: fc.jsonValue({ maxDepth: 3 }),
        after: fc.jsonValue({ maxDepth: 3 }),
        after_unknown: fc.jsonValue({ maxDepth: 3 }),
      }),
      fc.jsonValue({ maxDepth: 2 }),
    ),
  },
  { requiredKeys: [] },
);

describe('fuzz: plan file reader', () => {
  test('random JSON values', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), expectCleanPlan), RUNS);
  });

  test('plans with random resource changes', () => {
    fc.assert(
      fc.property(
        fc.array(planChange, { maxLength: 6 }),
        fc.oneof(fc.constant('1.2'), fc.jsonValue()),
        (changes, version) => {
          expectCleanPlan({ format_version: version, resource_changes: changes });
        },
      ),
      RUNS,
    );
  });

  test('a flagged update is always reported with its attribute', () => {
    fc.assert(
      fc.property(
        fc
          .string({ minLength: 1, maxLength: 12 })
          .filter((s) => /^[a-z_]+$/.test(s) && !['tags', 'tags_all', 'timeouts'].includes(s)),
        fc.jsonValue(),
        fc.jsonValue(),
        (attribute, a, b) => {
          // empty values (null, "", [], {}) are one "unset" to the guard, as to the providers
          fc.pre(JSON.stringify(withoutEmpty(a)) !== JSON.stringify(withoutEmpty(b)));
          const report = guardPlan({
            format_version: '1.2',
            planned_values: {},
            resource_changes: [
              {
                address: 'aws_launch_template.web',
                type: 'aws_launch_template',
                change: { actions: ['update'], before: { [attribute]: a }, after: { [attribute]: b } },
              },
            ],
          });
          expect(report.violations).toEqual([
            expect.objectContaining({ address: 'aws_launch_template.web', attributes: [attribute] }),
          ]);
        },
      ),
      RUNS,
    );
  });
});

describe('fuzz: hostile plans', () => {
  test('deeply nested before/after values are a clean error, not a crash', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) {
      deep = { a: deep };
    }
    expectCleanPlan({
      format_version: '1.2',
      resource_changes: [
        {
          address: 'aws_launch_template.web',
          type: 'aws_launch_template',
          change: { actions: ['update'], before: deep, after: { a: 2 } },
        },
      ],
    });
  });
});
