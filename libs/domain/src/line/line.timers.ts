import type { LineEvent } from '#events';
import type { LineCommand } from './line.commands.js';
import type { LineState } from './line.state.js';

/**
 * Timers as data (R21). The line's state says which timers are pending; a process manager
 * re-reads them after each append, puts them on the clock port (replacing timers with the same key,
 * cancelling ones that vanished) and, when one falls due, sends its `command` to the line, decided at
 * the clock's time then: a virtual clock stands exactly at `dueAt` when it fires the timer, so a
 * replay in virtual time yields the same events, and a timer the line finds fired early is refused
 * (TIMER_NOT_DUE) rather than decided before its time.
 *
 * A timer that lost a race (the call was answered just before its ring timeout fired) is decided
 * as a no-op: the decider returns no events. The race is expected and harmless, so it must not
 * surface as an error or be retried; an empty result appends nothing and is idempotent.
 */
export type LineTimerKind = 'ringTimeout' | 'vipEscalation' | 'transferRecall';

export interface LineTimer {
  /** Unique within the line; prefix with the line's stream name to make it unique on a clock. */
  readonly key: string;
  readonly kind: LineTimerKind;
  readonly callId: string;
  readonly dueAt: string;
  readonly command: LineCommand;
}

export const TIMER_ACTOR = 'system:timers';

/** A timer for the call, keyed by its kind and call unless it needs a key of its own. */
const timerOf = (
  kind: LineTimerKind,
  callId: string,
  dueAt: string,
  command: LineCommand,
  key = `${kind}:${callId}`,
): LineTimer => ({ key, kind, callId, dueAt, command });

/** Every timer the line's current state wants, earliest first. */
export const pendingLineTimers = (state: LineState, actor: string = TIMER_ACTOR): LineTimer[] => {
  const call = state.call;
  if (!call) return [];
  const { callId } = call;
  const timers: LineTimer[] = [];
  if (call.phase === 'ringing' && call.ring) {
    const { ringTimeoutAt, escalationAt } = call.ring;
    timers.push(timerOf('ringTimeout', callId, ringTimeoutAt, { type: 'ExpireRing', callId, actor }));
    if (escalationAt)
      timers.push(timerOf('vipEscalation', callId, escalationAt, { type: 'EscalateVipRing', callId, actor }));
  }
  if (call.phase === 'transferring' && call.transfer) {
    const { attempt, recallAt } = call.transfer;
    const command: LineCommand = { type: 'RecallTransfer', callId, attempt, actor };
    timers.push(timerOf('transferRecall', callId, recallAt, command, `transferRecall:${callId}:${attempt}`));
  }
  return timers.sort(byDueTime);
};

/** The pending timers due at or before `now` (ISO), earliest first: what a virtual clock fires next. */
export const dueLineTimers = (state: LineState, now: string, actor: string = TIMER_ACTOR): LineTimer[] =>
  pendingLineTimers(state, actor).filter((timer) => Date.parse(timer.dueAt) <= Date.parse(now));

/**
 * Whether an event of each line type can change the line's pending timers. Timers read only the call
 * in progress: its id, its phase (ringing or transferring), its ring's due times and its transfer's
 * attempt and recall time (pendingLineTimers). The fold is total, so an event counts here when it
 * can touch any of those in any state, not only in the states the decider emits it in (a merge that
 * ends a ring in someone else's log still clears the ring timeout). The `false` ones never do:
 * a start on an idle line begins a call with no ring yet (the ring's timers come with `CallRang`)
 * and on a busy line changes nothing; a decline leaves the ring's due times; the rest touch the
 * call's parties, recordings and privacy, or the inbox. Keyed by every type, so a new event type
 * must be placed on one side.
 *
 * Whoever follows line events only to keep timers (the api's timer process manager) reads just the
 * `true` ones: most of a busy line's events change no timer.
 */
export const CHANGES_LINE_TIMERS: { readonly [T in LineEvent['type']]: boolean } = {
  CallPlacedOnSharedLine: false,
  CallAnsweredByExternalParty: true,
  IncomingCallReceived: false,
  CallRang: true,
  CallDeclined: false,
  CallAnswered: true,
  CallSentToVoicemail: true,
  CallHeld: true,
  CallResumed: true,
  HeldCallPickedUp: true,
  CallPrivacyLockChanged: false,
  CallTransferRequested: true,
  CallTransferred: true,
  CallTransferRecalled: true,
  CallJoined: false,
  CallsMerged: true,
  CallLeft: false,
  CallEnded: true,
  RecordingStarted: false,
  RecordingStopped: false,
  VoicemailLeft: false,
  VoicemailRead: false,
  VoicemailDeleted: false,
};

/** The line event types that can change a line's pending timers (see CHANGES_LINE_TIMERS). */
export const LINE_TIMER_EVENT_TYPES: readonly LineEvent['type'][] = (
  Object.keys(CHANGES_LINE_TIMERS) as LineEvent['type'][]
).filter((type) => CHANGES_LINE_TIMERS[type]);

// The key breaks ties so the order never depends on how the list was built.
const byDueTime = (a: LineTimer, b: LineTimer): number =>
  Date.parse(a.dueAt) - Date.parse(b.dueAt) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
