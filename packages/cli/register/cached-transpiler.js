// A ts-node transpiler (https://typestrong.org/ts-node/docs/transpilers): TypeScript's own
// transpileModule, the same as ts-node's transpile-only mode, with its output cached on disk.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const CACHE_FORMAT = '1';

exports.create = function create({ service }) {
  const compilerOptions = service.config.options;
  const tsPath = service.projectLocalResolveHelper('typescript', true);
  const tsVersion = JSON.parse(fs.readFileSync(path.join(path.dirname(tsPath), '..', 'package.json'), 'utf8')).version;
  const optionsKey = JSON.stringify(compilerOptions);
  const dir = cacheDir(tsPath);
  let ts;

  return {
    transpile(input, { fileName }) {
      const key =
        dir &&
        crypto
          .createHash('sha256')
          .update([CACHE_FORMAT, tsVersion, optionsKey, fileName, input].join('\0'))
          .digest('hex');
      const file = key && path.join(dir, key.slice(0, 2), `${key}.json`);
      if (file) {
        try {
          return JSON.parse(fs.readFileSync(file, 'utf8'));
        } catch {
          // not cached yet (or unreadable): transpile
        }
      }
      ts = ts || require(tsPath);
      const result = ts.transpileModule(input, { fileName, compilerOptions, reportDiagnostics: true });
      const output = { outputText: result.outputText, sourceMapText: result.sourceMapText };
      if (file && !(result.diagnostics && result.diagnostics.length)) {
        try {
          fs.mkdirSync(path.dirname(file), { recursive: true });
          const tmp = `${file}.${process.pid}.tmp`;
          fs.writeFileSync(tmp, JSON.stringify(output));
          fs.renameSync(tmp, file);
        } catch {
          // read-only checkout: run without the cache
        }
      }
      return { ...output, diagnostics: result.diagnostics };
    },
  };
};

function cacheDir(tsPath) {
  if (process.env.CDKTF_IMMUTABLE_TS_CACHE === '0') return null;
  if (process.env.CDKTF_IMMUTABLE_TS_CACHE) return path.resolve(process.env.CDKTF_IMMUTABLE_TS_CACHE);
  // The project's node_modules: the one its TypeScript is installed in (a project's own
  // devDependency, or, in the library's repository, the workspace root's).
  const parts = tsPath.split(path.sep);
  const installed = parts.lastIndexOf('node_modules');
  if (installed <= 0) return null;
  const nodeModules = parts.slice(0, installed + 1).join(path.sep);
  return fs.existsSync(nodeModules) ? path.join(nodeModules, '.cache', 'cdktf-immutable-ts-node') : null;
}
