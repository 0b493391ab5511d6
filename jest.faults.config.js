/**
 * The fault-injection suite (test/faults/*.faults.test.ts): release commands against a
 * full filesystem, a read-only folder, SIGKILL at each write and rename, non-regular
 * files, symbolic links, huge and truncated files and concurrent commands; guard against
 * state JSON, partial plans, both engines' plan formats and fuzzed plan shapes. Run with
 * `npm run test:faults` (scripts/faults.js), which prints the table of cases at the end.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/faults'],
  testMatch: ['**/*.faults.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  testTimeout: 10 * 60 * 1000,
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: require('./jest.config').moduleNameMapper,
};
