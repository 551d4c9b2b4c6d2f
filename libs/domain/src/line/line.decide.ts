import type {
  CallRang,
  CallSentToVoicemail,
  CallTransferRecalled,
  LineEvent,
  LinePermissionUsed,
  RecordingStopped,
  VoicemailLeft,
} from '#events';
import type { RuleId, SentenceParams } from '../reasons.js';
import { ownDecision, type Decision } from '../shared/decider.js';
import { DomainError, refuse, type Check } from '../shared/domain-error.js';
import type * as C from './line.commands.js';
import type { LineCommand } from './line.commands.js';
import type { LineContext } from './line.context.js';
import {
  explainAnswer,
  explainDecline,
  explainExternalAnswer,
  explainExternalHangUp,
  explainHangUp,
  explainHold,
  explainJoin,
  explainMerge,
  explainPickUp,
  explainPrivacyLock,
  explainResume,
  explainStartRecording,
  explainStopRecording,
  explainVoicemailAct,
  explainTransfer,
  lineBusy,
  previousOwnersCall,
  transferTargetRefusal,
  type Acting,
} from './line.call-checks.js';
import {
  explainActor,
  explainLinePermission,
  LINE_ACTION_PERMISSIONS,
  refusalOf,
  type ActingParty,
  type LineAction,
} from './line.explain.js';
import { isVipCaller, routeIncomingCall } from './line.routing.js';
import {
  hasUsedCallId,
  type CallOnLine,
  type LineState,
  type RingState,
  type TransferState,
} from './line.state.js';

/**
 * Decides a command on a shared line against its state and the account context. Pure: time comes
 * from the context's `now` (R21), ids from the command. Throws DomainError to
 * reject; returns no events for a harmless no-op (a stale timer, re-reading a read voicemail). The
 * decision carries the authority the acting party used (SPEC §2): the caller and the timers act on
 * their own, a delegate for the delegator with the permission its step was checked for.
 */
export const decideLine = (
  command: LineCommand,
  state: LineState,
  context: LineContext,
): Decision<LineEvent> => {
  const at = timeOf(context);
  if (!Object.hasOwn(DECIDE_BY_TYPE, command.type)) {
    throw new Error(`unknown line command ${command.type}`);
  }
  // DECIDE_BY_TYPE (at the end: it names every decider below) pairs each type with its own command's
  // decider; indexing it by the union loses that pairing, hence the cast.
  const decide = DECIDE_BY_TYPE[command.type] as DecideOn<LineCommand>;
  return decide(command, state, context, at);
};

/** How a party's command on the line is decided: on its state, in the account's context, at `at`. */
type DecideOn<Command> = (
  command: Command,
  state: LineState,
  context: LineContext,
  at: string,
) => Decision<LineEvent>;

/**
 * The events a command decides, as DecideOn, for the commands whose authority is not a delegation's
 * (`asPartyOnCall`, `onOwnAuthority` say whose it is).
 */
type DecideEvents<Command> = (
  command: Command,
  state: LineState,
  context: LineContext,
  at: string,
) => LineEvent[];

// ── Outgoing calls (R10–R12) ─────────────────────────────────────────────────────────────────────

const placeCall: DecideOn<C.PlaceCallOnSharedLine> = (command, state, context, at) => {
  const acting = actingParty(context, command.actor);
  const permission = requireActionPermission(acting, 'placeCall', context);
  assertNewCallId(state, command.callId);
  if (state.call) throw new DomainError(lineBusy(state.call, context));
  return actedAs(
    acting,
    [
      {
        type: 'CallPlacedOnSharedLine',
        data: {
          callId: command.callId,
          line: context.line.number,
          to: command.to,
          placedBy: command.actor,
          onBehalfOf: acting.onBehalfOf,
          permission,
          // R11: whoever places it, the callee sees the shared number with the delegator's name.
          callerId: { number: context.line.number, name: context.delegator.name },
          at,
          owner: context.delegator.partyId,
        },
      },
    ],
    permission,
  );
};

const answerAsExternalParty: DecideEvents<C.AnswerAsExternalParty> = (command, state, _context, at) => {
  requireSteps(explainExternalAnswer(state, command.callId));
  return [{ type: 'CallAnsweredByExternalParty', data: { callId: command.callId, at } }];
};

