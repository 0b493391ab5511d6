import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { runCli } from './run-cli';
import { parseReleaseFile, ReleaseFile } from '../../lib/release';

const AMI_1 = 'ami-0123456789abcdef0';
const AMI_2 = 'ami-0fedcba9876543210';
const EU_1 = 'ami-0aaaaaaaaaaaaaaa1';
const EU_2 = 'ami-0aaaaaaaaaaaaaaa2';
const US_1 = 'ami-0bbbbbbbbbbbbbbb1';
const US_2 = 'ami-0bbbbbbbbbbbbbbb2';

let dir: string;
const release = (...args: string[]) => runCli(['release', ...args, '--dir', dir]);
const read = (...path: string[]): ReleaseFile =>
  parseReleaseFile(readFileSync(join(dir, ...path), 'utf8'), join(dir, ...path));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fleets-'));
});

describe('release files per fleet', () => {
  test('two fleets released on their own; --fleet required, refused with the list', () => {
    expect(release('init', 'prod', '--fleet', 'web').code).toBe(0);
    expect(release('init', 'prod', '--fleet', 'api').code).toBe(0);
    expect(read('web', 'prod.json')).toMatchObject({ environment: 'prod', fleet: 'web' });
    const missing = release('stage', 'prod', '--image', AMI_1);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`release stage: ${dir} holds 2 fleets (api, web); name one with --fleet <name>.`);
    expect(release('stage', 'prod', '--fleet', 'web', '--image', AMI_1).stdout).toMatch(/^web\/prod: staged /);
    release('stage', 'prod', '--fleet', 'web', '--image', AMI_2);
    const promoted = release('promote', 'prod', '--fleet', 'web');
    expect(promoted.stdout).toContain('Next: cdktf-immutable deploy <web/prod stack>');
    expect(promoted.stdout).toContain('cdktf-immutable release rollback prod --fleet web');
    // api untouched
    expect(read('api', 'prod.json').slots.blue.image).toBeNull();
  });

  test('status lists every fleet x environment, one line each, and as JSON', () => {
    release('init', 'dev', '--fleet', 'web');
    release('init', 'prod', '--fleet', 'web');
    release('init', 'prod', '--fleet', 'api');
    release('stage', 'prod', '--fleet', 'api', '--image', AMI_1);
    const text = release('status');
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^api\/prod +active blue \(100%\) +blue ami-0123456789abcdef0 +green empty$/),
      expect.stringMatching(/^web\/dev +no image yet, no traffic +blue - +green empty$/),
      expect.stringMatching(/^web\/prod +no image yet/),
    ]);
    const json = JSON.parse(release('status', '--json').stdout) as Array<Record<string, unknown>>;
    expect(json.map((entry) => [entry.fleet, entry.environment, entry.region])).toEqual([
      ['api', 'prod', null],
      ['web', 'dev', null],
      ['web', 'prod', null],
    ]);
    expect(release('status', '--fleet', 'web', '--json').stdout).not.toContain('"api"');
    const details = release('status', 'prod', '--fleet', 'api');
    expect(details.stdout).toMatch(/^api\/prod: active blue \(100%\)\n {2}\* blue +ami-0123456789abcdef0/);
  });

  test('the one-fleet layout keeps working and refuses --fleet with the move', () => {
    release('init', 'prod');
    const refused = release('stage', 'prod', '--fleet', 'web', '--image', AMI_1);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--fleet web: .* holds the one-fleet layout \(prod\.json\)/);
    expect(read('prod.json').fleet).toBeUndefined();
    expect(release('init', 'dev', '--fleet', 'web').stderr).toMatch(/holds the one-fleet layout/);
  });
});

