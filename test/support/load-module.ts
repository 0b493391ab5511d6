import { createRequire } from 'module';
import { join, resolve } from 'path';
import { compileFunction } from 'vm';

const ROOT = resolve(__dirname, '../..');

/**
 * Runs JavaScript source text as a CommonJS module, as Node.js (and so AWS Lambda) loads a
 * file with that text, and returns its exports. `require` in it resolves from the
 * repository (the AWS SDK of node_modules stands for the Lambda runtime's). For code the
 * library ships as text, such as the watchdog function's handler: the tests then run the
 * very bytes that are deployed.
 *
 * The module sees the test's own `process` and `console`: jest gives each test file its
 * own copies, which is also what the modules it requires (the SDK) read, so the module
 * and the SDK agree on process.env, and a spy on console.log sees the module's lines.
 */
export function loadModuleFromSource(source: string, filename: string = 'index.js'): any {
  const dir = join(ROOT, '.inline-module');
  const path = join(dir, filename);
  const wrapper = compileFunction(
    source,
    ['exports', 'require', 'module', '__filename', '__dirname', 'process', 'console'],
    {
      filename: path,
    },
  );
  const module = { exports: {} as any };
  wrapper(module.exports, createRequire(join(ROOT, 'package.json')), module, path, dir, process, console);
  return module.exports;
}
