import { TerraformStack, TerraformVariable } from 'cdktf';
import { FleetScaling, ImageSource, ReplaceFleet } from '../../lib';
import { ValidationError } from '../../lib/private/validation';
import { AMI_1, newApp, newStack, SUBNETS, VPC } from '../support/synth';

/** A fleet in stack `stack` (a new one by default) that scales with `scaling`. */
function fleetWith(scaling: FleetScaling, stack: TerraformStack = newStack('prod')): ReplaceFleet {
  return new ReplaceFleet(stack, 'Api', {
    name: 'api',
    vpcId: VPC,
    subnetIds: SUBNETS,
    image: ImageSource.fromAmiId(AMI_1),
    scaling,
  });
}

describe('FleetScaling', () => {
  test('choices', () => {
    expect(FleetScaling.cpuUtilization(50)).toMatchObject({ metric: 'cpu', targetValue: 50 });
    expect(FleetScaling.requestsPerTarget(1000)).toMatchObject({ metric: 'requests-per-target', targetValue: 1000 });
  });

  // The factories only record the target; the fleet that uses the value checks it and
  // names itself, the prop and the factory.
  test.each([0, 101, -5])('cpu target %p is refused where a fleet uses it', (target) => {
    const scaling = FleetScaling.cpuUtilization(target);
    const make = () => fleetWith(scaling);
    expect(make).toThrow(
      `FleetScaling.cpuUtilization: targetPercent (${target}) must be above 0 and at most 100, e.g. 50.`,
    );
    expect(make).toThrow(`ReplaceFleet prod/Api: scaling: FleetScaling.cpuUtilization: targetPercent (${target})`);
    expect(make).toThrow(ValidationError);
  });

  test('requests target below 1 is refused where a fleet uses it', () => {
    const make = () => fleetWith(FleetScaling.requestsPerTarget(0));
    expect(make).toThrow('FleetScaling.requestsPerTarget: requests (0) must be at least 1, e.g. 1000.');
    expect(make).toThrow('ReplaceFleet prod/Api: scaling: FleetScaling.requestsPerTarget: requests (0)');
    expect(make).toThrow(ValidationError);
  });

  test('in stacks built in a loop over environments, the error names the stack that uses the value', () => {
    const app = newApp();
    const scaling = FleetScaling.cpuUtilization(150);
    const build = () => ['dev', 'prod'].forEach((env) => fleetWith(scaling, new TerraformStack(app, `service-${env}`)));
    expect(build).toThrow(
      /^ReplaceFleet service-dev\/Api: scaling: FleetScaling\.cpuUtilization: targetPercent \(150\)/,
    );
  });

  test('tokens are not validated', () => {
    const stack = newStack('prod');
    const num = new TerraformVariable(stack, 'n', { type: 'number' }).numberValue;
    expect(FleetScaling.cpuUtilization(num).targetValue).toBe(num);
    expect(FleetScaling.requestsPerTarget(num).targetValue).toBe(num);
    expect(() => fleetWith(FleetScaling.cpuUtilization(num), stack)).not.toThrow();
    expect(() => fleetWith(FleetScaling.requestsPerTarget(num), newStack('other'))).not.toThrow();
  });
});