const hangUpAsExternalParty: DecideEvents<C.HangUpAsExternalParty> = (command, state, _context, at) => {
  requireSteps(explainExternalHangUp(state, command.callId));
  // The explained steps let through a call that already left the line: no news.
  if (state.call?.callId !== command.callId) return [];
  const call = state.call;
  if (call.phase === 'ringing') {
    const ring = call.ring;
    return [
      {
        type: 'CallEnded',
        data: {
          callId: call.callId,
          by: null,
          reason: 'callerAbandoned',
          missedBy: [...(ring?.alerted ?? [])],
          ringLegsEnded: [...(ring?.ringing ?? [])],
          at,
        },
      },
    ];
  }
  return [
    ...stopRecordings(call, call.recordings, 'callEnded', at),
    {
      type: 'CallEnded',
      data: { callId: call.callId, by: null, reason: 'externalHungUp', missedBy: [], ringLegsEnded: [], at },
    },
  ];
};

// ── Incoming calls: ring, answer, decline, voicemail (R13, R14, R19) ─────────────────────────────

const receiveIncomingCall: DecideEvents<C.ReceiveIncomingCall> = (command, state, context, at) => {
  assertNewCallId(state, command.callId);
  const { callId, from } = command;
  const received: LineEvent = {
    type: 'IncomingCallReceived',
    data: {
      callId,
      line: context.line.number,
      from,
      vip: isVipCaller(context, from),
      at,
      owner: context.delegator.partyId,
    },
  };
  // One call per line (R12): a call to a busy line alerts nobody and goes straight to the shared
  // voicemail as a missed call, rather than waiting for a line that may stay busy for an hour.
  if (state.call) {
    return [received, ...toVoicemail(callId, from, context.delegator.partyId, 'lineBusy', [], [], at)];
  }

  const decisions = routeIncomingCall(context, from, at);
  // Delegates waiting for VIP delegatorFirst all wait the same delay.
  const waiting = decisions.find((d) => d.rings && d.afterSeconds > 0);
  return [
    received,
    {
      type: 'CallRang',
      data: {
        callId,
        stage: 'initial',
        alerted: decisions.filter((d) => d.rings && d.afterSeconds === 0).map((d) => d.partyId),
        decisions,
        ringTimeoutAt: plusSeconds(at, context.line.ringTimeoutSeconds),
        escalationAt: waiting ? plusSeconds(at, waiting.afterSeconds) : null,
        at,
      },
    },
  ];
};

const answerCall: DecideOn<C.AnswerCall> = (command, state, context, at) => {
  const acting = allowed(explainAnswer(context, state, command.callId, command.actor, at));
  // The explained steps found the call on the line, ringing for the actor or transferred to it.
  const call = state.call!;
  const permission = permissionUsed(acting, 'answerCalls');
  if (call.transfer) {
    const { from } = call.transfer;
    return actedAs(
      acting,
      [
        {
          type: 'CallTransferred',
          data: {
            callId: call.callId,
            attempt: call.transfer.attempt,
            by: command.actor,
            onBehalfOf: acting.onBehalfOf,
            permission,
            transferredBy: from,
            at,
          },
        },
        // R18: the transferrer is off the call once the target answers, and so are its recordings.
        ...stopRecordings(
          call,
          call.recordings.filter((r) => r.owner === from),
          'ownerLeftCall',
          at,
        ),
      ],
      permission,
    );
  }
  return actedOnCall(acting, permission, 'CallAnswered', {
    callId: call.callId,
    by: command.actor,
    ringLegsEnded: call.ring!.ringing.filter((p) => p !== command.actor),
    at,
  });
};

