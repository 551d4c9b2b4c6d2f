import type { AccountEvent } from '#events';
import {
  ACME,
  ADMIN,
  ALICE,
  ALICE_SECOND,
  BOB,
  CAROL,
  T0,
  VIP,
  accept,
  addVip,
  changeCallingPlan,
  changeDirectNumbers,
  changePermissions,
  changePolicy,
  disableFor,
  extend,
  givePowerPack,
  history,
  invite,
  LOBBY,
  numberOf,
  optOut,
  revoke,
  stateOf,
} from '../account/account.fixtures.js';
import type { AccountCommand } from '../account/account.commands.js';
import { DomainError } from '../shared/domain-error.js';
import type { LineCommand } from '../line/line.commands.js';
import type { LineContext } from '../line/line.context.js';
import { lineDecider } from '../line/line.decider.js';
import { history as lineHistory } from '../line/line.fixtures.js';
import { specFor } from '../shared/given-when-then.js';
import { lineContextFor } from './line-context.js';

const LINE = numberOf(ALICE);

/** Given the account's history, when a line asks for its context at T0. */
const given = (...commands: AccountCommand[]) => {
  const events: AccountEvent[] = history(...ACME, ...commands);
  return { when: (number: string = LINE) => lineContextFor(stateOf(events), number, T0) };
};

const delegationTo = (delegationId: string, delegateId: string, changes = {}) => [
  invite(delegationId, ALICE, delegateId, changes),
  accept(delegationId, delegateId),
];

