import { ACCOUNT_EVENTS_IRRELEVANT, CLOCK_EVENTS_IRRELEVANT, type ProjectedEvent } from './catalogue.js';
import type { LinePermissionUsed, RingDecisionRecord } from '#events';
import { appended, defineProjection, existing, invariant, IRRELEVANT, NONE } from '../engine/projection.js';
import { partyKey } from './accounts.projection.js';
import { currentKey, lineKeyOf, lineScoped, nextKey, splitLineKey } from './line-key.js';
import { applyDirectNumbersChanged, applyLineNamed, lineNameOf, type LineNames } from './line-names.js';

export type CallStatus = 'dialing' | 'ringing' | 'active' | 'held' | 'ended' | 'voicemail';
export type CallResult = 'answered' | 'missed' | 'voicemail';

export interface Acted {
  readonly by: string;
  readonly onBehalfOf: string | null;
  readonly permission: LinePermissionUsed | null;
  readonly at: string;
}

export interface RingStage {
  readonly stage: 'initial' | 'vipEscalation';
  readonly at: string;
  readonly alerted: string[];
  readonly decisions: RingDecisionRecord[];
}

/** One call on a shared line, as its history entry, its busy lamp and R20's evidence need it. */
export interface CallRow {
  /** `<line>/<callId>`, numbered when the line reused the id (see line-key.ts). */
  key: string;
  callId: string;
  line: string;
  /** R23: the line's name when the call started, kept whatever the line is called later. */
  lineName: string | null;
  direction: 'outgoing' | 'incoming';
  /** The external number called (outgoing) or calling (incoming). */
  external: string;
  vip: boolean;
  status: CallStatus;
  result: CallResult | null;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  endReason: string | null;
  placedBy: Acted | null;
  answeredBy: Acted | null;
  pickedUpBy: (Acted & { heldBy: string })[];
  transferredBy: (Acted & { to: string })[];
  transferRecalls: { attempt: number; to: string; target: string; reason: string; at: string }[];
  joinedBy: Acted[];
  mergedBy: (Acted & { heldBy: string })[];
  declinedBy: { by: string; onBehalfOf: string | null; at: string }[];
  missedBy: string[];
  /** Parties whose ring leg is running now. */
  ringing: string[];
  rings: RingStage[];
  ringTimeoutAt: string | null;
  /**
   * Line-side parties on the call now, as the line decider has them: nobody while held, then only
   * whoever resumed or picked it up (a party that had joined must join again).
   */
  participants: string[];
  /** Since when the line has been busy with this call (placed, or answered). */
  busySince: string | null;
  held: { by: string; onBehalfOf: string | null; since: string } | null;
  /**
   * Set by the delegator (R15), with a hold or on its own: delegates may not pick up, join or merge the
   * call. As in the line decider, it outlives the hold: a resumed call stays locked until unlocked.
   */
  privacyLocked: boolean;
  transfer: {
    attempt: number;
    by: string;
    onBehalfOf: string | null;
    to: string;
    recallAt: string;
    at: string;
  } | null;
  voicemailMessageId: string | null;
  /** Every line-side party the call involved, for the per-party history. */
  parties: string[];
}

export interface LineRow {
  accountId: string;
  number: string;
  /** Keys of the calls not over yet, oldest first: the busy lamp reads them. */
  live: string[];
  /** Keys of every call of the line, oldest first: the shared history (R17). */
  calls: string[];
}

const involve = (state: CallsState, call: CallRow, party: string | null): void => {
  if (party === null || call.parties.includes(party)) return;
  call.parties = appended(call.parties, party);
  // Party ids are unique within an account only.
  const key = partyKey(call.line.slice(0, call.line.indexOf('.')), party);
  const history = state.partyCalls.get(key);
  if (history) history.push(call.key);
  else state.partyCalls.set(key, [call.key]);
};

/** `list` without `party`: the same list when it is not on it, else an exact-length copy (see NONE). */
const without = (list: string[], party: string): string[] =>
  list.includes(party) ? list.filter((p) => p !== party).slice() : list;

const finish = (state: CallsState, call: CallRow, at: string): void => {
  const line = existing(state.lines, call.line, 'line');
  line.live = without(line.live, call.key);
  call.endedAt = at;
  call.ringing = NONE;
  call.participants = NONE;
  call.held = null;
  call.transfer = null;
};

