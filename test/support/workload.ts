import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '#events';
import type { CommandMetadata, EventStore } from '#eventstore';
import {
  accountEvents,
  lineEvents,
  rng,
  type StreamBatch,
  type WorkloadOptions,
} from '../../bench/replay/workload.js';
import { testMetadata } from './shared-store.js';

/**
 * The replay bench's workload on an account of its own (`label` and a fresh suffix), so suites that
 * share the store never read each other's streams.
 */
export const freshWorkload = (label: string, shape: Omit<WorkloadOptions, 'accountId'>): WorkloadOptions => ({
  ...shape,
  accountId: `${label}${randomUUID().replaceAll('-', '').slice(0, 12)}`,
});

/** What a projector or a replay of one account follows: the account's stream and its lines'. */
export const accountPrefixes = (accountId: string): string[] => [
  `account-${accountId}`,
  `line-${accountId}.`,
];

/** Simulated time follows the events' own `at`, so an as-of time has something to cut. */
export const metadataAtFirst = (events: readonly DomainEvent[]): CommandMetadata =>
  testMetadata({ actor: 'system:test', simulatedTime: (events[0]!.data as { at: string }).at });

/**
 * Hands `batches` to `write` interleaved in random chunks of 1 to `maxChunk` events, as a live system
 * writes several streams at once (so events are not in simulated-time order across streams). `write`
 * appends a chunk and does what the test does between chunks; `progress` says how far its stream is.
 */
export async function interleave<E extends DomainEvent>(
  batches: readonly StreamBatch<E>[],
  random: () => number,
  maxChunk: number,
  write: (stream: string, chunk: E[], progress: { written: number; of: number }) => Promise<void>,
): Promise<void> {
  const cursors = batches.map(() => 0);
  while (cursors.some((cursor, i) => cursor < batches[i]!.events.length)) {
    const i = Math.floor(random() * batches.length);
    const { stream, events } = batches[i]!;
    if (cursors[i]! >= events.length) continue;
    const chunk = events.slice(cursors[i], cursors[i]! + 1 + Math.floor(random() * maxChunk));
    cursors[i]! += chunk.length;
    await write(stream, chunk, { written: cursors[i]!, of: events.length });
  }
}

/**
 * Appends a workload as a live system writes it: the account, then its lines interleaved in random
 * chunks of up to `maxChunk` events (shuffled by the workload's seed). Answers the last position.
 */
export async function appendLive(store: EventStore, options: WorkloadOptions, maxChunk = 7): Promise<bigint> {
  const account = accountEvents(options);
  let last = (await store.append(account.stream, account.events, 'any', metadataAtFirst(account.events)))
    .position;
  const lines = Array.from({ length: options.lines }, (_, line) => lineEvents(options, line));
  await interleave<DomainEvent>(lines, rng(options.seed), maxChunk, async (stream, chunk) => {
    last = (await store.append(stream, chunk, 'any', metadataAtFirst(chunk))).position;
  });
  return last;
}
