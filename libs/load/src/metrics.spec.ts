import { LagTracker, Metrics, percentilesOf } from './metrics.js';

const sample = (intendedAt: number, sentAt: number, doneAt: number, ok = true, type = 'answerCall') => ({
  type,
  flow: 'ring-answer',
  intendedAt,
  sentAt,
  doneAt,
  outcome: ok ? 'ok' : '409 LINE_BUSY',
  ok,
});

describe('latency recording (coordinated omission corrected)', () => {
  it('charges a late send the time it waited behind schedule', () => {
    const metrics = new Metrics(5);
    // Meant to go at 0, left at 100 (the generator stalled), answered at 105: 105 ms, not 5.
    metrics.record(sample(0, 100, 105));
    expect(percentilesOf(metrics.all).max).toBeCloseTo(105, 0);
    expect(metrics.lateSends).toBe(1);
    expect(percentilesOf(metrics.sendDelay).max).toBeCloseTo(100, 0);
  });

  it('does not count an on-time send as late', () => {
    const metrics = new Metrics(5);
    metrics.record(sample(10, 12, 15));
    expect(metrics.lateSends).toBe(0);
    expect(percentilesOf(metrics.all).p50).toBeCloseTo(5, 1);
  });

  it('keeps percentiles per command type and per flow, and outcomes by reason', () => {
    const metrics = new Metrics(5);
    for (let i = 1; i <= 100; i++)
      metrics.record(sample(0, 0, i, i !== 50, i % 2 ? 'holdCall' : 'answerCall'));
    expect(percentilesOf(metrics.all).p99).toBeCloseTo(99, 0);
    expect(percentilesOf(metrics.byType.get('holdCall')!).count).toBe(50);
    expect(percentilesOf(metrics.byFlow.get('ring-answer')!).count).toBe(100);
    expect(Object.fromEntries(metrics.outcomes)).toEqual({ ok: 99, '409 LINE_BUSY': 1 });
    expect(metrics.errors).toBe(1);
  });

  it('reports an interval and then starts a new one', () => {
    const metrics = new Metrics(5);
    metrics.record(sample(0, 0, 3));
    expect(metrics.takeInterval().completed).toBe(1);
    expect(metrics.takeInterval().completed).toBe(0);
    expect(metrics.completed).toBe(1);
  });
});

describe('read-model lag', () => {
  it('resolves each command once the checkpoint passes its position, timed from its answer', () => {
    const lag = new LagTracker();
    lag.track(300n, 10);
    lag.track(100n, 11);
    lag.track(200n, 12);
    lag.observe(150n, 20);
    expect(lag.pending).toBe(2);
    lag.observe(300n, 40);
    expect(lag.pending).toBe(0);
    const p = percentilesOf(lag.histogram);
    expect(p.count).toBe(3);
    expect(p.max).toBeCloseTo(30, 0);
  });

  it('counts a command already visible when answered as no lag', () => {
    const lag = new LagTracker();
    lag.observe(500n, 0);
    lag.track(400n, 5);
    expect(lag.pending).toBe(0);
    expect(percentilesOf(lag.histogram).max).toBeLessThan(0.01);
  });
});
