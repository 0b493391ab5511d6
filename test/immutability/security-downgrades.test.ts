/**
 * Security downgrades are said out loud: each is a synth warning naming the prop and the
 * safer value, silenced only by acknowledgeSecurityDowngrade with a reason, which is
 * recorded in the synthesized output with the library's other acknowledgements.
 */
import { TerraformStack, TerraformVariable } from 'cdktf';
import {
  acknowledgeSecurityDowngrade,
  BlueGreenFleet,
  BlueGreenFleetProps,
  FleetLoadBalancer,
  ImageSource,
  ImmutableLaunchTemplate,
  ImmutableLaunchTemplateProps,
  SecurityDowngrade,
} from '../../lib';
import { ValidationError } from '../../lib/private/validation';
import { AMI_1, annotations, Json, resources, SUBNETS, synthStack, VPC } from '../support/synth';

const CERTIFICATE = 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-4000-8000-000000000000';

function template(
  props: Partial<ImmutableLaunchTemplateProps>,
  acknowledge?: (stack: TerraformStack, lt: ImmutableLaunchTemplate) => void,
): { json: Json; warnings: string[] } {
  const { json, stack } = synthStack((s) => {
    const lt = new ImmutableLaunchTemplate(s, 'Lt', { image: ImageSource.fromAmiId(AMI_1), name: 'web', ...props });
    acknowledge?.(s, lt);
    return lt;
  });
  // Testing.synth drops the `//` metadata; the stack's own JSON keeps it (aspects already ran)
  return { json: { ...json, resource: (stack.toTerraform() as Json).resource }, warnings: annotations(stack).warnings };
}

function fleet(
  props: Partial<BlueGreenFleetProps>,
  acknowledge?: (stack: TerraformStack, fleet: BlueGreenFleet) => void,
): { json: Json; warnings: string[] } {
  const { json, stack } = synthStack((s) => {
    const built = new BlueGreenFleet(s, 'Web', {
      name: 'web',
      vpcId: VPC,
      subnetIds: SUBNETS,
      slots: { blue: { image: ImageSource.fromAmiId(AMI_1) }, green: {} },
      active: 'blue',
      stagedSlot: 'none',
      ...props,
    });
    acknowledge?.(s, built);
    return built;
  }, 'prod');
  return { json: { ...json, resource: (stack.toTerraform() as Json).resource }, warnings: annotations(stack).warnings };
}

const acknowledgementsOn = (json: Json, type: string) =>
  Object.values(resources(json, type)).map((r) => r['//']?.['cdktf-immutable']?.acknowledged);

