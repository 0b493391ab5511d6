import { createHash } from 'crypto';
import { Lazy, Testing, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { contentHash, Generation } from '../../lib/immutability';
import { ValidationError } from '../../lib/private/validation';
import { newStack, synthJson } from '../support/synth';

const canonicalJson = (value: unknown): string => contentHash(value).canonical;

describe('canonical content hash', () => {
  test('key order does not matter, at any depth', () => {
    const a = contentHash({ a: 1, b: { x: [1, 2], y: 'z' }, '10': 'ten', '2': 'two' });
    const b = contentHash({ '2': 'two', b: { y: 'z', x: [1, 2] }, '10': 'ten', a: 1 });
    expect(a.hash).toBe(b.hash);
    expect(a.hash).toHaveLength(Generation.HASH_LENGTH);
    expect(Generation.HASH_LENGTH).toBe(10);
    expect(a.hash).toMatch(/^[0-9a-f]+$/);
  });

  test('integer-like keys are sorted as text, unlike JSON.stringify', () => {
    expect(canonicalJson({ '10': 1, '2': 2, b: 3 })).toBe('{"10":1,"2":2,"b":3}');
  });

  test('undefined members are dropped; null is kept', () => {
    expect(contentHash({ a: 1, b: undefined }).hash).toBe(contentHash({ a: 1 }).hash);
    expect(contentHash({ a: 1, b: null }).hash).not.toBe(contentHash({ a: 1 }).hash);
  });

  test('arrays keep their order', () => {
    expect(contentHash({ sg: ['sg-1', 'sg-2'] }).hash).not.toBe(contentHash({ sg: ['sg-2', 'sg-1'] }).hash);
  });

  test('Buffers and typed arrays are hashed by their bytes', () => {
    expect(contentHash({ data: Buffer.from('abc') }).hash).toBe(
      contentHash({ data: new Uint8Array([97, 98, 99]) }).hash,
    );
    expect(contentHash({ data: Buffer.from('abc') }).hash).not.toBe(contentHash({ data: Buffer.from('abd') }).hash);
    // bytes never hash like the equal-looking string
    expect(contentHash({ data: Buffer.from('abc') }).hash).not.toBe(contentHash({ data: 'abc' }).hash);
  });

  test('Dates, Maps and Sets are canonical', () => {
    expect(canonicalJson(new Date('2026-01-02T03:04:05Z'))).toBe('{"$date":"2026-01-02T03:04:05.000Z"}');
    expect(
      contentHash(
        new Map([
          ['b', 1],
          ['a', 2],
        ]),
      ).hash,
    ).toBe(contentHash({ a: 2, b: 1 }).hash);
    expect(contentHash(new Set(['x', 'y'])).hash).toBe(contentHash(new Set(['y', 'x'])).hash);
  });

  test('-0 and 0 hash the same; types are distinguished', () => {
    expect(contentHash({ n: -0 }).hash).toBe(contentHash({ n: 0 }).hash);
    expect(contentHash({ n: 1 }).hash).not.toBe(contentHash({ n: '1' }).hash);
    expect(contentHash({ n: true }).hash).not.toBe(contentHash({ n: 'true' }).hash);
  });

  test.each([
    ['imageId', { imageId: 'ami-1' }, { imageId: 'ami-2' }],
    ['userData', { userData: 'echo 1' }, { userData: 'echo 2' }],
    ['nested field', { blockDevices: [{ size: 8 }] }, { blockDevices: [{ size: 9 }] }],
    ['a new field', { a: 1 }, { a: 1, b: 2 }],
    ['a removed array element', { a: [1, 2] }, { a: [1] }],
  ])('is sensitive to %s', (_name, before, after) => {
    expect(contentHash(before).hash).not.toBe(contentHash(after).hash);
  });

  test.each([
    ['a function', { f: () => 1 }, /\$\.f is a function/],
    ['NaN', { n: NaN }, /\$\.n is NaN; only finite numbers/],
    ['Infinity in an array', { list: [1, Infinity] }, /\$\.list\[1\] is Infinity/],
    ['an invalid Date', { d: new Date('nope') }, /\$\.d is an invalid Date/],
  ])('rejects %s naming the path', (_name, value, message) => {
    expect(() => contentHash(value)).toThrow(message);
    expect(() => contentHash(value)).toThrow(ValidationError);
    expect(() => contentHash(value)).toThrow(/^contentHash: /);
  });

  test('rejects cycles naming the path', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(() => contentHash(a)).toThrow(
      /^contentHash: \$\.self refers back to one of its parents \(a cycle\); pass plain data/,
    );
  });

  test('the same value twice (not a cycle) is fine', () => {
    const shared = { x: 1 };
    expect(() => contentHash({ a: shared, b: shared })).not.toThrow();
  });

  test('rejects a bad length', () => {
    expect(() => contentHash({}, { length: 0 })).toThrow(/^contentHash: length \(0\) must be an integer from 1 to 64/);
  });

  test('tokens are hashed by their text and reported', () => {
    const stack = newStack('s');
    const variable = new TerraformVariable(stack, 'ami', { type: 'string' });
    const imageId = variable.stringValue;
    const result = contentHash({ imageId, instanceType: 't3.micro' });
    expect(result.unresolved).toEqual([imageId]);
    expect(result.canonical).toContain('"$token"');
    // a literal string equal to the token's resolved text does not hash the same
    const asToken = contentHash({ imageId: variable.stringValue }, { resolveToken: () => '${var.ami}' });
    expect(asToken.hash).not.toBe(contentHash({ imageId: '${var.ami}' }).hash);
  });

  test('resolveToken maps tokens to stable text', () => {
    const lazy = Lazy.stringValue({ produce: () => 'value' });
    const result = contentHash({ x: lazy }, { resolveToken: () => 'value' });
    expect(result.canonical).toBe('{"x":{"$token":"value"}}');
  });
});

