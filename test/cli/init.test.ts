import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { emptyRelease, formatReleaseFile } from '../../lib/release';
import { requireBuiltDist } from '../support/built-dist';
import { runCli } from './run-cli';

/**
 * `cdktf-immutable init`: the scaffold as a user gets it, from the built command. The
 * scaffold's TypeScript is type-checked by `npm run typecheck` (tsconfig.json includes
 * packages/cli/templates/ and maps cdktf-immutable onto lib/); here it is synthesized the
 * way its cdktf.json runs it, with this repository's node_modules (whose cdktf-immutable
 * and cdktf-immutable-cli are the workspace links to the built packages) standing in for
 * an install. scripts/pack-smoke.sh does the same from the packed tarballs with npm install.
 */
const ROOT = resolve(__dirname, '..', '..');
const AMI = 'ami-0123456789abcdef0';
/** The tools the scaffold pins as devDependencies besides the command line. */
const TOOLS = ['cdktf-cli', 'ts-node', 'typescript', 'jest', 'ts-jest', '@types/jest', '@types/node'];
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  devDependencies: Record<string, string>;
};

function scaffold(args: readonly string[] = []): { dir: string; result: ReturnType<typeof runCli> } {
  const dir = join(mkdtempSync(join(tmpdir(), 'init-')), 'my-infra');
  return { dir, result: runCli(['init', dir, ...args]) };
}

/**
 * node_modules for the scaffold: this repository's packages, among them the workspace links
 * cdktf-immutable (the repository) and cdktf-immutable-cli (packages/cli), built by the jest
 * global setup.
 */
function linkNodeModules(dir: string): void {
  requireBuiltDist();
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (!name.startsWith('.')) {
      symlinkSync(join(ROOT, 'node_modules', name), join(modules, name));
    }
  }
}