describe('security downgrades', () => {
  test('defaults: secure defaults give no warning and no acknowledgement', () => {
    const created = fleet({
      loadBalancer: FleetLoadBalancer.create({ scheme: 'internet-facing', certificateArn: CERTIFICATE }),
    });
    expect(created.warnings).toEqual([]);
    expect(JSON.stringify(created.json)).not.toContain('"acknowledged"');
    expect(template({}).warnings).toEqual([]);
  });

  test.each<[string, Partial<ImmutableLaunchTemplateProps>, string]>([
    [
      'IMDSv1',
      { metadataOptions: { httpTokens: 'optional' } },
      "ImmutableLaunchTemplate: metadataOptions.httpTokens (\"optional\") allows IMDSv1, whose unauthenticated requests let a server-side request forgery in any process read the instance role's credentials; use \"required\" (IMDSv2 only, the default), or accept it with a reason recorded in the output: acknowledgeSecurityDowngrade(<this construct or one above it>, 'imdsv1', '<why>').",
    ],
    [
      'a hop limit above 2',
      { metadataOptions: { hopLimit: 3 } },
      'ImmutableLaunchTemplate: metadataOptions.hopLimit (3) lets instance metadata responses (with the role credentials) travel further than the containers on the host; use 1 (the default), or 2 for containers with bridge networking, or accept it',
    ],
    [
      'an unencrypted volume',
      { blockDevices: [{ deviceName: '/dev/xvda' }, { deviceName: '/dev/xvdb', volumeSizeGiB: 10, encrypted: false }] },
      'ImmutableLaunchTemplate: blockDevices[1].encrypted (false) leaves the volume and its snapshots unencrypted at rest; use true (the default; kmsKeyId names a key of your own), or accept it',
    ],
  ])('%s on a launch template is a warning naming the prop and the safer value', (_what, props, message) => {
    const { warnings } = template(props);
    expect(warnings).toEqual([expect.stringContaining(message)]);
  });

  test('a hop limit of 2 (containers with bridge networking) is no downgrade', () => {
    expect(template({ metadataOptions: { hopLimit: 2 } }).warnings).toEqual([]);
  });

  test('through a fleet, the warning names the prop the user wrote, once per slot that runs it', () => {
    const { warnings } = fleet({
      server: { metadataOptions: { httpTokens: 'optional' } },
      slots: { blue: { image: ImageSource.fromAmiId(AMI_1) }, green: { image: ImageSource.fromAmiId(AMI_1) } },
    });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(
      /^ImmutableLaunchTemplate: server\.metadataOptions\.httpTokens \("optional"\) allows IMDSv1/,
    );
  });

  test('an sslPolicy that allows TLS 1.0 or 1.1 is a warning; TLS 1.2 policies are not', () => {
    const weak = fleet({
      loadBalancer: FleetLoadBalancer.create({ certificateArn: CERTIFICATE, sslPolicy: 'ELBSecurityPolicy-2016-08' }),
    });
    expect(weak.warnings).toEqual([
      expect.stringMatching(
        /^BlueGreenFleet: loadBalancer: FleetLoadBalancer\.create: sslPolicy \("ELBSecurityPolicy-2016-08"\) lets clients connect with TLS 1\.0 or 1\.1, .*; use "ELBSecurityPolicy-TLS13-1-2-2021-06" \(TLS 1\.3 and 1\.2, the default\)/,
      ),
    ]);
    for (const policy of [
      'ELBSecurityPolicy-TLS13-1-1-2021-06',
      'ELBSecurityPolicy-TLS-1-1-2017-01',
      'ELBSecurityPolicy-FS-1-1-2019-08',
      'ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04',
    ]) {
      const { warnings } = fleet({
        loadBalancer: FleetLoadBalancer.create({ certificateArn: CERTIFICATE, sslPolicy: policy }),
      });
      expect(warnings).toEqual([expect.stringContaining(`sslPolicy ("${policy}") lets clients connect with TLS 1.0`)]);
    }
    for (const policy of [
      'ELBSecurityPolicy-TLS13-1-2-2021-06',
      'ELBSecurityPolicy-TLS-1-2-Ext-2018-06',
      'ELBSecurityPolicy-FS-1-2-Res-2020-10',
      'ELBSecurityPolicy-TLS13-1-3-2021-06',
    ]) {
      expect(
        fleet({ loadBalancer: FleetLoadBalancer.create({ certificateArn: CERTIFICATE, sslPolicy: policy }) }).warnings,
      ).toEqual([]);
    }
  });

  test('plain HTTP on an internet-facing load balancer open to the internet is a warning; internal or limited is not', () => {
    const open = fleet({ loadBalancer: FleetLoadBalancer.create({ scheme: 'internet-facing' }) });
    expect(open.warnings).toEqual([
      expect.stringMatching(
        /^BlueGreenFleet: loadBalancer: FleetLoadBalancer\.create: certificateArn \(not set\) serves plain HTTP to the whole internet: .*; use a certificateArn \(HTTPS on 443, HTTP redirected to it\), scheme "internal", or ingressCidrs limited to your networks/,
      ),
    ]);
    expect(fleet({ loadBalancer: FleetLoadBalancer.create({ scheme: 'internal' }) }).warnings).toEqual([]);
    expect(
      fleet({ loadBalancer: FleetLoadBalancer.create({ scheme: 'internet-facing', ingressCidrs: ['203.0.113.0/24'] }) })
        .warnings,
    ).toEqual([]);
  });

  test('an acknowledgement on the fleet silences its warning and is recorded on the resource that carries it', () => {
    const { json, warnings } = fleet(
      { loadBalancer: FleetLoadBalancer.create({ scheme: 'internet-facing' }) },
      (_stack, web) =>
        acknowledgeSecurityDowngrade(web, 'public-plain-http', 'a public demo with no data; TLS ends at the CDN'),
    );
    expect(warnings).toEqual([]);
    expect(acknowledgementsOn(json, 'aws_lb_listener')).toEqual([
      { 'public-plain-http': 'a public demo with no data; TLS ends at the CDN' },
    ]);
  });

  test('an acknowledgement on the stack covers every resource below it; the nearest reason wins', () => {
    const { json, warnings } = fleet(
      {
        server: { metadataOptions: { httpTokens: 'optional' } },
        slots: { blue: { image: ImageSource.fromAmiId(AMI_1) }, green: { image: ImageSource.fromAmiId(AMI_1) } },
      },
      (stack, web) => {
        acknowledgeSecurityDowngrade(stack, 'imdsv1', 'the legacy agent on these images reads IMDSv1');
        acknowledgeSecurityDowngrade(web.node.findChild('Green'), 'imdsv1', 'green runs the agent in debug mode');
      },
    );
    expect(warnings).toEqual([]);
    expect(
      acknowledgementsOn(json, 'aws_launch_template')
        .map((list) => JSON.stringify(list))
        .sort(),
    ).toEqual([
      JSON.stringify({ imdsv1: 'green runs the agent in debug mode' }),
      JSON.stringify({ imdsv1: 'the legacy agent on these images reads IMDSv1' }),
    ]);
  });

  test('an acknowledgement that matches no downgrade is a warning (it would accept the next one silently)', () => {
    const { warnings } = template({}, (_stack, lt) =>
      acknowledgeSecurityDowngrade(lt, 'imdsv1', 'left over from an older image'),
    );
    expect(warnings).toEqual([
      "ImmutableLaunchTemplate: acknowledgeSecurityDowngrade(test/Lt, 'imdsv1', ...) matches no imdsv1 downgrade at or below it; remove it, or it would silently accept the next one.",
    ]);
  });

  test('an acknowledgement of another downgrade does not silence this one', () => {
    const { warnings } = template({ metadataOptions: { httpTokens: 'optional' } }, (_stack, lt) =>
      acknowledgeSecurityDowngrade(lt, 'unencrypted-volume', 'scratch data only, wiped at boot'),
    );
    expect(warnings).toHaveLength(2);
    expect(warnings.join('\n')).toMatch(/httpTokens \("optional"\) allows IMDSv1/);
    expect(warnings.join('\n')).toMatch(/matches no unencrypted-volume downgrade/);
  });

  test.each<[string, SecurityDowngrade, string, RegExp]>([
    [
      'an unknown downgrade',
      'tls-1.0' as SecurityDowngrade,
      'a reason long enough',
      /downgrade \("tls-1\.0"\) must be one of legacy-tls, imdsv1/,
    ],
    [
      'a reason that says nothing',
      'imdsv1',
      ' ok ',
      /reason for imdsv1 \(" ok "\) must say why the downgrade is needed here/,
    ],
  ])('%s is refused', (_what, downgrade, reason, message) => {
    const { stack } = synthStack(() => undefined);
    expect(() => acknowledgeSecurityDowngrade(stack, downgrade, reason)).toThrow(message);
    expect(() => acknowledgeSecurityDowngrade(stack, downgrade, reason)).toThrow(ValidationError);
  });

  test('tokens are not checked', () => {
    const { warnings } = template({}, (stack) => stack);
    expect(warnings).toEqual([]);
    const { stack } = synthStack((s) => {
      const tokens = new TerraformVariable(s, 'tokens', { type: 'string' }).stringValue;
      const hops = new TerraformVariable(s, 'hops', { type: 'number' }).numberValue;
      return new ImmutableLaunchTemplate(s, 'Lt', {
        image: ImageSource.fromAmiId(AMI_1),
        metadataOptions: { httpTokens: tokens as 'optional', hopLimit: hops },
      });
    });
    expect(annotations(stack).warnings).toEqual([]);
  });
});
