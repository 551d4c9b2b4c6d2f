/**
 * `npm run bench:store`: the embedded event store through the official client (gRPC, on disk,
 * durable: every acknowledged append was fsynced) against the same storage engine called in-process.
 * The ratio in-process / gRPC is what the protocol and the client cost.
 *
 *   (a) 64 concurrent single-event appends, each writer to its own stream
 *   (b) appends of 100 events per call (8 writers)
 *   (c) reading $all from the start
 *
 * A third run drives the same client against a canned server (bench/store/canned-server.ts) that
 * answers with replies encoded at start-up and stores nothing: the official client's own ceiling
 * on this machine. A target above it cannot be met by any server. Each workload runs against the
 * canned server and then the embedded one back to back, so that the two figures of a ratio are
 * measured under the same load of a shared machine, not half a minute apart. The pairs run ROUNDS
 * times; each round's ratio is printed and the goal is judged on their median.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { build, type Histogram } from 'hdr-histogram-js';

import { LogStore, FileLog, decodeRecord, type ProposedEvent } from '../apps/eventstore/src/storage/index.js';
import { startEventStore, startProcess } from '#stack';
import { processCpuMicros } from './process-cpu.js';
import { benchPayload } from './store/payload.js';

const SINGLE_WRITERS = 64;
const SINGLE_APPENDS_PER_WRITER = 400;
const BATCH_WRITERS = 8;
const BATCH_SIZE = 100;
const BATCHES_PER_WRITER = 150;
const READ_PAGE = 1000;
/** Issue 16: the embedded server should reach this share of the client's ceiling on every workload. */
const CEILING_GOAL = 0.9;
/**
 * One round's ratio moved by up to ±8 points from run to run on a quiet machine (the canned server's
 * own rate in (a) by 14.3-16.3k events/s): three rounds print that spread within a run, and their
 * median is steadier than any one of them.
 */
const ROUNDS = 3;
const TOTAL_EVENTS =
  SINGLE_WRITERS * SINGLE_APPENDS_PER_WRITER + BATCH_WRITERS * BATCHES_PER_WRITER * BATCH_SIZE;

interface Figures {
  readonly events: number;
  readonly seconds: number;
  readonly latency: Histogram;
  /** CPU time (user + system) of this process during the run, in microseconds. */
  readonly cpuMicros: number;
  /** CPU time of the server process during the run (gRPC only), in microseconds. */
  readonly serverCpuMicros?: number;
}

const payload = benchPayload;

async function timed(
  events: number,
  run: (latency: Histogram) => Promise<void>,
  serverPid?: number,
): Promise<Figures> {
  const latency = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const serverBefore = serverPid === undefined ? undefined : await processCpuMicros(serverPid);
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  await run(latency);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const serverAfter = serverPid === undefined ? undefined : await processCpuMicros(serverPid);
  const serverCpuMicros =
    serverBefore === undefined || serverAfter === undefined ? undefined : serverAfter - serverBefore;
  return { events, seconds, latency, cpuMicros: cpu.user + cpu.system, serverCpuMicros };
}

/** Records the duration of `work` in microseconds. */
async function measure<T>(latency: Histogram, work: () => Promise<T>): Promise<T> {
  const started = process.hrtime.bigint();
  const result = await work();
  latency.recordValue(Number((process.hrtime.bigint() - started) / 1000n));
  return result;
}

const parallel = async (writers: number, work: (writer: number) => Promise<void>): Promise<void> => {
  await Promise.all(Array.from({ length: writers }, (_, writer) => work(writer)));
};

/** How much each workload does: the measured runs use the constants above, the warm-up less. */
interface Workload {
  readonly appendsPerWriter: number;
  readonly batchesPerWriter: number;
  /** Stop reading `$all` after this many events (the canned server sends a fixed number). */
  readonly readLimit: number;
}

const MEASURED: Workload = {
  appendsPerWriter: SINGLE_APPENDS_PER_WRITER,
  batchesPerWriter: BATCHES_PER_WRITER,
  readLimit: Number.POSITIVE_INFINITY,
};
/**
 * Enough of every workload for V8 to have optimised the client's hot paths. Without it the first
 * server measured (the embedded one) met a cold client: the client spent ~150 µs of CPU per
 * single-event append against it and ~85 µs against the canned server measured after it, which
 * made the embedded server look ~40% slower than it is relative to the ceiling. The embedded server
 * is warmed the same way: cold, its first round of (a) ran 88% of the ceiling and the next two 100%
 * and 95%.
 */
const WARM_UP: Workload = { appendsPerWriter: 100, batchesPerWriter: 20, readLimit: 30_000 };

/** One client connected to one server, and the pid whose CPU time its runs are charged. */
interface Target {
  readonly client: EventStoreDBClient;
  readonly pid: number;
}

async function connect(connectionString: string, pid: number): Promise<Target> {
  const client = EventStoreDBClient.connectionString(connectionString);
  await client.appendToStream('bench-warmup', jsonEvent({ type: 'Warmup', data: payload }));
  return { client, pid };
}