const declineCall: DecideOn<C.DeclineCall> = (command, state, context, at) => {
  const acting = allowed(explainDecline(context, state, command.callId, command.actor, at));
  // The explained steps found the call on the line, transferred to the actor or ringing for it.
  const call = state.call!;
  if (call.transfer) return actedAs(acting, [recalled(call.callId, call.transfer, 'declined', at)]);
  const ring = call.ring!;
  // Declining twice changes nothing.
  if (!ring.ringing.includes(command.actor)) return actedAs(acting, []);
  const declined: LineEvent = {
    type: 'CallDeclined',
    data: { callId: call.callId, by: command.actor, onBehalfOf: acting.onBehalfOf, at },
  };
  const othersLegs = ring.ringing.filter((p) => p !== command.actor);
  // R14: one party declining does not end the ring while others still ring. A leg counts only while
  // its party could answer it: one whose delegation was revoked, or who lost answerCalls, since it
  // rang can neither answer nor decline, and would leave the caller ringing until the timeout.
  const answerable = othersLegs.filter(
    (party) => explainAnswer(context, state, call.callId, party, at).acting !== null,
  );
  if (answerable.length > 0) return actedAs(acting, [declined]);
  // The last open leg declined. Delegates waiting for a VIP escalation are alerted now rather than
  // leaving the caller to ring with nobody alerted; otherwise the caller goes to voicemail at once
  // instead of hearing ringing nobody can answer.
  if (ring.escalationAt) {
    const escalation = escalate(call.callId, call.external, ring, context, at);
    if (escalation.data.alerted.length > 0) return actedAs(acting, [declined, escalation]);
  }
  return actedAs(acting, [
    declined,
    ...toVoicemail(call.callId, call.external, call.owner, 'allDeclined', ring.alerted, othersLegs, at),
  ]);
};

const expireRing: DecideEvents<C.ExpireRing> = (command, state, _context, at) => {
  const call = state.call;
  if (call?.callId !== command.callId || call.phase !== 'ringing' || !call.ring) return [];
  assertDue(call.ring.ringTimeoutAt, at, 'ringTimeout');
  return toVoicemail(
    call.callId,
    call.external,
    call.owner,
    'ringTimeout',
    call.ring.alerted,
    call.ring.ringing,
    at,
  );
};

const escalateVipRing: DecideEvents<C.EscalateVipRing> = (command, state, context, at) => {
  const call = state.call;
  if (call?.callId !== command.callId || call.phase !== 'ringing' || !call.ring?.escalationAt) return [];
  assertDue(call.ring.escalationAt, at, 'vipEscalation');
  // A call that came in for the number's previous owner rings on for those it alerted (R10): the new
  // owner's delegates are not its delegates.
  if (call.owner !== null && call.owner !== context.delegator.partyId) return [];
  return [escalate(call.callId, call.external, call.ring, context, at)];
};

/**
 * R19 delegatorFirst: the delegates' turn. Routing is decided again at escalation time, so a
 * delegate who opted out or left business hours meanwhile is not alerted, and every party it says
 * rings and was not alerted yet is alerted now: after the delay (VIP_DELEGATOR_FIRST) or at once,
 * when VIP routing no longer applies (the caller left the VIP list, the delegator lost the Power
 * Pack) and the delegates ring as they would for anyone else.
 */
const escalate = (
  callId: string,
  from: string,
  ring: RingState,
  context: LineContext,
  at: string,
): CallRang => {
  const decisions = routeIncomingCall(context, from, at);
  return {
    type: 'CallRang',
    data: {
      callId,
      stage: 'vipEscalation',
      alerted: decisions.filter((d) => d.rings && !ring.alerted.includes(d.partyId)).map((d) => d.partyId),
      decisions,
      ringTimeoutAt: ring.ringTimeoutAt,
      escalationAt: null,
      at,
    },
  };
};

/**
 * R14: the missed-call entry and the message in the shared inbox (the message id is the call id). The
 * message is the inbox of `owner`, whose number the call arrived on, even when the ring times out
 * after the number has passed to another party.
 */
const toVoicemail = (
  callId: string,
  from: string,
  owner: string | null,
  reason: CallSentToVoicemail['data']['reason'],
  missedBy: readonly string[],
  ringLegsEnded: readonly string[],
  at: string,
): [CallSentToVoicemail, VoicemailLeft] => [
  {
    type: 'CallSentToVoicemail',
    data: { callId, reason, missedBy: [...missedBy], ringLegsEnded: [...ringLegsEnded], at },
  },
  {
    type: 'VoicemailLeft',
    data: { messageId: callId, callId, from, at, owner },
  },
];

// ── Hold, resume, pick up, privacy (R15) ─────────────────────────────────────────────────────────

