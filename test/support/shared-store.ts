import { randomUUID } from 'node:crypto';
import { BACKWARDS, END, type EventStoreDBClient, type ResolvedEvent } from '@eventstore/db-client';
import type { EventSchemaRegistry } from '#events';
import { EventStore, createEventStoreClient, snapshotStreamOf, type CommandMetadata } from '#eventstore';

/**
 * An `EventStore` on the server the global setup started (or the one EVENTSTORE_CONNECTION_STRING
 * names), for a suite that disposes its client (`store.client`) itself, after what still uses it.
 */
export const openSharedStore = (schemas?: EventSchemaRegistry): EventStore =>
  new EventStore(createEventStoreClient(process.env.EVENTSTORE_CONNECTION_STRING!), schemas);

/**
 * A client and an `EventStore` on the shared server, disposed after the suite. Called inside a
 * `describe`.
 */
export function connectToSharedStore(schemas?: EventSchemaRegistry): {
  client: ReturnType<typeof createEventStoreClient>;
  store: EventStore;
} {
  const store = openSharedStore(schemas);
  afterAll(() => store.client.dispose(), 30_000);
  return { client: store.client, store };
}

/**
 * The metadata a test writes its events with when no command of the api wrote them: acting on its
 * own behalf, a fresh command id unless one is named (a resend names the first one's).
 */
export const testMetadata = ({
  actor = 'tester',
  simulatedTime = '2026-01-05T09:00:00.000Z',
  commandId = randomUUID(),
}: { actor?: string; simulatedTime?: string; commandId?: string } = {}): CommandMetadata => ({
  $correlationId: commandId,
  $causationId: commandId,
  commandId,
  actor,
  onBehalfOf: null,
  permission: null,
  simulatedTime,
});

/** The newest aggregate snapshot of `stream` as the official client reads it (undefined: none). */
export async function latestSnapshotEvent(
  client: EventStoreDBClient,
  stream: string,
): Promise<ResolvedEvent['event']> {
  let latest: ResolvedEvent['event'];
  for await (const { event } of client.readStream(snapshotStreamOf(stream), {
    direction: BACKWARDS,
    fromRevision: END,
    maxCount: 1,
  }))
    latest = event;
  return latest;
}
