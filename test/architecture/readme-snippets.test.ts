/**
 * scripts/readme-snippets.js (`npm run test:readme`, run by CI next to the type check on
 * the real README) on a small README: it compiles each TypeScript block as its own
 * module, names the README line of an error, and leaves CDK Terrain blocks to
 * `npm run test:cdktn`. The blocks here import nothing from the library, so the test
 * stays fast; the real README's blocks are checked by the npm script.
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'readme-snippets.js');
const work = mkdtempSync(join(tmpdir(), 'readme-snippets-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function check(markdown: string): { code: number | null; output: string } {
  const file = join(work, `README-${Math.random().toString(36).slice(2)}.md`);
  writeFileSync(file, markdown);
  const result = spawnSync(process.execPath, [SCRIPT, file], { encoding: 'utf8' });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

test('each block is its own module, declared names pass, cdktn blocks are left out; errors name the README line and column (indented blocks too) and the fix', () => {
  // one run (one TypeScript program) for every case, to keep the test fast
  const { code, output } = check(
    [
      '# Title',
      '',
      '```ts',
      'const web = 1;',
      'console.log(web + 1);',
      '```',
      '',
      '- a list item:',
      '',
      '  ```typescript',
      '  declare const web: string;',
      '  console.log(web.toUpperCase());',
      '  ```',
      '',
      '```ts',
      "import { App } from 'cdktn';",
      'new App();',
      '```',
      '',
      '```sh',
      'not typescript',
      '```',
      '',
      'Text.',
      '',
      '```ts',
      'console.log(api.tag);',
      '```',
      '',
      '- item',
      '',
      '  ```ts',
      '  const n: number = 1;',
      '  const s: string = n;',
      '  ```',
      '',
    ].join('\n'),
  );
  expect(code).toBe(1);
  const errors = output.split('\n').filter((line) => / error TS\d+:/.test(line));
  expect(errors).toEqual([
    expect.stringMatching(/README-\w+\.md:27:13 \(the block at line 26\): error TS2304: Cannot find name 'api'\.$/),
    expect.stringMatching(
      /README-\w+\.md:34:9 \(the block at line 32\): error TS2322: Type 'number' is not assignable to type 'string'\.$/,
    ),
  ]);
  expect(output).toContain('2 error(s) in the TypeScript blocks of');
  expect(output).toContain(
    'declare names it uses but does not define, as aws-cdk READMEs do (`declare const web: AmiPipeline;`)',
  );
});
