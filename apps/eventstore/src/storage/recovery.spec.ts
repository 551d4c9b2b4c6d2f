import { jest } from '@jest/globals';
import { appendFile, mkdtemp, readFile, readdir, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DATA_LOCK_FILE } from './data-lock.js';
import { WRITER_CHECKPOINT_FILE, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { LogStore, type ProposedEvent } from './log-store.js';
import {
  CheckpointDamagedError,
  FileLog,
  LogDamagedError,
  LogEndsBeforeCheckpointError,
  type SyncFn,
  measureLog,
} from './log.js';
import { proposedEvent } from './proposed-event.fixture.js';
import { FLAG_COMMIT_END, FLAG_FILLER, bytesToUuid, checkRecord, decodeRecord } from './record.js';
import { LOG_REPAIRS_STREAM, LOG_REPAIR_EVENT_TYPE, type RepairReport, repairLog } from './repair.js';

/**
 * Every test here writes and fsyncs a log of dozens of appends, some several times (the power-loss
 * test 16 logs): well under a second on an idle machine, far more on a loaded one. Nothing asserts on time.
 */
jest.setTimeout(60_000);

const STREAMS = ['s-0', 's-1', 's-2', 's-3'];

const event = (pad: number): ProposedEvent => proposedEvent('Happened', { pad: 'x'.repeat(pad) });

/** Event ids per stream, in revision order; also checks that every stream's revisions are 0, 1, 2, … */
async function contents(store: LogStore): Promise<Map<string, string[]>> {
  const loaded = await store.load(Array.from({ length: store.committedCount }, (_, seq) => seq));
  const streams = new Map<string, string[]>();
  for (const { buffer } of loaded) {
    const record = decodeRecord(buffer, 0);
    const ids = streams.get(record.stream) ?? [];
    expect(record.revision).toBe(ids.length);
    ids.push(bytesToUuid(record.id));
    streams.set(record.stream, ids);
  }
  return streams;
}

const count = (streams: ReadonlyMap<string, readonly string[]>): number =>
  [...streams.values()].reduce((sum, ids) => sum + ids.length, 0);

/**
 * The log's events other than the repair's own record, after checking that record: one
 * `$log-repair` event, the log's last, holding what the report says the repair dropped.
 */
async function contentsBesideRepairRecord(
  store: LogStore,
  report: RepairReport,
): Promise<Map<string, string[]>> {
  const streams = await contents(store);
  expect(streams.get(LOG_REPAIRS_STREAM)).toHaveLength(1);
  streams.delete(LOG_REPAIRS_STREAM);
  const [last] = await store.load([store.committedCount - 1]);
  const record = decodeRecord(last!.buffer, 0);
  expect({ stream: record.stream, type: record.type, position: last!.position }).toEqual({
    stream: LOG_REPAIRS_STREAM,
    type: LOG_REPAIR_EVENT_TYPE,
    position: report.repairRecord!.position,
  });
  expect(JSON.parse(Buffer.from(record.data).toString('utf8'))).toEqual(report.repairRecord!.data);
  return streams;
}

/** Appends one to three events at a time, round robin over STREAMS; returns what was acknowledged. */
async function populate(store: LogStore, appends: number): Promise<Map<string, string[]>> {
  const acknowledged = new Map<string, string[]>();
  for (let index = 0; index < appends; index += 1) {
    const stream = STREAMS[index % STREAMS.length]!;
    const events = Array.from({ length: 1 + (index % 3) }, (_, n) =>
      event(50 + ((index * 7 + n * 13) % 300)),
    );
    const outcome = await store.append(stream, 'any', events);
    expect(outcome.kind).toBe('success');
    acknowledged.set(stream, [...(acknowledged.get(stream) ?? []), ...events.map((e) => e.id)]);
  }
  return acknowledged;
}

/** A recovered log takes appends again: the 80th event survives a clean restart, with no tail to cut. */
async function expectAppendsGoOn(
  recovered: LogStore,
  reopen: () => ReturnType<typeof LogStore.open>,
): Promise<void> {
  await recovered.append('s-0', 'any', [event(10)]);
  await recovered.close();
  const again = await reopen();
  expect(count(await contents(again.store))).toBe(80);
  expect(again.recovery.tornTail).toBeUndefined();
  await again.store.close();
}

/**
 * Sets writer.chk as a crash leaves it at its latest: at the end of the last acknowledged append of
 * the log on disk (the bytes of a write torn by the crash come after it). A test that builds a crashed
 * log from the files of a store it then stopped needs this: the stop wrote the checkpoint past them.
 */
async function checkpointAsAtTheCrash(directory: string): Promise<void> {
  await writeCheckpoint(directory, await measureLog(directory));
}

interface RecordAt {
  readonly offset: number;
  readonly length: number;
  readonly filler: boolean;
}

/** The records of an intact segment file, up to the zeros filled ahead of them if it has any. */
function recordsOf(file: Buffer): RecordAt[] {
  const records: RecordAt[] = [];
  for (let offset = 16; offset < file.length;) {
    const check = checkRecord(file, offset);
    if (!check.ok && file.subarray(offset).every((byte) => byte === 0)) break;
    if (!check.ok) throw new Error(`unexpected damage at ${offset}: ${check.reason}`);
    records.push({ offset, length: check.length, filler: (file[offset + 8]! & FLAG_FILLER) !== 0 });
    offset += check.length;
  }
  return records;
}

async function snapshot(directory: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const name of (await readdir(directory)).sort())
    files.set(name, await readFile(join(directory, name)));
  return files;
}

