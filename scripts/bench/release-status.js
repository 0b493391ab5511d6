/**
 * `release status` at scale, for scripts/bench/bench.js: a releases folder of N fleets x
 * 3 environments x 2 regions in the per-fleet layout (releases/<fleet>/<region>/<env>.json,
 * 6 files per fleet) plus a shared releases/vetoed.json, each file written through the
 * library (two images staged, the second promoted), one vetoed image still serving. The
 * built command (`release status`, then `release status --json`) reads every file and the
 * veto file, as a user runs it; no AWS call (no --live).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

const ENVIRONMENTS = ['dev', 'staging', 'prod'];
const REGIONS = ['eu-west-1', 'us-east-1'];
/** The goal: status across 50 fleets x 3 environments x 2 regions in under 2 s. */
const GOAL_FLEETS = 50;
const GOAL_MS = 2000;

/** Writes `fleets` fleets' release files and a veto file under `dir`; returns the file count. */
function writeReleases(release, dir, fleets) {
  const now = new Date('2026-12-01T00:00:00Z');
  let files = 0;
  for (let i = 0; i < fleets; i++) {
    const fleet = `svc${i}`;
    for (const region of REGIONS) {
      fs.mkdirSync(path.join(dir, fleet, region), { recursive: true });
      for (const environment of ENVIRONMENTS) {
        const first = `ami-${(i * 16 + 1).toString(16).padStart(17, '0')}`;
        const second = `ami-${(i * 16 + 2).toString(16).padStart(17, '0')}`;
        let file = release.emptyRelease(environment, { fleet, region });
        file = release.stageRelease(file, { image: first, source: '--image', now });
        file = release.stageRelease(file, { image: second, source: '--image', now });
        file = release.promoteRelease(file);
        fs.writeFileSync(path.join(dir, fleet, region, `${environment}.json`), release.formatReleaseFile(file));
        files++;
      }
    }
  }
  // svc0's second image is vetoed: status names every file where it still serves
  const vetoed = `ami-${(2).toString(16).padStart(17, '0')}`;
  fs.writeFileSync(
    path.join(dir, 'vetoed.json'),
    release.formatVetoFile({
      version: 1,
      images: [{ image: vetoed, reason: 'bench: a vetoed image still serving', vetoedAt: now.toISOString() }],
    }),
  );
  return files;
}

/**
 * Times `release status` (and `--json`) over N fleets for each N of the scale, in fresh
 * processes (`measure`: median wall time and peak RSS). Needs dist/ (built here).
 */
function measureStatus({ root, work, quick, measure }) {
  const { buildDist } = require(path.join(root, 'scripts', 'build-dist.js'));
  buildDist({ quiet: true });
  const release = require(path.join(root, 'dist', 'lib', 'release'));
  const cli = path.join(root, 'packages', 'cli', 'dist', 'cdktf-immutable.js');
  const scale = quick ? [1, 5] : [1, 10, GOAL_FLEETS];
  const date = new Date().toISOString();
  const loadAverage = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const rows = scale.map((fleets) => {
    const dir = path.join(work, `status-${fleets}`, 'releases');
    const files = writeReleases(release, dir, fleets);
    const text = measure(`release status: ${fleets} fleet(s), ${files} files`, [
      cli,
      'release',
      'status',
      '--dir',
      dir,
    ]);
    const json = measure(`release status --json: ${fleets} fleet(s), ${files} files`, [
      cli,
      'release',
      'status',
      '--json',
      '--dir',
      dir,
    ]);
    return { fleets, files, text, json };
  });
  return { date, loadAverage, rows };
}

function goals(status) {
  if (!status || status.rows.length === 0) return [];
  const last = status.rows[status.rows.length - 1];
  const slowest = Math.max(last.text.wallMs, last.json.wallMs);
  return [
    [
      `release status across ${last.fleets} fleets x 3 environments x 2 regions < 2 s`,
      last.fleets >= GOAL_FLEETS && slowest < GOAL_MS,
      `${(slowest / 1000).toFixed(2)} s (${last.files} files)`,
    ],
  ];
}

function markdown(r) {
  if (!r.releaseStatus) return [];
  const row = (cells) => `| ${cells.join(' | ')} |`;
  const { rows, date, loadAverage } = r.releaseStatus;
  const [first] = rows;
  const last = rows[rows.length - 1];
  const perFleet = (last.text.wallMs - first.text.wallMs) / Math.max(1, last.fleets - first.fleets);
  const growth = perFleet < 1 ? 'under 1 ms' : `about ${Math.round(perFleet)} ms`;
  return [
    '## Release status at scale (fleets x 3 environments x 2 regions)',
    '',
    'The built command, `release status` and `release status --json` without `--live` (no AWS call), over a releases folder in the per-fleet, per-region layout (`releases/<fleet>/<region>/<env>.json`, 6 files per fleet, each with two images staged and the second promoted) and a `releases/vetoed.json` whose image still serves in 6 files (scripts/bench/release-status.js). Wall time includes starting node. ' +
      `Measured on ${date.slice(0, 10)}, load average (1, 5, 15 min) ${loadAverage.join(', ')} at the start.`,
    '',
    row(['fleets', 'files', 'status (ms)', 'status --json (ms)', 'peak RSS (MiB)']),
    row(['---:', '---:', '---:', '---:', '---:']),
    ...rows.map((s) => row([s.fleets, s.files, s.text.wallMs, s.json.wallMs, s.text.peakRssMiB])),
    '',
    `Growth: ${growth} per fleet (6 files) from ${first.fleets} to ${last.fleets} fleets; most of the wall time is starting node and loading the command.`,
    '',
  ];
}

module.exports = { measureStatus, goals, markdown, writeReleases };
