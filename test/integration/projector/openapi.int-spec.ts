import { randomUUID } from 'node:crypto';
import { eventSchemas } from '#events';
import {
  accountEvents,
  delegateOf,
  delegatorOf,
  lineEvents,
  numberOf,
} from '../../../bench/replay/workload.js';
import { serveAccount } from '../../support/account-projector.js';
import { connectToSharedStore, testMetadata } from '../../support/shared-store.js';

/**
 * Issue 12 §4, the projector's side of test/integration/api/openapi.int-spec.ts: every operation its
 * OpenAPI document lists is requested here, each where it can succeed and where it is refused, and
 * every answer's status must be one the operation documents (refusals from the catalogue through
 * ReasonResponses), and a JSON success must come with a documented schema. A route added without
 * its answers documented, or an answer the route gives but does not document, fails here.
 */

interface Operation {
  readonly responses: Readonly<
    Record<string, { content?: Record<string, { schema?: { required?: readonly string[] } }> }>
  >;
}

interface OpenApiDocument {
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
}

/** The status of an answer; a server-sent stream is left as soon as its status is known. */
const statusOf = async (
  url: string,
  method: string,
): Promise<{ status: number; code?: string; type: 'json' | 'other'; body?: unknown }> => {
  const aborted = new AbortController();
  const answer = await fetch(url, {
    method,
    signal: aborted.signal,
    headers: method === 'GET' ? {} : { 'content-type': 'application/json' },
    ...(method === 'GET' ? {} : { body: '{}' }),
  });
  const type = answer.headers.get('content-type') ?? '';
  if (type.startsWith('text/event-stream')) {
    aborted.abort();
    return { status: answer.status, type: 'other' };
  }
  const text = await answer.text();
  const body: unknown = type.includes('json') ? JSON.parse(text) : undefined;
  const code = (body as { code?: string } | undefined)?.code;
  return {
    status: answer.status,
    type: type.includes('json') ? 'json' : 'other',
    body,
    ...(code === undefined ? {} : { code }),
  };
};