const holdCall: DecideOn<C.HoldCall> = (command, state, context, at) => {
  const privacyLock = command.privacyLock === true;
  const acting = allowed(explainHold(context, state, command.callId, command.actor, privacyLock));
  // The explained steps found the call on the line, connected, with the actor on it.
  const call = state.call!;
  // A held call has nobody of the line side on its audio, and its holder resumes it alone: the others
  // on a joined or merged call leave it as they would by hanging up (R16), recordings and all (R18),
  // rather than stay on it in no event and record on a call they are no longer on.
  const others = call.parties.filter((party) => party !== command.actor);
  return actedAs(acting, [
    ...others.flatMap((party): LineEvent[] => [
      ...stopRecordings(
        call,
        call.recordings.filter((r) => r.owner === party),
        'ownerLeftCall',
        at,
      ),
      { type: 'CallLeft', data: { callId: call.callId, by: party, at } },
    ]),
    {
      type: 'CallHeld',
      data: {
        callId: call.callId,
        by: command.actor,
        onBehalfOf: acting.onBehalfOf,
        privacyLocked: call.privacyLocked || privacyLock,
        at,
      },
    },
  ]);
};

const resumeCall: DecideOn<C.ResumeCall> = (command, state, context, at) => {
  const acting = allowed(explainResume(context, state, command.callId, command.actor));
  return actedAs(acting, [{ type: 'CallResumed', data: { callId: command.callId, by: command.actor, at } }]);
};

const pickUpHeldCall: DecideOn<C.PickUpHeldCall> = (command, state, context, at) => {
  const acting = allowed(explainPickUp(context, state, command.callId, command.actor));
  // The explained steps found the call on the line, held by someone else.
  const call = state.call!;
  const hold = call.hold!;
  const holderRecordings = call.recordings.filter((r) => r.owner === hold.by);
  return actedOnCall(
    acting,
    permissionUsed(acting, 'pickUpHeldCalls'),
    'HeldCallPickedUp',
    { callId: call.callId, by: command.actor, heldBy: hold.by, at },
    // The holder is off the call once someone else picks it up, and so are its recordings.
    ...stopRecordings(call, holderRecordings, 'ownerLeftCall', at),
  );
};

const setPrivacyLock: DecideOn<C.SetCallPrivacyLock> = (command, state, context, at) => {
  const acting = allowed(explainPrivacyLock(context, state, command.callId, command.actor));
  // The explained steps found the call on the line, with its delegator on it.
  const call = state.call!;
  if (call.privacyLocked === command.locked) return actedAs(acting, []);
  return actedAs(acting, [
    {
      type: 'CallPrivacyLockChanged',
      data: { callId: call.callId, by: command.actor, locked: command.locked, at },
    },
  ]);
};

// ── Transfer, join, merge (R16) ──────────────────────────────────────────────────────────────────

const transferCall: DecideOn<C.TransferCall> = (command, state, context, at) => {
  const acting = allowed(explainTransfer(context, state, command.callId, command.actor, command.to));
  // The explained steps found the call on the line, connected, with the actor on it.
  const call = state.call!;
  const attempt = call.transfers + 1;
  return actedAs(acting, [
    {
      type: 'CallTransferRequested',
      data: {
        callId: call.callId,
        attempt,
        by: command.actor,
        onBehalfOf: acting.onBehalfOf,
        to: command.to,
        recallAt: plusSeconds(at, context.line.ringTimeoutSeconds),
        at,
      },
    },
  ]);
};

const recallTransfer: DecideEvents<C.RecallTransfer> = (command, state, _context, at) => {
  const call = state.call;
  const transfer = call?.transfer;
  if (call?.callId !== command.callId || !transfer || transfer.attempt !== command.attempt) return [];
  assertDue(transfer.recallAt, at, 'transferRecall');
  return [recalled(call.callId, transfer, 'timeout', at)];
};

/**
 * R16: a transfer goes only to a party who may take it, and a line keeps none to a party who may no
 * longer: once the account changed so that the delegator could not transfer the call to its target
 * now (its delegation revoked or no longer active, `answerCalls` taken away, the line no longer
 * shared with it, no longer eligible), the call goes back to the delegator at once, as a decline
 * would send it, instead of ringing on until the recall time for a target that cannot answer. A
 * transfer to the delegator (from a delegate) is never recalled so: the delegator always takes its own
 * line's calls. A check for a transfer that is over, or for another attempt, changes nothing.
 */
