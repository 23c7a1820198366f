/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // One worker per CPU: the suites spend much of their time waiting on child processes
  // (the stub API server, npm pack, cdk8s), so jest's default of CPUs - 1 leaves a core idle.
  maxWorkers: '100%',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^cdk8s-security-logging$': '<rootDir>/src/index.ts' },
  setupFilesAfterEnv: ['<rootDir>/test/helpers/setup.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.dev.json' }] },
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
