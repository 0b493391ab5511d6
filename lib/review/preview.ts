import { existsSync, readFileSync, statSync } from 'fs';
import { basename, dirname, join } from 'path';
import { changedPaths, isObject, topAttribute } from './private/diff';
import { ResourcePolicy } from '../immutability/resource-policy';

/** What happens to one resource between two synth outputs. */
export type PreviewAction = 'created' | 'destroyed' | 'replaced' | 'updated' | 'unchanged';

/** One resource of a preview. */
export interface PreviewResource {
  /** Terraform address, `aws_launch_template.web_blue`. */
  readonly address: string;
  readonly type: string;
  readonly action: PreviewAction;
  /** Changed attribute paths (replaced and updated). */
  readonly changed: readonly string[];
  /** Why a replacement is one: the identity attributes that changed, or the trigger. */
  readonly reason?: string;
  /** True when an immutable type would be updated in place (not only operational attributes). */
  readonly violation: boolean;
}

/** The preview of one stack. */
export interface StackPreview {
  readonly stack: string;
  readonly resources: readonly PreviewResource[];
}

/** A synth output that cannot be read. The message names the path and the fix. */
export class SynthOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SynthOutputError';
  }
}

type StackJson = { resource?: Record<string, Record<string, Record<string, unknown>>> };

/**
 * Reads a synth output: a cdktf.out folder (with manifest.json), a stack folder
 * (with cdk.tf.json) or a stack JSON file. Returns stack name -> Terraform JSON.
 */
export function readSynthOutput(path: string): Map<string, StackJson> {
  if (!existsSync(path)) {
    throw new SynthOutputError(`${path} does not exist; pass a cdktf.out folder or a cdk.tf.json file (run "cdktf synth" first).`);
  }
  const stacks = new Map<string, StackJson>();
  if (statSync(path).isDirectory()) {
    const manifestPath = join(path, 'manifest.json');
    if (existsSync(manifestPath)) {
      const manifest = readJson(manifestPath) as { stacks?: Record<string, { synthesizedStackPath?: string }> };
      if (!isObject(manifest) || !isObject(manifest.stacks)) {
        throw new SynthOutputError(`${manifestPath}: has no "stacks" object; it is not a cdktf manifest. Re-run "cdktf synth".`);
      }
      for (const [name, entry] of Object.entries(manifest.stacks)) {
        if (!isObject(entry) || typeof entry.synthesizedStackPath !== 'string') {
          throw new SynthOutputError(`${manifestPath}: stacks.${name}.synthesizedStackPath is missing; re-run "cdktf synth".`);
        }
        stacks.set(name, readStackJson(join(path, entry.synthesizedStackPath)));
      }
      return stacks;
    }
    const single = join(path, 'cdk.tf.json');
    if (existsSync(single)) {
      stacks.set(basename(path), readStackJson(single));
      return stacks;
    }
    throw new SynthOutputError(`${path}: has neither manifest.json nor cdk.tf.json; pass a cdktf.out folder, a stack folder or a stack JSON file.`);
  }
  const name = basename(path) === 'cdk.tf.json' ? basename(dirname(path)) : basename(path).replace(/(\.tf)?\.json$/, '');
  stacks.set(name, readStackJson(path));
  return stacks;
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SynthOutputError(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SynthOutputError(`${path}: is not valid JSON (${(error as Error).message}); re-run "cdktf synth".`);
  }
}

function readStackJson(path: string): StackJson {
  const json = readJson(path);
  if (!isObject(json)) {
    throw new SynthOutputError(`${path}: is not a Terraform JSON object.`);
  }
  if (json.resource !== undefined && !isObject(json.resource)) {
    throw new SynthOutputError(`${path}: "resource" is not an object; it is not Terraform JSON.`);
  }
  for (const [type, byName] of Object.entries(json.resource ?? {})) {
    if (!isObject(byName) || Object.values(byName).some((r) => !isObject(r))) {
      throw new SynthOutputError(`${path}: resource.${type} is not an object of resources; it is not Terraform JSON.`);
    }
  }
  return json as StackJson;
}

