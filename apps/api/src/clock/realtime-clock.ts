import type { Clock, Timer } from './clock.js';

/**
 * The longest delay `setTimeout` keeps (2^31 - 1 ms, about 24.8 days). Node fires a longer one after
 * 1 ms instead, with a TimeoutOverflowWarning: a timer due a month or a millennium ahead (a call placed
 * with a far `at`) would fire at once, and again at every look at its line.
 */
const LONGEST_TIMEOUT_MS = 2 ** 31 - 1;

export class RealtimeClock implements Clock {
  readonly mode = 'realtime' as const;
  private readonly handles = new Map<string, NodeJS.Timeout>();

  constructor(private readonly onTimerError: (timer: Timer, error: unknown) => void) {}

  now(): Date {
    return new Date();
  }

  schedule(timer: Timer): void {
    this.cancel(timer.key);
    this.waitFor(timer);
  }

  /** Fires `timer` when it is due; one further away than setTimeout holds waits the longest it can, then again. */
  private waitFor(timer: Timer): void {
    const delay = Math.max(0, timer.dueAt.getTime() - Date.now());
    const handle =
      delay > LONGEST_TIMEOUT_MS
        ? setTimeout(() => this.waitFor(timer), LONGEST_TIMEOUT_MS)
        : setTimeout(() => {
            this.handles.delete(timer.key);
            timer.fire().catch((error: unknown) => this.onTimerError(timer, error));
          }, delay);
    this.handles.set(timer.key, handle);
  }

  cancel(key: string): void {
    clearTimeout(this.handles.get(key));
    this.handles.delete(key);
  }

  stop(): void {
    for (const handle of this.handles.values()) clearTimeout(handle);
    this.handles.clear();
  }
}
