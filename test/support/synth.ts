import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { App, Testing, TerraformStack } from 'cdktf';
import { invokeAspects } from 'cdktf/lib/synthesize/synthesizer';
import { Construct } from 'constructs';

/**
 * The one helper module for synthesizing a stack in a unit test and reading what it holds
 * (as TerraConstructs' `test/assertions.ts` and projen's `test/util.ts`): every test file
 * builds its stacks through these instead of a `synth` of its own.
 *
 * ```ts
 * const { json, stack } = synthStack((stack) => new ReplaceFleet(stack, 'Api', props));
 * expect(onlyResource(json, 'aws_launch_template').image_id).toBe(AMI);
 * ```
 */

/** Synthesized Terraform JSON (`cdk.tf.json`), as a test reads it. */
export type Json = Record<string, any>;

/** A fixed VPC id, subnets and AMI ids for tests. */
export const VPC = 'vpc-0123456789abcdef0';
export const SUBNETS = ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'];
export const AMI_1 = 'ami-0123456789abcdef0';
export const AMI_2 = 'ami-0fedcba9876543210';
export const AMI_3 = 'ami-0aaaaaaaaaaaaaaaa';

/** A new stack in a new test app (`Testing.app()`), named `id`. */
export function newStack(id = 'test'): TerraformStack {
  return new TerraformStack(Testing.app(), id);
}

/** The result of {@link synthStack}. */
export interface Synthesized<T> {
  /** The stack's synthesized JSON. */
  readonly json: Json;
  /** The same JSON as text, for cdktf's matchers (`toHaveResourceWithProperties`). */
  readonly text: string;
  /** The stack. */
  readonly stack: TerraformStack;
  /** What `build` returned (the construct under test). */
  readonly built: T;
}

/**
 * Builds a stack with `build` (in a new test app, stack id `id`) and synthesizes it
 * (aspects applied): `{ json, text, stack, built }`.
 */
export function synthStack<T>(build: (stack: TerraformStack) => T, id = 'test'): Synthesized<T> {
  const stack = newStack(id);
  const built = build(stack);
  const text = Testing.synth(stack);
  return { json: JSON.parse(text) as Json, text, stack, built };
}

/**
 * Synthesizes an existing stack (aspects applied, as `Testing.synth` does) to its JSON
 * with the `//` metadata that `Testing.synth` removes (the pinned slots',
 * acknowledgements, checkov suppressions), as `cdktf synth` writes it.
 */
export function synthWithMetadata(stack: TerraformStack): Json {
  invokeAspects(stack);
  return stack.toTerraform() as Json;
}

/** Synthesizes an existing stack (aspects applied) to its JSON. */
export function synthJson(stack: TerraformStack): Json {
  return JSON.parse(Testing.synth(stack)) as Json;
}

/** The repository root, which {@link synthesizeApp} replaces by `<repo>` in the JSON. */
const REPOSITORY = resolve(__dirname, '..', '..');

/**
 * Synthesizes a whole app exactly as `cdktf synth` does (the real App, aspects and
 * validations) into a temporary folder and returns each stack's Terraform JSON text,
 * with this checkout's absolute path replaced by `<repo>`, so that snapshots of the
 * stacks and examples match on every machine. The folder is removed afterwards.
 */
export function synthesizeApp(build: (app: App) => void): Record<string, string> {
  const outdir = mkdtempSync(join(tmpdir(), 'synth-'));
  try {
    const app = new App({ outdir, skipValidation: false });
    build(app);
    app.synth();
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
      stacks: Record<string, { synthesizedStackPath: string }>;
    };
    const stacks: Record<string, string> = {};
    for (const [name, stack] of Object.entries(manifest.stacks)) {
      stacks[name] = readFileSync(join(outdir, stack.synthesizedStackPath), 'utf8').split(REPOSITORY).join('<repo>');
    }
    return stacks;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Every resource of `type` in `json`, by its logical name (`{}` when there is none). */
export function resources(json: Json, type: string): Record<string, Json> {
  return (json.resource?.[type] ?? {}) as Record<string, Json>;
}

/** Every data source of `type` in `json`, by its logical name. */
export function dataSources(json: Json, type: string): Record<string, Json> {
  return (json.data?.[type] ?? {}) as Record<string, Json>;
}

/** The one resource of `type` in `json`; fails the test when there are none or several. */
export function onlyResource(json: Json, type: string): Json {
  const all = Object.values(resources(json, type));
  if (all.length !== 1) {
    throw new Error(`expected exactly one ${type}, found ${all.length}`);
  }
  return all[0];
}

/** Every resource in `json` as `type.name` -> its configuration. */
export function resourcesByAddress(json: Json): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const [type, byName] of Object.entries(json.resource ?? {})) {
    for (const [name, config] of Object.entries(byName as Json)) {
      out.set(`${type}.${name}`, config as Json);
    }
  }
  return out;
}

/** The warnings and errors cdktf recorded on `scope` and below (synthesize first). */
export function annotations(scope: Construct): { warnings: string[]; errors: string[]; infos: string[] } {
  const out = { warnings: [] as string[], errors: [] as string[], infos: [] as string[] };
  for (const node of scope.node.findAll()) {
    for (const entry of node.node.metadata) {
      const text = String(entry.data);
      if (entry.type === '@cdktf/warn') {
        out.warnings.push(text);
      } else if (entry.type === '@cdktf/error') {
        out.errors.push(text);
      } else if (entry.type === '@cdktf/info') {
        out.infos.push(text);
      }
    }
  }
  return out;
}

/** A new test app (`Testing.app()`), for tests that build several stacks. */
export function newApp(): App {
  return Testing.app();
}
