// Nest 12 ships ES modules only, so Jest runs in ESM mode (NODE_OPTIONS=--experimental-vm-modules)
// and ts-jest only transpiles: `npm run typecheck` is where types are checked.
const tsJest = ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }];

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': tsJest,
    // content-disposition 3 (under @fastify/static, which Swagger UI needs) is ESM-only and required
    // from CommonJS; Jest on Node 20 cannot require(esm), so it is compiled to CommonJS on the way in.
    '/node_modules/content-disposition/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  moduleNameMapper: {
    '^#(domain|events|eventstore)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
};

export default {
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
