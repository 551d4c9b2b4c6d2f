import { EventStoreDBClient, excludeSystemEvents, END } from '@eventstore/db-client';

/**
 * bench:e2e's reading floor: a process that follows `$all` live through the official client and does
 * nothing with what it receives. Beside the append-only floor it is the cheapest conceivable read
 * side: what any projector, however simple, pays before it applies an event.
 */
const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;
if (!connectionString) throw new Error('the null reader needs EVENTSTORE_CONNECTION_STRING');
const client = EventStoreDBClient.connectionString(connectionString);
let received = 0;
const subscription = client.subscribeToAll({ fromPosition: END, filter: excludeSystemEvents() });
subscription.on('data', () => received++);
subscription.on('confirmation', () => console.log(`null reader following $all of ${connectionString}`));
process.on('SIGTERM', () => {
  console.log(`null reader received ${received} events`);
  void subscription.unsubscribe().then(() => client.dispose().then(() => process.exit(0)));
});
