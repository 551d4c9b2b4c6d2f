import { appendFile, cp, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { FailingDisk, ioError, noSpaceLeft, quotaExceeded } from './failing-disk.fixture.js';
import { LogStore, LogWriteFailedError, type WriteFailure, type WriteOutage } from './log-store.js';
import { FileLog, type FileLogOptions } from './log.js';
import { proposedEvent as event } from './proposed-event.fixture.js';
import { decodeRecord } from './record.js';

/** Every durable event, as readers get them: stream, revision and type. */
const readAll = async (store: LogStore) =>
  (await store.load(Array.from({ length: store.committedCount }, (_, seq) => seq))).map(({ buffer }) => {
    const record = decodeRecord(buffer, 0);
    return `${record.stream}@${record.revision}:${record.type}`;
  });

/**
 * A write to the log that fails (a full disk, a failing one) through FileLog's write seam: the real
 * append, group commit, cut-back and recovery code runs on real files; only the disk's answer is made.
 */
describe('LogStore when a write to its log fails', () => {
  let directory: string;
  let disk: FailingDisk;
  let store: LogStore;
  let failures: WriteFailure[];
  let outages: WriteOutage[];

  const open = async (options: FileLogOptions = {}) =>
    LogStore.open(new FileLog(directory, { write: disk.write, ...options }), {
      onWriteFailed: (failure) => failures.push(failure),
      onWritesResumed: (outage) => outages.push(outage),
    });
  /** Given a store on a disk that works, holding what `given` appends. */
  const givenStore = async (given: (store: LogStore) => Promise<unknown>, options: FileLogOptions = {}) => {
    ({ store } = await open(options));
    await given(store);
  };
  /** The files as a crash right now would leave them, opened by a store of their own (recovery). */
  const reopenCopy = async () => {
    const copy = `${directory}-copy`;
    await cp(directory, copy, { recursive: true });
    return LogStore.open(new FileLog(copy));
  };
  const segmentFiles = async () => (await readdir(directory)).filter((name) => name.endsWith('.log'));

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'failed-writes-spec-'));
    disk = new FailingDisk();
    failures = [];
    outages = [];
  });
  afterEach(async () => {
    disk.heal();
    await store.close();
    await rm(directory, { recursive: true, force: true });
    await rm(`${directory}-copy`, { recursive: true, force: true });
  });

  it('Given a full disk, When no events are appended, Then the append is refused and its record’s position is no start for $all; once the disk has room, the next one is written there', async () => {
    await givenStore((s) => s.append('line-1', 'no_stream', [event('Placed')]));
    const end = store.durableEnd;
    disk.fail(await noSpaceLeft());

    await expect(store.append('line-1', 0n, [])).rejects.toMatchObject({ code: 'ENOSPC' });

    expect(store.startsRecord(end)).toBe(false);
    expect(store.durableEnd).toBe(end);
    disk.heal();
    expect(await store.append('line-1', 0n, [])).toEqual({ kind: 'success', revision: 0, position: end });
    expect(store.startsRecord(end)).toBe(true);
    expect(store.durableEnd).toBeGreaterThan(end);
  });

  it('disk full: the append is refused and nothing of it is served; once the disk has room, appends succeed without a restart', async () => {
    await givenStore((s) => s.append('line-1', 'no_stream', [event('Placed'), event('Held')]));
    disk.fail(await noSpaceLeft());

    const refused = store.append('line-1', 1n, [event('Answered')]);

    await expect(refused).rejects.toThrow(LogWriteFailedError);
    await expect(refused).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await readAll(store)).toEqual(['line-1@0:Placed', 'line-1@1:Held']);
    expect(store.lastRevision('line-1')).toBe(1);
    // The disk is still full: the next write fails too, and the store goes on taking appends.
    await expect(store.append('line-1', 1n, [event('Answered')])).rejects.toMatchObject({ code: 'ENOSPC' });
    disk.heal();
    expect(await store.append('line-1', 1n, [event('Answered')])).toMatchObject({
      kind: 'success',
      revision: 2,
    });
    expect(await readAll(store)).toEqual(['line-1@0:Placed', 'line-1@1:Held', 'line-1@2:Answered']);
    expect(failures).toEqual([expect.objectContaining({ code: 'ENOSPC', refusedAppends: 1, resumes: true })]);
    expect(outages).toEqual([{ failedWrites: 2, refusedAppends: 2 }]);
  });

  it('quota exceeded (EDQUOT) is a full disk: the append is refused and cut back, and appends succeed once there is room, without a restart', async () => {
    await givenStore((s) => s.append('line-1', 'no_stream', [event('Placed')]));
    disk.fail(quotaExceeded(), { partialBytes: 40 });

    await expect(store.append('line-1', 0n, [event('Held')])).rejects.toMatchObject({
      code: 'EDQUOT',
      message: expect.stringMatching(/could not be written \(EDQUOT.*nothing of this append was kept/),
    });
    disk.heal();

    expect(await store.append('line-1', 0n, [event('Held')])).toMatchObject({ kind: 'success', revision: 1 });
    expect(await readAll(store)).toEqual(['line-1@0:Placed', 'line-1@1:Held']);
    expect(failures).toEqual([expect.objectContaining({ code: 'EDQUOT', refusedAppends: 1, resumes: true })]);
    expect(outages).toEqual([{ failedWrites: 1, refusedAppends: 1 }]);
    const { store: restarted, recovery } = await reopenCopy();
    expect(recovery.tornTail).toBeUndefined();
    expect(await readAll(restarted)).toEqual(['line-1@0:Placed', 'line-1@1:Held']);
    await restarted.close();
  });

  it('what a failed write staged is taken back: a stream it created is missing again, an id it carried is new, a delete it wrote never happened', async () => {
    const kept = event('Kept');
    await givenStore(async (s) => {
      await s.append('tombstoned-in-vain', 'no_stream', [event()]);
      await s.append('deleted-in-vain', 'no_stream', [event()]);
      await s.append('resent', 'no_stream', [kept]);
    });
    disk.fail(await noSpaceLeft());
    const retried = event('Retried');

    const outcomes = await Promise.allSettled([
      store.append('created', 'no_stream', [retried]),
      store.tombstone('tombstoned-in-vain', 'any'),
      store.delete('deleted-in-vain', 'any'),
      // A durable id again, after a new one: an ordinary append, which points the id cache at this one.
      store.append('resent', 'any', [event('New'), kept]),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'rejected',
      'rejected',
      'rejected',
      'rejected',
    ]);
    disk.heal();
    expect(await store.append('created', 'no_stream', [retried])).toMatchObject({ revision: 0 });
    expect(await store.append('tombstoned-in-vain', 0n, [event()])).toMatchObject({ revision: 1 });
    // A soft-deleted stream would take `no_stream` and be recreated.
    expect(await store.append('deleted-in-vain', 'no_stream', [event()])).toMatchObject({
      kind: 'wrong_expected_version',
    });
    // Resent alone, the durable id is known again as the stream's revision 0: nothing is written.
    const before = store.committedCount;
    expect(await store.append('resent', 'any', [kept])).toMatchObject({ kind: 'success', revision: 0 });
    expect(store.committedCount).toBe(before);
  });

  it('a disk that stays full does not make memory grow: a refused append to a new stream leaves no stream behind', async () => {
    await givenStore((s) => s.append('a', 'no_stream', [event()]));
    const streams = store.streamCount;
    disk.fail(await noSpaceLeft());

    for (let attempt = 0; attempt < 50; attempt += 1)
      await expect(store.append(`new-${attempt}`, 'no_stream', [event(`Type${attempt}`)])).rejects.toThrow(
        LogWriteFailedError,
      );

    expect(store.streamCount).toBe(streams);
    disk.heal();
    expect(await store.append('new-0', 'no_stream', [event('Type0')])).toMatchObject({ revision: 0 });
    expect(store.streamCount).toBe(streams + 1);
  });

  it('appends staged while the failing write was under way are refused with it, and none of them is served', async () => {
    await givenStore((s) => s.append('a', 'no_stream', [event()]));
    disk.fail(await noSpaceLeft());

    const first = store.append('a', 0n, [event()]);
    // Staged in the next turn, while the first group's write is in flight.
    await new Promise((turn) => setImmediate(turn));
    const later = Array.from({ length: 5 }, (_, index) => store.append(`b-${index}`, 'no_stream', [event()]));
    const outcomes = await Promise.allSettled([first, ...later]);

    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
    expect(await readAll(store)).toEqual(['a@0:Happened']);
    expect(store.streamView('b-0')).toEqual({ kind: 'missing' });
  });

  it('a record written in part before the disk filled up is cut from the file: the files hold exactly the acknowledged appends, with no torn tail left for recovery', async () => {
    await givenStore((s) => s.append('a', 'no_stream', [event('One')]), { zeroFill: false });
    const [segment] = await segmentFiles();
    const acknowledgedSize = (await stat(join(directory, segment!))).size;
    disk.fail(await noSpaceLeft(), { partialBytes: 40 });

    await expect(store.append('a', 0n, [event('Lost', { pad: 'x'.repeat(500) })])).rejects.toThrow(
      LogWriteFailedError,
    );

    expect((await stat(join(directory, segment!))).size).toBe(acknowledgedSize);
    const { store: recovered, recovery } = await reopenCopy();
    expect(recovery.tornTail).toBeUndefined();
    expect(await readAll(recovered)).toEqual(['a@0:One']);
    await recovered.close();
  });

  it('a failed write that began a new segment leaves no segment file: the next append goes where it would have', async () => {
    await givenStore((s) => s.append('a', 'no_stream', [event('One', { pad: 'x'.repeat(300) })]), {
      segmentSize: 512,
    });
    disk.fail(await noSpaceLeft());
    const appendTwo = () => store.append('a', 0n, [event('Two', { pad: 'y'.repeat(300) })]);

    await expect(appendTwo()).rejects.toThrow(LogWriteFailedError);

    expect(await segmentFiles()).toHaveLength(1);
    disk.heal();
    await appendTwo();
    const { store: recovered } = await reopenCopy();
    expect(await readAll(recovered)).toEqual(['a@0:One', 'a@1:Two']);
    await recovered.close();
  });

  it('an I/O error: the write is cut back, every later append is refused until a restart, reads go on, and the restart keeps every acknowledged append', async () => {
    await givenStore((s) => s.append('a', 'no_stream', [event('One')]));
    disk.fail(ioError(), { partialBytes: 40 });

    await expect(store.append('a', 0n, [event('Lost')])).rejects.toMatchObject({ code: 'EIO' });
    disk.heal();
    await expect(store.append('a', 0n, [event('Refused')])).rejects.toThrow(/restarted/);

    expect(await readAll(store)).toEqual(['a@0:One']);
    expect(failures).toEqual([expect.objectContaining({ code: 'EIO', resumes: false })]);
    const { store: restarted, recovery } = await reopenCopy();
    expect(recovery.tornTail).toBeUndefined();
    expect(await readAll(restarted)).toEqual(['a@0:One']);
    expect(await restarted.append('a', 0n, [event('Two')])).toMatchObject({ revision: 1 });
    await restarted.close();
  });

  it('a start on a full disk that finds a torn tail cuts nothing and leaves no copy cut short; with room, the next start cuts it', async () => {
    await givenStore((s) => s.append('a', 'no_stream', [event('One')]), { zeroFill: false });
    await store.close();
    const [segment] = await segmentFiles();
    await appendFile(join(directory, segment!), Buffer.from('half a record the crash left'));
    const torn = await readFile(join(directory, segment!));
    disk.fail(await noSpaceLeft());

    await expect(open()).rejects.toMatchObject({ code: 'ENOSPC' });

    expect(await readdir(directory)).toEqual([segment, 'writer.chk']);
    expect(await readFile(join(directory, segment!))).toEqual(torn);
    disk.heal();
    const reopened = await open();
    store = reopened.store;
    expect(reopened.recovery.tornTail).toMatchObject({ reason: expect.any(String) });
    expect(await readAll(store)).toEqual(['a@0:One']);
  });
});
