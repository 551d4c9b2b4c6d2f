import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { evolveAccount, initialAccountState, lineContextFor, lineDecider, type LineCommand } from '#domain';
import { eventSchemas, type DomainEvent } from '#events';
import { createProjectorApp } from '../../../apps/projector/src/bootstrap.js';
import { ReadModelsService } from '../../../apps/projector/src/http/read-models.service.js';
import { PROJECTIONS, Projector, replay } from '#read-models';
import {
  accountEvents,
  delegateOf,
  delegatorOf,
  numberOf,
  type WorkloadOptions,
} from '../../../bench/replay/workload.js';
import { connectToSharedStore } from '../../support/shared-store.js';
import { accountPrefixes, appendLive, freshWorkload, metadataAtFirst } from '../../support/workload.js';

/**
 * The real projections over the embedded server: events of the real catalogue appended through
 * EventStore, read back through HTTP. Each test uses its own account and projects only its streams,
 * so tests sharing the server do not see each other.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked by the assertions
type Json = any;

describe('projector read models over the embedded event store', () => {
  const { store } = connectToSharedStore(eventSchemas);
  let dataDir: string;
  beforeEach(async () => (dataDir = await mkdtemp(join(tmpdir(), 'projector-rm-'))));
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  const quiet = { log: () => undefined };
  const workload = (seed: number) => freshWorkload('acc', { seed, lines: 4, callsPerLine: 25 });
  const prefixes = (options: WorkloadOptions): string[] => accountPrefixes(options.accountId);

  const appendWorkload = (options: WorkloadOptions): Promise<bigint> => appendLive(store, options);
  /** A projector of a fresh workload of `seed`, caught up with all of it. */
  const projectedWorkload = async (seed: number) => {
    const options = workload(seed);
    const projector = new Projector(store, PROJECTIONS, { streamPrefixes: prefixes(options), ...quiet });
    await projector.start();
    const last = await appendWorkload(options);
    await projector.waitForPosition(last);
    return { options, projector, last };
  };

  const serve = async (projector: Projector): Promise<{ app: NestFastifyApplication; url: string }> => {
    const app = await createProjectorApp(projector, store);
    await app.listen(0, '127.0.0.1');
    return { app, url: await app.getUrl() };
  };

  it('a random event stream projected live has the same digest as a rebuild from the first event', async () => {
    const { options, projector, last } = await projectedWorkload(11);
    const rebuilt = await replay(store, PROJECTIONS, {
      streamPrefixes: prefixes(options),
      untilPosition: last,
    });
    await projector.stop();
    expect(projector.status).toBe('stopped');
    expect(rebuilt.eventCount).toBe(projector.readModels.eventCount);
    expect(rebuilt.digest()).toBe(projector.readModels.digest());
  });

  it('a projector stopped mid-stream and restarted from its snapshot converges to the same digest', async () => {
    const options = workload(23);
    const first = new Projector(store, PROJECTIONS, {
      streamPrefixes: prefixes(options),
      dataDir,
      snapshotEveryEvents: 40,
      ...quiet,
    });
    await first.start();
    const appending = appendWorkload(options);
    await new Promise<void>((stopped) => {
      const off = first.onChange((change) => {
        if (change.eventCount === 150) {
          off();
          void first.stop().then(stopped);
        }
      });
    });
    const last = await appending;
    const resumed = new Projector(store, PROJECTIONS, {
      streamPrefixes: prefixes(options),
      dataDir,
      ...quiet,
    });
    await resumed.start();
    expect(resumed.readModels.eventCount).toBeGreaterThanOrEqual(150);
    await resumed.waitForPosition(last);
    await resumed.stop();
    const rebuilt = await replay(store, PROJECTIONS, { streamPrefixes: prefixes(options) });
    expect(resumed.readModels.eventCount).toBe(rebuilt.eventCount);
    expect(resumed.readModels.digest()).toBe(rebuilt.digest());
  });

  it('serves the read models over HTTP: lamps per viewer, R17 visibility, audit CSV, health, metrics, rebuild, as-of', async () => {
    const { options, projector } = await projectedWorkload(5);
    const { app, url } = await serve(projector);
    const get = async (path: string, init?: RequestInit) => {
      const response = await fetch(`${url}${path}`, init);
      const type = response.headers.get('content-type') ?? '';
      const body: Json = type.includes('json') ? await response.json() : await response.text();
      return { status: response.status, type, body };
    };
    const { accountId } = options;
    try {
      const lamp = await get(`/lines/${accountId}/${numberOf(0)}/state?viewer=${delegateOf(0)}`);
      expect(lamp).toMatchObject({
        status: 200,
        body: {
          line: { number: `+${numberOf(0)}`, label: `Boss 0 · +${numberOf(0)}` },
          lamp: { state: 'idle' },
        },
      });

      const denied = await get(`/lines/${accountId}/${numberOf(0)}/voicemail?viewer=${delegateOf(1)}`);
      expect(denied).toMatchObject({ status: 403, body: { rule: 'R17', code: 'NOT_VISIBLE_TO_VIEWER' } });
      const inbox = await get(`/lines/${accountId}/${numberOf(0)}/voicemail?viewer=${delegatorOf(0)}`);
      expect(inbox.status).toBe(200);

      const history = await get(`/lines/${accountId}/${numberOf(0)}/history?viewer=${delegatorOf(0)}`);
      expect(history.body.calls).toHaveLength(25);
      const callId = history.body.calls[0].callId as string;

      const audit = await get(`/calls/${callId}/audit`);
      expect(audit.body.entries.at(-1)).toMatchObject({ type: 'CallEnded', actor: 'system:test' });
      const csv = await get(`/calls/${callId}/audit?format=csv`);
      expect(csv.type).toContain('text/csv');
      expect((csv.body as string).split('\r\n')[0]).toMatch(/^position,stream,revision,type,/);

      expect(await get(`/accounts/${accountId}/roster`)).toMatchObject({
        status: 200,
        body: { byDelegator: { [delegatorOf(2)]: [{ delegateId: delegateOf(2), status: 'active' }] } },
      });
      expect(
        (await get(`/accounts/${accountId}/parties/${delegatorOf(0)}/recordings?viewer=${delegateOf(0)}`))
          .status,
      ).toBe(403);

      expect(await get('/health')).toMatchObject({
        status: 200,
        body: { status: 'live', lag: { events: 0, ms: 0 }, snapshots: { written: 0, failed: 0 } },
      });
      const metrics = await get('/metrics');
      expect(metrics.body).toContain('projector_lag_events 0');
      expect(metrics.body).toContain('projector_snapshots_written_total 0');
      expect(metrics.body).toContain(`projector_events_applied_total ${projector.readModels.eventCount}`);

      const rebuild = await get('/rebuild', { method: 'POST' });
      expect(rebuild.body).toMatchObject({ equal: true, events: projector.readModels.eventCount });

      const digest = await get('/digest');
      const asOf = await get(`/digest?asOf=${digest.body.position}`);
      expect(asOf.body.digest).toBe(digest.body.digest);
      const past = await get(
        `/lines/${accountId}/${numberOf(0)}/history?viewer=${delegatorOf(0)}&asOfTime=2026-01-05T09:00:00.000Z`,
      );
      expect(past.body.calls).toEqual([]);

      expect((await get(`/lines/${accountId}/${numberOf(0)}/state?viewer=bad$id`)).status).toBe(400);
      // A point given twice is a list, not a point: refused, never read as some other time.
      for (const query of ['asOfTime=2026-01-05T09:00:00Z&asOfTime=1', 'asOf=1&asOf=2', 'asOfTime=1,2']) {
        const twice = await get(`/digest?${query}`);
        expect({ query, status: twice.status, code: twice.body.code }).toEqual({
          query,
          status: 400,
          code: 'INVALID_REQUEST',
        });
      }
      // A point that is none is refused naming the field, and the value given, in its sentence.
      const malformed: [string, string, string][] = [
        ['asOf=yesterday', 'asOf', '"yesterday"'],
        ['asOf=-1', 'asOf', '"-1"'],
        ['asOf=18446744073709551616', 'asOf', '"18446744073709551616"'],
        ['asOfTime=2026-13-45', 'asOfTime', '"2026-13-45"'],
        ['asOfTime=yesterday', 'asOfTime', '"yesterday"'],
        ['asOf=1&asOf=2', 'asOf', '2 values (give it once)'],
        ['asOf=1&asOfTime=2026-01-05T09:00:00Z', 'asOfTime', 'not both'],
      ];
      for (const [query, field, named] of malformed) {
        const refused = await get(
          `/lines/${accountId}/${numberOf(0)}/history?viewer=${delegatorOf(0)}&${query}`,
        );
        expect({ query, status: refused.status, code: refused.body.code }).toEqual({
          query,
          status: 400,
          code: 'INVALID_REQUEST',
        });
        expect(refused.body.errors).toEqual([{ field, messages: [expect.any(String)] }]);
        expect(refused.body.message).toContain(named);
      }
      expect((await get('/docs')).status).toBe(200);
    } finally {
      await app.close();
      await projector.stop();
    }
  });

  it("refuses an asOfTime the stack's clock has not reached: 422 AS_OF_TIME_NOT_REACHED naming the clock's time", async () => {
    const { options, projector } = await projectedWorkload(7);
    const lastEvent = projector.readModels.lastSimulatedTime!;
    const hourAfter = new Date(Date.parse(lastEvent) + 3_600_000).toISOString();
    const history = (asOfTime: string) =>
      `/lines/${options.accountId}/${numberOf(0)}/history?viewer=${delegatorOf(0)}&asOfTime=${asOfTime}`;
    const saved = process.env.CLOCK_MODE;
    process.env.CLOCK_MODE = 'virtual';
    const virtual = await serve(projector).finally(() => {
      if (saved === undefined) delete process.env.CLOCK_MODE;
      else process.env.CLOCK_MODE = saved;
    });
    const realtime = await serve(projector);
    const get = async (url: string, path: string) => {
      const response = await fetch(`${url}${path}`);
      return { status: response.status, body: (await response.json()) as Json };
    };
    try {
      // Given the virtual clock at the workload's last event (no advance in this log moved it further)
      // When an architect asks for an hour later, Then nothing has happened then yet
      const ahead = await get(virtual.url, history(hourAfter));
      expect(ahead).toMatchObject({
        status: 422,
        body: { code: 'AS_OF_TIME_NOT_REACHED', stackTime: lastEvent },
      });
      expect(ahead.body.message).toBe(
        `${hourAfter} has not come yet: the stack's clock is at ${lastEvent}. Ask for a time at or before it, or leave asOfTime out for the live view.`,
      );
      // Whatever the route, the digest included, and whatever zone the time is written in
      const inAnotherZone = hourAfter.replace('Z', '+00:00');
      for (const path of [`/digest?asOfTime=${encodeURIComponent(inAnotherZone)}`, history(hourAfter)]) {
        expect((await get(virtual.url, path)).body.code).toBe('AS_OF_TIME_NOT_REACHED');
      }
      // While the time of the last event itself is answered
      expect((await get(virtual.url, history(lastEvent))).status).toBe(200);
      // And in realtime mode the bound is the wall clock: the same hour has passed, a year ahead has not
      expect((await get(realtime.url, history(hourAfter))).status).toBe(200);
      const yearAhead = new Date(Date.now() + 366 * 86_400_000).toISOString();
      expect(await get(realtime.url, history(yearAhead))).toMatchObject({
        status: 422,
        body: { code: 'AS_OF_TIME_NOT_REACHED' },
      });
      expect((await get(realtime.url, history('9999-12-31T23:59:59Z'))).status).toBe(422);
    } finally {
      await virtual.app.close();
      await realtime.app.close();
      await projector.stop();
    }
  });

  it("answers as-of queries over HTTP from each account's scope checkpoints exactly as from the first event, and shows them in /health and /metrics", async () => {
    // About 850 records: two checkpoints of 400, built in the background once the log is quiet.
    const options = freshWorkload('acc', { seed: 31, lines: 4, callsPerLine: 40 });
    const projector = new Projector(store, PROJECTIONS, {
      streamPrefixes: prefixes(options),
      dataDir,
      ...quiet,
    });
    await projector.start();
    const last = await appendWorkload(options);
    await projector.waitForPosition(last);
    // The same queries answered by a projector without a data directory fold from the first event.
    const bare = new Projector(store, PROJECTIONS, { streamPrefixes: prefixes(options), ...quiet });
    await bare.start();
    await bare.waitForPosition(last);
    const [withCheckpoints, fromFirstEvent] = [await serve(projector), await serve(bare)];
    const get = async (url: string, path: string): Promise<Json> => {
      const response = await fetch(`${url}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      return response.headers.get('content-type')?.includes('json') ? response.json() : response.text();
    };
    try {
      let health: Json;
      for (let tries = 0; tries < 300; tries++) {
        health = await get(withCheckpoints.url, '/health');
        if (health.timeTravel.scopeCheckpoints.count >= 2) break;
        await new Promise((resume) => setTimeout(resume, 100));
      }
      expect(health.timeTravel).toMatchObject({
        index: { caughtUp: true },
        scopeCheckpoints: { accounts: 1, count: 2, ignored: 0, everyRecords: 400 },
        queries: { running: 0, waiting: 0, concurrency: 2, queueLength: 8 },
      });
      expect(health.timeTravel.scopeCheckpoints.bytes).toBeGreaterThan(0);
      expect((await get(fromFirstEvent.url, '/health')).timeTravel.scopeCheckpoints).toBeNull();
      expect(await get(withCheckpoints.url, '/metrics')).toMatch(/^projector_scope_checkpoints 2$/m);

      const { accountId } = options;
      const service = withCheckpoints.app.get(ReadModelsService);
      let first = 0n;
      for await (const { event } of store.client.readStream(`account-${accountId}`, { maxCount: 1 }))
        first = event!.position!.commit;
      let fromCheckpoint = 0;
      for (const step of [0.5, 0.75, 0.9, 1]) {
        const asOf = first + BigInt(Math.round(Number(last - first) * step));
        for (const path of [
          `/accounts/${accountId}/parties/${delegatorOf(1)}/history?viewer=${delegatorOf(1)}&asOf=${asOf}`,
          `/lines/${accountId}/${numberOf(2)}/history?viewer=${delegatorOf(2)}&asOf=${asOf}`,
        ]) {
          const answer = await get(withCheckpoints.url, path);
          if (service.timeMachine.lastTrip?.checkpointEvents !== undefined) fromCheckpoint++;
          expect({ path, answer }).toEqual({ path, answer: await get(fromFirstEvent.url, path) });
        }
      }
      // Past the first checkpoint (at 400 of ~850 records) every point has one to start from.
      expect(fromCheckpoint).toBe(8);
    } finally {
      await withCheckpoints.app.close();
      await fromFirstEvent.app.close();
      await projector.stop();
      await bare.stop();
    }
  }, 60_000);

  it('R17 one rule for line and party history; unknown account, party or line is 404 with a code; a line number may carry its "+"', async () => {
    const { options, projector } = await projectedWorkload(11);
    const { app, url } = await serve(projector);
    const get = async (path: string) => {
      const response = await fetch(`${url}${path}`);
      return { status: response.status, body: (await response.json()) as Json };
    };
    const { accountId } = options;
    const boss = delegatorOf(0);
    const partyHistory = (party: string, viewer: string) =>
      get(`/accounts/${accountId}/parties/${party}/history?viewer=${viewer}`);
    try {
      const line = await get(`/lines/${accountId}/${numberOf(0)}/history?viewer=${boss}`);
      const own = await partyHistory(boss, boss);
      expect(own).toMatchObject({ status: 200, body: { partyId: boss, viewerRole: 'self' } });
      expect(own.body.calls.length).toBeGreaterThan(0);
      // The delegate of line 0 sees the boss's calls on the line they share, as on the line's history.
      const shared = await partyHistory(boss, delegateOf(0));
      expect(shared).toMatchObject({ status: 200, body: { viewerRole: 'delegate' } });
      const onLine = new Set(line.body.calls.map((c: Json) => c.callId));
      expect(shared.body.calls.every((c: Json) => onLine.has(c.callId))).toBe(true);
      // An outsider is refused on the party's history exactly as on the line's.
      const outsider = delegateOf(1);
      expect(await get(`/lines/${accountId}/${numberOf(0)}/history?viewer=${outsider}`)).toMatchObject({
        status: 403,
        body: { code: 'NOT_VISIBLE_TO_VIEWER', rule: 'R17' },
      });
      expect(await partyHistory(boss, outsider)).toMatchObject({
        status: 403,
        body: { code: 'NOT_VISIBLE_TO_VIEWER', rule: 'R17' },
      });
      expect((await get(`/accounts/${accountId}/parties/${boss}/history`)).status).toBe(400);

      const unknownAccount = { status: 404, body: { code: 'ACCOUNT_NOT_FOUND' } };
      const unknownParty = { status: 404, body: { code: 'PARTY_NOT_FOUND' } };
      expect(await get(`/accounts/nobody/roster`)).toMatchObject(unknownAccount);
      expect(await get(`/accounts/nobody/parties/${boss}/roster`)).toMatchObject(unknownAccount);
      expect(await get(`/accounts/${accountId}/parties/ghost/roster`)).toMatchObject(unknownParty);
      expect(await get(`/accounts/nobody/parties/${boss}/history?viewer=${boss}`)).toMatchObject(
        unknownAccount,
      );
      expect(await partyHistory('ghost', 'ghost')).toMatchObject(unknownParty);
      expect(await get(`/accounts/${accountId}/parties/ghost/recordings?viewer=ghost`)).toMatchObject(
        unknownParty,
      );
      for (const route of ['state', 'voicemail', 'history']) {
        expect(await get(`/lines/nobody/${numberOf(0)}/${route}?viewer=${boss}`)).toMatchObject(
          unknownAccount,
        );
        expect(await get(`/lines/${accountId}/5559999/${route}?viewer=${boss}`)).toMatchObject({
          status: 404,
          body: {
            code: 'LINE_NOT_FOUND',
            rule: 'R10',
            // The number asked for by its digits, written back with its "+"
            message:
              'No party of this account owns the number +5559999; provision it as a direct number first.',
          },
        });
        // E.164 as the api takes it: "+" and digits name the same line as the digits alone.
        const plus = await get(`/lines/${accountId}/%2B${numberOf(0)}/${route}?viewer=${boss}`);
        const digits = await get(`/lines/${accountId}/${numberOf(0)}/${route}?viewer=${boss}`);
        expect(plus).toEqual(digits);
        expect(await get(`/lines/${accountId}/12a4/${route}?viewer=${boss}`)).toMatchObject({
          status: 400,
          body: { code: 'INVALID_NUMBER' },
        });
      }
      expect(await get(`/lines/nobody/${numberOf(0)}/diagnostics/busy`)).toMatchObject(unknownAccount);
      expect(await get(`/lines/${accountId}/%2B${numberOf(0)}/diagnostics/busy`)).toEqual(
        await get(`/lines/${accountId}/${numberOf(0)}/diagnostics/busy`),
      );
      const callId = line.body.calls[0].callId as string;
      expect(await get(`/lines/${accountId}/%2B${numberOf(0)}/calls/${callId}/audit`)).toMatchObject({
        status: 200,
        body: { callId },
      });
    } finally {
      await app.close();
      await projector.stop();
    }
  });

  it('a call is named by its line and id: /calls/:callId answers 409 once two lines used the id, and an old log that reused one on a line keeps both calls', async () => {
    const options = { ...workload(7), lines: 2, callsPerLine: 0 };
    const { accountId } = options;
    const account = accountEvents(options);
    await store.append(account.stream, account.events, 'any', metadataAtFirst(account.events));
    const accountState = account.events.reduce(evolveAccount, initialAccountState);
    /**
     * One call c1 on a line, as the line decider emits it: received, rung, answered by the delegator,
     * ended. Each is decided on a line that knew no c1, as an old log could (the decider refuses that now).
     */
    const call = (line: number, at: string): DomainEvent[] => {
      const commands: LineCommand[] = [
        { type: 'ReceiveIncomingCall', callId: 'c1', actor: 'external', from: '+15550100' },
        { type: 'AnswerCall', callId: 'c1', actor: delegatorOf(line) },
        { type: 'HangUp', callId: 'c1', actor: delegatorOf(line) },
      ];
      let state = lineDecider.initialState;
      const events: DomainEvent[] = [];
      for (const command of commands) {
        const { events: decided } = lineDecider.decide(
          command,
          state,
          lineContextFor(accountState, `+${numberOf(line)}`, at),
        );
        state = decided.reduce(lineDecider.evolve, state);
        events.push(...decided);
      }
      return events;
    };
    const lineStream = (line: number): string => `line-${accountId}.${numberOf(line)}`;
    const first = await store.append(
      lineStream(0),
      call(0, '2026-01-05T09:00:00.000Z'),
      'any',
      metadataAtFirst(call(0, '2026-01-05T09:00:00.000Z')),
    );
    const projector = new Projector(store, PROJECTIONS, { streamPrefixes: prefixes(options), ...quiet });
    await projector.start();
    await projector.waitForPosition(first.position);
    const { app, url } = await serve(projector);
    const get = async (path: string) => {
      const response = await fetch(`${url}${path}`);
      return { status: response.status, body: (await response.json()) as Json };
    };
    try {
      const unique = await get('/calls/c1/audit');
      expect(unique.status).toBe(200);
      expect(unique.body).toMatchObject({ callId: 'c1', line: { accountId, number: numberOf(0) } });
      expect(unique.body).not.toHaveProperty('instance');
      expect(unique.body.entries.map((e: Json) => [e.type, e.revision])).toEqual([
        ['IncomingCallReceived', '0'],
        ['CallRang', '1'],
        ['CallAnswered', '2'],
        ['CallEnded', '3'],
      ]);
      expect(unique.body.entries[3]).toMatchObject({
        stream: lineStream(0),
        position: String(first.position),
        actor: 'system:test',
        data: { callId: 'c1', reason: 'hungUp' },
        chainHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect((await get(`/calls/c1/diagnostics/ring?party=${delegatorOf(0)}`)).body).toMatchObject({
        rule: 'R13',
      });

      // Another line uses c1, and (an old log) the first line uses it again once its call is over.
      await store.append(
        lineStream(1),
        call(1, '2026-01-05T09:01:00.000Z'),
        'any',
        metadataAtFirst(call(1, '2026-01-05T09:01:00.000Z')),
      );
      const again = await store.append(
        lineStream(0),
        call(0, '2026-01-05T09:02:00.000Z'),
        'any',
        metadataAtFirst(call(0, '2026-01-05T09:02:00.000Z')),
      );
      await projector.waitForPosition(again.position);
      expect(projector.status).toBe('live');

      const ambiguous = await get('/calls/c1/audit');
      expect(ambiguous).toMatchObject({
        status: 409,
        body: {
          code: 'AMBIGUOUS_CALL_ID',
          lines: [
            { accountId, number: numberOf(0), path: `/lines/${accountId}/${numberOf(0)}/calls/c1` },
            { accountId, number: numberOf(1), path: `/lines/${accountId}/${numberOf(1)}/calls/c1` },
          ],
        },
      });
      expect((await get(`/calls/c1/diagnostics/ring?party=${delegatorOf(0)}`)).status).toBe(409);

      const onLine = (line: number, rest: string) =>
        get(`/lines/${accountId}/${numberOf(line)}/calls/c1/${rest}`);
      // The id names the latest call by it; both stay in the line's history.
      const latest = await onLine(0, 'audit');
      expect(latest.body.entries.map((e: Json) => e.revision)).toEqual(['4', '5', '6', '7']);
      const history = await get(`/lines/${accountId}/${numberOf(0)}/history?viewer=${delegatorOf(0)}`);
      expect(history.body.calls.map((c: Json) => [c.callId, c.startedAt])).toEqual([
        ['c1', '2026-01-05T09:02:00.000Z'],
        ['c1', '2026-01-05T09:00:00.000Z'],
      ]);
      const other = await onLine(1, 'audit');
      expect(other.body.entries.map((e: Json) => [e.stream, e.data.at])).toEqual(
        Array.from({ length: 4 }, () => [lineStream(1), '2026-01-05T09:01:00.000Z']),
      );
      expect((await onLine(1, `diagnostics/ring?party=${delegatorOf(1)}`)).body).toMatchObject({
        rule: 'R13',
        question: expect.stringContaining('c1'),
      });
      expect((await onLine(1, `diagnostics/ring?party=${delegatorOf(0)}`)).body).toMatchObject({
        rule: 'R10',
      });
      expect((await get(`/lines/${accountId}/9999/calls/c1/audit`)).status).toBe(404);
    } finally {
      await app.close();
      await projector.stop();
    }
  });
});
