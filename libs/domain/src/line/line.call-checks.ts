import type { LineCommand } from './line.commands.js';
import type { RuleId, SentenceParams } from '../reasons.js';
import { pass, refusal, type Check, type Refusal } from '../shared/domain-error.js';
import { named } from '../shared/named.js';
import type { LineContext } from './line.context.js';
import {
  explainActor,
  explainLinePermission,
  LINE_ACTION_PERMISSIONS,
  type ActingParty,
} from './line.explain.js';
import { routeIncomingCall } from './line.routing.js';
import {
  ofCurrentOwnership,
  type CallPhase,
  type FinishedCall,
  type RecalledTransfer,
} from './line.state.js';

/**
 * What the decider's checks read of the call in progress. The decider passes its own `CallOnLine`;
 * R20's diagnostics build it from the calls read model, so both ask the same questions of a call.
 */
export interface CallFacts {
  readonly callId: string;
  /** The party whose number the line was when the call started (R10), `null` if unrecorded. */
  readonly owner: string | null;
  readonly phase: CallPhase;
  /** The external number: the caller routing is asked about (R19). */
  readonly external: string;
  readonly answeredBy: string | null;
  /** Line-side parties on the call; empty while held. */
  readonly parties: readonly string[];
  readonly hold: { readonly by: string } | null;
  readonly privacyLocked: boolean;
  readonly transfer: { readonly to: string } | null;
  readonly ring: { readonly ringing: readonly string[]; readonly alerted: readonly string[] } | null;
  /** Recordings running on the call and who owns each (R18). */
  readonly recordings: readonly { readonly recordingId: string; readonly owner: string }[];
  /** The transfers recalled from targets not on the call since, the latest per target (R16). */
  readonly recalledTransfers: readonly RecalledTransfer[];
}

/** The line as those checks see it: the call in progress, and the calls that just finished. */
export interface LineFacts<Call extends CallFacts = CallFacts> {
  readonly call: Call | null;
  readonly recentCalls: readonly FinishedCall[];
}

/** Every step the decider took for a command, up to its first refusal; who acts when none refused. */
export interface ExplainedAction {
  readonly checks: readonly Check[];
  readonly acting: ActingParty | null;
}

/**
 * The actor's steps (R10, R2–R4), then `steps` in order until one refuses. The steps run lazily, so
 * each may rely on the ones before it having passed.
 */
const explainSteps = (
  context: LineContext,
  actor: string,
  steps: (acting: ActingParty) => Generator<Check, void, undefined>,
): ExplainedAction => continueSteps(explainActor(context, actor), steps);

/**
 * `steps` in order until one refuses, which ends them: the steps run lazily, so each may rely on the
 * ones before it having passed.
 */
const stepsUntilRefused = (steps: Iterable<Check>): readonly Check[] => {
  const taken: Check[] = [];
  for (const step of steps) {
    taken.push(step);
    if (!step.ok) break;
  }
  return taken;
};

/** After the steps `before` took, `steps` until one refuses; none once `before` refused. */
const continueSteps = <Acting>(
  before: { readonly checks: readonly Check[]; readonly acting: Acting | null },
  steps: (acting: Acting) => Iterable<Check>,
): { readonly checks: readonly Check[]; readonly acting: Acting | null } => {
  if (before.acting === null) return before;
  const taken = stepsUntilRefused(steps(before.acting));
  return {
    checks: [...before.checks, ...taken],
    acting: taken.every((step) => step.ok) ? before.acting : null,
  };
};

/** A party as a sentence names it: its name, set apart (see `named`), or its id when it has none here. */
export const nameOnLine = (context: LineContext, party: string): string =>
  named(
    party === context.delegator.partyId
      ? context.delegator.name
      : (context.delegates.find((d) => d.partyId === party)?.name ?? party),
  );

// ── Answer, pick up, join, merge: the decider's steps, which R20 asks too ───────────────────────────────

/**
 * The steps of a party's answer to a ringing call, or its decline, at `at`: routing at that time says
 * why the call does not ring for a party (R13).
 */
type ExplainRingAct = (
  context: LineContext,
  line: LineFacts,
  callId: string,
  actor: string,
  at: string,
) => ExplainedAction;