const singleAppends = ({ client, pid }: Target, appendsPerWriter: number): Promise<Figures> =>
  timed(
    SINGLE_WRITERS * appendsPerWriter,
    (latency) =>
      parallel(SINGLE_WRITERS, async (writer) => {
        const stream = `single-${writer}-${randomUUID()}`;
        for (let index = 0; index < appendsPerWriter; index += 1) {
          await measure(latency, () =>
            client.appendToStream(stream, jsonEvent({ type: 'CallDelegated', data: payload })),
          );
        }
      }),
    pid,
  );

const batchedAppends = ({ client, pid }: Target, batchesPerWriter: number): Promise<Figures> =>
  timed(
    BATCH_WRITERS * batchesPerWriter * BATCH_SIZE,
    (latency) =>
      parallel(BATCH_WRITERS, async (writer) => {
        const stream = `batch-${writer}-${randomUUID()}`;
        for (let index = 0; index < batchesPerWriter; index += 1) {
          const events = Array.from({ length: BATCH_SIZE }, () =>
            jsonEvent({ type: 'CallDelegated', data: payload }),
          );
          await measure(latency, () => client.appendToStream(stream, events));
        }
      }),
    pid,
  );

async function readAll({ client, pid }: Target, readLimit: number): Promise<Figures> {
  let read = 0;
  const all = await timed(
    0,
    async (latency) => {
      let pageStarted = process.hrtime.bigint();
      for await (const resolved of client.readAll()) {
        if (resolved.event) read += 1;
        if (read % READ_PAGE === 0) {
          const now = process.hrtime.bigint();
          latency.recordValue(Number((now - pageStarted) / 1000n));
          pageStarted = now;
        }
        if (read >= readLimit) break;
      }
    },
    pid,
  );
  return { ...all, events: read };
}

/** Each workload against the client's ceiling (the canned server) and then the embedded server. */
async function pairedOverGrpc(
  canned: Target,
  server: Target,
): Promise<{ grpc: Record<string, Figures>; ceiling: Record<string, Figures> }> {
  const grpc: Record<string, Figures> = {};
  const ceiling: Record<string, Figures> = {};
  ceiling.single = await singleAppends(canned, MEASURED.appendsPerWriter);
  grpc.single = await singleAppends(server, MEASURED.appendsPerWriter);
  ceiling.batched = await batchedAppends(canned, MEASURED.batchesPerWriter);
  grpc.batched = await batchedAppends(server, MEASURED.batchesPerWriter);
  ceiling.all = await readAll(canned, MEASURED.readLimit);
  grpc.all = await readAll(server, MEASURED.readLimit);
  return { grpc, ceiling };
}

const proposed = (): ProposedEvent => ({
  id: randomUUID(),
  type: 'CallDelegated',
  contentType: 'application/json',
  data: Buffer.from(JSON.stringify(payload)),
  metadata: new Uint8Array(0),
});

async function inProcess(directory: string): Promise<Record<string, Figures>> {
  const { store } = await LogStore.open(new FileLog(directory));
  const single = await timed(SINGLE_WRITERS * SINGLE_APPENDS_PER_WRITER, (latency) =>
    parallel(SINGLE_WRITERS, async (writer) => {
      const stream = `single-${writer}`;
      for (let index = 0; index < SINGLE_APPENDS_PER_WRITER; index += 1) {
        await measure(latency, () => store.append(stream, 'any', [proposed()]));
      }
    }),
  );
  const batched = await timed(BATCH_WRITERS * BATCHES_PER_WRITER * BATCH_SIZE, (latency) =>
    parallel(BATCH_WRITERS, async (writer) => {
      const stream = `batch-${writer}`;
      for (let index = 0; index < BATCHES_PER_WRITER; index += 1) {
        const events = Array.from({ length: BATCH_SIZE }, proposed);
        await measure(latency, () => store.append(stream, 'any', events));
      }
    }),
  );
  await store.close();
  // Reopen so that the read comes from the files (page cache), not from the tail cache.
  const { store: reopened } = await LogStore.open(new FileLog(directory), { tailCacheBytes: 0 });
  const all = await timed(reopened.committedCount, async (latency) => {
    for (let seq = 0; seq < reopened.committedCount; seq += READ_PAGE) {
      const seqs = Array.from(
        { length: Math.min(READ_PAGE, reopened.committedCount - seq) },
        (_, index) => seq + index,
      );
      await measure(latency, async () => {
        for (const event of await reopened.load(seqs)) decodeRecord(event.buffer, 0);
      });
    }
  });
  await reopened.close();
  return { single, batched, all };
}

async function startServer(
  directory: string,
): Promise<{ connectionString: string; pid: number; stop: () => Promise<void> }> {
  const server = await startEventStore({ dataDir: directory });
  return { connectionString: server.address, pid: server.process.pid!, stop: () => server.stop() };
}

const rate = (figures: Figures) => figures.events / figures.seconds;
/** The rate a single-threaded process reaches when it has a whole core and nothing else costs. */
const oneCoreRate = (figures: Figures) => (1e6 * figures.events) / figures.cpuMicros;
const formatRate = (value: number) => `${Math.round(value).toLocaleString('en-US')} ev/s`;
const perEvent = (micros: number, figures: Figures) => `${(micros / figures.events).toFixed(1)} µs`;
const quantiles = (figures: Figures) =>
  `p50 ${(figures.latency.getValueAtPercentile(50) / 1000).toFixed(2)} ms, p99 ${(figures.latency.getValueAtPercentile(99) / 1000).toFixed(2)} ms`;

