import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { judgeLive, lastCommitOf, LiveReader, LiveReading, watchdogRefusal } from '../../bin/cli/live-check';
import { releaseCommand } from '../../bin/cli/release';
import { stackFleets, stackRegion } from '../../bin/cli/stack-fleets';
import { emptyRelease, formatReleaseFile, promoteRelease, recordServed, stageRelease } from '../../lib/release';

const NOW = new Date('2026-01-02T03:04:05Z');
const staged = stageRelease(
  stageRelease(emptyRelease('dev'), { image: 'ami-0123456789abcdef0', source: '--image', now: NOW }),
  { image: 'ami-0fedcba9876543210', source: '--image', now: NOW },
);
const canary = recordServed(staged, promoteRelease(staged, 10));
const served = (blue: number, green: number): LiveReading => ({ kind: 'served', weights: { blue, green } });
const commit = () => 'commit abc1234 "dev: stage" (Ann, 2026-01-02)';

describe('watchdogRefusal', () => {
  const record = (changedAt: Date) => ({
    status: 'restored' as const,
    fleet: 'web-dev',
    alarm: 'web-dev-green-5xx-rate',
    slot: 'green' as const,
    reason: 'Threshold Crossed',
    stateChangedAt: changedAt.toISOString(),
    restoredAt: changedAt.toISOString(),
  });

  test('a file that still sends the canary its share after the watchdog restored the weights: refused, naming status', () => {
    const refusal = watchdogRefusal(canary, 'releases/dev.json', record(new Date(NOW.getTime() + 60_000)));
    expect(refusal).toMatch(
      /But releases\/dev\.json still sends the canary 10%: deploying it would put the canary back in service\. Record the abort first: "cdktf-immutable release status dev"/,
    );
  });

  test('no record, an empty one, or one older than the canary: nothing in the way', () => {
    expect(watchdogRefusal(canary, 'f', undefined)).toBeUndefined();
    expect(watchdogRefusal(canary, 'f', { status: 'none' })).toBeUndefined();
    expect(watchdogRefusal(canary, 'f', record(new Date(NOW.getTime() - 3600_000)))).toBeUndefined();
  });
});

describe('judgeLive', () => {
  test('the file deployed, or its last change not deployed yet: ok', () => {
    expect(judgeLive(canary, 'releases/dev.json', 'web-dev', served(90, 10), commit)).toEqual({
      ok: true,
      message: 'live check: fleet web-dev serves blue 90% / green 10%, as releases/dev.json asks (deployed).',
    });
    expect(judgeLive(canary, 'releases/dev.json', 'web-dev', served(100, 0), commit)).toMatchObject({ ok: true });
  });

  test('anything else is refused, naming the commit and the fix', () => {
    const verdict = judgeLive(canary, 'releases/dev.json', 'web-dev', served(0, 100), commit);
    expect(verdict.ok).toBe(false);
    expect(verdict.message).toBe(
      'live check: fleet web-dev serves blue 0% / green 100%, but releases/dev.json asks for blue 90% / green 10%, ' +
        'and records that blue 100% / green 0% was served before its last change. The file is not the one that was ' +
        'deployed: it was last changed by commit abc1234 "dev: stage" (Ann, 2026-01-02). Bring the checkout up to ' +
        'date ("git pull"), or restore the file that was deployed ("git log -p -- releases/dev.json"), and run the ' +
        'release command again; to deploy it anyway, pass --no-live-check "<reason>".',
    );
  });

  test('nothing to compare: skipped with a note', () => {
    expect(judgeLive(canary, 'f', 'web-dev', { kind: 'no-target-groups' }, commit).ok).toBe(true);
    expect(judgeLive(canary, 'f', 'web-dev', { kind: 'no-listener' }, commit).ok).toBe(true);
  });

  test('lastCommitOf outside a git repository says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nogit-'));
    writeFileSync(join(dir, 'dev.json'), '{}');
    expect(lastCommitOf(join(dir, 'dev.json'))).toMatch(/not in a git repository|no commit/);
  });
});

