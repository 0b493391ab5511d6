import { existsSync, readFileSync, statSync } from 'fs';
import { basename, dirname, join } from 'path';
import { isObject } from './private/diff';
import { actionOf, CrossStack, ifChanged, StackJson, StackModel, Status } from './private/stack-model';
import { WAITS_FOR_RELEASE_LABEL } from '../immutability/lifecycle-metadata';

/**
 * What happens to one resource between two synth outputs. `unknown`: preview cannot
 * decide it offline (a data source asked again, a provider configured otherwise): run a
 * plan. `waits-for-release`: a resource of a pinned blue/green slot whose only changes are
 * arguments its lifecycle ignores; the plan leaves it as it is, and the change reaches it
 * with the slot's next release (`release stage <env> --same-image`).
 */
export type PreviewAction =
  'created' | 'destroyed' | 'replaced' | 'updated' | 'unchanged' | 'unknown' | 'waits-for-release';

/** How the command line (and a pull request pipeline) labels each action. */
export const PREVIEW_LABELS: Readonly<Record<PreviewAction, string>> = {
  created: 'created',
  destroyed: 'destroyed',
  replaced: 'replaced',
  updated: 'updated in place',
  unchanged: 'unchanged',
  unknown: 'unknown: run a plan',
  'waits-for-release': WAITS_FOR_RELEASE_LABEL,
};

/** One resource of a preview. */
export interface PreviewResource {
  /** Terraform address, `aws_launch_template.web_blue`. */
  readonly address: string;
  readonly type: string;
  readonly action: PreviewAction;
  /**
   * Changed attribute paths (replaced, updated and unknown: those that change for sure;
   * waits-for-release: the ignored ones; for unchanged, meta-arguments such as depends_on
   * or lifecycle preconditions whose change alone plans no action).
   */
  readonly changed: readonly string[];
  /**
   * Why a replacement is one (the force-new attributes that changed, the trigger, the
   * reference followed), why an update follows another resource, why preview cannot
   * decide an unknown one, or why a slot is pinned (waits-for-release).
   */
  readonly reason?: string;
  /**
   * For `unknown`: what the resource is when the value preview cannot decide changes
   * (`replaced` when it reaches a force-new argument or a trigger); absent when either.
   */
  readonly ifChanged?: 'replaced' | 'updated';
  /**
   * Changed argument paths that the resource's `lifecycle.ignore_changes` names: the plan
   * ignores them (unless the resource is replaced for another reason, which applies them).
   */
  readonly ignored?: readonly string[];
  /**
   * True when the resource belongs to a pinned blue/green slot (the library's pinning
   * mark in its `//` metadata) and arguments it ignores changed: that change waits for
   * the slot's next release (`waits for a release`), whatever else changes.
   */
  readonly waitsForRelease?: boolean;
  /**
   * True when an immutable type would be updated in place (not only operational
   * attributes), or a forbidden attribute is set.
   */
  readonly violation: boolean;
  /** Why `violation` is true. */
  readonly violationReason?: string;
}

/** An output of a stack whose value changes. */
export interface PreviewOutput {
  readonly name: string;
  readonly action: 'created' | 'destroyed' | 'updated' | 'unknown';
  /** What the value follows, or why preview cannot decide it. */
  readonly reason?: string;
}

/** The preview of one stack. */
export interface StackPreview {
  readonly stack: string;
  readonly resources: readonly PreviewResource[];
  /**
   * True when a plan of the stack may change anything: a resource that is not unchanged,
   * an output that changes, or something preview cannot decide (`unknown`). A stack that
   * is not `changed` plans nothing, as far as its Terraform JSON tells.
   */
  readonly changed: boolean;
  /** The outputs whose value changes (created, destroyed, updated or unknown). */
  readonly outputs: readonly PreviewOutput[];
  /**
   * What preview cannot decide for the stack as a whole (a backend, a provider version,
   * a module, import blocks): run a plan.
   */
  readonly unknown: readonly string[];
  /** Changes a reviewer should know of that plan no action by themselves (a provider's new region). */
  readonly notes: readonly string[];
}

/** Options of {@link previewChanges}. */
export interface PreviewOptions {
  /**
   * Folders the two sides were synthesized in, when they differ (`preview --base`
   * synthesizes the base in a temporary worktree): every occurrence of `before` in a
   * string of the before side (a local backend's state path, for one) is read as `after`.
   * @default - the folders cdktf's default local backend shows (`<folder>/terraform.<stack>.tfstate`
   * in two folders on the two sides), else none
   */
  readonly synthFolders?: ReadonlyArray<{ readonly before: string; readonly after: string }>;
}

/** A synth output that cannot be read. The message names the path and the fix. */
export class SynthOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SynthOutputError';
  }
}

/**
 * Reads a synth output: a cdktf.out folder (with manifest.json), a stack folder
 * (with cdk.tf.json) or a stack JSON file. Returns stack name -> Terraform JSON.
 */
