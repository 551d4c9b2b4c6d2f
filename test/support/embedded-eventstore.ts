import { startEventStore } from '#stack';
import type { ChildProcess } from 'node:child_process';

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
