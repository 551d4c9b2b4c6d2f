import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { failureOf } from '../failed-command.fixture.js';
import { auditCommand } from './audit-command.js';

/** A server answering every request 404 with `body`, as a framework (or the projector) does. */
const answering404 = async (body: object): Promise<{ server: Server; url: string }> => {
  const server = createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
};

const auditFrom = (url: string): Promise<string> =>
  failureOf(auditCommand(), ['call', 'c1', '--source', 'projector', '--projector', url]);

describe('audit call --source projector', () => {
  it('says a server without the audit endpoint is not the projector, where it said the call had no events', async () => {
    // Given --projector pointing at the api (or anything else): every audit path is a plain 404
    const { server, url } = await answering404({ statusCode: 404, code: 'NOT_FOUND', message: 'Cannot GET' });
    try {
      // Then the message names the server, not a call without events
      await expect(auditFrom(url)).resolves.toBe(
        `switchboard audit: GET ${url}/calls/c1/audit answered 404 NOT_FOUND: no call audit there; ` +
          `is ${url} the projector?\n`,
      );
    } finally {
      server.close();
    }
  });

  it('still says a call the projector does not know has no events', async () => {
    const { server, url } = await answering404({ code: 'CALL_NOT_FOUND', message: 'There is no call c1' });
    try {
      await expect(auditFrom(url)).resolves.toBe('switchboard audit: no events of call c1 found\n');
    } finally {
      server.close();
    }
  });
});