/** R13 (R16 for a transfer's target): the steps of answering call `callId` at `at`. */
export const explainAnswer: ExplainRingAct = (context, line, callId, actor, at) =>
  recalledFromYou(context, line, callId, actor) ??
  explainSteps(context, actor, function* (acting) {
    // A late answer after the call already finished still learns who won the race (R13).
    const finished = line.recentCalls.find((c) => c.callId === callId);
    if (finished?.answeredBy) return yield alreadyAnswered(callId, finished.answeredBy, context);
    const found = findCall(line, callId, 'R13', context);
    if (!found.ok) return yield found;
    const { call } = found;
    const transferRing = transferRingStep(call, actor, context);
    if (transferRing) {
      yield transferRing;
      return yield explainLinePermission(acting, 'answerCalls', 'R16', context);
    }
    const { permission, rule } = LINE_ACTION_PERMISSIONS.answer;
    yield explainLinePermission(acting, permission, rule, context);
    if (call.phase !== 'ringing' || !call.ring) return yield notRinging(call, 'R13', context);
    yield pass('R13', `Call ${callId} from ${call.external} is ringing.`);
    yield call.ring.ringing.includes(actor)
      ? pass('R13', `Call ${callId} is ringing for ${nameOnLine(context, actor)}.`)
      : notRingingForYou(call, actor, context, at);
  });

/**
 * How an action on call `callId` is explained: the permission `action` needs (R6), then the call it is
 * about, named by the same rule, then the action's own `steps` on that call. No call once either
 * refused (the steps end there).
 */
const explainOnCall =
  (
    action: 'pickUp' | 'join' | 'merge',
    steps: (
      call: CallFacts,
      acting: ActingParty,
      context: LineContext,
      actor: string,
    ) => Generator<Check, void, undefined>,
  ) =>
  (context: LineContext, line: LineFacts, callId: string, actor: string): ExplainedAction =>
    explainSteps(context, actor, function* (acting) {
      const { permission, rule } = LINE_ACTION_PERMISSIONS[action];
      yield explainLinePermission(acting, permission, rule, context);
      const found = findCall(line, callId, rule, context);
      if (!found.ok) return yield found;
      yield* steps(found.call, acting, context, actor);
    });

/** The call is on hold, by another party than `actor` (who would resume it instead), under `rule`. */
function* heldByAnother(
  call: CallFacts,
  rule: RuleId,
  context: LineContext,
  actor: string,
): Generator<Check, void, undefined> {
  const notHeld = heldRefusal(call, rule);
  if (notHeld) return yield notHeld;
  const holder = call.hold!.by;
  yield holder === actor
    ? heldByYou(call, rule)
    : pass(rule, `Call ${call.callId} is on hold by ${nameOnLine(context, holder)}.`);
}

/** R15: the steps of picking up held call `callId`. */
export const explainPickUp = explainOnCall('pickUp', function* (call, acting, context, actor) {
  yield* heldByAnother(call, 'R15', context, actor);
  if (acting.role === 'delegate') yield privacyCheck(call, 'pickUp', context);
});

/** R16: the steps of joining call `callId` in progress. */
export const explainJoin = explainOnCall('join', function* (call, acting, context, actor) {
  const { callId } = call;
  yield phaseRefusal(call, 'connected', 'R16') ?? pass('R16', `Call ${callId} is connected.`);
  yield call.parties.includes(actor)
    ? refusal('ALREADY_ON_CALL', 'R16', { callId }, { callId })
    : pass('R16', `${nameOnLine(context, actor)} is not on call ${callId} yet.`);
  if (acting.role === 'delegate') yield privacyCheck(call, 'join', context);
});

/** R16: the steps of merging held call `callId` into the actor's call (its holder resumes it instead). */
export const explainMerge = explainOnCall('merge', function* (call, acting, context, actor) {
  yield* heldByAnother(call, 'R16', context, actor);
  if (acting.role === 'delegate') yield privacyCheck(call, 'merge', context);
});

/**
 * R16: why `to` cannot take call `call` transferred by `acting`, or null when it can. Delegator and
 * delegate transfer to each other: the delegator to a delegate of this line who could answer the
 * line's calls (active, eligible, `answerCalls`), a delegate to the delegator only. Opt-out and
 * business hours do not apply: a transfer is a deliberate hand-off, not routing. The seat offers as
 * targets the parties this finds none for.
 */
