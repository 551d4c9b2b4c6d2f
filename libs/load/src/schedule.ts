/**
 * Open-model arrival schedule: when each call is meant to start, as an offset in ms from the run's
 * start. The rate may ramp: `rate + rampStep` every `rampIntervalMs`, capped at `maxRate`. Arrivals
 * are evenly spaced at the rate in force, so a run's intended send times depend on nothing but its
 * options; sends that happen later than intended are late, and latency counts from the intended time.
 */
export interface OpenSchedule {
  /** Calls started per second at the beginning. */
  readonly rate: number;
  readonly rampStep?: number;
  readonly rampIntervalMs?: number;
  readonly maxRate?: number;
  /** No arrivals at or after this offset. */
  readonly durationMs?: number;
  /** No more than this many arrivals. */
  readonly maxCalls?: number;
}

/** The target rate in force at `offsetMs`. */
export const rateAt = (schedule: OpenSchedule, offsetMs: number): number => {
  const { rate, rampStep, rampIntervalMs, maxRate } = schedule;
  if (!rampStep || !rampIntervalMs) return rate;
  const stepped = rate + rampStep * Math.floor(offsetMs / rampIntervalMs);
  const capped = maxRate === undefined ? stepped : Math.min(stepped, maxRate);
  // A negative step ramps down, to 0 calls/s at the lowest: the arrivals end there (see arrivals).
  return Math.max(capped, 0);
};

export function* arrivals(schedule: OpenSchedule): Generator<number> {
  if (!(schedule.rate > 0)) throw new Error('--rate must be above 0 calls/s');
  if (schedule.durationMs === undefined && schedule.maxCalls === undefined) {
    throw new Error('an open-model run needs --duration or --max-calls to end');
  }
  let offset = 0;
  for (let n = 0; schedule.maxCalls === undefined || n < schedule.maxCalls; n++) {
    if (schedule.durationMs !== undefined && offset >= schedule.durationMs) return;
    // A ramp down that reached 0 calls/s brings no more calls. Spaced 1000/0 ms apart, a --max-calls
    // run's remaining calls came at the offset Infinity: all at once, Node warning of timeouts it
    // could not set, each charged 0.001 ms from an intended time that never comes.
    const rate = rateAt(schedule, offset);
    if (!(rate > 0)) return;
    yield offset;
    offset += 1000 / rate;
  }
}

/**
 * Where a schedule's arrivals end, in ms from its start: at its --duration, or one interval after its
 * --max-calls-th arrival, whichever comes first. Its target rate is its arrivals over this window: n
 * calls at r/s take n/r seconds.
 */
export const scheduleEndMs = (schedule: OpenSchedule): number => {
  const { rate, rampStep, rampIntervalMs, durationMs, maxCalls } = schedule;
  // Counted without going through the arrivals where their number does not matter: an hour at
  // 100,000 calls/s has 360 million, which took seconds to go through, twice at the end of the run.
  if (!rampStep || !rampIntervalMs) {
    return Math.min(maxCalls === undefined ? Infinity : (maxCalls * 1000) / rate, durationMs ?? Infinity);
  }
  // A ramp up never runs out of calls before --duration: only --max-calls ends them sooner.
  if (rampStep > 0 && maxCalls === undefined) return durationMs!;
  let end = 0;
  for (const offset of arrivals(schedule)) end = offset + 1000 / rateAt(schedule, offset);
  return schedule.durationMs === undefined ? end : Math.min(end, schedule.durationMs);
};

/** A warm-up climbs to the run's rate in this many equal stairs. */
const WARM_UP_STAIRS = 4;

/**
 * The open model's warm-up (`load run --warm-up`): `warmUpMs` of arrivals climbing to `rate` in
 * WARM_UP_STAIRS equal stairs. Climbing, not starting at full rate: a cold stack answers its first
 * commands slowly, and full rate at once piles up overlapping calls that fail one another (LINE_BUSY,
 * CALL_ENDED) where a few seconds later the same rate runs clean.
 */
export const warmUpSchedule = (rate: number, warmUpMs: number): OpenSchedule => ({
  rate: rate / WARM_UP_STAIRS,
  rampStep: rate / WARM_UP_STAIRS,
  rampIntervalMs: warmUpMs / WARM_UP_STAIRS,
  maxRate: rate,
  durationMs: warmUpMs,
});

/** How many calls a schedule starts in all (a whole run's, every shard's arrivals included). */
export const arrivalCount = (schedule: OpenSchedule): number => {
  let count = 0;
  for (const _ of arrivals(schedule)) count++;
  return count;
};

/** Parses `500`, `500/s`, `30/m`: a rate in events per second. */
export const parseRate = (text: string): number => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|m|min))?\s*$/.exec(text);
  if (!match) throw new Error(`"${text}" is not a rate: write e.g. 500 or 500/s`);
  const value = Number(match[1]);
  return match[2] === 'm' || match[2] === 'min' ? value / 60 : value;
};
