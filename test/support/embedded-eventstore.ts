import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export interface EmbeddedEventStore {
  readonly connectionString: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Sends `signal` (SIGTERM: a clean stop; SIGKILL: a crash) and resolves once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface EmbeddedEventStoreOptions {
  inMemory?: boolean;
  dataDir?: string;
  /** Defaults to 0: the server binds a free port and reports it in its ready line. */
  port?: number;
}

const serverEntry = resolve(process.cwd(), 'dist/apps/eventstore/src/main.js');

/** Starts the built embedded server as a child process and resolves once it prints its ready line. */
export async function startEmbeddedEventStore(
  options: EmbeddedEventStoreOptions,
): Promise<EmbeddedEventStore> {
  const args = [serverEntry, '--port', String(options.port ?? 0)];
  if (options.inMemory) args.push('--mem');
  if (options.dataDir) args.push('--data', options.dataDir);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const connectionString = await new Promise<string>((ready, fail) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const address = /listening on (esdb:\/\/\S+)/.exec(output);
      if (address) {
        child.stdout?.off('data', onData);
        ready(address[1]!);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => fail(new Error(`embedded event store exited (${code}): ${output}`)));
  });
  child.removeAllListeners('exit');
  // Keep draining the pipes so a chatty server never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    connectionString,
    port: Number(new URL(connectionString.replace('esdb://', 'http://')).port),
    process: child,
    stop: (signal: NodeJS.Signals = 'SIGTERM') =>
      new Promise<void>((stopped) => {
        if (child.exitCode !== null || child.signalCode !== null) return stopped();
        child.once('exit', () => stopped());
        child.kill(signal);
      }),
  };
}
