/**
 * ts-jest in transpile-only mode (tsconfig `isolatedModules: true`): test files are
 * compiled one by one without building a type-checked program, so the provider
 * packages' large .d.ts files are never loaded by jest. Types are checked once by
 * `npm run typecheck` (tsc) in CI instead of on every test run.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/test/e2e/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
  moduleFileExtensions: ['ts', 'js', 'json'],
};