const recheckTransferTarget: DecideEvents<C.RecheckTransferTarget> = (command, state, context, at) => {
  const call = state.call;
  const transfer = call?.transfer;
  if (call?.callId !== command.callId || !transfer || transfer.attempt !== command.attempt) return [];
  if (transfer.from !== context.delegator.partyId) return [];
  const fromDelegator: ActingParty = { role: 'delegator', onBehalfOf: null };
  return transferTargetRefusal(fromDelegator, transfer.to, call, context)
    ? [recalled(call.callId, transfer, 'targetNotAllowed', at)]
    : [];
};

const recalled = (
  callId: string,
  transfer: TransferState,
  reason: CallTransferRecalled['data']['reason'],
  at: string,
): LineEvent => ({
  type: 'CallTransferRecalled',
  data: { callId, attempt: transfer.attempt, to: transfer.from, target: transfer.to, reason, at },
});

const joinCall: DecideOn<C.JoinCall> = (command, state, context, at) => {
  const acting = allowed(explainJoin(context, state, command.callId, command.actor));
  return actedOnCall(acting, permissionUsed(acting, 'joinAndMerge'), 'CallJoined', {
    callId: command.callId,
    by: command.actor,
    at,
  });
};

const mergeHeldCall: DecideOn<C.MergeHeldCall> = (command, state, context, at) => {
  const acting = allowed(explainMerge(context, state, command.callId, command.actor));
  // The explained steps found the call on the line, held by someone else.
  const call = state.call!;
  const hold = call.hold!;
  return actedOnCall(acting, permissionUsed(acting, 'joinAndMerge'), 'CallsMerged', {
    callId: call.callId,
    by: command.actor,
    heldBy: hold.by,
    participants: [hold.by, command.actor],
    at,
  });
};

// ── Hanging up ───────────────────────────────────────────────────────────────────────────────────

/**
 * A line-side party hangs up. No delegation check: a party whose delegation was revoked mid-call
 * must still be able to leave it. With others still on the call (after a join or merge) only the
 * party leaves; otherwise the call ends.
 */
const hangUp: DecideEvents<C.HangUp> = (command, state, _context, at) => {
  requireSteps(explainHangUp(state, command.callId, command.actor));
  // The explained steps found the call on the line, with the actor on it.
  const call = state.call!;
  const remaining = call.parties.filter((p) => p !== command.actor);
  if (call.phase !== 'held' && remaining.length > 0) {
    const own = call.recordings.filter((r) => r.owner === command.actor);
    return [
      ...stopRecordings(call, own, 'ownerLeftCall', at),
      { type: 'CallLeft', data: { callId: call.callId, by: command.actor, at } },
    ];
  }
  return [
    ...stopRecordings(call, call.recordings, 'callEnded', at),
    {
      type: 'CallEnded',
      data: { callId: call.callId, by: command.actor, reason: 'hungUp', missedBy: [], ringLegsEnded: [], at },
    },
  ];
};

// ── Recordings (R18) ─────────────────────────────────────────────────────────────────────────────

const startRecording: DecideEvents<C.StartRecording> = (command, state, _context, at) => {
  requireSteps(explainStartRecording(state, command.callId, command.actor, command.recordingId));
  return [
    {
      type: 'RecordingStarted',
      data: { callId: command.callId, recordingId: command.recordingId, by: command.actor, at },
    },
  ];
};

const stopRecording: DecideEvents<C.StopRecording> = (command, state, _context, at) => {
  requireSteps(explainStopRecording(state, command.callId, command.recordingId, command.actor));
  // The explained steps found the call on the line, running the actor's recording.
  const call = state.call!;
  const recording = call.recordings.find((r) => r.recordingId === command.recordingId)!;
  return stopRecordings(call, [recording], 'stoppedByOwner', at);
};

const stopRecordings = (
  call: CallOnLine,
  recordings: CallOnLine['recordings'],
  reason: RecordingStopped['data']['reason'],
  at: string,
): RecordingStopped[] =>
  recordings.map(({ recordingId, owner }) => ({
    type: 'RecordingStopped',
    data: { callId: call.callId, recordingId, owner, reason, at },
  }));

// ── Shared voicemail (R17) ───────────────────────────────────────────────────────────────────────

const readVoicemail: DecideOn<C.ReadVoicemail> = (command, state, context, at) => {
  const acting = allowed(
    explainVoicemailAct(context, state.voicemails.get(command.messageId), command.messageId, command.actor),
  );
  // The explained steps found the message in the inbox.
  const message = state.voicemails.get(command.messageId)!;
  // Read state is shared: once anybody read it, it is read for everybody.
  if (message.readBy) return actedAs(acting, []);
  return actedAs(acting, [
    {
      type: 'VoicemailRead',
      data: { messageId: message.messageId, by: command.actor, onBehalfOf: acting.onBehalfOf, at },
    },
  ]);
};

