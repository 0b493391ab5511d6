/**
 * scripts/readme-snippets.js (`npm run test:readme`, run by CI next to the type check on
 * the real README and docs/) on small Markdown files: it compiles each TypeScript block
 * as its own module, names the file and line of an error, and leaves CDK Terrain blocks
 * to `npm run test:cdktn`. The blocks here import nothing from the library, so the test
 * stays fast; the real README's and guide's blocks are checked by the npm script.
 */
import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'readme-snippets.js');
const work = mkdtempSync(join(tmpdir(), 'readme-snippets-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(args: string[]): { code: number | null; output: string } {
  const result = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', cwd: work });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

function write(name: string, markdown: string): string {
  const file = join(work, name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, markdown);
  return file;
}

test('each block is its own module, declared names pass, cdktn blocks are left out; errors name the file, line and column (indented blocks too) and the fix', () => {
  // one run (one TypeScript program) for every case and both files, to keep the test fast
  const readme = write(
    'README.md',
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
  const guide = write(
    'docs/guide.md',
    ['# Guide', '', 'Text.', '', '```typescript', 'export const b = 1;', 'b.toFixed(missing);', '```', ''].join('\n'),
  );
  const { code, output } = run([readme, guide]);
  expect(code).toBe(1);
  const errors = output.split('\n').filter((line) => / error TS\d+:/.test(line));
  expect(errors).toEqual([
    "README.md:27:13 (the block at line 26): error TS2304: Cannot find name 'api'.",
    "README.md:34:9 (the block at line 32): error TS2322: Type 'number' is not assignable to type 'string'.",
    "docs/guide.md:7:11 (the block at line 5): error TS2304: Cannot find name 'missing'.",
  ]);
  expect(output).toContain('3 error(s) in the TypeScript blocks of 2 files.');
  expect(output).toContain(
    'declare names it uses but does not define, as aws-cdk READMEs do (`declare const web: AmiPipeline;`)',
  );
});

test('by default it checks README.md and every Markdown file under docs/', () => {
  const root = join(__dirname, '..', '..');
  const { code, output } = run(['--list']);
  expect(code).toBe(0);
  const docs = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? docs(join(dir, entry.name)) : entry.name.endsWith('.md') ? [join(dir, entry.name)] : [],
    );
  const listed = output
    .trim()
    .split('\n')
    .map((file) => join(work, file));
  expect(listed.sort()).toEqual([join(root, 'README.md'), ...docs('docs').map((f) => join(root, f))].sort());
  expect(listed.length).toBeGreaterThan(10);
});
