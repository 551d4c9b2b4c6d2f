import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { DomainEvent } from '#events';
import { canonicalJson } from './canonical-json.js';
import { storedLog, tally, type TallyEvent } from './engine.fixture.js';
import { IRRELEVANT, ProjectionFailure, defineProjection, invariant } from './projection.js';
import { ReadModels } from './read-models.js';
import type { Row } from './row-capture.js';
import { SNAPSHOT_FILE, captureSnapshot, readSnapshot, writeSnapshot } from './snapshot-file.js';

const log = storedLog([
  ['t-a', { type: 'Tallied', data: { amount: 2 } }],
  ['t-b', { type: 'Tallied', data: { amount: 5 } }],
  ['t-a', { type: 'Noted', data: { note: 'ignored on purpose' } }],
  ['t-a', { type: 'Tallied', data: { amount: 3 } }],
]);

const applyAll = (events = log): ReadModels => {
  const readModels = new ReadModels([tally]);
  for (const stored of events) readModels.apply(stored);
  return readModels;
};

describe('read models', () => {
  it('apply events in order and remember the $all position they reflect', () => {
    const readModels = applyAll();
    expect(readModels.state(tally).totals.get('t-a')).toEqual({ total: 5, count: 2 });
    expect(readModels.position).toBe(400n);
    expect(readModels.eventCount).toBe(4);
  });

  it('skip an event type only when the projection declares it irrelevant', () => {
    const [first] = storedLog([['t-a', { type: 'CallTeleported', data: {} }]]);
    const readModels = new ReadModels([tally]);
    expect(() => readModels.apply(first!)).toThrow(ProjectionFailure);
    expect(() => readModels.apply(first!)).toThrow(
      /CallTeleported .*position 100.*neither handled nor declared/,
    );
    expect(readModels.position).toBeUndefined();
  });

  it('stop on an event that breaks an invariant, naming projection, type, stream and position', () => {
    const events = storedLog([
      ['t-a', { type: 'Tallied', data: { amount: 1 } }],
      ['t-b', { type: 'Reset', data: {} }],
    ]);
    const readModels = new ReadModels([tally]);
    readModels.apply(events[0]!);
    let failure: unknown;
    try {
      readModels.apply(events[1]!);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(ProjectionFailure);
    expect((failure as ProjectionFailure).toJSON()).toMatchObject({
      projection: 'tally',
      eventType: 'Reset',
      stream: 't-b',
      revision: '0',
      position: '200',
      reason: 't-b was never tallied',
    });
    expect(readModels.position).toBe(100n);
  });

  it('refuse an event delivered out of $all order', () => {
    const readModels = applyAll();
    expect(() => readModels.apply(log[1]!)).toThrow(/out of order/);
  });

  it('digest equal states equally whatever the insertion order, and differ when state differs', () => {
    const forwards = applyAll();
    const otherOrder = applyAll(
      storedLog([
        ['t-b', { type: 'Tallied', data: { amount: 5 } }],
        ['t-a', { type: 'Tallied', data: { amount: 2 } }],
        ['t-a', { type: 'Tallied', data: { amount: 3 } }],
      ]),
    );
    expect(otherOrder.digest()).toBe(forwards.digest());
    expect(applyAll(log.slice(0, 2)).digest()).not.toBe(forwards.digest());
    expect(forwards.digest()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('canonical JSON sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: [{ z: 1, a: undefined, m: null }], a: 'x' })).toBe(
      '{"a":"x","b":[{"m":null,"z":1}]}',
    );
  });
});

/** `count` streams tallied once each: t-0 … t-(count-1), stream t-i holding i + 1. */
const tallied = (count: number): ReturnType<typeof storedLog> =>
  storedLog(
    Array.from(
      { length: count },
      (_, i) => [`t-${i}`, { type: 'Tallied', data: { amount: i + 1 } }] as const,
    ),
  );

/** Events after `first` at later `$all` positions, so they can be applied to a state built from it. */
const continuing = (
  first: ReturnType<typeof storedLog>,
  events: Parameters<typeof storedLog>[0],
): ReturnType<typeof storedLog> => {
  const whole = storedLog([
    ...first.map((stored): [string, DomainEvent] => [stored.stream, stored.event]),
    ...events,
  ]);
  return whole.slice(first.length);
};

const sortedRows = (rows: readonly Row[]): string[] => rows.map((row) => JSON.stringify(row)).sort();

describe('the rows touched since the last take (what a scope checkpoint writes)', () => {
  it('are every row an event set, changed in place or deleted, as it stands now, and a take starts a new tally', () => {
    const events = storedLog([
      ['t-a', { type: 'Tallied', data: { amount: 2 } }],
      ['t-b', { type: 'Tallied', data: { amount: 5 } }],
      ['t-c', { type: 'Tallied', data: { amount: 1 } }],
      ['t-a', { type: 'Tallied', data: { amount: 3 } }],
      ['t-b', { type: 'Reset', data: {} }],
      ['t-c', { type: 'Noted', data: { note: 'touches nothing' } }],
    ]);
    const readModels = new ReadModels([tally]);
    readModels.trackTouches();
    for (const stored of events.slice(0, 3)) readModels.apply(stored);
    expect([...readModels.takeTouchedRows()]).toEqual([
      ['tally', 'totals', 't-a', { total: 2, count: 1 }],
      ['tally', 'totals', 't-b', { total: 5, count: 1 }],
      ['tally', 'totals', 't-c', { total: 1, count: 1 }],
    ]);
    for (const stored of events.slice(3)) readModels.apply(stored);
    expect([...readModels.takeTouchedRows()]).toEqual([
      ['tally', 'totals', 't-a', { total: 5, count: 2 }],
      { deleted: ['tally', 'totals', 't-b'] },
    ]);
    expect([...readModels.takeTouchedRows()]).toEqual([]);
  });
});

describe('a capture of the read models', () => {
  it('copies every row as it stood when it began, though events change, delete and add rows meanwhile', () => {
    // Given 200 tallied streams and a capture that has copied its first slice of rows
    const before = tallied(200);
    const readModels = applyAll(before);
    const asOfStart = sortedRows([...readModels.rows()]);
    const copied: Row[] = [];
    const capture = readModels.beginCapture((row) => copied.push(JSON.parse(JSON.stringify(row)) as Row));
    expect(capture.copyFor(0)).toBe(true);
    expect(copied).toHaveLength(64);
    // When events change a row already copied and one not yet, delete both kinds, and add a new one
    for (const stored of continuing(before, [
      ['t-0', { type: 'Tallied', data: { amount: 1000 } }],
      ['t-150', { type: 'Tallied', data: { amount: 1000 } }],
      ['t-1', { type: 'Reset', data: {} }],
      ['t-151', { type: 'Reset', data: {} }],
      ['t-new', { type: 'Tallied', data: { amount: 7 } }],
    ]))
      readModels.apply(stored);
    while (capture.copyFor(0));
    // Then the capture holds each row of the start exactly once, as it was then, and nothing added since
    expect(sortedRows(copied)).toEqual(asOfStart);
    expect(readModels.state(tally).totals.get('t-150')).toEqual({ total: 1151, count: 2 });
  });

  it('stops watching the tables once every row is copied', () => {
    // Given a capture that has copied everything
    const before = tallied(3);
    const readModels = applyAll(before);
    const copied: Row[] = [];
    const capture = readModels.beginCapture((row) => copied.push(row));
    while (capture.copyFor(0));
    // When a row changes afterwards
    for (const stored of continuing(before, [['t-0', { type: 'Tallied', data: { amount: 1 } }]]))
      readModels.apply(stored);
    // Then nothing more reaches the capture, and a new capture may begin
    expect(copied).toHaveLength(3);
    expect(() => readModels.beginCapture(() => undefined).release()).not.toThrow();
  });

  it('is one at a time, and a second one refused leaves the first watching every table', () => {
    // Given a capture under way
    const before = tallied(100);
    const readModels = applyAll(before);
    const copied: Row[] = [];
    const first = readModels.beginCapture((row) => copied.push(JSON.parse(JSON.stringify(row)) as Row));
    // When a second one is begun, then an event changes a row the first has not copied
    expect(() => readModels.beginCapture(() => undefined)).toThrow(/already under way/);
    for (const stored of continuing(before, [['t-99', { type: 'Tallied', data: { amount: 5 } }]]))
      readModels.apply(stored);
    // Then the first still copies that row as it was
    while (first.copyFor(0));
    expect(copied.find(([, , key]) => key === 't-99')?.[3]).toEqual({ total: 100, count: 1 });
  });

  it('never stops the events: a sink that fails while an event touches a row fails the capture instead', () => {
    // Given a capture whose sink fails, not one row copied yet
    const before = tallied(100);
    const readModels = applyAll(before);
    const capture = readModels.beginCapture(() => {
      throw new Error('disk full');
    });
    // When an event touches a row the capture has not copied
    const [next] = continuing(before, [['t-99', { type: 'Tallied', data: { amount: 1 } }]]);
    // Then the event is applied, and the capture reports the failure and lets go of the tables
    expect(() => readModels.apply(next!)).not.toThrow();
    expect(readModels.state(tally).totals.get('t-99')).toEqual({ total: 101, count: 2 });
    expect(() => capture.copyFor(0)).toThrow('disk full');
    expect(() => readModels.beginCapture(() => undefined)).not.toThrow();
  });
});

describe('snapshot file', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'projector-snapshot-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('restores the rows and the checkpoint position together', async () => {
    const live = applyAll();
    await writeSnapshot(dir, live);
    const loaded = await readSnapshot(dir, [tally]);
    expect(loaded.kind).toBe('loaded');
    if (loaded.kind !== 'loaded') return;
    expect(loaded.readModels.position).toBe(400n);
    expect(loaded.readModels.eventCount).toBe(4);
    expect(loaded.readModels.lastEvent).toEqual({ position: 400n, id: 'id-3' });
    expect(loaded.readModels.digest()).toBe(live.digest());
  });

  it('holds the state as captured, though the read models move on before it is committed', async () => {
    const live = applyAll(log.slice(0, 2));
    const asCaptured = live.digest();
    const captured = await captureSnapshot(dir, live);
    for (const stored of log.slice(2)) live.apply(stored);
    expect(await readSnapshot(dir, [tally])).toEqual({ kind: 'none' });
    await captured.commit();
    const loaded = await readSnapshot(dir, [tally]);
    if (loaded.kind !== 'loaded') throw new Error(`snapshot ${loaded.kind}`);
    expect(loaded.readModels.eventCount).toBe(2);
    expect(loaded.readModels.digest()).toBe(asCaptured);
    expect(loaded.readModels.digest()).not.toBe(live.digest());
  });

  it('holds the moment it was called at, though events are applied between its slices', async () => {
    // Given a state large enough to take several slices to copy
    const before = tallied(20_000);
    const live = applyAll(before);
    const asCalled = live.digest();
    // When events change rows while the snapshot is written
    const later = continuing(
      before,
      Array.from({ length: 2_000 }, (_, i) => [
        `t-${(i * 7919) % 20_000}`,
        { type: 'Tallied', data: { amount: 1 } },
      ]),
    );
    let writing = true;
    const written = writeSnapshot(dir, live).finally(() => (writing = false));
    let applied = 0;
    while (writing && applied < later.length) {
      for (const stored of later.slice(applied, applied + 50)) live.apply(stored);
      applied += 50;
      await nextTurn();
    }
    await written;
    // Then events were applied between its slices, and it holds the state of the call
    expect(applied).toBeGreaterThan(50);
    const loaded = await readSnapshot(dir, [tally]);
    if (loaded.kind !== 'loaded') throw new Error(`snapshot ${loaded.kind}`);
    expect(loaded.readModels.eventCount).toBe(20_000);
    expect(loaded.readModels.digest()).toBe(asCalled);
    expect(live.digest()).not.toBe(asCalled);
  });

  it('is absent on a first start', async () => {
    expect(await readSnapshot(dir, [tally])).toEqual({ kind: 'none' });
  });

  it('is discarded when its rows do not match their checksum', async () => {
    await writeSnapshot(dir, applyAll());
    const path = join(dir, SNAPSHOT_FILE);
    await writeFile(path, (await readFile(path, 'utf8')).replace('"total":5', '"total":6'));
    expect(await readSnapshot(dir, [tally])).toEqual({
      kind: 'discarded',
      reason: 'header or rows do not match their checksum',
    });
  });

  it('is discarded when truncated', async () => {
    await writeSnapshot(dir, applyAll());
    const path = join(dir, SNAPSHOT_FILE);
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    await writeFile(path, lines.slice(0, -1).join('\n') + '\n');
    expect(await readSnapshot(dir, [tally])).toEqual({ kind: 'discarded', reason: 'truncated (no trailer)' });
  });

  it('is discarded when a projection changed version since it was written', async () => {
    await writeSnapshot(dir, applyAll());
    const changed = { ...tally, version: 2 };
    const loaded = await readSnapshot(dir, [changed]);
    expect(loaded).toEqual({
      kind: 'discarded',
      reason: 'projection tally is v2 in this build but v1 in the snapshot',
    });
  });
});

