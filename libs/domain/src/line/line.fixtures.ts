import type { LineEvent } from '#events';
import { fold, inContext, type Timed } from '../shared/decider.js';
import type { Check, Refusal } from '../shared/domain-error.js';
import { specFor } from '../shared/given-when-then.js';
import type {
  AnswerAsExternalParty,
  AnswerCall,
  DeclineCall,
  HangUp,
  HangUpAsExternalParty,
  HoldCall,
  JoinCall,
  LineCommand,
  MergeHeldCall,
  PickUpHeldCall,
  PlaceCallOnSharedLine,
  ResumeCall,
  SetCallPrivacyLock,
} from './line.commands.js';
import type { Permission } from '#events';
import type { LineContext, LineDelegate } from './line.context.js';
import { lineDecider } from './line.decider.js';
import { refusalOf } from './line.explain.js';
import type { LineState } from './line.state.js';

/**
 * A small account for line specs and scenarios: Boss owns +81-3-0000-0001 and shares it with
 * Assistant and Deputy, both active with the everyday permissions. Monday 2026-01-05 10:00 UTC.
 */
export const T0 = '2026-01-05T10:00:00.000Z';
export const LINE = '+81300000001';
export const CALLER = '+15550100';
export const VIP_CALLER = '+15550199';
export const BOSS = 'boss';
export const ASSISTANT = 'assistant';
export const DEPUTY = 'deputy';
export const STRANGER = 'stranger';
export const TIMERS = 'system:timers';

export const EVERYDAY: readonly Permission[] = [
  'placeCalls',
  'answerCalls',
  'pickUpHeldCalls',
  'joinAndMerge',
];

export const delegate = (
  partyId: string,
  name: string,
  changes: Partial<LineDelegate> = {},
): LineDelegate => ({
  partyId,
  name,
  active: true,
  permissions: EVERYDAY,
  optedIn: true,
  businessHours: null,
  eligibility: null,
  ...changes,
});

export const lineContext = (changes: Partial<LineContext> = {}): LineContext => ({
  now: T0,
  line: { number: LINE, name: null, ringTimeoutSeconds: 30, businessHours: null, owned: true },
  delegator: { partyId: BOSS, name: 'Boss', eligibility: null, powerPack: true },
  delegates: [delegate(ASSISTANT, 'Assistant'), delegate(DEPUTY, 'Deputy')],
  vip: { contacts: [VIP_CALLER], routing: { mode: 'delegatorOnly' } },
  ...changes,
});

/** The fixture account at `T0`: what a line spec decides in unless it gives a context of its own. */
export const context = lineContext();

/**
 * Given/When/Then over the line decider: `given(past).when(command).then(events)`, decided in the
 * fixture account's `context` unless the spec gives one of its own as `given(past, context)`.
 */
export const given = specFor(lineDecider, context);

/**
 * R20's promise for a command whose steps are explained: the decider and the steps it decides with
 * agree. `explained` runs those steps for `command` after `past`.
 */
export const decidedAsExplained = <Command extends LineCommand>(
  explained: (past: readonly LineEvent[], command: Command, ctx: LineContext) => readonly Check[],
) => ({
  /** Given `past`, When `command`, Then the decider rejects it exactly as the explained steps refuse it. */
  bothRefuse: (
    past: readonly LineEvent[],
    command: Command,
    code: string,
    rule: string,
    ctx = context,
  ): Refusal => {
    const rejection = given(past, ctx).when(command).thenRejects(code, rule);
    const checks = explained(past, command, ctx);
    const refusal = refusalOf(checks);
    // A rejection without details carries an empty set of them.
    expect(refusal && { ...refusal, details: refusal.details ?? {} }).toMatchObject({
      code: rejection.code,
      rule: rejection.rule,
      message: rejection.message,
      details: rejection.details,
    });
    expect(checks.at(-1)).toBe(refusal);
    return refusal!;
  },
  /** Given `past`, When `command`, Then the decider accepts it and every explained step passes. */
  bothAllow: (past: readonly LineEvent[], command: Command, ctx = context): readonly Check[] => {
    given(past, ctx)
      .when(command)
      .thenEmits(() => undefined);
    const checks = explained(past, command, ctx);
    expect(checks.filter((check) => !check.ok)).toEqual([]);
    return checks;
  },
});

