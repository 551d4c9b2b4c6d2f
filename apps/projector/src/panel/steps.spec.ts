import type { EventStore, StoredEvent } from '#eventstore';
import {
  acme,
  checkedLog,
  givenCommands,
} from '../../../../libs/read-models/src/projections/given-commands.fixture.js';
import { seatsStartOf, stepsWithinSeats } from './steps.js';

/** A store holding `log`, read as the account's stream is: a batch of a stream's events from a revision. */
const storeOf = (log: readonly StoredEvent[]): EventStore =>
  ({
    readRecordedBatch: async (stream: string, from: bigint, maxCount: number) => {
      const events = log.filter((stored) => stored.stream === stream);
      const items = events
        .slice(Number(from), Number(from) + maxCount)
        .map((stored) => ({ kind: 'event', stored }));
      return { items, next: from + BigInt(items.length), reachedEnd: items.length < maxCount };
    },
  }) as unknown as EventStore;

/** Where `partyId` was provisioned in `log`. */
const provisioned = (log: readonly StoredEvent[], partyId: string): bigint =>
  log.find(
    ({ event }) =>
      event.type === 'PhoneUserProvisioned' && (event.data as { partyId: string }).partyId === partyId,
  )!.position!;

describe('where the seats start, for time travel', () => {
  const log = checkedLog(givenCommands(acme).log);
  const store = storeOf(log);

  it('Given Acme provisioned Alice, Bob then Carol (and Alice delegated to Bob), When the seats of Carol and Alice are asked where they start, Then it is the event that made Carol a party, the last of them', async () => {
    await expect(seatsStartOf(store, 'acme', ['carol', 'alice'])).resolves.toBe(provisioned(log, 'carol'));
    await expect(seatsStartOf(store, 'acme', ['alice'])).resolves.toBe(provisioned(log, 'alice'));
  });

  it('Given a viewer that is no party of Acme, When its seat is asked where it starts, Then it starts nowhere yet', async () => {
    await expect(seatsStartOf(store, 'acme', ['alice', 'nobody'])).resolves.toBeUndefined();
  });

  it('Given the steps around a view, When the view shows the seats’ first event, Then there is no step back; When it shows a later one, Then the step back stays', () => {
    const step = (position: string) => ({ position, type: 'PhoneUserProvisioned', stream: 'account-acme' });
    const atStart = { current: step('20'), back: '10', forward: step('30') };
    expect(stepsWithinSeats(atStart, 20n)).toEqual({ ...atStart, back: null });
    const later = { current: step('30'), back: '20', forward: null };
    expect(stepsWithinSeats(later, 20n)).toEqual(later);
    expect(stepsWithinSeats(atStart, undefined)).toEqual(atStart);
  });
});
