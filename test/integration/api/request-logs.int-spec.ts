import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { createApiApp } from '../../../apps/api/src/bootstrap.js';

/** The api as main runs it, logging at info (jest's NODE_ENV=test would keep it at warn) into `lines`. */
describe('api request logs', () => {
  const lines: Record<string, unknown>[] = [];
  let app: NestFastifyApplication;
  let url: string;
  beforeAll(async () => {
    const saved = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'info';
    try {
      app = await createApiApp({
        logDestination: {
          write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
        },
      });
    } finally {
      if (saved === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = saved;
    }
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });
  afterAll(() => app.close());

  const requestLines = () => lines.filter((line) => line.msg === 'request');
  const createAccount = (headers: Record<string, string>, commandId: string) =>
    fetch(`${url}/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({
        actor: 'admin',
        accountId: `logs-${randomUUID().slice(0, 8)}`,
        name: 'Logs',
        commandId,
      }),
    });

  it('writes one JSON line per command, carrying the X-Correlation-Id it came with', async () => {
    const before = requestLines().length;
    const res = await createAccount({ 'x-correlation-id': 'flow-42' }, `log-${randomUUID()}`);
    expect(res.status).toBe(201);
    expect(requestLines().slice(before)).toEqual([
      expect.objectContaining({
        app: 'api',
        level: 30,
        method: 'POST',
        url: '/accounts',
        status: 201,
        correlationId: 'flow-42',
      }),
    ]);
  });

  it("carries the command's own id as correlation id when none was given, as its events do", async () => {
    const before = requestLines().length;
    const commandId = `log-${randomUUID()}`;
    expect((await createAccount({}, commandId)).status).toBe(201);
    expect(requestLines().slice(before)).toEqual([expect.objectContaining({ correlationId: commandId })]);
  });

  it('writes nothing for health polling', async () => {
    const before = lines.length;
    for (let i = 0; i < 3; i++) expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(lines.slice(before)).toEqual([]);
  });
});
