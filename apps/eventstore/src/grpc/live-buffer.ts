/**
 * What a live subscription of EventStoreDB 24 holds for a client that reads slower than events come:
 * two channels of `MaxLiveEventBufferCount` (320) messages, one in front of the call's writer that
 * waits, one behind it that drops its oldest when full
 * (src/EventStore.Core/Services/Transport/Enumerators/Enumerator.cs). A dropped message makes the
 * subscription fall behind: it reads the log from its last event (catch-up) and, live again, sends
 * `caught_up` a second time (Enumerator.AllSubscription.cs, Enumerator.StreamSubscription.cs). It says
 * nothing as it falls behind: its `fell_behind` is "currently not sent to clients" (Streams.Read.cs).
 * This server drops nothing (a slow client holds back its own reader), but counts what those channels
 * would hold, to send `caught_up` again where EventStoreDB would.
 */
export const LIVE_BUFFER = 2 * 320;

/**
 * The messages EventStoreDB's live buffer would hold for a live `$all` subscription (LIVE_BUFFER): each
 * record it delivers (`delivers`) and, for a filtered one, each checkpoint (one per
 * `checkpointInterval` records), from the moment it went live, less those sent since. Records are
 * counted once each as they come, at most `scanLimit` per look, so a long stretch of records a filter
 * passes over costs one scan, not one per batch.
 */
export class LiveBuffer {
  private counted = 0;
  private considered = 0;
  private held = 0;

  constructor(
    private readonly delivers: (record: number) => boolean,
    private readonly checkpointInterval: number | undefined,
    private readonly scanLimit: number,
  ) {}

  /** Live from record `next` on, with `considered` records scanned so far (the checkpoints' rhythm). */
  goLive(next: number, considered: number): void {
    this.counted = next;
    this.considered = considered;
    this.held = 0;
  }

  /** Counts the records before `end` not counted yet: whether the buffer would have overflowed. */
  overflowsWith(end: number): boolean {
    const stop = Math.min(end, this.counted + this.scanLimit);
    for (; this.counted < stop && this.held <= LIVE_BUFFER; this.counted += 1) {
      if (this.delivers(this.counted)) this.held += 1;
      this.considered += 1;
      if (this.checkpointInterval && this.considered % this.checkpointInterval === 0) this.held += 1;
    }
    return this.held > LIVE_BUFFER;
  }

  sent(messages: number): void {
    this.held -= messages;
  }
}
