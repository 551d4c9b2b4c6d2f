import { DomainError, refusal } from '#domain';
import { timerOrder, type Clock, type Timer } from './clock.js';

export class ClockCannotGoBackError extends DomainError {
  constructor(now: Date, requested: Date) {
    const times = { now: now.toISOString(), requested: requested.toISOString() };
    super(refusal('CLOCK_CANNOT_GO_BACK', 'R21', times, times));
  }
}

/**
 * Virtual time (R21): it moves only through `advanceTo`. Due timers fire one at a time in
 * (due time, key) order with the clock set to their due time, and each is awaited before the next, so
 * a scenario replayed with the same commands yields the same events. Timers scheduled while
 * advancing (a recall set by a transfer that a timer triggered) fire in the same pass if due.
 */
export class VirtualClock implements Clock {
  readonly mode = 'virtual' as const;
  private readonly timers = new Map<string, Timer>();
  private current: Date;

  constructor(start: Date) {
    this.current = start;
  }

  now(): Date {
    return this.current;
  }

  schedule(timer: Timer): void {
    this.timers.set(timer.key, timer);
  }

  cancel(key: string): void {
    this.timers.delete(key);
  }

  pending(): readonly Timer[] {
    return [...this.timers.values()].sort(timerOrder);
  }

  /**
   * Moves time forward to `target`, firing every timer due on the way. `settle` runs before each
   * timer so callers can let process managers observe everything appended so far (otherwise a timer
   * scheduled by a just-appended event could be missed or fire late, breaking determinism).
   */
  async advanceTo(target: Date, settle: () => Promise<void> = async () => undefined): Promise<void> {
    if (target.getTime() < this.current.getTime()) throw new ClockCannotGoBackError(this.current, target);
    for (;;) {
      await settle();
      const next = this.pending()[0];
      if (!next || next.dueAt.getTime() > target.getTime()) break;
      this.timers.delete(next.key);
      if (next.dueAt.getTime() > this.current.getTime()) this.current = next.dueAt;
      await next.fire();
    }
    this.current = target;
  }
}
