import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { suppressCheckov, ValidationError } from '../../lib';
import { InputError, Validator } from '../../lib/private/validation';
import { Json, newStack } from '../support/synth';

describe('suppressCheckov', () => {
  const parameter = () =>
    new SsmParameter(newStack('prod'), 'Ami', { name: '/images/web', type: 'String', value: 'x' });

  test("records the check and its reason in the resource's `//` metadata", () => {
    const resource = parameter();
    suppressCheckov(resource, 'CKV2_AWS_34', 'an AMI id is public metadata, not a secret');
    expect((resource.toTerraform() as Json).resource.aws_ssm_parameter.Ami['//']).toMatchObject({
      'checkov:skip=CKV2_AWS_34': 'an AMI id is public metadata, not a secret',
    });
  });

  test('refuses a malformed check id and a reason that says nothing, as ValidationErrors', () => {
    expect(() => suppressCheckov(parameter(), 'AWS_34', 'a long enough reason')).toThrow(
      'suppressCheckov: checkId ("AWS_34") is not a checkov check id such as CKV_AWS_91.',
    );
    expect(() => suppressCheckov(parameter(), 'CKV_AWS_91', 'because')).toThrow(
      /^SsmParameter prod\/Ami: suppressCheckov reason for CKV_AWS_91 \("because"\) must say why the check does not apply/,
    );
    expect(() => suppressCheckov(parameter(), 'CKV_AWS_91', 'because')).toThrow(ValidationError);
  });
});

describe('Validator.reportAs', () => {
  test("reports a checker's InputError as a ValidationError naming the construct and the prop", () => {
    const check = new Validator('ImageSchedule.cron');
    const run = () =>
      check.reportAs('expression ("x") is not a cron expression: ', () => {
        throw new InputError('expected 6 fields.');
      });
    expect(run).toThrow('ImageSchedule.cron: expression ("x") is not a cron expression: expected 6 fields.');
    expect(run).toThrow(ValidationError);
  });
});
