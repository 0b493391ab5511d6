import { spawnSync } from 'child_process';
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { CLI_PACKAGE, requireBuiltDist } from '../support/built-dist';

/**
 * The secondary entry points `cdktf-immutable/release`, `cdktf-immutable/review` and
 * `cdktf-immutable/names` (package.json "exports"), loaded from the build (dist/, see
 * test/support/built-dist.ts) through the package's own name, in a fresh node process:
 * they resolve, name exactly the public API, and load neither cdktf nor constructs. The
 * command line (packages/cli) imports the library only through them, so it stays fast
 * (about 0.1 s a call instead of 0.4 s).
 */
const ROOT = resolve(__dirname, '..', '..');

interface Loaded {
  readonly resolved: string;
  readonly exports: string[];
  /** Loaded modules from node_modules/cdktf/ or node_modules/constructs/. */
  readonly heavy: string[];
}

/** Runs `script` in a fresh node process in the repository root and reports what it loaded. */
function load(specifier: string, script = ''): Loaded {
  const program = `
    const api = require(${JSON.stringify(specifier)});
    ${script}
    const heavy = Object.keys(require.cache).filter((p) => /[\\\\/]node_modules[\\\\/](cdktf|constructs)[\\\\/]/.test(p));
    process.stdout.write(JSON.stringify({ resolved: require.resolve(${JSON.stringify(specifier)}), exports: Object.keys(api).sort(), heavy }));
  `;
  const result = spawnSync(process.execPath, ['-e', program], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  if (result.status !== 0) {
    throw new Error(`node exited ${result.status}: ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as Loaded;
}

describe('subpath exports', () => {
  beforeAll(requireBuiltDist);

  test('cdktf-immutable/release is the release API and loads no cdktf', () => {
    const loaded = load('cdktf-immutable/release');
    expect(loaded.resolved).toBe(join(ROOT, 'dist', 'lib', 'release', 'index.js'));
    expect(loaded.exports).toEqual([
      'AnalysisFileError',
      'EMPTY_WATCHDOG_RECORD',
      'MIN_ANALYSIS_HOLD_SECONDS',
      'ReleaseFileError',
      'ReleaseInputError',
      'ReleaseLayout',
      'ReleaseLockedError',
      'ReleaseRefusedError',
      'ReleaseStore',
      'RolloutInputError',
      'SLOT_NAMES',
      'VETO_FILE',
      'abortRollout',
      'abortText',
      'advanceRollout',
      'alarmSlotOf',
      'analysisRequest',
      'applyWatchdogRecord',
      'bindAlarms',
      'checkFreeze',
      'checkStageFrom',
      'checkVetoes',
      'compareWithBaseline',
      'decideAdvance',
      'decideWave',
      'describeFreezeWindow',
      'emptyRelease',
      'emptyVetoFile',
      'evaluateAnalysis',
      'fleetAlarmSlot',
      'formatComparison',
      'formatCondition',
      'formatDuration',
      'formatReleaseFile',
      'formatVetoFile',
      'liftVeto',
      'loadAnalysisFile',
      'loadReleaseFile',
      'mannWhitneyU',
      'openFreezeWindow',
      'otherSlot',
      'parseAnalysis',
      'parseAnalysisFile',
      'parseCondition',
      'parseDuration',
      'parseReleaseFile',
      'parseSteps',
      'parseVetoFile',
      'parseWatchdogRecord',
      'promoteRelease',
      'rankBiserial',
      'reconcileWave',
      'recordIdle',
      'recordServed',
      'releaseArguments',
      'releaseFilePath',
      'releaseLabel',
      'releaseWeights',
      'rollbackRelease',
      'servingRecordOf',
      'stageRelease',
      'stageSameImage',
      'stagedSlotOf',
      'startRollout',
      'startWave',
      'vetoImage',
      'vetoOf',
      'vetoedSlots',
      'watchdogRecordParameter',
    ]);
    expect(loaded.heavy).toEqual([]);
  });

  test('cdktf-immutable/review is the review API and loads no cdktf', () => {
    const loaded = load('cdktf-immutable/review');
    expect(loaded.resolved).toBe(join(ROOT, 'dist', 'lib', 'review', 'index.js'));
    expect(loaded.exports).toEqual([
      'PREVIEW_LABELS',
      'PlanFileError',
      'SynthOutputError',
      'guardPlan',
      'hasViolations',
      'pinnedSlots',
      'previewChanges',
      'readPlanFile',
      'readSynthOutput',
    ]);
    expect(loaded.heavy).toEqual([]);
  });

  test('cdktf-immutable/names holds the names and patterns the constructs and the command line share', () => {
    const loaded = load('cdktf-immutable/names');
    expect(loaded.resolved).toBe(join(ROOT, 'dist', 'lib', 'names', 'index.js'));
    expect(loaded.exports).toEqual([
      'AMI_ID',
      'FLEET_TAG',
      'PIPELINE_NAME',
      'PIPELINE_NAME_RULE',
      'REGION',
      'SLOT_TAG',
      'SSM_PARAMETER_NAME',
      'defaultAmiParameterName',
    ]);
    expect(loaded.heavy).toEqual([]);
  });

  test('internal constants and helpers are not exported', () => {
    const release = load('cdktf-immutable/release').exports;
    const review = load('cdktf-immutable/review').exports;
    for (const internal of ['MAX_RELEASE_FILE_BYTES', 'ENVIRONMENT_PATTERN', 'AMI_ID_PATTERN']) {
      expect(release).not.toContain(internal);
    }
    for (const internal of ['changedPaths', 'topAttribute', 'isObject']) {
      expect(review).not.toContain(internal);
    }
  });

  test('the release and guard commands run without loading cdktf', () => {
    const dir = mkdtempSync(join(tmpdir(), 'subpath-'));
    const run = `
      const io = { out: () => undefined, err: (t) => { throw new Error(t); } };
      const main = require(${JSON.stringify(join(CLI_PACKAGE, 'dist', 'cli', 'main'))}).main;
      if (main(['release', 'init', 'dev', '--dir', ${JSON.stringify(dir)}], io) !== 0) throw new Error('release init failed');
      if (main(['release', 'status', '--dir', ${JSON.stringify(dir)}], io) !== 0) throw new Error('release status failed');
      require('fs').writeFileSync(${JSON.stringify(join(dir, 'plan.json'))}, '{"format_version":"1.2","planned_values":{}}');
      require('fs').writeFileSync(${JSON.stringify(join(dir, 'cdk.tf.json'))}, '{"resource":{}}');
      if (main(['guard', ${JSON.stringify(join(dir, 'plan.json'))}, '--config', ${JSON.stringify(join(dir, 'cdk.tf.json'))}], io) !== 0) throw new Error('guard failed');
    `;
    expect(load(join(CLI_PACKAGE, 'dist', 'cli', 'main'), run).heavy).toEqual([]);
  });
});
