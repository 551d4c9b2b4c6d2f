/**
 * `npm run bench:timetravel`: as-of queries over a ≥ 1,000,000-event log, beside the same queries on
 * the live read models, in one run.
 *
 *   1. writes ~1M realistic events (the replay workload: the real account and line event types) for
 *      many accounts (10 shared lines each, 100 calls a line) into the embedded server on disk, 8
 *      writers appending 100 events of every stream per round, so that simulated time grows along
 *      the log as it does live (or reuses the store in TIMETRAVEL_STORE_DIR when it
 *      already holds one, to repeat runs without rewriting it);
 *   2. catches a live projector up over it, and the time machine's log index (both from the first
 *      event, at once, as a projector starting on that log does);
 *   3. builds every account's scope checkpoints (ScopeCheckpoints, in a temporary directory) and
 *      prints what that took and what they hold on disk and in memory;
 *   4. asks a line query (line history: folded from the account's stream and that line's) and an
 *      account query (a party's history: the account's stream and all its lines') as of 20 random
 *      positions and 20 random simulated times, and the same queries on the live read models, and
 *      prints p50/p99 of each, the events folded per query, the index's memory, and one whole-log
 *      replay as of the head: what every as-of query cost before scoped time travel. Each query is
 *      asked twice: folded from its scope's first event (as before scope checkpoints) and from the
 *      account's nearest scope checkpoint (as the projector answers it; a line's query takes only
 *      its line's rows of it).
 *
 * Goal: as-of p99 < 100 ms. Figures are printed, not asserted.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventSchemas, lineKey, type DomainEvent } from '#events';
import { EventStore, createEventStoreClient } from '#eventstore';
import {
  LINE_ROWS,
  LogIndex,
  PROJECTED_STREAM_PREFIXES,
  PROJECTIONS,
  Projector,
  ScopeCheckpoints,
  TimeMachine,
  lineHistory,
  partyHistory,
  replay,
  type ReadModels,
  type ReplayLimit,
  type TimeTravelScope,
} from '#read-models';
import { startEventStore } from '#stack';
import {
  accountEvents,
  delegatorOf,
  lineEvents,
  numberOf,
  rng,
  type WorkloadOptions,
} from './replay/workload.js';
import { appendInChunks, heapUsed } from './replay/write-workload.js';

const TARGET_EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const CALLS_PER_LINE = 100;
const LINES_PER_ACCOUNT = 10;
/** A call averages a little over five events (see the workload's mix). */
const ACCOUNTS = Math.ceil(TARGET_EVENTS / (LINES_PER_ACCOUNT * CALLS_PER_LINE * 5.2));
const APPEND_CONCURRENCY = 8;
/** Events of each stream per writing round (see main). */
const ROUND_EVENTS = 100;
const POINTS = 20;
const GOAL_P99_MS = 100;
const accountIdOf = (account: number): string => `bench${String(account).padStart(4, '0')}`;
const optionsOf = (account: number): WorkloadOptions => ({
  seed: 42 + account,
  accountId: accountIdOf(account),
  lines: LINES_PER_ACCOUNT,
  callsPerLine: CALLS_PER_LINE,
});

/**
 * The garbage collector's pauses in this process, which holds the live read models of the whole log
 * (hundreds of MB of heap): a query that meets a major collection pays for everyone's garbage, and a
 * slow point is told apart from a slow query by this.
 */
