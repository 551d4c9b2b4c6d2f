import type { ClockMode } from '#events';

/** Work that falls due at a time: a ring timeout, a transfer recall (R21). */
export interface Timer {
  /** Identifies the timer; scheduling the same key again replaces it. */
  readonly key: string;
  readonly dueAt: Date;
  readonly fire: () => Promise<void>;
}

/**
 * The clock port (R21). Domain code never reads the wall clock: handlers ask the clock for `now`
 * and process managers put timers on it. Realtime runs timers on the wall clock; virtual time
 * moves only when told to and fires due timers deterministically as it passes them.
 */
export interface Clock {
  readonly mode: ClockMode;
  now(): Date;
  schedule(timer: Timer): void;
  cancel(key: string): void;
}

export const timerOrder = (a: Timer, b: Timer): number =>
  a.dueAt.getTime() - b.dueAt.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
