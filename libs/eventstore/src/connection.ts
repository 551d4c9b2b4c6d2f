import { EventStoreDBClient } from '@eventstore/db-client';

/** The embedded server's default address; a real EventStoreDB is reached by setting the variable. */
export const DEFAULT_CONNECTION_STRING = 'esdb://127.0.0.1:2113?tls=false';

/** `EVENTSTORE_CONNECTION_STRING` from the environment the app was given, else the embedded server. */
export const connectionStringFromEnv = (env: Readonly<Record<string, string | undefined>>): string =>
  env.EVENTSTORE_CONNECTION_STRING?.trim() || DEFAULT_CONNECTION_STRING;

export const createEventStoreClient = (connectionString: string): EventStoreDBClient =>
  EventStoreDBClient.connectionString(connectionString);
