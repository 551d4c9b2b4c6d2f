import {
  DomainError,
  fold,
  inContext,
  lineContextFor,
  lineDecider,
  type LineCommand,
  type Timed,
} from '#domain';
import { VIRTUAL_CLOCK_STREAM, type BusinessHours, type LineEvent, type Permission } from '#events';
import { storedLog } from '../engine/engine.fixture.js';
import { ReadModels } from '../engine/read-models.js';
import type { ProjectedEvent } from '../projections/catalogue.js';
import { callsProjection } from '../projections/calls.projection.js';
import { PROJECTIONS } from '../projections/index.js';
import { ACCOUNT, LINE, T, by, phoneUser, policy } from '../projections/projections.fixture.js';
import { accountStateOf } from './account-state.js';
import { diagnosisTime, type DiagnosisTime } from './diagnosis-time.js';
import { otherEndOf, whyBusy, whyCannot, type Action, type Diagnosis } from './diagnostics.js';

/**
 * R20: a party diagnosis agrees with the line decision the api takes. Every case projects an account
 * and a line history the real line decider produced, asks `whyCannot`, and hands the matching
 * command to the decider with the context the api builds (`lineContextFor` over the account state).
 */
/** A diagnosis asked at `at`, as `asOfTime` asks it. */
const asked = (at: string): DiagnosisTime => ({ at, source: 'the time asked for' });
/** When the api decides the commands these specs compare with (see `decide`), and the diagnoses are asked. */
const NOW = T(30);
const ab = { ...by, delegationId: 'ab', delegatorId: 'alice', delegateId: 'bob' };
const ac = { ...by, delegationId: 'ac', delegatorId: 'alice', delegateId: 'carol' };
const bobMay = (...permissions: Permission[]): ProjectedEvent => ({
  type: 'DelegationPermissionsChanged',
  data: { ...ab, permissions },
});

/** Alice owns +1001 and shares it with Bob (place, answer, pick up, opt out); Carol is no delegate. */
const account: ProjectedEvent[] = [
  { type: 'AccountCreated', data: { ...by, accountId: 'acme', name: 'Acme', admins: ['admin'], policy } },
  phoneUser('alice', 'Alice', ['+1001']),
  phoneUser('bob', 'Bob', ['+2002']),
  phoneUser('carol', 'Carol', ['+3003']),
  {
    type: 'DelegateInvited',
    data: {
      ...ab,
      permissions: ['placeCalls', 'answerCalls', 'pickUpHeldCalls', 'optInOut'],
      sharedLines: ['+1001'],
    },
  },
  { type: 'DelegationAccepted', data: ab },
];

const incoming = (callId: string, at = T(20)): Timed<LineCommand> => ({
  type: 'ReceiveIncomingCall',
  callId,
  actor: 'external',
  from: '+15550100',
  at,
});
/** A command on a call that says nothing but the call and who acts. */
const byActor =
  (
    type:
      | 'AnswerCall'
      | 'DeclineCall'
      | 'HoldCall'
      | 'ResumeCall'
      | 'HangUp'
      | 'PickUpHeldCall'
      | 'JoinCall'
      | 'MergeHeldCall',
  ) =>
  (callId: string, actor: string): Timed<LineCommand> => ({ type, callId, actor });
const answer = byActor('AnswerCall');
const decline = byActor('DeclineCall');
const hold = byActor('HoldCall');
const resume = byActor('ResumeCall');
const hangUp = byActor('HangUp');
const pickUp = byActor('PickUpHeldCall');
const join = byActor('JoinCall');
const merge = byActor('MergeHeldCall');
const place = (callId: string, actor: string): Timed<LineCommand> => ({
  type: 'PlaceCallOnSharedLine',
  callId,
  actor,
  to: '+15550101',
});

interface World {
  readonly readModels: ReadModels;
  readonly line: readonly LineEvent[];
}

/** The account with its changes, the line's events, then the virtual clock's advances. */
const project = (
  accountChanges: readonly ProjectedEvent[],
  line: readonly LineEvent[],
  clock: readonly ProjectedEvent[] = [],
): ReadModels => {
  const readModels = new ReadModels(PROJECTIONS);
  const log: [string, ProjectedEvent][] = [
    ...[...account, ...accountChanges].map((event): [string, ProjectedEvent] => [ACCOUNT, event]),
    ...line.map((event): [string, ProjectedEvent] => [LINE, event]),
    ...clock.map((event): [string, ProjectedEvent] => [VIRTUAL_CLOCK_STREAM, event]),
  ];
  for (const stored of storedLog(log)) readModels.apply(stored);
  return readModels;
};

/** The api's decision: the line decider with the context built from the account state, at `now`. */
const decide = (world: World, timed: Timed<LineCommand>, now = NOW): readonly LineEvent[] => {
  const [command, context] = inContext(
    timed,
    lineContextFor(accountStateOf(world.readModels, 'acme'), '+1001', now),
  );
  return lineDecider.decide(command, fold(lineDecider.evolve, lineDecider.initialState, world.line), context)
    .events;
};

/** Account changes, then line commands the decider accepts, projected. */
const given = (accountChanges: readonly ProjectedEvent[], ...commands: Timed<LineCommand>[]): World => {
  let world: World = { readModels: project(accountChanges, []), line: [] };
  for (const command of commands) {
    const line = [...world.line, ...decide(world, command)];
    world = { readModels: project(accountChanges, line), line };
  }
  return world;
};

