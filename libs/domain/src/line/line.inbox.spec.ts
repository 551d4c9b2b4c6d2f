import type { LineEvent } from '#events';
import { explainVoicemailAct } from './line.call-checks.js';
import type { LineContext } from './line.context.js';
import {
  ASSISTANT,
  BOSS,
  DEPUTY,
  NEWBOSS,
  STRANGER,
  T0,
  answer,
  assistantInactive,
  at,
  bossOnCall,
  context,
  decidedAsExplained,
  delegate,
  expireRing,
  externalHangUp,
  given,
  history,
  hold,
  incoming,
  join,
  LINE,
  onlyAssistantWith,
  passedToNewboss,
  pickUp,
  ringingCall,
  stateOf,
  transfer,
} from './line.fixtures.js';

const withMessage = ringingCall(expireRing('c1'));
const read = (actor: string, messageId = 'c1') => ({ type: 'ReadVoicemail', messageId, actor }) as const;
const remove = (actor: string, messageId = 'c1') => ({ type: 'DeleteVoicemail', messageId, actor }) as const;

describe('the shared voicemail inbox (R17)', () => {
  it('R17: an active delegate reads a message; the read is attributed and shared', () => {
    given(withMessage)
      .when(read(ASSISTANT))
      .then([{ type: 'VoicemailRead', data: { messageId: 'c1', by: ASSISTANT, onBehalfOf: BOSS, at: T0 } }]);
  });

  it('R17: read state is shared: once read by anyone, reading again changes nothing', () => {
    given(ringingCall(expireRing('c1'), read(ASSISTANT)))
      .when(read(BOSS))
      .then([]);
  });

  it('R17: deleting removes the message for everyone and records who deleted it and when', () => {
    given(withMessage)
      .when({ ...remove(DEPUTY), at: at(60) })
      .then([
        { type: 'VoicemailDeleted', data: { messageId: 'c1', by: DEPUTY, onBehalfOf: BOSS, at: at(60) } },
      ]);
    const deleted = ringingCall(expireRing('c1'), remove(DEPUTY));
    const error = given(deleted).when(read(BOSS)).thenRejects('VOICEMAIL_NOT_FOUND', 'R17');
    expect(error.kind).toBe('not_found');
    given(deleted).when(remove(ASSISTANT)).thenRejects('VOICEMAIL_NOT_FOUND', 'R17');
  });

  it('R17: the delegator reads and deletes without any permission', () => {
    given(withMessage)
      .when(remove(BOSS))
      .then([{ type: 'VoicemailDeleted', data: { messageId: 'c1', by: BOSS, onBehalfOf: null, at: T0 } }]);
  });

  it('R17: a delegate needs no call permission to use the shared inbox, only an active delegation', () => {
    const bare = onlyAssistantWith();
    given(withMessage, bare)
      .when(read(ASSISTANT))
      .thenEmits(([event]) => expect(event?.type).toBe('VoicemailRead'));
  });

  it('R17: an inactive delegate or a stranger cannot read or delete', () => {
    given(withMessage, assistantInactive).when(read(ASSISTANT)).thenRejects('DELEGATION_NOT_ACTIVE', 'R7');
    given(withMessage, assistantInactive).when(remove(ASSISTANT)).thenRejects('DELEGATION_NOT_ACTIVE', 'R7');
    given(withMessage).when(remove(STRANGER)).thenRejects('LINE_NOT_SHARED', 'R10');
  });

  it('R17: the inbox keeps only messages not deleted, with their shared read state', () => {
    const events = history(
      context,
      incoming('c1'),
      expireRing('c1'),
      incoming('c2', '+15550111', at(40)),
      expireRing('c2', at(70)),
      { ...read(ASSISTANT, 'c2'), at: at(80) },
      remove(BOSS, 'c1'),
    );
    const state = stateOf(events);
    expect(state.voicemails).toEqual(
      new Map([
        [
          'c2',
          {
            messageId: 'c2',
            callId: 'c2',
            from: '+15550111',
            leftAt: at(70),
            readBy: ASSISTANT,
            readAt: at(80),
            owner: BOSS,
          },
        ],
      ]),
    );
    expect(state.totals).toEqual([{ owner: BOSS, calls: 2, missed: 2, voicemails: 2 }]);
  });

  describe('R10/R17: a number that passes to another party leaves its messages with the party it was', () => {
    // Given Boss's number took a message, then an admin gave the number to Newboss, who shares it with Assistant
    const reassigned = passedToNewboss(delegate(ASSISTANT, 'Assistant'));

    it.each([
      ['the new owner reads it', read(NEWBOSS)],
      ["the new owner's delegate reads it", read(ASSISTANT)],
      ['the new owner deletes it', remove(NEWBOSS)],
      ["the new owner's delegate deletes it", remove(ASSISTANT)],
    ])('When %s, Then it is refused as not in this inbox', (_name, command) => {
      const error = given(withMessage, reassigned).when(command).thenRejects('VOICEMAIL_NOT_FOUND', 'R17');
      expect(error.kind).toBe('not_found');
      expect(error.message).toBe(
        `Voicemail c1 was left while ${LINE} was another party's number: it stays in that party's inbox, not in this one.`,
      );
    });

    it("When a call arrives for the new owner and goes to voicemail, Then that message is the new owner's", () => {
      const both = [...withMessage, ...history(reassigned, incoming('c2'), expireRing('c2'))];
      expect(both.at(-1)).toMatchObject({ type: 'VoicemailLeft', data: { messageId: 'c2', owner: NEWBOSS } });
      given(both, reassigned)
        .when(read(ASSISTANT, 'c2'))
        .thenEmits(([event]) =>
          expect(event).toMatchObject({ type: 'VoicemailRead', data: { by: ASSISTANT } }),
        );
    });

    it("When Boss's call rings out after the number passed on, Then its message is still Boss's", () => {
      // Given the call arrived under Boss and the number changed hands while it rang
      given(ringingCall(), reassigned)
        .when(expireRing('c1'))
        .thenEmits((events) =>
          expect(events.at(-1)).toMatchObject({
            type: 'VoicemailLeft',
            data: { messageId: 'c1', owner: BOSS },
          }),
        );
    });

    it('When a call that arrived before owners were recorded rings out, Then its message records the owner as unknown (null)', () => {
      // Given the call's IncomingCallReceived read from a v1 event (upcast: owner null)
      const unrecordedCall = ringingCall().map((event) =>
        event.type === 'IncomingCallReceived' ? { ...event, data: { ...event.data, owner: null } } : event,
      );
      // Then the VoicemailLeft it leaves is complete v2 data: its owner written, as null
      given(unrecordedCall, reassigned)
        .when(expireRing('c1'))
        .thenEmits((events) =>
          expect(events.at(-1)).toEqual({
            type: 'VoicemailLeft',
            data: {
              messageId: 'c1',
              callId: 'c1',
              from: expect.any(String),
              at: expect.any(String),
              owner: null,
            },
          }),
        );
    });

    it("When a message was left before owners were recorded, Then it is the current owner's, as it always was", () => {
      const unrecorded = withMessage.map((event) =>
        event.type === 'VoicemailLeft' ? { ...event, data: { ...event.data, owner: null } } : event,
      );
      given(unrecorded, reassigned)
        .when(read(NEWBOSS))
        .thenEmits(([event]) => expect(event).toMatchObject({ type: 'VoicemailRead' }));
    });
  });
});

