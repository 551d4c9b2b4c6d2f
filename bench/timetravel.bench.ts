/**
 * `npm run bench:timetravel`: as-of queries over a ≥ 1,000,000-event log, answered from read-model
 * checkpoints (TimeMachine), beside the same query on the live read models, in one run.
 *
 *   1. writes ~1M realistic events (the replay workload: the real account and line event types)
 *      into the embedded server on disk, 8 writers appending 500-event batches (or reuses the store
 *      in TIMETRAVEL_STORE_DIR when it already holds one, to repeat runs without rewriting it);
 *   2. catches a live projector up over it with the default checkpoint policy (a checkpoint every
 *      50,000 events, at most 40), which is what writes the checkpoints;
 *   3. asks "line history as of position P" at 20 random positions through the TimeMachine, and
 *      the same query on the live read models, and prints p50/p99 of both and their ratio, how an
 *      as-of answer splits into loading the checkpoint and replaying the distance, the checkpoints'
 *      disk, the heap one loaded checkpoint takes (what each running as-of query holds), and one
 *      whole-log replay as of the head: the cost of every as-of query before checkpoints.
 *
 * Goal: as-of p99 < 100 ms. Figures are printed, not asserted.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventSchemas } from '#events';
import { EventStore, createEventStoreClient } from '#eventstore';
import {
  PROJECTED_STREAM_PREFIXES,
  PROJECTIONS,
  Projector,
  TimeMachine,
  lineHistory,
  replay,
  type ReadModels,
} from '#read-models';
import { startEventStore } from '#stack';
import { numberOf, rng, type WorkloadOptions } from './replay/workload.js';
import { heapUsed, writeWorkload } from './replay/write-workload.js';

const TARGET_EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const CALLS_PER_LINE = 100;
/** A call averages a little over five events (see the workload's mix). */
const LINES = Math.ceil(TARGET_EVENTS / (CALLS_PER_LINE * 5.2));
const APPEND_CONCURRENCY = 8;
const POINTS = 20;
const GOAL_P99_MS = 100;
const ACCOUNT = 'bench';

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** What an as-of request does once it has its read models: one line's labelled history. */
const query = (readModels: ReadModels, line: number): number =>
  lineHistory(readModels, ACCOUNT, numberOf(line)).length;

