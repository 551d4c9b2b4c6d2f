import {
  callEventProblem,
  callStarted,
  evolveCall,
  finishedCall,
  type CallEvent,
  type CallFinish,
  type CallOnLine,
  type CallStart,
  type FinishedCall,
} from '#domain';
import { lineKeyOf, splitLineKey, type LinePermissionUsed, type RingDecisionRecord } from '#events';
import type { StoredEvent } from '#eventstore';
import { defineProjectionOf } from './catalogue.js';
import { appended, existing, invariant, IRRELEVANT, NONE } from '../engine/projection.js';
import { partyKey } from './accounts.projection.js';
import { callRowKey, latestCallKey, lineScoped } from './line-key.js';
import { accountEventsNamingLines, lineNameOf, type LineNames } from './line-names.js';

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

/**
 * One call on a shared line: the call itself as the line decider folds it (`live`, libs/domain's
 * `evolveCall`, while it is in progress) and the history its entry, its busy lamp and R20's evidence
 * need (who placed, answered, picked up, transferred; the ring decisions; how it ended).
 */
export interface CallRow {
  /** `<line>/<callId>`; see callRowKey for a log that reused an id. */
  key: string;
  callId: string;
  line: string;
  /** R23: the line's name when the call started, kept whatever the line is called later. */
  lineName: string | null;
  /**
   * R10/R17: the party whose number the line was when the call started; the call stays in that
   * ownership's history after the number passes on. `null` for a call logged before owners were.
   */
  owner: string | null;
  direction: 'outgoing' | 'incoming';
  /** The external number called (outgoing) or calling (incoming). */
  external: string;
  vip: boolean;
  startedAt: string;
  /** The call in progress, exactly as the line decider has it; `null` once it is over. */
  live: CallOnLine | null;
  /** How the call finished, as the line decider remembers it; `null` while it is in progress. */
  finished: FinishedCall | null;
  result: CallResult | null;
  answeredAt: string | null;
  endedAt: string | null;
  endReason: string | null;
  placedBy: Acted | null;
  answeredBy: Acted | null;
  pickedUpBy: (Acted & { heldBy: string })[];
  transferRequests: { attempt: number; by: string; onBehalfOf: string | null; to: string; at: string }[];
  transferredBy: (Acted & { to: string })[];
  transferRecalls: { attempt: number; to: string; target: string; reason: string; at: string }[];
  joinedBy: Acted[];
  mergedBy: (Acted & { heldBy: string })[];
  heldBy: { by: string; onBehalfOf: string | null; at: string }[];
  declinedBy: { by: string; onBehalfOf: string | null; at: string }[];
  missedBy: string[];
  rings: RingStage[];
  /** Since when the line has been busy with this call (placed, or answered). */
  busySince: string | null;
  voicemailMessageId: string | null;
  /** Every line-side party the call involved, for the per-party history. */
  parties: string[];
}

/** A call's status as its history entry and the lamp name it: the decider's phase, or how it ended. */
export const callStatus = (call: CallRow): CallStatus => {
  if (call.live === null) return call.finished?.endedAs === 'voicemail' ? 'voicemail' : 'ended';
  switch (call.live.phase) {
    case 'connected':
    case 'transferring':
      return 'active';
    default:
      return call.live.phase;
  }
};

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
  const key = partyKey(splitLineKey(call.line).accountId, party);
  const history = state.partyCalls.get(key);
  if (history) history.push(call.key);
  else state.partyCalls.set(key, [call.key]);
};

const lineOf = (state: CallsState, key: string): LineRow => {
  let line = state.lines.get(key);
  if (!line) {
    line = { ...splitLineKey(key), live: [], calls: [] };
    state.lines.set(key, line);
  }
  return line;
};

type CallsState = {
  /** Key `<line>/<callId>`: call ids are unique per line (see callRowKey). */
  calls: Map<string, CallRow>;
  /** For the few ids an old log reused on a line: the key of the latest call by it (see callRowKey). */
  reusedCallIds: Map<string, string>;
  lines: Map<string, LineRow>;
  /** Key `<accountId>/<partyId>`: the party's calls, oldest first. */
  partyCalls: Map<string, string[]>;
  /** The lines that used a call id, first use first: how `/calls/:callId` finds its call. */
  callIdLines: Map<string, string[]>;
  /** R23: every line's name so far, copied into each call as it starts. */
  lineNames: LineNames;
};

