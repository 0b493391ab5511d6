import { TerraformVariable, Testing } from 'cdktf';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { ImagebuilderLifecyclePolicy } from '@cdktf/provider-aws/lib/imagebuilder-lifecycle-policy';
import { Construct } from 'constructs';
import { ImageRetention, LifecyclePolicy, LifecyclePolicyProps } from '../../lib';
import { ValidationError } from '../../lib/private/validation';
import { newStack } from '../support/synth';

const ROLE = 'arn:aws:iam::111122223333:role/lifecycle';

function policy(scope: Construct, overrides: Partial<LifecyclePolicyProps> = {}): LifecyclePolicy {
  return new LifecyclePolicy(scope, 'LifecyclePolicy', {
    name: 'web',
    retention: ImageRetention.keepLast(),
    executionRoleArn: ROLE,
    recipeName: 'web',
    recipeVersion: '1.0.12',
    ...overrides,
  });
}

describe('LifecyclePolicy', () => {
  test('defaults: keep the 3 newest images of the recipe version and every image tagged in use', () => {
    // GIVEN / WHEN a policy with only the required props
    const synth = Testing.synthScope((scope) => {
      policy(scope);
    });
    // THEN
    const inUse = { 'cdktf-immutable:in-use': 'true' };
    expect(synth).toHaveResourceWithProperties(ImagebuilderLifecyclePolicy, {
      name: 'web',
      description: 'Keep the 3 newest images of web and every image tagged cdktf-immutable:in-use=true',
      execution_role: ROLE,
      resource_type: 'AMI_IMAGE',
      status: 'ENABLED',
      policy_detail: [
        {
          action: [{ type: 'DELETE', include_resources: [{ amis: true, snapshots: true }] }],
          filter: [{ type: 'COUNT', value: 3 }],
          exclusion_rules: [{ tag_map: inUse, amis: [{ is_public: false, tag_map: inUse }] }],
        },
      ],
      resource_selection: [{ recipe: [{ name: 'web', semantic_version: '1.0.12' }] }],
    });
    expect(JSON.parse(synth).resource.aws_imagebuilder_lifecycle_policy.LifecyclePolicy).not.toHaveProperty(
      'depends_on',
    );
  });

  test('all properties', () => {
    // GIVEN the execution role
    const synth = Testing.synthScope((scope) => {
      const role = new IamRole(scope, 'Role', { assumeRolePolicy: '{}' });
      // WHEN every prop is set
      policy(scope, {
        name: 'api',
        retention: ImageRetention.keepLast(7, { inUseTag: { key: 'deploy:in-use', value: 'yes' } }),
        executionRoleArn: role.arn,
        recipeName: 'api-recipe',
        recipeVersion: '2.3.4',
        description: 'Keep a week of builds',
        tags: { Owner: 'platform' },
        dependsOn: [role],
      });
    });
    // THEN
    expect(synth).toHaveResourceWithProperties(ImagebuilderLifecyclePolicy, {
      name: 'api',
      description: 'Keep a week of builds',
      execution_role: '${aws_iam_role.Role.arn}',
      policy_detail: [
        expect.objectContaining({
          filter: [{ type: 'COUNT', value: 7 }],
          exclusion_rules: [
            { tag_map: { 'deploy:in-use': 'yes' }, amis: [{ is_public: false, tag_map: { 'deploy:in-use': 'yes' } }] },
          ],
        }),
      ],
      resource_selection: [{ recipe: [{ name: 'api-recipe', semantic_version: '2.3.4' }] }],
      tags: { Owner: 'platform' },
      depends_on: ['aws_iam_role.Role'],
    });
  });

  test('fleets listed in inUseByFleets: an AMI marked by any slot of any of them is kept', () => {
    // GIVEN two environments' fleets that run this pipeline's AMIs
    const synth = Testing.synthScope((scope) => {
      policy(scope, { retention: ImageRetention.keepLast(3, { inUseByFleets: ['web-dev', 'web-prod'] }) });
    });
    // THEN the AMI exclusion lists the in-use tag and every key a slot of theirs may set
    // (an exclusion tag map excludes an AMI that has any one of its tags)
    const rule =
      JSON.parse(synth).resource.aws_imagebuilder_lifecycle_policy.LifecyclePolicy.policy_detail[0].exclusion_rules[0];
    expect(rule.tag_map).toEqual({ 'cdktf-immutable:in-use': 'true' });
    expect(rule.amis).toEqual([
      {
        is_public: false,
        tag_map: {
          'cdktf-immutable:in-use': 'true',
          'cdktf-immutable:in-use:web-dev': 'true',
          'cdktf-immutable:in-use:web-dev:blue': 'true',
          'cdktf-immutable:in-use:web-dev:green': 'true',
          'cdktf-immutable:in-use:web-prod': 'true',
          'cdktf-immutable:in-use:web-prod:blue': 'true',
          'cdktf-immutable:in-use:web-prod:green': 'true',
        },
      },
    ]);
    expect(JSON.parse(synth).resource.aws_imagebuilder_lifecycle_policy.LifecyclePolicy.description).toBe(
      'Keep the 3 newest images of web and every image tagged cdktf-immutable:in-use=true or marked in use by a fleet',
    );
  });

  test('tokens are not validated', () => {
    const stack = newStack('s');
    const v = (name: string) => new TerraformVariable(stack, name, { type: 'string' }).stringValue;
    policy(stack, { name: v('name'), recipeName: v('recipe'), recipeVersion: v('version') });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ImagebuilderLifecyclePolicy, {
      resource_selection: [{ recipe: [{ name: '${var.recipe}', semantic_version: '${var.version}' }] }],
    });
  });

  describe('validation', () => {
    test.each<[string, () => unknown, string]>([
      [
        'bad fleet name',
        () => ImageRetention.keepLast(3, { inUseByFleets: ['web prod'] }),
        'ImageRetention.keepLast: inUseByFleets[0] ("web prod") must be a fleet name',
      ],
      [
        'too many fleets',
        () => ImageRetention.keepLast(3, { inUseByFleets: Array.from({ length: 17 }, (_, i) => `web-${i}`) }),
        'ImageRetention.keepLast: inUseByFleets lists 17 fleets; a lifecycle policy takes at most 50 exclusion tags (3 per fleet and the in-use tag): list at most 16',
      ],
    ])('ImageRetention: %s', (_what, build, message) => {
      expect(build).toThrow(message);
      expect(build).toThrow(ValidationError);
    });

    test.each<[string, Partial<LifecyclePolicyProps>, string]>([
      ['bad name', { name: '-' }, 'name ("-") must be 3 to 128 letters'],
      [
        'keep all',
        { retention: ImageRetention.keepAll() },
        'retention (ImageRetention.keepAll()) keeps every image, so a lifecycle policy has nothing to delete; use ImageRetention.keepLast(n)',
      ],
      [
        'wildcard recipe version',
        { recipeVersion: '1.0.x' },
        'recipeVersion ("1.0.x") must be a semantic version without wildcards',
      ],
    ])('%s', (_what, overrides, message) => {
      expect(() => policy(newStack('s'), overrides)).toThrow(`LifecyclePolicy s/LifecyclePolicy: ${message}`);
      expect(() => policy(newStack('s'), overrides)).toThrow(ValidationError);
    });
  });
});
