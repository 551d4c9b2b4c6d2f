import type { LineEvent } from '#events';
import type { CallOnLine, CallPhase, FinishedCall, LineState } from './line.state.js';

/**
 * The life of one call, once: how each event changes a call in progress and which phases it may
 * follow. The line's fold (line.state.ts) applies it to the line's call; the read side
 * (libs/read-models' calls projection) folds every call of the log with it and adds history; the
 * CLI's `verify` checks a log against it.
 */

/** The events that start a call on a line. */
export type CallStart = Extract<LineEvent, { type: 'CallPlacedOnSharedLine' | 'IncomingCallReceived' }>;
/** The events after which a call is over. */
export type CallFinish = Extract<LineEvent, { type: 'CallSentToVoicemail' | 'CallEnded' }>;
/** The events of the line's shared voicemail inbox (R17): about a message, not a call in progress. */
export type InboxEvent = Extract<LineEvent, { type: 'VoicemailLeft' | 'VoicemailRead' | 'VoicemailDeleted' }>;
/** The events that change a call in progress without starting or ending it. */
export type CallEvent = Exclude<LineEvent, CallStart | CallFinish | InboxEvent>;

export const isCallStart = (event: LineEvent): event is CallStart =>
  event.type === 'CallPlacedOnSharedLine' || event.type === 'IncomingCallReceived';

export const isCallFinish = (event: LineEvent): event is CallFinish =>
  event.type === 'CallSentToVoicemail' || event.type === 'CallEnded';

export const isInboxEvent = (event: LineEvent): event is InboxEvent =>
  event.type === 'VoicemailLeft' || event.type === 'VoicemailRead' || event.type === 'VoicemailDeleted';

/** The call a start event begins: dialling out, or ringing in. */
export const callStarted = (event: CallStart): CallOnLine => {
  const common = {
    callId: event.data.callId,
    owner: event.data.owner,
    startedAt: event.data.at,
    answeredBy: null,
    ring: null,
    hold: null,
    privacyLocked: false,
    transfer: null,
    transfers: 0,
    recordings: [],
    recalledTransfers: [],
  };
  return event.type === 'CallPlacedOnSharedLine'
    ? {
        ...common,
        direction: 'outgoing',
        external: event.data.to,
        vip: false,
        phase: 'dialing',
        placedBy: event.data.placedBy,
        parties: [event.data.placedBy],
      }
    : {
        ...common,
        direction: 'incoming',
        external: event.data.from,
        vip: event.data.vip,
        phase: 'ringing',
        placedBy: null,
        parties: [],
      };
};

const without = (list: readonly string[], party: string): string[] => list.filter((p) => p !== party);

/** The call's recalled transfers but the one from `party`, who is its target again or on the call now (R16). */
const recallsBut = (call: CallOnLine, party: string): CallOnLine['recalledTransfers'] =>
  call.recalledTransfers.filter((recall) => recall.target !== party);

