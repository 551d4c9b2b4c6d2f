import { build, type Histogram } from 'hdr-histogram-js';

/** Latencies are recorded in microseconds: sub-millisecond answers stay distinguishable. */
export const newHistogram = (): Histogram =>
  build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });

export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly 'p99.9': number;
  readonly max: number;
  readonly mean: number;
}

/** Milliseconds with microsecond resolution. */
const ms = (micros: number): number => Math.round(micros) / 1000;

/**
 * A histogram's percentiles in ms. HdrHistogram answers a percentile with the highest value of its
 * bucket, which can lie above the largest value recorded: a p99 over the max reads as a bug, so
 * percentiles are capped at the max.
 */
export const percentilesOf = (histogram: Histogram): Percentiles => {
  const at = (percentile: number): number =>
    ms(Math.min(histogram.getValueAtPercentile(percentile), histogram.maxValue));
  return {
    count: histogram.totalCount,
    p50: at(50),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    'p99.9': at(99.9),
    max: ms(histogram.maxValue),
    mean: ms(histogram.mean),
  };
};

/**
 * The percentiles of a histogram and `unseen` values known only to lie above all of it: the read-model
 * lag of commands the projector never showed within --lag-grace. A percentile that falls among them,
 * the max and the mean are Infinity; the others are the recorded values' over all of them. Left out,
 * they let `lag.p99<100ms` pass over the 30 commands seen before the projector died, 503 never seen.
 */
export const percentilesWithUnseen = (histogram: Histogram, unseen: number): Percentiles => {
  if (unseen === 0) return percentilesOf(histogram);
  const seen = histogram.totalCount;
  const total = seen + unseen;
  const at = (percentile: number): number =>
    (percentile * total) / 100 > seen
      ? Infinity
      : ms(Math.min(histogram.getValueAtPercentile((percentile * total) / seen), histogram.maxValue));
  return {
    count: total,
    p50: at(50),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    'p99.9': at(99.9),
    max: Infinity,
    mean: Infinity,
  };
};

const toMicros = (milliseconds: number): number => Math.max(1, Math.round(milliseconds * 1000));

/** One finished command, with the three instants that matter (ms on one monotonic clock). */
export interface CommandSample {
  readonly type: string;
  readonly flow: string;
  /** When the schedule meant to send it. */
  readonly intendedAt: number;
  readonly sentAt: number;
  readonly doneAt: number;
  /** `ok`, an HTTP status with the domain code (`409 LINE_BUSY`), `timeout` or `network <code>`. */
  readonly outcome: string;
  readonly ok: boolean;
}

export interface IntervalStats {
  readonly completed: number;
  readonly errors: number;
  readonly latency: Percentiles;
}

/**
 * Latency and outcome bookkeeping of a run. Latency is measured from the intended send time, not
 * from the moment the request left: when the generator or the system under test stalls, the
 * commands that should have gone out meanwhile are charged the wait (coordinated omission
 * corrected), instead of being silently sent later and timed as if nothing had happened.
 */
export class Metrics {
  readonly all = newHistogram();
  readonly byType = new Map<string, Histogram>();
  readonly byFlow = new Map<string, Histogram>();
  /** Send delay behind schedule, separately: how far the generator itself fell behind. */
  readonly sendDelay = newHistogram();
  readonly outcomes = new Map<string, number>();
  /** Failed commands by type and outcome (`hangUp 409 CALL_ENDED`): which step of a flow fails, and why. */
  readonly failuresByType = new Map<string, number>();
  private interval = newHistogram();
  private intervalErrors = 0;
  completed = 0;
  errors = 0;
  lateSends = 0;

  constructor(readonly lateThresholdMs: number) {}

  record(sample: CommandSample): void {
    const latency = toMicros(sample.doneAt - sample.intendedAt);
    this.all.recordValue(latency);
    this.interval.recordValue(latency);
    histogramIn(this.byType, sample.type).recordValue(latency);
    histogramIn(this.byFlow, sample.flow).recordValue(latency);
    const delay = sample.sentAt - sample.intendedAt;
    this.sendDelay.recordValue(toMicros(delay));
    if (delay > this.lateThresholdMs) this.lateSends++;
    this.outcomes.set(sample.outcome, (this.outcomes.get(sample.outcome) ?? 0) + 1);
    this.completed++;
    if (!sample.ok) {
      const key = `${sample.type} ${sample.outcome}`;
      this.failuresByType.set(key, (this.failuresByType.get(key) ?? 0) + 1);
      this.errors++;
      this.intervalErrors++;
    }
  }

  /** Statistics since the previous call (for periodic stats lines), then starts a new interval. */
  takeInterval(): IntervalStats {
    const stats = {
      completed: this.interval.totalCount,
      errors: this.intervalErrors,
      latency: percentilesOf(this.interval),
    };
    this.interval.reset();
    this.intervalErrors = 0;
    return stats;
  }
}

const histogramIn = (map: Map<string, Histogram>, key: string): Histogram => {
  let histogram = map.get(key);
  if (!histogram) {
    histogram = newHistogram();
    map.set(key, histogram);
  }
  return histogram;
};

export const percentilesByKey = (map: Map<string, Histogram>): Record<string, Percentiles> =>
  Object.fromEntries([...map.keys()].sort().map((key) => [key, percentilesOf(map.get(key)!)]));

/**
 * Read-model lag: for every acknowledged command with a `$all` position, the time from its
 * acknowledgement until the projector reports a checkpoint at or past that position.
 */
export class LagTracker {
  readonly histogram = newHistogram();
  /** A binary min-heap on position: checkpoints only move forward, so the smallest resolve first. */
  private readonly heap: { position: bigint; ackAt: number }[] = [];
  private checkpoint: bigint | undefined;

  get pending(): number {
    return this.heap.length;
  }

  track(position: bigint, ackAt: number): void {
    if (this.checkpoint !== undefined && position <= this.checkpoint) {
      // Already visible when acknowledged: the projector was ahead of the reply.
      this.histogram.recordValue(1);
      return;
    }
    this.heap.push({ position, ackAt });
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.heap[parent]!.position <= this.heap[i]!.position) break;
      [this.heap[parent], this.heap[i]] = [this.heap[i]!, this.heap[parent]!];
      i = parent;
    }
  }

  /** The projector reports it has applied `$all` up to `checkpoint` at instant `now`. */
  observe(checkpoint: bigint, now: number): void {
    if (this.checkpoint === undefined || checkpoint > this.checkpoint) this.checkpoint = checkpoint;
    while (this.heap.length > 0 && this.heap[0]!.position <= checkpoint) {
      const top = this.pop();
      this.histogram.recordValue(toMicros(now - top.ackAt));
    }
  }

  private pop(): { position: bigint; ackAt: number } {
    const top = this.heap[0]!;
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < this.heap.length && this.heap[left]!.position < this.heap[smallest]!.position)
          smallest = left;
        if (right < this.heap.length && this.heap[right]!.position < this.heap[smallest]!.position)
          smallest = right;
        if (smallest === i) break;
        [this.heap[smallest], this.heap[i]] = [this.heap[i]!, this.heap[smallest]!];
        i = smallest;
      }
    }
    return top;
  }
}
