import {
  CancelledError,
  DeadlineExceededError,
  EventStoreDBClient,
  UnavailableError,
} from '@eventstore/db-client';

/** The embedded server's default address; a real EventStoreDB is reached by setting the variable. */
export const DEFAULT_CONNECTION_STRING = 'esdb://127.0.0.1:2113?tls=false';

/** `EVENTSTORE_CONNECTION_STRING` from the environment the app was given, else the embedded server. */
export const connectionStringFromEnv = (env: Readonly<Record<string, string | undefined>>): string =>
  env.EVENTSTORE_CONNECTION_STRING?.trim() || DEFAULT_CONNECTION_STRING;

export const createEventStoreClient = (connectionString: string): EventStoreDBClient =>
  EventStoreDBClient.connectionString(connectionString);

/** gRPC's status code for a server that cannot be reached (grpc-js `status.UNAVAILABLE`). */
const GRPC_UNAVAILABLE = 14;

/**
 * Whether `error` says the store is down, restarting or unreachable. The client mostly says so with
 * its UnavailableError, but not always: an append first asks the server for its features when the
 * client has none (a new client, or one whose connection was lost), and the failure of that request
 * comes out as grpc-js's own error, status 14, not converted. Two more say the store did not answer
 * in time: a store stopping gracefully ends the appends still pending on its BatchAppend call with
 * CANCELLED (CancelledError), and one frozen past an append's deadline answers it Timeout once it
 * runs again (DeadlineExceededError), as EventStoreDB does. All are the store's absence, never a bug
 * of ours: whether or not the store went on to append it, a command resent with its id is applied at
 * most once.
 */
export const isStoreUnavailable = (error: unknown): boolean =>
  error instanceof UnavailableError ||
  error instanceof CancelledError ||
  error instanceof DeadlineExceededError ||
  (error instanceof Error &&
    (error as { code?: unknown }).code === GRPC_UNAVAILABLE &&
    typeof (error as { details?: unknown }).details === 'string');

/** How long a health probe waits for the store: a load balancer's probe must get an answer, not wait. */
export const STORE_PROBE_TIMEOUT_MS = 2_000;

/**
 * `read`'s answer, or a rejection once the store gave none within STORE_PROBE_TIMEOUT_MS. Reads have
 * no deadline, so a frozen store (SIGSTOP, a paused VM) held the apps' /health until the client's
 * keep-alive gave up on the connection (18 s in a fault campaign): a probe with a timeout met no
 * answer at all.
 */
export const storeProbe = async <T>(read: Promise<T>): Promise<T> => {
  let giveUp: NodeJS.Timeout | undefined;
  const unanswered = new Promise<never>((_, fail) => {
    giveUp = setTimeout(
      () => fail(new Error(`no answer within ${STORE_PROBE_TIMEOUT_MS} ms`)),
      STORE_PROBE_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([read, unanswered]);
  } finally {
    clearTimeout(giveUp);
  }
};