describe('the account as a shared line sees it (lineContextFor)', () => {
  it('R10: given a number nobody in the account owns, then it is LINE_NOT_FOUND (404)', () => {
    let rejection: unknown;
    try {
      given().when('+19990000000');
    } catch (error) {
      rejection = error;
    }
    expect(rejection).toBeInstanceOf(DomainError);
    expect(rejection).toMatchObject({ code: 'LINE_NOT_FOUND', rule: 'R10', kind: 'not_found' });
  });

  it('R10, R14, R15: given a number nobody owns, then only the commands on a call already there are decided on it, with nobody on its side', () => {
    const events: AccountEvent[] = history(...ACME);
    const unowned = '+19990000000';
    // Every line command, so that a new one must be placed on one side or the other.
    const onAnUnownedNumber: Record<LineCommand['type'], 'decided' | 'LINE_NOT_FOUND'> = {
      HangUp: 'decided',
      HoldCall: 'decided',
      ResumeCall: 'decided',
      SetCallPrivacyLock: 'decided',
      StartRecording: 'decided',
      StopRecording: 'decided',
      HangUpAsExternalParty: 'decided',
      AnswerAsExternalParty: 'decided',
      ExpireRing: 'decided',
      RecallTransfer: 'decided',
      ReceiveIncomingCall: 'LINE_NOT_FOUND',
      PlaceCallOnSharedLine: 'LINE_NOT_FOUND',
      AnswerCall: 'LINE_NOT_FOUND',
      DeclineCall: 'LINE_NOT_FOUND',
      PickUpHeldCall: 'LINE_NOT_FOUND',
      JoinCall: 'LINE_NOT_FOUND',
      MergeHeldCall: 'LINE_NOT_FOUND',
      TransferCall: 'LINE_NOT_FOUND',
      RecheckTransferTarget: 'LINE_NOT_FOUND',
      EscalateVipRing: 'LINE_NOT_FOUND',
      ReadVoicemail: 'LINE_NOT_FOUND',
      DeleteVoicemail: 'LINE_NOT_FOUND',
    };
    for (const [type, verdict] of Object.entries(onAnUnownedNumber) as [LineCommand['type'], string][]) {
      const decide = () => lineContextFor(stateOf(events), unowned, T0, type);
      if (verdict === 'decided')
        expect(decide()).toMatchObject({
          now: T0,
          line: { number: unowned, name: null, owned: false },
          delegates: [],
        });
      else expect(decide).toThrow(expect.objectContaining({ code: 'LINE_NOT_FOUND', rule: 'R10' }));
    }
  });

  it('R1: given an unknown account, then its lines are ACCOUNT_NOT_FOUND (404), not missing lines', () => {
    expect(() => lineContextFor({ status: 'unknown' }, LINE, T0)).toThrow(
      expect.objectContaining({ code: 'ACCOUNT_NOT_FOUND', rule: 'R1', kind: 'not_found' }),
    );
  });

  it("R10/R11: given Alice's own line, then Alice is the delegator with her name, settings and `now`", () => {
    const context = given().when();
    expect(context).toEqual({
      now: T0,
      line: { number: LINE, name: null, ringTimeoutSeconds: 30, businessHours: null, owned: true },
      delegator: { partyId: ALICE, name: 'Alice', eligibility: null, powerPack: false },
      delegates: [],
      vip: { contacts: [], routing: { mode: 'delegatorOnly' } },
    });
  });

  it('R10: only delegations that share this number count; pending ones are listed as inactive', () => {
    const context = given(
      { ...invite('d-bob', ALICE, BOB), sharedLines: [LINE] },
      accept('d-bob', BOB),
      { ...invite('d-carol', ALICE, CAROL), sharedLines: [LINE] },
      changeDirectNumbers(ALICE, [LINE, ALICE_SECOND]),
    ).when();
    expect(context.delegates.map((d) => [d.partyId, d.active])).toEqual([
      [BOB, true],
      [CAROL, false],
    ]);
    const second = given(
      changeDirectNumbers(ALICE, [LINE, ALICE_SECOND]),
      ...delegationTo('d-bob', BOB, { sharedLines: [ALICE_SECOND] }),
    );
    expect(second.when(LINE).delegates).toEqual([]);
    expect(second.when(ALICE_SECOND).delegates.map((d) => d.partyId)).toEqual([BOB]);
  });

  it('R10: given a revoked delegation, then the delegate is not on the line at all', () => {
    const context = given(...delegationTo('d-bob', BOB), {
      type: 'RevokeDelegation',
      actor: ALICE,
      delegationId: 'd-bob',
    }).when();
    expect(context.delegates).toEqual([]);
  });

  it('R2: given a delegate without a calling plan, then its eligibility names NO_CALLING_PLAN', () => {
    const context = given(...delegationTo('d-bob', BOB), changeCallingPlan(BOB, 'none')).when();
    expect(context.delegates[0]?.eligibility).toEqual({
      ok: false,
      rule: 'R2',
      code: 'NO_CALLING_PLAN',
      message: expect.stringContaining('calling plan'),
    });
  });

  it('R3: given the delegator with delegation disabled, then the delegator carries the R3 failure', () => {
    const context = given(...delegationTo('d-bob', BOB), disableFor(ALICE)).when();
    expect(context.delegator.eligibility).toMatchObject({ rule: 'R3', code: 'DELEGATION_DISABLED_FOR_USER' });
    expect(context.delegates[0]?.eligibility).toBeNull();
  });

  it('R4: given a phone-user delegate whose desktop client is too old, then it carries DESKTOP_CLIENT_OUTDATED', () => {
    const context = given(...delegationTo('d-bob', BOB), {
      type: 'ReportDesktopClient',
      actor: BOB,
      partyId: BOB,
      desktopClient: { platform: 'windows', version: '5.9.0' },
    }).when();
    expect(context.delegates[0]?.eligibility).toMatchObject({ rule: 'R4', code: 'DESKTOP_CLIENT_OUTDATED' });
  });

  it('R5: given a premium common-area delegation whose delegator lost the Power Pack, then the common-area phone carries POWER_PACK_REQUIRED and rings for nobody; a phone user on the same line is not touched', () => {
    const premiumLobby = [
      changePolicy({ commonAreaDelegationNeedsPowerPack: true }),
      givePowerPack(ALICE),
      invite('d-lobby', ALICE, LOBBY),
      accept('d-lobby', ADMIN),
      ...delegationTo('d-bob', BOB),
    ];
    const delegateOf = (context: LineContext, partyId: string) =>
      context.delegates.find((delegate) => delegate.partyId === partyId);
    expect(delegateOf(given(...premiumLobby).when(), LOBBY)?.eligibility).toBeNull();

    const context = given(...premiumLobby, givePowerPack(ALICE, false)).when();
    expect(delegateOf(context, LOBBY)?.eligibility).toMatchObject({
      rule: 'R5',
      code: 'POWER_PACK_REQUIRED',
      message: expect.stringContaining('assign the Power Pack to alice'),
    });
    expect(delegateOf(context, BOB)?.eligibility).toBeNull();
    // When the common-area phone places a call on the line, Then R5 refuses it
    specFor(lineDecider)([], context)
      .when({ type: 'PlaceCallOnSharedLine', callId: 'c1', actor: LOBBY, to: '+15550100' })
      .thenRejects('POWER_PACK_REQUIRED', 'R5');
    // When a call comes in, Then it rings Alice and Bob, not the common-area phone
    specFor(lineDecider)([], context)
      .when(incoming)
      .thenEmits((events) => {
        const rang = events.find((event) => event.type === 'CallRang');
        expect(rang?.data).toMatchObject({ alerted: [ALICE, BOB] });
        expect(rang?.type === 'CallRang' && rang.data.decisions).toContainEqual(
          expect.objectContaining({
            partyId: LOBBY,
            rings: false,
            rule: 'R5',
            reason: 'POWER_PACK_REQUIRED',
          }),
        );
      });
  });

  it('R13: given a delegate with optInOut who opted out, then it is opted out', () => {
    const context = given(
      ...delegationTo('d-bob', BOB, { permissions: ['answerCalls', 'optInOut'] }),
      optOut('d-bob', BOB),
    ).when();
    expect(context.delegates[0]).toMatchObject({ partyId: BOB, optedIn: false });
  });

  it('R13: given an opted-out delegate that lost optInOut, then it rings again (opted in)', () => {
    const context = given(
      ...delegationTo('d-bob', BOB, { permissions: ['answerCalls', 'optInOut'] }),
      optOut('d-bob', BOB),
      changePermissions('d-bob', ALICE, ['answerCalls']),
    ).when();
    expect(context.delegates[0]).toMatchObject({ optedIn: true, permissions: ['answerCalls'] });
  });

  it("R13: given business hours on the line and a delegate's own hours, then both reach the context", () => {
    const office = { utcOffsetMinutes: 0, windows: [{ day: 'mon' as const, from: '09:00', to: '17:00' }] };
    const evening = { utcOffsetMinutes: 0, windows: [{ day: 'mon' as const, from: '17:00', to: '22:00' }] };
    const context = given(
      { type: 'SetBusinessHours', actor: ALICE, partyId: ALICE, businessHours: office },
      ...delegationTo('d-bob', BOB, { permissions: ['answerCalls', 'overrideBusinessHours'] }),
      {
        type: 'SetDelegateBusinessHours',
        actor: BOB,
        delegationId: 'd-bob',
        businessHours: evening,
      },
    ).when();
    expect(context.line.businessHours).toEqual(office);
    expect(context.delegates[0]?.businessHours).toEqual(evening);
  });

  it('R19: given the Power Pack, VIP contacts and routing, then the context carries them', () => {
    const context = given(givePowerPack(ALICE), addVip(ALICE, VIP), {
      type: 'ChangeVipRouting',
      actor: ALICE,
      delegatorId: ALICE,
      routing: { mode: 'delegatorFirst', delaySeconds: 10 },
    }).when();
    expect(context.delegator.powerPack).toBe(true);
    expect(context.vip).toEqual({ contacts: [VIP], routing: { mode: 'delegatorFirst', delaySeconds: 10 } });
  });

  it('R19: given VIP contacts but the Power Pack taken away, then the line has no Power Pack (no VIP routing)', () => {
    const context = given(givePowerPack(ALICE), addVip(ALICE, VIP), givePowerPack(ALICE, false)).when();
    expect(context.delegator.powerPack).toBe(false);
  });
});

