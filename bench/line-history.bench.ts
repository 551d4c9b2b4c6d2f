/**
 * `npm run bench:history`: does deciding on a shared line slow down as its history grows? A line
 * with 100,000 past calls (300,000 events) against a new line, both through the api's
 * `LineRepository` on the embedded event store on disk, over the official client.
 *
 *   cold, no snapshot: the first command after the process started, before any snapshot of the
 *     line exists (the history was written directly): the repository folds the whole stream
 *   cold, after a restart: a new repository (an api that just started) once the first one wrote the
 *     line's aggregate snapshot in the background: snapshot + the events after it. Its used call ids
 *     are sorted runs of bytes beside the snapshot's JSON (libs/domain used-call-ids.ts), taken as
 *     read: the cost is reading and gunzipping the snapshot, not 100,000 ids into a Map
 *   warm: later commands (the cached fold is trusted: decide and one append; only a version conflict
 *     reads the stream). A restart's cold command costs one read more (the snapshot; the events after
 *     it are read meanwhile, from the revision its metadata names) and the snapshot's gunzip
 *
 * The warm ratio (long / new) should be ~1, and a restart's cold command at most 10x a warm one.
 */
import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { BACKWARDS, END } from '@eventstore/db-client';
import { build } from 'hdr-histogram-js';

import { lineDecider, type HangUp, type PlaceCallOnSharedLine } from '#domain';
import { eventSchemas, lineStream, type LineEvent } from '#events';
import {
  DEFAULT_SNAPSHOT_EVERY_EVENTS,
  EventStore,
  createEventStoreClient,
  snapshotStreamOf,
  type CommandMetadata,
} from '#eventstore';
import { LineRepository } from '../apps/api/src/lines/line.repository.js';
import { startEventStore } from '#stack';
import { callPlaced, hangUp, hungUp, loneLineContext, placeCall } from './lone-line.js';

const PAST_CALLS = 100_000;
/** 1,500 events of about 330 bytes: under the store's 1 MiB append limit. */
const CALLS_PER_BATCH = 500;
const WARM_ROUNDS = 200;
/** Restarts measured after the snapshot exists: a new repository each, nothing cached. */
const RESTARTS = 9;
/** Aggregate snapshots at the library's default interval, as the api writes them. */
const SNAPSHOTS = { snapshotEveryEvents: DEFAULT_SNAPSHOT_EVERY_EVENTS };
const NUMBER = '+15550000001';
const T0 = Date.parse('2026-01-05T09:00:00.000Z');

const context = loneLineContext(NUMBER, new Date(T0).toISOString());

const metadata = (commandId: string): CommandMetadata => ({
  $correlationId: commandId,
  $causationId: commandId,
  commandId,
  actor: 'alice',
  onBehalfOf: null,
  permission: null,
  simulatedTime: context.now,
});

/** One finished call as the line's stream holds it: placed, answered by the callee, hung up. */
const pastCall = (n: number): LineEvent[] => {
  const callId = `past-${n}`;
  const at = new Date(T0 - (PAST_CALLS - n) * 60_000).toISOString();
  return [
    callPlaced(callId, NUMBER, at),
    { type: 'CallAnsweredByExternalParty', data: { callId, at } },
    hungUp(callId, at),
  ];
};

async function writeHistory(store: EventStore, stream: string): Promise<number> {
  const started = performance.now();
  for (let first = 0; first < PAST_CALLS; first += CALLS_PER_BATCH) {
    const events = Array.from({ length: CALLS_PER_BATCH }, (_, i) => pastCall(first + i)).flat();
    await store.append(stream, events, 'any', metadata(`history-${first}`));
  }
  return (performance.now() - started) / 1000;
}

/** Decides and appends one command; returns how long it took in microseconds. */
async function timedCommand(
  repository: LineRepository,
  stream: string,
  command: PlaceCallOnSharedLine | HangUp,
): Promise<number> {
  const started = process.hrtime.bigint();
  await repository.handle(
    stream,
    (state) => lineDecider.decide(command, state, context),
    metadata(`${stream}-${command.type}-${command.callId}`),
  );
  return Number((process.hrtime.bigint() - started) / 1000n);
}