export function readSynthOutput(path: string): Map<string, StackJson> {
  if (!existsSync(path)) {
    throw new SynthOutputError(
      `${path} does not exist; pass a cdktf.out folder or a cdk.tf.json file (run "cdktf synth" first).`,
    );
  }
  if (!statSync(path).isDirectory()) {
    const name =
      basename(path) === 'cdk.tf.json' ? basename(dirname(path)) : basename(path).replace(/(\.tf)?\.json$/, '');
    return new Map([[name, readStackJson(path)]]);
  }
  const manifestPath = join(path, 'manifest.json');
  if (existsSync(manifestPath)) {
    return readManifest(path, manifestPath);
  }
  const single = join(path, 'cdk.tf.json');
  if (existsSync(single)) {
    return new Map([[basename(path), readStackJson(single)]]);
  }
  throw new SynthOutputError(
    `${path}: has neither manifest.json nor cdk.tf.json; ` +
      'pass a cdktf.out folder, a stack folder or a stack JSON file.',
  );
}

/** Every stack a cdktf.out folder's manifest names, read from its synthesized stack path. */
function readManifest(path: string, manifestPath: string): Map<string, StackJson> {
  const manifest = readJson(manifestPath) as { stacks?: Record<string, { synthesizedStackPath?: string }> };
  if (!isObject(manifest) || !isObject(manifest.stacks)) {
    throw new SynthOutputError(
      `${manifestPath}: has no "stacks" object; it is not a cdktf manifest. Re-run "cdktf synth".`,
    );
  }
  const stacks = new Map<string, StackJson>();
  for (const [name, entry] of Object.entries(manifest.stacks)) {
    if (!isObject(entry) || typeof entry.synthesizedStackPath !== 'string') {
      throw new SynthOutputError(
        `${manifestPath}: stacks.${name}.synthesizedStackPath is missing; re-run "cdktf synth".`,
      );
    }
    stacks.set(name, readStackJson(join(path, entry.synthesizedStackPath)));
  }
  return stacks;
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SynthOutputError(
      `${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
    );
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

/** A JSON value with every occurrence of each `before` folder in its strings replaced by `after`. */
function relocated(value: unknown, folders: ReadonlyArray<{ before: string; after: string }>): unknown {
  if (typeof value === 'string') {
    return folders.reduce((text, { before, after }) => text.split(before).join(after), value);
  }
  if (Array.isArray(value)) {
    return value.map((item) => relocated(item, folders));
  }
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, relocated(item, folders)]));
  }
  return value;
}

/**
 * Compares two synth outputs offline. Per stack, each resource is created, destroyed,
 * replaced, updated in place, unchanged, or unknown:
 *
 * - replaced: an attribute that forces a new resource changed (its name or generation,
 *   or any force-new attribute of the resource policy's table, whatever the
 *   type's class); or, for Image Builder components, recipes and images, any
 *   argument; or a force-new attribute follows a value that changes; or its
 *   `replace_triggered_by` names a resource (or attribute) that changes.
 * - updated: any other change, including an attribute that follows a value that changes.
 * - unknown: an argument follows a value preview cannot decide offline (a data source
 *   asked again with other arguments or in another region, a provider configured
 *   otherwise, a module, an instance count that changes): run a plan.
 *
 * Values are followed to a fixed point through resources, locals, variables (default and
 * type), data sources (their arguments, `depends_on`), outputs (across stacks, through
 * cdktf's cross-stack references) and provider configurations (region, default_tags and
 * the rest). Arguments named by `lifecycle.ignore_changes` are not updates (`ignored`).
 * What the stack as a whole changes that preview does not model (backend, provider
 * versions, modules, import blocks) is listed in `unknown`, and the stack is `changed`.
 *
 * `violation` is true for an immutable resource updated in place beyond its
 * operational attributes, and for a forbidden attribute that is set. When each side
 * holds a single stack, the two are compared whatever their names (two stack JSON files).
 */
export function previewChanges(
  before: Map<string, StackJson>,
  after: Map<string, StackJson>,
  options: PreviewOptions = {},
): StackPreview[] {
  // Two single-stack inputs (two stack JSON files) are the same stack, whatever their names.
  if (before.size === 1 && after.size === 1) {
    const [beforeName] = before.keys();
    const [afterName] = after.keys();
    if (beforeName !== afterName) {
      before = new Map([[afterName, before.get(beforeName)!]]);
    }
  }
  const detected = options.synthFolders === undefined ? synthFoldersOf(before, after) : [];
  const folders = [...(options.synthFolders ?? []), ...detected]
    .filter(({ before: b, after: a }) => b !== '' && b !== a)
    .sort((x, y) => y.before.length - x.before.length);
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  const models = new Map(
    names.map((stack) => {
      const side = before.get(stack);
      const relocatedSide = side && folders.length > 0 ? (relocated(side, folders) as StackJson) : side;
      return [stack, new StackModel(stack, relocatedSide, after.get(stack))];
    }),
  );
  const asking = new Set<string>();
  const crossStack: CrossStack = {
    output(stack: string, output: string): Status {
      const key = `${stack}\u0000${output}`;
      const model = models.get(stack);
      if (!model || asking.has(key)) {
        return model
          ? { level: 'maybe', cause: `output ${output} of stack ${stack} refers to itself` }
          : { level: 'no' };
      }
      asking.add(key);
      try {
        return model.outputStatus(output, crossStack);
      } finally {
        asking.delete(key);
      }
    },
  };
  for (let progress = true; progress;) {
    progress = false;
    for (const model of models.values()) {
      progress = model.step(crossStack) || progress;
    }
  }
  return names.map((stack) => {
    const preview = toPreview(stack, models.get(stack)!.result(crossStack));
    const notes = detected.map(
      (folder) =>
        `the two sides were synthesized in different folders (${folder.before}, ${folder.after}): paths under ` +
        "them (a local backend's state file) are compared as the same",
    );
    return notes.length > 0 && before.has(stack) && after.has(stack)
      ? { ...preview, notes: [...preview.notes, ...notes] }
      : preview;
  });
}

/**
 * The folders two synth outputs were made in, when cdktf's default local backend says so:
 * a stack whose state path is `<folder>/terraform.<stack>.tfstate` on both sides, in two
 * folders (two checkouts of one repository). Every stack must agree on the pair.
 */
function synthFoldersOf(
  before: Map<string, StackJson>,
  after: Map<string, StackJson>,
): Array<{ before: string; after: string }> {
  const pairs = new Set<string>();
  for (const [stack, json] of after) {
    const a = localStatePath(json);
    const b = localStatePath(before.get(stack));
    if (a === undefined || b === undefined || a === b) {
      continue;
    }
    const file = `terraform.${stack}.tfstate`;
    const folderOf = (path: string) => (path.endsWith(`/${file}`) ? path.slice(0, -file.length - 1) : undefined);
    const [fb, fa] = [folderOf(b), folderOf(a)];
    if (fb === undefined || fa === undefined || !fb.startsWith('/') || !fa.startsWith('/')) {
      return [];
    }
    pairs.add(JSON.stringify({ before: fb, after: fa }));
  }
  return pairs.size === 1 ? [JSON.parse([...pairs][0]) as { before: string; after: string }] : [];
}

/** The `path` of a stack's local backend, if it has one. */
function localStatePath(json: StackJson | undefined): string | undefined {
  const terraform = json?.terraform;
  const backend = isObject(terraform) ? terraform.backend : undefined;
  const local = isObject(backend) ? backend.local : undefined;
  return isObject(local) && typeof local.path === 'string' ? local.path : undefined;
}

/** Why a pinned slot's resource keeps what it ignores, when the mark does not say. */
const PINNED_REASON =
  'the slot is pinned to the definition it was deployed with; the change ships with its next release ' +
  '(cdktf-immutable release stage <env> --same-image)';

function toPreview(stack: string, result: ReturnType<StackModel['result']>): StackPreview {
  const resources = result.entries.map((entry): PreviewResource => {
    const ignored = [...entry.ignored].sort();
    const waits = entry.pinned !== undefined && ignored.length > 0;
    const action = actionOf(entry);
    if (waits && action === 'unchanged') {
      return {
        address: entry.address,
        type: entry.type,
        action: 'waits-for-release',
        changed: ignored,
        reason: entry.pinned?.reason ?? PINNED_REASON,
        ignored,
        waitsForRelease: true,
        violation: entry.violation,
        ...(entry.violationReason !== undefined ? { violationReason: entry.violationReason } : {}),
      };
    }
    const undecided = entry.undecided.find((u) => u.effect !== 'update') ?? entry.undecided[0];
    const reason = action === 'unknown' ? undecided?.reason : entry.reason;
    const when = action === 'unknown' ? ifChanged(entry) : undefined;
    return {
      address: entry.address,
      type: entry.type,
      action,
      changed: entry.changed,
      ...(reason !== undefined && ['replaced', 'updated', 'unknown'].includes(action) ? { reason } : {}),
      ...(when ? { ifChanged: when } : {}),
      ...(ignored.length > 0 ? { ignored } : {}),
      ...(waits && action !== 'replaced' ? { waitsForRelease: true } : {}),
      violation: entry.violation,
      ...(entry.violationReason !== undefined ? { violationReason: entry.violationReason } : {}),
    };
  });
  const changed =
    resources.some((r) => r.action !== 'unchanged' && r.action !== 'waits-for-release') ||
    result.outputs.length > 0 ||
    result.unknown.length > 0;
  return { stack, resources, changed, outputs: result.outputs, unknown: result.unknown, notes: result.notes };
}

/** True when any stack would update an immutable resource in place, or sets a forbidden attribute. */
export function hasViolations(preview: ReadonlyArray<Pick<StackPreview, 'resources'>>): boolean {
  return preview.some((stack) => stack.resources.some((resource) => resource.violation));
}
