import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startEmbeddedEventStore, type EmbeddedEventStore } from './embedded-eventstore.js';

/** A built app running as its own process, with the address it printed. */
export interface RunningApp {
  readonly url: string;
  readonly process: ChildProcess;
  readonly output: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** The whole product as `npm start` runs it: embedded store, api and projector, each a process. */
export interface Stack {
  readonly store: EmbeddedEventStore;
  readonly api: RunningApp;
  readonly projector: RunningApp;
  readonly projectorDataDir: string;
  startProjector(): Promise<RunningApp>;
  stop(): Promise<void>;
}

/** Starts `dist/<entry>` and resolves with the URL from its `listening on` line. */
export async function startApp(entry: string, env: NodeJS.ProcessEnv): Promise<RunningApp> {
  const child = spawn(process.execPath, [resolve(process.cwd(), 'dist', entry)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((ready, fail) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const address = /listening on (http:\/\/\S+)/.exec(output);
      if (address) ready(address[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => fail(new Error(`${entry} exited (${code}) before listening:\n${output}`)));
  });
  child.removeAllListeners('exit');
  return {
    url,
    process: child,
    output: () => output,
    stop: (signal: NodeJS.Signals = 'SIGTERM') =>
      new Promise<void>((stopped) => {
        if (child.exitCode !== null || child.signalCode !== null) return stopped();
        child.once('exit', () => stopped());
        child.kill(signal);
      }),
  };
}

export async function startStack(env: NodeJS.ProcessEnv = {}): Promise<Stack> {
  const store = await startEmbeddedEventStore({ inMemory: true });
  const projectorDataDir = await mkdtemp(join(tmpdir(), 'switchboard-projector-'));
  const common = { EVENTSTORE_CONNECTION_STRING: store.connectionString, ...env };
  const startProjector = (): Promise<RunningApp> =>
    startApp('apps/projector/src/main.js', {
      ...common,
      PROJECTOR_PORT: '0',
      PROJECTOR_DATA_DIR: projectorDataDir,
    });
  const [api, projector] = await Promise.all([
    startApp('apps/api/src/main.js', { ...common, API_PORT: '0' }),
    startProjector(),
  ]);
  return {
    store,
    api,
    projector,
    projectorDataDir,
    startProjector,
    stop: async () => {
      await Promise.all([api.stop(), projector.stop()]);
      await store.stop();
      await rm(projectorDataDir, { recursive: true, force: true });
    },
  };
}
