import { performance } from 'node:perf_hooks';
import { HttpClient } from './http.js';
import type { LagTracker } from './metrics.js';

/**
 * Finds the projector's checkpoint in a health/metrics answer. Projector answers name it `position`
 * (possibly under `projector` or `lag`, or as `checkpoint`); the first string of digits found wins.
 * A projector that is live and has applied no event may have no position yet: a filtered subscription
 * tells one only by a server checkpoint, which EventStoreDB may not send over a store of a few records
 * it does not follow. Nothing is behind it: its checkpoint is the start, 0.
 */
export const checkpointIn = (body: unknown): bigint | undefined => {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  for (const key of ['position', 'checkpoint', 'checkpointPosition'] as const) {
    const value = record[key];
    if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
    if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  }
  for (const key of ['projector', 'lag', 'readModels'] as const) {
    const nested = checkpointIn(record[key]);
    if (nested !== undefined) return nested;
  }
  if (record.status === 'live' && record.eventCount === 0 && record.position == null) return 0n;
  return undefined;
};

/** Polls the projector's checkpoint every `intervalMs` and resolves the lag of commands it has passed. */
export class LagPoller {
  private readonly http: HttpClient;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  failures = 0;
  lastError: string | undefined;

  constructor(
    projectorUrl: string,
    private readonly path: string,
    private readonly tracker: LagTracker,
    private readonly intervalMs: number,
  ) {
    this.http = new HttpClient(projectorUrl, 2);
  }

  /** One poll now (of `path`, by default the configured one); resolves with the checkpoint it saw. */
  async poll(path = this.path): Promise<bigint | undefined> {
    try {
      const res = await this.http.send('GET', path, undefined, 5_000);
      const checkpoint = checkpointIn(res.json);
      if (checkpoint === undefined) {
        this.failures++;
        this.lastError = `no checkpoint position in GET ${path} (status ${res.status})`;
        return undefined;
      }
      this.tracker.observe(checkpoint, performance.now());
      return checkpoint;
    } catch (error) {
      this.failures++;
      this.lastError = error instanceof Error ? error.message : String(error);
      return undefined;
    }
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      void this.poll().finally(() => (this.busy = false));
    }, this.intervalMs);
  }

  /** Keeps polling until every tracked command is visible or `graceMs` passes. */
  async drain(graceMs: number): Promise<void> {
    const deadline = performance.now() + graceMs;
    while (this.tracker.pending > 0 && performance.now() < deadline) {
      await this.poll();
      await new Promise((resume) => setTimeout(resume, this.intervalMs));
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.http.close();
  }
}
