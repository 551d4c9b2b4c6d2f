import { PositionNotOnRecordError } from './errors.js';
import type { LogRecord, SystemRecord } from './event-store.js';
import {
  LOG_REPAIRS_STREAM,
  LOG_REPAIR_EVENT_TYPE,
  ReaderStoreCheck,
  checkReaderAgainstStore,
  whyStartOver,
} from './store-repair-check.js';

/** A store whose `$all` holds a record at each position of `records`, and `repairs` newest first. */
function storeWith(records: readonly { id: string; position: bigint }[], repairs: SystemRecord[] = []) {
  const streamsRead: string[] = [];
  return {
    streamsRead,
    store: {
      readAllRecords: async (from: bigint | undefined): Promise<LogRecord[]> =>
        records
          .filter((record) => from === undefined || record.position >= from)
          .slice(0, 1)
          .map((record) => ({ ...record, type: 'Tallied', stream: 's-1', created: new Date(0) })),
      readSystemStreamBackwards: async (stream: string): Promise<SystemRecord[]> => {
        streamsRead.push(stream);
        return stream === LOG_REPAIRS_STREAM ? repairs : [];
      },
    },
  };
}

const repairAt = (
  position: bigint,
  dropped: readonly { fromPosition: number; toPosition: number }[],
): SystemRecord => ({
  id: `repair-${position}`,
  type: LOG_REPAIR_EVENT_TYPE,
  position,
  data: {
    repairedAt: '2026-12-03T08:00:00.000Z',
    dropped: dropped.map((range) => ({ ...range, events: 1, reason: 'damaged bytes (bad checksum)' })),
  },
});

const LOG = [
  { id: 'e1', position: 100n },
  { id: 'e2', position: 200n },
  { id: 'e3', position: 300n },
  { id: 'e4', position: 400n },
];
const READ_TO_E3 = { id: 'e3', position: 300n };

describe('checkReaderAgainstStore', () => {
  it('Given a store that was never repaired, when a reader checks its last record, then it is kept, after one read of a stream that does not exist', async () => {
    const { store, streamsRead } = storeWith(LOG);
    expect(await checkReaderAgainstStore(store, READ_TO_E3)).toEqual({ kind: 'kept' });
    expect(streamsRead).toEqual([LOG_REPAIRS_STREAM]);
  });

  it('Given a store whose tail was cut and written again, when a reader checks, then its last record is gone and the new one named', async () => {
    const { store } = storeWith([LOG[0]!, { id: 'new', position: 300n }]);
    const check = await checkReaderAgainstStore(store, READ_TO_E3);
    expect(check).toEqual({ kind: 'gone', foundThere: 'new' });
    expect(whyStartOver(READ_TO_E3, check as Exclude<typeof check, { kind: 'kept' }>)).toBe(
      'the last record read, e3 at $all position 300, is not in this store, which has new there: the ' +
        'store was replaced, or repaired and its tail cut',
    );
  });

  it("Given a replaced store with a record spanning the reader's last position, when the reader checks, then its last record is gone, though the store refuses to read from there as EventStoreDB does", async () => {
    const { store } = storeWith([LOG[0]!, { id: 'long', position: 250n }]);
    const strict = {
      ...store,
      // EventStoreDB reads $all only from a record's own position (or the start, or the end).
      readAllRecords: async (from: bigint | undefined): Promise<LogRecord[]> => {
        if (from !== undefined && from !== 100n && from !== 250n)
          throw new PositionNotOnRecordError(
            from,
            '3 INVALID_ARGUMENT: Trying to read from an invalid position.',
          );
        return store.readAllRecords(from);
      },
    };
    const check = await checkReaderAgainstStore(strict, READ_TO_E3);
    expect(check).toEqual({ kind: 'gone', foundThere: undefined });
    expect(whyStartOver(READ_TO_E3, check as Exclude<typeof check, { kind: 'kept' }>)).toBe(
      'the last record read, e3 at $all position 300, is not in this store: the store was replaced, or ' +
        'repaired and its tail cut',
    );
  });

  it('Given a repair after the reader that dropped a record before its last one, when it checks, then it must start over, and is told which range went', async () => {
    const { store } = storeWith(LOG, [repairAt(500n, [{ fromPosition: 200, toPosition: 300 }])]);
    const check = await checkReaderAgainstStore(store, READ_TO_E3);
    expect(check).toEqual({
      kind: 'repairedBehind',
      repair: {
        recordPosition: 500n,
        repairedAt: '2026-12-03T08:00:00.000Z',
        fromPosition: 200n,
        toPosition: 300n,
        reason: 'damaged bytes (bad checksum)',
      },
    });
    expect(whyStartOver(READ_TO_E3, check as Exclude<typeof check, { kind: 'kept' }>)).toBe(
      'eventstore repair at 2026-12-03T08:00:00.000Z (its record at $all position 500) dropped positions ' +
        '200..300 (damaged bytes (bad checksum)), before the last record read, at 300',
    );
  });

  it('Given a repair after the reader that dropped only records after its last one, when it checks, then it is kept', async () => {
    const { store } = storeWith(LOG, [repairAt(500n, [{ fromPosition: 400, toPosition: 500 }])]);
    expect(await checkReaderAgainstStore(store, READ_TO_E3)).toEqual({ kind: 'kept' });
  });

  it('Given a repair the reader has read past, when it checks, then the repair no longer concerns it', async () => {
    const { store } = storeWith(LOG, [repairAt(250n, [{ fromPosition: 100, toPosition: 200 }])]);
    expect(await checkReaderAgainstStore(store, READ_TO_E3)).toEqual({ kind: 'kept' });
  });

  it('Given two repairs since the reader stopped, the newer touching nothing it read, when it checks, then the older one still sends it back', async () => {
    const { store } = storeWith(LOG, [
      repairAt(700n, [{ fromPosition: 600, toPosition: 650 }]),
      repairAt(500n, [
        { fromPosition: 450, toPosition: 480 },
        { fromPosition: 100, toPosition: 200 },
      ]),
    ]);
    expect(await checkReaderAgainstStore(store, READ_TO_E3)).toMatchObject({
      kind: 'repairedBehind',
      repair: { recordPosition: 500n, fromPosition: 100n },
    });
  });
});

