#!/usr/bin/env node
// Writes CHANGELOG.md from the git history's Conventional Commits subjects
// (https://www.conventionalcommits.org): `type(scope)!: description`.
//
//   npm run changelog              rewrites CHANGELOG.md at the repository root
//   npm run changelog -- --check   exit 1 when CHANGELOG.md is not what the script writes
//   node scripts/changelog.js --stdout   prints it instead
//
// The commits before the first conventional subject are the baseline: summarized as one
// version (the package.json version of the last of them), not listed. Later commits are
// grouped by version (a `v<version>` tag closes one; newer commits are "Unreleased") and
// by type; a subject that is not conventional is listed under "Other changes", never an
// error. Merge commits are left out.
//
// --check compares CHANGELOG.md with the script's output for the history it was written
// from: the history before the commit that last changed CHANGELOG.md (that commit cannot
// list itself), or HEAD when CHANGELOG.md has uncommitted changes. So commits made after
// the last `npm run changelog` do not fail the check; a hand edit, or a file written from
// another history, does.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

/** Section titles by type, in the order they are printed. */
const SECTIONS = [
  ['feat', 'Features'],
  ['fix', 'Bug fixes'],
  ['perf', 'Performance'],
  ['revert', 'Reverts'],
  ['refactor', 'Refactoring'],
  ['docs', 'Documentation'],
  ['test', 'Tests'],
  ['build', 'Build'],
  ['ci', 'Continuous integration'],
  ['style', 'Style'],
  ['chore', 'Chores'],
];
const TYPES = new Set(SECTIONS.map(([type]) => type));
const CONVENTIONAL = /^([a-z]+)(?:\(([^()]+)\))?(!)?: (\S.*)$/;

/** What the baseline version holds, in a few lines: its commits are summarized, not listed. */
const BASELINE_SUMMARY = [
  'The first version: generation identity (canonical hashing, names within AWS limits, the',
  'immutability aspect and the resource policy list), EC2 Image Builder and Docker image',
  'pipelines, generation-named launch templates, blue/green and replace fleets behind an',
  'application load balancer, per-environment release files with stepped rollouts gated',
  'by CloudWatch alarms, the offline preview and the plan guard, the `cdktf-immutable`',
  'command line with `init`, the CDK Terrain (cdktn) build, and end-to-end tests on',
  'OpenTofu against moto.',
];

