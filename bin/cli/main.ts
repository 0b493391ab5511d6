import { CliError, EXIT_BAD_INPUT, EXIT_OK } from './errors';
import type { CliIo } from './io';
import { packageInfo } from './package-info';

export const USAGE = `Usage: cdktf-immutable <command> [options]

Immutable infrastructure on AWS with CDK for Terraform.

Commands:
  release init|stage|promote|advance|run|rollback|status
                    Edit and show the per-environment release files (releases/<env>.json);
                    stepped rollouts gated by CloudWatch alarms (promote --steps, advance, run).
                    "cdktf-immutable release --help" for details.
  preview <before> <after> [--json] [--detailed-exitcode]
  preview --base <git-ref> [<after>] [--json] [--detailed-exitcode]
                    Compare two synth outputs (cdktf.out folders or stack JSON files)
                    offline: created, destroyed, replaced, updated in place, unchanged,
                    or "unknown: run a plan", following references through resources,
                    locals, variables, data sources, outputs and providers. --base
                    synthesizes <git-ref> in a temporary git worktree (removed
                    afterwards) with its own dependencies (npm ci into a cache keyed by
                    its lockfile) and compares it with <after> or the working tree.
                    Exit 1 if an immutable resource would be updated in place or a
                    forbidden attribute is set; with --detailed-exitcode, 3 if a stack
                    changes or holds an unknown; 130 if interrupted.
  guard <plan.json> [--config <cdk.tf.json>] [--allow-destroy <address or glob>]... [--json]
                    Check the JSON of a saved plan ("tofu show -json plan"). Exit 1 on
                    an immutable resource updated in place beyond operational
                    attributes, replaced delete-before-create, replaced
                    create-before-destroy under the same fixed name, destroyed with no
                    replacement at its address (unless --allow-destroy names it), or
                    drifted; a forbidden attribute set; the template or group of a
                    slot that serves traffic changed outside a release; a target group
                    replaced delete-before-create; a resource destroyed while a kept
                    slot uses it. --config (the synthesized stack) also refuses
                    unacknowledged ignore_changes and removed replace_triggered_by on
                    immutable resources. forget and moved pass.
  deploy <stack> [--auto-approve] [--plan-only] [--allow-destroy <address or glob>]...
         [--synth-dir <dir>] [--release <env or file>] [--no-live-check <reason>]
                    The guarded apply: synth, check that the load balancer serves what
                    the release file says it served (or asks for), plan to a file with
                    Terraform or OpenTofu (TERRAFORM_BINARY_NAME, as for cdktf), guard
                    the plan, confirm (--auto-approve in CI), then apply exactly that
                    plan. Exit 1 before apply on a violation or a stale release file.
                    "deploy --help" for details.
  init [dir] [--force [--overwrite]] [--from <tarball, git URL or range>]
                    Scaffold an IaC repository: package.json, cdktf.json with the fast
                    runner, an images stack and one stack per environment, releases/,
                    tests, and GitHub Actions and GitLab CI pipelines (pull request,
                    deploy on merge, rollout timer). Refuses a folder that is not empty
                    (exit 1) unless --force, which never overwrites a file that differs
                    without --overwrite. "init --help" for details.
  --help, -h        Show this help.
  --version, -v     Print the version.

Exit codes:
  0  success
  1  refused (an invalid transition) or violations found
  2  bad input (unreadable or malformed file, bad arguments)
  3  changes (preview --detailed-exitcode)
  130  interrupted (preview --base, after removing its temporary worktree; release run)
`;

/**
 * Runs the command line and returns the exit code; a promise of it for the commands
 * that read AWS (release advance, run, and status of a running rollout).
 */
export function main(argv: readonly string[], io: CliIo): number | Promise<number> {
  const report = (error: unknown): number => {
    if (error instanceof CliError) {
      io.err(`cdktf-immutable: ${error.message}\n`);
      return error.exitCode;
    }
    io.err(`cdktf-immutable: ${(error as Error).message ?? String(error)}\n`);
    return EXIT_BAD_INPUT;
  };
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.out(USAGE);
      return EXIT_OK;
    }
    if (command === '--version' || command === '-v' || command === 'version') {
      if (rest.length > 0) {
        throw new CliError(`--version takes no arguments (got "${rest.join(' ')}").`);
      }
      io.out(`${packageInfo().version}\n`);
      return EXIT_OK;
    }
    // Subcommands are loaded on demand: none of them needs cdktf, and --version stays instant.
    if (command === 'release') {
      const result = (require('./release') as typeof import('./release')).releaseCommand(rest, io);
      return typeof result === 'number' ? result : result.catch(report);
    }
    if (command === 'preview') {
      return (require('./review') as typeof import('./review')).previewCommand(rest, io);
    }
    if (command === 'init') {
      return (require('./init') as typeof import('./init')).initCommand(rest, io);
    }
    if (command === 'guard') {
      return (require('./review') as typeof import('./review')).guardCommand(rest, io);
    }
    if (command === 'deploy') {
      return (require('./deploy') as typeof import('./deploy')).deployCommand(rest, io).catch(report);
    }
    throw new CliError(`unknown command "${command}". Run "cdktf-immutable --help" for the list of commands.`);
  } catch (error) {
    return report(error);
  }
}
