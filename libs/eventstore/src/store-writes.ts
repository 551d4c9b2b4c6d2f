/**
 * Whether the store could write this process's latest append, as this process saw it: `failing`
 * from an append the store refused for want of writes (StoreCannotWriteError) until one succeeds.
 * No probe: a store that cannot write still answers reads, so only an append tells.
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
    };

/**
 * What the store's appends met, kept on the command path: a field set on a refusal and cleared on a
 * success, so that it costs an append nothing.
 */
export class StoreWrites {
  private failing: { cause: string; since: Date; refusedCommands: number } | undefined;
  private refusedSinceStart = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  refused(cause: string): void {
    this.refusedSinceStart++;
    if (this.failing) {
      this.failing.cause = cause;
      this.failing.refusedCommands++;
    } else {
      this.failing = { cause, since: this.now(), refusedCommands: 1 };
    }
  }

  succeeded(): void {
    this.failing = undefined;
  }

  view(): StoreWritesView {
    if (!this.failing) return { status: 'ok' };
    const { cause, since, refusedCommands } = this.failing;
    return { status: 'failing', cause, since: since.toISOString(), refusedCommands };
  }

  /** Commands refused for want of writes since this process started, failing spells added up. */
  get refusedTotal(): number {
    return this.refusedSinceStart;
  }
}
