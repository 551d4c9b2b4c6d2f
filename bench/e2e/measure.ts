import { performance } from 'node:perf_hooks';
import { cpuMeter, mainThreadMeter, msPerUnit, type MainThreadShare } from '../process-cpu.js';
import {
  ApiClient,
  buildTopology,
  type CallPlan,
  DEFAULT_MIX,
  dueArrivals,
  execute,
  HttpClient,
  LagPoller,
  LagTracker,
  Metrics,
  newCounters,
  outcomeOf,
  parseMix,
  parseThinkTime,
  type Percentiles,
  percentilesOf,
  planCall,
  readResult,
  type RunContext,
  runOpen,
  setupCommands,
  warmUpSchedule,
} from '#load';

export interface StepResult {
  readonly targetCallsPerSecond: number;
  readonly achievedCallsPerSecond: number;
  readonly commandsPerSecond: number;
  readonly commands: number;
  readonly errors: number;
  readonly outcomes: Record<string, number>;
  /** Outcomes of the unmeasured warm-up calls: its errors count in `errors`. */
  readonly warmUpOutcomes: Record<string, number>;
  readonly latency: Percentiles;
  readonly lag: Percentiles | null;
  readonly lagUnresolved: number;
  /** CPU each process spent per completed command, in ms (`self`: this process, the load generator). */
  readonly cpuMsPerCommand: Record<string, number | undefined>;
  /** How busy each process's main thread was over the measured window, and how long it waited for a core. */
  readonly mainThreads: Record<string, MainThreadShare | undefined>;
}

/**
 * One open-model step against the api: a fresh account, then the default mix with no think time,
 * ramped up to `rate` calls/s over `warmUpMs` unmeasured and then held there for `durationMs`
 * measured, latency from the intended send times.
 *
 * The warm-up is there because a step asks for a sustained rate, and a fresh account's first seconds
 * are not its steady state: the api reads every line's history for the first time, the HTTP pool
 * grows to the concurrency. Measured on this machine, the first 1–3 s after provisioning ran at p50
 * 10–270 ms where the same rate, a few seconds on, ran at p50 1–2 ms; in a 5 s step they alone
 * decided its p99. It ramps, as a load test does, because at full rate those slow first seconds let
 * calls pile onto lines still busy with earlier ones (LINE_BUSY, refused as R12 says). Errors during
 * the warm-up still fail the step.
 */
export async function runStep(options: {
  apiUrl: string;
  projectorUrl: string;
  rate: number;
  warmUpMs: number;
  durationMs: number;
  runId: string;
  measureLag: boolean;
  /** Processes whose CPU time to account per command, by name (pid). */
  processes: Readonly<Record<string, number>>;
  /** Called just before the measured calls start and just after the last one answered (bench:alloc's probe). */
  measuredWindow?: { started(): Promise<void>; ended(): Promise<void> };
}): Promise<StepResult> {
  const api = new ApiClient(options.apiUrl, 512);
  const topology = buildTopology({
    accountId: `bench-${options.runId}`,
    delegators: 16,
    delegatesPerDelegator: 2,
    lines: 320,
  });
  const metrics = new Metrics(5);
  const lag = options.measureLag ? new LagTracker() : undefined;
  const poller = lag
    ? new LagPoller(options.projectorUrl, `/accounts/${topology.accountId}/roster`, lag, 5)
    : undefined;
  const counters = newCounters();
  const context: RunContext = { api, metrics, lag, timeoutMs: 10_000, stopped: () => false };
  try {
    const setup = { ...context, metrics: new Metrics(Infinity), lag: undefined };
    for (const command of setupCommands(topology)) {
      const { ok, result } = await execute(setup, counters, command, {
        flow: 'setup',
        intendedAt: performance.now(),
        record: { phase: 'setup' },
      });
      if (!ok)
        throw new Error(
          `provisioning failed at ${command.type}: ${JSON.stringify(result instanceof Error ? result.message : result.body)}`,
        );
    }
    await readEveryLine(options.apiUrl, topology);
    const mix = parseMix(DEFAULT_MIX);
    const think = parseThinkTime('0');
    const plan = (index: number): CallPlan => planCall(topology, { seed: options.runId, mix, think }, index);
    const warmUpMetrics = new Metrics(5);
    const warmUp = newCounters();
    warmUp.startedAt = performance.now();
    await runOpen(
      { ...context, metrics: warmUpMetrics, lag: undefined },
      warmUp,
      warmUpSchedule(options.rate, options.warmUpMs),
      plan,
    );
    // The measured calls go on from the warm-up's: a call id is not reused while its call may be live.
    const firstMeasured = warmUp.scheduled;
    const cpu = await cpuMeter(options.processes);
    const threads = await mainThreadMeter(options.processes);
    await options.measuredWindow?.started();
    counters.startedAt = performance.now();
    poller?.start();
    await runOpen(context, counters, { rate: options.rate, durationMs: options.durationMs }, (index) =>
      plan(firstMeasured + index),
    );
    await options.measuredWindow?.ended();
    const seconds = (counters.lastDoneAt - counters.startedAt) / 1000;
    const cpuMicros = await cpu.stop();
    const mainThreads = await threads.stop();
    if (poller) await poller.drain(10_000);
    return {
      targetCallsPerSecond: options.rate,
      achievedCallsPerSecond: counters.callsStarted / seconds,
      commandsPerSecond: metrics.completed / seconds,
      commands: metrics.completed,
      errors: metrics.errors + warmUpMetrics.errors,
      outcomes: Object.fromEntries(metrics.outcomes),
      warmUpOutcomes: Object.fromEntries(warmUpMetrics.outcomes),
      latency: percentilesOf(metrics.all),
      lag: lag ? percentilesOf(lag.histogram) : null,
      lagUnresolved: lag?.pending ?? 0,
      cpuMsPerCommand: msPerUnit(cpuMicros, metrics.completed),
      mainThreads,
    };
  } finally {
    poller?.stop();
    api.close();
  }
}

