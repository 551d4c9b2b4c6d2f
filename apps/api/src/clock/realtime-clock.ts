import type { Clock, Timer } from './clock.js';

export class RealtimeClock implements Clock {
  readonly mode = 'realtime' as const;
  private readonly handles = new Map<string, NodeJS.Timeout>();

  constructor(private readonly onTimerError: (timer: Timer, error: unknown) => void) {}

  now(): Date {
    return new Date();
  }

  schedule(timer: Timer): void {
    this.cancel(timer.key);
    const delay = Math.max(0, timer.dueAt.getTime() - Date.now());
    const handle = setTimeout(() => {
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
