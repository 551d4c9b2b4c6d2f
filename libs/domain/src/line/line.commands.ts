/**
 * Commands on a shared line. Every command names its `actor` (a party id; for external parties and
 * timers whatever the caller uses, e.g. `external:+15550100` or `system:timers`); the time it takes
 * effect is the context's `now` (R21). Ids of new things (calls, recordings) come in the command, so
 * deciding never invents one.
 */
interface LineCommandBase<Type extends string> {
  readonly type: Type;
  readonly actor: string;
}

interface OnCall<Type extends string> extends LineCommandBase<Type> {
  readonly callId: string;
}

/** Recordings belong to the party who started them (R18). */
interface OnRecording<Type extends string> extends OnCall<Type> {
  readonly recordingId: string;
}

/** The shared voicemail inbox (R17): a message is named by the id of the call that left it. */
interface OnVoicemail<Type extends string> extends LineCommandBase<Type> {
  readonly messageId: string;
}

/** The delegator, or a delegate with `placeCalls`, calls `to` from the shared line (R11, R12). */
export interface PlaceCallOnSharedLine extends OnCall<'PlaceCallOnSharedLine'> {
  readonly to: string;
}
/** The called external party picks up an outgoing call. */
export type AnswerAsExternalParty = OnCall<'AnswerAsExternalParty'>;
/** The external party hangs up (or, while ringing, gives up). */
export type HangUpAsExternalParty = OnCall<'HangUpAsExternalParty'>;

/** An external number calls the shared line (R13). */
export interface ReceiveIncomingCall extends OnCall<'ReceiveIncomingCall'> {
  readonly from: string;
}
/** Answers a ringing incoming call (R13) or a transfer ringing for the actor (R16). */
export type AnswerCall = OnCall<'AnswerCall'>;
/** Ends the actor's ring leg (R14), or refuses a transfer ringing for the actor (R16). */
export type DeclineCall = OnCall<'DeclineCall'>;

export interface HoldCall extends OnCall<'HoldCall'> {
  /** Hold with the privacy lock on (delegator only): delegates cannot pick it up (R15). */
  readonly privacyLock?: boolean;
}
export type ResumeCall = OnCall<'ResumeCall'>;
export type PickUpHeldCall = OnCall<'PickUpHeldCall'>;
export interface SetCallPrivacyLock extends OnCall<'SetCallPrivacyLock'> {
  readonly locked: boolean;
}

/** Hands the call from the delegator to a delegate or back (R16); the target rings. */
export interface TransferCall extends OnCall<'TransferCall'> {
  readonly to: string;
}
export type JoinCall = OnCall<'JoinCall'>;
export type MergeHeldCall = OnCall<'MergeHeldCall'>;

/** A line-side party on the call hangs up. */
export type HangUp = OnCall<'HangUp'>;

export type StartRecording = OnRecording<'StartRecording'>;
export type StopRecording = OnRecording<'StopRecording'>;

export type ReadVoicemail = OnVoicemail<'ReadVoicemail'>;
export type DeleteVoicemail = OnVoicemail<'DeleteVoicemail'>;

/** Timer (R14): nobody answered within the ring timeout. Issued by a process manager, see line.timers. */
export type ExpireRing = OnCall<'ExpireRing'>;
/** Timer (R19): VIP delegatorFirst delay passed, alert the delegates. */
export type EscalateVipRing = OnCall<'EscalateVipRing'>;
/** Timer (R16): the transfer target did not answer; `attempt` names the transfer it was set for. */
export interface RecallTransfer extends OnCall<'RecallTransfer'> {
  readonly attempt: number;
}
/**
 * R16: the account of the line changed while transfer `attempt` of the call was under way (a
 * delegation revoked, permissions or shared lines changed, a party no longer eligible): may its target
 * still take it? Sent by the api after the account change, never by a client.
 */
export interface RecheckTransferTarget extends OnCall<'RecheckTransferTarget'> {
  readonly attempt: number;
}

export type LineCommand =
  | PlaceCallOnSharedLine
  | AnswerAsExternalParty
  | HangUpAsExternalParty
  | ReceiveIncomingCall
  | AnswerCall
  | DeclineCall
  | HoldCall
  | ResumeCall
  | PickUpHeldCall
  | SetCallPrivacyLock
  | TransferCall
  | JoinCall
  | MergeHeldCall
  | HangUp
  | StartRecording
  | StopRecording
  | ReadVoicemail
  | DeleteVoicemail
  | ExpireRing
  | EscalateVipRing
  | RecallTransfer
  | RecheckTransferTarget;
