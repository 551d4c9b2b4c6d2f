import { ACCOUNT_EVENTS_IRRELEVANT, type ProjectedEvent } from './catalogue.js';
import { defineProjection, existing, invariant, IRRELEVANT } from '../engine/projection.js';
import { lineKeyOf } from './line-key.js';

interface Act {
  readonly by: string;
  readonly onBehalfOf: string | null;
  readonly at: string;
}

export interface VoicemailMessage {
  messageId: string;
  line: string;
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
  from: string;
  receivedAt: string;
  at: string;
  reason: string;
  missedBy: string[];
}

type VoicemailState = {
  messages: Map<string, VoicemailMessage>;
  missedCalls: Map<string, MissedCallEntry>;
  /** Per line: message ids and missed-call ids, oldest first. */
  inboxes: Map<string, { messages: string[]; missedCalls: string[] }>;
  /** Caller and arrival of incoming calls still ringing, for their missed-call entry. */
  ringing: Map<string, { from: string; at: string }>;
};

const inboxOf = (state: VoicemailState, line: string): { messages: string[]; missedCalls: string[] } => {
  let inbox = state.inboxes.get(line);
  if (!inbox) {
    inbox = { messages: [], missedCalls: [] };
    state.inboxes.set(line, inbox);
  }
  return inbox;
};

const liveMessage = (state: VoicemailState, messageId: string): VoicemailMessage => {
  const message = existing(state.messages, messageId, 'voicemail message');
  invariant(message.deleted === null, `voicemail message ${messageId} was deleted before`);
  return message;
};

const callOver = (state: VoicemailState, callId: string): void => {
  state.ringing.delete(callId);
};

/** The shared voicemail inbox of every line (R14, R17): messages, missed calls, read state, deletions. */
export const voicemailProjection = defineProjection<ProjectedEvent>()({
  name: 'voicemail',
  version: 1,
  create: (): VoicemailState => ({
    messages: new Map(),
    missedCalls: new Map(),
    inboxes: new Map(),
    ringing: new Map(),
  }),
  handlers: {
    ...ACCOUNT_EVENTS_IRRELEVANT,
    IncomingCallReceived: (state, { event: { data } }) => {
      state.ringing.set(data.callId, { from: data.from, at: data.at });
    },
    CallSentToVoicemail: (state, { stream, event: { data } }) => {
      const ringing = existing(state.ringing, data.callId, 'ringing call');
      const line = lineKeyOf(stream);
      state.missedCalls.set(data.callId, {
        callId: data.callId,
        line,
        from: ringing.from,
        receivedAt: ringing.at,
        at: data.at,
        reason: data.reason,
        missedBy: data.missedBy,
      });
      inboxOf(state, line).missedCalls.push(data.callId);
      callOver(state, data.callId);
    },
    CallAnswered: (state, { event: { data } }) => callOver(state, data.callId),
    CallEnded: (state, { event: { data } }) => callOver(state, data.callId),
    VoicemailLeft: (state, { stream, event: { data } }) => {
      invariant(!state.messages.has(data.messageId), `voicemail message ${data.messageId} left twice`);
      const line = lineKeyOf(stream);
      state.messages.set(data.messageId, {
        messageId: data.messageId,
        line,
        callId: data.callId,
        from: data.from,
        at: data.at,
        read: false,
        readBy: [],
        deleted: null,
      });
      inboxOf(state, line).messages.push(data.messageId);
    },
    VoicemailRead: (state, { event: { data } }) => {
      const message = liveMessage(state, data.messageId);
      message.read = true;
      message.readBy.push({ by: data.by, onBehalfOf: data.onBehalfOf, at: data.at });
    },
    VoicemailDeleted: (state, { event: { data } }) => {
      liveMessage(state, data.messageId).deleted = { by: data.by, onBehalfOf: data.onBehalfOf, at: data.at };
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