export const transferTargetRefusal = (
  acting: ActingParty,
  to: string,
  call: Pick<CallFacts, 'callId' | 'parties'>,
  context: LineContext,
): Refusal | null => {
  const names = { callId: call.callId, target: nameOnLine(context, to) };
  const details = { callId: call.callId, to };
  const notAllowed = (why: Exclude<SentenceParams<'TRANSFER_TARGET_NOT_ALLOWED'>['case'], 'ineligible'>) =>
    refusal('TRANSFER_TARGET_NOT_ALLOWED', 'R16', { case: why, ...names }, details);
  if (call.parties.includes(to)) return notAllowed('onCall');
  if (acting.role === 'delegate')
    return to === context.delegator.partyId ? null : notAllowed('delegateToDelegator');
  const target = context.delegates.find((d) => d.partyId === to);
  if (!target) return notAllowed('notShared');
  if (!target.active) return notAllowed('notActive');
  if (target.eligibility)
    return refusal(
      'TRANSFER_TARGET_NOT_ALLOWED',
      'R16',
      { case: 'ineligible', ...names, eligibility: target.eligibility.message },
      details,
    );
  return target.permissions.includes('answerCalls') ? null : notAllowed('noAnswerCalls');
};

// ── A party's own acts on a call: decline, hold, resume, lock, transfer, record, hang up ─────────────

/** Who acts on a call, for whom: all that a decision records of the acting party. */
export type Acting = Pick<ActingParty, 'onBehalfOf'>;

/** Every step the decider took for a command on a call, up to its first refusal; who acts when none refused. */
export interface ExplainedCallAction {
  readonly checks: readonly Check[];
  readonly acting: Acting | null;
}

/** A call of the number's previous owner that `actor` is on, and whose call it is (R10). */
export interface PreviousOwnersCall<Call extends CallFacts = CallFacts> {
  readonly call: Call;
  /** The party whose number the line was when the call started, by id. */
  readonly owner: string;
  readonly acting: Acting;
}

/**
 * R10, R15: a call that started while the number was another party's stays that party's call, and the
 * parties on it keep what R15 gives any party on a call: they hold it, resume their own hold, and its
 * owner locks it, as they hang up and record. Each acts on its own: not through this line's
 * delegations, which are the new owner's, nor through the owner's, none of which shares the number any
 * more (a number leaves its owner only once no live delegation shares it, R10), so a delegate still on
 * the call is one whose delegation for it ended mid-call (R7). `null` when the call is of the line's
 * current ownership or `actor` is not on it: the line's own checks answer those (CALL_NOT_FOUND for a
 * previous owner's call).
 */
export const previousOwnersCall = <Call extends CallFacts>(
  line: LineFacts<Call>,
  callId: string,
  actor: string,
  context: LineContext,
): PreviousOwnersCall<Call> | null => {
  const call = line.call;
  const owner = call?.owner ?? null;
  if (call?.callId !== callId || owner === null || ofCurrentOwnership(owner, context.delegator.partyId)) {
    return null;
  }
  if (!call.parties.includes(actor) && call.hold?.by !== actor) return null;
  return { call, owner, acting: { onBehalfOf: null } };
};

/**
 * Who acts on call `callId` (R10): on a call of the number's previous owner, a party on it, on its own;
 * otherwise the line's delegator or a delegate it is shared with (R10, R2–R4).
 */
const whoActsOnCall = (
  context: LineContext,
  line: LineFacts,
  callId: string,
  actor: string,
): ExplainedCallAction & { readonly previous: PreviousOwnersCall | null } => {
  const previous = previousOwnersCall(line, callId, actor, context);
  if (previous) {
    const check = pass(
      'R10',
      `Call ${callId} started while ${context.line.number} was another party's number; ${nameOnLine(context, actor)} is on it and acts on its own.`,
    );
    return { checks: [check], acting: previous.acting, previous };
  }
  return { ...explainActor(context, actor), previous: null };
};

/** What the steps of a party's own act on a call (R15) ask about, each when its act needs it. */
interface OwnActOnCall {
  /** The call the act is about: the previous owner's call the party is on, or the line's own (R10). */
  readonly found: { readonly ok: true; readonly call: CallFacts } | Refusal;
  /** Only the delegator locks a call for privacy; on a previous owner's call, that owner (by id). */
  readonly mayLock: Check;
}

