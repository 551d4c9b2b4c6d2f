import { randomUUID } from 'node:crypto';
import { jsonEvent } from '@eventstore/db-client';
import { EventSchemaRegistry, type DomainEvent } from '#events';
import { AggregateRepository, ForeignEventInStreamError } from '#eventstore';
import { connectToSharedStore, testMetadata } from '../../support/shared-store.js';

/** A counter whose one event type has a schema, so that data can fail it. */
type Incremented = DomainEvent<'Incremented', { by: number }>;
const schemas = new EventSchemaRegistry(
  { Incremented: 1 },
  {},
  {
    Incremented: (data) => (typeof (data as { by?: unknown }).by === 'number' ? undefined : '.by is missing'),
  },
);
const counter = {
  initialState: { value: 0 },
  evolve: (s: { value: number }, e: Incremented) => ({ value: s.value + e.data.by }),
};
const increment = (): Incremented[] => [{ type: 'Incremented', data: { by: 1 } }];

/**
 * The aggregate repository's folds, through the official client, on streams another client wrote to:
 * an event without Switchboard's metadata is stepped over; one that carries it but cannot be read
 * refuses a command under the `refuse` policy, naming the event, and nothing is appended; under
 * `skip` (the timers') the fold steps over it too and the command appends.
 */
describe('aggregate folds over events Switchboard did not write', () => {
  const { client, store } = connectToSharedStore(schemas);
  const stream = (): string => `counter-${randomUUID().replaceAll('-', '')}`;

  it('given another client’s events (no metadata, metadata not JSON, an unknown type), folds past them and appends after them', async () => {
    const name = stream();
    const repository = new AggregateRepository(store, counter);
    await repository.handle(name, increment, testMetadata());
    await client.appendToStream(name, [
      jsonEvent({ type: 'Incremented', data: { by: 100 } }),
      jsonEvent({ type: 'Incremented', data: { by: 100 }, metadata: new Uint8Array([1, 2]) }),
      jsonEvent({ type: 'Decremented', data: { by: 100 }, metadata: { source: 'other' } }),
    ]);
    // A fresh repository reads the whole stream; the one above decides on its cache, conflicts, catches up.
    for (const repo of [new AggregateRepository(store, counter), repository]) {
      const outcome = await repo.handle(name, increment, testMetadata());
      expect(outcome.events).toEqual(increment());
    }
    const { state, revision } = await new AggregateRepository(store, counter).load(name);
    expect(state).toEqual({ value: 3 });
    expect(revision).toBe(5n);
  });

  const unreadableOfOurs = [
    ['data missing fields', { type: 'Incremented', data: {} }, 1, 'DATA_INVALID'],
    [
      'a schema version from the future',
      { type: 'Incremented', data: { by: 1 } },
      9,
      'SCHEMA_VERSION_FROM_FUTURE',
    ],
    ['an unknown type', { type: 'Decremented', data: { by: 1 } }, 1, 'UNKNOWN_TYPE'],
  ] as const;

  /** A stream with one command of ours, then `event` written by another client with our metadata. */
  const streamWithUnreadable = async (
    repository: AggregateRepository<{ value: number }, Incremented>,
    event: { type: string; data: Record<string, unknown> },
    schemaVersion: number,
  ): Promise<{ name: string; position: bigint }> => {
    const name = stream();
    await repository.handle(name, increment, testMetadata());
    const written = await client.appendToStream(
      name,
      jsonEvent({ ...event, metadata: { ...testMetadata(), schemaVersion } as Record<string, unknown> }),
    );
    return { name, position: written.position!.commit };
  };

  const ourEventsIn = async (name: string): Promise<number> => {
    let events = 0;
    for await (const item of store.readRecorded(name)) events += item.kind === 'event' ? 1 : 0;
    return events;
  };

  it.each(unreadableOfOurs)(
    'given an event carrying Switchboard’s metadata with %s, the refuse policy (the default) refuses the command naming it, and appends nothing',
    async (_case, event, schemaVersion, reason) => {
      const repository = new AggregateRepository(store, counter);
      const { name, position } = await streamWithUnreadable(repository, event, schemaVersion);
      const refused = repository.handle(name, increment, testMetadata());
      await expect(refused).rejects.toBeInstanceOf(ForeignEventInStreamError);
      await expect(refused).rejects.toMatchObject({
        foreign: { stream: name, revision: 1n, position, reason },
      });
      expect(repository.foreignRefusals.counts().total).toBe(1);
      await expect(
        repository.handle(name, increment, testMetadata(), { foreignEvents: 'refuse' }),
      ).rejects.toMatchObject({ foreign: { revision: 1n, reason } });
      await expect(new AggregateRepository(store, counter).load(name)).rejects.toBeInstanceOf(
        ForeignEventInStreamError,
      );
      expect(await ourEventsIn(name)).toBe(1);
    },
  );

  it.each(unreadableOfOurs)(
    'given an event carrying Switchboard’s metadata with %s, the skip policy folds past it and appends, while the refuse policy still refuses on the same fold',
    async (_case, event, schemaVersion, reason) => {
      const repository = new AggregateRepository(store, counter);
      const { name } = await streamWithUnreadable(repository, event, schemaVersion);
      // The fold the first command cached is behind: the skip command conflicts, catches up past it.
      const skipped = await repository.handle(name, increment, testMetadata(), { foreignEvents: 'skip' });
      expect(skipped).toMatchObject({ events: increment(), revision: 2n, duplicate: false });
      // A fresh repository reads the whole stream under the same policy.
      const fresh = new AggregateRepository(store, counter);
      expect(await fresh.load(name, 'skip')).toEqual({ state: { value: 2 }, revision: 2n });
      expect(await fresh.handle(name, increment, testMetadata(), { foreignEvents: 'skip' })).toMatchObject({
        revision: 3n,
      });
      expect(fresh.foreignRefusals.counts().total).toBe(0);
      // The unreadable event stays with the fold: a person's command on it is refused, naming it.
      for (const repo of [repository, fresh]) {
        await expect(repo.handle(name, increment, testMetadata())).rejects.toMatchObject({
          foreign: { stream: name, revision: 1n, reason },
        });
        await expect(repo.load(name)).rejects.toBeInstanceOf(ForeignEventInStreamError);
      }
      expect(await ourEventsIn(name)).toBe(3);
    },
  );

  it('a followed category learns of an unreadable event from its subscription: current() refuses under refuse and folds past it under skip', async () => {
    const follower = new AggregateRepository(store, counter);
    await follower.follow('counter-');
    try {
      const name = stream();
      await follower.handle(name, increment, testMetadata());
      expect(await follower.current(name)).toEqual({ state: { value: 1 }, revision: 0n });
      await client.appendToStream(
        name,
        jsonEvent({
          type: 'Incremented',
          data: {},
          metadata: { ...testMetadata(), schemaVersion: 1 } as Record<string, unknown>,
        }),
      );
      await client.appendToStream(
        name,
        jsonEvent({
          type: 'Incremented',
          data: { by: 5 },
          metadata: { ...testMetadata(), schemaVersion: 1 } as Record<string, unknown>,
        }),
      );
      // Its subscription brings the appends a little later: wait 20 s at most,
      // not the 2 s a busy machine's subscription may lag past.
      const giveUpAt = Date.now() + 20_000;
      let seen = await follower.current(name, 'skip');
      while (seen.revision !== 2n && Date.now() < giveUpAt) {
        await new Promise((retry) => setTimeout(retry, 20));
        seen = await follower.current(name, 'skip');
      }
      expect(seen).toEqual({ state: { value: 6 }, revision: 2n });
      await expect(follower.current(name)).rejects.toMatchObject({
        foreign: { stream: name, revision: 1n, reason: 'DATA_INVALID' },
      });
      expect(follower.foreignSkipped.counts().total).toBe(1);
    } finally {
      await follower.stopFollowing();
    }
  });
});
