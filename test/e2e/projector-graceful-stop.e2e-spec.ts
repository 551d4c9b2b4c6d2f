import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { SNAPSHOT_FILE } from '#read-models';
import { startEventStore, type StartedProcess } from '#stack';

import { holdFile } from '../support/held-file.js';
import { startSignalledApp } from '../support/signalled-app.js';

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
      const started = startSignalledApp('the projector', 'dist/apps/projector/src/main.js', [], {
        EVENTSTORE_CONNECTION_STRING: store.address,
        PROJECTOR_PORT: '0',
        PROJECTOR_DATA_DIR: dataDir,
      });
      projector = started.child;
      await snapshot.opened();

      // When it is told to stop then, and its read ends after it took the stop
      projector.kill(signal);
      await started.said(`projector received ${signal}`);
      await snapshot.release();

      // Then it stops cleanly, exit code 0, and never said it was listening
      const exit = await started.exited;
      const output = started.output();
      expect({ ...exit, output }).toEqual({ code: 0, signal: null, output });
      expect(output).not.toContain('listening on');
    },
    PROCESS_BUDGET_MS,
  );
});
