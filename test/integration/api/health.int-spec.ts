import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApiApp } from '../../../apps/api/src/bootstrap.js';

describe('api health', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createApiApp();
    await app.listen(0, '127.0.0.1');
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
