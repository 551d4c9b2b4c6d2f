import type { EmbeddedEventStore } from './embedded-eventstore.js';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __EMBEDDED_STORE__?: EmbeddedEventStore }).__EMBEDDED_STORE__?.stop();
}
