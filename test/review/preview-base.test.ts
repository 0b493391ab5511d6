/**
 * `cdktf-immutable preview --base <git-ref>` on a temporary git repository holding a
 * tiny cdktf-style app (it writes manifest.json and a stack JSON to CDKTF_OUTDIR, as
 * App.synth() does): the base is synthesized in a temporary worktree with the
 * repository's node_modules linked in, compared with the working tree, and the
 * worktree is removed in every case. Runs the built command (dist/).
 */
import { execFileSync, spawn } from 'child_process';
import { createHash } from 'crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { builtCli, runCli } from '../cli/run-cli';

// The app reads its launch template from server.json and a helper from node_modules
// (not committed), so the base synth only works with node_modules linked in.
const APP = `
const fs = require('fs');
const path = require('path');
const { stackJson } = require('fake-cdktf');
const out = process.env.CDKTF_OUTDIR;
if (process.env.SLOW_SYNTH) { fs.writeFileSync(process.env.SLOW_SYNTH, 'started'); setTimeout(() => {}, 20000); return; }
const server = JSON.parse(fs.readFileSync(path.join(__dirname, 'server.json'), 'utf8'));
fs.mkdirSync(path.join(out, 'stacks', 'web'), { recursive: true });
fs.writeFileSync(path.join(out, 'stacks', 'web', 'cdk.tf.json'), JSON.stringify(stackJson(server)));
fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify({ version: '0.21.0', stacks: { web: { name: 'web', synthesizedStackPath: 'stacks/web/cdk.tf.json', workingDirectory: 'stacks/web' } } }));
`;
const HELPER = `
exports.stackJson = (server) => ({ resource: {
  aws_launch_template: { web: { name: server.name, image_id: server.image, lifecycle: { create_before_destroy: true } } },
  aws_autoscaling_group: { web: { name: server.name, launch_template: { id: '\${aws_launch_template.web.id}', version: '\${aws_launch_template.web.latest_version}' }, min_size: 1, max_size: 2, lifecycle: { create_before_destroy: true, replace_triggered_by: ['aws_launch_template.web.id'] } } },
} });
`;

function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args],
    { cwd, encoding: 'utf8' },
  ).trim();
}

/** A repository with one commit (image ami-1, name web-1111111111) and a clean working tree. */
function repository(): { repo: string; temp: string } {
  const temp = mkdtempSync(join(tmpdir(), 'preview-base-'));
  const repo = join(temp, 'repo');
  mkdirSync(join(repo, 'node_modules', 'fake-cdktf'), { recursive: true });
  writeFileSync(join(repo, 'node_modules', 'fake-cdktf', 'index.js'), HELPER);
  writeFileSync(join(repo, '.gitignore'), 'node_modules/\ncdktf.out/\n');
  writeFileSync(join(repo, 'app.js'), APP);
  writeFileSync(
    join(repo, 'cdktf.json'),
    JSON.stringify({ language: 'typescript', app: 'node app.js', output: 'cdktf.out', context: {} }),
  );
  writeFileSync(join(repo, 'server.json'), JSON.stringify({ name: 'web-1111111111', image: 'ami-1' }));
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'base');
  // The scratch folder of the command: TMPDIR points here, so the test sees what is left.
  mkdirSync(join(temp, 'tmp'));
  return { repo, temp };
}

const worktrees = (repo: string) =>
  git(repo, 'worktree', 'list', '--porcelain')
    .split('\n')
    .filter((l) => l.startsWith('worktree ')).length;

function state(repo: string): string {
  return [
    git(repo, 'status', '--porcelain', '--ignored'),
    git(repo, 'stash', 'list'),
    readFileSync(join(repo, 'server.json'), 'utf8'),
  ].join('\n');
}

