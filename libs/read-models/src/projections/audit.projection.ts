import { defineProjectionOf } from './catalogue.js';
import { lineKeyOf, type LineEvent } from '#events';
import type { StoredEvent } from '#eventstore';
import { appended, existing, type Handler } from '../engine/projection.js';
import { callRowKey, latestCallKey, lineScoped } from './line-key.js';

/**
 * Every event of a call lives in its line's stream, so a trail is kept as the stream revisions of its
 * events, in log order; the entries an auditor reads (actor, on-behalf-of, permission, times, ids,
 * data) are read back from the store on request (queries/audit-trail.ts). Keeping each event's
 * metadata and data here instead took most of the projector's heap: a trail is about an event per
 * step, read a handful of times, while a replay carries millions of steps.
 */
type AuditState = {
  /** Keyed as the calls projection keys its rows (callRowKey): revisions in the stream `line-<line>`. */
  trails: Map<string, number[]>;
  /** For the few ids an old log reused on a line: the key of the latest call by it. */
  reusedCallIds: Map<string, string>;
  /** Key `<line>/<messageId>`: voicemail events name the message, not the call; this maps them back. */
  messageCalls: Map<string, string>;
};

/** Trails grow by exact-length copies: one per call, most a handful of entries (see NONE). */
const record = (state: AuditState, key: string, stored: StoredEvent): void => {
  state.trails.set(key, appended(existing(state.trails, key, 'call'), Number(stored.revision)));
};

const byCall: Handler<AuditState, LineEvent & { data: { callId: string } }> = (state, stored) => {
  const key = latestCallKey(
    state.reusedCallIds,
    lineScoped(lineKeyOf(stored.stream), stored.event.data.callId),
  );
  record(state, key, stored);
};

/** A call's first event (an old log may reuse the id of a call that is over: see callRowKey). */
const callStarted: Handler<AuditState, LineEvent & { data: { callId: string } }> = (state, stored) => {
  const key = callRowKey(
    state.trails,
    state.reusedCallIds,
    lineScoped(lineKeyOf(stored.stream), stored.event.data.callId),
    stored.revision,
  );
  state.trails.set(key, [Number(stored.revision)]);
};

const byMessage: Handler<AuditState, LineEvent & { data: { messageId: string } }> = (state, stored) => {
  const key = existing(
    state.messageCalls,
    lineScoped(lineKeyOf(stored.stream), stored.event.data.messageId),
    'voicemail message',
  );
  record(state, key, stored);
};

/** Every event of every call, in log order, as the audit trail of that call. */
export const auditProjection = defineProjectionOf('lines')({
  name: 'audit',
  version: 3,
  create: (): AuditState => ({ trails: new Map(), reusedCallIds: new Map(), messageCalls: new Map() }),
  handlers: {
    CallPlacedOnSharedLine: callStarted,
    CallAnsweredByExternalParty: byCall,
    IncomingCallReceived: callStarted,
    CallRang: byCall,
    CallDeclined: byCall,
    CallAnswered: byCall,
    CallSentToVoicemail: byCall,
    CallHeld: byCall,
    CallResumed: byCall,
    HeldCallPickedUp: byCall,
    CallPrivacyLockChanged: byCall,
    CallTransferRequested: byCall,
    CallTransferred: byCall,
    CallTransferRecalled: byCall,
    CallJoined: byCall,
    CallsMerged: byCall,
    CallLeft: byCall,
    CallEnded: byCall,
    RecordingStarted: byCall,
    RecordingStopped: byCall,
    VoicemailLeft: (state, stored) => {
      const line = lineKeyOf(stored.stream);
      const key = latestCallKey(state.reusedCallIds, lineScoped(line, stored.event.data.callId));
      // A line that reuses a message id addresses the latest message by it, as the line decider does.
      state.messageCalls.set(lineScoped(line, stored.event.data.messageId), key);
      record(state, key, stored);
    },
    VoicemailRead: byMessage,
    VoicemailDeleted: byMessage,
  },
});
