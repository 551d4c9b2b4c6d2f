import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { binaryEvent, jsonEvent, type EventData } from '@eventstore/db-client';
import type { DomainEvent } from '#events';
import {
  AggregateRepository,
  EventStore,
  SNAPSHOT_EVENT_TYPE,
  readAggregateSnapshot,
  snapshotStreamOf,
  type RecordedItem,
  type SnapshotCodec,
} from '#eventstore';
import { connectToSharedStore, latestSnapshotEvent, testMetadata } from '../../support/shared-store.js';

/**
 * An aggregate whose state is its whole history in order: a snapshot that skipped, doubled or
 * reordered an event, or lost one appended while it was written, shows in an equality check.
 */
type Noted = DomainEvent<'Noted', { note: string }>;
interface Notes {
  readonly notes: readonly string[];
}
const codec: SnapshotCodec<Notes> = {
  schemaVersion: 3,
  serialize: (state) => ({ notes: state.notes }),
  deserialize: (data) => {
    const notes = (data as { notes?: unknown } | null)?.notes;
    if (!Array.isArray(notes) || !notes.every((note) => typeof note === 'string'))
      throw new TypeError('notes are not strings');
    return { notes };
  },
};
const notes = {
  initialState: { notes: [] } as Notes,
  evolve: (state: Notes, event: Noted): Notes => ({ notes: [...state.notes, event.data.note] }),
};
const withSnapshots = { ...notes, snapshot: codec };
const note = (text: string) => (): Noted[] => [{ type: 'Noted', data: { note: text } }];

/** A snapshot event as the repository writes one: its JSON, gzipped, and the metadata given. */
const snapshotEvent = (data: unknown, metadata?: unknown): EventData =>
  binaryEvent({
    type: SNAPSHOT_EVENT_TYPE,
    data: gzipSync(Buffer.from(JSON.stringify(data), 'utf8')),
    ...(metadata === undefined ? {} : { metadata }),
  });

/**
 * The store, noting where each read of a stream starts: a restart's first command reads the events
 * after the snapshot while it is decoded (readRecordedBatch), and reads again only when that read
 * cannot be used or stopped short of the head (readRecorded).
 */
class ReadNotingStore extends EventStore {
  readonly batches: bigint[] = [];
  readonly reads: bigint[] = [];
  /** Runs once the first batch read is done, before the repository sees it. */
  afterFirstBatch: (() => Promise<unknown>) | undefined;

  override async readRecordedBatch<E extends DomainEvent = DomainEvent>(
    stream: string,
    fromRevision: bigint,
    maxCount: number,
  ): Promise<{ items: RecordedItem<E>[]; next: bigint; reachedEnd: boolean }> {
    this.batches.push(fromRevision);
    const read = await super.readRecordedBatch<E>(stream, fromRevision, maxCount);
    const hook = this.afterFirstBatch;
    this.afterFirstBatch = undefined;
    await hook?.();
    return read;
  }

  override readRecorded<E extends DomainEvent = DomainEvent>(
    stream: string,
    fromRevision = 0n,
    maxCount?: number,
  ): AsyncGenerator<RecordedItem<E>> {
    this.reads.push(fromRevision);
    return super.readRecorded<E>(stream, fromRevision, maxCount);
  }
}

const until = async (condition: () => boolean, what: string): Promise<void> => {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 20_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resume) => setTimeout(resume, 20));
  }
};