/**
 * R15: the steps of a party's own act on call `callId`: who acts on it (R10), then the act's `steps`,
 * in their own order, until one refuses.
 */
const explainOwnActOnCall = (
  context: LineContext,
  line: LineFacts,
  callId: string,
  actor: string,
  steps: (act: OwnActOnCall) => Generator<Check, void, undefined>,
): ExplainedCallAction => {
  const { previous, ...who } = whoActsOnCall(context, line, callId, actor);
  return continueSteps(who, (acting) =>
    steps({
      found: previous ? { ok: true, call: previous.call } : findCall(line, callId, 'R15', context),
      // On a previous owner's call everybody acts on its own, and only that owner locks it.
      mayLock: (previous ? previous.owner === actor : acting.onBehalfOf === null)
        ? pass('R15', `${nameOnLine(context, actor)} is the call's delegator and may lock it for privacy.`)
        : refusal('PRIVACY_LOCK_DELEGATOR_ONLY', 'R15', {
            delegator: previous?.owner ?? named(context.delegator.name),
          }),
    }),
  );
};

/** On the call: among its line-side parties, or holding it. `context` names the party, else its id. */
export const onCallCheck = (call: CallFacts, party: string, rule: RuleId, context?: LineContext): Check => {
  const name = context ? nameOnLine(context, party) : party;
  if (call.parties.includes(party) || call.hold?.by === party)
    return pass(rule, `${name} is on call ${call.callId}.`);
  return refusal('NOT_ON_CALL', rule, { party: name, callId: call.callId }, { callId: call.callId, party });
};

/**
 * R14 (R16 for a transfer's target): the steps of declining call `callId` at `at`. A party that
 * declined already passes: declining twice changes nothing.
 */
export const explainDecline: ExplainRingAct = (context, line, callId, actor, at) =>
  recalledFromYou(context, line, callId, actor) ??
  explainSteps(context, actor, function* () {
    const found = findCall(line, callId, 'R14', context);
    if (!found.ok) return yield found;
    const { call } = found;
    const transferRing = transferRingStep(call, actor, context);
    if (transferRing) return yield transferRing;
    if (call.phase !== 'ringing' || !call.ring) return yield notRinging(call, 'R14', context);
    yield call.ring.alerted.includes(actor)
      ? pass('R14', `Call ${callId} rings for ${nameOnLine(context, actor)}.`)
      : notRingingForYou(call, actor, context, at);
  });

/** R15: the steps of holding call `callId`, locked for privacy when `privacyLock`. */
export const explainHold = (
  context: LineContext,
  line: LineFacts,
  callId: string,
  actor: string,
  privacyLock: boolean,
): ExplainedCallAction =>
  explainOwnActOnCall(context, line, callId, actor, function* ({ found, mayLock }) {
    if (!found.ok) return yield found;
    const { call } = found;
    yield phaseRefusal(call, 'connected', 'R15') ?? pass('R15', `Call ${callId} is connected.`);
    yield onCallCheck(call, actor, 'R15', context);
    if (privacyLock) yield mayLock;
  });

/** R15: the steps of resuming call `callId`, which only its holder does. */
export const explainResume = (
  context: LineContext,
  line: LineFacts,
  callId: string,
  actor: string,
): ExplainedCallAction =>
  explainOwnActOnCall(context, line, callId, actor, function* ({ found }) {
    if (!found.ok) return yield found;
    const { call } = found;
    const notHeld = heldRefusal(call, 'R15');
    if (notHeld) return yield notHeld;
    const holder = call.hold!.by;
    yield holder === actor
      ? pass('R15', `${nameOnLine(context, actor)} holds call ${callId}.`)
      : refusal(
          'NOT_HOLDER',
          'R15',
          { holder: nameOnLine(context, holder), callId },
          { callId, heldBy: holder },
        );
  });

/** R15: the steps of locking call `callId` for privacy, or unlocking it: the same either way. */
export const explainPrivacyLock = (
  context: LineContext,
  line: LineFacts,
  callId: string,
  actor: string,
): ExplainedCallAction =>
  explainOwnActOnCall(context, line, callId, actor, function* ({ found, mayLock }) {
    yield mayLock;
    if (!found.ok) return yield found;
    yield onCallCheck(found.call, actor, 'R15', context);
  });