/**
 * These logs grow their files with each write (no zeros filled ahead), so that a test can build a
 * damaged file by cutting and appending bytes: the layout of a log whose fill has fallen behind, and
 * of every log written before fills. The layout with zeros ahead has its own tests below.
 */
describe('log recovery: a torn final write is cut, any other damage refuses the start', () => {
  let directory: string;
  let segment: string;
  const open = () => LogStore.open(new FileLog(directory, { zeroFill: false }));

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'log-recovery-spec-'));
    segment = join(directory, '00000000000000000000.log');
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  /** A cleanly stopped log of 40 appends (79 events); its last record is the clean-shutdown marker. */
  const stoppedLog = async (): Promise<Map<string, string[]>> => {
    const { store } = await open();
    const acknowledged = await populate(store, 40);
    await store.close();
    return acknowledged;
  };

  /** What a crash after 40 acknowledged appends leaves: no clean-shutdown marker. */
  const crashedLog = async (): Promise<{
    acknowledged: Map<string, string[]>;
    image: Buffer;
    next: Buffer;
  }> => {
    const { store } = await open();
    const acknowledged = await populate(store, 40);
    const image = await readFile(segment);
    // The bytes the next append writes, to model that write being torn by the crash.
    await store.append('s-0', 'any', [event(700), event(700)]);
    const next = (await readFile(segment)).subarray(image.length);
    await store.close();
    return { acknowledged, image, next };
  };

  const flipBitIn = async (record: RecordAt): Promise<void> => {
    const file = await readFile(segment);
    file[record.offset + record.length - 3]! ^= 0x04;
    await writeFile(segment, file);
  };

  const expectRefusal = async (offset: number, reason: RegExp, followingEvents: number): Promise<void> => {
    const before = await snapshot(directory);
    const refusal = await open().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(LogDamagedError);
    const damaged = refusal as LogDamagedError;
    expect(damaged).toMatchObject({ file: segment, offset, followingEvents });
    expect(damaged.reason).toMatch(reason);
    expect(damaged.message).toContain(`${segment} is damaged at byte offset ${offset}`);
    expect(damaged.message).toContain(`${followingEvents} valid event record(s) follow`);
    expect(await snapshot(directory)).toEqual(before);
  };

  it('a flipped bit in the first record: refuses, naming the file, offset 16 and the 78 events after it', async () => {
    await stoppedLog();
    await flipBitIn(recordsOf(await readFile(segment))[0]!);
    await expectRefusal(16, /checksum mismatch/, 78);
  });

  it('a flipped bit in a middle record: refuses and changes no byte', async () => {
    await stoppedLog();
    const records = recordsOf(await readFile(segment));
    const middle = records[40]!;
    await flipBitIn(middle);
    const after = records.slice(41).filter((record) => !record.filler).length;
    await expectRefusal(middle.offset, /checksum mismatch/, after);
  });

  it('a flipped bit in the last event of a stopped store: the clean-shutdown marker after it makes it damage', async () => {
    await stoppedLog();
    const records = recordsOf(await readFile(segment));
    expect(records.at(-1)!.filler).toBe(true);
    await flipBitIn(records.at(-2)!);
    await expectRefusal(records.at(-2)!.offset, /checksum mismatch/, 0);
  });

  it('a damaged segment header: refuses at offset 0 and deletes nothing', async () => {
    await stoppedLog();
    const file = await readFile(segment);
    file[1]! ^= 0x01;
    await writeFile(segment, file);
    await expectRefusal(0, /bad segment magic/, 79);
  });

  it('a torn final append (the unacknowledged last write cut short) is cut, kept aside, and nothing acknowledged is lost', async () => {
    const { acknowledged, image, next } = await crashedLog();
    const torn = next.subarray(0, Math.floor(next.length / 2));
    await writeFile(segment, Buffer.concat([image, torn]));
    await checkpointAsAtTheCrash(directory);
    const { store, recovery } = await open();
    expect(await contents(store)).toEqual(acknowledged);
    expect(recovery.truncatedBytes).toBe(torn.length);
    expect(recovery.tornTail).toMatchObject({
      file: segment,
      from: image.length,
      to: image.length + torn.length,
    });
    expect(await readFile(recovery.tornTail!.keptAt)).toEqual(torn);
    await store.close();
  });

  it('a torn final write whose sectors landed out of order (valid records after a lost one, no later write) is cut', async () => {
    const { acknowledged, image, next } = await crashedLog();
    // The first sector of the last write never reached the disk; the rest did.
    const torn = Buffer.from(next);
    torn.fill(0, 0, 512);
    await writeFile(segment, Buffer.concat([image, torn]));
    await checkpointAsAtTheCrash(directory);
    const { store, recovery } = await open();
    expect(await contents(store)).toEqual(acknowledged);
    expect(recovery.truncatedBytes).toBe(next.length);
    await store.close();
  });

  it('a zeroed 4 KiB page at the end (file size updated, data not) is unwritten space: nothing cut, nothing lost', async () => {
    const acknowledged = await stoppedLog();
    await appendFile(segment, Buffer.alloc(4096));
    const { store, recovery } = await open();
    expect(recovery.truncatedBytes).toBe(0);
    expect(await contents(store)).toEqual(acknowledged);
    await expectAppendsGoOn(store, open);
  });

  it('a zeroed 4 KiB page at the end of a crashed log is unwritten space: nothing cut, nothing lost', async () => {
    const { acknowledged, image } = await crashedLog();
    await writeFile(segment, Buffer.concat([image, Buffer.alloc(4096)]));
    await checkpointAsAtTheCrash(directory);
    const { store, recovery } = await open();
    expect(recovery.truncatedBytes).toBe(0);
    expect(await contents(store)).toEqual(acknowledged);
    await expectAppendsGoOn(store, open);
  });

  it('garbage appended after the last record is cut with nothing lost, and appends go on after it', async () => {
    const acknowledged = await stoppedLog();
    await appendFile(segment, Buffer.from(Array.from({ length: 1000 }, (_, n) => (n * 37) % 251)));
    const first = await open();
    expect(first.recovery.truncatedBytes).toBe(1000);
    expect(await contents(first.store)).toEqual(acknowledged);
    await expectAppendsGoOn(first.store, open);
  });

  it('a newest segment cut short while it was created (header not durable) is written again; the log goes on', async () => {
    const small = () => LogStore.open(new FileLog(directory, { segmentSize: 4096, zeroFill: false }));
    const first = await small();
    const acknowledged = await populate(first.store, 40);
    await first.store.close();
    const names = (await readdir(directory)).filter((name) => name.endsWith('.log')).sort();
    expect(names.length).toBeGreaterThan(2);
    const last = names.at(-1)!;
    const next = Number(last.slice(0, 20)) + (await readFile(join(directory, last))).length;
    const unfinished = join(directory, `${String(next).padStart(20, '0')}.log`);
    await writeFile(unfinished, Buffer.from([0x45, 0x53, 0x4c]));

    const second = await small();
    expect(await contents(second.store)).toEqual(acknowledged);
    expect(second.recovery.tornTail).toMatchObject({ file: unfinished, from: 0, to: 3 });
    await expectAppendsGoOn(second.store, small);
  });

  it('a segment written before writes were marked (header version 1) refuses on any damage followed by records', async () => {
    const { image } = await crashedLog();
    const legacy = Buffer.from(image);
    legacy.writeUInt32LE(1, 4);
    const records = recordsOf(legacy);
    legacy[records.at(-2)!.offset + 70]! ^= 0x01;
    await writeFile(segment, legacy);
    await expectRefusal(records.at(-2)!.offset, /checksum mismatch/, 1);
  });
});

