// Setup file of jest.cdktn.config.js: refuses to run when `cdktf` does not resolve to the
// cached cdktn install, so a passing run is a run against cdktn.
'use strict';
const { DEPS_DIR, VERSIONS } = require('./config');

const expected = {
  cdktf: ['cdktn', VERSIONS.cdktn],
  '@cdktf/provider-aws': ['@cdktn/provider-aws', VERSIONS['@cdktn/provider-aws']],
  constructs: ['constructs', VERSIONS.constructs],
};
for (const [request, [name, version]] of Object.entries(expected)) {
  let pkg;
  try {
    pkg = require(`${request}/package.json`);
  } catch (error) {
    throw new Error(
      `jest.cdktn.config.js: ${request} does not resolve into ${DEPS_DIR} (${error.message}); run "node scripts/cdktn/deps.js" or "npm run test:cdktn".`,
      { cause: error },
    );
  }
  if (pkg.name !== name || pkg.version !== version) {
    throw new Error(
      `jest.cdktn.config.js: ${request} resolved to ${pkg.name}@${pkg.version}, expected ${name}@${version}.`,
    );
  }
}
