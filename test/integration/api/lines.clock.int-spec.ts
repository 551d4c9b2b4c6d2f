import { jest } from '@jest/globals';
import { EventStore } from '#eventstore';
import { collect } from '../../support/collect.js';
import { startEmbeddedEventStore, type EmbeddedEventStore } from '../../support/embedded-eventstore.js';
import {
  ALICE,
  CALLER,
  LINE,
  VIP_CALLER,
  VIP_FIRST,
  accountCommands,
  lineEvents,
  linePath,
  lineStreamOf,
  seedAccount,
  seedLine,
  startApi,
  type AccountSpec,
  type Api,
  type CommandReply,
} from './lines.support.js';

// Starting a store, an api or the CLI can take longer than Jest's 5 s default on a busy machine.
jest.setTimeout(60_000);

const BOB = 'bob';
const CAROL = 'carol';

/** A line's events for a call that rang unanswered until its ring timeout sent it to voicemail (R14). */
const RANG_OUT_TO_VOICEMAIL = ['IncomingCallReceived', 'CallRang', 'CallSentToVoicemail', 'VoicemailLeft'];

interface ClockView {
  mode: string;
  now: string;
  pendingTimers: { key: string; dueAt: string }[];
}

const plusSeconds = (iso: string, seconds: number): string =>
  new Date(Date.parse(iso) + seconds * 1000).toISOString();

/** Alice shares her line with Bob and Carol; VIP callers ring her first, the delegates after 5 s. */
const scenarioAccount: AccountSpec = {
  powerPack: true,
  delegates: [{ id: BOB }, { id: CAROL }],
  then: VIP_FIRST,
};

/**
 * Timers in virtual time (R14, R16, R19, R21). Each spec runs on its own in-memory event store: a
 * virtual clock shares the store's `clock-virtual` stream, and an api in realtime mode on the same
 * store would fire these (long past) timers at once.
 */
