import { randomUUID } from 'node:crypto';
import { eventSchemas, type AccountEvent } from '#events';
import { accountEvents } from '../../../bench/replay/workload.js';
import { serveAccount, type ServedAccount } from '../../support/account-projector.js';
import { connectToSharedStore, testMetadata } from '../../support/shared-store.js';

/**
 * PARTY_NOT_FOUND names the account by its name, which people gave: one written before the api refused
 * direction controls (here a right-to-left override, appended straight to the store) is set apart in
 * the sentence (U+2068 … U+2069), so it cannot reorder the words after it, on every route that says it.
 */
describe('the sentence of a party an account named with a right-to-left override does not have', () => {
  const { store } = connectToSharedStore(eventSchemas);
  const OVERRIDE = '\u202eoC hcneB';
  let accountId: string;
  let served: ServedAccount;

  beforeAll(async () => {
    // Given an account whose name holds a right-to-left override, written straight to the store
    accountId = `nm${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const account = accountEvents({ seed: 5, accountId, lines: 1, callsPerLine: 0 });
    const renamed = account.events.map((event) =>
      event.type === 'AccountCreated'
        ? ({ ...event, data: { ...event.data, name: OVERRIDE } } as AccountEvent)
        : event,
    );
    expect(renamed).not.toEqual(account.events);
    const { position } = await store.append(
      account.stream,
      renamed,
      'any',
      testMetadata({ actor: 'system:test' }),
    );
    served = await serveAccount(store, accountId);
    await served.projector.waitForPosition(position);
  });
  afterAll(() => served?.close());

  it.each([
    ['a party route', () => `/accounts/${accountId}/parties/nobody/recordings?viewer=nobody`],
    ['a seat', () => `/panel/seat?account=${accountId}&viewer=nobody`],
    ['the start of seats', () => `/panel/seats-start?account=${accountId}&viewers=nobody`],
  ])('sets the account name apart on %s', async (_route, path) => {
    // When a party it does not have is asked for
    const answer = await fetch(`${served.url}${path()}`);

    // Then the sentence names the account set apart
    expect(answer.status).toBe(404);
    expect(await answer.json()).toMatchObject({
      code: 'PARTY_NOT_FOUND',
      message: `"nobody" is not a party of account \u2068${OVERRIDE}\u2069 (yet).`,
    });
  });
});
