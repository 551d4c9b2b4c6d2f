import { request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

export interface RawAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body; undefined when empty, not JSON, or an event stream (left open, not read). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

export interface RawRequest {
  readonly method?: string;
  readonly path: string;
  /** Sent as written, `host` included: `fetch` forbids setting Host, which a rebinding page controls. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/**
 * One request over node:http with exactly the headers given (plus Host, and Content-Length unless
 * chunked). An event stream answers with its headers and is closed right away.
 */
export function rawRequest(baseUrl: string, { method = 'GET', path, headers = {}, body }: RawRequest) {
  const { hostname, port } = new URL(baseUrl);
  const payload = body === undefined ? undefined : Buffer.from(body);
  return new Promise<RawAnswer>((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        method,
        path,
        headers: {
          ...(payload && !('transfer-encoding' in headers)
            ? { 'content-length': String(payload.length) }
            : {}),
          ...headers,
        },
      },
      (res) => {
        const answer = (parsed: unknown): RawAnswer => ({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: parsed,
        });
        if (String(res.headers['content-type']).startsWith('text/event-stream')) {
          resolve(answer(undefined));
          req.destroy();
          return;
        }
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          resolve(answer(parsed));
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Bytes written as they are to a TCP connection, for requests node:http will not send (not valid
 * HTTP/1.1), and what came back until the server closed it: the status line and headers, and the body.
 */
export function rawExchange(port: string, bytes: string): Promise<{ head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', ...body] = Buffer.concat(chunks).toString('utf8').split('\r\n\r\n');
      resolve({ head, body: body.join('\r\n\r\n') });
    });
    socket.end(bytes);
  });
}
