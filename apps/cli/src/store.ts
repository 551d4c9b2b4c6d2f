import type { Command } from 'commander';
import { createEventStoreClient, connectionStringFromEnv } from '#eventstore';
import type { EventStoreDBClient } from '@eventstore/db-client';

export const storeOption = (command: Command): Command =>
  command.option(
    '--store <connection-string>',
    'EventStoreDB connection string (default: $EVENTSTORE_CONNECTION_STRING or the embedded default)',
    connectionStringFromEnv(),
  );

/** Runs `work` with a client and disposes of it whatever happens. */
export async function withClient<T>(
  connectionString: string,
  work: (client: EventStoreDBClient) => Promise<T>,
): Promise<T> {
  const client = createEventStoreClient(connectionString);
  try {
    return await work(client);
  } finally {
    await client.dispose();
  }
}
