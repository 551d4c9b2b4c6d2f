import type { LineEvent } from '#events';

/**
 * What deciding on a line needs, and nothing more. The line's stream holds its whole history; the
 * state folded from it stays small (the call in progress in detail, the inbox, a few counters) so a
 * cached fold answers as fast for a line with 100,000 past calls as for a new one. Call history,
 * labels and timelines belong to read models.
 */
export interface LineState {
  /** The one call in progress on the line (R12), or `null` when the line is idle. */
  readonly call: CallOnLine | null;
  /**
   * The shared voicemail inbox (R17): messages not deleted, by message id. A Map, not an object:
   * message ids come from clients, and `constructor` or `toString` must not find Object.prototype.
   */
  readonly voicemails: ReadonlyMap<string, VoicemailMessage>;
  /**
   * The last few finished calls, newest last, so a late command on a call that just ended gets an
   * answer that names what happened (e.g. `ALREADY_ANSWERED` by whom) instead of "unknown call".
   */
  readonly recentCalls: readonly FinishedCall[];
  readonly totals: { readonly calls: number; readonly missed: number; readonly voicemails: number };
}

export const RECENT_CALLS_KEPT = 20;

/**
 * - `dialing`: an outgoing call, the external party not yet answered.
 * - `ringing`: an incoming call alerting line-side parties (R13).
 * - `connected`: talking; `parties` are the line-side parties on it.
 * - `held`: on hold by `hold.by` (R15); nobody on the line side is on the audio.
 * - `transferring`: the external party waits while `transfer.to` rings (R16).
 */
export type CallPhase = 'dialing' | 'ringing' | 'connected' | 'held' | 'transferring';

export interface CallOnLine {
  readonly callId: string;
  readonly direction: 'outgoing' | 'incoming';
  /** The external number: callee of an outgoing call, caller of an incoming one. */
  readonly external: string;
  readonly vip: boolean;
  readonly startedAt: string;
  readonly phase: CallPhase;
  readonly placedBy: string | null;
  /** Who answered the incoming call first (R13). */
  readonly answeredBy: string | null;
  /** Line-side parties on the call, in the order they came on; empty while held. */
  readonly parties: readonly string[];
  readonly ring: RingState | null;
  readonly hold: { readonly by: string; readonly since: string } | null;
  /** Set by the delegator (R15): delegates may not pick up, join or merge the call. */
  readonly privacyLocked: boolean;
  readonly transfer: TransferState | null;
  /** Transfers requested so far: numbers each transfer so a recall timer can tell which it is for. */
  readonly transfers: number;
  /** Recordings running on the call and who owns each (R18). */
  readonly recordings: readonly { readonly recordingId: string; readonly owner: string }[];
}

export interface RingState {
  /** Parties whose ring leg is still open. */
  readonly ringing: readonly string[];
  /** Every party alerted so far, including those who declined. */
  readonly alerted: readonly string[];
  readonly ringTimeoutAt: string;
  /** When VIP delegatorFirst alerts the delegates (R19), `null` if nobody waits. */
  readonly escalationAt: string | null;
}

export interface TransferState {
  readonly attempt: number;
  readonly from: string;
  readonly to: string;
  readonly recallAt: string;
}

export interface VoicemailMessage {
  readonly messageId: string;
  readonly callId: string;
  readonly from: string;
  readonly leftAt: string;
  /** Read state is shared (R17): the first reader marks it read for everybody. */
  readonly readBy: string | null;
  readonly readAt: string | null;
}

export interface FinishedCall {
  readonly callId: string;
  readonly answeredBy: string | null;
  readonly endedAs: 'ended' | 'voicemail' | 'abandoned';
  readonly at: string;
}

export const initialLineState: LineState = {
  call: null,
  voicemails: new Map(),
  recentCalls: [],
  totals: { calls: 0, missed: 0, voicemails: 0 },
};

const newCall = (
  fields: Pick<
    CallOnLine,
    'callId' | 'direction' | 'external' | 'vip' | 'startedAt' | 'phase' | 'placedBy' | 'parties'
  >,
): CallOnLine => ({
  ...fields,
  answeredBy: null,
  ring: null,
  hold: null,
  privacyLocked: false,
  transfer: null,
  transfers: 0,
  recordings: [],
});

/** Applies a change to the call in progress if the event is about it. */
const withCall = (state: LineState, callId: string, change: (call: CallOnLine) => CallOnLine): LineState =>
  state.call?.callId === callId ? { ...state, call: change(state.call) } : state;

/**
 * Remembers how a call finished and takes it off the line if it was there (a call sent to voicemail
 * because the line was busy never was).
 */
const finish = (
  state: LineState,
  callId: string,
  endedAs: FinishedCall['endedAs'],
  at: string,
): LineState => {
  const current = state.call?.callId === callId ? state.call : null;
  const finished: FinishedCall = { callId, answeredBy: current?.answeredBy ?? null, endedAs, at };
  return {
    ...state,
    call: current ? null : state.call,
    recentCalls: [...state.recentCalls, finished].slice(-RECENT_CALLS_KEPT),
  };
};

const without = (list: readonly string[], party: string): string[] => list.filter((p) => p !== party);