/**
 * R16: the steps of transferring call `callId` to `to`. With `to` null, those of transferring it at
 * all, before a target is chosen: the seat offers only targets `transferTargetRefusal` lets through.
 */
export const explainTransfer = (
  context: LineContext,
  line: LineFacts,
  callId: string,
  actor: string,
  to: string | null,
): ExplainedAction =>
  explainSteps(context, actor, function* (acting) {
    const found = findCall(line, callId, 'R16', context);
    if (!found.ok) return yield found;
    const { call } = found;
    yield phaseRefusal(call, 'connected', 'R16') ?? pass('R16', `Call ${callId} is connected.`);
    yield onCallCheck(call, actor, 'R16', context);
    if (to !== null) {
      yield (
        transferTargetRefusal(acting, to, call, context) ??
        pass('R16', `${nameOnLine(context, to)} may take call ${callId}.`)
      );
    }
  });

/**
 * R18: the steps of starting recording `recordingId` of call `callId`, open to any party on it; with
 * `recordingId` null (the api names it), whether the party may start one at all.
 */
export const explainStartRecording = (
  line: LineFacts,
  callId: string,
  actor: string,
  recordingId: string | null,
): readonly Check[] =>
  stepsUntilRefused(
    (function* () {
      const found = findCall(line, callId, 'R18');
      if (!found.ok) return yield found;
      const { call } = found;
      yield phaseRefusal(call, 'connected', 'R18') ?? pass('R18', `Call ${callId} is connected.`);
      yield onCallCheck(call, actor, 'R18');
      const running = call.recordings.find((r) => r.recordingId === recordingId || r.owner === actor);
      yield running
        ? refusal(
            'RECORDING_ALREADY_ACTIVE',
            'R18',
            running.owner === actor
              ? { case: 'yours', callId, recording: running.recordingId }
              : { case: 'idTaken', recording: running.recordingId, callId },
            { callId, recordingId: running.recordingId },
          )
        : pass('R18', `${actor} records nothing on call ${callId} yet.`);
    })(),
  );

/** R18: the steps of stopping recording `recordingId` of call `callId`: only its owner does. */
export const explainStopRecording = (
  line: LineFacts,
  callId: string,
  recordingId: string,
  actor: string,
): readonly Check[] =>
  stepsUntilRefused(
    (function* () {
      const found = findCall(line, callId, 'R18');
      if (!found.ok) return yield found;
      const recording = found.call.recordings.find((r) => r.recordingId === recordingId);
      const details = { callId, recordingId };
      if (!recording)
        return yield refusal('RECORDING_NOT_FOUND', 'R18', { recording: recordingId, callId }, details);
      yield recording.owner === actor
        ? pass('R18', `Recording ${recordingId} is ${actor}'s.`)
        : refusal('RECORDING_NOT_OWNER', 'R18', { recording: recordingId }, details);
    })(),
  );

/** What the inbox steps read of a voicemail message: whose inbox it was left in (R10, R17). */
export interface VoicemailFacts {
  /** The line's owner when the message was left; `null` if unrecorded. */
  readonly owner: string | null;
}

/**
 * R17: the steps of reading or deleting voicemail `messageId` of the line's shared inbox, the same for
 * both (as locking and unlocking a call are): the actor's (R10, R2–R4), then the message, which must
 * be in the inbox of the number's current owner. `message` is the inbox's message by that id,
 * `undefined` when there is none (never left, or deleted). Reading a read message passes: it is a no-op.
 */
export const explainVoicemailAct = (
  context: LineContext,
  message: VoicemailFacts | undefined,
  messageId: string,
  actor: string,
): ExplainedAction =>
  explainSteps(context, actor, function* () {
    if (!message)
      return yield refusal(
        'VOICEMAIL_NOT_FOUND',
        'R17',
        { case: 'missing', message: messageId },
        { messageId },
      );
    yield ofCurrentOwnership(message.owner, context.delegator.partyId)
      ? pass('R17', `Voicemail ${messageId} is in the inbox of ${context.line.number}.`)
      : refusal(
          'VOICEMAIL_NOT_FOUND',
          'R17',
          { case: 'previousOwner', message: messageId, line: context.line.number },
          { messageId },
        );
  });

/**
 * R12: the steps of hanging up call `callId`, open to any party on it: no delegation is asked, so a
 * party whose delegation was revoked mid-call still leaves it.
 */