async function main(): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'switchboard-history-'));
  const server = await startServer(directory);
  const client = createEventStoreClient(server.connectionString);
  const store = new EventStore(client, eventSchemas);
  try {
    // Each run has its own store directory, so the stream names can be fixed.
    const long = lineStream('long', NUMBER.slice(1));
    const fresh = lineStream('fresh', NUMBER.slice(1));
    console.log(
      `writing ${PAST_CALLS.toLocaleString()} past calls (${(PAST_CALLS * 3).toLocaleString()} events) in batches of ${CALLS_PER_BATCH * 3} events…`,
    );
    const writeSeconds = await writeHistory(store, long);
    console.log(
      `  written in ${writeSeconds.toFixed(1)} s (${Math.round((PAST_CALLS * 3) / writeSeconds).toLocaleString()} events/s)`,
    );

    // A new repository per line: nothing cached, as in an api process that just started.
    const first = new LineRepository(store, SNAPSHOTS);
    const coldLong = await timedCommand(first, long, placeCall('cold'));
    await timedCommand(first, long, hangUp('cold'));
    const coldNew = await timedCommand(new LineRepository(store, SNAPSHOTS), fresh, placeCall('cold'));
    // The first fold writes the line's snapshot in the background; the restarts below start from it.
    while (first.snapshots.written === 0) {
      if (first.snapshots.failed > 0) throw new Error('the aggregate snapshot was not written');
      await new Promise((resume) => setTimeout(resume, 10));
    }
    const snapshotBytes = await snapshotSize(store, long);
    const restarts: number[] = [];
    for (let restart = 0; restart < RESTARTS; restart++) {
      const restarted = new LineRepository(store, SNAPSHOTS);
      restarts.push(await timedCommand(restarted, long, placeCall(`restart-${restart}`)));
      if (restarted.snapshots.loaded !== 1) throw new Error('a restart did not start from the snapshot');
      await timedCommand(restarted, long, hangUp(`restart-${restart}`));
    }
    restarts.sort((a, b) => a - b);

    const repository = new LineRepository(store, SNAPSHOTS);
    await repository.load(long);
    await repository.load(fresh);
    await timedCommand(repository, fresh, hangUp('cold'));
    const histogram = () =>
      build({
        lowestDiscernibleValue: 1,
        highestTrackableValue: 60_000_000,
        numberOfSignificantValueDigits: 3,
      });
    const warm = { long: histogram(), fresh: histogram() };
    for (let round = 0; round < WARM_ROUNDS; round++) {
      // Interleaved, so load on the machine affects both lines alike.
      for (const [stream, figures] of [
        [long, warm.long],
        [fresh, warm.fresh],
      ] as const) {
        figures.recordValue(await timedCommand(repository, stream, placeCall(`warm-${round}`)));
        figures.recordValue(await timedCommand(repository, stream, hangUp(`warm-${round}`)));
      }
    }

    const ms = (us: number) => (us / 1000).toFixed(2).padStart(9);
    console.log('\ndecide + append one command (ms)        100k-call line   new line    ratio');
    console.log(
      `cold, no snapshot: whole fold         ${ms(coldLong)}  ${ms(coldNew)}  ${(coldLong / coldNew).toFixed(1).padStart(7)}`,
    );
    const restartMedian = restarts[Math.floor(restarts.length / 2)]!;
    const restartMax = restarts[restarts.length - 1]!;
    console.log(
      `cold after a restart: snapshot + tail ${ms(restartMedian)}  (median of ${RESTARTS}; max ${ms(restartMax).trim()})`,
    );
    for (const p of [50, 90, 99]) {
      const a = warm.long.getValueAtPercentile(p);
      const b = warm.fresh.getValueAtPercentile(p);
      console.log(
        `warm p${p}: cached fold + append      ${ms(a)}  ${ms(b)}  ${(a / b).toFixed(2).padStart(7)}`,
      );
    }
    console.log(`(warm: ${WARM_ROUNDS * 2} commands per line, interleaved)`);
    console.log(
      `line snapshot (100k-call line): ${(snapshotBytes.zipped / 1024).toFixed(0)} KiB gzipped, ` +
        `${(snapshotBytes.unzipped / 1024).toFixed(0)} KiB unzipped`,
    );
    const warmMedian = warm.long.getValueAtPercentile(50);
    const ratio = restartMedian / warmMedian;
    console.log(
      `\ncold after a restart / warm p50 (100k-call line): ${ratio.toFixed(1)}x (median restart), ` +
        `${(restartMax / warmMedian).toFixed(1)}x (slowest); goal <= 10x: ${ratio <= 10 ? 'met' : 'NOT met'}`,
    );
  } finally {
    await client.dispose();
    await server.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

/** The latest snapshot event's size, and its unzipped size from the gzip trailer (ISIZE). */
async function snapshotSize(
  store: EventStore,
  stream: string,
): Promise<{ zipped: number; unzipped: number }> {
  let data: Uint8Array = new Uint8Array(0);
  for await (const { event } of store.client.readStream(snapshotStreamOf(stream), {
    direction: BACKWARDS,
    fromRevision: END,
    maxCount: 1,
  }))
    if (event?.data instanceof Uint8Array) data = event.data;
  const unzipped = data.length < 4 ? 0 : Buffer.from(data).readUInt32LE(data.length - 4);
  return { zipped: data.length, unzipped };
}

async function startServer(
  directory: string,
): Promise<{ connectionString: string; stop: () => Promise<void> }> {
  const server = await startEventStore({ dataDir: directory });
  return { connectionString: server.address, stop: () => server.stop() };
}

await main();
