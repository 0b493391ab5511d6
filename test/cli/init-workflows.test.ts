/**
 * The scaffold's pipelines are valid where they run. GitHub Actions: every workflow is
 * parsed and validated by GitHub's own workflow parser and schema
 * (@actions/workflow-parser, run by test/support/github-workflow-check.mjs). GitLab CI:
 * the registries this machine reaches hold GitLab's CI schema only inside a bundled tool
 * that needs node 22 (gitlab-ci-local), so .gitlab-ci.yml is validated structurally here:
 * top-level and job keywords from GitLab's keyword reference, stages, extends, rules,
 * environments and scripts.
 */
import { spawnSync } from 'child_process';
import { readdirSync, readFileSync } from 'fs';
import { join, resolve } from 'path';
import { parse } from 'yaml';

const TEMPLATES = resolve(__dirname, '..', '..', 'packages', 'cli', 'templates', 'init');
const WORKFLOWS = join(TEMPLATES, 'github', 'workflows');
const CHECK = resolve(__dirname, '..', 'support', 'github-workflow-check.mjs');

/** Validates workflow files with @actions/workflow-parser: file -> errors and job ids. */
function checkWorkflows(files: readonly string[]): Map<string, { errors: string[]; jobs: string[] }> {
  const result = spawnSync(process.execPath, [CHECK, ...files], { encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) {
    throw new Error(`${CHECK} exited ${result.status}: ${result.stderr}`);
  }
  return new Map(
    result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { file: string; errors: string[]; jobs: string[] })
      .map(({ file, errors, jobs }) => [file, { errors, jobs }]),
  );
}

describe('GitHub Actions workflows of the scaffold', () => {
  const files = readdirSync(WORKFLOWS).map((name) => join(WORKFLOWS, name));
  const checked = checkWorkflows([...files, join(__dirname, 'fixtures', 'broken-workflow.yml')]);

  test.each(readdirSync(WORKFLOWS))('%s is a valid workflow by the GitHub workflow schema', (name) => {
    expect(checked.get(join(WORKFLOWS, name))).toMatchObject({ errors: [] });
    expect(checked.get(join(WORKFLOWS, name))!.jobs.length).toBeGreaterThan(0);
  });

  test('the check finds errors: a misspelt key and a job without runs-on', () => {
    const errors = checked.get(join(__dirname, 'fixtures', 'broken-workflow.yml'))!.errors.join('\n');
    expect(errors).toContain("Unexpected value 'stepz'");
    expect(errors).toMatch(/runs-on/);
  });

  test('every call of the reusable deploy workflow passes exactly its inputs', () => {
    const reusable = parse(readFileSync(join(WORKFLOWS, 'deploy-stack.yml'), 'utf8'));
    const inputs = Object.keys(reusable.on.workflow_call.inputs).sort();
    const deploy = parse(readFileSync(join(WORKFLOWS, 'deploy.yml'), 'utf8'));
    for (const job of Object.values(deploy.jobs) as Array<{ uses: string; with: Record<string, string> }>) {
      expect(job.uses).toBe('./.github/workflows/deploy-stack.yml');
      expect(Object.keys(job.with).sort()).toEqual(inputs);
    }
  });
});

/** GitLab CI's top-level keywords and job keywords (docs.gitlab.com/ci/yaml). */
const GITLAB_TOP = new Set(['default', 'include', 'stages', 'variables', 'workflow', 'spec']);
const GITLAB_DEFAULT = new Set([
  'after_script',
  'artifacts',
  'before_script',
  'cache',
  'hooks',
  'id_tokens',
  'image',
  'interruptible',
  'retry',
  'services',
  'tags',
  'timeout',
]);
const GITLAB_JOB = new Set([
  ...GITLAB_DEFAULT,
  'allow_failure',
  'coverage',
  'dast_configuration',
  'dependencies',
  'environment',
  'extends',
  'identity',
  'inherit',
  'manual_confirmation',
  'needs',
  'pages',
  'parallel',
  'release',
  'resource_group',
  'rules',
  'script',
  'secrets',
  'stage',
  'trigger',
  'variables',
  'when',
]);
const RULE_KEYS = new Set(['if', 'changes', 'exists', 'when', 'allow_failure', 'variables', 'needs', 'interruptible']);
const WHEN = new Set(['on_success', 'on_failure', 'always', 'never', 'manual', 'delayed']);
const TIERS = new Set(['production', 'staging', 'testing', 'development', 'other']);

