import { jsonEvent, type EventStoreDBClient } from '@eventstore/db-client';
import { createEventStoreClient } from '#eventstore';
import { requestsTo, send } from '../support/json-http.js';
import { startStack, type Stack } from '../support/stack.js';
import { runCli, verifyStack } from '../support/cli.js';

/**
 * The store is shared: other clients write into `line-…` and `account-…` streams too. Written here
 * through the official client into a live stack (embedded store, api, projector as processes): an
 * event without metadata, one with metadata that is not JSON, one of an unknown type, one of a known
 * type with data missing fields, one of a schema version from the future. Every consumer applies its
 * stated policy (README, "Events Switchboard did not write") and nothing stops.
 */
const STARTUP_MS = 60_000;
const STEP_MS = 60_000;
/** Polls `probe` until it returns something defined (processes share 2 cores: no timed assertions). */
const eventually = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
  for (let attempt = 0; attempt < 400; attempt++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((retry) => setTimeout(retry, 50));
  }
  throw new Error(`never: ${what}`);
};

/** Metadata as Switchboard writes it (SPEC §2): an event carrying it claims to be Switchboard's. */
const envelope = (schemaVersion = 1) => ({
  $correlationId: 'other-tool',
  $causationId: 'other-tool',
  commandId: `other-tool-${Math.random().toString(36).slice(2)}`,
  actor: 'other-tool',
  onBehalfOf: null,
  permission: null,
  simulatedTime: '2026-01-05T09:00:00.000Z',
  schemaVersion,
});

const appendRaw = async (
  client: EventStoreDBClient,
  stream: string,
  event: { type: string; data: Record<string, unknown>; metadata?: Record<string, unknown> | Uint8Array },
): Promise<bigint> => {
  const result = await client.appendToStream(
    stream,
    jsonEvent({
      type: event.type,
      data: event.data,
      ...(event.metadata === undefined ? {} : { metadata: event.metadata as Record<string, unknown> }),
    }),
  );
  return result.position!.commit;
};

/**
 * A stack on a virtual clock and a client of its store, for one suite: started before its first test
 * (the suite's own `beforeAll` hooks, declared after, can use them) and stopped after its last.
 */
const liveStackForSuite = (): { stack: Stack; client: EventStoreDBClient } => {
  const running = {} as { stack: Stack; client: EventStoreDBClient };
  beforeAll(async () => {
    running.stack = await startStack({ CLOCK_MODE: 'virtual' });
    running.client = createEventStoreClient(running.stack.store.address);
  }, STARTUP_MS);
  afterAll(async () => {
    await running.client?.dispose();
    await running.stack?.stop();
  }, STARTUP_MS);
  return running;
};

