import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildManifest, repoRoot, type StartedProcess } from '#stack';
import { attribute, type ProfileNode } from './alloc/attribution.js';
import { runFixedRate, runStep } from './e2e/measure.js';
import { startStackWithFloor } from './e2e/stack-with-floor.js';

/**
 * bench:alloc — bytes the api allocates per command, and who allocates them, against the append-only
 * floor (bench/e2e/noop-server.ts's `POST /append`) measured in the same run. Unlike time, bytes
 * allocated per command do not move with the load of a shared machine: young collections, whose
 * pauses set p99 near the limit (docs/capacity.md), come in proportion to them.
 *
 * Each run is a step of the load generator's default mix on a fresh account (as bench:e2e's, after
 * its warm-up at the same rate), then the floor at the commands/s that step achieved. The api and the
 * floor's endpoint load bench/alloc/probe.js, which counts what they allocate over the measured window
 * only. Prints every run and the median of the runs; who allocates comes from V8's sampling heap
 * profile of the last run, twice: by the library whose code allocated, and by the nearest Switchboard
 * function on the stack (what of ours caused it).
 *
 * Run: `npm run build && node dist/bench/alloc.bench.js`. ALLOC_RUNS, ALLOC_CALLS_PER_SECOND,
 * ALLOC_WARM_UP_MS and ALLOC_MEASURED_MS shape the runs; ALLOC_PROFILE_OUT keeps the last profile.
 */
const RUNS = Number(process.env.ALLOC_RUNS ?? 3);
const CALLS_PER_SECOND = Number(process.env.ALLOC_CALLS_PER_SECOND ?? 150);
const WARM_UP_MS = Number(process.env.ALLOC_WARM_UP_MS ?? 5_000);
const MEASURED_MS = Number(process.env.ALLOC_MEASURED_MS ?? 10_000);
const TOP_SITES = Number(process.env.ALLOC_TOP ?? 15);
/** Where to keep the last run's api profile, for Chrome DevTools' Memory tab (`.heapprofile`). */
const PROFILE_OUT = process.env.ALLOC_PROFILE_OUT;

interface ProbeReport {
  readonly allocatedBytes: number;
  readonly collections: number;
  readonly gcMs: number;
  readonly profile: { readonly head: ProfileNode };
}

const probeDir = await mkdtemp(join(tmpdir(), 'switchboard-alloc-'));
const probeOptions = {
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${resolve(repoRoot(), 'dist/bench/alloc/probe.js')}`,
  ALLOC_PROBE_DIR: probeDir,
};

/** The probe's window in one process: `started` and `ended` resolve once it has answered. */
const probeWindow = (
  started: StartedProcess,
): { started(): Promise<void>; ended(): Promise<void>; report(): Promise<ProbeReport> } => {
  const ask = (command: 'start' | 'stop', answer: string): Promise<void> =>
    new Promise((answered, fail) => {
      let reply = '';
      const connection = connect(join(probeDir, `probe-${started.process.pid}.sock`), () =>
        connection.write(command),
      );
      connection.setEncoding('utf8');
      connection.on('data', (chunk: string) => (reply += chunk));
      connection.on('error', fail);
      connection.on('end', () =>
        reply.startsWith(answer)
          ? answered()
          : fail(new Error(`${started.name}'s allocation probe answered ${command} with: ${reply}`)),
      );
    });
  return {
    started: () => ask('start', 'alloc-probe started'),
    ended: () => ask('stop', 'alloc-probe wrote'),
    report: async () =>
      JSON.parse(await readFile(join(probeDir, `alloc-${started.process.pid}.json`), 'utf8')) as ProbeReport,
  };
};

const kb = (bytes: number): string => (bytes / 1024).toFixed(1);
const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;

function printTable(title: string, bytes: Map<string, number>, units: number): void {
  const total = [...bytes.values()].reduce((sum, value) => sum + value, 0);
  console.log(`${title} (sampled: ${kb(total / units)} KB per command)`);
  for (const [name, value] of [...bytes].sort(([, a], [, b]) => b - a).slice(0, TOP_SITES))
    console.log(
      `  ${kb(value / units).padStart(7)} KB  ${((value / total) * 100).toFixed(1).padStart(5)}%  ${name}`,
    );
}

const manifest = buildManifest('bench:alloc', {
  runs: RUNS,
  callsPerSecond: CALLS_PER_SECOND,
  measuredMs: MEASURED_MS,
});
const { stack, noop, stop } = await startStackWithFloor(probeOptions);
try {
  console.log(
    `bench:alloc: node ${process.version}, commit ${manifest.gitCommit}, ` +
      `${RUNS} runs of ${CALLS_PER_SECOND} calls/s for ${MEASURED_MS} ms after ${WARM_UP_MS} ms`,
  );
  const api = probeWindow(stack.api);
  const floor = probeWindow(noop);
  const processes = { api: stack.api.process.pid!, store: stack.store.process.pid! };
  await runStep({
    apiUrl: stack.api.address,
    projectorUrl: stack.projector.address,
    rate: 20,
    warmUpMs: 2_000,
    durationMs: 2_000,
    runId: `alloc-warm-${Date.now().toString(36)}`,
    measureLag: false,
    processes,
  }); // the api's JIT, pools and caches
  await runFixedRate(noop.address, '/append', 500, 2_000, {}); // the floor's
  const perCommand: number[] = [];
  const perFloorRequest: number[] = [];
  let lastApi: ProbeReport | undefined;
  let lastCommands = 0;
  for (let run = 1; run <= RUNS; run++) {
    const step = await runStep({
      apiUrl: stack.api.address,
      projectorUrl: stack.projector.address,
      rate: CALLS_PER_SECOND,
      warmUpMs: WARM_UP_MS,
      durationMs: MEASURED_MS,
      runId: `alloc${run}-${Date.now().toString(36)}`,
      measureLag: false,
      processes,
      measuredWindow: api,
    });
    const apiReport = await api.report();
    await floor.started();
    const floorRun = await runFixedRate(noop.address, '/append', step.commandsPerSecond, MEASURED_MS, {});
    await floor.ended();
    const floorReport = await floor.report();
    const apiBytes = apiReport.allocatedBytes / step.commands;
    const floorBytes = floorReport.allocatedBytes / floorRun.requests;
    perCommand.push(apiBytes);
    perFloorRequest.push(floorBytes);
    lastApi = apiReport;
    lastCommands = step.commands;
    console.log(
      `run ${run}: ${step.commands} commands at ${step.commandsPerSecond.toFixed(0)}/s (errors ${step.errors}): ` +
        `api ${kb(apiBytes)} KB per command, ${apiReport.collections} collections (${(apiReport.gcMs / step.commands).toFixed(3)} ms GC per command); ` +
        `floor ${kb(floorBytes)} KB per request (${floorRun.requests} requests); ratio ${(apiBytes / floorBytes).toFixed(2)}`,
    );
  }
  console.log(
    `median of ${RUNS}: api ${kb(median(perCommand))} KB per command, floor ${kb(median(perFloorRequest))} KB per request, ` +
      `ratio ${(median(perCommand) / median(perFloorRequest)).toFixed(2)}`,
  );
  if (PROFILE_OUT) await writeFile(PROFILE_OUT, JSON.stringify(lastApi!.profile));
  const { byOwner, bySite } = attribute(lastApi!.profile.head);
  printTable('api, last run, by the code that allocated', byOwner, lastCommands);
  printTable('api, last run, by the nearest Switchboard function on the stack', bySite, lastCommands);
} finally {
  await stop();
  await rm(probeDir, { recursive: true, force: true });
}