/** Structural problems of a GitLab CI configuration, as messages naming the job and key. */
function gitlabProblems(config: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const stages = (config.stages as string[] | undefined) ?? ['build', 'test', 'deploy'];
  const jobs = Object.entries(config).filter(([key]) => !GITLAB_TOP.has(key));
  const names = new Set(jobs.map(([name]) => name));
  const checkRules = (where: string, rules: unknown) => {
    if (!Array.isArray(rules)) {
      problems.push(`${where}: rules must be a list`);
      return;
    }
    for (const rule of rules as Array<Record<string, unknown>>) {
      for (const key of Object.keys(rule)) {
        if (!RULE_KEYS.has(key)) {
          problems.push(`${where}: unknown rules key "${key}"`);
        }
      }
      if (rule.when !== undefined && !WHEN.has(rule.when as string)) {
        problems.push(`${where}: rules when "${String(rule.when)}"`);
      }
    }
  };
  for (const [key, value] of Object.entries((config.default as Record<string, unknown>) ?? {})) {
    if (!GITLAB_DEFAULT.has(key)) {
      problems.push(`default: "${key}" is not a default keyword`);
    }
    void value;
  }
  if (config.workflow) {
    checkRules('workflow', (config.workflow as { rules: unknown }).rules);
  }
  for (const [name, job] of jobs as Array<[string, Record<string, unknown>]>) {
    if (job === null || typeof job !== 'object') {
      problems.push(`${name}: not a job`);
      continue;
    }
    for (const key of Object.keys(job)) {
      if (!GITLAB_JOB.has(key)) {
        problems.push(`${name}: "${key}" is not a job keyword`);
      }
    }
    const parents = job.extends === undefined ? [] : [job.extends].flat();
    for (const parent of parents as string[]) {
      if (!names.has(parent)) {
        problems.push(`${name}: extends "${parent}", which is not defined`);
      }
    }
    if (job.rules !== undefined) {
      checkRules(name, job.rules);
    }
    if (name.startsWith('.')) {
      continue;
    }
    const merged = parents.reduce<Record<string, unknown>>(
      (acc, parent) => ({ ...(config[parent as string] as object), ...acc }),
      { ...job },
    );
    if (!Array.isArray(merged.script) || merged.script.some((line) => typeof line !== 'string')) {
      problems.push(`${name}: script must be a list of strings`);
    }
    if (merged.stage !== undefined && !stages.includes(merged.stage as string)) {
      problems.push(`${name}: stage "${String(merged.stage)}" is not in stages`);
    }
    const environment = merged.environment as { name?: string; deployment_tier?: string } | undefined;
    if (environment !== undefined && (typeof environment.name !== 'string' || environment.name === '')) {
      problems.push(`${name}: environment needs a name`);
    }
    if (environment?.deployment_tier !== undefined && !TIERS.has(environment.deployment_tier)) {
      problems.push(`${name}: deployment_tier "${environment.deployment_tier}"`);
    }
  }
  return problems;
}

describe('GitLab CI of the scaffold', () => {
  const config = parse(readFileSync(join(TEMPLATES, 'gitlab-ci.yml'), 'utf8')) as Record<string, unknown>;

  test('is structurally valid GitLab CI', () => {
    expect(gitlabProblems(config)).toEqual([]);
  });

  test('the structural check finds errors', () => {
    expect(
      gitlabProblems({
        stages: ['a'],
        job: { stage: 'b', scriptt: ['x'], extends: '.missing', rules: [{ iff: 'x', when: 'later' }] },
      }),
    ).toEqual([
      'job: "scriptt" is not a job keyword',
      'job: extends ".missing", which is not defined',
      'job: unknown rules key "iff"',
      'job: rules when "later"',
      'job: script must be a list of strings',
      'job: stage "b" is not in stages',
    ]);
  });

  test('merge requests plan and guard; the default branch deploys in order; prod waits for a person', () => {
    const job = (name: string) => config[name] as Record<string, unknown>;
    expect(config.stages).toEqual(['review', 'images', 'dev', 'prod', 'rollout']);
    expect(['deploy-images', 'deploy-dev', 'deploy-prod'].map((name) => job(name).stage)).toEqual([
      'images',
      'dev',
      'prod',
    ]);
    expect(job('deploy-prod').rules).toEqual([expect.objectContaining({ when: 'manual' })]);
    expect(job('deploy-prod').allow_failure).toBe(false);
    expect(job('deploy-prod').environment).toEqual({ name: 'production', deployment_tier: 'production' });
    expect(job('rollout').rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "schedule"' }]);
  });
});
