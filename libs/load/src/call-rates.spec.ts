import { performance } from 'node:perf_hooks';
import type { RunManifest } from '#stack';
import { instantApi } from './api-client.fixture.js';
import { mergeResults } from './merge.js';
import { Metrics } from './metrics.js';
import type { CallPlan } from './plan.js';
import { buildSummary, type LoadSummary, type MeasuredRun } from './report.js';
import { newCounters, runOpen } from './runner.js';
import { scheduleEndMs } from './schedule.js';

const manifest = { command: 'load run', seed: 's', runId: 'r' } as RunManifest;

/**
 * An open run of `started` calls measured from 0 whose arrivals ended at `arrivalsEndedAtMs` and
 * whose last answer came at `endedAtMs`, as its --out file holds it.
 */
const openRun = (
  model: Record<string, unknown>,
  started: number,
  at: { arrivalsEndedAtMs: number; endedAtMs: number },
  shard?: { index: number; count: number },
): LoadSummary => {
  const run: MeasuredRun = {
    counters: {
      callsStarted: started,
      callsCompleted: started,
      callsFailed: 0,
      sent: 3 * started,
      scheduled: started,
    },
    startedAtMs: 0,
    ...at,
    metrics: new Metrics(5),
    lag: undefined,
  };
  const summary = buildSummary({
    manifest,
    model: { kind: 'open', ...model },
    accountId: 'a',
    run,
    thresholds: [],
    shard,
  });
  return JSON.parse(JSON.stringify(summary)) as LoadSummary;
};

describe("the open model's call rates", () => {
  it.each([
    // Found: `--rate 20 --duration 3s --think constant:1s` started its 60 calls on time, and its
    // last calls answered at 6.98 s: the table read "8.60 calls/s (target 20.0)".
    ['--duration, its last calls answered well after', { rate: 20, durationMs: 3_000 }, 60, 3_000, 20, 20],
    // The same with --max-calls 60 read "8.60 calls/s (target 8.60)" for --rate 20.
    ['--max-calls, its last calls answered well after', { rate: 20, maxCalls: 60 }, 60, 3_000, 20, 20],
    // Ctrl-C after 4.62 s of a 20 s run at 50/s read "target 11.6".
    ['stopped by Ctrl-C at its 232nd arrival', { rate: 50, durationMs: 20_000 }, 231, 4_620, 50, 50],
    // A generator that fell 1 s behind its schedule started its calls over 4 s, not 3.
    ['started 1 s behind its schedule', { rate: 20, durationMs: 3_000 }, 60, 4_000, 20, 15],
  ])(
    'are counted over the window its arrivals took, not to its last answer: %s',
    (_what, model, started, arrivalsEndedAtMs, target, achieved) => {
      // Given an open run whose last answer came 4 s after its arrivals ended
      const summary = openRun(model, started, { arrivalsEndedAtMs, endedAtMs: arrivalsEndedAtMs + 4_000 });
      // Then its target is the schedule's rate, and the rate achieved is counted over its arrivals
      expect(summary.rate).toMatchObject({ targetCallsPerSecond: target, achievedCallsPerSecond: achieved });
    },
  );

  it("are counted over the shards' arrivals when their results are merged", () => {
    // Given the two shards of `--rate 20 --duration 3s`, each starting its 30 calls on time
    const model = { rate: 20, durationMs: 3_000 };
    const shard = (index: number): LoadSummary =>
      openRun(
        { ...model, shard: `${index}/2` },
        30,
        { arrivalsEndedAtMs: 3_000, endedAtMs: 6_980 },
        {
          index,
          count: 2,
        },
      );
    // When they are merged
    const merged = mergeResults(
      [
        { file: 'one.json', summary: shard(1) },
        { file: 'two.json', summary: shard(2) },
      ],
      { manifest },
    );
    // Then the merged run started its calls at the rate asked
    expect(merged.rate).toMatchObject({ targetCallsPerSecond: 20, achievedCallsPerSecond: 20 });
  });
});

describe('an open run records when its arrivals ended', () => {
  const api = instantApi();
  const plan = (index: number): CallPlan =>
    ({
      index,
      flow: 'place',
      steps: [{ command: { type: 'advanceClock', actor: 'admin' }, thinkMs: 0 }],
    }) as unknown as CallPlan;

  it('at the arrival a Ctrl-C left unstarted', async () => {
    // Given a run at 100 calls/s that is stopped once it has started 3 calls
    const counters = newCounters();
    counters.startedAt = performance.now();
    const context = {
      api,
      metrics: new Metrics(5),
      timeoutMs: 1_000,
      stopped: () => counters.callsStarted >= 3,
    };
    // When it runs
    await runOpen(context, counters, { rate: 100, durationMs: 60_000 }, plan);
    // Then its arrivals ended at the fourth one's instant, 30 ms in: 3 calls at 100/s
    expect(counters.scheduled).toBe(3);
    expect(counters.arrivalsEndedAt! - counters.startedAt).toBeCloseTo(30, 6);
  });

  it('no sooner than its schedule ends', async () => {
    // Given a run of 5 calls at 100 calls/s
    const counters = newCounters();
    counters.startedAt = performance.now();
    const context = { api, metrics: new Metrics(5), timeoutMs: 1_000, stopped: () => false };
    const schedule = { rate: 100, maxCalls: 5 };
    // When it runs, Then its arrivals ended no sooner than 5 calls at 100/s take, 50 ms
    await runOpen(context, counters, schedule, plan);
    expect(scheduleEndMs(schedule)).toBeCloseTo(50, 6);
    expect(counters.arrivalsEndedAt! - counters.startedAt).toBeGreaterThanOrEqual(50);
  });
});
