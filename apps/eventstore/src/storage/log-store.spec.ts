import { constants as fsConstants } from 'node:fs';
import { mkdtemp, readdir, readFile, readlink, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { LogStore, StreamDeletedError, WrongExpectedVersionError } from './log-store.js';
import { writeCheckpoint } from './checkpoint.js';
import { FileLog, MemoryLog, type SyncFn, measureLog } from './log.js';
import { proposedEvent as event } from './proposed-event.fixture.js';
import { decodeRecord } from './record.js';

const readAll = async (store: LogStore) =>
  (await store.load(Array.from({ length: store.committedCount }, (_, seq) => seq))).map(({ buffer }) =>
    decodeRecord(buffer, 0),
  );

describe('LogStore on a file log', () => {
  let directory: string;
  let syncs: number;
  const countingSync: SyncFn = async (handle) => {
    syncs += 1;
    await handle.datasync();
  };
  const open = (segmentSize?: number) =>
    LogStore.open(new FileLog(directory, { sync: countingSync, ...(segmentSize ? { segmentSize } : {}) }));
  /** A log that grows its file with each write, so that its end can be cut or added to (recovery.spec.ts has both layouts). */
  const segmentNames = async (): Promise<string[]> =>
    (await readdir(directory)).filter((name) => name.endsWith('.log')).sort();
  const openGrowing = () => LogStore.open(new FileLog(directory, { sync: countingSync, zeroFill: false }));

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'log-store-spec-'));
    syncs = 0;
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  it('group commit: concurrent appends share fsyncs', async () => {
    const { store } = await open();
    const before = syncs;
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, index) => store.append(`stream-${index}`, 'no_stream', [event()])),
    );
    expect(outcomes.every((outcome) => outcome.kind === 'success')).toBe(true);
    // Segment creation costs one sync for its header; the 50 appends then share a handful.
    expect(syncs - before).toBeLessThan(10);
    await store.close();
  });

  it('without an injected sync, writes to a segment opened with O_DSYNC: each group commit is durable when its write returns', async () => {
    const { store } = await LogStore.open(new FileLog(directory));
    await store.append('a', 'no_stream', [event()]);
    const segment = (await readdir(directory)).find((name) => name.endsWith('.log'))!;
    const flags: number[] = [];
    for (const fd of await readdir('/proc/self/fd')) {
      const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
      if (target !== join(directory, segment)) continue;
      const info = await readFile(`/proc/self/fdinfo/${fd}`, 'utf8');
      flags.push(Number.parseInt(/^flags:\s+([0-7]+)$/m.exec(info)![1]!, 8));
    }
    expect(flags).toHaveLength(1);
    expect(flags[0]! & fsConstants.O_DSYNC).toBe(fsConstants.O_DSYNC);
    // O_ACCMODE (0o3): Node does not export it.
    expect(flags[0]! & 0o3).toBe(fsConstants.O_RDWR);
    await store.close();
  });

  it('rebuilds the index on restart: revisions, positions, metadata and deletes', async () => {
    const first = (await open()).store;
    await first.append('a', 'no_stream', [event('A1'), event('A2')]);
    await first.append('b', 'any', [event('B1')]);
    await first.append('$$a', 'any', [{ ...event('$metadata', { $maxCount: 1 }) }]);
    await first.tombstone('b', 'any');
    const before = await readAll(first);
    await first.close();

    const { store, recovery } = await open();
    expect(recovery).toMatchObject({ records: 5, truncatedBytes: 0 });
    expect(await readAll(store)).toEqual(before);
    expect(store.streamView('a')).toMatchObject({ kind: 'found', first: 1, last: 1 });
    expect(store.streamView('b')).toEqual({ kind: 'tombstoned' });
    expect(await store.append('a', 1n, [event('A3')])).toMatchObject({ kind: 'success', revision: 2 });
    await expect(store.append('b', 'any', [event()])).rejects.toBeInstanceOf(StreamDeletedError);
    await store.close();
  });

  it('cuts a torn tail to the last complete append and keeps appending after it', async () => {
    const first = (await openGrowing()).store;
    await first.append('s', 'no_stream', [event('One')]);
    await first.append('s', 0n, [event('Two'), event('Three')]);
    const path = join(directory, (await segmentNames())[0]!);
    // What a crash leaves: the file as written, without the marker a clean close adds after it.
    const crashed = await readFile(path);
    await first.close();
    // Cut inside the last record, as a torn last write would: the whole two-event append must go.
    await writeFile(path, crashed.subarray(0, crashed.length - 5));
    // That write was never acknowledged, so writer.chk (written after the bytes it covers) ends before it.
    await writeCheckpoint(directory, await measureLog(directory));

    const { store, recovery } = await openGrowing();
    expect(recovery.truncatedBytes).toBeGreaterThan(0);
    expect((await readAll(store)).map((record) => record.type)).toEqual(['One']);
    expect(await store.append('s', 0n, [event('Two again')])).toMatchObject({ kind: 'success', revision: 1 });
    await store.close();
    const reopened = (await openGrowing()).store;
    expect((await readAll(reopened)).map((record) => record.type)).toEqual(['One', 'Two again']);
    await reopened.close();
  });

  it('ignores garbage after the last record', async () => {
    const first = (await openGrowing()).store;
    await first.append('s', 'no_stream', [event('One')]);
    await first.close();
    await appendFile(join(directory, (await segmentNames())[0]!), Buffer.alloc(100, 0xab));
    const { store, recovery } = await openGrowing();
    expect(recovery.truncatedBytes).toBe(100);
    expect((await readAll(store)).map((record) => record.type)).toEqual(['One']);
    await store.close();
  });

  it('refuses to start when an older segment is corrupt', async () => {
    const first = (await open(1024)).store;
    for (let index = 0; index < 20; index += 1)
      await first.append('s', 'any', [event('Filler', { pad: 'x'.repeat(200) })]);
    await first.close();
    const segments = await segmentNames();
    expect(segments.length).toBeGreaterThan(1);
    const older = join(directory, segments[0]!);
    const recordsEnd = Number(segments[1]!.slice(0, 20));
    // Garbage after the records (and after the zeros filled ahead of them, if any).
    await appendFile(older, Buffer.from('corrupt'));
    await expect(open(1024)).rejects.toThrow(`${older} is damaged at byte offset ${recordsEnd} `);
  });

  it('rolls segments and reads across them', async () => {
    const { store } = await open(1024);
    for (let index = 0; index < 30; index += 1) await store.append('s', 'any', [event('Filler', { index })]);
    expect((await segmentNames()).length).toBeGreaterThan(2);
    await store.close();
    const reopened = (await open(1024)).store;
    const records = await readAll(reopened);
    expect(records.map((record) => JSON.parse(Buffer.from(record.data).toString()).index)).toEqual(
      Array.from({ length: 30 }, (_, index) => index),
    );
    await reopened.close();
  });
});

