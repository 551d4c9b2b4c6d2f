import { randomUUID } from 'node:crypto';
import { isCommandError } from '@eventstore/db-client';
import type { DomainEvent } from '#events';
import type { CommandMetadata, EventStore } from '#eventstore';
import { accountEvents, lineEvents, type WorkloadOptions } from './workload.js';

/** The benchmarks' writes carry the simulated time of the events they append, as the api's would. */
const metadataOf = (events: readonly DomainEvent[]): CommandMetadata => {
  const commandId = randomUUID();
  return {
    $correlationId: commandId,
    $causationId: commandId,
    commandId,
    actor: 'system:bench',
    onBehalfOf: null,
    permission: null,
    simulatedTime: (events[0]!.data as { at: string }).at,
  };
};

/**
 * Big batches keep writing quick; below the server's 1 MiB append limit. A batch the client gave up
 * on (its deadline passed on a loaded machine) is resent with the same command id: the event ids are
 * derived from it, so the server stores the batch once.
 */
export const appendInChunks = async (
  store: EventStore,
  stream: string,
  events: readonly DomainEvent[],
): Promise<void> => {
  for (let from = 0; from < events.length; from += 500) {
    const chunk = events.slice(from, from + 500);
    const metadata = metadataOf(chunk);
    for (let attempt = 1; ; attempt++) {
      try {
        await store.append(stream, chunk, 'any', metadata);
        break;
      } catch (error) {
        if (attempt >= 5 || !(error instanceof Error) || !isCommandError(error)) throw error;
      }
    }
  }
};

/**
 * Writes the replay workload into the store: its account stream first, then its lines, `writers`
 * lines at a time. Returns how many events were written.
 */
export async function writeWorkload(
  store: EventStore,
  options: WorkloadOptions,
  writers: number,
): Promise<number> {
  const account = accountEvents(options);
  await appendInChunks(store, account.stream, account.events);
  let written = account.events.length;
  let nextLine = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (nextLine < options.lines) {
        const { stream, events } = lineEvents(options, nextLine++);
        await appendInChunks(store, stream, events);
        written += events.length;
      }
    }),
  );
  return written;
}

/** The heap in use after a collection (when node runs with --expose-gc, as the bench scripts do). */
export const heapUsed = (): number => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
};
