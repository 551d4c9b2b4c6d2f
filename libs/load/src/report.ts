import { createWriteStream, type WriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { RunManifest } from '#stack';
import {
  percentilesByKey,
  percentilesOf,
  type LagTracker,
  type Metrics,
  type Percentiles,
} from './metrics.js';
import type { RunCounters } from './runner.js';
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
  readonly thresholds: readonly ThresholdResult[];
  readonly passed: boolean;
}

const sortedRecord = (map: Map<string, number>): Record<string, number> =>
  Object.fromEntries([...map.entries()].sort(([a], [b]) => a.localeCompare(b)));

const round = (value: number): number => Math.round(value * 100) / 100;

export const buildSummary = (input: {
  manifest: RunManifest;
  model: Record<string, unknown>;
  accountId: string;
  counters: RunCounters;
  metrics: Metrics;
  lag: { tracker: LagTracker; pollErrors: number } | undefined;
  thresholds: readonly Threshold[];
  targetCommandsPerSecond?: number | null;
}): LoadSummary => {
  const { counters, metrics } = input;
  const elapsedMs = Math.max(1, counters.lastDoneAt - counters.startedAt);
  const seconds = elapsedMs / 1000;
  const all = percentilesOf(metrics.all);
  const byType = percentilesByKey(metrics.byType);
  const byFlow = percentilesByKey(metrics.byFlow);
  const lag = input.lag
    ? {
        ...percentilesOf(input.lag.tracker.histogram),
        unresolved: input.lag.tracker.pending,
        pollErrors: input.lag.pollErrors,
      }
    : null;
  const commandsPerSecond = round(metrics.completed / seconds);
  const latencyScopes: Record<string, Record<string, number> | undefined> = {
    all: { ...all },
    ...byType,
    ...byFlow,
    ...(lag ? { lag: { ...lag } } : {}),
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
  const scheduledSeconds =
    typeof input.model.durationMs === 'number' ? input.model.durationMs / 1000 : seconds;
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
      targetCallsPerSecond: input.model.kind === 'open' ? round(counters.scheduled / scheduledSeconds) : null,
      targetCommandsPerSecond:
        input.targetCommandsPerSecond === undefined || input.targetCommandsPerSecond === null
          ? null
          : round(input.targetCommandsPerSecond),
      achievedCallsPerSecond: round(counters.callsStarted / seconds),
      commandsPerSecond,
      lateSends: metrics.lateSends,
      lateThresholdMs: metrics.lateThresholdMs,
      sendDelayMs: percentilesOf(metrics.sendDelay),
    },
    latency: { all, byType, byFlow },
    outcomes: sortedRecord(metrics.outcomes),
    failuresByType: sortedRecord(metrics.failuresByType),
    lag,
    thresholds,
    passed: thresholds.every((result) => result.passed),
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
  private readonly out: WriteStream;
  private wroteHeader = false;

  constructor(
    file: string,
    private readonly format: 'ndjson' | 'csv',
  ) {
    this.out = createWriteStream(file);
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

  close(): Promise<void> {
    return new Promise((done) => this.out.end(done));
  }
}
