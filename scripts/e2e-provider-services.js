#!/usr/bin/env node
// Checks that the e2e AWS provider (built by scripts/e2e-toolchain.sh with only the service
// packages of scripts/e2e-provider-services.txt) holds every resource and data source type
// that the stacks, the examples and the e2e apps synthesize.
//
//   node scripts/e2e-provider-services.js check    fails, naming the type, its service
//                                                  package and the file to edit, when a type
//                                                  is outside the set
//   node scripts/e2e-provider-services.js derive   prints the service packages in use, with
//                                                  their types, and how they compare to the set
//
// Options:
//   --synth-dir DIR   read the cdk.tf.json files under DIR (repeatable) instead of
//                     synthesizing stacks/main.ts, examples/*/main.ts (scripts/synth-all.sh)
//                     and every stack of test/e2e/apps/app.ts
//   --types FILE      type -> service package table (default: aws-provider-types.tsv of the
//                     toolchain, written by scripts/e2e-toolchain.sh from the full provider source)
//   --services FILE   the set (default: $E2E_PROVIDER_SERVICES_FILE or scripts/e2e-provider-services.txt)
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const DEFAULT_SERVICES = path.join(ROOT, 'scripts', 'e2e-provider-services.txt');
const E2E_APP = path.join('test', 'e2e', 'apps', 'app.ts');

/**
 * Inputs the e2e app reads from the environment (see its header), with placeholder values
 * that make every stack synthesize its largest form (both slots with an image, a canary,
 * the optional security group). A new E2E_* input needs a placeholder here.
 */
function e2eInputs(dir) {
  const releaseFile = path.join(dir, 'e2e.json');
  fs.writeFileSync(
    releaseFile,
    `${JSON.stringify(
      {
        version: 1,
        environment: 'e2e',
        active: 'blue',
        canary: 10,
        previous: null,
        slots: {
          blue: { image: 'ami-0123456789abcdef0', stagedAt: null, source: null },
          green: { image: 'ami-0fedcba9876543210', stagedAt: null, source: null },
        },
      },
      null,
      2,
    )}\n`,
  );
  // wave: one region's file of fleet "web" released per region (releases/web/<region>/prod.json)
  const releases = path.join(dir, 'releases');
  const region = 'eu-west-1';
  fs.mkdirSync(path.join(releases, 'web', region), { recursive: true });
  const wave = { ...JSON.parse(fs.readFileSync(releaseFile, 'utf8')), environment: 'prod', fleet: 'web', region };
  fs.writeFileSync(path.join(releases, 'web', region, 'prod.json'), `${JSON.stringify(wave, null, 2)}\n`);
  return {
    E2E_RELEASE_FILE: releaseFile,
    // shared-lb: both fleets from a release file; idle: the idle time; wave: the folder and region
    E2E_WEB_RELEASE_FILE: releaseFile,
    E2E_API_RELEASE_FILE: releaseFile,
    E2E_IDLE_AFTER: '1h',
    E2E_RELEASES: releases,
    E2E_WAVE_REGION: region,
    E2E_IMAGE: 'ami-0123456789abcdef0',
    E2E_USER_DATA: '#!/bin/bash\necho check\n',
    E2E_MUTATION: JSON.stringify({
      profilePrefix: 'e2e-check',
      extraSecurityGroup: true,
      userData: '#!/bin/bash\n',
      rootVolumeGiB: 8,
    }),
    // image-loop: the dev stack (the load balancer's owner; prod adds a listener rule, no other type)
    E2E_LOOP_ENV: 'dev',
    E2E_CONTAINER: `registry.example.com/web@sha256:${'0'.repeat(64)}`,
    // rollout: with the fleet's own alarms (the e2e plans them on the real provider)
    E2E_FLEET_ALARMS: '1',
  };
}

