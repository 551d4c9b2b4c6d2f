import { Option, type Command } from 'commander';
import {
  DEFAULT_CONNECTION_STRING,
  createEventStoreClient,
  connectionStringFromEnv,
  isStoreUnavailable,
} from '#eventstore';
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

/** gRPC's code for a call the server does not know. */
const GRPC_UNIMPLEMENTED = 12;

/**
 * The HTTP status with which a server that is no EventStoreDB (another HTTP/2 server, a proxy)
 * answered the client's gRPC calls, or undefined: the client's "12 UNIMPLEMENTED: Received HTTP
 * status code 404" named neither the server nor the mistake.
 */
const notAStoreStatus = (error: unknown): string | undefined => {
  if ((error as { code?: unknown }).code !== GRPC_UNIMPLEMENTED) return undefined;
  return /Received HTTP status code (\d+)/.exec((error as Error).message)?.[1];
};

/**
 * Runs `work` with a client and disposes of it whatever happens. A store nobody answers at is said in
 * a sentence that names where it looked and how to point it elsewhere, not as gRPC's
 * "14 UNAVAILABLE: No connection established. Last error: … Resolution note: ".
 */
export async function withClient<T>(
  connectionString: string,
  work: (client: EventStoreDBClient) => Promise<T>,
): Promise<T> {
  const client = createEventStoreClient(connectionString);
  try {
    return await work(client);
  } catch (error) {
    const notAStore = notAStoreStatus(error);
    if (notAStore !== undefined) {
      throw new Error(
        `the server at ${connectionString} is no EventStoreDB (it answers its calls with HTTP ${notAStore}): ` +
          'name the store with --store or EVENTSTORE_CONNECTION_STRING',
      );
    }
    if (!isStoreUnavailable(error)) throw error;
    const cause = /Last error: (?:Error: )?(.+?)\.?\s*(?:Resolution note|$)/.exec(
      (error as Error).message,
    )?.[1];
    throw new Error(
      `cannot reach the event store at ${connectionString}${cause ? ` (${cause})` : ''}: start it ` +
        '(npm start), or name the running one with --store or EVENTSTORE_CONNECTION_STRING',
    );
  } finally {
    await client.dispose();
  }
}