/** The log's default layout: the newest segment is filled with zeros ahead of its records. */
describe('log recovery with zeros filled ahead of the records', () => {
  let directory: string;
  let segment: string;
  const open = (segmentSize?: number) =>
    LogStore.open(new FileLog(directory, segmentSize === undefined ? {} : { segmentSize }));

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'log-zero-fill-spec-'));
    segment = join(directory, '00000000000000000000.log');
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  /** Where the records of `file` end and its zeros begin; every byte after it must be zero. */
  const recordsEnd = (file: Buffer): number => {
    const records = recordsOf(file);
    const end = records.length === 0 ? 16 : records.at(-1)!.offset + records.at(-1)!.length;
    expect(file.subarray(end).every((byte) => byte === 0)).toBe(true);
    return end;
  };

  it('a stopped log ends in zeros that start again as unwritten space: nothing cut, appends land on them', async () => {
    const first = await open();
    const acknowledged = await populate(first.store, 40);
    await first.store.close();
    const file = await readFile(segment);
    const end = recordsEnd(file);
    expect(file.length - end).toBeGreaterThan(64 * 1024);

    const second = await open();
    expect(second.recovery).toMatchObject({ truncatedBytes: 0, tornTail: undefined });
    expect(await contents(second.store)).toEqual(acknowledged);
    await expectAppendsGoOn(second.store, open);
    expect(recordsEnd(await readFile(segment))).toBeGreaterThan(end);
  });

  it('a final write torn over the zeros is cut, kept aside without the zeros, and nothing acknowledged is lost', async () => {
    const first = await open();
    const acknowledged = await populate(first.store, 40);
    const crashed = await readFile(segment);
    const end = recordsEnd(crashed);
    await first.store.append('s-0', 'any', [event(700), event(700)]);
    const written = await readFile(segment);
    const next = written.subarray(end, recordsEnd(written));
    await first.store.close();
    // Only the first half of the last write reached the disk; the zeros filled ahead are still after it.
    const half = Math.floor(next.length / 2);
    next.copy(crashed, end, 0, half);
    await writeFile(segment, crashed);
    await checkpointAsAtTheCrash(directory);

    const second = await open();
    expect(await contents(second.store)).toEqual(acknowledged);
    const tornTail = second.recovery.tornTail!;
    expect(tornTail).toMatchObject({ file: segment, from: end });
    // The cut bytes end at the last non-zero byte of the torn half: the zeros after were never written.
    expect(tornTail.to).toBeLessThanOrEqual(end + half);
    expect(tornTail.to).toBeGreaterThan(end + half - 64);
    expect(await readFile(tornTail.keptAt)).toEqual(next.subarray(0, tornTail.to - end));
    await expectAppendsGoOn(second.store, open);
  });

  it('a flipped bit in a middle record refuses the start, counting the events after it up to the zeros', async () => {
    const first = await open();
    await populate(first.store, 40);
    await first.store.close();
    const file = await readFile(segment);
    recordsEnd(file);
    const records = recordsOf(file);
    const middle = records[40]!;
    file[middle.offset + middle.length - 3]! ^= 0x04;
    await writeFile(segment, file);
    const refusal = await open().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(LogDamagedError);
    expect(refusal).toMatchObject({
      offset: middle.offset,
      followingEvents: records.slice(41).filter((record) => !record.filler).length,
    });
    expect(await readFile(segment)).toEqual(file);
  });

  it('an older segment whose last append came back as zeros refuses the start; repair fills the gap and drops only what the gap broke', async () => {
    const first = await open(4096);
    const acknowledged = await populate(first.store, 40);
    await first.store.close();
    const names = (await readdir(directory)).filter((name) => name.endsWith('.log')).sort();
    expect(names.length).toBeGreaterThan(2);
    const older = join(directory, names[0]!);
    const file = await readFile(older);
    const end = Number(names[1]!.slice(0, 20));
    const records = recordsOf(file);
    expect(records.at(-1)!.offset + records.at(-1)!.length).toBe(end);
    // The segment's last append, whole: from the record after the previous append's COMMIT_END.
    const previousEnd = records.findLast(
      (record, index) => index < records.length - 1 && (file[record.offset + 8]! & FLAG_COMMIT_END) !== 0,
    )!;
    const lost = previousEnd.offset + previousEnd.length;
    const lostRecord = decodeRecord(file, lost);
    // The whole append reads back as zeros, as if the disk had lost it after acknowledging it: the
    // scan alone sees unwritten space, and only the next segment's start tells it was written.
    file.fill(0, lost, end);
    await writeFile(older, file);

    const before = await snapshot(directory);
    const refusal = await open(4096).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(LogDamagedError);
    expect(refusal).toMatchObject({ file: older, newerSegments: names.length - 1 });
    expect(refusal).toMatchObject({ offset: lost });
    expect((refusal as LogDamagedError).message).toMatch(
      /the bytes between were acknowledged and are missing/,
    );
    expect(await snapshot(directory)).toEqual(before);

    const report = await repairLog(directory);
    expect(report.repaired.map((repair) => repair.file)).toContain(older);
    const repaired = await open(4096);
    const after = await contents(repaired.store);
    for (const [stream, ids] of acknowledged) {
      const kept = after.get(stream) ?? [];
      if (stream === lostRecord.stream) expect(kept.length).toBeLessThan(ids.length);
      else expect(kept).toEqual(ids);
      expect(ids.slice(0, kept.length)).toEqual(kept);
    }
    await repaired.store.close();
  });
});

