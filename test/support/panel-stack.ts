import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEventStore, startProcess, type StartedProcess } from '#stack';

/**
 * The stack for the browser tests: the embedded store, the api, then the projector told where the api
 * is (the page's commands go through the projector's /panel/api to it). Ports are free ones (0).
 */
export interface PanelStack {
  readonly api: string;
  readonly projector: string;
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
    const api = await startProcess(
      'api',
      'dist/apps/api/src/main.js',
      [],
      { ...common, API_PORT: '0' },
      /api listening on (http:\/\/\S+)/,
    );
    started.push(api);
    const projector = await startProcess(
      'projector',
      'dist/apps/projector/src/main.js',
      [],
      { ...common, PROJECTOR_PORT: '0', PROJECTOR_DATA_DIR: dataDir, SWITCHBOARD_API_URL: api.address },
      /projector listening on (http:\/\/\S+)/,
    );
    started.push(projector);
    return { api: api.address, projector: projector.address, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
