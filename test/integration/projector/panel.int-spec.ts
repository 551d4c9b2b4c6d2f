import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { configuration } from '#http';
import { VIRTUAL_CLOCK_STREAM, eventSchemas } from '#events';
import { createProjectorApp } from '../../../apps/projector/src/bootstrap.js';
import {
  projectorSettingsFrom,
  type ProjectorSettings,
} from '../../../apps/projector/src/projector-config.js';
import { Projector } from '#read-models';
import { PROJECTIONS } from '#read-models';
import type {
  Directory,
  PanelError,
  Seat,
  SeatsStart,
  Steps,
} from '../../../apps/projector/src/panel/seat-contract.js';
import { accountEvents, delegateOf, delegatorOf, numberOf } from '../../../bench/replay/workload.js';
import { serveAccount } from '../../support/account-projector.js';
import { connectToSharedStore, testMetadata } from '../../support/shared-store.js';

/** The web app as the projector serves it: the built page and assets, the directory and a seat. */
describe('projector Assistant panel', () => {
  const { store } = connectToSharedStore(eventSchemas);

  /**
   * A new account of one line and no calls (`seed` picks its parties' names), written to the store,
   * and a projector of it served over HTTP; `position` is that of its last event. `simulatedTime`: the
   * time its events say they happened at (none: they say nothing).
   */
  async function servedNewAccount(seed: number, simulatedTime?: string) {
    const accountId = `acc${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const account = accountEvents({ seed, accountId, lines: 1, callsPerLine: 0 });
    const { position } = await store.append(
      account.stream,
      account.events,
      'any',
      testMetadata({ actor: 'system:test', simulatedTime }),
    );
    return { accountId, account, position, ...(await serveAccount(store, accountId)) };
  }

  it('serves the built page and its assets, the directory of parties, and seats with lines labelled per R11 and R20 availability', async () => {
    const { accountId, account, position, projector, url, close } = await servedNewAccount(1);
    try {
      await projector.waitForPosition(position);

      const page = await fetch(`${url}/panel?account=${accountId}&viewer=${delegateOf(0)}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await page.text();
      const assets = [...html.matchAll(/(?:src|href)="(\/panel\/assets\/[^"]+)"/g)].map((m) => m[1]!);
      expect(assets).toEqual(
        expect.arrayContaining([expect.stringMatching(/\.js$/), expect.stringMatching(/\.css$/)]),
      );
      for (const asset of assets) {
        const served = await fetch(`${url}${asset}`);
        expect(served.status).toBe(200);
        expect(served.headers.get('content-type')).toMatch(
          asset.endsWith('.js') ? /^text\/javascript/ : /^text\/css/,
        );
      }
      expect((await fetch(`${url}/panel/assets/..%2F..%2Fpackage.json`)).status).toBe(404);
      expect((await fetch(`${url}/panel/assets/missing.js`)).status).toBe(404);
      expect((await fetch(`${url}/panel/seat?account=${accountId}&viewer=%3Cx%3E`)).status).toBe(400);

      const directory = (await (await fetch(`${url}/panel/directory`)).json()) as Directory;
      expect(directory.accounts.find((a) => a.accountId === accountId)?.parties).toEqual(
        expect.arrayContaining([
          { partyId: delegateOf(0), name: 'Assistant 0', kind: 'phoneUser', lines: 2 },
          { partyId: delegatorOf(0), name: 'Boss 0', kind: 'phoneUser', lines: 1 },
        ]),
      );

      const seat = async (viewer: string) => {
        const answer = await fetch(`${url}/panel/seat?account=${accountId}&viewer=${viewer}`);
        return { status: answer.status, body: (await answer.json()) as Seat & PanelError };
      };
      const assistant = (await seat(delegateOf(0))).body;
      expect(assistant.viewer).toEqual({ partyId: delegateOf(0), name: 'Assistant 0' });
      expect(assistant.lines.map((l) => [l.number, l.label, l.role, l.lamp.state])).toEqual([
        ['+15553000000', 'My number +15553000000', 'delegator', 'idle'],
        [`+${numberOf(0)}`, `Boss 0 · +${numberOf(0)}`, 'delegate', 'idle'],
      ]);
      const shared = assistant.lines[1]!;
      expect(shared.transferTargets).toEqual([{ partyId: delegatorOf(0), name: 'Boss 0' }]);
      expect(Object.keys(shared.availability).sort()).toEqual([
        'answer',
        'join',
        'merge',
        'pickUp',
        'placeCall',
      ]);
      expect(shared.availability.answer.sentence).toMatch(/Assistant 0 can(not)? answer calls on line/);
      expect(assistant.delegators.map((d) => [d.other.name, d.status])).toEqual([['Boss 0', 'active']]);
      expect((await seat(delegatorOf(0))).body.delegates.map((d) => d.other.partyId)).toEqual([
        delegateOf(0),
      ]);

      expect(await seat('nobody')).toEqual({
        status: 404,
        body: expect.objectContaining({ code: 'PARTY_NOT_FOUND' }),
      });
      const unknownAccount = await fetch(
        `${url}/panel/seat?account=nope${accountId}&viewer=${delegateOf(0)}`,
      );
      expect(unknownAccount.status).toBe(404);
      expect(((await unknownAccount.json()) as PanelError).code).toBe('ACCOUNT_NOT_FOUND');

      // A room (or every tab of a browser): several seats over one stream, each sent whole as it is now.
      const seats = `${accountId}.${delegateOf(0)},${accountId}.${delegatorOf(0)}`;
      const streamed = await firstSeats(`${url}/panel/stream?seats=${seats}`, 2);
      expect(streamed.map((s) => s.viewer.partyId).sort()).toEqual([delegateOf(0), delegatorOf(0)].sort());
      const refusedStream = async (query: string) => {
        const answer = await fetch(`${url}/panel/stream?${query}`);
        return { status: answer.status, code: ((await answer.json()) as PanelError).code };
      };
      expect(await refusedStream(`seats=${accountId}.nobody`)).toEqual({
        status: 404,
        code: 'PARTY_NOT_FOUND',
      });
      expect(await refusedStream(`seats=${accountId}`)).toEqual({ status: 400, code: 'INVALID_REQUEST' });
      expect(await refusedStream(`seats=${accountId}.a.b`)).toEqual({ status: 400, code: 'INVALID_REQUEST' });
      const tooMany = Array.from({ length: 65 }, (_, i) => `${accountId}.p${i}`).join(',');
      expect(await refusedStream(`seats=${tooMany}`)).toEqual({ status: 400, code: 'INVALID_REQUEST' });
      // `seats` given twice is a list in the query, not a string: refused as malformed, not a crash.
      const one = `${accountId}.${delegateOf(0)}`;
      expect(await refusedStream(`seats=${one}&seats=${one}`)).toEqual({
        status: 400,
        code: 'INVALID_REQUEST',
      });
      expect(await refusedStream(`seats=${one}&seats`)).toEqual({ status: 400, code: 'INVALID_REQUEST' });

      // Time travel event by event over the account's own events, whatever else the shared log holds.
      const steps = async (at: string) => {
        const answer = await fetch(`${url}/panel/steps?account=${accountId}&position=${at}`);
        return { status: answer.status, body: (await answer.json()) as Steps & PanelError };
      };
      const latest = (await steps(String(position))).body;
      expect(latest.current).toMatchObject({ position: String(position), stream: account.stream });
      expect(latest.forward).toBeNull();
      const before = (await steps(latest.back!)).body;
      expect(before.current).toMatchObject({ position: latest.back, stream: account.stream });
      expect(before.forward).toEqual(latest.current);
      expect(BigInt(before.back!)).toBeLessThan(BigInt(latest.back!));
      expect((await steps('x1')).body.code).toBe('INVALID_REQUEST');
      // The seats' viewers given twice, or one that is no id: refused as malformed, naming the field.
      for (const viewers of ['viewers=a&viewers=b', 'viewers=a,b%20c']) {
        const refused = await fetch(
          `${url}/panel/steps?account=${accountId}&position=${position}&${viewers}`,
        );
        expect(refused.status).toBe(400);
        expect(await refused.json()).toMatchObject({
          code: 'INVALID_REQUEST',
          errors: [{ field: 'viewers' }],
        });
      }
      const unknownSteps = await fetch(`${url}/panel/steps?account=nope${accountId}&position=${position}`);
      expect(unknownSteps.status).toBe(404);

      const docs = (await (await fetch(`${url}/docs-json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(docs.paths)).toEqual(
        expect.arrayContaining([
          '/panel',
          '/panel/seat',
          '/panel/directory',
          '/panel/stream',
          '/panel/steps',
        ]),
      );
    } finally {
      await close();
    }
  }, 30_000);

  it("Given an account's events among others, When its steps are asked from inside an event, past the log's end, and back from its first event, Then each is answered from records EventStoreDB reads $all from", async () => {
    const { accountId, account, position, projector, url, close } = await servedNewAccount(2);
    try {
      await projector.waitForPosition(position);
      const steps = async (at: string) => {
        const answer = await fetch(`${url}/panel/steps?account=${accountId}&position=${at}`);
        return { status: answer.status, body: (await answer.json()) as Steps & PanelError };
      };
      const latest = await steps(String(position));
      expect(latest.status).toBe(200);

      // As of a number inside the account's last event (a user may type any), the view shows that event.
      const inside = await steps(String(position + 1n));
      expect(inside).toEqual(latest);
      // As of a number past the log's end, the view shows the account's last event and has no next one.
      const pastTheEnd = await steps('99999999999999999');
      expect(pastTheEnd).toEqual(latest);

      // Back from the last event to the first, then one step further: before the account's first event,
      // as of the seat's record before it in $all (the virtual clock's: other suites share this store),
      // else as of the record just before it (whichever stream's), never a number inside that record.
      let view = latest;
      for (let walked = 0; view.body.current?.stream === account.stream; walked++) {
        expect(walked).toBeLessThan(account.events.length);
        const before = await steps(view.body.back!);
        expect(before.status).toBe(200);
        if (before.body.current?.stream !== account.stream) break;
        view = before;
      }
      const first = view.body.current!;
      const [recordBefore] = await store.readAllRecords(BigInt(first.position), 1, 'backwards');
      let seatsBefore: bigint | undefined;
      for (let from = BigInt(first.position); seatsBefore === undefined;) {
        const page = await store.readAllRecords(from, 2_000, 'backwards');
        const clock = page.find(
          (record) => record.stream === VIRTUAL_CLOCK_STREAM && !record.type.startsWith('$'),
        );
        seatsBefore = clock?.position;
        if (page.length < 2_000) break;
        from = page.at(-1)!.position!;
      }
      expect(view.body.back).toBe(String(seatsBefore ?? recordBefore!.position));
    } finally {
      await close();
    }
  }, 30_000);

  it('Given an account whose parties were provisioned one after another, When the panel asks where a room of two of them starts, Then it is the event that made the later one a party, and the earliest time whose view shows it: the seat as of either is shown, as of just before either it is not', async () => {
    const { accountId, account, position, projector, url, close } = await servedNewAccount(
      3,
      '2026-01-05T09:00:00.000Z',
    );
    try {
      await projector.waitForPosition(position);
      const { items } = await store.readRecordedBatch(account.stream, 0n, account.events.length);
      const provisioned = (party: string) =>
        items.flatMap((item) =>
          item.kind === 'event' &&
          item.stored.event.type === 'PhoneUserProvisioned' &&
          (item.stored.event.data as { partyId?: string }).partyId === party
            ? [item.stored.position]
            : [],
        )[0]!;
      const room = [delegateOf(0), delegatorOf(0)];
      const later = [provisioned(room[0]!), provisioned(room[1]!)].reduce((a, b) => (a > b ? a : b));
      const answer = await fetch(`${url}/panel/seats-start?account=${accountId}&viewers=${room.join(',')}`);
      expect(answer.status).toBe(200);
      const start = (await answer.json()) as SeatsStart;
      expect(start.position).toBe(String(later));
      expect(start.time).not.toBeNull();

      const seatStatus = async (point: string) =>
        (await fetch(`${url}/panel/seat?account=${accountId}&viewer=${room[0]}&${point}`)).status;
      const justBefore = new Date(Date.parse(start.time!) - 1).toISOString();
      expect(await seatStatus(`asOf=${start.position}`)).toBe(200);
      expect(await seatStatus(`asOfTime=${start.time}`)).toBe(200);
      expect(await seatStatus(`asOf=${later - 1n}`)).toBe(404);
      expect(await seatStatus(`asOfTime=${justBefore}`)).toBe(404);

      const refused = async (query: string) => {
        const refusal = await fetch(`${url}/panel/seats-start?${query}`);
        return { status: refusal.status, code: ((await refusal.json()) as PanelError).code };
      };
      expect(await refused(`account=${accountId}&viewers=nobody`)).toEqual({
        status: 404,
        code: 'PARTY_NOT_FOUND',
      });
      expect(await refused(`account=nope${accountId}&viewers=${room[0]}`)).toEqual({
        status: 404,
        code: 'ACCOUNT_NOT_FOUND',
      });
      expect(await refused(`account=${accountId}`)).toEqual({ status: 400, code: 'INVALID_REQUEST' });
      expect(await refused(`account=${accountId}&viewers=a&viewers=b`)).toEqual({
        status: 400,
        code: 'INVALID_REQUEST',
      });
    } finally {
      await close();
    }
  }, 30_000);

  /** An api that records the headers of what reaches it, listening on `host`. */
  const recordingApi = async (host: string) => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((request, response) => {
      seen.push(request.headers);
      request.resume();
      request.on('end', () => response.writeHead(201, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((listening) => server.listen(0, host, listening));
    return {
      seen,
      port: (server.address() as AddressInfo).port,
      close: () => new Promise((closed) => server.close(closed)),
    };
  };

  /**
   * A projector configured by `variables` over the process's own, serving its panel on loopback;
   * `api`, when given, is where it finds the api instead of where the variables say.
   */
  const panelWith = async (
    variables: Record<string, string>,
    run: (url: string) => Promise<void>,
    api?: ProjectorSettings['api'],
  ) => {
    const projector = new Projector(store, PROJECTIONS, {
      streamPrefixes: ['account-none'],
      log: () => undefined,
    });
    const app = await createProjectorApp(projector, store, {
      configuration: await configuration((env) => {
        const settings = projectorSettingsFrom({ ...env, SWITCHBOARD_API_URL: undefined, ...variables });
        return api ? { ...settings, api } : settings;
      }),
    });
    try {
      await app.listen(0, '127.0.0.1');
      await run(await app.getUrl());
    } finally {
      await app.close();
    }
  };

  const ANSWER_PATH = '/panel/api/accounts/acme/lines/15550100/calls/c1/answer';
  const answerThroughPanel = (url: string, headers: Record<string, string> = {}) =>
    fetch(`${url}${ANSWER_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ actor: 'bob' }),
    });

  it("passes a command's origin headers (X-Correlation-Id, Idempotency-Key) on to the api, as the page sent them", async () => {
    // Given an api that records what reaches it
    const api = await recordingApi('127.0.0.1');
    try {
      await panelWith({ SWITCHBOARD_API_URL: `http://127.0.0.1:${api.port}` }, async (url) => {
        // When the page sends a command with its flow's correlation id and an idempotency key
        const answer = await answerThroughPanel(url, {
          'x-correlation-id': 'call-acme-c1',
          'idempotency-key': 'k1',
        });
        // Then the api receives both
        expect(answer.status).toBe(201);
        expect(api.seen[0]).toMatchObject({ 'x-correlation-id': 'call-acme-c1', 'idempotency-key': 'k1' });
      });
    } finally {
      await api.close();
    }
  }, 30_000);

  it('forwards to the api where API_HOST and API_PORT place it when SWITCHBOARD_API_URL is unset, as the CLI finds it', async () => {
    // Given an api bound to another loopback address than 127.0.0.1, placed by API_HOST and API_PORT only
    const api = await recordingApi('127.0.0.2');
    try {
      await panelWith({ API_HOST: '127.0.0.2', API_PORT: String(api.port) }, async (url) => {
        // When the page sends a command
        const answer = await answerThroughPanel(url);
        // Then it reaches that api, not 127.0.0.1 on its port
        expect(answer.status).toBe(201);
        expect(api.seen).toHaveLength(1);
      });
    } finally {
      await api.close();
    }
  }, 30_000);

  it('says on /panel/api-status whether the api answers where it forwards, always with a 200', async () => {
    const status = async (url: string) => {
      const answer = await fetch(`${url}/panel/api-status`);
      return [answer.status, await answer.json()];
    };
    // Given an api answering where the projector forwards, Then it answers
    const api = await recordingApi('127.0.0.1');
    try {
      await panelWith({ SWITCHBOARD_API_URL: `http://127.0.0.1:${api.port}` }, async (url) => {
        expect(await status(url)).toEqual([200, { answering: true }]);
      });
    } finally {
      await api.close();
    }
    // Given nothing there, or no address at all, Then it does not
    await panelWith({ SWITCHBOARD_API_URL: await closedAddress() }, async (url) => {
      expect(await status(url)).toEqual([200, { answering: false }]);
    });
    await panelWith({ API_PORT: '0' }, async (url) => {
      expect(await status(url)).toEqual([200, { answering: false }]);
    });
  }, 30_000);

  it('answers API_UNAVAILABLE, asking whether the stack runs, when nothing answers at the address it was given', async () => {
    // Given a projector told where the api is, and no api there
    const url = await closedAddress();
    await panelWith({ SWITCHBOARD_API_URL: url }, async (panel) => {
      // When the page sends a command
      const answer = await answerThroughPanel(panel);
      // Then the projector says the api is not answering there
      expect(answer.status).toBe(502);
      expect(await answer.json()).toEqual({
        statusCode: 502,
        code: 'API_UNAVAILABLE',
        message: `The api at ${url} is not answering (refused, or no answer within 10 s): is the stack running (npm start)?`,
      });
    });
  }, 30_000);

  it('answers API_ADDRESS_NOT_SET, not that the stack is down, when nothing answers at the default address it fell back to', async () => {
    // Given a projector given no address for the api, on a machine where none answers at the default one
    const url = await closedAddress();
    await panelWith(
      {},
      async (panel) => {
        // When the page sends a command
        const answer = await answerThroughPanel(panel);
        // Then the projector says what is missing, and which variables set it
        expect(answer.status).toBe(502);
        expect(await answer.json()).toEqual({
          statusCode: 502,
          code: 'API_ADDRESS_NOT_SET',
          message: `The api's address is not set (no SWITCHBOARD_API_URL, API_HOST or API_PORT), and no api answers at the default, ${url}: set SWITCHBOARD_API_URL (or API_HOST and API_PORT) to the api's address, and start the projector again.`,
        });
      },
      // The default address stands in on a free port: the real one, 3000, may be another stack's.
      { url, byDefault: true },
    );
  }, 30_000);

  it('answers API_ADDRESS_NOT_SET, saying which variable to set, when API_PORT=0 leaves the api anywhere', async () => {
    // Given a stack whose api picks its own port, and no SWITCHBOARD_API_URL
    await panelWith({ API_PORT: '0' }, async (url) => {
      // When the page sends a command
      const answer = await answerThroughPanel(url);
      // Then the projector says it cannot know the api's address, rather than trying port 0
      expect(answer.status).toBe(502);
      expect(await answer.json()).toEqual({
        statusCode: 502,
        code: 'API_ADDRESS_NOT_SET',
        message:
          "The projector does not know where the api is, as API_PORT is 0, so the api listens on a port it picks itself: set SWITCHBOARD_API_URL (or API_HOST and API_PORT) to the api's address, and start the projector again.",
      });
    });
  }, 30_000);
});

/** A loopback address where nothing listens: a port taken from the system, then let go. */
async function closedAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  await new Promise((closed) => server.close(closed));
  return `http://127.0.0.1:${port}`;
}

/** Reads a server-sent event stream until it has sent `count` seats, then closes it. */
async function firstSeats(url: string, count: number): Promise<Seat[]> {
  const abort = new AbortController();
  const answer = await fetch(url, { signal: abort.signal });
  expect(answer.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const seats: Seat[] = [];
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of answer.body!) {
    buffered += decoder.decode(chunk as Uint8Array, { stream: true });
    const events = buffered.split('\n\n');
    buffered = events.pop()!;
    for (const event of events) {
      const data = event.split('\n').find((line) => line.startsWith('data: '));
      if (event.includes('event: seat') && data) seats.push(JSON.parse(data.slice('data: '.length)) as Seat);
    }
    if (seats.length >= count) break;
  }
  abort.abort();
  return seats;
}
