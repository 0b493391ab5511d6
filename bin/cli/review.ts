import { CliError, EXIT_BAD_INPUT, EXIT_OK, EXIT_REFUSED } from './errors';
import { parseArgs } from './args';
import type { CliIo } from './io';
import { guardPlan, hasViolations, PlanFileError, previewChanges, readPlanFile, readSynthOutput, SynthOutputError } from '../../lib/review';

/** `cdktf-immutable preview <before> <after> [--json]` */
export function previewCommand(argv: readonly string[], io: CliIo): number {
  const args = parseArgs(argv, { switches: ['json'] }, 'preview');
  if (args.positionals.length !== 2) {
    throw new CliError(`preview: expected <before> and <after> (two cdktf.out folders or stack JSON files), got ${args.positionals.length} argument(s).`);
  }
  let preview;
  try {
    preview = previewChanges(readSynthOutput(args.positionals[0]), readSynthOutput(args.positionals[1]));
  } catch (error) {
    if (error instanceof SynthOutputError) {
      throw new CliError(`preview: ${error.message}`, EXIT_BAD_INPUT);
    }
    throw error;
  }
  const violations = hasViolations(preview);
  if (args.options.has('json')) {
    io.out(`${JSON.stringify({ stacks: preview, violations }, null, 2)}\n`);
    return violations ? EXIT_REFUSED : EXIT_OK;
  }
  const totals: Record<string, number> = { created: 0, destroyed: 0, replaced: 0, updated: 0, unchanged: 0 };
  for (const stack of preview) {
    io.out(`Stack ${stack.stack}\n`);
    let unchanged = 0;
    for (const resource of stack.resources) {
      totals[resource.action]++;
      if (resource.action === 'unchanged') {
        unchanged++;
        continue;
      }
      const label = resource.action === 'updated' ? 'updated in place' : resource.action;
      const detail = resource.action === 'replaced'
        ? `  (${resource.reason})`
        : resource.action === 'updated' ? `  ${resource.changed.join(', ')}` : '';
      const flag = resource.violation ? '  !! immutable resource updated in place' : '';
      io.out(`  ${label.padEnd(16)} ${resource.address}${detail}${flag}\n`);
    }
    io.out(`  ${'unchanged'.padEnd(16)} ${unchanged} resource(s)\n`);
  }
  io.out(`Summary: ${preview.length} stack(s): ${totals.replaced} replaced, ${totals.updated} updated in place, ${totals.created} created, ${totals.destroyed} destroyed, ${totals.unchanged} unchanged\n`);
  if (violations) {
    io.err('preview: an immutable resource would be updated in place (marked !!); make the change produce a new generation instead.\n');
    return EXIT_REFUSED;
  }
  return EXIT_OK;
}

/** `cdktf-immutable guard <plan.json> [--json]` */
export function guardCommand(argv: readonly string[], io: CliIo): number {
  const args = parseArgs(argv, { switches: ['json'] }, 'guard');
  if (args.positionals.length !== 1) {
    throw new CliError(`guard: expected one plan JSON file (the output of "tofu show -json <plan>"), got ${args.positionals.length} argument(s).`);
  }
  const file = args.positionals[0];
  let report;
  try {
    report = guardPlan(readPlanFile(file), file);
  } catch (error) {
    if (error instanceof PlanFileError) {
      throw new CliError(`guard: ${error.message}`, EXIT_BAD_INPUT);
    }
    throw error;
  }
  const failed = report.violations.length > 0;
  if (args.options.has('json')) {
    io.out(`${JSON.stringify({ ok: !failed, ...report }, null, 2)}\n`);
    return failed ? EXIT_REFUSED : EXIT_OK;
  }
  const counts = Object.entries(report.actions).map(([action, n]) => `${n} ${action}`).join(', ');
  io.out(`Plan actions: ${counts || 'none'}\n`);
  for (const update of report.operationalUpdates) {
    io.out(`  ok  ${update.address}: operational update (${update.attributes.join(', ')})\n`);
  }
  for (const violation of report.violations) {
    const what = violation.kind === 'update-in-place'
      ? `updated in place (${violation.attributes.join(', ')})`
      : `replaced delete-before-create (the old one is destroyed before its replacement exists)${violation.attributes.length ? ` (${violation.attributes.join(', ')})` : ''}`;
    io.out(`  FAIL ${violation.address}: immutable ${violation.type} ${what}\n`);
  }
  if (failed) {
    io.err(`guard: ${report.violations.length} violation(s): immutable resources must be replaced create-before-destroy, never changed in place.\n`);
    return EXIT_REFUSED;
  }
  io.out('guard: ok, no immutable resource is changed in place.\n');
  return EXIT_OK;
}
