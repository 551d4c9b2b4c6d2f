import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonEvent, type EventStoreDBClient } from '@eventstore/db-client';
import { createEventStoreClient } from '#eventstore';
import { runCli } from '../../support/cli.js';
import { ownEmbeddedStore } from '../../support/embedded-eventstore.js';

/**
 * `history export --from <position>` through the built CLI, against a store that reads `$all` only
 * from an event's own position, as EventStoreDB 24 does (docs/event-store.md, "Reading `$all` from a
 * position that is not an event's").
 */
describe('history export --from a $all position', () => {
  let client: EventStoreDBClient;
  const store = ownEmbeddedStore(() => client?.dispose());
  /** The $all positions of the three events written, in order. */
  let positions: bigint[];

  beforeAll(async () => {
    client = createEventStoreClient(store.server.connectionString);
    const notes = ['first', 'second', 'third'].map((note) =>
      jsonEvent({ type: 'Noted', data: { note }, metadata: { simulatedTime: '2026-01-05T09:00:00Z' } }),
    );
    await client.appendToStream('notes-1', notes);
    positions = [];
    for await (const resolved of client.readStream('notes-1'))
      positions.push(resolved.event!.position!.commit);
  });

  const exportFrom = (from: bigint, ...more: string[]) =>
    runCli([
      'history',
      'export',
      '--store',
      store.server.connectionString,
      '--from',
      String(from),
      '--no-progress',
      ...more,
    ]);

  it("Given three events, When they are exported --from the second one's position, Then the second and third are written, from a read EventStoreDB accepts", async () => {
    const { code, stdout, stderr } = await exportFrom(positions[1]!);

    expect(stderr).toBe('exported 2 events\n');
    expect(code).toBe(0);
    const exported = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { position: string; data: { note: string } });
    expect(exported.map((event) => [event.position, event.data.note])).toEqual([
      [String(positions[1]), 'second'],
      [String(positions[2]), 'third'],
    ]);
  });

  it('Given three events, When they are exported --from a position inside the second, Then the export fails naming that position and what to give instead', async () => {
    const inside = positions[1]! + 1n;
    const { code, stdout, stderr } = await exportFrom(inside);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `switchboard history export: no event of the store is at $all position ${inside}, and the store ` +
        "reads $all only from an event's position (it said: 3 INVALID_ARGUMENT: Trying to read from an " +
        'invalid position.); give the position of an event, as an export writes it, or a simulated time\n',
    );
  });

  it('Given an earlier export, When an export to it fails --from a position inside an event, Then the earlier export is left as it was', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'history-export-from-'));
    try {
      const out = join(dir, 'history.ndjson');
      const earlier = '{"an":"earlier export"}\n';
      await writeFile(out, earlier);

      const { code, stderr } = await exportFrom(positions[1]! + 1n, '--out', out);

      expect(code).toBe(2);
      expect(stderr).toMatch(
        new RegExp(
          `give the position of an event, .*; ${out} left as it was: the 0 events read are not the whole history\n$`,
        ),
      );
      expect(await readFile(out, 'utf8')).toBe(earlier);
      expect(await readdir(dir)).toEqual(['history.ndjson']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
