import { performance } from 'node:perf_hooks';
import type { RunManifest } from '#stack';
import { encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import {
  percentilesByKey,
  percentilesOf,
  percentilesWithUnseen,
  type LagTracker,
  type Metrics,
  type Percentiles,
} from './metrics.js';
import { LineFile } from './line-file.js';
import type { RunCounters } from './runner.js';
import { type OpenSchedule, scheduleEndMs } from './schedule.js';
import { formatShard, type Shard } from './shard.js';
import { evaluateThreshold, type Threshold, type ThresholdResult } from './thresholds.js';

export interface LoadSummary {
  readonly manifest: RunManifest;
  readonly model: Record<string, unknown>;
  readonly accountId: string;
  readonly elapsedMs: number;
  readonly calls: { readonly started: number; readonly completed: number; readonly failed: number };
  readonly commands: {
    readonly sent: number;
    readonly completed: number;
    readonly ok: number;
    readonly errors: number;
  };
  readonly rate: {
    /** The open model's scheduled calls per second; null for closed runs and replays. */
    readonly targetCallsPerSecond: number | null;
    /** A replay's recorded pace x --speed, in commands per second; null otherwise. */
    readonly targetCommandsPerSecond: number | null;
    readonly achievedCallsPerSecond: number;
    readonly commandsPerSecond: number;
    readonly lateSends: number;
    readonly lateThresholdMs: number;
    readonly sendDelayMs: Percentiles;
  };
  /** Milliseconds from the intended send time to the answer (coordinated omission corrected). */
  readonly latency: {
    readonly all: Percentiles;
    readonly byType: Record<string, Percentiles>;
    readonly byFlow: Record<string, Percentiles>;
  };
  readonly outcomes: Record<string, number>;
  readonly failuresByType: Record<string, number>;
  /** Ms from a command's answer until the projector's checkpoint passed its position; null when not measured. */
  readonly lag: (Percentiles & { readonly unresolved: number; readonly pollErrors: number }) | null;
  /** The unmeasured calls before the measured window (`load run --warm-up`); null without one. */
  readonly warmUp: WarmUpSummary | null;
  readonly thresholds: readonly ThresholdResult[];
  /** Every threshold held, over a whole run: an interrupted one passes none. */
  readonly passed: boolean;
  /**
   * Stopped by Ctrl-C before its planned end: the figures are of the part that ran. A partial run
   * judged as a whole would pass thresholds it never faced (the load ended early), so it does not pass.
   */
  readonly interrupted: boolean;
  /** What makes the figures read otherwise than they seem (`load merge`: shards that started apart). */
  readonly warnings: readonly string[];
  /** What `load merge` adds up exactly: every figure above is computed again from these. */
  readonly merge: MergeData;
}

/**
 * What a warm-up ran, kept apart from the measured figures: no threshold judges it and no latency is
 * kept, but its calls, commands and errors by reason are shown, so a warm-up that failed (the account
 * misprovisioned, the stack refusing) does not vanish from the report.
 */
export interface WarmUpSummary {
  readonly durationMs: number;
  readonly calls: { readonly started: number; readonly completed: number; readonly failed: number };
  readonly commands: { readonly sent: number; readonly completed: number; readonly errors: number };
  /** Command outcomes by name, as the measured `outcomes`: `ok`, `409 LINE_BUSY`, `timeout`. */
  readonly outcomes: Record<string, number>;
}

/** A warm-up's figures from its own counters and metrics. */
export const warmUpSummary = (
  durationMs: number,
  counters: Pick<RunCounters, 'callsStarted' | 'callsCompleted' | 'callsFailed' | 'sent'>,
  metrics: Pick<Metrics, 'completed' | 'errors' | 'outcomes'>,
): WarmUpSummary => ({
  durationMs,
  calls: { started: counters.callsStarted, completed: counters.callsCompleted, failed: counters.callsFailed },
  commands: { sent: counters.sent, completed: metrics.completed, errors: metrics.errors },
  outcomes: sortedRecord(metrics.outcomes),
});

/**
 * A run's raw measurements: counts, the wall-clock window, and every latency histogram in
 * HdrHistogram's compressed encoding (microseconds), so that shards' runs add up to the histogram
 * one run would have recorded, never to averaged percentiles.
 */
export interface MergeData {
  /** `i/n` for `load run --shard i/n`; null for a whole run. */
  readonly shard: string | null;
  /** Wall-clock ms since the epoch: the measured phase's start and its last answer. */
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  /** The open model's intended arrivals, for the target rate. */
  readonly scheduledCalls: number;
  /**
   * Wall-clock ms since the epoch when the open model's arrivals ended (see RunCounters), what its
   * call rates are counted up to; null for the closed model and replays, and absent from files
   * written before it was kept.
   */
  readonly arrivalsEndedAtMs?: number | null;
  readonly histograms: {
    readonly all: string;
    readonly sendDelay: string;
    readonly byType: Record<string, string>;
    readonly byFlow: Record<string, string>;
    readonly lag: string | null;
  };
}

/** What a summary is computed from: one run's live metrics, or the sum of shards' (`load merge`). */
export interface MeasuredRun {
  readonly counters: Pick<
    RunCounters,
    'callsStarted' | 'callsCompleted' | 'callsFailed' | 'sent' | 'scheduled'
  >;
  /** Wall-clock ms since the epoch: the measured phase's start and its last answer. */
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  /** Wall-clock ms since the epoch when the open model's arrivals ended; undefined otherwise. */
  readonly arrivalsEndedAtMs?: number;
  readonly metrics: Pick<
    Metrics,
    | 'all'
    | 'byType'
    | 'byFlow'
    | 'sendDelay'
    | 'outcomes'
    | 'failuresByType'
    | 'completed'
    | 'errors'
    | 'lateSends'
    | 'lateThresholdMs'
  >;
  readonly lag:
    { readonly histogram: Histogram; readonly unresolved: number; readonly pollErrors: number } | undefined;
}

/** A live run's measurements; its monotonic instants become wall-clock ones. */
export const measuredRun = (
  counters: RunCounters,
  metrics: Metrics,
  lag: { tracker: LagTracker; pollErrors: number } | undefined,
): MeasuredRun => ({
  counters,
  startedAtMs: performance.timeOrigin + counters.startedAt,
  endedAtMs: performance.timeOrigin + counters.lastDoneAt,
  ...(counters.arrivalsEndedAt === undefined
    ? {}
    : { arrivalsEndedAtMs: performance.timeOrigin + counters.arrivalsEndedAt }),
  metrics,
  lag: lag
    ? { histogram: lag.tracker.histogram, unresolved: lag.tracker.pending, pollErrors: lag.pollErrors }
    : undefined,
});

const encode = (histogram: Histogram): string => encodeIntoCompressedBase64(histogram);

const encodeByKey = (map: ReadonlyMap<string, Histogram>): Record<string, string> =>
  Object.fromEntries([...map.keys()].sort().map((key) => [key, encode(map.get(key)!)]));

const sortedRecord = (map: Map<string, number>): Record<string, number> =>
  Object.fromEntries([...map.entries()].sort(([a], [b]) => a.localeCompare(b)));

const round = (value: number): number => Math.round(value * 100) / 100;

/** The open model's schedule, as its summary's model names it (a run's, or the shards' of a merge). */
const openScheduleOf = (model: Record<string, unknown>): OpenSchedule | undefined => {
  const number = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
  const schedule = {
    rate: number(model.rate) ?? 0,
    rampStep: number(model.rampStep),
    rampIntervalMs: number(model.rampIntervalMs),
    maxRate: number(model.maxRate),
    durationMs: number(model.durationMs),
    maxCalls: number(model.maxCalls),
  };
  const bounded = schedule.durationMs !== undefined || schedule.maxCalls !== undefined;
  return model.kind === 'open' && schedule.rate > 0 && bounded ? schedule : undefined;
};

/**
 * Calls started per second, and the open model's target, over the window its arrivals took: from the
 * start to the end of its schedule (later, if the generator fell behind it; sooner, at the first
 * arrival a Ctrl-C left unstarted). Counted to the last answer, the rates read low by however long
 * the last calls took: `--rate 20 --duration 3s --think constant:1s` started its 60 calls on time and
 * read "8.60 calls/s (target 20.0)", and with --max-calls instead of --duration, "target 8.60".
 * The closed model and a replay, which have no schedule, count calls over the whole run.
 */
const callRates = (
  model: Record<string, unknown>,
  run: MeasuredRun,
  seconds: number,
): { target: number | null; achieved: number } => {
  const schedule = openScheduleOf(model);
  const { callsStarted, scheduled } = run.counters;
  if (!schedule) return { target: null, achieved: round(callsStarted / seconds) };
  const plannedMs = scheduleEndMs(schedule);
  // Files written before the arrivals' end was kept: their arrivals are taken to have kept to plan.
  const arrivalsMs =
    run.arrivalsEndedAtMs === undefined ? plannedMs : Math.max(1, run.arrivalsEndedAtMs - run.startedAtMs);
  return {
    target: round((scheduled * 1000) / Math.min(plannedMs, arrivalsMs)),
    achieved: round((callsStarted * 1000) / arrivalsMs),
  };
};

export const INTERRUPTED_WARNING =
  'stopped by Ctrl-C before its planned end: the figures are of the part that ran, and it passes no threshold';

export const buildSummary = (input: {
  manifest: RunManifest;
  model: Record<string, unknown>;
  accountId: string;
  run: MeasuredRun;
  thresholds: readonly Threshold[];
  targetCommandsPerSecond?: number | null;
  shard?: Shard;
  warmUp?: WarmUpSummary;
  warnings?: readonly string[];
  interrupted?: boolean;
}): LoadSummary => {
  const { counters, metrics } = input.run;
  const elapsedMs = Math.max(1, input.run.endedAtMs - input.run.startedAtMs);
  const seconds = elapsedMs / 1000;
  const all = percentilesOf(metrics.all);
  const byType = percentilesByKey(metrics.byType);
  const byFlow = percentilesByKey(metrics.byFlow);
  const lag = input.run.lag
    ? {
        ...percentilesOf(input.run.lag.histogram),
        unresolved: input.run.lag.unresolved,
        pollErrors: input.run.lag.pollErrors,
      }
    : null;
  const commandsPerSecond = round(metrics.completed / seconds);
  const latencyScopes: Record<string, Record<string, number> | undefined> = {
    all: { ...all },
    ...byType,
    ...byFlow,
    // A command the projector never showed has a lag beyond every one measured, not none.
    ...(input.run.lag
      ? { lag: { ...percentilesWithUnseen(input.run.lag.histogram, input.run.lag.unresolved) } }
      : {}),
  };
  const thresholds = input.thresholds.map((threshold) =>
    evaluateThreshold(threshold, {
      commands: metrics.completed,
      errors: metrics.errors,
      lateSends: metrics.lateSends,
      commandsPerSecond,
      latency: latencyScopes,
    }),
  );
  const calls = callRates(input.model, input.run, seconds);
  return {
    manifest: input.manifest,
    model: input.model,
    accountId: input.accountId,
    elapsedMs: round(elapsedMs),
    calls: {
      started: counters.callsStarted,
      completed: counters.callsCompleted,
      failed: counters.callsFailed,
    },
    commands: {
      sent: counters.sent,
      completed: metrics.completed,
      ok: metrics.completed - metrics.errors,
      errors: metrics.errors,
    },
    rate: {
      targetCallsPerSecond: calls.target,
      targetCommandsPerSecond:
        input.targetCommandsPerSecond === undefined || input.targetCommandsPerSecond === null
          ? null
          : round(input.targetCommandsPerSecond),
      achievedCallsPerSecond: calls.achieved,
      commandsPerSecond,
      lateSends: metrics.lateSends,
      lateThresholdMs: metrics.lateThresholdMs,
      sendDelayMs: percentilesOf(metrics.sendDelay),
    },
    latency: { all, byType, byFlow },
    outcomes: sortedRecord(metrics.outcomes),
    failuresByType: sortedRecord(metrics.failuresByType),
    lag,
    warmUp: input.warmUp ?? null,
    thresholds,
    passed: input.interrupted !== true && thresholds.every((result) => result.passed),
    interrupted: input.interrupted === true,
    warnings: [...(input.interrupted === true ? [INTERRUPTED_WARNING] : []), ...(input.warnings ?? [])],
    merge: {
      shard: input.shard && input.shard.count > 1 ? formatShard(input.shard) : null,
      startedAtMs: round(input.run.startedAtMs),
      endedAtMs: round(input.run.endedAtMs),
      scheduledCalls: counters.scheduled,
      arrivalsEndedAtMs:
        input.run.arrivalsEndedAtMs === undefined ? null : round(input.run.arrivalsEndedAtMs),
      histograms: {
        all: encode(metrics.all),
        sendDelay: encode(metrics.sendDelay),
        byType: encodeByKey(metrics.byType),
        byFlow: encodeByKey(metrics.byFlow),
        lag: input.run.lag ? encode(input.run.lag.histogram) : null,
      },
    },
  };
};

/** One interval of a run: what the periodic stats file and the live line show. */
export interface IntervalRow {
  readonly elapsedMs: number;
  readonly sent: number;
  readonly completed: number;
  readonly errors: number;
  readonly inflight: number;
  readonly lateSends: number;
  readonly intervalCompleted: number;
  readonly intervalErrors: number;
  readonly intervalCommandsPerSecond: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly lagPending: number | null;
  readonly lagP99: number | null;
}

/**
 * Takes the interval since the previous row from `metrics` (each row covers what the one before did
 * not), over `intervalMs`: the time it really lasted, so a last, shorter interval shows its true rate.
 */
export const intervalRow = (
  counters: RunCounters,
  metrics: Metrics,
  lag: LagTracker | undefined,
  intervalMs: number,
): IntervalRow => {
  const interval = metrics.takeInterval();
  return {
    elapsedMs: Math.round(performance.now() - counters.startedAt),
    sent: counters.sent,
    completed: metrics.completed,
    errors: metrics.errors,
    inflight: counters.inflight,
    lateSends: metrics.lateSends,
    intervalCompleted: interval.completed,
    intervalErrors: interval.errors,
    intervalCommandsPerSecond: round((interval.completed * 1000) / Math.max(1, intervalMs)),
    p50: interval.latency.p50,
    p90: interval.latency.p90,
    p95: interval.latency.p95,
    p99: interval.latency.p99,
    max: interval.latency.max,
    lagPending: lag?.pending ?? null,
    lagP99: lag ? percentilesOf(lag.histogram).p99 : null,
  };
};

/** Periodic stats, one row per interval, as NDJSON or CSV (chosen by `format`). */
export class StatsWriter {
  private readonly out: LineFile;
  private wroteHeader = false;

  constructor(
    file: string,
    private readonly format: 'ndjson' | 'csv',
    /** Told once when a write fails (a full disk): the run stops, its stats no longer kept. */
    onFailure?: () => void,
  ) {
    this.out = new LineFile(file, onFailure, `--stats-file ${file}`);
  }

  write(row: IntervalRow): void {
    if (this.format === 'ndjson') {
      this.out.write(`${JSON.stringify(row)}\n`);
      return;
    }
    if (!this.wroteHeader) {
      this.out.write(`${Object.keys(row).join(',')}\n`);
      this.wroteHeader = true;
    }
    this.out.write(
      `${Object.values(row)
        .map((v) => (v === null ? '' : String(v)))
        .join(',')}\n`,
    );
  }

  /** Ends the file; rejects, the file removed, when a write failed. */
  close(): Promise<void> {
    return this.out.close();
  }

  /** Ends the file unfinished, as its run failed: nothing of it is kept (see LineFile.discard). */
  discard(): Promise<boolean> {
    return this.out.discard();
  }
}
