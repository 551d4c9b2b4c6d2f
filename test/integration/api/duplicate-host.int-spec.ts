import { randomUUID } from 'node:crypto';
import { accountProjectorForSuite } from '../../support/account-projector.js';
import { rawExchange, rawRequest } from '../../support/raw-http.js';
import { apiForSuite } from './lines.support.js';

/**
 * HTTP/1.1 (RFC 9112 §3.2): a server must answer 400 to a request with more than one Host header.
 * Node keeps the first and drops the rest, so both apps (their shared request guard in libs/http)
 * served such a request under the first name, whichever one a proxy in front had routed on.
 */
describe.each([
  [
    'api',
    () => {
      const api = apiForSuite();
      return () => api.url;
    },
  ],
  [
    'projector',
    () => {
      const served = accountProjectorForSuite(() => `host${randomUUID().replaceAll('-', '')}`);
      return () => served().url;
    },
  ],
] as const)('the %s, given a request with two Host headers', (_app, serve) => {
  const url = serve();
  let port: string;
  beforeAll(() => {
    port = new URL(url()).port;
  });

  /** `request` (its request line and headers but Host), sent once with each of `hosts`, as a raw exchange. */
  const send = async (request: string, hosts: readonly string[]) => {
    const [line, ...headers] = request.split('\r\n');
    const { head, body } = await rawExchange(
      port,
      [line, ...hosts.map((host) => `Host: ${host}`), ...headers, 'Connection: close', '', ''].join('\r\n'),
    );
    return { status: Number(head.split(' ')[1]), body: body ? (JSON.parse(body) as unknown) : undefined };
  };
  const refused = {
    status: 400,
    body: {
      statusCode: 400,
      code: 'INVALID_REQUEST',
      message: 'the request has 2 Host headers: HTTP/1.1 takes exactly one',
      errors: [{ field: 'host', messages: ['must be sent once (RFC 9112 §3.2)'] }],
    },
  };

  it('answers 400 INVALID_REQUEST naming the Host header, whether the second names another server or the same', async () => {
    expect(await send('GET /health HTTP/1.1', [`127.0.0.1:${port}`, 'evil.example'])).toEqual(refused);
    expect(await send('GET /health HTTP/1.1', [`127.0.0.1:${port}`, `127.0.0.1:${port}`])).toEqual(refused);
    // And the same request with one Host is served
    expect((await rawRequest(url(), { path: '/health' })).status).toBe(200);
  });

  it("answers a page's preflight 400 too, allowing it nothing", async () => {
    const preflight =
      'OPTIONS /health HTTP/1.1\r\nOrigin: http://127.0.0.1\r\nAccess-Control-Request-Method: POST';
    expect(await send(preflight, [`127.0.0.1:${port}`, 'evil.example'])).toEqual(refused);
  });
});
