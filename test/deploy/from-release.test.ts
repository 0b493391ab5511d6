import {
  BlueGreenFleet,
  emptyRelease,
  fromRelease,
  loadReleaseFile,
  parseReleaseFile,
  promoteRelease,
  ReleaseFile,
  stageRelease,
} from '../../lib';
import { ValidationError } from '../../lib/private/validation';
import { join } from 'path';
import { AMI_1, AMI_2, newStack, SUBNETS, synthJson, VPC } from '../support/synth';

const now = new Date(0);
const staged = (release: ReleaseFile, image: string) => stageRelease(release, { image, source: '--image', now });

function listenerWeights(release: ReleaseFile): Record<string, number> {
  const stack = newStack('prod');
  new BlueGreenFleet(stack, 'Web', { name: 'web', vpcId: VPC, subnetIds: SUBNETS, ...fromRelease(release) });
  const json = synthJson(stack);
  const tgs = json.resource.aws_lb_target_group as Record<string, { name: string }>;
  const listener = Object.values(json.resource.aws_lb_listener as Record<string, any>)[0];
  const byRef = Object.fromEntries(
    Object.entries(tgs).map(([id, tg]) => [`\${aws_lb_target_group.${id}.arn}`, tg.name]),
  );
  return Object.fromEntries(
    listener.default_action[0].forward.target_group.map((t: { arn: string; weight: number }) => [
      byRef[t.arn],
      t.weight,
    ]),
  );
}

describe('fromRelease', () => {
  test('maps images, the active slot and the canary onto the fleet props', () => {
    // GIVEN blue runs AMI_1, green AMI_2 at a 10 % canary
    const release = { ...staged(staged(emptyRelease('prod'), AMI_1), AMI_2), canary: 10 };
    // WHEN
    const props = fromRelease(release);
    // THEN
    expect(props.active).toBe('blue');
    expect(props.canaryPercent).toBe(10);
    expect(props.slots.blue.image!.bind(newStack('s')).imageId).toBe(AMI_1);
    expect(props.slots.green.image!.bind(newStack('t')).imageId).toBe(AMI_2);
  });

  test('an empty slot becomes an empty slot prop ({})', () => {
    const props = fromRelease(staged(emptyRelease('dev'), AMI_1));
    expect(props.slots.green).toEqual({});
    expect(props.slots.blue.image).toBeDefined();
  });

  test('a fleet built from it sends the traffic the release file says (promote moves it)', () => {
    const both = staged(staged(emptyRelease('prod'), AMI_1), AMI_2);
    expect(listenerWeights({ ...both, canary: 10 })).toEqual({ 'web-blue': 90, 'web-green': 10 });
    expect(listenerWeights(promoteRelease(both))).toEqual({ 'web-blue': 0, 'web-green': 100 });
  });

  test('maps the staged slot and the environment: the serving and rollback slots are pinned', () => {
    const stagedGreen = staged(staged(emptyRelease('prod'), AMI_1), AMI_2);
    expect(fromRelease(stagedGreen)).toMatchObject({ stagedSlot: 'green', releaseEnvironment: 'prod' });
    // after a promote nothing is staged; a file without the field is derived the same way
    expect(fromRelease(promoteRelease(stagedGreen)).stagedSlot).toBe('none');
    const { staged: _staged, ...older } = stagedGreen;
    expect(fromRelease(older).stagedSlot).toBe('green');
  });

  test('reads canary as the traffic share and ignores fields written for the command line', () => {
    const text = JSON.stringify({ ...staged(staged(emptyRelease('prod'), AMI_1), AMI_2), canary: 25, previous: null });
    expect(fromRelease(parseReleaseFile(text, 'releases/prod.json')).canaryPercent).toBe(25);
  });

  test('the example release file (examples/canary-release/prod.json)', () => {
    const props = fromRelease(loadReleaseFile(join(__dirname, '..', '..', 'examples', 'canary-release', 'prod.json')), {
      environment: 'prod',
    });
    expect([props.active, props.canaryPercent]).toEqual(['blue', 10]);
  });

  test('a release file of another environment is refused when the environment is given', () => {
    const release = staged(emptyRelease('prod'), AMI_1);
    expect(() => fromRelease(release, { environment: 'dev' })).toThrow(ValidationError);
    expect(() => fromRelease(release, { environment: 'dev' })).toThrow(
      'fromRelease: the release file is for environment "prod", not "dev"; pass releases/dev.json (or environment: "prod").',
    );
    expect(() => fromRelease(release, { environment: 'prod' })).not.toThrow();
  });

  test('a release file of another fleet or region is refused when they are given; both layouts map alike', () => {
    const web = staged(emptyRelease('prod', { fleet: 'web', region: 'eu-west-1' }), AMI_1);
    const mapped = fromRelease(web, { environment: 'prod', fleet: 'web', region: 'eu-west-1' });
    expect(JSON.stringify(mapped)).toEqual(JSON.stringify(fromRelease(staged(emptyRelease('prod'), AMI_1))));
    expect(mapped).toMatchObject({ active: 'blue', stagedSlot: 'none', releaseEnvironment: 'prod' });
    expect(() => fromRelease(web, { fleet: 'api' })).toThrow(
      'fromRelease: the release file is of fleet "web", not "api"; pass releases/api/prod.json (or fleet: "web").',
    );
    expect(() => fromRelease(web, { region: 'us-east-1' })).toThrow(
      'fromRelease: the release file is of region "eu-west-1", not "us-east-1"; pass ' +
        'releases/<fleet>/us-east-1/prod.json.',
    );
    expect(() => fromRelease(staged(emptyRelease('prod'), AMI_1), { region: 'us-east-1' })).toThrow(
      /the release file is not of a region, not "us-east-1"/,
    );
  });

  test('an image that is not an AMI id (a hand-built object) is refused by ImageSource.fromAmiId', () => {
    const release = {
      ...emptyRelease('dev'),
      slots: { blue: { image: 'ami-XYZ' }, green: { image: null } },
    } as ReleaseFile;
    expect(() => fromRelease(release)).toThrow(/ImageSource\.fromAmiId: amiId \("ami-XYZ"\) must be an AMI id/);
  });
});
