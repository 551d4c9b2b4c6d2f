import { randomUUID } from 'node:crypto';
import { RequestPolicy } from '#http';
import { accountProjectorForSuite } from '../../support/account-projector.js';
import { expectPolicyDocumented } from '../../support/openapi-policy.js';
import { rawRequest, type RawAnswer } from '../../support/raw-http.js';

/**
 * Issue 11 §5, the projector's side: its pages (the panel, /docs), its event streams and `POST /rebuild`
 * answer only under a configured name and to pages of an allowed origin, and a rebuild is not a form.
 */
describe('projector refuses requests from foreign pages', () => {
  // A projector of an account nobody writes: these specs are about the door, not the read models.
  const served = accountProjectorForSuite(
    () => `guard${randomUUID().replaceAll('-', '')}`,
    async () => ({ requestPolicy: RequestPolicy.fromEnv({}) }),
  );
  let url: string;
  let port: string;

  beforeAll(() => {
    url = served().url;
    port = new URL(url).port;
  });

  const expectRefused = (answer: RawAnswer, status: number, code: string): void => {
    expect({ status: answer.status, code: answer.body?.code }).toEqual({ status, code });
  };
  const rebuild = (headers: Record<string, string>, body?: string) =>
    rawRequest(url, { method: 'POST', path: '/rebuild', headers, ...(body === undefined ? {} : { body }) });

  const PAGES = [
    '/health',
    '/metrics',
    '/panel?account=acme&viewer=alice',
    '/panel/panel.client.js',
    '/docs',
    '/docs-json',
    '/events/stream',
    '/lines/acme/15550000001/stream?viewer=alice',
    '/no-such-route',
  ];

  it('rebuilds on a request without a body (the CLI) or with a JSON one', async () => {
    expect((await rebuild({})).status).toBe(200);
    expect((await fetch(`${url}/rebuild`, { method: 'POST' })).status).toBe(200);
    expect((await rebuild({ 'content-type': 'application/json' }, '{}')).status).toBe(200);
    expect((await rebuild({ 'content-type': 'application/JSON; charset=utf-8' }, '{}')).status).toBe(200);
  });

  it.each([
    ['application/x-www-form-urlencoded', 'a=b'],
    ['multipart/form-data; boundary=b0undary', '--b0undary--\r\n'],
    ['text/plain', '{}'],
    ['application/json-patch+json', '[]'],
    ['text/plain', ''],
  ])('refuses a rebuild sent as %s (body %j) with 415', async (contentType, body) => {
    expectRefused(await rebuild({ 'content-type': contentType }, body), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers an unknown route, a method a route does not take, a body that is not JSON and an oversized body with the documented code', async () => {
    const json = { 'content-type': 'application/json' };
    for (const [method, path, status, code] of [
      ['GET', '/no-such-route', 404, 'NOT_FOUND'],
      ['DELETE', '/health', 405, 'METHOD_NOT_ALLOWED'],
      ['GET', '/panel/api/health', 405, 'METHOD_NOT_ALLOWED'],
    ] as const) {
      const answer = await rawRequest(url, { method, path });
      expect({ method, path, status: answer.status, code: answer.body?.code }).toEqual({
        method,
        path,
        status,
        code,
      });
    }
    expectRefused(await rebuild(json, '{"x":'), 400, 'INVALID_REQUEST');
    const forwarded = await rawRequest(url, {
      method: 'POST',
      path: '/panel/api/accounts/acme/delegations/ab/opt-in',
      headers: json,
      body: '{"actor": "bob",',
    });
    expectRefused(forwarded, 400, 'INVALID_REQUEST');
    expectRefused(
      await rebuild(json, JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) })),
      413,
      'PAYLOAD_TOO_LARGE',
    );
  });

  it("answers a path the router cannot read with the catalogue's code and a short sentence", async () => {
    const long = await rawRequest(url, { path: `/lines/acme/${'1'.repeat(5000)}/state` });
    expectRefused(long, 414, 'URI_TOO_LONG');
    expect(long.body.message.length).toBeLessThan(200);
    const undecodable = await rawRequest(url, { path: '/lines/%E0%A4%A/15550000001/state' });
    expectRefused(undecodable, 400, 'INVALID_REQUEST');
    expect(undecodable.body.message).toContain('"/lines/%E0%A4%A/15550000001/state"');
  });

  it('refuses a rebuild from a foreign page with 403, even as JSON', async () => {
    for (const origin of ['http://evil.example', 'null', 'http://127.0.0.1:8080']) {
      expectRefused(
        await rebuild({ origin, 'content-type': 'application/json' }, '{}'),
        403,
        'ORIGIN_NOT_ALLOWED',
      );
    }
  });

  it('serves no page, stream or document under a foreign name (DNS rebinding)', async () => {
    for (const path of PAGES) {
      const answer = await rawRequest(url, { path, headers: { host: `evil.example:${port}` } });
      expect({ path, status: answer.status, code: answer.body?.code }).toEqual({
        path,
        status: 421,
        code: 'HOST_NOT_ALLOWED',
      });
    }
    expectRefused(await rebuild({ host: `evil.example:${port}` }), 421, 'HOST_NOT_ALLOWED');
  });

  it('serves no page, stream or document to a script of a foreign origin', async () => {
    for (const path of PAGES) {
      const answer = await rawRequest(url, { path, headers: { origin: 'http://evil.example' } });
      expect({ path, status: answer.status, code: answer.body?.code }).toEqual({
        path,
        status: 403,
        code: 'ORIGIN_NOT_ALLOWED',
      });
    }
  });

  it('serves the panel, its modules and its live streams to itself under the local names', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      // The panel's own fetches and EventSource carry its origin: the same as the Host they go to.
      const headers = { host, origin: `http://${host}` };
      const page = await rawRequest(url, { path: '/panel?account=acme&viewer=alice', headers: { host } });
      expect({ host, status: page.status }).toEqual({ host, status: 200 });
      const directory = await rawRequest(url, { path: '/panel/directory', headers });
      expect({ host, status: directory.status }).toEqual({ host, status: 200 });
      const stream = await rawRequest(url, { path: '/events/stream', headers });
      expect({ host, status: stream.status }).toEqual({ host, status: 200 });
      expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    }
  });

  it("lets the api's pages read it (CORS), and answers their preflight only", async () => {
    const read = await rawRequest(url, { path: '/health', headers: { origin: 'http://127.0.0.1:3000' } });
    expect(read.status).toBe(200);
    expect(read.headers['access-control-allow-origin']).toBe('http://127.0.0.1:3000');

    const preflight = (origin: string) =>
      rawRequest(url, {
        method: 'OPTIONS',
        path: '/rebuild',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const allowed = await preflight('http://localhost:3000');
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(allowed.headers['access-control-allow-headers']).toContain('content-type');
    const foreign = await preflight('http://evil.example');
    expectRefused(foreign, 403, 'ORIGIN_NOT_ALLOWED');
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('documents the policy in its OpenAPI document: 421 and 403 on every operation, 415 on every command', async () => {
    await expectPolicyDocumented(url, 5);
  });
});
