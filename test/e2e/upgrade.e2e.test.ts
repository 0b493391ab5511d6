/**
 * The upgrade from the previous release on moto with the real AWS provider: a blue/green
 * fleet deployed by the baseline library (the last release before slots were pinned, read
 * from git history), then synthesized by this one from the same release file and planned.
 * The plan may only create the slots' release markers (terraform_data, no AWS resource):
 * no AWS resource is updated, replaced or destroyed, whether both slots are pinned (after a
 * promote) or the idle one is staged. Emulator artifacts are those of the baseline's own
 * second plan, read first.
 */
import { execFileSync, spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { MotoServer, motoAmiIds, startMoto } from './harness/moto';
import { apply, init, keepStateIn, logPlan, planActions, ROOT, RUNNER, savedPlan, SavedPlan } from './harness/tofu';

/**
 * The baseline: the last release of the library before this round (its construct ids,
 * generation inputs and release file format are what users have deployed).
 */
const BASELINE = 'd467aebaa9c38ff71c37d46f540fd4505685e59d';

const work = mkdtempSync(join(tmpdir(), 'e2e-upgrade-'));
const baselineLib = join(work, 'baseline', 'lib');
const releaseFile = join(work, 'releases', 'e2e.json');
const out = join(work, 'out');
const stackDir = join(out, 'stacks', 'e2e-upgrade');
let moto: MotoServer;
let amis: string[];
const started = Date.now();

/** A release file in the format both versions read: green serves B, blue holds A. */
function writeRelease(previous: 'blue' | null): void {
  const slot = (image: string) => ({ image, stagedAt: '2026-12-01T00:00:00.000Z', source: '--image' });
  const release = {
    version: 1,
    environment: 'e2e',
    active: 'green',
    canary: 0,
    previous,
    slots: { blue: slot(amis[0]), green: slot(amis[1]) },
  };
  writeFileSync(releaseFile, `${JSON.stringify(release, null, 2)}\n`);
}

/** Synthesizes the upgrade app with the library at `lib` into `out`; the state stays in `work`. */
function synth(lib: string): void {
  const result = spawnSync(
    process.execPath,
    ['--require', RUNNER, join(ROOT, 'test', 'e2e', 'apps', 'upgrade-app.ts')],
    {
      cwd: ROOT,
      env: { ...process.env, UPGRADE_LIB: lib, E2E_RELEASE_FILE: releaseFile, CDKTF_OUTDIR: out },
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) {
    throw new Error(`synth of the upgrade app with ${lib} failed:\n${result.stdout}\n${result.stderr}`);
  }
  keepStateIn(stackDir, join(work, 'e2e-upgrade.tfstate'));
}

/** address -> actions of every change that is not a no-op, an emulator artifact or a read. */
function changes(plan: SavedPlan): Record<string, string> {
  return Object.fromEntries(Object.entries(planActions(plan.json)).filter(([, actions]) => actions !== 'read'));
}

/** The changes of `plan` beyond `baseline`'s (the emulator's own artifacts), by address. */
function beyond(plan: SavedPlan, baseline: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(changes(plan)).filter(([address, a]) => baseline[address] !== a));
}

let baselineChanges: Record<string, string>;

beforeAll(async () => {
  moto = await startMoto(work);
  amis = await motoAmiIds(moto.endpoint, 2);
  mkdirSync(join(work, 'releases'), { recursive: true });
  mkdirSync(join(work, 'baseline'), { recursive: true });
  // The baseline's lib/ from git history; it resolves cdktf and the providers from this
  // repository's node_modules (the baseline pinned the same versions).
  const archive = execFileSync('git', ['-C', ROOT, 'archive', BASELINE, 'lib'], { maxBuffer: 64 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', join(work, 'baseline')], { input: archive });
  symlinkSync(join(ROOT, 'node_modules'), join(work, 'baseline', 'node_modules'));
});

afterAll(async () => {
  await moto?.stop();
  console.log(`[e2e] upgrade: ${((Date.now() - started) / 1000).toFixed(0)}s, work folder ${work}`);
});

test('deployed by the baseline release: its own next plan has nothing but emulator artifacts', async () => {
  writeRelease('blue');
  synth(baselineLib);
  await init(stackDir, moto.env);
  await apply(stackDir, moto.env);
  const again = await savedPlan(stackDir, 'baseline-again', moto.env);
  logPlan('baseline, planned again', again.json);
  baselineChanges = changes(again);
  // nothing of the fleet itself may change in a second plan of the same code
  expect(
    Object.keys(baselineChanges).filter((address) => /aws_(launch_template|autoscaling_group)\./.test(address)),
  ).toEqual([]);
});

test('after a promote (both slots pinned): this release plans only the release markers', async () => {
  writeRelease('blue');
  synth(join(ROOT, 'lib'));
  await init(stackDir, moto.env);
  const plan = await savedPlan(stackDir, 'upgrade-pinned', moto.env);
  logPlan('upgrade, both slots pinned', plan.json);
  const extra = beyond(plan, baselineChanges);
  expect(Object.values(extra).every((actions) => actions === 'create')).toBe(true);
  expect(Object.keys(extra).every((address) => address.startsWith('terraform_data.'))).toBe(true);
  expect(Object.keys(extra)).toHaveLength(2);
});

test('with the idle slot staged: this release still plans only the release markers', async () => {
  writeRelease(null);
  synth(join(ROOT, 'lib'));
  const plan = await savedPlan(stackDir, 'upgrade-staged', moto.env);
  logPlan('upgrade, blue staged', plan.json);
  const extra = beyond(plan, baselineChanges);
  expect(extra).toEqual(
    Object.fromEntries(
      Object.keys(extra)
        .filter((a) => a.startsWith('terraform_data.'))
        .map((a) => [a, 'create']),
    ),
  );
});
