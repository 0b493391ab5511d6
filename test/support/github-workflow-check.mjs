// Validates GitHub Actions workflow files with GitHub's own parser and schema
// (@actions/workflow-parser, the parser of the Actions language services): prints one JSON
// line per file, {"file", "errors": [...], "jobs": [...]}. An ES module with JSON imports
// that node 20 loads only with an import attribute, so a loader hook adds it.
import { register } from 'node:module';
import { readFileSync } from 'node:fs';
import { argv, stdout } from 'node:process';

const hook = `export async function load(url, context, next) {
  return url.endsWith('.json')
    ? next(url, { ...context, importAttributes: { ...context.importAttributes, type: 'json' } })
    : next(url, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await import('@actions/workflow-parser');

for (const file of argv.slice(2)) {
  const parsed = parseWorkflow({ name: file, content: readFileSync(file, 'utf8') }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((error) => error.message);
  const template = parsed.value ? await convertWorkflowTemplate(parsed.context, parsed.value) : undefined;
  for (const error of template?.errors ?? []) {
    if (!errors.includes(error.Message)) {
      errors.push(error.Message);
    }
  }
  const jobs = (template?.jobs ?? []).map((job) => job.id?.value);
  stdout.write(`${JSON.stringify({ file, errors, jobs })}\n`);
}
