import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { App } from 'cdktf';

const ROOT = resolve(__dirname, '..', '..');

/**
 * Synthesizes an app exactly as `cdktf synth` does (the real App, aspects and
 * validations) into a temporary folder and returns each stack's Terraform JSON text,
 * with this checkout's absolute path replaced by <repo> so snapshots match on every
 * machine.
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
      stacks[name] = readFileSync(join(outdir, stack.synthesizedStackPath), 'utf8').split(ROOT).join('<repo>');
    }
    return stacks;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
