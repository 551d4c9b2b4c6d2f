import { startEmbeddedEventStore } from './embedded-eventstore.js';

/**
 * Integration tests talk to an event store through the official client. Unless
 * EVENTSTORE_CONNECTION_STRING points at one (a real EventStoreDB, say), start the embedded
 * server from the build, in memory, on a free port, for the whole run.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.EVENTSTORE_CONNECTION_STRING) return;
  const store = await startEmbeddedEventStore({ inMemory: true });
  process.env.EVENTSTORE_CONNECTION_STRING = store.connectionString;
  (globalThis as { __EMBEDDED_STORE__?: typeof store }).__EMBEDDED_STORE__ = store;
}
