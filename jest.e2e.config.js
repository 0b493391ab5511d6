/**
 * End-to-end tests: OpenTofu with the real AWS provider against a moto server
 * (test/e2e/*.e2e.test.ts). Run with `npm run test:e2e` (scripts/e2e.sh), which loads
 * the toolchain, builds dist/ and runs the files in parallel (--maxWorkers, one worker a
 * file). The rules for an e2e file are in test/e2e/harness/README.md.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  testTimeout: 20 * 60 * 1000,
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: require('./jest.config').moduleNameMapper,
  verbose: true,
};