describe('parking an event the read models cannot apply', () => {
  /** Applies after `tally` and refuses unlucky amounts: `tally` has then already changed its row. */
  const superstitious = defineProjection<TallyEvent>()({
    name: 'superstitious',
    version: 1,
    create: () => ({ seen: new Map<string, number>() }),
    handlers: {
      Tallied: (state, { stream, event }) => {
        state.seen.set(stream, (state.seen.get(stream) ?? 0) + 1);
        invariant(event.data.amount !== 13, 'thirteen is unlucky');
      },
      Reset: IRRELEVANT,
      Noted: IRRELEVANT,
    },
  });
  const withUnlucky = storedLog([
    ['t-a', { type: 'Tallied', data: { amount: 2 } }],
    ['t-a', { type: 'Tallied', data: { amount: 13 } }],
    ['t-a', { type: 'Tallied', data: { amount: 3 } }],
  ]);

  it('given a projection that fails after another changed its rows, undoes those changes and parks the event with the reason', () => {
    const parking = new ReadModels([tally, superstitious]);
    const parked = withUnlucky.map((stored) => parking.applyOrPark(stored));

    const without = new ReadModels([tally, superstitious]);
    for (const stored of [withUnlucky[0]!, withUnlucky[2]!]) without.apply(stored);
    expect(parking.state(tally).totals.get('t-a')).toEqual({ total: 5, count: 2 });
    expect(parking.state(superstitious).seen.get('t-a')).toBe(2);
    expect(parked).toEqual([
      undefined,
      expect.objectContaining({ position: '200', reason: 'PROJECTION_FAILED', projection: 'superstitious' }),
      undefined,
    ]);
    expect(parking.parked).toEqual([parked[1]]);
    expect(parking.position).toBe(300n);
    // The parked event is part of the digest: equal to a rebuild that parks it too, not to one without it.
    const rebuilt = new ReadModels([tally, superstitious]);
    for (const stored of withUnlucky) rebuilt.applyOrPark(stored);
    expect(rebuilt.digest()).toBe(parking.digest());
    expect(without.digest()).not.toBe(parking.digest());
  });

  it('keeps parked events in the snapshot rows, so a restart still lists them', () => {
    const parking = new ReadModels([tally, superstitious]);
    for (const stored of withUnlucky) parking.applyOrPark(stored);
    const restored = new ReadModels([tally, superstitious]);
    for (const row of parking.rows()) restored.restoreRow(row);
    expect(restored.parked).toEqual(parking.parked);
    expect(restored.digest()).toBe(parking.digest());
  });

  it('leaves the digest of read models without parked events as it was before parking existed', () => {
    const readModels = new ReadModels([tally]);
    expect(readModels.digest()).toBe(createHash('sha256').update('{"tally":{"totals":{}}}').digest('hex'));
    expect([...applyAll().rows()].some(([projection]) => projection === '$projector')).toBe(false);
  });
});
