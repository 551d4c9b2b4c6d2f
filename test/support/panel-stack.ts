import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEventStore, startProcess, type StartedProcess } from '#stack';

/**
 * The stack for the browser tests: the embedded store, the api, then the projector told where the api
 * is (the page's commands go through the projector's /panel/api to it). Ports are free ones (0).
 */
export interface PanelStack {
  /** The store's connection string, for the CLI's checks against the log (`--store`). */
  readonly store: string;
  readonly api: string;
  readonly projector: string;
  /**
   * Stops the projector as `npm start`'s Ctrl-C does (SIGTERM) and resolves with its exit code once it
   * exited: `null` when it had to be killed, not having stopped within the grace period.
   */
  stopProjector(): Promise<number | null>;
  /** Starts the projector again, on the same port and snapshot, after `stopProjector`. */
  startProjector(): Promise<void>;
  /** Stops the api alone (SIGTERM): the projector, and the pages on it, stay. */
  stopApi(): Promise<void>;
  /** Starts the api again, on the same port (where the projector forwards), after `stopApi`. */
  startApi(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPanelStack(env: NodeJS.ProcessEnv = {}): Promise<PanelStack> {
  const store = await startEventStore({ mem: true });
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-panel-'));
  const started: StartedProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(started.map((process) => process.stop()));
    await store.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const common = { ...env, EVENTSTORE_CONNECTION_STRING: store.address };
    const startApi = (port: string) =>
      startProcess(
        'api',
        'dist/apps/api/src/main.js',
        [],
        { ...common, API_PORT: port },
        /api listening on (http:\/\/\S+)/,
      );
    let api = await startApi('0');
    started.push(api);
    const apiAddress = api.address;
    const startProjector = (port: string) =>
      startProcess(
        'projector',
        'dist/apps/projector/src/main.js',
        [],
        { ...common, PROJECTOR_PORT: port, PROJECTOR_DATA_DIR: dataDir, SWITCHBOARD_API_URL: apiAddress },
        /projector listening on (http:\/\/\S+)/,
      );
    let projector = await startProjector('0');
    started.push(projector);
    const address = projector.address;
    return {
      store: store.address,
      api: apiAddress,
      projector: address,
      async stopProjector() {
        await projector.stop();
        return projector.process.exitCode;
      },
      async startProjector() {
        const again = await startProjector(new URL(address).port);
        started.splice(started.indexOf(projector), 1, again);
        projector = again;
      },
      stopApi: () => api.stop(),
      async startApi() {
        const again = await startApi(new URL(api.address).port);
        started.splice(started.indexOf(api), 1, again);
        api = again;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