/**
 * writer.chk says where the log was durable; a stopped store's says exactly where it ends. Segments
 * of 4 KiB, so that the log has several, as a long-lived store's has.
 */
describe('writer checkpoint: a log that ends before it has lost acknowledged appends', () => {
  let directory: string;
  const open = () => LogStore.open(new FileLog(directory, { segmentSize: 4096 }));
  const segmentNames = async (): Promise<string[]> =>
    (await readdir(directory)).filter((name) => name.endsWith('.log')).sort();

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'log-checkpoint-spec-'));
    const { store } = await open();
    await populate(store, 40);
    await store.close();
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  const expectRefusal = async (): Promise<LogEndsBeforeCheckpointError> => {
    const before = await snapshot(directory);
    const refusal = await open().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(LogEndsBeforeCheckpointError);
    expect(await snapshot(directory)).toEqual(before);
    return refusal as LogEndsBeforeCheckpointError;
  };

  it('Given a stopped store, then its writer.chk holds the end of its log and its 79 events', async () => {
    const end = await measureLog(directory);
    expect(end.events).toBe(79);
    expect(await readCheckpoint(directory)).toEqual({ kind: 'read', end });
  });

  it('Given a stopped store, when its newest segment is deleted, then it refuses to start, says what is missing, and changes no byte', async () => {
    const full = await measureLog(directory);
    const newest = (await segmentNames()).at(-1)!;
    await unlink(join(directory, newest));
    const left = await measureLog(directory);
    expect(left.position).toBe(Number(newest.slice(0, 20)));

    const refusal = await expectRefusal();
    expect(refusal).toMatchObject({ checkpoint: full, logEnd: left });
    expect(refusal.message).toContain(
      `ends at position ${left.position}, but writer.chk says it was durable up to position ${full.position}: ` +
        `${full.position - left.position} bytes holding ${full.events - left.events} acknowledged event(s) are missing`,
    );
    expect(refusal.message).toContain(`from ${newest} on, were deleted`);
    expect(refusal.message).toContain('`npx switchboard-eventstore repair --data');
    expect(full.events - left.events).toBeGreaterThan(0);
  });

  it('Given a stopped store, when its newest segment is cut in the middle of a record, then it refuses instead of cutting a "torn tail"', async () => {
    const newest = join(directory, (await segmentNames()).at(-1)!);
    const records = recordsOf(await readFile(newest));
    // The marker is the last record; the event before it is cut in two, as a torn write would leave it.
    const victim = records.at(-2)!;
    await truncate(newest, victim.offset + Math.floor(victim.length / 2));

    const refusal = await expectRefusal();
    expect(refusal.logEnd.position).toBeLessThan(refusal.checkpoint.position);
    expect(refusal.message).toContain(`the end of ${newest} was cut off`);
    expect((await readdir(directory)).some((name) => name.includes('.torn-'))).toBe(false);
  });

  it('Given a data directory of a version without writer.chk, when it starts, then it writes writer.chk from the log and guards it from then on', async () => {
    const end = await measureLog(directory);
    await unlink(join(directory, WRITER_CHECKPOINT_FILE));
    const { store, recovery } = await open();
    expect(recovery.checkpointCreated).toBe(true);
    expect(count(await contents(store))).toBe(79);
    await store.close();
    expect(await readCheckpoint(directory)).toEqual({ kind: 'read', end });

    await unlink(join(directory, (await segmentNames()).at(-1)!));
    await expectRefusal();
  });

  it('Given a refused start, when `repair` runs, then it reports the loss, sets writer.chk to the log, and the store starts with what is left', async () => {
    const full = await measureLog(directory);
    await unlink(join(directory, (await segmentNames()).at(-1)!));
    const left = await measureLog(directory);

    const report = await repairLog(directory, () => new Date('2026-12-03T08:00:00.000Z'));
    expect(report.checkpoint).toEqual({ before: { kind: 'read', end: full }, after: left });
    expect(report.repaired).toEqual([]);
    // The lost appends are a dropped range of their own, and the repair's record lands where they were.
    expect(report.repairRecord).toEqual({
      position: left.position,
      data: {
        repairedAt: '2026-12-03T08:00:00.000Z',
        dropped: [
          {
            fromPosition: left.position,
            toPosition: full.position,
            events: full.events - left.events,
            reason: "acknowledged appends missing from the log's end (writer.chk said it reached further)",
          },
        ],
      },
    });
    const withRecord = await measureLog(directory);
    expect(withRecord.events).toBe(left.events + 1);
    expect(await readCheckpoint(directory)).toEqual({ kind: 'read', end: withRecord });
    const { store, recovery } = await open();
    expect(count(await contentsBesideRepairRecord(store, report))).toBe(left.events);
    expect(recovery.checkpointCreated).toBe(false);
    await store.append('s-0', 'any', [event(10)]);
    await store.close();
    const again = await open();
    expect(count(await contents(again.store))).toBe(left.events + 2);
    await again.store.close();
  });

  it('Given a damaged writer.chk, then the store refuses to start, and `repair` writes it again from the log', async () => {
    const path = join(directory, WRITER_CHECKPOINT_FILE);
    const file = await readFile(path);
    file[9]! ^= 0x01;
    await writeFile(path, file);
    const refusal = await open().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(CheckpointDamagedError);
    expect((refusal as Error).message).toContain(`${path} is damaged (bad checksum)`);
    expect(await readFile(path)).toEqual(file);

    const report = await repairLog(directory);
    expect(report.checkpoint.before).toEqual({ kind: 'damaged', reason: 'bad checksum' });
    // Nothing was dropped: no record tells readers to start over.
    expect(report.repairRecord).toBeUndefined();
    const { store } = await open();
    expect(count(await contents(store))).toBe(79);
    await store.close();
  });
});