const lineOf = (state: CallsState, key: string): LineRow => {
  let line = state.lines.get(key);
  if (!line) {
    line = { ...splitLineKey(key), live: [], calls: [] };
    state.lines.set(key, line);
  }
  return line;
};

const newCall = (
  key: string,
  callId: string,
  line: string,
  lineName: string | null,
  direction: CallRow['direction'],
  external: string,
  at: string,
): CallRow => ({
  key,
  callId,
  line,
  lineName,
  direction,
  external,
  vip: false,
  status: direction === 'outgoing' ? 'dialing' : 'ringing',
  result: null,
  startedAt: at,
  answeredAt: null,
  endedAt: null,
  endReason: null,
  placedBy: null,
  answeredBy: null,
  pickedUpBy: NONE,
  transferredBy: NONE,
  transferRecalls: NONE,
  joinedBy: NONE,
  mergedBy: NONE,
  declinedBy: NONE,
  missedBy: NONE,
  ringing: NONE,
  rings: NONE,
  ringTimeoutAt: null,
  participants: NONE,
  busySince: null,
  held: null,
  privacyLocked: false,
  transfer: null,
  voicemailMessageId: null,
  parties: NONE,
});

type CallsState = {
  /** Key `<line>/<callId>[/<n>]`: call ids are unique per line only (see line-key.ts). */
  calls: Map<string, CallRow>;
  /** How often a line reused a call id, for the few that did. */
  callReuses: Map<string, number>;
  lines: Map<string, LineRow>;
  /** Key `<accountId>/<partyId>`: the party's calls, oldest first. */
  partyCalls: Map<string, string[]>;
  /** The lines that used a call id, first use first: how `/calls/:callId` finds its call. */
  callIdLines: Map<string, string[]>;
  /** R23: every line's name so far, copied into each call as it starts. */
  lineNames: LineNames;
};

const callOf = (state: CallsState, stream: string, callId: string): CallRow =>
  existing(state.calls, currentKey(state.callReuses, lineScoped(lineKeyOf(stream), callId)), 'call');

const isOver = (call: CallRow): boolean => call.status === 'ended' || call.status === 'voicemail';

/** A new call on the line of `stream`; the line may reuse the id of a call that is over. */
const startCall = (
  state: CallsState,
  stream: string,
  callId: string,
  direction: CallRow['direction'],
  external: string,
  at: string,
): CallRow => {
  const lineKey = lineKeyOf(stream);
  const address = lineScoped(lineKey, callId);
  const previous = state.calls.get(currentKey(state.callReuses, address));
  invariant(
    previous === undefined || isOver(previous),
    `call ${callId} started on line ${lineKey} while a call with that id is ${previous?.status} there`,
  );
  const key = nextKey(state.calls, state.callReuses, address);
  const call = newCall(key, callId, lineKey, lineNameOf(state.lineNames, lineKey), direction, external, at);
  state.calls.set(key, call);
  const line = lineOf(state, lineKey);
  line.live.push(key);
  line.calls.push(key);
  if (previous === undefined) {
    const lines = state.callIdLines.get(callId);
    if (lines) lines.push(lineKey);
    else state.callIdLines.set(callId, [lineKey]);
  }
  return call;
};

const inProgress = (call: CallRow, what: string): void =>
  invariant(!isOver(call), `${what} on call ${call.key}, which is over`);

/**
 * Calls on shared lines: the busy lamp of every line (R11/R12), the shared history per line and per
 * party with its "placed by / answered by / picked up by / transferred by" labels (R17), and the ring
 * decisions R20's diagnostics quote. Handlers check the transitions the line decider guarantees; an
 * event that contradicts them means the log and this projection disagree, and stops the projector.
 */
