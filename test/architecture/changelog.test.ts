/**
 * scripts/changelog.js (`npm run changelog`) on a small repository: the commits before
 * the first conventional subject are summarized as the baseline, later ones are grouped
 * by version and type, a subject that is not conventional is listed and never fails, and
 * `--check` accepts the file as written and refuses a hand edit.
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'changelog.js');
const repo = mkdtempSync(join(tmpdir(), 'changelog-test-'));
afterAll(() => rmSync(repo, { recursive: true, force: true }));

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_AUTHOR_DATE: '2026-01-02T03:04:05Z',
  GIT_COMMITTER_DATE: '2026-01-02T03:04:05Z',
};

function git(...args: string[]): string {
  const result = spawnSync('git', args, { cwd: repo, env: ENV, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  }
  return result.stdout;
}

function changelog(...args: string[]): { code: number | null; out: string; err: string } {
  const result = spawnSync(process.execPath, [SCRIPT, ...args], { cwd: repo, env: ENV, encoding: 'utf8' });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

const commit = (message: string) => git('commit', '-q', '--allow-empty', '-m', message);

beforeAll(() => {
  git('init', '-q');
  writeFileSync(join(repo, 'package.json'), '{ "version": "0.1.0" }\n');
  git('add', 'package.json');
  commit('Package skeleton: the first commit, long and not conventional');
  commit('Fleets with two slots');
  commit('feat(deploy): one fleet interface');
  git('tag', 'v0.2.0');
  commit('fix: a bug');
  commit('refactor(release)!: rename a field');
  commit('Merge-free subject that is not conventional');
  commit('docs: the guide\n\nBREAKING CHANGE: the old page is gone');
});

test('baseline summarized, versions and types grouped, other subjects listed; --check accepts the file it wrote', () => {
  // WHEN the changelog is written and committed
  const written = changelog();
  expect(written).toMatchObject({ code: 0, out: 'changelog: wrote CHANGELOG.md\n' });
  const text = readFileSync(join(repo, 'CHANGELOG.md'), 'utf8');
  git('add', 'CHANGELOG.md');
  commit('docs: update CHANGELOG');
  // THEN
  const hash = (subject: string) => git('log', '-1', '--format=%H', `--grep=^${subject}`).trim().slice(0, 7);
  expect(text).toContain(
    [
      '## Unreleased',
      '',
      '### Breaking changes',
      '',
      `- the guide (${hash('docs: the guide')}): the old page is gone`,
      `- **release:** rename a field (${hash('refactor')})`,
      '',
      '### Bug fixes',
      '',
      `- a bug (${hash('fix: a bug')})`,
      '',
      '### Refactoring',
      '',
      `- **release:** rename a field (${hash('refactor')})`,
      '',
      '### Documentation',
      '',
      `- the guide (${hash('docs: the guide')})`,
      '',
      '### Other changes',
      '',
      `- Merge-free subject that is not conventional (${hash('Merge-free')})`,
      '',
      '## 0.2.0 (2026-01-02)',
      '',
      '### Features',
      '',
      `- **deploy:** one fleet interface (${hash('feat')})`,
      '',
      '## 0.1.0 (baseline)',
    ].join('\n'),
  );
  expect(text).toMatch(/\n2 commits from 2026-01-02 to 2026-01-02 \(\w{7} to \w{7}\), before commit subjects/);
  expect(text).not.toContain('Package skeleton');
  // the commit that wrote the file is not in it, and commits after it do not fail the check
  commit('feat: after the changelog');
  expect(changelog('--check')).toMatchObject({ code: 0 });
  expect(changelog('--stdout').out).toContain('- after the changelog');
  expect(changelog('--stdout').out).toContain('- update CHANGELOG');
});

test('--check refuses a hand edit, committed or not, naming the first different line', () => {
  const file = join(repo, 'CHANGELOG.md');
  // GIVEN a changelog just written from HEAD, not committed yet
  expect(changelog()).toMatchObject({ code: 0 });
  expect(changelog('--check')).toMatchObject({ code: 0, out: expect.stringContaining('from HEAD (CHANGELOG.md has') });
  const text = readFileSync(file, 'utf8');
  // WHEN it is edited by hand
  writeFileSync(file, text.replace('- a bug', '- a small bug'));
  // THEN the check fails, naming the line
  const edited = changelog('--check');
  expect(edited.code).toBe(1);
  expect(edited.err).toMatch(
    /not what npm run changelog writes from HEAD .*first difference at line \d+:\n {2}file: {6}"- a small bug/,
  );
  // and still when the edit is committed
  git('commit', '-q', '-am', 'docs: edit the changelog by hand');
  expect(changelog('--check')).toMatchObject({ code: 1, err: expect.stringContaining('"- a small bug') });
  // a file written from another history fails too, until it is written again
  writeFileSync(file, text);
  git('commit', '-q', '-am', 'docs: restore the changelog');
  expect(changelog('--check')).toMatchObject({ code: 1 });
  expect(changelog()).toMatchObject({ code: 0 });
  git('commit', '-q', '-am', 'docs: update CHANGELOG');
  expect(changelog('--check')).toMatchObject({ code: 0 });
});

test('bad arguments exit 2', () => {
  expect(changelog('--bogus')).toMatchObject({ code: 2, err: expect.stringMatching(/unknown arguments --bogus/) });
});
