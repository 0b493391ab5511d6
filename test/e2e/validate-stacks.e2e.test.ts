/**
 * (1) Every synthesized stack of stacks/ and examples/ (scripts/synth-all.sh) passes
 * `tofu init` + `tofu validate`, and `tofu plan -refresh=false` against moto. Nothing
 * here is applied (the Image Builder and Docker stacks never are).
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join, relative } from 'path';
import { MotoServer, startMoto } from './harness/moto';
import { actionCounts, init, logPlan, ROOT, savedPlan, tofu } from './harness/tofu';

const work = mkdtempSync(join(tmpdir(), 'e2e-validate-'));
let moto: MotoServer;
let stacks: string[] = [];

beforeAll(async () => {
  moto = await startMoto(work);
  const synth = spawnSync('bash', [join(ROOT, 'scripts', 'synth-all.sh'), join(work, 'synth')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (synth.status !== 0) {
    throw new Error(`scripts/synth-all.sh failed:\n${synth.stdout}\n${synth.stderr}`);
  }
  stacks = synth.stdout
    .trim()
    .split('\n')
    .filter((l) => l.endsWith('cdk.tf.json'))
    .map((f) => dirname(f));
});

afterAll(async () => {
  await moto?.stop();
});

test('synth-all produced the stacks of stacks/ and every example', () => {
  const names = stacks.map((s) => relative(join(work, 'synth'), s)).sort();
  console.log(`[e2e] stacks:\n  ${names.join('\n  ')}`);
  expect(names).toEqual(
    expect.arrayContaining([
      'app/stacks/images',
      'examples/ami-pipeline/stacks/ami-pipeline',
      'examples/docker-image-pipeline/stacks/docker-image-pipeline',
      'examples/blue-green-service/stacks/web-prod',
      'examples/replace-service/stacks/orders-api-staging',
    ]),
  );
  expect(names.filter((n) => n.startsWith('app/stacks/service-')).length).toBeGreaterThan(0);
});

test('every stack: tofu init + validate pass, and plan -refresh=false runs against moto', async () => {
  const results: string[] = [];
  const failures: string[] = [];
  for (const dir of stacks) {
    const name = relative(join(work, 'synth'), dir);
    // The stacks' local backends point at files in the repository (examples use
    // absolute paths); a tofu override file in this throwaway copy keeps the state here.
    writeFileSync(
      join(dir, 'e2e_override.tf.json'),
      JSON.stringify({ terraform: { backend: { local: { path: 'e2e.tfstate' } } } }),
    );
    await init(dir, moto.env);
    const validated = await tofu(dir, ['validate', '-no-color', '-json'], moto.env);
    const report = JSON.parse(validated.stdout);
    if (validated.code !== 0 || report.valid !== true) {
      failures.push(`${name}: validate failed: ${validated.stdout}`);
      continue;
    }
    const warnings = (report.diagnostics ?? []).filter((d: any) => d.severity === 'warning').map((d: any) => d.summary);
    const plan = await savedPlan(dir, 'validate', moto.env, ['-refresh=false']).catch((error: Error) => error);
    if (plan instanceof Error) {
      failures.push(`${name}: plan failed: ${plan.message}`);
      continue;
    }
    logPlan(`plan ${name}`, plan.json);
    const counts = actionCounts(plan.json);
    // a fresh state: everything is created, nothing else
    if (counts.update + counts.delete + counts.replace !== 0 || counts.create === 0) {
      failures.push(`${name}: unexpected plan of an empty state: ${JSON.stringify(counts)}`);
    }
    results.push(
      `${name}: valid${warnings.length ? ` (warnings: ${[...new Set(warnings)].join('; ')})` : ''}, plan ${JSON.stringify(counts)}`,
    );
  }
  console.log(`[e2e] validate + plan:\n  ${results.join('\n  ')}`);
  expect(failures).toEqual([]);
});