describe('release status --live', () => {
  const run = async (args: string[], reader: LiveReader) => {
    const dir = mkdtempSync(join(tmpdir(), 'status-live-'));
    writeFileSync(join(dir, 'dev.json'), formatReleaseFile(canary));
    writeFileSync(join(dir, 'prod.json'), formatReleaseFile(emptyRelease('prod')));
    let stdout = '';
    let stderr = '';
    const code = await releaseCommand(
      ['status', ...args, '--dir', dir],
      { out: (t) => (stdout += t), err: (t) => (stderr += t) },
      { liveReader: reader },
    );
    return { code, stdout, stderr };
  };
  const reader = (weights: Record<string, LiveReading>, fleets = Object.keys(weights)): LiveReader => ({
    readWeights: async (fleet) => weights[fleet],
    fleets: async () => fleets,
  });

  test("finds each environment's fleet by name and compares", async () => {
    const result = await run(['--live'], reader({ 'web-dev': served(100, 0) }));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('    live check: fleet web-dev serves blue 100% / green 0%, what ');
    expect(result.stdout).toContain('    live check skipped: no fleet named prod or *-prod has tagged target groups');
  });

  test('a mismatch exits 1; --json carries the reading', async () => {
    const text = await run(['dev', '--live'], reader({ 'web-dev': served(0, 100) }));
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('live check: fleet web-dev serves blue 0% / green 100%, but ');
    const json = await run(['dev', '--live', '--json'], reader({ 'web-dev': served(0, 100) }));
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)[0]).toMatchObject({
      served: { blue: 100, green: 0 },
      live: { fleet: 'web-dev', weights: { blue: 0, green: 100 }, agrees: false },
    });
  });

  test('--fleet names the fleet; several candidates need it (exit 2)', async () => {
    const named = await run(['dev', '--live', '--fleet-tag', 'api'], reader({ api: served(90, 10) }, []));
    expect(named.code).toBe(0);
    const ambiguous = await run(['dev', '--live'], reader({ 'web-dev': served(90, 10), 'api-dev': served(90, 10) }));
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stdout).toContain(
      'several fleets match environment dev (web-dev, api-dev); name one with --fleet-tag',
    );
  });
});

describe('the fleets of a synthesized stack', () => {
  const group = (slot: string) => ({ tags: { 'cdktf-immutable:fleet': 'Web-Dev', 'cdktf-immutable:slot': slot } });
  const forward = (blue: unknown, green: unknown) => [
    {
      type: 'forward',
      forward: {
        target_group: [
          { arn: '${aws_lb_target_group.B.arn}', weight: blue },
          { arn: '${aws_lb_target_group.G.arn}', weight: green },
        ],
      },
    },
  ];
  const stack = (action: unknown, where = 'aws_lb_listener') => ({
    provider: { aws: [{ region: 'eu-west-1' }] },
    resource: {
      aws_lb_target_group: { B: group('blue'), G: group('green'), Other: { tags: {} } },
      [where]: { L: where === 'aws_lb_listener' ? { default_action: action } : { action } },
    },
  });

  test('a listener or a listener rule gives the weights; an expression gives none', () => {
    expect(stackFleets(stack(forward(90, 10)))).toEqual([{ fleet: 'web-dev', weights: { blue: 90, green: 10 } }]);
    expect(stackFleets(stack(forward(0, 100), 'aws_lb_listener_rule'))).toEqual([
      { fleet: 'web-dev', weights: { blue: 0, green: 100 } },
    ]);
    expect(stackFleets(stack(forward('${local.w}', 10)))).toEqual([{ fleet: 'web-dev' }]);
    expect(stackFleets({})).toEqual([]);
    expect(stackRegion(stack([]))).toBe('eu-west-1');
    expect(stackRegion({ provider: { aws: [{ region: '${var.region}' }] } })).toBeUndefined();
  });
});
