import { cpus } from 'node:os';
import { buildManifest, startProcess } from '#stack';
import type { Percentiles } from '#load';
import { runFixedRate, runStep, saturate, type FixedRateResult, type StepResult } from './e2e/measure.js';
import { startStackWithFloor } from './e2e/stack-with-floor.js';
import type { MainThreadShare } from './process-cpu.js';

/**
 * bench:e2e — end to end throughput of Switchboard on this machine, against a baseline measured in
 * the same run: the embedded store on a temp dir, the api and the projector as separate processes.
 *
 * 1. Baselines driven to saturation (requests/s): a no-op NestJS + Fastify endpoint, and the same
 *    endpoint appending one event through the official client (the cheapest conceivable command).
 * 2. The append-only floor in the open model: that append endpoint at the target rate of 2,000
 *    requests/s, latency from the intended send times, judged as a step is. Saturation figures do
 *    not compare with a step's: at low concurrency nothing batches, so each request costs more CPU.
 * 3. The highest sustained command rate: open-model steps of the default call mix (no think time) on
 *    a fresh account each, measured after a warm-up at the same rate, doubling the call rate while a
 *    step passes, then bisecting to within 5% (BISECT_TO). A step passes when p99 latency (from the
 *    intended send time) is under 50 ms, no command fails, and the achieved call rate is at least 95%
 *    of the target (the generator kept up: it was not the bottleneck silently).
 * 4. The append-only floor again at the best step's commands/s: a command's CPU over the floor's at
 *    the same rate says what everything beyond one append costs (validation, domain, projector).
 *    Then once more with a process that follows `$all` and does nothing with what it receives: the
 *    share of that any read side pays, however little it does (bench/e2e/null-reader.ts).
 * 5. Read-model lag at half the best step's rate.
 * Each step also reports the CPU every process spent per command (store, api, projector and this
 * process, the load generator): on a machine they share, that bounds what any tuning could reach.
 * And each process's main thread, the one a Node process serves on: its share of the step's wall
 * time on a core and waiting for one (/proc/<pid>/schedstat), which says which process saturates
 * first and whether a slow answer waited for its work or for a core.
 */
const STEP_MS = Number(process.env.BENCH_STEP_MS ?? 5_000);
/** Unmeasured calls at a step's rate on its fresh account first: a sustained rate is steady state (see runStep). */
const STEP_WARM_UP_MS = Number(process.env.BENCH_STEP_WARM_UP_MS ?? 3_000);
const P99_LIMIT_MS = 50;
/**
 * Bisecting stops once the failing rate is within this fraction of the passing one. Three halvings
 * from the doubling's bracket left it at 12.5% (500 → 550 → 600 calls/s, about 160 commands/s apart),
 * coarser than the spread between runs; 5% takes one or two steps more.
 */
const BISECT_TO = 0.05;
/** Unmeasured appends the null reader receives first, as the stack's processes had their warm-up step. */
const READER_WARM_UP_MS = 2_000;
/** The issue's target on this machine. */
const TARGET_COMMANDS_PER_SECOND = 2_000;
/** The issue's other target: the highest sustained rate over the no-op endpoint's, measured in the same run. */
const TARGET_RATIO_TO_NOOP = 0.4;
/** The load testers' target: a command's CPU at most this many times the append-only floor's. */
const TARGET_CPU_OVER_FLOOR = 1.2;
/** And read-model lag p99 at half the highest sustained rate. */
const TARGET_LAG_P99_MS = 100;

const sustained = (latency: Percentiles, errors: number, achieved: number, target: number): boolean =>
  latency.p99 < P99_LIMIT_MS && errors === 0 && achieved >= 0.95 * target;
const passes = (step: StepResult): boolean =>
  sustained(step.latency, step.errors, step.achievedCallsPerSecond, step.targetCallsPerSecond);
