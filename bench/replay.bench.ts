import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventSchemas } from '#events';
import { EventStore, createEventStoreClient, type StoredEvent } from '#eventstore';
import {
  CHECKPOINT_EVERY,
  PROJECTED_STREAM_PREFIXES,
  PROJECTIONS,
  Projector,
  ReadModels,
  replay,
} from '#read-models';
import { startEventStore } from '#stack';
import { type WorkloadOptions } from './replay/workload.js';
import { heapUsed, writeWorkload } from './replay/write-workload.js';

/**
 * `npm run bench:replay`: writes ≥ 1,000,000 realistic events (the real line and account event types)
 * into the embedded server on disk, then measures, in the same run and against the same server,
 * the official client's raw `$all` read rate (the baseline) and the rebuild rate (read + decode +
 * every projection, as the rebuild and "as of" replays do), plus the heap the read models take per
 * million events; then the live projector catching up from the first event as `--rebuild` does,
 * snapshots included. To explain the ratio it splits the rebuild in two: the subscription alone
 * (read + decode, nothing applied) and the projections alone (the decoded events applied in process,
 * no store). Each pass lets go of the read models of the one before, so none pays for another's heap.
 * Targets: ≥ 100,000 events/s and ≥ 50% of the raw read rate. Figures are printed, not asserted.
 */
const TARGET_EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const CALLS_PER_LINE = 100;
/** A call averages a little over five events (see the workload's mix). */
const LINES = Math.ceil(TARGET_EVENTS / (CALLS_PER_LINE * 5.2));
const APPEND_CONCURRENCY = 8;

const rate = (events: number, ms: number): number => Math.round(events / (ms / 1000));
const fmt = (n: number): string => n.toLocaleString('en-US');

const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-bench-'));
const server = await startEventStore({ dataDir });
const client = createEventStoreClient(server.address);
const store = new EventStore(client, eventSchemas);
try {
  const options: WorkloadOptions = {
    seed: 42,
    accountId: 'bench',
    lines: LINES,
    callsPerLine: CALLS_PER_LINE,
  };
  console.log(
    `writing ~${fmt(TARGET_EVENTS)} events (${fmt(LINES)} shared lines × ${CALLS_PER_LINE} calls) to ${dataDir}`,
  );
  const writeStarted = performance.now();
  const written = await writeWorkload(store, options, APPEND_CONCURRENCY);
  const writeMs = performance.now() - writeStarted;
  console.log(
    `written   ${fmt(written)} events in ${(writeMs / 1000).toFixed(1)} s (${fmt(rate(written, writeMs))} events/s)`,
  );

  let raw = 0;
  const rawStarted = performance.now();
  for await (const resolved of client.readAll({ fromPosition: 'start' })) {
    if (resolved.event && !resolved.event.type.startsWith('$')) raw++;
  }
  const rawMs = performance.now() - rawStarted;
  const rawRate = rate(raw, rawMs);
  console.log(
    `raw $all  ${fmt(raw)} events in ${(rawMs / 1000).toFixed(1)} s: ${fmt(rawRate)} events/s (official client readAll)`,
  );

  const digest = await (async () => {
    const heapBefore = heapUsed();
    const rebuildStarted = performance.now();
    const readModels = await replay(store, PROJECTIONS, { streamPrefixes: PROJECTED_STREAM_PREFIXES });
    const rebuildMs = performance.now() - rebuildStarted;
    const heapAfter = heapUsed();
    const rebuildRate = rate(readModels.eventCount, rebuildMs);
    const perMillion = ((heapAfter - heapBefore) / readModels.eventCount) * 1_000_000;
    console.log(
      `rebuild   ${fmt(readModels.eventCount)} events in ${(rebuildMs / 1000).toFixed(1)} s: ${fmt(rebuildRate)} events/s ` +
        `(${PROJECTIONS.length} projections, through the catch-up subscription)`,
    );
    console.log(
      `ratio     rebuild / raw read = ${((rebuildRate / rawRate) * 100).toFixed(1)}% (target ≥ 50%)`,
    );
    console.log(`target    ≥ 100,000 events/s: ${rebuildRate >= 100_000 ? 'met' : 'NOT met'}`);
    console.log(`memory    read models ${(perMillion / 2 ** 20).toFixed(0)} MiB of heap per million events`);
    const digestStarted = performance.now();
    const digest = readModels.digest();
    console.log(`digest    ${digest} in ${((performance.now() - digestStarted) / 1000).toFixed(2)} s`);
    return digest;
  })();

  // The projector as `--rebuild` runs it, snapshots on, from the first event to the head of the log;
  // then stopped, which writes the final snapshot (timed apart).
  const snapshotDir = await mkdtemp(join(tmpdir(), 'switchboard-bench-projector-'));
  try {
    const projector = new Projector(store, PROJECTIONS, {
      streamPrefixes: PROJECTED_STREAM_PREFIXES,
      dataDir: snapshotDir,
      rebuild: true,
      log: () => undefined,
    });
    const head = await store.headPosition();
    const started = performance.now();
    await projector.start();
    await projector.waitForPosition(head);
    const liveMs = performance.now() - started;
    const { eventCount } = projector.readModels;
    const stopStarted = performance.now();
    await projector.stop();
    const stopMs = performance.now() - stopStarted;
    if (projector.status === 'failed') throw projector.failure;
    console.log(
      `projector ${fmt(eventCount)} events in ${(liveMs / 1000).toFixed(1)} s: ${fmt(rate(eventCount, liveMs))} events/s ` +
        `(the live projector from the first event to the head, snapshots on; final snapshot ${(stopMs / 1000).toFixed(1)} s)`,
    );
    if (projector.readModels.digest() !== digest)
      throw new Error('the live projector reached another digest');
  } finally {
    await rm(snapshotDir, { recursive: true, force: true });
  }

  // One more pass, split in two: the subscription fills a buffer (read + decode), then the buffer is
  // applied in process with the clock running for the apply only. The buffer keeps memory bounded.
  const applied = new ReadModels(PROJECTIONS);
  const buffer: StoredEvent[] = [];
  let applyMs = 0;
  const applyBuffer = (): void => {
    const started = performance.now();
    for (const stored of buffer) applied.apply(stored);
    applyMs += performance.now() - started;
    buffer.length = 0;
  };
  const passStarted = performance.now();
  const subscription = store.subscribeToAll({
    streamPrefixes: PROJECTED_STREAM_PREFIXES,
    checkpointEvery: CHECKPOINT_EVERY,
  });
  for await (const item of subscription) {
    if (item.kind === 'caughtUp') break;
    if (item.kind !== 'event') continue;
    buffer.push(item.stored);
    if (buffer.length === 10_000) applyBuffer();
  }
  await subscription.close();
  applyBuffer();
  const subscribeMs = performance.now() - passStarted - applyMs;
  console.log(
    `subscribe ${fmt(applied.eventCount)} events in ${(subscribeMs / 1000).toFixed(1)} s: ` +
      `${fmt(rate(applied.eventCount, subscribeMs))} events/s (catch-up subscription + decode, nothing applied)`,
  );
  console.log(
    `apply     ${fmt(applied.eventCount)} events in ${(applyMs / 1000).toFixed(1)} s: ` +
      `${fmt(rate(applied.eventCount, applyMs))} events/s (decoded events applied in process, no store)`,
  );
  if (applied.digest() !== digest) throw new Error('the in-process apply reached another digest');
} finally {
  await client.dispose();
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}