function git(cwd, args) {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The commits reachable from `revisions`, oldest first, merges left out. */
function commitsOf(cwd, revisions) {
  if (revisions.length === 0) {
    return [];
  }
  const format = ['%H', '%ad', '%s', '%b', '%D'].join('%x1f') + '%x1e';
  const out = git(cwd, ['log', '--no-merges', '--reverse', '--date=short', `--format=${format}`, ...revisions, '--']);
  return out
    .split('\x1e')
    .map((record) => record.replace(/^\n/, ''))
    .filter((record) => record !== '')
    .map((record) => {
      const [hash, date, subject, body, refs] = record.split('\x1f');
      const tags = refs
        .split(', ')
        .map((ref) => /^tag: v(\d+\.\d+\.\d+\S*)$/.exec(ref.trim()))
        .filter(Boolean)
        .map((m) => m[1]);
      return { hash, date, subject, body, version: tags[0], ...parseSubject(subject, body) };
    });
}

/** `feat(deploy)!: x` -> { type, scope, description, breaking }; { type: undefined } when not conventional. */
function parseSubject(subject, body) {
  const m = CONVENTIONAL.exec(subject.trim());
  if (!m || !TYPES.has(m[1])) {
    return { type: undefined, description: subject.trim(), breaking: false };
  }
  const footer = /^BREAKING[ -]CHANGE: (.+)$/m.exec(body);
  return {
    type: m[1],
    scope: m[2],
    description: m[4],
    breaking: m[3] === '!' || footer !== null,
    breakingNote: footer ? footer[1].trim() : undefined,
  };
}

/** The package.json version at a commit, or undefined. */
function versionAt(cwd, hash) {
  try {
    return JSON.parse(git(cwd, ['show', `${hash}:package.json`])).version;
  } catch {
    return undefined;
  }
}

function entry(commit) {
  const scope = commit.scope ? `**${commit.scope}:** ` : '';
  return `- ${scope}${commit.description} (${commit.hash.slice(0, 7)})`;
}

/** One version's section: breaking changes first, then each type, then the other changes. */
function versionSection(title, commits) {
  const lines = [`## ${title}`, ''];
  const newestFirst = [...commits].reverse();
  const breaking = newestFirst.filter((c) => c.breaking);
  if (breaking.length > 0) {
    lines.push(
      '### Breaking changes',
      '',
      ...breaking.map((c) => (c.breakingNote ? `${entry(c)}: ${c.breakingNote}` : entry(c))),
      '',
    );
  }
  for (const [type, heading] of SECTIONS) {
    const ofType = newestFirst.filter((c) => c.type === type);
    if (ofType.length > 0) {
      lines.push(`### ${heading}`, '', ...ofType.map(entry), '');
    }
  }
  const other = newestFirst.filter((c) => c.type === undefined);
  if (other.length > 0) {
    lines.push('### Other changes', '', ...other.map(entry), '');
  }
  return lines;
}

function baselineSection(cwd, baseline) {
  if (baseline.length === 0) {
    return [];
  }
  const first = baseline[0];
  const last = baseline[baseline.length - 1];
  const version = last.version ?? versionAt(cwd, last.hash) ?? 'baseline';
  return [
    `## ${version} (baseline)`,
    '',
    ...BASELINE_SUMMARY,
    '',
    `${baseline.length} commits from ${first.date} to ${last.date} (${first.hash.slice(0, 7)} to ` +
      `${last.hash.slice(0, 7)}), before commit subjects followed Conventional Commits; ` +
      `\`git log ${last.hash.slice(0, 7)}\` lists them.`,
    '',
  ];
}

/** The text of CHANGELOG.md for the commits reachable from `revisions`. */
function render(cwd, revisions) {
  const commits = commitsOf(cwd, revisions);
  const start = commits.findIndex((c) => c.type !== undefined);
  const baseline = start === -1 ? commits : commits.slice(0, start);
  const later = start === -1 ? [] : commits.slice(start);
  const versions = [];
  let pending = [];
  for (const commit of later) {
    pending.push(commit);
    if (commit.version) {
      versions.push({ title: `${commit.version} (${commit.date})`, commits: pending });
      pending = [];
    }
  }
  if (pending.length > 0) {
    versions.push({ title: 'Unreleased', commits: pending });
  }
  const lines = [
    '# Changelog',
    '',
    'Generated from the commit subjects ([Conventional Commits](https://www.conventionalcommits.org))',
    'by `npm run changelog`; do not edit by hand. How to write a commit: [CONTRIBUTING.md](CONTRIBUTING.md).',
    '',
    ...versions.reverse().flatMap((v) => versionSection(v.title, v.commits)),
    ...baselineSection(cwd, baseline),
  ];
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

/** The revisions CHANGELOG.md was written from (see the header): HEAD, or the parents of its last change. */
function writtenFrom(cwd, file) {
  const relative = path.relative(git(cwd, ['rev-parse', '--show-toplevel']).trim(), file);
  const changed = git(cwd, ['status', '--porcelain', '--', relative]).trim() !== '';
  if (changed) {
    return { revisions: ['HEAD'], what: 'HEAD (CHANGELOG.md has uncommitted changes)' };
  }
  const [last, ...parents] = git(cwd, ['log', '-1', '--format=%H %P', '--', relative]).trim().split(' ');
  if (last === '') {
    return { revisions: ['HEAD'], what: 'HEAD (CHANGELOG.md was never committed)' };
  }
  return { revisions: parents.filter(Boolean), what: `the history before ${last.slice(0, 7)}, which last changed it` };
}

function main(argv) {
  const check = argv.includes('--check');
  const stdout = argv.includes('--stdout');
  const unknown = argv.filter((a) => a !== '--check' && a !== '--stdout');
  if (unknown.length > 0 || (check && stdout)) {
    console.error(`changelog: unknown arguments ${unknown.join(' ')}; use --check or --stdout (or neither).`);
    return 2;
  }
  const cwd = process.cwd();
  let root;
  try {
    root = git(cwd, ['rev-parse', '--show-toplevel']).trim();
  } catch {
    console.error('changelog: not inside a git repository; the changelog is generated from its history.');
    return 2;
  }
  if (git(root, ['rev-parse', '--is-shallow-repository']).trim() === 'true') {
    console.error('changelog: this clone has a shallow history; fetch it whole first (git fetch --unshallow).');
    return 2;
  }
  const file = path.join(root, 'CHANGELOG.md');
  if (!check) {
    const text = render(root, ['HEAD']);
    if (stdout) {
      process.stdout.write(text);
    } else {
      fs.writeFileSync(file, text);
      console.log(`changelog: wrote ${path.relative(cwd, file) || file}`);
    }
    return 0;
  }
  if (!fs.existsSync(file)) {
    console.error('changelog: CHANGELOG.md does not exist; run npm run changelog and commit it.');
    return 1;
  }
  const { revisions, what } = writtenFrom(root, file);
  const expected = render(root, revisions);
  const actual = fs.readFileSync(file, 'utf8');
  if (actual === expected) {
    console.log(`changelog: CHANGELOG.md is current (generated from ${what}).`);
    return 0;
  }
  const a = actual.split('\n');
  const e = expected.split('\n');
  let line = 0;
  while (a[line] === e[line]) {
    line++;
  }
  console.error(
    `changelog: CHANGELOG.md is not what npm run changelog writes from ${what}; first difference at line ${line + 1}:\n` +
      `  file:      ${JSON.stringify(a[line])}\n  generated: ${JSON.stringify(e[line])}\n` +
      'Run npm run changelog and commit CHANGELOG.md (never edit it by hand).',
  );
  return 1;
}

process.exitCode = main(process.argv.slice(2));