describe('LogStore semantics (in memory)', () => {
  const open = async () => (await LogStore.open(new MemoryLog())).store;

  it('checks expected revisions', async () => {
    const store = await open();
    expect(await store.append('s', 'stream_exists', [event()])).toEqual({
      kind: 'wrong_expected_version',
      current: 'no_stream',
      expected: 'stream_exists',
    });
    await store.append('s', 'no_stream', [event()]);
    expect(await store.append('s', 'no_stream', [event()])).toMatchObject({
      kind: 'wrong_expected_version',
      current: 0,
    });
    expect(await store.append('s', 5n, [event()])).toMatchObject({
      kind: 'wrong_expected_version',
      expected: 5n,
    });
    expect(await store.append('s', 0n, [event()])).toMatchObject({ kind: 'success', revision: 1 });
  });

  it('re-appending the same ids returns the first result and writes nothing', async () => {
    const store = await open();
    const events = [event(), event()];
    const first = await store.append('s', 'no_stream', events);
    expect(await store.append('s', 'no_stream', events)).toEqual(first);
    expect(await store.append('s', 'any', events)).toEqual(first);
    expect(store.committedCount).toBe(2);
  });

  it('soft delete hides the stream until the next append, which continues the numbering', async () => {
    const store = await open();
    await store.append('s', 'any', [event(), event()]);
    await store.delete('s', 1n);
    expect(store.streamView('s')).toEqual({ kind: 'missing' });
    await expect(store.append('s', 'stream_exists', [event()])).rejects.toBeInstanceOf(StreamDeletedError);
    expect(await store.append('s', 'no_stream', [event()])).toMatchObject({ kind: 'success', revision: 2 });
    expect(store.streamView('s')).toMatchObject({ kind: 'found', first: 2, last: 2 });
  });

  it('delete with a wrong expected revision fails', async () => {
    const store = await open();
    await store.append('s', 'any', [event()]);
    await expect(store.delete('s', 3n)).rejects.toBeInstanceOf(WrongExpectedVersionError);
  });

  it('readers see an append only once it is durable', async () => {
    const store = await open();
    const pending = store.append('s', 'any', [event()]);
    expect(store.committedCount).toBe(0);
    expect(store.streamView('s')).toEqual({ kind: 'missing' });
    await pending;
    expect(store.committedCount).toBe(1);
  });

  it('remembers the last idCacheSize ids, counting an id appended again by its newest append', async () => {
    const { store } = await LogStore.open(new MemoryLog(), { idCacheSize: 3 });
    const [a, x, y, z] = [event(), event(), event(), event()];
    await store.append('s', 'any', [a]);
    await store.append('t', 'any', [a]); // another stream: written again, the newest entry for a
    await store.append('u', 'any', [x]);
    await store.append('v', 'any', [y]); // the cache is full: evicts the first entry for a, not the newest
    expect(await store.append('t', 'any', [a])).toMatchObject({ kind: 'success', revision: 0 });
    await store.append('w', 'any', [z]); // evicts the newest entry for a
    expect(await store.append('t', 'any', [a])).toMatchObject({ kind: 'success', revision: 1 });
    expect(store.committedCount).toBe(6);
    await store.close();
  });

  it('serves evicted records in the order asked, reading each adjacent run once whichever way it goes', async () => {
    const log = new (class extends MemoryLog {
      reads = 0;
      override read(position: number, length: number): Promise<Buffer> {
        this.reads += 1;
        return super.read(position, length);
      }
    })();
    const { store } = await LogStore.open(log, { tailCacheBytes: 0 });
    await store.append(
      's',
      'any',
      Array.from({ length: 10 }, (_, index) => event('Run', { index })),
    );
    await store.append('t', 'any', [event('Other', { index: 10 })]);
    const indexes = async (seqs: number[]) =>
      (await store.load(seqs)).map(({ seq, buffer }) => [
        seq,
        JSON.parse(Buffer.from(decodeRecord(buffer, 0).data).toString()).index,
      ]);
    for (const [seqs, reads] of [
      [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 1],
      [[10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0], 1],
      [[9, 8, 7, 2, 3, 4], 2],
      [[5, 5, 0, 9], 4],
    ] as const) {
      log.reads = 0;
      expect(await indexes([...seqs])).toEqual(seqs.map((seq) => [seq, seq]));
      expect([seqs, log.reads]).toEqual([seqs, reads]);
    }
    await store.close();
  });

  it("keeps in the tail cache only the bytes it counts: an append's records, not a shared slab they were cut from", async () => {
    // Small buffers come from Node's shared 8 KiB pool: a view kept of one kept its whole slab alive,
    // and the tail cache held three times its limit (bench:e2e: 159 MB for 50 MB of records).
    const store = await open();
    await store.append('s', 'any', [event('Alone')]);
    await store.append('s', 'any', [event('Pair'), event('Pair')]);
    const [alone, first, second] = await store.load([0, 1, 2]);
    expect(alone!.buffer.buffer.byteLength).toBe(alone!.buffer.byteLength);
    expect(first!.buffer.buffer).toBe(second!.buffer.buffer);
    expect(first!.buffer.buffer.byteLength).toBe(first!.buffer.byteLength + second!.buffer.byteLength);
    await store.close();
  });

  it('evicts the tail cache oldest first and serves evicted records from the log', async () => {
    const { store } = await LogStore.open(new MemoryLog(), { tailCacheBytes: 1000 });
    for (let index = 0; index < 20; index += 1) await store.append('s', 'any', [event('Tail', { index })]);
    expect((await readAll(store)).map((record) => JSON.parse(Buffer.from(record.data).toString()))).toEqual(
      Array.from({ length: 20 }, (_, index) => ({ index })),
    );
    await store.close();
  });
});