const floorPasses = (floor: FixedRateResult): boolean =>
  sustained(floor.latency, floor.errors, floor.achievedRequestsPerSecond, floor.targetRequestsPerSecond);

/** Machine CPU per unit of work: every measured process plus the load generator (`self`). */
const machineCpuMs = (cpu: Record<string, number | undefined>): number | undefined =>
  Object.values(cpu).some((ms) => ms === undefined)
    ? undefined
    : Object.values(cpu).reduce<number>((sum, ms) => sum + ms!, 0);

/** The load generator is this process, `self` to the meters. */
const processName = (name: string): string => (name === 'self' ? 'generator' : name);

const describeCpu = (cpu: Record<string, number | undefined>): string =>
  Object.entries(cpu)
    .map(([name, ms]) => `${processName(name)} ${ms === undefined ? 'n/a' : ms.toFixed(3)}`)
    .join(', ');

const percent = (share: number): string => `${Math.round(share * 100)}%`;

/** Each main thread's share of the wall time on a core, and waiting for one. */
const describeThreads = (threads: Record<string, MainThreadShare | undefined>): string =>
  Object.entries(threads)
    .map(
      ([name, share]) =>
        `${processName(name)} ${share ? `${percent(share.busy)} busy, ${percent(share.waiting)} waiting` : 'n/a'}`,
    )
    .join('; ');

/** The thread that saturates first: on one thread a process can use at most one core. */
const busiestThread = (threads: Record<string, MainThreadShare | undefined>): string => {
  const [name, share] = Object.entries(threads)
    .filter((entry): entry is [string, MainThreadShare] => entry[1] !== undefined)
    .sort(([, a], [, b]) => b.busy - a.busy)[0] ?? ['n/a', undefined];
  return share
    ? `busiest thread ${processName(name)} ${percent(share.busy)} (waiting ${percent(share.waiting)})`
    : 'busiest thread n/a';
};

const line = (step: StepResult): string =>
  `  ${step.targetCallsPerSecond.toFixed(0).padStart(6)} calls/s → ${step.commandsPerSecond.toFixed(0).padStart(6)} cmd/s  ` +
  `p50 ${step.latency.p50.toFixed(1)} p99 ${step.latency.p99.toFixed(1)} max ${step.latency.max.toFixed(1)} ms  ` +
  `errors ${step.errors}  cpu/cmd ${machineCpuMs(step.cpuMsPerCommand)?.toFixed(2) ?? 'n/a'} ms  ` +
  `${busiestThread(step.mainThreads)}  ${passes(step) ? 'PASS' : 'fail'}`;

const floorLine = (floor: FixedRateResult, name = 'append-only floor'): string =>
  `${name}, open model: ${floor.targetRequestsPerSecond.toFixed(0)} → ` +
  `${floor.achievedRequestsPerSecond.toFixed(0)} requests/s  p50 ${floor.latency.p50.toFixed(1)} ` +
  `p99 ${floor.latency.p99.toFixed(1)} max ${floor.latency.max.toFixed(1)} ms  errors ${floor.errors}  ` +
  `(CPU ms per request: ${describeCpu(floor.cpuMsPerRequest)} = ` +
  `${machineCpuMs(floor.cpuMsPerRequest)?.toFixed(2) ?? 'n/a'}; ${busiestThread(floor.mainThreads)})  ` +
  `${floorPasses(floor) ? 'PASS' : 'fail'}`;

