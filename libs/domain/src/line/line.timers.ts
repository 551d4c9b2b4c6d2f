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

// The key breaks ties so the order never depends on how the list was built.
const byDueTime = (a: LineTimer, b: LineTimer): number =>
  Date.parse(a.dueAt) - Date.parse(b.dueAt) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
