import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  emptyRelease,
  formatReleaseFile,
  loadReleaseFile,
  parseReleaseFile,
  releaseArguments,
  releaseFilePath,
  ReleaseFileError,
  ReleaseLayout,
  ReleaseStore,
  stageRelease,
} from '../../lib/release';

const AMI_1 = 'ami-0123456789abcdef0';
const NOW = new Date('2026-05-01T10:00:00Z');

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'layout-'));
});

/** Writes an empty release file at `releases/<path>`, naming its fleet and region when given. */
function file(path: string, target: { fleet?: string; region?: string } = {}): void {
  const environment = path
    .split('/')
    .pop()!
    .replace(/\.json$/, '');
  mkdirSync(join(root, ...path.split('/').slice(0, -1)), { recursive: true });
  writeFileSync(join(root, path), formatReleaseFile(emptyRelease(environment, target)));
}

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ReleaseFileError);
    return (error as Error).message;
  }
  throw new Error('expected a ReleaseFileError');
};

describe('the layouts of a releases folder', () => {
  test('empty, one fleet, several fleets and a fleet released per region', () => {
    expect(ReleaseLayout.read(join(root, 'missing')).kind).toBe('empty');
    file('dev.json');
    file('prod.json');
    writeFileSync(join(root, 'vetoed.json'), '{"version":1,"images":[]}\n');
    const one = ReleaseLayout.read(root);
    expect(one.kind).toBe('one-fleet');
    expect(one.targets()).toEqual([{ environment: 'dev' }, { environment: 'prod' }]);

    const fleets = mkdtempSync(join(tmpdir(), 'layout-'));
    root = fleets;
    file('web/dev.json', { fleet: 'web' });
    file('web/prod.json', { fleet: 'web' });
    file('api/eu-west-1/prod.json', { fleet: 'api', region: 'eu-west-1' });
    file('api/us-east-1/prod.json', { fleet: 'api', region: 'us-east-1' });
    file('api/us-east-1/dev.json', { fleet: 'api', region: 'us-east-1' });
    mkdirSync(join(root, 'notes')); // a folder without release files is not a fleet
    const layout = ReleaseLayout.read(root);
    expect(layout.kind).toBe('fleets');
    expect(layout.fleets()).toEqual([{ name: 'api', regions: ['eu-west-1', 'us-east-1'] }, { name: 'web' }]);
    expect(layout.targets()).toEqual([
      { fleet: 'api', environment: 'dev', region: 'us-east-1' },
      { fleet: 'api', environment: 'prod', region: 'eu-west-1' },
      { fleet: 'api', environment: 'prod', region: 'us-east-1' },
      { fleet: 'web', environment: 'dev' },
      { fleet: 'web', environment: 'prod' },
    ]);
    expect(layout.pathOf({ fleet: 'api', environment: 'prod', region: 'eu-west-1' })).toBe(
      join(root, 'api', 'eu-west-1', 'prod.json'),
    );
  });

  test('a mix of the one-fleet layout and fleet folders is refused with the command that moves a file', () => {
    file('prod.json');
    file('web/prod.json', { fleet: 'web' });
    expect(message(() => ReleaseLayout.read(root))).toBe(
      `${root} mixes the one-fleet layout (prod.json) with fleet folders (web/); a repository uses one layout. ` +
        `Move the one-fleet files into the folder of their fleet ("mkdir ${join(root, '<fleet>')} && git mv ` +
        `${join(root, 'prod')}.json ${join(root, '<fleet>', 'prod')}.json", and add "fleet": "<fleet>" to each), then ` +
        'run the command again with --fleet <fleet>.',
    );
  });

  test('a fleet with both environment files and region folders is refused', () => {
    file('web/prod.json', { fleet: 'web' });
    file('web/eu-west-1/prod.json', { fleet: 'web', region: 'eu-west-1' });
    expect(message(() => ReleaseLayout.read(root))).toMatch(
      /web holds both environment files \(prod\.json\) and region folders \(eu-west-1\); .*git mv releases\/web\/prod\.json releases\/web\/eu-west-1\/prod\.json/,
    );
  });
});

