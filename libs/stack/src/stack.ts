import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot } from './manifest.js';

/**
 * Starts the built apps as child processes, the way `tools/start.ts` does, on ports they pick
 * themselves (0), reading each one's address from its ready line. For `replay --fresh`, the
 * benchmark and the end-to-end test.
 */
export interface StartedProcess {
  readonly name: string;
  /** The address from the ready line (`esdb://…` or `http://…`). */
  readonly address: string;
  readonly process: ChildProcess;
  /** Recent output, for error messages when the process dies. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startProcess(
  name: string,
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<StartedProcess> {
  const child = spawn(process.execPath, [resolve(repoRoot(), script), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const address = await new Promise<string>((done, fail) => {
    const onData = (): void => {
      const match = ready.exec(output);
      if (match) {
        child.stdout!.off('data', onData);
        child.off('exit', onExit);
        done(match[1]!);
      }
    };
    const onExit = (code: number | null): void =>
      fail(new Error(`${name} exited (${code}) before it was ready:\n${output}`));
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
  return {
    name,
    address,
    process: child,
    output: () => output,
    stop: (signal: NodeJS.Signals = 'SIGTERM') =>
      new Promise<void>((stopped) => {
        if (child.exitCode !== null || child.signalCode !== null) return stopped();
        // As a container runtime does: a process still running STOP_GRACE_MS after the signal is
        // killed, and says so, so that one stuck shutdown cannot hang whatever stops the stack.
        const overdue = setTimeout(() => {
          process.stderr.write(`${name} did not stop within ${STOP_GRACE_MS} ms of ${signal}: killed\n`);
          child.kill('SIGKILL');
        }, STOP_GRACE_MS);
        child.once('exit', () => {
          clearTimeout(overdue);
          stopped();
        });
        child.kill(signal);
      }),
  };
}

/** How long a stopped process may take to exit before it is killed. */
const STOP_GRACE_MS = 10_000;

/** The embedded store on a free port, in memory or on `dataDir`; `args` are more of its options. */
export const startEventStore = (
  options: { mem?: boolean; dataDir?: string; args?: readonly string[] } = { mem: true },
): Promise<StartedProcess> =>
  startProcess(
    'eventstore',
    'dist/apps/eventstore/src/main.js',
    ['--port', '0', ...(options.mem ? ['--mem'] : ['--data', options.dataDir!]), ...(options.args ?? [])],
    {},
    /listening on (esdb:\/\/\S+)/,
  );

export interface Stack {
  readonly store: StartedProcess;
  readonly api: StartedProcess;
  readonly projector: StartedProcess;
  /** Where the projector keeps its snapshot (a temporary directory, removed by `stop`). */
  readonly projectorDataDir: string;
  /**
   * Starts another projector on the same store and snapshot directory (after the first one stopped),
   * with `env` on top of the stack's (e.g. PROJECTOR_PARK_FAILED_EVENTS).
   */
  startProjector(env?: NodeJS.ProcessEnv): Promise<StartedProcess>;
  stop(): Promise<void>;
}

/** The embedded store (in memory unless `storeDataDir`), the api and the projector, each on a free port. */
export async function startStack(env: NodeJS.ProcessEnv = {}, storeDataDir?: string): Promise<Stack> {
  const store = await startEventStore(storeDataDir ? { dataDir: storeDataDir } : { mem: true });
  const common = { ...env, EVENTSTORE_CONNECTION_STRING: store.address };
  const projectorDataDir = await mkdtemp(join(tmpdir(), 'switchboard-projector-'));
  const startProjector = (env: NodeJS.ProcessEnv = {}): Promise<StartedProcess> =>
    startProcess(
      'projector',
      'dist/apps/projector/src/main.js',
      [],
      { ...common, ...env, PROJECTOR_PORT: '0', PROJECTOR_DATA_DIR: projectorDataDir },
      /projector listening on (http:\/\/\S+)/,
    );
  const cleanUp = async (): Promise<void> => {
    await store.stop();
    await rm(projectorDataDir, { recursive: true, force: true });
  };
  try {
    const started = await Promise.allSettled([
      startProcess(
        'api',
        'dist/apps/api/src/main.js',
        [],
        { ...common, API_PORT: '0' },
        /api listening on (http:\/\/\S+)/,
      ),
      startProjector(),
    ]);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) {
      // Do not leave the one that did start running.
      await Promise.all(
        started.map((result) => (result.status === 'fulfilled' ? result.value.stop() : undefined)),
      );
      throw failed.reason;
    }
    const [api, projector] = started.map(
      (result) => (result as PromiseFulfilledResult<StartedProcess>).value,
    ) as [StartedProcess, StartedProcess];
    return {
      store,
      api,
      projector,
      projectorDataDir,
      startProjector,
      // The apps first and the store last, as `npm start` does, so nothing is cut mid-append.
      stop: async () => {
        await Promise.all([api.stop(), projector.stop()]);
        await cleanUp();
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
