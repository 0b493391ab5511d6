import { Testing, TerraformStack, TerraformVariable } from 'cdktf';
import { FleetScaling } from '../../lib';
import { ValidationError } from '../../lib/private/validation';

describe('FleetScaling', () => {
  test('choices', () => {
    expect(FleetScaling.cpuUtilization(50)).toMatchObject({ metric: 'cpu', targetValue: 50 });
    expect(FleetScaling.requestsPerTarget(1000)).toMatchObject({ metric: 'requests-per-target', targetValue: 1000 });
  });
  test.each([0, 101, -5])('cpu target %p is refused', (target) => {
    const make = () => FleetScaling.cpuUtilization(target);
    expect(make).toThrow(
      `FleetScaling.cpuUtilization: targetPercent (${target}) must be above 0 and at most 100, e.g. 50.`,
    );
    expect(make).toThrow(ValidationError);
  });
  test('requests target below 1 is refused', () => {
    const make = () => FleetScaling.requestsPerTarget(0);
    expect(make).toThrow('FleetScaling.requestsPerTarget: requests (0) must be at least 1, e.g. 1000.');
    expect(make).toThrow(ValidationError);
  });
  test('tokens are not validated', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    const num = new TerraformVariable(stack, 'n', { type: 'number' }).numberValue;
    expect(FleetScaling.cpuUtilization(num).targetValue).toBe(num);
    expect(FleetScaling.requestsPerTarget(num).targetValue).toBe(num);
  });
});
