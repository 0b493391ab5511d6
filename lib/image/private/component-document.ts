import { parseDocument } from 'yaml';
import { InputError } from '../../private/validation';

/** Image Builder's limit on an inline component document (the `data` argument). */
export const MAX_COMPONENT_DOCUMENT_LENGTH = 16000;

const PHASES = ['build', 'validate', 'test'];

/**
 * Checks that `text` is one YAML document in the shape of an AWSTOE component
 * document: a mapping with `schemaVersion: 1.0` and a non-empty `phases` list whose
 * phases are named build, validate or test (each at most once) and hold a non-empty
 * list of steps, each with a `name` (unique in its phase) and an `action`.
 * Throws an InputError whose message says what is wrong and how to fix it; the public
 * caller (`ImageComponent`) wraps it into a ValidationError naming the component.
 */
export function validateComponentDocument(text: string): void {
  if (text.trim() === '') {
    throw new InputError(`the document is empty; write a component document with schemaVersion: 1.0 and phases.`);
  }
  if (text.length > MAX_COMPONENT_DOCUMENT_LENGTH) {
    throw new InputError(
      `the document has ${text.length} characters, more than Image Builder's ${MAX_COMPONENT_DOCUMENT_LENGTH} for ` +
        `an inline component; split it into several components.`,
    );
  }
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new InputError(`the document is not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
  }
  const value: unknown = doc.toJS();
  if (!isRecord(value)) {
    throw new InputError(`the document must be a YAML mapping with schemaVersion and phases, not ${describe(value)}.`);
  }
  if (!('schemaVersion' in value)) {
    throw new InputError(`the document has no schemaVersion; add "schemaVersion: 1.0" at the top.`);
  }
  if (value.schemaVersion !== 1 && value.schemaVersion !== '1.0') {
    throw new InputError(
      `schemaVersion (${JSON.stringify(value.schemaVersion)}) must be 1.0, the only version AWSTOE accepts.`,
    );
  }
  const phases = value.phases;
  if (phases === undefined) {
    throw new InputError(`the document has no phases; add a phases list with a build, validate or test phase.`);
  }
  if (!Array.isArray(phases) || phases.length === 0) {
    throw new InputError(`phases must be a non-empty list of phases (build, validate, test), not ${describe(phases)}.`);
  }
  const seen = new Set<string>();
  phases.forEach((phase: unknown, i: number) => validatePhase(phase, `phases[${i}]`, seen));
}

/** One phase: a known name, once, and a non-empty list of steps with unique names and an action. */
function validatePhase(phase: unknown, at: string, seen: Set<string>): void {
  if (!isRecord(phase)) {
    throw new InputError(`${at} must be a mapping with name and steps, not ${describe(phase)}.`);
  }
  if (typeof phase.name !== 'string' || !PHASES.includes(phase.name)) {
    throw new InputError(`${at}.name (${JSON.stringify(phase.name)}) must be build, validate or test.`);
  }
  if (seen.has(phase.name)) {
    throw new InputError(`${at}.name ("${phase.name}") appears twice; merge the steps into one ${phase.name} phase.`);
  }
  seen.add(phase.name);
  const steps = phase.steps;
  if (!Array.isArray(steps) || steps.length === 0) {
    throw new InputError(
      `${at}.steps (phase ${phase.name}) must be a non-empty list of steps, not ${describe(steps)}.`,
    );
  }
  const names = new Set<string>();
  steps.forEach((step: unknown, j: number) => validateStep(step, `${at}.steps[${j}]`, phase.name as string, names));
}

function validateStep(step: unknown, at: string, phase: string, names: Set<string>): void {
  if (!isRecord(step)) {
    throw new InputError(`${at} must be a mapping with name and action, not ${describe(step)}.`);
  }
  if (typeof step.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(step.name)) {
    throw new InputError(`${at}.name (${JSON.stringify(step.name)}) must be a word of letters, digits, "_" and "-".`);
  }
  if (names.has(step.name)) {
    throw new InputError(
      `${at}.name ("${step.name}") is used twice in phase ${phase}; step names must be unique in a phase.`,
    );
  }
  names.add(step.name);
  if (typeof step.action !== 'string' || step.action.trim() === '') {
    throw new InputError(
      `${at}.action (${JSON.stringify(step.action)}) must name an AWSTOE action such as ExecuteBash.`,
    );
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null || value === undefined) {
    return 'empty';
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  return typeof value === 'object' ? 'a mapping' : `${typeof value} ${JSON.stringify(value)}`;
}
