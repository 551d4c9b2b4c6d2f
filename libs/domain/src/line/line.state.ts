import type { LineEvent } from '#events';
import {
  callStarted,
  evolveCall,
  finishedCall,
  isCallFinish,
  isCallStart,
  type CallFinish,
} from './line.call.js';
import { noUsedCallIds, withCallId, type UsedCallIds } from './used-call-ids.js';

export { hasUsedCallId, type UsedCallIds } from './used-call-ids.js';

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
  /** Every call id the line has used (R12: an id names one call of the line for good). */
  readonly usedCallIds: UsedCallIds;
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
  /** The line's owner when the call started, whose inbox a voicemail of it goes to (R17); `null` if unrecorded. */
  readonly owner: string | null;
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
  /**
   * Whose inbox it is in: the line's owner when the call arrived (R17), or `null` for a message left
   * before owners were recorded. It stays that party's after the number passes to another.
   */
  readonly owner: string | null;
}

/**
 * R10/R17: whether a message (or call) with `owner` belongs to the ownership the number is in now,
 * `ownerNow` its owner: a number an admin moves to another party keeps what came before with the
 * party it was for. One recorded before owners were (`null`) is the current ownership's.
 */
export const ofCurrentOwnership = (owner: string | null, ownerNow: string): boolean =>
  owner === null || owner === ownerNow;

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
  usedCallIds: noUsedCallIds,
  totals: { calls: 0, missed: 0, voicemails: 0 },
};

/** Remembers how a call finished and takes it off the line if it was there. */
const finish = (state: LineState, event: CallFinish): LineState => {
  const current = state.call?.callId === event.data.callId ? state.call : null;
  return {
    ...state,
    call: current ? null : state.call,
    recentCalls: [...state.recentCalls, finishedCall(current, event)].slice(-RECENT_CALLS_KEPT),
  };
};

const countCall = (state: LineState, callId: string): LineState => ({
  ...state,
  usedCallIds: withCallId(state.usedCallIds, callId),
  totals: { ...state.totals, calls: state.totals.calls + 1 },
});

export const evolveLine = (state: LineState, event: LineEvent): LineState => {
  if (isCallStart(event)) {
    const counted = countCall(state, event.data.callId);
    // A call arriving on a busy line never occupies it: it goes straight to voicemail (R12, R14).
    return state.call ? counted : { ...counted, call: callStarted(event) };
  }
  if (isCallFinish(event)) {
    const missed =
      event.type === 'CallSentToVoicemail' || event.data.reason === 'callerAbandoned'
        ? { ...state.totals, missed: state.totals.missed + 1 }
        : state.totals;
    return finish({ ...state, totals: missed }, event);
  }
  switch (event.type) {
    case 'VoicemailLeft': {
      const { messageId, callId, from, at, owner } = event.data;
      const message: VoicemailMessage = {
        messageId,
        callId,
        from,
        leftAt: at,
        readBy: null,
        readAt: null,
        owner,
      };
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
    default:
      // Events about a call that is not the line's (it is over) change nothing.
      return state.call?.callId === event.data.callId
        ? { ...state, call: evolveCall(state.call, event) }
        : state;
  }
};