/** An outside caller's call c1 to the line, as the line decider takes it. */
const incoming = {
  type: 'ReceiveIncomingCall',
  callId: 'c1',
  actor: 'external:+15550100',
  from: '+15550100',
} as const;

describe('the authority a line decision used (metadata, SPEC §2)', () => {
  const context = given(...delegationTo('d-bob', BOB)).when();
  const line = specFor(lineDecider);
  const ringing = lineHistory(context, incoming);
  const answeredByBob = lineHistory(context, incoming, { type: 'AnswerCall', callId: 'c1', actor: BOB });

  it('R6: when a delegate answers, then it acts for the delegator with the permission its step was checked for', () => {
    line(ringing, context)
      .when({ type: 'AnswerCall', callId: 'c1', actor: BOB })
      .thenActsWith({ onBehalfOf: ALICE, permission: 'answerCalls' });
  });

  it('R10: when a delegate hangs up, then it still acts on behalf of the delegator, needing no permission', () => {
    line(answeredByBob, context)
      .when({ type: 'HangUp', callId: 'c1', actor: BOB })
      .thenActsWith({ onBehalfOf: ALICE, permission: null });
  });

  it('R11: when the delegator or an outsider (external caller, timer) decides, then it acts for nobody', () => {
    const own = { onBehalfOf: null, permission: null };
    line(ringing, context).when({ type: 'AnswerCall', callId: 'c1', actor: ALICE }).thenActsWith(own);
    line(ringing, context)
      .when({ type: 'ExpireRing', callId: 'c1', actor: 'system:timers', at: '2026-01-05T09:01:00.000Z' })
      .thenActsWith(own);
    line([], context)
      .when({ type: 'ReceiveIncomingCall', callId: 'c2', actor: 'external:+15550100', from: '+15550100' })
      .thenActsWith(own);
  });
});

