/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^cdk8s-security-logging$': '<rootDir>/src/index.ts' },
  setupFilesAfterEnv: ['<rootDir>/test/helpers/setup.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.dev.json' }] },
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
