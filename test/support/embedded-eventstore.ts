import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export interface EmbeddedEventStore {
  readonly connectionString: string;
  readonly port: number;
  readonly process: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface EmbeddedEventStoreOptions {
  inMemory?: boolean;
  dataDir?: string;
  port?: number;
}

const serverEntry = resolve(process.cwd(), 'dist/apps/eventstore/src/main.js');

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => done(port));
    });
  });
}

/** Starts the built embedded server as a child process and resolves once it prints its ready line. */
export async function startEmbeddedEventStore(
  options: EmbeddedEventStoreOptions,
): Promise<EmbeddedEventStore> {
  const port = options.port ?? (await freePort());
  const args = [serverEntry, '--port', String(port)];
  if (options.inMemory) args.push('--mem');
  if (options.dataDir) args.push('--data', options.dataDir);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((ready, fail) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('listening on')) {
        child.stdout?.off('data', onData);
        ready();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => fail(new Error(`embedded event store exited (${code}): ${output}`)));
  });
  child.removeAllListeners('exit');
  return {
    connectionString: `esdb://127.0.0.1:${port}?tls=false`,
    port,
    process: child,
    stop: (signal: NodeJS.Signals = 'SIGTERM') =>
      new Promise<void>((stopped) => {
        if (child.exitCode !== null || child.signalCode !== null) return stopped();
        child.once('exit', () => stopped());
        child.kill(signal);
      }),
  };
}
