import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient, ApiCommand, CommandResult } from './api-client.js';
import { HttpTimeoutError } from './http.js';
import type { LagTracker, Metrics } from './metrics.js';
import type { CallPlan } from './plan.js';
import type { RecordedCommand } from './recording.js';
import { arrivals, type OpenSchedule, scheduleEndMs } from './schedule.js';

/** The name of a command's outcome in the summary: `ok`, `409 LINE_BUSY`, `timeout`, `network ECONNRESET`. */
export const outcomeOf = (result: CommandResult | Error): string => {
  if (result instanceof HttpTimeoutError) return 'timeout';
  if (result instanceof Error) return `network ${(result as NodeJS.ErrnoException).code ?? result.message}`;
  if (result.ok) return 'ok';
  return result.code ? `${result.status} ${result.code}` : String(result.status);
};

export interface RunContext {
  readonly api: ApiClient;
  readonly metrics: Metrics;
  readonly lag?: LagTracker;
  readonly timeoutMs: number;
  /** Called with each command as it is sent (the `--record` file). */
  readonly record?: (entry: RecordedCommand) => void;
  /** Stops new calls from starting; calls under way finish their current step and stop. */
  readonly stopped: () => boolean;
  /**
   * Aborted when the run is stopped, which ends its waits at once: for the next arrival, a think time
   * or a replayed command's offset. A Ctrl-C otherwise took effect only once the wait was over: 8.7 s
   * later at --rate 0.1, as long as a think time in the closed model.
   */
  readonly halted?: AbortSignal;
}

export interface RunCounters {
  startedAt: number;
  callsStarted: number;
  callsCompleted: number;
  callsFailed: number;
  sent: number;
  inflight: number;
  /** The open model's intended arrivals so far (target), for target vs achieved rate. */
  scheduled: number;
  /**
   * When the open model's arrivals ended: the end of its schedule, or later if the generator fell
   * behind it, or the first arrival a Ctrl-C left unstarted; undefined for the closed model. The rates
   * of calls started are counted up to here, not to the last answer.
   */
  arrivalsEndedAt: number | undefined;
  lastDoneAt: number;
}

export const newCounters = (): RunCounters => ({
  startedAt: performance.now(),
  callsStarted: 0,
  callsCompleted: 0,
  callsFailed: 0,
  sent: 0,
  inflight: 0,
  scheduled: 0,
  arrivalsEndedAt: undefined,
  lastDoneAt: performance.now(),
});

/** Waits until `instant`, or until `halted` is aborted, whichever comes first. */
const waitUntil = async (instant: number, halted?: AbortSignal): Promise<void> => {
  const wait = instant - performance.now();
  // setTimeout has millisecond granularity: shorter waits are sent at once (and may count as early).
  if (wait < 1) return;
  // Its abort is the run's stop, which the caller reads (stopped()) after the wait.
  await sleep(wait, undefined, { signal: halted }).catch(() => undefined);
};

/** Sends one command no earlier than `intendedAt` and charges its latency from that instant. */
export async function execute(
  context: RunContext,
  counters: RunCounters,
  command: ApiCommand,
  meta: { flow: string; intendedAt: number; record: Omit<RecordedCommand, 'seq' | 'offsetMs' | 'command'> },
): Promise<{ ok: boolean; result: CommandResult | Error; doneAt: number }> {
  await waitUntil(meta.intendedAt);
  const sentAt = performance.now();
  context.record?.({
    seq: counters.sent,
    offsetMs:
      meta.record.phase === 'setup' ? 0 : Math.round((meta.intendedAt - counters.startedAt) * 1000) / 1000,
    ...meta.record,
    command,
  });
  counters.sent++;
  counters.inflight++;
  let result: CommandResult | Error;
  try {
    result = await context.api.send(command, context.timeoutMs);
  } catch (error) {
    result = error instanceof Error ? error : new Error(String(error));
  }
  const doneAt = performance.now();
  counters.inflight--;
  counters.lastDoneAt = doneAt;
  const ok = !(result instanceof Error) && result.ok;
  context.metrics.record({
    type: command.type,
    flow: meta.flow,
    intendedAt: meta.intendedAt,
    sentAt,
    doneAt,
    outcome: outcomeOf(result),
    ok,
  });
  if (ok && context.lag && !(result instanceof Error) && result.position !== undefined) {
    context.lag.track(result.position, doneAt);
  }
  return { ok, result, doneAt };
}

/**
 * Runs one call's steps in order. Step n+1 is intended `thinkMs` after step n completed; a failed
 * step ends the call (its later steps would only fail in cascade and blur the outcome counts).
 */
export async function runCall(
  context: RunContext,
  counters: RunCounters,
  plan: CallPlan,
  intendedStart: number,
): Promise<void> {
  let intendedAt = intendedStart;
  for (let i = 0; i < plan.steps.length; i++) {
    const step = plan.steps[i]!;
    await waitUntil(intendedAt, context.halted);
    // Stopped before its first step (in the closed model's think time), the call never began.
    if (context.stopped()) return;
    if (i === 0) counters.callsStarted++;
    const { ok, doneAt } = await execute(context, counters, step.command, {
      flow: plan.flow,
      intendedAt,
      record: { phase: 'load', call: plan.index, flow: plan.flow, step: i },
    });
    intendedAt = doneAt + (plan.steps[i + 1]?.thinkMs ?? 0);
    if (!ok) {
      counters.callsFailed++;
      return;
    }
  }
  counters.callsCompleted++;
}

/**
 * The open model's pacing: each arrival's index and due instant (`startedAt` + its offset), handed
 * out once it is due. Behind schedule they come at once, but every 64 the loop gets a turn: answers
 * must still be read, or the backlog only grows. Arrivals `owns` declines (another shard's) are
 * skipped without waiting for them: the shards of a run together keep the whole run's schedule.
 */
