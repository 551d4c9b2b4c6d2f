import { performance } from 'node:perf_hooks';
import type { ApiCommand } from './api-client.js';
import { instantApi } from './api-client.fixture.js';
import { Metrics } from './metrics.js';
import type { CallPlan } from './plan.js';
import type { RecordedCommand } from './recording.js';
import { newCounters, runClosed, runOpen, runReplay, type RunContext } from './runner.js';

const MINUTE = 60_000;
const command: ApiCommand = { type: 'advanceClock', actor: 'admin' };

/**
 * A run whose api answers every command at once, stopped (as a first Ctrl-C stops it) once its
 * `stopAfter`-th command is answered (with 0, once it began), in the wait that follows: an immediate
 * runs once the answer's promises have settled and the run waits on a timer.
 */
const stoppedRun = (stopAfter: number) => {
  const stop = new AbortController();
  let sent = 0;
  const api = instantApi(() => {
    if (++sent === stopAfter) setImmediate(() => stop.abort());
  });
  const context: RunContext = {
    api,
    metrics: new Metrics(5),
    timeoutMs: 1_000,
    stopped: () => stop.signal.aborted,
    halted: stop.signal,
  };
  const counters = newCounters();
  counters.startedAt = performance.now();
  if (stopAfter === 0) setImmediate(() => stop.abort());
  return { context, counters };
};

/** A call of `steps` commands, each `thinkMs` after the one before (the first after the party's think). */
const callOf = (index: number, steps: number, thinkMs: number): CallPlan =>
  ({
    index,
    flow: 'place',
    steps: Array.from({ length: steps }, () => ({ command, thinkMs })),
  }) as unknown as CallPlan;

// Each run below would otherwise wait a minute or more: the test would time out.
describe('a stopped run ends its waits at once', () => {
  it('the open model, waiting for its next arrival (--rate 1/m)', async () => {
    // Given a run of one call a minute, stopped once its first call is answered
    const { context, counters } = stoppedRun(1);
    // When it runs, Then it ends without waiting for the second arrival, a minute in
    await runOpen(context, counters, { rate: 1 / 60, durationMs: 60 * MINUTE }, (i) => callOf(i, 1, 0));
    expect({ scheduled: counters.scheduled, started: counters.callsStarted }).toEqual({
      scheduled: 1,
      started: 1,
    });
    expect(counters.arrivalsEndedAt! - counters.startedAt).toBeCloseTo(MINUTE, 6);
  });

  it("a call's think time between its steps: the call ends after its step under way", async () => {
    // Given calls of two steps a minute apart, stopped once the first step is answered
    const { context, counters } = stoppedRun(1);
    // When it runs, Then the second step is not waited for, nor sent
    await runOpen(context, counters, { rate: 1, maxCalls: 1 }, (i) => callOf(i, 2, MINUTE));
    expect({ sent: counters.sent, started: counters.callsStarted }).toEqual({ sent: 1, started: 1 });
  });

  it("the closed model, in a party's think time before its call: that call never begins", async () => {
    // Given a party that thinks a minute before each call, stopped while it thinks
    const { context, counters } = stoppedRun(0);
    // When it runs, Then it ends at once, having started no call
    await runClosed(context, counters, { concurrency: 1, maxCalls: 1 }, (i) => callOf(i, 1, MINUTE));
    expect({ sent: counters.sent, started: counters.callsStarted }).toEqual({ sent: 0, started: 0 });
  });

  it("a replay, waiting for the next command's recorded offset", async () => {
    // Given a recording of two commands a minute apart, replayed at its pace, stopped once the first is answered
    const { context, counters } = stoppedRun(1);
    const entries: RecordedCommand[] = [0, MINUTE].map((offsetMs, seq) => ({
      seq,
      phase: 'load',
      offsetMs,
      command,
    }));
    // When it is replayed, Then it ends without sending the second
    await runReplay(context, counters, entries, { speed: 1, concurrency: 1 });
    expect(counters.sent).toBe(1);
  });
});
