/**
 * The fixed names of the fleets (load balancer `<name>`, target groups `<name>-<slot>`
 * or `<name>`) at synth: unique per stack (one account and region), and a warning when
 * a name is shortened to AWS's 32 characters.
 */
import { readFileSync } from 'fs';
import { AnnotationMetadataEntryType, TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { IConstruct } from 'constructs';
import { BlueGreenFleet, ImageSource, ReplaceFleet, ValidationError } from '../../lib';
import { fromRelease } from './fleet-helpers';
import { AMI_1, newApp, newStack, SUBNETS, synthJson, VPC } from '../support/synth';

const release = { blue: AMI_1, green: null, active: 'blue' as const };

function warnings(scope: IConstruct): string[] {
  return scope.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN).map((m) => m.data as string);
}

function replaceFleet(stack: TerraformStack, id: string, name?: string): ReplaceFleet {
  return new ReplaceFleet(stack, id, { name, vpcId: VPC, subnetIds: SUBNETS, image: ImageSource.fromAmiId(AMI_1) });
}

function caught(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('unique fleet names per stack', () => {
  test('two blue/green fleets with one name: an error naming both construct paths, the name and the fix', () => {
    const stack = newStack('prod');
    new BlueGreenFleet(stack, 'Web', fromRelease(release));
    const error = caught(() => new BlueGreenFleet(stack, 'Web2', fromRelease(release)));
    expect(error.message).toBe(
      'BlueGreenFleet prod/Web2: name ("web") gives the load balancer name "web", which BlueGreenFleet prod/Web already uses in stack prod; ' +
        "load balancer names must be unique per account and region, and every fleet of a stack runs in the stack's region: give each fleet its own name prop.",
    );
  });

  test('any mix: a replace fleet whose name is another fleet\'s target group name ("web-blue")', () => {
    const stack = newStack('prod');
    new BlueGreenFleet(stack, 'Web', fromRelease(release));
    const error = caught(() => replaceFleet(stack, 'Api', 'web-blue'));
    expect(error.message).toContain(
      'ReplaceFleet prod/Api: name ("web-blue") gives the target group name "web-blue", which BlueGreenFleet prod/Web already uses',
    );
  });

  test('names differing only in case collide (AWS compares them without case)', () => {
    const stack = newStack('prod');
    replaceFleet(stack, 'Api', 'api');
    expect(caught(() => replaceFleet(stack, 'Api2', 'API')).message).toContain(
      'name ("API") gives the load balancer name "api", which ReplaceFleet prod/Api already uses',
    );
  });

  test('the default name (<stack>-<id>) is named as such', () => {
    const stack = newStack('prod');
    replaceFleet(stack, 'First', 'prod-api');
    expect(caught(() => replaceFleet(stack, 'Api')).message).toContain(
      'ReplaceFleet prod/Api: name (not set; the default "<stack>-<id>" is "prod-api") gives the load balancer name "prod-api", which ReplaceFleet prod/First already uses',
    );
  });

  test('long names that differ only beyond 32 characters stay distinct (a digest of the full name)', () => {
    const stack = newStack('prod');
    const long = 'orders-service-of-the-eu-shop-a1';
    replaceFleet(stack, 'A', `${long}-one`);
    expect(() => replaceFleet(stack, 'B', `${long}-two`)).not.toThrow();
  });

  test('two long names that meet only once shortened to 32 characters (their 4-character digests collide): an error naming both originals', () => {
    // found by search: both cut to "orders-service-of-the-eu-sh" with the same digest "00a8"
    const stack = newStack('prod');
    replaceFleet(stack, 'A', 'orders-service-of-the-eu-shop-00145');
    const error = caught(() => replaceFleet(stack, 'B', 'orders-service-of-the-eu-shop-00442'));
    expect(error.message).toContain(
      'ReplaceFleet prod/B: name ("orders-service-of-the-eu-shop-00442") gives the load balancer name "orders-service-of-the-eu-sh-00a8" ' +
        '(shortened to 32 characters from "orders-service-of-the-eu-shop-00442"; the other from "orders-service-of-the-eu-shop-00145"), which ReplaceFleet prod/A already uses',
    );
  });

  test('the same name in two stacks (another account or region) is allowed', () => {
    const app = newApp();
    new BlueGreenFleet(new TerraformStack(app, 'staging'), 'Web', fromRelease(release));
    expect(() => new BlueGreenFleet(new TerraformStack(app, 'prod'), 'Web', fromRelease(release))).not.toThrow();
  });
});

describe('a shortened name is a warning', () => {
  let stack: TerraformStack;
  let blueGreen: BlueGreenFleet;
  let replace: ReplaceFleet;
  let short: ReplaceFleet;
  beforeAll(() => {
    stack = newStack('prod');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    blueGreen = new BlueGreenFleet(
      stack,
      'Web',
      fromRelease(release, { name: 'orders-service-for-the-eu-shop-front', stagedSlot: 'none' }),
    );
    replace = replaceFleet(stack, 'Api', 'orders-api-for-the-eu-shop-front-0001');
    short = replaceFleet(stack, 'Short', 'orders-api');
  });

  test('one warning per fleet names the prop, the original, each shortened name and the fix', () => {
    expect(warnings(blueGreen)).toEqual([
      'BlueGreenFleet: name ("orders-service-for-the-eu-shop-front") is 36 characters, too long for the fleet\'s fixed names (AWS allows 32 characters): ' +
        'load balancer "orders-service-for-the-eu-shop-front" was shortened to "orders-service-for-the-eu-s-6fc9", ' +
        'target group "orders-service-for-the-eu-shop-front-blue" was shortened to "orders-service-for-the-6fc9-blue", ' +
        'target group "orders-service-for-the-eu-shop-front-green" was shortened to "orders-service-for-th-6fc9-green". ' +
        'The 4-character digest of the full name keeps the names unique but hard to read; use a name of at most 26 characters.',
    ]);
  });

  test('the names in the JSON are the shortened ones of the warning', () => {
    const json = synthJson(stack);
    expect(Object.values(json.resource.aws_lb).map((lb: any) => lb.name)).toContain('orders-service-for-the-eu-s-6fc9');
    expect(Object.values(json.resource.aws_lb_target_group).map((tg: any) => tg.name)).toEqual(
      expect.arrayContaining(['orders-service-for-the-6fc9-blue', 'orders-service-for-th-6fc9-green']),
    );
  });

  test('a replace fleet (no slot suffix) may use all 32 characters', () => {
    expect(warnings(replace)).toEqual([expect.stringContaining('use a name of at most 32 characters.')]);
    expect(warnings(replace)[0]).toContain(
      'ReplaceFleet: name ("orders-api-for-the-eu-shop-front-0001") is 37 characters',
    );
  });

  test('a name that fits gives no warning', () => {
    expect(warnings(short)).toEqual([]);
  });

  test('cdktf collects the warning into the stack manifest, which `cdktf synth` prints', () => {
    const manifest = Testing.fullSynth(stack);
    const stackManifest = JSON.parse(readFileSync(`${manifest}/manifest.json`, 'utf8')).stacks.prod;
    expect(stackManifest.annotations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          constructPath: 'prod/Web',
          level: AnnotationMetadataEntryType.WARN,
          message: expect.stringContaining('was shortened to "orders-service-for-the-eu-s-6fc9"'),
        }),
      ]),
    );
  });
});