/**
 * R10, R15: Alice shared her number with Bob, then gave it up (the admin revoked the delegation and
 * changed her direct numbers) while a call was on it. Nobody owns the number now, as if it had passed
 * to another party: the call stays Alice's, its parties hold, resume, lock and record it as before,
 * and nobody else may act on it.
 */
describe('a call on a number nobody owns any more (R10, R15)', () => {
  const line = specFor(lineDecider);
  const shared = history(...ACME, ...delegationTo('d-bob', BOB));
  const whileOwned = lineContextFor(stateOf(shared), LINE, T0);
  const givenUp = stateOf(extend(shared, revoke('d-bob', ALICE), changeDirectNumbers(ALICE, [ALICE_SECOND])));
  /** The context the api decides `type` in on the number Alice gave up. */
  const nowUnowned = (type: LineCommand['type']) => lineContextFor(givenUp, LINE, T0, type);
  const bobOnCall = lineHistory(whileOwned, incoming, { type: 'AnswerCall', callId: 'c1', actor: BOB });
  const bobHolding = lineHistory(
    whileOwned,
    incoming,
    { type: 'AnswerCall', callId: 'c1', actor: BOB },
    { type: 'HoldCall', callId: 'c1', actor: BOB },
  );
  const aliceOnCall = lineHistory(whileOwned, incoming, { type: 'AnswerCall', callId: 'c1', actor: ALICE });
  const onlyItsCall = `No party of this account owns the number ${LINE} any more: only the parties on the call still on it may act on that call.`;

  it("Given Bob's call for Alice on the number she gave up, When Bob holds it or hangs up, Then he does, acting on his own: his delegation ended before she could give the number up (R7)", () => {
    const holding = line(bobOnCall, nowUnowned('HoldCall')).when({
      type: 'HoldCall',
      callId: 'c1',
      actor: BOB,
    });
    holding.thenEmits((events) =>
      expect(events).toMatchObject([{ type: 'CallHeld', data: { by: BOB, onBehalfOf: null } }]),
    );
    holding.thenActsWith({ onBehalfOf: null, permission: null });
    line(bobOnCall, nowUnowned('HangUp'))
      .when({ type: 'HangUp', callId: 'c1', actor: BOB })
      .thenActsWith({ onBehalfOf: null, permission: null });
    // And only Alice, whose call it is, may lock it
    line(bobOnCall, nowUnowned('SetCallPrivacyLock'))
      .when({ type: 'SetCallPrivacyLock', callId: 'c1', actor: BOB, locked: true })
      .thenRejects('PRIVACY_LOCK_DELEGATOR_ONLY', 'R15');
  });

  it('Given a call Bob placed for Alice, still dialing when she gave the number up, When the other end answers, Then it is connected: the callee knows nothing of the number changing hands (as on a number passed to another party, and as R20 offers it)', () => {
    const dialing = lineHistory(whileOwned, {
      type: 'PlaceCallOnSharedLine',
      callId: 'c1',
      actor: BOB,
      to: '+15550100',
    });
    const answering = line(dialing, nowUnowned('AnswerAsExternalParty')).when({
      type: 'AnswerAsExternalParty',
      callId: 'c1',
      actor: 'external:+15550100',
    });
    answering.thenEmitsTypes(['CallAnsweredByExternalParty']);
    answering.thenActsWith({ onBehalfOf: null, permission: null });
  });

  it("Given Bob's hold of Alice's call on the number she gave up, When Bob resumes it, Then it is connected again", () => {
    line(bobHolding, nowUnowned('ResumeCall'))
      .when({ type: 'ResumeCall', callId: 'c1', actor: BOB })
      .thenEmitsTypes(['CallResumed']);
  });

  it("Given Alice's own call on the number she gave up, When she holds it locked or locks it, Then it is locked; When Bob, on his call, records it, Then it is recorded", () => {
    line(aliceOnCall, nowUnowned('HoldCall'))
      .when({ type: 'HoldCall', callId: 'c1', actor: ALICE, privacyLock: true })
      .thenEmits((events) =>
        expect(events).toMatchObject([{ type: 'CallHeld', data: { privacyLocked: true, onBehalfOf: null } }]),
      );
    line(aliceOnCall, nowUnowned('SetCallPrivacyLock'))
      .when({ type: 'SetCallPrivacyLock', callId: 'c1', actor: ALICE, locked: true })
      .thenEmitsTypes(['CallPrivacyLockChanged']);
    line(bobOnCall, nowUnowned('StartRecording'))
      .when({ type: 'StartRecording', callId: 'c1', recordingId: 'r1', actor: BOB })
      .thenEmitsTypes(['RecordingStarted']);
  });

  it.each([
    ['Carol holds it', bobOnCall, { type: 'HoldCall', callId: 'c1', actor: CAROL }],
    [
      "Alice, not on Bob's call, resumes Bob's hold",
      bobHolding,
      { type: 'ResumeCall', callId: 'c1', actor: ALICE },
    ],
    [
      "Alice, not on Bob's call, locks it",
      bobOnCall,
      { type: 'SetCallPrivacyLock', callId: 'c1', actor: ALICE, locked: true },
    ],
  ] as const)(
    'Given a call on the number nobody owns, When %s, Then LINE_NOT_FOUND says only its parties may act on it',
    (_when, past, command: LineCommand) => {
      line(past, nowUnowned(command.type)).when(command).thenRejects('LINE_NOT_FOUND', 'R10', onlyItsCall);
    },
  );
});