const rejectionOf = (world: World, command: Timed<LineCommand>, now = NOW): DomainError | null => {
  try {
    decide(world, command, now);
    return null;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
};

/**
 * The diagnosis and the decision agree: both allow, or the diagnosis names the rule and code the api
 * rejects with (and, for the permission and eligibility steps, its very sentence).
 */
const expectAgreement = (
  world: World,
  partyId: string,
  action: Action,
  command: LineCommand,
  now = NOW,
): { diagnosis: Diagnosis; rejection: DomainError | null } => {
  const diagnosis = whyCannot(world.readModels, 'acme', '1001', partyId, action, asked(now));
  const rejection = rejectionOf(world, command, now);
  if (rejection === null) {
    expect(diagnosis.checks.every((check) => check.ok)).toBe(true);
  } else {
    expect({ rule: diagnosis.rule, code: diagnosis.code }).toEqual({
      rule: rejection.rule,
      code: rejection.code,
    });
  }
  return { diagnosis, rejection };
};

/** A refused answer names routing's decision for the party in its details (R13, R5, R19). */
const expectAnswerAgreement = (world: World, partyId: string, callId: string): Diagnosis => {
  const diagnosis = whyCannot(world.readModels, 'acme', '1001', partyId, 'answer', asked(NOW));
  const rejection = rejectionOf(world, answer(callId, partyId));
  expect(rejection).toMatchObject({ code: 'NOT_RINGING_FOR_YOU', details: { reason: diagnosis.code } });
  expect(diagnosis.answer).toContain(rejection!.message.split('not ringing for you: ')[1]);
  return diagnosis;
};

describe('whyCannot agrees with the line decider (R20)', () => {
  it('R20/R2: Given the delegator lost its calling plan, When its delegate asks, Then both name R2', () => {
    const world = given([
      { type: 'PartyCallingPlanChanged', data: { ...by, partyId: 'alice', callingPlan: 'none' } },
    ]);
    const { diagnosis, rejection } = expectAgreement(world, 'bob', 'placeCall', place('c1', 'bob'));
    expect(diagnosis).toMatchObject({ rule: 'R2', code: 'NO_CALLING_PLAN' });
    expect(diagnosis.answer).toBe(`Bob cannot place calls on line +1001: ${rejection!.message}`);
    // The delegator's own line stays usable to the delegator: the decider asks no eligibility of it.
    expectAgreement(world, 'alice', 'placeCall', place('c1', 'alice'));
  });

  it('R20/R3: Given delegation disabled for the account, When a delegate asks, Then both name R3', () => {
    const world = given([
      { type: 'AccountPolicyChanged', data: { ...by, policy: { ...policy, delegationEnabled: false } } },
    ]);
    const { diagnosis } = expectAgreement(world, 'bob', 'pickUp', {
      type: 'PickUpHeldCall',
      callId: 'c1',
      actor: 'bob',
    });
    expect(diagnosis).toMatchObject({ rule: 'R3', code: 'DELEGATION_DISABLED_FOR_ACCOUNT' });
  });

  it('R20/R13: Given a delegate opted out and then lost optInOut, When a call rings, Then it rings and may be answered', () => {
    const world = given(
      [{ type: 'DelegateOptedOut', data: ab }, bobMay('placeCalls', 'answerCalls')],
      incoming('c1'),
    );
    const { diagnosis } = expectAgreement(world, 'bob', 'answer', answer('c1', 'bob'));
    expect(diagnosis.answer).toBe('Bob can answer calls on line +1001.');
  });

  it('R20/R13: Given a delegate opted out with optInOut, When a call rings, Then both say it opted out', () => {
    const world = given([{ type: 'DelegateOptedOut', data: ab }], incoming('c1'));
    expect(expectAnswerAgreement(world, 'bob', 'c1')).toMatchObject({ rule: 'R13', code: 'OPTED_OUT' });
  });

  it('R20/R10: Given a pending delegation and an outdated client, When the delegate asks, Then both name the inactive delegation and the diagnosis adds R4', () => {
    const world = given([
      { type: 'DelegateInvited', data: { ...ac, permissions: ['answerCalls'], sharedLines: ['+1001'] } },
      {
        type: 'PartyDesktopClientChanged',
        data: { ...by, partyId: 'carol', desktopClient: { platform: 'macos', version: '5.0.0' } },
      },
    ]);
    const { diagnosis, rejection } = expectAgreement(world, 'carol', 'placeCall', place('c1', 'carol'));
    expect(diagnosis).toMatchObject({ rule: 'R7', code: 'DELEGATION_NOT_ACTIVE' });
    expect(diagnosis.answer).toBe(`Carol cannot place calls on line +1001: ${rejection!.message}`);
    // Accepting, the fix R10 asks for, is refused on R4: the diagnosis names that next.
    expect(diagnosis.checks.at(-1)).toMatchObject({ rule: 'R4', ok: false, code: 'DESKTOP_CLIENT_OUTDATED' });
  });

  it('R20/R5: Given a vipOnly delegate and a delegator without the Power Pack, When a call rings, Then both name R5', () => {
    const world = given([bobMay('answerCalls', 'vipOnly')], incoming('c1'));
    expect(expectAnswerAgreement(world, 'bob', 'c1')).toMatchObject({
      rule: 'R5',
      code: 'POWER_PACK_REQUIRED',
    });
    // Without a call ringing, routing's standing refusal says the same.
    expect(
      whyCannot(
        given([bobMay('answerCalls', 'vipOnly')]).readModels,
        'acme',
        '1001',
        'bob',
        'answer',
        asked(NOW),
      ),
    ).toMatchObject({ rule: 'R5', code: 'POWER_PACK_REQUIRED' });
  });

  it('R20/R10: Given a line not shared with a party, When it asks, Then both name R10 LINE_NOT_SHARED', () => {
    const { diagnosis, rejection } = expectAgreement(given([]), 'carol', 'placeCall', place('c1', 'carol'));
    expect(diagnosis).toMatchObject({ rule: 'R10', code: 'LINE_NOT_SHARED' });
    expect(diagnosis.answer).toBe(`Carol cannot place calls on line +1001: ${rejection!.message}`);
  });

  it('R20/R13 answer: Given a call ringing for a delegate with answerCalls, Then both allow the answer', () => {
    expectAgreement(given([], incoming('c1')), 'bob', 'answer', answer('c1', 'bob'));
    const withoutPermission = given([bobMay('placeCalls')], incoming('c1'));
    expect(expectAgreement(withoutPermission, 'bob', 'answer', answer('c1', 'bob')).diagnosis).toMatchObject({
      rule: 'R13',
      code: 'PERMISSION_REQUIRED',
    });
  });

  it('R20/R14 answer: Given a delegate declined the ringing call, When it asks, Then both say it declined while the others may still answer', () => {
    const world = given([], incoming('c1'), decline('c1', 'bob'));
    const diagnosis = expectAnswerAgreement(world, 'bob', 'c1');
    expect(diagnosis).toMatchObject({
      rule: 'R14',
      code: 'DECLINED',
      answer: 'Bob cannot answer calls on line +1001: Call c1 is not ringing for you: you declined it.',
    });
    expect(diagnosis.checks.map((check) => check.ok)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      false,
    ]);
    expectAgreement(world, 'alice', 'answer', answer('c1', 'alice'));
  });

  it('R20/R13 answer: Given the delegator answered, When its delegate asks, Then both name who answered', () => {
    const world = given([], incoming('c1'), answer('c1', 'alice'));
    const { diagnosis, rejection } = expectAgreement(world, 'bob', 'answer', answer('c1', 'bob'));
    expect(diagnosis).toMatchObject({ rule: 'R13', code: 'ALREADY_ANSWERED' });
    expect(diagnosis.answer).toBe(`Bob cannot answer calls on line +1001: ${rejection!.message}`);
  });

  it('R20/R16 answer: Given the delegator transferred its call to the delegate, Then both let the delegate answer it', () => {
    const world = given([], incoming('c1'), answer('c1', 'alice'), {
      type: 'TransferCall',
      callId: 'c1',
      actor: 'alice',
      to: 'bob',
    });
    const { diagnosis } = expectAgreement(world, 'bob', 'answer', answer('c1', 'bob'));
    expect(diagnosis.checks.at(-1)).toMatchObject({ rule: 'R16', ok: true });
  });

  describe('R20/R16: a former transfer target asking after the recall', () => {
    const revoked: ProjectedEvent = { type: 'DelegationRevoked', data: ab };
    /** Alice answered call c1 at 09:00:21 and transferred it to Bob at 09:00:22: recalled at 09:00:52. */
    const transferredToBob = given(
      [],
      incoming('c1'),
      { ...answer('c1', 'alice'), at: T(21) },
      { type: 'TransferCall', callId: 'c1', actor: 'alice', to: 'bob', at: T(22) },
    );
    const timer = { actor: 'system:timers', callId: 'c1', attempt: 1, at: T(52) } as const;
    /** The world after `commands`, decided and projected with the account changed by `accountChanges`. */
    const after = (accountChanges: readonly ProjectedEvent[], ...commands: Timed<LineCommand>[]): World => {
      let line = transferredToBob.line;
      for (const command of commands)
        line = [...line, ...decide({ readModels: project(accountChanges, line), line }, command)];
      return { readModels: project(accountChanges, line), line };
    };
    const LATER = T(70);

    it.each([
      ['it rang out', [], { ...timer, type: 'RecallTransfer' }, 'as you did not answer it in time'],
      [
        'Bob may no longer take it',
        [revoked],
        { ...timer, type: 'RecheckTransferTarget' },
        'as you may no longer take it',
      ],
    ] as const)(
      'Given the transfer to Bob recalled as %s, When Bob asks to answer or decline the call, Then the diagnosis gives the api’s recall sentence',
      (_why, accountChanges, recall, why) => {
        const recalled = after(accountChanges, recall);
        for (const [action, command] of [
          ['answer', answer('c1', 'bob')],
          ['decline', decline('c1', 'bob')],
        ] as const) {
          const { diagnosis, rejection } = expectAgreement(recalled, 'bob', action, command, LATER);
          expect(rejection!.details).toMatchObject({ reason: 'TRANSFER_RECALLED', backTo: 'alice' });
          expect(rejection!.message).toContain(`recalled at ${T(52)}, ${why}, and went back to Alice.`);
          expect(diagnosis).toMatchObject({
            rule: 'R16',
            code: 'NOT_RINGING_FOR_YOU',
            answer: `Bob cannot ${action} calls on line +1001: ${rejection!.message}`,
          });
        }
      },
    );

    it('Given the recalled call ended, When Bob asks to decline it, Then the diagnosis gives the api’s sentence: over, and recalled', () => {
      const ended = after([], { ...timer, type: 'RecallTransfer' }, { ...hangUp('c1', 'alice'), at: T(60) });
      const { diagnosis, rejection } = expectAgreement(ended, 'bob', 'decline', decline('c1', 'bob'), LATER);
      expect(rejection!.message).toMatch(
        /^Call c1 is no longer on the line \(ended\); its transfer to you was recalled/,
      );
      expect(diagnosis.answer).toBe(`Bob cannot decline calls on line +1001: ${rejection!.message}`);
    });
  });

  it('R20/R12 place: Given a delegate on a call, When the delegator places one, Then both say the line is busy', () => {
    const world = given([], place('c1', 'bob'));
    const { diagnosis } = expectAgreement(world, 'alice', 'placeCall', place('c2', 'alice'));
    expect(diagnosis).toMatchObject({ rule: 'R12', code: 'LINE_BUSY' });
  });

  it('R20/R15 pick up: Given a call the delegator held with the privacy lock, Then both refuse the delegate', () => {
    const world = given([], incoming('c1'), answer('c1', 'alice'), {
      type: 'HoldCall',
      callId: 'c1',
      actor: 'alice',
      privacyLock: true,
    });
    const pickUp: LineCommand = { type: 'PickUpHeldCall', callId: 'c1', actor: 'bob' };
    expect(expectAgreement(world, 'bob', 'pickUp', pickUp).diagnosis).toMatchObject({
      rule: 'R15',
      code: 'CALL_PRIVACY_LOCKED',
    });
  });

  it('R20/R16 join: Given a delegate without joinAndMerge, When it would join a call, Then both name R16', () => {
    const world = given([], incoming('c1'), answer('c1', 'alice'));
    const join: LineCommand = { type: 'JoinCall', callId: 'c1', actor: 'bob' };
    const { diagnosis, rejection } = expectAgreement(world, 'bob', 'join', join);
    expect(diagnosis).toMatchObject({ rule: 'R16', code: 'PERMISSION_REQUIRED' });
    expect(diagnosis.answer).toBe(`Bob cannot join calls on line +1001: ${rejection!.message}`);
    const allowed = given([bobMay('joinAndMerge')], incoming('c1'), answer('c1', 'alice'));
    expectAgreement(allowed, 'bob', 'join', join);
  });
  /** Monday from `from` to 17:00 UTC; T(…) is Monday 09:00 UTC. */
  const mondayFrom = (from: string): BusinessHours => ({
    utcOffsetMinutes: 0,
    windows: [{ day: 'mon', from, to: '17:00' }],
  });
  const lineHours = (from: string): ProjectedEvent => ({
    type: 'BusinessHoursSet',
    data: { ...by, partyId: 'alice', businessHours: mondayFrom(from) },
  });

  it('R20/R13 hours: Given no call and the line closed until noon, When a delegate asks at 09:00, Then OUTSIDE_BUSINESS_HOURS, as routing and the answer say of a call arriving then', () => {
    const closed = given([lineHours('12:00')]);
    const diagnosis = whyCannot(closed.readModels, 'acme', '1001', 'bob', 'answer', asked(T(20)));
    expect(diagnosis).toMatchObject({
      rule: 'R13',
      code: 'OUTSIDE_BUSINESS_HOURS',
      answer: "Bob cannot answer calls on line +1001: It is outside the line's business hours.",
    });
    expect(diagnosis.question).toContain(T(20));
    // The call that arrives then does not ring Bob, and his answer is refused for that reason.
    const world = given([lineHours('12:00')], incoming('c1', T(20)));
    const rejection = rejectionOf(world, answer('c1', 'bob'), T(20));
    expect(rejection).toMatchObject({
      code: 'NOT_RINGING_FOR_YOU',
      details: { reason: diagnosis.code },
    });
    expect(rejection!.message).toContain(diagnosis.checks.at(-1)!.detail);
    // The delegator rings whatever the hours.
    expect(whyCannot(closed.readModels, 'acme', '1001', 'alice', 'answer', asked(T(20))).answer).toBe(
      'Alice can answer calls on line +1001.',
    );
  });

  it('R20/R13 hours: Given the line open, When a delegate asks within hours, Then it would ring and a call then may be answered', () => {
    const open = given([lineHours('09:00')]);
    expect(whyCannot(open.readModels, 'acme', '1001', 'bob', 'answer', asked(T(20))).answer).toBe(
      'Bob can answer calls on line +1001.',
    );
    const world = given([lineHours('09:00')], incoming('c1', T(20)));
    expect(rejectionOf(world, answer('c1', 'bob'), T(20))).toBeNull();
  });

  it("R20/R21 hours: Given the line open and the virtual clock advanced to 18:00 with no command after, When a delegate asks at the api's now, Then OUTSIDE_BUSINESS_HOURS, as the api says of a call arriving then", () => {
    const evening = new Date(Date.UTC(2026, 0, 5, 18, 0, 0)).toISOString();
    const advance = (from: string, to: string): ProjectedEvent => ({
      type: 'VirtualClockAdvanced',
      data: { from, to },
    });
    const readModels = project([lineHours('09:00')], [], [advance(T(0), T(20)), advance(T(20), evening)]);
    const now = diagnosisTime(readModels, { mode: 'virtual', virtualStart: new Date(T(0)) }, {});
    expect(now).toEqual({ at: evening, source: "the virtual clock's time" });
    const diagnosis = whyCannot(readModels, 'acme', '1001', 'bob', 'answer', now);
    expect(diagnosis).toMatchObject({
      question: `Why can Bob not answer calls on line +1001 (as of ${evening}, the virtual clock's time)?`,
      rule: 'R13',
      code: 'OUTSIDE_BUSINESS_HOURS',
    });
    const world = given([lineHours('09:00')], incoming('c1', evening));
    expect(rejectionOf(world, answer('c1', 'bob'), evening)).toMatchObject({
      code: 'NOT_RINGING_FOR_YOU',
      details: { reason: diagnosis.code },
    });
    // At 09:00:20, the clock's time before the last advance, the same line would ring Bob.
    const morning = diagnosisTime(
      project([lineHours('09:00')], [], [advance(T(0), T(20))]),
      { mode: 'virtual', virtualStart: new Date(T(0)) },
      {},
    );
    expect(whyCannot(readModels, 'acme', '1001', 'bob', 'answer', morning).answer).toBe(
      'Bob can answer calls on line +1001.',
    );
  });

  it("R20/R13 own hours: Given overrideBusinessHours and the delegate's own hours from noon, When it asks at 09:00, Then OUTSIDE_OWN_HOURS though the line is open", () => {
    const ownHours: ProjectedEvent[] = [
      lineHours('09:00'),
      bobMay('answerCalls', 'overrideBusinessHours'),
      { type: 'DelegateBusinessHoursSet', data: { ...ab, businessHours: mondayFrom('12:00') } },
    ];
    expect(
      whyCannot(given(ownHours).readModels, 'acme', '1001', 'bob', 'answer', asked(T(20))),
    ).toMatchObject({
      rule: 'R13',
      code: 'OUTSIDE_OWN_HOURS',
    });
    const world = given(ownHours, incoming('c1', T(20)));
    expect(rejectionOf(world, answer('c1', 'bob'), T(20))).toMatchObject({
      code: 'NOT_RINGING_FOR_YOU',
      details: { reason: 'OUTSIDE_OWN_HOURS' },
    });
  });
  it('R20/R15 pick up: Given a call ringing, then connected, When the delegate asks, Then both say it is not on hold', () => {
    const ringing = given([], incoming('c1'));
    expect(expectAgreement(ringing, 'bob', 'pickUp', pickUp('c1', 'bob')).diagnosis).toMatchObject({
      rule: 'R15',
      code: 'CALL_NOT_HELD',
    });
    const connected = given([], incoming('c1'), answer('c1', 'alice'));
    const { diagnosis, rejection } = expectAgreement(connected, 'bob', 'pickUp', pickUp('c1', 'bob'));
    expect(diagnosis.answer).toBe(`Bob cannot pick up held calls on line +1001: ${rejection!.message}`);
  });

  it('R20/R15 pick up: Given the delegate holds the call, When it asks, Then both tell it to resume; the delegator may pick it up', () => {
    const world = given([], incoming('c1'), answer('c1', 'bob'), hold('c1', 'bob'));
    const { diagnosis, rejection } = expectAgreement(world, 'bob', 'pickUp', pickUp('c1', 'bob'));
    expect(diagnosis).toMatchObject({ rule: 'R15', code: 'CALL_HELD_BY_YOU' });
    expect(diagnosis.answer).toBe(`Bob cannot pick up held calls on line +1001: ${rejection!.message}`);
    expect(expectAgreement(world, 'alice', 'pickUp', pickUp('c1', 'alice')).diagnosis.answer).toBe(
      'Alice can pick up held calls on line +1001.',
    );
  });

  it('R20/R15 pick up: Given the last call ended, or none ever rang, When the delegate asks, Then both say there is no call', () => {
    const ended = given(
      [],
      incoming('c1'),
      answer('c1', 'alice'),
      hold('c1', 'alice'),
      pickUp('c1', 'bob'),
      hangUp('c1', 'bob'),
    );
    const { diagnosis, rejection } = expectAgreement(ended, 'bob', 'pickUp', pickUp('c1', 'bob'));
    expect(diagnosis).toMatchObject({ rule: 'R15', code: 'CALL_ENDED' });
    expect(diagnosis.answer).toBe(`Bob cannot pick up held calls on line +1001: ${rejection!.message}`);
    expect(expectAgreement(given([]), 'bob', 'pickUp', pickUp('c1', 'bob')).diagnosis).toMatchObject({
      rule: 'R15',
      code: 'CALL_NOT_FOUND',
      answer: 'Bob cannot pick up held calls on line +1001: No call has been on line +1001 yet.',
    });
  });

  it('R20 wording: Given a line asked about by its digits, When the diagnosis refuses, Then every number it writes carries its +', () => {
    // The projector passes the digits of `?line=` (line keys have no `+`); people read E.164 numbers
    const noCall = whyCannot(given([]).readModels, 'acme', '1001', 'bob', 'pickUp', asked(NOW));
    expect(noCall.question).toMatch(/^Why can Bob not pick up held calls on line \+1001 \(as of /);
    expect(noCall.answer).toBe(
      'Bob cannot pick up held calls on line +1001: No call has been on line +1001 yet.',
    );
    const unowned = whyCannot(given([]).readModels, 'acme', '4004', 'bob', 'answer', asked(NOW));
    expect(unowned).toMatchObject({ rule: 'R10', code: 'LINE_NOT_FOUND' });
    expect(unowned.answer).toBe(
      'Bob cannot answer calls on line +4004: No party of this account owns the number +4004; provision it as a direct number first.',
    );
    expect(whyBusy(given([]).readModels, 'acme', '1001')).toMatchObject({
      question: 'Why is line +1001 busy?',
      answer: 'Line +1001 is idle: no call is active on it.',
    });
  });

  it('R20/R16 join: Given a held call, When a delegate with joinAndMerge asks, Then both say it is not connected', () => {
    const world = given(
      [bobMay('answerCalls', 'joinAndMerge')],
      incoming('c1'),
      answer('c1', 'alice'),
      hold('c1', 'alice'),
    );
    const { diagnosis, rejection } = expectAgreement(world, 'bob', 'join', join('c1', 'bob'));
    expect(diagnosis).toMatchObject({ rule: 'R16', code: 'CALL_NOT_CONNECTED' });
    expect(diagnosis.answer).toBe(`Bob cannot join calls on line +1001: ${rejection!.message}`);
  });

  it('R20/R16 join: Given the delegate is on the call, When it asks, Then both say it is already on it', () => {
    const world = given([bobMay('answerCalls', 'joinAndMerge')], incoming('c1'), answer('c1', 'bob'));
    expect(expectAgreement(world, 'bob', 'join', join('c1', 'bob')).diagnosis).toMatchObject({
      rule: 'R16',
      code: 'ALREADY_ON_CALL',
    });
    // The delegator, not on it, may join its own line's call.
    expectAgreement(world, 'alice', 'join', join('c1', 'alice'));
  });
});

describe("a call of the number's previous owner, as the new owner asks about the line (R10, R12, R20)", () => {
  /** Alice on call c1 (answered, then held), when an admin gives her number to Carol. */
  const handedToCarol = (...commands: Timed<LineCommand>[]): World => {
    const { line } = given([], incoming('c1'), answer('c1', 'alice'), ...commands);
    const reassigned: ProjectedEvent[] = [
      { type: 'DelegationRevoked', data: ab },
      { type: 'PartyDirectNumbersChanged', data: { ...by, partyId: 'alice', directNumbers: ['+1004'] } },
      {
        type: 'PartyDirectNumbersChanged',
        data: { ...by, partyId: 'carol', directNumbers: ['+3003', '+1001'] },
      },
    ];
    return { readModels: project(reassigned, line), line };
  };
  const sentence =
    "Line +1001 is busy with a call that started while it was another party's number; it takes no new call until that call ends.";

  it.each([
    ['connected', handedToCarol()],
    ['held', handedToCarol(hold('c1', 'alice'))],
  ])(
    "Given %s, When Carol asks why the line is busy or why she cannot place a call, Then both say a previous owner's call holds it, naming neither the call nor Alice",
    (_phase, world) => {
      const busy = whyBusy(world.readModels, 'acme', '1001');
      expect(busy).toMatchObject({
        rule: 'R12',
        answer:
          "Line +1001 is busy with a call that started while it was another party's number (R10); it takes no new call until that call ends (R12).",
      });
      const { diagnosis, rejection } = expectAgreement(world, 'carol', 'placeCall', place('n1', 'carol'));
      expect(diagnosis).toMatchObject({ rule: 'R12', code: 'LINE_BUSY' });
      expect(rejection!.message).toBe(sentence);
      expect(diagnosis.answer).toBe(`Carol cannot place calls on line +1001: ${sentence}`);
      for (const said of [busy.answer, diagnosis.answer]) {
        expect(said).not.toMatch(/c1|Alice|\+15550100/);
      }
    },
  );
});

describe('the calls read model keeps the call as the line decider does, through holds (R15, R16, R20)', () => {
  /** Bob may also pick up and join; Carol is a second delegate who may answer, pick up and join. */
  const delegates: ProjectedEvent[] = [
    bobMay('placeCalls', 'answerCalls', 'pickUpHeldCalls', 'joinAndMerge'),
    {
      type: 'DelegateInvited',
      data: {
        ...ac,
        permissions: ['answerCalls', 'pickUpHeldCalls', 'joinAndMerge'],
        sharedLines: ['+1001'],
      },
    },
    { type: 'DelegationAccepted', data: ac },
  ];
  const lockedHold = (callId: string): Timed<LineCommand> => ({
    type: 'HoldCall',
    callId,
    actor: 'alice',
    privacyLock: true,
  });
  const resume = (callId: string, actor: string): Timed<LineCommand> => ({
    type: 'ResumeCall',
    callId,
    actor,
  });
  const lock = (callId: string, locked: boolean): Timed<LineCommand> => ({
    type: 'SetCallPrivacyLock',
    callId,
    actor: 'alice',
    locked,
  });

  /** Alice answered an incoming call and Bob joined her on it. */
  const bobJoinedAlice: LineCommand[] = [incoming('c1'), answer('c1', 'alice'), join('c1', 'bob')];
  /** Alice answered, held the call with the privacy lock, and resumed it: it is still locked (R15). */
  const aliceResumedLocked: LineCommand[] = [
    incoming('c1'),
    answer('c1', 'alice'),
    lockedHold('c1'),
    resume('c1', 'alice'),
  ];

  it('R20/R15: Given a call the delegator held locked and resumed, When a delegate asks to join, Then both say it is still locked; held again it cannot be picked up either', () => {
    const resumed = given(delegates, ...aliceResumedLocked);
    expect(expectAgreement(resumed, 'bob', 'join', join('c1', 'bob')).diagnosis).toMatchObject({
      rule: 'R15',
      code: 'CALL_PRIVACY_LOCKED',
    });
    const heldAgain = given(delegates, ...aliceResumedLocked, hold('c1', 'alice'));
    expect(expectAgreement(heldAgain, 'bob', 'pickUp', pickUp('c1', 'bob')).diagnosis).toMatchObject({
      rule: 'R15',
      code: 'CALL_PRIVACY_LOCKED',
    });
    // The delegator is not bound by its own lock.
    expectAgreement(resumed, 'alice', 'join', join('c1', 'alice'));
  });

  it('R20/R15: Given the delegator locked its call while connected, When a delegate asks to join, Then both refuse; unlocked, both allow', () => {
    const locked = given(delegates, incoming('c1'), answer('c1', 'alice'), lock('c1', true));
    expect(expectAgreement(locked, 'bob', 'join', join('c1', 'bob')).diagnosis).toMatchObject({
      rule: 'R15',
      code: 'CALL_PRIVACY_LOCKED',
    });
    const unlocked = given(delegates, ...aliceResumedLocked, lock('c1', false));
    expect(expectAgreement(unlocked, 'bob', 'join', join('c1', 'bob')).diagnosis.answer).toBe(
      'Bob can join calls on line +1001.',
    );
  });

  it('R20/R16: Given a delegate joined and the delegator held and resumed the call, When the delegate asks to join again, Then both allow it: a resume brings back the holder alone', () => {
    const world = given(delegates, ...bobJoinedAlice, hold('c1', 'alice'), resume('c1', 'alice'));
    expect(expectAgreement(world, 'bob', 'join', join('c1', 'bob')).diagnosis.answer).toBe(
      'Bob can join calls on line +1001.',
    );
    expect(expectAgreement(world, 'alice', 'join', join('c1', 'alice')).diagnosis).toMatchObject({
      rule: 'R16',
      code: 'ALREADY_ON_CALL',
    });
  });

  it('R20/R16: Given a delegate picked up a call another had been on, When the previous holder and the other party ask to join, Then both allow them and refuse the one who picked up', () => {
    const world = given(delegates, ...bobJoinedAlice, hold('c1', 'alice'), pickUp('c1', 'carol'));
    expectAgreement(world, 'alice', 'join', join('c1', 'alice'));
    expectAgreement(world, 'bob', 'join', join('c1', 'bob'));
    expect(expectAgreement(world, 'carol', 'join', join('c1', 'carol')).diagnosis).toMatchObject({
      code: 'ALREADY_ON_CALL',
    });
  });

  it('R20/R16: Given the delegator transferred a call a delegate had joined, When the parties ask to join, Then both say who is on it', () => {
    const world = given(
      delegates,
      ...bobJoinedAlice,
      { type: 'TransferCall', callId: 'c1', actor: 'alice', to: 'carol' },
      answer('c1', 'carol'),
    );
    expectAgreement(world, 'alice', 'join', join('c1', 'alice'));
    expect(expectAgreement(world, 'bob', 'join', join('c1', 'bob')).diagnosis).toMatchObject({
      code: 'ALREADY_ON_CALL',
    });
  });

  it('R20/R16: Given a call a delegate holds, When the parties ask to merge it, Then both allow the delegator and another delegate, and tell its holder it is its own hold; locked, a delegate is refused; connected, nobody may', () => {
    const held = given(delegates, incoming('c1'), answer('c1', 'bob'), hold('c1', 'bob'));
    expect(expectAgreement(held, 'alice', 'merge', merge('c1', 'alice')).diagnosis.answer).toBe(
      'Alice can merge held calls on line +1001.',
    );
    expectAgreement(held, 'carol', 'merge', merge('c1', 'carol'));
    expect(expectAgreement(held, 'bob', 'merge', merge('c1', 'bob')).diagnosis).toMatchObject({
      rule: 'R16',
      code: 'CALL_HELD_BY_YOU',
    });
    const locked = given(delegates, incoming('c1'), answer('c1', 'alice'), lockedHold('c1'));
    expect(expectAgreement(locked, 'bob', 'merge', merge('c1', 'bob')).diagnosis).toMatchObject({
      rule: 'R15',
      code: 'CALL_PRIVACY_LOCKED',
    });
    const connected = given(delegates, incoming('c1'), answer('c1', 'bob'));
    expect(expectAgreement(connected, 'alice', 'merge', merge('c1', 'alice')).diagnosis).toMatchObject({
      rule: 'R16',
      code: 'CALL_NOT_HELD',
    });
  });

  it('R20: after every step of a call that is joined, locked, held, resumed, picked up, transferred, merged and left, the read model’s call is the decider’s own state of it', () => {
    const commands: LineCommand[] = [
      incoming('c1'),
      answer('c1', 'alice'),
      join('c1', 'bob'),
      lockedHold('c1'),
      resume('c1', 'alice'),
      lock('c1', false),
      join('c1', 'bob'),
      hold('c1', 'bob'),
      pickUp('c1', 'carol'),
      join('c1', 'alice'),
      { type: 'TransferCall', callId: 'c1', actor: 'alice', to: 'bob' },
      answer('c1', 'bob'),
      hold('c1', 'bob'),
      { type: 'MergeHeldCall', callId: 'c1', actor: 'alice' },
      lock('c1', true),
      hangUp('c1', 'alice'),
      hangUp('c1', 'bob'),
    ];
    for (let step = 1; step <= commands.length; step++) {
      const world = given(delegates, ...commands.slice(0, step));
      const { lines, calls } = world.readModels.state(callsProjection);
      const live = lines.get('acme.1001')!.live[0];
      const decider = fold(lineDecider.evolve, lineDecider.initialState, world.line).call;
      expect({ step, call: live === undefined ? null : calls.get(live)!.live }).toEqual({
        step,
        call: decider,
      });
    }
  });
});

describe("whyCannot asks a party's own acts on the call in progress of the decider's explain functions (R20)", () => {
  const holdLocked = (callId: string, actor: string): Timed<LineCommand> => ({
    type: 'HoldCall',
    callId,
    actor,
    privacyLock: true,
  });
  const act = {
    decline,
    hold,
    holdLocked,
    resume,
    privacyLock: (callId: string, actor: string): Timed<LineCommand> => ({
      type: 'SetCallPrivacyLock',
      callId,
      actor,
      locked: true,
    }),
    transfer: (callId: string, actor: string): Timed<LineCommand> => ({
      type: 'TransferCall',
      callId,
      actor,
      to: actor === 'alice' ? 'bob' : 'alice',
    }),
    record: (callId: string, actor: string): Timed<LineCommand> => ({
      type: 'StartRecording',
      callId,
      actor,
      recordingId: `r-${actor}`,
    }),
    hangUp,
  } as const;
  const ACTS = Object.keys(act) as (keyof typeof act)[];
  /** Each act's verdict for `partyId`, checked against the decider's: its code, or `ok`. */
  const verdicts = (world: World, partyId: string) =>
    ACTS.map((action) => {
      const { diagnosis } = expectAgreement(
        world,
        partyId,
        action,
        act[action]('c1', partyId) as LineCommand,
      );
      return diagnosis.code ?? 'ok';
    });

  it('R20/R15/R16/R18: Given Bob answered a call, When Bob and Alice ask about each act, Then each verdict is the decider’s', () => {
    const world = given([bobMay('answerCalls', 'pickUpHeldCalls')], incoming('c1'), answer('c1', 'bob'));
    expect(verdicts(world, 'bob')).toEqual([
      'ALREADY_ANSWERED',
      'ok',
      'PRIVACY_LOCK_DELEGATOR_ONLY',
      'CALL_NOT_HELD',
      'PRIVACY_LOCK_DELEGATOR_ONLY',
      'ok',
      'ok',
      'ok',
    ]);
    expect(verdicts(world, 'alice')).toEqual([
      'ALREADY_ANSWERED',
      'NOT_ON_CALL',
      'NOT_ON_CALL',
      'CALL_NOT_HELD',
      'NOT_ON_CALL',
      'NOT_ON_CALL',
      'NOT_ON_CALL',
      'NOT_ON_CALL',
    ]);
    expect(whyCannot(world.readModels, 'acme', '1001', 'bob', 'holdLocked', asked(NOW)).answer).toBe(
      'Bob cannot hold calls locked for privacy on line +1001: Only the delegator (Alice) can lock or unlock a call for privacy.',
    );
  });

  it('R20/R15: Given Alice holds the call, When each asks about resuming it, Then only Alice may, as the decider says', () => {
    const world = given([], incoming('c1'), answer('c1', 'alice'), hold('c1', 'alice'));
    // `verdicts` checks every act against the decider; each act's code on a call its delegator holds is
    // pinned once, by explainCallAction's spec (line.call-acts.spec.ts).
    const resuming = ACTS.indexOf('resume');
    expect(verdicts(world, 'alice')[resuming]).toBe('ok');
    expect(verdicts(world, 'bob')[resuming]).toBe('NOT_HOLDER');
  });

  it("R20/R10: Given Alice's number taken from her mid-call, owned by nobody, When she asks, Then she may still hold and hang up, and decline nothing", () => {
    const { line } = given([], incoming('c1'), answer('c1', 'alice'));
    const takenAway: ProjectedEvent[] = [
      { type: 'DelegationRevoked', data: ab },
      { type: 'PartyDirectNumbersChanged', data: { ...by, partyId: 'alice', directNumbers: ['+1004'] } },
    ];
    const readModels = project(takenAway, line);
    const ask = (action: Action) => whyCannot(readModels, 'acme', '1001', 'alice', action, asked(NOW));
    expect(ask('hold').checks.every((check) => check.ok)).toBe(true);
    expect(ask('hangUp').checks.every((check) => check.ok)).toBe(true);
    expect(ask('decline')).toMatchObject({ rule: 'R10', code: 'LINE_NOT_FOUND' });
    expect(ask('transfer')).toMatchObject({ rule: 'R10', code: 'LINE_NOT_FOUND' });
  });

  it('R20: Given no call on the line yet, When a party asks about holding one, Then CALL_NOT_FOUND under the act’s rule', () => {
    const world = given([]);
    expect(whyCannot(world.readModels, 'acme', '1001', 'alice', 'hold', asked(NOW))).toMatchObject({
      rule: 'R15',
      code: 'CALL_NOT_FOUND',
    });
    expect(whyCannot(world.readModels, 'acme', '1001', 'alice', 'record', asked(NOW)).rule).toBe('R18');
  });
});

describe('otherEndOf: what the other end of a call may do on it, by the decider’s steps (R12, R14, R20)', () => {
  const externalAnswer = (callId: string): Timed<LineCommand> => ({
    type: 'AnswerAsExternalParty',
    callId,
    actor: 'external',
  });

  it('R12: Given a call Bob placed, When the called number would answer it while it dials, and once connected, Then both agree', () => {
    const dialing = given([], place('c1', 'bob'));
    const end = otherEndOf(dialing.readModels, 'acme', '1001')!;
    expect(end.number).toBe('+15550101');
    expect(end.can.answer).toMatchObject({
      rule: 'R12',
      answer: '+15550101 can answer call c1 on line +1001.',
    });
    expect(end.can.answer.checks.every((check) => check.ok)).toBe(true);
    expect(rejectionOf(dialing, externalAnswer('c1'))).toBeNull();
    const connected = given([], place('c1', 'bob'), externalAnswer('c1'));
    const refused = otherEndOf(connected.readModels, 'acme', '1001')!.can.answer;
    expect(refused).toMatchObject({ rule: 'R12', code: rejectionOf(connected, externalAnswer('c1'))!.code });
    expect(refused.answer).toBe(
      `+15550101 cannot answer call c1 on line +1001: ${rejectionOf(connected, externalAnswer('c1'))!.message}`,
    );
    expect(otherEndOf(connected.readModels, 'acme', '1001')!.can.hangUp.checks.every((c) => c.ok)).toBe(true);
  });

  it('R14: Given no call on the line, Then there is no other end to ask about', () => {
    expect(otherEndOf(given([]).readModels, 'acme', '1001')).toBeNull();
    const over = given([], incoming('c1'), answer('c1', 'alice'), hangUp('c1', 'alice'));
    expect(otherEndOf(over.readModels, 'acme', '1001')).toBeNull();
  });
});
