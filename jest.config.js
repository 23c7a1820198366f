/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // One worker per CPU: the suites spend much of their time waiting on child processes
  // (the stub API server, npm pack, cdk8s), so jest's default of CPUs - 1 leaves a core idle.
  maxWorkers: '100%',
  // No test is timed: suites that run processes (bash against the fake cluster, npm pack,
  // cdk8s synth) take as long as a busy machine needs. The limit only stops a hang.
  testTimeout: 20 * 60 * 1000,
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^cdk8s-security-logging$': '<rootDir>/src/index.ts' },
  setupFilesAfterEnv: ['<rootDir>/test/helpers/setup.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.dev.json' }] },
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
