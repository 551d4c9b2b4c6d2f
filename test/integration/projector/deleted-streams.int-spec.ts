import { eventSchemas, type DomainEvent } from '#events';
import { PROJECTIONS, Projector, replay } from '#read-models';
import { accountEvents, lineEvents } from '../../../bench/replay/workload.js';
import { connectToSharedStore, testMetadata } from '../../support/shared-store.js';
import { accountPrefixes, freshWorkload } from '../../support/workload.js';

/**
 * Streams deleted in the store while the projector follows `$all`. EventStoreDB keeps a deleted
 * stream's events in `$all` (until a scavenge) and marks the deletion there: a `$streamDeleted` event
 * in the stream for a tombstone, a `$metadata` event with `$tb` in `$$<stream>` for a soft delete.
 * The read models are a history of what happened, so they keep what they projected; the projector
 * carries on past both marks, and a rebuild from `$all` agrees with it.
 */
describe('projector and streams deleted in the store', () => {
  const { client, store } = connectToSharedStore(eventSchemas);
  const append = async (batch: { stream: string; events: readonly DomainEvent[] }) =>
    (await store.append(batch.stream, batch.events, 'any', testMetadata({ actor: 'system:test' }))).position;

  it('keeps projecting past a tombstoned line and a soft-deleted account; the read models keep their history', async () => {
    const options = freshWorkload('del', { seed: 31, lines: 3, callsPerLine: 10 });
    const streamPrefixes = accountPrefixes(options.accountId);
    const projector = new Projector(store, PROJECTIONS, { streamPrefixes, log: () => undefined });
    await projector.start();
    try {
      const account = accountEvents(options);
      const [tombstoned, softDeleted, untouched] = [0, 1, 2].map((line) => lineEvents(options, line));
      await append(account);
      await append(tombstoned!);
      const before = await append(softDeleted!);
      await projector.waitForPosition(before);
      const projectedBefore = projector.readModels.eventCount;

      await client.tombstoneStream(tombstoned!.stream);
      await client.deleteStream(softDeleted!.stream);
      await client.deleteStream(account.stream);
      const last = await append(untouched!);
      await projector.waitForPosition(last);

      expect(projector.status).toBe('live');
      expect(projector.readModels.eventCount).toBe(projectedBefore + untouched!.events.length);
      const rebuilt = await replay(store, PROJECTIONS, { streamPrefixes, untilPosition: last });
      expect(rebuilt.eventCount).toBe(projector.readModels.eventCount);
      expect(rebuilt.digest()).toBe(projector.readModels.digest());
    } finally {
      await projector.stop();
    }
  });
});
