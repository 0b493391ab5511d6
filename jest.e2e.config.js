/**
 * End-to-end tests: OpenTofu with the real AWS provider against a moto server
 * (test/e2e/*.e2e.test.ts). Run with `npm run test:e2e` (scripts/e2e.sh), which loads
 * the toolchain, builds dist/ and runs jest with --runInBand.
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
  verbose: true,
};