describe('the store resolves --fleet and --region through the layout', () => {
  test('the one-fleet layout: no --fleet (refused with the move), --region is only the AWS region', () => {
    file('prod.json');
    const store = new ReleaseStore(root);
    expect(store.select({})).toEqual([store]);
    expect(store.select({ region: 'eu-west-1' })).toEqual([store]);
    expect(message(() => store.select({ fleet: 'web' }))).toMatch(
      /^--fleet web: .* holds the one-fleet layout \(prod\.json\), which has no fleet folders; leave out --fleet, or move to the per-fleet layout first .*A rollout names the load balancer's fleet with --fleet-tag\.$/,
    );
    expect(message(() => store.select({ regions: ['eu-west-1', 'us-east-1'] }))).toMatch(/has no region folders/);
  });

  test('several fleets: --fleet is required and refused with the list; the only fleet needs none', () => {
    file('web/prod.json', { fleet: 'web' });
    const store = new ReleaseStore(root);
    expect(store.select({}).map((s) => s.directory)).toEqual([join(root, 'web')]);
    file('api/prod.json', { fleet: 'api' });
    expect(message(() => store.select({}))).toBe(`${root} holds 2 fleets (api, web); name one with --fleet <name>.`);
    expect(message(() => store.select({ fleet: 'db' }))).toBe(
      `--fleet db: no such fleet in ${root} (fleets: api, web); create its first file with "cdktf-immutable release ` +
        'init <env> --fleet db".',
    );
    const [api] = store.select({ fleet: 'api' });
    expect(api).toMatchObject({ directory: join(root, 'api'), fleet: 'api', root });
    expect(api.load('prod').fleet).toBe('api');
    expect(api.argumentsOf('prod')).toBe('prod --fleet api');
    expect(message(() => store.select({ fleet: 'Web' }))).toMatch(/--fleet "Web" is not a fleet name/);
  });

  test('a fleet released per region: --region picks a file, --regions several; none is refused', () => {
    file('web/eu-west-1/prod.json', { fleet: 'web', region: 'eu-west-1' });
    file('web/us-east-1/prod.json', { fleet: 'web', region: 'us-east-1' });
    const store = new ReleaseStore(root);
    expect(message(() => store.select({ fleet: 'web' }))).toBe(
      'fleet web is released per region (eu-west-1, us-east-1); name the region with --region <region>, or every ' +
        'region of a wave with --regions eu-west-1,us-east-1.',
    );
    const [one] = store.select({ fleet: 'web', region: 'us-east-1' });
    expect(one).toMatchObject({ fleet: 'web', region: 'us-east-1', directory: join(root, 'web', 'us-east-1') });
    expect(one.argumentsOf('prod')).toBe('prod --fleet web --region us-east-1');
    const wave = store.select({ fleet: 'web', regions: ['us-east-1', 'eu-west-1'] });
    expect(wave.map((s) => s.region)).toEqual(['eu-west-1', 'us-east-1']);
    expect(message(() => store.select({ fleet: 'web', region: 'ap-south-1' }))).toMatch(
      /^fleet web has no region ap-south-1 \(regions: eu-west-1, us-east-1\)/,
    );
  });

  test('init creates a new fleet or region; the first write names the fleet in a moved file', () => {
    const store = new ReleaseStore(root, { now: () => NOW });
    const [web] = store.select({ fleet: 'web' }, true);
    expect(web.init('prod')).toMatchObject({ environment: 'prod', fleet: 'web' });
    const [eu] = store.select({ fleet: 'api', region: 'eu-west-1' }, true);
    eu.init('prod');
    expect(loadReleaseFile(join(root, 'api', 'eu-west-1', 'prod.json'))).toMatchObject({
      fleet: 'api',
      region: 'eu-west-1',
    });
    // a file moved by hand into a fleet folder (no "fleet" yet) gains it on the next write
    writeFileSync(join(root, 'web', 'dev.json'), formatReleaseFile(emptyRelease('dev')));
    const [again] = store.select({ fleet: 'web' });
    again.update('dev', (release) => stageRelease(release, { image: AMI_1, source: '--image', now: NOW }));
    expect(again.load('dev').fleet).toBe('web');
  });

  test('vetoed is not an environment name', () => {
    expect(message(() => new ReleaseStore(root).init('vetoed'))).toMatch(/environment "vetoed" is reserved/);
  });
});

describe('loadReleaseFile reads both layouts and checks the fleet and region against the folders', () => {
  test('by path and by place', () => {
    file('web/eu-west-1/prod.json', { fleet: 'web', region: 'eu-west-1' });
    expect(loadReleaseFile({ directory: root, fleet: 'web', environment: 'prod', region: 'eu-west-1' })).toMatchObject({
      fleet: 'web',
      region: 'eu-west-1',
    });
    expect(releaseFilePath('releases', { fleet: 'web', environment: 'prod' })).toBe(
      join('releases', 'web', 'prod.json'),
    );
    expect(releaseFilePath('releases', { environment: 'prod' })).toBe(join('releases', 'prod.json'));
    expect(message(() => releaseFilePath('releases', { environment: 'prod', region: 'eu-west-1' }))).toMatch(
      /region "eu-west-1" needs a fleet/,
    );
    expect(releaseArguments({ environment: 'prod', fleet: 'web', region: 'eu-west-1' })).toBe(
      'prod --fleet web --region eu-west-1',
    );
  });

  test('a file that names another fleet or region than its folders is refused', () => {
    const text = formatReleaseFile(emptyRelease('prod', { fleet: 'web' }));
    expect(message(() => parseReleaseFile(text, 'releases/api/prod.json'))).toBe(
      'releases/api/prod.json: "fleet" is "web" but the file is not in the folder of fleet web; move it to ' +
        'releases/web/prod.json, or fix "fleet".',
    );
    expect(message(() => parseReleaseFile(text, 'releases/prod.json'))).toMatch(/not in the folder of fleet web/);
    const regional = formatReleaseFile(emptyRelease('prod', { fleet: 'web', region: 'eu-west-1' }));
    expect(message(() => parseReleaseFile(regional, 'releases/web/us-east-1/prod.json'))).toMatch(
      /"region" is "eu-west-1" but the file is not in a folder eu-west-1/,
    );
    expect(parseReleaseFile(regional, 'releases/web/eu-west-1/prod.json').region).toBe('eu-west-1');
    expect(
      message(() => parseReleaseFile(JSON.stringify({ ...JSON.parse(regional), fleet: undefined }), 'prod.json')),
    ).toMatch(/"region" is "eu-west-1" but the file names no "fleet"/);
    // a region folder's file must name its region
    file('web/eu-west-1/dev.json');
    const [eu] = new ReleaseStore(root).select({ fleet: 'web', region: 'eu-west-1' });
    expect(message(() => eu.load('dev'))).toMatch(/is in the folder of region eu-west-1 but names no "region"/);
  });
});