async function main(): Promise<void> {
  const reuse = process.env.TIMETRAVEL_STORE_DIR;
  const storeDir = reuse ?? (await mkdtemp(join(tmpdir(), 'switchboard-timetravel-store-')));
  await mkdir(storeDir, { recursive: true });
  const holdsLog = reuse !== undefined && (await readdir(storeDir)).length > 0;
  const projectorDir = await mkdtemp(join(tmpdir(), 'switchboard-timetravel-projector-'));
  const server = await startEventStore({ dataDir: storeDir });
  const client = createEventStoreClient(server.address);
  const store = new EventStore(client, eventSchemas);
  try {
    const options: WorkloadOptions = {
      seed: 42,
      accountId: ACCOUNT,
      lines: LINES,
      callsPerLine: CALLS_PER_LINE,
    };
    if (holdsLog) {
      console.log(`reusing the log in ${storeDir}`);
    } else {
      console.log(
        `writing ~${fmt(TARGET_EVENTS)} events (${fmt(LINES)} lines × ${CALLS_PER_LINE} calls) to ${storeDir}`,
      );
      const started = performance.now();
      const written = await writeWorkload(store, options, APPEND_CONCURRENCY);
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `  written ${fmt(written)} events in ${seconds.toFixed(1)} s (${fmt(written / seconds)} events/s)`,
      );
    }

    const projector = new Projector(store, PROJECTIONS, {
      streamPrefixes: PROJECTED_STREAM_PREFIXES,
      dataDir: projectorDir,
      log: () => undefined,
    });
    const head = await store.headPosition();
    const catchUpStarted = performance.now();
    await projector.start();
    await projector.waitForPosition(head);
    const catchUpSeconds = (performance.now() - catchUpStarted) / 1000;
    const events = projector.readModels.eventCount;
    // The snapshot (and checkpoint) in flight when it caught up.
    for (let waited = 0; projector.checkpoints!.due(events) && waited < 120_000; waited += 100)
      await new Promise((resume) => setTimeout(resume, 100));
    const shelf = projector.checkpoints!;
    console.log(
      `projector caught up over ${fmt(events)} events in ${catchUpSeconds.toFixed(1)} s, checkpoints included ` +
        `(${shelf.stats.count} kept, every ${fmt(shelf.everyEvents)} events, at most ${shelf.maxCount})`,
    );
    const checkpoints = shelf.list;
    if (checkpoints.length === 0) throw new Error('no checkpoint was kept');

    // Positions to travel to: uniform over the log.
    const random = rng(7);
    const points = Array.from({ length: POINTS }, () => BigInt(Math.floor(random() * Number(head))));
    const timeMachine = new TimeMachine(store, PROJECTIONS, shelf, {
      streamPrefixes: PROJECTED_STREAM_PREFIXES,
    });
    const asOf: number[] = [];
    const loads: number[] = [];
    const distances: number[] = [];
    for (const [i, untilPosition] of points.entries()) {
      const started = performance.now();
      const readModels = await timeMachine.at({ untilPosition });
      query(readModels, i % LINES);
      asOf.push(performance.now() - started);
      loads.push(timeMachine.lastTrip!.loadMs);
      distances.push(timeMachine.lastTrip!.replayedEvents);
    }
    const live: number[] = [];
    for (let i = 0; i < POINTS; i++) {
      const started = performance.now();
      query(projector.readModels, i % LINES);
      live.push(performance.now() - started);
    }
    for (const list of [asOf, loads, distances, live]) list.sort((a, b) => a - b);

    const before = heapUsed();
    const held = await shelf.load(checkpoints.at(-1)!, store);
    const checkpointHeap = heapUsed() - before;
    void held?.eventCount;

    const fullStarted = performance.now();
    await replay(store, PROJECTIONS, { streamPrefixes: PROJECTED_STREAM_PREFIXES, untilPosition: head });
    const fullMs = performance.now() - fullStarted;

    const ms = (value: number): string => `${value.toFixed(1)} ms`;
    const p99 = percentile(asOf, 99);
    console.log(`\nline history, ${POINTS} random points        p50           p99`);
    console.log(
      `as of a position (checkpoint + distance)  ${ms(percentile(asOf, 50)).padStart(10)}  ${ms(p99).padStart(12)}`,
    );
    console.log(
      `  of which loading the checkpoint        ${ms(percentile(loads, 50)).padStart(10)}  ${ms(percentile(loads, 99)).padStart(12)}`,
    );
    console.log(
      `  events replayed after it               ${fmt(percentile(distances, 50)).padStart(10)}  ${fmt(percentile(distances, 99)).padStart(12)}`,
    );
    console.log(
      `live read models                          ${ms(percentile(live, 50)).padStart(10)}  ${ms(percentile(live, 99)).padStart(12)}`,
    );
    console.log(
      `as-of / live                              ${(percentile(asOf, 50) / percentile(live, 50)).toFixed(0).padStart(9)}x  ${(p99 / percentile(live, 99)).toFixed(0).padStart(11)}x`,
    );
    console.log(
      `\nbefore checkpoints, every as-of query replayed the whole log: ${ms(fullMs)} as of the head`,
    );
    console.log(
      `checkpoints: ${shelf.stats.count} on disk, ${mb(shelf.stats.bytes)} (largest ${mb(Math.max(...checkpoints.map((c) => c.bytes)))}); ` +
        `one loaded checkpoint holds ~${mb(checkpointHeap)} of heap while its query runs (at most 2 run at once)` +
        ((globalThis as { gc?: unknown }).gc ? '' : ' [run with --expose-gc for an exact heap figure]'),
    );
    console.log(
      `goal: as-of p99 < ${GOAL_P99_MS} ms: ${p99 < GOAL_P99_MS ? 'met' : 'NOT met'} (p99 ${ms(p99)})`,
    );
    await projector.stop();
  } finally {
    await client.dispose();
    await server.stop();
    await rm(projectorDir, { recursive: true, force: true });
    if (!reuse) await rm(storeDir, { recursive: true, force: true });
  }
}

await main();