function resources(stack: StackJson | undefined): Map<string, { type: string; body: Record<string, unknown> }> {
  const out = new Map<string, { type: string; body: Record<string, unknown> }>();
  for (const [type, byName] of Object.entries(stack?.resource ?? {})) {
    for (const [name, body] of Object.entries(byName)) {
      const { '//': _metadata, ...rest } = body;
      void _metadata;
      out.set(`${type}.${name}`, { type, body: rest });
    }
  }
  return out;
}

/**
 * Compares two synth outputs offline. A resource of an immutable type whose identity
 * (name, version) changed is replaced by a new generation; one whose other
 * non-operational attributes changed while the identity stayed would be updated in
 * place, which is a violation. Resources whose replace_triggered_by names a replaced
 * resource are replaced too. When each side holds a single stack, the two are compared
 * whatever their names (two stack JSON files).
 */
export function previewChanges(before: Map<string, StackJson>, after: Map<string, StackJson>): StackPreview[] {
  // Two single-stack inputs (two stack JSON files) are the same stack, whatever their names.
  if (before.size === 1 && after.size === 1) {
    const [beforeName] = before.keys();
    const [afterName] = after.keys();
    if (beforeName !== afterName) {
      before = new Map([[afterName, before.get(beforeName)!]]);
    }
  }
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  return names.map((stack) => ({ stack, resources: previewStack(before.get(stack), after.get(stack)) }));
}

function previewStack(beforeStack: StackJson | undefined, afterStack: StackJson | undefined): PreviewResource[] {
  const before = resources(beforeStack);
  const after = resources(afterStack);
  const addresses = [...new Set([...before.keys(), ...after.keys()])].sort();
  const result = new Map<string, PreviewResource>();
  for (const address of addresses) {
    const a = before.get(address);
    const b = after.get(address);
    const type = (a ?? b)!.type;
    if (!a) {
      result.set(address, { address, type, action: 'created', changed: [], violation: false });
      continue;
    }
    if (!b) {
      result.set(address, { address, type, action: 'destroyed', changed: [], violation: false });
      continue;
    }
    const changed = changedPaths(a.body, b.body);
    if (changed.length === 0) {
      result.set(address, { address, type, action: 'unchanged', changed, violation: false });
      continue;
    }
    const rule = ResourcePolicy.immutableRule(type);
    const identity = rule ? rule.identityAttributes.filter((attr) => changed.some((path) => topAttribute(path) === attr)) : [];
    const substantive = changed.filter((path) => !ResourcePolicy.isOperationalAttribute(type, path) && topAttribute(path) !== 'lifecycle');
    if (rule && (identity.length > 0 || (rule.replacesOnAnyChange && substantive.length > 0))) {
      const reason = identity.length > 0 ? `new ${identity.join(' and ')}` : 'every argument of this type forces a new resource';
      result.set(address, { address, type, action: 'replaced', changed, reason, violation: false });
      continue;
    }
    const violation = rule !== undefined && substantive.length > 0;
    result.set(address, { address, type, action: 'updated', changed, violation });
  }
  // replace_triggered_by: a replaced (or newly created) trigger replaces the dependant.
  let changedSomething = true;
  while (changedSomething) {
    changedSomething = false;
    for (const [address, entry] of result) {
      if (entry.action !== 'updated' && entry.action !== 'unchanged') {
        continue;
      }
      const lifecycle = after.get(address)?.body.lifecycle;
      const triggers = isObject(lifecycle) && Array.isArray(lifecycle.replace_triggered_by) ? lifecycle.replace_triggered_by as unknown[] : [];
      const fired = triggers.find((trigger) => {
        if (typeof trigger !== 'string') {
          return false;
        }
        const target = result.get(trigger.split('.').slice(0, 2).join('.'));
        return target !== undefined && (target.action === 'replaced' || target.action === 'created');
      });
      if (fired !== undefined) {
        result.set(address, { ...entry, action: 'replaced', reason: `replace_triggered_by ${String(fired)}`, violation: false });
        changedSomething = true;
      }
    }
  }
  return [...result.values()];
}

/** True when any stack would update an immutable resource in place. */
export function hasViolations(preview: readonly StackPreview[]): boolean {
  return preview.some((stack) => stack.resources.some((resource) => resource.violation));
}