describe('preview --base', () => {
  test('compares the base with the working tree, and leaves the working tree, the stash and the worktree list as they were', () => {
    const { repo, temp } = repository();
    writeFileSync(join(repo, 'server.json'), JSON.stringify({ name: 'web-2222222222', image: 'ami-2' }));
    const before = state(repo);
    const result = runCli(['preview', '--base', 'main', '--json'], { cwd: repo, env: { TMPDIR: join(temp, 'tmp') } });
    expect(result.stderr).toMatch(/preview: base main \([0-9a-f]{12}\) against the working tree/);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.stacks[0].resources.map((r: any) => `${r.address} ${r.action}`)).toEqual([
      'aws_autoscaling_group.web replaced',
      'aws_launch_template.web replaced',
    ]);
    expect(state(repo)).toBe(before);
    expect(worktrees(repo)).toBe(1);
    expect(readdirSync(join(temp, 'tmp'))).toEqual([]);
    expect(existsSync(join(repo, 'cdktf.out'))).toBe(false);
    expect(existsSync(join(repo, 'node_modules', 'fake-cdktf', 'index.js'))).toBe(true);
  });

  test('a clean tree compared with HEAD shows no change; an in-place change of an immutable resource exits 1', () => {
    const { repo, temp } = repository();
    const env = { TMPDIR: join(temp, 'tmp') };
    expect(runCli(['preview', '--base', 'HEAD'], { cwd: repo, env })).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/0 replaced, 0 updated in place, 0 created, 0 destroyed, 2 unchanged/),
    });
    writeFileSync(join(repo, 'server.json'), JSON.stringify({ name: 'web-1111111111', image: 'ami-2' }));
    const result = runCli(['preview', '--base', 'HEAD'], { cwd: repo, env });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /updated in place +aws_launch_template\.web +image_id +!! immutable resource updated in place/,
    );
    expect(result.stdout).toMatch(/updated in place +aws_autoscaling_group\.web +launch_template\.version/);
    expect(worktrees(repo)).toBe(1);
  });

  test("the base is synthesized with the base's own cdktf.json app; <after> may be a synth output", () => {
    const { repo, temp } = repository();
    const env = { TMPDIR: join(temp, 'tmp') };
    // The working tree renames the app; the base still runs "node app.js".
    execFileSync('git', ['mv', 'app.js', 'synth.js'], { cwd: repo });
    writeFileSync(join(repo, 'cdktf.json'), JSON.stringify({ app: 'node synth.js' }));
    writeFileSync(join(repo, 'server.json'), JSON.stringify({ name: 'web-3333333333', image: 'ami-3' }));
    expect(runCli(['preview', '--base', 'main'], { cwd: repo, env })).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/2 replaced/),
    });
    // An explicit <after>: the same base against a stack JSON file.
    const after = join(temp, 'after.json');
    writeFileSync(after, JSON.stringify({ resource: {} }));
    expect(runCli(['preview', '--base', 'main', after], { cwd: repo, env })).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/2 destroyed/),
    });
    expect(worktrees(repo)).toBe(1);
    expect(readdirSync(join(temp, 'tmp'))).toEqual([]);
  });

  test('a failing base synth is exit 2 with its output, and the worktree is removed', () => {
    const { repo, temp } = repository();
    writeFileSync(join(repo, 'server.json'), '{ broken');
    git(repo, 'commit', '-q', '-am', 'broken');
    writeFileSync(join(repo, 'server.json'), JSON.stringify({ name: 'web-1111111111', image: 'ami-1' }));
    const result = runCli(['preview', '--base', 'HEAD'], { cwd: repo, env: { TMPDIR: join(temp, 'tmp') } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /preview --base: synthesizing the base HEAD \([0-9a-f]{12}\) failed \("node app\.js" exited 1\):[\s\S]*SyntaxError/,
    );
    expect(worktrees(repo)).toBe(1);
    expect(readdirSync(join(temp, 'tmp'))).toEqual([]);
  });

  test('outside a git repository, for an unknown ref, an option-like ref or a folder without cdktf.json: exit 2', () => {
    const { repo, temp } = repository();
    const outside = mkdtempSync(join(tmpdir(), 'not-a-repo-'));
    expect(runCli(['preview', '--base', 'main'], { cwd: outside })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/is not inside a git repository .*pass two synth outputs/),
    });
    expect(runCli(['preview', '--base', 'no-such-branch'], { cwd: repo })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/unknown git ref "no-such-branch"/),
    });
    expect(runCli(['preview', '--base=--output=/tmp/x'], { cwd: repo })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/"--output=\/tmp\/x" is not a git ref/),
    });
    mkdirSync(join(repo, 'sub'));
    expect(runCli(['preview', '--base', 'main'], { cwd: join(repo, 'sub') })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/the working tree has no cdktf\.json/),
    });
    expect(runCli(['preview', '--base', 'main', 'a', 'b'], { cwd: repo })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/expected at most one synth output/),
    });
    expect(worktrees(repo)).toBe(1);
    expect(readdirSync(join(temp, 'tmp'))).toEqual([]);
  });

  test('SIGINT during the base synth stops it, removes the worktree and exits 130', async () => {
    const { repo, temp } = repository();
    const marker = join(temp, 'started');
    const child = spawn(process.execPath, [builtCli(), 'preview', '--base', 'main'], {
      cwd: repo,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TMPDIR: join(temp, 'tmp'), SLOW_SYNTH: marker },
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    for (let i = 0; i < 200 && !existsSync(marker); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(existsSync(marker)).toBe(true);
    expect(worktrees(repo)).toBe(2); // the base worktree exists while its synth runs
    process.kill(-child.pid!, 'SIGINT'); // as Ctrl-C does: the whole process group
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/preview --base: interrupted \(SIGINT\); the temporary worktree was removed/);
    expect(worktrees(repo)).toBe(1);
    expect(readdirSync(join(temp, 'tmp'))).toEqual([]);
    expect(realpathSync(join(repo, 'node_modules', 'fake-cdktf', 'index.js'))).toBeTruthy();
  }, 20_000);
});

