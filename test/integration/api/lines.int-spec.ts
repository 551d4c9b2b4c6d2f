import {
  ALICE,
  CALLER,
  LINE,
  LINE_PATH_NUMBER,
  VIP_CALLER,
  VIP_FIRST,
  apiForSuite,
  linePath,
  uniqueAccountId,
  type AccountSpec,
  type CommandReply,
  type ErrorReply,
  type Reply,
} from './lines.support.js';

const BOB = 'bob';
const CAROL = 'carol';
const DAVE = 'dave';

describe('shared lines over HTTP (realtime clock)', () => {
  const api = apiForSuite();

  /** A fresh account where Alice shares LINE as the spec says. */
  const lineWith = (spec: AccountSpec = { delegates: [{ id: BOB }, { id: CAROL }] }) =>
    api.seedLine('line', spec);
  const types = (reply: { body: CommandReply }) => reply.body.events.map((e) => e.type);
  /** A command refused with `status`, its body naming (at least) the reason code and rule given. */
  const expectRefusal = (reply: Reply<ErrorReply>, status: number, body: Partial<ErrorReply>) => {
    expect(reply.status).toBe(status);
    expect(reply.body).toMatchObject(body);
  };

  /** An incoming call ringing on the line. */
  const ringing = async (path: string, callId: string, from = CALLER) => {
    const reply = await api.command(`${path}/incoming-calls`, { from, callId });
    expect(reply.status).toBe(201);
    return reply;
  };
  /** An incoming call Alice answered: connected on the line. */
  const answeredByAlice = async (path: string, callId: string) => {
    await ringing(path, callId);
    await api.command(`${path}/calls/${callId}/answer`, { actor: ALICE });
  };

  describe('R10 shared lines', () => {
    it('R10: a party the line is not shared with is refused with LINE_NOT_SHARED (422)', async () => {
      const { path } = await lineWith({ delegates: [{ id: BOB }] });
      const reply = await api.command(`${path}/calls`, { actor: DAVE, to: CALLER });
      expectRefusal(reply, 422, { code: 'LINE_NOT_SHARED', rule: 'R10' });
    });

    it('R7: a pending delegation does not let the delegate use the line (DELEGATION_NOT_ACTIVE)', async () => {
      const { path } = await lineWith({ delegates: [{ id: BOB, pending: true }] });
      const reply = await api.command(`${path}/calls`, { actor: BOB, to: CALLER });
      // The same answer as the delegate's own settings give: 409, the invitation may yet be accepted.
      expectRefusal(reply, 409, { code: 'DELEGATION_NOT_ACTIVE', rule: 'R7' });
    });

    it('R10: a number no party of the account owns is LINE_NOT_FOUND (404), for commands and the view', async () => {
      const { accountId } = await lineWith();
      const path = linePath(accountId, '15559999999');
      expect((await api.command(`${path}/calls`, { actor: ALICE, to: CALLER })).body).toMatchObject({
        statusCode: 404,
        code: 'LINE_NOT_FOUND',
        rule: 'R10',
      });
      expect((await api.get(path)).status).toBe(404);
    });

    it('R1: a line of an account that does not exist is ACCOUNT_NOT_FOUND (404), for commands and the view', async () => {
      const path = linePath(uniqueAccountId('nobody'));
      const expected = { statusCode: 404, code: 'ACCOUNT_NOT_FOUND', rule: 'R1' };
      expect((await api.command(`${path}/calls`, { actor: ALICE, to: CALLER })).body).toMatchObject(expected);
      expect((await api.get(path)).body).toMatchObject(expected);
    });
  });

  describe('R11/R12 placing calls', () => {
    it("R11: a delegate's call shows Alice's name and number, on her behalf with placeCalls; metadata says so", async () => {
      const { path, storedEvents } = await lineWith();
      const reply = await api.command(
        `${path}/calls`,
        { actor: BOB, to: CALLER, callId: 'out-1', commandId: 'cmd-place-1' },
        { 'x-correlation-id': 'flow-42' },
      );
      expect(reply.status).toBe(201);
      expect(reply.body).toMatchObject({ commandId: 'cmd-place-1', duplicate: false, callId: 'out-1' });
      expect(reply.body.revision).toBe('0');
      expect(reply.body.position).toMatch(/^\d+$/);
      expect(reply.body.events).toEqual([
        {
          type: 'CallPlacedOnSharedLine',
          data: expect.objectContaining({
            callId: 'out-1',
            line: LINE,
            to: CALLER,
            placedBy: BOB,
            onBehalfOf: ALICE,
            permission: 'placeCalls',
            callerId: { number: LINE, name: 'Alice' },
            owner: ALICE,
          }),
        },
      ]);
      const [stored] = await storedEvents();
      expect(stored?.metadata).toEqual({
        $correlationId: 'flow-42',
        $causationId: 'cmd-place-1',
        commandId: 'cmd-place-1',
        actor: BOB,
        onBehalfOf: ALICE,
        permission: 'placeCalls',
        simulatedTime: reply.body.events[0]?.data.at,
        // The request it was decided for: a resend under cmd-place-1 must repeat it
        requestDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
        // v2: the event records the line's owner (R10, R17)
        schemaVersion: 2,
      });
    });

    it('R12: the delegator needs no permission and acts for nobody; a generated call id comes back', async () => {
      const { path, storedEvents } = await lineWith();
      const reply = await api.command(`${path}/calls`, { actor: ALICE, to: CALLER });
      expect(reply.status).toBe(201);
      expect(reply.body.callId).toMatch(/^call-/);
      const [stored] = await storedEvents();
      expect(stored?.metadata).toMatchObject({ actor: ALICE, onBehalfOf: null, permission: null });
    });

    it('R12: a second session on a busy line is LINE_BUSY (409) naming the call and its holder; nothing appended', async () => {
      const { path } = await lineWith();
      await api.command(`${path}/calls`, { actor: BOB, to: CALLER, callId: 'busy-1' });
      const reply = await api.command(`${path}/calls`, { actor: CAROL, to: CALLER, callId: 'busy-2' });
      expectRefusal(reply, 409, {
        code: 'LINE_BUSY',
        rule: 'R12',
        details: { callId: 'busy-1', heldBy: [BOB] },
      });
      expect(reply.body.message).toMatch(/busy-1.*Bob/);
      const view = await api.get<{ revision: string; busy: boolean; call: { callId: string } }>(path);
      expect(view.body).toMatchObject({ revision: '0', busy: true, call: { callId: 'busy-1' } });
    });

    it('R12: a delegate without placeCalls is refused with PERMISSION_REQUIRED (422)', async () => {
      const { path } = await lineWith({ delegates: [{ id: BOB, permissions: ['answerCalls'] }] });
      const reply = await api.command(`${path}/calls`, { actor: BOB, to: CALLER });
      expectRefusal(reply, 422, {
        code: 'PERMISSION_REQUIRED',
        rule: 'R12',
        details: { permission: 'placeCalls' },
      });
    });

    it('R12: the external party answers and hangs up, ending the call and freeing the line', async () => {
      const { path } = await lineWith();
      await api.command(`${path}/calls`, { actor: ALICE, to: CALLER, callId: 'ext-1' });
      const answered = await api.command(`${path}/calls/ext-1/external-answer`, {});
      expect(types(answered)).toEqual(['CallAnsweredByExternalParty']);
      const ended = await api.command(`${path}/calls/ext-1/external-hang-up`, {});
      expect(ended.body.events).toEqual([
        { type: 'CallEnded', data: expect.objectContaining({ reason: 'externalHungUp' }) },
      ]);
      expect((await api.get(path)).body).toMatchObject({ busy: false, call: null });
    });
  });

  describe('R13 ringing and answering', () => {
    it('R13: the first answer wins; a later one is ALREADY_ANSWERED (409) naming who answered', async () => {
      const { path, storedEvents } = await lineWith();
      const rang = await ringing(path, 'in-1');
      expect(rang.body.events[1]).toMatchObject({
        type: 'CallRang',
        data: { alerted: [ALICE, BOB, CAROL] },
      });
      const won = await api.command(`${path}/calls/in-1/answer`, { actor: BOB });
      expect(won.body.events).toEqual([
        {
          type: 'CallAnswered',
          data: expect.objectContaining({ by: BOB, onBehalfOf: ALICE, permission: 'answerCalls' }),
        },
      ]);
      const late = await api.command(`${path}/calls/in-1/answer`, { actor: CAROL });
      expectRefusal(late, 409, {
        code: 'ALREADY_ANSWERED',
        rule: 'R13',
        details: { answeredBy: BOB },
      });
      expect(late.body.message).toContain('Bob');
      const answeredEvent = (await storedEvents()).at(-1);
      expect(answeredEvent?.metadata).toMatchObject({
        actor: BOB,
        onBehalfOf: ALICE,
        permission: 'answerCalls',
      });
      // The caller's events are the external party's, acting for nobody.
      expect((await storedEvents())[0]?.metadata).toMatchObject({ actor: `external:${CALLER}` });
    });

    it('R13: an opted-out delegate is not rung, and answering says why (NOT_RINGING_FOR_YOU, OPTED_OUT)', async () => {
      const { path } = await lineWith({
        delegates: [{ id: BOB }, { id: DAVE, permissions: ['answerCalls', 'optInOut'] }],
        then: [{ type: 'OptOut', actor: DAVE, delegationId: `del-${DAVE}` }],
      });
      const rang = await ringing(path, 'in-2');
      expect(rang.body.events[1]?.data.alerted).toEqual([ALICE, BOB]);
      const reply = await api.command(`${path}/calls/in-2/answer`, { actor: DAVE });
      expectRefusal(reply, 409, {
        code: 'NOT_RINGING_FOR_YOU',
        rule: 'R13',
        details: { reason: 'OPTED_OUT' },
      });
    });

    it('R13: outside business hours delegates are not rung, except one with overrideBusinessHours', async () => {
      const closed = { utcOffsetMinutes: 0, windows: [] };
      const { path } = await lineWith({
        delegates: [{ id: BOB }, { id: CAROL, permissions: ['answerCalls', 'overrideBusinessHours'] }],
        then: [{ type: 'SetBusinessHours', actor: ALICE, partyId: ALICE, businessHours: closed }],
      });
      const rang = await ringing(path, 'in-3');
      expect(rang.body.events[1]?.data.alerted).toEqual([ALICE, CAROL]);
      const reply = await api.command(`${path}/calls/in-3/answer`, { actor: BOB });
      expect(reply.body).toMatchObject({
        statusCode: 409,
        code: 'NOT_RINGING_FOR_YOU',
        details: { reason: 'OUTSIDE_BUSINESS_HOURS' },
      });
      expect((await api.command(`${path}/calls/in-3/answer`, { actor: CAROL })).status).toBe(200);
    });
  });

  describe('R14 declines and voicemail', () => {
    it('R14: one decline does not end the ring; when everybody declined the call goes to voicemail', async () => {
      const { path } = await lineWith({ delegates: [{ id: BOB }] });
      await ringing(path, 'in-4');
      const first = await api.command(`${path}/calls/in-4/decline`, { actor: BOB });
      expect(types(first)).toEqual(['CallDeclined']);
      expect(first.body.events[0]?.data).toMatchObject({ by: BOB, onBehalfOf: ALICE });
      const last = await api.command(`${path}/calls/in-4/decline`, { actor: ALICE });
      expect(types(last)).toEqual(['CallDeclined', 'CallSentToVoicemail', 'VoicemailLeft']);
      expect(last.body.events[1]?.data).toMatchObject({ reason: 'allDeclined' });
      const late = await api.command(`${path}/calls/in-4/answer`, { actor: BOB });
      expect(late.body).toMatchObject({ statusCode: 409, code: 'CALL_ENDED', rule: 'R13' });
    });

    it('R14: a call to a busy line goes straight to the shared voicemail', async () => {
      const { path } = await lineWith();
      await api.command(`${path}/calls`, { actor: ALICE, to: CALLER, callId: 'out-busy' });
      const reply = await ringing(path, 'in-busy', '+15550111');
      expect(types(reply)).toEqual(['IncomingCallReceived', 'CallSentToVoicemail', 'VoicemailLeft']);
    });
  });

  describe('R15 hold, pick up, privacy', () => {
    it('R15: a privacy-locked call cannot be picked up by a delegate until Alice unlocks it', async () => {
      const { path, storedEvents } = await lineWith();
      await answeredByAlice(path, 'in-5');
      const held = await api.command(`${path}/calls/in-5/hold`, { actor: ALICE, privacyLock: true });
      expect(held.body.events[0]).toMatchObject({ type: 'CallHeld', data: { privacyLocked: true } });
      const refused = await api.command(`${path}/calls/in-5/pick-up`, { actor: BOB });
      expectRefusal(refused, 409, { code: 'CALL_PRIVACY_LOCKED', rule: 'R15' });
      const notHolder = await api.command(`${path}/calls/in-5/resume`, { actor: BOB });
      expect(notHolder.body).toMatchObject({ statusCode: 409, code: 'NOT_HOLDER', rule: 'R15' });
      const lockByDelegate = await api.command(`${path}/calls/in-5/privacy-lock`, {
        actor: BOB,
        locked: false,
      });
      expect(lockByDelegate.body).toMatchObject({ code: 'PRIVACY_LOCK_DELEGATOR_ONLY', rule: 'R15' });
      await api.command(`${path}/calls/in-5/privacy-lock`, { actor: ALICE, locked: false });
      const picked = await api.command(`${path}/calls/in-5/pick-up`, { actor: BOB });
      expect(picked.body.events[0]).toMatchObject({
        type: 'HeldCallPickedUp',
        data: { by: BOB, heldBy: ALICE, onBehalfOf: ALICE, permission: 'pickUpHeldCalls' },
      });
      expect((await storedEvents()).at(-1)?.metadata).toMatchObject({
        actor: BOB,
        onBehalfOf: ALICE,
        permission: 'pickUpHeldCalls',
      });
    });

    it('R15: a delegate without pickUpHeldCalls is refused with PERMISSION_REQUIRED', async () => {
      const { path } = await lineWith({ delegates: [{ id: BOB, permissions: ['answerCalls'] }] });
      await answeredByAlice(path, 'in-6');
      await api.command(`${path}/calls/in-6/hold`, { actor: ALICE });
      const reply = await api.command(`${path}/calls/in-6/pick-up`, { actor: BOB });
      expect(reply.body).toMatchObject({ statusCode: 422, code: 'PERMISSION_REQUIRED', rule: 'R15' });
    });
  });

  describe('R16 transfer, join, merge', () => {
    it('R16: Alice transfers to Bob, who answers; a delegate may transfer only to Alice', async () => {
      const { path } = await lineWith();
      await answeredByAlice(path, 'in-7');
      const requested = await api.command(`${path}/calls/in-7/transfer`, { actor: ALICE, to: BOB });
      expect(requested.body.events[0]).toMatchObject({
        type: 'CallTransferRequested',
        data: { by: ALICE, to: BOB, attempt: 1 },
      });
      const otherAnswer = await api.command(`${path}/calls/in-7/answer`, { actor: CAROL });
      expect(otherAnswer.body).toMatchObject({ statusCode: 409, code: 'NOT_RINGING_FOR_YOU', rule: 'R16' });
      const taken = await api.command(`${path}/calls/in-7/answer`, { actor: BOB });
      expect(taken.body.events[0]).toMatchObject({
        type: 'CallTransferred',
        data: { by: BOB, transferredBy: ALICE, onBehalfOf: ALICE, permission: 'answerCalls' },
      });
      const sideways = await api.command(`${path}/calls/in-7/transfer`, { actor: BOB, to: CAROL });
      expect(sideways.body).toMatchObject({
        statusCode: 422,
        code: 'TRANSFER_TARGET_NOT_ALLOWED',
        rule: 'R16',
      });
    });

    it('R16: Given a call Alice is transferring to Bob, When Alice revokes his delegation or takes answerCalls away, Then the call comes back to her at once, not at the recall time', async () => {
      for (const [change, path, body] of [
        ['revoked', 'revoke', { actor: ALICE }],
        ['without answerCalls', 'permissions', { actor: ALICE, permissions: ['placeCalls'] }],
      ] as const) {
        const { accountId, path: line, storedEvents } = await lineWith();
        await answeredByAlice(line, 'in-r');
        await api.command(`${line}/calls/in-r/transfer`, { actor: ALICE, to: BOB });

        const method = path === 'revoke' ? 'post' : 'put';
        const changed = await fetch(`${api.url}/accounts/${accountId}/delegations/del-${BOB}/${path}`, {
          method: method.toUpperCase(),
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect({ change, status: changed.status }).toEqual({ change, status: 200 });

        // The account's answer comes once the line has been told: the transfer is over already
        const last = (await storedEvents()).at(-1)!;
        expect({ change, type: last.event.type, data: last.event.data }).toMatchObject({
          change,
          type: 'CallTransferRecalled',
          data: { callId: 'in-r', attempt: 1, to: ALICE, target: BOB, reason: 'targetNotAllowed' },
        });
        expect(last.metadata.$causationId).not.toBe(last.metadata.commandId);
        const answer = await api.command(`${line}/calls/in-r/answer`, { actor: BOB });
        expect(answer.status).toBeGreaterThanOrEqual(400);
        const held = await api.command(`${line}/calls/in-r/hold`, { actor: ALICE });
        expect({ change, type: held.body.events?.[0]?.type }).toEqual({ change, type: 'CallHeld' });
      }
    });

    it('R16: Given a call Alice is transferring to Bob, When the account changes in a way that leaves Bob able to take it, Then the transfer still rings for him', async () => {
      const { accountId, path, storedEvents } = await lineWith();
      await answeredByAlice(path, 'in-s');
      await api.command(`${path}/calls/in-s/transfer`, { actor: ALICE, to: BOB });
      const changed = await fetch(`${api.url}/accounts/${accountId}/delegations/del-${CAROL}/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ actor: ALICE }),
      });
      expect(changed.status).toBe(200);
      expect((await storedEvents()).at(-1)!.event.type).toBe('CallTransferRequested');
      const taken = await api.command(`${path}/calls/in-s/answer`, { actor: BOB });
      expect(taken.body.events[0]).toMatchObject({ type: 'CallTransferred', data: { by: BOB } });
    });

    it('R16: joining needs joinAndMerge; with it the delegate joins, on Alice’s behalf', async () => {
      const { path } = await lineWith({
        delegates: [{ id: BOB }, { id: CAROL, permissions: ['answerCalls'] }],
      });
      await answeredByAlice(path, 'in-8');
      const refused = await api.command(`${path}/calls/in-8/join`, { actor: CAROL });
      expect(refused.body).toMatchObject({ statusCode: 422, code: 'PERMISSION_REQUIRED', rule: 'R16' });
      const joined = await api.command(`${path}/calls/in-8/join`, { actor: BOB });
      expect(joined.body.events[0]).toMatchObject({
        type: 'CallJoined',
        data: { by: BOB, onBehalfOf: ALICE, permission: 'joinAndMerge' },
      });
      const left = await api.command(`${path}/calls/in-8/hang-up`, { actor: BOB });
      expect(types(left)).toEqual(['CallLeft']);
    });

    it('R16: a held call is merged by a delegate with joinAndMerge', async () => {
      const { path } = await lineWith();
      await answeredByAlice(path, 'in-9');
      await api.command(`${path}/calls/in-9/hold`, { actor: ALICE });
      const merged = await api.command(`${path}/calls/in-9/merge`, { actor: BOB });
      expect(merged.body.events[0]).toMatchObject({
        type: 'CallsMerged',
        data: { participants: [ALICE, BOB], permission: 'joinAndMerge' },
      });
    });
  });

  describe('R17 shared voicemail', () => {
    it('R17: read state is shared, a delete removes it for everybody and is attributed', async () => {
      const { path } = await lineWith();
      await api.command(`${path}/calls`, { actor: ALICE, to: CALLER, callId: 'out-vm' });
      await ringing(path, 'vm-1', '+15550122');
      const read = await api.command(`${path}/voicemails/vm-1/read`, { actor: BOB });
      expect(read.body.events[0]).toMatchObject({
        type: 'VoicemailRead',
        data: { messageId: 'vm-1', by: BOB, onBehalfOf: ALICE },
      });
      const readAgain = await api.command(`${path}/voicemails/vm-1/read`, { actor: CAROL });
      expect(readAgain.status).toBe(200);
      expect(readAgain.body.events).toEqual([]);
      const deleted = await api.delete<CommandReply>(`${path}/voicemails/vm-1`, { actor: CAROL });
      expect(deleted.body.events[0]).toMatchObject({
        type: 'VoicemailDeleted',
        data: { messageId: 'vm-1', by: CAROL, onBehalfOf: ALICE },
      });
      const gone = await api.delete<ErrorReply>(`${path}/voicemails/vm-1`, { actor: ALICE });
      expect(gone.body).toMatchObject({ statusCode: 404, code: 'VOICEMAIL_NOT_FOUND', rule: 'R17' });
      expect((await api.get(path)).body).toMatchObject({ voicemails: [] });
    });
  });

  describe('R18 recordings', () => {
    it('R18: only the starter of a recording can stop it', async () => {
      const { path } = await lineWith();
      await answeredByAlice(path, 'in-10');
      await api.command(`${path}/calls/in-10/join`, { actor: BOB });
      const started = await api.command(`${path}/calls/in-10/recordings`, { actor: ALICE });
      expect(started.status).toBe(201);
      const recordingId = started.body.events[0]?.data.recordingId as string;
      expect(recordingId).toMatch(/^rec-/);
      const refused = await api.command(`${path}/calls/in-10/recordings/${recordingId}/stop`, { actor: BOB });
      expect(refused.body).toMatchObject({ statusCode: 422, code: 'RECORDING_NOT_OWNER', rule: 'R18' });
      const stopped = await api.command(`${path}/calls/in-10/recordings/${recordingId}/stop`, {
        actor: ALICE,
      });
      expect(stopped.body.events[0]).toMatchObject({
        type: 'RecordingStopped',
        data: { owner: ALICE, reason: 'stoppedByOwner' },
      });
    });
  });

  describe('R19 VIP routing', () => {
    const vipAccount = (powerPack: boolean, delegates: AccountSpec['delegates']): AccountSpec => ({
      powerPack: true,
      delegates,
      then: [
        { type: 'AddVipContact', actor: ALICE, delegatorId: ALICE, number: VIP_CALLER, name: 'Board' },
        ...(powerPack
          ? []
          : [{ type: 'ChangePowerPack' as const, actor: 'root', partyId: ALICE, powerPack }]),
      ],
    });

    it('R19: with the Power Pack a VIP caller rings Alice only (delegatorOnly): Bob is refused, naming why', async () => {
      const { path } = await lineWith(vipAccount(true, [{ id: BOB }]));
      const rang = await ringing(path, 'vip-1', VIP_CALLER);
      expect(rang.body.events[0]?.data).toMatchObject({ vip: true });
      expect(rang.body.events[1]?.data.alerted).toEqual([ALICE]);
      const reply = await api.command(`${path}/calls/vip-1/answer`, { actor: BOB });
      expect(reply.body).toMatchObject({
        statusCode: 409,
        code: 'NOT_RINGING_FOR_YOU',
        rule: 'R13',
        details: { reason: 'VIP_DELEGATOR_ONLY' },
      });
    });

    it('R19: without the Power Pack the same caller is not VIP and rings everybody', async () => {
      const { path } = await lineWith(vipAccount(false, [{ id: BOB }]));
      const rang = await ringing(path, 'vip-2', VIP_CALLER);
      expect(rang.body.events[0]?.data).toMatchObject({ vip: false });
      expect(rang.body.events[1]?.data.alerted).toEqual([ALICE, BOB]);
    });

    it('R19: a vipOnly delegate is alerted for VIP callers only (after the delegatorFirst delay)', async () => {
      const { path } = await lineWith({
        powerPack: true,
        delegates: [{ id: BOB, permissions: ['answerCalls', 'vipOnly'] }],
        then: VIP_FIRST,
      });
      const bobsDecision = (reply: { body: CommandReply }) =>
        (reply.body.events[1]?.data.decisions as { partyId: string }[]).find((d) => d.partyId === BOB);
      const plain = await ringing(path, 'plain-1');
      expect(bobsDecision(plain)).toMatchObject({
        rings: false,
        rule: 'R19',
        reason: 'VIP_ONLY_NON_VIP_CALLER',
      });
      await api.command(`${path}/calls/plain-1/external-hang-up`, {});
      const vip = await ringing(path, 'vip-3', VIP_CALLER);
      expect(vip.body.events[1]?.data.alerted).toEqual([ALICE]);
      expect(bobsDecision(vip)).toMatchObject({
        rings: true,
        afterSeconds: 5,
        reason: 'VIP_DELEGATOR_FIRST',
      });
    });
  });

  describe('idempotency and bad input', () => {
    it('resending a command id returns the first result and appends nothing', async () => {
      const { path, storedEvents } = await lineWith();
      const placeOnce = () =>
        api.command(`${path}/calls`, { actor: ALICE, to: CALLER, callId: 'once', commandId: 'c-once' });
      const answerByHeader = () =>
        api.command(`${path}/calls/once/external-answer`, {}, { 'idempotency-key': 'k-1' });
      const first = await placeOnce();
      const again = await placeOnce();
      expect(again.status).toBe(201);
      expect(again.body).toEqual({ ...first.body, duplicate: true });
      const byHeader = await answerByHeader();
      const byHeaderAgain = await answerByHeader();
      expect(byHeaderAgain.body).toEqual({ ...byHeader.body, duplicate: true });
      expect(await storedEvents()).toHaveLength(2);
      // Once the call is over its id stays taken for a new command, while a resend still gets its first answer.
      expect((await api.command(`${path}/calls/once/hang-up`, { actor: ALICE })).status).toBe(200);
      const resentLater = await placeOnce();
      expect(resentLater.body).toEqual({ ...first.body, duplicate: true });
      const reused = await api.command(`${path}/calls`, { actor: ALICE, to: CALLER, callId: 'once' });
      expectRefusal(reused, 409, { code: 'CALL_ID_IN_USE', rule: 'R12' });
      expect(reused.body.message).toContain('already used by an earlier call on this line');
      expect(await storedEvents()).toHaveLength(3);
    });

    it("another party's command under a command id already used is refused, never answered with the first party's result", async () => {
      const { path, storedEvents } = await lineWith();
      const alicesCall = () =>
        api.command(`${path}/calls`, {
          actor: ALICE,
          to: '+15559876543',
          callId: 'private',
          commandId: 'cmd-1',
        });
      const first = await alicesCall();
      expect(first.status).toBe(201);
      // Mallory has no access to the line, Bob is a delegate: neither may read Alice's command back
      // by guessing its id, or be told that a command of theirs succeeded when it was not decided.
      for (const [actor, route, body] of [
        ['mallory', `${path}/calls/private/hang-up`, {}],
        [BOB, `${path}/calls/private/hang-up`, {}],
        [BOB, `${path}/calls`, { to: CALLER }],
      ] as const) {
        const reused = await api.command(route, { actor, commandId: 'cmd-1', ...body });
        expect({ actor, status: reused.status, code: reused.body.code }).toEqual({
          actor,
          status: 409,
          code: 'COMMAND_ID_TAKEN',
        });
        expect(JSON.stringify(reused.body)).not.toContain('+15559876543');
      }
      const byHeader = await api.command(
        `${path}/calls/private/hang-up`,
        { actor: BOB },
        { 'idempotency-key': 'cmd-1' },
      );
      expect(byHeader.body.code).toBe('COMMAND_ID_TAKEN');
      // Alice's own resend is still answered with her first result.
      const resent = await alicesCall();
      expect(resent.body).toEqual({ ...first.body, duplicate: true });
      expect(await storedEvents()).toHaveLength(1);
    });

    it('a command with `at` is refused while the clock runs in realtime (R21)', async () => {
      const { path } = await lineWith();
      const reply = await api.command(`${path}/calls`, {
        actor: ALICE,
        to: CALLER,
        at: '2026-01-05T10:00:00Z',
      });
      expect(reply.body).toMatchObject({ statusCode: 422, code: 'AT_REQUIRES_VIRTUAL_CLOCK', rule: 'R21' });
    });

    it.each([
      ['/clock/advance', { actor: ALICE, bySeconds: 10 }],
      ['/clock/advance-to-next-timer', { actor: ALICE }],
    ])('%s is refused while the clock runs in realtime (R21)', async (path, body) => {
      const reply = await api.post(path, body);
      expect(reply.body).toMatchObject({ statusCode: 422, code: 'CLOCK_NOT_VIRTUAL', rule: 'R21' });
    });

    it.each([
      ['a missing actor', `calls`, { to: CALLER }, 'actor'],
      ['a malformed actor', `calls`, { actor: '$admin', to: CALLER }, 'actor'],
      ['a number that is not E.164', `calls`, { actor: ALICE, to: '555' }, 'to'],
      ['a missing caller', `incoming-calls`, {}, 'from'],
      ['an unknown field', `calls`, { actor: ALICE, to: CALLER, permission: 'placeCalls' }, 'permission'],
      ['a malformed call id', `calls`, { actor: ALICE, to: CALLER, callId: 'a.b' }, 'callId'],
      ['a malformed time', `calls`, { actor: ALICE, to: CALLER, at: 'tomorrow' }, 'at'],
      ['an actor on an external command', `incoming-calls`, { from: CALLER, actor: ALICE }, 'actor'],
      ['a non-boolean lock', `calls/c1/privacy-lock`, { actor: ALICE, locked: 'yes' }, 'locked'],
      ['a missing lock', `calls/c1/privacy-lock`, { actor: ALICE }, 'locked'],
      ['a non-boolean privacy hold', `calls/c1/hold`, { actor: ALICE, privacyLock: 1 }, 'privacyLock'],
      ['a malformed transfer target', `calls/c1/transfer`, { actor: ALICE, to: 'x y' }, 'to'],
    ])('%s is a 400 naming the field, and nothing is appended', async (_case, suffix, body, field) => {
      const { path, storedEvents } = await lineWith();
      const reply = await api.command(`${path}/${suffix}`, body);
      expect(reply.status).toBe(400);
      expect(reply.body.code).toBe('INVALID_REQUEST');
      expect(reply.body.errors?.map((e) => e.field)).toContain(field);
      expect(await storedEvents()).toEqual([]);
    });

    it.each([
      ['a number with letters', (a: string) => `/accounts/${a}/lines/555abc/calls`, 'INVALID_NUMBER'],
      ['a number too long', (a: string) => `/accounts/${a}/lines/${'1'.repeat(16)}/calls`, 'INVALID_NUMBER'],
      ['a system-stream account id', () => `/accounts/%24all/lines/${LINE_PATH_NUMBER}/calls`, 'INVALID_ID'],
      ['a dotted call id', (a: string) => `${linePath(a)}/calls/a.b/answer`, 'INVALID_ID'],
      ['a malformed voicemail id', (a: string) => `${linePath(a)}/voicemails/%24x/read`, 'INVALID_ID'],
    ])('%s in the path is a 400 (%s)', async (_case, path, code) => {
      const { accountId, storedEvents } = await lineWith();
      const reply = await api.command(path(accountId), { actor: ALICE, to: CALLER });
      expect(reply.status).toBe(400);
      expect(reply.body.code).toBe(code);
      expect(await storedEvents()).toEqual([]);
    });

    it('an unknown call action is a 404 that lists the actions', async () => {
      const { path } = await lineWith();
      const reply = await api.command(`${path}/calls/c1/teleport`, { actor: ALICE });
      expect(reply.status).toBe(404);
      expect(reply.body.message).toMatch(/answer, decline/);
    });

    it('the line number may be written with or without "+": both address the same stream', async () => {
      const { accountId, path } = await lineWith();
      await api.command(`${path}/calls`, { actor: ALICE, to: CALLER, callId: 'plus' });
      const view = await api.get(linePath(accountId, encodeURIComponent(LINE)));
      expect(view.body).toMatchObject({ number: LINE, busy: true, call: { callId: 'plus' } });
    });
  });
});
