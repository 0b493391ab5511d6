import { readFileSync } from 'fs';
import { join, relative, resolve } from 'path';
import * as ts from 'typescript';
import { sourceFiles } from '../support/source-files';

/**
 * Terraform expressions are built in one place (lib/deploy/private/expressions.ts) on
 * cdktf's Fn, Op, TerraformIterator and the elements' fqn: no other library file writes
 * an interpolation (`${...}`) by hand into a string.
 */
const ROOT = resolve(__dirname, '../..');

/** The files that may hold `${` in a string, and why. */
const ALLOWED: Readonly<Record<string, string>> = {
  'lib/deploy/private/expressions.ts': 'the one module that builds Terraform expressions',
  'lib/review/private/references.ts': 'reads the references out of synthesized JSON; it writes no expression',
  'lib/immutability/lifecycle-metadata.ts': 'reads the references out of synthesized JSON; it writes no expression',
  'lib/release/analysis-file.ts':
    'the ${slot.targetGroup}-style placeholders of analysis files, filled by the command line; never Terraform',
};

/**
 * Every string in `text` (TypeScript source) whose value holds `${`: string literals and
 * the literal parts of template literals, as their value (`\${` in a template is `${`).
 * Comments, regular expressions and template substitutions are not strings.
 */
function interpolationStrings(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (
      (ts.isStringLiteral(node) ||
        ts.isNoSubstitutionTemplateLiteral(node) ||
        ts.isTemplateHead(node) ||
        ts.isTemplateMiddle(node) ||
        ts.isTemplateTail(node)) &&
      node.text.includes('${')
    ) {
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      found.push(`${file}:${line}: ${JSON.stringify(node.text).slice(0, 80)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('Terraform expressions', () => {
  test('the detector finds an interpolation written by hand, and only in strings', () => {
    const sample = [
      'const a = `\\${local.${id}.weight} == 0`;',
      "const b = '${var.x}';",
      'const c = `${name}-${slot}`; // a comment may show ${local.x}',
      'const d = /[${}]/;',
    ].join('\n');
    const found = interpolationStrings('sample.ts', sample);
    expect(found).toEqual([
      expect.stringMatching(/^sample\.ts:1: "\$\{local\."/),
      expect.stringMatching(/^sample\.ts:2: "\$\{var\.x\}"/),
    ]);
  });

  test('no library file but the expressions module writes an interpolation into a string', () => {
    const files = sourceFiles(join(ROOT, 'lib')).map((file) => relative(ROOT, file));
    expect(files).toContain('lib/deploy/private/expressions.ts');
    const found = files
      .filter((file) => !(file in ALLOWED))
      .flatMap((file) => interpolationStrings(file, readFileSync(join(ROOT, file), 'utf8')));
    expect(found).toEqual([]);
  });

  test('each allowed file exists', () => {
    for (const file of Object.keys(ALLOWED)) {
      expect(() => readFileSync(join(ROOT, file), 'utf8')).not.toThrow();
    }
  });
});
