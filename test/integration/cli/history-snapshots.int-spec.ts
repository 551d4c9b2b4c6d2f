import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '#events';
import { AggregateRepository, snapshotStreamOf } from '#eventstore';
import { readAllEvents } from '../../../apps/cli/src/history/history-event.js';
import { connectToSharedStore, testMetadata } from '../../support/shared-store.js';

type Noted = DomainEvent<'Noted', { note: string }>;

/**
 * The CLI's verify, replay, audit and history export read `$all` through readAllEvents: aggregate
 * snapshots, which are in the same log, must never reach them as events (verify would count them as
 * foreign, an export would copy them into another store as history).
 */
describe('the CLI reading a log with aggregate snapshots', () => {
  const { client, store } = connectToSharedStore();

  it('sees the aggregate events and none of their snapshots', async () => {
    const stream = `notes-${randomUUID().replaceAll('-', '')}`;
    const from = await store.headPosition();
    const repository = new AggregateRepository(
      store,
      {
        initialState: 0,
        evolve: (count: number, _event: Noted) => count + 1,
        snapshot: { schemaVersion: 1, serialize: (count) => count, deserialize: (data) => Number(data) },
      },
      { snapshotEveryEvents: 1 },
    );
    for (let i = 0; i < 3; i++) {
      await repository.handle(stream, () => [{ type: 'Noted', data: { note: `n${i}` } }], testMetadata());
      for (let waited = 0; repository.snapshots.written <= i; waited += 10) {
        if (waited > 20_000) throw new Error('no snapshot written');
        await new Promise((resume) => setTimeout(resume, 10));
      }
    }
    // The snapshots are in the log: a check passing on a log without them would prove nothing.
    let snapshots = 0;
    for await (const resolved of client.readAll({ fromPosition: { commit: from, prepare: from } }))
      if (resolved.event?.streamId === snapshotStreamOf(stream)) snapshots++;
    expect(snapshots).toBe(3);

    const seen = [];
    for await (const event of readAllEvents(client, from)) {
      if (event.stream.includes(stream)) seen.push([event.stream, event.type]);
    }
    expect(seen).toEqual([
      [stream, 'Noted'],
      [stream, 'Noted'],
      [stream, 'Noted'],
    ]);
  });
});
