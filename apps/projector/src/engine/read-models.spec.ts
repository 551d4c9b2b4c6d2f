import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson } from './canonical-json.js';
import { storedLog, tally } from './engine.fixture.js';
import { ProjectionFailure } from './projection.js';
import { ReadModels } from './read-models.js';
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

  it('is absent on a first start', async () => {
    expect(await readSnapshot(dir, [tally])).toEqual({ kind: 'none' });
  });

  it('is discarded when its rows do not match their checksum', async () => {
    await writeSnapshot(dir, applyAll());
    const path = join(dir, SNAPSHOT_FILE);
    await writeFile(path, (await readFile(path, 'utf8')).replace('"total":5', '"total":6'));
    expect(await readSnapshot(dir, [tally])).toEqual({
      kind: 'discarded',
      reason: 'rows do not match their checksum',
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