describe('events Switchboard did not write, in a live stack', () => {
  const running = liveStackForSuite();
  const accountId = 'fx-acme';
  const otherAccount = 'fx-other';
  const poisonedAccount = 'fx-poisoned';
  // Carol's line gets all five kinds of foreign event while a call rings on it; the account gets
  // another client's events; Dave's line is untouched. Erin's account gets unreadable events of ours.
  const carolLine = '+15550002002';
  const daveLine = '+15550002003';
  const erinLine = '+15550003001';
  const lineStream = (number: string, account = accountId): string => `line-${account}.${number.slice(1)}`;
  let lastForeignPosition = 0n;
  /** Where the first unreadable event of ours on Carol's line landed: the one a refusal names. */
  let carolMissingFields = 0n;

  const { api, ok } = requestsTo(() => running.stack.api.address);
  const provision = async (account: string, users: readonly (readonly [string, string])[]) => {
    await ok('POST', '/accounts', { actor: 'root', accountId: account, name: account });
    for (const [partyId, number] of users) {
      await ok('POST', `/accounts/${account}/phone-users`, {
        actor: 'root',
        partyId,
        name: partyId,
        directNumbers: [number],
        callingPlan: 'pro',
        assistantEnabled: true,
        desktopClient: { platform: 'windows', version: '6.4.0' },
      });
    }
  };
  const ring = (number: string, callId: string, account = accountId) =>
    ok('POST', `/accounts/${account}/lines/${number}/incoming-calls`, { from: '+15557770000', callId });
  const endedAs = async (number: string, callId: string): Promise<unknown> => {
    const line = await ok('GET', `/accounts/${accountId}/lines/${number}`);
    const calls = line.body.recentCalls as { callId: string; endedAs: string }[];
    return calls.find((call) => call.callId === callId)?.endedAs;
  };
  /**
   * Read straight from the store: the api refuses to fold a line holding an unreadable event of
   * ours for a person, so the proof that the timer appended is the event itself, and who sent it.
   */
  const voicemailInStore = async (stream: string, callId: string) => {
    const found: { reason: unknown; actor: unknown }[] = [];
    for await (const { event } of running.client.readStream(stream)) {
      const data = event?.data as { callId?: string; reason?: string } | undefined;
      if (event?.type === 'CallSentToVoicemail' && data?.callId === callId)
        found.push({ reason: data.reason, actor: (event.metadata as { actor?: string }).actor });
    }
    return found;
  };
  const eventsIn = async (stream: string): Promise<number> => {
    let count = 0;
    for await (const _ of running.client.readStream(stream)) count++;
    return count;
  };
  const apiForeign = async () =>
    (await api('GET', '/health')).body.foreignEvents as Record<
      string,
      { total: number; byReason: Record<string, number>; last: { stream: string; position: string }[] }
    >;
  const projectorCaughtUp = (position = lastForeignPosition) =>
    eventually('the projector reaches the position', async () => {
      const health = await send(running.stack.projector.address, 'GET', '/health');
      return BigInt((health.body.position as string | null) ?? '0') >= position ? health : undefined;
    });

  beforeAll(async () => {
    await provision(accountId, [
      ['carol', carolLine],
      ['dave', daveLine],
    ]);
    await provision(poisonedAccount, [['erin', erinLine]]);
  }, STARTUP_MS);

  it(
    'with all five kinds of foreign event in one line, a call ringing there still times out to voicemail, as on the other lines; a person’s command there is refused with 422 FOREIGN_EVENT_IN_STREAM naming the position; untouched streams take commands',
    async () => {
      // Calls ringing before the foreign events arrive: their timers are on the virtual clock.
      await ring(carolLine, 'fx-call-carol');
      await ring(daveLine, 'fx-call-dave');
      await ring(erinLine, 'fx-call-erin', poisonedAccount);

      // Into Carol's line, while her call rings: another client's events (no metadata, metadata not
      // JSON), then events that claim to be Switchboard's (they carry its metadata) but that this
      // build cannot read: a known type with data missing fields (an answer of the ringing call, had
      // it been complete), an unknown type, a schema version from the future.
      const partialAnswer = { callId: 'fx-call-carol' };
      lastForeignPosition = await appendRaw(running.client, lineStream(carolLine), {
        type: 'CallAnswered',
        data: partialAnswer,
      });
      lastForeignPosition = await appendRaw(running.client, lineStream(carolLine), {
        type: 'CallAnswered',
        data: partialAnswer,
        metadata: new TextEncoder().encode('{not json'),
      });
      carolMissingFields = await appendRaw(running.client, lineStream(carolLine), {
        type: 'CallAnswered',
        data: partialAnswer,
        metadata: envelope(),
      });
      lastForeignPosition = await appendRaw(running.client, lineStream(carolLine), {
        type: 'CrmNoteAdded',
        data: { note: 'called back' },
        metadata: envelope(),
      });
      lastForeignPosition = await appendRaw(running.client, lineStream(carolLine), {
        type: 'IncomingCallReceived',
        data: { callId: 'fx-call-carol-2', caller: { e164: '+15557770001' } },
        metadata: envelope(99),
      });
      // Another client's events on the account of both lines.
      for (const event of [
        { type: 'PartyPowerPackChanged', data: { partyId: 'carol' } },
        { type: 'PartyPowerPackChanged', data: {}, metadata: new TextEncoder().encode('\u0000\u0001') },
        { type: 'CrmContactSynced', data: { contact: 42 }, metadata: { source: 'crm' } },
      ]) {
        lastForeignPosition = await appendRaw(running.client, `account-${accountId}`, event);
      }
      // Unreadable events of ours on the account of Erin's ringing line.
      await appendRaw(running.client, `account-${poisonedAccount}`, {
        type: 'VipContactAdded',
        data: { delegatorId: 'erin', contact: { number: '+15557770002' } },
        metadata: envelope(7),
      });
      lastForeignPosition = await appendRaw(running.client, `account-${poisonedAccount}`, {
        type: 'DelegateInvited',
        data: { delegatorId: 'erin' },
        metadata: envelope(),
      });

      // The timers skipped and counted every foreign line event of a type that can change a timer
      // (the three answers: the unknown type and the incoming call change none, so the timers never
      // read them), the account cache every account one.
      const counted = await eventually('the api counts the foreign events', async () => {
        const foreign = await apiForeign();
        return foreign.lineTimersSkipped!.total === 3 && foreign.accountCacheSkipped!.total === 5
          ? foreign
          : undefined;
      });
      expect(counted.lineTimersSkipped!.byReason).toMatchObject({
        NO_METADATA: 1,
        METADATA_NOT_JSON: 1,
        DATA_INVALID: 1,
        UNKNOWN_TYPE: 0,
        SCHEMA_VERSION_FROM_FUTURE: 0,
      });
      expect(counted.lineTimersSkipped!.last.map((event) => event.stream)).toEqual(
        Array(3).fill(lineStream(carolLine)),
      );

      // The ring timeouts fall due: every call reaches voicemail, Carol's through the foreign events.
      const advanced = await ok('POST', '/clock/advance', { actor: 'root', bySeconds: 120 });
      expect(advanced.body).toMatchObject({ mode: 'virtual' });
      expect(await voicemailInStore(lineStream(carolLine), 'fx-call-carol')).toEqual([
        { reason: 'ringTimeout', actor: 'system:timers' },
      ]);
      expect(await voicemailInStore(lineStream(erinLine, poisonedAccount), 'fx-call-erin')).toEqual([
        { reason: 'ringTimeout', actor: 'system:timers' },
      ]);
      expect(await endedAs(daveLine, 'fx-call-dave')).toBe('voicemail');

      // A person's command on Carol's line is refused, naming the first unreadable event, and appends nothing.
      const before = await eventsIn(lineStream(carolLine));
      const refused = await api('POST', `/accounts/${accountId}/lines/${carolLine}/incoming-calls`, {
        from: '+15557770004',
        callId: 'fx-call-carol-3',
      });
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({
        code: 'FOREIGN_EVENT_IN_STREAM',
        details: {
          stream: lineStream(carolLine),
          position: String(carolMissingFields),
          eventType: 'CallAnswered',
          reason: 'DATA_INVALID',
        },
      });
      expect(await eventsIn(lineStream(carolLine))).toBe(before);
      const refusedAccount = await api('POST', `/accounts/${poisonedAccount}/phone-users`, {
        actor: 'root',
        partyId: 'gina',
        name: 'gina',
        directNumbers: ['+15550003002'],
        callingPlan: 'pro',
        assistantEnabled: true,
        desktopClient: { platform: 'windows', version: '6.4.0' },
      });
      expect(refusedAccount.status).toBe(422);
      expect(refusedAccount.body).toMatchObject({
        code: 'FOREIGN_EVENT_IN_STREAM',
        details: { stream: `account-${poisonedAccount}`, reason: 'SCHEMA_VERSION_FROM_FUTURE' },
      });

      // Commands on a line no one else wrote to, on an account another client wrote to, on a new account.
      await ring(daveLine, 'fx-call-dave-2');
      await ok('POST', '/clock/advance', { actor: 'root', bySeconds: 120 });
      expect(await endedAs(daveLine, 'fx-call-dave-2')).toBe('voicemail');
      await provision(otherAccount, [['frank', '+15550004001']]);
      const added = await ok('POST', `/accounts/${accountId}/phone-users`, {
        actor: 'root',
        partyId: 'gina',
        name: 'gina',
        directNumbers: ['+15550002004'],
        callingPlan: 'pro',
        assistantEnabled: true,
        desktopClient: { platform: 'windows', version: '6.4.0' },
      });

      // The read model parked the foreign events and shows the timer's voicemail in Carol's inbox.
      await projectorCaughtUp(BigInt(added.body.position!));
      const inbox = await send(
        running.stack.projector.address,
        'GET',
        `/lines/${accountId}/${carolLine.slice(1)}/voicemail?viewer=carol`,
      );
      expect(inbox.status).toBe(200);
      expect(inbox.body.messages).toEqual([expect.objectContaining({ callId: 'fx-call-carol' })]);

      const health = await api('GET', '/health');
      expect(health.status).toBe(200);
      const foreign = health.body.foreignEvents as Record<string, { total: number }>;
      expect(foreign.lineCommandsRefused!.total).toBeGreaterThan(0);
      expect(foreign.accountCommandsRefused!.total).toBeGreaterThan(0);
      const metrics = await api('GET', '/metrics');
      expect(metrics.text).toContain(
        'api_foreign_events_total{consumer="lineTimersSkipped",reason="NO_METADATA"} 1',
      );
      expect(metrics.text).toContain(
        'api_foreign_events_total{consumer="accountCacheSkipped",reason="UNKNOWN_TYPE"} 1',
      );
    },
    STEP_MS,
  );

  it(
    'the projector parks every foreign event with its reason and stays live; its digest equals a rebuild that parks the same',
    async () => {
      const health = await projectorCaughtUp();
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({
        status: 'live',
        parked: {
          count: 10,
          parkFailedEvents: false,
          byReason: {
            NO_METADATA: 2,
            METADATA_NOT_JSON: 2,
            UNKNOWN_TYPE: 2,
            DATA_INVALID: 2,
            SCHEMA_VERSION_FROM_FUTURE: 2,
          },
        },
      });
      const parked = await send(running.stack.projector.address, 'GET', '/parked');
      expect(parked.body.events).toContainEqual(
        expect.objectContaining({
          stream: lineStream(carolLine),
          position: String(carolMissingFields),
          reason: 'DATA_INVALID',
        }),
      );
      const metrics = await send(running.stack.projector.address, 'GET', '/metrics');
      expect(metrics.text).toContain('projector_parked_events 10');
      expect(metrics.text).toContain('projector_parked_events_by_reason{reason="METADATA_NOT_JSON"} 2');

      const rebuild = await send(running.stack.projector.address, 'POST', '/rebuild');
      expect(rebuild.body).toMatchObject({ equal: true, parked: { live: 10, rebuilt: 10 } });

      const listed = await runCli(['projector', 'parked', '--projector', running.stack.projector.address]);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain('10 parked event(s)');
      expect(listed.stdout).toContain(`${lineStream(carolLine)}@`);
    },
    STEP_MS,
  );

  it(
    'verify reports each foreign event with its reason and position; the digest check still passes',
    async () => {
      const verified = await verifyStack(running.stack, ['--no-progress']);
      const { report } = verified;
      expect(verified.code).not.toBe(0);
      expect(report.checks).toMatchObject({ metadata: 'failed', schema: 'failed', digest: 'passed' });
      expect(report.digest).toMatchObject({ equal: true, parked: 10 });
      expect(report.problems.map((problem) => problem.reason).sort()).toEqual(
        [
          ...Array(2).fill('NO_METADATA'),
          ...Array(2).fill('METADATA_NOT_JSON'),
          ...Array(2).fill('UNKNOWN_TYPE'),
          ...Array(2).fill('DATA_INVALID'),
          ...Array(2).fill('SCHEMA_VERSION_FROM_FUTURE'),
        ].sort(),
      );
    },
    STEP_MS,
  );
});

