#!/usr/bin/env node
// Type-checks every TypeScript block (```ts / ```typescript) of README.md and of the
// guide under docs/ as a consumer project would compile it: each block is its own
// module, and the package's entry points ('cdktf-immutable', 'cdktf-immutable/release',
// '/review', '/docker') resolve to this repository's lib/ through tsconfig paths. One
// TypeScript program over all blocks of all files, so the cost is one compile (a few
// seconds), not one per block.
//
//   node scripts/readme-snippets.js                 README.md and docs/**/*.md
//   node scripts/readme-snippets.js <file.md>...    the files named
//   node scripts/readme-snippets.js --list          prints the files it would check
//
// Exit 1 naming the file and line of each error. A block that uses a name it does not
// define declares it, as aws-cdk's READMEs do: `declare const web: AmiPipeline;`. Blocks
// for CDK Terrain (importing 'cdktn' or '@cdktn/...') are compiled against cdktn by
// `npm run test:cdktn` instead.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const ts = require('typescript');

const root = path.resolve(__dirname, '..');

/** README.md and every Markdown file under docs/, sorted. */
function defaultFiles() {
  const found = [path.join(root, 'README.md')];
  const walk = (dir) => {
    if (!fs.existsSync(dir)) {
      return;
    }
    const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else if (entry.name.endsWith('.md')) {
        found.push(full);
      }
    }
  };
  walk(path.join(root, 'docs'));
  return found;
}

/** The TypeScript blocks of `text`: { line (1-based, of the first code line), indent, code }. */
function blocksOf(text, shown) {
  const lines = text.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(ts|typescript)\s*$/.exec(lines[i]);
    if (!open) {
      continue;
    }
    const indent = open[1].length;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end])) {
      end++;
    }
    if (end === lines.length) {
      throw new Error(`${shown}:${i + 1}: the \`\`\`${open[2]} block is not closed.`);
    }
    blocks.push({
      line: start + 1,
      indent,
      code: lines
        .slice(start, end)
        .map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)))
        .join('\n'),
    });
    i = end;
  }
  return blocks;
}

const isCdktn = (code) => /from\s+'(cdktn|@cdktn\/[^']*|cdktn-immutable[^']*)'/.test(code);

/** One program over the blocks of every file; returns the error messages, each naming its file and line. */
function compile(blocks, work) {
  const files = new Map();
  for (const [i, block] of blocks.entries()) {
    const file = path.join(work, `block-${i}-line-${block.line}.ts`);
    // `export {}` makes each block a module of its own, as it would be in a project
    fs.writeFileSync(file, `${block.code}\nexport {};\n`);
    files.set(file, block);
  }
  const lib = (entry) => [path.join(root, 'lib', entry)];
  const program = ts.createProgram([...files.keys()], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    lib: ['lib.es2022.d.ts'],
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
    typeRoots: [path.join(root, 'node_modules', '@types')],
    baseUrl: root,
    paths: {
      'cdktf-immutable': lib('index.ts'),
      'cdktf-immutable/release': lib('release/index.ts'),
      'cdktf-immutable/review': lib('review/index.ts'),
      'cdktf-immutable/docker': lib('docker/index.ts'),
      // the blocks live in a temporary folder: everything else from this repository's node_modules
      '*': [path.join(root, 'node_modules', '*')],
    },
  });
  const errors = ts.getPreEmitDiagnostics(program).filter((d) => d.category === ts.DiagnosticCategory.Error);
  return errors.map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n  ');
    const block = d.file && files.get(path.resolve(d.file.fileName));
    if (!block) {
      const where = d.file
        ? `${path.relative(root, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
        : '(no file)';
      return `${where}: error TS${d.code}: ${text}`;
    }
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    const at = `${block.shown}:${block.line + line}:${block.indent + character + 1}`;
    return `${at} (the block at line ${block.line - 1}): error TS${d.code}: ${text}`;
  });
}

function main(argv) {
  const list = argv.includes('--list');
  const named = argv.filter((a) => a !== '--list');
  const markdown = named.length > 0 ? named.map((f) => path.resolve(f)) : defaultFiles();
  const shown = (file) => path.relative(process.cwd(), file) || file;
  if (list) {
    console.log(markdown.map(shown).join('\n'));
    return;
  }
  const blocks = markdown.flatMap((file) =>
    blocksOf(fs.readFileSync(file, 'utf8'), shown(file)).map((block) => ({ ...block, shown: shown(file) })),
  );
  const checked = blocks.filter((b) => !isCdktn(b.code));
  const names = markdown.length === 1 ? shown(markdown[0]) : `${markdown.length} files`;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-snippets-'));
  try {
    const messages = compile(checked, work);
    if (messages.length > 0) {
      console.error(
        `${messages.join('\n')}\n\n${messages.length} error(s) in the TypeScript blocks of ${names}. ` +
          "Fix the block: import what it uses from 'cdktf-immutable' (or a subpath), " +
          'and declare names it uses but does not define, as aws-cdk READMEs do (`declare const web: AmiPipeline;`).',
      );
      process.exitCode = 1;
      return;
    }
    console.log(
      `${names}: ${checked.length} TypeScript blocks compile ` +
        `(${blocks.length - checked.length} cdktn block(s) left to npm run test:cdktn).`,
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main(process.argv.slice(2));
