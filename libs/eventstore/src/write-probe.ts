import { jsonEvent } from '@eventstore/db-client';

import { logWriteFailureCode } from './errors.js';
import type { EventStore } from './event-store.js';

/**
 * Where the probe appends: a `$`-stream, as snapshots are, so that nothing reading Switchboard's
 * events (the projector, the timers, `verify`, history) meets it. It holds one event per spell of
 * failing writes at most: a refused probe writes nothing, and the first that succeeds ends the spell.
 */
export const WRITE_PROBE_STREAM = '$switchboard-write-probe';
export const WRITE_PROBE_EVENT_TYPE = '$write-probe';

/** The first probe waits this long after the refusal, each next one twice as long, up to `maxMs`. */
export const WRITE_PROBE_BACKOFF = { firstMs: 1_000, maxMs: 30_000 } as const;

export interface WriteProbeBackoff {
  readonly firstMs: number;
  readonly maxMs: number;
}

/**
 * While the store refuses this process's appends for want of writes, appends a probe event now and
 * then (backing off) until one succeeds, so that `store.writes` (and `/health`) learns that the disk
 * has room again without waiting for a command. No probe while writes succeed: it starts at the first
 * refusal and stops at the first append (a command's or its own) that succeeds.
 */
export class WriteProbe {
  private timer: NodeJS.Timeout | undefined;
  /** A probe's append is under way: its outcome decides on the next, so no second chain starts. */
  private probing = false;
  private stopped = false;
  /** Probes sent since start, for /metrics. */
  sent = 0;

  constructor(
    private readonly store: EventStore,
    private readonly backoff: WriteProbeBackoff = WRITE_PROBE_BACKOFF,
  ) {
    store.writes.onFailing(() => this.probeIn(this.backoff.firstMs));
  }

  /** Sends no more probes (a process shutting down: its client is about to be disposed). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private probeIn(delayMs: number): void {
    if (this.stopped || this.timer || this.probing) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.probe(delayMs);
    }, delayMs);
    // A probe never keeps a process alive that has nothing else to do.
    this.timer.unref();
  }

  private async probe(delayMs: number): Promise<void> {
    // A command's append succeeded meanwhile: writes work, nothing to probe.
    if (this.stopped || this.store.writes.view().status !== 'failing') return;
    this.sent++;
    this.probing = true;
    try {
      await this.store.client.appendToStream(
        WRITE_PROBE_STREAM,
        jsonEvent({ type: WRITE_PROBE_EVENT_TYPE, data: { probedAt: new Date().toISOString() } }),
      );
      this.probing = false;
      this.store.writes.succeeded();
    } catch (error) {
      this.probing = false;
      const cause = logWriteFailureCode(error);
      if (cause !== undefined) this.store.writes.probeRefused(cause);
      // A store that is down or unreachable is /health's `unavailable`; the next probe tells again.
      this.probeIn(Math.min(delayMs * 2, this.backoff.maxMs));
    }
  }
}