export const explainHangUp = (line: LineFacts, callId: string, actor: string): readonly Check[] =>
  stepsUntilRefused(
    (function* () {
      const found = findCall(line, callId, 'R12');
      if (!found.ok) return yield found;
      yield onCallCheck(found.call, actor, 'R12');
    })(),
  );

/**
 * R12: the steps of the other end answering call `callId`, a call a party placed: only one still
 * dialing is answered.
 */
export const explainExternalAnswer = (line: LineFacts, callId: string): readonly Check[] =>
  stepsUntilRefused(
    (function* () {
      const found = findCall(line, callId, 'R12');
      if (!found.ok) return yield found;
      const { call } = found;
      if (call.phase === 'dialing') return yield pass('R12', `Call ${callId} is dialing ${call.external}.`);
      yield call.answeredBy ? alreadyAnswered(callId, call.answeredBy) : notInPhase('dialing', call, 'R12');
    })(),
  );

/**
 * R14: the steps of the other end hanging up call `callId`. A call that already left the line (sent
 * to voicemail, say) passes: the caller hanging up after it is no news.
 */
export const explainExternalHangUp = (line: LineFacts, callId: string): readonly Check[] =>
  stepsUntilRefused(
    (function* () {
      if (line.call?.callId !== callId && line.recentCalls.some((c) => c.callId === callId))
        return yield pass('R14', `Call ${callId} already left the line.`);
      const found = findCall(line, callId, 'R14');
      if (!found.ok) return yield found;
      yield pass('R14', `Call ${callId} with ${found.call.external} is on the line.`);
    })(),
  );

/** What a party may ask to do on the call in progress, and R20 may be asked about. */
export type CallAction =
  'decline' | 'hold' | 'holdLocked' | 'resume' | 'privacyLock' | 'transfer' | 'record' | 'hangUp';

/** The command each call action gives, and the rule that names a refusal to give it with no call. */
export const CALL_ACTIONS: Readonly<
  Record<CallAction, { readonly command: LineCommand['type']; readonly rule: RuleId }>
> = {
  decline: { command: 'DeclineCall', rule: 'R14' },
  hold: { command: 'HoldCall', rule: 'R15' },
  holdLocked: { command: 'HoldCall', rule: 'R15' },
  resume: { command: 'ResumeCall', rule: 'R15' },
  privacyLock: { command: 'SetCallPrivacyLock', rule: 'R15' },
  transfer: { command: 'TransferCall', rule: 'R16' },
  record: { command: 'StartRecording', rule: 'R18' },
  hangUp: { command: 'HangUp', rule: 'R12' },
};

/**
 * R20: the decider's steps for `action` by `actor` on call `callId` at `at`, up to the first refusal:
 * the same functions the decider decides the command with. A transfer is asked before its target is
 * chosen, a recording before the api names it.
 */
export const explainCallAction = (
  context: LineContext,
  line: LineFacts,
  callId: string,
  actor: string,
  action: CallAction,
  at: string,
): readonly Check[] => {
  switch (action) {
    case 'decline':
      return explainDecline(context, line, callId, actor, at).checks;
    case 'hold':
    case 'holdLocked':
      return explainHold(context, line, callId, actor, action === 'holdLocked').checks;
    case 'resume':
      return explainResume(context, line, callId, actor).checks;
    case 'privacyLock':
      return explainPrivacyLock(context, line, callId, actor).checks;
    case 'transfer':
      return explainTransfer(context, line, callId, actor, null).checks;
    case 'record':
      return explainStartRecording(line, callId, actor, null);
    case 'hangUp':
      return explainHangUp(line, callId, actor);
  }
};

// ── The state of a call, as the decider refuses it ───────────────────────────────────────────────

/**
 * R12: names the active call and who holds the line with it, in words true of its phase (a connected
 * call is not "held"), so the caller knows what to wait for. R20's
 * diagnostics give the same sentence for a party asking why it cannot place a call.
 */