export const evolveLine = (state: LineState, event: LineEvent): LineState => {
  switch (event.type) {
    case 'CallPlacedOnSharedLine': {
      const { callId, to, placedBy, at } = event.data;
      const call = newCall({
        callId,
        direction: 'outgoing',
        external: to,
        vip: false,
        startedAt: at,
        phase: 'dialing',
        placedBy,
        parties: [placedBy],
      });
      return { ...state, call, totals: { ...state.totals, calls: state.totals.calls + 1 } };
    }
    case 'CallAnsweredByExternalParty':
      return withCall(state, event.data.callId, (call) => ({ ...call, phase: 'connected' }));
    case 'IncomingCallReceived': {
      const { callId, from, vip, at } = event.data;
      const totals = { ...state.totals, calls: state.totals.calls + 1 };
      // A call arriving on a busy line never occupies it: it goes straight to voicemail (R12, R14).
      if (state.call) return { ...state, totals };
      const call = newCall({
        callId,
        direction: 'incoming',
        external: from,
        vip,
        startedAt: at,
        phase: 'ringing',
        placedBy: null,
        parties: [],
      });
      return { ...state, call, totals };
    }
    case 'CallRang':
      return withCall(state, event.data.callId, (call) => ({
        ...call,
        ring: {
          ringing: [...(call.ring?.ringing ?? []), ...event.data.alerted],
          alerted: [...(call.ring?.alerted ?? []), ...event.data.alerted],
          ringTimeoutAt: event.data.ringTimeoutAt,
          escalationAt: event.data.escalationAt,
        },
      }));
    case 'CallDeclined':
      return withCall(state, event.data.callId, (call) =>
        call.ring
          ? { ...call, ring: { ...call.ring, ringing: without(call.ring.ringing, event.data.by) } }
          : call,
      );
    case 'CallAnswered':
      return withCall(state, event.data.callId, (call) => ({
        ...call,
        phase: 'connected',
        answeredBy: event.data.by,
        parties: [event.data.by],
        ring: null,
      }));
    case 'CallSentToVoicemail': {
      const missed = { ...state.totals, missed: state.totals.missed + 1 };
      return finish({ ...state, totals: missed }, event.data.callId, 'voicemail', event.data.at);
    }
    case 'CallHeld':
      return withCall(state, event.data.callId, (call) => ({
        ...call,
        phase: 'held',
        parties: [],
        hold: { by: event.data.by, since: event.data.at },
        privacyLocked: event.data.privacyLocked,
      }));
    case 'CallResumed':
    case 'HeldCallPickedUp':
      return withCall(state, event.data.callId, (call) => ({
        ...call,
        phase: 'connected',
        parties: [event.data.by],
        hold: null,
      }));
    case 'CallPrivacyLockChanged':
      return withCall(state, event.data.callId, (call) => ({ ...call, privacyLocked: event.data.locked }));
    case 'CallTransferRequested': {
      const { attempt, by, to, recallAt } = event.data;
      return withCall(state, event.data.callId, (call) => ({
        ...call,
        phase: 'transferring',
        transfers: attempt,
        transfer: { attempt, from: by, to, recallAt },
      }));
    }
    case 'CallTransferred':
      return withCall(state, event.data.callId, (call) => ({
        ...call,
        phase: 'connected',
        parties: [...without(call.parties, event.data.transferredBy), event.data.by],
        transfer: null,
      }));
    case 'CallTransferRecalled':
      return withCall(state, event.data.callId, (call) => ({ ...call, phase: 'connected', transfer: null }));
    case 'CallJoined':
      return withCall(state, event.data.callId, (call) => ({
        ...call,
        parties: [...call.parties, event.data.by],
      }));
    case 'CallsMerged':
      return withCall(state, event.data.callId, (call) => ({
        ...call,
        phase: 'connected',
        parties: event.data.participants,
        hold: null,
      }));
    case 'CallLeft':
      return withCall(state, event.data.callId, (call) => ({
        ...call,
        parties: without(call.parties, event.data.by),
      }));
    case 'CallEnded': {
      const abandoned = event.data.reason === 'callerAbandoned';
      const totals = abandoned ? { ...state.totals, missed: state.totals.missed + 1 } : state.totals;
      return finish(
        { ...state, totals },
        event.data.callId,
        abandoned ? 'abandoned' : 'ended',
        event.data.at,
      );
    }
    case 'RecordingStarted':
      return withCall(state, event.data.callId, (call) => ({
        ...call,
        recordings: [...call.recordings, { recordingId: event.data.recordingId, owner: event.data.by }],
      }));
    case 'RecordingStopped':
      return withCall(state, event.data.callId, (call) => ({
        ...call,
        recordings: call.recordings.filter((r) => r.recordingId !== event.data.recordingId),
      }));
    case 'VoicemailLeft': {
      const { messageId, callId, from, at } = event.data;
      const message: VoicemailMessage = { messageId, callId, from, leftAt: at, readBy: null, readAt: null };
      return {
        ...state,
        voicemails: new Map(state.voicemails).set(messageId, message),
        totals: { ...state.totals, voicemails: state.totals.voicemails + 1 },
      };
    }
    case 'VoicemailRead': {
      const message = state.voicemails.get(event.data.messageId);
      if (!message) return state;
      const read = { ...message, readBy: event.data.by, readAt: event.data.at };
      return { ...state, voicemails: new Map(state.voicemails).set(message.messageId, read) };
    }
    case 'VoicemailDeleted': {
      if (!state.voicemails.has(event.data.messageId)) return state;
      const rest = new Map(state.voicemails);
      rest.delete(event.data.messageId);
      return { ...state, voicemails: rest };
    }
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
};
