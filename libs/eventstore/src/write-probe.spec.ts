import { jest } from '@jest/globals';
import { UnknownError } from '@eventstore/db-client';

import type { EventStore } from './event-store.js';
import { StoreWrites } from './store-writes.js';
import { WRITE_PROBE_STREAM, WriteProbe } from './write-probe.js';

/** A store whose appends the spec answers: `room` says whether the disk takes the next probe. */
function storeOnADisk() {
  const writes = new StoreWrites();
  const probes: number[] = [];
  const disk = { room: false };
  const store = {
    writes,
    client: {
      appendToStream: async (stream: string) => {
        expect(stream).toBe(WRITE_PROBE_STREAM);
        probes.push(Date.now());
        if (!disk.room)
          throw new UnknownError(
            undefined,
            'Could not recognize log-write-failed ENOSPC: the log could not be written',
          );
        return { success: true };
      },
    },
  } as unknown as EventStore;
  return { store, writes, probes, disk };
}

describe('WriteProbe', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('Given writes that succeed, when time passes, then it sends no probe', async () => {
    const { store, probes } = storeOnADisk();
    new WriteProbe(store, { firstMs: 1_000, maxMs: 8_000 });

    await jest.advanceTimersByTimeAsync(60_000);

    expect(probes).toEqual([]);
  });

  it('Given a refused append, when the disk stays full, then it probes after 1, 2, 4, 8, 8 … s, and stops at the first probe that succeeds', async () => {
    const { store, writes, probes, disk } = storeOnADisk();
    new WriteProbe(store, { firstMs: 1_000, maxMs: 8_000 });

    writes.refused('ENOSPC');
    await jest.advanceTimersByTimeAsync(31_000);

    expect(probes).toEqual([1_000, 3_000, 7_000, 15_000, 23_000, 31_000]);
    expect(writes.view()).toMatchObject({ status: 'failing', refusedCommands: 1 });
    disk.room = true;
    await jest.advanceTimersByTimeAsync(8_000);
    expect(writes.view()).toEqual({ status: 'ok' });
    expect(probes).toHaveLength(7);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(probes).toHaveLength(7);
  });

  it('Given a refused append, when a command succeeds before the probe is due, then no probe is sent; a later spell starts from the first delay', async () => {
    const { store, writes, probes } = storeOnADisk();
    new WriteProbe(store, { firstMs: 1_000, maxMs: 8_000 });

    writes.refused('ENOSPC');
    writes.succeeded();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(probes).toEqual([]);
    writes.refused('EDQUOT');
    await jest.advanceTimersByTimeAsync(1_000);
    expect(probes).toEqual([11_000]);
  });

  it('Given a probe under way, when a command succeeds and another is refused meanwhile, then one chain of probes goes on, not two', async () => {
    const { store, writes, probes } = storeOnADisk();
    let answer: (() => void) | undefined;
    const refusal = store.client.appendToStream.bind(store.client) as (stream: string) => Promise<unknown>;
    store.client.appendToStream = ((stream: string) =>
      new Promise((_, reject) => (answer = () => void refusal(stream).catch(reject)))) as never;
    new WriteProbe(store, { firstMs: 1_000, maxMs: 8_000 });

    writes.refused('ENOSPC');
    await jest.advanceTimersByTimeAsync(1_000);
    writes.succeeded();
    writes.refused('ENOSPC');
    answer!();
    store.client.appendToStream = refusal as never;
    await jest.advanceTimersByTimeAsync(2_000);

    expect(probes).toEqual([1_000, 3_000]);
  });

  it('Given a probe waiting, when it is stopped, then none is sent', async () => {
    const { store, writes, probes } = storeOnADisk();
    const probe = new WriteProbe(store, { firstMs: 1_000, maxMs: 8_000 });

    writes.refused('ENOSPC');
    probe.stop();
    await jest.advanceTimersByTimeAsync(60_000);

    expect(probes).toEqual([]);
  });
});
