import type { DomainEvent } from './event.js';
import type { Upcaster, Upcasters } from './schemas.js';

/**
 * Events of a shared line (stream `line-<accountId>.<number>`): every call's life on the line, its
 * shared voicemail inbox (R17) and its recordings (R18). Case names and field names are the storage
 * format: never rename one, add a new version with an upcaster instead (see lineEventUpcasters).
 *
 * Conventions shared by every event:
 * - `at` is the simulated time of the decision (R21), so a read model needs no metadata to order a
 *   call's timeline.
 * - `by` is the party id that acted; `onBehalfOf` is the delegator's party id when `by` is a
 *   delegate, `null` when the delegator (or nobody on the line side) acted. History labels
 *   ("placed by X", "answered by Y", "picked up by Z", "transferred by …", R17) read straight off them.
 * - `permission` names the delegation permission a delegate exercised (R6), `null` for the delegator,
 *   who needs none on its own line. The API copies it into the event metadata.
 */

export type LinePermissionUsed = 'placeCalls' | 'answerCalls' | 'pickUpHeldCalls' | 'joinAndMerge';

/** Caller ID shown to the called party (R11): the shared number and the delegator's name. */
export interface CallerIdShown {
  readonly number: string;
  readonly name: string;
}

/**
 * Why a party is not eligible for delegation at all (R1–R5): the account side refuses with these
 * codes, and routing records them as the reason a delegate was not alerted.
 */
export const INELIGIBILITY_REASONS = [
  'ACCOUNT_NOT_FOUND',
  'PARTY_NOT_FOUND',
  'NO_CALLING_PLAN',
  'DELEGATION_DISABLED_FOR_ACCOUNT',
  'DELEGATION_DISABLED_FOR_USER',
  'ASSISTANT_DISABLED',
  'DESKTOP_CLIENT_MISSING',
  'DESKTOP_CLIENT_UNSUPPORTED',
  'DESKTOP_CLIENT_OUTDATED',
  'POWER_PACK_REQUIRED',
  'DELEGATION_NOT_FOUND',
  'INVITATION_PENDING',
  'PERMISSION_REQUIRED',
  // No longer given (ASSISTANT_NOT_AVAILABLE became NOT_A_PHONE_USER, PERMISSION_NOT_GRANTED became
  // PERMISSION_REQUIRED), but recorded in logs written before: events are never rewritten.
  'ASSISTANT_NOT_AVAILABLE',
  'PERMISSION_NOT_GRANTED',
  'NOT_A_PHONE_USER',
] as const;
export type IneligibilityReason = (typeof INELIGIBILITY_REASONS)[number];

export const isIneligibilityReason = (code: string): code is IneligibilityReason =>
  (INELIGIBILITY_REASONS as readonly string[]).includes(code);

/**
 * Every reason a ring decision can record (UPPER_SNAKE, stable): the router's own (R13, R19) and a
 * party's ineligibility. The event's data schema allows these only, so no spec, workload or client
 * can feed the read side a decision the router cannot make.
 */
export const RING_DECISION_REASONS = [
  'LINE_OWNER',
  'ALERTED',
  'VIP_DELEGATOR_FIRST',
  'DELEGATION_NOT_ACTIVE',
  'ANSWER_CALLS_NOT_GRANTED',
  'OPTED_OUT',
  'VIP_ONLY_NON_VIP_CALLER',
  'VIP_DELEGATOR_ONLY',
  'VIP_DELAY_EXCEEDS_RING_TIMEOUT',
  'OUTSIDE_OWN_HOURS',
  'OUTSIDE_BUSINESS_HOURS',
  ...INELIGIBILITY_REASONS,
] as const;
export type RingDecisionReason = (typeof RING_DECISION_REASONS)[number];

/**
 * One party's ring decision for an incoming call (R13, R19), recorded so history and diagnostics
 * (R20) can say why a party was or was not alerted. `afterSeconds` > 0 means "alerted later" (VIP
 * delegatorFirst escalation).
 */
export interface RingDecisionRecord {
  readonly partyId: string;
  readonly role: 'delegator' | 'delegate';
  readonly rings: boolean;
  readonly afterSeconds: number;
  readonly rule: `R${number}`;
  readonly reason: RingDecisionReason;
  readonly message: string;
}

// ── Outgoing calls (R11, R12) ────────────────────────────────────────────────────────────────────

export type CallPlacedOnSharedLine = DomainEvent<
  'CallPlacedOnSharedLine',
  {
    callId: string;
    line: string;
    to: string;
    placedBy: string;
    onBehalfOf: string | null;
    permission: LinePermissionUsed | null;
    callerId: CallerIdShown;
    at: string;
    /**
     * The party whose direct number the line was when this happened (R10, R17): the call and its
     * voicemail stay that party's when the number passes to another. `null` in events recorded before
     * owners were (v1, upcast): such a call is the line's current owner's.
     */
    owner: string | null;
  }
