import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EventStore, createEventStoreClient } from '#eventstore';
import { RequestPolicy } from '#http';
import { createApiApp } from '../../../apps/api/src/bootstrap.js';
import { lineStream } from '#events';
import { collect } from '../../support/collect.js';
import { expectPolicyDocumented, servedDocument } from '../../support/openapi-policy.js';
import { rawExchange, rawRequest, type RawAnswer } from '../../support/raw-http.js';
import { ADMIN, closeStore, storedEvents, uniqueId } from './accounts.support.js';

/**
 * Issue 11 §5: a page on any site must not be able to fire commands at a running api, by a form, by a
 * script on a foreign origin, or by re-pointing its own domain at 127.0.0.1 (DNS rebinding). Every
 * refusal comes before the command runs: nothing is appended.
 */
describe('api refuses requests from foreign pages', () => {
  let app: NestFastifyApplication;
  let url: string;
  let port: string;
  const store = new EventStore(createEventStoreClient(process.env.EVENTSTORE_CONNECTION_STRING!));

  beforeAll(async () => {
    // The defaults, whatever the developer's environment says.
    app = await createApiApp({ requestPolicy: RequestPolicy.fromEnv({}) });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
    port = new URL(url).port;
  });
  afterAll(async () => {
    await app.close();
    await store.client.dispose();
    await closeStore();
  });

  const createBody = (accountId: string) => ({ actor: ADMIN, accountId, name: 'Acme' });
  const json = (accountId: string) => JSON.stringify(createBody(accountId));
  const form = (accountId: string) => new URLSearchParams(createBody(accountId)).toString();
  const multipart = (accountId: string) =>
    Object.entries(createBody(accountId))
      .map(
        ([name, value]) => `--b0undary\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      )
      .join('') + '--b0undary--\r\n';

  /**
   * Sends the command that creates a fresh account, under `headers`: the answer, and the types of the
   * events the store then holds for that account (none where the request was refused).
   */
  const createAccount = async (
    headers: Record<string, string>,
    body: (accountId: string) => string = json,
  ): Promise<{ answer: RawAnswer; appended: string[] }> => {
    const accountId = uniqueId('policy');
    const answer = await rawRequest(url, {
      method: 'POST',
      path: '/accounts',
      headers,
      body: body(accountId),
    });
    return { answer, appended: (await storedEvents(accountId)).map((stored) => stored.event.type) };
  };

  const expectRefused = (answer: RawAnswer, status: number, code: string): void => {
    expect({ status: answer.status, code: answer.body?.code }).toEqual({ status, code });
    expect(answer.body.message).toEqual(expect.any(String));
  };

  describe('a command body must be application/json', () => {
    it.each([
      'application/json',
      'application/json; charset=utf-8',
      'application/JSON',
      'Application/Json ; charset=UTF-8',
    ])('accepts %s and appends', async (contentType) => {
      const { answer, appended } = await createAccount({ 'content-type': contentType });
      expect(answer.status).toBe(201);
      expect(appended).toEqual(['AccountCreated']);
    });

    it.each([
      ['application/x-www-form-urlencoded', form],
      ['multipart/form-data; boundary=b0undary', multipart],
      // The classic cross-site trick: JSON text under a type a form may send without a preflight.
      ['text/plain', json],
      ['text/plain; charset=utf-8', json],
      // JSON Patch is not what PATCH /policy takes (a plain object of fields): it would be misread.
      ['application/json-patch+json', json],
      ['application/merge-patch+json', json],
      ['application/jsonx', json],
      ['', json],
    ])('refuses %j with 415 and appends nothing', async (contentType, body) => {
      const { answer, appended } = await createAccount({ 'content-type': contentType }, body);
      expectRefused(answer, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(appended).toEqual([]);
    });

    it('refuses a body without a content type, sized or chunked, and appends nothing', async () => {
      for (const headers of [{}, { 'transfer-encoding': 'chunked' }] as Record<string, string>[]) {
        const { answer, appended } = await createAccount(headers);
        expectRefused(answer, 415, 'UNSUPPORTED_MEDIA_TYPE');
        expect(appended).toEqual([]);
      }
    });

    it('answers a request that is not valid HTTP/1.1, or names no Host, with a code and a sentence, and appends nothing', async () => {
      const accountId = uniqueId('http');
      const head = `POST /accounts HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n`;
      const body = json(accountId);
      for (const [request, status, code] of [
        // A chunk size that is not hex
        [`${head}Transfer-Encoding: chunked\r\n\r\nzz\r\n${body}\r\n0\r\n\r\n`, 400, 'INVALID_REQUEST'],
        // Both a length and chunks: how much is body is anybody's guess (request smuggling)
        [
          `${head}Content-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\n\r\n${body}`,
          400,
          'INVALID_REQUEST',
        ],
        // Headers over the 16 KiB Node.js reads
        [`${head}X-Padding: ${'p'.repeat(20_000)}\r\nContent-Length: 2\r\n\r\n{}`, 431, 'HEADERS_TOO_LARGE'],
        // No Host at all, which HTTP/1.1 requires
        [
          `POST /accounts HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
          421,
          'HOST_NOT_ALLOWED',
        ],
      ] as const) {
        const answer = await rawExchange(port, request);
        expect(answer.head).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
        expect(JSON.parse(answer.body)).toEqual({ statusCode: status, code, message: expect.any(String) });
      }
      expect(await storedEvents(accountId)).toEqual([]);
    });

    it('refuses forms on every command route of the OpenAPI document, before any of them runs', async () => {
      const document = (await (await fetch(`${url}/docs-json`)).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      const commands = Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.keys(operations)
          .filter((method) => ['post', 'put', 'patch', 'delete'].includes(method))
          .map((method) => ({ method: method.toUpperCase(), path })),
      );
      // Every account and line command, and the clock's.
      expect(commands.length).toBeGreaterThan(35);
      for (const { method, path } of commands) {
        for (const [contentType, body] of [
          ['application/x-www-form-urlencoded', 'actor=root'],
          ['text/plain', JSON.stringify({ actor: ADMIN })],
          ['multipart/form-data; boundary=b0undary', multipart('x')],
        ] as const) {
          const accountId = uniqueId('route');
          const concrete = path
            .replace('{accountId}', accountId)
            .replace('{number}', '15550000001')
            .replace(/\{[A-Za-z]+\}/g, 'x1');
          const answer = await rawRequest(url, {
            method,
            path: concrete,
            headers: { 'content-type': contentType },
            body,
          });
          expect({
            route: `${method} ${path}`,
            contentType,
            status: answer.status,
            code: answer.body?.code,
          }).toEqual({
            route: `${method} ${path}`,
            contentType,
            status: 415,
            code: 'UNSUPPORTED_MEDIA_TYPE',
          });
          expect(await storedEvents(accountId)).toEqual([]);
          expect(await collect(store.readStream(lineStream(accountId, '15550000001')))).toEqual([]);
        }
      }
    }, 60_000);
  });

  describe('Origin', () => {
    it.each([
      ['a foreign site', 'http://evil.example'],
      ['an opaque origin (sandboxed frame, file:)', 'null'],
      ['another program on this machine', 'http://127.0.0.1:8080'],
      ['this host over https on another port', 'https://localhost:3443'],
    ])('refuses a JSON command from %s with 403 and appends nothing', async (_what, origin) => {
      const { answer, appended } = await createAccount({ 'content-type': 'application/json', origin });
      expectRefused(answer, 403, 'ORIGIN_NOT_ALLOWED');
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
      expect(appended).toEqual([]);
    });

    it('refuses reads and the docs from a foreign origin too', async () => {
      for (const path of ['/health', '/docs', '/docs-json', `/accounts/${uniqueId('origin')}`]) {
        const answer = await rawRequest(url, { path, headers: { origin: 'http://evil.example' } });
        expectRefused(answer, 403, 'ORIGIN_NOT_ALLOWED');
      }
    });

    it('accepts commands without Origin (curl, the CLI), from its own pages, and from the projector', async () => {
      for (const origin of [
        undefined,
        `http://127.0.0.1:${port}`,
        'http://127.0.0.1:3001',
        'http://localhost:3001',
      ]) {
        const { answer, appended } = await createAccount({
          'content-type': 'application/json',
          ...(origin ? { origin } : {}),
        });
        expect({ origin, status: answer.status }).toEqual({ origin, status: 201 });
        expect(appended).toEqual(['AccountCreated']);
        // Only a page served elsewhere needs CORS to read the answer.
        const crossOrigin = origin?.endsWith(':3001') ? origin : undefined;
        expect(answer.headers['access-control-allow-origin']).toBe(crossOrigin);
      }
    });

    it('answers a JSON preflight from an allowed origin, and refuses one from any other', async () => {
      const preflight = (origin: string, host = `127.0.0.1:${port}`) =>
        rawRequest(url, {
          method: 'OPTIONS',
          path: '/accounts',
          headers: {
            host,
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type,idempotency-key',
          },
        });
      const allowed = await preflight('http://localhost:3001');
      expect(allowed.status).toBe(204);
      expect(allowed.headers).toMatchObject({
        'access-control-allow-origin': 'http://localhost:3001',
        'access-control-allow-methods': expect.stringContaining('POST'),
        'access-control-allow-headers': expect.stringMatching(/content-type.*idempotency-key/),
      });
      expect(allowed.headers.vary).toMatch(/origin/i);

      const foreign = await preflight('http://evil.example');
      expectRefused(foreign, 403, 'ORIGIN_NOT_ALLOWED');
      expect(foreign.headers['access-control-allow-origin']).toBeUndefined();

      const rebound = await preflight('http://localhost:3001', `evil.example:${port}`);
      expectRefused(rebound, 421, 'HOST_NOT_ALLOWED');
      expect(rebound.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('Host', () => {
    it.each([
      ['a rebound domain', () => `evil.example:${port}`],
      ['a rebound domain on the default port', () => 'evil.example'],
      ['a name that only looks local', () => `localhost.evil.example:${port}`],
    ])('refuses a command under %s with 421 and appends nothing', async (_what, host) => {
      const { answer, appended } = await createAccount({
        'content-type': 'application/json',
        host: host(),
        origin: `http://${host()}`,
      });
      expectRefused(answer, 421, 'HOST_NOT_ALLOWED');
      expect(appended).toEqual([]);
    });

    it('refuses reads, the docs and unknown paths under a foreign name', async () => {
      for (const path of ['/health', '/docs', '/docs-json', '/no-such-route']) {
        const answer = await rawRequest(url, { path, headers: { host: `evil.example:${port}` } });
        expectRefused(answer, 421, 'HOST_NOT_ALLOWED');
      }
    });

    it('answers to localhost, 127.0.0.1 and [::1] on any port', async () => {
      for (const host of [
        `localhost:${port}`,
        `127.0.0.1:${port}`,
        `[::1]:${port}`,
        'LOCALHOST',
        '127.0.0.1:1',
      ]) {
        const answer = await rawRequest(url, { path: '/health', headers: { host } });
        expect({ host, status: answer.status }).toEqual({ host, status: 200 });
      }
    });
  });

  it('takes its names and origins from SWITCHBOARD_ALLOWED_HOSTS and SWITCHBOARD_ALLOWED_ORIGINS', async () => {
    const configured = await createApiApp({
      requestPolicy: RequestPolicy.fromEnv({
        SWITCHBOARD_ALLOWED_HOSTS: 'api, switchboard.example:8443',
        SWITCHBOARD_ALLOWED_ORIGINS: 'https://ops.example',
      }),
    });
    try {
      await configured.listen(0, '127.0.0.1');
      const at = await configured.getUrl();
      const health = (headers: Record<string, string>) => rawRequest(at, { path: '/health', headers });
      expect((await health({ host: 'api:3000' })).status).toBe(200);
      expect((await health({ host: 'switchboard.example:8443' })).status).toBe(200);
      expect((await health({ host: 'switchboard.example:8444' })).status).toBe(421);
      expect((await health({ host: '127.0.0.1:3000' })).status).toBe(421);
      expect((await health({ host: 'api', origin: 'https://ops.example' })).status).toBe(200);
      expect((await health({ host: 'api', origin: 'http://localhost:3001' })).status).toBe(403);

      const accountId = uniqueId('configured');
      const command = await rawRequest(at, {
        method: 'POST',
        path: '/accounts',
        headers: { host: 'api:3000', origin: 'https://ops.example', 'content-type': 'application/json' },
        body: json(accountId),
      });
      expect(command.status).toBe(201);
      expect(command.headers['access-control-allow-origin']).toBe('https://ops.example');
    } finally {
      await configured.close();
    }
  });

  it('documents the policy in its OpenAPI document: 421 and 403 on every operation, 415 on every command', async () => {
    await expectPolicyDocumented(url, 20);
  });

  it('documents 410 STREAM_DELETED on every account and line route, 429 TOO_MANY_COMMANDS and 422 FOREIGN_EVENT_IN_STREAM on their commands', async () => {
    const served = await servedDocument(url);
    const paths = Object.entries(
      served.body.paths as Record<
        string,
        Record<string, { responses: Record<string, { description: string }> }>
      >,
    ).filter(([path]) => path.startsWith('/accounts'));
    const missing: string[] = [];
    for (const [path, item] of paths) {
      for (const [method, { responses }] of Object.entries(item)) {
        const wanted = method === 'get' ? ['410'] : ['410', '429', '422'];
        for (const status of wanted) if (!(status in responses)) missing.push(`${method} ${path}: ${status}`);
        if (method !== 'get' && !responses['422']?.description.includes('FOREIGN_EVENT_IN_STREAM'))
          missing.push(`${method} ${path}: FOREIGN_EVENT_IN_STREAM`);
      }
    }
    expect(missing).toEqual([]);
    expect(paths.length).toBeGreaterThan(20);
  });
});