function fail(message) {
  process.stderr.write(`e2e-provider-services: ${message}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const [command, ...rest] = argv;
  if (command !== 'check' && command !== 'derive') {
    fail(`unknown command ${JSON.stringify(command ?? '')}: use "check" or "derive"`);
  }
  const options = { command, synthDirs: [], types: undefined, services: undefined };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = rest[i + 1];
    if (!['--synth-dir', '--types', '--services'].includes(flag)) {
      fail(`unknown option ${JSON.stringify(flag)} (options: --synth-dir DIR, --types FILE, --services FILE)`);
    }
    if (value === undefined || value.startsWith('--')) {
      fail(`${flag} needs a value`);
    }
    i++;
    if (flag === '--synth-dir') {
      options.synthDirs.push(path.resolve(value));
    } else {
      options[flag.slice(2)] = path.resolve(value);
    }
  }
  return options;
}

/** The set: one service package name a line, `#` comments; the same rules as the toolchain. */
function readServices(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    fail(`cannot read the service list ${file}: ${error.message}`);
  }
  const services = new Set();
  text.split('\n').forEach((line, i) => {
    for (const word of line.replace(/#.*/, '').trim().split(/\s+/).filter(Boolean)) {
      if (!/^[a-z0-9]+$/.test(word)) {
        fail(
          `${file}:${i + 1}: ${JSON.stringify(word)} is not a service package name (one lowercase name a line, # comments)`,
        );
      }
      services.add(word);
    }
  });
  if (services.size === 0) {
    fail(`${file} lists no service package`);
  }
  return services;
}

function toolchainTypesFile() {
  let dir = process.env.E2E_TOOLCHAIN_DIR;
  if (!dir) {
    const printed = spawnSync('bash', [path.join(ROOT, 'scripts', 'e2e-toolchain.sh'), '--print-dir'], {
      encoding: 'utf8',
    });
    if (printed.status !== 0) {
      fail(`scripts/e2e-toolchain.sh --print-dir failed: ${printed.stderr}`);
    }
    dir = printed.stdout.trim();
  }
  return path.join(dir, 'aws-provider-types.tsv');
}

/** "kind type" -> service package, from the table the toolchain writes. */
function readTypes(file) {
  if (!fs.existsSync(file)) {
    fail(
      `${file} does not exist: build the e2e toolchain first ("bash scripts/e2e-toolchain.sh"), which writes it from the provider source`,
    );
  }
  const types = new Map();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const [type, kind, service] = line.split('\t');
    if (type && kind && service) {
      types.set(`${kind} ${type}`, service);
    }
  }
  if (types.size === 0) {
    fail(`${file} holds no types`);
  }
  return types;
}

function findSynthesized(dir) {
  const out = [];
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '.terraform' && entry.name !== 'node_modules') {
          walk(p);
        }
      } else if (entry.name === 'cdk.tf.json') {
        out.push(p);
      }
    }
  };
  walk(dir);
  return out.sort();
}

/** The stack names of the e2e app, read from its `case '<name>':` dispatch. */
function e2eStacks() {
  const text = fs.readFileSync(path.join(ROOT, E2E_APP), 'utf8');
  const stacks = [...text.matchAll(/case '([a-z0-9-]+)':/g)].map((m) => m[1]);
  if (stacks.length === 0) {
    fail(`${E2E_APP}: found no "case '<stack>':" lines; update e2eStacks() in scripts/e2e-provider-services.js`);
  }
  return stacks;
}

/**
 * Synthesizes everything into a temporary folder. Returns the cdk.tf.json files, each with
 * the source file that produced it (named in messages).
 */
