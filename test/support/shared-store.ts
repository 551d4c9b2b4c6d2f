import { randomUUID } from 'node:crypto';
import type { EventSchemaRegistry } from '#events';
import { EventStore, createEventStoreClient, type CommandMetadata } from '#eventstore';

/**
 * A client and an `EventStore` on the server the global setup started (or the one
 * EVENTSTORE_CONNECTION_STRING names), disposed after the suite. Called inside a `describe`.
 */
export function connectToSharedStore(schemas?: EventSchemaRegistry): {
  client: ReturnType<typeof createEventStoreClient>;
  store: EventStore;
} {
  const client = createEventStoreClient(process.env.EVENTSTORE_CONNECTION_STRING!);
  const store = new EventStore(client, schemas);
  afterAll(() => client.dispose(), 30_000);
  return { client, store };
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
