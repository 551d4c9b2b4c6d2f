import fc from 'fast-check';
import { eventSchemas } from '#events';
import { serveAccount, type ServedAccount } from '../../support/account-projector.js';
import {
  fuzzRuns,
  fuzzedRequests,
  hostileWorld,
  problemWith,
  send,
  type ServedDocument,
} from '../../support/openapi-fuzz.js';
import { openSharedStore } from '../../support/shared-store.js';
import { startApi, type Api } from '../api/lines.support.js';

/**
 * SPEC §4–5 on the read side (see test/support/openapi-fuzz.ts): whatever a client asks the projector,
 * its read models, audit trails, diagnostics, time travel, the panel and the panel's forwarding of
 * commands to the api, every answer is below 500 and one its operation documents, and every refusal
 * carries a catalogued code and a sentence. Event streams, which stay open, are left out.
 */
describe('the projector under hostile requests', () => {
  const store = openSharedStore(eventSchemas);
  const world = {
    ...hostileWorld(`hostile${Date.now().toString(36)}`),
    skip: ({ path }: { path: string }) => path.endsWith('/stream'),
  };
  let api: Api;
  let served: ServedAccount;
  let document: ServedDocument;

  beforeAll(async () => {
    api = await startApi({ clock: 'virtual' });
    for (const [path, body] of world.setup) {
      const answer = await api.post(path, body);
      if (answer.status >= 300)
        throw new Error(`set-up ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    const saved = process.env.SWITCHBOARD_API_URL;
    process.env.SWITCHBOARD_API_URL = api.url;
    try {
      served = await serveAccount(store, world.accountId);
    } finally {
      if (saved === undefined) delete process.env.SWITCHBOARD_API_URL;
      else process.env.SWITCHBOARD_API_URL = saved;
    }
    document = (await (await fetch(`${served.url}/docs-json`)).json()) as ServedDocument;
  });
  afterAll(async () => {
    await served.close();
    await api.close();
    await store.client.dispose();
  });

  it('answers every request below 500, as documented, with a catalogued code on every refusal', async () => {
    await fc.assert(
      fc.asyncProperty(fuzzedRequests(document, world), async (request) => {
        const problem = problemWith(request, await send(served.url, request));
        if (problem) throw new Error(problem);
      }),
      fuzzRuns(1500),
    );
  }, 120_000);
});
