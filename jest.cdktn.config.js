/**
 * The unit suites against CDK Terrain (cdktn) instead of cdktf: the same tests and the
 * same source, with `cdktf`, `@cdktf/provider-aws/lib/…` and `constructs` resolved to
 * cdktn 0.24, @cdktn/provider-aws 25.7 and constructs 10.6 from the cached install of
 * scripts/cdktn/deps.js. Run by `npm run test:cdktn` (scripts/cdktn/test.sh), which
 * installs that cache and builds dist/ (for the command-line tests) first.
 *
 * Left out: suites that never load cdktf (they would only run twice), the Docker suites (`cdktf-immutable/docker` has no cdktn build: there is no
 * @cdktn/provider-docker on npm yet) and the stack/example snapshots, whose committed
 * JSON records cdktf's version and the AWS provider version of @cdktf/provider-aws.
 */
const path = require('path');
const base = require('./jest.config');
const { DEPS_DIR } = require('./scripts/cdktn/config');

const modules = path.join(DEPS_DIR, 'node_modules');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  globalSetup: undefined,
  globalTeardown: undefined,
  setupFiles: ['<rootDir>/scripts/cdktn/jest-setup.js'],
  testPathIgnorePatterns: [
    ...base.testPathIgnorePatterns,
    '/test/snapshots/',
    '/test/docker/',
    '/test/image/docker-',
    '/test/image/dockerignore\\.test\\.ts$',
    // Suites that load neither cdktf nor a provider (the release and review rooms, the
    // toolchain scripts, the source-reading layout test) would only run a second time.
    '/test/release/',
    '/test/fuzz/',
    '/test/e2e-toolchain/',
    '/test/architecture/imports\\.test\\.ts$',
  ],
  moduleNameMapper: {
    ...base.moduleNameMapper,
    '^cdktf(/.*)?$': path.join(modules, 'cdktn$1'),
    '^@cdktf/provider-aws/(.*)$': path.join(modules, '@cdktn', 'provider-aws', '$1'),
    '^constructs(/.*)?$': path.join(modules, 'constructs$1'),
  },
};