export const callsProjection = defineProjection<ProjectedEvent>()({
  name: 'calls',
  version: 5,
  create: (): CallsState => ({
    calls: new Map(),
    callReuses: new Map(),
    lines: new Map(),
    partyCalls: new Map(),
    callIdLines: new Map(),
    lineNames: new Map(),
  }),
  handlers: {
    ...ACCOUNT_EVENTS_IRRELEVANT,
    LineNamed: (state, stored) => applyLineNamed(state.lineNames, stored),
    PartyDirectNumbersChanged: (state, stored) => applyDirectNumbersChanged(state.lineNames, stored),
    ...CLOCK_EVENTS_IRRELEVANT,
    CallPlacedOnSharedLine: (state, { stream, event: { data } }) => {
      const call = startCall(state, stream, data.callId, 'outgoing', data.to, data.at);
      call.placedBy = {
        by: data.placedBy,
        onBehalfOf: data.onBehalfOf,
        permission: data.permission,
        at: data.at,
      };
      call.participants = [data.placedBy];
      call.busySince = data.at;
      involve(state, call, data.placedBy);
      involve(state, call, data.onBehalfOf);
    },
    CallAnsweredByExternalParty: (state, { stream, event: { data } }) => {
      const call = callOf(state, stream, data.callId);
      invariant(call.status === 'dialing', `call ${call.key} answered by the callee while ${call.status}`);
      call.status = 'active';
      call.answeredAt = data.at;
      call.result = 'answered';
    },
    IncomingCallReceived: (state, { stream, event: { data } }) => {
      startCall(state, stream, data.callId, 'incoming', data.from, data.at).vip = data.vip;
    },
    CallRang: (state, { stream, event: { data } }) => {
      const call = callOf(state, stream, data.callId);
      invariant(call.status === 'ringing', `call ${call.key} rang while ${call.status}`);
      call.rings = appended(call.rings, {
        stage: data.stage,
        at: data.at,
        alerted: data.alerted,
        decisions: data.decisions,
      });
      call.ringTimeoutAt = data.ringTimeoutAt;
      for (const party of data.alerted) {
        if (!call.ringing.includes(party)) call.ringing = appended(call.ringing, party);
        involve(state, call, party);
      }
    },
    CallDeclined: (state, { stream, event: { data } }) => {
      const call = callOf(state, stream, data.callId);
      inProgress(call, `${data.by} declined`);
      call.ringing = without(call.ringing, data.by);
      call.declinedBy = appended(call.declinedBy, { by: data.by, onBehalfOf: data.onBehalfOf, at: data.at });
    },
    CallAnswered: (state, { stream, event: { data } }) => {
      const call = callOf(state, stream, data.callId);
      invariant(call.status === 'ringing', `call ${call.key} answered while ${call.status}`);
      invariant(call.answeredBy === null, `call ${call.key} answered twice`);
      call.status = 'active';
      call.result = 'answered';
      call.answeredAt = data.at;
      call.busySince = data.at;
      call.answeredBy = {
        by: data.by,
        onBehalfOf: data.onBehalfOf,
        permission: data.permission,
        at: data.at,
      };
      call.ringing = NONE;
      call.participants = [data.by];
      involve(state, call, data.by);
    },
    CallSentToVoicemail: (state, { stream, event: { data } }) => {
      const call = callOf(state, stream, data.callId);
      invariant(call.status === 'ringing', `call ${call.key} sent to voicemail while ${call.status}`);
      call.status = 'voicemail';
      call.result = 'voicemail';
      call.endReason = data.reason;
      call.missedBy = data.missedBy;
      finish(state, call, data.at);
    },
    CallHeld: (state, { stream, event: { data } }) => {
      const call = callOf(state, stream, data.callId);
      invariant(call.status === 'active', `call ${call.key} held while ${call.status}`);
      call.status = 'held';
      call.held = { by: data.by, onBehalfOf: data.onBehalfOf, since: data.at };
      call.privacyLocked = data.privacyLocked;
      call.participants = NONE;
    },
    CallResumed: (state, { stream, event: { data } }) => {
      const call = callOf(state, stream, data.callId);
      invariant(call.status === 'held', `call ${call.key} resumed while ${call.status}`);
      call.status = 'active';
      call.held = null;
      call.participants = [data.by];
    },
    HeldCallPickedUp: (state, { stream, event: { data } }) => {
      const call = callOf(state, stream, data.callId);
      invariant(call.status === 'held', `call ${call.key} picked up while ${call.status}`);
      call.status = 'active';
      call.held = null;
      call.pickedUpBy = appended(call.pickedUpBy, {
        by: data.by,
        onBehalfOf: data.onBehalfOf,
        permission: data.permission,
        at: data.at,
        heldBy: data.heldBy,
      });
      call.participants = [data.by];
      involve(state, call, data.by);
    },
    CallPrivacyLockChanged: (state, { stream, event: { data } }) => {
      const call = callOf(state, stream, data.callId);
      inProgress(call, 'privacy lock changed');
      call.privacyLocked = data.locked;
    },
    CallTransferRequested: (state, { stream, event: { data } }) => {
      const call = callOf(state, stream, data.callId);
      inProgress(call, 'transfer requested');
      call.transfer = {
        attempt: data.attempt,
        by: data.by,
        onBehalfOf: data.onBehalfOf,
        to: data.to,
        recallAt: data.recallAt,
        at: data.at,
      };
      involve(state, call, data.to);
    },
    CallTransferred: (state, { stream, event: { data } }) => {
      const call = callOf(state, stream, data.callId);
      invariant(
        call.transfer?.attempt === data.attempt,
        `call ${call.key} transferred (attempt ${data.attempt}) without that transfer pending`,
      );
      // The event's onBehalfOf/permission describe the target who answered; the transferrer's
      // authority is the one recorded when the transfer was requested (R16 needs no permission).
      call.transferredBy = appended(call.transferredBy, {
        by: data.transferredBy,
        onBehalfOf: call.transfer!.onBehalfOf,
        permission: null,
        at: data.at,
        to: data.by,
      });
      call.transfer = null;
      call.status = 'active';
      call.held = null;
      call.participants = appended(without(call.participants, data.transferredBy), data.by);
      involve(state, call, data.by);
    },
    CallTransferRecalled: (state, { stream, event: { data } }) => {
      const call = callOf(state, stream, data.callId);
      invariant(
        call.transfer?.attempt === data.attempt,
        `transfer ${data.attempt} of call ${call.key} recalled without being pending`,
      );
      call.transfer = null;
      call.transferRecalls = appended(call.transferRecalls, {
        attempt: data.attempt,
        to: data.to,
        target: data.target,
        reason: data.reason,
        at: data.at,
      });
    },
    CallJoined: (state, { stream, event: { data } }) => {
      const call = callOf(state, stream, data.callId);
      invariant(call.status === 'active', `call ${call.key} joined while ${call.status}`);
      call.joinedBy = appended(call.joinedBy, {
        by: data.by,
        onBehalfOf: data.onBehalfOf,
        permission: data.permission,
        at: data.at,
      });
      // The decider refuses a party already on the call (ALREADY_ON_CALL).
      call.participants = appended(call.participants, data.by);
      involve(state, call, data.by);
    },
    CallsMerged: (state, { stream, event: { data } }) => {
      const call = callOf(state, stream, data.callId);
      invariant(call.status === 'held', `call ${call.key} merged while ${call.status}`);
      call.status = 'active';
      call.held = null;
      call.mergedBy = appended(call.mergedBy, {
        by: data.by,
        onBehalfOf: data.onBehalfOf,
        permission: data.permission,
        at: data.at,
        heldBy: data.heldBy,
      });
      call.participants = [...data.participants];
      for (const party of data.participants) involve(state, call, party);
    },
    CallLeft: (state, { stream, event: { data } }) => {
      const call = callOf(state, stream, data.callId);
      inProgress(call, `${data.by} left`);
      call.participants = without(call.participants, data.by);
    },
    CallEnded: (state, { stream, event: { data } }) => {
      const call = callOf(state, stream, data.callId);
      inProgress(call, 'ended');
      call.status = 'ended';
      call.result = call.answeredAt === null ? 'missed' : 'answered';
      call.endReason = data.reason;
      if (data.missedBy.length > 0) call.missedBy = data.missedBy;
      finish(state, call, data.at);
    },
    VoicemailLeft: (state, { stream, event: { data } }) => {
      callOf(state, stream, data.callId).voicemailMessageId = data.messageId;
    },
    RecordingStarted: IRRELEVANT,
    RecordingStopped: IRRELEVANT,
    VoicemailRead: IRRELEVANT,
    VoicemailDeleted: IRRELEVANT,
  },
});

/** Talk time in whole seconds: from the answer to the end; null for calls never connected or not over. */
export const durationSeconds = (call: CallRow): number | null =>
  call.answeredAt === null || call.endedAt === null
    ? null
    : Math.max(0, Math.round((Date.parse(call.endedAt) - Date.parse(call.answeredAt)) / 1000));
