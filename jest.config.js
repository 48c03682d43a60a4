/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    // Strips types only (esbuild): `npm run typecheck` (tsc) type-checks the whole tree once.
    '^.+\\.tsx?$': '<rootDir>/spec/support/esbuild-transform.js',
  },
  // Last in the output: which tests did not run, and why (e.g. the browser tests without Chromium).
  reporters: ['default', '<rootDir>/spec/support/skipped-reporter.js'],
  testTimeout: 20000,
};
