import { eventSchemas } from '#events';
import { serveAccount, type ServedAccount } from '../../support/account-projector.js';
import { expectSoundAnswers, hostileWorld, type FuzzWorld } from '../../support/openapi-fuzz.js';
import { openSharedStore } from '../../support/shared-store.js';
import { startApi, type Api } from '../api/lines.support.js';

/**
 * SPEC §4–5 on the read side (see test/support/openapi-fuzz.ts): whatever a client asks the projector,
 * its read models, audit trails, diagnostics, time travel, the panel and the panel's forwarding of
 * commands to the api, every answer is below 500 and one its route documents, and every refusal
 * carries a catalogued code and a sentence. Event streams, which stay open, are left out.
 */
describe('the projector under hostile requests', () => {
  const store = openSharedStore(eventSchemas);
  let api: Api;
  let served: ServedAccount;
  let world: FuzzWorld;

  beforeAll(async () => {
    api = await startApi({ clock: 'virtual' });
    world = {
      ...(await hostileWorld(api.url, `hostile${Date.now().toString(36)}`)),
      skip: ({ path }) => path.endsWith('/stream'),
    };
    const saved = process.env.SWITCHBOARD_API_URL;
    process.env.SWITCHBOARD_API_URL = api.url;
    try {
      served = await serveAccount(store, world.accountId);
    } finally {
      if (saved === undefined) delete process.env.SWITCHBOARD_API_URL;
      else process.env.SWITCHBOARD_API_URL = saved;
    }
  });
  afterAll(async () => {
    await served.close();
    await api.close();
    await store.client.dispose();
  });

  it('answers every request below 500, as documented, with a catalogued code on every refusal', async () => {
    await expectSoundAnswers(served.url, world, 1500);
  }, 120_000);
});
