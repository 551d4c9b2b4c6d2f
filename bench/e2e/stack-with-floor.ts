import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Stack, type StartedProcess, startProcess, startStack } from '#stack';

/** The stack a bench measures commands on, and beside it the floor it measures them against. */
export interface StackWithFloor {
  readonly stack: Stack;
  /** noop-server.ts on the stack's store: its `POST /append` is the append-only floor. */
  readonly noop: StartedProcess;
  /** Stops both (the no-op server may have been stopped already) and removes the store's directory. */
  stop(): Promise<void>;
}

/**
 * bench:e2e and bench:alloc compare a command with the cheapest conceivable one on the same store,
 * so both start the stack with its store on disk (durable, as in production, not in memory) and the
 * no-op server appending to it. `env` goes to every process of both.
 */
export async function startStackWithFloor(env: NodeJS.ProcessEnv = {}): Promise<StackWithFloor> {
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-bench-store-'));
  let stack: Stack | undefined;
  let noop: StartedProcess | undefined;
  const stop = async (): Promise<void> => {
    await noop?.stop();
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    stack = await startStack(env, dataDir);
    noop = await startProcess(
      'noop',
      'dist/bench/e2e/noop-server.js',
      [],
      { ...env, EVENTSTORE_CONNECTION_STRING: stack.store.address },
      /noop listening on (http:\/\/\S+)/,
    );
    return { stack, noop, stop };
  } catch (error) {
    // Leave no process running when the bench never gets to its own `finally`.
    await stop();
    throw error;
  }
}