describe('eventstore repair', () => {
  let directory: string;
  let segment: string;
  const open = () => LogStore.open(new FileLog(directory, { zeroFill: false }));
  const at = new Date('2026-12-03T08:00:00.000Z');
  const copyName = '00000000000000000000.log.damaged-2026-12-03T08-00-00-000Z';

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'log-repair-spec-'));
    segment = join(directory, '00000000000000000000.log');
    const { store } = await open();
    await populate(store, 40);
    await store.close();
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  it('copies the segment aside, replaces only the damaged append, and keeps every later event at its position', async () => {
    const { store: intact } = await open();
    const before = await contents(intact);
    const positions = Array.from({ length: intact.committedCount }, (_, seq) => intact.positionOf(seq));
    await intact.close();
    const file = await readFile(segment);
    const records = recordsOf(file);
    // Record 40 is the first of a one-event append on its stream (see `populate`): find its append.
    const victim = records[40]!;
    file[victim.offset + victim.length - 3]! ^= 0x04;
    await writeFile(segment, file);

    const report = await repairLog(directory, () => at);
    expect(report.repaired).toHaveLength(1);
    const [repaired] = report.repaired;
    expect(repaired!.copy).toBe(join(directory, copyName));
    expect(await readFile(repaired!.copy)).toEqual(file);
    expect(repaired!.dropped[0]).toMatchObject({
      fromOffset: expect.any(Number),
      reason: expect.stringMatching(/damaged bytes|append/),
    });
    const damagedRange = repaired!.dropped.find((range) => range.reason.startsWith('damaged bytes'))!;
    expect(damagedRange).toMatchObject({
      fromOffset: victim.offset,
      toOffset: victim.offset + victim.length,
    });

    const { store } = await open();
    const after = await contentsBesideRepairRecord(store, report);
    const dropped = repaired!.dropped.flatMap((range) => range.events);
    // Readers learn of every range taken out, the damaged record's among them, before the kept events.
    expect(report.repairRecord!.data.dropped).toContainEqual({
      fromPosition: victim.offset,
      toPosition: victim.offset + victim.length,
      events: 0,
      reason: expect.stringMatching(/^damaged bytes/),
    });
    expect(report.repairRecord!.data.dropped).toHaveLength(repaired!.dropped.length);
    // One damaged event, the intact events that shared its append or came after it on its stream.
    expect(count(after)).toBe(count(before) - 1 - dropped.length);
    for (const [stream, ids] of before) {
      const kept = after.get(stream) ?? [];
      expect(ids.slice(0, kept.length)).toEqual(kept);
      if (!dropped.some((event) => event.stream === stream) && !stream.startsWith('$')) {
        // Streams that lost nothing but the damaged event itself keep the rest of their events.
        expect(kept.length).toBeGreaterThanOrEqual(ids.length - 1);
      }
    }
    expect(repaired!.keptAfterDamage).toBeGreaterThan(0);
    // Kept events keep their positions; the repair's record, the last, is new.
    const keptPositions = Array.from({ length: store.committedCount - 1 }, (_, seq) => store.positionOf(seq));
    expect(keptPositions.every((position) => positions.includes(position))).toBe(true);
    // The lock file is the open store's (see data-lock.ts).
    expect((await readdir(directory)).sort()).toEqual([
      '00000000000000000000.log',
      copyName,
      DATA_LOCK_FILE,
      WRITER_CHECKPOINT_FILE,
    ]);
    await store.close();
  });

  it('a damaged first record: repair keeps the events of every other stream and the store starts', async () => {
    const file = await readFile(segment);
    const first = recordsOf(file)[0]!;
    file[first.offset + 60]! ^= 0x80;
    await writeFile(segment, file);
    const report = await repairLog(directory, () => at);
    const { store, recovery } = await open();
    const after = await contentsBesideRepairRecord(store, report);
    // s-0 lost revision 0, so every later event of s-0 goes too; s-1..s-3 keep all 60 of theirs (19 + 20 + 21).
    expect(after.get('s-0')).toBeUndefined();
    expect(count(after)).toBe(60);
    expect(report.repaired[0]!.dropped.flatMap((range) => range.events)).toHaveLength(18);
    expect(recovery.tornTail).toBeUndefined();
    expect(await store.append('s-0', 'no_stream', [event(1)])).toMatchObject({
      kind: 'success',
      revision: 0,
    });
    await store.close();
  });

  it('a damaged header is written again from the file name; no event is lost', async () => {
    const file = await readFile(segment);
    file.writeUInt32LE(0xdeadbeef, 0);
    await writeFile(segment, file);
    const report = await repairLog(directory, () => at);
    expect(report.repaired[0]).toMatchObject({ headerRewritten: 'bad segment magic', dropped: [] });
    expect(report.repairRecord).toBeUndefined();
    const { store } = await open();
    expect(count(await contents(store))).toBe(79);
    await store.close();
  });

  it('a damaged last record of a stopped store is cut (with a copy) and reported', async () => {
    const file = await readFile(segment);
    const records = recordsOf(file);
    const last = records.at(-2)!;
    file[last.offset + 60]! ^= 0x01;
    await writeFile(segment, file);
    const report = await repairLog(directory, () => at);
    const dropped = report.repaired[0]!.dropped;
    expect(dropped[0]).toMatchObject({
      fromOffset: last.offset,
      reason: expect.stringMatching(/damaged bytes/),
    });
    const { store } = await open();
    expect(count(await contentsBesideRepairRecord(store, report))).toBe(
      79 - 1 - dropped.flatMap((range) => range.events).length,
    );
    await store.close();
  });

  it('an intact log is left alone: no copy, nothing dropped', async () => {
    const before = await snapshot(directory);
    expect((await repairLog(directory, () => at)).repaired).toEqual([]);
    expect(await snapshot(directory)).toEqual(before);
  });
});

