#!/usr/bin/env node
// A stand-in for the terraform / tofu binary in unit tests of `cdktf-immutable deploy`
// (the real one runs in test/e2e/deploy-path.e2e.test.ts). It logs every call to
// $FAKE_TF_LOG (one JSON line: the arguments and the folder), and:
//   init   exits $FAKE_TF_INIT_EXIT (0)
//   plan   writes the -out file, prints a plan summary, exits $FAKE_TF_PLAN_EXIT (2: changes)
//   show   prints the file $FAKE_TF_PLAN_JSON (a saved plan's JSON)
//   apply  appends "applied <plan file>" to $FAKE_TF_STATE, exits $FAKE_TF_APPLY_EXIT (0)
const { appendFileSync, readFileSync, writeFileSync } = require('fs');
const { join } = require('path');

const [command, ...args] = process.argv.slice(2);
appendFileSync(process.env.FAKE_TF_LOG, `${JSON.stringify({ command, args, cwd: process.cwd() })}\n`);
const exit = (name, fallback) => process.exit(Number(process.env[name] ?? fallback));
if (command === 'init') {
  console.log('OpenTofu has been successfully initialized!');
  exit('FAKE_TF_INIT_EXIT', 0);
}
if (command === 'plan') {
  const out = args.find((arg) => arg.startsWith('-out=')).slice('-out='.length);
  writeFileSync(join(process.cwd(), out), 'a binary plan');
  console.log('Plan: 2 to add, 1 to change, 0 to destroy.');
  exit('FAKE_TF_PLAN_EXIT', 2);
}
if (command === 'show') {
  process.stdout.write(readFileSync(process.env.FAKE_TF_PLAN_JSON, 'utf8'));
  exit('FAKE_TF_SHOW_EXIT', 0);
}
if (command === 'apply') {
  appendFileSync(process.env.FAKE_TF_STATE, `applied ${args[args.length - 1]}\n`);
  console.log('Apply complete! Resources: 2 added, 1 changed, 0 destroyed.');
  exit('FAKE_TF_APPLY_EXIT', 0);
}
console.error(`fake terraform: unknown command ${command}`);
process.exit(1);
