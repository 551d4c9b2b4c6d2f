import {
  BACKWARDS,
  END,
  binaryEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type ResolvedEvent,
} from '@eventstore/db-client';

import { collect, numbered, storeForSuite, take, uniqueStream } from './support.js';

/**
 * `$>` link events (what projections write, `<revision>@<stream>`) with `resolveLinkTos`: EventStoreDB
 * returns the event linked to in `event` and the link record in `link`; a link whose target a reader
 * may no longer see comes back as the link alone; without `resolveLinkTos`, or when the data is not a
 * link, the record comes back as stored.
 */
describe('resolveLinkTos through the official client', () => {
  const { client } = storeForSuite();

  const link = (data: string) => binaryEvent({ type: '$>', data: Buffer.from(data, 'utf8') });

  /** A target stream, and a link stream pointing at readable, missing and unreadable events. */
  async function linked() {
    const target = uniqueStream('link-target');
    await client.appendToStream(target, numbered(3));
    const truncated = uniqueStream('link-truncated');
    await client.appendToStream(truncated, numbered(3));
    await client.setStreamMetadata(truncated, { maxCount: 1 });
    const tombstoned = uniqueStream('link-tombstoned');
    await client.appendToStream(tombstoned, numbered(1));
    await client.tombstoneStream(tombstoned);
    const deleted = uniqueStream('link-deleted');
    await client.appendToStream(deleted, numbered(1));
    await client.deleteStream(deleted);
    const links = uniqueStream('link-links');
    const appended = await client.appendToStream(links, [
      link(`0@${target}`),
      link(`2@${target}`),
      link(`7@${target}`),
      link(`0@${truncated}`),
      link(`2@${truncated}`),
      link(`0@${tombstoned}`),
      link(`0@${deleted}`),
      link(`0@${uniqueStream('link-never')}`),
      link('not a link'),
    ]);
    return { target, truncated, links, appended };
  }

  /** What each of `linked()`'s links resolves to: [target stream, revision, data] or the link alone. */
  function expectResolved(
    events: readonly (ResolvedEvent | AllStreamResolvedEvent)[],
    { target, truncated, links }: { target: string; truncated: string; links: string },
  ): void {
    expect(events).toHaveLength(9);
    events.forEach((resolved, index) => {
      // The link record is always there: in `link` when resolution was attempted, else in `event`.
      const record = index === 8 ? resolved.event! : resolved.link!;
      expect(record).toMatchObject({ streamId: links, revision: BigInt(index), type: '$>' });
      expect(resolved.commitPosition).toBe(record.position!.commit);
    });
    const [first, third, missing, cut, kept, tombstoned, deleted, never, plain] = events;
    expect(first!.event).toMatchObject({ streamId: target, revision: 0n, type: 'Numbered', data: { n: 0 } });
    expect(third!.event).toMatchObject({ streamId: target, revision: 2n, data: { n: 2 } });
    // The target keeps its own position, distinct from the link's.
    expect(first!.event!.position!.commit).toBeLessThan(first!.link!.position!.commit);
    expect(kept!.event).toMatchObject({ streamId: truncated, revision: 2n, data: { n: 2 } });
    for (const alone of [missing, cut, tombstoned, deleted, never]) expect(alone!.event).toBeUndefined();
    expect(plain!.link).toBeUndefined();
    expect(Buffer.from(plain!.event!.data as Uint8Array).toString()).toBe('not a link');
  }

  it('resolves links on a stream read, forwards and backwards', async () => {
    const setup = await linked();
    expectResolved(await collect(client.readStream(setup.links, { resolveLinkTos: true })), setup);
    const backwards = await collect(
      client.readStream(setup.links, { resolveLinkTos: true, direction: BACKWARDS, fromRevision: END }),
    );
    expectResolved([...backwards].reverse(), setup);
  });

  it('returns links as stored without resolveLinkTos', async () => {
    const { links } = await linked();
    const events = await collect(client.readStream(links));
    expect(events).toHaveLength(9);
    for (const resolved of events) {
      expect(resolved.link).toBeUndefined();
      expect(resolved.event).toMatchObject({ streamId: links, type: '$>' });
    }
  });

  it('resolves links on a $all read', async () => {
    const setup = await linked();
    const [first] = await collect(client.readStream(setup.links, { maxCount: 1 }));
    const events = await collect(
      client.readAll({ fromPosition: first!.event!.position!, maxCount: 9, resolveLinkTos: true }),
    );
    expectResolved(events, setup);
  });

  it('resolves links on stream and $all subscriptions, in catch-up and live', async () => {
    const setup = await linked();
    const fromStream = await take<ResolvedEvent>(
      client.subscribeToStream(setup.links, { resolveLinkTos: true }),
      9,
    );
    expectResolved(fromStream.events, setup);

    const subscription = client.subscribeToAll({
      resolveLinkTos: true,
      filter: streamNameFilter({ prefixes: [setup.links] }),
    });
    const live = uniqueStream('link-live');
    const fromAll = await take<AllStreamResolvedEvent>(subscription, 10, async (_event, index) => {
      // Once the catch-up part is delivered, a new link arrives live.
      if (index === 8) {
        await client.appendToStream(live, numbered(1, 'Live'));
        await client.appendToStream(setup.links, link(`0@${live}`));
      }
    });
    expectResolved(fromAll.events.slice(0, 9), setup);
    expect(fromAll.events[9]!.event).toMatchObject({ streamId: live, type: 'Live', revision: 0n });
    expect(fromAll.events[9]!.link).toMatchObject({ streamId: setup.links, revision: 9n });
  });
});
