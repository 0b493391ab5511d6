// The cdktn (CDK Terrain) target of cdktf-immutable: the versions it is built and tested
// against, and where their packages are cached. One place for every cdktn script and
// for jest.cdktn.config.js.
'use strict';
const os = require('os');
const path = require('path');

/** Exact versions installed for the tests; the published peers are the ranges below. */
const VERSIONS = Object.freeze({
  cdktn: '0.24.0',
  '@cdktn/provider-aws': '25.7.0',
  constructs: '10.6.0',
});

/** peerDependencies of the cdktn-immutable package. */
const PEERS = Object.freeze({
  '@cdktn/provider-aws': '^25.7.0',
  cdktn: '^0.24.0',
  constructs: '^10.6.0',
});

/**
 * What `cdktn-immutable init` pins in a new repository besides the root's tools (the
 * devDependencies of the cdktn-immutable package): the versions above, and the cdktn CLI
 * of the same release (not installed here: the tests synthesize without it).
 */
const SCAFFOLD_VERSIONS = Object.freeze({ ...VERSIONS, 'cdktn-cli': VERSIONS.cdktn });

const ROOT = path.resolve(__dirname, '..', '..');
/** Where `npm run build:cdktn` writes the package folder and its tarball (ignored by git). */
const OUT_DIR = path.join(ROOT, 'build', 'cdktn');

const cacheRoot = process.env.CDKTF_IMMUTABLE_CACHE || path.join(os.homedir(), '.cache', 'cdktf-immutable');
/** The cached install of VERSIONS (`npm install --prefix`), reused while it is complete. */
const DEPS_DIR = path.join(
  cacheRoot,
  `cdktn-deps-cdktn${VERSIONS.cdktn}-aws${VERSIONS['@cdktn/provider-aws']}-constructs${VERSIONS.constructs}`,
);

module.exports = { VERSIONS, PEERS, SCAFFOLD_VERSIONS, ROOT, OUT_DIR, DEPS_DIR };
