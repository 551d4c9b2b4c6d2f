import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { repoRoot, startEventStore, type StartedProcess } from '#stack';

/** Jest's limit for a test that starts and stops server processes on a loaded machine. */
const PROCESS_BUDGET_MS = 60_000;

/**
 * The built projector stopped with SIGTERM or SIGINT while it starts: it exits 0 once its start is
 * done, never having listened. Found by a fault campaign stopping each process under `load run`: a
 * projector signalled while it read its snapshot was killed by the signal (exit 143 or 130), its
 * handlers being set only once it listened.
 */
describe('the projector stopped while it starts', () => {
  let store: StartedProcess;
  let dataDir: string;
  let projector: ChildProcess | undefined;

  beforeAll(async () => {
    store = await startEventStore({ mem: true });
    dataDir = await mkdtemp(join(tmpdir(), 'switchboard-projector-graceful-'));
  }, PROCESS_BUDGET_MS);
  afterEach(() => {
    projector?.kill('SIGKILL');
    projector = undefined;
  });
  afterAll(async () => {
    await store?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }, PROCESS_BUDGET_MS);

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'exits 0 without listening when %s comes while it rebuilds its read models',
    async (signal) => {
      // Given a projector starting with a rebuild, which it says before it builds its HTTP app
      projector = spawn(process.execPath, [resolve(repoRoot(), 'dist/apps/projector/src/main.js')], {
        env: {
          ...process.env,
          EVENTSTORE_CONNECTION_STRING: store.address,
          PROJECTOR_PORT: '0',
          PROJECTOR_DATA_DIR: dataDir,
          PROJECTOR_REBUILD: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
        projector!.once('exit', (code, signal) => done({ code, signal })),
      );
      projector.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await new Promise<void>((starting) =>
        projector!.stdout!.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('rebuilding every read model')) starting();
        }),
      );

      // When it is told to stop then
      projector.kill(signal);

      // Then it stops cleanly, exit code 0, and never said it was listening
      expect({ ...(await exited), output }).toEqual({ code: 0, signal: null, output });
      expect(output).not.toContain('listening on');
    },
    PROCESS_BUDGET_MS,
  );
});
