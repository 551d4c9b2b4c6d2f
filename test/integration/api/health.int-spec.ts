import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EventStore } from '#eventstore';
import { createApiApp } from '../../../apps/api/src/bootstrap.js';

describe('api health', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createApiApp();
    await app.listen(0, '127.0.0.1');
    // The first call opens the gRPC connection, which on a loaded machine can outlast the probe's 2 s
    // budget; readiness is about a connected store answering, so the spec probes a connected one.
    await app.get(EventStore).headPosition();
  });
  afterAll(() => app.close());

  it('is ready when the event store answers, and says which clock runs', async () => {
    const res = await fetch(`${await app.getUrl()}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'ok',
      eventStore: { status: 'up', headPosition: expect.stringMatching(/^\d+$/) },
      clock: { mode: 'realtime' },
    });
  });

  it('serves its OpenAPI document', async () => {
    const res = await fetch(`${await app.getUrl()}/docs-json`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { info: { title: string } }).info.title).toBe('Switchboard API');
  });
});