describe('recordings belong to the party who started them (R18)', () => {
  const start = (actor: string, recordingId = 'r1') =>
    ({ type: 'StartRecording', callId: 'c1', recordingId, actor }) as const;
  const stop = (actor: string, recordingId = 'r1') =>
    ({ type: 'StopRecording', callId: 'c1', recordingId, actor }) as const;
  const recording = bossOnCall(start(BOSS));

  it('R18: a party on the call starts a recording it owns', () => {
    given(bossOnCall())
      .when(start(BOSS))
      .then([{ type: 'RecordingStarted', data: { callId: 'c1', recordingId: 'r1', by: BOSS, at: T0 } }]);
  });

  it('R18: a party not on the call cannot record it', () => {
    given(bossOnCall()).when(start(ASSISTANT)).thenRejects('NOT_ON_CALL', 'R18');
  });

  it('R18: only the owner stops its recording', () => {
    given(recording)
      .when(stop(BOSS))
      .then([
        {
          type: 'RecordingStopped',
          data: { callId: 'c1', recordingId: 'r1', owner: BOSS, reason: 'stoppedByOwner', at: T0 },
        },
      ]);
    const conference = bossOnCall(start(BOSS), join('c1', ASSISTANT));
    given(conference).when(stop(ASSISTANT)).thenRejects('RECORDING_NOT_OWNER', 'R18');
  });

  it('R18: stopping an unknown recording is RECORDING_NOT_FOUND', () => {
    const error = given(recording).when(stop(BOSS, 'r9')).thenRejects('RECORDING_NOT_FOUND', 'R18');
    expect(error.kind).toBe('not_found');
  });

  it('R18: one running recording per party, and recording ids are not reused on a call', () => {
    given(recording).when(start(BOSS, 'r2')).thenRejects('RECORDING_ALREADY_ACTIVE', 'R18');
    const conference = bossOnCall(start(BOSS), join('c1', DEPUTY));
    given(conference).when(start(DEPUTY, 'r1')).thenRejects('RECORDING_ALREADY_ACTIVE', 'R18');
    given(conference)
      .when(start(DEPUTY, 'r2'))
      .thenEmits(([started]) => expect(started).toMatchObject({ data: { by: DEPUTY } }));
  });

  it('R18: recordings stop with their owner when the call ends', () => {
    given(recording)
      .when(externalHangUp('c1'))
      .then([
        {
          type: 'RecordingStopped',
          data: { callId: 'c1', recordingId: 'r1', owner: BOSS, reason: 'callEnded', at: T0 },
        },
        {
          type: 'CallEnded',
          data: { callId: 'c1', by: null, reason: 'externalHungUp', missedBy: [], ringLegsEnded: [], at: T0 },
        },
      ]);
  });

  it("R18: Given Boss and Deputy each recording a call Boss transfers to Assistant, When Assistant answers the transfer, Then Boss's recording stops with Boss leaving the call and Deputy's, still on it, runs on", () => {
    const transferring = bossOnCall(
      start(BOSS, 'rb'),
      join('c1', DEPUTY),
      start(DEPUTY, 'rd'),
      transfer('c1', BOSS, ASSISTANT),
    );
    given(transferring)
      .when(answer('c1', ASSISTANT))
      .then([
        // What CallTransferred carries is R16's (line.transfer.spec.ts); here it marks Boss leaving the call.
        expect.objectContaining({
          type: 'CallTransferred',
          data: expect.objectContaining({ by: ASSISTANT }),
        }),
        {
          type: 'RecordingStopped',
          data: { callId: 'c1', recordingId: 'rb', owner: BOSS, reason: 'ownerLeftCall', at: T0 },
        },
      ]);
  });

  it("R18: a holder's recording stops when someone else picks the call up", () => {
    const held = bossOnCall(start(BOSS), hold('c1', BOSS));
    given(held)
      .when(pickUp('c1', ASSISTANT))
      .thenEmits((events) =>
        expect(events).toMatchObject([
          { type: 'HeldCallPickedUp' },
          { type: 'RecordingStopped', data: { owner: BOSS, reason: 'ownerLeftCall' } },
        ]),
      );
  });
});