>;

export type CallAnsweredByExternalParty = DomainEvent<
  'CallAnsweredByExternalParty',
  { callId: string; at: string }
>;

// ── Incoming calls, ringing and answering (R13, R14, R19) ────────────────────────────────────────

export type IncomingCallReceived = DomainEvent<
  'IncomingCallReceived',
  {
    callId: string;
    line: string;
    from: string;
    vip: boolean;
    at: string;
    /**
     * The party whose direct number the line was when this happened (R10, R17): the call and its
     * voicemail stay that party's when the number passes to another. `null` in events recorded before
     * owners were (v1, upcast): such a call is the line's current owner's.
     */
    owner: string | null;
  }
>;

export type CallRang = DomainEvent<
  'CallRang',
  {
    callId: string;
    /** `initial` when the call arrives, `vipEscalation` when delegatorFirst adds the delegates. */
    stage: 'initial' | 'vipEscalation';
    /** Parties whose ring leg starts with this event. */
    alerted: string[];
    /** The whole routing matrix at this moment, including who was not alerted and why. */
    decisions: RingDecisionRecord[];
    /** When the call goes to voicemail if nobody answers (R14), counted from the call's arrival. */
    ringTimeoutAt: string;
    /** When delegates waiting for VIP delegatorFirst are alerted, if any are waiting. */
    escalationAt: string | null;
    at: string;
  }
>;

export type CallDeclined = DomainEvent<
  'CallDeclined',
  { callId: string; by: string; onBehalfOf: string | null; at: string }
>;

export type CallAnswered = DomainEvent<
  'CallAnswered',
  {
    callId: string;
    by: string;
    onBehalfOf: string | null;
    permission: LinePermissionUsed | null;
    /** The other parties still ringing, whose legs end because this answer won (R13). */
    ringLegsEnded: string[];
    at: string;
  }
>;

/** The call leaves the line for the shared voicemail inbox: this is the missed-call entry (R14). */
export type CallSentToVoicemail = DomainEvent<
  'CallSentToVoicemail',
  {
    callId: string;
    reason: 'ringTimeout' | 'allDeclined' | 'lineBusy';
    /** Every party that was alerted and did not answer. */
    missedBy: string[];
    ringLegsEnded: string[];
    at: string;
  }
>;

// ── Hold, pick up, privacy (R15) ─────────────────────────────────────────────────────────────────

export type CallHeld = DomainEvent<
  'CallHeld',
  { callId: string; by: string; onBehalfOf: string | null; privacyLocked: boolean; at: string }
>;

export type CallResumed = DomainEvent<'CallResumed', { callId: string; by: string; at: string }>;

export type HeldCallPickedUp = DomainEvent<
  'HeldCallPickedUp',
  {
    callId: string;
    by: string;
    onBehalfOf: string | null;
    permission: LinePermissionUsed | null;
    heldBy: string;
    at: string;
  }
>;

export type CallPrivacyLockChanged = DomainEvent<
  'CallPrivacyLockChanged',
  { callId: string; by: string; locked: boolean; at: string }
>;

// ── Transfer, join, merge (R16) ──────────────────────────────────────────────────────────────────

export type CallTransferRequested = DomainEvent<
  'CallTransferRequested',
  {
    callId: string;
    /** 1 for the call's first transfer, 2 for the next …: tells a recall timer which transfer it is for. */
    attempt: number;
    by: string;
    onBehalfOf: string | null;
    to: string;
    /** When the transfer returns to `by` if `to` does not answer (R16). */
    recallAt: string;
    at: string;
  }
>;

export type CallTransferred = DomainEvent<
  'CallTransferred',
  {
    callId: string;
    attempt: number;
    /** The transfer target, who answered. */
    by: string;
    onBehalfOf: string | null;
    permission: LinePermissionUsed | null;
    transferredBy: string;
    at: string;
  }
>;

export type CallTransferRecalled = DomainEvent<
  'CallTransferRecalled',
  {
    callId: string;
    attempt: number;
    /** The party the call returns to (who requested the transfer). */
    to: string;
    target: string;
    /** `targetNotAllowed`: the account changed so that the target may no longer take the transfer (R16). */
    reason: 'timeout' | 'declined' | 'targetNotAllowed';
    at: string;
  }
>;

export type CallJoined = DomainEvent<
  'CallJoined',
  {
    callId: string;
    by: string;
    onBehalfOf: string | null;
    permission: LinePermissionUsed | null;
    at: string;
  }
>;