function synthesizeAll() {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-provider-services-'));
  const all = spawnSync('bash', [path.join(ROOT, 'scripts', 'synth-all.sh'), path.join(out, 'synth')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (all.status !== 0) {
    fs.rmSync(out, { recursive: true, force: true });
    fail(`scripts/synth-all.sh failed:\n${all.stdout}\n${all.stderr}`);
  }
  const inputs = e2eInputs(out);
  fs.mkdirSync(path.join(out, 'e2e'));
  for (const stack of e2eStacks()) {
    const result = spawnSync(
      process.execPath,
      ['--require', path.join(ROOT, 'packages', 'cli', 'register', 'index.js'), path.join(ROOT, E2E_APP)],
      {
        cwd: ROOT,
        env: { ...process.env, ...inputs, E2E_STACK: stack, CDKTF_OUTDIR: path.join(out, 'e2e', stack) },
        encoding: 'utf8',
      },
    );
    if (result.status !== 0) {
      fs.rmSync(out, { recursive: true, force: true });
      fail(
        `synthesizing ${E2E_APP} with E2E_STACK=${stack} failed (if it says an E2E_* variable is not set, give it a placeholder in e2eInputs() of scripts/e2e-provider-services.js):\n${result.stderr.slice(-3000)}`,
      );
    }
  }
  return { dir: out, files: findSynthesized(out) };
}

/** The file a human edits for a synthesized stack (by the layout synthesizeAll writes). */
function sourceOf(file, base) {
  const rel = path.relative(base, file).split(path.sep);
  if (rel[0] === 'synth' && rel[1] === 'app') {
    return 'stacks/main.ts';
  }
  if (rel[0] === 'synth' && rel[1] === 'examples') {
    return `examples/${rel[2]}/main.ts`;
  }
  if (rel[0] === 'e2e') {
    return `${E2E_APP} (E2E_STACK=${rel[1]})`;
  }
  return file;
}

/** A path relative to the working directory when inside it. */
function shortPath(file) {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

/** [{ kind: 'resource' | 'data' | 'ephemeral', type, file }] for every aws_ type in the files. */
function usedTypes(files) {
  const used = [];
  for (const file of files) {
    let json;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      fail(`${file} is not valid JSON: ${error.message}`);
    }
    for (const kind of ['resource', 'data', 'ephemeral']) {
      for (const type of Object.keys(json[kind] ?? {})) {
        if (type.startsWith('aws_')) {
          used.push({ kind, type, file });
        }
      }
    }
  }
  return used;
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const servicesFile = options.services ?? process.env.E2E_PROVIDER_SERVICES_FILE ?? DEFAULT_SERVICES;
  const services = readServices(servicesFile);
  const types = readTypes(options.types ?? toolchainTypesFile());
  let base;
  let files;
  if (options.synthDirs.length > 0) {
    files = options.synthDirs.flatMap(findSynthesized);
    base = undefined;
  } else {
    ({ dir: base, files } = synthesizeAll());
  }
  if (files.length === 0) {
    fail(`no cdk.tf.json found under ${options.synthDirs.join(', ')}`);
  }
  const listed = shortPath(servicesFile);
  const problems = [];
  const missing = new Map(); // service -> { types, sources }
  const byService = new Map();
  for (const { kind, type, file } of usedTypes(files)) {
    const where = base ? sourceOf(file, base) : shortPath(file);
    const service = types.get(`${kind} ${type}`);
    const what = kind === 'data' ? 'data source' : kind;
    if (!service) {
      problems.push(
        `${where}: ${what} type ${type} is not a ${what} type of the hashicorp/aws provider the e2e toolchain builds; use a type the provider has`,
      );
      continue;
    }
    if (!byService.has(service)) {
      byService.set(service, new Set());
    }
    byService.get(service).add(type);
    if (!services.has(service)) {
      if (!missing.has(service)) {
        missing.set(service, { types: new Set(), sources: new Set() });
      }
      missing.get(service).types.add(`${what} ${type}`);
      missing.get(service).sources.add(where);
    }
  }
  for (const [service, { types: missed, sources }] of [...missing.entries()].sort()) {
    problems.push(
      `${[...missed].sort().join(', ')} (used by ${[...sources].sort().join(', ')}) belong to the aws provider's service package "${service}", which the e2e provider does not contain. Add a line "${service}" to ${listed}; the next scripts/e2e-toolchain.sh then builds a toolchain with it.`,
    );
  }
  const unique = [...new Set(problems)];
  if (options.command === 'derive') {
    for (const service of [...byService.keys()].sort()) {
      process.stdout.write(
        `${service}${services.has(service) ? '' : '   (NOT LISTED)'}\t${[...byService.get(service)].sort().join(' ')}\n`,
      );
    }
    const margin = [...services].filter((s) => !byService.has(s)).sort();
    process.stdout.write(`# listed in ${listed} but unused (margin): ${margin.join(' ') || '(none)'}\n`);
  }
  if (base) {
    fs.rmSync(base, { recursive: true, force: true });
  }
  if (unique.length > 0) {
    process.stderr.write(
      `e2e-provider-services: types outside the e2e provider's service packages:\n  ${unique.join('\n  ')}\n`,
    );
    process.exit(1);
  }
  if (options.command === 'check') {
    process.stdout.write(
      `e2e-provider-services: ${files.length} synthesized stacks use ${[...byService.values()].reduce((n, s) => n + s.size, 0)} aws types from ${byService.size} service packages, all in ${listed}\n`,
    );
  }
}

main();
