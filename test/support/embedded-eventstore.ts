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

/** The built embedded server as a child process on a free port, in memory or on `dataDir`. */
export async function startEmbeddedEventStore(
  options: { inMemory: true } | { dataDir: string },
): Promise<EmbeddedEventStore> {
  const started = await startEventStore('dataDir' in options ? { dataDir: options.dataDir } : { mem: true });
  return { connectionString: started.address, process: started.process, stop: started.stop };
}