export async function* dueArrivals(
  schedule: OpenSchedule,
  startedAt: number,
  owns: (index: number) => boolean = () => true,
  halted?: AbortSignal,
): AsyncGenerator<number> {
  let sinceYield = 0;
  let index = 0;
  for (const offset of arrivals(schedule)) {
    if (!owns(index++)) continue;
    const due = startedAt + offset;
    if (due - performance.now() >= 1) {
      await waitUntil(due, halted);
      sinceYield = 0;
    } else if (++sinceYield >= 64) {
      await yieldToLoop();
      sinceYield = 0;
    }
    yield due;
  }
}

/**
 * Open model: calls arrive on the schedule whether or not earlier ones have finished. With `owns`
 * (a shard), only the owned arrivals of the whole run's schedule: its rate is split by ownership.
 */
export async function runOpen(
  context: RunContext,
  counters: RunCounters,
  schedule: OpenSchedule,
  plan: (index: number) => CallPlan,
  owns: (index: number) => boolean = () => true,
): Promise<void> {
  const calls = new Set<Promise<void>>();
  let index = 0;
  const owned = (candidate: number): boolean => {
    if (!owns(candidate)) return false;
    index = candidate;
    return true;
  };
  let unstarted: number | undefined;
  for await (const due of dueArrivals(schedule, counters.startedAt, owned, context.halted)) {
    if (context.stopped()) {
      unstarted = due;
      break;
    }
    counters.scheduled++;
    const call = runCall(context, counters, plan(index), due);
    calls.add(call);
    void call.finally(() => calls.delete(call));
  }
  counters.arrivalsEndedAt =
    unstarted ?? Math.max(performance.now(), counters.startedAt + scheduleEndMs(schedule));
  await Promise.all(calls);
}

/**
 * Closed model: `concurrency` parties each run one call after another, waiting its first think time.
 * With `owns` (a shard), they take the owned calls only, in order; `maxCalls` bounds the whole run's
 * call indices (from `firstCall`), so the shards of a run together run its calls. Resolves to the
 * first call index not taken: where calls run after these (a warm-up's) can go on without reusing one.
 */
export async function runClosed(
  context: RunContext,
  counters: RunCounters,
  options: { concurrency: number; durationMs?: number; maxCalls?: number; firstCall?: number },
  plan: (index: number) => CallPlan,
  owns: (index: number) => boolean = () => true,
): Promise<number> {
  let next = options.firstCall ?? 0;
  const end = options.maxCalls === undefined ? Infinity : next + options.maxCalls;
  const deadline = options.durationMs === undefined ? Infinity : counters.startedAt + options.durationMs;
  const worker = async (): Promise<void> => {
    let readyAt = performance.now();
    for (;;) {
      if (context.stopped() || performance.now() >= deadline) return;
      while (!owns(next) && next < end) next++;
      if (next >= end) return;
      const call = plan(next++);
      await runCall(context, counters, call, readyAt + (call.steps[0]?.thinkMs ?? 0));
      readyAt = performance.now();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return next;
}

/**
 * Replays recorded load commands at their recorded offsets divided by `speed` (0: as fast as possible,
 * at most `concurrency` in flight), the first one at once. A command waits for the previous command
 * of its call, since a hold sent before the answer it follows would only be rejected. Setup is not
 * replayed here: like a run's, it is sent before the measured phase starts. Calls are counted as a
 * run counts them: started at their first replayed command, completed when their last one succeeds,
 * failed at the first one that does not (the rest of that call is skipped).
 */
export async function runReplay(
  context: RunContext,
  counters: RunCounters,
  entries: readonly RecordedCommand[],
  options: { speed: number; concurrency: number },
): Promise<void> {
  const lastOfCall = new Map<number, Promise<number | undefined>>();
  const lastIndexOfCall = new Map<number, number>();
  entries.forEach((entry, index) => {
    if (entry.call !== undefined) lastIndexOfCall.set(entry.call, index);
  });
  const running = new Set<Promise<unknown>>();
  const firstOffset = entries[0]?.offsetMs ?? 0;
  for (const [index, entry] of entries.entries()) {
    if (context.stopped()) break;
    if (options.speed === 0) {
      while (running.size >= options.concurrency) await Promise.race(running);
    } else {
      await waitUntil(counters.startedAt + (entry.offsetMs - firstOffset) / options.speed, context.halted);
      if (context.stopped()) break;
    }
    const scheduledAt =
      options.speed === 0
        ? performance.now()
        : counters.startedAt + (entry.offsetMs - firstOffset) / options.speed;
    const previous = entry.call === undefined ? undefined : lastOfCall.get(entry.call);
    if (entry.call !== undefined && previous === undefined) counters.callsStarted++;
    counters.scheduled++;
    const done = (async (): Promise<number | undefined> => {
      const previousDone = previous ? await previous : undefined;
      // The previous step of the call failed: this one would fail in cascade, skip it.
      if (previous && previousDone === undefined) return undefined;
      const { ok, doneAt } = await execute(context, counters, entry.command, {
        flow: entry.flow ?? entry.phase,
        intendedAt: Math.max(scheduledAt, previousDone ?? 0),
        record: { phase: entry.phase, call: entry.call, flow: entry.flow, step: entry.step },
      });
      if (entry.call !== undefined) {
        if (!ok) counters.callsFailed++;
        else if (lastIndexOfCall.get(entry.call) === index) counters.callsCompleted++;
      }
      return ok ? doneAt : undefined;
    })();
    if (entry.call !== undefined) lastOfCall.set(entry.call, done);
    running.add(done);
    void done.finally(() => running.delete(done));
  }
  await Promise.all(running);
}
