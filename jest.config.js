/**
 * ts-jest in transpile-only mode (tsconfig `isolatedModules: true`): test files are
 * compiled one by one without building a type-checked program, so the provider
 * packages' large .d.ts files are never loaded by jest. Types are checked once by
 * `npm run typecheck` (tsc) in CI instead of on every test run.
 */
/*
 * One worker per core. Jest's default is one less than the cores, which on a 2-core machine
 * is one worker: jest then runs every file in band, in its own process, on one core.
 * No workerIdleMemoryLimit: workers stay under 700 MB, and with a limit jest never runs a
 * single file in band (slower `npx jest <file>`, no --cpu-prof of it).
 */
/*
 * testTimeout is a guard against a hung test, not a speed limit: the tests that start
 * processes (the built command line, git, tsc) take 1-3 s on an idle machine but several
 * times that while CI builds the e2e toolchain on both cores of a new machine (jest's 5 s
 * default failed a six-process lock test there). Speed is measured by `npm run bench`
 * (BENCHMARKS.md, "Test suite": the slowest test), not by timeouts.
 */
const LIBRARY_FROM_SOURCE = {
  '^cdktf-immutable$': '<rootDir>/lib/index.ts',
  '^cdktf-immutable/(release|review|docker|names)$': '<rootDir>/lib/$1/index.ts',
};

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  maxWorkers: '100%',
  testTimeout: 30_000,
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/test/e2e/', '/test/faults/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
  moduleFileExtensions: ['ts', 'js', 'json'],
  // The package's own name, as the examples, the init templates and the command line (bin/)
  // import it, resolves to the library's source here, as tsconfig.json's "paths" does for tsc.
  moduleNameMapper: LIBRARY_FROM_SOURCE,
};