describe('a projector that meets an event it cannot apply', () => {
  const running = liveStackForSuite();
  const accountId = 'fx-stuck';
  const line = '+15550005001';

  it(
    'stops loudly by default, never reports a rebuild equal while stopped, and with --park-failed-events parks the event (kept across restarts) and goes on',
    async () => {
      const created = await send(running.stack.api.address, 'POST', '/accounts', {
        actor: 'root',
        accountId,
        name: 'Stuck',
      });
      expect(created.status).toBeLessThan(300);
      // Well-formed and ours, but about a voicemail the line never had: the voicemail projection cannot apply it.
      const poison = await appendRaw(running.client, `line-${accountId}.${line.slice(1)}`, {
        type: 'VoicemailRead',
        data: { messageId: 'ghost', by: 'alice', onBehalfOf: null, at: '2026-01-05T09:00:00.000Z' },
        metadata: envelope(),
      });
      const stopped = await eventually('the projector stops', async () => {
        const health = await send(running.stack.projector.address, 'GET', '/health');
        return health.body.status === 'failed' ? health : undefined;
      });
      expect(stopped.status).toBe(503);
      expect(stopped.body.failure).toMatchObject({ eventType: 'VoicemailRead', position: String(poison) });
      const whileStopped = await send(running.stack.projector.address, 'POST', '/rebuild');
      expect(whileStopped.body).toMatchObject({ equal: false, liveStatus: 'failed' });

      // The way out: restart it told to park such events.
      await running.stack.projector.stop();
      const parking = await running.stack.startProjector({ PROJECTOR_PARK_FAILED_EVENTS: '1' });
      const after = await send(running.stack.api.address, 'POST', '/accounts', {
        actor: 'root',
        accountId: 'fx-after',
        name: 'After',
      });
      const live = await eventually('the parking projector passes the poison', async () => {
        const health = await send(parking.address, 'GET', '/health');
        return BigInt((health.body.position as string | null) ?? '0') >= BigInt(after.body.position!)
          ? health
          : undefined;
      });
      expect(live.body).toMatchObject({
        status: 'live',
        parked: {
          count: 1,
          parkFailedEvents: true,
          last: [
            expect.objectContaining({
              position: String(poison),
              type: 'VoicemailRead',
              reason: 'PROJECTION_FAILED',
              projection: expect.any(String),
            }),
          ],
        },
      });
      expect((await send(parking.address, 'POST', '/rebuild')).body).toMatchObject({
        equal: true,
        parked: { live: 1, rebuilt: 1 },
      });

      // Parked events are kept with the snapshot: a restart lists the same one.
      await parking.stop();
      const restarted = await running.stack.startProjector({ PROJECTOR_PARK_FAILED_EVENTS: '1' });
      const parked = await send(restarted.address, 'GET', '/parked');
      expect(parked.body).toMatchObject({
        count: 1,
        events: [expect.objectContaining({ position: String(poison), reason: 'PROJECTION_FAILED' })],
      });
      await restarted.stop();
    },
    STEP_MS * 2,
  );
});