describe('explainVoicemailAct: the decider’s steps for reading or deleting a message (R17, R20)', () => {
  type InboxAct = ReturnType<typeof read> | ReturnType<typeof remove>;
  /** The explained steps of `command` after `past`: the function the decider decides it with. */
  const explained = (past: readonly LineEvent[], command: InboxAct, ctx: LineContext) =>
    explainVoicemailAct(
      ctx,
      stateOf(past).voicemails.get(command.messageId),
      command.messageId,
      command.actor,
    ).checks;
  const { bothRefuse, bothAllow } = decidedAsExplained(explained);

  it('R17: Given a message, When the delegator or a delegate with no call permission reads or deletes it, Then both allow, the message last', () => {
    for (const command of [read(BOSS), remove(BOSS), read(ASSISTANT), remove(ASSISTANT)])
      expect(bothAllow(withMessage, command).at(-1)?.message).toBe(
        `Voicemail c1 is in the inbox of ${LINE}.`,
      );
    bothAllow(withMessage, read(ASSISTANT), onlyAssistantWith());
  });

  it('R17: Given a message already read, When it is read again, Then both allow (a no-op, not a refusal)', () => {
    bothAllow(ringingCall(expireRing('c1'), read(ASSISTANT)), read(BOSS));
  });

  it('R17: Given a deleted message or none, When it is read or deleted, Then both say it is not in the inbox', () => {
    const deleted = ringingCall(expireRing('c1'), remove(DEPUTY));
    bothRefuse(deleted, read(BOSS), 'VOICEMAIL_NOT_FOUND', 'R17');
    bothRefuse(deleted, remove(ASSISTANT), 'VOICEMAIL_NOT_FOUND', 'R17');
    bothRefuse(withMessage, read(BOSS, 'constructor'), 'VOICEMAIL_NOT_FOUND', 'R17');
  });

  it('R7/R10: Given a message, When an inactive delegate or a stranger reads or deletes it, Then both refuse before the message is looked at', () => {
    bothRefuse(withMessage, read(ASSISTANT), 'DELEGATION_NOT_ACTIVE', 'R7', assistantInactive);
    bothRefuse(withMessage, remove(STRANGER), 'LINE_NOT_SHARED', 'R10');
    bothRefuse(withMessage, remove(STRANGER, 'nope'), 'LINE_NOT_SHARED', 'R10');
  });

  it("R10/R17: Given the number passed to another party, When its new owner deletes the previous owner's message, Then both say it stays in that party's inbox", () => {
    const refusal = bothRefuse(withMessage, remove(NEWBOSS), 'VOICEMAIL_NOT_FOUND', 'R17', passedToNewboss());
    expect(refusal.message).toMatch(/was another party's number/);
  });
});