/** The line shared with Assistant alone, who holds only `permissions` on it. */
export const onlyAssistantWith = (...permissions: Permission[]): LineContext =>
  lineContext({ delegates: [delegate(ASSISTANT, 'Assistant', { permissions })] });

/** Assistant's delegation is not active (pending, or revoked: R7); Deputy's is. */
export const assistantInactive = lineContext({
  delegates: [delegate(ASSISTANT, 'Assistant', { active: false }), delegate(DEPUTY, 'Deputy')],
});

/** Assistant's delegation was revoked (R7): the line is no longer shared with it (R10); Deputy's still is. */
export const assistantRevoked = lineContext({ delegates: [delegate(DEPUTY, 'Deputy')] });

/** Assistant has opted out of ringing (R13); Deputy has not. */
export const assistantOptedOut = lineContext({
  delegates: [delegate(ASSISTANT, 'Assistant', { optedIn: false }), delegate(DEPUTY, 'Deputy')],
});

/** VIP callers ring Boss first and the delegates 10 s later (R19). */
export const vipDelegatorFirst = lineContext({
  vip: { contacts: [VIP_CALLER], routing: { mode: 'delegatorFirst', delaySeconds: 10 } },
});

export const NEWBOSS = 'newboss';
/** The fixture number after an admin gave it from Boss to Newboss (R10), who shares it with `delegates`. */
export const passedToNewboss = (...delegates: LineDelegate[]): LineContext =>
  lineContext({
    delegator: { partyId: NEWBOSS, name: 'Newboss', eligibility: null, powerPack: true },
    delegates,
  });

/** `T0` plus some seconds, as the ISO string events carry. */
export const at = (seconds: number): string => new Date(Date.parse(T0) + seconds * 1000).toISOString();

export const stateOf = (events: readonly LineEvent[]): LineState =>
  fold(lineDecider.evolve, lineDecider.initialState, events);

/** The events a sequence of accepted commands produces: "given" histories built from behaviour. */
export const history = (context: LineContext, ...commands: Timed<LineCommand>[]): LineEvent[] =>
  historyAfter([], context, ...commands);

/**
 * `past` and the events the commands then produce in `context`: a history that goes on under another
 * account context (e.g. after the number passed to another party).
 */
export const historyAfter = (
  past: readonly LineEvent[],
  context: LineContext,
  ...commands: Timed<LineCommand>[]
): LineEvent[] => {
  const events: LineEvent[] = [...past];
  let state = stateOf(past);
  for (const timed of commands) {
    const [command, atItsTime] = inContext(timed, context);
    const { events: decided } = lineDecider.decide(command, state, atItsTime);
    state = fold(lineDecider.evolve, state, decided);
    events.push(...decided);
  }
  return events;
};

export const place = (callId: string, actor: string, to = CALLER): PlaceCallOnSharedLine => ({
  type: 'PlaceCallOnSharedLine',
  callId,
  actor,
  to,
});
export const incoming = (callId: string, from = CALLER, when = T0): Timed<LineCommand> => ({
  type: 'ReceiveIncomingCall',
  callId,
  actor: `external:${from}`,
  from,
  at: when,
});
export const answer = (callId: string, actor: string): AnswerCall => ({ type: 'AnswerCall', callId, actor });
export const decline = (callId: string, actor: string): DeclineCall => ({
  type: 'DeclineCall',
  callId,
  actor,
});
export const hold = (callId: string, actor: string, privacyLock = false): HoldCall => ({
  type: 'HoldCall',
  callId,
  actor,
  privacyLock,
});
export const resume = (callId: string, actor: string): ResumeCall => ({ type: 'ResumeCall', callId, actor });
export const lockPrivacy = (callId: string, actor: string, locked = true): SetCallPrivacyLock => ({
  type: 'SetCallPrivacyLock',
  callId,
  actor,
  locked,
});
export const pickUp = (callId: string, actor: string): PickUpHeldCall => ({
  type: 'PickUpHeldCall',
  callId,
  actor,
});
export const join = (callId: string, actor: string): JoinCall => ({ type: 'JoinCall', callId, actor });
export const merge = (callId: string, actor: string): MergeHeldCall => ({
  type: 'MergeHeldCall',
  callId,
  actor,
});
export const transfer = (callId: string, actor: string, to: string, when = T0): Timed<LineCommand> => ({
  type: 'TransferCall',
  callId,
  actor,
  to,
  at: when,
});