describe('line timers on the virtual clock', () => {
  let store: EmbeddedEventStore;
  let api: Api;
  beforeEach(async () => {
    store = await startEmbeddedEventStore({ inMemory: true });
    api = await startApi({ clock: 'virtual', connectionString: store.connectionString });
  });
  afterEach(async () => {
    await api?.close();
    await store?.stop();
  });

  const lineWith = () => seedLine(api, 'clock', scenarioAccount);
  const command = (path: string, body: Record<string, unknown>) => api.post<CommandReply>(path, body);
  const advance = (bySeconds: number) =>
    api.post<ClockView>('/clock/advance', { actor: 'tester', bySeconds });
  const clock = async () => (await api.get<ClockView>('/clock')).body;

  it("R21: a command's at moves the clock before it is decided: refused, it leaves the time passed and what fell due before it fired; a malformed one moves nothing", async () => {
    const { accountId, path } = await lineWith();
    const start = (await clock()).now;
    expect((await command(`${path}/incoming-calls`, { from: CALLER, callId: 'r1' })).status).toBe(201);

    const malformed = await command(`${path}/calls/r1/answer`, {
      actor: BOB,
      at: plusSeconds(start, 40),
      x: 1,
    });
    expect(malformed.status).toBe(400);
    expect((await clock()).now).toBe(start);

    const refused = await command(`${path}/calls/r1/answer`, { actor: BOB, at: plusSeconds(start, 40) });
    // The ring timed out at +30 s, before Bob's answer at +40 s was decided.
    expect(refused.body).toMatchObject({ code: 'CALL_ENDED' });
    expect((await clock()).now).toBe(plusSeconds(start, 40));
    expect((await lineEvents(api, accountId)).map((e) => e.event.type)).toEqual(RANG_OUT_TO_VOICEMAIL);
  });

  it('R14: nobody answers within the ring timeout: the timer sends the call to the shared voicemail', async () => {
    const { accountId, path } = await lineWith();
    const start = (await clock()).now;
    const rang = await command(`${path}/incoming-calls`, {
      from: CALLER,
      callId: 'c1',
      commandId: 'ring-c1',
    });
    expect(rang.body.events[1]?.data).toMatchObject({ ringTimeoutAt: plusSeconds(start, 30) });
    expect((await clock()).pendingTimers).toEqual([
      { key: `${lineStreamOf(accountId)}:ringTimeout:c1`, dueAt: plusSeconds(start, 30) },
    ]);

    await advance(29);
    expect((await lineEvents(api, accountId)).map((e) => e.event.type)).toEqual([
      'IncomingCallReceived',
      'CallRang',
    ]);
    const after = await advance(1);
    expect(after.body.pendingTimers).toEqual([]);

    const events = await lineEvents(api, accountId);
    expect(events.slice(2).map((e) => e.event)).toEqual([
      {
        type: 'CallSentToVoicemail',
        data: {
          callId: 'c1',
          reason: 'ringTimeout',
          missedBy: [ALICE, BOB, CAROL],
          ringLegsEnded: [ALICE, BOB, CAROL],
          at: plusSeconds(start, 30),
        },
      },
      {
        type: 'VoicemailLeft',
        // In the inbox of Alice, whose number the call arrived on (R17)
        data: { messageId: 'c1', callId: 'c1', from: CALLER, at: plusSeconds(start, 30), owner: ALICE },
      },
    ]);
    // The timer's command is caused by the event that set it (the ring, with its due time) and keeps
    // the call's correlation.
    expect(events[1]?.event.type).toBe('CallRang');
    expect(events[2]?.metadata).toMatchObject({
      actor: 'system:timers',
      commandId: `timer-c1-ringTimeout-${Date.parse(plusSeconds(start, 30))}`,
      $correlationId: 'ring-c1',
      $causationId: events[1]?.id,
      onBehalfOf: null,
      permission: null,
      simulatedTime: plusSeconds(start, 30),
    });
  });

  it('R14: an answer before the timeout cancels the timer', async () => {
    const { path } = await lineWith();
    await command(`${path}/incoming-calls`, { from: CALLER, callId: 'c2' });
    await command(`${path}/calls/c2/answer`, { actor: BOB });
    // Advancing by nothing waits until the process manager has seen the answer.
    expect((await advance(0)).body.pendingTimers).toEqual([]);
    await advance(60);
    expect((await api.get(path)).body).toMatchObject({ call: { callId: 'c2', phase: 'connected' } });
  });

  it("R14/R21: a delegate's answer at the ring timeout's very instant comes after the timeout, one a millisecond before wins", async () => {
    const { accountId, path } = await lineWith();
    const start = (await clock()).now;
    await command(`${path}/incoming-calls`, { from: CALLER, callId: 'e1' });
    // When Bob answers exactly when the ring times out, Then the timer fired first: the call is in voicemail
    const late = await command(`${path}/calls/e1/answer`, { actor: BOB, at: plusSeconds(start, 30) });
    expect(late.body).toMatchObject({ statusCode: 409, code: 'CALL_ENDED', rule: 'R13' });
    expect((await lineEvents(api, accountId)).map((e) => e.event.type)).toEqual(RANG_OUT_TO_VOICEMAIL);
    // When the next caller's call is answered a millisecond before its timeout, Then Bob has it, and no voicemail
    const next = (await clock()).now;
    await command(`${path}/incoming-calls`, { from: CALLER, callId: 'e2' });
    const inTime = await command(`${path}/calls/e2/answer`, {
      actor: BOB,
      at: new Date(Date.parse(next) + 29_999).toISOString(),
    });
    expect(inTime.body.events).toMatchObject([{ type: 'CallAnswered', data: { by: BOB } }]);
    await advance(60);
    expect((await api.get(path)).body).toMatchObject({ call: { callId: 'e2', phase: 'connected' } });
  });

  it('R16: a transfer nobody answers is recalled to the party who transferred it', async () => {
    const { accountId, path } = await lineWith();
    await command(`${path}/incoming-calls`, { from: CALLER, callId: 'c3' });
    await command(`${path}/calls/c3/answer`, { actor: ALICE });
    const start = (await clock()).now;
    await command(`${path}/calls/c3/transfer`, { actor: ALICE, to: BOB });
    await advance(30);
    const view = await api.get<{ call: { phase: string; parties: string[] } }>(path);
    expect(view.body.call).toMatchObject({ phase: 'connected', parties: [ALICE] });
    const recalled = (await lineEvents(api, accountId)).at(-1);
    expect(recalled?.event).toEqual({
      type: 'CallTransferRecalled',
      data: {
        callId: 'c3',
        attempt: 1,
        to: ALICE,
        target: BOB,
        reason: 'timeout',
        at: plusSeconds(start, 30),
      },
    });
  });

  it('R16: after a recall, the former target answering or declining is told the transfer to it was recalled, when, why and to whom, on the call and once it is over', async () => {
    const { path } = await lineWith();
    await command(`${path}/incoming-calls`, { from: CALLER, callId: 'c4' });
    await command(`${path}/calls/c4/answer`, { actor: ALICE });
    const recalledAt = plusSeconds((await clock()).now, 30);
    await command(`${path}/calls/c4/transfer`, { actor: ALICE, to: BOB });
    await advance(30);
    const recall = {
      callId: 'c4',
      party: BOB,
      reason: 'TRANSFER_RECALLED',
      recalledAt,
      recalledFor: 'timeout',
      backTo: ALICE,
    };
    const told = `its transfer to you was recalled at ${recalledAt}, as you did not answer it in time, and went back to Alice.`;
    for (const act of ['answer', 'decline']) {
      const refused = await api.post(`${path}/calls/c4/${act}`, { actor: BOB });
      expect(refused.body).toEqual({
        statusCode: 409,
        code: 'NOT_RINGING_FOR_YOU',
        rule: 'R16',
        message: `Call c4 is not ringing for you: ${told}`,
        details: recall,
      });
    }
    await command(`${path}/calls/c4/hang-up`, { actor: ALICE });
    const view = await api.get<{ recentCalls: { callId: string; recalledTransfers: unknown[] }[] }>(path);
    expect(view.body.recentCalls.find((call) => call.callId === 'c4')?.recalledTransfers).toEqual([
      { attempt: 1, target: BOB, backTo: ALICE, reason: 'timeout', at: recalledAt },
    ]);
    const late = await api.post(`${path}/calls/c4/answer`, { actor: BOB });
    expect(late.body).toMatchObject({
      statusCode: 409,
      code: 'NOT_RINGING_FOR_YOU',
      message: `Call c4 is no longer on the line (ended); ${told}`,
      details: { ...recall, endedAs: 'ended' },
    });
  });

  it('R19: a VIP caller rings Alice first; after the delay the delegates ring too and may answer', async () => {
    const { path } = await lineWith();
    const rang = await command(`${path}/incoming-calls`, { from: VIP_CALLER, callId: 'v1' });
    expect(rang.body.events[1]?.data.alerted).toEqual([ALICE]);
    const early = await api.post(`${path}/calls/v1/answer`, { actor: BOB });
    expect(early.body).toMatchObject({ statusCode: 409, code: 'NOT_RINGING_FOR_YOU', rule: 'R13' });
    await advance(5);
    const answered = await command(`${path}/calls/v1/answer`, { actor: BOB });
    expect(answered.status).toBe(200);
    expect(answered.body.events[0]?.data).toMatchObject({ by: BOB, ringLegsEnded: [ALICE, CAROL] });
  });

  it('R21: advancing to the next timer moves the clock exactly to the ring timeout and fires it; with none pending it is refused', async () => {
    const { accountId, path } = await lineWith();
    const start = (await clock()).now;
    await command(`${path}/incoming-calls`, { from: CALLER, callId: 'n1' });
    const toNext = () => api.post<ClockView>('/clock/advance-to-next-timer', { actor: 'tester' });

    const advanced = await toNext();
    expect(advanced.status).toBe(200);
    expect(advanced.body).toMatchObject({ now: plusSeconds(start, 30), pendingTimers: [] });
    expect((await lineEvents(api, accountId)).map((e) => e.event.type)).toEqual(RANG_OUT_TO_VOICEMAIL);

    const clockEvents = async () =>
      (await collect(api.app.get(EventStore).readStream('clock-virtual'))).length;
    const appended = await clockEvents();
    const refused = await toNext();
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'NO_PENDING_TIMER', rule: 'R21' });
    expect((await clock()).now).toBe(plusSeconds(start, 30));
    expect(await clockEvents()).toBe(appended);
  });

  it('R21: a timer cancelled just before the advance is not taken for the next one', async () => {
    const { path } = await lineWith();
    await command(`${path}/incoming-calls`, { from: CALLER, callId: 'n2' });
    await command(`${path}/calls/n2/answer`, { actor: BOB });
    const refused = await api.post('/clock/advance-to-next-timer', { actor: 'tester' });
    expect(refused.body).toMatchObject({ statusCode: 409, code: 'NO_PENDING_TIMER' });
  });

  it('R21: a command carrying `at` moves the clock there first, firing timers due before it', async () => {
    const { accountId, path } = await lineWith();
    const start = (await clock()).now;
    await command(`${path}/incoming-calls`, { from: CALLER, callId: 'c4' });
    const later = await command(`${path}/calls`, {
      actor: ALICE,
      to: CALLER,
      callId: 'c5',
      at: plusSeconds(start, 45),
    });
    expect(later.status).toBe(201);
    expect(later.body.events[0]?.data).toMatchObject({ at: plusSeconds(start, 45) });
    expect((await lineEvents(api, accountId)).map((e) => e.event.type)).toEqual([
      ...RANG_OUT_TO_VOICEMAIL,
      'CallPlacedOnSharedLine',
    ]);
    const back = await command(`${path}/calls/c5/hang-up`, { actor: ALICE, at: start });
    expect(back.body).toMatchObject({ statusCode: 422, code: 'CLOCK_CANNOT_GO_BACK', rule: 'R21' });
  });

  it("R14: a client's command id cannot pass for a timer's, so no client can keep a ring from timing out", async () => {
    const { accountId, path } = await lineWith();
    const rang = await command(`${path}/incoming-calls`, { from: CALLER, callId: 't1' });
    const timerId = `timer-t1-ringTimeout-${Date.parse(String(rang.body.events[1]?.data.ringTimeoutAt))}`;
    const asBody = await api.post(`${path}/calls/t1/decline`, { actor: BOB, commandId: timerId });
    expect(asBody.body).toMatchObject({
      statusCode: 400,
      code: 'INVALID_REQUEST',
      errors: [{ field: 'commandId', messages: [expect.stringContaining('timer-')] }],
    });
    const asHeader = await api.post(
      `${path}/calls/t1/decline`,
      { actor: BOB },
      { 'idempotency-key': timerId },
    );
    expect(asHeader.body).toMatchObject({ statusCode: 400, code: 'INVALID_REQUEST' });
    const asCaller = await api.post(`${path}/calls/t1/external-hang-up`, { commandId: timerId });
    expect(asCaller.body).toMatchObject({ statusCode: 400, code: 'INVALID_REQUEST' });

    await advance(30);
    expect((await lineEvents(api, accountId)).map((e) => e.event.type)).toEqual(RANG_OUT_TO_VOICEMAIL);
  });

  it('R14, R16: a number its owner gives up mid-call still winds its calls down: the ring times out to voicemail, the party on a call hangs up', async () => {
    const { accountId, path } = await seedLine(api, 'given-up', { delegates: [] });
    const numbers = (directNumbers: string[]) =>
      api.app
        .getUrl()
        .then((url) =>
          fetch(`${url}/accounts/${accountId}/parties/${ALICE}/direct-numbers`, {
            method: 'PUT',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ actor: 'root', directNumbers }),
          }),
        )
        .then((answer) => answer.status);
    const OTHER = '+15550000099';

    expect((await command(`${path}/incoming-calls`, { from: CALLER, callId: 'g1' })).status).toBe(201);
    expect(await numbers([OTHER])).toBe(200);
    await advance(30);
    expect((await lineEvents(api, accountId)).map((e) => e.event.type)).toEqual(RANG_OUT_TO_VOICEMAIL);
    expect((await clock()).pendingTimers).toEqual([]);

    // Nobody owns the number: nothing new starts on it, but a call on it can still end.
    const refused = await command(`${path}/incoming-calls`, { from: CALLER, callId: 'g2' });
    expect(refused.body).toMatchObject({ statusCode: 404, code: 'LINE_NOT_FOUND', rule: 'R10' });
    expect(await numbers([OTHER, LINE])).toBe(200);
    expect((await command(`${path}/calls`, { actor: ALICE, to: CALLER, callId: 'g3' })).status).toBe(201);
    expect(await numbers([OTHER])).toBe(200);
    const hungUp = await command(`${path}/calls/g3/hang-up`, { actor: ALICE });
    expect(hungUp.status).toBe(200);
    expect(hungUp.body.events.map((e) => e.type)).toEqual(['CallEnded']);
  });

  it('R21: the clock never passes 9999-12-31T23:59:59.999Z, the last time the log can write, so no event of year 10000 reaches the read side', async () => {
    const { accountId, path } = await lineWith();
    const clockEvents = async () => collect(api.app.get(EventStore).readStream('clock-virtual'));
    const placed = await command(`${path}/calls`, {
      actor: ALICE,
      to: CALLER,
      callId: 'y1',
      at: '9999-12-31T23:59:59.000Z',
    });
    expect(placed.status).toBe(201);
    const lineBefore = (await lineEvents(api, accountId)).length;
    const clockBefore = (await clockEvents()).length;

    const tooLate = await api.post('/clock/advance', { actor: 'tester', bySeconds: 1 });
    expect(tooLate.body).toMatchObject({
      statusCode: 422,
      code: 'INVALID_TIME',
      rule: 'R21',
      message: expect.stringContaining('9999-12-31T23:59:59.999Z'),
    });
    const yearTenThousand = '+010000-01-01T00:00:00Z';
    expect((await api.post('/clock/advance', { actor: 'tester', to: yearTenThousand })).status).toBe(400);
    expect((await command(`${path}/calls/y1/hang-up`, { actor: ALICE, at: yearTenThousand })).status).toBe(
      400,
    );
    expect((await clockEvents()).length).toBe(clockBefore);
    expect((await lineEvents(api, accountId)).length).toBe(lineBefore);

    // The last millisecond is a time like any other; a ring timeout after it stays pending, and
    // moving the clock to it is refused.
    expect((await command(`${path}/calls/y1/hang-up`, { actor: ALICE })).status).toBe(200);
    const rang = await command(`${path}/incoming-calls`, {
      from: CALLER,
      callId: 'y2',
      at: '9999-12-31T23:59:59.999Z',
    });
    expect(rang.status).toBe(201);
    const toNext = await api.post('/clock/advance-to-next-timer', { actor: 'tester' });
    expect(toNext.body).toMatchObject({ statusCode: 422, code: 'INVALID_TIME', rule: 'R21' });
    expect(await clock()).toMatchObject({
      now: '9999-12-31T23:59:59.999Z',
      pendingTimers: [{ key: `${lineStreamOf(accountId)}:ringTimeout:y2` }],
    });
    for (const stored of [...(await clockEvents()), ...(await lineEvents(api, accountId))])
      expect(stored.metadata.simulatedTime).toMatch(/^\d{4}-/);
  });

  it('R21: a restarted api rebuilds pending timers by catching up, and fires them', async () => {
    const { accountId, path } = await lineWith();
    await command(`${path}/incoming-calls`, { from: CALLER, callId: 'c6' });
    await api.close();
    api = await startApi({ clock: 'virtual', connectionString: store.connectionString });
    await advance(30);
    expect((await lineEvents(api, accountId)).map((e) => e.event.type)).toContain('CallSentToVoicemail');
  });

  /** The same commands, with seeded ids, against a fresh store and a fresh virtual clock. */
  const scenario = async (target: Api): Promise<unknown[]> => {
    const accountId = 'replay';
    await seedAccount(target, accountId, accountCommands(accountId, scenarioAccount));
    const path = linePath(accountId);
    const send = (suffix: string, body: Record<string, unknown>) => target.post(`${path}/${suffix}`, body);
    const step = (bySeconds: number) => target.post('/clock/advance', { actor: 'tester', bySeconds });
    await send('incoming-calls', { from: CALLER, callId: 'r1', commandId: 's1' });
    await send('calls/r1/decline', { actor: BOB, commandId: 's2' });
    await step(30); // ring timeout → voicemail
    await send('voicemails/r1/read', { actor: CAROL, commandId: 's3' });
    await send('incoming-calls', { from: CALLER, callId: 'r2', commandId: 's4' });
    await send('calls/r2/answer', { actor: ALICE, commandId: 's5' });
    await send('calls/r2/transfer', { actor: ALICE, to: BOB, commandId: 's6' });
    await step(45); // transfer recall
    await send('calls/r2/hang-up', { actor: ALICE, commandId: 's7' });
    await send('incoming-calls', { from: VIP_CALLER, callId: 'r3', commandId: 's8' });
    await step(5); // VIP escalation
    await send('calls/r3/answer', { actor: CAROL, commandId: 's9' });
    await send('calls/r3/hold', { actor: CAROL, commandId: 's10' });
    await send('calls/r3/pick-up', { actor: BOB, commandId: 's11' });
    await send('calls/r3/hang-up', { actor: BOB, commandId: 's12' });
    const events = await lineEvents(target, accountId);
    return events.map(({ id, event, metadata, revision }) => ({ id, event, metadata, revision }));
  };

  it('R21: a scenario with ring timeout, transfer recall and VIP escalation replayed twice yields identical events', async () => {
    const first = await scenario(api);
    const again = await startEmbeddedEventStore({ inMemory: true });
    const replay = await startApi({ clock: 'virtual', connectionString: again.connectionString });
    try {
      const second = await scenario(replay);
      expect(second).toEqual(first);
      expect(first.map((e) => (e as { event: { type: string } }).event.type)).toEqual([
        'IncomingCallReceived',
        'CallRang',
        'CallDeclined',
        'CallSentToVoicemail',
        'VoicemailLeft',
        'VoicemailRead',
        'IncomingCallReceived',
        'CallRang',
        'CallAnswered',
        'CallTransferRequested',
        'CallTransferRecalled',
        'CallEnded',
        'IncomingCallReceived',
        'CallRang',
        'CallRang',
        'CallAnswered',
        'CallHeld',
        'HeldCallPickedUp',
        'CallEnded',
      ]);
    } finally {
      await replay.close();
      await again.stop();
    }
  });
});