async function main(): Promise<void> {
  const grpcDir = await mkdtemp(join(tmpdir(), 'bench-store-grpc-'));
  const engineDir = await mkdtemp(join(tmpdir(), 'bench-store-engine-'));
  try {
    const canned = await startProcess(
      'canned-server',
      'dist/bench/store/canned-server.js',
      [String(TOTAL_EVENTS)],
      {},
      /listening on (esdb:\/\/\S+)/,
    );
    const server = await startServer(grpcDir);
    const cannedTarget = await connect(canned.address, canned.process.pid!);
    const serverTarget = await connect(server.connectionString, server.pid);
    // Every measured run meets a warm client and a warm server: see WARM_UP.
    for (const target of [cannedTarget, serverTarget]) {
      await singleAppends(target, WARM_UP.appendsPerWriter);
      await batchedAppends(target, WARM_UP.batchesPerWriter);
      await readAll(target, WARM_UP.readLimit);
    }
    const loadBefore = loadavg()[0]!;
    const rounds: Awaited<ReturnType<typeof pairedOverGrpc>>[] = [];
    for (let round = 0; round < ROUNDS; round += 1)
      rounds.push(await pairedOverGrpc(cannedTarget, serverTarget));
    const loadAfter = loadavg()[0]!;
    await serverTarget.client.dispose();
    await cannedTarget.client.dispose();
    await server.stop();
    await canned.stop();
    const engine = await inProcess(engineDir);
    const rows: [string, string, number][] = [
      ['(a) 64 concurrent single-event appends', 'single', 10_000],
      [`(b) appends of ${BATCH_SIZE} events (${BATCH_WRITERS} writers)`, 'batched', 100_000],
      ['(c) read $all from the start', 'all', 100_000],
    ];
    console.log('store benchmark: durable on-disk log (fsync per group commit)');
    // The machine may be shared: the ratios mean something only when it was not loaded.
    console.log(
      `load average (1 min) ${loadBefore.toFixed(2)} before the measured gRPC runs, ${loadAfter.toFixed(2)} after; ` +
        `figures of the round with the median ratio`,
    );
    for (const [title, key, target] of rows) {
      const ratios = rounds.map(({ grpc, ceiling }) => rate(grpc[key]!) / rate(ceiling[key]!));
      // The figures printed are those of the median round, so that they agree with the ratio judged.
      const median = [...ratios.keys()].sort((a, b) => ratios[a]! - ratios[b]!)[Math.floor(ROUNDS / 2)]!;
      const { grpc, ceiling } = rounds[median]!;
      const overClient = grpc[key]!;
      const local = engine[key]!;
      const latencyUnit = key === 'all' ? `per ${READ_PAGE} events` : 'per append';
      console.log(`\n${title}: ${overClient.events.toLocaleString('en-US')} events`);
      console.log(
        `  gRPC + official client: ${formatRate(rate(overClient))} (target ${formatRate(target)}: ` +
          `${rate(overClient) >= target ? 'met' : 'MISSED'}), ${quantiles(overClient)} ${latencyUnit}`,
      );
      console.log(`  engine in-process:      ${formatRate(rate(local))}, ${quantiles(local)} ${latencyUnit}`);
      const clientOnly = ceiling[key]!;
      console.log(
        `  client ceiling:         ${formatRate(rate(clientOnly))} against the canned server ` +
          `(${quantiles(clientOnly)} ${latencyUnit}); the client ` +
          `spends ${perEvent(clientOnly.cpuMicros, clientOnly)} CPU per event on its one thread, so ` +
          `at most ${formatRate(oneCoreRate(clientOnly))} even with a core of its own` +
          (oneCoreRate(clientOnly) < target ? ' (below the target)' : ''),
      );
      console.log(
        `  CPU per event: client ${perEvent(overClient.cpuMicros, overClient)}, server ` +
          `${overClient.serverCpuMicros === undefined ? 'n/a' : perEvent(overClient.serverCpuMicros, overClient)}, ` +
          `in-process ${perEvent(local.cpuMicros, local)}`,
      );
      const ofCeiling = ratios[median]!;
      const percent = (ratio: number) => `${(100 * ratio).toFixed(0)}%`;
      console.log(
        `  gRPC / client ceiling:  ${percent(ofCeiling)}, median of ${ROUNDS} rounds (` +
          `${ratios.map(percent).join(', ')}) (goal ${100 * CEILING_GOAL}%: ` +
          `${ofCeiling >= CEILING_GOAL ? 'met' : 'MISSED'})`,
      );
      console.log(`  ratio in-process / gRPC: ${(rate(local) / rate(overClient)).toFixed(1)}x`);
    }
  } finally {
    await rm(grpcDir, { recursive: true, force: true });
    await rm(engineDir, { recursive: true, force: true });
  }
}

await main();
