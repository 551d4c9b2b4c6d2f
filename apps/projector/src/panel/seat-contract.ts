/**
 * The JSON the web app (apps/web) reads from the projector's /panel routes. Types only, importing
 * only the read models' types-only module, so the browser bundle and the projector share one contract
 * without sharing server code: a lamp or a speed-dial key is the shape the read model answers.
 */

import type { LampState, SpeedDialTarget } from '../../../../libs/read-models/src/queries/view-types.js';

export type { SpeedDialTarget };

/** A line's busy lamp as the viewer sees it (R11, R12): the read model's own. */
export type Lamp = LampState;

/** An R20 answer to "can the viewer do this on this line now?", in the rule's own sentence. */
export interface Availability {
  readonly allowed: boolean;
  readonly rule: string | null;
  readonly code?: string;
  /** The diagnosis in a sentence: whether the viewer can, and if not, why. */
  readonly sentence: string;
  /** Refused, the sentence the api refuses the command with (the diagnosis's failing step). */
  readonly reason?: string;
}

export type DiagnosedAction = 'answer' | 'pickUp' | 'placeCall' | 'join' | 'merge';

/**
 * What a party does on the call in progress, each diagnosed by the decider's own steps for its command
 * (R20): decline a ring, hold (`holdLocked`: locked for privacy), resume, lock or unlock (the same
 * steps), transfer (before a target is chosen: `transferTargets` lists those the api takes), start a
 * recording, hang up.
 */
export type DiagnosedCallAction =
  'decline' | 'hold' | 'holdLocked' | 'resume' | 'privacyLock' | 'transfer' | 'record' | 'hangUp';

/**
 * The other end of a call, outside the account, which the page plays as it plays a caller: what it may
 * do on the call (R20, the line decider's own steps).
 */
export interface SeatOtherEnd {
  /** The call it is the other end of. */
  readonly callId: string;
  /** E.164, with its `+`. */
  readonly number: string;
  /** Answering a call a party placed, while it dials (R12). */
  readonly answer: Availability;
  /** Hanging up (R14). */
  readonly hangUp: Availability;
}

export interface Act {
  readonly by: string;
  readonly byName: string | null;
  readonly at: string;
}

export interface SeatVoicemail {
  readonly messageId: string;
  readonly callId: string;
  /** R23: the line's name when the message was left. */
  readonly lineName: string | null;
  readonly from: string;
  readonly at: string;
  readonly read: boolean;
  readonly readBy: readonly Act[];
  readonly deleted: Act | null;
}

/** What the viewer does with a message in the line's shared inbox (R17): mark it read, or delete it. */
export type VoicemailAction = 'read' | 'delete';

/** A message still in the inbox, and whether the viewer may read or delete it (R20, the decider's steps). */
export interface SeatInboxMessage extends SeatVoicemail {
  readonly can: Readonly<Record<VoicemailAction, Availability>>;
}

export interface SeatMissedCall {
  readonly callId: string;
  /** R23: the line's name when the call arrived. */
  readonly lineName: string | null;
  readonly from: string;
  readonly receivedAt: string;
  readonly reason: string;
}

export interface SeatHistoryEntry {
  readonly callId: string;
  /** R23: the name the line had when the call was placed or arrived. */
  readonly lineName: string | null;
  readonly direction: string;
  readonly external: string;
  readonly status: string;
  readonly result: string | null;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly durationSeconds: number | null;
  readonly labels: readonly string[];
}

export interface SeatRecording {
  readonly recordingId: string;
  readonly callId: string;
  readonly startedAt: string;
  /** Whether the viewer may stop it (R18, R20: the decider's steps for stopping it). */
  readonly stop: Availability;
}

export interface SeatParty {
  readonly partyId: string;
  readonly name: string;
}

export interface SeatLine {
  /** E.164, with its `+`. */
  readonly number: string;
  /** R23: the name the delegator gave the number, `null` when unnamed. */
  readonly name: string | null;
  /** R11: "My number …" for the delegator, "<delegator> · …" for a delegate; R23: the name before the number. */
  readonly label: string;
  readonly role: 'delegator' | 'delegate';
  readonly owner: SeatParty;
  /** What the viewer may do on the line: every permission for the delegator, the delegation's for a delegate. */
  readonly permissions: readonly string[];
  readonly lamp: Lamp;
  readonly availability: Readonly<Record<DiagnosedAction, Availability>>;
  /**
   * What the viewer may do on the line's call (R20), each in the rule's sentence; `null` when no call of
   * the line's is on it (idle, or a call of the number's previous owner).
   */
  readonly callAvailability: Readonly<Record<DiagnosedCallAction, Availability>> | null;
  /** The other end of the line's call; `null` as `callAvailability` is. */
  readonly otherEnd: SeatOtherEnd | null;
  /** Who a call on this line can be transferred to (R16): the delegator and its active delegates on it. */
  readonly transferTargets: readonly SeatParty[];
  /** The viewer's own recordings running on this line's call (R18). */
  readonly recordings: readonly SeatRecording[];
  readonly voicemail: {
    readonly unread: number;
    readonly messages: readonly SeatInboxMessage[];
    readonly deleted: readonly SeatVoicemail[];
    readonly missedCalls: readonly SeatMissedCall[];
  };
  /** The line's latest calls, newest first: at most a page of them (the line's own history has them all). */
  readonly history: readonly SeatHistoryEntry[];
  /** How many calls the line's history holds, `history` listing the latest. */
  readonly historyCalls: number;
}

