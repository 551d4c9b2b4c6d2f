import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { SNAPSHOT_FILE } from '#read-models';
import { repoRoot, startEventStore, type StartedProcess } from '#stack';

import { holdFile } from '../support/held-file.js';

/** Jest's limit for a test that starts and stops server processes on a loaded machine. */
const PROCESS_BUDGET_MS = 60_000;

/**
 * The built projector stopped with SIGTERM or SIGINT while it starts: it exits 0 once its start is
 * done, never having listened. Found by a fault campaign stopping each process under `load run`: a
 * projector signalled while it read its snapshot was killed by the signal (exit 143 or 130), its
 * handlers being set only once it listened. The snapshot is held open by the test (a named pipe), so
 * the signal lands in the start however fast or loaded the machine is.
 */
describe('the projector stopped while it starts', () => {
  let store: StartedProcess;
  let dataDir: string;
  let projector: ChildProcess | undefined;

  beforeAll(async () => {
    store = await startEventStore({ mem: true });
  }, PROCESS_BUDGET_MS);
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'switchboard-projector-graceful-'));
  });
  afterEach(async () => {
    projector?.kill('SIGKILL');
    projector = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });
  afterAll(() => store?.stop(), PROCESS_BUDGET_MS);

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'exits 0 without listening when %s comes while it reads its snapshot',
    async (signal) => {
      // Given a projector starting from a snapshot it is still reading
      const snapshot = holdFile(join(dataDir, SNAPSHOT_FILE));
      projector = spawn(process.execPath, [resolve(repoRoot(), 'dist/apps/projector/src/main.js')], {
        env: {
          ...process.env,
          EVENTSTORE_CONNECTION_STRING: store.address,
          PROJECTOR_PORT: '0',
          PROJECTOR_DATA_DIR: dataDir,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
        projector!.once('exit', (code, signal) => done({ code, signal })),
      );
      const said = (text: string) =>
        new Promise<void>((seen, failed) => {
          const read = () => output.includes(text) && seen();
          projector!.stdout!.on('data', read);
          projector!.stderr!.on('data', read);
          void exited.then(() =>
            failed(new Error(`the projector exited before saying "${text}":\n${output}`)),
          );
          read();
        });
      projector.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      projector.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await snapshot.opened();

      // When it is told to stop then, and its read ends after it took the stop
      projector.kill(signal);
      await said(`projector received ${signal}`);
      await snapshot.release();

      // Then it stops cleanly, exit code 0, and never said it was listening
      expect({ ...(await exited), output }).toEqual({ code: 0, signal: null, output });
      expect(output).not.toContain('listening on');
    },
    PROCESS_BUDGET_MS,
  );
});
