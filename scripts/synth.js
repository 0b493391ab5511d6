#!/usr/bin/env node
// Synthesizes every stack with the cdktf CLI (no cloud credentials needed) and prints
// where the Terraform JSON of each stack went.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const config = JSON.parse(fs.readFileSync(path.join(root, 'cdktf.json'), 'utf8'));
const outdir = path.resolve(root, config.output || 'cdktf.out');
const cli = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'cdktf.cmd' : 'cdktf');
if (!fs.existsSync(cli)) {
  console.error('cdktf CLI not found in node_modules: run "npm ci" first.');
  process.exit(2);
}
const env = { ...process.env, CHECKPOINT_DISABLE: '1', CI: process.env.CI || '1' };
// The cdktf CLI asks terraform/tofu for its version; a TF_CLI_CONFIG_FILE pointing at a
// missing file only makes it print warnings, so drop it.
if (env.TF_CLI_CONFIG_FILE && !fs.existsSync(env.TF_CLI_CONFIG_FILE)) {
  delete env.TF_CLI_CONFIG_FILE;
}
const result = spawnSync(cli, ['synth', '--output', outdir, ...process.argv.slice(2)], {
  cwd: root,
  env,
  stdio: 'inherit',
});
if (result.status !== 0) {
  process.exit(result.status === null ? 1 : result.status);
}
const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
console.log('\nTerraform JSON written to:');
for (const [name, stack] of Object.entries(manifest.stacks)) {
  console.log(`  ${name}: ${path.join(outdir, stack.synthesizedStackPath)}`);
}
