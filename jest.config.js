/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Only TypeScript is transformed: the built handler bundles under dist/ are
  // required as they are, exactly as Lambda would load them.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  setupFilesAfterEnv: ['<rootDir>/test/support/cdktf-matchers.ts'],
  testTimeout: 60000,
  // Every core, not Jest's default of one fewer: most suites wait on
  // databases, Terraform or npm rather than compute, and on the 2-core CI
  // machine one worker took 324 s where two took 218 s (same tests, one run each).
  maxWorkers: '100%',
};
