// node --require ./scripts/lib-from-source.js --require cdktf-immutable-cli/register <app.ts>:
// runs an app of this repository that imports the library by its package name, as a user's
// app does (the examples: `from 'cdktf-immutable'`, `'cdktf-immutable/docker'`), on the
// library's TypeScript source (lib/) instead of the build in dist/: `cdktf-immutable` and
// `cdktf-immutable/<entry>` resolve to lib/index.ts and lib/<entry>/index.ts, as
// tsconfig.json's "paths" and jest's moduleNameMapper map them. Used by scripts/synth-all.sh.
'use strict';
const Module = require('module');
const path = require('path');

const LIB = path.resolve(__dirname, '..', 'lib');
const OWN_NAME = /^cdktf-immutable(?:\/(release|review|docker|names))?$/;

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveFromSource(request, parent, isMain, options) {
  const match = OWN_NAME.exec(request);
  if (match) {
    return resolveFilename.call(this, path.join(LIB, match[1] ?? '', 'index.ts'), parent, isMain, options);
  }
  return resolveFilename.call(this, request, parent, isMain, options);
};
