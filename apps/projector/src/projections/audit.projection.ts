import { ACCOUNT_EVENTS_IRRELEVANT, type ProjectedEvent } from './catalogue.js';
import type { LineEvent } from '#events';
import type { StoredEvent } from '#eventstore';
import { defineProjection, existing, type Handler } from '../engine/projection.js';

/** One step of a call's timeline, with everything an auditor asks of it (SPEC's auditors). */
export interface AuditEntry {
  readonly eventId: string;
  readonly type: string;
  readonly stream: string;
  readonly revision: string;
  readonly position: string;
  readonly actor: string;
  readonly onBehalfOf: string | null;
  readonly permission: string | null;
  readonly simulatedTime: string;
  readonly recordedAt: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly commandId: string;
  readonly data: object;
}

type AuditState = {
  trails: Map<string, AuditEntry[]>;
  /** Voicemail events name the message, not the call: this maps them back to their call. */
  messageCalls: Map<string, string>;
};

const entryOf = (stored: StoredEvent): AuditEntry => ({
  eventId: stored.id,
  type: stored.event.type,
  stream: stored.stream,
  revision: String(stored.revision),
  position: String(stored.position),
  actor: stored.metadata.actor,
  onBehalfOf: stored.metadata.onBehalfOf,
  permission: stored.metadata.permission,
  simulatedTime: stored.metadata.simulatedTime,
  recordedAt: stored.created.toISOString(),
  correlationId: stored.metadata.$correlationId,
  causationId: stored.metadata.$causationId,
  commandId: stored.metadata.commandId,
  data: stored.event.data,
});

const record = (state: AuditState, callId: string, stored: StoredEvent): void => {
  const trail = state.trails.get(callId);
  if (trail) trail.push(entryOf(stored));
  else state.trails.set(callId, [entryOf(stored)]);
};

const byCall: Handler<AuditState, LineEvent & { data: { callId: string } }> = (state, stored) =>
  record(state, stored.event.data.callId, stored);

const byMessage: Handler<AuditState, LineEvent & { data: { messageId: string } }> = (state, stored) =>
  record(state, existing(state.messageCalls, stored.event.data.messageId, 'voicemail message'), stored);

/** Every event of every call, in log order, as the audit trail of that call. */
export const auditProjection = defineProjection<ProjectedEvent>()({
  name: 'audit',
  version: 1,
  create: (): AuditState => ({ trails: new Map(), messageCalls: new Map() }),
  handlers: {
    ...ACCOUNT_EVENTS_IRRELEVANT,
    CallPlacedOnSharedLine: byCall,
    CallAnsweredByExternalParty: byCall,
    IncomingCallReceived: byCall,
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
      state.messageCalls.set(stored.event.data.messageId, stored.event.data.callId);
      record(state, stored.event.data.callId, stored);
    },
    VoicemailRead: byMessage,
    VoicemailDeleted: byMessage,
  },
});