/**
 * `--base` with the base's own dependencies. The repository's app writes the stack of the
 * `dependency` plan fixture (test/fixtures/plans/preview/dependency), taking the launch
 * template's name from a small local package, `namer`: version 1 on main, version 2 on the
 * pull request branch, whose only change is that upgrade. The base must be synthesized
 * with version 1 (its own package-lock.json, installed into the cache), so the preview
 * shows the rename that the real plan of the fixture shows.
 */
describe('preview --base with the base commit dependencies', () => {
  const FIXTURE = join(__dirname, '..', 'fixtures', 'plans', 'preview', 'dependency');
  const fixture = (file: string) => JSON.parse(readFileSync(join(FIXTURE, file), 'utf8'));
  const beforeName: string = fixture('before.tf.json').resource.aws_launch_template.web.name;
  const afterName: string = fixture('after.tf.json').resource.aws_launch_template.web.name;
  const TEMPLATE = JSON.stringify(fixture('before.tf.json')).replace(beforeName, '@@NAME@@');
  const NAMED_APP = `
const fs = require('fs');
const path = require('path');
const out = process.env.CDKTF_OUTDIR;
const stack = fs.readFileSync(path.join(__dirname, 'stack.template.json'), 'utf8').replace('@@NAME@@', require('namer')('web'));
fs.mkdirSync(path.join(out, 'stacks', 'web'), { recursive: true });
fs.writeFileSync(path.join(out, 'stacks', 'web', 'cdk.tf.json'), stack);
fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify({ version: '0.21.0', stacks: { web: { name: 'web', synthesizedStackPath: 'stacks/web/cdk.tf.json', workingDirectory: 'stacks/web' } } }));
`;
  /** The namer package's files: version `version` names `web` as `name`. */
  const namer = (version: string, name: string) => ({
    'package.json': JSON.stringify({ name: 'namer', version, main: 'index.js' }),
    'index.js': `module.exports = () => ${JSON.stringify(name)};\n`,
  });
  function writeFiles(dir: string, files: Record<string, string>): void {
    mkdirSync(dir, { recursive: true });
    for (const [file, text] of Object.entries(files)) {
      writeFileSync(join(dir, file), text);
    }
  }
  /** A package tarball (`npm pack` layout) in `vendor/`, and its lockfile integrity. */
  function tarball(repo: string, temp: string, version: string, name: string): { file: string; integrity: string } {
    const staging = join(temp, `namer-${version}`);
    writeFiles(join(staging, 'package'), namer(version, name));
    const file = `vendor/namer-${version}.tgz`;
    mkdirSync(join(repo, 'vendor'), { recursive: true });
    execFileSync('tar', ['-czf', join(repo, file), '-C', staging, 'package']);
    const integrity = `sha512-${createHash('sha512')
      .update(readFileSync(join(repo, file)))
      .digest('base64')}`;
    return { file, integrity };
  }
  function pinTarball(repo: string, { file, integrity }: { file: string; integrity: string }, version: string): void {
    const dependencies = { namer: `file:${file}` };
    writeFileSync(
      join(repo, 'package.json'),
      JSON.stringify({ name: 'app', version: '1.0.0', private: true, dependencies }),
    );
    writeFileSync(
      join(repo, 'package-lock.json'),
      JSON.stringify({
        name: 'app',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': { name: 'app', version: '1.0.0', dependencies },
          'node_modules/namer': { version, resolved: `file:${file}`, integrity },
        },
      }),
    );
  }
  /** A repository whose main pins namer 1 (a tarball in vendor/) and whose branch pr pins namer 2, checked out. */
  function upgradeRepository(): { repo: string; temp: string; env: Record<string, string> } {
    const temp = mkdtempSync(join(tmpdir(), 'preview-deps-'));
    const repo = join(temp, 'repo');
    mkdirSync(repo);
    writeFiles(repo, {
      '.gitignore': 'node_modules/\ncdktf.out/\n',
      'app.js': NAMED_APP,
      'stack.template.json': TEMPLATE,
      'cdktf.json': JSON.stringify({ language: 'typescript', app: 'node app.js', context: {} }),
    });
    pinTarball(repo, tarball(repo, temp, '1.0.0', beforeName), '1.0.0');
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'base: namer 1');
    git(repo, 'checkout', '-q', '-b', 'pr');
    pinTarball(repo, tarball(repo, temp, '2.0.0', afterName), '2.0.0');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'upgrade namer to 2');
    // The pull request's node_modules, as npm ci installs it there.
    writeFiles(join(repo, 'node_modules', 'namer'), namer('2.0.0', afterName));
    mkdirSync(join(temp, 'tmp'));
    return { repo, temp, env: { TMPDIR: join(temp, 'tmp'), CDKTF_IMMUTABLE_CACHE: join(temp, 'cache') } };
  }
  const cacheFolders = (temp: string) => readdirSync(join(temp, 'cache', 'preview-deps'));

  test("a dependency upgrade that renames a launch template previews as the real plan's replacement", () => {
    const { repo, temp, env } = upgradeRepository();
    // The working tree synthesizes the fixture's after side.
    const out = join(temp, 'after');
    execFileSync(process.execPath, ['app.js'], { cwd: repo, env: { ...process.env, CDKTF_OUTDIR: out } });
    expect(JSON.parse(readFileSync(join(out, 'stacks', 'web', 'cdk.tf.json'), 'utf8'))).toEqual(
      fixture('after.tf.json'),
    );

    const result = runCli(['preview', '--base', 'main', '--json'], { cwd: repo, env });
    expect(result.stderr).toMatch(/the base's dependencies \(its package-lock\.json\): installed into .*preview-deps/);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    // The plan of the fixture: the launch template replaced (create before destroy).
    const plan = fixture('plan.json');
    expect(plan.resource_changes.map((rc: any) => `${rc.address} ${rc.change.actions.join(',')}`)).toEqual([
      'aws_launch_template.web create,delete',
    ]);
    expect(json.stacks[0].resources).toEqual([
      expect.objectContaining({ address: 'aws_launch_template.web', action: 'replaced', reason: 'new name' }),
    ]);
    expect(json.changedStacks).toEqual(['web']);
    // The base's dependencies are in the cache, keyed by the hash of its lockfile, with namer 1.
    const [folder] = cacheFolders(temp);
    expect(folder).toMatch(/^[0-9a-f]{32}$/);
    const installed = join(temp, 'cache', 'preview-deps', folder);
    expect(JSON.parse(readFileSync(join(installed, 'node_modules', 'namer', 'package.json'), 'utf8')).version).toBe(
      '1.0.0',
    );
    // The worktree and its link into the cache are gone; the cache and the working tree are intact.
    expect(worktrees(repo)).toBe(1);
    expect(readdirSync(join(temp, 'tmp'))).toEqual([]);
    expect(existsSync(join(installed, '.complete'))).toBe(true);
    expect(readFileSync(join(repo, 'node_modules', 'namer', 'index.js'), 'utf8')).toContain(afterName);
  });

  test('the cache is reused while the lockfile is unchanged', () => {
    const { repo, temp, env } = upgradeRepository();
    // The after side given as a synth output (the fixture's), so that only the base is synthesized.
    const after = join(FIXTURE, 'after.tf.json');
    expect(runCli(['preview', '--base', 'main', after], { cwd: repo, env }).code).toBe(0);
    const [folder] = cacheFolders(temp);
    const mark = readFileSync(join(temp, 'cache', 'preview-deps', folder, '.complete'), 'utf8');
    const again = runCli(['preview', '--base', 'main', after], { cwd: repo, env });
    expect(again.stderr).toMatch(
      new RegExp(`the base's dependencies \\(its package-lock\\.json\\): reused .*${folder}`),
    );
    expect(again.stdout).toMatch(/replaced +aws_launch_template\.web +\(new name\)/);
    expect(cacheFolders(temp)).toEqual([folder]);
    expect(readFileSync(join(temp, 'cache', 'preview-deps', folder, '.complete'), 'utf8')).toBe(mark);
  });

  test("a base with the working tree's lockfile is synthesized with the working tree's node_modules", () => {
    const { repo, temp, env } = upgradeRepository();
    const same = runCli(['preview', '--base', 'pr', '--detailed-exitcode'], { cwd: repo, env });
    expect(same.stderr).toMatch(/the base has the working tree's package-lock\.json/);
    expect(same).toMatchObject({ code: 0, stdout: expect.stringMatching(/Changed stacks: none/) });
    expect(existsSync(join(temp, 'cache'))).toBe(false);
  });

  test("a linked folder (file: dependency) is installed from the base commit's copy of it", () => {
    const temp = mkdtempSync(join(tmpdir(), 'preview-deps-'));
    const repo = join(temp, 'repo');
    writeFiles(repo, {
      '.gitignore': 'node_modules/\ncdktf.out/\n',
      'app.js': NAMED_APP,
      'stack.template.json': TEMPLATE,
      'cdktf.json': JSON.stringify({ app: 'node app.js' }),
      'package.json': JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { namer: 'file:packages/namer' } }),
      'package-lock.json': JSON.stringify({
        name: 'app',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': { name: 'app', version: '1.0.0', dependencies: { namer: 'file:packages/namer' } },
          'node_modules/namer': { resolved: 'packages/namer', link: true },
          'packages/namer': { version: '1.0.0' },
        },
      }),
    });
    writeFiles(join(repo, 'packages', 'namer'), namer('1.0.0', beforeName));
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'base');
    // The change: the package's code, same version, same lockfile; node_modules links the working tree's copy.
    writeFiles(join(repo, 'packages', 'namer'), namer('1.0.0', afterName));
    mkdirSync(join(repo, 'node_modules'));
    symlinkSync('../packages/namer', join(repo, 'node_modules', 'namer'));
    mkdirSync(join(temp, 'tmp'));
    const env = { TMPDIR: join(temp, 'tmp'), CDKTF_IMMUTABLE_CACHE: join(temp, 'cache') };
    const result = runCli(['preview', '--base', 'main'], { cwd: repo, env });
    expect(result.stderr).toMatch(/installed into/);
    expect(result.stdout).toMatch(/replaced +aws_launch_template\.web +\(new name\)/);
    expect(worktrees(repo)).toBe(1);
  });

  test('a base lockfile that npm ci refuses is exit 2 with npm output, and the worktree is removed', () => {
    const { repo, temp, env } = upgradeRepository();
    git(repo, 'checkout', '-q', 'main');
    const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8'));
    lock.packages['node_modules/namer'].integrity = `sha512-${Buffer.alloc(64).toString('base64')}`;
    writeFileSync(join(repo, 'package-lock.json'), JSON.stringify(lock));
    git(repo, 'commit', '-q', '-am', 'a broken lockfile');
    git(repo, 'checkout', '-q', 'pr');
    const result = runCli(['preview', '--base', 'main'], { cwd: repo, env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /preview --base: installing the base's package-lock\.json \(npm ci\) failed \(exit \d+\):[\s\S]*integrity[\s\S]*pass two synth outputs/i,
    );
    expect(worktrees(repo)).toBe(1);
    expect(readdirSync(join(temp, 'tmp'))).toEqual([]);
    expect(
      existsSync(join(temp, 'cache', 'preview-deps')) ? cacheFolders(temp).filter((f) => !f.includes('.tmp-')) : [],
    ).toEqual([]);
  });
});
