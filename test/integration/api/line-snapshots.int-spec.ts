import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { binaryEvent } from '@eventstore/db-client';
import { LINE_SNAPSHOT_SCHEMA, lineDecider, type HangUp, type PlaceCallOnSharedLine } from '#domain';
import { eventSchemas, lineStream, type LineEvent } from '#events';
import { EventStore, SNAPSHOT_EVENT_TYPE, createEventStoreClient, snapshotStreamOf } from '#eventstore';
import { LineRepository } from '../../../apps/api/src/lines/line.repository.js';
import { callPlaced, hangUp, hungUp, loneLineContext, placeCall } from '../../../bench/lone-line.js';
import { latestSnapshotEvent, testMetadata } from '../../support/shared-store.js';

const NUMBER = '+15550000042';
const context = loneLineContext(NUMBER, '2026-01-05T09:00:00.000Z');
/** The events' metadata as the api writes it for Alice, on her own authority. */
const meta = () => testMetadata({ actor: 'alice', simulatedTime: context.now });
/** One finished call as the line's stream holds it. */
const pastCall = (callId: string): LineEvent[] => [
  callPlaced(callId, NUMBER, context.now),
  hungUp(callId, context.now),
];

const until = async (condition: () => boolean, what: string): Promise<void> => {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 20_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resume) => setTimeout(resume, 20));
  }
};

describe('line snapshots through the official client (R12 after a restart)', () => {
  const client = createEventStoreClient(process.env.EVENTSTORE_CONNECTION_STRING!);
  const store = new EventStore(client, eventSchemas);
  afterAll(() => client.dispose());

  /** A line with `calls` past calls of ids of several lengths, ASCII or not. */
  const lineWithHistory = async (calls: number) => {
    const stream = lineStream(randomUUID().replaceAll('-', ''), NUMBER.slice(1));
    const ids = Array.from({ length: calls }, (_, n) => [`c${n}`, `call-${n}`, `呼-${n}`][n % 3]!);
    for (let first = 0; first < calls; first += 500)
      await store.append(stream, ids.slice(first, first + 500).flatMap(pastCall), 'any', meta());
    return { stream, ids };
  };
  const decide = (repository: LineRepository, stream: string, command: PlaceCallOnSharedLine | HangUp) =>
    repository.handle(stream, (state) => lineDecider.decide(command, state, context), meta());
  const latestSnapshot = async (stream: string) => {
    const bytes = gunzipSync((await latestSnapshotEvent(client, stream))?.data as Uint8Array);
    const jsonEnd = bytes.indexOf(0x0a);
    return JSON.parse(bytes.toString('utf8', 0, jsonEnd < 0 ? bytes.length : jsonEnd)) as {
      schemaVersion: number;
      attachments?: number[];
    };
  };

  it('a restart loads the used ids from the snapshot: every one is still refused, new ones are taken', async () => {
    // More ids than one merge of recent ids into runs (1,024), so the snapshot holds both kinds.
    const { stream, ids } = await lineWithHistory(1_500);
    const first = new LineRepository(store, { snapshotEveryEvents: 64, log: () => undefined });
    await decide(first, stream, placeCall('new-1'));
    await until(() => first.snapshots.written > 0, 'the first snapshot');
    const written = await latestSnapshot(stream);
    expect(written.schemaVersion).toBe(LINE_SNAPSHOT_SCHEMA);
    expect(written.attachments?.length).toBeGreaterThan(0);

    const restarted = new LineRepository(store, { snapshotEveryEvents: 64, log: () => undefined });
    await decide(restarted, stream, hangUp('new-1'));
    expect(restarted.snapshots).toMatchObject({ loaded: 1, ignored: 0 });
    for (const callId of [...ids.filter((_, n) => n % 97 === 0), ids.at(-1)!, 'new-1'])
      await expect(decide(restarted, stream, placeCall(callId))).rejects.toMatchObject({
        code: 'CALL_ID_IN_USE',
      });
    await decide(restarted, stream, placeCall('new-2'));
  });

  it('a snapshot of schema v2 (the ids listed in the JSON) is ignored, and the next command writes this schema', async () => {
    const { stream, ids } = await lineWithHistory(30);
    // A v2 snapshot as an earlier build wrote it, claiming fewer ids than the line used.
    let revision = 0n;
    let eventId = '';
    for await (const stored of store.readStream(stream)) ({ revision, id: eventId } = stored);
    const v2 = {
      schemaVersion: 2,
      revision: String(revision),
      eventId,
      state: {
        call: null,
        voicemails: [],
        recentCalls: [],
        usedCallIds: ids.slice(0, 3),
        totals: { calls: 3, missed: 0, voicemails: 0 },
      },
      commands: [],
    };
    await client.appendToStream(
      snapshotStreamOf(stream),
      binaryEvent({ type: SNAPSHOT_EVENT_TYPE, data: gzipSync(Buffer.from(JSON.stringify(v2))) }),
    );

    const logs: string[] = [];
    const repository = new LineRepository(store, { snapshotEveryEvents: 1, log: (line) => logs.push(line) });
    await expect(decide(repository, stream, placeCall(ids.at(-1)!))).rejects.toMatchObject({
      code: 'CALL_ID_IN_USE',
    });
    expect(repository.snapshots).toMatchObject({ loaded: 0, ignored: 1 });
    expect(logs.join('\n')).toContain(`schema v2, this build folds v${LINE_SNAPSHOT_SCHEMA}`);

    await decide(repository, stream, placeCall('new-1'));
    await until(() => repository.snapshots.written > 0, 'the rebuilt snapshot');
    expect((await latestSnapshot(stream)).schemaVersion).toBe(LINE_SNAPSHOT_SCHEMA);
    const restarted = new LineRepository(store, { log: () => undefined });
    await expect(decide(restarted, stream, placeCall(ids.at(-1)!))).rejects.toMatchObject({
      code: 'CALL_ID_IN_USE',
    });
    expect(restarted.snapshots).toMatchObject({ loaded: 1, ignored: 0 });
  });
});
