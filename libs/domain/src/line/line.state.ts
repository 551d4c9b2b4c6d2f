import type { CallTransferRecalled, LineEvent } from '#events';
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
   * The last few finished calls of the line, whoever's number it was, newest last, so a late command
   * on a call that just ended gets an answer that names what happened (e.g. `ALREADY_ANSWERED` by
   * whom) instead of "unknown call". Each carries its owner, for views of one ownership
   * (`recentCallsOf`).
   */
  readonly recentCalls: readonly FinishedCall[];
  /**
   * The call that arrived while the line was busy, between its start and its finish: it never becomes
   * the line's call, and the same decision sends it to voicemail (R12, R14). Its start is the one event
   * that says whose number it arrived on: kept until its finish, which is counted and remembered for
   * that owner (not the owner of the call in progress, which may be the number's previous one).
   */
  readonly arrivedWhileBusy: { readonly callId: string; readonly owner: string | null } | null;
  /** Every call id the line has used (R12: an id names one call of the line for good). */
  readonly usedCallIds: UsedCallIds;
  /**
   * The counters of each owner the calls and messages were for (R10, R17), one entry per owner, so the
   * ownership the number is in now is counted apart from earlier ones (`totalsOf`). A number passes
   * between few parties, so this stays a handful of entries: a short list searched by comparing owners,
   * cheap to copy on every call, where an owner (a party id) is never looked up as a property name.
   */
  readonly totals: readonly OwnerTotals[];
}

export interface LineTotals {
  readonly calls: number;
  readonly missed: number;
  readonly voicemails: number;
}

export interface OwnerTotals extends LineTotals {
  /** `null` for the calls and messages recorded before owners were. */
  readonly owner: string | null;
}

const noTotals: LineTotals = { calls: 0, missed: 0, voicemails: 0 };

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
  /**
   * The transfers recalled from targets who have not come onto the call since (R16), the latest per
   * target, so a former target's late answer or decline is told of the recall, not of another party's
   * answer. At most one per party of the line, however often the call is transferred.
   */
  readonly recalledTransfers: readonly RecalledTransfer[];
}

/** A transfer that went back to its transferrer before its target took it (R16). */
export interface RecalledTransfer {
  readonly attempt: number;
  /** The party the transfer rang. */
  readonly target: string;
  /** The transferrer, whom the call went back to. */
  readonly backTo: string;
  readonly reason: CallTransferRecalled['data']['reason'];
  readonly at: string;
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

/**
 * R10/R12: the call in progress as the number's current ownership sees it, `ownerNow` its owner. A call
 * of the number's previous owner still on it keeps the line busy, but whose call it is and what is
 * happening on it are that owner's: `null` here, as the read side shows the line's lamp.
 */
export const callOfCurrentOwnership = (state: LineState, ownerNow: string): CallOnLine | null =>
  state.call && ofCurrentOwnership(state.call.owner, ownerNow) ? state.call : null;

export interface FinishedCall {
  readonly callId: string;
  /** Whose number the call arrived on or was placed from (R10, R17); `null` if unrecorded. */
  readonly owner: string | null;
  readonly answeredBy: string | null;
  readonly endedAs: 'ended' | 'voicemail' | 'abandoned';
  readonly at: string;
  /** The call's recalled transfers when it finished (R16): a former target asking late is told of its recall. */
  readonly recalledTransfers: readonly RecalledTransfer[];
}

export const initialLineState: LineState = {
  call: null,
  voicemails: new Map(),
  recentCalls: [],
  arrivedWhileBusy: null,
  usedCallIds: noUsedCallIds,
  totals: [],
};

/** The line's totals with one more `counter` for `owner`. */
const counted = (
  totals: LineState['totals'],
  owner: string | null,
  counter: keyof LineTotals,
): LineState['totals'] => {
  const index = totals.findIndex((entry) => entry.owner === owner);
  const entry = index === -1 ? { owner, ...noTotals } : totals[index]!;
  const more = { ...entry, [counter]: entry[counter] + 1 };
  return index === -1 ? [...totals, more] : totals.with(index, more);
};

/**
 * The totals of the ownership the number is in now, `ownerNow` its owner: its own and those recorded
 * before owners were (`ofCurrentOwnership`), none of the parties it belonged to before.
 */
export const totalsOf = (state: LineState, ownerNow: string): LineTotals => {
  let sum = noTotals;
  for (const totals of state.totals) {
    if (!ofCurrentOwnership(totals.owner, ownerNow)) continue;
    sum = {
      calls: sum.calls + totals.calls,
      missed: sum.missed + totals.missed,
      voicemails: sum.voicemails + totals.voicemails,
    };
  }
  return sum;
};

/** The line's recent calls (newest last) of the ownership the number is in now, `ownerNow` its owner. */
export const recentCallsOf = (state: LineState, ownerNow: string): readonly FinishedCall[] =>
  state.recentCalls.filter((call) => ofCurrentOwnership(call.owner, ownerNow));

/** Remembers how a call finished, counts it for its owner if missed, and takes it off the line. */
const finish = (state: LineState, event: CallFinish): LineState => {
  const { callId } = event.data;
  const current = state.call?.callId === callId ? state.call : null;
  const arrived = state.arrivedWhileBusy?.callId === callId ? state.arrivedWhileBusy : null;
  // A finish of neither (a log another writer wrote) has no owner on record: the current ownership's.
  const finished = finishedCall(
    current ?? { answeredBy: null, owner: arrived?.owner ?? null, recalledTransfers: [] },
    event,
  );
  const missed = event.type === 'CallSentToVoicemail' || event.data.reason === 'callerAbandoned';
  return {
    ...state,
    call: current ? null : state.call,
    arrivedWhileBusy: arrived ? null : state.arrivedWhileBusy,
    recentCalls: [...state.recentCalls, finished].slice(-RECENT_CALLS_KEPT),
    totals: missed ? counted(state.totals, finished.owner, 'missed') : state.totals,
  };
};

export const evolveLine = (state: LineState, event: LineEvent): LineState => {
  if (isCallStart(event)) {
    const { callId, owner } = event.data;
    const started = {
      ...state,
      usedCallIds: withCallId(state.usedCallIds, callId),
      totals: counted(state.totals, owner, 'calls'),
    };
    // A call arriving on a busy line never occupies it: it goes straight to voicemail (R12, R14).
    return state.call
      ? { ...started, arrivedWhileBusy: { callId, owner } }
      : { ...started, call: callStarted(event) };
  }
  if (isCallFinish(event)) return finish(state, event);
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
        totals: counted(state.totals, owner, 'voicemails'),
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
