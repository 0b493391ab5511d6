#!/usr/bin/env node
// npm run metrics [-- --json] [dirs...]: the code health figures the renovation is measured by,
// over lib/ and bin/ (or the folders given):
// - the longest functions (function declarations, methods, constructors, accessors, and
//   function expressions or arrow functions of more than one line), with their line counts;
// - module-level mutable registries: a `Map`, `Set`, `WeakMap` or `WeakSet` created at the
//   top level of a module and written to in it (`.set`, `.add`, `.delete`, `.clear`), and
//   top-level `let` bindings: state that outlives an app (constant look-up tables are not
//   counted);
// - lines longer than 120 characters.
// Uses the TypeScript compiler API, read-only.
'use strict';
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

const ROOT = path.resolve(__dirname, '..');
const MAX_LINE = 120;
const REGISTRY_TYPES = new Set(['Map', 'Set', 'WeakMap', 'WeakSet']);

function sourceFiles(dir) {
  const out = [];
  if (!fs.existsSync(dir)) {
    return out;
  }
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') {
        out.push(...sourceFiles(full));
      }
    } else if (/\.ts$/.test(entry.name) && !/\.d\.ts$/.test(entry.name)) {
      out.push(full);
    }
  }
  return out.sort();
}

function functionName(node, source) {
  if (ts.isConstructorDeclaration(node)) {
    const owner = node.parent && node.parent.name ? node.parent.name.text : '(class)';
    return `${owner}.constructor`;
  }
  if ((ts.isMethodDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node)) && node.name) {
    const owner = node.parent && node.parent.name ? `${node.parent.name.text}.` : '';
    return `${owner}${node.name.getText(source)}`;
  }
  if (ts.isFunctionDeclaration(node) && node.name) {
    return node.name.text;
  }
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) {
    return parent.name.text;
  }
  if (parent && ts.isPropertyAssignment(parent)) {
    return parent.name.getText(source);
  }
  return '(anonymous)';
}

function isFunctionLike(node) {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessor(node) ||
    ts.isSetAccessor(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node)
  );
}

function analyze(file) {
  const text = fs.readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const rel = path.relative(ROOT, file);
  const functions = [];
  const registries = [];
  const lineOf = (pos) => source.getLineAndCharacterOfPosition(pos).line + 1;

  const visit = (node) => {
    if (isFunctionLike(node) && node.body) {
      const start = lineOf(node.getStart(source));
      const end = lineOf(node.end);
      const lines = end - start + 1;
      if (lines > 1) {
        functions.push({ file: rel, name: functionName(node, source), line: start, lines });
      }
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(source, visit);

  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) {
      continue;
    }
    const isLet = (statement.declarationList.flags & ts.NodeFlags.Let) !== 0;
    for (const declaration of statement.declarationList.declarations) {
      const init = declaration.initializer;
      const created =
        init && ts.isNewExpression(init) && ts.isIdentifier(init.expression) && REGISTRY_TYPES.has(init.expression.text)
          ? init.expression.text
          : undefined;
      const name = declaration.name.getText(source);
      const written = created && new RegExp(`\\b${name}\\.(set|add|delete|clear)\\(`).test(text);
      if (written || isLet) {
        registries.push({
          file: rel,
          name,
          line: lineOf(declaration.getStart(source)),
          kind: created ?? 'let',
        });
      }
    }
  }

  const lines = text.split('\n');
  const long = lines.map((l, i) => ({ file: rel, line: i + 1, length: l.length })).filter((l) => l.length > MAX_LINE);
  return { functions, registries, long, lineCount: lines.length };
}

function main() {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const dirs = args.filter((a) => !a.startsWith('--'));
  const roots = (dirs.length > 0 ? dirs : ['lib', 'bin']).map((d) => path.resolve(ROOT, d));
  const results = roots.flatMap(sourceFiles).map(analyze);
  const functions = results.flatMap((r) => r.functions).sort((a, b) => b.lines - a.lines);
  const registries = results.flatMap((r) => r.registries);
  const long = results.flatMap((r) => r.long);
  const totalLines = results.reduce((sum, r) => sum + r.lineCount, 0);
  const report = {
    folders: roots.map((r) => path.relative(ROOT, r)),
    lines: totalLines,
    longestFunctions: functions.slice(0, 10),
    moduleLevelRegistries: registries,
    linesOver120: long.length,
    linesOver120Percent: Number(((100 * long.length) / Math.max(totalLines, 1)).toFixed(2)),
    longestLine: long.reduce((max, l) => Math.max(max, l.length), 0),
  };
  if (json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log(`folders: ${report.folders.join(', ')} (${report.lines} lines)`);
  console.log('longest functions:');
  for (const f of report.longestFunctions) {
    console.log(`  ${String(f.lines).padStart(4)}  ${f.name} (${f.file}:${f.line})`);
  }
  console.log(`module-level mutable registries: ${registries.length}`);
  for (const r of registries) {
    console.log(`  ${r.kind} ${r.name} (${r.file}:${r.line})`);
  }
  console.log(
    `lines over ${MAX_LINE} characters: ${report.linesOver120} (${report.linesOver120Percent}%), ` +
      `longest ${report.longestLine}`,
  );
}

main();