/**
 * A held call brought back as a conference of its holder and the merging party (R16). A line
 * carries one call at a time, so "merge" cannot join two calls of the same line: it is the
 * hold → consult → merge flow, where the merging party adds itself and the holder to the held call.
 */
export type CallsMerged = DomainEvent<
  'CallsMerged',
  {
    callId: string;
    by: string;
    onBehalfOf: string | null;
    permission: LinePermissionUsed | null;
    heldBy: string;
    participants: string[];
    at: string;
  }
>;

// ── Leaving and ending ───────────────────────────────────────────────────────────────────────────

/** A line-side party hangs up while others stay on the call (after a join or merge). */
export type CallLeft = DomainEvent<'CallLeft', { callId: string; by: string; at: string }>;

export type CallEnded = DomainEvent<
  'CallEnded',
  {
    callId: string;
    /** The line-side party that hung up, `null` when the external party did. */
    by: string | null;
    reason: 'hungUp' | 'externalHungUp' | 'callerAbandoned';
    /** For a caller who gave up while ringing: who was alerted and missed it. */
    missedBy: string[];
    ringLegsEnded: string[];
    at: string;
  }
>;

// ── Recordings (R18) ─────────────────────────────────────────────────────────────────────────────

export type RecordingStarted = DomainEvent<
  'RecordingStarted',
  { callId: string; recordingId: string; by: string; at: string }
>;

export type RecordingStopped = DomainEvent<
  'RecordingStopped',
  {
    callId: string;
    recordingId: string;
    /** The recording's owner: only it may see the recording (R18). */
    owner: string;
    reason: 'stoppedByOwner' | 'ownerLeftCall' | 'callEnded';
    at: string;
  }
>;

// ── Shared voicemail inbox (R14, R17) ────────────────────────────────────────────────────────────

export type VoicemailLeft = DomainEvent<
  'VoicemailLeft',
  {
    messageId: string;
    callId: string;
    from: string;
    at: string;
    /**
     * The party whose inbox the message is in (R17): the line's owner when the call arrived, also
     * after the number passes to another party. `null` for a message recorded before owners were (v1,
     * upcast, or left by a call that started then): it is in the line's current owner's inbox.
     */
    owner: string | null;
  }
>;

export type VoicemailRead = DomainEvent<
  'VoicemailRead',
  { messageId: string; by: string; onBehalfOf: string | null; at: string }
>;

export type VoicemailDeleted = DomainEvent<
  'VoicemailDeleted',
  { messageId: string; by: string; onBehalfOf: string | null; at: string }
>;

export type LineEvent =
  | CallPlacedOnSharedLine
  | CallAnsweredByExternalParty
  | IncomingCallReceived
  | CallRang
  | CallDeclined
  | CallAnswered
  | CallSentToVoicemail
  | CallHeld
  | CallResumed
  | HeldCallPickedUp
  | CallPrivacyLockChanged
  | CallTransferRequested
  | CallTransferred
  | CallTransferRecalled
  | CallJoined
  | CallsMerged
  | CallLeft
  | CallEnded
  | RecordingStarted
  | RecordingStopped
  | VoicemailLeft
  | VoicemailRead
  | VoicemailDeleted;

export const lineEventSchemaVersions: Record<LineEvent['type'], number> = {
  CallPlacedOnSharedLine: 2,
  CallAnsweredByExternalParty: 1,
  IncomingCallReceived: 2,
  CallRang: 1,
  CallDeclined: 1,
  CallAnswered: 1,
  CallSentToVoicemail: 1,
  CallHeld: 1,
  CallResumed: 1,
  HeldCallPickedUp: 1,
  CallPrivacyLockChanged: 1,
  CallTransferRequested: 1,
  CallTransferred: 1,
  CallTransferRecalled: 1,
  CallJoined: 1,
  CallsMerged: 1,
  CallLeft: 1,
  CallEnded: 1,
  RecordingStarted: 1,
  RecordingStopped: 1,
  VoicemailLeft: 2,
  VoicemailRead: 1,
  VoicemailDeleted: 1,
};

/**
 * v1 → v2 of the events that start a call or leave a message: v2 records the line's `owner`. A v1
 * event was written before owners were, so its owner is unknown (`null`), which readers take as the
 * line's current owner's. Builds before v2 existed wrote some v1 events with the owner already in
 * them (an optional field then): that owner is kept.
 */
const ownerNotRecorded: Upcaster = (data) => ({ ...data, owner: data.owner ?? null });

/** By type, the upcaster from each older schema version to the next (see EventSchemaRegistry). */
export const lineEventUpcasters: Upcasters<LineEvent['type']> = {
  CallPlacedOnSharedLine: { 1: ownerNotRecorded },
  IncomingCallReceived: { 1: ownerNotRecorded },
  VoicemailLeft: { 1: ownerNotRecorded },
};
