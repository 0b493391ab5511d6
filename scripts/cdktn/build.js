#!/usr/bin/env node
// npm run build:cdktn: the CDK Terrain (cdktn) build of cdktf-immutable's two packages,
// from the same source, packed to build/cdktn/:
//  - cdktn-immutable-<version>.tgz (build/cdktn/package/): what the library's cdktn entry
//    points reach in dist/ (lib/index, lib/release, lib/review, lib/names; not
//    `cdktf-immutable/docker`, which needs @cdktf/provider-docker and has no cdktn
//    counterpart on npm yet), with the module specifiers of the JavaScript and the type
//    declarations rewritten (cdktf -> cdktn, @cdktf/provider-aws/lib/ -> @cdktn/provider-aws/lib/),
//    peers cdktn and @cdktn/provider-aws, and as devDependencies the versions its
//    scaffold pins (`cdktn-immutable init`);
//  - cdktn-immutable-cli-<version>.tgz (build/cdktn/cli/): the command line
//    (packages/cli/dist/), its runner (register/) and the init templates, with the text
//    rewritten too (CLI_RENAMES): the command is `cdktn-immutable`, its messages say
//    `cdktn deploy`, its scaffold depends on cdktn-immutable, cdktn and cdktn-cli.
// Run `npm run build` first. Fails, naming the file and line, if a cdktf or @cdktf/
// import survives in the library, or any cdktf (but cdktf.json and cdktf.out, which cdktn
// keeps) in the command line.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { PEERS, ROOT, OUT_DIR, SCAFFOLD_VERSIONS } = require('./config');

const DIST = path.join(ROOT, 'dist');
const CLI = path.join(ROOT, 'packages', 'cli');
const PACKAGE_DIR = path.join(OUT_DIR, 'package');
const CLI_PACKAGE_DIR = path.join(OUT_DIR, 'cli');
/** Entry points of the cdktn package, relative to dist/ and without extension. */
const ENTRY_POINTS = ['lib/index', 'lib/release/index', 'lib/review/index', 'lib/names/index'];
/** The tools the scaffold pins at the root's versions (cdktn's own from config.js SCAFFOLD_VERSIONS). */
const SCAFFOLD_TOOLS = ['ts-node', 'typescript', 'jest', 'ts-jest', '@types/jest', '@types/node'];
/**
 * How the command line's text (JavaScript, runner, templates) is renamed, in order: the
 * packages and the command, the AWS bindings, the cdktf CLI, then every other cdktf word
 * but cdktf.json and cdktf.out (cdktn keeps both names). The fleets' tags
 * (`cdktf-immutable:fleet`, `:slot`, `:in-use`) are what deployed resources carry: kept.
 */