export const lineBusy = (call: CallFacts, context: LineContext): Refusal => {
  // R10: a call of the number's previous owner is that owner's: it keeps the line busy, and the new
  // owner and its delegates are not told whose call it is or who is on it.
  if (!ofCurrentOwnership(call.owner, context.delegator.partyId)) {
    return refusal('LINE_BUSY', 'R12', { case: 'previousOwner', line: context.line.number });
  }
  const holders = call.phase === 'ringing' ? [] : call.hold ? [call.hold.by] : [...call.parties];
  // Who the sentence of each phase names: those ringing, the transfer's target, or those holding the line.
  const named =
    call.phase === 'ringing'
      ? (call.ring?.ringing ?? [])
      : call.phase === 'transferring'
        ? call.transfer
          ? [call.transfer.to]
          : []
        : holders;
  const parties = named.map((p) => nameOnLine(context, p)).join(' and ') || 'nobody';
  return refusal(
    'LINE_BUSY',
    'R12',
    { case: call.phase, line: context.line.number, callId: call.callId, parties },
    { callId: call.callId, phase: call.phase, heldBy: holders },
  );
};

/**
 * The call `callId` in progress, or why there is none: it is over (CALL_ENDED) or unknown. Asked for
 * the line's owner and delegates (`context` given), a call that started while the number was another
 * party's is not theirs either (R10): its parties may still wind it down, nobody else may take it over.
 */
export const findCall = <Call extends CallFacts>(
  line: LineFacts<Call>,
  callId: string,
  rule: RuleId,
  context?: LineContext,
): { readonly ok: true; readonly call: Call } | Refusal => {
  if (line.call?.callId === callId) {
    const { owner } = line.call;
    if (context && owner !== null && owner !== context.delegator.partyId) {
      return refusal(
        'CALL_NOT_FOUND',
        rule,
        { case: 'previousOwner', callId, line: context.line.number },
        { callId },
      );
    }
    return { ok: true, call: line.call };
  }
  const finished = line.recentCalls.find((c) => c.callId === callId);
  if (finished) {
    return refusal(
      'CALL_ENDED',
      rule,
      finished.endedAs === 'voicemail'
        ? { case: 'voicemail', callId }
        : { case: 'ended', callId, endedAs: finished.endedAs },
      { callId, endedAs: finished.endedAs, answeredBy: finished.answeredBy },
    );
  }
  return refusal('CALL_NOT_FOUND', rule, { case: 'unknown', callId }, { callId });
};

/** A call in the wrong phase for an action: the sentence and the details name the phase it is in. */
const wrongPhase = (code: 'CALL_NOT_CONNECTED' | 'CALL_NOT_HELD', call: CallFacts, rule: RuleId): Refusal => {
  const facts = { callId: call.callId, phase: call.phase };
  return refusal(code, rule, facts, facts);
};

export const phaseRefusal = (call: CallFacts, phase: 'connected', rule: RuleId): Refusal | null =>
  call.phase === phase ? null : wrongPhase('CALL_NOT_CONNECTED', call, rule);

export const heldRefusal = (call: CallFacts, rule: RuleId): Refusal | null =>
  call.phase === 'held' && call.hold ? null : wrongPhase('CALL_NOT_HELD', call, rule);

export const heldByYou = (call: CallFacts, rule: RuleId): Refusal =>
  refusal('CALL_HELD_BY_YOU', rule, { callId: call.callId }, { callId: call.callId });

/** R15: a call the delegator locked cannot be picked up, joined or merged by a delegate. */
export const privacyLocked = (
  call: CallFacts,
  action: 'pickUp' | 'join' | 'merge',
  context: LineContext,
): Refusal =>
  refusal(
    'CALL_PRIVACY_LOCKED',
    'R15',
    { case: action, delegator: named(context.delegator.name), callId: call.callId },
    { callId: call.callId },
  );

const privacyCheck = (call: CallFacts, action: 'pickUp' | 'join' | 'merge', context: LineContext): Check =>
  call.privacyLocked
    ? privacyLocked(call, action, context)
    : pass('R15', `Call ${call.callId} is not locked for privacy.`);

/** R13: a call that is not ringing any more says why; a lost answer race names the winner. */
export const notRinging = (call: CallFacts, rule: RuleId, context?: LineContext): Refusal =>
  call.answeredBy
    ? alreadyAnswered(call.callId, call.answeredBy, context)
    : notInPhase('ringing', call, rule);

/** A call not ringing (for a line-side party) or not dialing (for its other end) says the phase it is in. */
const notInPhase = (expected: 'ringing' | 'dialing', call: CallFacts, rule: RuleId): Refusal => {
  const facts = { callId: call.callId, phase: call.phase };
  return refusal('CALL_NOT_RINGING', rule, { case: expected, ...facts }, facts);
};

