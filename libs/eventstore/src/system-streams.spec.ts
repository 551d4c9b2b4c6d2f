import {
  AccessDeniedError,
  StreamNotFoundError,
  UnavailableError,
  type EventStoreDBClient,
} from '@eventstore/db-client';
import { EventStore } from './event-store.js';

/** A store whose client answers every stream read by throwing `error`, as the server refused it. */
const storeRefusingReadsWith = (error: Error): EventStore =>
  new EventStore({
    readStream: async function* () {
      throw error;
    },
  } as unknown as EventStoreDBClient);

describe("reading the embedded store's own $-streams (readSystemStreamBackwards)", () => {
  it.each([
    ['does not exist (any real EventStoreDB)', new StreamNotFoundError(undefined, '$log-repairs')],
    [
      'is refused to a user without admin rights (a secured EventStoreDB)',
      new AccessDeniedError(undefined, 'Access denied'),
    ],
  ])('Given a stream that %s, When read, Then it reads as none', async (_case, error) => {
    await expect(storeRefusingReadsWith(error).readSystemStreamBackwards('$log-repairs')).resolves.toEqual(
      [],
    );
  });

  it('Given a store that does not answer, When read, Then the failure reaches the reader', async () => {
    const lost = new UnavailableError(undefined, '14 UNAVAILABLE: No connection established');
    await expect(storeRefusingReadsWith(lost).readSystemStreamBackwards('$log-repairs')).rejects.toBe(lost);
  });
});
