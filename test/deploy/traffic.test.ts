import { TerraformVariable, Token } from 'cdktf';
import { trafficWeights } from '../../lib/deploy/private/traffic';
import { newStack } from '../support/synth';

// trafficWeights is internal: BlueGreenFleet checks `active` and `canaryPercent` where
// they enter (see the fleet's validation tests) and passes checked values.
describe('trafficWeights', () => {
  test.each<['blue' | 'green', number, { blue: number; green: number }]>([
    ['blue', 0, { blue: 100, green: 0 }],
    ['green', 0, { blue: 0, green: 100 }],
    ['blue', 10, { blue: 90, green: 10 }],
    ['green', 25, { blue: 25, green: 75 }],
    ['blue', 100, { blue: 0, green: 100 }],
  ])('active %s, canary %d', (active, canary, expected) => {
    expect(trafficWeights(active, canary)).toEqual(expected);
  });

  test('the canary defaults to 0', () => {
    expect(trafficWeights('green')).toEqual({ blue: 0, green: 100 });
  });

  test('a token canary gives token weights', () => {
    const stack = newStack('s');
    const canary = new TerraformVariable(stack, 'canary', { type: 'number' }).numberValue;
    const weights = trafficWeights('green', canary);
    expect(Token.isUnresolved(weights.blue)).toBe(true);
    expect(weights.blue).toBe(canary);
    expect(Token.isUnresolved(weights.green)).toBe(true);
  });
});
