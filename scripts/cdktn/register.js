// node --require ./scripts/cdktn/register.js <app>: runs an app of this repository
// (TypeScript through ts-node, or the built dist/) on CDK Terrain instead of cdktf:
// `cdktf`, `@cdktf/provider-aws/…` and `constructs` resolve to cdktn, @cdktn/provider-aws
// and constructs of the cached install (scripts/cdktn/deps.js, installed if missing),
// the same mapping as jest.cdktn.config.js. Used by the cdktn end-to-end test.
'use strict';
const Module = require('module');
const { ensureDeps } = require('./deps');

const { dir } = ensureDeps();
const RENAMES = [
  [/^cdktf(?=$|\/)/, 'cdktn'],
  [/^@cdktf\/provider-aws(?=$|\/)/, '@cdktn/provider-aws'],
  [/^constructs(?=$|\/)/, 'constructs'],
];
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveOnCdktn(request, parent, isMain, options) {
  for (const [pattern, replacement] of RENAMES) {
    if (pattern.test(request)) {
      return resolveFilename.call(this, request.replace(pattern, replacement), parent, isMain, {
        ...options,
        paths: [dir],
      });
    }
  }
  return resolveFilename.call(this, request, parent, isMain, options);
};
