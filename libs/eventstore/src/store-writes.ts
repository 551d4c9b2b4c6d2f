/**
 * Whether the store could write this process's latest append, as this process saw it: `failing`
 * from an append the store refused for want of writes (StoreCannotWriteError) until one succeeds.
 * A store that cannot write still answers reads, so only an append tells: while failing, a write
 * probe (WriteProbe) appends now and then, so that an idle process learns that writes resumed.
 */
export type StoreWritesView =
  | { readonly status: 'ok' }
  | {
      readonly status: 'failing';
      /** The latest refusal's error code as the store gave it (ENOSPC, EDQUOT, EIO…). */
      readonly cause: string;
      /** When the first refusal since the last append that succeeded came (wall clock). */
      readonly since: string;
      /** Commands (requests' and timers') refused since then. */
      readonly refusedCommands: number;
      /** Snapshots of aggregates' folds refused since then (written in the background, never a command's answer). */
      readonly refusedSnapshots: number;
    };

/** What a refused append was for: a command's events, or a snapshot written in the background. */
export type RefusedAppend = 'command' | 'snapshot';

/**
 * What the store's appends met, kept on the command path: a field set on a refusal and cleared on a
 * success, so that it costs an append nothing.
 */
export class StoreWrites {
  private failing: { cause: string; since: Date; refused: { command: number; snapshot: number } } | undefined;
  private readonly refusedSinceStart = { command: 0, snapshot: 0 };
  private readonly failingListeners: (() => void)[] = [];

  constructor(private readonly now: () => Date = () => new Date()) {}

  refused(cause: string, append: RefusedAppend = 'command'): void {
    this.refusedSinceStart[append]++;
    if (this.failing) {
      this.failing.cause = cause;
      this.failing.refused[append]++;
      return;
    }
    this.failing = { cause, since: this.now(), refused: { command: 0, snapshot: 0 } };
    this.failing.refused[append]++;
    for (const listener of this.failingListeners) listener();
  }

  /** A write probe was refused too: the cause may have changed (a full disk that then failed); nothing was refused to anyone. */
  probeRefused(cause: string): void {
    if (this.failing) this.failing.cause = cause;
  }

  succeeded(): void {
    this.failing = undefined;
  }

  /** Calls `listener` at the first refusal after an append that succeeded (or since start). */
  onFailing(listener: () => void): void {
    this.failingListeners.push(listener);
  }

  view(): StoreWritesView {
    if (!this.failing) return { status: 'ok' };
    const { cause, since, refused } = this.failing;
    return {
      status: 'failing',
      cause,
      since: since.toISOString(),
      refusedCommands: refused.command,
      refusedSnapshots: refused.snapshot,
    };
  }

  /** Commands refused for want of writes since this process started, failing spells added up. */
  get refusedTotal(): number {
    return this.refusedSinceStart.command;
  }

  /** Snapshots refused for want of writes since this process started. */
  get refusedSnapshotsTotal(): number {
    return this.refusedSinceStart.snapshot;
  }
}
