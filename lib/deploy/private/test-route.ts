import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerRule, LbListenerRuleCondition } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { Construct } from 'constructs';
import { Validator } from '../../private/validation';
import { ExistingListenerOptions } from '../fleet-load-balancer';
import { FleetTestRoute, TEST_ROUTE_HEADER, TEST_ROUTE_HEADER_VALUE } from '../fleet-test-route';

/** An HTTP header name (RFC 7230 token characters), at most 40 characters as listener rules accept. */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,40}$/;

/** What the fleet gives the test route. */
export interface TestRouteProps {
  readonly options: FleetTestRoute;
  readonly listener: LbListener | LbListenerRule;
  /** The existing listener's options, when the fleet adds a rule to one. */
  readonly existing?: ExistingListenerOptions;
  readonly https: boolean;
  /** The created load balancer's DNS name. */
  readonly dnsName?: string;
  /** The idle slot's target group. */
  readonly targetGroupArn: string;
}

/**
 * The test route: a listener rule (id `TestRoute`) that forwards requests with the
 * header `<header>: staged` to the idle slot's target group, on the fleet's listener (or
 * the existing listener, before the fleet's rule, with the fleet's host headers). Returns
 * the header and, on a created load balancer, the URL.
 */
export function buildTestRoute(fleet: Construct, props: TestRouteProps): { header: string; url?: string } {
  const check = new Validator(fleet);
  const header = props.options.header ?? TEST_ROUTE_HEADER;
  check.pattern('testRoute.header', header, HEADER_NAME, 'an HTTP header name of at most 40 characters');
  const existing = props.existing;
  const priority = props.options.priority ?? (existing ? undefined : 1);
  if (priority === undefined) {
    return check.fail(
      'testRoute.priority is not set, but the fleet adds its rule to an existing listener: set testRoute.priority ' +
        `to a free priority below the fleet's rule (${existing?.priority}).`,
    );
  }
  check.integer('testRoute.priority', priority, 1, 50000);
  if (existing && priority >= existing.priority) {
    check.fail(
      `testRoute.priority (${priority}) must be lower than the fleet's rule priority (${existing.priority}), ` +
        "or the fleet's rule answers first and the test route never matches.",
    );
  }
  const condition: LbListenerRuleCondition[] = [
    { httpHeader: { httpHeaderName: header, values: [TEST_ROUTE_HEADER_VALUE] } },
  ];
  if (existing?.hostHeaders) {
    condition.push({ hostHeader: { values: [...existing.hostHeaders] } });
  }
  new LbListenerRule(fleet, 'TestRoute', {
    listenerArn: existing ? existing.listenerArn : props.listener.arn,
    priority,
    action: [{ type: 'forward', targetGroupArn: props.targetGroupArn }],
    condition,
  });
  const url = props.dnsName !== undefined ? `${props.https ? 'https' : 'http'}://${props.dnsName}/` : undefined;
  return { header, url };
}
