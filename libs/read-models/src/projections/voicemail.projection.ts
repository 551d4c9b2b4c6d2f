import { lineKeyOf } from '#events';
import { defineProjectionOf } from './catalogue.js';
import { appended, existing, invariant, IRRELEVANT, NONE } from '../engine/projection.js';
import { currentKey, lineScoped, nextKey } from './line-key.js';
import { accountEventsNamingLines, lineNameOf, type LineNames } from './line-names.js';

interface Act {
  readonly by: string;
  readonly onBehalfOf: string | null;
  readonly at: string;
}

export interface VoicemailMessage {
  messageId: string;
  line: string;
  /** R23: the line's name when the message was left. */
  lineName: string | null;
  /** R10/R17: whose inbox it is in, the line's owner when the call arrived; `null` if unrecorded. */
  owner: string | null;
  callId: string;
  from: string;
  at: string;
  /** Read state is shared by everybody on the line (R17): read once, read for all. */
  read: boolean;
  readBy: Act[];
  /** A deletion removes the message for everybody and is kept as a record of who and when (R17). */
  deleted: Act | null;
}

/** The missed-call entry a ringing call leaves in the inbox when it goes to voicemail (R14). */
export interface MissedCallEntry {
  callId: string;
  line: string;
  /** R23: the line's name when the call arrived. */
  lineName: string | null;
  /** R10/R17: whose inbox it is in, the line's owner when the call arrived; `null` if unrecorded. */
  owner: string | null;
  from: string;
  receivedAt: string;
  at: string;
  reason: string;
  missedBy: string[];
}

/** Message and call ids are unique per line only, and a line may reuse them: keys as in line-key.ts. */
type VoicemailState = {
  messages: Map<string, VoicemailMessage>;
  messageReuses: Map<string, number>;
  missedCalls: Map<string, MissedCallEntry>;
  missedCallReuses: Map<string, number>;
  /** Per line: keys of its messages and missed calls, oldest first. */
  inboxes: Map<string, { messages: string[]; missedCalls: string[] }>;
  /** Caller and arrival of incoming calls still ringing (key `<line>/<callId>`), for their missed-call entry. */
  ringing: Map<string, { from: string; at: string; lineName: string | null; owner: string | null }>;
  /** R23: every line's name so far. */
  lineNames: LineNames;
};

const inboxOf = (state: VoicemailState, line: string): { messages: string[]; missedCalls: string[] } => {
  let inbox = state.inboxes.get(line);
  if (!inbox) {
    inbox = { messages: [], missedCalls: [] };
    state.inboxes.set(line, inbox);
  }
  return inbox;
};

const liveMessage = (state: VoicemailState, stream: string, messageId: string): VoicemailMessage => {
  const key = currentKey(state.messageReuses, lineScoped(lineKeyOf(stream), messageId));
  const message = existing(state.messages, key, 'voicemail message');
  invariant(message.deleted === null, `voicemail message ${key} was deleted before`);
  return message;
};

const callOver = (state: VoicemailState, stream: string, callId: string): void => {
  state.ringing.delete(lineScoped(lineKeyOf(stream), callId));
};

/** The shared voicemail inbox of every line (R14, R17): messages, missed calls, read state, deletions. */
export const voicemailProjection = defineProjectionOf(
  'accounts',
  'lines',
)({
  name: 'voicemail',
  version: 4,
  create: (): VoicemailState => ({
    messages: new Map(),
    messageReuses: new Map(),
    missedCalls: new Map(),
    missedCallReuses: new Map(),
    inboxes: new Map(),
    ringing: new Map(),
    lineNames: new Map(),
  }),
  handlers: {
    ...accountEventsNamingLines<VoicemailState>(),
    IncomingCallReceived: (state, { stream, event: { data } }) => {
      const line = lineKeyOf(stream);
      state.ringing.set(lineScoped(line, data.callId), {
        from: data.from,
        at: data.at,
        lineName: lineNameOf(state.lineNames, line),
        owner: data.owner,
      });
    },
    CallSentToVoicemail: (state, { stream, event: { data } }) => {
      const line = lineKeyOf(stream);
      const address = lineScoped(line, data.callId);
      const ringing = existing(state.ringing, address, 'ringing call');
      const key = nextKey(state.missedCalls, state.missedCallReuses, address);
      state.missedCalls.set(key, {
        callId: data.callId,
        line,
        lineName: ringing.lineName,
        owner: ringing.owner,
        from: ringing.from,
        receivedAt: ringing.at,
        at: data.at,
        reason: data.reason,
        missedBy: data.missedBy,
      });
      inboxOf(state, line).missedCalls.push(key);
      state.ringing.delete(address);
    },
    CallAnswered: (state, { stream, event: { data } }) => callOver(state, stream, data.callId),
    CallEnded: (state, { stream, event: { data } }) => callOver(state, stream, data.callId),
    VoicemailLeft: (state, { stream, event: { data } }) => {
      const line = lineKeyOf(stream);
      // A line that reuses a message id replaces the message its inbox addresses by that id.
      const key = nextKey(state.messages, state.messageReuses, lineScoped(line, data.messageId));
      state.messages.set(key, {
        messageId: data.messageId,
        line,
        lineName: lineNameOf(state.lineNames, line),
        owner: data.owner,
        callId: data.callId,
        from: data.from,
        at: data.at,
        read: false,
        readBy: NONE,
        deleted: null,
      });
      inboxOf(state, line).messages.push(key);
    },
    VoicemailRead: (state, { stream, event: { data } }) => {
      const message = liveMessage(state, stream, data.messageId);
      message.read = true;
      message.readBy = appended(message.readBy, { by: data.by, onBehalfOf: data.onBehalfOf, at: data.at });
    },
    VoicemailDeleted: (state, { stream, event: { data } }) => {
      liveMessage(state, stream, data.messageId).deleted = {
        by: data.by,
        onBehalfOf: data.onBehalfOf,
        at: data.at,
      };
    },
    CallPlacedOnSharedLine: IRRELEVANT,
    CallAnsweredByExternalParty: IRRELEVANT,
    CallRang: IRRELEVANT,
    CallDeclined: IRRELEVANT,
    CallHeld: IRRELEVANT,
    CallResumed: IRRELEVANT,
    HeldCallPickedUp: IRRELEVANT,
    CallPrivacyLockChanged: IRRELEVANT,
    CallTransferRequested: IRRELEVANT,
    CallTransferred: IRRELEVANT,
    CallTransferRecalled: IRRELEVANT,
    CallJoined: IRRELEVANT,
    CallsMerged: IRRELEVANT,
    CallLeft: IRRELEVANT,
    RecordingStarted: IRRELEVANT,
    RecordingStopped: IRRELEVANT,
  },
});