/** Runs the app exactly as the scaffold's cdktf.json says; returns the synthesized stack names. */
function synth(dir: string): { stacks: string[]; stderr: string; seconds: number; outdir: string } {
  const app = (JSON.parse(readFileSync(join(dir, 'cdktf.json'), 'utf8')) as { app: string }).app.split(' ');
  expect(app[0]).toBe('node');
  const outdir = mkdtempSync(join(tmpdir(), 'init-out-'));
  const started = Date.now();
  const result = spawnSync(process.execPath, app.slice(1), {
    cwd: dir,
    env: { ...process.env, CDKTF_OUTDIR: outdir },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.status !== 0) {
    throw new Error(`synth exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, unknown>;
  };
  return {
    stacks: Object.keys(manifest.stacks).sort(),
    stderr: result.stderr,
    seconds: (Date.now() - started) / 1000,
    outdir,
  };
}

describe('cdktf-immutable init', () => {
  const { dir, result } = scaffold();

  test("scaffolds a repository on both packages: every file, the peers pinned at the library's versions, the fast runner", () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`scaffolded ${dir}`);
    const files = spawnSync('find', ['.', '-type', 'f'], { cwd: dir, encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean)
      .map((f) => f.slice(2))
      .sort();
    expect(files).toEqual([
      '.github/workflows/deploy-stack.yml',
      '.github/workflows/deploy.yml',
      '.github/workflows/pr.yml',
      '.github/workflows/rollout.yml',
      '.gitignore',
      '.gitlab-ci.yml',
      'README.md',
      'cdktf.json',
      'images/install-web.yml',
      'jest.config.js',
      'main.ts',
      'package.json',
      'releases/dev.json',
      'releases/prod.json',
      'src/config.ts',
      'src/environment-stack.ts',
      'src/images-stack.ts',
      'test/fixtures/releases/dev.json',
      'test/fixtures/releases/prod.json',
      'test/main.test.ts',
      'tsconfig.json',
    ]);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(manifest.name).toBe('my-infra');
    expect(manifest.dependencies).toEqual({
      'cdktf-immutable': `^${pkg.version}`,
      cdktf: pkg.devDependencies.cdktf,
      constructs: pkg.devDependencies.constructs,
      '@cdktf/provider-aws': pkg.devDependencies['@cdktf/provider-aws'],
    });
    expect(Object.keys(manifest.devDependencies).sort()).toEqual(
      ['cdktf-immutable-cli', ...TOOLS].sort((a, b) => a.localeCompare(b)),
    );
    expect(manifest.devDependencies['cdktf-immutable-cli']).toBe(`^${pkg.version}`);
    for (const tool of TOOLS) {
      expect(manifest.devDependencies[tool]).toBe(pkg.devDependencies[tool]);
    }
    expect(JSON.parse(readFileSync(join(dir, 'cdktf.json'), 'utf8')).app).toBe(
      'node --require cdktf-immutable-cli/register main.ts',
    );
    expect(readFileSync(join(dir, 'releases', 'dev.json'), 'utf8')).toBe(formatReleaseFile(emptyRelease('dev')));
  });

  test('the workflows: plan and guard of every stack that differs in a byte, guarded deploys in order, a timer by pull request', () => {
    const read = (file: string) => readFileSync(join(dir, file), 'utf8');
    const pr = read('.github/workflows/pr.yml');
    for (const step of [
      'npx cdktf synth',
      'npm test -- --ci',
      'git worktree add --detach ../base "origin/${{ github.base_ref }}"',
      'cd ../base && npm ci && npx cdktf synth',
      'npx cdktf-immutable preview ../base/cdktf.out cdktf.out',
      'cmp -s "$dir/cdk.tf.json" "../base/cdktf.out/stacks/$stack/cdk.tf.json" || echo "$stack" >> changed-stacks.txt',
      'npx cdktf-immutable deploy "$stack" --plan-only --synth-dir cdktf.out || status=1',
    ]) {
      expect(pr).toContain(step);
    }
    const deploy = read('.github/workflows/deploy.yml');
    expect(deploy.match(/stack: [\w-]+|needs: \w+|environment: \w+/g)).toEqual([
      'stack: images',
      'environment: images',
      'needs: images',
      'stack: web-dev',
      'environment: dev',
      'needs: dev',
      'stack: web-prod',
      'environment: production',
    ]);
    expect(read('.github/workflows/deploy-stack.yml')).toContain(
      'npx cdktf-immutable deploy "$STACK" --auto-approve --synth-dir cdktf.out',
    );
    const rollout = read('.github/workflows/rollout.yml');
    expect(rollout).toContain('git push -q -f origin "rollout/$env"');
    expect(rollout).toContain('gh pr merge "rollout/$env" --auto --squash');
    expect(rollout).not.toMatch(/git push[^\n]*(main|default_branch)/);
    const gitlab = read('.gitlab-ci.yml');
    expect(gitlab).toContain('npx cdktf-immutable deploy "$stack" --plan-only --synth-dir cdktf.out || status=1');
    expect(gitlab).toContain('      when: manual');
    expect(gitlab).toContain('-o merge_request.create');
    // nothing of the repository's own CI leaks into the scaffold
    for (const text of [pr, deploy, rollout, gitlab]) {
      expect(text).not.toMatch(/cdktf deploy|tofu apply|terraform apply/);
    }
  });

  test('synthesizes at once (environments without an image are skipped), and a staged release adds its stack', () => {
    linkNodeModules(dir);
    const first = synth(dir);
    expect(first.stacks).toEqual(['images']);
    expect(first.stderr).toContain('warning: stack web-dev is skipped: releases/dev.json has no image yet.');
    console.log(`init -> first synth of the scaffold: ${first.seconds.toFixed(1)} s (this repository's node_modules)`);

    const staged = runCli(['release', 'stage', 'dev', '--image', AMI], { cwd: dir });
    expect(staged.code).toBe(0);
    const second = synth(dir);
    expect(second.stacks).toEqual(['images', 'web-dev']);
  });

  test('refuses a folder that is not empty (exit 1 naming --force); --force adds, never overwrites without --overwrite', () => {
    const again = runCli(['init', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /^cdktf-immutable: init: .*my-infra is not empty \(.*\); scaffold into an empty folder, or pass --force/,
    );
    const projectId = JSON.parse(readFileSync(join(dir, 'cdktf.json'), 'utf8')).projectId;
    const before = readFileSync(join(dir, 'releases', 'dev.json'), 'utf8');
    // an unchanged scaffold: nothing to write but what is missing
    rmSync(join(dir, '.gitlab-ci.yml'));
    const same = runCli(['init', dir, '--force']);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(
      /scaffolded .*: 1 files \(\d+ unchanged; kept releases\/dev\.json, releases\/prod\.json\)/,
    );
    expect(existsSync(join(dir, '.gitlab-ci.yml'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'cdktf.json'), 'utf8')).projectId).toBe(projectId);
    // files of the user's that differ are listed, and nothing is written
    writeFileSync(join(dir, 'main.ts'), '// edited\n');
    writeFileSync(join(dir, 'README.md'), '# ours\n');
    rmSync(join(dir, 'jest.config.js'));
    const refused = runCli(['init', dir, '--force']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("differ from the scaffold's: README.md, main.ts. Nothing was written.");
    expect(refused.stderr).toContain('pass --force --overwrite to replace them');
    expect(readFileSync(join(dir, 'main.ts'), 'utf8')).toBe('// edited\n');
    expect(existsSync(join(dir, 'jest.config.js'))).toBe(false);
    // --overwrite replaces them, and still keeps the release files
    expect(runCli(['init', dir, '--overwrite']).stderr).toContain('--overwrite goes with --force');
    const overwritten = runCli(['init', dir, '--force', '--overwrite']);
    expect(overwritten.code).toBe(0);
    expect(overwritten.stdout).toContain('overwritten: README.md, main.ts; kept releases/dev.json, releases/prod.json');
    expect(readFileSync(join(dir, 'main.ts'), 'utf8')).toContain('export function build');
    expect(existsSync(join(dir, 'jest.config.js'))).toBe(true);
    expect(readFileSync(join(dir, 'releases', 'dev.json'), 'utf8')).toBe(before);
  });

  test('an empty folder (or one holding only .git) is fine; a missing one is created', () => {
    const parent = mkdtempSync(join(tmpdir(), 'init-git-'));
    mkdirSync(join(parent, '.git'));
    expect(runCli(['init'], { cwd: parent }).code).toBe(0);
    expect(existsSync(join(parent, 'cdktf.json'))).toBe(true);
    expect(runCli(['init', join(parent, 'a', 'b')]).code).toBe(0);
    expect(existsSync(join(parent, 'a', 'b', 'main.ts'))).toBe(true);
  });

  describe('--services web,api: two services sharing the images stack', () => {
    const two = scaffold(['--services', 'web,api']);
    const read = (file: string) => readFileSync(join(two.dir, file), 'utf8');

    test("a pipeline per service, each service's release files in its folder, jobs per stack", () => {
      expect(two.result.stderr).toBe('');
      expect(two.result.code).toBe(0);
      expect(two.result.stdout).toContain('npx cdktf-immutable release stage dev --fleet web --image <ami-id>');
      const files = spawnSync('find', ['images', 'releases', 'test/fixtures', '-type', 'f'], {
        cwd: two.dir,
        encoding: 'utf8',
      })
        .stdout.split('\n')
        .filter(Boolean)
        .sort();
      expect(files).toEqual([
        'images/install-api.yml',
        'images/install-web.yml',
        'releases/api/dev.json',
        'releases/api/prod.json',
        'releases/web/dev.json',
        'releases/web/prod.json',
        'test/fixtures/releases/api/dev.json',
        'test/fixtures/releases/api/prod.json',
        'test/fixtures/releases/web/dev.json',
        'test/fixtures/releases/web/prod.json',
      ]);
      expect(read('src/config.ts')).toContain("export const SERVICES: readonly string[] = ['web', 'api'];");
      expect(read('images/install-api.yml')).toMatch(/^name: install-api$/m);
      expect(JSON.parse(read('releases/api/prod.json'))).toMatchObject({ environment: 'prod', fleet: 'api' });
      expect(JSON.parse(read('test/fixtures/releases/api/dev.json'))).toMatchObject({
        environment: 'dev',
        fleet: 'api',
      });
      expect(
        read('.github/workflows/deploy.yml')
          .split('\njobs:\n')[1]
          .match(/^ {2}[\w-]+:$|stack: [\w-]+|needs: [\w-]+/gm),
      ).toEqual([
        '  images:',
        'stack: images',
        '  web-dev:',
        'needs: images',
        'stack: web-dev',
        '  web-prod:',
        'needs: web-dev',
        'stack: web-prod',
        '  api-dev:',
        'needs: images',
        'stack: api-dev',
        '  api-prod:',
        'needs: api-dev',
        'stack: api-prod',
      ]);
      expect(read('.gitlab-ci.yml').match(/^deploy-[\w-]+:$|STACK: [\w-]+/gm)).toEqual([
        'deploy-images:',
        'STACK: images',
        'deploy-web-dev:',
        'STACK: web-dev',
        'deploy-web-prod:',
        'STACK: web-prod',
        'deploy-api-dev:',
        'STACK: api-dev',
        'deploy-api-prod:',
        'STACK: api-prod',
      ]);
      expect(read('README.md')).toContain('Stacks: `images`, `web-dev`, `web-prod`, `api-dev`, `api-prod`.');
    });

    test('synthesizes one images stack with both pipelines; a staged service adds its stack only', () => {
      linkNodeModules(two.dir);
      const first = synth(two.dir);
      expect(first.stacks).toEqual(['images']);
      expect(first.stderr).toContain(
        'warning: stack api-dev is skipped: releases/api/dev.json has no image yet. Stage one with ' +
          '"npx cdktf-immutable release stage dev --fleet api --image <ami-id>".',
      );
      const images = JSON.parse(readFileSync(join(first.outdir, 'stacks', 'images', 'cdk.tf.json'), 'utf8'));
      expect(
        Object.values(images.resource.aws_ssm_parameter as Record<string, { name: string }>)
          .map((p) => p.name)
          .sort(),
      ).toEqual(['/images/api/ami-id', '/images/web/ami-id']);

      const unnamed = runCli(['release', 'stage', 'dev', '--image', AMI], { cwd: two.dir });
      expect(unnamed.code).toBe(2);
      expect(unnamed.stderr).toMatch(/--fleet/);
      expect(runCli(['release', 'stage', 'dev', '--fleet', 'api', '--image', AMI], { cwd: two.dir }).code).toBe(0);
      expect(synth(two.dir).stacks).toEqual(['api-dev', 'images']);
    });

    test.each([
      ['web,web', 'init: --services "web,web" names "web" twice'],
      ['web,Api', 'init: --services "web,Api": "Api" is not a service name'],
      ['images', '"images" is not a service name'],
      ['web,', '"" is not a service name'],
    ])('--services %s exits 2, nothing written', (services, message) => {
      const cwd = mkdtempSync(join(tmpdir(), 'init-bad-'));
      const bad = runCli(['init', '--services', services], { cwd });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(message);
      expect(readdirSync(cwd)).toEqual([]);
    });
  });

  describe('--from', () => {
    const parent = mkdtempSync(join(tmpdir(), 'init-from-'));
    const packed = join(parent, 'packed');
    mkdirSync(packed);
    writeFileSync(join(packed, `cdktf-immutable-${pkg.version}.tgz`), 'the constructs');
    writeFileSync(join(packed, `cdktf-immutable-cli-${pkg.version}.tgz`), 'the command line');
    /** The scaffold's specs of the two packages after `init <folder> --from ...from`. */
    const specs = (folder: string, ...from: string[]): [string, string] => {
      const result = runCli(['init', folder, ...from.flatMap((f) => ['--from', f])], { cwd: parent });
      expect(result.stderr).toBe('');
      const manifest = JSON.parse(readFileSync(join(parent, folder, 'package.json'), 'utf8'));
      return [manifest.dependencies['cdktf-immutable'], manifest.devDependencies['cdktf-immutable-cli']];
    };

    const vendored = [
      `file:vendor/cdktf-immutable-${pkg.version}.tgz`,
      `file:vendor/cdktf-immutable-cli-${pkg.version}.tgz`,
    ];

    test('a folder: both tarballs that npm run pack wrote, copied into vendor/ and depended on there', () => {
      expect(specs('plain', 'packed')).toEqual(vendored);
      expect(readFileSync(join(parent, 'plain', 'vendor', `cdktf-immutable-${pkg.version}.tgz`), 'utf8')).toBe(
        'the constructs',
      );
      expect(readFileSync(join(parent, 'plain', 'vendor', `cdktf-immutable-cli-${pkg.version}.tgz`), 'utf8')).toBe(
        'the command line',
      );
      expect(specs('folder', './packed')).toEqual(vendored);
      // init --force again from the vendored copies: nothing differs
      const again = runCli(['init', 'folder', '--force', '--from', 'folder/vendor'], { cwd: parent });
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/: 0 files \(\d+ unchanged; kept/);
    });

    test('a tarball: the package it holds, told by its file name; the other stays at this version', () => {
      expect(specs('one', `./packed/cdktf-immutable-${pkg.version}.tgz`)).toEqual([vendored[0], `^${pkg.version}`]);
      expect(existsSync(join(parent, 'one', 'vendor', `cdktf-immutable-cli-${pkg.version}.tgz`))).toBe(false);
      expect(
        specs('two', `./packed/cdktf-immutable-cli-${pkg.version}.tgz`, `./packed/cdktf-immutable-${pkg.version}.tgz`),
      ).toEqual(vendored);
    });

    test('a version range: both packages; a git URL: the constructs only', () => {
      expect(specs('range', '~0.1.0')).toEqual(['~0.1.0', '~0.1.0']);
      const git = 'git+https://github.com/example/cdktf-immutable.git#v0.1.0';
      expect(specs('git', git)).toEqual([git, `^${pkg.version}`]);
    });

    test('a package taken twice exits 2 naming it', () => {
      const twice = runCli(['init', 'twice', '--from', './packed', '--from', '1.0.0'], { cwd: parent });
      expect(twice.code).toBe(2);
      expect(twice.stderr).toContain('init: --from 1.0.0: cdktf-immutable is already taken from "file:vendor/');
    });

    test('a folder without both tarballs exits 2 naming the missing one', () => {
      mkdirSync(join(parent, 'half'));
      writeFileSync(join(parent, 'half', `cdktf-immutable-${pkg.version}.tgz`), '');
      const half = runCli(['init', 'half-infra', '--from', './half'], { cwd: parent });
      expect(half.code).toBe(2);
      expect(half.stderr).toContain(`cdktf-immutable-cli-${pkg.version}.tgz does not exist`);
    });
  });

  test.each([
    [['a', 'b'], 'init: expected at most one folder, got 2 (a b).'],
    [['--forse'], 'init: unknown option "--forse" (options: --services, --from, --force, --overwrite).'],
    [['--from'], 'init: --from needs a value.'],
    [
      ['x', '--from', './missing.tgz'],
      'does not exist; pass the tarball "npm pack" wrote, a folder of both tarballs, a git URL or a version range.',
    ],
  ])('bad arguments exit 2: %j', (args, message) => {
    const cwd = mkdtempSync(join(tmpdir(), 'init-bad-'));
    const bad = runCli(['init', ...args], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(message);
    expect(readdirSync(cwd)).toEqual([]);
  });

  test('a file as the target exits 2', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'init-file-')), 'file');
    writeFileSync(file, '');
    const bad = runCli(['init', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is a file, not a folder');
  });

  test('--help prints the usage', () => {
    const help = runCli(['init', '--help']).stdout;
    expect(help).toContain(
      'Usage: cdktf-immutable init [dir] [--services <a,b>] [--force [--overwrite]] [--from <spec>]...',
    );
    expect(help).toContain('cdktf-immutable-cli-<version>.tgz');
  });
});