/** How `event` changes the call in progress it is about. */
export const evolveCall = (call: CallOnLine, event: CallEvent): CallOnLine => {
  switch (event.type) {
    case 'CallAnsweredByExternalParty':
      return { ...call, phase: 'connected' };
    case 'CallRang':
      return {
        ...call,
        ring: {
          ringing: [...(call.ring?.ringing ?? []), ...event.data.alerted],
          alerted: [...(call.ring?.alerted ?? []), ...event.data.alerted],
          ringTimeoutAt: event.data.ringTimeoutAt,
          escalationAt: event.data.escalationAt,
        },
      };
    case 'CallDeclined':
      return call.ring
        ? { ...call, ring: { ...call.ring, ringing: without(call.ring.ringing, event.data.by) } }
        : call;
    case 'CallAnswered':
      return { ...call, phase: 'connected', answeredBy: event.data.by, parties: [event.data.by], ring: null };
    case 'CallHeld':
      return {
        ...call,
        phase: 'held',
        parties: [],
        hold: { by: event.data.by, since: event.data.at },
        privacyLocked: event.data.privacyLocked,
      };
    case 'CallResumed':
      return { ...call, phase: 'connected', parties: [event.data.by], hold: null };
    case 'HeldCallPickedUp':
      return {
        ...call,
        phase: 'connected',
        parties: [event.data.by],
        hold: null,
        recalledTransfers: recallsBut(call, event.data.by),
      };
    case 'CallPrivacyLockChanged':
      return { ...call, privacyLocked: event.data.locked };
    case 'CallTransferRequested': {
      const { attempt, by, to, recallAt } = event.data;
      return {
        ...call,
        phase: 'transferring',
        transfers: attempt,
        transfer: { attempt, from: by, to, recallAt },
        recalledTransfers: recallsBut(call, to),
      };
    }
    case 'CallTransferred':
      return {
        ...call,
        phase: 'connected',
        parties: [...without(call.parties, event.data.transferredBy), event.data.by],
        transfer: null,
      };
    case 'CallTransferRecalled': {
      const { attempt, target, to, reason, at } = event.data;
      return {
        ...call,
        phase: 'connected',
        transfer: null,
        recalledTransfers: [...recallsBut(call, target), { attempt, target, backTo: to, reason, at }],
      };
    }
    case 'CallJoined':
      return {
        ...call,
        parties: [...call.parties, event.data.by],
        recalledTransfers: recallsBut(call, event.data.by),
      };
    case 'CallsMerged':
      return {
        ...call,
        phase: 'connected',
        parties: event.data.participants,
        hold: null,
        recalledTransfers: recallsBut(call, event.data.by),
      };
    case 'CallLeft':
      return { ...call, parties: without(call.parties, event.data.by) };
    case 'RecordingStarted':
      return {
        ...call,
        recordings: [...call.recordings, { recordingId: event.data.recordingId, owner: event.data.by }],
      };
    case 'RecordingStopped':
      return { ...call, recordings: call.recordings.filter((r) => r.recordingId !== event.data.recordingId) };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
};

/**
 * How a call finished, as the line remembers it to answer late commands: `call` is the call in
 * progress, or for one that never was on the line (sent to voicemail because the line was busy)
 * nobody answering it and the owner it arrived for.
 */
export const finishedCall = (
  call: Pick<CallOnLine, 'answeredBy' | 'owner' | 'recalledTransfers'>,
  event: CallFinish,
): FinishedCall => ({
  callId: event.data.callId,
  owner: call.owner,
  answeredBy: call.answeredBy,
  recalledTransfers: call.recalledTransfers,
  endedAs:
    event.type === 'CallSentToVoicemail'
      ? 'voicemail'
      : event.data.reason === 'callerAbandoned'
        ? 'abandoned'
        : 'ended',
  at: event.data.at,
});

/**
 * The phases of the call in progress each event may follow: the only ones the line decider emits it
 * in. An event missing here may follow any phase.
 */
export const CALL_EVENT_PHASES: { readonly [T in LineEvent['type']]?: readonly CallPhase[] } = {
  CallAnsweredByExternalParty: ['dialing'],
  CallRang: ['ringing'],
  CallDeclined: ['ringing', 'transferring'],
  CallAnswered: ['ringing'],
  CallSentToVoicemail: ['ringing'],
  CallHeld: ['connected'],
  CallResumed: ['held'],
  HeldCallPickedUp: ['held'],
  CallTransferRequested: ['connected'],
  CallTransferred: ['transferring'],
  CallTransferRecalled: ['transferring'],
  CallJoined: ['connected'],
  CallsMerged: ['held'],
};

/** Why `event` cannot happen to the call in progress `call` (undefined when it can). */
export const callEventProblem = (call: CallOnLine, event: CallEvent | CallFinish): string | undefined => {
  const phases = CALL_EVENT_PHASES[event.type];
  if (phases && !phases.includes(call.phase)) {
    return `${event.type} on call ${call.callId} while it is ${call.phase} (allowed: ${phases.join(', ')})`;
  }
  switch (event.type) {
    case 'CallTransferred':
    case 'CallTransferRecalled':
      return call.transfer?.attempt === event.data.attempt
        ? undefined
        : `${event.type} (attempt ${event.data.attempt}) on call ${call.callId} without that transfer pending`;
    case 'CallAnswered':
      return call.answeredBy === null ? undefined : `call ${call.callId} answered twice`;
    case 'RecordingStopped':
      return call.recordings.some((r) => r.recordingId === event.data.recordingId)
        ? undefined
        : `recording ${event.data.recordingId} stopped but not running on call ${call.callId}`;
    default:
      return undefined;
  }
};

/**
 * Why `event` cannot follow `state` on a line, or undefined when it can: the line's fold itself is
 * total (it steps over what does not fit), so a log is checked against this (the CLI's `verify`).
 */
export const lineEventProblem = (state: LineState, event: LineEvent): string | undefined => {
  const call = state.call;
  if (isCallStart(event)) {
    const { callId } = event.data;
    if (call?.callId === callId) return `call ${callId} started twice`;
    if (event.type === 'CallPlacedOnSharedLine' && call)
      return `R12: call ${callId} placed while call ${call.callId} is active on the line`;
    return undefined;
  }
  if (isInboxEvent(event)) {
    if (event.type === 'VoicemailLeft') {
      return state.recentCalls.some((c) => c.callId === event.data.callId && c.endedAs === 'voicemail')
        ? undefined
        : `voicemail left for call ${event.data.callId}, which did not go to voicemail`;
    }
    return state.voicemails.has(event.data.messageId)
      ? undefined
      : `voicemail message ${event.data.messageId} is not in the inbox`;
  }
  const { callId } = event.data;
  if (call?.callId === callId) return callEventProblem(call, event);
  // A call to a busy line goes to voicemail without ever being the line's call (R12, R14).
  if (event.type === 'CallSentToVoicemail' && event.data.reason === 'lineBusy') return undefined;
  const finished = state.recentCalls.find((c) => c.callId === callId);
  return finished
    ? `${event.type} on call ${callId} after it ${finished.endedAs === 'ended' ? 'ended' : `went to ${finished.endedAs}`}`
    : `${event.type} on call ${callId}, which is not on the line`;
};