/** The call a start event begins, with its history still empty (see NONE). */
const startCall = (state: CallsState, { stream, revision, event }: StoredEvent<CallStart>): CallRow => {
  const { callId, at } = event.data;
  const lineKey = lineKeyOf(stream);
  const address = lineScoped(lineKey, callId);
  const previous = state.calls.get(latestCallKey(state.reusedCallIds, address));
  const live = callStarted(event);
  invariant(
    previous === undefined || previous.live === null,
    `call ${callId} started on line ${lineKey} while a call with that id is ${previous && callStatus(previous)} there`,
  );
  const key = callRowKey(state.calls, state.reusedCallIds, address, revision);
  const call: CallRow = {
    key,
    callId,
    line: lineKey,
    lineName: lineNameOf(state.lineNames, lineKey),
    owner: live.owner,
    direction: live.direction,
    external: live.external,
    vip: live.vip,
    startedAt: at,
    live,
    finished: null,
    result: null,
    answeredAt: null,
    endedAt: null,
    endReason: null,
    placedBy: null,
    answeredBy: null,
    pickedUpBy: NONE,
    transferRequests: NONE,
    transferredBy: NONE,
    transferRecalls: NONE,
    joinedBy: NONE,
    mergedBy: NONE,
    heldBy: NONE,
    declinedBy: NONE,
    missedBy: NONE,
    rings: NONE,
    busySince: null,
    voicemailMessageId: null,
    parties: NONE,
  };
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

const callOf = (state: CallsState, stream: string, callId: string): CallRow =>
  existing(state.calls, latestCallKey(state.reusedCallIds, lineScoped(lineKeyOf(stream), callId)), 'call');

/** The call in progress an event is about, after the domain's call model checked and applied it. */
const evolved = (
  state: CallsState,
  { stream, event }: StoredEvent<CallEvent>,
): CallRow & { live: CallOnLine } => {
  const call = callOf(state, stream, event.data.callId);
  invariant(call.live !== null, `${event.type} on call ${call.key}, which is over`);
  const problem = callEventProblem(call.live, event);
  invariant(problem === undefined, problem!);
  call.live = evolveCall(call.live, event);
  return call as CallRow & { live: CallOnLine };
};

/** The call an end event finishes: off the busy lamp, remembered as the decider does. */
const finish = (state: CallsState, { stream, event }: StoredEvent<CallFinish>): CallRow => {
  const call = callOf(state, stream, event.data.callId);
  invariant(call.live !== null, `${event.type} on call ${call.key}, which is over`);
  const problem = callEventProblem(call.live, event);
  invariant(problem === undefined, problem!);
  const line = existing(state.lines, call.line, 'line');
  line.live = line.live.includes(call.key) ? line.live.filter((key) => key !== call.key).slice() : line.live;
  call.finished = finishedCall(call.live, event);
  call.live = null;
  call.endedAt = event.data.at;
  call.endReason = event.data.reason;
  if (event.data.missedBy.length > 0) call.missedBy = event.data.missedBy;
  return call;
};

const acted = (data: {
  by: string;
  onBehalfOf: string | null;
  permission: LinePermissionUsed | null;
  at: string;
}): Acted => ({ by: data.by, onBehalfOf: data.onBehalfOf, permission: data.permission, at: data.at });

/**
 * Calls on shared lines: the busy lamp of every line (R11/R12), the shared history per line and per
 * party with its "placed by / answered by / picked up by / transferred by" labels (R17), and the ring
 * decisions R20's diagnostics quote. Each call is folded by the line decider's own call model
 * (libs/domain line.call.ts) and checked against it: an event the model does not allow means the log
 * and this projection disagree, and stops the projector. The handlers add history only.
 *
 * v9: a call's `live` and `finished` carry its recalled transfers (R16), as the line decider's do.
 * v8: a call's `finished` carries its owner, as the line decider's finished calls do.
 */
export const callsProjection = defineProjectionOf(
  'accounts',
  'lines',
)({
  name: 'calls',
  version: 9,
  create: (): CallsState => ({
    calls: new Map(),
    reusedCallIds: new Map(),
    lines: new Map(),
    partyCalls: new Map(),
    callIdLines: new Map(),
    lineNames: new Map(),
  }),
  handlers: {
    ...accountEventsNamingLines<CallsState>(),
    CallPlacedOnSharedLine: (state, stored) => {
      const { data } = stored.event;
      const call = startCall(state, stored);
      call.placedBy = acted({ ...data, by: data.placedBy });
      call.busySince = data.at;
      involve(state, call, data.placedBy);
      involve(state, call, data.onBehalfOf);
    },
    CallAnsweredByExternalParty: (state, stored) => {
      const call = evolved(state, stored);
      call.answeredAt = stored.event.data.at;
      call.result = 'answered';
    },
    IncomingCallReceived: (state, stored) => {
      startCall(state, stored);
    },
    CallRang: (state, stored) => {
      const { data } = stored.event;
      const call = evolved(state, stored);
      call.rings = appended(call.rings, {
        stage: data.stage,
        at: data.at,
        alerted: data.alerted,
        decisions: data.decisions,
      });
      for (const party of data.alerted) involve(state, call, party);
    },
    CallDeclined: (state, stored) => {
      const { by, onBehalfOf, at } = stored.event.data;
      const call = evolved(state, stored);
      call.declinedBy = appended(call.declinedBy, { by, onBehalfOf, at });
    },
    CallAnswered: (state, stored) => {
      const { data } = stored.event;
      const call = evolved(state, stored);
      call.result = 'answered';
      call.answeredAt = data.at;
      call.busySince = data.at;
      call.answeredBy = acted(data);
      involve(state, call, data.by);
    },
    CallSentToVoicemail: (state, stored) => {
      const call = finish(state, stored);
      call.result = 'voicemail';
      call.missedBy = stored.event.data.missedBy;
    },
    CallHeld: (state, stored) => {
      const { by, onBehalfOf, at } = stored.event.data;
      const call = evolved(state, stored);
      call.heldBy = appended(call.heldBy, { by, onBehalfOf, at });
    },
    CallResumed: evolved,
    HeldCallPickedUp: (state, stored) => {
      const { data } = stored.event;
      const call = evolved(state, stored);
      call.pickedUpBy = appended(call.pickedUpBy, { ...acted(data), heldBy: data.heldBy });
      involve(state, call, data.by);
    },
    CallPrivacyLockChanged: evolved,
    CallTransferRequested: (state, stored) => {
      const { attempt, by, onBehalfOf, to, at } = stored.event.data;
      const call = evolved(state, stored);
      call.transferRequests = appended(call.transferRequests, { attempt, by, onBehalfOf, to, at });
      involve(state, call, to);
    },
    CallTransferred: (state, stored) => {
      const { data } = stored.event;
      const call = evolved(state, stored);
      // The event's onBehalfOf/permission describe the target who answered; the transferrer's
      // authority is the one recorded when the transfer was requested (R16 needs no permission).
      const requested = call.transferRequests.find((r) => r.attempt === data.attempt);
      call.transferredBy = appended(call.transferredBy, {
        by: data.transferredBy,
        onBehalfOf: requested?.onBehalfOf ?? null,
        permission: null,
        at: data.at,
        to: data.by,
      });
      involve(state, call, data.by);
    },
    CallTransferRecalled: (state, stored) => {
      const { attempt, to, target, reason, at } = stored.event.data;
      const call = evolved(state, stored);
      call.transferRecalls = appended(call.transferRecalls, { attempt, to, target, reason, at });
    },
    CallJoined: (state, stored) => {
      const { data } = stored.event;
      const call = evolved(state, stored);
      call.joinedBy = appended(call.joinedBy, acted(data));
      involve(state, call, data.by);
    },
    CallsMerged: (state, stored) => {
      const { data } = stored.event;
      const call = evolved(state, stored);
      call.mergedBy = appended(call.mergedBy, { ...acted(data), heldBy: data.heldBy });
      for (const party of data.participants) involve(state, call, party);
    },
    CallLeft: evolved,
    CallEnded: (state, stored) => {
      const call = finish(state, stored);
      call.result = call.answeredAt === null ? 'missed' : 'answered';
    },
    RecordingStarted: evolved,
    RecordingStopped: evolved,
    VoicemailLeft: (state, { stream, event: { data } }) => {
      callOf(state, stream, data.callId).voicemailMessageId = data.messageId;
    },
    VoicemailRead: IRRELEVANT,
    VoicemailDeleted: IRRELEVANT,
  },
});

/** Talk time in whole seconds: from the answer to the end; null for calls never connected or not over. */
export const durationSeconds = (call: CallRow): number | null =>
  call.answeredAt === null || call.endedAt === null
    ? null
    : Math.max(0, Math.round((Date.parse(call.endedAt) - Date.parse(call.answeredAt)) / 1000));
