// cdktf-immutable-cli/register: the fast synth runner, preloaded by cdktf.json's "app"
// (`node --require cdktf-immutable-cli/register main.ts`; this repository runs its own
// stacks the same way, through the workspace link of packages/cli). It needs ts-node and
// typescript in the project (devDependencies). It is `ts-node/register/transpile-only`
// with three changes that keep synth fast and small:
//
// 1. Transpiled output is cached on disk (node_modules/.cache/cdktf-immutable-ts-node, in
//    the node_modules that holds the project's typescript) by cached-transpiler.js, keyed
//    by file name, source, compiler options and TypeScript version, so an unchanged file is
//    not transpiled again. Nothing to build or clean by hand: an edited file gets a new key.
//    CDKTF_IMMUTABLE_TS_CACHE=0 turns the cache off.
// 2. ts-node installs source-map-support so that stack traces point at .ts lines. cdktf
//    captures a full stack trace for every token and annotation, and source-map-support
//    then read and decoded the inline source maps of every node_modules file on those
//    stacks (@cdktf/provider-aws ships large inline maps with their sources), ~36 MiB of
//    heap and over a second of CPU per synth. Source maps stay on for the project's own
//    TypeScript (what ts-node compiled); node_modules JavaScript is reported as itself, as
//    plain node would.
'use strict';
const path = require('path');

// ts-node and its source-map-support are the project's (a dependency of ts-node, so
// resolved from ts-node's own folder: npm may not hoist it).
const tsNode = require.resolve('ts-node', { paths: [process.cwd(), __dirname] });
require(tsNode).register({
  transpileOnly: true,
  transpiler: path.join(__dirname, 'cached-transpiler.js'),
});

const TYPESCRIPT = /\.[cm]?tsx?$/i;
const sourceMapSupport = require(
  require.resolve('@cspotcode/source-map-support', { paths: [path.dirname(tsNode), process.cwd(), __dirname] }),
);
sourceMapSupport.install({
  // Runs before ts-node's own handler. A non-empty answer without a sourceMappingURL means
  // "no source map" and stops source-map-support from reading the file from disk.
  retrieveFile(file) {
    return TYPESCRIPT.test(file) ? null : ' ';
  },
});

// 3. cdktf calls Error.captureStackTrace on a plain object, with no depth limit, for every
//    token, reference and output object it creates (cdktf/lib/tokens/private/stack-trace.js);
//    source-map-support's formatter then wrapped and cloned every frame in JavaScript, which
//    was half the CPU time of a large synth (5.3 s of 11.8 s for 20 services x 3
//    environments). Real errors keep the full source-mapped formatting; for stack traces
//    captured on plain objects only the frames in the project's TypeScript are mapped,
//    and the rest are formatted as plain node would.
const formatMapped = Error.prepareStackTrace;
const mappedFrames = new Map(); // frame as run ("fn (file.ts:line:column)") -> as written
Error.prepareStackTrace = function prepareStackTrace(error, frames) {
  if (error instanceof Error) return formatMapped(error, frames);
  let text = (error && error.name) || 'Error';
  for (const frame of frames) {
    let line = String(frame);
    const file = frame.getFileName();
    if (file && TYPESCRIPT.test(file)) {
      let mapped = mappedFrames.get(line);
      if (mapped === undefined) {
        const location = `${file}:${frame.getLineNumber()}:${frame.getColumnNumber()}`;
        const position = sourceMapSupport.mapSourcePosition({
          source: file,
          line: frame.getLineNumber(),
          column: frame.getColumnNumber() - 1,
        });
        const at = line.lastIndexOf(location);
        mapped =
          at < 0
            ? line
            : line.slice(0, at) +
              `${position.source}:${position.line}:${position.column + 1}` +
              line.slice(at + location.length);
        mappedFrames.set(line, mapped);
      }
      line = mapped;
    }
    text += `\n    at ${line}`;
  }
  return text;
};