const alreadyAnswered = (callId: string, answeredBy: string, context?: LineContext): Refusal =>
  refusal(
    'ALREADY_ANSWERED',
    'R13',
    { callId, answeredBy: context ? nameOnLine(context, answeredBy) : answeredBy },
    { callId, answeredBy },
  );

/**
 * R16: a call being transferred rings for its target only, whether it answers or declines: the target
 * passes, any other party is refused. No step for a call with no transfer under way.
 */
const transferRingStep = (call: CallFacts, party: string, context: LineContext): Check | null => {
  const { callId, transfer } = call;
  if (!transfer) return null;
  if (call.phase === 'transferring' && transfer.to === party)
    return pass('R16', `Call ${callId} is being transferred to ${nameOnLine(context, party)}.`);
  return refusal(
    'NOT_RINGING_FOR_YOU',
    'R16',
    { case: 'transfer', callId, target: nameOnLine(context, transfer.to) },
    { callId, party, reason: 'TRANSFER_TARGET_ONLY' },
  );
};

/** The sentence of each reason a transfer is recalled for, while its call is on the line and after. */
const RECALL_CASES = {
  timeout: { live: 'recalledTimeout', ended: 'recalledTimeoutEnded' },
  declined: { live: 'recalledDeclined', ended: 'recalledDeclinedEnded' },
  targetNotAllowed: { live: 'recalledNotAllowed', ended: 'recalledNotAllowedEnded' },
} as const satisfies Record<RecalledTransfer['reason'], Record<'live' | 'ended', string>>;

/**
 * R16: a transfer recalled from `party` (not answered in time, declined, or no longer theirs to take)
 * went back to its transferrer, and the line remembers it until the call is transferred to the party
 * again or the party comes onto it (joins, picks it up, merges it). Their answer or decline of the call
 * meanwhile, on the call or after it ended, is refused by that recall: when, why and whom the call went
 * back to. It comes before the party's own checks: a target that may no longer act on the line learns
 * what became of the call that rang for it, not only that it may not act. `null` when no transfer of
 * the call was recalled from `party`.
 */
const recalledFromYou = (
  context: LineContext,
  line: LineFacts,
  callId: string,
  party: string,
): ExplainedAction | null => {
  const live = line.call?.callId === callId ? line.call : null;
  const finished = live ? undefined : line.recentCalls.find((c) => c.callId === callId);
  const recall = (live ?? finished)?.recalledTransfers.find((r) => r.target === party);
  if (!recall) return null;
  const { reason, at: recalledAt, backTo } = recall;
  const facts = { callId, recalledAt, backTo: nameOnLine(context, backTo) };
  const details = { callId, party, reason: 'TRANSFER_RECALLED', recalledAt, recalledFor: reason, backTo };
  const refused = finished
    ? refusal(
        'NOT_RINGING_FOR_YOU',
        'R16',
        { case: RECALL_CASES[reason].ended, ...facts, endedAs: finished.endedAs },
        { ...details, endedAs: finished.endedAs },
      )
    : refusal('NOT_RINGING_FOR_YOU', 'R16', { case: RECALL_CASES[reason].live, ...facts }, details);
  return { checks: [refused], acting: null };
};

/**
 * R13: only parties whose ring leg is open may answer. Says why this one's is not: it declined
 * (R14), or routing's decision at `at` (the rule and reason R20 names as the cause).
 */
export const notRingingForYou = (
  call: CallFacts,
  party: string,
  context: LineContext,
  at: string,
): Refusal => {
  const declined = call.ring?.alerted.includes(party) ?? false;
  const decision = routeIncomingCall(context, call.external, at).find((d) => d.partyId === party);
  const { callId } = call;
  const why = declined
    ? ({ case: 'declined', callId } as const)
    : decision && !decision.rings
      ? ({ case: 'routing', callId, routing: decision.message } as const)
      : ({ case: 'notAlerted', callId } as const);
  const reason = declined ? 'DECLINED' : (decision?.reason ?? 'NOT_ALERTED');
  return {
    ...refusal('NOT_RINGING_FOR_YOU', 'R13', why, { callId, party, reason }),
    cause: { rule: declined ? 'R14' : (decision?.rule ?? 'R13'), code: reason },
  };
};