const CLI_RENAMES = [
  [/cdktf-immutable(?!:(?:fleet|slot|in-use))/g, 'cdktn-immutable'],
  [/@cdktf\/provider-aws/g, '@cdktn/provider-aws'],
  [/\bcdktf-cli\b/g, 'cdktn-cli'],
  [/\bcdktf\b(?!\.json|\.out|-)/g, 'cdktn'],
];
/** A cdktf that may stay in the command line's text: the file names, camelCase identifiers, the tags. */
const CDKTF_KEPT = /cdktf(?:\.json|\.out|[A-Z]\w*|-immutable:(?:fleet|slot|in-use))/g;
/** How each cdktf module specifier is renamed; anything else starting with cdktf or @cdktf/ is an error. */
const RENAMES = [
  [/^cdktf(?=$|\/)/, 'cdktn'],
  [/^@cdktf\/provider-aws\/lib\//, '@cdktn/provider-aws/lib/'],
];
/**
 * The commands the library's messages tell a user to run (`"cdktf-immutable release init
 * <env>"`, `run "cdktf synth"`): on cdktn they are the cdktn ones. Only command lines are
 * renamed: the tags the fleets write (`cdktf-immutable:fleet`, `:in-use`) stay, so a
 * deployed fleet keeps its tags across the move.
 */
const MESSAGE_RENAMES = [
  [/\bcdktf-immutable (?=release|preview|guard|init\b)/g, 'cdktn-immutable '],
  [/\bcdktf (?=synth|deploy|diff\b)/g, 'cdktn '],
];
/** A module specifier: `from '…'`, `import '…'`, `require('…')`, `import('…')`. */
const SPECIFIER = /(\bfrom\s*|^\s*import\s*|\brequire\(\s*|\bimport\(\s*)(['"])([^'"\n]+)\2/gm;
const CDKTF_SPECIFIER = /^(cdktf($|\/)|@cdktf\/)/;

function fail(message) {
  console.error(`build:cdktn: ${message}`);
  process.exit(1);
}

/** dist/ and packages/cli/dist/ must be built from the current lib/ and bin/ (scripts/build-dist.js writes their keys). */
function checkDist() {
  if (!fs.existsSync(path.join(DIST, 'lib', 'index.js')) || !fs.existsSync(path.join(CLI, 'dist', 'cli', 'main.js'))) {
    fail('dist/lib/index.js or packages/cli/dist/cli/main.js is missing; run "npm run build" first.');
  }
  if (!require('../build-dist').isFresh()) {
    fail('dist/ and packages/cli/dist/ were not built from the current lib/ and bin/; run "npm run build" first.');
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
  let out = text.replace(SPECIFIER, (match, lead, quote, specifier) => {
    let renamed = specifier;
    for (const [pattern, replacement] of RENAMES) {
      renamed = renamed.replace(pattern, replacement);
    }
    return `${lead}${quote}${renamed}${quote}`;
  });
  for (const [pattern, replacement] of MESSAGE_RENAMES) {
    out = out.replace(pattern, replacement);
  }
  for (const { specifier, line } of specifiers(out)) {
    if (CDKTF_SPECIFIER.test(specifier)) {
      survivors.push({ specifier, line });
    }
  }
  return { out, survivors };
}

/** Rewrites the command line's text (CLI_RENAMES); returns the new text and the cdktf words that survived. */
function rewriteCli(text) {
  let out = text;
  for (const [pattern, replacement] of CLI_RENAMES) {
    out = out.replace(pattern, replacement);
  }
  const survivors = out
    .replace(CDKTF_KEPT, '')
    .split('\n')
    .flatMap((line, i) => (/cdktf/.test(line) ? [{ line: i + 1, text: line.trim() }] : []));
  return { out, survivors };
}

/** Files under `dir`, relative, with `/` separators. */
function filesUnder(dir, prefix = '') {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? filesUnder(path.join(dir, entry.name), rel) : [rel];
  });
}

function packageJson() {
  const source = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const omit = (obj, key) => Object.fromEntries(Object.entries(obj).filter(([k]) => k !== key));
  return {
    name: 'cdktn-immutable',
    version: source.version,
    description:
      'CDK Terrain (cdktn) build of cdktf-immutable: constructs for immutable infrastructure on AWS: baked images, ' +
      'generation-named launch templates and ASGs, blue/green cutover with one-step rollback.',
    license: source.license,
    keywords: ['cdktn', 'cdk-terrain', ...source.keywords.filter((k) => k !== 'cdktf')],
    main: source.main,
    types: source.types,
    exports: omit(source.exports, './docker'),
    typesVersions: { '*': omit(source.typesVersions['*'], 'docker') },
    files: source.files,
    engines: source.engines,
    peerDependencies: { ...PEERS },
    dependencies: source.dependencies,
    // What `cdktn-immutable init` pins in a new repository: the versions this build is tested with.
    devDependencies: {
      ...SCAFFOLD_VERSIONS,
      ...Object.fromEntries(SCAFFOLD_TOOLS.map((tool) => [tool, source.devDependencies[tool]])),
    },
  };
}

function cliPackageJson() {
  const source = JSON.parse(fs.readFileSync(path.join(CLI, 'package.json'), 'utf8'));
  const { scripts: _scripts, ...rest } = source;
  return {
    ...rest,
    name: 'cdktn-immutable-cli',
    description:
      'The cdktn-immutable command line (CDK Terrain build of cdktf-immutable-cli): release files and stepped ' +
      'rollouts, offline preview, the plan guard, and init, with the fast synth runner (cdktn-immutable-cli/register).',
    keywords: ['cdktn', 'cdk-terrain', ...source.keywords.filter((k) => k !== 'cdktf')],
    bin: { 'cdktn-immutable': 'dist/cdktn-immutable.js' },
    dependencies: {
      ...Object.fromEntries(Object.entries(source.dependencies).filter(([name]) => name !== 'cdktf-immutable')),
      'cdktn-immutable': source.version,
    },
  };
}

/** Writes the command line's package into build/cdktn/cli/ (CLI_RENAMES over every file). */
function writeCli() {
  const bad = [];
  for (const [from, prefix] of [
    [path.join(CLI, 'dist'), 'dist'],
    [path.join(CLI, 'register'), 'register'],
    [path.join(CLI, 'templates'), 'templates'],
  ]) {
    for (const file of filesUnder(from).filter((f) => f !== '.build-key')) {
      const { out, survivors } = rewriteCli(fs.readFileSync(path.join(from, file), 'utf8'));
      bad.push(...survivors.map((s) => `packages/cli/${prefix}/${file}:${s.line}: ${s.text}`));
      const target = path.join(CLI_PACKAGE_DIR, prefix, file.replace(/^cdktf-immutable\.js$/, 'cdktn-immutable.js'));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, out, { mode: fs.statSync(path.join(from, file)).mode });
    }
  }
  if (bad.length > 0) {
    fail(
      `cdktf survives in the cdktn command line (add a rename to CLI_RENAMES in scripts/cdktn/build.js):\n  ${bad.join('\n  ')}`,
    );
  }
  fs.writeFileSync(path.join(CLI_PACKAGE_DIR, 'package.json'), `${JSON.stringify(cliPackageJson(), null, 2)}\n`);
  fs.writeFileSync(
    path.join(CLI_PACKAGE_DIR, 'README.md'),
    `# cdktn-immutable-cli

The command line of cdktn-immutable, the CDK Terrain (cdktn) build of cdktf-immutable:
\`npm install -D cdktn-immutable-cli\` beside \`cdktn-immutable\`, then \`npx cdktn-immutable --help\`.
\`npx cdktn-immutable init\` scaffolds a cdktn repository (cdktn, cdktn-cli, @cdktn/provider-aws);
\`cdktn-immutable-cli/register\` is the fast synth runner its cdktf.json preloads.
See the README of cdktf-immutable ("CDK Terrain (cdktn)").
`,
  );
}

/** `npm pack` of `dir` into OUT_DIR; returns the tarball's name. */
function pack(dir) {
  return execFileSync('npm', ['pack', '--silent', '--pack-destination', OUT_DIR], { cwd: dir, encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop();
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
> line is \`cdktn-immutable\`, in the package cdktn-immutable-cli. There is no Docker entry point
> yet. See "CDK Terrain (cdktn)" below.

${readme}`,
  );
  writeCli();
  const tarballs = [pack(PACKAGE_DIR), pack(CLI_PACKAGE_DIR)];
  console.log(
    `build:cdktn: ${files.length} library files rewritten into ${path.relative(ROOT, PACKAGE_DIR)}, ` +
      `the command line into ${path.relative(ROOT, CLI_PACKAGE_DIR)}; packed ` +
      tarballs.map((tarball) => path.relative(ROOT, path.join(OUT_DIR, tarball))).join(' and '),
  );
}

main();
