import { readdirSync } from 'fs';
import { join } from 'path';
import { App } from 'cdktf';
import { synthesizeApp } from '../support/synth';

/**
 * Every example is synthesized with a committed snapshot: the artefact reviewers read
 * in pull requests. A snapshot diff shows what a change does to the Terraform; run
 * `cdktf-immutable preview` on two synth outputs to see it classified.
 */
const EXAMPLES = join(__dirname, '..', '..', 'examples');
const names = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

test('there are examples to synthesize', () => {
  expect(names.length).toBeGreaterThanOrEqual(5);
});

describe.each(names)('example %s', (name) => {
  test('synthesizes to its snapshot', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const example = require(join(EXAMPLES, name, 'main.ts')) as { build: (app: App) => void };
    const stacks = synthesizeApp(example.build);
    expect(Object.keys(stacks).length).toBeGreaterThan(0);
    for (const [stack, json] of Object.entries(stacks)) {
      expect(json).toMatchSnapshot(stack);
    }
  });
});
