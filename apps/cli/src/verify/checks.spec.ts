import { LineChecker, metadataProblem } from './checks.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 5, 9, 0, s)).toISOString();
const incoming = (callId: string, s = 0) => ({
  callId,
  line: '+15550000001',
  from: '+15550100',
  vip: false,
  at: at(s),
  owner: 'alice',
});
const rang = (callId: string, s = 0) => ({
  callId,
  stage: 'initial',
  alerted: ['alice', 'bob'],
  decisions: [],
  ringTimeoutAt: at(30),
  escalationAt: null,
  at: at(s),
});
const answered = (callId: string, by: string, s = 1) => ({
  callId,
  by,
  onBehalfOf: null,
  permission: null,
  ringLegsEnded: [],
  at: at(s),
});
const held = (callId: string, by: string, s: number) => ({
  callId,
  by,
  onBehalfOf: null,
  privacyLocked: false,
  at: at(s),
});

describe('line state machine check', () => {
  it('accepts a call that rings, is answered, held, picked up and ended', () => {
    const line = new LineChecker();
    expect(line.apply('IncomingCallReceived', incoming('c1'))).toEqual([]);
    expect(line.apply('CallRang', rang('c1'))).toEqual([]);
    expect(line.apply('CallAnswered', answered('c1', 'alice'))).toEqual([]);
    expect(line.apply('CallHeld', held('c1', 'alice', 2))).toEqual([]);
    expect(
      line.apply('HeldCallPickedUp', {
        callId: 'c1',
        by: 'bob',
        onBehalfOf: 'alice',
        permission: 'pickUpHeldCalls',
        heldBy: 'alice',
        at: at(3),
      }),
    ).toEqual([]);
    expect(
      line.apply('CallEnded', {
        callId: 'c1',
        by: 'bob',
        reason: 'hungUp',
        missedBy: [],
        ringLegsEnded: [],
        at: at(4),
      }),
    ).toEqual([]);
  });

  it('reports a second answer (R13: exactly one answer wins)', () => {
    const line = new LineChecker();
    line.apply('IncomingCallReceived', incoming('c1'));
    line.apply('CallRang', rang('c1'));
    line.apply('CallAnswered', answered('c1', 'alice'));
    expect(line.apply('CallAnswered', answered('c1', 'bob', 2))).toEqual([
      'CallAnswered on call c1 while it is connected (allowed: ringing)',
    ]);
  });

  it('reports a call placed on a busy line (R12)', () => {
    const line = new LineChecker();
    line.apply('IncomingCallReceived', incoming('c1'));
    const placed = {
      callId: 'c2',
      line: '+15550000001',
      to: '+15550199',
      placedBy: 'bob',
      onBehalfOf: 'alice',
      permission: 'placeCalls',
      callerId: { number: '+15550000001', name: 'Alice' },
      at: at(1),
      owner: 'alice',
    };
    expect(line.apply('CallPlacedOnSharedLine', placed)).toEqual([
      'R12: call c2 placed while call c1 is active on the line',
    ]);
  });

  it('reports events after a call ended, and time running backwards', () => {
    const line = new LineChecker();
    line.apply('IncomingCallReceived', incoming('c1', 5));
    line.apply('CallEnded', {
      callId: 'c1',
      by: null,
      reason: 'callerAbandoned',
      missedBy: [],
      ringLegsEnded: [],
      at: at(6),
    });
    expect(line.apply('CallHeld', held('c1', 'alice', 4))).toEqual([
      'CallHeld on call c1 after it went to abandoned',
      `CallHeld at ${at(4)} is earlier than the line's previous event (${at(6)})`,
    ]);
  });

  it('reports a voicemail for a call that never went to voicemail, and unknown event types', () => {
    const line = new LineChecker();
    expect(
      line.apply('VoicemailLeft', {
        messageId: 'm1',
        callId: 'c9',
        from: '+15550100',
        at: at(1),
        owner: 'alice',
      }),
    ).toEqual(['voicemail left for call c9, which did not go to voicemail']);
    expect(line.apply('DelegateInvited', { at: at(2) })).toEqual(['DelegateInvited is not a line event']);
  });
});

describe('metadata shape', () => {
  const good = {
    $correlationId: 'c',
    $causationId: 'c',
    commandId: 'c',
    actor: 'alice',
    onBehalfOf: null,
    permission: null,
    simulatedTime: at(0),
    schemaVersion: 1,
  };

  it('accepts SPEC §2 metadata', () => expect(metadataProblem(good)).toBeUndefined());

  it('names the field that is wrong', () => {
    expect(metadataProblem({ ...good, $causationId: undefined })).toMatch(/\$causationId/);
    expect(metadataProblem({ ...good, onBehalfOf: 3 })).toMatch(/onBehalfOf/);
    expect(metadataProblem({ ...good, simulatedTime: 'yesterday' })).toMatch(/ISO-8601/);
    expect(metadataProblem({ ...good, schemaVersion: 0 })).toMatch(/schemaVersion/);
    expect(metadataProblem(null)).toMatch(/not a JSON object/);
  });
});
