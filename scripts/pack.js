#!/usr/bin/env node
/**
 * npm run pack [-- <destination>]: packs both packages of this repository, as they would
 * be published, into <destination> (default: the repository root), and prints the two
 * tarballs' paths, the construct package's first:
 *   cdktf-immutable-<version>.tgz       the constructs (npm pack at the root: dist/lib, README.md)
 *   cdktf-immutable-cli-<version>.tgz   the command line (packages/cli)
 *
 * Builds first when the sources changed (scripts/build-dist.js). The command line's
 * package.json depends on the constructs as "file:../.." (the workspace link that makes it
 * build and run against this repository's library); the tarball's manifest must name the
 * published package at exactly the same version instead, so the command line is packed
 * from a staging copy (build/pack/cli-<pid>, removed afterwards) whose package.json says
 * "cdktf-immutable": "<version>".
 * `npm pack` in packages/cli directly would publish the file: spec: its prepack refuses
 * (`--refuse-direct-pack`).
 */
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'packages', 'cli');
/** The staging copy of the command line, one per process: two packs at once (e2e files) must not share it. */
const STAGING = path.join(ROOT, 'build', 'pack', `cli-${process.pid}`);

/** The command line's manifest as published: the library at this exact version, no scripts. */
function publishedCliManifest() {
  const library = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const cli = JSON.parse(fs.readFileSync(path.join(CLI, 'package.json'), 'utf8'));
  if (cli.version !== library.version) {
    throw new Error(
      `pack: ${cli.name} is at ${cli.version} but ${library.name} at ${library.version}; give both one version.`,
    );
  }
  const { scripts: _scripts, devDependencies: _dev, ...manifest } = cli;
  return { ...manifest, dependencies: { ...cli.dependencies, [library.name]: library.version } };
}

/** `npm pack` of `dir` into `destination`; returns the tarball's path. */
function npmPack(dir, destination, ignoreScripts) {
  const args = ['pack', '--silent', '--pack-destination', destination, ...(ignoreScripts ? ['--ignore-scripts'] : [])];
  const name = execFileSync('npm', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n')
    .pop();
  return path.join(destination, name);
}

/** Packs both packages into `destination`; returns [construct tarball, command-line tarball]. */
function packAll(destination) {
  require('./build-dist').buildDist({ quiet: true });
  fs.mkdirSync(destination, { recursive: true });
  // dist/ is fresh: the root's prepack (build-dist) would find nothing to do.
  const library = npmPack(ROOT, destination, true);
  fs.rmSync(STAGING, { recursive: true, force: true });
  fs.mkdirSync(STAGING, { recursive: true });
  try {
    const manifest = publishedCliManifest();
    for (const entry of manifest.files) {
      fs.cpSync(path.join(CLI, entry), path.join(STAGING, entry), { recursive: true });
    }
    fs.rmSync(path.join(STAGING, 'dist', '.build-key'), { force: true });
    fs.writeFileSync(path.join(STAGING, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const cli = npmPack(STAGING, destination, true);
    return [library, cli];
  } finally {
    fs.rmSync(STAGING, { recursive: true, force: true });
  }
}

module.exports = { packAll, publishedCliManifest };

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args[0] === '--refuse-direct-pack') {
    console.error(
      'cdktf-immutable-cli: pack it with "npm run pack" at the repository root, which writes the exact ' +
        'cdktf-immutable version into its package.json (here it is the workspace link "file:../..").',
    );
    process.exit(1);
  }
  const destination = path.resolve(args[0] ?? ROOT);
  for (const tarball of packAll(destination)) {
    console.log(tarball);
  }
}
