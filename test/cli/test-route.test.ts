import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  Listener,
  Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsSdkClient, readTestRoute } from '../../bin/cli/rollout-aws';

const LB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/0123456789abcdef';
const BLUE = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-blue/aaaa';
const GREEN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-green/bbbb';
const MAIN = `${LB.replace('loadbalancer', 'listener')}/main`;
const TEST = `${LB.replace('loadbalancer', 'listener')}/test`;

/** The main listener: blue 90, green 10 (or the given weights). */
function mainListener(blue: number, green: number): Listener {
  return {
    ListenerArn: MAIN,
    Port: 443,
    Protocol: 'HTTPS',
    DefaultActions: [
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: BLUE, Weight: blue },
            { TargetGroupArn: GREEN, Weight: green },
          ],
        },
      },
    ],
  };
}

/** An ELBv2 client that answers the describe calls from the given listeners and rules. */
function fakeElb(listeners: Listener[], rules: Record<string, Rule[]> = {}): AwsSdkClient {
  return {
    send: async (command: unknown) => {
      if (command instanceof DescribeTargetGroupsCommand) {
        return {
          TargetGroups: [BLUE, GREEN].map((arn) => ({ TargetGroupArn: arn, LoadBalancerArns: [LB] })),
        };
      }
      if (command instanceof DescribeTagsCommand) {
        return {
          TagDescriptions: [
            ['blue', BLUE],
            ['green', GREEN],
          ].map(([slot, arn]) => ({
            ResourceArn: arn,
            Tags: [
              { Key: 'cdktf-immutable:fleet', Value: 'web' },
              { Key: 'cdktf-immutable:slot', Value: slot },
            ],
          })),
        };
      }
      if (command instanceof DescribeLoadBalancersCommand) {
        return { LoadBalancers: [{ LoadBalancerArn: LB, DNSName: 'web-1.eu-west-1.elb.amazonaws.com' }] };
      }
      if (command instanceof DescribeListenersCommand) {
        return { Listeners: listeners };
      }
      if (command instanceof DescribeRulesCommand) {
        return { Rules: rules[command.input.ListenerArn ?? ''] ?? [] };
      }
      throw new Error(`unexpected command ${(command as object).constructor.name}`);
    },
  };
}

describe("the staged slot's test route on the load balancer", () => {
  test('a listener whose default action forwards to the staged slot alone: its URL', async () => {
    const test: Listener = {
      ListenerArn: TEST,
      Port: 8443,
      Protocol: 'HTTPS',
      DefaultActions: [{ Type: 'forward', TargetGroupArn: GREEN }],
    };
    await expect(readTestRoute(fakeElb([mainListener(100, 0), test]), 'web', 'green')).resolves.toEqual({
      url: 'https://web-1.eu-west-1.elb.amazonaws.com:8443',
      forwarder: TEST,
    });
  });

  test('a header rule that forwards to the staged slot alone: the listener URL and the header', async () => {
    const rule: Rule = {
      RuleArn: `${MAIN}/rule`,
      Conditions: [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Slot', Values: ['green'] } }],
      Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: GREEN, Weight: 1 }] } }],
    };
    await expect(readTestRoute(fakeElb([mainListener(100, 0)], { [MAIN]: [rule] }), 'web', 'green')).resolves.toEqual({
      url: 'https://web-1.eu-west-1.elb.amazonaws.com:443',
      header: 'X-Slot: green',
      forwarder: `${MAIN}/rule`,
    });
  });

  test('the main listener sharing the traffic, or serving the other slot alone, is no test route', async () => {
    await expect(readTestRoute(fakeElb([mainListener(90, 10)]), 'web', 'green')).resolves.toBeUndefined();
    // blue 100, green 0: the listener forwards to blue alone, which is not the staged slot
    await expect(readTestRoute(fakeElb([mainListener(100, 0)]), 'web', 'green')).resolves.toBeUndefined();
    // a rule on another condition than a header is no test route either
    const pathRule: Rule = {
      RuleArn: `${MAIN}/path`,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/green/*'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: GREEN }],
    };
    await expect(
      readTestRoute(fakeElb([mainListener(100, 0)], { [MAIN]: [pathRule] }), 'web', 'green'),
    ).resolves.toBeUndefined();
    await expect(readTestRoute(fakeElb([mainListener(100, 0)]), 'other', 'green')).resolves.toBeUndefined();
  });
});
