import { createRequire, Module } from 'module';
import { join, resolve } from 'path';
import { runInThisContext } from 'vm';

const ROOT = resolve(__dirname, '../..');

/**
 * Runs JavaScript source text as a CommonJS module, as Node.js (and so AWS Lambda) loads a
 * file with that text, and returns its exports. `require` in it resolves from the
 * repository (the AWS SDK of node_modules stands for the Lambda runtime's). For code the
 * library ships as text, such as the watchdog function's handler: the tests then run the
 * very bytes that are deployed.
 */
export function loadModuleFromSource(source: string, filename: string = 'index.js'): any {
  const path = join(ROOT, '.inline-module', filename);
  const wrapper = runInThisContext(Module.wrap(source), { filename: path });
  const module = { exports: {} as any };
  wrapper(module.exports, createRequire(join(ROOT, 'package.json')), module, path, join(ROOT, '.inline-module'));
  return module.exports;
}
