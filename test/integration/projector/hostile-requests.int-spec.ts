import { configuration } from '#http';
import { projectorSettingsFrom } from '../../../apps/projector/src/projector-config.js';
import { accountProjectorForSuite } from '../../support/account-projector.js';
import { expectSoundAnswers, hostileWorld, type FuzzWorld } from '../../support/openapi-fuzz.js';
import { startApi, type Api } from '../api/lines.support.js';

/**
 * SPEC §4–5 on the read side (see test/support/openapi-fuzz.ts): whatever a client asks the projector,
 * its read models, audit trails, diagnostics, time travel, the panel and the panel's forwarding of
 * commands to the api, every answer is below 500 and one its route documents, and every refusal
 * carries a catalogued code and a sentence. Event streams, which stay open, are left out.
 */
describe('the projector under hostile requests', () => {
  let api: Api;
  let world: FuzzWorld;

  beforeAll(async () => {
    api = await startApi({ clock: 'virtual' });
    world = {
      ...(await hostileWorld(api.url, `hostile${Date.now().toString(36)}`)),
      skip: ({ path }) => path.endsWith('/stream'),
    };
  });
  // The panel forwards its commands to the suite's api, found where the projector's main finds it.
  const served = accountProjectorForSuite(
    () => world.accountId,
    async () => ({
      configuration: await configuration((env) =>
        projectorSettingsFrom({ ...env, SWITCHBOARD_API_URL: api.url }),
      ),
    }),
  );
  afterAll(() => api.close());

  it('answers every request below 500, as documented, with a catalogued code on every refusal', async () => {
    await expectSoundAnswers(served().url, world, 1500);
  }, 120_000);
});
