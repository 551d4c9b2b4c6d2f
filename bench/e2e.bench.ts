import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildManifest } from '../apps/cli/src/manifest.js';
import { startProcess, startStack } from '../apps/cli/src/stack.js';
import { runStep, saturate, type StepResult } from './e2e/measure.js';

/**
 * bench:e2e — end to end throughput of Switchboard on this machine, against a baseline measured in
 * the same run: the embedded store on a temp dir, the api and the projector as separate processes.
 *
 * 1. Baseline: a no-op NestJS + Fastify endpoint driven to saturation (requests/s).
 * 2. The highest sustained command rate: open-model steps of the default call mix (no think time),
 *    doubling the call rate while a step passes, then bisecting. A step passes when p99 latency
 *    (from the intended send time) is under 50 ms, no command fails, and the achieved call rate is
 *    at least 95% of the target (the generator kept up: it was not the bottleneck silently).
 * 3. Read-model lag at half that rate.
 */
const STEP_MS = Number(process.env.BENCH_STEP_MS ?? 5_000);
const P99_LIMIT_MS = 50;

const passes = (step: StepResult): boolean =>
  step.latency.p99 < P99_LIMIT_MS &&
  step.errors === 0 &&
  step.achievedCallsPerSecond >= 0.95 * step.targetCallsPerSecond;

const line = (step: StepResult): string =>
  `  ${step.targetCallsPerSecond.toFixed(0).padStart(6)} calls/s → ${step.commandsPerSecond.toFixed(0).padStart(6)} cmd/s  ` +
  `p50 ${step.latency.p50.toFixed(1)} p99 ${step.latency.p99.toFixed(1)} max ${step.latency.max.toFixed(1)} ms  ` +
  `errors ${step.errors}  ${passes(step) ? 'PASS' : 'fail'}`;

const manifest = buildManifest('bench:e2e', { stepMs: STEP_MS, p99LimitMs: P99_LIMIT_MS });
const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-bench-store-'));
const noop = await startProcess(
  'noop',
  'dist/bench/e2e/noop-server.js',
  [],
  {},
  /noop listening on (http:\/\/\S+)/,
);
const stack = await startStack({}, dataDir);
try {
  console.log(`bench:e2e on ${cpus().length} cpus, node ${process.version}, commit ${manifest.gitCommit}`);
  await saturate(noop.address, '/noop', 64, 1_000); // warm-up
  const noopRate = await saturate(noop.address, '/noop', 64, STEP_MS);
  console.log(`no-op NestJS+Fastify endpoint: ${noopRate.toFixed(0)} requests/s`);
  await noop.stop();

  const step = (rate: number, measureLag = false): Promise<StepResult> =>
    runStep({
      apiUrl: stack.api.address,
      projectorUrl: stack.projector.address,
      rate,
      durationMs: STEP_MS,
      runId: `r${Math.round(rate)}-${Date.now().toString(36)}`,
      measureLag,
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
  for (let i = 0; i < 3 && high - low > 10; i++) {
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
  const half = best ? await step(best.targetCallsPerSecond / 2, true) : undefined;
  const report = {
    manifest,
    noopRequestsPerSecond: Math.round(noopRate),
    maxSustained: best
      ? {
          callsPerSecond: best.targetCallsPerSecond,
          commandsPerSecond: Math.round(maxCommands),
          latencyMs: best.latency,
        }
      : null,
    ratioToNoop: Math.round((maxCommands / noopRate) * 1000) / 1000,
    lagAtHalfLoad: half
      ? {
          commandsPerSecond: Math.round(half.commandsPerSecond),
          lagMs: half.lag,
          unresolved: half.lagUnresolved,
        }
      : null,
    targets: {
      commandsPerSecond: { target: 2000, actual: Math.round(maxCommands), met: maxCommands >= 2000 },
      ratioToNoop: { target: 0.4, actual: maxCommands / noopRate, met: maxCommands / noopRate >= 0.4 },
      lagP99AtHalfLoadMs: {
        target: 100,
        actual: half?.lag?.p99 ?? null,
        met: (half?.lag?.p99 ?? Infinity) < 100,
      },
    },
    steps: results,
  };
  console.log('');
  console.log(
    `highest sustained rate: ${Math.round(maxCommands)} commands/s (p99 < ${P99_LIMIT_MS} ms, no errors)`,
  );
  console.log(`no-op NestJS+Fastify:   ${Math.round(noopRate)} requests/s → ratio ${report.ratioToNoop}`);
  console.log(
    `read-model lag at half load: p50 ${half?.lag?.p50 ?? '-'} p99 ${half?.lag?.p99 ?? '-'} max ${half?.lag?.max ?? '-'} ms`,
  );
  console.log(JSON.stringify(report, null, 2));
} finally {
  await noop.stop();
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
}
