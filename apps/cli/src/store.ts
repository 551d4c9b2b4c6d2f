import { Option, type Command } from 'commander';
import { DEFAULT_CONNECTION_STRING, createEventStoreClient, connectionStringFromEnv } from '#eventstore';
import type { EventStoreDBClient } from '@eventstore/db-client';

export const storeOption = (command: Command): Command =>
  command.addOption(
    new Option('--store <connection-string>', 'EventStoreDB connection string')
      // Where the default comes from, said once: commander would print the resolved string as well.
      .default(
        connectionStringFromEnv(process.env),
        `$EVENTSTORE_CONNECTION_STRING, else ${DEFAULT_CONNECTION_STRING}`,
      ),
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