/**
 * R10: a call the viewer is on whose number an admin handed to another party (or took from its owner)
 * while the call was on it. The number is no longer among the viewer's lines, but the call is still its
 * owner's: the seat winds it down from here until it ends, and starts nothing on the number.
 */
export interface SeatHandedCall {
  /** E.164, with its `+`. */
  readonly number: string;
  readonly callId: string;
  /** Whose call it is: the number's owner when it started. */
  readonly callOwner: SeatParty;
  /** Who owns the number now; `null` when nobody does. */
  readonly handedTo: SeatParty | null;
  /** Busy or held, as the viewer, being on it, sees it. */
  readonly lamp: Lamp;
  /** The other end of the call. */
  readonly otherEnd: SeatOtherEnd;
  /**
   * What the viewer may do on the call (R20), as the line decider lets a party on a previous owner's
   * call: hang up, hold, resume its own hold, record and (the call's owner) lock it; nothing else.
   */
  readonly callAvailability: Readonly<Record<DiagnosedCallAction, Availability>>;
  /** R20 on the number for what the viewer may not do from here (nothing new starts on it). */
  readonly availability: Readonly<Record<DiagnosedAction, Availability>>;
  /** The viewer's own recordings running on the call (R18). */
  readonly recordings: readonly SeatRecording[];
}

export interface SeatSpeedDial {
  readonly entryId: string;
  readonly label: string;
  readonly number: string;
  readonly position: number;
  readonly target: SpeedDialTarget;
}

/** R22: a speed-dial list the viewer may press and edit: its own, or a delegator's with manageSpeedDials. */
export interface SeatSpeedDialList {
  readonly owner: SeatParty;
  readonly maxSpeedDials: number;
  readonly entries: readonly SeatSpeedDial[];
}

export interface SeatDelegation {
  readonly delegationId: string;
  readonly other: SeatParty;
  readonly status: string;
  readonly statusSince: string;
  readonly permissions: readonly string[];
  readonly sharedLines: readonly string[];
  readonly optedIn: boolean;
  /**
   * Whether the viewer may opt in or out of ringing for it (R6, R13; R20: the decider's steps), on a
   * delegation the viewer is the delegate of; `null` on one it is the delegator of, and on one that is
   * over (declined or revoked: R7's history), which has no ringing to opt in or out of.
   */
  readonly optInOut: Availability | null;
  /**
   * R7: a pending invitation that may not be accepted now (so admin-enforced activation left it
   * pending): the code, rule and sentence accepting it would be refused with; null otherwise.
   */
  readonly activationRefused: {
    readonly code: string;
    readonly rule: string;
    readonly message: string;
  } | null;
}

export interface Seat {
  readonly position: string;
  readonly account: { readonly accountId: string; readonly name: string };
  readonly viewer: SeatParty;
  /** The time the api decides commands at (R21), and whether it is the virtual clock's. */
  readonly clock: { readonly mode: 'virtual' | 'realtime'; readonly now: string };
  readonly lines: readonly SeatLine[];
  /** R10: calls the viewer is on, on numbers no longer their owner's, until each ends. */
  readonly handedCalls: readonly SeatHandedCall[];
  /** R22: the viewer's own keys first, then those of delegators who let it manage theirs. */
  readonly speedDials: readonly SeatSpeedDialList[];
  /** The viewer's delegates (it is their delegator) and its delegators (it is their delegate). */
  readonly delegates: readonly SeatDelegation[];
  readonly delegators: readonly SeatDelegation[];
}

export interface Directory {
  readonly accounts: readonly {
    readonly accountId: string;
    readonly name: string;
    readonly parties: readonly (SeatParty & { readonly kind: string; readonly lines: number })[];
  }[];
}

/** One of an account's events in `$all`, as a time-travel step. */
export interface Step {
  readonly position: string;
  readonly type: string;
  readonly stream: string;
}

/**
 * Whether the api answers where the projector forwards the page's commands (/panel/api-status): a
 * command refused because it did not is then worth sending again.
 */
export interface ApiStatus {
  readonly answering: boolean;
}

/**
 * The api's pending timers (/panel/timers), for the page's "To the next timer": ring timeouts, VIP
 * escalations, transfer recalls, soonest first. `answering` false when the projector could not ask the
 * api: the timers are then unknown, not none.
 */
export interface PendingTimers {
  readonly answering: boolean;
  readonly pendingTimers: readonly { readonly key: string; readonly dueAt: string }[];
}

/** Where one step of time travel goes from a view as of a position (/panel/steps). */
/**
 * Where the seats of some viewers start (/panel/seats-start): no view before it shows them all.
 */
export interface SeatsStart {
  /** The $all position of the account's event that made the last of them a party. */
  readonly position: string;
  /**
   * The earliest `asOfTime` whose view shows that event; null while the projector's log index has not
   * reached it (or the log holds no simulated time up to it).
   */
  readonly time: string | null;
}

export interface Steps {
  /** The last of the account's events the view shows; null before the first. */
  readonly current: Step | null;
  /**
   * The position one step back shows the view as of; null when there is no earlier event, or (asked
   * with `viewers`) when the view shows the event that made the last of them a party: no view before
   * it shows their seats.
   */
  readonly back: string | null;
  /** The account's next event: one step forward shows the view as of it; null when the view is the latest. */
  readonly forward: Step | null;
}

/** The body of a refused /panel request (unknown account or viewer): a reason code and a sentence. */
export interface PanelError {
  readonly code: string;
  readonly message: string;
}