describe('Generation', () => {
  test('is a plain hash when every input is known', () => {
    const stack = newStack('s');
    const generation = Generation.of(stack, { imageId: 'ami-0123456789abcdef0' });
    expect(generation.isResolved).toBe(true);
    expect(generation.unresolved).toEqual([]);
    expect(generation.hash).toBe(contentHash({ imageId: 'ami-0123456789abcdef0' }).hash);
    expect(generation.semanticVersion).toMatch(/^1\.0\.\d+$/);
    expect(parseInt(generation.semanticVersion.split('.')[2], 10)).toBeLessThan(2 ** 30);
  });

  test('an input that cannot be hashed is reported with the path of the construct', () => {
    // GIVEN
    const stack = newStack('s');
    // WHEN / THEN
    expect(() => Generation.of(stack, { hook: () => 1 })).toThrow(ValidationError);
    expect(() => Generation.of(stack, { hook: () => 1 })).toThrow(
      /^TerraformStack s: \$\.hook is a function; only data/,
    );
  });

  test('with tokens, is a Terraform expression over a stable static hash and the runtime values', () => {
    const build = (order: 'ami-first' | 'other-first') => {
      const app = Testing.app();
      const stack = new TerraformStack(app, 's');
      if (order === 'other-first') {
        new TerraformVariable(stack, 'unrelated', { type: 'string' });
      }
      const ami = new TerraformVariable(stack, 'ami', { type: 'string' });
      const generation = Generation.of(stack, { imageId: ami.stringValue, instanceType: 't3.micro' });
      expect(generation.isResolved).toBe(false);
      expect(generation.unresolved).toHaveLength(1);
      new TerraformOutput(stack, 'generation', { value: generation.hash });
      new TerraformOutput(stack, 'version', { value: generation.semanticVersion });
      return synthJson(stack).output;
    };
    const first = build('ami-first');
    // token numbering differs when other tokens are created first; the output must not
    expect(build('other-first')).toEqual(first);
    const staticHash = createHash('sha256')
      .update('{"imageId":{"$token":"${var.ami}"},"instanceType":"t3.micro"}')
      .digest('hex')
      .slice(0, Generation.HASH_LENGTH);
    expect(first.generation.value).toBe(
      `\${nonsensitive(substr(sha256(join("|", ["${staticHash}", jsonencode(var.ami)])), 0, 10))}`,
    );
    expect(first.version.value).toBe(
      `1.0.\${parseint(substr(nonsensitive(substr(sha256(join("|", ["${staticHash}", jsonencode(var.ami)])), 0, 10)), 0, 7), 16)}`,
    );
  });
});
