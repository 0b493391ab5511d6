import { BlueGreenFleet, FleetLoadBalancer, TEST_ROUTE_HEADER } from '../../lib';
import { compare, fromRelease, synthBlueGreen } from './fleet-helpers';
import { AMI_1, AMI_2, Json, resources } from '../support/synth';

const release = { blue: AMI_1, green: AMI_2, active: 'blue' as const };
const EXISTING = FleetLoadBalancer.fromListener({
  listenerArn:
    'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/0123456789abcdef/fedcba9876543210',
  securityGroupId: 'sg-0123456789abcdef0',
  priority: 10,
  hostHeaders: ['shop.example.com'],
});

function testRule(json: Json): Json {
  const rules = resources(json, 'aws_lb_listener_rule');
  const id = Object.keys(rules).find((key) => key.startsWith('Web_TestRoute_'));
  if (!id) {
    throw new Error('no test route');
  }
  return rules[id];
}

function targetGroupArn(json: Json, slot: 'Blue' | 'Green'): string {
  const id = Object.keys(resources(json, 'aws_lb_target_group')).find((key) => key.startsWith(`Web_${slot}_`));
  return `\${aws_lb_target_group.${id}.arn}`;
}

describe('BlueGreenFleet testRoute', () => {
  test('off by default; turning it on adds one listener rule and two outputs and changes nothing else', () => {
    const plain = synthBlueGreen(fromRelease(release));
    const routed = synthBlueGreen(fromRelease(release, { testRoute: {} }));
    expect(resources(plain.json, 'aws_lb_listener_rule')).toEqual({});
    expect(plain.fleet.testUrl).toBeUndefined();
    const change = compare(plain.json, routed.json);
    expect(change.changed).toEqual([]);
    expect(change.destroyed).toEqual([]);
    expect(change.created).toEqual([expect.stringMatching(/^aws_lb_listener_rule\.Web_TestRoute_/)]);
    expect(routed.json.output.web_test_url.value).toMatch(
      /^http:\/\/\$\{aws_lb\.Web_LoadBalancer_[0-9A-F]+\.dns_name\}\/$/,
    );
    expect(routed.json.output.web_test_header.value).toBe('X-Cdktf-Immutable-Slot: staged');
    expect(routed.fleet.testRouteHeader).toBe(`${TEST_ROUTE_HEADER}: staged`);
  });

  test('the header rule forwards to the idle slot, on the fleet listener, at priority 1', () => {
    const { json } = synthBlueGreen(fromRelease(release, { testRoute: {} }));
    const listener = Object.keys(resources(json, 'aws_lb_listener')).find((key) => key.startsWith('Web_Listener_'));
    expect(testRule(json)).toEqual({
      listener_arn: `\${aws_lb_listener.${listener}.arn}`,
      priority: 1,
      action: [{ type: 'forward', target_group_arn: targetGroupArn(json, 'Green') }],
      condition: [{ http_header: { http_header_name: 'X-Cdktf-Immutable-Slot', values: ['staged'] } }],
    });
  });

  test('it follows the release file: after a promote to green it forwards to blue', () => {
    const { json } = synthBlueGreen(fromRelease({ ...release, active: 'green' }, { testRoute: {} }));
    expect(testRule(json).action).toEqual([{ type: 'forward', target_group_arn: targetGroupArn(json, 'Blue') }]);
  });

  test('an HTTPS load balancer gives an https URL', () => {
    const { fleet } = synthBlueGreen(
      fromRelease(release, {
        testRoute: {},
        loadBalancer: FleetLoadBalancer.create({
          certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-4000-8000-000000000000',
        }),
      }),
    );
    expect(fleet.testUrl).toMatch(/^https:\/\//);
  });

  test('on an existing listener: before the fleet rule, with its host headers; no URL', () => {
    const { json, fleet } = synthBlueGreen(
      fromRelease(release, { loadBalancer: EXISTING, testRoute: { priority: 9, header: 'X-Canary' } }),
    );
    expect(testRule(json)).toEqual({
      listener_arn: expect.stringMatching(/:listener\/app\/shared\//),
      priority: 9,
      action: [{ type: 'forward', target_group_arn: targetGroupArn(json, 'Green') }],
      condition: [
        { http_header: { http_header_name: 'X-Canary', values: ['staged'] } },
        { host_header: { values: ['shop.example.com'] } },
      ],
    });
    expect(fleet.testUrl).toBeUndefined();
    expect(json.output.web_test_url.value).toBe('');
  });

  test.each([
    [
      { loadBalancer: EXISTING, testRoute: {} },
      /testRoute\.priority is not set, but the fleet adds its rule to an existing/,
    ],
    [
      { loadBalancer: EXISTING, testRoute: { priority: 10 } },
      /testRoute\.priority \(10\) must be lower than the fleet's rule priority \(10\)/,
    ],
    [{ testRoute: { priority: 0 } }, /testRoute\.priority \(0\) must be an integer from 1 to 50000/],
    [{ testRoute: { header: 'X Bad' } }, /testRoute\.header \("X Bad"\) must be an HTTP header name/],
  ])('bad options are refused with the field, the value and the fix (%#)', (extra, message) => {
    expect(() => synthBlueGreen(fromRelease(release, extra as object))).toThrow(message);
  });

  test('the fleet exposes no test route attribute without the option', () => {
    const { fleet } = synthBlueGreen(fromRelease(release));
    expect(fleet).toBeInstanceOf(BlueGreenFleet);
    expect(fleet.testRouteHeader).toBeUndefined();
  });
});
