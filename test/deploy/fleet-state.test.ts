/**
 * The fleets keep their state on their constructs (the names each fleet uses are read
 * from the fleets of its stack), never in module-level registries: nothing outlives an
 * app, and nothing of one app is seen by another.
 */
import { readFileSync } from 'fs';
import { join, relative, resolve } from 'path';
import * as ts from 'typescript';
import { TerraformStack } from 'cdktf';
import { BlueGreenFleet, ImageSource, ReplaceFleet } from '../../lib';
import { sourceFiles } from '../support/source-files';
import { AMI_1, newApp, SUBNETS, VPC } from '../support/synth';

const ROOT = resolve(__dirname, '../..');

function replaceFleet(stack: TerraformStack, id: string, name: string): ReplaceFleet {
  return new ReplaceFleet(stack, id, { name, vpcId: VPC, subnetIds: SUBNETS, image: ImageSource.fromAmiId(AMI_1) });
}

/** Module-level declarations of `file` that hold mutable state: `let`, or a new Map, Set, WeakMap or WeakSet. */
function moduleState(file: string, text = readFileSync(file, 'utf8')): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  return source.statements.filter(ts.isVariableStatement).flatMap((statement) => {
    const isLet = (statement.declarationList.flags & ts.NodeFlags.Let) !== 0;
    return statement.declarationList.declarations
      .filter(
        (d) =>
          isLet ||
          (d.initializer !== undefined &&
            ts.isNewExpression(d.initializer) &&
            /^(Weak)?(Map|Set)$/.test(d.initializer.expression.getText(source))),
      )
      .map((d) => `${relative(ROOT, file)}: ${d.getText(source).slice(0, 80)}`);
  });
}

describe('fleet state', () => {
  test('lib/deploy holds no module-level registry', () => {
    const files = sourceFiles(join(ROOT, 'lib', 'deploy'));
    expect(files.length).toBeGreaterThan(10);
    expect(files.flatMap((file) => moduleState(file))).toEqual([]);
  });

  test('the detector finds module-level registries, not constants or function-local state', () => {
    const sample = [
      'const claimed = new WeakMap<object, string>();',
      'let count = 0;',
      'const LIMITS = { name: 32 };',
      'function f() { const seen = new Set<string>(); return seen; }',
    ].join('\n');
    expect(moduleState(join(ROOT, 'sample.ts'), sample)).toEqual([
      'sample.ts: claimed = new WeakMap<object, string>()',
      'sample.ts: count = 0',
    ]);
  });

  test('the names one app uses are not seen by the next app (same stack and fleet names)', () => {
    for (let i = 0; i < 3; i++) {
      const stack = new TerraformStack(newApp(), 'prod');
      expect(() => replaceFleet(stack, 'Api', 'api')).not.toThrow();
      expect(
        () =>
          new BlueGreenFleet(stack, 'Web', {
            name: 'web',
            vpcId: VPC,
            subnetIds: SUBNETS,
            active: 'blue',
            slots: { blue: { image: ImageSource.fromAmiId(AMI_1) }, green: {} },
          }),
      ).not.toThrow();
    }
  });

  test('a fleet that failed in one app leaves the names of the next app free', () => {
    const first = new TerraformStack(newApp(), 'prod');
    replaceFleet(first, 'Api', 'api');
    expect(() => replaceFleet(first, 'Api2', 'api')).toThrow(/already uses in stack prod/);
    const next = new TerraformStack(newApp(), 'prod');
    expect(() => replaceFleet(next, 'Api2', 'api')).not.toThrow();
  });

  test('a fleet that failed part-way does not break the checks of the fleets after it in its stack', () => {
    // GIVEN a stack where a second fleet failed after its construct was added to the tree
    const stack = new TerraformStack(newApp(), 'prod');
    replaceFleet(stack, 'Api', 'api');
    expect(() => replaceFleet(stack, 'Clash', 'api')).toThrow(/already uses/);
    // THEN the next fleets are checked against the first one, and build when their names are free
    expect(() => replaceFleet(stack, 'Again', 'api')).toThrow(/ReplaceFleet prod\/Api already uses/);
    expect(() => replaceFleet(stack, 'Other', 'other')).not.toThrow();
  });
});
