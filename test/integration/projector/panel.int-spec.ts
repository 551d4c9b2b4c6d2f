import { randomUUID } from 'node:crypto';
import { eventSchemas } from '#events';
import { EventStore, createEventStoreClient } from '#eventstore';
import { createProjectorApp } from '../../../apps/projector/src/bootstrap.js';
import { PROJECTIONS, Projector } from '#read-models';
import { accountEvents, delegateOf, delegatorOf, numberOf } from '../../../bench/replay/workload.js';

/** The Assistant panel as the browser loads it: the shell, its modules, and the list of lines. */
describe('projector Assistant panel', () => {
  const client = createEventStoreClient(process.env.EVENTSTORE_CONNECTION_STRING!);
  const store = new EventStore(client, eventSchemas);
  afterAll(() => client.dispose(), 30_000);

  it('serves the HTML shell, its ES modules as JavaScript, and the viewer lines labelled per R11', async () => {
    const accountId = `acc${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const account = accountEvents({ seed: 1, accountId, lines: 1, callsPerLine: 0 });
    const commandId = randomUUID();
    const { position } = await store.append(account.stream, account.events, 'any', {
      $correlationId: commandId,
      $causationId: commandId,
      commandId,
      actor: 'system:test',
      onBehalfOf: null,
      permission: null,
      simulatedTime: '2026-01-05T09:00:00Z',
    });
    const projector = new Projector(store, PROJECTIONS, {
      streamPrefixes: [`account-${accountId}`, `line-${accountId}.`],
      log: () => undefined,
    });
    await projector.start();
    const app = await createProjectorApp(projector, store);
    try {
      await app.listen(0, '127.0.0.1');
      const url = await app.getUrl();
      await projector.waitForPosition(position);

      const page = await fetch(`${url}/panel?account=${accountId}&viewer=${delegateOf(0)}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('<script type="module" src="/panel/panel.client.js"></script>');

      for (const module of ['panel.client.js', 'render.js']) {
        const served = await fetch(`${url}/panel/${module}`);
        expect(served.status).toBe(200);
        expect(served.headers.get('content-type')).toMatch(/^text\/javascript/);
        expect(await served.text()).toMatch(/^export const renderLamp|from '\.\/render\.js'/m);
      }
      expect((await fetch(`${url}/panel/bootstrap.js`)).status).toBe(404);
      expect((await fetch(`${url}/panel?account=${accountId}&viewer=%3Cx%3E`)).status).toBe(400);

      const lines = async (viewer: string) =>
        (await (await fetch(`${url}/panel/lines?account=${accountId}&viewer=${viewer}`)).json()) as {
          viewer: { partyId: string; name: string };
          lines: { number: string; label: string; role: string }[];
        };
      expect(await lines(delegateOf(0))).toEqual({
        viewer: { partyId: delegateOf(0), name: 'Assistant 0' },
        lines: [
          { accountId, number: '5000', label: 'My number 5000', role: 'delegator' },
          { accountId, number: numberOf(0), label: `Boss 0 · ${numberOf(0)}`, role: 'delegate' },
        ],
      });
      expect((await lines(delegatorOf(0))).lines).toEqual([
        { accountId, number: numberOf(0), label: `My number ${numberOf(0)}`, role: 'delegator' },
      ]);

      const docs = (await (await fetch(`${url}/docs-json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(docs.paths)).toEqual(expect.arrayContaining(['/panel', '/panel/lines']));
    } finally {
      await app.close();
      await projector.stop();
    }
  });
});