describe('aggregate snapshots through the official client', () => {
  const { client, store } = connectToSharedStore();

  const stream = (): string => `notes-${randomUUID().replaceAll('-', '')}`;
  /** The truth: a repository without snapshots folds the whole stream. */
  const fullFold = async (name: string) => (await new AggregateRepository(store, notes).load(name)).state;

  it('a cold load from snapshot + tail equals the full fold, with two writers appending throughout', async () => {
    const name = stream();
    const logs: string[] = [];
    const options = { snapshotEveryEvents: 7, log: (line: string) => logs.push(line) };
    const writers = [
      new AggregateRepository(store, withSnapshots, options),
      new AggregateRepository(store, withSnapshots, options),
    ];
    const cold: Notes[] = [];
    const coldLoaders: AggregateRepository<Notes, Noted>[] = [];
    // Two processes' commands interleaved, each of them also folding the other's via conflicts, and
    // cold loads (a process that just started) in between, while appends go on.
    await Promise.all(
      writers.map(async (writer, w) => {
        for (let i = 0; i < 60; i++) {
          await writer.handle(name, note(`${w}:${i}`), testMetadata());
          if (i % 15 === 14) {
            const loader = new AggregateRepository(store, withSnapshots, options);
            coldLoaders.push(loader);
            const loaded = (await loader.load(name)).state;
            cold.push(loaded);
          }
        }
      }),
    );
    await until(() => writers.every((writer) => writer.snapshots.written > 0), 'snapshot writes');
    expect(writers.reduce((sum, writer) => sum + writer.snapshots.failed, 0)).toBe(0);

    // Every cold load during the appends was a prefix of the final history, in the store's order.
    const truth = await fullFold(name);
    expect(truth.notes).toHaveLength(120);
    for (const state of cold) expect(truth.notes.slice(0, state.notes.length)).toEqual(state.notes);
    expect(coldLoaders.some((loader) => loader.snapshots.loaded > 0)).toBe(true);

    const restarted = new AggregateRepository(store, withSnapshots, options);
    expect((await restarted.load(name)).state).toEqual(truth);
    expect(restarted.snapshots).toMatchObject({ loaded: 1, ignored: 0 });
    // The snapshot is behind the head by less than the interval plus what was appended after it.
    const latest = await readAggregateSnapshot(store, name, codec);
    expect(latest.kind).toBe('found');
    expect(logs).toEqual([]);
  });

  it('a cold load answers a resent command id from a snapshot with its first result, not a second append', async () => {
    const name = stream();
    const writer = new AggregateRepository(store, withSnapshots, { snapshotEveryEvents: 3 });
    const resent = testMetadata();
    await writer.handle(name, note('first'), testMetadata());
    await writer.handle(name, note('once'), resent);
    for (let i = 0; i < 5; i++) await writer.handle(name, note(`more-${i}`), testMetadata());
    await until(() => writer.snapshots.written > 0, 'a snapshot');

    const restarted = new AggregateRepository(store, withSnapshots, { snapshotEveryEvents: 3 });
    const again = await restarted.handle(name, note('once'), resent);
    expect(restarted.snapshots.loaded).toBe(1);
    expect(again.duplicate).toBe(true);
    expect(again.events).toEqual([{ type: 'Noted', data: { note: 'once' } }]);
    expect((await fullFold(name)).notes.filter((text) => text === 'once')).toHaveLength(1);
  });

  it.each([
    [
      'of an older schema',
      snapshotEvent({ schemaVersion: 2, revision: '2', eventId: randomUUID(), state: {}, commands: [] }),
      /schema v2/,
    ],
    [
      'corrupt',
      snapshotEvent({
        schemaVersion: 3,
        revision: '2',
        eventId: randomUUID(),
        state: { notes: [1] },
        commands: [],
      }),
      /state unreadable/,
    ],
    [
      'without a revision',
      snapshotEvent({ schemaVersion: 3, eventId: randomUUID(), state: { notes: [] }, commands: [] }),
      /no revision/,
    ],
    [
      'whose attachments do not match the bytes after its JSON',
      binaryEvent({
        type: SNAPSHOT_EVENT_TYPE,
        data: gzipSync(
          Buffer.concat([
            Buffer.from(
              JSON.stringify({
                schemaVersion: 3,
                revision: '2',
                eventId: randomUUID(),
                state: { notes: [] },
                commands: [],
                attachments: [5],
              }),
            ),
            Buffer.from('\nabc'),
          ]),
        ),
      }),
      /attachments of 5 bytes, 3 after the JSON/,
    ],
    [
      'not gzipped',
      jsonEvent({
        type: SNAPSHOT_EVENT_TYPE,
        data: { schemaVersion: 3, revision: '3', eventId: randomUUID(), state: { notes: [] }, commands: [] },
      }),
      /not a gzipped snapshot/,
    ],
  ])(
    'a snapshot %s is ignored, the fold starts from the first event, and the next command writes a good one',
    async (_, event, reason) => {
      const name = stream();
      for (let i = 0; i < 4; i++) await store.append(name, note(`n${i}`)(), 'any', testMetadata());
      await client.appendToStream(snapshotStreamOf(name), event);

      const logs: string[] = [];
      const repository = new AggregateRepository(store, withSnapshots, {
        snapshotEveryEvents: 2,
        log: (line) => logs.push(line),
      });
      expect((await repository.load(name)).state).toEqual(await fullFold(name));
      expect(repository.snapshots).toMatchObject({ loaded: 0, ignored: 1 });
      expect(logs.join('\n')).toMatch(/ignored/);
      expect(logs.join('\n')).toMatch(reason);

      // A load writes nothing (it may serve a refused command); the next accepted command does.
      await repository.handle(name, note('n4'), testMetadata());
      await until(() => repository.snapshots.written > 0, 'the rebuilt snapshot');
      const rebuilt = await readAggregateSnapshot(store, name, codec);
      expect(rebuilt).toMatchObject({
        kind: 'found',
        snapshot: { revision: 4n, state: { notes: ['n0', 'n1', 'n2', 'n3', 'n4'] } },
      });
    },
  );

  it('a snapshot that does not match the event at its revision (a stream written anew) is ignored', async () => {
    const name = stream();
    for (let i = 0; i < 4; i++) await store.append(name, note(`n${i}`)(), 'any', testMetadata());
    const forged = {
      schemaVersion: 3,
      revision: '1',
      eventId: randomUUID(),
      state: { notes: ['other'] },
      commands: [],
    };
    await client.appendToStream(snapshotStreamOf(name), snapshotEvent(forged));

    const repository = new AggregateRepository(store, withSnapshots);
    expect((await repository.load(name)).state).toEqual({ notes: ['n0', 'n1', 'n2', 'n3'] });
    expect(repository.snapshots).toMatchObject({ loaded: 0, ignored: 1 });
  });

  it('keeps at most two snapshots per stream ($maxCount)', async () => {
    const name = stream();
    const writer = new AggregateRepository(store, withSnapshots, { snapshotEveryEvents: 1 });
    for (let i = 0; i < 6; i++) {
      await writer.handle(name, note(`n${i}`), testMetadata());
      await until(() => writer.snapshots.written > i, 'a snapshot per command');
    }
    const { metadata } = await client.getStreamMetadata(snapshotStreamOf(name));
    expect(metadata?.maxCount).toBe(2);
    const kept = [];
    for await (const resolved of client.readStream(snapshotStreamOf(name)))
      kept.push(resolved.event?.revision);
    expect(kept).toEqual([4n, 5n]);
  });

  it('no subscription takes a snapshot for a domain event: category ones (projector, api) and $all without a filter', async () => {
    const name = stream();
    const from = await store.headPosition();
    const writer = new AggregateRepository(store, withSnapshots, { snapshotEveryEvents: 1 });
    for (let i = 0; i < 3; i++) {
      await writer.handle(name, note(`n${i}`), testMetadata());
      await until(() => writer.snapshots.written > i, 'a snapshot per command');
    }
    // Snapshots are in the log: a check that would pass on a log without them proves nothing.
    let snapshotsInLog = 0;
    for await (const resolved of client.readAll({ fromPosition: { commit: from, prepare: from } }))
      if (resolved.event?.streamId === snapshotStreamOf(name)) snapshotsInLog++;
    expect(snapshotsInLog).toBeGreaterThanOrEqual(3);

    const seen = async (options: { streamPrefixes?: readonly string[] }) => {
      const items = [];
      const subscription = store.subscribeToAll({ ...options, fromPosition: from });
      for await (const item of subscription) {
        if (item.kind === 'caughtUp') break;
        if (item.kind === 'event' || item.kind === 'foreign') items.push(item);
      }
      await subscription.close();
      return items;
    };
    // The projector and the api follow categories; a reader without a filter excludes system events.
    for (const items of [await seen({ streamPrefixes: ['notes-'] }), await seen({})]) {
      const ours = items.filter((item) =>
        (item.kind === 'event' ? item.stored.stream : item.foreign.stream).includes(name),
      );
      expect(ours.map((item) => (item.kind === 'event' ? item.stored.stream : item.foreign.stream))).toEqual([
        name,
        name,
        name,
      ]);
    }
  });

  /** The latest snapshot event's metadata, as the client reads it. */
  const snapshotMetadata = async (name: string): Promise<unknown> =>
    (await latestSnapshotEvent(client, name))?.metadata;
  /** Ids of a stream's events, by revision. */
  const eventIds = async (name: string): Promise<string[]> => {
    const ids: string[] = [];
    for await (const stored of store.readStream(name)) ids.push(stored.id);
    return ids;
  };

  /**
   * A new stream of notes n0… handled by a process that writes a snapshot every `every` events, once
   * a snapshot is stored; answers its name.
   */
  const snapshotted = async (every: number, handled: number): Promise<string> => {
    const name = stream();
    const writer = new AggregateRepository(store, withSnapshots, { snapshotEveryEvents: every });
    for (let i = 0; i < handled; i++) await writer.handle(name, note(`n${i}`), testMetadata());
    await until(() => writer.snapshots.written > 0, 'a snapshot');
    await writer.settleSnapshots();
    return name;
  };
  /** Notes n{from}… up to n{to - 1}, appended by a process that writes no snapshots. */
  const appendNotes = async (name: string, from: number, to: number): Promise<void> => {
    for (let i = from; i < to; i++) await store.append(name, note(`n${i}`)(), 'any', testMetadata());
  };
  /** The latest snapshot of a stream that has one. */
  const writtenSnapshot = async (name: string) => {
    const latest = await readAggregateSnapshot(store, name, codec);
    if (latest.kind !== 'found') throw new Error('no snapshot was written');
    return latest.snapshot;
  };

  it('a snapshot names its revision in its metadata, and a restart reads the events after it while decoding it: one read before the append', async () => {
    const name = await snapshotted(3, 5);
    await appendNotes(name, 5, 7);
    const snapshot = await writtenSnapshot(name);
    expect(await snapshotMetadata(name)).toEqual({ revision: String(snapshot.revision) });

    const noting = new ReadNotingStore(client);
    const restarted = new AggregateRepository(noting, withSnapshots, { snapshotEveryEvents: 3 });
    await restarted.handle(name, note('n7'), testMetadata());
    expect(restarted.snapshots).toMatchObject({ loaded: 1, ignored: 0 });
    expect(noting.batches).toEqual([snapshot.revision]);
    expect(noting.reads).toEqual([]);
    expect((await restarted.load(name)).state).toEqual(await fullFold(name));
    expect((await fullFold(name)).notes).toEqual(['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7']);
  });

  it.each([
    ['an earlier revision', { revision: '0' }],
    ['a revision past the head', { revision: '99' }],
    ['no revision', { revision: 'two' }],
    ['nothing', undefined],
  ])(
    'a snapshot whose metadata names %s is folded on from the revision its data states',
    async (_, metadata) => {
      const name = stream();
      await appendNotes(name, 0, 6);
      const data = {
        schemaVersion: 3,
        revision: '2',
        eventId: (await eventIds(name))[2],
        state: { notes: ['n0', 'n1', 'n2'] },
        commands: [],
      };
      await client.appendToStream(snapshotStreamOf(name), snapshotEvent(data, metadata));

      const noting = new ReadNotingStore(client);
      const repository = new AggregateRepository(noting, withSnapshots, { snapshotEveryEvents: 0 });
      expect((await repository.load(name)).state).toEqual(await fullFold(name));
      expect(repository.snapshots).toMatchObject({ loaded: 1, ignored: 0 });
      // The read made while decoding is used only when it starts where the snapshot says it ends.
      expect(noting.reads).toEqual([2n]);
    },
  );

  it("a command appended while the events after the snapshot are read is folded in before deciding: the restart's append conflicts and catches up", async () => {
    const name = await snapshotted(2, 4);

    const noting = new ReadNotingStore(client);
    const other = new AggregateRepository(store, notes);
    noting.afterFirstBatch = () => other.handle(name, note('raced'), testMetadata());
    const restarted = new AggregateRepository(noting, withSnapshots, { snapshotEveryEvents: 2 });
    const outcome = await restarted.handle(name, note('after'), testMetadata());

    expect(outcome.duplicate).toBe(false);
    expect(restarted.snapshots).toMatchObject({ loaded: 1, ignored: 0 });
    const truth = await fullFold(name);
    expect(truth.notes).toEqual(['n0', 'n1', 'n2', 'n3', 'raced', 'after']);
    expect((await restarted.load(name)).state).toEqual(truth);
  });

  it('a tail longer than the read made while decoding is read on to the head', async () => {
    const name = await snapshotted(2, 3);
    // Written by a process that writes no snapshots: the tail grows past any read made at once.
    await appendNotes(name, 3, 30);
    const snapshot = await writtenSnapshot(name);

    const noting = new ReadNotingStore(client);
    const restarted = new AggregateRepository(noting, withSnapshots, { snapshotEveryEvents: 1 });
    expect((await restarted.load(name)).state).toEqual(await fullFold(name));
    expect(restarted.snapshots).toMatchObject({ loaded: 1, ignored: 0 });
    expect(noting.batches).toEqual([snapshot.revision]);
    expect(noting.reads).toHaveLength(1);
    expect(noting.reads[0]!).toBeGreaterThan(snapshot.revision);
  });

  it.each([
    ['tombstoned', (name: string) => client.tombstoneStream(name)],
    ['softDeleted', (name: string) => client.deleteStream(name)],
  ] as const)(
    'a stream deleted after its snapshot was written is %s for a restart too: nothing is appended',
    async (deletion, remove) => {
      const name = await snapshotted(2, 3);
      await remove(name);

      const restarted = new AggregateRepository(store, withSnapshots, { snapshotEveryEvents: 2 });
      await expect(restarted.handle(name, note('after'), testMetadata())).rejects.toMatchObject({
        name: 'DeletedStreamError',
        deletion,
      });
      // Still deleted: an append would have written the soft-deleted stream anew.
      await expect(store.readStream(name).next()).rejects.toMatchObject({ deletion });
    },
  );
});
