import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { chained, type AuditEntry } from '#read-models';
import { failureOf } from '../failed-command.fixture.js';
import { EXIT_FAILED } from '../options.js';
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

describe('audit verify --store', () => {
  const step = (revision: number, type: string, actor: string): AuditEntry => ({
    position: String(1000 + revision),
    stream: 'line-acme.15550100',
    revision: String(revision),
    type,
    simulatedTime: '2026-01-05T09:00:25.000Z',
    recordedAt: '2026-01-05T09:00:25.120Z',
    actor,
    onBehalfOf: null,
    permission: null,
    correlationId: 'call-1',
    causationId: `cmd-${revision}`,
    commandId: `cmd-${revision}`,
    eventId: `0b6f3a52-8d5e-4c1e-9a39-2f1b9a1c7d1${revision}`,
    data: { callId: 'c1' },
  });

  it('still fails an edited trail on its chain when the store cannot be reached', async () => {
    // Given an exported trail whose second row's actor was edited after the export
    const [received, answered] = chained([
      step(0, 'IncomingCallReceived', 'external'),
      step(1, 'CallAnswered', 'bob'),
    ]);
    const dir = await mkdtemp(join(tmpdir(), 'audit-verify-'));
    const file = join(dir, 'trail.json');
    await writeFile(file, JSON.stringify({ entries: [received, { ...answered!, actor: 'mallory' }] }));
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      // When it is verified against a store nobody listens on
      await auditCommand().parseAsync(['verify', file, '--store', 'esdb://127.0.0.1:1?tls=false'], {
        from: 'user',
      });
      // Then the broken chain is the verdict, not "no verdict" for want of the log
      expect(process.exitCode).toBe(EXIT_FAILED);
      expect(String(stderr.mock.calls.at(-1)?.[0])).toContain(
        'fails at row 1 (0 = the first entry), field chainHash',
      );
    } finally {
      stderr.mockRestore();
      process.exitCode = undefined;
      await rm(dir, { recursive: true });
    }
  });
});