/** Line reads in flight at once while a step's fresh account is read (see readEveryLine). */
const LINE_READS_IN_FLIGHT = 16;

/**
 * Reads every line of a step's fresh account through the api before the step's calls start, so
 * that no measured command pays for a line's first load. Calls take the lines in turn (call n on
 * line n mod lines), so the warm-up's calls reach only as many lines as it has calls: at 100 calls/s
 * about 190 of the 320, at 20 calls/s about 40. The rest were first loaded inside the measured
 * window, each a snapshot read and a stream read, some answered "not found" (an error built with its
 * stack), on the command's path: low-rate steps measured a fresh account's cold start instead of a
 * sustained rate, with CPU per command several times that of the higher rates (api 5.8 ms at 20
 * calls/s, 1.4 at 100 in one run), and the search could stop at the first rate below the one where
 * the warm-up reaches every line. The first load is what a long-lived line pays once per api process.
 */
async function readEveryLine(apiUrl: string, topology: ReturnType<typeof buildTopology>): Promise<void> {
  const http = new HttpClient(apiUrl, LINE_READS_IN_FLIGHT);
  const numbers = topology.lines.map((line) => line.number.replace(/^\+/, ''));
  let next = 0;
  const reader = async (): Promise<void> => {
    while (next < numbers.length) {
      const path = `/accounts/${encodeURIComponent(topology.accountId)}/lines/${encodeURIComponent(numbers[next++]!)}`;
      const response = await http.send('GET', path);
      if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: LINE_READS_IN_FLIGHT }, reader));
  } finally {
    http.close();
  }
}

/** What the load generator sends the baseline endpoints: the shape of a command's body. */
const BASELINE_BODY = { actor: 'bench', commandId: 'noop' };

/**
 * Closed loop at saturation: `concurrency` requests always in flight for `durationMs`. Answers
 * requests/s and the CPU each process (and this one, `self`) spent per request, in ms.
 */
export async function saturate(
  url: string,
  path: string,
  concurrency: number,
  durationMs: number,
  processes: Readonly<Record<string, number>> = {},
): Promise<{ requestsPerSecond: number; cpuMsPerRequest: Record<string, number | undefined> }> {
  const http = new HttpClient(url, concurrency);
  const deadline = performance.now() + durationMs;
  let completed = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const res = await http.send('POST', path, BASELINE_BODY);
      if (res.status !== 200) throw new Error(`POST ${path} answered ${res.status}`);
      completed++;
    }
  };
  const cpu = await cpuMeter(processes);
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const cpuMicros = await cpu.stop();
  http.close();
  return {
    requestsPerSecond: completed / seconds,
    cpuMsPerRequest: msPerUnit(cpuMicros, completed),
  };
}

export interface FixedRateResult {
  readonly targetRequestsPerSecond: number;
  readonly achievedRequestsPerSecond: number;
  readonly requests: number;
  readonly errors: number;
  readonly outcomes: Record<string, number>;
  readonly latency: Percentiles;
  /** CPU each process spent per completed request, in ms (`self`: this process, the load generator). */
  readonly cpuMsPerRequest: Record<string, number | undefined>;
  /** How busy each process's main thread was, and how long it waited for a core. */
  readonly mainThreads: Record<string, MainThreadShare | undefined>;
}

/**
 * Open model against one endpoint, as the open-model steps drive the api: `rate` evenly spaced
 * requests/s for `durationMs`, each sent on schedule whether or not earlier ones have answered, and
 * its latency counted from its intended send time, so a stall is charged to every request it delayed.
 * Its CPU per request compares with a step's CPU per command at the same rate, where `saturate`'s
 * does not: how much batching amortises depends on how many requests are in flight.
 */
export async function runFixedRate(
  url: string,
  path: string,
  rate: number,
  durationMs: number,
  processes: Readonly<Record<string, number>>,
): Promise<FixedRateResult> {
  const http = new HttpClient(url, 512);
  const metrics = new Metrics(5);
  const requests: Promise<void>[] = [];
  let lastDoneAt = 0;
  const send = async (intendedAt: number): Promise<void> => {
    const sentAt = performance.now();
    const result = await http.send('POST', path, BASELINE_BODY).then(readResult, (error: Error) => error);
    lastDoneAt = performance.now();
    const outcome = outcomeOf(result);
    metrics.record({
      type: path,
      flow: path,
      intendedAt,
      sentAt,
      doneAt: lastDoneAt,
      outcome,
      ok: outcome === 'ok',
    });
  };
  const cpu = await cpuMeter(processes);
  const threads = await mainThreadMeter(processes);
  const startedAt = performance.now();
  for await (const due of dueArrivals({ rate, durationMs }, startedAt)) requests.push(send(due));
  await Promise.all(requests);
  http.close();
  const seconds = (lastDoneAt - startedAt) / 1000;
  const cpuMicros = await cpu.stop();
  const mainThreads = await threads.stop();
  return {
    targetRequestsPerSecond: rate,
    achievedRequestsPerSecond: metrics.completed / seconds,
    requests: metrics.completed,
    errors: metrics.errors,
    outcomes: Object.fromEntries(metrics.outcomes),
    latency: percentilesOf(metrics.all),
    cpuMsPerRequest: msPerUnit(cpuMicros, metrics.completed),
    mainThreads,
  };
}
