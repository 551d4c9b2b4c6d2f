import { EventStoreDBClient } from '@eventstore/db-client';

/** The embedded server's default address; a real EventStoreDB is reached by setting the variable. */
export const DEFAULT_CONNECTION_STRING = 'esdb://127.0.0.1:2113?tls=false';

export const connectionStringFromEnv = (env: NodeJS.ProcessEnv = process.env): string =>
  env.EVENTSTORE_CONNECTION_STRING?.trim() || DEFAULT_CONNECTION_STRING;

export const createEventStoreClient = (connectionString = connectionStringFromEnv()): EventStoreDBClient =>
  EventStoreDBClient.connectionString(connectionString);
