import { startEventStore } from '#stack';
import type { ChildProcess } from 'node:child_process';

/**
 * Jest's limit for a hook or test that starts, stops or kills server processes: on a loaded machine
 * that alone takes seconds. A budget, not a measured bound: nothing asserts on time.
 */
export const PROCESS_BUDGET_MS = 60_000;

export interface EmbeddedEventStore {
  readonly connectionString: string;
  readonly process: ChildProcess;
  /** Sends `signal` (SIGTERM: a clean stop; SIGKILL: a crash) and resolves once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * The built embedded server as a child process on a free port, in memory or on `dataDir`, with
 * more of its options in `args`.
 */
export async function startEmbeddedEventStore(
  options: ({ inMemory: true } | { dataDir: string }) & { args?: readonly string[] },
): Promise<EmbeddedEventStore> {
  const where = 'dataDir' in options ? { dataDir: options.dataDir } : { mem: true };
  const started = await startEventStore({ ...where, args: options.args });
  return { connectionString: started.address, process: started.process, stop: started.stop };
}

/**
 * Where an `esdb://host:port?…` connection string points, as an http URL: for what talks to the
 * server's port without the official client (a raw HTTP/2 or HTTP/1.1 request, a generated stub).
 */
export const storeAddress = (connectionString: string): URL =>
  new URL(connectionString.replace(/^esdb:/, 'http:'));

/** A suite's own embedded store (see ownEmbeddedStore). */
export interface OwnEmbeddedStore {
  /** The running server, from the suite's first `beforeAll` on. */
  readonly server: EmbeddedEventStore;
}

/**
 * For a suite that needs a store of its own, whatever EVENTSTORE_CONNECTION_STRING says: for what
 * only the embedded server does, a connection nobody else used, or a second store. Started in memory
 * before the suite's tests and stopped after them; `closeFirst` closes what the suite opened on it,
 * so the server never stops under a connected client. Called inside a `describe`, before the hooks
 * that use the server.
 */
export function ownEmbeddedStore(
  closeFirst: () => void | Promise<void>,
  args: readonly string[] = [],
): OwnEmbeddedStore {
  let server: EmbeddedEventStore | undefined;
  beforeAll(async () => {
    server = await startEmbeddedEventStore({ inMemory: true, args });
  }, PROCESS_BUDGET_MS);
  afterAll(async () => {
    try {
      await closeFirst();
    } finally {
      await server?.stop('SIGTERM');
    }
  }, PROCESS_BUDGET_MS);
  return {
    get server() {
      if (!server)
        throw new Error("the suite's own store starts in its first beforeAll: read it in a hook or a test");
      return server;
    },
  };
}
