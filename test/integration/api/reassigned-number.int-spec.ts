import { jsonEvent } from '@eventstore/db-client';
import { collect } from '../../support/collect.js';
import { testMetadata } from '../../support/shared-store.js';
import { ADMIN, expectStatus, numberOf, servedAccountForSuite } from './accounts.support.js';

/**
 * R10/R17 through the api and a projector over the log: a number an admin takes from Alice and later
 * gives to Bob carries no part of Alice's voicemail or call history to Bob and Bob's delegate. The api
 * refuses them Alice's messages, the projector shows them only what came after, Alice keeps the calls
 * she took part in, and the audit trail still shows every event with the owner the call arrived for.
 */
describe('a direct number passed from one party to another (R10, R17)', () => {
  // Alice owns NUMBER (numberOf(1)); Bob numberOf(2); Carol numberOf(3).
  const { api, store, accountId, read } = servedAccountForSuite(['alice', 'bob', 'carol']);

  const NUMBER = numberOf(1);
  const DIGITS = NUMBER.slice(1);
  const CALLER = '+15550100';
  /** Paths on the line of `number`. */
  const lineOf = (number: string) => (rest: string) =>
    `/accounts/${accountId}/lines/${number.slice(1)}${rest}`;
  const line = lineOf(NUMBER);
  const lineEvents = async () => collect(store.readStream(`line-${accountId}.${DIGITS}`));
  const admin = (party: string, directNumbers: string[]) =>
    api.call('PUT', `/accounts/${accountId}/parties/${party}/direct-numbers`, {
      actor: ADMIN,
      directNumbers,
    });
  const inbox = async (viewer: string) => {
    const answer = await read(`/lines/${accountId}/${DIGITS}/voicemail?viewer=${viewer}`);
    expect(answer.status).toBe(200);
    return {
      messages: answer.body.messages.map((m: { messageId: string }) => m.messageId),
      missedCalls: answer.body.missedCalls.map((m: { callId: string }) => m.callId),
    };
  };
  const lineHistory = async (viewer: string) => {
    const answer = await read(`/lines/${accountId}/${DIGITS}/history?viewer=${viewer}`);
    expect(answer.status).toBe(200);
    return answer.body.calls.map((call: { callId: string }) => call.callId);
  };
  const partyHistory = async (party: string, viewer: string) => {
    const answer = await read(`/accounts/${accountId}/parties/${party}/history?viewer=${viewer}`);
    expect(answer.status).toBe(200);
    return answer.body.calls.map((call: { callId: string }) => call.callId);
  };
  const seat = async (viewer: string) => {
    const answer = await read(`/panel/seat?account=${accountId}&viewer=${viewer}`);
    expect(answer.status).toBe(200);
    return answer.body;
  };
  /** The call actions R20 lets the viewer take on its seat's first handed call, as the api decides them. */
  const mayOnHanded = async (viewer: string): Promise<string[]> => {
    const { callAvailability } = (await seat(viewer)).handedCalls[0];
    return Object.keys(callAvailability).filter((action) => callAvailability[action].allowed);
  };
  /** Alice on call `callId` on her number `number`: a caller rang it and she answered. Paths on its line. */
  const aliceOnACall = async (number: string, callId: string) => {
    const onLine = lineOf(number);
    expectStatus(await api.call('POST', onLine('/incoming-calls'), { from: CALLER, callId }), 201);
    expectStatus(await api.call('POST', onLine(`/calls/${callId}/answer`), { actor: 'alice' }), 200);
    return onLine;
  };
  /** Alice, on call `callId` on the line of `onLine`, ends it: as any party on a call does. */
  const aliceEnds = async (onLine: (rest: string) => string, callId: string) =>
    expect(await api.call('POST', onLine(`/calls/${callId}/hang-up`), { actor: 'alice' })).toMatchObject({
      status: 200,
      body: { events: [{ type: 'CallEnded' }] },
    });
  /** A call every alerted party declines: it goes to voicemail at once (R14). */
  const missedCall = async (callId: string, decliners: readonly string[]) => {
    expectStatus(await api.call('POST', line('/incoming-calls'), { from: CALLER, callId }), 201);
    for (const actor of decliners) {
      expectStatus(await api.call('POST', line(`/calls/${callId}/decline`), { actor }), 200);
    }
  };

  beforeAll(async () => {
    // Given Alice's number took a call she answered (a1) and one that went to her voicemail (a2)
    await aliceOnACall(NUMBER, 'a1');
    expectStatus(await api.call('POST', line('/calls/a1/hang-up'), { actor: 'alice' }), 200);
    await missedCall('a2', ['alice']);
    // And an admin then moved the number from Alice to Bob, who shares it with Carol
    expectStatus(await admin('alice', [numberOf(11)]), 200);
    expectStatus(await admin('bob', [numberOf(2), NUMBER]), 200);
    await api.delegate(accountId, 'bob', 'carol', { delegationId: 'bob-carol', sharedLines: [NUMBER] });
  });

  it("R17: the new owner and its delegate start with an empty inbox and history, not Alice's", async () => {
    for (const viewer of ['bob', 'carol']) {
      expect(await inbox(viewer)).toEqual({ messages: [], missedCalls: [] });
      expect(await lineHistory(viewer)).toEqual([]);
    }
    // Nor do Alice's calls on the number reach Bob's history through the line
    expect(await partyHistory('bob', 'carol')).toEqual([]);
    // While Alice keeps the calls she took part in (answered, declined), newest first
    expect(await partyHistory('alice', 'alice')).toEqual(['a2', 'a1']);
  });

  it("R17: the new owner and its delegate cannot read or delete Alice's message: 404, nothing appended", async () => {
    const before = (await lineEvents()).length;
    for (const actor of ['bob', 'carol']) {
      for (const [method, path] of [
        ['POST', '/voicemails/a2/read'],
        ['DELETE', '/voicemails/a2'],
      ] as const) {
        const answer = await api.call(method, line(path), { actor });
        expect(answer).toMatchObject({ status: 404, body: { code: 'VOICEMAIL_NOT_FOUND', rule: 'R17' } });
        expect(answer.body.message).toBe(
          `Voicemail a2 was left while ${NUMBER} was another party's number: it stays in that party's inbox, not in this one.`,
        );
      }
    }
    expect((await lineEvents()).length).toBe(before);
  });

  it("R17: a call to the number now is Bob's: in his and Carol's inbox and history, and theirs to read", async () => {
    await missedCall('b1', ['bob', 'carol']);
    for (const viewer of ['bob', 'carol']) {
      expect(await inbox(viewer)).toEqual({ messages: ['b1'], missedCalls: ['b1'] });
      expect(await lineHistory(viewer)).toEqual(['b1']);
    }
    expect(await api.call('POST', line('/voicemails/b1/read'), { actor: 'carol' })).toMatchObject({
      status: 200,
      body: { events: [{ type: 'VoicemailRead' }] },
    });
  });

  it("R10: a call still on a number when it passes on stays its owner's: the new owner cannot join it, its party hangs up", async () => {
    // Given Alice on a call on her new number, which an admin then gives to Carol mid-call
    const aliceLine = await aliceOnACall(numberOf(11), 'z1');
    expectStatus(await admin('alice', [numberOf(12)]), 200);
    expectStatus(await admin('carol', [numberOf(3), numberOf(11)]), 200);
    // When Carol, the number's owner now, joins it, Then it is not her call
    const joined = await api.call('POST', aliceLine('/calls/z1/join'), { actor: 'carol' });
    expect(joined).toMatchObject({ status: 404, body: { code: 'CALL_NOT_FOUND', rule: 'R16' } });
    expect(joined.body.message).toBe(
      `Call z1 started while ${numberOf(11)} was another party's number: it is that party's call, not this line's.`,
    );
    // And Alice, on it, still ends it
    await aliceEnds(aliceLine, 'z1');
  });

  it("R10/R15: the party holding a call of the number's previous owner still resumes it; the new owner cannot", async () => {
    // Given Alice holding a call on her number, which an admin then gives to Bob mid-call
    const moved = numberOf(12);
    const movedLine = await aliceOnACall(moved, 'h1');
    expectStatus(await api.call('POST', movedLine('/calls/h1/hold'), { actor: 'alice' }), 200);
    expectStatus(await admin('alice', [numberOf(13)]), 200);
    expectStatus(await admin('bob', [numberOf(2), NUMBER, moved]), 200);
    // When Bob, the number's owner now, resumes it, Then it is not his call
    const bobResumes = await api.call('POST', movedLine('/calls/h1/resume'), { actor: 'bob' });
    expect(bobResumes).toMatchObject({ status: 404, body: { code: 'CALL_NOT_FOUND', rule: 'R15' } });
    expect(bobResumes.body.message).toBe(
      `Call h1 started while ${moved} was another party's number: it is that party's call, not this line's.`,
    );
    // When Alice, who held it, resumes it, Then she is back on it, and holds and hangs up as any party on a call
    expect(await api.call('POST', movedLine('/calls/h1/resume'), { actor: 'alice' })).toMatchObject({
      status: 200,
      body: { events: [{ type: 'CallResumed', data: { by: 'alice' } }] },
    });
    expectStatus(await api.call('POST', movedLine('/calls/h1/hold'), { actor: 'alice' }), 200);
    await aliceEnds(movedLine, 'h1');
  });

  it("R10/R15: a call on a number its owner gave up, which nobody owns now, is still its parties' to hold, resume and lock; nobody else may act on it", async () => {
    // Given Alice on a call on her number, which an admin then takes from her without giving it to anyone
    const givenUp = numberOf(13);
    const givenUpLine = await aliceOnACall(givenUp, 'u1');
    expectStatus(await admin('alice', [numberOf(14)]), 200);
    const onlyItsCall = {
      status: 404,
      body: {
        code: 'LINE_NOT_FOUND',
        rule: 'R10',
        message: `No party of this account owns the number ${givenUp} any more: only the parties on the call still on it may act on that call.`,
      },
    };
    const before = (await collect(store.readStream(`line-${accountId}.${givenUp.slice(1)}`))).length;
    // When Carol, not on it, holds it, Then the number is nobody's for her, and nothing is appended
    expect(await api.call('POST', givenUpLine('/calls/u1/hold'), { actor: 'carol' })).toMatchObject(
      onlyItsCall,
    );
    expect((await collect(store.readStream(`line-${accountId}.${givenUp.slice(1)}`))).length).toBe(before);
    // When Alice holds it locked, Then it is held and locked, as any owner of a call holds it
    expect(
      await api.call('POST', givenUpLine('/calls/u1/hold'), { actor: 'alice', privacyLock: true }),
    ).toMatchObject({ status: 200, body: { events: [{ type: 'CallHeld', data: { privacyLocked: true } }] } });
    // And Carol cannot resume it, while Alice, who holds it, resumes it and unlocks it
    expect(await api.call('POST', givenUpLine('/calls/u1/resume'), { actor: 'carol' })).toMatchObject(
      onlyItsCall,
    );
    expect(await api.call('POST', givenUpLine('/calls/u1/resume'), { actor: 'alice' })).toMatchObject({
      status: 200,
      body: { events: [{ type: 'CallResumed', data: { by: 'alice' } }] },
    });
    expect(
      await api.call('POST', givenUpLine('/calls/u1/privacy-lock'), { actor: 'alice', locked: false }),
    ).toMatchObject({
      status: 200,
      body: { events: [{ type: 'CallPrivacyLockChanged', data: { locked: false } }] },
    });
    // While nothing new starts on the number: a call to it is refused as to any number nobody owns
    expect(
      await api.call('POST', givenUpLine('/incoming-calls'), { from: CALLER, callId: 'u2' }),
    ).toMatchObject({ status: 404, body: { code: 'LINE_NOT_FOUND', rule: 'R10' } });
    // And Alice ends her call
    await aliceEnds(givenUpLine, 'u1');
  });

  it('the audit trail still shows every event of a call of the previous ownership, with its owner', async () => {
    const trail = await read(`/lines/${accountId}/${DIGITS}/calls/a2/audit`);
    expect(trail.status).toBe(200);
    expect(trail.body.lineOwner).toBe('alice');
    expect(trail.body.entries.map((entry: { type: string }) => entry.type)).toEqual([
      'IncomingCallReceived',
      'CallRang',
      'CallDeclined',
      'CallSentToVoicemail',
      'VoicemailLeft',
    ]);
    expect(trail.body.entries[0].data).toMatchObject({ owner: 'alice' });
    expect(trail.body.entries[4].data).toMatchObject({ messageId: 'a2', owner: 'alice' });
    expect((await read(`/lines/${accountId}/${DIGITS}/calls/b1/audit`)).body.lineOwner).toBe('bob');
  });

  it("R17: a missed call and message stored at v1, before owners were, read as the line's current owner's (Bob's)", async () => {
    // Given a call that went to the line's voicemail, as a build before v2 wrote it: schema v1, no owner
    const at = '2026-01-05T09:30:00.000Z';
    const v1 = { ...testMetadata({ actor: 'system:clock', simulatedTime: at }), schemaVersion: 1 };
    const v1Event = (type: string, data: Record<string, unknown>) =>
      jsonEvent({ type, data, metadata: { ...v1, commandId: `${v1.commandId}-${type}` } });
    await store.client.appendToStream(`line-${accountId}.${DIGITS}`, [
      v1Event('IncomingCallReceived', { callId: 'old1', line: NUMBER, from: CALLER, vip: false, at }),
      v1Event('CallSentToVoicemail', {
        callId: 'old1',
        reason: 'ringTimeout',
        missedBy: [],
        ringLegsEnded: [],
        at,
      }),
      v1Event('VoicemailLeft', { messageId: 'old1', callId: 'old1', from: CALLER, at }),
    ]);
    // When the line is read, Then the projector upcasts them to v2 with owner null: Bob's and Carol's
    for (const viewer of ['bob', 'carol']) {
      const { messages, missedCalls } = await inbox(viewer);
      expect(messages).toContain('old1');
      expect(missedCalls).toContain('old1');
      expect(await lineHistory(viewer)).toContain('old1');
    }
    const trail = await read(`/lines/${accountId}/${DIGITS}/calls/old1/audit`);
    expect(trail.body.entries.map((entry: { data: { owner?: unknown } }) => entry.data.owner)).toEqual([
      null,
      undefined,
      null,
    ]);
    // And the api, folding the line through the same upcast, lets Carol read the message for Bob
    expect(await api.call('POST', line('/voicemails/old1/read'), { actor: 'carol' })).toMatchObject({
      status: 200,
      body: { events: [{ type: 'VoicemailRead' }] },
    });
  });

  it("R17: the api's own view of the line lists the inbox of the current ownership, as the projector does", async () => {
    // Given Alice's message a2, Bob's b1 and the unrecorded old1 on the line (the tests above)
    const view = await api.call('GET', line(''));
    expect(view.status).toBe(200);
    // Then the api lists Bob's and the unrecorded one, not Alice's: the same as the projector's inbox
    const listed = view.body.voicemails.map((message: { messageId: string }) => message.messageId);
    expect(listed.sort()).toEqual(['b1', 'old1']);
    expect([...(await inbox('bob')).messages].sort()).toEqual(listed);
  });

  it("R17: the api's own view of the line lists and counts only the current ownership's calls, as the projector's history does", async () => {
    // Given Alice's a1 (answered) and a2 (to voicemail), Bob's b1 and the unrecorded old1 (the tests above)
    const view = await api.call('GET', line(''));
    expect(view.status).toBe(200);
    // Then Bob's view has neither of Alice's calls, who answered them, nor their counts
    expect(view.body.recentCalls).toEqual([
      {
        callId: 'b1',
        owner: 'bob',
        answeredBy: null,
        endedAs: 'voicemail',
        at: expect.any(String),
        recalledTransfers: [],
      },
      {
        callId: 'old1',
        owner: null,
        answeredBy: null,
        endedAs: 'voicemail',
        at: '2026-01-05T09:30:00.000Z',
        recalledTransfers: [],
      },
    ]);
    expect(JSON.stringify(view.body)).not.toContain('alice');
    expect(view.body.totals).toEqual({ calls: 2, missed: 2, voicemails: 2 });
    // The same calls as the projector's line history shows Bob, newest first there
    expect(await lineHistory('bob')).toEqual(
      view.body.recentCalls.map((call: { callId: string }) => call.callId).reverse(),
    );
  });

  it("R12/R17: a call to the number while the previous owner's call is still on it is the new owner's in the api's view", async () => {
    // Given Alice on a call on her number, which an admin then gives to Carol mid-call
    const movedNumber = numberOf(14);
    const moved = (rest: string) => `/accounts/${accountId}/lines/${movedNumber.slice(1)}${rest}`;
    expectStatus(await api.call('POST', moved('/incoming-calls'), { from: CALLER, callId: 'y1' }), 201);
    expectStatus(await api.call('POST', moved('/calls/y1/answer'), { actor: 'alice' }), 200);
    expectStatus(await admin('alice', [numberOf(15)]), 200);
    expectStatus(await admin('carol', [numberOf(3), numberOf(11), movedNumber]), 200);
    // When a call arrives on the busy line, and then Alice hangs up hers
    expect(await api.call('POST', moved('/incoming-calls'), { from: CALLER, callId: 'y2' })).toMatchObject({
      status: 201,
      body: {
        events: [
          { type: 'IncomingCallReceived' },
          { type: 'CallSentToVoicemail', data: { reason: 'lineBusy' } },
          { type: 'VoicemailLeft' },
        ],
      },
    });
    expectStatus(await api.call('POST', moved('/calls/y1/hang-up'), { actor: 'alice' }), 200);
    // Then Carol's view lists and counts y2, Carol's, and nothing of Alice's y1
    const view = await api.call('GET', moved(''));
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({
      busy: false,
      voicemails: [{ messageId: 'y2', owner: 'carol' }],
      recentCalls: [{ callId: 'y2', owner: 'carol', answeredBy: null, endedAs: 'voicemail' }],
      totals: { calls: 1, missed: 1, voicemails: 1 },
    });
    expect(view.body.recentCalls).toHaveLength(1);
  });

  it("R10/R12: while the previous owner's call is on the number, the new owner and its delegate see only that the line is busy and since when, in the api's view as on the projector's lamp", async () => {
    // Given Alice on a call on her number, which an admin then gives to Bob, who shares it with Carol
    const handedOver = numberOf(15);
    const digits = handedOver.slice(1);
    const handed = lineOf(handedOver);
    expectStatus(await admin('alice', [handedOver]), 200);
    const arrived = await api.call('POST', handed('/incoming-calls'), { from: CALLER, callId: 'x1' });
    expectStatus(arrived, 201);
    const since: string = arrived.body.events[0].data.at;
    expectStatus(await api.call('POST', handed('/calls/x1/answer'), { actor: 'alice' }), 200);
    expectStatus(await admin('alice', [numberOf(16)]), 200);
    expectStatus(await admin('bob', [numberOf(2), NUMBER, numberOf(12), handedOver]), 200);
    expectStatus(
      await api.call('PUT', `/accounts/${accountId}/delegations/bob-carol/shared-lines`, {
        actor: 'bob',
        sharedLines: [NUMBER, handedOver],
      }),
      200,
    );
    const seen = async () => {
      const view = await api.call('GET', handed(''));
      expect(view.status).toBe(200);
      const lamps: unknown[] = [];
      for (const viewer of ['bob', 'carol']) {
        const state = await read(`/lines/${accountId}/${digits}/state?viewer=${viewer}`);
        expect(state.status).toBe(200);
        lamps.push(state.body.lamp);
      }
      return { view: view.body, lamps };
    };
    // When they look at the line while Alice talks, and again once she has put the call on hold
    for (const step of ['connected', 'held'] as const) {
      if (step === 'held')
        expectStatus(await api.call('POST', handed('/calls/x1/hold'), { actor: 'alice' }), 200);
      const { view, lamps } = await seen();
      // Then the api says busy, with no call of theirs, and since when the previous owner's call is on it
      expect(view).toMatchObject({ busy: true, call: null, previousOwnersCall: { since } });
      // And the projector's lamp says the same to Bob and to Carol: occupied since then, nothing more
      expect(lamps).toEqual([
        { state: 'occupied', since },
        { state: 'occupied', since },
      ]);
      // Nothing says whose call it is, who is on it or who called
      for (const shown of [view, ...lamps]) {
        for (const secret of ['x1', 'alice', 'ALICE', CALLER])
          expect(JSON.stringify(shown)).not.toContain(secret);
      }
    }
    // When Alice ends her call, Then the line is free for Bob and Carol, in both views
    expectStatus(await api.call('POST', handed('/calls/x1/resume'), { actor: 'alice' }), 200);
    expectStatus(await api.call('POST', handed('/calls/x1/hang-up'), { actor: 'alice' }), 200);
    const { view, lamps } = await seen();
    expect(view).toMatchObject({ busy: false, call: null, previousOwnersCall: null });
    expect(lamps).toEqual([{ state: 'idle' }, { state: 'idle' }]);
  });

  it("R10/R12/R20: the new owner placing a call on the number while the previous owner's call is on it is refused LINE_BUSY, and the busy diagnosis says why, naming neither the call nor who is on it", async () => {
    // Given Alice on a call on her number, which an admin then gives to Bob
    const handedOver = numberOf(17);
    const digits = handedOver.slice(1);
    const handed = lineOf(handedOver);
    expectStatus(await admin('alice', [handedOver]), 200);
    expectStatus(await api.call('POST', handed('/incoming-calls'), { from: CALLER, callId: 'w1' }), 201);
    expectStatus(await api.call('POST', handed('/calls/w1/answer'), { actor: 'alice' }), 200);
    expectStatus(await admin('alice', [numberOf(18)]), 200);
    expectStatus(await admin('bob', [numberOf(2), NUMBER, numberOf(12), numberOf(15), handedOver]), 200);
    const before = (await collect(store.readStream(`line-${accountId}.${digits}`))).length;
    // When Bob places a call on it, Then it is busy with a call of the number's previous owner, and nothing is appended
    const placed = await api.call('POST', handed('/calls'), { actor: 'bob', to: CALLER, callId: 'w2' });
    expect(placed).toMatchObject({
      status: 409,
      body: {
        code: 'LINE_BUSY',
        rule: 'R12',
        message: `Line ${handedOver} is busy with a call that started while it was another party's number; it takes no new call until that call ends.`,
      },
    });
    expect((await collect(store.readStream(`line-${accountId}.${digits}`))).length).toBe(before);
    // And the projector's busy diagnosis says the same
    const busy = await read(`/lines/${accountId}/${digits}/diagnostics/busy`);
    expect(busy).toMatchObject({
      status: 200,
      body: {
        rule: 'R12',
        answer: `Line ${handedOver} is busy with a call that started while it was another party's number (R10); it takes no new call until that call ends (R12).`,
      },
    });
    // And Bob's panel seat shows the line occupied, Place call unavailable with the same sentence, and no action
    const seatLine = (await seat('bob')).lines.find((line: { number: string }) => line.number === handedOver);
    expect(seatLine).toMatchObject({
      lamp: { state: 'occupied' },
      availability: { placeCall: { allowed: false, code: 'LINE_BUSY', rule: 'R12' } },
      recordings: [],
    });
    for (const said of [placed.body, busy.body, seatLine.lamp, seatLine.availability.placeCall]) {
      for (const secret of ['w1', 'alice', 'ALICE', CALLER])
        expect(JSON.stringify(said)).not.toContain(secret);
    }
    // (Answer, Pick up and Join are refused as the api refuses a command naming the call: by its id.)
    for (const secret of ['alice', 'ALICE', CALLER]) expect(JSON.stringify(seatLine)).not.toContain(secret);
    expectStatus(await api.call('POST', handed('/calls/w1/hang-up'), { actor: 'alice' }), 200);
  });

  it('R10/R20: Given Alice on a call on her number, When an admin takes the number from her and then gives it to Bob, Then her panel seat shows that call on its own, handed over, with what she may still do on it, until she hangs up', async () => {
    const handedOver = numberOf(19);
    const handed = lineOf(handedOver);
    // Given Alice on call y1 on her number
    expectStatus(await admin('alice', [handedOver]), 200);
    expectStatus(await api.call('POST', handed('/incoming-calls'), { from: CALLER, callId: 'y1' }), 201);
    expectStatus(await api.call('POST', handed('/calls/y1/answer'), { actor: 'alice' }), 200);
    expect((await seat('alice')).handedCalls).toEqual([]);
    // When an admin takes the number from her, Then the call is hers on a number nobody owns now
    expectStatus(await admin('alice', [numberOf(20)]), 200);
    const givenUp = await seat('alice');
    expect(givenUp.lines.map((line: { number: string }) => line.number)).toEqual([numberOf(20)]);
    expect(givenUp.handedCalls).toMatchObject([
      { number: handedOver, callId: 'y1', callOwner: { partyId: 'alice', name: 'ALICE' }, handedTo: null },
    ]);
    // When the admin gives it to Bob
    expectStatus(
      await admin('bob', [numberOf(2), NUMBER, numberOf(12), numberOf(15), numberOf(17), handedOver]),
      200,
    );
    // Then Alice's seat shows the call on it, handed to Bob, busy with her, and hers to hold, lock, record or hang up
    const talking = await seat('alice');
    expect(talking.lines.map((line: { number: string }) => line.number)).toEqual([numberOf(20)]);
    expect(talking.handedCalls).toEqual([
      {
        number: handedOver,
        callId: 'y1',
        callOwner: { partyId: 'alice', name: 'ALICE' },
        handedTo: { partyId: 'bob', name: 'BOB' },
        lamp: expect.objectContaining({ state: 'busy', callId: 'y1', by: ['alice'], onBehalfOf: null }),
        otherEnd: expect.objectContaining({
          callId: 'y1',
          number: CALLER,
          // Answered by Alice already, it is the caller's to hang up only
          answer: expect.objectContaining({ allowed: false, code: 'ALREADY_ANSWERED' }),
          hangUp: expect.objectContaining({ allowed: true }),
        }),
        callAvailability: expect.objectContaining({
          hold: expect.objectContaining({ allowed: true }),
          // Nothing but what the line decider lets a party on a previous owner's call do (R10)
          transfer: expect.objectContaining({ allowed: false, code: 'LINE_NOT_SHARED', rule: 'R10' }),
        }),
        availability: expect.objectContaining({
          // Nothing new starts on the number from her seat: it is Bob's, and not shared with her
          placeCall: expect.objectContaining({ allowed: false, code: 'LINE_NOT_SHARED', rule: 'R10' }),
        }),
        recordings: [],
      },
    ]);
    // And Bob sees only that his line is occupied, with no call of his own to act on
    expect((await seat('bob')).handedCalls).toEqual([]);
    // When she records and puts the call on hold, Then the seat shows her recording, hers to stop (R18),
    // and that she resumes it
    const recorded = await api.call('POST', handed('/calls/y1/recordings'), { actor: 'alice' });
    expectStatus(recorded, 201);
    expect((await seat('alice')).handedCalls[0]).toMatchObject({
      recordings: [{ callId: 'y1', stop: { allowed: true, rule: 'R18' } }],
    });
    expect(await mayOnHanded('alice')).toEqual(['hold', 'holdLocked', 'privacyLock', 'hangUp']);
    expectStatus(await api.call('POST', handed('/calls/y1/hold'), { actor: 'alice' }), 200);
    expect((await seat('alice')).handedCalls[0]).toMatchObject({ lamp: { state: 'held', heldBy: 'alice' } });
    expect(await mayOnHanded('alice')).toEqual(['resume', 'privacyLock', 'hangUp']);
    // When she resumes and hangs up, Then the call is gone from her seat and Bob's line is idle
    expectStatus(await api.call('POST', handed('/calls/y1/resume'), { actor: 'alice' }), 200);
    expectStatus(await api.call('POST', handed('/calls/y1/hang-up'), { actor: 'alice' }), 200);
    expect((await seat('alice')).handedCalls).toEqual([]);
    const bobs = (await seat('bob')).lines.find((line: { number: string }) => line.number === handedOver);
    expect(bobs.lamp).toEqual({ state: 'idle' });
  });

  it("R10/R20: Given Carol on a call of Alice's for her, When an admin gives the number to Bob, Then Carol's panel seat shows that call on its own, Alice's, hers to hang up, hold or record but not to lock, until she hangs up", async () => {
    const handedOver = numberOf(21);
    const handed = lineOf(handedOver);
    // Given Alice shares a number with Carol, who answers a call on it for her
    expectStatus(await admin('alice', [numberOf(20), handedOver]), 200);
    expectStatus(
      await api.invite(accountId, 'alice', 'carol', {
        delegationId: 'alice-carol',
        sharedLines: [handedOver],
      }),
      201,
    );
    const delegation = `/accounts/${accountId}/delegations/alice-carol`;
    expectStatus(await api.call('POST', `${delegation}/accept`, { actor: 'carol' }), 200);
    expectStatus(await api.call('POST', handed('/incoming-calls'), { from: CALLER, callId: 'z1' }), 201);
    expectStatus(await api.call('POST', handed('/calls/z1/answer'), { actor: 'carol' }), 200);
    // When Alice stops sharing it and an admin gives it to Bob
    expectStatus(
      await api.call('PUT', `${delegation}/shared-lines`, { actor: 'alice', sharedLines: [numberOf(20)] }),
      200,
    );
    expectStatus(await admin('alice', [numberOf(20)]), 200);
    expectStatus(
      await admin('bob', [
        numberOf(2),
        NUMBER,
        numberOf(12),
        numberOf(15),
        numberOf(17),
        numberOf(19),
        handedOver,
      ]),
      200,
    );
    // Then Carol's seat shows the call, Alice's and handed to Bob, with her on it for Alice; Alice, not on it, sees none
    const carols = await seat('carol');
    expect(carols.lines.map((line: { number: string }) => line.number)).not.toContain(handedOver);
    expect(carols.handedCalls).toMatchObject([
      {
        number: handedOver,
        callId: 'z1',
        callOwner: { partyId: 'alice', name: 'ALICE' },
        handedTo: { partyId: 'bob', name: 'BOB' },
        lamp: { state: 'busy', by: ['carol'], onBehalfOf: 'alice' },
        callAvailability: {
          privacyLock: { allowed: false, code: 'PRIVACY_LOCK_DELEGATOR_ONLY' },
        },
        availability: { placeCall: { allowed: false } },
      },
    ]);
    expect(await mayOnHanded('carol')).toEqual(['hold', 'record', 'hangUp']);
    expect((await seat('alice')).handedCalls).toEqual([]);
    // And locking it is refused her as the seat says, while she hangs up
    expect(
      await api.call('POST', handed('/calls/z1/privacy-lock'), { actor: 'carol', locked: true }),
    ).toMatchObject({ status: 422, body: { code: 'PRIVACY_LOCK_DELEGATOR_ONLY' } });
    expectStatus(await api.call('POST', handed('/calls/z1/hang-up'), { actor: 'carol' }), 200);
    expect((await seat('carol')).handedCalls).toEqual([]);
  });
});
