import type { RunManifest } from '#stack';
import { LagTracker, Metrics } from './metrics.js';
import { buildSummary } from './report.js';
import { parseThreshold } from './thresholds.js';

/**
 * A run of `commands` answered commands of which the projector showed the first `seen`, each 20 ms
 * after its answer, and never the others within --lag-grace; judged by `threshold`.
 */
const judged = (commands: number, seen: number, threshold: string) => {
  const metrics = new Metrics(5);
  const lag = new LagTracker();
  for (let i = 0; i < commands; i++) {
    metrics.record({
      type: 'hangUp',
      flow: 'place',
      intendedAt: i,
      sentAt: i,
      doneAt: i + 2,
      outcome: 'ok',
      ok: true,
    });
    lag.track(BigInt(i + 1), i + 2);
  }
  for (let i = 0; i < seen; i++) lag.observe(BigInt(i + 1), i + 22);
  const summary = buildSummary({
    manifest: { command: 'load run' } as RunManifest,
    model: { kind: 'closed', concurrency: 1 },
    accountId: 'a',
    run: {
      counters: {
        callsStarted: commands,
        callsCompleted: commands,
        callsFailed: 0,
        sent: commands,
        scheduled: 0,
      },
      startedAtMs: 0,
      endedAtMs: commands + 2,
      metrics,
      lag: { histogram: lag.histogram, unresolved: lag.pending, pollErrors: 0 },
    },
    thresholds: [parseThreshold(threshold)],
  });
  return { result: summary.thresholds[0]!, passed: summary.passed };
};

describe('a read-model lag threshold', () => {
  it('fails when the commands the projector never showed are more than its percentile leaves out', () => {
    // Given a run whose projector died: 30 of its 533 commands shown 20 ms after their answer, 503 never
    // When it is judged by lag.p99 < 100 ms, Then it fails, its p99 among the commands never shown
    expect(judged(533, 30, 'lag.p99<100ms')).toEqual({
      result: {
        threshold: 'lag.p99<100ms',
        actual: null,
        unit: 'ms',
        passed: false,
        note: 'among commands the projector never showed',
      },
      passed: false,
    });
  });

  it('judges the commands shown when those never shown are fewer than its percentile leaves out', () => {
    // Given a run of 1,000 commands, one never shown
    // When it is judged by lag.p50 < 100 ms, Then its median is one of the commands shown, 20 ms
    expect(judged(1_000, 999, 'lag.p50<100ms')).toEqual({
      result: { threshold: 'lag.p50<100ms', actual: 20, unit: 'ms', passed: true },
      passed: true,
    });
    // And its max is not: the command never shown took longer than any measured
    expect(judged(1_000, 999, 'lag.max<1s')).toMatchObject({ result: { actual: null, passed: false } });
  });
});