describe('the projector answers as its OpenAPI document says', () => {
  const { store } = connectToSharedStore(eventSchemas);

  it('documents the status of every answer of every route', async () => {
    const A = `oa${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const workload = { seed: 7, accountId: A, lines: 1, callsPerLine: 2 };
    const account = accountEvents(workload);
    const line = lineEvents(workload, 0);
    await store.append(account.stream, account.events, 'any', testMetadata({ actor: 'system:test' }));
    const { position } = await store.append(
      line.stream,
      line.events,
      'any',
      testMetadata({ actor: 'system:test' }),
    );
    const callId = line.events
      .map((event) => (event.data as { callId?: string }).callId)
      .find((id) => id !== undefined)!;
    const boss = delegatorOf(0);
    const assistant = delegateOf(0);
    const N = numberOf(0);

    const { projector, url, close } = await serveAccount(store, A);
    try {
      await projector.waitForPosition(position);
      const document = (await (await fetch(`${url}/docs-json`)).json()) as OpenApiDocument;

      // [method, documented path, concrete path]: the documented path names the operation.
      const party = `/accounts/${A}/parties`;
      const onLine = `/lines/${A}/${N}`;
      const requests: [string, string, string][] = [
        ['GET', '/accounts/{accountId}/roster', `/accounts/${A}/roster`],
        ['GET', '/accounts/{accountId}/roster', `/accounts/none${A}/roster`],
        ['GET', '/accounts/{accountId}/roster', `/accounts/${A}/roster?asOf=x`],
        ['GET', '/accounts/{accountId}/parties/{partyId}/roster', `${party}/${boss}/roster`],
        ['GET', '/accounts/{accountId}/parties/{partyId}/roster', `${party}/nobody/roster`],
        ['GET', '/accounts/{accountId}/parties/{partyId}/roster', `${party}/%3Cx%3E/roster`],
        ['GET', '/accounts/{accountId}/parties/{partyId}/history', `${party}/${boss}/history?viewer=${boss}`],
        ['GET', '/accounts/{accountId}/parties/{partyId}/history', `${party}/${boss}/history?viewer=nobody`],
        ['GET', '/accounts/{accountId}/parties/{partyId}/history', `${party}/nobody/history?viewer=${boss}`],
        [
          'GET',
          '/accounts/{accountId}/parties/{partyId}/recordings',
          `${party}/${boss}/recordings?viewer=${boss}`,
        ],
        [
          'GET',
          '/accounts/{accountId}/parties/{partyId}/recordings',
          `${party}/${boss}/recordings?viewer=${assistant}`,
        ],
        [
          'GET',
          '/accounts/{accountId}/parties/{partyId}/diagnostics',
          `${party}/${assistant}/diagnostics?line=%2B${N}&action=answer`,
        ],
        [
          'GET',
          '/accounts/{accountId}/parties/{partyId}/diagnostics',
          `${party}/${assistant}/diagnostics?line=%2B${N}&action=fly`,
        ],
        [
          'GET',
          '/accounts/{accountId}/parties/{partyId}/diagnostics',
          `${party}/${assistant}/diagnostics?line=abc&action=answer`,
        ],
        ['GET', '/accounts/{accountId}/parties/{partyId}/speed-dials', `${party}/${boss}/speed-dials`],
        ['GET', '/accounts/{accountId}/parties/{partyId}/speed-dials', `${party}/nobody/speed-dials`],
        ['GET', '/calls/{callId}/audit', `/calls/${callId}/audit`],
        ['GET', '/calls/{callId}/audit', `/calls/${callId}/audit?format=csv`],
        ['GET', '/calls/{callId}/audit', `/calls/none-${randomUUID()}/audit`],
        ['GET', '/calls/{callId}/audit', `/calls/${callId}/audit?format=xml`],
        ['GET', '/lines/{accountId}/{number}/calls/{callId}/audit', `${onLine}/calls/${callId}/audit`],
        ['GET', '/lines/{accountId}/{number}/calls/{callId}/audit', `/lines/${A}/15559999999/calls/x/audit`],
        ['GET', '/lines/{accountId}/{number}/calls/{callId}/audit', `/lines/${A}/abc/calls/x/audit`],
        ['GET', '/lines/{accountId}/{number}/calls/{callId}/audit', `${onLine}/calls/nocall/audit`],
        ['GET', '/calls/{callId}/diagnostics/ring', `/calls/${callId}/diagnostics/ring?party=${assistant}`],
        ['GET', '/calls/{callId}/diagnostics/ring', `/calls/nocall${A}/diagnostics/ring?party=${assistant}`],
        [
          'GET',
          '/lines/{accountId}/{number}/calls/{callId}/diagnostics/ring',
          `${onLine}/calls/${callId}/diagnostics/ring?party=${assistant}`,
        ],
        [
          'GET',
          '/lines/{accountId}/{number}/calls/{callId}/diagnostics/ring',
          `/lines/none${A}/${N}/calls/${callId}/diagnostics/ring?party=${assistant}`,
        ],
        ['GET', '/lines/{accountId}/{number}/state', `${onLine}/state?viewer=${boss}`],
        ['GET', '/lines/{accountId}/{number}/state', `${onLine}/state?viewer=nobody`],
        ['GET', '/lines/{accountId}/{number}/state', `/lines/${A}/15559999999/state?viewer=${boss}`],
        ['GET', '/lines/{accountId}/{number}/voicemail', `${onLine}/voicemail?viewer=${assistant}`],
        ['GET', '/lines/{accountId}/{number}/voicemail', `${onLine}/voicemail?viewer=${boss}&asOfTime=x`],
        ['GET', '/lines/{accountId}/{number}/history', `${onLine}/history?viewer=${boss}`],
        ['GET', '/lines/{accountId}/{number}/history', `/lines/none${A}/${N}/history?viewer=${boss}`],
        ['GET', '/lines/{accountId}/{number}/diagnostics/busy', `${onLine}/diagnostics/busy`],
        ['GET', '/lines/{accountId}/{number}/diagnostics/busy', `/lines/${A}/abc/diagnostics/busy`],
        ['GET', '/lines/{accountId}/{number}/stream', `${onLine}/stream?viewer=${boss}`],
        ['GET', '/lines/{accountId}/{number}/stream', `${onLine}/stream?viewer=nobody`],
        ['GET', '/parked', '/parked'],
        ['GET', '/health', '/health'],
        ['GET', '/metrics', '/metrics'],
        ['GET', '/digest', '/digest'],
        ['GET', '/digest', '/digest?asOf=1&asOfTime=2026-01-05T09:00:00Z'],
        ['POST', '/rebuild', '/rebuild'],
        ['GET', '/events/stream', '/events/stream'],
        ['GET', '/panel', `/panel?account=${A}&viewer=${assistant}`],
        ['GET', '/panel/assets/{file}', '/panel/assets/missing.js'],
        ['GET', '/panel/directory', '/panel/directory'],
        ['GET', '/panel/api-status', '/panel/api-status'],
        ['GET', '/panel/timers', '/panel/timers'],
        ['GET', '/panel/seat', `/panel/seat?account=${A}&viewer=${assistant}`],
        ['GET', '/panel/seat', `/panel/seat?account=${A}&viewer=nobody`],
        ['GET', '/panel/seat', `/panel/seat?account=${A}&viewer=%3Cx%3E`],
        ['GET', '/panel/steps', `/panel/steps?account=${A}&position=${position}`],
        ['GET', '/panel/steps', `/panel/steps?account=none${A}&position=${position}`],
        ['GET', '/panel/steps', `/panel/steps?account=${A}&position=x1`],
        ['GET', '/panel/seats-start', `/panel/seats-start?account=${A}&viewers=${boss},${assistant}`],
        ['GET', '/panel/seats-start', `/panel/seats-start?account=${A}&viewers=nobody`],
        ['GET', '/panel/seats-start', `/panel/seats-start?account=${A}`],
        ['GET', '/panel/stream', `/panel/stream?account=${A}&viewer=${assistant}`],
        ['GET', '/panel/stream', `/panel/stream?seats=${A}.nobody`],
        ['GET', '/panel/stream', `/panel/stream?seats=${A}`],
      ];
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'])
        requests.push([method, '/panel/api/{path}', '/panel/api/health']);

      const problems: string[] = [];
      const answered = new Set<string>();
      const statuses = new Set<string>();
      for (const [method, path, concrete] of requests) {
        const operation = document.paths[path]?.[method.toLowerCase()];
        if (!operation) {
          problems.push(`${method} ${path} is not documented`);
          continue;
        }
        answered.add(`${method} ${path}`);
        const { status, code, type, body } = await statusOf(`${url}${concrete}`, method);
        statuses.add(`${method} ${concrete} ${status}`);
        const documented = Object.hasOwn(operation.responses, String(status))
          ? operation.responses[String(status)]
          : operation.responses['default'];
        const schema = documented?.content?.['application/json']?.schema;
        if (status < 300 && documented && type === 'json') {
          if (!schema) problems.push(`${method} ${concrete} answered ${status} with no documented schema`);
          for (const field of schema?.required ?? [])
            if (!Object.hasOwn(body as object, field))
              problems.push(`${method} ${concrete} answered ${status} without the documented field ${field}`);
        }
        if (!documented)
          problems.push(
            `${method} ${concrete} answered ${status} ${code ?? ''}; documented: ` +
              Object.keys(operation.responses).join(', '),
          );
      }

      const operations = Object.entries(document.paths).flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
      );
      expect(operations.filter((operation) => !answered.has(operation))).toEqual([]);
      expect(problems).toEqual([]);
      // The requests reach both sides: successes and refusals (so the test cannot pass on 404s alone).
      expect([...statuses].filter((s) => s.endsWith(' 200')).length).toBeGreaterThan(20);
      expect([...statuses].filter((s) => / 4\d\d$/.test(s)).length).toBeGreaterThan(20);
    } finally {
      await close();
    }
  }, 120_000);
});
