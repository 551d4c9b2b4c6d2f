import { randomUUID } from 'node:crypto';
import { jsonEvent } from '@eventstore/db-client';
import { EventSchemaRegistry, type DomainEvent } from '#events';
import {
  AggregateRepository,
  EventStore,
  ForeignEventInStreamError,
  createEventStoreClient,
  type CommandMetadata,
} from '#eventstore';

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
const meta = (): CommandMetadata => {
  const commandId = randomUUID();
  return {
    $correlationId: commandId,
    $causationId: commandId,
    commandId,
    actor: 'tester',
    onBehalfOf: null,
    permission: null,
    simulatedTime: '2026-01-05T09:00:00.000Z',
  };
};

/**
 * The aggregate repository's folds, through the official client, on streams another client wrote to:
 * an event without Switchboard's metadata is stepped over; one that carries it but cannot be read
 * refuses the command, naming the event, and nothing is appended.
 */
describe('aggregate folds over events Switchboard did not write', () => {
  const client = createEventStoreClient(process.env.EVENTSTORE_CONNECTION_STRING!);
  const store = new EventStore(client, schemas);
  afterAll(() => client.dispose());
  const stream = (): string => `counter-${randomUUID().replaceAll('-', '')}`;

  it('given another client’s events (no metadata, metadata not JSON, an unknown type), folds past them and appends after them', async () => {
    const name = stream();
    const repository = new AggregateRepository(store, counter);
    await repository.handle(name, increment, meta());
    await client.appendToStream(name, [
      jsonEvent({ type: 'Incremented', data: { by: 100 } }),
      jsonEvent({ type: 'Incremented', data: { by: 100 }, metadata: new Uint8Array([1, 2]) }),
      jsonEvent({ type: 'Decremented', data: { by: 100 }, metadata: { source: 'other' } }),
    ]);
    // A fresh repository reads the whole stream; the one above decides on its cache, conflicts, catches up.
    for (const repo of [new AggregateRepository(store, counter), repository]) {
      const outcome = await repo.handle(name, increment, meta());
      expect(outcome.events).toEqual(increment());
    }
    const { state, revision } = await new AggregateRepository(store, counter).load(name);
    expect(state).toEqual({ value: 3 });
    expect(revision).toBe(5n);
  });

  it.each([
    ['data missing fields', { type: 'Incremented', data: {} }, 1, 'DATA_INVALID'],
    [
      'a schema version from the future',
      { type: 'Incremented', data: { by: 1 } },
      9,
      'SCHEMA_VERSION_FROM_FUTURE',
    ],
    ['an unknown type', { type: 'Decremented', data: { by: 1 } }, 1, 'UNKNOWN_TYPE'],
  ] as const)(
    'given an event carrying Switchboard’s metadata with %s, refuses the command naming it, and appends nothing',
    async (_case, event, schemaVersion, reason) => {
      const name = stream();
      const repository = new AggregateRepository(store, counter);
      await repository.handle(name, increment, meta());
      const written = await client.appendToStream(
        name,
        jsonEvent({ ...event, metadata: { ...meta(), schemaVersion } as Record<string, unknown> }),
      );
      const refused = repository.handle(name, increment, meta());
      await expect(refused).rejects.toBeInstanceOf(ForeignEventInStreamError);
      await expect(refused).rejects.toMatchObject({
        foreign: { stream: name, revision: 1n, position: written.position!.commit, reason },
      });
      expect(repository.foreignRefusals.counts().total).toBe(1);
      await expect(new AggregateRepository(store, counter).load(name)).rejects.toBeInstanceOf(
        ForeignEventInStreamError,
      );
      let events = 0;
      for await (const item of store.readRecorded(name)) events += item.kind === 'event' ? 1 : 0;
      expect(events).toBe(1);
    },
  );
});
