import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

import { startEventStore, type StartedProcess } from '#stack';

import { startSignalledApp } from '../support/signalled-app.js';

/** Jest's limit for a test that starts and stops server processes on a loaded machine. */
const PROCESS_BUDGET_MS = 60_000;

/** A loopback port nothing listens on: a store that does not answer. */
const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as { port: number };
  await new Promise((closed) => server.close(closed));
  return port;
};

/**
 * The built api stopped with SIGTERM or SIGINT exits 0, as the store and the projector do. Found by a
 * fault campaign stopping each process under `load run`: the api closed, then re-raised the signal
 * (Nest's shutdown hooks), so its exit said it was killed (143 or 130), which a process manager counts
 * as a failed stop.
 */
describe('the api stopped by a signal', () => {
  let store: StartedProcess;
  let api: ChildProcess | undefined;

  beforeAll(async () => {
    store = await startEventStore({ mem: true });
  }, PROCESS_BUDGET_MS);
  afterEach(() => {
    api?.kill('SIGKILL');
    api = undefined;
  });
  afterAll(async () => {
    await store?.stop();
  }, PROCESS_BUDGET_MS);

  /** Starts the api and resolves once its output says `waitFor`. */
  const startApi = async (env: NodeJS.ProcessEnv, waitFor: string) => {
    const started = startSignalledApp('the api', 'dist/apps/api/src/main.js', [], {
      API_PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    });
    api = started.child;
    await started.said(waitFor);
    return started;
  };

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'exits 0 when %s comes while it listens',
    async (signal) => {
      // Given an api listening on a store
      const { child, exited } = await startApi(
        { EVENTSTORE_CONNECTION_STRING: store.address },
        'api listening on',
      );

      // When it is told to stop
      child.kill(signal);

      // Then it closes and exits 0, not by the signal
      expect(await exited).toEqual({ code: 0, signal: null });
    },
    PROCESS_BUDGET_MS,
  );

  it(
    'exits 0 when SIGTERM comes while it waits for a store that does not answer',
    async () => {
      // Given an api on the virtual clock, waiting at its start to read the clock's time from a store
      const { child, exited } = await startApi(
        {
          EVENTSTORE_CONNECTION_STRING: `esdb://127.0.0.1:${await closedPort()}?tls=false`,
          CLOCK_MODE: 'virtual',
        },
        "waiting for the event store to read the virtual clock's time",
      );

      // When it is told to stop
      child.kill('SIGTERM');

      // Then it exits 0 at once, never having listened
      expect(await exited).toEqual({ code: 0, signal: null });
    },
    PROCESS_BUDGET_MS,
  );
});
