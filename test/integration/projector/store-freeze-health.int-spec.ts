import { setTimeout as sleep } from 'node:timers/promises';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import { createEventStoreClient, EventStore } from '#eventstore';
import { eventSchemas } from '#events';
import { PROJECTIONS, Projector } from '#read-models';
import { createProjectorApp } from '../../../apps/projector/src/bootstrap.js';
import {
  PROCESS_BUDGET_MS,
  startEmbeddedEventStore,
  type EmbeddedEventStore,
} from '../../support/embedded-eventstore.js';

/**
 * The projector's probes while its event store is frozen (SIGSTOP: a paused VM or container, a stuck
 * disk): `/health` and `/metrics` say the store does not answer, within the 2 s the api's `/health`
 * waits too, and are well again once it runs. Found by a fault campaign under `load run`: a frozen
 * store held `/health` for 18 s, until the client gave up on its connection, so a probe with a timeout
 * met no answer at all.
 */
describe('the projector while its event store is frozen', () => {
  let server: EmbeddedEventStore;
  let client: ReturnType<typeof createEventStoreClient>;
  let projector: Projector;
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
    server = await startEmbeddedEventStore({ inMemory: true });
    client = createEventStoreClient(server.connectionString);
    projector = new Projector(new EventStore(client, eventSchemas), PROJECTIONS, {
      streamPrefixes: ['line-freeze-', 'account-freeze-'],
      log: () => undefined,
    });
    await projector.start();
    app = await createProjectorApp(projector, new EventStore(client, eventSchemas));
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  }, PROCESS_BUDGET_MS);
  afterAll(async () => {
    server?.process.kill('SIGCONT');
    await app?.close();
    await projector?.stop();
    await client?.dispose();
    await server?.stop('SIGKILL');
  }, PROCESS_BUDGET_MS);

  /** A probe as an orchestrator sends it: one that gets no answer in 8 s counts as failed. */
  const probe = async (path: string): Promise<{ status: number; text: string }> => {
    const answer = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(8_000) });
    return { status: answer.status, text: await answer.text() };
  };

  it(
    'answers /health 503 and /metrics saying the store gave no answer, then 200 once it runs again',
    async () => {
      // Given a live projector whose store is then frozen, after its last look at the store expired
      expect((await probe('/health')).status).toBe(200);
      server.process.kill('SIGSTOP');
      await sleep(1_500);

      // When it is probed
      const health = await probe('/health');
      const metrics = await probe('/metrics');

      // Then each says the store does not answer, in time for the probe
      expect(health.status).toBe(503);
      expect(JSON.parse(health.text)).toMatchObject({
        lag: { error: 'cannot reach the event store: no answer within 2000 ms' },
      });
      expect(metrics.status).toBe(200);
      expect(metrics.text).toContain('projector_store_reachable 0\n');

      // And once the store runs again, it is well without a restart
      server.process.kill('SIGCONT');
      let recovered = await probe('/health');
      for (const giveUpAt = Date.now() + 30_000; recovered.status !== 200 && Date.now() < giveUpAt;) {
        await sleep(500);
        recovered = await probe('/health');
      }
      expect(recovered.status).toBe(200);
    },
    PROCESS_BUDGET_MS,
  );
});
