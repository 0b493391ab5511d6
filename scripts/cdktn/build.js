#!/usr/bin/env node
// npm run build:cdktn: the CDK Terrain (cdktn) build of cdktf-immutable, from the same
// source. Takes the emitted dist/ (run `npm run build` first), copies what the cdktn
// entry points reach (lib/index, lib/release, lib/review, the command line; not
// `cdktf-immutable/docker`, which needs @cdktf/provider-docker and has no cdktn
// counterpart on npm yet) into build/cdktn/package/, rewrites the module specifiers of
// the JavaScript and the type declarations (cdktf -> cdktn, @cdktf/provider-aws/lib/ ->
// @cdktn/provider-aws/lib/), writes its package.json (cdktn-immutable, peers cdktn and
// @cdktn/provider-aws) and packs it to build/cdktn/cdktn-immutable-<version>.tgz.
// Fails, naming the file and line, if a cdktf or @cdktf/ import survives.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { PEERS, ROOT, OUT_DIR } = require('./config');

const DIST = path.join(ROOT, 'dist');
const PACKAGE_DIR = path.join(OUT_DIR, 'package');
/** Entry points of the cdktn package, relative to dist/ and without extension. */
const ENTRY_POINTS = ['lib/index', 'lib/release/index', 'lib/review/index', 'bin/cdktf-immutable'];
/** How each cdktf module specifier is renamed; anything else starting with cdktf or @cdktf/ is an error. */
const RENAMES = [
  [/^cdktf(?=$|\/)/, 'cdktn'],
  [/^@cdktf\/provider-aws\/lib\//, '@cdktn/provider-aws/lib/'],
];
/** A module specifier: `from '…'`, `import '…'`, `require('…')`, `import('…')`. */
const SPECIFIER = /(\bfrom\s*|^\s*import\s*|\brequire\(\s*|\bimport\(\s*)(['"])([^'"\n]+)\2/gm;
const CDKTF_SPECIFIER = /^(cdktf($|\/)|@cdktf\/)/;

function fail(message) {
  console.error(`build:cdktn: ${message}`);
  process.exit(1);
}

/** dist/ must be built from the current lib/ and bin/ (scripts/build-dist.js writes its key). */
function checkDist() {
  if (!fs.existsSync(path.join(DIST, 'lib', 'index.js'))) {
    fail('dist/lib/index.js is missing; run "npm run build" first.');
  }
  if (!require('../build-dist').isFresh()) {
    fail('dist/ was not built from the current lib/ and bin/; run "npm run build" first.');
  }
}

/** Module specifiers of a .js or .d.ts file, with their line numbers. */
function specifiers(text) {
  return [...text.matchAll(SPECIFIER)].map((m) => ({
    specifier: m[3],
    line: text.slice(0, m.index).split('\n').length + m[1].split('\n').length - 1,
  }));
}

/** The dist/ files (.js and .d.ts, relative to dist/) that the entry points reach by relative imports. */
function reachable() {
  const files = new Set();
  const queue = ENTRY_POINTS.slice();
  const seen = new Set();
  while (queue.length > 0) {
    const mod = queue.shift();
    if (seen.has(mod)) {
      continue;
    }
    seen.add(mod);
    const candidates = [`${mod}.js`, `${mod}.d.ts`].filter((f) => fs.existsSync(path.join(DIST, f)));
    if (candidates.length === 0) {
      const index = path.posix.join(mod, 'index');
      if (fs.existsSync(path.join(DIST, `${index}.js`)) || fs.existsSync(path.join(DIST, `${index}.d.ts`))) {
        queue.push(index);
        continue;
      }
      fail(`dist/${mod}.js is imported but does not exist.`);
    }
    for (const file of candidates) {
      files.add(file);
      for (const { specifier } of specifiers(fs.readFileSync(path.join(DIST, file), 'utf8'))) {
        if (specifier.startsWith('.')) {
          queue.push(path.posix.normalize(path.posix.join(path.posix.dirname(mod), specifier)));
        }
      }
    }
  }
  return [...files].sort();
}

/** Rewrites the cdktf module specifiers of one file; returns the new text and what survived. */
function rewrite(text) {
  const survivors = [];
  const out = text.replace(SPECIFIER, (match, lead, quote, specifier) => {
    let renamed = specifier;
    for (const [pattern, replacement] of RENAMES) {
      renamed = renamed.replace(pattern, replacement);
    }
    return `${lead}${quote}${renamed}${quote}`;
  });
  for (const { specifier, line } of specifiers(out)) {
    if (CDKTF_SPECIFIER.test(specifier)) {
      survivors.push({ specifier, line });
    }
  }
  return { out, survivors };
}

function packageJson() {
  const source = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const omit = (obj, key) => Object.fromEntries(Object.entries(obj).filter(([k]) => k !== key));
  return {
    name: 'cdktn-immutable',
    version: source.version,
    description:
      'CDK Terrain (cdktn) build of cdktf-immutable: constructs for immutable infrastructure on AWS: baked images, generation-named launch templates and ASGs, blue/green cutover with one-step rollback.',
    license: source.license,
    keywords: ['cdktn', 'cdk-terrain', ...source.keywords.filter((k) => k !== 'cdktf')],
    main: source.main,
    types: source.types,
    // cdktf-immutable/register and the init templates are cdktf projects' (ts-node runner,
    // cdktf peers): not shipped in the cdktn package, whose "init" says the templates are missing.
    exports: omit(omit(source.exports, './docker'), './register'),
    typesVersions: { '*': omit(source.typesVersions['*'], 'docker') },
    bin: { 'cdktn-immutable': source.bin['cdktf-immutable'] },
    files: source.files.filter((f) => f !== 'register' && f !== 'templates'),
    engines: source.engines,
    peerDependencies: { ...PEERS },
    dependencies: source.dependencies,
  };
}

function main() {
  checkDist();
  fs.rmSync(OUT_DIR, { recursive: true, force: true });
  const files = reachable();
  const bad = [];
  for (const file of files) {
    const { out, survivors } = rewrite(fs.readFileSync(path.join(DIST, file), 'utf8'));
    bad.push(...survivors.map((s) => `dist/${file}:${s.line}: ${s.specifier}`));
    const target = path.join(PACKAGE_DIR, 'dist', file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, out, { mode: fs.statSync(path.join(DIST, file)).mode });
  }
  if (bad.length > 0) {
    fail(
      `cdktf imports survive in the cdktn build (add a rename to scripts/cdktn/build.js or keep the file out of the cdktn entry points):\n  ${bad.join('\n  ')}`,
    );
  }
  const docker = files.filter((f) => f.startsWith('lib/docker/') || /docker-image-pipeline/.test(f));
  if (docker.length > 0) {
    fail(`the Docker entry point leaked into the cdktn build: ${docker.join(', ')}`);
  }
  const pkg = packageJson();
  fs.writeFileSync(path.join(PACKAGE_DIR, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  fs.writeFileSync(
    path.join(PACKAGE_DIR, 'README.md'),
    `> **cdktn-immutable** is the CDK Terrain (cdktn) build of cdktf-immutable, from the same
> source: import from \`cdktn-immutable\` (and \`cdktn\`, \`@cdktn/provider-aws/lib/…\`) where
> this README says \`cdktf-immutable\` (\`cdktf\`, \`@cdktf/provider-aws/lib/…\`). The command
> line is \`cdktn-immutable\`. There is no Docker entry point yet. See "CDK Terrain (cdktn)" below.

${readme}`,
  );
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', OUT_DIR], {
    cwd: PACKAGE_DIR,
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop();
  console.log(
    `build:cdktn: ${files.length} files rewritten into ${path.relative(ROOT, PACKAGE_DIR)}; packed ${path.relative(ROOT, path.join(OUT_DIR, tarball))}`,
  );
}

main();
