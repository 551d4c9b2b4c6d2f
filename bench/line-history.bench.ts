/**
 * `npm run bench:history`: does deciding on a shared line slow down as its history grows? A line
 * with 100,000 past calls (300,000 events) against a new line, both through the api's
 * `LineRepository` on the embedded event store on disk, over the official client.
 *
 *   cold: the first command after the process started (the repository folds the whole stream)
 *   warm: later commands (cached fold + a catch-up read of what was appended since)
 *
 * The warm ratio (long / new) is the figure that matters: it should be ~1.
 */
import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { build } from 'hdr-histogram-js';

import { lineDecider, type HangUp, type LineContext, type PlaceCallOnSharedLine } from '#domain';
import { eventSchemas, lineStream, type LineEvent } from '#events';
import { EventStore, createEventStoreClient, type CommandMetadata } from '#eventstore';
import { LineRepository } from '../apps/api/src/lines/line.repository.js';
import { startEventStore } from '#stack';

const PAST_CALLS = 100_000;
/** 1,500 events of about 330 bytes: under the store's 1 MiB append limit. */
const CALLS_PER_BATCH = 500;
const WARM_ROUNDS = 200;
const NUMBER = '+15550000001';
const T0 = Date.parse('2026-01-05T09:00:00.000Z');

const context: LineContext = {
  now: new Date(T0).toISOString(),
  line: { number: NUMBER, name: null, ringTimeoutSeconds: 30, businessHours: null },
  delegator: { partyId: 'alice', name: 'Alice', eligibility: null, powerPack: false },
  delegates: [],
  vip: { contacts: [], routing: { mode: 'delegatorOnly' } },
};

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
    {
      type: 'CallPlacedOnSharedLine',
      data: {
        callId,
        line: NUMBER,
        to: '+15550100',
        placedBy: 'alice',
        onBehalfOf: null,
        permission: null,
        callerId: { number: NUMBER, name: 'Alice' },
        at,
      },
    },
    { type: 'CallAnsweredByExternalParty', data: { callId, at } },
    {
      type: 'CallEnded',
      data: { callId, by: 'alice', reason: 'hungUp', missedBy: [], ringLegsEnded: [], at },
    },
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

const place = (callId: string): PlaceCallOnSharedLine => ({
  type: 'PlaceCallOnSharedLine',
  callId,
  actor: 'alice',
  to: '+15550100',
});
const hangUp = (callId: string): HangUp => ({ type: 'HangUp', callId, actor: 'alice' });

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
    const coldLong = await timedCommand(new LineRepository(store), long, place('cold'));
    const coldNew = await timedCommand(new LineRepository(store), fresh, place('cold'));

    const repository = new LineRepository(store);
    for (const stream of [long, fresh]) {
      await repository.load(stream);
      await timedCommand(repository, stream, hangUp('cold'));
    }
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
        figures.recordValue(await timedCommand(repository, stream, place(`warm-${round}`)));
        figures.recordValue(await timedCommand(repository, stream, hangUp(`warm-${round}`)));
      }
    }

    const ms = (us: number) => (us / 1000).toFixed(2).padStart(9);
    console.log('\ndecide + append one command (ms)        100k-call line   new line    ratio');
    console.log(
      `cold: first command, whole fold       ${ms(coldLong)}  ${ms(coldNew)}  ${(coldLong / coldNew).toFixed(1).padStart(7)}`,
    );
    for (const p of [50, 90, 99]) {
      const a = warm.long.getValueAtPercentile(p);
      const b = warm.fresh.getValueAtPercentile(p);
      console.log(
        `warm p${p}: cached + catch-up read     ${ms(a)}  ${ms(b)}  ${(a / b).toFixed(2).padStart(7)}`,
      );
    }
    console.log(`(warm: ${WARM_ROUNDS * 2} commands per line, interleaved)`);
  } finally {
    await client.dispose();
    await server.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

async function startServer(
  directory: string,
): Promise<{ connectionString: string; stop: () => Promise<void> }> {
  const server = await startEventStore({ dataDir: directory });
  return { connectionString: server.address, stop: () => server.stop() };
}

await main();