/**
 * Power loss: what was fsynced survives, what was written after the last fsync may be lost, partly
 * or wholly, in any sector order. The sync function below is the test's file layer: each completed
 * fsync records the files' contents (what is durable); the Nth fsync is where the power fails.
 */
describe('power loss', () => {
  const SECTOR = 512;

  const prng = (seed: number) => () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };

  /** A durable file whose last sector is zeros: the log had filled it ahead of its writes. */
  const endsInZeros = (file: Buffer): boolean =>
    file.length >= 2 * SECTOR && file.subarray(-SECTOR).every((byte) => byte === 0);

  async function files(directory: string): Promise<Map<string, Buffer>> {
    const result = new Map<string, Buffer>();
    for (const name of await readdir(directory))
      // writer.chk too: a checkpoint that ran ahead of the durable log would refuse the start below.
      if (name.endsWith('.log') || name === WRITER_CHECKPOINT_FILE)
        result.set(name, await readFile(join(directory, name)));
    return result;
  }

  it('loses no acknowledged event, whatever part of the unsynced write reaches the disk, with or without zeros filled ahead', async () => {
    let tornRounds = 0;
    let filledRounds = 0;
    for (let round = 0; round < 16; round += 1) {
      const zeroFill = round % 2 === 0;
      const random = prng(round + 7);
      const directory = await mkdtemp(join(tmpdir(), 'power-loss-spec-'));
      const image = await mkdtemp(join(tmpdir(), 'power-loss-image-'));
      try {
        const acknowledged = new Map<string, string[]>();
        let durable = new Map<string, Buffer>();
        let syncs = 0;
        const crashAt = 4 + Math.floor(random() * 40);
        let crash:
          | {
              durable: Map<string, Buffer>;
              written: Map<string, Buffer>;
              acknowledged: Map<string, string[]>;
            }
          | undefined;
        const sync: SyncFn = async () => {
          if (crash) return;
          // Each sync takes its number when called: writer.chk's syncs run beside the log's.
          const number = (syncs += 1);
          const written = await files(directory);
          if (number === crashAt) {
            const acked = new Map([...acknowledged].map(([stream, ids]) => [stream, [...ids]]));
            crash = { durable, written, acknowledged: acked };
            throw new Error('the power failed during fsync');
          }
          durable = written;
        };
        const { store } = await LogStore.open(
          new FileLog(directory, { sync, segmentSize: 16 * 1024, zeroFill }),
        );
        const writer = async (stream: string): Promise<void> => {
          for (let n = 0; !crash; n += 1) {
            const events = Array.from({ length: 1 + ((n + stream.length) % 3) }, () =>
              event(Math.floor(random() * 900)),
            );
            try {
              await store.append(stream, 'any', events);
            } catch {
              return;
            }
            acknowledged.set(stream, [...(acknowledged.get(stream) ?? []), ...events.map((e) => e.id)]);
          }
        };
        await Promise.all(STREAMS.map(writer));
        await store.close().catch(() => undefined);
        expect(crash).toBeDefined();

        // The disk after the power failure: every sector the unsynced write changed holds either its
        // new bytes or its durable ones (zeros past the durable end), and a file the write made longer
        // keeps its new size or any size from its durable one up.
        for (const [name, written] of crash!.written) {
          const kept = crash!.durable.get(name) ?? Buffer.alloc(0);
          const disk = Buffer.from(written);
          for (let sector = 0; sector < written.length; sector += SECTOR) {
            const end = Math.min(sector + SECTOR, written.length);
            if (kept.subarray(sector, end).equals(written.subarray(sector, end)) || random() >= 0.4) continue;
            disk.fill(0, sector, end);
            if (sector < kept.length) kept.copy(disk, sector, sector, Math.min(end, kept.length));
          }
          const grown = written.length - kept.length;
          const length =
            grown <= 0 || random() < 0.5 ? written.length : kept.length + Math.floor(random() * (grown + 1));
          if (length > 0) await writeFile(join(image, name), disk.subarray(0, length));
        }
        if (zeroFill && [...crash!.durable.values()].some(endsInZeros)) filledRounds += 1;
        const { store: recovered, recovery } = await LogStore.open(new FileLog(image));
        if (recovery.truncatedBytes > 0) tornRounds += 1;
        const stored = await contents(recovered);
        for (const [stream, ids] of crash!.acknowledged)
          expect(stored.get(stream)!.slice(0, ids.length)).toEqual(ids);
        await recovered.close();
      } finally {
        await rm(directory, { recursive: true, force: true });
        await rm(image, { recursive: true, force: true });
      }
    }
    // The simulation must actually have torn writes, and writes over zeros, or it proves nothing.
    expect(tornRounds).toBeGreaterThan(4);
    expect(filledRounds).toBeGreaterThan(4);
  });
});
