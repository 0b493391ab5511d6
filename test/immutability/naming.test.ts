import { TerraformVariable } from 'cdktf';
import { Generation, generationName, NameRule } from '../../lib/immutability';
import { ValidationError } from '../../lib/private/validation';
import { newStack } from '../support/synth';

const GEN = 'a1b2c3d4e5';

describe('generationName', () => {
  test.each([
    ['TARGET_GROUP', NameRule.TARGET_GROUP, 32, /^[A-Za-z0-9-]+$/],
    ['LOAD_BALANCER', NameRule.LOAD_BALANCER, 32, /^[A-Za-z0-9-]+$/],
    ['LAUNCH_TEMPLATE', NameRule.LAUNCH_TEMPLATE, 128, /^[A-Za-z0-9()./_-]+$/],
    ['AUTOSCALING_GROUP', NameRule.AUTOSCALING_GROUP, 255, /^[A-Za-z0-9._-]+$/],
    ['IMAGE_BUILDER', NameRule.IMAGE_BUILDER, 128, /^[A-Za-z0-9_-]+$/],
    ['IAM_ROLE', NameRule.IAM_ROLE, 64, /^[A-Za-z0-9+=,.@_-]+$/],
    ['IAM_INSTANCE_PROFILE', NameRule.IAM_INSTANCE_PROFILE, 128, /^[A-Za-z0-9+=,.@_-]+$/],
    ['SECURITY_GROUP', NameRule.SECURITY_GROUP, 255, /^[A-Za-z0-9._-]+$/],
    ['DOCKER_TAG', NameRule.DOCKER_TAG, 128, /^[A-Za-z0-9_.-]+$/],
  ])('%s: short names are <base>-<slot>-<generation>, long ones fit and keep the hash', (_name, rule, max, chars) => {
    expect(generationName(rule, { base: 'web', slot: 'blue', generation: GEN })).toBe(`web-blue-${GEN}`);
    const long = generationName(rule, { base: 'x'.repeat(400), slot: 'green', generation: GEN });
    expect(long.length).toBeLessThanOrEqual(max);
    expect(long.endsWith(`-green-${GEN}`)).toBe(true);
    expect(long).toMatch(chars);
    expect(long).not.toMatch(/^-|-$|--/);
  });

  test('two long bases sharing a prefix get different names', () => {
    const a = generationName(NameRule.TARGET_GROUP, {
      base: 'payments-service-production-eu-alpha',
      slot: 'blue',
      generation: GEN,
    });
    const b = generationName(NameRule.TARGET_GROUP, {
      base: 'payments-service-production-eu-beta',
      slot: 'blue',
      generation: GEN,
    });
    expect(a).toHaveLength(32);
    expect(b).toHaveLength(32);
    expect(a).not.toBe(b);
    expect(a.startsWith('payments-')).toBe(true);
  });

  test('illegal characters are replaced, not dropped silently into collisions', () => {
    expect(generationName(NameRule.TARGET_GROUP, { base: 'My_Service.v2', slot: 'blue', generation: GEN })).toBe(
      `My-Service-v2-blue-${GEN}`,
    );
    expect(generationName(NameRule.IMAGE_BUILDER, { base: 'web server (base)', generation: GEN })).toBe(
      `web-server-base-${GEN}`,
    );
    expect(generationName(NameRule.LAUNCH_TEMPLATE, { base: 'web:api', generation: GEN })).toBe(`web-api-${GEN}`);
    expect(generationName(NameRule.TARGET_GROUP, { base: '--edge--', generation: GEN })).toBe(`edge-${GEN}`);
  });

  test('SSM parameter names are paths', () => {
    expect(generationName(NameRule.SSM_PARAMETER, { base: 'images/web', slot: 'blue', generation: GEN })).toBe(
      `/images/web/blue/${GEN}`,
    );
    expect(generationName(NameRule.SSM_PARAMETER, { base: '/images//web ami', generation: GEN })).toBe(
      `/images/web-ami/${GEN}`,
    );
    const long = generationName(NameRule.SSM_PARAMETER, { base: 'p/'.repeat(5) + 'y'.repeat(2000), generation: GEN });
    expect(long.length).toBeLessThanOrEqual(1011);
    expect(long.endsWith(`/${GEN}`)).toBe(true);
  });

  test('SSM names may not start with aws or ssm, nor be deeper than 15 levels', () => {
    expect(() => generationName(NameRule.SSM_PARAMETER, { base: 'aws/images', generation: GEN })).toThrow(
      /base \("aws\/images"\) starts with "aws" or "ssm"/,
    );
    expect(() =>
      generationName(NameRule.SSM_PARAMETER, { base: Array(15).fill('a').join('/'), generation: GEN }),
    ).toThrow(/more than 15 levels/);
  });

  test('rejects a base with no usable character', () => {
    expect(() => generationName(NameRule.TARGET_GROUP, { base: '___', generation: GEN })).toThrow(
      /base \("___"\) has no character a target group name accepts/,
    );
  });

  test('rejects a hand-made generation and a bad slot', () => {
    expect(() => generationName(NameRule.TARGET_GROUP, { base: 'web', generation: 'Not A Hash' })).toThrow(
      /generation \("Not A Hash"\) must be a lowercase hex hash/,
    );
    expect(() => generationName(NameRule.TARGET_GROUP, { base: 'web', slot: 'blue-1', generation: GEN })).toThrow(
      /slot \("blue-1"\) must be a short word/,
    );
  });

  test('rejects a slot too long to leave room for a base', () => {
    expect(() => generationName(NameRule.TARGET_GROUP, { base: 'web', slot: 'a'.repeat(20), generation: GEN })).toThrow(
      /^generationName: a target group name is limited to 32 characters, which leaves no room for a base next to slot "a{20}" and the generation; use a shorter slot\./,
    );
  });

  test('with no slot, a rule too short for any base says to raise maxLength', () => {
    const tiny = NameRule.custom({ description: 'tiny', maxLength: 12, illegal: /[^a-z0-9-]+/g });
    expect(() => generationName(tiny, { base: 'web', generation: GEN })).toThrow(
      /^generationName: a tiny name is limited to 12 characters, which leaves no room for a base next to the generation; use a rule with a higher maxLength\./,
    );
  });

  test('rejects a base that is a token, with a ValidationError', () => {
    const stack = newStack('s');
    const base = new TerraformVariable(stack, 'base', { type: 'string' }).stringValue;
    expect(() => generationName(NameRule.TARGET_GROUP, { base, generation: GEN })).toThrow(ValidationError);
    expect(() => generationName(NameRule.TARGET_GROUP, { base, generation: GEN })).toThrow(
      /^generationName: base \(.*\) is a token; the base must be a literal/,
    );
  });

  test('a lazy generation (token inputs) is accounted at the fixed hash length', () => {
    const stack = newStack('s');
    const ami = new TerraformVariable(stack, 'ami', { type: 'string' });
    const generation = Generation.of(stack, { imageId: ami.stringValue });
    const name = generationName(NameRule.TARGET_GROUP, { base: 'y'.repeat(60), slot: 'green', generation });
    const resolved = name.replace(generation.hash, 'f'.repeat(Generation.HASH_LENGTH));
    expect(resolved).toHaveLength(32);
  });

  test('NameRule.custom requires a global pattern', () => {
    expect(() => NameRule.custom({ description: 'x', maxLength: 10, illegal: /[^a-z]/ })).toThrow(
      /^NameRule.custom: illegal \(\/\[\^a-z\]\/\) must have the g flag/,
    );
    const rule = NameRule.custom({ description: 'lower', maxLength: 20, illegal: /[^a-z0-9-]+/g, trimHyphens: true });
    expect(generationName(rule, { base: 'Web', generation: GEN })).toBe(`eb-${GEN}`);
  });

  test.each([0, -1, 2.5])('NameRule.custom rejects maxLength %p', (maxLength) => {
    expect(() => NameRule.custom({ description: 'x', maxLength, illegal: /[^a-z]/g })).toThrow(
      new RegExp(`^NameRule.custom: maxLength \\(${maxLength}\\) must be a positive integer`),
    );
  });
});
