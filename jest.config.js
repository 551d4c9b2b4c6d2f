// Nest 12 ships ES modules only, so Jest runs in ESM mode (NODE_OPTIONS=--experimental-vm-modules)
// and ts-jest only transpiles: `npm run typecheck` is where types are checked.
const tsJest = ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }];

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
  moduleNameMapper: {
    '^#(domain|events|eventstore|http|load|read-models|stack)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
};

export default {
  // Jest's 5 s default fails tests that spawn processes or read the shared store when the machine is
  // busy (CI shares its cores); a test that really hangs still fails, after 30 s. Jest reads it here,
  // not per project.
  testTimeout: 30_000,
  // One test file at a time, as before (the integration and e2e suites share one store and start
  // servers), but in a worker process instead of Jest's own: Jest's ESM mode keeps every finished
  // file's modules reachable (measured with a forced GC after each file: 3-16 MB a file, 384 MB to
  // 834 MB over 67 unit files), so one process running ~200 files carries a heap of over a gigabyte
  // that every garbage collection walks, and late files ran many times slower than alone. The worker
  // is replaced by a fresh one once its heap passes the limit after a file. `--runInBand` would undo
  // this: Jest then ignores both settings and runs every file in its own process.
  maxWorkers: 1,
  workerIdleMemoryLimit: '1GB',
  // At the end of a run Jest asks the last worker to exit and kills it after 500 ms by default,
  // printing "A worker process has failed to exit gracefully... tests leaking due to improper
  // teardown". No unit test file leaves a handle behind (each checked 600 ms after its teardown); what
  // takes the time is the worker giving back a heap of up to the limit above: a worker holding 1 GB
  // and no handle at all was force exited in 2 of 3 runs at load 10 on 2 cores, none with 5 s. A
  // handle that really leaks (a server, an interval) still keeps the worker past 5 s, and is still reported.
  workerGracefulExitTimeout: 5_000,
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
