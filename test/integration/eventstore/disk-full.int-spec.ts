import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  EventStoreDBClient,
  START,
  UnavailableError,
  UnknownError,
  jsonEvent,
  streamNameFilter,
  type EventData,
} from '@eventstore/db-client';

import { ioError, noSpaceLeft } from '../../../apps/eventstore/src/storage/failing-disk.fixture.js';
import { logWriteFailureCode } from '../../../libs/eventstore/src/errors.js';
import { startStoreOnFailingDisk, type StoreOnFailingDisk } from './failing-disk-store.js';
import { collect, take, uniqueStream } from './support.js';

/**
 * What the official client meets when the embedded server's log cannot be written: a full disk
 * (ENOSPC) and a failing one (EIO), made through the server's write seam, since CI may not be able to
 * mount a small file system (apps/eventstore/README.md tells how to see it on a real full tmpfs). The
 * server runs in this process, with its real gRPC service, log store and files.
 */
describe('the embedded event store on a disk that fails', () => {
  let dataDir: string;
  const running: StoreOnFailingDisk[] = [];
  const clients: EventStoreDBClient[] = [];

  const start = async (dir = dataDir) => {
    const store = await startStoreOnFailingDisk(dir);
    running.push(store);
    const client = EventStoreDBClient.connectionString(store.connectionString);
    clients.push(client);
    return { store, client };
  };
  /** A store started on a copy of the files as they are now: what a crash at this moment leaves. */
  const startAfterCrash = async () => {
    const copy = `${dataDir}-after-crash`;
    await cp(dataDir, copy, { recursive: true });
    return start(copy);
  };
  const idsOf = (events: readonly EventData[]) => events.map((event) => event.id);
  const readIds = async (client: EventStoreDBClient, stream: string) =>
    (await collect(client.readStream(stream))).map((resolved) => resolved.event!.id);

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'eventstore-disk-full-'));
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.dispose();
    for (const store of running.splice(0)) await store.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(`${dataDir}-after-crash`, { recursive: true, force: true });
  });

  it('disk full: the append is not acknowledged (its BatchAppend reply names log-write-failed and ENOSPC), nothing of it is read or delivered, later appends succeed once there is room, and a restart loses nothing acknowledged', async () => {
    const { store, client } = await start();
    const stream = uniqueStream('disk-full');
    const before = [jsonEvent({ type: 'Placed', data: {} }), jsonEvent({ type: 'Held', data: {} })];
    await client.appendToStream(stream, before);
    const subscription = client.subscribeToStream(stream, { fromRevision: START });
    const delivered = take(subscription, 3);
    store.disk.fail(await noSpaceLeft());

    const refused = await client
      .appendToStream(stream, jsonEvent({ type: 'Lost', data: {} }))
      .catch((error: unknown) => error);

    // The client knows no such reply and keeps its message in an UnknownError (docs/event-store.md).
    expect(refused).toBeInstanceOf(UnknownError);
    expect((refused as UnknownError).message).toMatch(
      /^Could not recognize log-write-failed ENOSPC: the log could not be written \(ENOSPC.*nothing of this append was kept/,
    );
    expect(await readIds(client, stream)).toEqual(idsOf(before));
    store.disk.heal();
    const after = jsonEvent({ type: 'Answered', data: {} });
    expect((await client.appendToStream(stream, after, { expectedRevision: 1n })).nextExpectedRevision).toBe(
      2n,
    );
    const acknowledged = idsOf([...before, after]);
    expect((await delivered).events.map((resolved) => resolved.event!.id)).toEqual(acknowledged);
    const all = await collect(client.readAll({ fromPosition: START }));
    expect(
      all.filter((resolved) => resolved.event?.streamId === stream).map((resolved) => resolved.event!.id),
    ).toEqual(acknowledged);
    expect(store.log).toEqual(['write failed: ENOSPC, 1 refused, resumes', 'writes resumed after 1 failed']);

    const { client: restarted } = await startAfterCrash();
    expect(await readIds(restarted, stream)).toEqual(acknowledged);
  });

  it('Given a full disk, When an event is appended over the classic Append, Then the client raises UnavailableError naming ENOSPC with the log-write-failed trailer, nothing is written, and the same client appends once there is room', async () => {
    // EventStoreDB has no answer of its own for a write the disk refused: its writer stops the node,
    // and the append ends with the connection (docs/event-store.md, "A failed write").
    const { store, client } = await start();
    const stream = uniqueStream('disk-full-classic');
    const viaAppend = { credentials: { username: 'admin', password: 'changeit' } };
    const before = [jsonEvent({ type: 'Placed', data: {} })];
    await client.appendToStream(stream, before, viaAppend);
    store.disk.fail(await noSpaceLeft());

    const refused = await client
      .appendToStream(stream, jsonEvent({ type: 'Lost', data: {} }), viaAppend)
      .catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(UnavailableError);
    expect((refused as UnavailableError).message).toMatch(
      /^14 UNAVAILABLE: the log could not be written \(ENOSPC.*nothing of this append was kept/,
    );
    // What the api reads to answer STORE_CANNOT_WRITE with its cause.
    expect(logWriteFailureCode(refused)).toBe('ENOSPC');
    expect(await readIds(client, stream)).toEqual(idsOf(before));
    store.disk.heal();
    const after = jsonEvent({ type: 'Answered', data: {} });
    const appended = await client.appendToStream(stream, after, { ...viaAppend, expectedRevision: 0n });
    expect(appended.nextExpectedRevision).toBe(1n);
    expect(await readIds(client, stream)).toEqual(idsOf([...before, after]));
  });

  it('concurrent writers while the disk fills up and is freed: every append is acknowledged or refused on the connection they had, and exactly the acknowledged ones are read, delivered and kept by a restart', async () => {
    const { store, client } = await start();
    const writers = 6;
    const rounds = 30;
    const prefix = uniqueStream('filling');
    const acknowledged = new Map<string, string[]>();
    let acknowledgements = 0;
    let refusals = 0;
    let acknowledgedAfterRoom = 0;
    const subscription = client.subscribeToAll({ filter: streamNameFilter({ prefixes: [prefix] }) });
    const writer = async (index: number) => {
      const stream = `${prefix}-${index}`;
      const written: string[] = [];
      acknowledged.set(stream, written);
      for (let round = 0; round < rounds; round += 1) {
        const event = jsonEvent({ type: 'Filled', data: { round } });
        try {
          await client.appendToStream(stream, event);
          written.push(event.id!);
          acknowledgements += 1;
          if (refusals >= 20) acknowledgedAfterRoom += 1;
          if (acknowledgements === 40) store.disk.fail(await noSpaceLeft());
        } catch (error) {
          expect(error).toBeInstanceOf(UnknownError);
          expect((error as UnknownError).message).toMatch(/log-write-failed ENOSPC: /);
          refusals += 1;
          if (refusals === 20) store.disk.heal();
        }
      }
    };

    await Promise.all(Array.from({ length: writers }, (_, index) => writer(index)));

    expect(refusals).toBeGreaterThanOrEqual(20);
    expect(acknowledgedAfterRoom).toBeGreaterThan(0);
    const total = [...acknowledged.values()].reduce((sum, ids) => sum + ids.length, 0);
    expect(total + refusals).toBe(writers * rounds);
    // A refusal is one append's answer: the client kept its connection, and the subscription on it.
    expect(store.connectionsOpened()).toBe(1);
    for (const [stream, ids] of acknowledged) expect(await readIds(client, stream)).toEqual(ids);
    const { events } = await take(subscription, total);
    const deliveredIds = events.map((resolved) => resolved.event!.id);
    expect(new Set(deliveredIds)).toEqual(new Set([...acknowledged.values()].flat()));
    const { client: restarted } = await startAfterCrash();
    for (const [stream, ids] of acknowledged) expect(await readIds(restarted, stream)).toEqual(ids);
  });

  it('a failing disk (EIO): appends are refused until the store is restarted while reads and subscriptions go on, and the restart keeps every acknowledged append', async () => {
    const { store, client } = await start();
    const stream = uniqueStream('failing-disk');
    const kept = jsonEvent({ type: 'Kept', data: {} });
    await client.appendToStream(stream, kept);
    const subscription = client.subscribeToStream(stream, { fromRevision: START });
    store.disk.fail(ioError(), { partialBytes: 40 });

    await expect(client.appendToStream(stream, jsonEvent({ type: 'Lost', data: {} }))).rejects.toThrow(
      /could not be written \(EIO/,
    );
    store.disk.heal();
    await expect(client.appendToStream(stream, jsonEvent({ type: 'Refused', data: {} }))).rejects.toThrow(
      /no append is taken until the store is restarted/,
    );
    expect(await readIds(client, stream)).toEqual([kept.id]);
    expect((await take(subscription, 1)).events.map((resolved) => resolved.event!.id)).toEqual([kept.id]);
    expect(store.log).toEqual(['write failed: EIO, 1 refused, until restart']);

    await running.pop()!.stop();
    const { client: restarted } = await start();
    expect(await readIds(restarted, stream)).toEqual([kept.id]);
    const after = jsonEvent({ type: 'Again', data: {} });
    expect((await restarted.appendToStream(stream, after)).nextExpectedRevision).toBe(1n);
  });
});