const deleteVoicemail: DecideOn<C.DeleteVoicemail> = (command, state, context, at) => {
  const acting = allowed(
    explainVoicemailAct(context, state.voicemails.get(command.messageId), command.messageId, command.actor),
  );
  return actedAs(acting, [
    {
      type: 'VoicemailDeleted',
      data: { messageId: command.messageId, by: command.actor, onBehalfOf: acting.onBehalfOf, at },
    },
  ]);
};

// ── Who is acting (R10) ──────────────────────────────────────────────────────────────────────────

// The checks themselves live in line.explain and line.call-checks, so R20's diagnostics ask exactly what
// is decided here.

const actingParty = (context: LineContext, actor: string): ActingParty =>
  allowed(explainActor(context, actor));

/**
 * The decision of a party the line let act (R10): a delegate acts on the delegator's behalf, even for
 * steps that need no permission; `permission` is the one the rule checked it for (R6), if any.
 */
const actedAs = (
  acting: Acting,
  events: readonly LineEvent[],
  permission: LinePermissionUsed | null = null,
): Decision<LineEvent> => ({ events, authority: { onBehalfOf: acting.onBehalfOf, permission } });

/** A party's act on a call that its event records with the permission it took (R6), if any. */
type PermittedCallEvent = Extract<
  LineEvent,
  { type: 'CallAnswered' | 'HeldCallPickedUp' | 'CallJoined' | 'CallsMerged' }
>;

/**
 * The decision of a party the line let act on a call with `permission` (R6; the delegator needs none):
 * its event records on whose behalf and with which permission, the same as the decision's authority.
 * They follow the call and who acted, where the events have always stored them; `after` follows the event.
 */
const actedOnCall = <T extends PermittedCallEvent['type']>(
  acting: ActingParty,
  permission: LinePermissionUsed | null,
  type: T,
  {
    callId,
    by,
    ...details
  }: Omit<Extract<PermittedCallEvent, { type: T }>['data'], 'onBehalfOf' | 'permission'>,
  ...after: readonly LineEvent[]
): Decision<LineEvent> => {
  const data = { callId, by, onBehalfOf: acting.onBehalfOf, permission, ...details };
  return actedAs(acting, [{ type, data } as PermittedCallEvent, ...after], permission);
};

/**
 * The decision of a party on the call, whose delegation is not checked (hanging up, recording: a
 * party whose delegation was revoked mid-call still leaves it): an active delegate of this line still
 * acts on the delegator's behalf, anybody else on its own. On a call of the number's previous owner (R10)
 * every party acts on its own: for neither the line's new owner nor the call's (see previousOwnersCall).
 */
const asPartyOnCall =
  <Command extends { readonly callId: string; readonly actor: string }>(
    decide: DecideEvents<Command>,
  ): DecideOn<Command> =>
  (command, state, context, at) => {
    const events = decide(command, state, context, at);
    const { callId, actor } = command;
    const previous = previousOwnersCall(state, callId, actor, context);
    if (previous) return { events, authority: { onBehalfOf: previous.acting.onBehalfOf, permission: null } };
    // Only an active delegation acts for the delegator (R7): a delegate revoked mid-call leaves it on
    // its own, and a new invitation to it, pending, grants nothing until it is accepted.
    const isDelegate =
      actor !== context.delegator.partyId && context.delegates.some((d) => d.partyId === actor && d.active);
    return {
      events,
      authority: { onBehalfOf: isDelegate ? context.delegator.partyId : null, permission: null },
    };
  };

/** The decision of the caller or the timers: they act on their own authority, for nobody. */
const onOwnAuthority =
  <Command>(decide: DecideEvents<Command>): DecideOn<Command> =>
  (command, state, context, at) =>
    ownDecision(decide(command, state, context, at));

/** Who acts, once every explained step let it through; the first refusal otherwise. */
const allowed = <Who extends Acting>({
  checks,
  acting,
}: {
  readonly checks: readonly Check[];
  readonly acting: Who | null;
}): Who => {
  if (acting) return acting;
  throw new DomainError(refusalOf(checks)!);
};

