import { Construct } from 'constructs';
import { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';

export interface WebFirewallProps {
  readonly name: string;
  /** The load balancer to protect. */
  readonly loadBalancerArn: string;
  /** Where request logs go (an S3 bucket named aws-waf-logs-*). */
  readonly logDestinationArn: string;
}

/**
 * A regional web ACL in front of a public load balancer: AWS's common rule set, its
 * known-bad-inputs rules (Log4Shell and friends) and its anonymous-IP list, with
 * request logging. The web ACL
 * lives across generations, like the load balancer it protects.
 */
export class WebFirewall extends Construct {
  constructor(scope: Construct, id: string, props: WebFirewallProps) {
    super(scope, id);
    const managed = (name: string, priority: number, countOnly: string[] = []) => ({
      name,
      priority,
      overrideAction: { none: {} },
      // The binding types `statement` as a passthrough (it nests too deeply to
      // generate), so its keys are written in Terraform's snake_case.
      statement: {
        managed_rule_group_statement: {
          name,
          vendor_name: 'AWS',
          ...(countOnly.length
            ? { rule_action_override: countOnly.map((rule) => ({ name: rule, action_to_use: { count: {} } })) }
            : {}),
        },
      },
      visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true },
    });
    const acl = new Wafv2WebAcl(this, 'Resource', {
      name: props.name,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      rule: [
        managed('AWSManagedRulesCommonRuleSet', 10),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 20),
        // Anonymizers (Tor, VPN exits) are blocked; cloud hosting providers are only
        // counted, because legitimate API clients run there.
        managed('AWSManagedRulesAnonymousIpList', 30, ['HostingProviderIPList']),
      ],
      visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: props.name, sampledRequestsEnabled: true },
    });
    new Wafv2WebAclAssociation(this, 'Association', { resourceArn: props.loadBalancerArn, webAclArn: acl.arn });
    new Wafv2WebAclLoggingConfiguration(this, 'Logging', {
      resourceArn: acl.arn,
      logDestinationConfigs: [props.logDestinationArn],
    });
  }
}