const gcPauses = (() => {
  const pauses: PerformanceEntry[] = [];
  new PerformanceObserver((list) => pauses.push(...list.getEntries())).observe({ entryTypes: ['gc'] });
  return {
    /** Milliseconds of pauses that began between `from` and `to` (performance.now() times). */
    within: (from: number, to: number): number =>
      pauses
        .filter(({ startTime }) => startTime >= from && startTime <= to)
        .reduce((sum, { duration }) => sum + duration, 0),
  };
})();

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** A line query (its labelled history) and an account query (its delegator's history, all lines). */
const QUERIES = {
  line: {
    scope: (account: number, line: number): TimeTravelScope => ({
      accountIds: [accountIdOf(account)],
      lineKey: lineKey(accountIdOf(account), numberOf(line)),
    }),
    run: (readModels: ReadModels, account: number, line: number): number =>
      lineHistory(readModels, accountIdOf(account), numberOf(line)).length,
  },
  account: {
    scope: (account: number): TimeTravelScope => ({ accountIds: [accountIdOf(account)] }),
    run: (readModels: ReadModels, account: number, line: number): number =>
      partyHistory(readModels, accountIdOf(account), delegatorOf(line), delegatorOf(line)).length,
  },
} as const;

async function main(): Promise<void> {
  const reuse = process.env.TIMETRAVEL_STORE_DIR;
  const storeDir = reuse ?? (await mkdtemp(join(tmpdir(), 'switchboard-timetravel-store-')));
  await mkdir(storeDir, { recursive: true });
  const holdsLog = reuse !== undefined && (await readdir(storeDir)).length > 0;
  const server = await startEventStore({ dataDir: storeDir });
  const client = createEventStoreClient(server.address);
  const store = new EventStore(client, eventSchemas);
  const index = new LogIndex();
  const checkpointDir = await mkdtemp(join(tmpdir(), 'switchboard-timetravel-scope-checkpoints-'));
  try {
    if (holdsLog) {
      console.log(`reusing the log in ${storeDir}`);
    } else {
      console.log(
        `writing ~${fmt(TARGET_EVENTS)} events (${fmt(ACCOUNTS)} accounts × ${LINES_PER_ACCOUNT} lines × ` +
          `${CALLS_PER_LINE} calls) to ${storeDir}`,
      );
      const started = performance.now();
      let written = 0;
      // In rounds of a chunk of every stream, so that simulated time grows along the log as it does
      // live (every line's calls span the same weeks): "as of a time" then stops where it should.
      const streams: { stream: string; events: DomainEvent[] }[] = [];
      for (let account = 0; account < ACCOUNTS; account++) {
        const options = optionsOf(account);
        streams.push(accountEvents(options));
        for (let line = 0; line < LINES_PER_ACCOUNT; line++) streams.push(lineEvents(options, line));
      }
      const rounds = Math.ceil(Math.max(...streams.map(({ events }) => events.length)) / ROUND_EVENTS);
      for (let round = 0; round < rounds; round++) {
        let next = 0;
        await Promise.all(
          Array.from({ length: APPEND_CONCURRENCY }, async () => {
            while (next < streams.length) {
              const { stream, events } = streams[next++]!;
              const chunk = events.slice(round * ROUND_EVENTS, (round + 1) * ROUND_EVENTS);
              if (chunk.length === 0) continue;
              await appendInChunks(store, stream, chunk);
              written += chunk.length;
            }
          }),
        );
      }
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `  written ${fmt(written)} events in ${seconds.toFixed(1)} s (${fmt(written / seconds)} events/s)`,
      );
    }

    // No dataDir: the live projector here keeps no snapshots nor whole-state checkpoints, which
    // scoped time travel does not use.
    const projector = new Projector(store, PROJECTIONS, {
      streamPrefixes: PROJECTED_STREAM_PREFIXES,
      log: () => undefined,
    });
    const head = await store.headPosition();
    const catchUpStarted = performance.now();
    index.follow(store, PROJECTED_STREAM_PREFIXES, (line) => console.log(line));
    const indexed = (async () => {
      while (!index.caughtUp || (index.position ?? 0n) < head) await new Promise((r) => setTimeout(r, 50));
      return (performance.now() - catchUpStarted) / 1000;
    })();
    await projector.start();
    await projector.waitForPosition(head);
    const catchUpSeconds = (performance.now() - catchUpStarted) / 1000;
    const indexSeconds = await indexed;
    const events = projector.readModels.eventCount;
    console.log(
      `projector caught up over ${fmt(events)} events in ${catchUpSeconds.toFixed(1)} s; ` +
        `the log index (following at the same time) in ${indexSeconds.toFixed(1)} s`,
    );

    const random = rng(7);
    const accounts = Math.max(
      1,
      Math.min(ACCOUNTS, Math.round(events / (LINES_PER_ACCOUNT * CALLS_PER_LINE * 5.2))),
    );
    const targets = Array.from({ length: POINTS }, () => ({
      account: Math.floor(random() * accounts),
      line: Math.floor(random() * LINES_PER_ACCOUNT),
    }));
    // Positions uniform over the log; times uniform over the simulated span of the workload.
    const positions = targets.map(() => BigInt(Math.floor(random() * Number(head))));
    const span = { from: Date.UTC(2026, 0, 5, 9), to: index.pointAt(head).maxSimulatedTime! };
    const times = targets.map(() =>
      new Date(span.from + random() * (Date.parse(span.to) - span.from)).toISOString(),
    );
    const fromFirstEvent = new TimeMachine(store, PROJECTIONS, undefined, {
      streamPrefixes: PROJECTED_STREAM_PREFIXES,
      index,
    });
    const scopeCheckpoints = new ScopeCheckpoints(checkpointDir, PROJECTIONS, store, index, {
      lineRows: LINE_ROWS,
      log: (line) => console.log(line),
    });
    await scopeCheckpoints.open();
    const buildHeapBefore = heapUsed();
    const buildStarted = performance.now();
    await scopeCheckpoints.catchUp();
    const buildSeconds = (performance.now() - buildStarted) / 1000;
    const checkpointStats = scopeCheckpoints.stats;
    console.log(
      `scope checkpoints: ${fmt(checkpointStats.count)} for ${fmt(checkpointStats.accounts)} accounts ` +
        `(every ${fmt(checkpointStats.everyRecords)} records of an account) built in ${buildSeconds.toFixed(1)} s ` +
        `(${fmt(events / buildSeconds)} events/s, in the background once the projector is live); ` +
        `on disk ${mb(checkpointStats.bytes)} (${(checkpointStats.bytes / events).toFixed(0)} bytes an event)`,
    );
    const checkpointHeap = Math.max(0, heapUsed() - buildHeapBefore);
    const timeMachine = new TimeMachine(store, PROJECTIONS, undefined, {
      streamPrefixes: PROJECTED_STREAM_PREFIXES,
      index,
      scopeCheckpoints,
    });
    const ms = (value: number): string => `${value.toFixed(1)} ms`;
    const row = (label: string, samples: number[], format: (n: number) => string = ms) => {
      const sorted = [...samples].sort((a, b) => a - b);
      console.log(
        `${label.padEnd(44)}${format(percentile(sorted, 50)).padStart(10)}  ${format(percentile(sorted, 99)).padStart(12)}`,
      );
      return percentile(sorted, 99);
    };
    console.log(`\n${POINTS} random points per row                        p50           p99`);
    /** The p99 of each query as the projector answers it (from the nearest scope checkpoint), by kind. */
    const answeredP99: string[] = [];
    let worstP99 = 0;
    for (const [name, query] of Object.entries(QUERIES)) {
      const live: number[] = [];
      for (const { account, line } of targets) {
        const started = performance.now();
        query.run(projector.readModels, account, line);
        live.push(performance.now() - started);
      }
      for (const [kind, limits] of [
        ['asOf', positions.map((untilPosition): ReplayLimit => ({ untilPosition }))],
        ['asOfTime', times.map((untilSimulatedTime): ReplayLimit => ({ untilSimulatedTime }))],
      ] as const) {
        const title = `${name} query as of a ${kind === 'asOf' ? 'position' : 'time'} (${kind})`;
        const machines = [
          [`  from the ${name}’s first event (before)`, fromFirstEvent],
          ['  from the account’s nearest scope checkpoint', timeMachine],
        ] as const;
        console.log(title);
        for (const [label, machine] of machines) {
          const took: number[] = [];
          const folded: number[] = [];
          const reading: number[] = [];
          const loading: number[] = [];
          const windows: [number, number][] = [];
          for (const [i, { account, line }] of targets.entries()) {
            const started = performance.now();
            const readModels = await machine.scoped(limits[i]!, query.scope(account, line));
            query.run(readModels, account, line);
            const ended = performance.now();
            took.push(ended - started);
            windows.push([started, ended]);
            if (!machine.lastTrip?.scoped) throw new Error('the query was not answered from its scope');
            folded.push(machine.lastTrip.replayedEvents);
            loading.push(machine.lastTrip.checkpointMs ?? 0);
            reading.push(machine.lastTrip.loadMs - (machine.lastTrip.checkpointMs ?? 0));
          }
          // Pauses are reported to the observer a tick after they happen.
          await new Promise((resume) => setImmediate(resume));
          const collecting = windows.map(([from, to]) => gcPauses.within(from, to));
          const p99 = row(label, took);
          if (machine === timeMachine) {
            worstP99 = Math.max(worstP99, p99);
            answeredP99.push(`${name} ${kind} ${ms(p99)}`);
            row('    of which loading the checkpoint', loading);
            // Its streams are read while the checkpoint loads: what is left once it has.
            row('    then waiting for its streams', reading);
          } else row('    of which reading its streams', reading);
          row('    of which GC pauses (the whole process)', collecting);
          row('    events folded', folded, fmt);
        }
      }
      row(`${name} query on the live read models`, live);
    }

    // What one running account query holds: its scope's read models, as of the head.
    const before = heapUsed();
    const held = await timeMachine.scoped({ untilPosition: head }, QUERIES.account.scope(0));
    const queryHeap = Math.max(0, heapUsed() - before);
    void held.eventCount;

    const fullStarted = performance.now();
    await replay(store, PROJECTIONS, { streamPrefixes: PROJECTED_STREAM_PREFIXES, untilPosition: head });
    const fullMs = performance.now() - fullStarted;
    console.log(
      `\nbefore scoped time travel, every as-of query replayed the whole log: ${ms(fullMs)} as of the head`,
    );
    console.log(
      `memory: the log index holds ${fmt(index.records)} records in ${mb(index.bytes)} (32 bytes a record, ` +
        `arrays grown by doubling); the scope checkpoints ${mb(checkpointStats.bytes)} on disk and, in memory, ` +
        `their positions and offsets (${fmt(checkpointStats.count)} of them, ~${fmt(checkpointHeap / 1024)} KB heap); ` +
        `an account query holds its scope's rows while it ` +
        `runs (~${mb(queryHeap)} for an account of ${LINES_PER_ACCOUNT} lines as of the head; at most 2 run ` +
        `at once, 8 wait, more are refused 429)` +
        ((globalThis as { gc?: unknown }).gc ? '' : ' [run with --expose-gc for an exact heap figure]'),
    );
    console.log(
      `goal: as-of p99 < ${GOAL_P99_MS} ms: ${worstP99 < GOAL_P99_MS ? 'met' : 'NOT met'} (worst p99 ${ms(worstP99)}; ${answeredP99.join(', ')})`,
    );
    await projector.stop();
  } finally {
    await rm(checkpointDir, { recursive: true, force: true });
    await index.stop();
    await client.dispose();
    await server.stop();
    if (!reuse) await rm(storeDir, { recursive: true, force: true });
  }
}

await main();