describe('ReaderStoreCheck: one reader checking before each subscription', () => {
  /** A repair at 500 that dropped 200..250, before e3 at 300: the reader started over once for it. */
  const startedOverForRepairAt500 = async () => {
    const repaired = storeWith(LOG, [repairAt(500n, [{ fromPosition: 200, toPosition: 250 }])]);
    const reader = new ReaderStoreCheck();
    expect(await reader.check(repaired.store, READ_TO_E3)).toMatchObject({ kind: 'repairedBehind' });
    return reader;
  };

  it("Given a reader that started over for a repair, when it loses its connection again before reading past the repair's record, then it resumes: it read everything after the repair", async () => {
    const reader = await startedOverForRepairAt500();
    // When it read again up to e3 (after the repair), and checks before subscribing once more
    const check = await reader.check(
      storeWith(LOG, [repairAt(500n, [{ fromPosition: 200, toPosition: 250 }])]).store,
      READ_TO_E3,
    );
    // Then it is kept, where the repair on its own would send it back again
    expect(check).toEqual({ kind: 'kept' });
  });

  it('Given a reader that started over for a repair, when another repair is recorded since that dropped records before its last one, then it starts over again', async () => {
    const reader = await startedOverForRepairAt500();
    const twiceRepaired = storeWith(LOG, [
      repairAt(600n, [{ fromPosition: 100, toPosition: 150 }]),
      repairAt(500n, [{ fromPosition: 200, toPosition: 250 }]),
    ]);
    expect(await reader.check(twiceRepaired.store, READ_TO_E3)).toMatchObject({
      kind: 'repairedBehind',
      repair: { recordPosition: 600n, fromPosition: 100n },
    });
  });

  it("Given a reader that started over for a repair, when a tail cut put another repair record at that record's position, then that one is checked: it starts over again", async () => {
    const reader = await startedOverForRepairAt500();
    const inItsPlace = { ...repairAt(500n, [{ fromPosition: 100, toPosition: 150 }]), id: 'another-repair' };
    expect(await reader.check(storeWith(LOG, [inItsPlace]).store, READ_TO_E3)).toMatchObject({
      kind: 'repairedBehind',
      repair: { recordPosition: 500n, fromPosition: 100n },
    });
  });
});