const manifest = buildManifest('bench:e2e', {
  stepMs: STEP_MS,
  stepWarmUpMs: STEP_WARM_UP_MS,
  p99LimitMs: P99_LIMIT_MS,
});
const { stack, noop, stop } = await startStackWithFloor();
try {
  console.log(`bench:e2e on ${cpus().length} cpus, node ${process.version}, commit ${manifest.gitCommit}`);
  await saturate(noop.address, '/noop', 64, 1_000); // warm-up
  const noopRun = await saturate(noop.address, '/noop', 64, STEP_MS, { noop: noop.process.pid! });
  const noopRate = noopRun.requestsPerSecond;
  console.log(
    `no-op NestJS+Fastify endpoint: ${noopRate.toFixed(0)} requests/s ` +
      `(CPU ms per request: ${describeCpu(noopRun.cpuMsPerRequest)})`,
  );
  await saturate(noop.address, '/append', 64, 1_000); // warm-up
  const appendRun = await saturate(noop.address, '/append', 64, STEP_MS, {
    noop: noop.process.pid!,
    store: stack.store.process.pid!,
  });
  console.log(
    `same endpoint + one append through the official client: ${appendRun.requestsPerSecond.toFixed(0)} ` +
      `requests/s, ratio ${(appendRun.requestsPerSecond / noopRate).toFixed(3)} ` +
      `(CPU ms per request: ${describeCpu(appendRun.cpuMsPerRequest)})`,
  );
  const floorProcesses = { noop: noop.process.pid!, store: stack.store.process.pid! };
  const appendOnlyFloor = (rate: number): Promise<FixedRateResult> =>
    runFixedRate(noop.address, '/append', rate, STEP_MS, floorProcesses);
  /**
   * The same with a process following `$all` that does nothing with what it receives: the cheapest
   * conceivable read side. Started for this measurement only, so that no step pays for it.
   */
  const readingFloor = async (rate: number): Promise<FixedRateResult> => {
    const reader = await startProcess(
      'null-reader',
      'dist/bench/e2e/null-reader.js',
      [],
      { EVENTSTORE_CONNECTION_STRING: stack.store.address },
      /null reader following \$all of (\S+)/,
    );
    try {
      await runFixedRate(noop.address, '/append', rate, READER_WARM_UP_MS, {}); // its JIT, its first events
      return await runFixedRate(noop.address, '/append', rate, STEP_MS, {
        ...floorProcesses,
        reader: reader.process.pid!,
      });
    } finally {
      await reader.stop();
    }
  };
  const floorAtTarget = await appendOnlyFloor(TARGET_COMMANDS_PER_SECOND);
  console.log(floorLine(floorAtTarget));

  const step = (rate: number, measureLag = false): Promise<StepResult> =>
    runStep({
      apiUrl: stack.api.address,
      projectorUrl: stack.projector.address,
      rate,
      warmUpMs: STEP_WARM_UP_MS,
      durationMs: STEP_MS,
      runId: `r${Math.round(rate)}-${Date.now().toString(36)}`,
      measureLag,
      processes: {
        store: stack.store.process.pid!,
        api: stack.api.process.pid!,
        projector: stack.projector.process.pid!,
      },
    });
  await step(20); // warm-up: JIT, connection pools, caches
  console.log('open-model steps:');
  const results: StepResult[] = [];
  let best: StepResult | undefined;
  let failing: number | undefined;
  for (let rate = 50; failing === undefined; rate *= 2) {
    const result = await step(rate);
    results.push(result);
    console.log(line(result));
    if (passes(result)) best = result;
    else failing = rate;
  }
  let low = best?.targetCallsPerSecond ?? 0;
  let high = failing;
  // Nothing passed even at the first rate (low stays 0): there is no bracket to narrow.
  while (low > 0 && high - low > BISECT_TO * low) {
    const rate = Math.round((low + high) / 2);
    const result = await step(rate);
    results.push(result);
    console.log(line(result));
    if (passes(result)) {
      best = result;
      low = rate;
    } else high = rate;
  }
  const maxCommands = best?.commandsPerSecond ?? 0;
  const floorAtBest = best ? await appendOnlyFloor(best.commandsPerSecond) : undefined;
  if (floorAtBest) console.log(floorLine(floorAtBest));
  const readingFloorAtBest = best ? await readingFloor(best.commandsPerSecond) : undefined;
  if (readingFloorAtBest)
    console.log(floorLine(readingFloorAtBest, 'append-only floor + a reader of every event'));
  await noop.stop();
  const half = best ? await step(best.targetCallsPerSecond / 2, true) : undefined;
  const commandCpuMs = best ? machineCpuMs(best.cpuMsPerCommand) : undefined;
  const floorCpuMs = floorAtBest ? machineCpuMs(floorAtBest.cpuMsPerRequest) : undefined;
  const commandOverFloor =
    commandCpuMs === undefined || floorCpuMs === undefined
      ? undefined
      : { commandCpuMs, floorCpuMs, ratio: commandCpuMs / floorCpuMs };
  const report = {
    manifest,
    noopRequestsPerSecond: Math.round(noopRate),
    noopCpuMsPerRequest: noopRun.cpuMsPerRequest,
    appendOnlyRequestsPerSecond: Math.round(appendRun.requestsPerSecond),
    appendOnlyCpuMsPerRequest: appendRun.cpuMsPerRequest,
    maxSustained: best
      ? {
          callsPerSecond: best.targetCallsPerSecond,
          commandsPerSecond: Math.round(maxCommands),
          latencyMs: best.latency,
          cpuMsPerCommand: best.cpuMsPerCommand,
          cpuBoundCommandsPerSecond:
            commandCpuMs === undefined ? null : Math.round((cpus().length * 1000) / commandCpuMs),
        }
      : null,
    appendOnlyOpenModel: {
      atTarget: { ...floorAtTarget, passes: floorPasses(floorAtTarget) },
      atBest: floorAtBest
        ? {
            ...floorAtBest,
            passes: floorPasses(floorAtBest),
            commandCpuRatio: commandOverFloor ? Math.round(commandOverFloor.ratio * 100) / 100 : null,
          }
        : null,
      withReaderAtBest: readingFloorAtBest
        ? {
            ...readingFloorAtBest,
            passes: floorPasses(readingFloorAtBest),
          }
        : null,
    },
    ratioToNoop: Math.round((maxCommands / noopRate) * 1000) / 1000,
    lagAtHalfLoad: half
      ? {
          commandsPerSecond: Math.round(half.commandsPerSecond),
          lagMs: half.lag,
          unresolved: half.lagUnresolved,
        }
      : null,
    targets: {
      commandsPerSecond: {
        target: TARGET_COMMANDS_PER_SECOND,
        actual: Math.round(maxCommands),
        met: maxCommands >= TARGET_COMMANDS_PER_SECOND,
      },
      ratioToNoop: {
        target: TARGET_RATIO_TO_NOOP,
        actual: maxCommands / noopRate,
        met: maxCommands / noopRate >= TARGET_RATIO_TO_NOOP,
      },
      cpuOverFloor: {
        target: TARGET_CPU_OVER_FLOOR,
        actual: commandOverFloor?.ratio ?? null,
        met: commandOverFloor !== undefined && commandOverFloor.ratio <= TARGET_CPU_OVER_FLOOR,
      },
      lagP99AtHalfLoadMs: {
        target: TARGET_LAG_P99_MS,
        actual: half?.lag?.p99 ?? null,
        met: (half?.lag?.p99 ?? Infinity) < TARGET_LAG_P99_MS,
      },
    },
    steps: results,
  };
  console.log('');
  console.log(
    `highest sustained rate: ${Math.round(maxCommands)} commands/s (p99 < ${P99_LIMIT_MS} ms, no errors)`,
  );
  console.log(`no-op NestJS+Fastify:   ${Math.round(noopRate)} requests/s → ratio ${report.ratioToNoop}`);
  if (best && commandCpuMs !== undefined) {
    // Every process shares this machine's cores, so CPU per command bounds the rate any tuning of
    // the queueing could reach.
    console.log(
      `CPU per command at that rate: ${describeCpu(best.cpuMsPerCommand)} = ${commandCpuMs.toFixed(2)} ms ` +
        `→ even at 100% of ${cpus().length} cores at most ${report.maxSustained!.cpuBoundCommandsPerSecond} commands/s`,
    );
    // Near the limit p99 is set by how long a command waits for the api's one thread, and that thread
    // for a core: these say which of the two it was.
    console.log(`main threads at that rate: ${describeThreads(best.mainThreads)}`);
  }
  console.log(
    `append-only floor at ${TARGET_COMMANDS_PER_SECOND} requests/s: p99 ${floorAtTarget.latency.p99.toFixed(1)} ms, ` +
      `errors ${floorAtTarget.errors} → the floor itself ${floorPasses(floorAtTarget) ? 'meets' : 'misses'} ` +
      `p99 < ${P99_LIMIT_MS} ms at the target`,
  );
  const floorCpuAtTarget = machineCpuMs(floorAtTarget.cpuMsPerRequest);
  if (floorCpuAtTarget !== undefined) {
    // What the target leaves for everything a command does beyond one append: validation, the
    // domain, the api's own subscription, the projector reading and applying every event.
    const budgetMs = (cpus().length * 1000) / TARGET_COMMANDS_PER_SECOND;
    console.log(
      `  it takes ${((floorCpuAtTarget * TARGET_COMMANDS_PER_SECOND) / 1000).toFixed(2)} of ${cpus().length} cores ` +
        `there, leaving ${(budgetMs - floorCpuAtTarget).toFixed(2)} ms CPU per command for the rest at 100% CPU`,
    );
  }
  const appendOnlyRatio = appendRun.requestsPerSecond / noopRate;
  console.log(
    `one append through the official client at saturation: ratio ${appendOnlyRatio.toFixed(3)} to the no-op ` +
      `endpoint` +
      (appendOnlyRatio < TARGET_RATIO_TO_NOOP
        ? `: no command that appends through the client can reach the ${TARGET_RATIO_TO_NOOP} target`
        : ''),
  );
  if (commandOverFloor) {
    console.log(
      `a command costs ${commandOverFloor.ratio.toFixed(1)}× the cheapest conceivable command at this rate ` +
        `(${Math.round(maxCommands)}/s: ${commandOverFloor.commandCpuMs.toFixed(2)} ms CPU per command vs ` +
        `${commandOverFloor.floorCpuMs.toFixed(2)} ms per append-only request)`,
    );
  }
  const readerCpuMs = readingFloorAtBest?.cpuMsPerRequest.reader;
  if (readerCpuMs !== undefined && floorCpuMs !== undefined) {
    // Whatever projects read models from the log pays at least what this reader pays, in its own
    // process (the store's part moves with the floor's run-to-run spread, so it is shown, not counted):
    // against what the target leaves beyond one append, before any validation, domain or projection.
    const allowance = (TARGET_CPU_OVER_FLOOR - 1) * floorCpuMs;
    const storeMore =
      (readingFloorAtBest!.cpuMsPerRequest.store ?? NaN) - (floorAtBest!.cpuMsPerRequest.store ?? NaN);
    console.log(
      `a reader of every event that does nothing with it costs ${readerCpuMs.toFixed(3)} ms per event in its own ` +
        `process (the store ${storeMore >= 0 ? '+' : ''}${storeMore.toFixed(3)}): ` +
        `${Math.round((readerCpuMs / allowance) * 100)}% of the ${allowance.toFixed(2)} ms that ` +
        `${TARGET_CPU_OVER_FLOOR}× the floor leaves for everything beyond one append`,
    );
  }
  console.log(
    `read-model lag at half load: p50 ${half?.lag?.p50 ?? '-'} p99 ${half?.lag?.p99 ?? '-'} max ${half?.lag?.max ?? '-'} ms`,
  );
  console.log(JSON.stringify(report, null, 2));
} finally {
  await stop();
}
