// Nest 12 ships ES modules only, so Jest runs in ESM mode (NODE_OPTIONS=--experimental-vm-modules)
// and ts-jest only transpiles: `npm run typecheck` is where types are checked.
const tsJest = ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }];

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
  moduleNameMapper: {
    '^#(domain|events|eventstore)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
};

export default {
  // Jest's 5 s default fails tests that spawn processes or read the shared store when the machine is
  // busy (CI shares its cores); a test that really hangs still fails, after 30 s. Jest reads it here,
  // not per project.
  testTimeout: 30_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tools,bench}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
    },
  ],
};
