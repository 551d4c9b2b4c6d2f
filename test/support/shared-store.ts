import { randomUUID } from 'node:crypto';
import {
  BACKWARDS,
  END,
  type EventStoreDBClient,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import type { EventSchemaRegistry } from '#events';
import { EventStore, createEventStoreClient, snapshotStreamOf, type CommandMetadata } from '#eventstore';
import { ownCommandMetadata } from '../../libs/eventstore/src/command-metadata.fixture.js';

/**
 * An `EventStore` on the server the global setup started (or the one EVENTSTORE_CONNECTION_STRING
 * names), for a suite that disposes its client (`store.client`) itself, after what still uses it.
 */
export const openSharedStore = (schemas?: EventSchemaRegistry): EventStore =>
  new EventStore(createEventStoreClient(process.env.EVENTSTORE_CONNECTION_STRING!), schemas);

/**
 * A client and an `EventStore` on the shared server, disposed after the suite. Called inside a
 * `describe`.
 */
export function connectToSharedStore(schemas?: EventSchemaRegistry): {
  client: ReturnType<typeof createEventStoreClient>;
  store: EventStore;
} {
  const store = openSharedStore(schemas);
  afterAll(() => store.client.dispose(), 30_000);
  return { client: store.client, store };
}

/**
 * The metadata a test writes its events with when no command of the api wrote them: acting on its
 * own behalf, a fresh command id unless one is named (a resend names the first one's).
 */
export const testMetadata = ({
  actor = 'tester',
  simulatedTime,
  commandId = randomUUID(),
}: { actor?: string; simulatedTime?: string; commandId?: string } = {}): CommandMetadata =>
  ownCommandMetadata({ commandId, actor, simulatedTime });

/** The newest aggregate snapshot of `stream` as the official client reads it (undefined: none). */
export async function latestSnapshotEvent(
  client: EventStoreDBClient,
  stream: string,
): Promise<ResolvedEvent['event']> {
  let latest: ResolvedEvent['event'];
  for await (const { event } of client.readStream(snapshotStreamOf(stream), {
    direction: BACKWARDS,
    fromRevision: END,
    maxCount: 1,
  }))
    latest = event;
  return latest;
}

/** A record of `$all` outside the store's own `$` streams, as a check of what was appended reads it. */
export interface AppendedRecord {
  readonly stream: string;
  readonly type: string;
  readonly position: bigint;
  readonly metadata: Record<string, unknown>;
}

/**
 * `$all` from its end backwards, a page at a time, each page read to its end: a read abandoned halfway
 * leaves its call open on the client.
 */
async function* allBackwards(
  client: EventStoreDBClient,
): AsyncGenerator<NonNullable<ResolvedEvent['event']>> {
  const PAGE = 200;
  let from: Position | typeof END = END;
  for (;;) {
    const page: NonNullable<ResolvedEvent['event']>[] = [];
    for await (const { event } of client.readAll({
      direction: BACKWARDS,
      fromPosition: from,
      maxCount: PAGE,
    }))
      if (event?.position) page.push(event);
    // A page after the first starts with the event it was read from, already yielded.
    const start = from;
    const fresh = start === END ? page : page.filter(({ position }) => position!.commit < start.commit);
    yield* fresh;
    if (page.length < PAGE || fresh.length === 0) return;
    from = page[page.length - 1]!.position!;
  }
}

/**
 * The records outside `$` streams appended after commit position `after`, newest first. Suites share
 * the store, and every api a suite starts fires the timers other suites' accounts left pending (ring
 * timeouts of calls nobody answered): "nothing was appended" is a statement about what a request
 * caused, not about the whole store.
 */
export async function recordsAppendedAfter(
  client: EventStoreDBClient,
  after: bigint,
): Promise<AppendedRecord[]> {
  const records: AppendedRecord[] = [];
  for await (const event of allBackwards(client)) {
    const position = event.position!.commit;
    if (position <= after) break;
    if (event.streamId.startsWith('$')) continue;
    records.push({
      stream: event.streamId,
      type: event.type,
      position,
      metadata: metadataOf(event.metadata),
    });
  }
  return records;
}

/** The streams of one account: its own and its lines' (what a projector scoped to it follows). */
export const isAccountStream = (accountId: string, stream: string): boolean =>
  stream === `account-${accountId}` || stream.startsWith(`line-${accountId}.`);

/**
 * The commit position of the newest event of one account's streams (undefined: none), to wait for with
 * a projector scoped to the account. The head of the store may be another suite's event, which such a
 * projector never sees and may never be told it passed.
 */
export async function lastPositionOfAccount(
  client: EventStoreDBClient,
  accountId: string,
): Promise<bigint | undefined> {
  for await (const event of allBackwards(client))
    if (isAccountStream(accountId, event.streamId)) return event.position!.commit;
  return undefined;
}

/** Metadata as the client hands it over: parsed when it read as JSON, bytes otherwise. */
const metadataOf = (metadata: unknown): Record<string, unknown> => {
  if (metadata instanceof Uint8Array) {
    try {
      return JSON.parse(new TextDecoder().decode(metadata)) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  return typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>) : {};
};