export const hangUp = (callId: string, actor: string, when?: string): Timed<HangUp> => ({
  type: 'HangUp',
  callId,
  actor,
  ...(when === undefined ? {} : { at: when }),
});

/** The outside party (the caller, or whom a placed call dials) picks up, or hangs up, at its end. */
export const externalAnswer = (callId: string): AnswerAsExternalParty => ({
  type: 'AnswerAsExternalParty',
  callId,
  actor: `external:${CALLER}`,
});
export const externalHangUp = (callId: string, when?: string): Timed<HangUpAsExternalParty> => ({
  type: 'HangUpAsExternalParty',
  callId,
  actor: `external:${CALLER}`,
  ...(when === undefined ? {} : { at: when }),
});

/** What the timer process manager sends when a call's ring timeout (30 s on the fixture line) is due. */
export const expireRing = (callId: string, when = at(30)): Timed<LineCommand> => ({
  type: 'ExpireRing',
  callId,
  actor: TIMERS,
  at: when,
});
/** What the timer process manager sends when a VIP call's delegatorFirst delay (10 s here) is due. */
export const escalateVipRing = (callId: string, when = at(10)): Timed<LineCommand> => ({
  type: 'EscalateVipRing',
  callId,
  actor: TIMERS,
  at: when,
});
export const recallTransfer = (callId: string, attempt: number, when = at(30)): Timed<LineCommand> => ({
  type: 'RecallTransfer',
  callId,
  attempt,
  actor: TIMERS,
  at: when,
});
/** What the api sends when the account of a line with a transfer under way changed (R16: may its target still take it?). */
export const recheckTransferTarget = (callId: string, attempt: number, when = at(5)): Timed<LineCommand> => ({
  type: 'RecheckTransferTarget',
  callId,
  attempt,
  actor: TIMERS,
  at: when,
});

/**
 * Call c1 from the caller on the fixture line: ringing, then the commands `then` (if any); answered by
 * Boss, then `then`; held by Boss, privately or not; hung up by Boss.
 */
export const ringingCall = (...then: Timed<LineCommand>[]): LineEvent[] =>
  history(lineContext(), incoming('c1'), ...then);
export const bossOnCall = (...then: Timed<LineCommand>[]): LineEvent[] =>
  ringingCall(answer('c1', BOSS), ...then);
/** Call c1 answered by Assistant (for Boss), then the commands `then` (if any). */
export const assistantOnCall = (...then: Timed<LineCommand>[]): LineEvent[] =>
  ringingCall(answer('c1', ASSISTANT), ...then);
export const bossHeld = (privacyLock = false): LineEvent[] => bossOnCall(hold('c1', BOSS, privacyLock));
export const bossHungUp = (): LineEvent[] => bossOnCall(hangUp('c1', BOSS));
/** Call c1 from the VIP caller under `vipDelegatorFirst`: ringing Boss alone, then the commands `then`. */
export const vipCallRinging = (...then: Timed<LineCommand>[]): LineEvent[] =>
  history(vipDelegatorFirst, incoming('c1', VIP_CALLER), ...then);
/** Call c1 placed by `actor` to the caller on the fixture line: dialing, then the commands `then`. */
export const callPlacedBy = (actor: string, ...then: Timed<LineCommand>[]): LineEvent[] =>
  history(lineContext(), place('c1', actor), ...then);