describe('promotion rules on the command line', () => {
  test('release veto: stage, promote and --from refuse the image; status names where it runs', () => {
    release('init', 'dev');
    release('init', 'prod');
    release('stage', 'dev', '--image', AMI_1);
    release('stage', 'dev', '--image', AMI_2);
    release('stage', 'prod', '--image', AMI_1);
    const veto = release('veto', AMI_1, '--reason', 'CVE-2026-1234 in the kernel');
    expect(veto.code).toBe(0);
    expect(veto.stdout).toContain('It still runs in: dev slot blue 100%; prod slot blue 100%.');
    expect(JSON.parse(readFileSync(join(dir, 'vetoed.json'), 'utf8')).images).toEqual([
      { image: AMI_1, reason: 'CVE-2026-1234 in the kernel', vetoedAt: expect.any(String) },
    ]);
    // vetoed.json is not an environment
    expect(release('status', '--json').stdout).not.toContain('"environment": "vetoed"');
    release('veto', AMI_2, '--reason', 'leaks memory');
    const promote = release('promote', 'dev');
    expect(promote.code).toBe(1);
    expect(promote.stderr).toMatch(
      /ami-0fedcba9876543210 is vetoed since .* \(leaks memory\); promote would give slot green 100%/,
    );
    const status = release('status');
    expect(status.stdout).toMatch(
      /VETOED: ami-0123456789abcdef0 \(CVE-2026-1234 in the kernel\) is in slot blue, serving 100%/,
    );
    // dev's active image is the vetoed AMI_1: --from refuses to take it
    const from = release('stage', 'prod', '--from', 'dev', '--slot', 'green');
    expect(from.code).toBe(1);
    expect(from.stderr).toMatch(/ami-0123456789abcdef0 is vetoed since .*; stage would put it into slot green/);
    expect(release('veto', AMI_2, '--lift').stdout).toContain('veto lifted');
    expect(release('promote', 'dev').code).toBe(0);
  });

  test('a freeze window refuses stage and promote; --force-freeze --reason records the override', () => {
    release('init', 'prod');
    release('stage', 'prod', '--image', AMI_1);
    const data = JSON.parse(readFileSync(join(dir, 'prod.json'), 'utf8'));
    data.policy = { freeze: [{ from: '2000-01-01T00:00:00Z', to: '2999-01-01T00:00:00Z', reason: 'audit' }] };
    writeFileSync(join(dir, 'prod.json'), JSON.stringify(data));
    const refused = release('stage', 'prod', '--image', AMI_2);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /prod: stage is refused during the freeze window 2000-01-01T00:00:00Z\.\.2999-01-01T00:00:00Z \(audit\)/,
    );
    expect(release('stage', 'prod', '--image', AMI_2, '--force-freeze').stderr).toMatch(
      /--force-freeze needs --reason/,
    );
    const forced = release('stage', 'prod', '--image', AMI_2, '--force-freeze', '--reason', 'INC-7 hotfix');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('freeze window 2000-01-01T00:00:00Z..2999-01-01T00:00:00Z (audit) overridden');
    expect(read('prod.json').freezeOverride).toMatchObject({ command: 'stage', reason: 'INC-7 hotfix' });
    expect(release('status', 'prod').stdout).toMatch(/freeze overridden by stage at .*: INC-7 hotfix/);
    // the next write is not forced: the record goes
    expect(release('rollback', 'prod').code).toBe(1); // nothing to roll back: refused, nothing written
    expect(read('prod.json').freezeOverride).toBeDefined();
  });

  test('stage --from follows the target policy: a completed rollout is required', () => {
    release('init', 'dev');
    release('init', 'prod');
    release('stage', 'dev', '--image', AMI_1);
    release('stage', 'dev', '--image', AMI_2);
    release('promote', 'dev');
    release('stage', 'prod', '--image', AMI_1);
    const data = JSON.parse(readFileSync(join(dir, 'prod.json'), 'utf8'));
    data.policy = { stageFrom: { requireCompletedRollout: true } };
    writeFileSync(join(dir, 'prod.json'), JSON.stringify(data));
    const refused = release('stage', 'prod', '--from', 'dev');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /prod: the policy requires that "stage --from" takes an image that completed a stepped rollout/,
    );
    expect(read('prod.json').slots.green.image).toBeNull();
  });
});

describe('a fleet released per region', () => {
  test('init, stage each region its AMI, promote a wave, rollback all regions', () => {
    expect(release('init', 'prod', '--fleet', 'web', '--regions', 'eu-west-1,us-east-1').code).toBe(0);
    expect(read('web', 'eu-west-1', 'prod.json')).toMatchObject({ fleet: 'web', region: 'eu-west-1' });
    const one = release('stage', 'prod', '--fleet', 'web', '--image', EU_1);
    expect(one.stderr).toMatch(
      /fleet web is released per region \(eu-west-1, us-east-1\); name the region with --region/,
    );
    const regions = ['--fleet', 'web', '--regions', 'eu-west-1,us-east-1'];
    expect(release('stage', 'prod', ...regions, '--image', EU_1).stderr).toMatch(/--image names each region's AMI/);
    expect(release('stage', 'prod', ...regions, '--image', `eu-west-1=${EU_1},us-east-1=${US_1}`).code).toBe(0);
    const second = release('stage', 'prod', ...regions, '--image', `eu-west-1=${EU_2},us-east-1=${US_2}`);
    expect(second.stdout).toContain(`eu-west-1: staged ${EU_2} in slot green; no traffic moves.`);
    // run again (as after a crash between the two writes): nothing changes, both kept
    const again = release('stage', 'prod', ...regions, '--image', `eu-west-1=${EU_2},us-east-1=${US_2}`);
    expect(again.stdout).toContain(`us-east-1: web/prod (us-east-1) has ${US_2} staged already; kept.`);
    const wave = release('promote', 'prod', ...regions, '--steps', '10,50,100', '--fleet-tag', 'web-prod');
    expect(wave.code).toBe(0);
    expect(wave.stdout).toMatch(/Wave started over eu-west-1, us-east-1: steps 10, 50, 100/);
    for (const region of ['eu-west-1', 'us-east-1']) {
      expect(read('web', region, 'prod.json')).toMatchObject({
        canary: 10,
        rollout: { regions: ['eu-west-1', 'us-east-1'], status: 'running', fleet: 'web-prod' },
      });
    }
    // a single region cannot be promoted out of the wave
    expect(release('promote', 'prod', '--fleet', 'web', '--region', 'eu-west-1').code).toBe(1);
    const status = release('status', '--fleet', 'web');
    expect(status.stdout).toMatch(
      /^web\/prod \(eu-west-1\) +active blue \(90%\), canary green \(10%\) .* rollout 1\/3 \(wave\)$/m,
    );
    expect(release('rollback', 'prod', ...regions).code).toBe(0);
    expect(read('web', 'us-east-1', 'prod.json')).toMatchObject({ canary: 0, rollout: { status: 'aborted' } });

    // one region released alone: --region picks its file, the other region's file is untouched
    const before = JSON.stringify(read('web', 'eu-west-1', 'prod.json'));
    const US_3 = 'ami-0c0c0c0c0c0c0c0c3';
    const alone = release('stage', 'prod', '--fleet', 'web', '--region', 'us-east-1', '--image', US_3);
    expect(alone.stderr).toBe('');
    expect(alone.code).toBe(0);
    expect(read('web', 'us-east-1', 'prod.json').slots.green).toMatchObject({ image: US_3 });
    expect(release('promote', 'prod', '--fleet', 'web', '--region', 'us-east-1').code).toBe(0);
    expect(read('web', 'us-east-1', 'prod.json')).toMatchObject({ active: 'green', canary: 0 });
    expect(JSON.stringify(read('web', 'eu-west-1', 'prod.json'))).toBe(before);
  });
});
