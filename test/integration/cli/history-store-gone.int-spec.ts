import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jsonEvent } from '@eventstore/db-client';
import { createEventStoreClient } from '#eventstore';
import { headPosition } from '../../../apps/cli/src/history/history-event.js';
import { runCli } from '../../support/cli.js';
import { scratchDirForSuite } from '../../support/for-suite.js';
import {
  PROCESS_BUDGET_MS,
  startEmbeddedEventStore,
  type EmbeddedEventStore,
} from '../../support/embedded-eventstore.js';

/**
 * `history export` and `history import` when the store dies under them (SIGKILL, through the built
 * CLI): a non-zero exit naming what happened, and nothing left that passes for a finished job. An
 * export's file of whole lines read as a complete history; an import said only the client's error.
 */
describe('history export and import when the store goes away', () => {
  const EVENTS = 30_000;
  const dir = scratchDirForSuite('history-gone-');
  let store: EmbeddedEventStore | undefined;

  afterEach(async () => {
    await store?.stop('SIGKILL');
    store = undefined;
  }, PROCESS_BUDGET_MS);

  /** Resolves once `ready` holds, polling; the store is then killed. */
  const killWhen = async (ready: () => Promise<boolean>): Promise<void> => {
    for (let waited = 0; !(await ready()); waited += 5) {
      if (waited > 30_000) throw new Error('the command never got going');
      await sleep(5);
    }
    await store!.stop('SIGKILL');
  };

  it('export: leaves the earlier --out file as it was, and nothing of the export it could not finish', async () => {
    store = await startEmbeddedEventStore({ inMemory: true });
    const client = createEventStoreClient(store.connectionString);
    for (let i = 0; i < EVENTS; i += 500) {
      const batch = Array.from({ length: 500 }, (_, j) => jsonEvent({ type: 'Noted', data: { n: i + j } }));
      await client.appendToStream(`notes-${i % 7}`, batch);
    }
    await client.dispose();
    // An earlier export, where the new one is to go: an export that fails removed it
    const exports = join(dir(), 'exports');
    await mkdir(exports);
    const out = join(exports, 'export.ndjson');
    const earlier = '{"an":"earlier export"}\n';
    await writeFile(out, earlier);
    /** The temporary the export writes beside `out` until it is whole. */
    const temporary = async (): Promise<string | undefined> =>
      (await readdir(exports)).find((name) => name.startsWith('export.ndjson.') && name.endsWith('.tmp'));

    const run = runCli([
      'history',
      'export',
      '--store',
      store.connectionString,
      '--out',
      out,
      '--no-progress',
    ]);
    await killWhen(async () => {
      const name = await temporary();
      const size =
        name === undefined
          ? 0
          : await stat(join(exports, name)).then(
              (s) => s.size,
              () => 0,
            );
      return size > 0;
    });
    const { code, stderr } = await run;

    expect(code).toBe(2);
    expect(stderr).toMatch(
      new RegExp(
        `^switchboard history export: .*; ${out} left as it was: the \\d+ events read are not the whole history\\n$`,
      ),
    );
    expect(await readFile(out, 'utf8')).toBe(earlier);
    expect(await readdir(exports)).toEqual(['export.ndjson']);
  }, 120_000);

  it('import: says how many events it appended, and that importing again finishes it', async () => {
    store = await startEmbeddedEventStore({ inMemory: true });
    const file = join(dir(), 'history.ndjson');
    const lines = Array.from({ length: EVENTS }, (_, i) =>
      JSON.stringify({
        id: randomUUID(),
        stream: `notes-${i % 50}`,
        revision: String(Math.floor(i / 50)),
        position: String(100 + i),
        type: 'Noted',
        created: '2026-01-05T09:00:00.000Z',
        data: { n: i },
        metadata: {},
      }),
    );
    await writeFile(file, `${lines.join('\n')}\n`);
    const client = createEventStoreClient(store.connectionString);
    // A fresh store's log is not empty (its own system events): the import's appends move its head.
    const before = await headPosition(client);

    const run = runCli(['history', 'import', file, '--store', store.connectionString, '--no-progress']);
    await killWhen(async () => (await headPosition(client)) > before);
    const { code, stderr } = await run;
    await client.dispose();

    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^switchboard history import: .*; \d+ events were appended before it stopped: import the file again to append the rest \(events already there are skipped\)\n$/,
    );
  }, 120_000);
});