/** Goes on once every explained step passed; rejects with the first refusal otherwise. */
const requireSteps = (checks: readonly Check[]): void => {
  const refused = refusalOf(checks);
  if (refused) throw new DomainError(refused);
};

/** The permission an event records as exercised: a delegate's; the delegator needs none. */
const permissionUsed = (acting: ActingParty, permission: LinePermissionUsed): LinePermissionUsed | null =>
  acting.role === 'delegator' ? null : permission;

/** The permission a delegate exercises (recorded in the event); the delegator needs none. */
const requirePermission = (
  acting: ActingParty,
  permission: LinePermissionUsed,
  rule: RuleId,
  context: LineContext,
): LinePermissionUsed | null => {
  const check = explainLinePermission(acting, permission, rule, context);
  if (!check.ok) throw new DomainError(check);
  return permissionUsed(acting, permission);
};

/** The permission `action` needs, named by the same rule R20's diagnostics report. */
const requireActionPermission = (
  acting: ActingParty,
  action: LineAction,
  context: LineContext,
): LinePermissionUsed | null => {
  const { permission, rule } = LINE_ACTION_PERMISSIONS[action];
  return requirePermission(acting, permission, rule, context);
};

// ── Call lookups and state checks ────────────────────────────────────────────────────────────────

/**
 * Call ids are chosen by clients, and an id names one call of its line for good (R12): a reused id
 * is refused, so a history, an audit trail or a late command never mixes two calls. A resend of the
 * command that placed the call is answered before deciding (idempotency), so it never gets here.
 */
const assertNewCallId = (state: LineState, callId: string): void => {
  if (!hasUsedCallId(state.usedCallIds, callId)) return;
  const current = state.call?.callId === callId;
  refuse('CALL_ID_IN_USE', 'R12', { case: current ? 'current' : 'earlier', callId }, { callId });
};

// ── Time (R21) ───────────────────────────────────────────────────────────────────────────────────

/** The context's `now`, as the ISO string events carry. */
const timeOf = ({ now: at }: LineContext): string => {
  if (Number.isNaN(Date.parse(at))) {
    refuse('INVALID_TIME', 'R21', { case: 'notIso', time: at });
  }
  return new Date(at).toISOString();
};

/** A timer fired early is refused, so the process manager reschedules it rather than losing it. */
const assertDue = (dueAt: string, at: string, timer: SentenceParams<'TIMER_NOT_DUE'>['case']): void => {
  if (Date.parse(at) < Date.parse(dueAt))
    refuse('TIMER_NOT_DUE', 'R21', { case: timer, dueAt, at }, { dueAt, at });
};

const plusSeconds = (iso: string, seconds: number): string =>
  new Date(Date.parse(iso) + seconds * 1000).toISOString();

/**
 * Each line command's decider. The caller and the timers act on their own authority; hanging up and
 * recording are open to any party on the call, who acts for the delegator when it is a delegate.
 */
const DECIDE_BY_TYPE: { readonly [T in LineCommand['type']]: DecideOn<Extract<LineCommand, { type: T }>> } = {
  PlaceCallOnSharedLine: placeCall,
  AnswerAsExternalParty: onOwnAuthority(answerAsExternalParty),
  HangUpAsExternalParty: onOwnAuthority(hangUpAsExternalParty),
  ReceiveIncomingCall: onOwnAuthority(receiveIncomingCall),
  AnswerCall: answerCall,
  DeclineCall: declineCall,
  HoldCall: holdCall,
  ResumeCall: resumeCall,
  PickUpHeldCall: pickUpHeldCall,
  SetCallPrivacyLock: setPrivacyLock,
  TransferCall: transferCall,
  JoinCall: joinCall,
  MergeHeldCall: mergeHeldCall,
  HangUp: asPartyOnCall(hangUp),
  StartRecording: asPartyOnCall(startRecording),
  StopRecording: asPartyOnCall(stopRecording),
  ReadVoicemail: readVoicemail,
  DeleteVoicemail: deleteVoicemail,
  ExpireRing: onOwnAuthority(expireRing),
  EscalateVipRing: onOwnAuthority(escalateVipRing),
  RecallTransfer: onOwnAuthority(recallTransfer),
  RecheckTransferTarget: onOwnAuthority(recheckTransferTarget),
};
